// SPDX-License-Identifier: GPL-2.0
/*
 * Reads kernel text for the kprobe backend's code analysis: run once with
 * BPF_PROG_TEST_RUN (never attached), args[0] the address, args[1] the
 * length; the bytes land in .bss. Works the same for built-in code and for
 * modules, with no /proc/kcore and no debuginfo.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "nfdropcap.h"

char LICENSE[] SEC("license") = "GPL";

__u8 text[NFD_TEXT_MAX];
long text_err;

SEC("raw_tp/sys_enter")
int nfd_read_text(__u64 *args)
{
	__u64 addr = args[0], len = args[1];

	if (len == 0 || len > NFD_TEXT_MAX) {
		text_err = -22;
		return 0;
	}
	text_err = bpf_probe_read_kernel(text, len, (const void *)addr);
	return 0;
}
