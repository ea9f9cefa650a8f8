/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The words nfdropcap writes about a drop: the packet comment's lines.
 * Convention: text into the caller's buffer, always terminated; no errors.
 */
#ifndef NFD_COMMENT_H
#define NFD_COMMENT_H

#include <stddef.h>
#include <stdint.h>

#include "nfdropcap.h"

/* A table or chain name, escaped (escape.h): at most 4 bytes per byte. */
#define NFD_ESCAPED_NAME_MAX (4 * NFD_NAME_MAX + 1)

/* @r's table and chain names, escaped, into NFD_ESCAPED_NAME_MAX bytes each. */
void nfd_rule_names(const struct nfd_rule *r, char *table, char *chain);

const char *nfd_family_name(uint8_t nfproto);
const char *nfd_verdict_name(int32_t verdict);
const char *nfd_why_text(uint8_t why);

/*
 * The attribution without rule text, names escaped, e.g.
 * "table inet filter chain input handle 7 drop",
 * "table ip nat chain pre policy drop", or "netfilter drop (...)".
 */
void nfd_comment_rule(char *buf, size_t len, const struct nfd_rule *r);
/*
 * The first comment line: the attribution, then ": " and the rule text,
 * escaped: always one line, whatever the names and the text hold.
 */
void nfd_comment_line(char *buf, size_t len, const struct nfd_rule *r,
		      const char *rule_text);

/*
 * The first line of a drop nf_tables did not decide, freed in kernel
 * function @where ("nf_hook_slow", "fn [module]").
 */
void nfd_comment_outside(char *buf, size_t len, const char *where);

/*
 * Names the chain of rule @handle in @r's table, and gives its text in
 * *@text: NULL if the rule is not known (the ruleset changed?).
 */
typedef const char *(*nfd_chain_of_fn)(void *ctx, const struct nfd_rule *r,
				       uint64_t handle, const char **text);

/*
 * The path line of a rule's drop in a chain reached by jumps or gotos:
 * "path: <chain> handle <N> jump|goto <chain>, ..." (a hop whose rule is
 * a verdict map says "(vmap)" after it), or "path: unknown (why)". Empty
 * when the base chain dropped it, or the backend does not follow paths.
 */
void nfd_comment_path(char *buf, size_t len, const struct nfd_rule *r,
		      nfd_chain_of_fn chain_of, void *ctx);

/*
 * Why a drop is not attributed: the "..." of its comment's first line
 * "netfilter drop (not attributed: ...)" (the whole line if it has none).
 */
void nfd_comment_reason(const char *comment, char *buf, size_t len);

#endif /* NFD_COMMENT_H */
