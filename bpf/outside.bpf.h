/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Drops decided outside nf_tables by hook functions nfdropcap can name:
 * iptables-legacy's tables (ipt_do_table, ip6t_do_table) and conntrack
 * (nf_conntrack_in; its table full when early_drop, which runs only then,
 * found nothing to evict). Backends fentry and kprobe call these at the
 * functions' entries and exits; a drop is pushed onto the pending stack,
 * for the very sk_buff, and the bytes probe takes it when nf_hook_slow
 * frees that packet (drop_probe.bpf.c: take_outside). Never an nf_tables
 * rule: the comment stays "not attributed" and names who dropped it.
 *
 * Calls in progress are kept per task (map "calls"), innermost last: a
 * softirq that interrupts a task runs inside it and returns before it.
 * An exit takes its own entry by id, dropping any above it whose exit was
 * missed; an exit that finds none names nothing.
 */
#ifndef NFD_OUTSIDE_BPF_H
#define NFD_OUTSIDE_BPF_H

/* This task's calls in progress; created when @create. */
static __always_inline struct nfd_calls *task_calls(bool create)
{
	__u64 task = bpf_get_current_task();
	struct nfd_calls *c = bpf_map_lookup_elem(&calls, &task);
	struct nfd_calls empty = { 0 };

	if (c || !create)
		return c;
	bpf_map_update_elem(&calls, &task, &empty, BPF_NOEXIST);
	return bpf_map_lookup_elem(&calls, &task);
}

/* A drop by @fn's call @e, for the bytes probe. */
static __always_inline void outside_drop(const struct nfd_call *e, __u8 why)
{
	struct nfd_pending_stack *st = nfd_pending_stack();
	struct nfd_pending *p;

	if (!st || !(cfg_all_netns || bpf_map_lookup_elem(&netns_ok, &e->netns)))
		return;
	p = nfd_pending_push(st);
	p->skb = e->skb;
	p->task = bpf_get_current_task();
	p->netns = e->netns;
	p->iif = 0;
	p->key.nh_len = p->key.th_len = 0;
	p->rule.kind = NFD_KIND_NONE;
	p->rule.why = why;
	p->rule.family = e->pf;
	p->rule.handle = e->hook;
	p->rule.verdict = NF_DROP;
	p->rule.path.known = 0;
	p->rule.chain[0] = 0;
	p->rule.table[0] = 0;
	if (e->fn == NFD_CALL_XT) {
		const struct xt_table *t = (const void *)e->table;

		BPF_CORE_READ_STR_INTO(&p->rule.table, t, name);
	}
	p->ts_ns = bpf_ktime_get_ns();
	p->valid = 1;
}

/* The facts of a call at its entry (or a fexit's, which has them all). */
static __always_inline void call_fill(struct nfd_call *e, __u64 id, __u64 sp,
				      __u8 fn, const void *table,
				      const void *skb,
				      const struct nf_hook_state *state)
{
	e->id = id;
	e->sp = sp;
	e->skb = (__u64)skb;
	e->table = (__u64)table;
	e->netns = BPF_CORE_READ(state, net, ns.inum);
	e->hook = BPF_CORE_READ(state, hook);
	e->pf = BPF_CORE_READ(state, pf);
	e->fn = fn;
	e->full = 0;
}

static __always_inline void outside_enter(__u64 id, __u64 sp, __u8 fn,
					  const void *table, const void *skb,
					  const struct nf_hook_state *state)
{
	struct nfd_calls *c = task_calls(true);
	__u32 d;

	if (!c)
		return;
	d = c->depth;
	if (d >= NFD_CALLS_MAX) /* leftovers of exits missed */
		d = 0;
	call_fill(&c->call[d & (NFD_CALLS_MAX - 1)], id, sp, fn, table, skb,
		  state);
	c->depth = d + 1;
}

static __always_inline __u8 drop_why(const struct nfd_call *e)
{
	if (e->fn == NFD_CALL_XT)
		return NFD_WHY_XT_LEGACY;
	return e->full ? NFD_WHY_CT_FULL : NFD_WHY_CONNTRACK;
}

/*
 * The exit of the call of @fn whose id lies in [@lo, @hi], returning
 * @ret: its entry and any above it are taken off; a drop is recorded.
 */
static __always_inline void outside_exit(__u8 fn, __u64 lo, __u64 hi,
					 __u32 ret)
{
	struct nfd_calls *c = task_calls(false);
	struct nfd_call e;

	if (!c)
		return;
	for (int k = 1; k <= NFD_CALLS_MAX; k++) {
		__u32 i = c->depth - k;

		if (c->depth < k)
			return;
		e = c->call[i & (NFD_CALLS_MAX - 1)];
		if (e.fn != fn || e.id < lo || e.id > hi)
			continue;
		c->depth = i;
		if ((ret & NF_VERDICT_MASK) == NF_DROP)
			outside_drop(&e, drop_why(&e));
		return;
	}
}

/*
 * early_drop, at kernel stack address @sp, found nothing to evict: the
 * conntrack entry being made fails, and nf_conntrack_in drops its packet.
 * That call must be this task's innermost one and above @sp on the same
 * stack (early_drop runs inside it), or the table-full mark is not given.
 */
#define NFD_STACK_SPAN 16384 /* THREAD_SIZE, x86-64 and arm64 */
static __always_inline void outside_ct_full(__u64 sp)
{
	struct nfd_calls *c = task_calls(false);
	struct nfd_call *e;

	if (!c || !c->depth || c->depth > NFD_CALLS_MAX)
		return;
	e = &c->call[(c->depth - 1) & (NFD_CALLS_MAX - 1)];
	if (e->fn != NFD_CALL_CT)
		return;
	if (e->sp <= sp || e->sp - sp >= NFD_STACK_SPAN)
		return;
	e->full = 1;
}

#endif /* NFD_OUTSIDE_BPF_H */
