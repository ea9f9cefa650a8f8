// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: classic BPF translated to eBPF (backend nftrace's long
 * filters): any program is refused or translated, and every jump of the
 * translation lands inside it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>

#include "backend/cbpf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned int n = size / sizeof(struct sock_filter);
	struct sock_filter *in;
	struct bpf_insn *out;
	char why[256];
	int cnt;

	if (!n || n > BPF_MAXINSNS)
		return 0;
	in = malloc(n * sizeof(*in));
	out = calloc(CBPF_PROLOGUE + (size_t)n * CBPF_EXPAND, sizeof(*out));
	if (in && out) {
		memcpy(in, data, n * sizeof(*in));
		cnt = nfd_cbpf_translate(in, n, out, why, sizeof(why));
		for (int i = 0; i < cnt; i++) {
			uint8_t cls = BPF_CLASS(out[i].code);
			int to = i + 1 + out[i].off;

			if ((cls == BPF_JMP || cls == BPF_JMP32) &&
			    BPF_OP(out[i].code) != BPF_CALL &&
			    BPF_OP(out[i].code) != BPF_EXIT &&
			    (to < 0 || to >= cnt))
				abort(); /* a jump out of the program */
		}
	}
	free(in);
	free(out);
	return 0;
}
