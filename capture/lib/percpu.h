/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's per-CPU variables, from its BTF: each one's offset in
 * section .data..percpu. Every CPU's copy of that section holds them at
 * the same distances from each other, so from one variable's address on a
 * CPU (which a BPF program can find) any other's follows, with no need of
 * kallsyms (which lists data only with CONFIG_KALLSYMS_ALL, not on Debian's
 * 6.1 arm64 kernels). Nothing is printed.
 */
#ifndef NFD_PERCPU_H
#define NFD_PERCPU_H

#include <stddef.h>
#include <stdint.h>

/*
 * The offsets of the @n per-CPU variables @names into @off, in one pass
 * over the running kernel's BTF. 0, or -ENOENT if one is not there, or
 * another -errno (no BTF).
 */
int nfd_percpu_offsets(const char *const *names, size_t n, uint64_t *off);

#endif /* NFD_PERCPU_H */
