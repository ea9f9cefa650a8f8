// SPDX-License-Identifier: GPL-2.0
/*
 * Proving a backend with the canary (canary.c): the canary's kfree_skb
 * probe (bpf/canary.bpf.c) watches the canary's namespace while the two
 * drops happen; they must come out as they were made. What it measured,
 * the places nft_do_chain frees a rule's drop and a policy drop, goes into
 * map "sites" for the bytes probe.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/netfilter.h>

#include "canary.h"
#include "drop_probe.h"
#include "lib/kallsyms.h"
#include "nfdropcap.h"
#include "canary.skel.h"

struct verify {
	struct canary_bpf *skel;
	struct bpf_link *link; /* while the canary runs */
	int sites_fd; /* the bytes probe's map "sites" */
	uint64_t nft_lo, nft_hi; /* nft_do_chain's text, 0 if unknown */
	enum nfd_canary_mode mode;
};

static int set_sites(struct verify *v, const struct nfd_sites *s)
{
	uint32_t zero = 0;

	return bpf_map_update_elem(v->sites_fd, &zero, s, BPF_ANY) ? -errno : 0;
}

static int canary_before(void *ctx, uint32_t netns, char *why, size_t len)
{
	struct verify *v = ctx;
	struct nfd_sites s = { .canary_netns = netns };
	int err = set_sites(v, &s);

	if (err) {
		snprintf(why, len, "canary: writing map sites: %s",
			 strerror(-err));
		return err;
	}
	v->link = bpf_program__attach(v->skel->progs.nfd_canary_kfree);
	if (!v->link) {
		err = -errno;
		snprintf(why, len, "canary: attaching its kfree_skb probe: %s",
			 strerror(errno));
	}
	return err;
}

static void canary_after(void *ctx)
{
	struct verify *v = ctx;

	bpf_link__destroy(v->link);
	v->link = NULL;
}

static bool in_nft_do_chain(const struct verify *v, uint64_t addr)
{
	return !v->nft_lo || (addr >= v->nft_lo && addr < v->nft_hi);
}

/* Did the canary's two drops come out as they must? */
static int came_out_right(const struct verify *v, uint64_t handle, char *why,
			  size_t len)
{
	const struct nfd_canary_drop *r = &v->skel->bss->canary[0];
	const struct nfd_canary_drop *p = &v->skel->bss->canary[1];
	uint32_t n = v->skel->bss->canary_n;

	if (n != 2) {
		snprintf(why, len, "canary: %u of its 2 drops were seen", n);
		return -EPROTO;
	}
	if (!r->recorded || r->rule.kind != NFD_KIND_RULE ||
	    r->rule.handle != handle || r->rule.family != NFPROTO_INET ||
	    strcmp(r->rule.table, NFD_CANARY_TABLE) ||
	    strcmp(r->rule.chain, NFD_CANARY_SUB)) {
		snprintf(why, len,
			 "canary: its rule drop (handle %llu) came out as "
			 "kind %u handle %llu table '%.64s' chain '%.64s'",
			 (unsigned long long)handle, r->rule.kind,
			 (unsigned long long)r->rule.handle, r->rule.table,
			 r->rule.chain);
		return -EPROTO;
	}
	if ((v->mode == NFD_CANARY_SITES) == !!p->recorded) {
		snprintf(why, len, "canary: its policy drop %s",
			 p->recorded ? "had a verdict" : "was not named");
		return -EPROTO;
	}
	if (p->recorded &&
	    (p->rule.kind != NFD_KIND_POLICY ||
	     p->rule.family != NFPROTO_INET ||
	     strcmp(p->rule.table, NFD_CANARY_TABLE) ||
	     strcmp(p->rule.chain, NFD_CANARY_BASE))) {
		snprintf(why, len,
			 "canary: its policy drop came out as kind %u table "
			 "'%.64s' chain '%.64s'",
			 p->rule.kind, p->rule.table, p->rule.chain);
		return -EPROTO;
	}
	if (v->mode == NFD_CANARY_PATH &&
	    (!r->rule.path.known || r->rule.path.n != 1 ||
	     r->rule.path.jumps_only != 1 || !r->rule.path.base_handle)) {
		snprintf(why, len,
			 "canary: its rule drop's path came out as %u hops "
			 "(known %u), not the one jump it took",
			 r->rule.path.n, r->rule.path.known);
		return -EPROTO;
	}
	if (!in_nft_do_chain(v, r->location) ||
	    !in_nft_do_chain(v, p->location)) {
		snprintf(why, len,
			 "canary: its drops were not freed in nft_do_chain "
			 "(rule drop at %#llx, policy drop at %#llx)",
			 (unsigned long long)r->location,
			 (unsigned long long)p->location);
		return -EPROTO;
	}
	if (r->location == p->location && v->mode == NFD_CANARY_SITES) {
		snprintf(why, len,
			 "canary: nft_do_chain frees rule and policy drops "
			 "at one place (+%#llx), so a policy drop cannot be "
			 "told from an unhooked expression's drop by its "
			 "place; backend kprobe probes the policy's branch",
			 (unsigned long long)(r->location - v->nft_lo));
		return NFD_CANARY_ONE_PLACE;
	}
	return 0;
}

/* The canary's probe, loaded with the bytes probe's maps, not attached. */
static int load_probe(struct verify *v, const struct nfd_drop_probe *p,
		      char *msg, size_t len)
{
	int err;

	v->skel = canary_bpf__open();
	if (!v->skel) {
		err = -errno;
		snprintf(msg, len, "canary: opening its BPF object: %s",
			 strerror(errno));
		return err;
	}
	err = nfd_drop_probe_share_maps(p, v->skel->obj) ?:
		      canary_bpf__load(v->skel);
	if (err)
		snprintf(msg, len, "canary: loading its kfree_skb probe: %s",
			 strerror(-err));
	return err;
}

/* Runs the canary with @v's probe; 0 with the sites it measured in @s. */
static int run_and_check(struct verify *v, struct nfd_sites *s, char *msg,
			 size_t len)
{
	static const struct nfd_canary_ops ops = { .before = canary_before,
						   .after = canary_after };
	uint64_t handle = 0;
	int err;

	err = nfd_canary_run(&ops, v, &handle, msg, len);
	err = err ?: came_out_right(v, handle, msg, len);
	if (err)
		return err;
	s->rule = v->skel->bss->canary[0].location;
	s->policy = v->skel->bss->canary[1].location;
	snprintf(msg, len,
		 "canary: rule drop handle %llu freed at nft_do_chain+%#llx, "
		 "policy drop at +%#llx",
		 (unsigned long long)handle,
		 (unsigned long long)(s->rule - v->nft_lo),
		 (unsigned long long)(s->policy - v->nft_lo));
	/* one shared place names nothing: the backend's records do */
	if (s->rule == s->policy)
		s->rule = s->policy = 0;
	return 0;
}

int nfd_canary_verify_as(const struct nfd_drop_probe *p,
			 enum nfd_canary_mode mode, char *msg, size_t len)
{
	struct verify v = { .sites_fd = nfd_drop_probe_sites_fd(p),
			    .mode = mode };
	struct nfd_sites s = { 0 };
	int err;

	nfd_drop_probe_nft_range(p, &v.nft_lo, &v.nft_hi);
	err = load_probe(&v, p, msg, len);
	err = err ?: run_and_check(&v, &s, msg, len);
	/* sites stay 0 on failure: no policy is named then */
	set_sites(&v, &s);
	canary_bpf__destroy(v.skel);
	nfd_kallsyms_stale(); /* its ruleset may have loaded modules */
	return err;
}

int nfd_canary_verify(const struct nfd_drop_probe *p, char *msg, size_t len)
{
	return nfd_canary_verify_as(p, NFD_CANARY_SITES, msg, len);
}
