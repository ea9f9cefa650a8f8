// SPDX-License-Identifier: GPL-2.0
/*
 * -C, -G and -W (output/rotate.c): the names tcpdump gives rotated files,
 * the number before .gz, the ring's wrap, -G's count of files and a size
 * never passed.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "output/rotate.h"

#define GB 1000000000LL

/* The names of the first @n files, by size, joined with spaces. */
static const char *names(const char *pattern, uint64_t size, uint32_t files,
			 int n)
{
	static char out[1024];
	struct nfd_rotate_cfg cfg = { .size = size, .files = files };
	struct nfd_rotate r;
	char name[256];

	out[0] = 0;
	nfd_rotate_init(&r, &cfg, pattern, 0, 0);
	for (int i = 0; i < n; i++) {
		if (nfd_rotate_name(&r, name, sizeof(name)))
			return "error";
		strcat(out, i ? " " : "");
		strcat(out, name);
		nfd_rotate_next(&r, false, 0, 0);
	}
	return out;
}

static void test_size_names(void)
{
	CHECK(!strcmp(names("d.pcapng", 1, 0, 3),
		      "d.pcapng d.pcapng1 d.pcapng2"));
	CHECK(!strcmp(names("d.pcapng.gz", 1, 0, 3),
		      "d.pcapng.gz d.pcapng1.gz d.pcapng2.gz"));
	CHECK(!strcmp(names("d", 1, 3, 4), "d0 d1 d2 d0"));
	CHECK(!strcmp(names("d.gz", 1, 3, 2), "d0.gz d1.gz"));
	/* as wide as N-1: 10 files need one digit, 11 two */
	CHECK(!strcmp(names("d", 1, 10, 2), "d0 d1"));
	CHECK(!strcmp(names("d", 1, 11, 2), "d00 d01"));
	CHECK(!strcmp(names("d", 1, 1, 2), "d d")); /* a ring of one */
	CHECK(!strcmp(names(".gz", 1, 0, 2), ".gz .gz1"));
}

static void test_time(void)
{
	struct nfd_rotate_cfg cfg = { .seconds = 60, .files = 2, .size = 1 };
	struct nfd_rotate r;
	char name[64];
	time_t t0 = 1700000000;

	setenv("TZ", "UTC", 1);
	nfd_rotate_init(&r, &cfg, "x-%Y%m%d-%H%M%S.pcapng", t0, 0);
	CHECK(!nfd_rotate_name(&r, name, sizeof(name)) &&
	      !strcmp(name, "x-20231114-221320.pcapng"));
	CHECK(!nfd_rotate_due(&r, 59 * GB) && nfd_rotate_due(&r, 60 * GB));
	/* -C within the interval: the number after the name, no ring */
	CHECK(nfd_rotate_next(&r, false, t0 + 5, 5 * GB));
	CHECK(!nfd_rotate_name(&r, name, sizeof(name)) &&
	      !strcmp(name, "x-20231114-221320.pcapng1"));
	CHECK(nfd_rotate_next(&r, true, t0 + 60, 60 * GB));
	CHECK(!nfd_rotate_name(&r, name, sizeof(name)) &&
	      !strcmp(name, "x-20231114-221420.pcapng"));
	/* the next interval ends a step after this rotation */
	CHECK(!nfd_rotate_due(&r, 119 * GB) && nfd_rotate_due(&r, 120 * GB));
	/* -W 2: the second file complete, there is no third */
	CHECK(!nfd_rotate_next(&r, true, t0 + 120, 120 * GB));
	/*
	 * -G 1, a rotation 0.9 s late: the next comes a whole second after
	 * it (not 0.1 s later, in the same second of the clock: one name)
	 */
	cfg = (struct nfd_rotate_cfg){ .seconds = 1 };
	nfd_rotate_init(&r, &cfg, "t-%s", t0, 0);
	CHECK(nfd_rotate_next(&r, true, t0 + 1, 1900000000LL));
	CHECK(!nfd_rotate_due(&r, 2800000000LL) &&
	      nfd_rotate_due(&r, 2900000000LL));
	cfg = (struct nfd_rotate_cfg){ .seconds = 60, .files = 2, .size = 1 };
	/* a pattern that makes no name */
	nfd_rotate_init(&r, &cfg, "%p", t0, 0);
	setenv("LC_ALL", "C", 1);
	CHECK(nfd_rotate_name(&r, name, 1) != 0);
}

static void test_full(void)
{
	struct nfd_rotate_cfg cfg = { .size = 1000 };
	struct nfd_rotate r;

	nfd_rotate_init(&r, &cfg, "d", 0, 0);
	CHECK(!nfd_rotate_full(&r, 900, 100, false));
	CHECK(nfd_rotate_full(&r, 900, 101, false));
	CHECK(!nfd_rotate_full(&r, 100, 5000, true)); /* a file of its own */
	cfg.size = 0;
	nfd_rotate_init(&r, &cfg, "d", 0, 0);
	CHECK(!nfd_rotate_full(&r, 1 << 30, 1 << 30, false));
}

static void test_long(void)
{
	char pattern[300], name[256];
	struct nfd_rotate_cfg cfg = { .size = 1 };
	struct nfd_rotate r;

	memset(pattern, 'a', sizeof(pattern) - 1);
	pattern[sizeof(pattern) - 1] = 0;
	nfd_rotate_init(&r, &cfg, pattern, 0, 0);
	CHECK(nfd_rotate_name(&r, name, sizeof(name)) < 0);
}

int main(void)
{
	test_size_names();
	test_time();
	test_full();
	test_long();
	return check_summary();
}
