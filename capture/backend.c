// SPDX-License-Identifier: GPL-2.0
/* Choosing an attribution backend. */
#include <stdio.h>
#include <string.h>

#include "backend.h"

/* In order of preference. */
static struct nfd_backend *const backends[] = {
	&nfd_backend_nftrace,
};

struct nfd_backend *nfd_backend_pick(const char *name, char *why, size_t len)
{
	size_t n = sizeof(backends) / sizeof(backends[0]);

	for (size_t i = 0; i < n; i++) {
		struct nfd_backend *b = backends[i];

		if (strcmp(name, "auto") && strcmp(name, b->name))
			continue;
		if (!b->available(why, len))
			return b;
		if (strcmp(name, "auto"))
			return NULL;
	}
	if (strcmp(name, "auto"))
		snprintf(why, len, "unknown backend '%s'", name);
	/* for auto, why says what stopped the last backend tried */
	return NULL;
}
