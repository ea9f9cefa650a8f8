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

#endif /* NFD_COMMENT_H */
