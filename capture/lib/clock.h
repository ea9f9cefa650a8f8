/* SPDX-License-Identifier: GPL-2.0 */
/* Clocks, in nanoseconds. */
#ifndef NFD_CLOCK_H
#define NFD_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline int64_t nfd_clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

#endif /* NFD_CLOCK_H */
