// SPDX-License-Identifier: GPL-2.0
/* The bytes probe: tp_btf/kfree_skb for reason NETFILTER_DROP. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <linux/perf_event.h>

#include "lib/kallsyms.h"
#include "lib/percpu.h"
#include "drop_probe.h"
#include "drop_probe.skel.h"

static size_t perf_pages(uint32_t buffer_kib)
{
	long page = sysconf(_SC_PAGESIZE);
	long ncpu = libbpf_num_possible_cpus();
	size_t bytes, pages = 1;

	if (buffer_kib)
		bytes = (size_t)buffer_kib * 1024;
	else /* 4 MiB per CPU, at most 64 MiB in all, at least 256 KiB */
		bytes = ncpu > 16 ? (64 << 20) / ncpu : 4 << 20;
	if (bytes < 256 << 10)
		bytes = 256 << 10;
	while (pages * page < bytes)
		pages <<= 1;
	return pages;
}

struct raw_sample {
	struct perf_event_header hdr;
	uint32_t size;
	char data[];
};

struct raw_lost {
	struct perf_event_header hdr;
	uint64_t id;
	uint64_t lost;
};

static enum bpf_perf_event_ret on_event(void *ctx, int cpu,
					struct perf_event_header *h)
{
	const struct nfd_drop_probe *p = ctx;

	if (h->type == PERF_RECORD_SAMPLE) {
		struct raw_sample *s = (struct raw_sample *)h;

		p->on_sample(p->ctx, cpu, s->data, s->size);
	} else if (h->type == PERF_RECORD_LOST) {
		p->on_lost(p->ctx, cpu, ((struct raw_lost *)h)->lost);
	}
	return LIBBPF_PERF_EVENT_CONT;
}

/*
 * Wake the reader when a quarter of a CPU's buffer is used, not for every
 * drop: under a flood that saves most of the reader's system calls. The
 * reader also drains every buffer each time its poll times out, so a lone
 * drop waits at most one poll interval.
 */
static struct perf_buffer *open_buffers(struct nfd_drop_probe *p, size_t pages)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.config = PERF_COUNT_SW_BPF_OUTPUT,
		.sample_type = PERF_SAMPLE_RAW,
		.sample_period = 1,
		.watermark = 1,
		.wakeup_watermark = pages * sysconf(_SC_PAGESIZE) / 4,
	};

	return perf_buffer__new_raw(bpf_map__fd(p->skel->maps.events), pages,
				    &attr, on_event, p, NULL);
}

/*
 * Interfaces whose losses are counted apart (map "lost"); the rest share
 * one counter. NFDROPCAP_LOST_KEYS: fewer, for tests of that sharing.
 */
static uint32_t lost_keys(void)
{
	const char *env = secure_getenv("NFDROPCAP_LOST_KEYS");
	long n = env ? strtol(env, NULL, 10) : 0;

	return n >= 2 && n < NFD_LOST_KEYS ? (uint32_t)n : NFD_LOST_KEYS;
}

/*
 * Where a CPU's kprobe state lies from its run queue (for
 * NFD_WHY_KPROBE_BUSY); left 0, the reason not given, without the
 * kernel's BTF of per-CPU variables.
 */
static void set_percpu(struct drop_probe_bpf *skel)
{
	static const char *const names[] = { "runqueues", "current_kprobe",
					     "bpf_prog_active" };
	uint64_t off[sizeof(names) / sizeof(names[0])];

	if (nfd_percpu_offsets(names, sizeof(names) / sizeof(names[0]), off))
		return;
	skel->rodata->cfg_rq_to_kprobe = (int64_t)(off[1] - off[0]);
	skel->rodata->cfg_rq_to_prog_active = (int64_t)(off[2] - off[0]);
}

static void set_rodata(struct drop_probe_bpf *skel,
		       const struct nfd_drop_probe_cfg *cfg)
{
	uint64_t lo, hi;

	skel->rodata->cfg_snap_data = cfg->snap_data;
	skel->rodata->cfg_all_netns = cfg->all_netns;
	/* Without the range, attribution relies on the header match alone. */
	if (!nfd_kallsyms_range("nft_do_chain", &lo, &hi)) {
		skel->rodata->cfg_nft_lo = lo;
		skel->rodata->cfg_nft_hi = hi;
	}
	set_percpu(skel);
	bpf_map__set_max_entries(skel->maps.lost, lost_keys());
}

static int watch_netns(struct drop_probe_bpf *skel, uint32_t netns)
{
	struct nfd_if_key any = { 0 };
	uint64_t zero = 0;
	uint8_t one = 1;

	if (bpf_map__update_elem(skel->maps.netns_ok, &netns, sizeof(netns),
				 &one, sizeof(one), BPF_ANY)) {
		fprintf(stderr, "nfdropcap: watching netns %u: %s\n", netns,
			strerror(errno));
		return -errno;
	}
	/* where losses of interfaces that no longer fit go */
	if (bpf_map__update_elem(skel->maps.lost, &any, sizeof(any), &zero,
				 sizeof(zero), BPF_ANY)) {
		fprintf(stderr, "nfdropcap: preparing map lost: %s\n",
			strerror(errno));
		return -errno;
	}
	return 0;
}

int nfd_drop_probe_start(struct nfd_drop_probe *p,
			 const struct nfd_drop_probe_cfg *cfg)
{
	int err;

	p->skel = drop_probe_bpf__open();
	if (!p->skel) {
		err = -errno;
		fprintf(stderr,
			"nfdropcap: opening the kfree_skb BPF object: "
			"%s\n",
			strerror(errno));
		return err;
	}
	set_rodata(p->skel, cfg);
	err = drop_probe_bpf__load(p->skel);
	if (err) {
		fprintf(stderr,
			"nfdropcap: loading the kfree_skb probe: %s "
			"(run with -v for the verifier's log)\n",
			strerror(-err));
		goto destroy;
	}
	err = watch_netns(p->skel, cfg->netns);
	if (err)
		goto destroy;
	err = drop_probe_bpf__attach(p->skel);
	if (err) {
		fprintf(stderr, "nfdropcap: attaching tp_btf/kfree_skb: %s\n",
			strerror(-err));
		goto destroy;
	}
	p->on_sample = cfg->on_sample;
	p->on_lost = cfg->on_lost;
	p->ctx = cfg->ctx;
	p->pb = open_buffers(p, perf_pages(cfg->buffer_kib));
	if (!p->pb) {
		err = -errno;
		fprintf(stderr, "nfdropcap: perf_buffer__new: %s\n",
			strerror(errno));
		goto destroy;
	}
	return 0;
destroy:
	nfd_drop_probe_destroy(p);
	return err;
}

void nfd_drop_probe_detach(struct nfd_drop_probe *p)
{
	if (p->skel)
		drop_probe_bpf__detach(p->skel);
}

void nfd_drop_probe_destroy(struct nfd_drop_probe *p)
{
	perf_buffer__free(p->pb);
	p->pb = NULL;
	drop_probe_bpf__destroy(p->skel);
	p->skel = NULL;
}

int nfd_drop_probe_share_maps(const struct nfd_drop_probe *p,
			      struct bpf_object *obj)
{
	static const char *const shared[] = { "pending", "stats", "netns_ok",
					      "frames", "sites", "stack", "calls",
					      "xt_cands", "xt_want", "xt_gen",
					      "xt_cfg" };
	struct bpf_map *mine, *theirs;
	int err;

	for (size_t i = 0; i < sizeof(shared) / sizeof(shared[0]); i++) {
		theirs = bpf_object__find_map_by_name(obj, shared[i]);
		mine = bpf_object__find_map_by_name(p->skel->obj, shared[i]);
		if (!theirs || !mine)
			continue;
		err = bpf_map__reuse_fd(theirs, bpf_map__fd(mine));
		if (err)
			return err;
	}
	return 0;
}

int nfd_drop_probe_nft_range(const struct nfd_drop_probe *p, uint64_t *lo,
			     uint64_t *hi)
{
	*lo = p->skel->rodata->cfg_nft_lo;
	*hi = p->skel->rodata->cfg_nft_hi;
	return *lo ? 0 : -ENOENT;
}

int nfd_drop_probe_sites_fd(const struct nfd_drop_probe *p)
{
	return bpf_map__fd(p->skel->maps.sites);
}

int nfd_drop_probe_stack_fd(const struct nfd_drop_probe *p)
{
	return bpf_map__fd(p->skel->maps.stack);
}

int nfd_drop_probe_stats_fd(const struct nfd_drop_probe *p)
{
	return bpf_map__fd(p->skel->maps.stats);
}

int nfd_drop_probe_stats(const struct nfd_drop_probe *p, uint64_t *out)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t *vals;

	if (ncpu < 1)
		return ncpu;
	vals = calloc(ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (uint32_t k = 0; k < NFD_STAT_MAX; k++) {
		out[k] = 0;
		if (bpf_map_lookup_elem(nfd_drop_probe_stats_fd(p), &k, vals))
			continue;
		for (int c = 0; c < ncpu; c++)
			out[k] += vals[c];
	}
	free(vals);
	return 0;
}

uint64_t nfd_drop_probe_misses(const struct nfd_drop_probe *p)
{
	struct bpf_prog_info info = { 0 };
	uint32_t len = sizeof(info);
	int fd = bpf_program__fd(p->skel->progs.nfd_kfree_skb);

	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
		return 0;
	return info.recursion_misses;
}

int nfd_drop_probe_mark_kprobes(const struct nfd_drop_probe *p, char *msg,
				size_t len)
{
	int fd = nfd_drop_probe_sites_fd(p);
	struct nfd_sites s = { 0 };
	uint32_t zero = 0;

	if (!bpf_map_lookup_elem(fd, &zero, &s)) {
		s.kprobes = 1;
		if (!bpf_map_update_elem(fd, &zero, &s, BPF_ANY))
			return 0;
	}
	snprintf(msg, len, "marking the sites map for kprobes: %s",
		 strerror(errno));
	return -errno;
}

bool nfd_drop_probe_lost_moved(struct nfd_drop_probe *p)
{
	uint64_t now;

	if (!p->skel->bss) /* not mapped: walk each time */
		return true;
	now = __atomic_load_n(&p->skel->bss->nfd_lost_counted,
			      __ATOMIC_ACQUIRE);
	/*
	 * The probe's adds are not ordered (arm64 JITs them relaxed): an
	 * interface's count may show after the total did. One more read
	 * after each move sees it.
	 */
	if (now == p->lost_seen) {
		bool again = p->lost_again;

		p->lost_again = false;
		return again;
	}
	p->lost_seen = now;
	p->lost_again = true;
	return true;
}

void nfd_drop_probe_for_each_lost(const struct nfd_drop_probe *p,
				  void (*fn)(void *ctx, uint32_t netns,
					     uint32_t ifindex, uint64_t lost),
				  void *ctx)
{
	int fd = bpf_map__fd(p->skel->maps.lost);
	struct nfd_if_key key, next;
	void *prev = NULL;
	uint64_t v;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		if (!bpf_map_lookup_elem(fd, &next, &v))
			fn(ctx, next.netns, next.ifindex, v);
		key = next;
		prev = &key;
	}
}

void nfd_drop_probe_forget_netns(const struct nfd_drop_probe *p, uint32_t netns)
{
	int fd = bpf_map__fd(p->skel->maps.lost);
	struct nfd_if_key key, next;
	void *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (next.netns == netns)
			bpf_map_delete_elem(fd, &next);
	}
}
