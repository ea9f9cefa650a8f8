// SPDX-License-Identifier: GPL-2.0
/*
 * Backend dropsite where the kernel has kprobes: one kprobe on each of
 * nft_do_chain's two calls that free a dropped packet (a rule's, the base
 * chain policy's), found in its code by capture/backend/dropsite_site.c;
 * where the two share one free (arm64), on it and on the policy's branch
 * to it (dropsite_site_arm64.c).
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
/*
 * Rule and policy drops share one free (arm64): the policy's probe is on
 * its branch there, and marks the packet, so that the free's probe leaves
 * that drop to it.
 */
const volatile __u32 cfg_shared;

struct policy_mark {
	__u64 pkt, skb, task;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct policy_mark);
} policy_marks SEC(".maps");

/*
 * Where the free is shared: true if the drop at it is the policy's,
 * already named by the policy's probe (its mark taken off).
 */
static __always_inline bool marked_policy(const void *pkt, __u64 skb,
					  __u64 task)
{
	__u32 zero = 0;
	struct policy_mark *m = bpf_map_lookup_elem(&policy_marks, &zero);

	if (!m || m->pkt != (__u64)pkt || m->skb != skb || m->task != task)
		return false;
	m->pkt = 0;
	return true;
}

static __always_inline void mark_policy(const void *pkt, __u64 skb, __u64 task)
{
	__u32 zero = 0;
	struct policy_mark *m = bpf_map_lookup_elem(&policy_marks, &zero);

	if (!m)
		return;
	m->pkt = (__u64)pkt;
	m->skb = skb;
	m->task = task;
}

static __always_inline void at_site(struct pt_regs *ctx, bool policy)
{
	const struct nft_pktinfo *pkt = (void *)nfd_reg(ctx, cfg_reg_pkt);
	struct nfd_pending_stack *st = nfd_pending_stack();
	struct nfd_jumps j = { 0 };
	struct nft_chain *base;
	struct nfd_pending *p;
	__u64 sp = nfd_sp(ctx), task = bpf_get_current_task(), skb;

	if (!st || !watched(pkt))
		return;
	/* at the policy's branch, the sk_buff is not loaded yet */
	skb = cfg_shared && policy ? (__u64)BPF_CORE_READ(pkt, skb) :
				     nfd_reg(ctx, cfg_reg_skb);
	if (cfg_shared && policy)
		mark_policy(pkt, skb, task);
	else if (cfg_shared && marked_policy(pkt, skb, task))
		return;
	p = nfd_pending_push(st);
	p->skb = skb;
	p->task = task;
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
