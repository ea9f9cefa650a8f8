/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What backends fentry and kprobe share: a drop verdict, recorded with
 * its rule onto the pending stack, and the canary's kfree_skb probe.
 * Included once per BPF object; it declares cfg_all_netns.
 */
#ifndef NFD_RECORD_BPF_H
#define NFD_RECORD_BPF_H

#include "common.bpf.h"
#include "nft.bpf.h"

const volatile __u8 cfg_all_netns;

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
	struct nfd_sites *s;

	if (cfg_all_netns || bpf_map_lookup_elem(&netns_ok, &netns))
		return true;
	s = nfd_sites();
	return s && s->canary_netns && s->canary_netns == netns;
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
	p->iif = 0;
	p->trace_id = 0;
	p->key.nh_len = 0;
	p->key.th_len = 0;
	p->rule.verdict = code;
	p->rule.handle = 0;
	p->rule.why = 0;
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

/*
 * The canary (capture/canary.c): drops in its private namespace, with the
 * kfree_skb location each was freed at and what the backend recorded.
 * Attached only while the canary runs.
 */
struct nfd_canary_drop canary[NFD_CANARY_MAX];
__u32 canary_n;

static __always_inline __u32 skb_netns_of(struct sk_buff *skb)
{
	struct net_device *dev = BPF_CORE_READ(skb, dev);
	struct sock *sk;

	if (dev)
		return BPF_CORE_READ(dev, nd_net.net, ns.inum);
	sk = BPF_CORE_READ(skb, sk);
	return sk ? BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum) : 0;
}

SEC("tp_btf/kfree_skb")
int BPF_PROG(nfd_canary_kfree, struct sk_buff *skb, void *location,
	     enum skb_drop_reason reason)
{
	struct nfd_sites *s = nfd_sites();
	struct nfd_pending_stack *st = nfd_pending_stack();
	struct nfd_canary_drop *d;
	__u32 n = canary_n;

	if (!s || !st || !s->canary_netns || n >= NFD_CANARY_MAX ||
	    reason != bpf_core_enum_value(enum skb_drop_reason,
					  SKB_DROP_REASON_NETFILTER_DROP) ||
	    skb_netns_of(skb) != s->canary_netns)
		return 0;
	d = &canary[n & (NFD_CANARY_MAX - 1)];
	d->location = (__u64)location;
	d->recorded = 0;
	for (int i = 1; i <= NFD_PENDING_SLOTS; i++) {
		struct nfd_pending *p =
			&st->slot[(st->top - i) & (NFD_PENDING_SLOTS - 1)];

		if (p->valid && p->skb == (__u64)skb) {
			p->valid = 0;
			d->recorded = 1;
			bpf_probe_read_kernel(&d->rule, sizeof(d->rule),
					      &p->rule);
			break;
		}
	}
	canary_n = n + 1;
	return 0;
}

#endif /* NFD_RECORD_BPF_H */
