// SPDX-License-Identifier: GPL-2.0
/*
 * Backend dropsite: attribution that runs only where nft_do_chain frees a
 * packet it dropped, so nothing for accepted packets. Two ways, one code
 * analysis (dropsite_site.c: the two free calls in nft_do_chain, the rule
 * and packet registers there, the base chain and jump stack in its frame):
 *
 * - with kprobes: a kprobe on each free call (bpf/dropsite.bpf.c) reads the
 *   registers and the frame, and leaves the verdict for that very packet
 *   on the pending stack, as backend kprobe does;
 * - without (no kprobes, no BPF trampolines): no probe of its own. The
 *   bytes probe, on the kfree_skb tracepoint, reads the rule and its chain
 *   off the kernel stack (bpf/stack.bpf.h), where the analysis of every
 *   function between the free and the BPF program (in both call chains the
 *   tracepoint can take) says the registers were saved.
 *
 * Either is used only once the canary came out right with it: the rule
 * drop with its jump, the policy drop named.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "backend.h"
#include "canary.h"
#include "drop_probe.h"
#include "dropsite_site.h"
#include "ktext.h"
#include "kprobe_site.h"
#include "lib/kallsyms.h"
#include "dropsite.skel.h"

/* Slots above the bytes probe's frame searched for nft_do_chain's. */
#define SCAN_SLOTS 160

/* Functions the analysis reads, by name. */
struct fn {
	const char *name;
	uint64_t lo, hi;
};

struct analysis {
	struct nfd_nft_sites nft;
	struct fn free_fn, iter, bpf_trace, sct, run;
	struct nfd_frame_shape free_shape, iter_shape, run_shape;
	struct nfd_stack stack;
	uint64_t nft_lo;
	int skb_reg; /* the free's sk_buff argument, pt_regs index */
};

/* The loaded backend: which way, and its kprobes if that way. */
struct dropsite {
	struct analysis a;
	struct dropsite_bpf *skel;
	bool kprobes;
};

/* Every function the analysis may read, resolved in one kallsyms pass. */
static const char *const fn_names[] = {
	"sk_skb_reason_drop",	 "kfree_skb_reason", "__traceiter_kfree_skb",
	"__bpf_trace_kfree_skb", "__SCT__tp_func_kfree_skb",
	"bpf_trace_run3",	 "bpf_trace_run4",   "bpf_trace_run5",
	"__x86_indirect_thunk_array",
};
#define N_FNS (sizeof(fn_names) / sizeof(fn_names[0]))
static uint64_t fn_lo[N_FNS], fn_hi[N_FNS];

static int resolve_fns(char *why, size_t len)
{
	int err = nfd_kallsyms_ranges(fn_names, N_FNS, fn_lo, fn_hi);

	if (err)
		snprintf(why, len, "reading /proc/kallsyms: %s",
			 strerror(-err));
	return err;
}

/* @name's range, from resolve_fns(): 0 or -ENOENT. */
static int lookup(struct fn *f, const char *name)
{
	f->name = name;
	f->lo = f->hi = 0;
	for (size_t i = 0; i < N_FNS; i++)
		if (!strcmp(fn_names[i], name)) {
			f->lo = fn_lo[i];
			f->hi = fn_hi[i];
		}
	return f->lo ? 0 : -ENOENT;
}

static int read_fn(const struct fn *f, uint8_t *code, size_t *size,
		   char *why, size_t len)
{
	*size = f->hi - f->lo < NFD_TEXT_MAX ? f->hi - f->lo : NFD_TEXT_MAX;
	return nfd_ktext_read(f->lo, *size, code, why, len);
}

/* The free's call on to the tracepoint: whichever target it has now. */
static int pick_tracepoint(uint64_t target, void *ctx)
{
	const struct analysis *a = ctx;

	return target && (target == a->iter.lo || target == a->bpf_trace.lo ||
			  target == a->sct.lo);
}

/* An indirect call (through a register or a retpoline thunk). */
static int pick_indirect(uint64_t target, void *ctx)
{
	struct fn thunks;

	(void)ctx;
	return !target || (!lookup(&thunks, "__x86_indirect_thunk_array") &&
			   target >= thunks.lo && target < thunks.hi);
}

static int shape(const struct fn *f, nfd_call_pick pick, struct analysis *a,
		 struct nfd_frame_shape *out, char *why, size_t len)
{
	static uint8_t code[NFD_TEXT_MAX];
	size_t size;
	size_t n;
	int err = read_fn(f, code, &size, why, len);

	if (err)
		return err;
	if (nfd_frame_shape_find(code, size, f->lo, pick, a, out, why, len)) {
		n = strlen(why);
		snprintf(why + n, len - n, " (in %s)", f->name);
		return -ENOENT;
	}
	return 0;
}

/*
 * __bpf_trace_kfree_skb only adjusts arguments and jumps on to
 * bpf_trace_runN: its target, or -ENOENT.
 */
static int tail_target(const struct fn *f, struct fn *to, char *why,
		       size_t len)
{
	uint8_t code[32];
	static const char *const runs[] = { "bpf_trace_run3", "bpf_trace_run4",
					    "bpf_trace_run5" };
	int err = nfd_ktext_read(f->lo, sizeof(code), code, why, len);

	if (err)
		return err;
	for (size_t i = 0; i + 5 <= sizeof(code); i++) {
		int32_t rel;
		uint64_t t;

		if (code[i] != 0xe9) /* jmp rel32 */
			continue;
		memcpy(&rel, code + i + 1, 4);
		t = f->lo + i + 5 + (int64_t)rel;
		for (size_t r = 0; r < sizeof(runs) / sizeof(runs[0]); r++)
			if (!lookup(to, runs[r]) && to->lo == t)
				return 0;
	}
	snprintf(why, len, "%s does not jump on to bpf_trace_runN", f->name);
	return -ENOENT;
}

/* The first function from the free down that saved pt_regs @reg. */
static uint16_t saved_slot(const struct nfd_frame_shape *const *chain,
			   const uint32_t *top, int n, int reg)
{
	for (int i = 0; i < n; i++)
		if (chain[i]->saved[reg])
			return top[i] + chain[i]->saved[reg];
	return 0;
}

/*
 * One layout: the functions from the free down to the BPF program, each
 * with the slot below A of its return address (@top).
 */
static void layout(struct nfd_stack_layout *l,
		   const struct nfd_frame_shape *const *chain, int n,
		   const struct nfd_nft_sites *nft)
{
	uint32_t top[4] = { 0 };

	memset(l, 0, sizeof(*l));
	for (int i = 0; i < n; i++) {
		uint32_t ret = top[i] + chain[i]->depth + 1;

		l->mark[i] = chain[i]->call_ret;
		l->mark_slot[i] = ret;
		if (i + 1 < n)
			top[i + 1] = ret;
	}
	l->n_marks = n;
	l->rule_slot = saved_slot(chain, top, n, nft->rule_reg);
	l->depth_slot = nft->depth_reg >= 0 && nft->depth_reg <= 5 ?
				saved_slot(chain, top, n, nft->depth_reg) :
				0;
	l->base_slot = nft->base_reg >= 0 ?
			       saved_slot(chain, top, n, nft->base_reg) :
			       0;
}

/* nft_do_chain's frees, registers and frame: what both ways need. */
static int analyse_nft(const struct nfd_drop_probe *p, struct analysis *a,
		       char *why, size_t len)
{
	static uint8_t code[NFD_TEXT_MAX];
	struct fn nft = { .name = "nft_do_chain" };
	size_t size;
	int err;

	memset(a, 0, sizeof(*a));
	err = resolve_fns(why, len);
	if (err)
		return err;
	if (nfd_drop_probe_nft_range(p, &nft.lo, &nft.hi)) {
		snprintf(why, len, "nft_do_chain is not in /proc/kallsyms");
		return -ENOENT;
	}
	err = read_fn(&nft, code, &size, why, len);
	if (err)
		return err;
#if defined(__aarch64__)
	if (nfd_nft_sites_find_arm64(code, size, nft.lo, &a->nft, why, len))
		return -ENOENT;
	a->skb_reg = a->nft.skb_reg;
#else
	/* sk_skb_reason_drop(sk, skb, reason); kfree_skb_reason(skb, ...) */
	a->skb_reg = 13; /* rsi */
	if (lookup(&a->free_fn, "sk_skb_reason_drop")) {
		a->skb_reg = 14; /* rdi */
		if (lookup(&a->free_fn, "kfree_skb_reason")) {
			snprintf(why, len,
				 "neither sk_skb_reason_drop nor "
				 "kfree_skb_reason is in /proc/kallsyms");
			return -ENOENT;
		}
	}
	if (nfd_nft_sites_find(code, size, nft.lo, a->free_fn.lo, &a->nft, why,
			       len))
		return -ENOENT;
#endif
	a->nft_lo = nft.lo;
	a->stack.rule_site = a->nft.rule_ret;
	a->stack.policy_site = a->nft.policy_ret;
	a->stack.scan = SCAN_SLOTS;
	/* nft_do_chain's rsp at the call is the slot above A */
	a->stack.base_off = a->nft.base_reg < 0 ? 8 + a->nft.base_off : 0;
	if (a->nft.jump_off > 0 &&
	    (a->nft.depth_reg >= 0 || a->nft.depth_off >= 0)) {
		a->stack.jump_off = 8 + a->nft.jump_off;
		a->stack.jump_size = a->nft.jump_size;
		a->stack.jump_rule = a->nft.jump_rule;
		if (a->nft.depth_off >= 0)
			a->stack.depth_off = 8 + a->nft.depth_off;
	}
	return 0;
}

/*
 * Without kprobes: the frames between the free and the BPF program, and
 * where in them nft_do_chain's rule and depth registers were saved.
 */
static int analyse_stack(struct analysis *a, char *why, size_t len)
{
	const struct nfd_frame_shape *direct[2], *iter[3];
	int err;

#ifndef __x86_64__
	snprintf(why, len, "the kernel stack's frames are analysed in x86-64 "
			   "code only (dropsite needs kprobes here)");
	return -ENOTSUP;
#endif
	if (lookup(&a->iter, "__traceiter_kfree_skb") ||
	    lookup(&a->bpf_trace, "__bpf_trace_kfree_skb")) {
		snprintf(why, len, "the kfree_skb tracepoint's functions are "
				   "not in /proc/kallsyms");
		return -ENOENT;
	}
	lookup(&a->sct, "__SCT__tp_func_kfree_skb"); /* may be absent */
	err = shape(&a->free_fn, pick_tracepoint, a, &a->free_shape, why,
		    len) ?:
	      shape(&a->iter, pick_indirect, a, &a->iter_shape, why, len) ?:
	      tail_target(&a->bpf_trace, &a->run, why, len) ?:
	      shape(&a->run, pick_indirect, a, &a->run_shape, why, len);
	if (err)
		return err;
	/* with several programs on the tracepoint, through its iterator */
	iter[0] = &a->free_shape;
	iter[1] = &a->iter_shape;
	iter[2] = &a->run_shape;
	layout(&a->stack.layout[0], iter, 3, &a->nft);
	/* with one, straight to the program's runner */
	direct[0] = &a->free_shape;
	direct[1] = &a->run_shape;
	layout(&a->stack.layout[1], direct, 2, &a->nft);
	a->stack.n_layouts = 2;
	if (!a->stack.layout[0].rule_slot || !a->stack.layout[1].rule_slot) {
		snprintf(why, len,
			 "no function between the free and the BPF program "
			 "saves the rule register %s (it stays live into the "
			 "program, which cannot read it)",
			 a->nft.rule_name);
		return -ENOENT;
	}
	if (a->nft.base_reg >= 0 && (!a->stack.layout[0].base_slot ||
				     !a->stack.layout[1].base_slot)) {
		snprintf(why, len,
			 "no function between the free and the BPF program "
			 "saves the base chain's register %s (it stays live "
			 "into the program, which cannot read it)",
			 a->nft.base_name);
		return -ENOENT;
	}
	return 0;
}

/* Which way: kprobes where the kernel has them (NFDROPCAP_DROPSITE_VIA). */
static bool use_kprobes(void)
{
	const char *via = secure_getenv("NFDROPCAP_DROPSITE_VIA");

	if (via && !strcmp(via, "stack"))
		return false;
	return nfd_have_kprobes();
}

/*
 * A slot number 1-SCAN_SLOTS in environment variable @name, into *@slot:
 * 1 if it is set, 0 if not, -EINVAL (with @why) if it is no such number.
 */
static int env_slot(const char *name, uint16_t *slot, char *why, size_t len)
{
	const char *env = secure_getenv(name);
	char *end;
	long v;

	if (!env)
		return 0;
	v = strtol(env, &end, 10);
	if (*end || v < 1 || v > SCAN_SLOTS) {
		snprintf(why, len, "%s='%.16s': want a slot number 1-%d", name,
			 env, SCAN_SLOTS);
		return -EINVAL;
	}
	*slot = (uint16_t)v;
	return 1;
}

/*
 * NFDROPCAP_DROPSITE_RULE_SLOT=N (from the stack) or
 * NFDROPCAP_DROPSITE_RULE_REG=NAME (kprobes) puts the rule elsewhere, and
 * NFDROPCAP_DROPSITE_BASE_SLOT=N (from the stack) the base chain: for
 * testing that the canary catches a wrong analysis.
 */
static int override(struct analysis *a, bool kprobes, char *why, size_t len)
{
	const char *env = secure_getenv("NFDROPCAP_DROPSITE_RULE_REG");
	uint16_t slot;
	int v, err;

	if (kprobes && env) {
		v = nfd_reg_index(NFD_ISA_HOST, env);
		if (v < 0 || v > NFD_NREGS - 1) {
			snprintf(why, len,
				 "NFDROPCAP_DROPSITE_RULE_REG='%.16s': want a "
				 "register name",
				 env);
			return -EINVAL;
		}
		a->nft.rule_reg = v;
		snprintf(a->nft.rule_name, sizeof(a->nft.rule_name), "%s", env);
	}
	if (kprobes)
		return 0;
	err = env_slot("NFDROPCAP_DROPSITE_RULE_SLOT", &slot, why, len);
	for (uint32_t i = 0; err > 0 && i < a->stack.n_layouts; i++)
		a->stack.layout[i].rule_slot = slot;
	if (err < 0)
		return err;
	err = env_slot("NFDROPCAP_DROPSITE_BASE_SLOT", &slot, why, len);
	for (uint32_t i = 0; err > 0 && i < a->stack.n_layouts; i++)
		a->stack.layout[i].base_slot = slot;
	return err < 0 ? err : 0;
}

/* What the analysis found, for --check; with the sites if @sites. */
static void found_text(const struct analysis *a, bool kprobes, bool sites,
		       char *buf, size_t len)
{
	nfd_nft_sites_text(&a->nft, a->nft_lo, kprobes ? NULL : &a->stack,
			   sites, buf, len);
}

static int write_stack(const struct nfd_drop_probe *p,
		       const struct nfd_stack *st, char *why, size_t len)
{
	uint32_t zero = 0;

	if (bpf_map_update_elem(nfd_drop_probe_stack_fd(p), &zero, st,
				BPF_ANY)) {
		snprintf(why, len, "writing map stack: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

static int dropsite_available(char *why, size_t len)
{
#if defined(__aarch64__)
	if (!nfd_have_kprobes()) {
		snprintf(why, len,
			 "this kernel has no kprobes, and without them only "
			 "x86-64 code is analysed");
		return -ENOTSUP;
	}
#elif !defined(__x86_64__)
	snprintf(why, len, "only x86-64 and AArch64 code is analysed");
	return -ENOTSUP;
#endif
	return 0;
}

static int attach_kprobes(struct dropsite *d, const struct nfd_backend_env *env,
			  char *msg, size_t len)
{
	const struct analysis *a = &d->a;
	LIBBPF_OPTS(bpf_kprobe_opts, rule,
		    .offset = a->nft.rule_call - a->nft_lo);
	LIBBPF_OPTS(bpf_kprobe_opts, policy,
		    .offset = a->nft.policy_call - a->nft_lo);
	struct dropsite_bpf *skel = dropsite_bpf__open();
	int err;

	if (!skel) {
		snprintf(msg, len, "opening the dropsite BPF object: %s",
			 strerror(errno));
		return -errno;
	}
	d->skel = skel;
	skel->rodata->cfg_all_netns = env->all_netns;
	skel->rodata->cfg_reg_rule = a->nft.rule_reg;
	skel->rodata->cfg_reg_pkt = a->nft.pkt_reg;
	skel->rodata->cfg_reg_skb = a->skb_reg;
	skel->rodata->cfg_shared = a->nft.shared;
	if (a->nft.base_reg >= 0)
		skel->rodata->cfg_reg_base = a->nft.base_reg;
	else
		skel->rodata->cfg_base_off = a->nft.base_off;
	if (a->stack.jump_off) {
		if (a->nft.depth_reg >= 0)
			skel->rodata->cfg_reg_depth = a->nft.depth_reg;
		else
			skel->rodata->cfg_depth_off = a->nft.depth_off;
		skel->rodata->cfg_jump_off = a->nft.jump_off;
		skel->rodata->cfg_jump_size = a->nft.jump_size;
		skel->rodata->cfg_jump_rule = a->nft.jump_rule;
	}
	err = nfd_drop_probe_share_maps(env->probe, skel->obj) ?:
	      dropsite_bpf__load(skel);
	if (err) {
		snprintf(msg, len, "loading the dropsite kprobes: %s",
			 strerror(-err));
		return err;
	}
	skel->links.nfd_ds_rule = bpf_program__attach_kprobe_opts(
		skel->progs.nfd_ds_rule, "nft_do_chain", &rule);
	err = skel->links.nfd_ds_rule ? 0 : -errno;
	if (!err) {
		skel->links.nfd_ds_policy = bpf_program__attach_kprobe_opts(
			skel->progs.nfd_ds_policy, "nft_do_chain", &policy);
		err = skel->links.nfd_ds_policy ? 0 : -errno;
	}
	if (err)
		snprintf(msg, len,
			 "attaching the kprobes (nft_do_chain+%#llx, +%#llx): "
			 "%s",
			 (unsigned long long)rule.offset,
			 (unsigned long long)policy.offset, strerror(-err));
	return err;
}

static void dropsite_unload(struct nfd_backend *b)
{
	struct dropsite *d = b->priv;

	if (!d)
		return;
	dropsite_bpf__destroy(d->skel);
	free(d);
	b->priv = NULL;
}

static int dropsite_load(struct nfd_backend *b,
			 const struct nfd_backend_env *env, char *msg,
			 size_t len)
{
	struct dropsite *d = calloc(1, sizeof(*d));
	struct nfd_stack none = { 0 };
	char found[320];
	size_t n;
	int err;

	if (!d)
		return -ENOMEM;
	b->priv = d;
	d->kprobes = use_kprobes();
	err = analyse_nft(env->probe, &d->a, msg, len);
	if (!err && !d->kprobes)
		err = analyse_stack(&d->a, msg, len);
	nfd_ktext_release();
	err = err ?: override(&d->a, d->kprobes, msg, len);
	if (!err && !d->kprobes)
		err = write_stack(env->probe, &d->a.stack, msg, len);
	if (!err && d->kprobes)
		err = attach_kprobes(d, env, msg, len);
	if (err)
		goto unload;
	found_text(&d->a, d->kprobes, false, found, sizeof(found));
	err = nfd_canary_verify_as(env->probe, NFD_CANARY_PATH, msg, len);
	if (err) {
		n = strlen(msg);
		snprintf(msg + n, len - n, " (with %s)", found);
		goto unload;
	}
	if (d->kprobes) {
		err = nfd_drop_probe_mark_kprobes(env->probe, msg, len);
		if (err)
			goto unload;
	}
	n = strlen(msg);
	snprintf(msg + n, len - n, "; %s", found);
	return 0;
unload:
	if (!d->kprobes)
		write_stack(env->probe, &none, found, 0);
	dropsite_unload(b);
	return err;
}

/* --check: what the analysis finds, whether the backend loads or not. */
static void dropsite_report(const struct nfd_drop_probe *p, nfd_report_fn line)
{
	static struct analysis a;
	bool kprobes = use_kprobes();
	char why[320];

	if (analyse_nft(p, &a, why, sizeof(why)) ||
	    (!kprobes && analyse_stack(&a, why, sizeof(why)))) {
		nfd_ktext_release();
		line("  drop sites", 0, why);
		return;
	}
	nfd_ktext_release();
	found_text(&a, kprobes, true, why, sizeof(why));
	line("  drop sites", 1, why);
}

struct nfd_backend nfd_backend_dropsite = {
	.name = "dropsite",
	.available = dropsite_available,
	.load = dropsite_load,
	/* nothing per namespace: the bytes probe sees them all */
	.attach_netns = nfd_backend_no_netns,
	.detach_netns = nfd_backend_no_netns_detach,
	.unload = dropsite_unload,
	.report = dropsite_report,
	/* no cost to speak of: nothing runs for accepted packets */
};
