/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bytes.h - a growing byte string for the unit tests that build or read
 * pcapng bytes (test_pcapng.c, test_pcapng_read.c). Header only: each test
 * program is one translation unit.
 */
#ifndef NFDROPCAP_TEST_BYTES_H
#define NFDROPCAP_TEST_BYTES_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct bytes {
	uint8_t *p;
	size_t len;
	size_t cap;
	bool be; /* test_pcapng_read's put16/32/64 write big-endian */
	size_t blk; /* start of the block being built */
};

/* Room for @n more bytes; where they go. Aborts when out of memory. */
static inline uint8_t *bytes_room(struct bytes *b, size_t n)
{
	size_t cap = b->cap ? b->cap : 4096;

	while (cap - b->len < n)
		cap *= 2;
	if (cap != b->cap) {
		b->p = realloc(b->p, cap);
		if (!b->p)
			abort();
		b->cap = cap;
	}
	return b->p + b->len;
}

static inline void bytes_free(struct bytes *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

#endif /* NFDROPCAP_TEST_BYTES_H */
