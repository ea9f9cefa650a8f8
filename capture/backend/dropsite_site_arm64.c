// SPDX-License-Identifier: GPL-2.0
/*
 * Backend dropsite's code analysis of nft_do_chain in AArch64 code, for
 * its kprobes (the arm64 kernels all have them; the kernel stack's frames
 * are read in x86-64 code only). From Debian's arm64 builds (6.12):
 *
 *	ands  w1, w0, #0xff		the verdict test (kprobe_site_arm64.c)
 *	b.eq  <drop>
 *	...
 *	ldr   x0, [sp]			the policy: the base chain, from the frame
 *	ldurb w0, [x0, #-16]		its policy byte
 *	cbnz  w0, <out>
 *	b     <drop>			the policy's branch: a kprobe here
 * drop:
 *	ldr   x1, [x22]			the packet's sk_buff (x22: pkt)
 *	...
 *	bl    sk_skb_reason_drop	the free rule and policy drops share:
 *					a kprobe here names the rule's
 *
 * and the jump stack, from a jump's push of its return point: "add xV,
 * xRULE, xN" (nft_rule_next) stored by "str xV, [xB, xI, lsl #3]" with
 * "add xB, sp, #D" and the index from the depth's frame slot ("ldr wI,
 * [sp, #N]"; "ubfiz; add ..., uxtw" on the way make it 3 * depth: entries
 * of chain, rule, last rule, 6.1). A guess until the canary proves it.
 */
#include <stdio.h>
#include <string.h>
#include <capstone/capstone.h>

#include "a64_insn.h"
#include "dropsite_site.h"
#include "kprobe_site.h"

/* Instructions looked back over for what a store or load was made of. */
#define LOOK_BACK 16

static size_t index_at(const cs_insn *in, size_t n, uint64_t addr)
{
	size_t i = 0;

	while (i < n && in[i].address != addr)
		i++;
	return i;
}

/*
 * The last instruction before @i (within LOOK_BACK) that writes register
 * @reg as its first operand (stores, compares and branches on it do not).
 */
static size_t last_write(const cs_insn *in, size_t i, int reg)
{
	for (size_t j = i; j-- > 0 && i - j <= LOOK_BACK;) {
		const cs_arm64_op *d = a64_op(&in[j], 0);

		if (a64_named(&in[j], "str") || a64_named(&in[j], "stp") ||
		    a64_named(&in[j], "cmp") || a64_named(&in[j], "cmn") ||
		    a64_named(&in[j], "tst") || a64_named(&in[j], "cbz") ||
		    a64_named(&in[j], "cbnz"))
			continue;
		if (a64_is_reg(d) && a64_index(d->reg) == reg)
			return j;
	}
	return (size_t)-1;
}

/* "ldr xR, [sp, #N]" last writing register @reg before @i: N, or -1 */
static int64_t sp_load(const cs_insn *in, size_t i, int reg)
{
	size_t k = last_write(in, i, reg);

	if (k == (size_t)-1 || !a64_named(&in[k], "ldr"))
		return -1;
	return a64_sp_slot(&in[k], a64_op(&in[k], 1));
}

/* Does @in name register @reg as an operand (any width, memory base too)? */
static bool touches(const cs_insn *in, int reg)
{
	for (int k = 0; a64_op(in, k); k++) {
		const cs_arm64_op *o = a64_op(in, k);

		if (o->type == ARM64_OP_REG && a64_index(o->reg) == reg)
			return true;
		if (o->type == ARM64_OP_MEM && in->detail->arm64.writeback &&
		    a64_index(o->mem.base) == reg)
			return true;
	}
	return false;
}

/*
 * The free at the drop block @drop: its "bl" within straight code that
 * leaves the rule and packet registers alone, and the register the
 * packet's sk_buff is loaded into ("ldr xS, [xPKT]"). 0 or -1.
 */
static int free_call(const cs_insn *in, size_t n, size_t drop,
		     struct nfd_nft_sites *s, char *why, size_t len)
{
	s->skb_reg = -1;
	for (size_t i = drop; i < n && i < drop + 8; i++) {
		const cs_arm64_op *d = a64_op(&in[i], 0), *m = a64_op(&in[i], 1);

		if (a64_named(&in[i], "bl")) {
			if (s->skb_reg < 0)
				break;
			s->rule_call = in[i].address;
			s->rule_ret = in[i].address + 4;
			return 0;
		}
		if (a64_named(&in[i], "ldr") && a64_is_reg(d) && m &&
		    m->type == ARM64_OP_MEM && !m->mem.disp &&
		    m->mem.index == ARM64_REG_INVALID &&
		    a64_index(m->mem.base) == s->pkt_reg)
			s->skb_reg = a64_index(d->reg);
		/* straight code; the load through pkt leaves pkt alone */
		if (in[i].detail->arm64.cc != ARM64_CC_INVALID ||
		    a64_named(&in[i], "b") || a64_named(&in[i], "br") ||
		    a64_named(&in[i], "ret") || touches(&in[i], s->rule_reg) ||
		    touches(&in[i], s->pkt_reg))
			break;
	}
	snprintf(why, len,
		 "nft_do_chain+%#llx: no free call after loading the sk_buff "
		 "from the packet (ldr xS, [%s]) with the rule register %s "
		 "unchanged",
		 (unsigned long long)(in[drop].address - in[0].address),
		 s->pkt_name, s->rule_name);
	return -1;
}

/*
 * Before the policy's branch at @i: "ldr xB, [sp, #N]; ldurb wP, [xB,
 * #-K]": the base chain in frame slot N. 0 or -1.
 */
static int policy_base(const cs_insn *in, size_t i, struct nfd_nft_sites *s)
{
	for (size_t j = i; j-- > 0 && i - j <= 4;) {
		const cs_arm64_op *m = a64_op(&in[j], 1);
		int64_t slot;

		if (!a64_named(&in[j], "ldurb") || !m ||
		    m->type != ARM64_OP_MEM || m->mem.disp >= 0 ||
		    a64_index(m->mem.base) < 0)
			continue;
		slot = sp_load(in, j, a64_index(m->mem.base));
		if (slot < 0)
			return -1;
		s->base_off = (int32_t)slot;
		s->base_reg = -1;
		return 0;
	}
	return -1;
}

/* "add xB, sp, #D" last writing @reg before @i: D, or -1 */
static int64_t sp_base(const cs_insn *in, size_t i, int reg)
{
	size_t k = last_write(in, i, reg);
	const cs_arm64_op *a, *b;

	if (k == (size_t)-1 || !a64_named(&in[k], "add"))
		return -1;
	a = a64_op(&in[k], 1);
	b = a64_op(&in[k], 2);
	if (!a || a->type != ARM64_OP_REG || a->reg != ARM64_REG_SP || !b ||
	    b->type != ARM64_OP_IMM || b->imm < 0)
		return -1;
	return b->imm;
}

/*
 * The depth behind index register @reg of a store at @i: "ldr wI, [sp,
 * #N]" (entries of one pointer) or "ubfiz xI, xK, #1, #32; add xI, xI,
 * wK, uxtw" with "ldr wK, [sp, #N]" (3 * depth: 24-byte entries).
 */
static int depth_of(const cs_insn *in, size_t i, int reg,
		    struct nfd_nft_sites *s)
{
	size_t k = last_write(in, i, reg);
	uint32_t size = 8;
	int64_t slot;

	if (k != (size_t)-1 && a64_named(&in[k], "add")) {
		const cs_arm64_op *a = a64_op(&in[k], 1),
				  *b = a64_op(&in[k], 2);
		size_t u;

		if (!a64_is_reg(a) || a64_index(a->reg) != reg ||
		    !a64_is_reg(b))
			return -1;
		u = last_write(in, k, reg);
		if (u == (size_t)-1 || !a64_named(&in[u], "ubfiz") ||
		    !a64_is_reg(a64_op(&in[u], 1)) ||
		    a64_index(a64_op(&in[u], 1)->reg) != a64_index(b->reg) ||
		    !a64_is_imm(a64_op(&in[u], 2), 1))
			return -1;
		size = 24;
		slot = sp_load(in, u, a64_index(b->reg));
	} else {
		slot = sp_load(in, i, reg);
	}
	if (slot < 0)
		return -1;
	s->depth_off = (int32_t)slot;
	s->depth_reg = -1;
	s->jump_size = size;
	return 0;
}

/* Is the value stored at @i a rule's next ("add xV, xRULE, xN")? */
static bool stores_next_rule(const cs_insn *in, size_t i, int rule)
{
	size_t k = last_write(in, i, a64_index(a64_op(&in[i], 0)->reg));
	const cs_arm64_op *a;

	if (k == (size_t)-1 || !a64_named(&in[k], "add"))
		return false;
	a = a64_op(&in[k], 1);
	return a64_is_reg(a) && a64_index(a->reg) == rule &&
	       a64_is_reg(a64_op(&in[k], 2));
}

static void jump_stack(const cs_insn *in, size_t n, struct nfd_nft_sites *s)
{
	s->jump_off = -1;
	s->depth_reg = -1;
	s->depth_off = -1;
	for (size_t i = 0; i < n; i++) {
		const cs_arm64_op *v = a64_op(&in[i], 0), *m = a64_op(&in[i], 1);
		int64_t d, lo;
		int idx;

		if (!a64_named(&in[i], "str") || !a64_is_reg(v) ||
		    v->reg < ARM64_REG_X0 || !m || m->type != ARM64_OP_MEM ||
		    a64_index(m->mem.base) < 0 ||
		    a64_index(m->mem.index) < 0 ||
		    !stores_next_rule(in, i, s->rule_reg))
			continue;
		d = sp_base(in, i, a64_index(m->mem.base));
		idx = a64_index(m->mem.index);
		if (d < 0 || depth_of(in, i, idx, s))
			continue;
		/* the entry's start: the lowest base stored through this index */
		lo = d;
		for (size_t j = i > 8 ? i - 8 : 0; j < n && j <= i + 8; j++) {
			const cs_arm64_op *o = a64_op(&in[j], 1);
			int64_t e;

			if (!a64_named(&in[j], "str") || !o ||
			    o->type != ARM64_OP_MEM ||
			    a64_index(o->mem.index) != idx ||
			    a64_index(o->mem.base) < 0)
				continue;
			e = sp_base(in, j, a64_index(o->mem.base));
			if (e >= 0 && e < lo && d - e < (int64_t)s->jump_size)
				lo = e;
		}
		s->jump_off = (int32_t)lo;
		s->jump_rule = (uint32_t)(d - lo);
		return;
	}
	s->depth_off = -1;
}

static int analyse(const cs_insn *in, size_t n, const uint8_t *code,
		   size_t size, struct nfd_nft_sites *s, char *why,
		   size_t len)
{
	struct nfd_kprobe_site ks;
	size_t site, drop, pol;

	if (nfd_kprobe_site_find(code, size, NFD_ISA_ARM64, &ks, why, len))
		return -1;
	nfd_nft_sites_take_regs(s, &ks);
	site = index_at(in, n, in[0].address + ks.offset);
	drop = site + 1 < n ? index_at(in, n, a64_target(&in[site + 1])) : n;
	pol = ks.policy_offset ?
		      index_at(in, n, in[0].address + ks.policy_offset) :
		      n;
	if (drop >= n || pol >= n) {
		snprintf(why, len,
			 "nft_do_chain+%#llx: no drop block with one branch "
			 "of the policy's to it",
			 (unsigned long long)ks.offset);
		return -1;
	}
	if (free_call(in, n, drop, s, why, len))
		return -1;
	s->shared = 1;
	s->policy_call = in[pol].address;
	s->policy_ret = s->rule_ret;
	if (policy_base(in, pol, s)) {
		snprintf(why, len,
			 "no base chain policy read (ldr xB, [sp, #N]; ldurb "
			 "wP, [xB, #-K]) before the policy's branch at "
			 "nft_do_chain+%#llx",
			 (unsigned long long)ks.policy_offset);
		return -1;
	}
	jump_stack(in, n, s);
	return 0;
}

int nfd_nft_sites_find_arm64(const uint8_t *code, size_t size, uint64_t addr,
			     struct nfd_nft_sites *s, char *why, size_t len)
{
	cs_insn *in = NULL;
	size_t n;
	csh h;
	int err;

	memset(s, 0, sizeof(*s));
	s->base_reg = -1;
	snprintf(s->sp_name, sizeof(s->sp_name), "sp");
	if (cs_open(CS_ARCH_ARM64, CS_MODE_ARM, &h) != CS_ERR_OK) {
		snprintf(why, len, "capstone: cs_open (ARM64) failed");
		return -1;
	}
	cs_option(h, CS_OPT_DETAIL, CS_OPT_ON);
	cs_option(h, CS_OPT_SKIPDATA, CS_OPT_ON);
	n = cs_disasm(h, code, size & ~(size_t)3, addr, 0, &in);
	if (!n) {
		snprintf(why, len, "capstone: cannot decode nft_do_chain");
		err = -1;
	} else {
		err = analyse(in, n, code, size, s, why, len);
	}
	cs_free(in, n);
	cs_close(&h);
	return err;
}
