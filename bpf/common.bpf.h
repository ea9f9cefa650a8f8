/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every BPF object of nfdropcap declares: the maps shared by the bytes
 * probe (drop_probe.bpf.c), the attribution backends and the canary, and
 * the configuration they have in common. Userspace loads the bytes probe
 * first and makes every other object reuse its maps (bpf_map__reuse_fd, by
 * name: nfd_drop_probe_share_maps). Included once per object.
 */
#ifndef NFD_COMMON_BPF_H
#define NFD_COMMON_BPF_H

#include <stdbool.h>
#include "nfdropcap.h"

/* include/uapi/linux/netfilter.h, which BPF programs cannot include */
#define NF_DROP 0
#define NF_VERDICT_MASK 0xff

/* Set by userspace before load: capture in every network namespace. */
const volatile __u8 cfg_all_netns;

/* Drop verdicts waiting for their packet's kfree_skb, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct nfd_pending_stack);
} pending SEC(".maps");

/* Network namespaces (inode numbers) to capture in. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u8);
} netns_ok SEC(".maps");

/* Backend fentry: the nft_do_chain calls in progress, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct nfd_frames);
} frames SEC(".maps");

/* Backend fentry: where nft_do_chain frees what it drops. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct nfd_sites);
} sites SEC(".maps");

/* Backend dropsite: where nft_do_chain's state is on the stack. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct nfd_stack);
} stack SEC(".maps");

/*
 * Backends fentry and kprobe: calls in progress of iptables-legacy's and
 * conntrack's hook functions, per task (bpf/outside.bpf.h). A task whose
 * entry is evicted loses only the name of a drop outside nf_tables.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64); /* struct task_struct * */
	__type(value, struct nfd_calls);
} calls SEC(".maps");

/*
 * Backends fentry and kprobe: iptables-legacy's rules (bpf/outside.bpf.h).
 * xt_cands: each table's entries that always drop, from userspace;
 * xt_want: tables a packet passed that it has no (current) entries of;
 * xt_gen: starts and ends of table replacements; xt_cfg: per-CPU data.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct nfd_xt_key);
	__type(value, struct nfd_xt_cands);
} xt_cands SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 256);
	__type(key, struct nfd_xt_key);
	__type(value, __u64); /* map xt_gen's value then */
} xt_want SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} xt_gen SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct nfd_xt_cfg);
} xt_cfg SEC(".maps");

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

static __always_inline struct nfd_frames *nfd_frames(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&frames, &zero);
}

static __always_inline struct nfd_sites *nfd_sites(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&sites, &zero);
}

/* The canary's private namespace (capture/backend/canary.c)? */
static __always_inline bool nfd_canary_netns(__u32 netns)
{
	struct nfd_sites *s = nfd_sites();

	return s && s->canary_netns && s->canary_netns == netns;
}

/*
 * A fresh slot on this CPU's pending stack, not yet valid. Records taken
 * or forgotten at the top are popped first: a verdict waiting for its free
 * while a softirq drops a burst of packets on the same CPU (each recorded
 * and taken in turn) keeps its slot however long the burst.
 */
static __always_inline struct nfd_pending *
nfd_pending_push(struct nfd_pending_stack *st)
{
	struct nfd_pending *p;
	__u32 seq = st->top;

	for (int i = 0; i < NFD_PENDING_SLOTS; i++) {
		if (st->slot[(seq - 1) & (NFD_PENDING_SLOTS - 1)].valid)
			break;
		seq--;
	}
	st->top = seq + 1;
	p = &st->slot[seq & (NFD_PENDING_SLOTS - 1)];
	p->valid = 0;
	p->seq = seq;
	p->skb = 0;
	p->task = 0;
	p->netns = 0;
	return p;
}

/* A mask of the first @n (< 8 means partial) bytes of a loaded u64. */
static __always_inline __u64 first_bytes(int n)
{
	if (n >= 8)
		return ~0ULL;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return (1ULL << (n * 8)) - 1;
#else
	return ~0ULL << ((8 - n) * 8);
#endif
}

/* Do @n bytes at @got equal those at @want (whole u64 words)? */
static __always_inline bool same_bytes(const __u64 *got, const __u64 *want,
				       int words, int n)
{
	__u64 diff = 0;

	for (int w = 0; w < words; w++) {
		int left = n - w * 8;

		if (left <= 0)
			break;
		diff |= (got[w] ^ want[w]) & first_bytes(left);
	}
	return diff == 0;
}

/*
 * An evaluation of @skb begins on this CPU (nft_do_chain's or an outside
 * hook function's entry): a verdict still pending for the same address is
 * of an earlier packet whose free never came here (a packet's verdict and
 * its free fall within one evaluation), and is never taken for this one.
 */
static __always_inline void nfd_pending_forget(__u64 skb)
{
	struct nfd_pending_stack *st = nfd_pending_stack();

	if (!st || !skb)
		return;
	for (int i = 0; i < NFD_PENDING_SLOTS; i++) {
		struct nfd_pending *p = &st->slot[i];

		if (p->valid && p->skb == skb)
			p->valid = 0;
	}
}

#endif /* NFD_COMMON_BPF_H */
