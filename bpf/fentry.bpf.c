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
#include "record.bpf.h"
#include "outside.bpf.h"

char LICENSE[] SEC("license") = "GPL";

SEC("fentry/nft_do_chain")
int BPF_PROG(nfd_chain_enter, struct nft_pktinfo *pkt, void *priv)
{
	push_frame(pkt, (__u64)pkt->skb, priv);
	return 0;
}

static __always_inline int on_verdict(const struct nft_expr *expr,
				      struct nft_regs *regs,
				      const struct nft_pktinfo *pkt)
{
	__u32 code = regs->verdict.code;

	if ((code & NF_VERDICT_MASK) == NF_DROP)
		record_drop(expr, pkt, code, true);
	return 0;
}

/* Verdict maps: a drop, or a jump or goto (a hop of the path). */
SEC("fexit/nft_lookup_eval")
int BPF_PROG(nfd_nft_lookup_eval, const struct nft_expr *expr,
	     struct nft_regs *regs, const struct nft_pktinfo *pkt)
{
	__u32 code = regs->verdict.code;

	if (code == (__u32)NFT_JUMP || code == (__u32)NFT_GOTO)
		record_jump(expr, pkt, (__u64)regs->verdict.chain,
			    code == (__u32)NFT_JUMP ? NFD_HOP_JUMP :
						      NFD_HOP_GOTO);
	return on_verdict(expr, regs, pkt);
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
	__u32 chain_off = bpf_core_field_offset(struct nft_immediate_expr,
						data.verdict.chain);
	__u32 code;

	if (dreg_off >= sizeof(priv) || code_off > sizeof(priv) - 4 ||
	    chain_off > sizeof(priv) - 8 ||
	    bpf_probe_read_kernel(
		    priv, sizeof(priv),
		    (const void *)expr +
			    bpf_core_field_offset(struct nft_expr, data)))
		return 0;
	if (((__u8 *)priv)[dreg_off & (sizeof(priv) - 1)] != NFT_REG_VERDICT)
		return 0;
	code = *(__u32 *)((__u8 *)priv + (code_off & (sizeof(priv) - 4)));
	if ((code & NF_VERDICT_MASK) == NF_DROP)
		record_drop(expr, pkt, code, true);
	else if (code == (__u32)NFT_JUMP || code == (__u32)NFT_GOTO)
		record_jump(expr, pkt,
			    *(__u64 *)((__u8 *)priv +
				       (chain_off & (sizeof(priv) - 8))),
			    code == (__u32)NFT_JUMP ? NFD_HOP_JUMP :
						      NFD_HOP_GOTO);
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

/* @ctx's address as a number (the verifier forbids arithmetic on it). */
static __always_inline __u64 stack_addr(void *ctx)
{
	__u64 a = 0;

	bpf_probe_read_kernel(&a, sizeof(a), &ctx);
	return a;
}

/*
 * Drops outside nf_tables (bpf/outside.bpf.h): iptables-legacy's tables
 * and conntrack from entry to exit: the entry reads the counters that
 * tell a table's rule, early_drop marks conntrack's call. The fexits find
 * their entry by the sk_buff; one that finds none still names the table.
 * A call's place on the kernel stack is its trampoline's argument array
 * (ctx), there whatever stack the program itself runs on.
 */
static __always_inline void xt_exit(const struct xt_table *table,
				    struct sk_buff *skb,
				    const struct nf_hook_state *state,
				    unsigned int ret)
{
	__u32 zero = 0;
	struct nfd_call *e;

	if (outside_exit(NFD_CALL_XT, (__u64)skb, (__u64)skb, ret) ||
	    (ret & NF_VERDICT_MASK) != NF_DROP)
		return;
	e = bpf_map_lookup_elem(&call_scratch, &zero);
	if (!e)
		return;
	call_fill(e, (__u64)skb, 0, NFD_CALL_XT, table, skb, state);
	e->xt.gen = 0;
	outside_drop(e, NFD_WHY_XT_LEGACY, -1);
}

SEC("fentry/ipt_do_table")
int BPF_PROG(nfd_ipt_enter, const struct xt_table *table, struct sk_buff *skb,
	     const struct nf_hook_state *state)
{
	outside_enter((__u64)skb, stack_addr(ctx), NFD_CALL_XT, table, skb,
		      state);
	return 0;
}

SEC("fentry/ip6t_do_table")
int BPF_PROG(nfd_ip6t_enter, const struct xt_table *table,
	     struct sk_buff *skb, const struct nf_hook_state *state)
{
	outside_enter((__u64)skb, stack_addr(ctx), NFD_CALL_XT, table, skb,
		      state);
	return 0;
}

SEC("fexit/ipt_do_table")
int BPF_PROG(nfd_ipt_do_table, const struct xt_table *table,
	     struct sk_buff *skb, const struct nf_hook_state *state,
	     unsigned int ret)
{
	xt_exit(table, skb, state, ret);
	return 0;
}

SEC("fexit/ip6t_do_table")
int BPF_PROG(nfd_ip6t_do_table, const struct xt_table *table,
	     struct sk_buff *skb, const struct nf_hook_state *state,
	     unsigned int ret)
{
	xt_exit(table, skb, state, ret);
	return 0;
}

/*
 * Each start and end of a table's replacement (do_replace_table since
 * 6.11 also registers tables; xt_replace_table before): the generation of
 * the entries userspace read moves on.
 */
SEC("fentry/xt_replace_table")
int BPF_PROG(nfd_xt_replace_enter)
{
	outside_xt_replaced();
	return 0;
}

SEC("fexit/xt_replace_table")
int BPF_PROG(nfd_xt_replace_exit)
{
	outside_xt_replaced();
	return 0;
}

SEC("fentry/do_replace_table")
int BPF_PROG(nfd_do_replace_enter)
{
	outside_xt_replaced();
	return 0;
}

SEC("fexit/do_replace_table")
int BPF_PROG(nfd_do_replace_exit)
{
	outside_xt_replaced();
	return 0;
}


SEC("fentry/nf_conntrack_in")
int BPF_PROG(nfd_ct_in_enter, struct sk_buff *skb,
	     const struct nf_hook_state *state)
{
	outside_enter((__u64)skb, stack_addr(ctx), NFD_CALL_CT, NULL, skb,
		      state);
	return 0;
}

SEC("fexit/nf_conntrack_in")
int BPF_PROG(nfd_ct_in_exit, struct sk_buff *skb,
	     const struct nf_hook_state *state, unsigned int ret)
{
	outside_exit(NFD_CALL_CT, (__u64)skb, (__u64)skb, ret);
	return 0;
}

/* Called only when the table is full; 0: nothing could be evicted. */
SEC("fexit/early_drop")
int BPF_PROG(nfd_early_drop, struct net *net, unsigned int hash, int ret)
{
	if (!ret)
		outside_ct_full(stack_addr(ctx));
	return 0;
}
