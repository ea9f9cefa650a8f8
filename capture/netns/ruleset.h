/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Rule text, as nft renders it: 'nft -a -s list ruleset' run in the
 * captured namespace, cached by (family, table, chain, handle) and read
 * again when the ruleset changes (NFNLGRP_NFTABLES).
 *
 * Convention: a pointer or NULL (rule text unknown, or no memory); nothing
 * is printed.
 */
#ifndef NFD_RULESET_H
#define NFD_RULESET_H

#include <stdbool.h>
#include <stdint.h>

struct nfd_ruleset;

/*
 * The process must be in the captured namespace; @netns_fd (kept open by
 * the caller, -1 for "here") is where nft will run. The first listing
 * starts at the first poll. NULL on failure.
 */
struct nfd_ruleset *nfd_ruleset_new(int netns_fd);
void nfd_ruleset_free(struct nfd_ruleset *rs);
/*
 * Notes ruleset changes, takes a listing that ended, starts one that is
 * wanted (at most once a second). Never blocks. @now_ns: CLOCK_MONOTONIC.
 */
void nfd_ruleset_poll(struct nfd_ruleset *rs, int64_t now_ns);
/*
 * The text of rule @handle, or NULL (a listing is then wanted: the rule
 * may be new). Never blocks.
 */
const char *nfd_ruleset_rule(struct nfd_ruleset *rs, const char *family,
			     const char *table, const char *chain,
			     uint64_t handle);
/*
 * The chain of rule @handle (unique in its table) in the latest listing,
 * and its text in *@text if @text; NULL if that listing has no such rule.
 */
const char *nfd_ruleset_chain_of(struct nfd_ruleset *rs, const char *family,
				 const char *table, uint64_t handle,
				 const char **text);
/*
 * The elements of named set or map @name, as listed ("{ a : b, ... }",
 * lines joined), and its key type in *@type if @type; NULL if unknown.
 */
const char *nfd_ruleset_set(struct nfd_ruleset *rs, const char *family,
			    const char *table, const char *name,
			    const char **type);
/*
 * Rule @handle as iptables-nft-save (ip6tables, ebtables, arptables)
 * prints it ("-A CHAIN ..."), when its table is one those tools manage and
 * the two listings agree on its chain; else NULL.
 */
const char *nfd_ruleset_xt(struct nfd_ruleset *rs, const char *family,
			   const char *table, const char *chain,
			   uint64_t handle);
/* May a listing still bring the save tool's lines of this table? */
bool nfd_ruleset_xt_coming(const struct nfd_ruleset *rs, const char *family,
			   const char *table);
/* Is a listing of any namespace running? (Poll more often, then.) */
bool nfd_ruleset_listing(void);
/* Has the first listing ended (listed, failed, or no nft)? */
bool nfd_ruleset_listed(const struct nfd_ruleset *rs);
/* Is a listing running, or about to? (Text missing now may come.) */
bool nfd_ruleset_busy(const struct nfd_ruleset *rs);
/* Why a rule has no text: what became of the latest listing. */
const char *nfd_ruleset_why(struct nfd_ruleset *rs);

/*
 * The chain graph, for paths the kernel did not keep (goto_path.h): chain
 * @name as listed (NULL if it is not); the chain whose handle is @handle;
 * the text and handle of rule @pos (from 0) of @chain, NULL past its end.
 */
const char *nfd_ruleset_chain(struct nfd_ruleset *rs, const char *family,
			      const char *table, const char *name);
const char *nfd_ruleset_chain_by_handle(struct nfd_ruleset *rs,
					const char *family, const char *table,
					uint64_t handle);
const char *nfd_ruleset_rule_at(struct nfd_ruleset *rs, const char *family,
				const char *table, const char *chain, int pos,
				uint64_t *handle);
/*
 * Can the table's chain graph be read for sure? Not if the latest listing
 * was not parsed to its end, or a chain or set has a name a rule's text
 * could not be read back by unambiguously (quotes, blanks, commas, braces).
 */
bool nfd_ruleset_graph_sure(struct nfd_ruleset *rs, const char *family,
			    const char *table);
/* Changes whenever a new listing replaces the old one. */
unsigned int nfd_ruleset_generation(const struct nfd_ruleset *rs);

/* Parses nft's text output; exposed for unit tests. */
int nfd_ruleset_parse(struct nfd_ruleset *rs, const char *text);
struct nfd_ruleset *nfd_ruleset_new_empty(void);
/* The nft binary it runs; for tests of the deadline and the size cap. */
void nfd_ruleset_set_nft(struct nfd_ruleset *rs, const char *path);

#endif /* NFD_RULESET_H */
