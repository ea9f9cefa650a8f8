/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iptables-legacy's rules, for backends fentry and kprobe: the tables a
 * packet passes, read when the BPF programs ask (map xt_want) and their
 * entries that always drop given to them (map xt_cands); a drop whose
 * entry the counters told (bpf/outside.bpf.h) is then named by chain and
 * number, as 'iptables -L --line-numbers' counts. One state per process.
 *
 * Convention: 0 or -errno.
 */
#ifndef NFD_XT_RULES_H
#define NFD_XT_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nfdropcap.h"

struct nfd_drop_probe;
struct nfd_netns_set;

/*
 * Lets the programs tell rules: @replace_hooked says whether table
 * replacements are traced (without them no rule is ever named). Not
 * able to (kallsyms without data symbols, say): -ENOENT, @why says why.
 */
int nfd_xt_rules_start(const struct nfd_drop_probe *p, bool replace_hooked,
		       char *why, size_t len);
/*
 * Reads and gives the tables of namespace @netns, which this thread is in
 * (its first packets then find their entries given already).
 */
void nfd_xt_rules_scan_here(uint32_t netns);
/* Answers the programs' asks: reads the tables they want. Never blocks long. */
void nfd_xt_rules_poll(struct nfd_netns_set *s);
/*
 * Names @r's entry (NFD_WHY_XT_LEGACY, xt_known) from the table as read
 * at its generation: its chain into r->chain, its number into r->xt_num
 * (0: the chain's policy). -ENOENT if that table is not known (any more).
 */
int nfd_xt_rules_name(uint32_t netns, struct nfd_rule *r);
/* Namespace @netns is gone: its tables are forgotten. */
void nfd_xt_rules_forget_netns(uint32_t netns);
void nfd_xt_rules_stop(void);

#endif /* NFD_XT_RULES_H */
