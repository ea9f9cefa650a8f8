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

/*
 * Too big for the stack: a task's first value (never written), and a
 * call to record a drop by where its entry was not seen (per CPU).
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct nfd_calls);
} calls_empty SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct nfd_call);
} call_scratch SEC(".maps");

/* This task's calls in progress; created when @create. */
static __always_inline struct nfd_calls *task_calls(bool create)
{
	__u64 task = bpf_get_current_task();
	struct nfd_calls *c = bpf_map_lookup_elem(&calls, &task);
	__u32 zero = 0;
	const struct nfd_calls *empty;

	if (c || !create)
		return c;
	empty = bpf_map_lookup_elem(&calls_empty, &zero);
	if (!empty)
		return NULL;
	bpf_map_update_elem(&calls, &task, empty, BPF_NOEXIST);
	return bpf_map_lookup_elem(&calls, &task);
}

/* A drop by @fn's call @e, for the bytes probe; @xt_off: its entry. */
static __always_inline void outside_drop(const struct nfd_call *e, __u8 why,
					 __s64 xt_off)
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
	p->rule.xt_known = xt_off >= 0;
	p->rule.xt_num = 0;
	p->rule.xt_off = xt_off >= 0 ? (__u32)xt_off : 0;
	p->rule.xt_gen = e->xt.gen;
	if (e->fn == NFD_CALL_XT) {
		const struct xt_table *t = (const void *)e->table;

		BPF_CORE_READ_STR_INTO(&p->rule.table, t, name);
	}
	p->ts_ns = bpf_ktime_get_ns();
	p->valid = 1;
}

static __always_inline __u64 xt_gen_now(void)
{
	__u32 zero = 0;
	__u64 *g = bpf_map_lookup_elem(&xt_gen, &zero);

	return g ? *g : 0;
}

/* A start or an end of a table's replacement. */
static __always_inline void outside_xt_replaced(void)
{
	__u32 zero = 0;
	__u64 *g = bpf_map_lookup_elem(&xt_gen, &zero);

	if (g)
		__sync_fetch_and_add(g, 1);
}

/* This CPU's copy of per-CPU data at @addr (per_cpu_ptr). */
static __always_inline __u64 xt_this_cpu(const struct nfd_xt_cfg *cfg,
					 __u64 addr, __u32 cpu)
{
	__u64 off = 0;

	if (!cfg->smp)
		return addr;
	if (cpu >= 8192 || bpf_probe_read_kernel(&off, sizeof(off),
				(const void *)(cfg->per_cpu_offset + 8 * cpu)))
		return 0;
	return addr + off;
}

/* The packets the entry at @entries + @off counted on this CPU. */
static __always_inline __u64 xt_count(const struct nfd_xt_cfg *cfg,
				      const unsigned char *entries, __u32 off,
				      __u32 cnt_off, __u32 cpu)
{
	__u64 pcnt = 0, n = 0;

	if (bpf_probe_read_kernel(&pcnt, sizeof(pcnt), entries + off + cnt_off))
		return ~0ULL;
	if (!cfg->smp)
		return pcnt;
	if (bpf_probe_read_kernel(&n, sizeof(n),
				  (const void *)xt_this_cpu(cfg, pcnt, cpu)))
		return ~0ULL;
	return n;
}

static __always_inline __u32 xt_recseq(const struct nfd_xt_cfg *cfg, __u32 cpu)
{
	__u32 seq = 1; /* odd: unusable */

	bpf_probe_read_kernel(&seq, sizeof(seq),
			      (const void *)xt_this_cpu(cfg, cfg->recseq, cpu));
	return seq;
}

static __always_inline __u64 task_migrations(void)
{
	struct task_struct *t = (void *)bpf_get_current_task();

	return BPF_CORE_READ(t, se.nr_migrations);
}

/*
 * At a table's call's entry: its entries that always drop, and what they
 * counted on this CPU so far; asks userspace for them where it has none
 * of this generation.
 */
static __always_inline void xt_snap_enter(struct nfd_xt_snap *s,
					  const struct xt_table *table,
					  __u32 netns, __u8 pf)
{
	struct nfd_xt_key key = { .netns = netns, .pf = pf };
	const struct xt_table_info *priv;
	const struct nfd_xt_cands *c;
	const struct nfd_xt_cfg *cfg;
	__u32 zero = 0, cnt_off, cpu;
	__u64 gen = xt_gen_now();

	s->n = 0;
	s->nested_drop = 0;
	s->gen = gen;
	cfg = bpf_map_lookup_elem(&xt_cfg, &zero);
	if (!cfg || !cfg->on)
		return;
	if (!(cfg_all_netns || bpf_map_lookup_elem(&netns_ok, &netns)))
		return;
	BPF_CORE_READ_STR_INTO(&key.name, table, name);
	c = bpf_map_lookup_elem(&xt_cands, &key);
	if (!c || c->gen != gen) {
		bpf_map_update_elem(&xt_want, &key, &gen, BPF_ANY);
		return;
	}
	priv = BPF_CORE_READ(table, private);
	if (!priv || BPF_CORE_READ(priv, size) != c->size)
		return;
	cpu = bpf_get_smp_processor_id();
	cnt_off = pf == 10 ? NFD_XT_COUNTERS_OFF6 : NFD_XT_COUNTERS_OFF4;
	s->cpu = cpu;
	s->migrations = task_migrations();
	s->recseq = xt_recseq(cfg, cpu);
	for (int i = 0; i < NFD_XT_CANDS; i++) {
		if (i >= c->n)
			break;
		s->off[i] = c->off[i];
		s->cnt[i] = xt_count(cfg, priv->entries, c->off[i], cnt_off,
				     cpu);
		if (s->cnt[i] == ~0ULL) { /* not read: tells nothing */
			s->n = 0;
			return;
		}
		s->n = i + 1;
	}
	if (s->recseq & 1) /* inside a table's section: a nested call */
		s->n = 0;
}

/*
 * At the call's exit with a drop: the offset of the one entry that
 * counted it, or -1 when that is not certain.
 */
static __always_inline __s64 xt_snap_exit(const struct nfd_xt_snap *s,
					  const struct xt_table *table,
					  __u8 pf)
{
	const struct xt_table_info *priv;
	const struct nfd_xt_cfg *cfg;
	__u32 zero = 0, cnt_off, cpu = bpf_get_smp_processor_id();
	__s64 found = -1;

	cfg = bpf_map_lookup_elem(&xt_cfg, &zero);
	if (!cfg || !s->n || s->nested_drop || s->cpu != cpu ||
	    s->gen != xt_gen_now() || s->migrations != task_migrations() ||
	    xt_recseq(cfg, cpu) != s->recseq + 2)
		return -1;
	priv = BPF_CORE_READ(table, private);
	if (!priv)
		return -1;
	cnt_off = pf == 10 ? NFD_XT_COUNTERS_OFF6 : NFD_XT_COUNTERS_OFF4;
	for (int i = 0; i < NFD_XT_CANDS; i++) {
		__u64 d;

		if (i >= s->n)
			break;
		d = xt_count(cfg, priv->entries, s->off[i], cnt_off, cpu);
		if (d == ~0ULL)
			return -1;
		d -= s->cnt[i];
		if (!d)
			continue;
		if (d != 1 || found >= 0)
			return -1;
		found = s->off[i];
	}
	return found;
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
	struct nfd_call *e;
	__u32 d;

	nfd_pending_forget((__u64)skb);
	if (!c)
		return;
	d = c->depth;
	if (d >= NFD_CALLS_MAX) /* leftovers of exits missed */
		d = 0;
	e = &c->call[d & (NFD_CALLS_MAX - 1)];
	call_fill(e, id, sp, fn, table, skb, state);
	e->xt.n = 0;
	e->xt.gen = 0;
	if (fn == NFD_CALL_XT)
		xt_snap_enter(&e->xt, table, e->netns, e->pf);
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
static __always_inline bool outside_exit(__u8 fn, __u64 lo, __u64 hi,
					 __u32 ret)
{
	struct nfd_calls *c = task_calls(false);
	bool drop = (ret & NF_VERDICT_MASK) == NF_DROP;
	struct nfd_call *e;

	if (!c)
		return false;
	for (int k = 1; k <= NFD_CALLS_MAX; k++) {
		__u32 i = c->depth - k;

		if (c->depth < k)
			return false;
		e = &c->call[i & (NFD_CALLS_MAX - 1)];
		if (e->fn != fn || e->id < lo || e->id > hi)
			continue;
		c->depth = i;
		if (drop && i > 0) /* the call around it: its count is off */
			c->call[(i - 1) & (NFD_CALLS_MAX - 1)].xt.nested_drop = 1;
		if (drop)
			outside_drop(e, drop_why(e),
				     fn == NFD_CALL_XT ?
					     xt_snap_exit(&e->xt,
							  (const void *)e->table,
							  e->pf) :
					     -1);
		return true;
	}
	return false;
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
