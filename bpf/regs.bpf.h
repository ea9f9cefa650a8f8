/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A kprobe's registers by index, for the backends whose registers are
 * found in the kernel's code (kprobe, dropsite): userspace passes indexes
 * in struct pt_regs order (capture/backend/kprobe_site.h): x86-64 or arm64.
 */
#ifndef NFD_REGS_BPF_H
#define NFD_REGS_BPF_H

#include "nfdropcap.h" /* NFD_NREGS */

/*
 * Register @i of @ctx. Every register is loaded at a constant offset (the
 * verifier refuses a computed offset into the context), then picked.
 */
/*
 * A kprobe's first three arguments and its stack pointer, a kretprobe's
 * return value, per arch.
 */
#if defined(__TARGET_ARCH_arm64)
#define nfd_arg1(ctx) ((ctx)->regs[0])
#define nfd_arg2(ctx) ((ctx)->regs[1])
#define nfd_arg3(ctx) ((ctx)->regs[2])
#define nfd_ret(ctx) ((ctx)->regs[0])
#define nfd_sp(ctx) ((ctx)->sp)
#else
#define nfd_arg1(ctx) ((ctx)->di)
#define nfd_arg2(ctx) ((ctx)->si)
#define nfd_arg3(ctx) ((ctx)->dx)
#define nfd_ret(ctx) ((ctx)->ax)
#define nfd_sp(ctx) ((ctx)->sp)
#endif

#if defined(__TARGET_ARCH_arm64)
/*
 * A function of its own: its 256-byte copy of the registers is then not
 * in the caller's frame, on top of a loop callback's (the verifier's 512
 * bytes for a whole call chain: backend dropsite's on 6.1).
 */
static __noinline __u64 nfd_reg(struct pt_regs *ctx, __u32 i)
{
	__u64 r[32] = { 0 };

	for (int k = 0; k < NFD_NREGS; k++)
		r[k] = ctx->regs[k];
	asm volatile("" : "+r"(i));
	return r[i & 31];
}
#else
static __always_inline __u64 nfd_reg(struct pt_regs *ctx, __u32 i)
{
	__u64 r[16] = { ctx->r15, ctx->r14, ctx->r13, ctx->r12, ctx->bp,
			ctx->bx,  ctx->r11, ctx->r10, ctx->r9,	ctx->r8,
			ctx->ax,  ctx->cx,  ctx->dx,  ctx->si,	ctx->di };

	asm volatile("" : "+r"(i));
	return r[i & 15];
}
#endif

#endif /* NFD_REGS_BPF_H */
