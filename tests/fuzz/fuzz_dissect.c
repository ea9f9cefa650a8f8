// SPDX-License-Identifier: GPL-2.0
/* Fuzz target: the one-line packet summary of text mode, on any bytes. */
#include <stdint.h>
#include <string.h>

#include "output/dissect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[512];
	uint16_t protos[] = { 0x0800, 0x86dd, 0x0806, 0 };
	uint32_t len;

	if (size < 4)
		return 0;
	memcpy(&len, data, 4); /* the packet's length, as the kernel said */
	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		nfd_dissect(out, sizeof(out), protos[i], data + 4, size - 4,
			    len);
	return 0;
}
