// SPDX-License-Identifier: GPL-2.0
/*
 * Proving a backend with the canary (canary.c): its kfree_skb probe
 * (bpf/record.bpf.h) watches the canary's namespace while the two drops
 * happen; they must come out as they were made. What it measured, the
 * places nft_do_chain frees a rule's drop and a policy drop, goes into map
 * "sites" for the bytes probe.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/netfilter.h>

#include "canary.h"
#include "nfdropcap.h"

static int set_sites(struct nfd_canary_probe *f, const struct nfd_sites *s)
{
	uint32_t zero = 0;

	return bpf_map_update_elem(f->sites_fd, &zero, s, BPF_ANY) ? -errno : 0;
}

static int canary_before(void *ctx, uint32_t netns, char *why, size_t len)
{
	struct nfd_canary_probe *f = ctx;
	struct nfd_sites s = { .canary_netns = netns };
	int err = set_sites(f, &s);

	if (err) {
		snprintf(why, len, "canary: writing map sites: %s",
			 strerror(-err));
		return err;
	}
	f->link = bpf_program__attach(f->prog);
	if (!f->link) {
		err = -errno;
		snprintf(why, len, "canary: attaching its kfree_skb probe: %s",
			 strerror(errno));
	}
	return err;
}

static void canary_after(void *ctx)
{
	struct nfd_canary_probe *f = ctx;

	bpf_link__destroy(f->link);
	f->link = NULL;
}

static bool in_nft_do_chain(const struct nfd_canary_probe *f, uint64_t addr)
{
	return !f->nft_lo || (addr >= f->nft_lo && addr < f->nft_hi);
}

/* Did the canary's two drops come out as they must? */
static int canary_check(struct nfd_canary_probe *f, uint64_t handle, char *why,
			size_t len)
{
	const struct nfd_canary_drop *r = &f->drops[0];
	const struct nfd_canary_drop *p = &f->drops[1];
	uint32_t n = *f->n;

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
	if (p->recorded) {
		snprintf(why, len, "canary: its policy drop had a verdict");
		return -EPROTO;
	}
	if (r->location == p->location || !in_nft_do_chain(f, r->location) ||
	    !in_nft_do_chain(f, p->location)) {
		snprintf(why, len,
			 "canary: nft_do_chain does not free rule drops "
			 "(at %#llx) and policy drops (at %#llx) at two "
			 "places of its own",
			 (unsigned long long)r->location,
			 (unsigned long long)p->location);
		return -EPROTO;
	}
	return 0;
}

int nfd_canary_prove(struct nfd_canary_probe *f, char *msg, size_t len)
{
	static const struct nfd_canary_ops ops = { .before = canary_before,
						   .after = canary_after };
	struct nfd_sites s = { 0 };
	uint64_t handle = 0;
	int err;

	err = nfd_canary_run(&ops, f, &handle, msg, len);
	err = err ?: canary_check(f, handle, msg, len);
	if (!err) {
		s.rule = f->drops[0].location;
		s.policy = f->drops[1].location;
	}
	/* sites stay 0 on failure: no policy is named then */
	set_sites(f, &s);
	if (err)
		return err;
	snprintf(msg, len,
		 "canary: rule drop handle %llu freed at nft_do_chain+%#llx, "
		 "policy drop at +%#llx",
		 (unsigned long long)handle,
		 (unsigned long long)(s.rule - f->nft_lo),
		 (unsigned long long)(s.policy - f->nft_lo));
	return 0;
}
