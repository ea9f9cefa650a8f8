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

	if (!fr)
		return;
	top = fr->top;
	fr->top = top + 1;
	f = &fr->slot[top & (NFD_FRAME_SLOTS - 1)];
	f->pkt = (__u64)pkt;
	f->skb = skb;
	f->chain = (__u64)chain;
	f->task = bpf_get_current_task();
}

static __always_inline bool watched(const struct nft_pktinfo *pkt)
{
	__u32 netns = BPF_CORE_READ(pkt, state, net, ns.inum);

	return cfg_all_netns || bpf_map_lookup_elem(&netns_ok, &netns) ||
	       nfd_canary_netns(netns);
}

/* Resolves the rule of @expr, which just set drop verdict @code. */
static __always_inline void record_drop(const struct nft_expr *expr,
					const struct nft_pktinfo *pkt,
					__u32 code)
{
	struct nfd_pending_stack *st = nfd_pending_stack();
	struct nfd_frames *fr = nfd_frames();
	struct nft_chain *chain = NULL;
	struct nfd_frame *f;
	struct nfd_pending *p;
	__u64 task = bpf_get_current_task(), handle = 0;

	if (!st || !fr || !watched(pkt))
		return;
	p = nfd_pending_push(st);
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
	p->rule.path.known = 0; /* not followed (yet) by this backend */
	p->rule.path.n = 0;
	f = nfd_frame_find(fr, (__u64)pkt, 0, task);
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
	p->ts_ns = bpf_ktime_get_ns();
	p->valid = 1;
	nfd_count(NFD_STAT_VERDICTS);
}

#endif /* NFD_RECORD_BPF_H */
