// SPDX-License-Identifier: GPL-2.0
/* When the next file starts and its name (rotate.h). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "rotate.h"

#define NS_PER_SEC 1000000000LL

static int digits_of(uint32_t n)
{
	int d = 1;

	while (n >= 10) {
		n /= 10;
		d++;
	}
	return d;
}

void nfd_rotate_init(struct nfd_rotate *r, const struct nfd_rotate_cfg *cfg,
		     const char *pattern, time_t now, int64_t now_ns)
{
	memset(r, 0, sizeof(*r));
	r->cfg = *cfg;
	r->pattern = pattern;
	/* -W with -G counts files; with -C alone it makes a ring */
	if (cfg->size && cfg->files > 1 && !cfg->seconds)
		r->digits = digits_of(cfg->files - 1);
	r->interval_start = now;
	r->interval_end_ns = now_ns + (int64_t)cfg->seconds * NS_PER_SEC;
}

void nfd_rotate_start(struct nfd_rotate *r, int64_t now_ns)
{
	r->interval_end_ns = now_ns + (int64_t)r->cfg.seconds * NS_PER_SEC;
}

/* @pattern, through strftime(3) with -G, into @buf. */
static int base_name(const struct nfd_rotate *r, char *buf, size_t len)
{
	struct tm tm;

	if (!r->cfg.seconds) {
		if ((size_t)snprintf(buf, len, "%s", r->pattern) >= len)
			return -ENAMETOOLONG;
		return 0;
	}
	if (!localtime_r(&r->interval_start, &tm))
		return -EINVAL;
	/* 0 is "too long" or an empty name: neither is a file */
	return strftime(buf, len, r->pattern, &tm) ? 0 : -ENAMETOOLONG;
}

int nfd_rotate_name(const struct nfd_rotate *r, char *buf, size_t len)
{
	char base[PATH_MAX];
	const char *gz = "";
	size_t n;
	int err = base_name(r, base, sizeof(base));

	if (err)
		return err;
	n = strlen(base);
	if (!r->cnt && !r->digits)
		return (size_t)snprintf(buf, len, "%s", base) < len ?
			       0 :
			       -ENAMETOOLONG;
	if (n > 3 && !strcmp(base + n - 3, ".gz")) {
		base[n - 3] = 0; /* the number goes before .gz */
		gz = ".gz";
	}
	if ((size_t)snprintf(buf, len, "%s%0*u%s", base, r->digits, r->cnt,
			     gz) >= len)
		return -ENAMETOOLONG;
	return 0;
}

bool nfd_rotate_full(const struct nfd_rotate *r, uint64_t bytes, uint64_t need,
		     bool empty)
{
	return r->cfg.size && !empty && bytes + need > r->cfg.size;
}

bool nfd_rotate_due(const struct nfd_rotate *r, int64_t now_ns)
{
	return r->cfg.seconds && now_ns >= r->interval_end_ns;
}

bool nfd_rotate_next(struct nfd_rotate *r, bool by_time, time_t now,
		     int64_t now_ns)
{
	int64_t step = (int64_t)r->cfg.seconds * NS_PER_SEC;

	if (!by_time) {
		r->cnt++;
		if (r->cfg.files && !r->cfg.seconds && r->cnt >= r->cfg.files)
			r->cnt = 0; /* the ring: the oldest goes */
		return true;
	}
	r->done++;
	if (r->cfg.files && r->done >= r->cfg.files)
		return false;
	r->cnt = 0;
	r->interval_start = now;
	/*
	 * The next interval: a whole step from now, as tcpdump does. Not from
	 * the last one's end: after a late rotation, the next would come
	 * sooner than a step and, files being named by the wall clock's
	 * second, could take the same name (seen in a loaded VM: -G 1 -W 3
	 * left two files).
	 */
	r->interval_end_ns = now_ns + step;
	return true;
}
