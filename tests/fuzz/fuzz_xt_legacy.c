// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: an iptables-legacy table's entries (netns/xt_legacy.c), as
 * a namespace's owner could shape them: whatever the bytes, parsing stays
 * inside them, each entry found lies inside the table and in order, in a
 * chain whose name is terminated, and the entries that drop are found.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "netns/xt_legacy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nfd_xtl_info info;
	struct nfd_xtl_table t;
	uint32_t off[8];
	uint8_t *blob;
	int n;

	if (size < sizeof(info) + 1)
		return 0;
	memcpy(&info, data + 1, sizeof(info));
	info.size = (uint32_t)(size - 1 - sizeof(info));
	/* a copy of exactly the table's size: ASan sees any read past it */
	blob = malloc(info.size ? info.size : 1);
	if (!blob)
		return 0;
	memcpy(blob, data + 1 + sizeof(info), info.size);
	if (nfd_xtl_parse(data[0] & 1 ? AF_INET6 : AF_INET, "filter", &info,
			  blob, &t)) {
		free(blob);
		return 0;
	}
	for (size_t i = 0; i < t.n; i++)
		if (t.e[i].off >= info.size || t.e[i].chain >= t.nchains ||
		    (i && t.e[i].off <= t.e[i - 1].off) ||
		    nfd_xtl_find(&t, t.e[i].off) != &t.e[i])
			abort();
	for (size_t i = 0; i < t.nchains; i++)
		if (!memchr(t.chains[i], 0, sizeof(t.chains[i])))
			abort();
	n = nfd_xtl_drops(&t, off, 8);
	for (int i = 0; i < n; i++)
		if (!nfd_xtl_find(&t, off[i]) || !nfd_xtl_find(&t, off[i])->drops)
			abort();
	nfd_xtl_free(&t);
	free(blob);
	return 0;
}
