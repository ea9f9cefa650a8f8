/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel text, read by a BPF program (bpf/ktext.bpf.c) for backend kprobe's
 * code analysis. Convention: 0, or -errno with the reason in @why.
 */
#ifndef NFD_KTEXT_H
#define NFD_KTEXT_H

#include <stddef.h>
#include <stdint.h>

#define NFD_TEXT_MAX 8192

/*
 * Copies @len (<= NFD_TEXT_MAX) bytes of kernel memory at @addr into @buf.
 * 0, or -errno with the reason in @why.
 */
int nfd_ktext_read(uint64_t addr, size_t len, uint8_t *buf, char *why,
		   size_t wlen);

/* Unloads the reader nfd_ktext_read() keeps between reads. */
void nfd_ktext_release(void);

#endif /* NFD_KTEXT_H */
