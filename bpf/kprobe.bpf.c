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
