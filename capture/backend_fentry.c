// SPDX-License-Identifier: GPL-2.0
/*
 * Backend fentry: BPF trampolines on nft_do_chain and on the expressions
 * that set drop verdicts (bpf/fentry.bpf.c). Nothing on the system
 * changes: no table, no nftrace, every namespace at once (the bytes
 * probe's netns_ok map selects what is written).
 *
 * Before it is trusted, the canary (canary.c) must come out right: a rule
 * drop reached by a jump attributed to its known handle, and a policy
 * drop with no recorded verdict, freed at another place in nft_do_chain.
 * Those two places go into map "sites": the bytes probe names a policy
 * only at the policy site.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/netfilter.h>

#include "backend.h"
#include "canary.h"
#include "kallsyms.h"
#include "probe.h"
#include "fentry.skel.h"

#define PROG_PREFIX "nfd_"
/* Without these there is nothing to attribute with. */
static const char *const required[] = { "nft_do_chain", "nft_immediate_eval",
					"nft_lookup_eval" };

struct fentry {
	struct fentry_bpf *skel;
	int sites_fd;
	struct bpf_link *canary_link;
	uint64_t nft_lo, nft_hi;
	int hooked; /* setters attached */
};

static int fentry_available(char *why, size_t len)
{
	bool found[3];

	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		snprintf(why, len, "no kernel BTF (/sys/kernel/btf/vmlinux)");
		return -ENOENT;
	}
	if (nfd_kallsyms_present(required, 3, found) || !found[0]) {
		snprintf(why, len,
			 "nf_tables is not loaded (no nft_do_chain in "
			 "/proc/kallsyms)");
		return -ENOENT;
	}
	for (int i = 1; i < 3; i++)
		if (!found[i]) {
			snprintf(why, len, "%s is not in /proc/kallsyms",
				 required[i]);
			return -ENOENT;
		}
	return 0;
}

/* The kernel function program @prog traces, from its name. */
static const char *traced(struct bpf_program *prog)
{
	const char *name = bpf_program__name(prog);

	if (!strcmp(name, "nfd_chain_enter"))
		return "nft_do_chain";
	if (!strcmp(name, "nfd_canary_kfree"))
		return NULL;
	return name + strlen(PROG_PREFIX);
}

/* Loads only the setters whose function exists (their module is loaded). */
static int select_setters(struct fentry *f)
{
	const char *names[64];
	struct bpf_program *progs[64], *prog;
	bool found[64];
	size_t n = 0;
	int err;

	bpf_object__for_each_program(prog, f->skel->obj)
	{
		const char *fn = traced(prog);

		if (!fn || n == 64)
			continue;
		progs[n] = prog;
		names[n++] = fn;
	}
	err = nfd_kallsyms_present(names, n, found);
	if (err)
		return err;
	f->hooked = 0;
	for (size_t i = 0; i < n; i++) {
		bpf_program__set_autoload(progs[i], found[i]);
		f->hooked += found[i];
	}
	bpf_program__set_autoattach(f->skel->progs.nfd_canary_kfree, false);
	return 0;
}

static int set_sites(struct fentry *f, const struct nfd_sites *s)
{
	uint32_t zero = 0;

	return bpf_map_update_elem(f->sites_fd, &zero, s, BPF_ANY) ? -errno : 0;
}

static int canary_before(void *ctx, uint32_t netns, char *why, size_t len)
{
	struct fentry *f = ctx;
	struct nfd_sites s = { .canary_netns = netns };
	int err = set_sites(f, &s);

	if (err) {
		snprintf(why, len, "canary: writing map sites: %s",
			 strerror(-err));
		return err;
	}
	f->canary_link = bpf_program__attach(f->skel->progs.nfd_canary_kfree);
	if (!f->canary_link) {
		err = -errno;
		snprintf(why, len, "canary: attaching its kfree_skb probe: %s",
			 strerror(errno));
	}
	return err;
}

static void canary_after(void *ctx)
{
	struct fentry *f = ctx;

	bpf_link__destroy(f->canary_link);
	f->canary_link = NULL;
}

static bool in_nft_do_chain(const struct fentry *f, uint64_t addr)
{
	return !f->nft_lo || (addr >= f->nft_lo && addr < f->nft_hi);
}

/* Did the canary's two drops come out as they must? */
static int canary_check(struct fentry *f, uint64_t handle, char *why,
			size_t len)
{
	const struct nfd_canary_drop *r = &f->skel->bss->canary[0];
	const struct nfd_canary_drop *p = &f->skel->bss->canary[1];
	uint32_t n = f->skel->bss->canary_n;

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

static int run_canary(struct fentry *f, char *msg, size_t len)
{
	static const struct nfd_canary_ops ops = { .before = canary_before,
						   .after = canary_after };
	struct nfd_sites s = { 0 };
	uint64_t handle = 0;
	int err;

	nfd_kallsyms_range("nft_do_chain", &f->nft_lo, &f->nft_hi);
	err = nfd_canary_run(&ops, f, &handle, msg, len);
	err = err ?: canary_check(f, handle, msg, len);
	if (!err) {
		s.rule = f->skel->bss->canary[0].location;
		s.policy = f->skel->bss->canary[1].location;
	}
	/* sites stay 0 on failure: no policy is named then */
	set_sites(f, &s);
	if (err)
		return err;
	snprintf(msg, len,
		 "%d verdict setters hooked; canary: rule drop handle %llu "
		 "freed at nft_do_chain+%#llx, policy drop at +%#llx",
		 f->hooked, (unsigned long long)handle,
		 (unsigned long long)(s.rule - f->nft_lo),
		 (unsigned long long)(s.policy - f->nft_lo));
	return 0;
}

static void fentry_unload(struct nfd_backend *b)
{
	struct fentry *f = b->priv;

	if (!f)
		return;
	bpf_link__destroy(f->canary_link);
	fentry_bpf__destroy(f->skel);
	free(f);
	b->priv = NULL;
}

static int fentry_load(struct nfd_backend *b, const struct nfd_backend_env *env,
		       char *msg, size_t len)
{
	struct fentry *f = calloc(1, sizeof(*f));
	int err;

	if (!f)
		return -ENOMEM;
	b->priv = f;
	f->sites_fd = nfd_probe_sites_fd(env->probe);
	f->skel = fentry_bpf__open();
	if (!f->skel) {
		err = -errno;
		snprintf(msg, len, "opening the fentry BPF object: %s",
			 strerror(errno));
		goto unload;
	}
	f->skel->rodata->cfg_all_netns = env->all_netns;
	err = select_setters(f) ?:
				  nfd_probe_share_maps(env->probe, f->skel->obj);
	if (err) {
		snprintf(msg, len, "preparing the fentry programs: %s",
			 strerror(-err));
		goto unload;
	}
	err = fentry_bpf__load(f->skel);
	if (err) {
		snprintf(msg, len, "loading fentry/fexit programs: %s%s",
			 strerror(-err),
			 err == -EPERM ?
				 " (this kernel forbids BPF "
				 "trampolines; use --backend nftrace)" :
				 " (run with -v for the verifier's log)");
		goto unload;
	}
	err = fentry_bpf__attach(f->skel);
	if (err) {
		snprintf(msg, len, "attaching fentry/fexit programs: %s%s",
			 strerror(-err),
			 err == -EPERM ? " (this kernel forbids BPF "
					 "trampolines; use --backend nftrace)" :
					 "");
		goto unload;
	}
	err = run_canary(f, msg, len);
	if (err)
		goto unload;
	return 0;
unload:
	fentry_unload(b);
	return err;
}

/* Nothing per namespace: the probes see them all. */
static void *fentry_attach_netns(struct nfd_backend *b, int *err)
{
	static int none;

	*err = 0;
	return &none;
}

static void fentry_detach_netns(struct nfd_backend *b, void *inst)
{
}

struct nfd_backend nfd_backend_fentry = {
	.name = "fentry",
	.available = fentry_available,
	.load = fentry_load,
	.attach_netns = fentry_attach_netns,
	.detach_netns = fentry_detach_netns,
	.unload = fentry_unload,
};
