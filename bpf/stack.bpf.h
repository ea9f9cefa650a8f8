/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Backend dropsite: a drop named from the kernel stack, at the kfree_skb
 * tracepoint alone. nft_do_chain frees what it drops itself; while that
 * free's tracepoint runs, nft_do_chain's frame and the registers its
 * callees saved are still on this very stack, above the probe's own
 * frame. Map "stack" (capture/backend/dropsite.c, from the kernel's code)
 * says where: the slot holding the return address into nft_do_chain (A),
 * found by its value (the tracepoint's location) and proven by the return
 * addresses of the callees at their exact distances below it; the rule
 * register's saved copy below A; the base chain pointer and the jump stack
 * in nft_do_chain's frame above it. Nothing runs for accepted packets.
 * Every pointer read is checked against the ruleset before it names
 * anything: a rule must start exactly where the pointer points, in a chain
 * of the base chain's table.
 */
#ifndef NFD_STACK_BPF_H
#define NFD_STACK_BPF_H

#include "common.bpf.h"
#include "nft.bpf.h"

static __always_inline struct nfd_stack *nfd_stack(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&stack, &zero);
}

static __always_inline __u64 stack_word(__u64 at)
{
	__u64 v = 0;

	if (bpf_probe_read_kernel(&v, sizeof(v), (const void *)at))
		return 0;
	return v;
}

/* Does layout @l describe the callee frames below candidate slot @a? */
static __always_inline bool layout_fits(const struct nfd_stack_layout *l,
					__u64 a)
{
	if (!l->n_marks)
		return false;
	for (int m = 0; m < NFD_STACK_MARKS; m++) {
		if (m >= l->n_marks)
			break;
		if (stack_word(a - 8ULL * l->mark_slot[m]) != l->mark[m])
			return false;
	}
	return true;
}

struct stack_scan {
	const struct nfd_stack *cfg;
	__u64 from; /* the probe's own frame */
	__u64 want; /* the return address into nft_do_chain */
	__u64 a; /* found: its slot */
	int layout;
};

static long scan_step(__u64 i, void *ctx)
{
	struct stack_scan *s = ctx;
	__u64 at = s->from + 8 * i;

	if (stack_word(at) != s->want)
		return 0;
	for (int l = 0; l < NFD_STACK_LAYOUTS; l++) {
		if (l >= s->cfg->n_layouts)
			break;
		if (layout_fits(&s->cfg->layout[l], at)) {
			s->a = at;
			s->layout = l;
			return 1;
		}
	}
	return 0; /* a copy of the value (an argument), not the slot */
}

/*
 * Where nft_do_chain's jump stack is at the drop: @at (0: unknown), @size
 * bytes per entry, the return point's rule pointer @rule bytes in; @depth
 * entries in use.
 */
struct nfd_jumps {
	__u64 at;
	__u32 size;
	__u32 rule;
	__u32 depth;
};

/* The jump rule of hop @i: the rule before its jump stack entry's. */
struct hop_walk {
	const struct nfd_jumps *j;
	struct nft_chain *base;
	struct nfd_path *path;
	bool ok;
};

static long hop_step(__u64 i, void *ctx)
{
	struct hop_walk *w = ctx;
	__u64 entry, handle = 0;
	struct nft_chain *chain;

	if (i >= w->j->depth || i >= NFD_PATH_MAX)
		return 1;
	entry = stack_word(w->j->at + i * w->j->size + w->j->rule);
	/* the entry is the rule after the jump: its last byte is the jump's */
	chain = entry ? nfd_rule_of(w->base, (const void *)(entry - 1),
				    &handle) :
			NULL;
	if (!chain) {
		w->ok = false;
		return 1;
	}
	w->path->handle[i & (NFD_PATH_MAX - 1)] = handle;
	w->path->kind[i & (NFD_PATH_MAX - 1)] = NFD_HOP_JUMP;
	return 0;
}

/*
 * The path to a rule drop in @chain from the jump stack @j: its jumps, and
 * the base chain's handle, from which userspace puts the gotos back where
 * the ruleset leaves one way only (jumps_only). Unknown (said so) where the
 * jump stack cannot be read.
 */
static __always_inline void jump_path(const struct nfd_jumps *j,
				      struct nft_chain *base,
				      struct nft_chain *chain,
				      struct nfd_path *path)
{
	struct hop_walk w = { .j = j, .base = base, .path = path, .ok = true };
	__u64 handle;

	path->known = 1;
	path->cut = 0;
	path->n = 0;
	path->jumps_only = 1;
	handle = BPF_CORE_READ(base, handle);
	path->base_handle = handle >> 32 ? 0 : handle;
	if (j->at && j->depth > NFD_PATH_MAX)
		w.ok = false;
	else if (j->at && j->depth)
		bpf_loop(NFD_PATH_MAX, hop_step, &w, 0);
	else if (!j->at && chain != base) /* jumps not readable */
		w.ok = false;
	if (!w.ok) {
		path->jumps_only = NFD_UNSEEN_GOTOS;
		return;
	}
	path->n = j->at ? j->depth : 0;
}

/*
 * Names a drop at one of nft_do_chain's two frees into @r, from the base
 * chain @base and, for a rule's, the rule pointer @rule and jump stack @j.
 * False if they name nothing (never a guess).
 */
static __always_inline bool nfd_site_name(bool policy, struct nft_chain *base,
					  __u64 rule, const struct nfd_jumps *j,
					  struct nfd_rule *r)
{
	struct nft_chain *chain;
	__u64 handle = 0;

	if (!base)
		return false;
	if (policy) {
		if (nfd_policy(base) != NF_DROP)
			return false;
		r->kind = NFD_KIND_POLICY;
		r->verdict = NF_DROP;
		r->handle = 0;
		r->path.known = 0;
		nfd_names(r, base);
		return true;
	}
	chain = rule ? nfd_rule_at(base, rule, &handle) : NULL;
	if (!chain)
		return false;
	r->kind = NFD_KIND_RULE;
	r->verdict = NF_DROP;
	r->handle = handle;
	nfd_names(r, chain);
	jump_path(j, base, chain, &r->path);
	return true;
}

/*
 * Names the drop freed at @loc from the stack into @r: true if it did
 * (kind rule or policy); false with @why set when the free is one of
 * nft_do_chain's but the stack was not as analysed, false with @why
 * untouched when the stack reading is not in use or @loc is not its site.
 */
static __always_inline bool nfd_stack_attribute(void *ctx, __u64 loc,
						struct nfd_rule *r, __u8 *why)
{
	struct nfd_stack *cfg = nfd_stack();
	struct stack_scan s = { 0 };
	struct nfd_jumps j = { 0 };
	const struct nfd_stack_layout *l;
	struct nft_chain *base;

	if (!cfg || !cfg->rule_site ||
	    (loc != cfg->rule_site && loc != cfg->policy_site))
		return false;
	*why = NFD_WHY_STACK;
	s.cfg = cfg;
	s.want = loc;
	s.layout = -1;
	/*
	 * The program's own stack may be a private one (6.13+); its
	 * arguments are on the kernel stack, in the runner's frame. Their
	 * address as a number: read, not cast.
	 */
	if (bpf_probe_read_kernel(&s.from, sizeof(s.from), &ctx))
		return false;
	bpf_loop(cfg->scan, scan_step, &s, 0);
	if (s.layout < 0 || s.layout >= NFD_STACK_LAYOUTS)
		return false;
	l = &cfg->layout[s.layout];
	base = (struct nft_chain *)stack_word(
		l->base_slot ? s.a - 8ULL * l->base_slot : s.a + cfg->base_off);
	if (cfg->jump_off && (cfg->depth_off || l->depth_slot)) {
		j.at = s.a + cfg->jump_off;
		j.size = cfg->jump_size;
		j.rule = cfg->jump_rule;
		j.depth = (__u32)stack_word(cfg->depth_off ?
						    s.a + cfg->depth_off :
						    s.a - 8ULL * l->depth_slot);
	}
	return nfd_site_name(loc == cfg->policy_site, base,
			     loc == cfg->policy_site ?
				     0 :
				     stack_word(s.a - 8ULL * l->rule_slot),
			     &j, r);
}

#endif /* NFD_STACK_BPF_H */
