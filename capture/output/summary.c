// SPDX-License-Identifier: GPL-2.0
/* What a capture counted, and the summary printed at its end. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "comment.h"
#include "summary.h"

#define WHAT_MAX 2048

static void count_rule(struct nfd_summary *s, const struct nfd_rule *r)
{
	char what[WHAT_MAX];
	struct nfd_rule_count *rc;

	nfd_comment_rule(what, sizeof(what), r);
	for (size_t i = 0; i < s->n_rules; i++) {
		if (!strcmp(s->rules[i].what, what)) {
			s->rules[i].n++;
			return;
		}
	}
	rc = realloc(s->rules, (s->n_rules + 1) * sizeof(*rc));
	if (!rc)
		return;
	s->rules = rc;
	rc[s->n_rules].what = strdup(what);
	rc[s->n_rules].n = 1;
	if (rc[s->n_rules].what)
		s->n_rules++;
}

void nfd_summary_count(struct nfd_summary *s, const struct nfd_rule *r)
{
	s->written++;
	if (r->kind == NFD_KIND_NONE)
		s->unattributed++;
	count_rule(s, r);
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
	for (size_t i = 0; i < s->n_rules; i++)
		fprintf(stderr, "nfdropcap: %10" PRIu64 "  %s\n", s->rules[i].n,
			s->rules[i].what);
}

void nfd_summary_free(struct nfd_summary *s)
{
	for (size_t i = 0; i < s->n_rules; i++)
		free(s->rules[i].what);
	free(s->rules);
	s->rules = NULL;
	s->n_rules = 0;
}
