/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Backend dropsite's code analysis (x86-64): where nft_do_chain frees what
 * it drops, which register holds the rule there, where its frame (or a
 * register) keeps the base chain and the jump stack, and how the functions between that free
 * and a BPF program on the kfree_skb tracepoint lay out their frames.
 * Convention: 0, or -1 with the reason in the caller's buffer.
 */
#ifndef NFD_DROPSITE_SITE_H
#define NFD_DROPSITE_SITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nfdropcap.h"

/* What nft_do_chain's code says (offsets from its start). */
struct nfd_nft_sites {
	uint64_t rule_call, policy_call; /* the free calls */
	uint64_t rule_ret, policy_ret; /* their return addresses */
	uint64_t free_fn; /* the function they call */
	int rule_reg; /* kprobe_site.c's pt_regs index */
	int pkt_reg; /* struct nft_pktinfo *, kept there from the prologue */
	int depth_reg; /* the jump stack depth's register, or -1 */
	int32_t depth_off; /* or its frame slot (rsp + this), or -1 */
	int32_t base_off; /* the base chain: nft_do_chain's rsp + this */
	int base_reg; /* or this callee-saved register (base_off -1), or -1 */
	int32_t jump_off; /* the jump stack: rsp + this; -1 if unknown */
	uint32_t jump_size; /* bytes per entry */
	uint32_t jump_rule; /* the return point's rule in an entry */
	int skb_reg; /* arm64: the free's sk_buff, loaded from the packet */
	int shared; /* rule and policy drops share one free (rule_call): */
		    /* policy_call is then the policy's branch to it */
	char rule_name[8], pkt_name[8], depth_name[8], base_name[8];
	char sp_name[4]; /* the stack pointer's name: rsp, sp */
};

int nfd_nft_sites_find(const uint8_t *code, size_t size, uint64_t addr,
		       uint64_t free_fn,
		       struct nfd_nft_sites *s, char *why, size_t len);

/*
 * The rule and packet registers (with their names) of backend kprobe's
 * analysis of the same code: both ISAs' analyses start from it.
 */
struct nfd_kprobe_site;
void nfd_nft_sites_take_regs(struct nfd_nft_sites *s,
			     const struct nfd_kprobe_site *ks);

/*
 * The same in AArch64 code (dropsite_site_arm64.c), for kprobes only: the
 * free found by its place, not its target (a module's calls may go through
 * a PLT veneer).
 */
int nfd_nft_sites_find_arm64(const uint8_t *code, size_t size, uint64_t addr,
			     struct nfd_nft_sites *s, char *why, size_t len);

/*
 * What the analysis found, as --check says it: where nft_do_chain frees
 * (@sites), then the kprobes' registers or, with @stack (reading the
 * kernel stack at kfree_skb), where the callees saved them; the base chain
 * and the jump stack. @lo is nft_do_chain's address.
 */
void nfd_nft_sites_text(const struct nfd_nft_sites *s, uint64_t lo,
			const struct nfd_stack *stack, bool sites, char *buf,
			size_t len);

/*
 * One function's frame where it calls on: how many 8-byte slots it has
 * pushed or reserved below its return address, and where it saved each
 * callee-saved register (slot below its return address, 0 if not saved).
 */
struct nfd_frame_shape {
	uint64_t call_ret; /* the address after the call */
	uint32_t depth;
	uint32_t saved[6]; /* kprobe_site.c's pt_regs order: r15 ... rbx */
	int tail; /* it tail-jumps on: no frame of its own */
};

/*
 * The frame of the function at @addr (@size bytes of @code) at its first
 * call that @pick accepts (by the call's target, 0 for an indirect one)
 * or, if @pick accepts a jump, at that tail jump.
 */
typedef int (*nfd_call_pick)(uint64_t target, void *ctx);
int nfd_frame_shape_find(const uint8_t *code, size_t size, uint64_t addr,
			 nfd_call_pick pick, void *ctx,
			 struct nfd_frame_shape *f, char *why, size_t len);

#endif /* NFD_DROPSITE_SITE_H */
