/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Backend kprobe's code analysis: where nft_do_chain acts on a verdict, and
 * in which registers (x86-64). Convention: 0, or -1 with the reason in the
 * caller's buffer.
 */
#ifndef NFD_KPROBE_SITE_H
#define NFD_KPROBE_SITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nfdropcap.h" /* NFD_NREGS */


struct nfd_kprobe_site {
	uint64_t offset; /* of the verdict test, in nft_do_chain */
	int verdict_reg; /* pt_regs index (0 = r15 ... 14 = rdi) */
	int rule_reg; /* struct nft_rule_dp * */
	int pkt_reg; /* struct nft_pktinfo * */
	char verdict_name[8], rule_name[8], pkt_name[8];
	char insn[64]; /* the instruction probed, as capstone prints it */
};

/*
 * Finds the site in @size bytes of nft_do_chain's code. 0, or -1 with
 * the reason in @why.
 */
int nfd_kprobe_site_find(const uint8_t *code, size_t size,
			 struct nfd_kprobe_site *s, char *why, size_t len);

/* Has this kernel kprobes (perf's kprobe PMU)? Backends kprobe, dropsite. */
bool nfd_have_kprobes(void);

/* The pt_regs index of capstone x86 register @reg (any width), or -1. */
int nfd_x86_reg_index(unsigned int reg);

/* The pt_regs index of register @name ("r14", "edx"...), or -1. */
int nfd_reg_index(const char *name);

#endif /* NFD_KPROBE_SITE_H */
