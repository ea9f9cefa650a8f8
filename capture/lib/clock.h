/* SPDX-License-Identifier: GPL-2.0 */
/* Clocks, in nanoseconds. */
#ifndef NFD_CLOCK_H
#define NFD_CLOCK_H

#include <stdint.h>
#include <stdlib.h>
#include <time.h>

static inline int64_t nfd_clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/*
 * NFDROPCAP_TIME_SCALE=N (1 to 100; 1 if unset or not such a number):
 * nfdropcap's own deadlines (a listing of rule text, a drop held for its
 * text, the first listings before the ready line, the end's settling)
 * are N times as long, for slow or emulated machines (the kernel matrix's
 * VMs under qemu TCG use 5).
 */
static inline int64_t nfd_time_scale(void)
{
	static int64_t scale;

	if (!scale) {
		const char *s = getenv("NFDROPCAP_TIME_SCALE");
		long v = s ? strtol(s, NULL, 10) : 1;

		scale = v >= 1 && v <= 100 ? v : 1;
	}
	return scale;
}

#endif /* NFD_CLOCK_H */
