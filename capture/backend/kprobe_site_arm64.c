// SPDX-License-Identifier: GPL-2.0
/*
 * Where nft_do_chain acts on a verdict, in AArch64 code (capstone's ARM64
 * mode): the arm64 half of kprobe_site.c, where the seed technique was
 * first done by hand. The shapes, from Debian's arm64 builds:
 *
 *	ldr   w2, [sp, #88]		regs.verdict.code, from the frame
 *	ands  w0, w2, #0xff		switch (code & NF_VERDICT_MASK)
 *	b.eq  <drop>			case NF_DROP (0)
 *
 * The probe goes on the "ands": its source register holds the verdict.
 * The same test appears a second time, after __nft_trace_verdict, as
 * "ands; b.ne" (taken while any nftrace rule exists, the static key being
 * global): the "b.eq" form is the site, the other its trace copy, probed
 * too. Rule and policy drops share one drop block (and one free): the
 * policy's own branch to it is found, so that a probe there names policy
 * drops as such. The rule register is the one
 * nft_rule_next() reads a rule's dlen through ("ldr xA, [xR]" then
 * "ubfx xB, xA, #1, #12": the u64 bitfield is_last:1, dlen:12); the packet
 * info is the callee-saved register the prologue copies x0 into. Nothing
 * here depends on a call's target: in a module, calls may go through a PLT
 * veneer. The result is a guess until the canary proves it.
 */
#include <stdio.h>
#include <string.h>

#include "a64_insn.h"
#include "kprobe_site.h"

#define A64_NREGS 31 /* x0 ... x30, in struct pt_regs order */

/* "ands wD, wS, #0xff ; BRANCH" (b.eq: the site; b.ne: its trace copy)? */
static bool verdict_test(const cs_insn *in, size_t i, size_t n,
			 const char *branch)
{
	return i + 1 < n && a64_named(&in[i], "ands") &&
	       a64_is_reg(a64_op(&in[i], 0)) && a64_is_reg(a64_op(&in[i], 1)) &&
	       a64_is_imm(a64_op(&in[i], 2), 0xff) && a64_named(&in[i + 1], branch);
}

/*
 * The trace copy of the test at @site: "ands" of the same verdict register
 * then "b.ne". Its offset, or 0.
 */
static uint64_t trace_copy(const cs_insn *in, size_t n, size_t site)
{
	for (size_t i = 0; i < n; i++)
		if (i != site && verdict_test(in, i, n, "b.ne") &&
		    a64_index(a64_op(&in[i], 1)->reg) ==
			    a64_index(a64_op(&in[site], 1)->reg))
			return in[i].address;
	return 0;
}

/*
 * Where rule and policy drops share one drop block (Debian's arm64 6.1 and
 * 6.12 free both with one call), the policy reaches it by the one plain
 * "b <drop>" (after "ldurb wP, [xB, #-16]; cbnz wP"): its offset, or 0
 * if there is not exactly one.
 */
static uint64_t policy_branch(const cs_insn *in, size_t n, size_t site)
{
	uint64_t drop = a64_target(&in[site + 1]), found = 0;

	for (size_t i = 0; i < n && drop; i++) {
		if (!a64_named(&in[i], "b") || a64_target(&in[i]) != drop)
			continue;
		if (found)
			return 0;
		found = in[i].address;
	}
	return found;
}

/*
 * nft_rule_next()'s "ldr xA, [xR]" (no offset, no writeback) followed
 * within three instructions by "ubfx xB, xA, #1, #12": R's index, or -1.
 */
static int rule_read(const cs_insn *in, size_t i, size_t n)
{
	const cs_arm64_op *dst = a64_op(&in[i], 0), *src = a64_op(&in[i], 1);

	if (!a64_named(&in[i], "ldr") || a64_op(&in[i], 2) ||
	    in[i].detail->arm64.writeback || !a64_is_reg(dst) || !src ||
	    src->type != ARM64_OP_MEM || src->mem.disp ||
	    src->mem.index != ARM64_REG_INVALID)
		return -1;
	for (size_t j = i + 1; j < n && j <= i + 3; j++) {
		const cs_arm64_op *s = a64_op(&in[j], 1);

		if (a64_named(&in[j], "ubfx") && a64_is_reg(s) &&
		    a64_index(s->reg) == a64_index(dst->reg) &&
		    a64_is_imm(a64_op(&in[j], 2), 1) && a64_is_imm(a64_op(&in[j], 3), 12))
			return a64_index(src->mem.base);
	}
	return -1;
}

/* The callee-saved register the prologue copies x0 into ("mov xN, x0"). */
static int pkt_register(const cs_insn *in, size_t n)
{
	for (size_t i = 0; i < n && i < 32; i++) {
		const cs_arm64_op *dst = a64_op(&in[i], 0), *src = a64_op(&in[i], 1);

		if (a64_named(&in[i], "mov") && a64_is_reg(dst) && a64_is_reg(src) &&
		    src->reg == ARM64_REG_X0 && a64_callee_saved(a64_index(dst->reg)))
			return a64_index(dst->reg);
	}
	return -1;
}

/* The register nft_rule_next() reads through most often before the site. */
static int rule_register(const cs_insn *in, size_t n, size_t site)
{
	int votes[A64_NREGS] = { 0 }, best = -1;

	for (size_t i = 0; i < site; i++) {
		int r = rule_read(in, i, n);

		if (a64_callee_saved(r))
			votes[r]++;
	}
	for (int r = 0; r < A64_NREGS; r++)
		if (votes[r] && (best < 0 || votes[r] > votes[best]))
			best = r;
	return best;
}

static int analyse(const cs_insn *in, size_t n, struct nfd_kprobe_site *s,
		   char *why, size_t len)
{
	size_t site = 0;

	while (site < n && !verdict_test(in, site, n, "b.eq"))
		site++;
	if (site == n) {
		snprintf(why, len,
			 "no verdict test (ands wX, wV, #0xff; b.eq) in "
			 "nft_do_chain");
		return -1;
	}
	s->offset = in[site].address;
	s->verdict_reg = a64_index(a64_op(&in[site], 1)->reg);
	s->pkt_reg = pkt_register(in, n);
	s->rule_reg = rule_register(in, n, site);
	s->trace_offset = trace_copy(in, n, site);
	s->policy_offset = policy_branch(in, n, site);
	snprintf(s->insn, sizeof(s->insn), "%.15s %.47s", in[site].mnemonic,
		 in[site].op_str);
	if (s->pkt_reg < 0 || s->rule_reg < 0) {
		snprintf(why, len,
			 "nft_do_chain+%#llx: no register found for the %s",
			 (unsigned long long)s->offset,
			 s->pkt_reg < 0 ? "packet (mov xN, x0)" :
					  "rule (nft_rule_next)");
		return -1;
	}
	snprintf(s->verdict_name, sizeof(s->verdict_name), "w%d",
		 s->verdict_reg);
	snprintf(s->rule_name, sizeof(s->rule_name), "x%d", s->rule_reg);
	snprintf(s->pkt_name, sizeof(s->pkt_name), "x%d", s->pkt_reg);
	return 0;
}

int nfd_kprobe_site_find_arm64(const uint8_t *code, size_t size,
			       struct nfd_kprobe_site *s, char *why,
			       size_t len)
{
	cs_insn *in = NULL;
	size_t n;
	csh h;
	int err;

	memset(s, 0, sizeof(*s));
	if (cs_open(CS_ARCH_ARM64, CS_MODE_ARM, &h) != CS_ERR_OK) {
		snprintf(why, len, "capstone: cs_open (ARM64) failed");
		return -1;
	}
	cs_option(h, CS_OPT_DETAIL, CS_OPT_ON);
	/* a word capstone cannot decode (a new hint) must not end the walk */
	cs_option(h, CS_OPT_SKIPDATA, CS_OPT_ON);
	n = cs_disasm(h, code, size & ~(size_t)3, 0, 0, &in);
	if (!n) {
		snprintf(why, len, "capstone: cannot decode nft_do_chain");
		err = -1;
	} else {
		err = analyse(in, n, s, why, len);
	}
	cs_free(in, n);
	cs_close(&h);
	return err;
}
