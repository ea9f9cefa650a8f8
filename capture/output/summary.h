/* SPDX-License-Identifier: GPL-2.0 */
/* What a capture counted: drops seen, written, lost, and per rule. */
#ifndef NFD_SUMMARY_H
#define NFD_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nfdropcap.h"

struct nfd_rule_count;

struct nfd_summary {
	uint64_t seen, written, filtered, unattributed;
	uint64_t lost; /* all of them: */
	uint64_t lost_shared; /* on interfaces not counted apart */
	uint64_t unreadable; /* events nfdropcap could not read */
	struct nfd_rule_count **rules; /* hash buckets, or NULL */
	size_t n_rules;
	uint64_t other_rules; /* drops of rules past the table's size */
	const struct nfd_rule_count *busiest; /* the rule with most drops */
};

/* One more drop written, attributed as @r. */
void nfd_summary_count(struct nfd_summary *s, const struct nfd_rule *r);
/* The same, for a drop whose nfd_comment_rule() text is @what (-r). */
void nfd_summary_count_what(struct nfd_summary *s, const char *what,
			    bool attributed);
/*
 * The summary on stderr: the totals (@misses: drops the probe never saw),
 * then one line per rule, most drops first.
 */
void nfd_summary_print(const struct nfd_summary *s, uint64_t misses);
/*
 * The live status line (no newline) into @buf, at most @width characters:
 * time since the start (@elapsed_ns), drops captured and their @rate per
 * second, lost (@misses included), unattributed, the busiest rule.
 */
void nfd_summary_status(const struct nfd_summary *s, uint64_t misses,
			int64_t elapsed_ns, uint64_t rate, char *buf,
			size_t len, int width);
void nfd_summary_free(struct nfd_summary *s);

#endif /* NFD_SUMMARY_H */
