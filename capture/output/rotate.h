/* SPDX-License-Identifier: GPL-2.0 */
/*
 * -C, -G and -W as tcpdump has them: when the next file starts and what it
 * is called. Names, as tcpdump makes them (README, "Rotation"):
 *   -C:            FILE, FILE1, FILE2, ...
 *   -C with -W N:  a ring FILE0 ... FILE<N-1>, numbers as wide as N's
 *   -G:            FILE as a strftime(3) pattern, at each interval's start
 *   -G with -C:    that name, then 1, 2, ... after it within the interval
 *   -G with -W N:  nfdropcap exits (0) when the Nth file is complete
 * With FILE ending in .gz, the number goes before it: drops.pcapng1.gz.
 * Pure: no files are touched here (file.c opens them).
 */
#ifndef NFD_ROTATE_H
#define NFD_ROTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct nfd_rotate_cfg {
	uint64_t size; /* -C, in bytes (SIZE x 1,000,000); 0: none */
	uint32_t seconds; /* -G; 0: none */
	uint32_t files; /* -W; 0: none */
};

struct nfd_rotate {
	struct nfd_rotate_cfg cfg;
	const char *pattern; /* -w FILE */
	int digits; /* of -W's number, in -C's ring names; 0: none */
	uint32_t cnt; /* -C's number of the current file */
	uint32_t done; /* -G's intervals ended */
	time_t interval_start; /* -G: realtime, for the name */
	int64_t interval_end_ns; /* -G: monotonic */
};

static inline bool nfd_rotate_on(const struct nfd_rotate_cfg *c)
{
	return c->size || c->seconds;
}

/* The first file's state, at @now (realtime) and @now_ns (monotonic). */
void nfd_rotate_init(struct nfd_rotate *r, const struct nfd_rotate_cfg *cfg,
		     const char *pattern, time_t now, int64_t now_ns);
/* The capture starts at @now_ns: -G's first interval starts with it. */
void nfd_rotate_start(struct nfd_rotate *r, int64_t now_ns);
/* The current file's name into @buf: 0, or -ENAMETOOLONG / -EINVAL. */
int nfd_rotate_name(const struct nfd_rotate *r, char *buf, size_t len);
/*
 * -C: would @need more bytes take a file of @bytes past the size? A file
 * without a packet (@empty) is never full: a packet bigger than the size
 * gets a file of its own.
 */
bool nfd_rotate_full(const struct nfd_rotate *r, uint64_t bytes, uint64_t need,
		     bool empty);
/* -G: has the current interval ended at @now_ns? */
bool nfd_rotate_due(const struct nfd_rotate *r, int64_t now_ns);
/*
 * Moves to the next file: by size (@by_time false) or by time. Returns
 * false when there is none (-G with -W: the Nth file is complete).
 */
bool nfd_rotate_next(struct nfd_rotate *r, bool by_time, time_t now,
		     int64_t now_ns);

#endif /* NFD_ROTATE_H */
