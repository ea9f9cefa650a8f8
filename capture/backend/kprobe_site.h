/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Backend kprobe's code analysis: where nft_do_chain acts on a verdict, and
 * in which registers (x86-64, arm64). Convention: 0, or -1 with the reason in the
 * caller's buffer.
 */
#ifndef NFD_KPROBE_SITE_H
#define NFD_KPROBE_SITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nfdropcap.h" /* NFD_NREGS */


/* The instruction sets analysed (the running kernel's, or a file's). */
enum nfd_isa {
	NFD_ISA_X86_64,
	NFD_ISA_ARM64,
};
#if defined(__aarch64__)
#define NFD_ISA_HOST NFD_ISA_ARM64
#else
#define NFD_ISA_HOST NFD_ISA_X86_64
#endif

struct nfd_kprobe_site {
	uint64_t offset; /* of the verdict test, in nft_do_chain */
	/* pt_regs indexes (x86-64: 0 = r15 ... 14 = rdi; arm64: 0 = x0) */
	int verdict_reg;
	int rule_reg; /* struct nft_rule_dp * */
	int pkt_reg; /* struct nft_pktinfo * */
	char verdict_name[8], rule_name[8], pkt_name[8];
	char insn[64]; /* the instruction probed, as capstone prints it */
	/*
	 * AArch64 (0 where not found): the same verdict test's copy taken
	 * while any nftrace rule exists ("ands; b.ne", same registers), and
	 * the policy's branch to the drop block that rule drops share there
	 * ("b <drop>": only a policy drop passes it).
	 */
	uint64_t trace_offset;
	uint64_t policy_offset;
};

/*
 * Finds the site in @size bytes of nft_do_chain's code (instruction set
 * @isa). 0, or -1 with the reason in @why.
 */
int nfd_kprobe_site_find(const uint8_t *code, size_t size, enum nfd_isa isa,
			 struct nfd_kprobe_site *s, char *why, size_t len);

/* The same for AArch64 code (kprobe_site_arm64.c). */
int nfd_kprobe_site_find_arm64(const uint8_t *code, size_t size,
			       struct nfd_kprobe_site *s, char *why,
			       size_t len);

/* What --check and the ready line say of @s: "nft_do_chain+0x.. (insn): ..." */
void nfd_kprobe_site_text(const struct nfd_kprobe_site *s, char *buf,
			  size_t len);

/* Has this kernel kprobes (perf's kprobe PMU)? Backends kprobe, dropsite. */
bool nfd_have_kprobes(void);

struct nfd_drop_probe;
struct nfd_kprobe;

/*
 * For backend fentry where nft_do_chain frees rule and policy drops at one
 * place (arm64): backend kprobe's policy probe alone, at the policy's own
 * branch found by the same analysis, beside the trampolines (it reads
 * their frames). 0 with *@out (freed by nfd_kprobe_free) and where it is
 * in @why, or -errno with the reason in @why.
 */
int nfd_kprobe_policy_attach(const struct nfd_drop_probe *p, bool all_netns,
			     struct nfd_kprobe **out, char *why, size_t len);
void nfd_kprobe_free(struct nfd_kprobe *k);

/* The pt_regs index of capstone x86 register @reg (any width), or -1. */
int nfd_x86_reg_index(unsigned int reg);

/*
 * The pt_regs index of register @name of @isa ("r14", "edx"...; "x25",
 * "w2"...), or -1.
 */
int nfd_reg_index(enum nfd_isa isa, const char *name);

#endif /* NFD_KPROBE_SITE_H */
