// SPDX-License-Identifier: GPL-2.0
/*
 * Backend kprobe: the seed technique, automated. One kprobe where
 * nft_do_chain acts on a verdict (its offset and registers found in the
 * running kernel's code by capture/backend/kprobe_site.c, proven by the
 * canary), one at its entry for the frames. Every rule's verdict passes the first,
 * whatever expression set it; policy drops do not (they are named from
 * the frame at the policy site, as with fentry).
 */
#include "vmlinux_min.h"
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "common.bpf.h"
#include "nft.bpf.h"
#include "record.bpf.h"
#include "regs.bpf.h"
#include "outside.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* struct pt_regs indexes (bpf/nfdropcap.h: NFD_NREGS), set by userspace */
const volatile __u32 cfg_reg_verdict;
const volatile __u32 cfg_reg_rule;
const volatile __u32 cfg_reg_pkt;

SEC("kprobe/nft_do_chain")
int nfd_kp_chain(struct pt_regs *ctx)
{
	const struct nft_pktinfo *pkt = (const void *)nfd_arg1(ctx);

	push_frame(pkt, (__u64)BPF_CORE_READ(pkt, skb), (void *)nfd_arg2(ctx));
	return 0;
}

SEC("kprobe")
int nfd_kp_verdict(struct pt_regs *ctx)
{
	__u32 code = nfd_reg(ctx, cfg_reg_verdict);
	__u64 rule = nfd_reg(ctx, cfg_reg_rule);
	const void *pkt = (const void *)nfd_reg(ctx, cfg_reg_pkt);

	if ((code & NF_VERDICT_MASK) != NF_DROP) {
		follow_verdict(pkt, code, (const void *)rule);
		return 0;
	}
	/* its first expression: inside the rule, as fentry's would be */
	rule += bpf_core_type_size(struct nft_rule_dp);
	record_drop((const void *)rule, pkt, code, false);
	return 0;
}

/* Where rule and policy drops share one free: the policy's branch to it. */
SEC("kprobe")
int nfd_kp_policy(struct pt_regs *ctx)
{
	record_policy((const void *)nfd_reg(ctx, cfg_reg_pkt));
	return 0;
}

/*
 * Drops outside nf_tables (bpf/outside.bpf.h), each only where its module
 * is loaded at the start: a kprobe at the entry of ipt_do_table,
 * ip6t_do_table and nf_conntrack_in records the call, its kretprobe finds
 * it by the stack pointer. At entry that points at the return address
 * (x86-64) or is the caller's (arm64); after the return it is 8 bytes up
 * or the same: any other call of this task in progress is a frame or more
 * away.
 */
#define NFD_SP_SLACK 32

SEC("kprobe")
int nfd_kp_xt_enter(struct pt_regs *ctx)
{
	outside_enter(nfd_sp(ctx), nfd_sp(ctx), NFD_CALL_XT,
		      (const void *)nfd_arg1(ctx), (const void *)nfd_arg2(ctx),
		      (const void *)nfd_arg3(ctx));
	return 0;
}

SEC("kprobe")
int nfd_kp_ct_enter(struct pt_regs *ctx)
{
	outside_enter(nfd_sp(ctx), nfd_sp(ctx), NFD_CALL_CT, NULL,
		      (const void *)nfd_arg1(ctx), (const void *)nfd_arg2(ctx));
	return 0;
}

/* Each exit takes only its own function's entries. */
static __always_inline void kp_exit(struct pt_regs *ctx, __u8 fn)
{
	__u64 sp = nfd_sp(ctx);

	outside_exit(fn, sp - NFD_SP_SLACK, sp + NFD_SP_SLACK, nfd_ret(ctx));
}

SEC("kretprobe")
int nfd_kp_xt_exit(struct pt_regs *ctx)
{
	kp_exit(ctx, NFD_CALL_XT);
	return 0;
}

SEC("kretprobe")
int nfd_kp_ct_exit(struct pt_regs *ctx)
{
	kp_exit(ctx, NFD_CALL_CT);
	return 0;
}

/*
 * Each start and end of a table's replacement (do_replace_table since
 * 6.11 also registers tables; xt_replace_table before).
 */
SEC("kprobe")
int nfd_kp_xt_replaced(struct pt_regs *ctx)
{
	outside_xt_replaced();
	return 0;
}

/* Called only when the table is full; 0: nothing could be evicted. */
SEC("kretprobe")
int nfd_kp_early_drop(struct pt_regs *ctx)
{
	if (!(__u32)nfd_ret(ctx))
		outside_ct_full(nfd_sp(ctx));
	return 0;
}
