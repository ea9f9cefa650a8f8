/* SPDX-License-Identifier: GPL-2.0 */
/*
 * check.h - tiny assertion helpers for the unit test programs.
 *
 * CHECK(cond) records a pass or a failure (printed to stderr with
 * file:line and the expression) and evaluates to cond, so a test can
 * bail out early: if (!CHECK(p != NULL)) return;
 * check_summary() prints the final "N passed, N failed" line and returns
 * the exit status (0 iff nothing failed).
 *
 * Each test program is one translation unit including this header.
 */
#ifndef NFDROPCAP_CHECK_H
#define NFDROPCAP_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct check_counts {
	unsigned long passed;
	unsigned long failed;
};

static inline struct check_counts *check_counts(void)
{
	static struct check_counts counts;

	return &counts;
}

static inline bool check_record(bool ok, const char *file, int line,
				const char *expr)
{
	struct check_counts *c = check_counts();

	if (ok) {
		c->passed++;
	} else {
		c->failed++;
		fprintf(stderr, "%s:%d: CHECK failed: %s\n", file, line, expr);
	}
	return ok;
}

#define CHECK(cond) check_record(!!(cond), __FILE__, __LINE__, #cond)

/* Equal lengths and bytes; on mismatch also report where they differ. */
static inline bool check_mem(const void *a, size_t alen, const void *b,
			     size_t blen, const char *file, int line,
			     const char *expr)
{
	const unsigned char *pa = a, *pb = b;
	size_t i, n = alen < blen ? alen : blen;

	for (i = 0; i < n && pa[i] == pb[i]; i++)
		;
	if (i == n && alen == blen)
		return check_record(true, file, line, expr);
	check_record(false, file, line, expr);
	fprintf(stderr, "  lengths %zu vs %zu, first difference at %zu", alen,
		blen, i);
	if (i < n)
		fprintf(stderr, " (0x%02x vs 0x%02x)", pa[i], pb[i]);
	fputc('\n', stderr);
	return false;
}

#define CHECK_MEM(a, alen, b, blen)                             \
	check_mem((a), (alen), (b), (blen), __FILE__, __LINE__, \
		  "memory " #a " == " #b)

static inline int check_summary(void)
{
	struct check_counts *c = check_counts();

	fflush(stderr);
	printf("%lu passed, %lu failed\n", c->passed, c->failed);
	fflush(stdout);
	return c->failed ? 1 : 0;
}

#endif /* NFDROPCAP_CHECK_H */
