// SPDX-License-Identifier: GPL-2.0
/*
 * What a capture counted, and the summary printed at its end. Per-rule
 * counts are bounded: past RULES_MAX rules, drops count as "other rules".
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "comment.h"
#include "summary.h"

#define WHAT_MAX 2048
#define RULES_MAX 10000
#define BUCKETS 4096

struct nfd_rule_count {
	struct nfd_rule_count *next; /* in its bucket */
	uint64_t n;
	char what[]; /* nfd_comment_rule() */
};

static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h % BUCKETS;
}

static void count_what(struct nfd_summary *s, const char *what)
{
	struct nfd_rule_count **b, *rc;
	size_t len;

	if (!s->rules && !(s->rules = calloc(BUCKETS, sizeof(*s->rules))))
		return;
	b = &s->rules[hash(what)];
	for (rc = *b; rc; rc = rc->next) {
		if (!strcmp(rc->what, what)) {
			if (++rc->n > (s->busiest ? s->busiest->n : 0))
				s->busiest = rc;
			return;
		}
	}
	len = strlen(what) + 1;
	if (s->n_rules >= RULES_MAX || !(rc = malloc(sizeof(*rc) + len))) {
		s->other_rules++;
		return;
	}
	memcpy(rc->what, what, len);
	rc->n = 1;
	if (!s->busiest)
		s->busiest = rc;
	rc->next = *b;
	*b = rc;
	s->n_rules++;
}

void nfd_summary_count(struct nfd_summary *s, const struct nfd_rule *r)
{
	char what[WHAT_MAX];

	nfd_comment_rule(what, sizeof(what), r);
	nfd_summary_count_what(s, what, r->kind != NFD_KIND_NONE);
}

void nfd_summary_count_what(struct nfd_summary *s, const char *what,
			    bool attributed)
{
	s->written++;
	if (!attributed)
		s->unattributed++;
	count_what(s, what);
}

static int by_count(const void *a, const void *b)
{
	const struct nfd_rule_count *x = *(const void *const *)a;
	const struct nfd_rule_count *y = *(const void *const *)b;

	if (x->n != y->n)
		return x->n < y->n ? 1 : -1;
	return strcmp(x->what, y->what);
}

/* One line per rule, most drops first. */
static void print_rules(const struct nfd_summary *s)
{
	const struct nfd_rule_count **v;
	size_t n = 0;

	if (!s->n_rules || !(v = malloc(s->n_rules * sizeof(*v))))
		return;
	for (size_t i = 0; i < BUCKETS; i++)
		for (const struct nfd_rule_count *rc = s->rules[i]; rc;
		     rc = rc->next)
			v[n++] = rc;
	qsort(v, n, sizeof(*v), by_count);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "nfdropcap: %10" PRIu64 "  %s\n", v[i]->n,
			v[i]->what);
	free(v);
}

void nfd_summary_print(const struct nfd_summary *s, uint64_t misses)
{
	fprintf(stderr,
		"nfdropcap: %" PRIu64 " captured, %" PRIu64 " lost, %" PRIu64
		" unattributed (%" PRIu64 " drops seen, %" PRIu64
		" filtered out)\n",
		s->written, s->lost + misses, s->unattributed, s->seen,
		s->filtered);
	if (misses)
		fprintf(stderr,
			"nfdropcap: %" PRIu64 " of the lost were missed by the "
			"probe itself (freed while it ran on that CPU)\n",
			misses);
	if (s->lost_shared)
		fprintf(stderr,
			"nfdropcap: %" PRIu64 " of the lost were on "
			"interfaces not counted apart (too many had losses: "
			"interface 'unknown' in the file)\n",
			s->lost_shared);
	if (s->unreadable)
		fprintf(stderr,
			"nfdropcap: %" PRIu64 " of the lost were events "
			"nfdropcap could not read\n",
			s->unreadable);
	print_rules(s);
	if (s->other_rules)
		fprintf(stderr,
			"nfdropcap: %10" PRIu64 "  other rules (more "
			"than %d rules dropped)\n",
			s->other_rules, RULES_MAX);
}

/* @buf cut after @width characters (UTF-8: lead bytes counted). */
static void cut_width(char *buf, int width)
{
	int chars = 0;

	for (char *p = buf; *p; p++) {
		if (((unsigned char)*p & 0xc0) != 0x80 && ++chars > width) {
			*p = 0;
			return;
		}
	}
}

void nfd_summary_status(const struct nfd_summary *s, uint64_t misses,
			int64_t elapsed_ns, uint64_t rate, char *buf,
			size_t len, int width)
{
	int64_t t = elapsed_ns / 1000000000;
	int n;

	n = snprintf(buf, len,
		     "nfdropcap: %" PRId64 ":%02d:%02d  %" PRIu64
		     " captured (%" PRIu64 "/s)  %" PRIu64 " lost  %" PRIu64
		     " unattributed",
		     t / 3600, (int)(t / 60 % 60), (int)(t % 60), s->written,
		     rate, s->lost + misses, s->unattributed);
	if (s->busiest && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - n, "  busiest: %s (%" PRIu64 ")",
			 s->busiest->what, s->busiest->n);
	cut_width(buf, width);
}

void nfd_summary_free(struct nfd_summary *s)
{
	for (size_t i = 0; s->rules && i < BUCKETS; i++) {
		while (s->rules[i]) {
			struct nfd_rule_count *rc = s->rules[i];

			s->rules[i] = rc->next;
			free(rc);
		}
	}
	free(s->rules);
	s->rules = NULL;
	s->n_rules = 0;
}
