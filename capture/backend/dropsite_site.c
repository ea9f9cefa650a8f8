// SPDX-License-Identifier: GPL-2.0
/*
 * Backend dropsite's code analysis, with capstone (x86-64). Two questions:
 *
 * 1. In nft_do_chain: the two calls that free a dropped packet (a rule's
 *    drop and the base chain policy's, told apart by the policy read
 *    "mov N(%rsp),%rX; movzbl -K(%rX),..." before the latter, which also
 *    says where the frame keeps the base chain); the rule register (the
 *    kprobe backend's analysis, then checked unchanged from the verdict
 *    test to the free); the jump stack ("mov D(%rsp,%rI,8),%rRULE" after
 *    "lea -1(%rS),%eI": the pop of a return point, rS its depth).
 * 2. In each function between that free and the BPF program: how deep its
 *    frame is where it calls on, and where it saved which callee-saved
 *    register (every path from its entry to that call walked, push by
 *    push; paths must agree).
 *
 * All of it is a guess until the canary proves it (dropsite.c).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <capstone/capstone.h>

#include "dropsite_site.h"
#include "kprobe_site.h"

#define MAX_INSNS 4096

static const cs_x86_op *op(const cs_insn *in, int n)
{
	const cs_x86 *x = &in->detail->x86;

	return n < x->op_count ? &x->operands[n] : NULL;
}

static bool is_call_to(const cs_insn *in, uint64_t target)
{
	const cs_x86_op *o = op(in, 0);

	return in->id == X86_INS_CALL && o && o->type == X86_OP_IMM &&
	       (uint64_t)o->imm == target;
}

static int decode(csh *h, const uint8_t *code, size_t size, uint64_t addr,
		  cs_insn **in, size_t *n, char *why, size_t len)
{
	if (cs_open(CS_ARCH_X86, CS_MODE_64, h) != CS_ERR_OK) {
		snprintf(why, len, "capstone: cs_open failed");
		return -1;
	}
	cs_option(*h, CS_OPT_DETAIL, CS_OPT_ON);
	*n = cs_disasm(*h, code, size, addr, 0, in);
	if (!*n) {
		snprintf(why, len, "capstone: cannot decode at %#llx",
			 (unsigned long long)addr);
		cs_close(h);
		return -1;
	}
	return 0;
}

/*
 * The policy read before the call at @i: a byte load at a negative
 * displacement through %rX, where "mov N(%rsp),%rX" just loaded the base
 * chain from the frame (0, N in *@off) or %rX keeps it (a callee-saved
 * register: 0, %rX in *@x and its pt_regs index in *@reg). -1 if there is
 * none.
 */
static int policy_read(const cs_insn *in, size_t i, int *off, int *reg,
		       x86_reg *x)
{
	for (size_t j = i; j-- > 0 && i - j <= 8;) {
		const cs_x86_op *d = op(&in[j], 0), *s = op(&in[j], 1);
		x86_reg base;

		if (in[j].id != X86_INS_MOVZX || !s || s->type != X86_OP_MEM ||
		    s->size != 1 || s->mem.disp >= 0 ||
		    s->mem.index != X86_REG_INVALID)
			continue;
		base = s->mem.base;
		for (size_t k = j; k-- > 0 && j - k <= 4;) {
			d = op(&in[k], 0);
			s = op(&in[k], 1);
			if (in[k].id != X86_INS_MOV || !d ||
			    d->type != X86_OP_REG || d->reg != base)
				continue;
			if (!s || s->type != X86_OP_MEM ||
			    s->mem.base != X86_REG_RSP ||
			    s->mem.index != X86_REG_INVALID || s->mem.disp < 0)
				return -1;
			*off = (int)s->mem.disp;
			*reg = -1;
			return 0;
		}
		if (nfd_x86_reg_index(base) < 0 || nfd_x86_reg_index(base) > 5)
			return -1;
		*off = -1;
		*reg = nfd_x86_reg_index(base);
		*x = base;
		return 0;
	}
	return -1;
}

/* Does @in write pt_regs register @reg (any width)? */
static bool writes(csh h, const cs_insn *in, int reg)
{
	cs_regs rd, wr;
	uint8_t nrd, nwr;

	if (cs_regs_access(h, in, rd, &nrd, wr, &nwr))
		return true; /* cannot tell: as if it did */
	for (int i = 0; i < nwr; i++)
		if (nfd_x86_reg_index(wr[i]) == reg)
			return true;
	return false;
}

/*
 * Does callee-saved register @reg keep the base chain through the whole
 * function? It must be set once from the second argument ("mov %rsi,
 * %rX": the chain nft_do_chain was called with), written before that only
 * by the prologue and after it only by a pop (the epilogue's).
 */
static bool base_kept(csh h, const cs_insn *in, size_t n, int reg)
{
	size_t set = n;

	for (size_t i = 0; i < n && set == n; i++) {
		const cs_x86_op *d = op(&in[i], 0), *s = op(&in[i], 1);

		if (in[i].id == X86_INS_MOV && d && d->type == X86_OP_REG &&
		    nfd_x86_reg_index(d->reg) == reg && d->size == 8 && s &&
		    s->type == X86_OP_REG && s->reg == X86_REG_RSI)
			set = i;
		else if (cs_insn_group(h, &in[i], CS_GRP_JUMP) ||
			 cs_insn_group(h, &in[i], CS_GRP_RET))
			return false; /* not the prologue's straight code */
	}
	for (size_t i = set + 1; i < n; i++)
		if (writes(h, &in[i], reg) && in[i].id != X86_INS_POP)
			return false;
	return set < n;
}

/*
 * From the verdict test at @test ("and $0xff,%eV; je DROP") to the rule's
 * free at @call: straight code that leaves register @reg alone?
 */
static bool rule_kept(csh h, const cs_insn *in, size_t n, uint64_t test,
		      uint64_t call, int reg)
{
	size_t i = 0;
	const cs_x86_op *o;

	while (i + 1 < n && in[i].address != test)
		i++;
	if (i + 1 >= n || in[i + 1].id != X86_INS_JE)
		return false;
	o = op(&in[i + 1], 0);
	if (!o || o->type != X86_OP_IMM)
		return false;
	for (i = 0; i < n && in[i].address != (uint64_t)o->imm; i++)
		;
	for (size_t k = 0; i < n && k < 16; i++, k++) {
		if (in[i].address == call)
			return true;
		if (writes(h, &in[i], reg) || in[i].id == X86_INS_JMP ||
		    in[i].id == X86_INS_CALL)
			return false;
	}
	return false;
}

/*
 * "lea rV, [rR + rX + 8]" (nft_rule_next, R a rule: which register holds
 * it there varies) at @i: V's index, or -1.
 */
static int rule_next(const cs_insn *in)
{
	const cs_x86_op *d = op(in, 0), *m = op(in, 1);

	if (in->id != X86_INS_LEA || !d || !m || d->type != X86_OP_REG ||
	    m->type != X86_OP_MEM || m->mem.disp != 8 ||
	    m->mem.base == X86_REG_INVALID || m->mem.scale != 1 ||
	    m->mem.index == X86_REG_INVALID)
		return -1;
	return nfd_x86_reg_index(d->reg);
}

/*
 * Where index register @idx of a jump stack store at @i came from, looking
 * back: "mov eI, eS" (the depth is register S), "mov eI, dword [rsp+X]"
 * (frame slot X); "lea rI,[rI+rI*2]; shl rI,3" on the way make an entry
 * 24 bytes. 0, or -1 if not found.
 */
static int depth_of(csh h, const cs_insn *in, size_t i, int idx,
		    struct nfd_nft_sites *s)
{
	uint32_t size = 8;

	for (size_t j = i; j-- > 0 && i - j <= 12;) {
		const cs_x86_op *d = op(&in[j], 0), *m = op(&in[j], 1);

		if (!d || d->type != X86_OP_REG ||
		    nfd_x86_reg_index(d->reg) != idx)
			continue;
		if (in[j].id == X86_INS_SHL && m && m->type == X86_OP_IMM &&
		    m->imm == 3)
			continue;
		if (in[j].id == X86_INS_LEA && m && m->type == X86_OP_MEM &&
		    m->mem.scale == 2 && nfd_x86_reg_index(m->mem.base) == idx &&
		    nfd_x86_reg_index(m->mem.index) == idx) {
			size = 24;
			continue;
		}
		if (in[j].id != X86_INS_MOV || !m)
			return -1;
		if (m->type == X86_OP_MEM && m->mem.base == X86_REG_RSP &&
		    m->mem.index == X86_REG_INVALID && m->size == 4) {
			s->depth_off = (int32_t)m->mem.disp;
		} else if (m->type == X86_OP_REG &&
			   nfd_x86_reg_index(m->reg) <= 5) {
			s->depth_reg = nfd_x86_reg_index(m->reg);
			snprintf(s->depth_name, sizeof(s->depth_name), "%s",
				 cs_reg_name(h, m->reg));
		} else {
			return -1;
		}
		s->jump_size = size;
		return 0;
	}
	return -1;
}

/*
 * The jump stack, from a jump's push of its return point: "lea rV,
 * [rRULE+rX+8]" then "mov [rsp + rI*8 + D], rV" (entries of one pointer,
 * 6.12+) or "mov [rsp + rI + D], rV" with rI = depth * 24 (entries of
 * chain, rule, last rule: 6.1). The entry's first field is the lowest
 * displacement stored through the same index nearby.
 */
static void jump_stack(csh h, const cs_insn *in, size_t n,
		       struct nfd_nft_sites *s)
{
	s->jump_off = -1;
	s->depth_reg = -1;
	s->depth_off = -1;
	for (size_t i = 1; i < n; i++) {
		const cs_x86_op *d = op(&in[i], 0), *v = op(&in[i], 1);
		int val = -1, idx;
		int64_t lo;

		if (in[i].id != X86_INS_MOV || !d || d->type != X86_OP_MEM ||
		    d->mem.base != X86_REG_RSP ||
		    d->mem.index == X86_REG_INVALID || !v ||
		    v->type != X86_OP_REG || d->mem.disp <= 0)
			continue;
		for (size_t j = i; j-- > 0 && i - j <= 8 && val < 0;)
			if (rule_next(&in[j]) ==
			    nfd_x86_reg_index(v->reg))
				val = 1;
		if (val < 0)
			continue;
		idx = nfd_x86_reg_index(d->mem.index);
		if (depth_of(h, in, i, idx, s))
			continue;
		if ((d->mem.scale == 8) != (s->jump_size == 8)) {
			s->depth_reg = -1;
			s->depth_off = -1;
			continue;
		}
		/* the entry's start: the lowest store through this index */
		lo = d->mem.disp;
		for (size_t j = i > 6 ? i - 6 : 0; j < n && j <= i + 6; j++) {
			const cs_x86_op *o = op(&in[j], 0);

			if (in[j].id == X86_INS_MOV && o &&
			    o->type == X86_OP_MEM && o->mem.base == X86_REG_RSP &&
			    o->mem.index == d->mem.index && o->mem.disp < lo &&
			    d->mem.disp - o->mem.disp < (int64_t)s->jump_size)
				lo = o->mem.disp;
		}
		s->jump_off = (int32_t)lo;
		s->jump_rule = (uint32_t)(d->mem.disp - lo);
		return;
	}
}

void nfd_nft_sites_take_regs(struct nfd_nft_sites *s,
			     const struct nfd_kprobe_site *ks)
{
	s->rule_reg = ks->rule_reg;
	s->pkt_reg = ks->pkt_reg;
	snprintf(s->rule_name, sizeof(s->rule_name), "%s", ks->rule_name);
	snprintf(s->pkt_name, sizeof(s->pkt_name), "%s", ks->pkt_name);
}

static int nft_analyse(csh h, const cs_insn *in, size_t n,
		       const uint8_t *code, size_t size,
		       struct nfd_nft_sites *s, char *why, size_t len)
{
	struct nfd_kprobe_site ks;
	x86_reg base = X86_REG_INVALID;
	size_t calls[2];
	int ncalls = 0, pol = -1;

	for (size_t i = 0; i < n; i++) {
		if (!is_call_to(&in[i], s->free_fn))
			continue;
		if (ncalls < 2)
			calls[ncalls] = i;
		ncalls++;
	}
	if (ncalls != 2) {
		snprintf(why, len,
			 "nft_do_chain calls the free of dropped packets "
			 "%d times, not twice (rule, policy)",
			 ncalls);
		return -1;
	}
	for (int c = 0; c < 2 && pol < 0; c++)
		if (!policy_read(in, calls[c], &s->base_off, &s->base_reg,
				 &base))
			pol = c;
	if (pol < 0) {
		snprintf(why, len,
			 "no base chain policy read (from the frame or a "
			 "callee-saved register) before either free in "
			 "nft_do_chain");
		return -1;
	}
	if (s->base_reg >= 0 && !base_kept(h, in, n, s->base_reg)) {
		snprintf(why, len,
			 "the base chain's register %s is not set once from "
			 "nft_do_chain's argument and kept",
			 cs_reg_name(h, base));
		return -1;
	}
	if (s->base_reg >= 0)
		snprintf(s->base_name, sizeof(s->base_name), "%s",
			 cs_reg_name(h, base));
	s->policy_call = in[calls[pol]].address;
	s->policy_ret = s->policy_call + in[calls[pol]].size;
	s->rule_call = in[calls[!pol]].address;
	s->rule_ret = s->rule_call + in[calls[!pol]].size;
	if (nfd_kprobe_site_find(code, size, NFD_ISA_X86_64, &ks, why, len))
		return -1;
	nfd_nft_sites_take_regs(s, &ks);
	for (int k = 0; k < 2; k++) {
		int reg = k ? s->pkt_reg : s->rule_reg;

		if (rule_kept(h, in, n, in[0].address + ks.offset,
			      s->rule_call, reg))
			continue;
		snprintf(why, len,
			 "the %s register %s may change between the verdict "
			 "test (+%#llx) and the free (+%#llx)",
			 k ? "packet" : "rule", k ? ks.pkt_name : ks.rule_name,
			 (unsigned long long)ks.offset,
			 (unsigned long long)(s->rule_call - in[0].address));
		return -1;
	}
	jump_stack(h, in, n, s);
	return 0;
}

int nfd_nft_sites_find(const uint8_t *code, size_t size, uint64_t addr,
		       uint64_t free_fn,
		       struct nfd_nft_sites *s, char *why, size_t len)
{
	cs_insn *in = NULL;
	size_t n = 0;
	csh h;
	int err;

	memset(s, 0, sizeof(*s));
	s->free_fn = free_fn;
	snprintf(s->sp_name, sizeof(s->sp_name), "rsp");
	if (decode(&h, code, size, addr, &in, &n, why, len))
		return -1;
	err = nft_analyse(h, in, n, code, size, s, why, len);
	cs_free(in, n);
	cs_close(&h);
	return err;
}

/* Walking a function's paths: the frame depth before each instruction. */
struct walk {
	csh h;
	const cs_insn *in;
	size_t n;
	int depth[MAX_INSNS]; /* -1: not reached */
	size_t todo[MAX_INSNS];
	size_t ntodo;
	struct nfd_frame_shape *f;
	bool found;
};

static size_t index_of(const struct walk *w, uint64_t addr)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->in[i].address == addr)
			return i;
	return w->n;
}

/* Reaches @i with frame @depth: -1 if a path came there otherwise. */
static int reach(struct walk *w, size_t i, int depth)
{
	if (i >= w->n)
		return 0; /* leaves the function: a tail call */
	if (w->depth[i] >= 0)
		return w->depth[i] == depth ? 0 : -1;
	w->depth[i] = depth;
	w->todo[w->ntodo++] = i;
	return 0;
}

static int slots_of(const cs_insn *in, int sign)
{
	const cs_x86_op *d = op(in, 0), *s = op(in, 1);

	if (!d || d->type != X86_OP_REG || d->reg != X86_REG_RSP || !s ||
	    s->type != X86_OP_IMM || s->imm % 8)
		return -1000;
	return sign * (int)(s->imm / 8);
}

/* One instruction: its effect on the frame, and where it leads. */
static int step(struct walk *w, size_t i, nfd_call_pick pick, void *ctx,
		char *why, size_t len)
{
	const cs_insn *in = &w->in[i];
	const cs_x86_op *o = op(in, 0);
	int d = w->depth[i], r;

	switch (in->id) {
	case X86_INS_PUSH:
		d++;
		r = o && o->type == X86_OP_REG ? nfd_x86_reg_index(o->reg) : -1;
		if (r >= 0 && r <= 5) {
			if (w->f->saved[r] && w->f->saved[r] != (uint32_t)d) {
				snprintf(why, len,
					 "%s: saved at two depths",
					 in->op_str);
				return -1;
			}
			w->f->saved[r] = d;
		}
		break;
	case X86_INS_POP:
		d--;
		break;
	case X86_INS_SUB:
	case X86_INS_ADD:
		if (o && o->type == X86_OP_REG && o->reg == X86_REG_RSP) {
			int k = slots_of(in, in->id == X86_INS_SUB ? 1 : -1);

			if (k == -1000)
				return 0; /* not a constant: stop this path */
			d += k;
		}
		break;
	case X86_INS_CALL: {
		uint64_t t = o && o->type == X86_OP_IMM ? (uint64_t)o->imm : 0;

		if (pick(t, ctx)) {
			if (w->found && (w->f->depth != (uint32_t)d ||
					 w->f->call_ret !=
						 in->address + in->size)) {
				snprintf(why, len,
					 "two calls on, at different depths");
				return -1;
			}
			w->found = true;
			w->f->depth = d;
			w->f->call_ret = in->address + in->size;
			return 0;
		}
		break;
	}
	case X86_INS_JMP:
		if (o && o->type == X86_OP_IMM &&
		    reach(w, index_of(w, o->imm), d)) {
			snprintf(why, len,
				 "paths meet at different frame depths");
			return -1;
		}
		return 0;
	case X86_INS_RET:
	case X86_INS_UD2:
	case X86_INS_INT3:
		return 0;
	default:
		break;
	}
	/* anything else writing %rsp (an epilogue): stop this path */
	if (in->id != X86_INS_PUSH && in->id != X86_INS_POP &&
	    in->id != X86_INS_SUB && in->id != X86_INS_ADD &&
	    in->id != X86_INS_CALL && o && o->type == X86_OP_REG &&
	    o->reg == X86_REG_RSP)
		return 0;
	if (cs_insn_group(w->h, in, CS_GRP_JUMP) && o &&
	    o->type == X86_OP_IMM &&
	    reach(w, index_of(w, o->imm), d)) {
		snprintf(why, len, "paths meet at different frame depths");
		return -1;
	}
	if (reach(w, i + 1, d)) {
		snprintf(why, len, "paths meet at different frame depths");
		return -1;
	}
	return 0;
}

int nfd_frame_shape_find(const uint8_t *code, size_t size, uint64_t addr,
			 nfd_call_pick pick, void *ctx,
			 struct nfd_frame_shape *f, char *why, size_t len)
{
	static struct walk w;
	cs_insn *in = NULL;
	size_t n = 0;
	csh h;
	int err = 0;

	memset(f, 0, sizeof(*f));
	if (decode(&h, code, size, addr, &in, &n, why, len))
		return -1;
	memset(&w, 0, sizeof(w));
	w.h = h;
	w.in = in;
	w.n = n < MAX_INSNS ? n : MAX_INSNS;
	w.f = f;
	for (size_t i = 0; i < w.n; i++)
		w.depth[i] = -1;
	reach(&w, 0, 0);
	while (w.ntodo && !err) {
		size_t i = w.todo[--w.ntodo];

		err = step(&w, i, pick, ctx, why, len);
	}
	if (!err && !w.found) {
		snprintf(why, len, "no call on found at %#llx",
			 (unsigned long long)addr);
		err = -1;
	}
	cs_free(in, n);
	cs_close(&h);
	return err;
}

/* "at +X" of a site, or of both frees where rule and policy share one. */
static int sites_text(const struct nfd_nft_sites *s, uint64_t lo, char *buf,
		      size_t len)
{
	if (s->shared)
		return snprintf(buf, len,
				"rule and policy drops freed at "
				"nft_do_chain+%#llx, the policy's branch to "
				"it at +%#llx; ",
				(unsigned long long)(s->rule_ret - lo),
				(unsigned long long)(s->policy_call - lo));
	return snprintf(buf, len,
			"rule drop freed at nft_do_chain+%#llx, policy drop "
			"at +%#llx; ",
			(unsigned long long)(s->rule_ret - lo),
			(unsigned long long)(s->policy_ret - lo));
}

void nfd_nft_sites_text(const struct nfd_nft_sites *s, uint64_t lo,
			const struct nfd_stack *stack, bool sites, char *buf,
			size_t len)
{
	int n = sites ? sites_text(s, lo, buf, len) : 0;

	if (n < 0 || (size_t)n >= len)
		return;
	if (!stack)
		n += snprintf(buf + n, len - n,
			      "kprobes at +%#llx and +%#llx: rule %s, pkt %s",
			      (unsigned long long)(s->rule_call - lo),
			      (unsigned long long)(s->policy_call - lo),
			      s->rule_name, s->pkt_name);
	else
		n += snprintf(buf + n, len - n,
			      "from the stack at kfree_skb: rule %s (saved "
			      "%u/%u slots below)",
			      s->rule_name, stack->layout[1].rule_slot,
			      stack->layout[0].rule_slot);
	if (n < 0 || (size_t)n >= len)
		return;
	if (s->base_reg >= 0 && !stack)
		n += snprintf(buf + n, len - n, ", base chain %s",
			      s->base_name);
	else if (s->base_reg >= 0)
		n += snprintf(buf + n, len - n,
			      ", base chain %s (saved %u/%u slots below)",
			      s->base_name, stack->layout[1].base_slot,
			      stack->layout[0].base_slot);
	else
		n += snprintf(buf + n, len - n, ", base chain at %s+%d",
			      s->sp_name, s->base_off);
	if (n < 0 || (size_t)n >= len)
		return;
	if (s->jump_off <= 0 || (s->depth_reg < 0 && s->depth_off < 0))
		snprintf(buf + n, len - n,
			 ", jump stack not found (paths only in the base "
			 "chain)");
	else if (s->depth_reg >= 0)
		snprintf(buf + n, len - n,
			 ", jump stack at %s+%d (%u-byte entries), depth %s",
			 s->sp_name, s->jump_off, s->jump_size, s->depth_name);
	else
		snprintf(buf + n, len - n,
			 ", jump stack at %s+%d (%u-byte entries), depth at "
			 "%s+%d",
			 s->sp_name, s->jump_off, s->jump_size, s->sp_name,
			 s->depth_off);
}
