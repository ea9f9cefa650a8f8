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
#include <sys/socket.h>
#include <linux/netlink.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/netfilter.h>

#include "backend.h"
#include "canary.h"
#include "lib/clock.h"
#include "lib/kallsyms.h"
#include "xt_rules.h"
#include "lib/nlmsg.h"
#include "drop_probe.h"
#include "fentry.skel.h"
#include "kprobe_site.h"

#define PROG_PREFIX "nfd_"
/* Without these there is nothing to attribute with. */
static const char *const required[] = { "nft_do_chain", "nft_immediate_eval",
					"nft_lookup_eval" };

#define PROGS_MAX 64
#define LATE_MAX 16 /* later loads (modules loaded after the start) */
#define LATE_TRIES 10 /* a second apart: a module may not be live yet */

struct fentry {
	struct fentry_bpf *skel;
	int hooked; /* setters attached */
	bool attached[PROGS_MAX]; /* by the program's place in the object */
	/* setters of modules loaded later, each load its own instance */
	const struct nfd_drop_probe *probe;
	bool all_netns;
	int verbose;
	int uevent_fd; /* module loads (kernel uevents), or -1 */
	struct fentry_bpf *late[LATE_MAX];
	int nlate;
	int tries; /* left for the functions found but not attached yet */
	int64_t next_try_ns;
	/* where rule and policy drops share one free: policy drops marked */
	struct nfd_kprobe *policy;
};

/* The kernel's own ENOTSUPP, which reaches userspace as is. */
#define KERNEL_ENOTSUPP 524

static const char *err_text(int err)
{
	return err == -KERNEL_ENOTSUPP ? "not supported (ENOTSUPP)" :
					 strerror(-err);
}

/* What a load's or attach's error means for the user, or "". */
static const char *trampoline_hint(int err)
{
	if (err == -EPERM)
		return " (this kernel forbids BPF trampolines; use --backend "
		       "kprobe or nftrace)";
	if (err == -KERNEL_ENOTSUPP)
		return " (this kernel cannot attach BPF trampolines to "
		       "nf_tables' functions: on arm64 that needs ftrace "
		       "direct calls, Linux 6.4 or later; use --backend "
		       "kprobe or nftrace)";
	return "";
}

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
	static const struct {
		const char *prog, *fn;
	} other[] = { { "nfd_chain_enter", "nft_do_chain" },
		      { "nfd_ct_in_enter", "nf_conntrack_in" },
		      { "nfd_ct_in_exit", "nf_conntrack_in" },
		      { "nfd_ipt_enter", "ipt_do_table" },
		      { "nfd_ip6t_enter", "ip6t_do_table" },
		      { "nfd_xt_replace_enter", "xt_replace_table" },
		      { "nfd_xt_replace_exit", "xt_replace_table" },
		      { "nfd_do_replace_enter", "do_replace_table" },
		      { "nfd_do_replace_exit", "do_replace_table" } };
	const char *name = bpf_program__name(prog);

	for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++)
		if (!strcmp(name, other[i].prog))
			return other[i].fn;
	return name + strlen(PROG_PREFIX);
}

/*
 * Loads only the setters whose function exists (their module is loaded),
 * from one pass over /proc/kallsyms.
 */
static size_t list_programs(struct bpf_object *obj, struct bpf_program **progs,
			    const char **names)
{
	struct bpf_program *prog;
	size_t n = 0;

	bpf_object__for_each_program(prog, obj)
	{
		if (n == PROGS_MAX)
			continue;
		progs[n] = prog;
		names[n++] = traced(prog);
	}
	return n;
}

static int select_setters(struct fentry *f, char *why, size_t len)
{
	const char *names[PROGS_MAX];
	struct bpf_program *progs[PROGS_MAX];
	bool found[PROGS_MAX];
	size_t n = list_programs(f->skel->obj, progs, names);
	int err;

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
		f->attached[i] = found[i];
		f->hooked += found[i];
	}
	return 0;
}

/*
 * One more instance of the object with only the setters that exist now
 * and are not attached yet (their module loaded after the start): its
 * programs share the bytes probe's maps. Returns how many it attached,
 * or -errno.
 */
static int hook_late(struct fentry *f)
{
	const char *names[PROGS_MAX];
	struct bpf_program *progs[PROGS_MAX];
	bool found[PROGS_MAX];
	struct fentry_bpf *skel;
	size_t n;
	int err, wanted = 0;

	if (f->nlate == LATE_MAX)
		return -E2BIG;
	skel = fentry_bpf__open();
	if (!skel)
		return -errno;
	n = list_programs(skel->obj, progs, names);
	err = nfd_kallsyms_present(names, n, found);
	for (size_t i = 0; !err && i < n; i++) {
		bool want = found[i] && !f->attached[i];

		bpf_program__set_autoload(progs[i], want);
		wanted += want;
	}
	skel->rodata->cfg_all_netns = f->all_netns;
	if (!err && wanted)
		err = nfd_drop_probe_share_maps(f->probe, skel->obj);
	err = err ?: !wanted ? 0 : fentry_bpf__load(skel);
	err = err ?: !wanted ? 0 : fentry_bpf__attach(skel);
	if (err || !wanted) {
		fentry_bpf__destroy(skel);
		return err;
	}
	for (size_t i = 0; i < n; i++)
		if (found[i] && !f->attached[i]) {
			f->attached[i] = true;
			if (f->verbose)
				fprintf(stderr,
					"nfdropcap: fentry: hooked %s (its "
					"module was loaded after the start)\n",
					names[i]);
		}
	f->hooked += wanted;
	f->late[f->nlate++] = skel;
	return wanted;
}

/*
 * A module loaded: its verdict setters are hooked, retried a second apart
 * while it comes up (its functions may not take a trampoline yet).
 */
static void fentry_poll(struct nfd_backend *b)
{
	struct fentry *f = b->priv;
	char buf[4096];
	ssize_t n;
	int64_t now;
	int err;

	if (!f || f->uevent_fd < 0)
		return;
	while ((n = recv(f->uevent_fd, buf, sizeof(buf) - 1, 0)) > 0) {
		buf[n] = 0;
		if (!strncmp(buf, "add@/module/", 12)) {
			f->tries = LATE_TRIES;
			f->next_try_ns = 0;
		}
	}
	now = nfd_clock_ns(CLOCK_MONOTONIC);
	if (!f->tries || now < f->next_try_ns)
		return;
	err = hook_late(f);
	f->tries = err < 0 ? f->tries - 1 : 0;
	f->next_try_ns = now + 1000000000LL;
	if (err < 0 && (!f->tries || f->verbose))
		fprintf(stderr,
			"nfdropcap: fentry: hooking the verdict setters of a "
			"module loaded after the start: %s%s\n",
			strerror(-err),
			f->tries ? " (tried again in a second)" :
				   " (given up: its drops are written "
				   "unattributed)");
}

static void fentry_unload(struct nfd_backend *b)
{
	struct fentry *f = b->priv;

	if (!f)
		return;
	while (f->nlate)
		fentry_bpf__destroy(f->late[--f->nlate]);
	if (f->uevent_fd >= 0)
		close(f->uevent_fd);
	nfd_kprobe_free(f->policy);
	fentry_bpf__destroy(f->skel);
	free(f);
	b->priv = NULL;
}

/*
 * nft_do_chain frees rule and policy drops at one place (arm64), so the
 * place cannot name a policy: backend kprobe's probe on the policy's own
 * branch marks them, where this kernel has kprobes; then the canary again,
 * in that mode. @msg holds the first canary's reason.
 */
static int mark_policies(struct fentry *f, const struct nfd_backend_env *env,
			 char *msg, size_t len)
{
	char where[256];
	size_t n;
	int err;

	err = nfd_kprobe_policy_attach(env->probe, env->all_netns, &f->policy,
				       where, sizeof(where));
	if (err) {
		n = strlen(msg);
		snprintf(msg + n, len - n, " (no policy probe: %s)", where);
		return err;
	}
	err = nfd_canary_verify_as(env->probe, NFD_CANARY_MARKED, msg, len);
	n = strlen(msg);
	snprintf(msg + n, len - n,
		 err ? " (with a policy kprobe at %s)" :
		       "; policy drops marked by a kprobe at %s",
		 where);
	return err;
}

/* Is program @name attached (its function was there at the start)? */
static bool prog_attached(const struct fentry *f, const char *name)
{
	struct bpf_program *prog;
	size_t i = 0;

	bpf_object__for_each_program(prog, f->skel->obj)
	{
		if (i < PROGS_MAX && !strcmp(bpf_program__name(prog), name))
			return f->attached[i];
		i++;
	}
	return false;
}

/*
 * iptables-legacy's rules named (xt_rules.h), where each table
 * replacement is seen: do_replace_table where it exists (since 6.11 it
 * also registers tables), else xt_replace_table.
 */
static void start_xt_rules(const struct fentry *f)
{
	const char *const names[] = { "do_replace_table" };
	bool has_do = false;
	char why[160];

	nfd_kallsyms_present(names, 1, &has_do);
	if (nfd_xt_rules_start(f->probe,
			       has_do ? prog_attached(f, "nfd_do_replace_exit") :
					prog_attached(f, "nfd_xt_replace_exit"),
			       why, sizeof(why)) &&
	    f->verbose)
		fprintf(stderr,
			"nfdropcap: fentry: iptables-legacy rules are not "
			"named: %s\n",
			why);
}

static int fentry_load(struct nfd_backend *b, const struct nfd_backend_env *env,
		       char *msg, size_t len)
{
	struct fentry *f = calloc(1, sizeof(*f));
	int err;

	if (!f)
		return -ENOMEM;
	b->priv = f;
	f->probe = env->probe;
	f->all_netns = env->all_netns;
	f->verbose = env->verbose;
	/* kernel uevents: "add@/module/NAME" when a module loads */
	f->uevent_fd =
		nl_open(SOCK_DGRAM | SOCK_NONBLOCK, NETLINK_KOBJECT_UEVENT, 1);
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
			 err_text(err),
			 err == -EPERM ? trampoline_hint(err) :
					 " (run with -v for the verifier's log)");
		goto unload;
	}
	/* where trampolines load but cannot be attached (arm64 before 6.4) */
	err = fentry_bpf__attach(f->skel);
	if (err) {
		snprintf(msg, len, "attaching fentry/fexit programs: %s%s",
			 err_text(err), trampoline_hint(err));
		goto unload;
	}
	err = nfd_canary_verify(env->probe, msg, len);
	if (err == NFD_CANARY_ONE_PLACE)
		err = mark_policies(f, env, msg, len);
	if (err)
		goto unload;
	start_xt_rules(f);
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
	.poll = fentry_poll,
};
