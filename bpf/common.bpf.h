/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Maps shared by the bytes probe (kfree_skb.bpf.c) and the attribution
 * backends. Each object declares them; userspace loads the bytes probe
 * first and makes every backend reuse its maps (bpf_map__reuse_fd).
 */
#ifndef NFD_COMMON_BPF_H
#define NFD_COMMON_BPF_H

#include <stdbool.h>
#include "nfdropcap.h"

/* Drop verdicts waiting for their packet's kfree_skb, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct nfd_pending_stack);
} pending SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NFD_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

static __always_inline void nfd_count(__u32 stat)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &stat);

	if (v)
		*v += 1;
}

static __always_inline struct nfd_pending_stack *nfd_pending_stack(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&pending, &zero);
}

#endif /* NFD_COMMON_BPF_H */
