// SPDX-License-Identifier: GPL-2.0
/*
 * Classic BPF to eBPF, for the trace table's filter when it is longer
 * than the 64 instructions xt_bpf takes as bytecode: xt_bpf revision 1
 * runs a loaded socket filter instead.
 *
 * The classic machine maps onto eBPF registers: A is R0 (where the
 * legacy packet loads BPF_LD|BPF_ABS/BPF_IND put their result), X is R7,
 * the socket buffer (the context those loads need) R6, scratch R8, and
 * M[0..15] the 64 bytes below the frame pointer. Loads past the packet
 * end the program with 0, as in classic BPF; so does a division by X = 0.
 * Arithmetic and compares are 32-bit (BPF_ALU, BPF_JMP32), as classic
 * BPF's are.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>

#include "cbpf.h"

#define REG_A BPF_REG_0
#define REG_X BPF_REG_7
#define REG_TMP BPF_REG_8
#define REG_CTX BPF_REG_6
#define MEM_OFF(k) ((int16_t)(-64 + 4 * (int)(k)))
#define CBPF_MEMWORDS 16

static struct bpf_insn op(uint8_t code, uint8_t dst, uint8_t src, int16_t off,
			  int32_t imm)
{
	struct bpf_insn i = {
		.code = code,
		.dst_reg = dst,
		.src_reg = src,
		.off = off,
		.imm = imm,
	};

	return i;
}

static bool uses_memory(const struct sock_filter *in, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		uint16_t c = in[i].code;

		if ((BPF_CLASS(c) == BPF_LD || BPF_CLASS(c) == BPF_LDX) &&
		    BPF_MODE(c) == BPF_MEM)
			return true;
	}
	return false;
}

/* How many eBPF instructions classic instruction @c becomes; 0: refused. */
static int expand_len(const struct sock_filter *c)
{
	uint16_t code = c->code;

	switch (BPF_CLASS(code)) {
	case BPF_LD:
		switch (BPF_MODE(code)) {
		case BPF_ABS:
		case BPF_IND:
			return (int32_t)c->k < 0 ? 0 : 1; /* no ancillary */
		case BPF_IMM:
		case BPF_MEM:
			return BPF_MODE(code) == BPF_MEM && c->k >= 16 ? 0 : 1;
		}
		return 0;
	case BPF_LDX:
		switch (BPF_MODE(code)) {
		case BPF_IMM:
			return 1;
		case BPF_MEM:
			return c->k < CBPF_MEMWORDS ? 1 : 0;
		case BPF_MSH:
			return (int32_t)c->k < 0 ? 0 : 6;
		}
		return 0;
	case BPF_ST:
	case BPF_STX:
		return c->k < CBPF_MEMWORDS ? 1 : 0;
	case BPF_ALU:
		if (BPF_OP(code) == BPF_DIV || BPF_OP(code) == BPF_MOD)
			return BPF_SRC(code) == BPF_X ? 4 : (c->k ? 1 : 0);
		if ((BPF_OP(code) == BPF_LSH || BPF_OP(code) == BPF_RSH) &&
		    BPF_SRC(code) == BPF_K && c->k >= 32)
			return 0;
		return 1;
	case BPF_JMP:
		if (BPF_OP(code) == BPF_JA)
			return 1;
		return c->jf ? 2 : 1;
	case BPF_RET:
		return BPF_RVAL(code) == BPF_K ? 2 :
		       BPF_RVAL(code) == BPF_A ? 1 :
						 0;
	case BPF_MISC:
		return BPF_MISCOP(code) == BPF_TAX ||
				       BPF_MISCOP(code) == BPF_TXA ?
			       1 :
			       0;
	}
	return 0;
}

static int emit_ld(const struct sock_filter *c, struct bpf_insn *o)
{
	uint8_t size = BPF_SIZE(c->code);

	switch (BPF_MODE(c->code)) {
	case BPF_ABS:
		o[0] = op(BPF_LD | BPF_ABS | size, 0, 0, 0, (int32_t)c->k);
		break;
	case BPF_IND:
		o[0] = op(BPF_LD | BPF_IND | size, 0, REG_X, 0, (int32_t)c->k);
		break;
	case BPF_IMM:
		o[0] = op(BPF_ALU | BPF_MOV | BPF_K, REG_A, 0, 0,
			  (int32_t)c->k);
		break;
	default: /* BPF_MEM */
		o[0] = op(BPF_LDX | BPF_MEM | BPF_W, REG_A, BPF_REG_10,
			  MEM_OFF(c->k), 0);
		break;
	}
	return 1;
}

static int emit_ldx(const struct sock_filter *c, struct bpf_insn *o)
{
	switch (BPF_MODE(c->code)) {
	case BPF_IMM:
		o[0] = op(BPF_ALU | BPF_MOV | BPF_K, REG_X, 0, 0,
			  (int32_t)c->k);
		return 1;
	case BPF_MEM:
		o[0] = op(BPF_LDX | BPF_MEM | BPF_W, REG_X, BPF_REG_10,
			  MEM_OFF(c->k), 0);
		return 1;
	}
	/* BPF_MSH: X = 4 * (P[k] & 0xf), A kept in the scratch register */
	o[0] = op(BPF_ALU64 | BPF_MOV | BPF_X, REG_TMP, REG_A, 0, 0);
	o[1] = op(BPF_LD | BPF_ABS | BPF_B, 0, 0, 0, (int32_t)c->k);
	o[2] = op(BPF_ALU | BPF_AND | BPF_K, BPF_REG_0, 0, 0, 0xf);
	o[3] = op(BPF_ALU | BPF_LSH | BPF_K, BPF_REG_0, 0, 0, 2);
	o[4] = op(BPF_ALU | BPF_MOV | BPF_X, REG_X, BPF_REG_0, 0, 0);
	o[5] = op(BPF_ALU64 | BPF_MOV | BPF_X, REG_A, REG_TMP, 0, 0);
	return 6;
}

static int emit_alu(const struct sock_filter *c, struct bpf_insn *o)
{
	uint8_t alu = BPF_OP(c->code), src = BPF_SRC(c->code);
	int n = 0;

	if (alu == BPF_NEG) {
		o[0] = op(BPF_ALU | BPF_NEG, REG_A, 0, 0, 0);
		return 1;
	}
	if ((alu == BPF_DIV || alu == BPF_MOD) && src == BPF_X) {
		/* classic BPF returns 0 on a division by zero */
		o[n++] = op(BPF_JMP32 | BPF_JNE | BPF_K, REG_X, 0, 2, 0);
		o[n++] = op(BPF_ALU | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0);
		o[n++] = op(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	}
	if (src == BPF_X)
		o[n++] = op(BPF_ALU | alu | BPF_X, REG_A, REG_X, 0, 0);
	else
		o[n++] = op(BPF_ALU | alu | BPF_K, REG_A, 0, 0, (int32_t)c->k);
	return n;
}

/* @pos: where each classic instruction starts; @at: this one's index */
static int emit_jmp(const struct sock_filter *c, unsigned int i, const int *pos,
		    int at, struct bpf_insn *o)
{
	uint8_t jmp = BPF_OP(c->code), src = BPF_SRC(c->code);
	int t, f;

	if (jmp == BPF_JA) {
		o[0] = op(BPF_JMP | BPF_JA, 0, 0,
			  (int16_t)(pos[i + 1 + c->k] - (at + 1)), 0);
		return 1;
	}
	t = pos[i + 1 + c->jt] - (at + 1);
	if (src == BPF_X)
		o[0] = op(BPF_JMP32 | jmp | BPF_X, REG_A, REG_X, (int16_t)t, 0);
	else
		o[0] = op(BPF_JMP32 | jmp | BPF_K, REG_A, 0, (int16_t)t,
			  (int32_t)c->k);
	if (!c->jf)
		return 1;
	f = pos[i + 1 + c->jf] - (at + 2);
	o[1] = op(BPF_JMP | BPF_JA, 0, 0, (int16_t)f, 0);
	return 2;
}

static int emit(const struct sock_filter *c, unsigned int i, const int *pos,
		int at, struct bpf_insn *o)
{
	switch (BPF_CLASS(c->code)) {
	case BPF_LD:
		return emit_ld(c, o);
	case BPF_LDX:
		return emit_ldx(c, o);
	case BPF_ST:
	case BPF_STX:
		o[0] = op(BPF_STX | BPF_MEM | BPF_W, BPF_REG_10,
			  BPF_CLASS(c->code) == BPF_ST ? REG_A : REG_X,
			  MEM_OFF(c->k), 0);
		return 1;
	case BPF_ALU:
		return emit_alu(c, o);
	case BPF_JMP:
		return emit_jmp(c, i, pos, at, o);
	case BPF_RET:
		if (BPF_RVAL(c->code) == BPF_K) {
			o[0] = op(BPF_ALU | BPF_MOV | BPF_K, BPF_REG_0, 0, 0,
				  (int32_t)c->k);
			o[1] = op(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
			return 2;
		}
		o[0] = op(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
		return 1;
	default: /* BPF_MISC */
		if (BPF_MISCOP(c->code) == BPF_TAX)
			o[0] = op(BPF_ALU | BPF_MOV | BPF_X, REG_X, REG_A, 0,
				  0);
		else
			o[0] = op(BPF_ALU | BPF_MOV | BPF_X, REG_A, REG_X, 0,
				  0);
		return 1;
	}
}

static int prologue(const struct sock_filter *in, unsigned int n,
		    struct bpf_insn *o)
{
	int at = 0;

	o[at++] = op(BPF_ALU64 | BPF_MOV | BPF_X, REG_CTX, BPF_REG_1, 0, 0);
	o[at++] = op(BPF_ALU | BPF_MOV | BPF_K, REG_A, 0, 0, 0);
	o[at++] = op(BPF_ALU | BPF_MOV | BPF_K, REG_X, 0, 0, 0);
	if (uses_memory(in, n))
		for (int k = 0; k < CBPF_MEMWORDS; k++)
			o[at++] = op(BPF_ST | BPF_MEM | BPF_W, BPF_REG_10, 0,
				     MEM_OFF(k), 0);
	return at;
}

/* Where each instruction starts (pos[n]: the end), or -1 if refused. */
static int layout(const struct sock_filter *in, unsigned int n, int start,
		  int *pos, char *why, size_t len)
{
	pos[0] = start;
	for (unsigned int i = 0; i < n; i++) {
		int l = expand_len(&in[i]);

		if (!l) {
			snprintf(why, len,
				 "classic instruction %u (code 0x%02x k %u) "
				 "not translated",
				 i, in[i].code, in[i].k);
			return -1;
		}
		if (BPF_CLASS(in[i].code) == BPF_JMP &&
		    (BPF_OP(in[i].code) == BPF_JA ?
			     in[i].k >= n - i - 1 :
			     in[i].jt >= n - i - 1 || in[i].jf >= n - i - 1)) {
			snprintf(why, len,
				 "classic instruction %u jumps out of the "
				 "program",
				 i);
			return -1;
		}
		pos[i + 1] = pos[i] + l;
	}
	return 0;
}

int nfd_cbpf_translate(const struct sock_filter *in, unsigned int n,
		       struct bpf_insn *out, char *why, size_t len)
{
	static int pos[BPF_MAXINSNS + 1];
	int at;

	if (!n || n > BPF_MAXINSNS) {
		snprintf(why, len, "%u classic instructions", n);
		return -1;
	}
	at = prologue(in, n, out);
	if (layout(in, n, at, pos, why, len))
		return -1;
	for (unsigned int i = 0; i < n; i++)
		at += emit(&in[i], i, pos, at, out + at);
	return at;
}

int nfd_cbpf_load(const struct sock_filter *in, unsigned int n, char *why,
		  size_t len)
{
	struct bpf_insn *out =
		calloc(CBPF_PROLOGUE + (size_t)n * CBPF_EXPAND, sizeof(*out));
	int cnt, fd;

	if (!out)
		return -ENOMEM;
	cnt = nfd_cbpf_translate(in, n, out, why, len);
	if (cnt < 0) {
		fd = -EINVAL;
		goto free;
	}
	fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "nfd_filter", "GPL",
			   out, (size_t)cnt, NULL);
	if (fd < 0)
		snprintf(why, len, "loading the filter as a socket filter: %s",
			 strerror(-fd));
free:
	free(out);
	return fd;
}

int nfd_cbpf_run(int fd, uint16_t ethertype, const void *pkt, size_t len,
		 uint32_t *ret)
{
	uint8_t frame[14 + 1500] = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame,
		    .data_size_in = (uint32_t)(14 + len), .repeat = 1);
	uint16_t type = htons(ethertype);
	int err;

	if (len > sizeof(frame) - 14)
		return -EMSGSIZE;
	memcpy(frame + 12, &type, 2);
	memcpy(frame + 14, pkt, len);
	err = bpf_prog_test_run_opts(fd, &opts);
	if (err)
		return err;
	*ret = opts.retval;
	return 0;
}
