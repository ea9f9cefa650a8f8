/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The bytes probe (bpf/drop_probe.bpf.c): tp_btf/kfree_skb for reason
 * NETFILTER_DROP, whatever the attribution backend. Its maps are the ones
 * every backend shares.
 *
 * Convention: 0 or -errno; start prints what went wrong.
 */
#ifndef NFD_DROP_PROBE_H
#define NFD_DROP_PROBE_H

#include <stdbool.h>
#include <stdint.h>
#include <bpf/libbpf.h>

#include "nfdropcap.h"

struct drop_probe_bpf;

struct nfd_drop_probe {
	struct drop_probe_bpf *skel;
	struct perf_buffer *pb;
	perf_buffer_sample_fn on_sample;
	perf_buffer_lost_fn on_lost;
	void *ctx;
	uint64_t lost_seen; /* the probe's nfd_lost_counted, last looked at */
	bool lost_again; /* it moved then: the map is read once more */
};

struct nfd_drop_probe_cfg {
	uint32_t snap_data; /* packet bytes to keep, after the link header */
	uint32_t netns; /* inode number of the namespace to watch */
	bool all_netns; /* or every namespace */
	uint32_t buffer_kib; /* perf buffer per CPU, 0 = auto */
	perf_buffer_sample_fn on_sample;
	perf_buffer_lost_fn on_lost;
	void *ctx;
};

/* open -> set rodata -> load -> attach -> perf buffer. 0 or -errno. */
int nfd_drop_probe_start(struct nfd_drop_probe *p,
			 const struct nfd_drop_probe_cfg *cfg);
/* Stops new drops from being recorded; what is queued stays readable. */
void nfd_drop_probe_detach(struct nfd_drop_probe *p);
void nfd_drop_probe_destroy(struct nfd_drop_probe *p);

/*
 * Makes @obj (a backend's, not loaded yet) use the probe's shared maps
 * (bpf/common.bpf.h) of the same names. 0 or -errno.
 */
int nfd_drop_probe_share_maps(const struct nfd_drop_probe *p,
			      struct bpf_object *obj);
int nfd_drop_probe_stats_fd(const struct nfd_drop_probe *p);
/* Its map "stack" (backend dropsite: where nft_do_chain's state is). */
int nfd_drop_probe_stack_fd(const struct nfd_drop_probe *p);

/*
 * nft_do_chain's text [@lo, @hi), as the probe read it from kallsyms at
 * start: 0, or -ENOENT when it was not listed (both then 0).
 */
int nfd_drop_probe_nft_range(const struct nfd_drop_probe *p, uint64_t *lo,
			     uint64_t *hi);
int nfd_drop_probe_sites_fd(const struct nfd_drop_probe *p);
/* Sums the per-CPU counters into @out[NFD_STAT_MAX]. */
int nfd_drop_probe_stats(const struct nfd_drop_probe *p, uint64_t *out);
/*
 * Drops the probe never saw: the kernel skips a BPF program that would run
 * inside itself on one CPU (a drop freed while the probe was running).
 */
uint64_t nfd_drop_probe_misses(const struct nfd_drop_probe *p);
/* Deletes the loss counters of namespace @netns (it is gone). */
void nfd_drop_probe_forget_netns(const struct nfd_drop_probe *p,
				 uint32_t netns);
/*
 * After the backend's canary: its verdicts come from kprobes, which the
 * kernel may skip; a drop without one then says so if it was skipped
 * (NFD_WHY_KPROBE_BUSY). 0, or -errno with @msg.
 */
int nfd_drop_probe_mark_kprobes(const struct nfd_drop_probe *p, char *msg,
				size_t len);
/*
 * Did the probe count a loss since the last call? Read without a syscall:
 * the map below is walked only then (its reads hold off kprobes).
 */
bool nfd_drop_probe_lost_moved(struct nfd_drop_probe *p);
/* Calls @fn for every interface with losses. */
void nfd_drop_probe_for_each_lost(const struct nfd_drop_probe *p,
				  void (*fn)(void *ctx, uint32_t netns,
					     uint32_t ifindex, uint64_t lost),
				  void *ctx);

#endif /* NFD_DROP_PROBE_H */
