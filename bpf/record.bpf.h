/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What backends fentry and kprobe share: the frames of nft_do_chain calls,
 * and a drop verdict recorded with its rule onto the pending stack.
 * Functions only.
 */
#ifndef NFD_RECORD_BPF_H
#define NFD_RECORD_BPF_H

#include "common.bpf.h"
#include "nft.bpf.h"

/* One nft_do_chain call begins: a frame on this CPU's ring. */
static __always_inline void push_frame(const struct nft_pktinfo *pkt, __u64 skb,
				       void *chain)
{
	struct nfd_frames *fr = nfd_frames();
	struct nfd_frame *f;
	__u32 top;

	nfd_pending_forget(skb);
	if (!fr)
		return;
	top = fr->top;
	fr->top = top + 1;
	f = &fr->slot[top & (NFD_FRAME_SLOTS - 1)];
	f->pkt = (__u64)pkt;
	f->skb = skb;
	f->chain = (__u64)chain;
	f->task = bpf_get_current_task();
	f->path.n = f->path.cut = 0;
	f->path.known = 1;
}

/* The chain that holds @expr: @f's base chain or a hop's target. */
static __always_inline struct nft_chain *hop_from(const struct nfd_frame *f,
						  __u32 i)
{
	return (struct nft_chain
			*)(i ? f->hop_chain[(i - 1) & (NFD_PATH_MAX - 1)] :
			       f->chain);
}

/*
 * Backend fentry: takes off @f's hops that did not lead to the chain
 * holding @expr (a chain is never on the path twice: nf_tables refuses
 * loops). False if no chain on the path holds it.
 */
static __always_inline bool pop_to(struct nfd_frame *f, const void *expr)
{
	__u32 n = f->path.n;

	for (int i = 0; i <= NFD_PATH_MAX; i++) {
		if (chain_blob(hop_from(f, n), (__u64)expr)) {
			f->path.n = n;
			return true;
		}
		if (!n)
			break;
		n--;
	}
	f->path.cut = 1;
	return false;
}

/*
 * Backend fentry: @expr of @pkt's rule jumped (or went) to @target: a hop,
 * its rule named now (only the two programs that see jumps do this).
 */
static __always_inline void record_jump(const void *expr,
					const struct nft_pktinfo *pkt,
					__u64 target, __u8 kind)
{
	struct nfd_frames *fr = nfd_frames();
	struct nfd_frame *f;
	__u32 n;

	f = fr ? nfd_frame_find(fr, (__u64)pkt, 0, bpf_get_current_task()) :
		 NULL;
	if (!f || f->path.cut || !pop_to(f, expr))
		return;
	n = f->path.n;
	if (n >= NFD_PATH_MAX ||
	    !nfd_rule_in(hop_from(f, n), expr,
			 &f->path.handle[n & (NFD_PATH_MAX - 1)])) {
		f->path.cut = 1;
		return;
	}
	f->hop_expr[n & (NFD_PATH_MAX - 1)] = (__u64)expr;
	f->hop_chain[n & (NFD_PATH_MAX - 1)] = target;
	f->path.kind[n & (NFD_PATH_MAX - 1)] = kind;
	f->path.n = n + 1;
}

/*
 * Backend kprobe: every verdict of @pkt's walk passes by, with its rule:
 * a jump or goto adds a hop, a chain's end (continue) or a return takes
 * off the hops back to and including the latest jump, as the kernel pops
 * its jump stack (gotos push nothing there).
 */
static __always_inline void follow_verdict(const struct nft_pktinfo *pkt,
					   __u32 code, const void *rule)
{
	struct nfd_frames *fr = nfd_frames();
	struct nft_rule_dp hdr;
	struct nfd_frame *f;
	__u32 n;

	f = fr ? nfd_frame_find(fr, (__u64)pkt, 0, bpf_get_current_task()) :
		 NULL;
	if (!f || f->path.cut)
		return;
	n = f->path.n;
	if (code == (__u32)NFT_CONTINUE || code == (__u32)NFT_RETURN) {
		for (int i = 0; i < NFD_PATH_MAX && n > 0; i++) {
			n--;
			if (f->path.kind[n & (NFD_PATH_MAX - 1)] ==
			    NFD_HOP_JUMP)
				break;
		}
		f->path.n = n;
		return;
	}
	if (code != (__u32)NFT_JUMP && code != (__u32)NFT_GOTO)
		return;
	if (n >= NFD_PATH_MAX ||
	    bpf_probe_read_kernel(&hdr, sizeof(hdr), rule)) {
		f->path.cut = 1;
		return;
	}
	f->path.handle[n & (NFD_PATH_MAX - 1)] =
		BPF_CORE_READ_BITFIELD(&hdr, handle);
	f->path.kind[n & (NFD_PATH_MAX - 1)] =
		code == (__u32)NFT_JUMP ? NFD_HOP_JUMP : NFD_HOP_GOTO;
	f->path.n = n + 1;
}

/*
 * A new pending verdict @code for @pkt's sk_buff, on @st: its rule not
 * named yet, no path; pending_done() makes it count.
 */
static __always_inline struct nfd_pending *
pending_new(struct nfd_pending_stack *st, const struct nft_pktinfo *pkt,
	    __u64 task, __u32 code)
{
	struct nfd_pending *p = nfd_pending_push(st);

	p->skb = (__u64)BPF_CORE_READ(pkt, skb);
	p->task = task;
	p->netns = BPF_CORE_READ(pkt, state, net, ns.inum);
	p->iif = 0;
	p->trace_id = 0;
	p->key.nh_len = 0;
	p->key.th_len = 0;
	p->rule.verdict = code;
	p->rule.handle = 0;
	p->rule.why = 0;
	p->rule.path.known = 0;
	p->rule.path.n = 0;
	return p;
}

static __always_inline void pending_done(struct nfd_pending *p)
{
	p->ts_ns = bpf_ktime_get_ns();
	p->valid = 1;
	nfd_count(NFD_STAT_VERDICTS);
}

static __always_inline bool watched(const struct nft_pktinfo *pkt)
{
	__u32 netns = BPF_CORE_READ(pkt, state, net, ns.inum);

	return cfg_all_netns || bpf_map_lookup_elem(&netns_ok, &netns) ||
	       nfd_canary_netns(netns);
}

/*
 * Resolves the rule of @expr, which just set drop verdict @code, and the
 * path to it (backend fentry, @pop: its hops that did not lead to
 * @expr's chain are taken off first).
 */
static __always_inline void record_drop(const struct nft_expr *expr,
					const struct nft_pktinfo *pkt,
					__u32 code, bool pop)
{
	struct nfd_pending_stack *st = nfd_pending_stack();
	struct nfd_frames *fr = nfd_frames();
	struct nft_chain *chain = NULL;
	struct nfd_frame *f;
	struct nfd_pending *p;
	__u64 task = bpf_get_current_task(), handle = 0;

	if (!st || !fr || !watched(pkt))
		return;
	p = pending_new(st, pkt, task, code);
	f = nfd_frame_find(fr, (__u64)pkt, 0, task);
	if (f && pop && !f->path.cut)
		pop_to(f, expr);
	if (f)
		__builtin_memcpy(&p->rule.path, &f->path, sizeof(f->path));
	if (f)
		chain = nfd_rule_of((struct nft_chain *)f->chain, expr,
				    &handle);
	if (chain) {
		p->rule.kind = NFD_KIND_RULE;
		p->rule.handle = handle;
		nfd_names(&p->rule, chain);
	} else {
		p->rule.kind = NFD_KIND_NONE;
		p->rule.why = f ? NFD_WHY_MISMATCH : NFD_WHY_NO_FRAME;
	}
	pending_done(p);
}

/*
 * Backend kprobe where rule and policy drops share one free (arm64): at
 * the policy's own branch to it, the base chain's policy drop, recorded
 * as such for the packet (the bytes probe cannot tell it by its place).
 */
static __always_inline void record_policy(const struct nft_pktinfo *pkt)
{
	struct nfd_pending_stack *st = nfd_pending_stack();
	struct nfd_frames *fr = nfd_frames();
	__u64 task = bpf_get_current_task();
	struct nft_chain *chain;
	struct nfd_pending *p;
	struct nfd_frame *f;

	if (!st || !fr || !watched(pkt))
		return;
	f = nfd_frame_find(fr, (__u64)pkt, 0, task);
	p = pending_new(st, pkt, task, NF_DROP);
	chain = f ? (struct nft_chain *)f->chain : NULL;
	if (chain && nfd_policy(chain) == NF_DROP) {
		p->rule.kind = NFD_KIND_POLICY;
		nfd_names(&p->rule, chain);
	} else {
		p->rule.kind = NFD_KIND_NONE;
		p->rule.why = f ? NFD_WHY_MISMATCH : NFD_WHY_NO_FRAME;
	}
	pending_done(p);
}

#endif /* NFD_RECORD_BPF_H */
