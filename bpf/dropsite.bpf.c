// SPDX-License-Identifier: GPL-2.0
/*
 * Backend dropsite where the kernel has kprobes: one kprobe on each of
 * nft_do_chain's two calls that free a dropped packet (a rule's, the base
 * chain policy's), found in its code by capture/backend/dropsite_site.c.
 * Only drops get there: nothing runs for accepted packets. The rule and
 * packet are in registers, the base chain and the jump stack in
 * nft_do_chain's frame (at the probed call, its stack pointer is the
 * kprobe's); what they name goes onto the pending stack for this very
 * packet, for the bytes probe to take at its kfree_skb.
 */
#include "vmlinux_min.h"
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "common.bpf.h"
#include "record.bpf.h"
#include "regs.bpf.h"
#include "stack.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* Set by userspace before load: pt_regs indexes, frame offsets. */
const volatile __u32 cfg_reg_rule;
const volatile __u32 cfg_reg_pkt;
const volatile __u32 cfg_reg_skb; /* the free's sk_buff argument */
const volatile __u32 cfg_reg_depth = NFD_NREGS; /* none */
const volatile __u32 cfg_base_off; /* base chain: sp + this */
const volatile __u32 cfg_reg_base = NFD_NREGS; /* or this register */
const volatile __u32 cfg_jump_off; /* jump stack: sp + this (0: none) */
const volatile __u32 cfg_jump_size;
const volatile __u32 cfg_jump_rule; /* the rule's offset in an entry */
const volatile __u32 cfg_depth_off; /* the depth: sp + this (0: a reg) */

static __always_inline void at_site(struct pt_regs *ctx, bool policy)
{
	const struct nft_pktinfo *pkt = (void *)nfd_reg(ctx, cfg_reg_pkt);
	struct nfd_pending_stack *st = nfd_pending_stack();
	struct nfd_jumps j = { 0 };
	struct nft_chain *base;
	struct nfd_pending *p;
	__u64 sp = nfd_sp(ctx);

	if (!st || !watched(pkt))
		return;
	p = nfd_pending_push(st);
	p->skb = nfd_reg(ctx, cfg_reg_skb);
	p->task = bpf_get_current_task();
	p->netns = BPF_CORE_READ(pkt, state, net, ns.inum);
	p->iif = 0;
	p->trace_id = 0;
	p->key.nh_len = 0;
	p->key.th_len = 0;
	p->rule.handle = 0;
	p->rule.why = 0;
	p->rule.path.known = 0;
	if (cfg_jump_off && (cfg_depth_off || cfg_reg_depth < NFD_NREGS)) {
		j.at = sp + cfg_jump_off;
		j.size = cfg_jump_size;
		j.rule = cfg_jump_rule;
		j.depth = (__u32)(cfg_depth_off ? stack_word(sp + cfg_depth_off) :
						  nfd_reg(ctx, cfg_reg_depth));
	}
	base = (struct nft_chain *)(cfg_reg_base < NFD_NREGS ?
					   nfd_reg(ctx, cfg_reg_base) :
					   stack_word(sp + cfg_base_off));
	if (!nfd_site_name(policy, base,
			   policy ? 0 : nfd_reg(ctx, cfg_reg_rule), &j,
			   &p->rule)) {
		p->rule.kind = NFD_KIND_NONE;
		p->rule.why = NFD_WHY_STACK;
	}
	p->ts_ns = bpf_ktime_get_ns();
	p->valid = 1;
	nfd_count(NFD_STAT_VERDICTS);
}

SEC("kprobe")
int nfd_ds_rule(struct pt_regs *ctx)
{
	at_site(ctx, false);
	return 0;
}

SEC("kprobe")
int nfd_ds_policy(struct pt_regs *ctx)
{
	at_site(ctx, true);
	return 0;
}
