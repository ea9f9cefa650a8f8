/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A kprobe's registers by index, for the backends whose registers are
 * found in the kernel's code (kprobe, dropsite): userspace passes indexes
 * in struct pt_regs order (capture/backend/kprobe_site.h). x86-64.
 */
#ifndef NFD_REGS_BPF_H
#define NFD_REGS_BPF_H

#include "nfdropcap.h" /* NFD_NREGS */

/*
 * Register @i of @ctx. Every register is loaded at a constant offset (the
 * verifier refuses a computed offset into the context), then picked.
 */
static __always_inline __u64 nfd_reg(struct pt_regs *ctx, __u32 i)
{
	__u64 r[16] = { ctx->r15, ctx->r14, ctx->r13, ctx->r12, ctx->bp,
			ctx->bx,  ctx->r11, ctx->r10, ctx->r9,	ctx->r8,
			ctx->ax,  ctx->cx,  ctx->dx,  ctx->si,	ctx->di };

	asm volatile("" : "+r"(i));
	return r[i & 15];
}

#endif /* NFD_REGS_BPF_H */
