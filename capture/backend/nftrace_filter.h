/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What of the capture filter the kernel can test before it traces a
 * packet (backend nftrace): the expression compiled for raw IP, run by
 * xt_bpf in the trace table (nftrace_table.c). "Narrowing": tracing only
 * what the filter can match.
 *
 * Convention: 0, or -1 with the reason in @why; nothing is printed.
 */
#ifndef NFD_NFTRACE_FILTER_H
#define NFD_NFTRACE_FILTER_H

#include <stddef.h>
#include <stdint.h>
#include <linux/filter.h>

#define NFD_NARROW_BYTECODE 64 /* XT_BPF_MAX_NUM_INSTR */

struct nfd_narrow {
	unsigned int len; /* classic instructions; 0: trace every packet */
	struct sock_filter insn[BPF_MAXINSNS];
	int prog_fd; /* len > NFD_NARROW_BYTECODE: as a socket filter */
};

/*
 * Compiles @expr for the trace rule (loads it as a socket filter when it
 * is longer than xt_bpf's bytecode). Returns 0 with @n filled, or -1 with
 * @n->len = 0 and why the filter cannot narrow tracing in @why.
 */
int nfd_narrow_compile(const char *expr, struct nfd_narrow *n, char *why,
		       size_t len);
/* Frees what nfd_narrow_compile loaded. */
void nfd_narrow_release(struct nfd_narrow *n);

#endif /* NFD_NFTRACE_FILTER_H */
