// SPDX-License-Identifier: GPL-2.0
/*
 * The canary's kfree_skb probe (capture/backend/canary.c runs the canary,
 * canary_verify.c reads what this recorded). While a backend is proven, it
 * watches the canary's private namespace: for each drop there, the place
 * kfree_skb was called from and the verdict the backend left for that very
 * packet on the pending stack (shared with the bytes probe). Attached only
 * while the canary runs.
 */
#include "vmlinux_min.h"
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "common.bpf.h"
#include "skb.bpf.h"
#include "stack.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* Its drops, in order: where each was freed, what the backend recorded. */
struct nfd_canary_drop canary[NFD_CANARY_MAX];
__u32 canary_n;

SEC("tp_btf/kfree_skb")
int BPF_PROG(nfd_canary_kfree, struct sk_buff *skb, void *location,
	     enum skb_drop_reason reason)
{
	struct nfd_sites *s = nfd_sites();
	struct nfd_pending_stack *st = nfd_pending_stack();
	struct nfd_canary_drop *d;
	__u32 n = canary_n;
	__u8 why = 0;

	if (!s || !st || !s->canary_netns || n >= NFD_CANARY_MAX ||
	    reason != bpf_core_enum_value(enum skb_drop_reason,
					  SKB_DROP_REASON_NETFILTER_DROP) ||
	    nfd_skb_netns(skb, BPF_CORE_READ(skb, dev)) != s->canary_netns)
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
	/* backend dropsite without kprobes: named from the stack */
	if (!d->recorded &&
	    nfd_stack_attribute(ctx, (__u64)location, &d->rule, &why))
		d->recorded = 1;
	canary_n = n + 1;
	return 0;
}
