/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Rules that iptables-nft (ip6tables, ebtables, arptables) manages, as
 * their *-nft-save tool prints them: which tool lists which nft tables,
 * and its output, rule by rule, with each rule's position in its chain.
 */
#ifndef NFD_XT_SAVE_H
#define NFD_XT_SAVE_H

#include <stdbool.h>

struct nfd_xt_tool {
	const char *family; /* nft's name of the table family */
	const char *tool; /* e.g. "iptables-nft-save" */
};

#define NFD_XT_TOOLS 4
extern const struct nfd_xt_tool nfd_xt_tools[NFD_XT_TOOLS];

/* The tool (index in nfd_xt_tools) that shows table @family @table, or -1. */
int nfd_xt_tool_of(const char *family, const char *table);

/* One rule of a save tool's output: "-A CHAIN ..." as printed. */
typedef int (*nfd_xt_rule_fn)(void *ctx, const char *table, const char *chain,
			      int pos, const char *line);

/*
 * Calls @fn for each rule of @out (a save tool's output), in order, with
 * its position in its chain (from 0). Stops at @fn's first error.
 */
int nfd_xt_parse(const char *out, nfd_xt_rule_fn fn, void *ctx);

#endif /* NFD_XT_SAVE_H */
