// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: escaping (lib/escape.c): whatever the bytes and the room,
 * the result is terminated, within its room, and holds no control byte.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/escape.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[1024];
	size_t room, n;

	if (!size)
		return 0;
	room = 1 + data[0] % sizeof(out);
	n = nfd_escape(out, room, (const char *)data + 1, size - 1);
	if (n >= room || out[n] || strlen(out) != n)
		abort();
	for (size_t i = 0; i < n; i++) {
		uint8_t c = (uint8_t)out[i];

		if (c < 0x20 || c == 0x7f ||
		    (c == 0xc2 && (uint8_t)out[i + 1] >= 0x80 &&
		     (uint8_t)out[i + 1] <= 0x9f))
			abort();
	}
	return 0;
}
