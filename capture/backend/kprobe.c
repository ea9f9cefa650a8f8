// SPDX-License-Identifier: GPL-2.0
/*
 * Backend kprobe (bpf/kprobe.bpf.c): for kernels with kprobes but no BPF
 * trampolines. At start, with no debuginfo and nothing written per kernel:
 * nft_do_chain's code is read from the running kernel (a BPF program reads
 * its text: built in or module alike), capstone decodes it, and
 * kprobe_site.c finds the verdict test and the registers holding the
 * verdict, the rule and the packet. That is a guess until the canary
 * (canary_verify.c) comes out right with it; otherwise the backend is not
 * used and nothing is written with a wrong guess.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "backend.h"
#include "canary.h"
#include "ktext.h"
#include "drop_probe.h"
#include "kprobe_site.h"
#include "kprobe.skel.h"
#include "lib/kallsyms.h"
#include "xt_rules.h"

/* perf's kprobe PMU: what libbpf attaches kprobes through */
#define KPROBE_PMU "/sys/bus/event_source/devices/kprobe/type"

#define OUTSIDE_PROBES 11
/* attach_outside's p[]: do_replace_table's kretprobe (xt_replace_table's
 * two before it) */
#define OUTSIDE_DO_REPLACE_EXIT 10

struct nfd_kprobe {
	struct kprobe_bpf *skel;
	struct nfd_kprobe_site site;
	struct bpf_link *trace_link; /* nfd_kp_verdict on the trace copy */
	/* drops outside nf_tables named (bpf/outside.bpf.h) */
	struct bpf_link *outside[OUTSIDE_PROBES];
};

bool nfd_have_kprobes(void)
{
	return !access(KPROBE_PMU, R_OK);
}

static int kprobe_available(char *why, size_t len)
{
#if !defined(__x86_64__) && !defined(__aarch64__)
	snprintf(why, len, "only x86-64 and AArch64 code is analysed");
	return -ENOTSUP;
#endif
	if (!nfd_have_kprobes()) {
		snprintf(why, len,
			 "this kernel has no kprobes (no %s: built without "
			 "CONFIG_KPROBES/CONFIG_KPROBE_EVENTS)",
			 KPROBE_PMU);
		return -ENOTSUP;
	}
	return 0;
}

/*
 * NFDROPCAP_KPROBE_REGS=VERDICT,RULE,PKT (register names) replaces what
 * the analysis found: for testing that the canary catches a wrong guess.
 */
static int override_regs(struct nfd_kprobe_site *s, char *why, size_t len)
{
	const char *env = secure_getenv("NFDROPCAP_KPROBE_REGS");
	char v[8], r[8], p[8];
	int vi = -1, ri = -1, pi = -1;

	if (!env)
		return 0;
	if (sscanf(env, "%7[^,],%7[^,],%7s", v, r, p) == 3) {
		vi = nfd_reg_index(NFD_ISA_HOST, v);
		ri = nfd_reg_index(NFD_ISA_HOST, r);
		pi = nfd_reg_index(NFD_ISA_HOST, p);
	}
	if (vi < 0 || ri < 0 || pi < 0) {
		snprintf(why, len,
			 "NFDROPCAP_KPROBE_REGS='%.32s': want VERDICT,RULE,PKT "
			 "register names",
			 env);
		return -EINVAL;
	}
	s->verdict_reg = vi;
	s->rule_reg = ri;
	s->pkt_reg = pi;
	snprintf(s->verdict_name, sizeof(s->verdict_name), "%s", v);
	snprintf(s->rule_name, sizeof(s->rule_name), "%s", r);
	snprintf(s->pkt_name, sizeof(s->pkt_name), "%s", p);
	return 0;
}

/* nft_do_chain's text as @p found it, analysed. 0 or -errno (and why). */
static int find_site(const struct nfd_drop_probe *p, struct nfd_kprobe_site *s,
		     char *why, size_t len)
{
	static uint8_t code[NFD_TEXT_MAX];
	uint64_t lo, hi;
	size_t size;
	int err;

	err = nfd_drop_probe_nft_range(p, &lo, &hi);
	if (err) {
		snprintf(why, len,
			 "nft_do_chain is not in /proc/kallsyms (nf_tables "
			 "not loaded?)");
		return err;
	}
	size = hi - lo < NFD_TEXT_MAX ? hi - lo : NFD_TEXT_MAX;
	err = nfd_ktext_read(lo, size, code, why, len);
	nfd_ktext_release();
	if (err)
		return err;
	if (nfd_kprobe_site_find(code, size, NFD_ISA_HOST, s, why, len))
		return -ENOENT;
	return override_regs(s, why, len);
}

void nfd_kprobe_free(struct nfd_kprobe *k)
{
	if (!k)
		return;
	bpf_link__destroy(k->trace_link);
	for (int i = 0; i < OUTSIDE_PROBES; i++)
		bpf_link__destroy(k->outside[i]);
	kprobe_bpf__destroy(k->skel);
	free(k);
}

static void kprobe_unload(struct nfd_backend *b)
{
	nfd_kprobe_free(b->priv);
	b->priv = NULL;
}

/* A kprobe of @prog at nft_do_chain+@offset, or NULL with errno. */
static struct bpf_link *probe_at(struct bpf_program *prog, uint64_t offset)
{
	LIBBPF_OPTS(bpf_kprobe_opts, at, .offset = offset);

	return bpf_program__attach_kprobe_opts(prog, "nft_do_chain", &at);
}

static int attach(struct nfd_kprobe *k, char *msg, size_t len)
{
	struct kprobe_bpf *skel = k->skel;
	uint64_t where = 0;
	int err = 0;

	skel->links.nfd_kp_chain =
		bpf_program__attach_kprobe(skel->progs.nfd_kp_chain, false,
					   "nft_do_chain");
	if (!skel->links.nfd_kp_chain)
		err = -errno;
	where = k->site.offset;
	if (!err && !(skel->links.nfd_kp_verdict =
			      probe_at(skel->progs.nfd_kp_verdict, where)))
		err = -errno;
	where = k->site.trace_offset;
	if (!err && where &&
	    !(k->trace_link = probe_at(skel->progs.nfd_kp_verdict, where)))
		err = -errno;
	where = k->site.policy_offset;
	if (!err && where &&
	    !(skel->links.nfd_kp_policy =
		      probe_at(skel->progs.nfd_kp_policy, where)))
		err = -errno;
	if (err)
		snprintf(msg, len,
			 "attaching the kprobes (nft_do_chain+%#llx): %s",
			 (unsigned long long)where, strerror(-err));
	return err;
}

/*
 * The probes that name drops outside nf_tables: iptables-legacy's tables
 * and conntrack, where their modules are loaded now. Each is optional: one
 * missing costs only those names (the drops are still captured).
 */
static void attach_outside(struct nfd_kprobe *k, int verbose)
{
	struct kprobe_bpf *s = k->skel;
	const struct {
		const char *fn;
		struct bpf_program *prog;
		bool ret;
	} p[OUTSIDE_PROBES] = {
		/* pairs: an entry, then its exit (none without the other) */
		{ "ipt_do_table", s->progs.nfd_kp_xt_enter, false },
		{ "ipt_do_table", s->progs.nfd_kp_xt_exit, true },
		{ "ip6t_do_table", s->progs.nfd_kp_xt_enter, false },
		{ "ip6t_do_table", s->progs.nfd_kp_xt_exit, true },
		{ "nf_conntrack_in", s->progs.nfd_kp_ct_enter, false },
		{ "nf_conntrack_in", s->progs.nfd_kp_ct_exit, true },
		/* runs only inside nf_conntrack_in's calls: alone */
		{ "early_drop", s->progs.nfd_kp_early_drop, true },
		/* replacements: a start, then an end */
		{ "xt_replace_table", s->progs.nfd_kp_xt_replaced, false },
		{ "xt_replace_table", s->progs.nfd_kp_xt_replaced, true },
		{ "do_replace_table", s->progs.nfd_kp_xt_replaced, false },
		{ "do_replace_table", s->progs.nfd_kp_xt_replaced, true },
	};
	const char *names[OUTSIDE_PROBES];
	bool found[OUTSIDE_PROBES];

	for (int i = 0; i < OUTSIDE_PROBES; i++)
		names[i] = p[i].fn;
	if (nfd_kallsyms_present(names, OUTSIDE_PROBES, found))
		return;
	for (int i = 0; i < OUTSIDE_PROBES; i++) {
		bool exit_of_pair = p[i].ret && i > 0 && !p[i - 1].ret &&
				    !strcmp(p[i - 1].fn, p[i].fn);

		if (!found[i] || (exit_of_pair && !k->outside[i - 1]))
			continue;
		k->outside[i] = bpf_program__attach_kprobe(p[i].prog, p[i].ret,
							   p[i].fn);
		if (k->outside[i])
			continue;
		if (verbose)
			fprintf(stderr,
				"nfdropcap: kprobe: no %s on %s (%s): its "
				"drops are not named\n",
				p[i].ret ? "kretprobe" : "kprobe", p[i].fn,
				strerror(errno));
		if (exit_of_pair) { /* no entry without its exit */
			bpf_link__destroy(k->outside[i - 1]);
			k->outside[i - 1] = NULL;
		}
	}
}

/*
 * iptables-legacy's rules named (xt_rules.h), where each table
 * replacement is seen: do_replace_table's probes where it exists (since
 * 6.11 it also registers tables), else xt_replace_table's.
 */
static void start_xt_rules(const struct nfd_kprobe *k,
			   const struct nfd_backend_env *env)
{
	const char *const names[] = { "do_replace_table" };
	bool has_do = false, hooked;
	char why[160];

	nfd_kallsyms_present(names, 1, &has_do);
	hooked = k->outside[has_do ? OUTSIDE_DO_REPLACE_EXIT :
				     OUTSIDE_DO_REPLACE_EXIT - 2] != NULL;
	if (nfd_xt_rules_start(env->probe, hooked, why, sizeof(why)) &&
	    env->verbose)
		fprintf(stderr,
			"nfdropcap: kprobe: iptables-legacy rules are not "
			"named: %s\n",
			why);
}

static int kprobe_load(struct nfd_backend *b, const struct nfd_backend_env *env,
		       char *msg, size_t len)
{
	struct nfd_kprobe *k = calloc(1, sizeof(*k));
	char site[192];
	int err;

	if (!k)
		return -ENOMEM;
	b->priv = k;
	err = find_site(env->probe, &k->site, msg, len);
	if (err)
		goto unload;
	nfd_kprobe_site_text(&k->site, site, sizeof(site));
	k->skel = kprobe_bpf__open();
	if (!k->skel) {
		err = -errno;
		snprintf(msg, len, "opening the kprobe BPF object: %s",
			 strerror(errno));
		goto unload;
	}
	k->skel->rodata->cfg_all_netns = env->all_netns;
	k->skel->rodata->cfg_reg_verdict = k->site.verdict_reg;
	k->skel->rodata->cfg_reg_rule = k->site.rule_reg;
	k->skel->rodata->cfg_reg_pkt = k->site.pkt_reg;
	err = nfd_drop_probe_share_maps(env->probe, k->skel->obj) ?:
		      kprobe_bpf__load(k->skel);
	if (err) {
		snprintf(msg, len, "loading the kprobe programs: %s",
			 strerror(-err));
		goto unload;
	}
	err = attach(k, msg, len);
	if (err)
		goto unload;
	/* a policy probe names policy drops: one shared free is fine then */
	err = nfd_canary_verify_as(env->probe,
				   k->site.policy_offset ? NFD_CANARY_MARKED :
							   NFD_CANARY_SITES,
				   msg, len);
	if (err) {
		size_t n = strlen(msg);

		snprintf(msg + n, len - n, " (with %s)", site);
		goto unload;
	}
	err = nfd_drop_probe_mark_kprobes(env->probe, msg, len);
	if (err)
		goto unload;
	snprintf(msg + strlen(msg), len - strlen(msg), "; probe at %s", site);
	/* after the canary, whose load briefly takes many descriptors */
	attach_outside(k, env->verbose);
	start_xt_rules(k, env);
	return 0;
unload:
	kprobe_unload(b);
	return err;
}

int nfd_kprobe_policy_attach(const struct nfd_drop_probe *p, bool all_netns,
			     struct nfd_kprobe **out, char *why, size_t len)
{
	struct nfd_kprobe *k = calloc(1, sizeof(*k));
	struct bpf_program *prog;
	int err;

	*out = NULL;
	if (!k)
		return -ENOMEM;
	err = kprobe_available(why, len) ?: find_site(p, &k->site, why, len);
	if (!err && !k->site.policy_offset) {
		snprintf(why, len,
			 "the code analysis found no branch of the policy's "
			 "own in nft_do_chain");
		err = -ENOENT;
	}
	if (!err && !(k->skel = kprobe_bpf__open())) {
		err = -errno;
		snprintf(why, len, "opening the kprobe BPF object: %s",
			 strerror(errno));
	}
	if (err)
		goto free_probe;
	bpf_object__for_each_program(prog, k->skel->obj)
		bpf_program__set_autoload(prog,
					  prog == k->skel->progs.nfd_kp_policy);
	k->skel->rodata->cfg_all_netns = all_netns;
	k->skel->rodata->cfg_reg_pkt = k->site.pkt_reg;
	err = nfd_drop_probe_share_maps(p, k->skel->obj) ?:
		      kprobe_bpf__load(k->skel);
	if (err) {
		snprintf(why, len, "loading the policy probe: %s",
			 strerror(-err));
		goto free_probe;
	}
	k->skel->links.nfd_kp_policy =
		probe_at(k->skel->progs.nfd_kp_policy, k->site.policy_offset);
	if (!k->skel->links.nfd_kp_policy) {
		err = -errno;
		snprintf(why, len, "attaching a kprobe at nft_do_chain+%#llx: %s",
			 (unsigned long long)k->site.policy_offset,
			 strerror(errno));
		goto free_probe;
	}
	snprintf(why, len, "nft_do_chain+%#llx",
		 (unsigned long long)k->site.policy_offset);
	*out = k;
	return 0;
free_probe:
	nfd_kprobe_free(k);
	return err;
}

/* --check: what the code analysis finds, whether the backend loads or not. */
static void kprobe_report(const struct nfd_drop_probe *p, nfd_report_fn line)
{
	struct nfd_kprobe_site s;
	char why[256];

	if (find_site(p, &s, why, sizeof(why))) {
		line("  kprobe site", 0, why);
		return;
	}
	nfd_kprobe_site_text(&s, why, sizeof(why));
	line("  kprobe site", 1, why);
}

struct nfd_backend nfd_backend_kprobe = {
	.name = "kprobe",
	.available = kprobe_available,
	.load = kprobe_load,
	/* nothing per namespace: the probes see them all */
	.attach_netns = nfd_backend_no_netns,
	.detach_netns = nfd_backend_no_netns_detach,
	.unload = kprobe_unload,
	.report = kprobe_report,
};
