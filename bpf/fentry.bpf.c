// SPDX-License-Identifier: GPL-2.0
/*
 * Backend fentry: attribution from the kernel's own evaluation, with no
 * ruleset change. fentry on nft_do_chain records which base chain
 * evaluates which packet (map "frames"); fexit on every expression that
 * can set a drop verdict finds, when it did, the rule holding that
 * expression (nft.bpf.h) and pushes it, with the packet's identity, onto
 * the pending stack the bytes probe takes it from. A policy drop sets no
 * verdict by an expression: the bytes probe names it from the frame when
 * the free happens at nft_do_chain's policy site (map "sites"), which the
 * canary measured at start.
 */
#include "vmlinux_min.h"
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "common.bpf.h"
#include "nft.bpf.h"

char LICENSE[] SEC("license") = "GPL";

const volatile __u8 cfg_all_netns;

SEC("fentry/nft_do_chain")
int BPF_PROG(nfd_chain_enter, struct nft_pktinfo *pkt, void *priv)
{
	struct nfd_frames *fr = nfd_frames();
	struct nfd_frame *f;
	__u32 top;

	if (!fr)
		return 0;
	top = fr->top;
	fr->top = top + 1;
	f = &fr->slot[top & (NFD_FRAME_SLOTS - 1)];
	f->pkt = (__u64)pkt;
	f->skb = (__u64)pkt->skb;
	f->chain = (__u64)priv;
	f->task = bpf_get_current_task();
	return 0;
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

static __always_inline int on_verdict(const struct nft_expr *expr,
				      struct nft_regs *regs,
				      const struct nft_pktinfo *pkt)
{
	__u32 code = regs->verdict.code;

	if ((code & NF_VERDICT_MASK) == NF_DROP)
		record_drop(expr, pkt, code);
	return 0;
}

/*
 * The immediate expression (verdicts of plain rules: accept, drop, jump...)
 * runs on the hot path: it is read at entry, where the verdict it will
 * write is already in its data, so that a cheaper fentry does.
 */
SEC("fentry/nft_immediate_eval")
int BPF_PROG(nfd_nft_immediate_eval, const struct nft_expr *expr,
	     struct nft_regs *regs, const struct nft_pktinfo *pkt)
{
	__u64 priv[4]; /* one read: the verdict code and dreg are in it */
	__u32 dreg_off = bpf_core_field_offset(struct nft_immediate_expr, dreg);
	__u32 code_off = bpf_core_field_offset(struct nft_immediate_expr,
					       data.verdict.code);
	__u32 code;

	if (dreg_off >= sizeof(priv) || code_off > sizeof(priv) - 4 ||
	    bpf_probe_read_kernel(
		    priv, sizeof(priv),
		    (const void *)expr +
			    bpf_core_field_offset(struct nft_expr, data)))
		return 0;
	if (((__u8 *)priv)[dreg_off & (sizeof(priv) - 1)] != NFT_REG_VERDICT)
		return 0;
	code = *(__u32 *)((__u8 *)priv + (code_off & (sizeof(priv) - 4)));
	if ((code & NF_VERDICT_MASK) == NF_DROP)
		record_drop(expr, pkt, code);
	return 0;
}

/*
 * Every other expression evaluator that can write NF_DROP to the verdict
 * register (grep NF_DROP net/netfilter/nft_*.c, 6.1 to 6.18). Object
 * evaluators (ct helper, synproxy, connlimit objects) run under objref's.
 * Userspace loads the ones whose module is loaded.
 */
#define SETTER(fn)                                                         \
	SEC("fexit/" #fn)                                                  \
	int BPF_PROG(nfd_##fn, const struct nft_expr *expr,                \
		     struct nft_regs *regs, const struct nft_pktinfo *pkt) \
	{                                                                  \
		return on_verdict(expr, regs, pkt);                        \
	}

SETTER(nft_lookup_eval)
SETTER(nft_objref_eval)
SETTER(nft_objref_map_eval)
SETTER(nft_reject_inet_eval)
SETTER(nft_reject_ipv4_eval)
SETTER(nft_reject_ipv6_eval)
SETTER(nft_reject_bridge_eval)
SETTER(nft_reject_netdev_eval)
SETTER(nft_target_eval_xt)
SETTER(nft_target_eval_bridge)
SETTER(nft_match_eval)
SETTER(nft_match_large_eval)
SETTER(nft_connlimit_eval)
SETTER(nft_synproxy_eval)
SETTER(nft_ct_set_zone_eval)
SETTER(nft_exthdr_tcp_strip_eval)
SETTER(nft_fib_inet_eval)
SETTER(nft_fwd_neigh_eval)
SETTER(nft_queue_eval)
SETTER(nft_queue_sreg_eval)

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
