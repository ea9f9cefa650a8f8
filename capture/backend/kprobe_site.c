// SPDX-License-Identifier: GPL-2.0
/*
 * Where nft_do_chain acts on a verdict, found in its machine code with
 * capstone: the technique of ../shared/seeds (one kprobe mid-function,
 * registers read by hand from objdump), done by the program for the
 * running kernel build. x86-64 here, AArch64 in kprobe_site_arm64.c.
 *
 * After the rule loop nft_do_chain switches on the verdict:
 *
 *	switch (regs.verdict.code & NF_VERDICT_MASK) { case NF_DROP: ...
 *
 * which compiles to "and $0xff,%eXX ; je <drop>" (kernels with the
 * CVE-2024-1086 fix) or "test $0xfc,%Xl ; jne" (older ones). The probe
 * goes on that instruction: eXX holds the verdict. The rule pointer is the
 * register the loop reads a rule's dlen through ("movzwl (%rR),%eAX; shr;
 * and $0xfff" is nft_rule_next()); the packet info is the callee-saved
 * register the prologue copies %rdi (the first argument) into. The result
 * is a guess until the canary proves it (kprobe.c, canary_verify.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <capstone/capstone.h>

#include "kprobe_site.h"

/* struct pt_regs (x86-64) order, and each register's 64/32/16/8-bit names */
#define X86_NREGS 15
static const struct {
	x86_reg r[4];
} gprs[X86_NREGS] = {
	{ { X86_REG_R15, X86_REG_R15D, X86_REG_R15W, X86_REG_R15B } },
	{ { X86_REG_R14, X86_REG_R14D, X86_REG_R14W, X86_REG_R14B } },
	{ { X86_REG_R13, X86_REG_R13D, X86_REG_R13W, X86_REG_R13B } },
	{ { X86_REG_R12, X86_REG_R12D, X86_REG_R12W, X86_REG_R12B } },
	{ { X86_REG_RBP, X86_REG_EBP, X86_REG_BP, X86_REG_BPL } },
	{ { X86_REG_RBX, X86_REG_EBX, X86_REG_BX, X86_REG_BL } },
	{ { X86_REG_R11, X86_REG_R11D, X86_REG_R11W, X86_REG_R11B } },
	{ { X86_REG_R10, X86_REG_R10D, X86_REG_R10W, X86_REG_R10B } },
	{ { X86_REG_R9, X86_REG_R9D, X86_REG_R9W, X86_REG_R9B } },
	{ { X86_REG_R8, X86_REG_R8D, X86_REG_R8W, X86_REG_R8B } },
	{ { X86_REG_RAX, X86_REG_EAX, X86_REG_AX, X86_REG_AL } },
	{ { X86_REG_RCX, X86_REG_ECX, X86_REG_CX, X86_REG_CL } },
	{ { X86_REG_RDX, X86_REG_EDX, X86_REG_DX, X86_REG_DL } },
	{ { X86_REG_RSI, X86_REG_ESI, X86_REG_SI, X86_REG_SIL } },
	{ { X86_REG_RDI, X86_REG_EDI, X86_REG_DI, X86_REG_DIL } },
};

/* pt_regs index of any form of a general register, or -1 */
static int gpr_index(x86_reg reg)
{
	for (int i = 0; i < X86_NREGS; i++)
		for (int w = 0; w < 4; w++)
			if (gprs[i].r[w] == reg)
				return i;
	return -1;
}

int nfd_x86_reg_index(unsigned int reg)
{
	return gpr_index((x86_reg)reg);
}

static bool callee_saved(int idx)
{
	return idx >= 0 && idx <= 5; /* r15 r14 r13 r12 rbp rbx */
}

static const cs_x86_op *op(const cs_insn *in, int n)
{
	const cs_x86 *x = &in->detail->x86;

	return n < x->op_count ? &x->operands[n] : NULL;
}

static bool is_reg(const cs_x86_op *o)
{
	return o && o->type == X86_OP_REG;
}

static bool is_imm(const cs_x86_op *o, int64_t v)
{
	return o && o->type == X86_OP_IMM && o->imm == v;
}

/* "and $0xff,%eXX ; je" or "test $0xfc,%Xl ; jne" at @i? */
static bool verdict_test(const cs_insn *in, size_t i, size_t n)
{
	if (i + 1 >= n || !is_reg(op(&in[i], 0)))
		return false;
	if (in[i].id == X86_INS_AND && is_imm(op(&in[i], 1), 0xff))
		return in[i + 1].id == X86_INS_JE;
	if (in[i].id == X86_INS_TEST && is_imm(op(&in[i], 1), 0xfc))
		return in[i + 1].id == X86_INS_JNE;
	return false;
}

/* nft_rule_next()'s "movzwl (%rR),%eAX" (then "and $0xfff") at @i? */
static int rule_read(const cs_insn *in, size_t i, size_t n)
{
	const cs_x86_op *src = op(&in[i], 1);

	if (in[i].id != X86_INS_MOVZX || !src || src->type != X86_OP_MEM ||
	    src->size != 2 || src->mem.disp ||
	    src->mem.index != X86_REG_INVALID)
		return -1;
	for (size_t j = i + 1; j < n && j <= i + 3; j++)
		if (in[j].id == X86_INS_AND && is_imm(op(&in[j], 1), 0xfff))
			return gpr_index(src->mem.base);
	return -1;
}

/* The callee-saved register the prologue copies %rdi into. */
static int pkt_register(const cs_insn *in, size_t n)
{
	for (size_t i = 0; i < n && i < 32; i++) {
		const cs_x86_op *dst = op(&in[i], 0), *src = op(&in[i], 1);

		if (in[i].id == X86_INS_MOV && is_reg(dst) && is_reg(src) &&
		    src->reg == X86_REG_RDI &&
		    callee_saved(gpr_index(dst->reg)))
			return gpr_index(dst->reg);
	}
	return -1;
}

/*
 * The rule register: the one nft_rule_next() reads through most often
 * before the verdict test (each rule loop has its own copy of it).
 */
static int rule_register(const cs_insn *in, size_t n, size_t site)
{
	int votes[X86_NREGS] = { 0 }, best = -1;

	for (size_t i = 0; i < site; i++) {
		int r = rule_read(in, i, n);

		if (callee_saved(r))
			votes[r]++;
	}
	for (int r = 0; r < X86_NREGS; r++)
		if (votes[r] && (best < 0 || votes[r] > votes[best]))
			best = r;
	return best;
}

static void name_reg(csh h, x86_reg reg, char *out, size_t len)
{
	snprintf(out, len, "%s", cs_reg_name(h, reg));
}

static int analyse(csh h, const cs_insn *in, size_t n,
		   struct nfd_kprobe_site *s, char *why, size_t len)
{
	size_t site = 0;

	while (site < n && !verdict_test(in, site, n))
		site++;
	if (site == n) {
		snprintf(why, len,
			 "no verdict test (and $0xff,%%reg; je) in "
			 "nft_do_chain");
		return -1;
	}
	s->offset = in[site].address;
	s->verdict_reg = gpr_index(op(&in[site], 0)->reg);
	name_reg(h, op(&in[site], 0)->reg, s->verdict_name,
		 sizeof(s->verdict_name));
	snprintf(s->insn, sizeof(s->insn), "%.15s %.47s", in[site].mnemonic,
		 in[site].op_str);
	s->pkt_reg = pkt_register(in, n);
	s->rule_reg = rule_register(in, n, site);
	if (s->verdict_reg < 0 || s->pkt_reg < 0 || s->rule_reg < 0) {
		snprintf(why, len,
			 "nft_do_chain+%#llx: no register found for the %s",
			 (unsigned long long)s->offset,
			 s->verdict_reg < 0 ? "verdict" :
			 s->pkt_reg < 0	    ? "packet (mov %rdi,...)" :
					      "rule (nft_rule_next)");
		return -1;
	}
	name_reg(h, gprs[s->rule_reg].r[0], s->rule_name, sizeof(s->rule_name));
	name_reg(h, gprs[s->pkt_reg].r[0], s->pkt_name, sizeof(s->pkt_name));
	return 0;
}

int nfd_kprobe_site_find(const uint8_t *code, size_t size, enum nfd_isa isa,
			 struct nfd_kprobe_site *s, char *why, size_t len)
{
	cs_insn *in = NULL;
	size_t n;
	csh h;
	int err;

	if (isa == NFD_ISA_ARM64)
		return nfd_kprobe_site_find_arm64(code, size, s, why, len);
	memset(s, 0, sizeof(*s));
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK) {
		snprintf(why, len, "capstone: cs_open failed");
		return -1;
	}
	cs_option(h, CS_OPT_DETAIL, CS_OPT_ON);
	/* offsets from the function's start: address 0 */
	n = cs_disasm(h, code, size, 0, 0, &in);
	if (!n) {
		snprintf(why, len, "capstone: cannot decode nft_do_chain");
		err = -1;
	} else {
		err = analyse(h, in, n, s, why, len);
	}
	cs_free(in, n);
	cs_close(&h);
	return err;
}

void nfd_kprobe_site_text(const struct nfd_kprobe_site *s, char *buf,
			  size_t len)
{
	size_t n;

	snprintf(buf, len,
		 "nft_do_chain+%#llx (%s): verdict %s, rule %s, pkt %s",
		 (unsigned long long)s->offset, s->insn, s->verdict_name,
		 s->rule_name, s->pkt_name);
	n = strlen(buf);
	if (s->trace_offset && n < len)
		snprintf(buf + n, len - n, "; its trace copy at +%#llx",
			 (unsigned long long)s->trace_offset);
	n = strlen(buf);
	if (s->policy_offset && n < len)
		snprintf(buf + n, len - n, "; policy drops branch at +%#llx",
			 (unsigned long long)s->policy_offset);
}

/* "x25", "w2": the pt_regs index (x0 first), or -1 */
static int arm64_reg_index(const char *name)
{
	char *end;
	long v;

	if (name[0] != 'x' && name[0] != 'w')
		return -1;
	v = strtol(name + 1, &end, 10);
	if (end == name + 1 || *end || v < 0 || v > 30 ||
	    (name[1] == '0' && name[2]))
		return -1;
	return (int)v;
}

int nfd_reg_index(enum nfd_isa isa, const char *name)
{
	csh h;
	int idx = -1;

	if (isa == NFD_ISA_ARM64)
		return arm64_reg_index(name);
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK)
		return -1;
	for (int i = 0; i < X86_NREGS && idx < 0; i++)
		for (int w = 0; w < 4; w++)
			if (!strcmp(cs_reg_name(h, gprs[i].r[w]), name))
				idx = i;
	cs_close(&h);
	return idx;
}
