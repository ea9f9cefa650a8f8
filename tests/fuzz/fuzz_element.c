// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: the element of a verdict map (output/element.c): whatever
 * the rule text, the map's elements and the packet, no crash, and an
 * element found is one terminated line without control bytes.
 *
 * Input: one byte of packet length, the packet, then rule text and the
 * named map's elements separated by a NUL.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "output/element.h"

static const char *elements;

static const char *map_of(void *ctx, const char *name)
{
	(void)ctx;
	(void)name;
	return elements;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nfd_pkt_view v;
	size_t plen;
	char *text, out[512];

	if (!size)
		return 0;
	plen = data[0] < size - 1 ? data[0] : size - 1;
	nfd_pkt_view(&v, plen && data[1] >> 4 == 6 ? 0x86dd : 0x0800, data + 1,
		     plen);
	text = malloc(size - plen);
	if (!text)
		return 0;
	memcpy(text, data + 1 + plen, size - 1 - plen);
	text[size - 1 - plen] = 0;
	elements = text + strlen(text);
	if (elements < text + size - 1 - plen)
		elements++;
	if (!nfd_element_find(text, &v, "drop", map_of, NULL, out,
			      sizeof(out))) {
		for (const char *p = out; *p; p++)
			if ((uint8_t)*p < 0x20 || *p == 0x7f)
				abort();
	}
	free(text);
	return 0;
}
