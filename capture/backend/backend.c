// SPDX-License-Identifier: GPL-2.0
/* Choosing an attribution backend. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "backend.h"

extern struct nfd_backend nfd_backend_fentry;
extern struct nfd_backend nfd_backend_kprobe;
extern struct nfd_backend nfd_backend_nftrace;
extern struct nfd_backend nfd_backend_dropsite;

/*
 * auto's order: the cheapest first. dropsite runs for drops only; fentry
 * and kprobe cost a little on every packet nf_tables sees (and name drops
 * outside nf_tables); nftrace costs the kernel's trace messages.
 */
struct nfd_backend *const nfd_backends[] = {
	&nfd_backend_dropsite,
	&nfd_backend_fentry,
	&nfd_backend_kprobe,
	&nfd_backend_nftrace,
	NULL,
};

void *nfd_backend_no_netns(struct nfd_backend *b, int *err)
{
	static int none;

	*err = 0;
	return &none; /* not NULL: that would mean failure */
}

void nfd_backend_no_netns_detach(struct nfd_backend *b, void *inst)
{
}

static int try_backend(struct nfd_backend *b, const struct nfd_backend_env *env,
		       char *why, size_t len)
{
	int err = b->available(why, len);

	return err ?: b->load(b, env, why, len);
}

struct nfd_backend *nfd_backend_start(const char *name,
				      const struct nfd_backend_env *env,
				      char *why, size_t len)
{
	char one[256];
	size_t used = 0;

	why[0] = 0;
	for (int i = 0; nfd_backends[i]; i++) {
		struct nfd_backend *b = nfd_backends[i];

		if (strcmp(name, "auto") && strcmp(name, b->name))
			continue;
		if (strcmp(name, "auto"))
			return try_backend(b, env, why, len) ? NULL : b;
		if (!try_backend(b, env, one, sizeof(one))) {
			if (used < len)
				snprintf(why + used, len - used, "%s%s",
					 used ? "; used: " : "", one);
			return b;
		}
		/* auto: say why each one could not be used */
		if (used < len)
			used += snprintf(why + used, len - used, "%s%s: %s",
					 used ? "; " : "", b->name, one);
	}
	if (strcmp(name, "auto"))
		snprintf(why, len, "unknown backend '%s'", name);
	return NULL;
}
