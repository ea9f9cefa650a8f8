/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Classic BPF (a capture filter, as pcap compiles it) translated to an
 * eBPF socket filter, for filters longer than xt_bpf's bytecode mode
 * takes (see cbpf.c).
 *
 * Convention: a file descriptor or 0, else -errno with the reason in the
 * caller's buffer; nothing is printed.
 */
#ifndef NFD_CBPF_H
#define NFD_CBPF_H

#include <stddef.h>
#include <stdint.h>
#include <linux/filter.h>

struct bpf_insn; /* eBPF's (linux/bpf.h), not pcap's classic one */

#define CBPF_EXPAND 6 /* the most eBPF instructions of one classic one */
#define CBPF_PROLOGUE 20

/*
 * Translates @n classic instructions into @out (room for CBPF_PROLOGUE +
 * @n * CBPF_EXPAND). Returns how many eBPF instructions, or -1 with why.
 */
int nfd_cbpf_translate(const struct sock_filter *in, unsigned int n,
		       struct bpf_insn *out, char *why, size_t len);

/*
 * Translates @n classic instructions and loads them as a socket filter.
 * Returns its fd, or -errno with why in @why (an instruction it does not
 * take, or the kernel's refusal).
 */
int nfd_cbpf_load(const struct sock_filter *in, unsigned int n, char *why,
		  size_t len);

/*
 * Runs socket filter @fd once on IP packet @pkt of @len bytes (behind an
 * Ethernet header of @ethertype), as the kernel does (BPF_PROG_TEST_RUN).
 * Returns 0 with what it returned in @ret, or -errno. For the tests.
 */
int nfd_cbpf_run(int fd, uint16_t ethertype, const void *pkt, size_t len,
		 uint32_t *ret);

#endif /* NFD_CBPF_H */
