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

/* A fresh slot on this CPU's pending stack, not yet valid. */
static __always_inline struct nfd_pending *
nfd_pending_push(struct nfd_pending_stack *st)
{
	struct nfd_pending *p;
	__u32 seq = st->top;

	st->top = seq + 1;
	p = &st->slot[seq & (NFD_PENDING_SLOTS - 1)];
	p->valid = 0;
	p->seq = seq;
	p->skb = 0;
	p->task = 0;
	p->netns = 0;
	return p;
}

#endif /* NFD_COMMON_BPF_H */
