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
 * the caller, -1 for "here") is where nft will run. NULL on failure.
 */
struct nfd_ruleset *nfd_ruleset_new(int netns_fd);
void nfd_ruleset_free(struct nfd_ruleset *rs);
/* Note ruleset changes reported by the kernel (cheap, non-blocking). */
void nfd_ruleset_poll(struct nfd_ruleset *rs);
/*
 * The text of rule @handle, or NULL when the rule is gone (re-reads the
 * ruleset at most once per change for a rule it does not know).
 */
const char *nfd_ruleset_rule(struct nfd_ruleset *rs, const char *family,
			     const char *table, const char *chain,
			     uint64_t handle);

/* False when 'nft' could not list the ruleset the last time it ran. */
bool nfd_ruleset_readable(const struct nfd_ruleset *rs);

/* Parses nft's text output; exposed for unit tests. */
int nfd_ruleset_parse(struct nfd_ruleset *rs, const char *text);
struct nfd_ruleset *nfd_ruleset_new_empty(void);

#endif /* NFD_RULESET_H */
