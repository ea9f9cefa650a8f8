/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading AArch64 instructions decoded by capstone (ARM64 mode): what the
 * arm64 analyses (kprobe_site_arm64.c, dropsite_site_arm64.c) share.
 * Registers by their struct pt_regs index (x0 ... x30).
 */
#ifndef NFD_A64_INSN_H
#define NFD_A64_INSN_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <capstone/capstone.h>

/* pt_regs index of wN or xN, or -1 (sp, xzr and the rest) */
static inline int a64_index(arm64_reg r)
{
	if (r >= ARM64_REG_W0 && r <= ARM64_REG_W30)
		return r - ARM64_REG_W0;
	if (r >= ARM64_REG_X0 && r <= ARM64_REG_X28)
		return r - ARM64_REG_X0;
	if (r == ARM64_REG_X29)
		return 29;
	if (r == ARM64_REG_X30)
		return 30;
	return -1;
}

static inline bool a64_callee_saved(int idx)
{
	return idx >= 19 && idx <= 28;
}

/* operand @n of @in, or NULL (none, or a word skipped as data) */
static inline const cs_arm64_op *a64_op(const cs_insn *in, int n)
{
	const cs_arm64 *a = in->detail ? &in->detail->arm64 : NULL;

	return a && n < a->op_count ? &a->operands[n] : NULL;
}

static inline bool a64_is_reg(const cs_arm64_op *o)
{
	return o && o->type == ARM64_OP_REG && a64_index(o->reg) >= 0;
}

static inline bool a64_is_imm(const cs_arm64_op *o, int64_t v)
{
	return o && o->type == ARM64_OP_IMM && o->imm == v;
}

static inline bool a64_named(const cs_insn *in, const char *mnemonic)
{
	return !strcmp(in->mnemonic, mnemonic);
}

/* The target of branch @in (its last operand, an address), or 0. */
static inline uint64_t a64_target(const cs_insn *in)
{
	const cs_arm64_op *o = NULL;

	for (int k = 0; a64_op(in, k); k++)
		o = a64_op(in, k);
	return o && o->type == ARM64_OP_IMM ? (uint64_t)o->imm : 0;
}

/* "[sp, #N]" with no index and no writeback: N, else -1 */
static inline int64_t a64_sp_slot(const cs_insn *in, const cs_arm64_op *m)
{
	if (!m || m->type != ARM64_OP_MEM || m->mem.base != ARM64_REG_SP ||
	    m->mem.index != ARM64_REG_INVALID || m->mem.disp < 0 ||
	    in->detail->arm64.writeback)
		return -1;
	return m->mem.disp;
}

#endif /* NFD_A64_INSN_H */
