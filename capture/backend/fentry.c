// SPDX-License-Identifier: GPL-2.0
/*
 * Backend fentry: BPF trampolines on nft_do_chain and on the expressions
 * that set drop verdicts (bpf/fentry.bpf.c). Nothing on the system
 * changes: no table, no nftrace, every namespace at once (the bytes
 * probe's netns_ok map selects what is written).
 *
 * Before it is trusted, the canary (canary_verify.c) must come out right: a rule
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
#include "lib/kallsyms.h"
#include "drop_probe.h"
#include "fentry.skel.h"

#define PROG_PREFIX "nfd_"
/* Without these there is nothing to attribute with. */
static const char *const required[] = { "nft_do_chain", "nft_immediate_eval",
					"nft_lookup_eval" };

struct fentry {
	struct fentry_bpf *skel;
	int hooked; /* setters attached */
};

static int fentry_available(char *why, size_t len)
{
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		snprintf(why, len, "no kernel BTF (/sys/kernel/btf/vmlinux)");
		return -ENOENT;
	}
	return 0;
}

/* Are the functions without which nothing can be attributed there? */
static int require_functions(const char *const *names, const bool *found,
			     size_t n, char *why, size_t len)
{
	for (size_t r = 0; r < sizeof(required) / sizeof(required[0]); r++) {
		size_t i = 0;

		while (i < n && strcmp(names[i], required[r]))
			i++;
		if (i < n && found[i])
			continue;
		if (!r)
			snprintf(why, len,
				 "nf_tables is not loaded (no nft_do_chain "
				 "in /proc/kallsyms)");
		else
			snprintf(why, len, "%s is not in /proc/kallsyms",
				 required[r]);
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
	return name + strlen(PROG_PREFIX);
}

/*
 * Loads only the setters whose function exists (their module is loaded),
 * from one pass over /proc/kallsyms.
 */
static int select_setters(struct fentry *f, char *why, size_t len)
{
	const char *names[64];
	struct bpf_program *progs[64], *prog;
	bool found[64];
	size_t n = 0;
	int err;

	bpf_object__for_each_program(prog, f->skel->obj)
	{
		if (n == 64)
			continue;
		progs[n] = prog;
		names[n++] = traced(prog);
	}
	err = nfd_kallsyms_present(names, n, found);
	if (err) {
		snprintf(why, len, "reading /proc/kallsyms: %s",
			 strerror(-err));
		return err;
	}
	err = require_functions(names, found, n, why, len);
	if (err)
		return err;
	f->hooked = 0;
	for (size_t i = 0; i < n; i++) {
		bpf_program__set_autoload(progs[i], found[i]);
		f->hooked += found[i];
	}
	return 0;
}

static void fentry_unload(struct nfd_backend *b)
{
	struct fentry *f = b->priv;

	if (!f)
		return;
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
	f->skel = fentry_bpf__open();
	if (!f->skel) {
		err = -errno;
		snprintf(msg, len, "opening the fentry BPF object: %s",
			 strerror(errno));
		goto unload;
	}
	f->skel->rodata->cfg_all_netns = env->all_netns;
	err = select_setters(f, msg, len);
	if (err)
		goto unload;
	err = nfd_drop_probe_share_maps(env->probe, f->skel->obj);
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
	err = nfd_canary_verify(env->probe, msg, len);
	if (err)
		goto unload;
	snprintf(msg + strlen(msg), len - strlen(msg),
		 "; %d verdict setters hooked", f->hooked);
	return 0;
unload:
	fentry_unload(b);
	return err;
}

struct nfd_backend nfd_backend_fentry = {
	.name = "fentry",
	.available = fentry_available,
	.load = fentry_load,
	/* nothing per namespace: the probes see them all */
	.attach_netns = nfd_backend_no_netns,
	.detach_netns = nfd_backend_no_netns_detach,
	.unload = fentry_unload,
};
