// SPDX-License-Identifier: GPL-2.0
/* Kernel text, read by a BPF program run once (BPF_PROG_TEST_RUN). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "ktext.h"
#include "ktext.skel.h"

/* Kept loaded between reads of one analysis: nfd_ktext_release() frees it. */
static struct ktext_bpf *skel;

void nfd_ktext_release(void)
{
	ktext_bpf__destroy(skel);
	skel = NULL;
}

int nfd_ktext_read(uint64_t addr, size_t len, uint8_t *buf, char *why,
		   size_t wlen)
{
	uint64_t args[2] = { addr, len };
	LIBBPF_OPTS(bpf_test_run_opts, run, .ctx_in = args,
		    .ctx_size_in = sizeof(args));
	int err;

	if (!skel)
		skel = ktext_bpf__open_and_load();
	if (!skel) {
		err = -errno;
		snprintf(why, wlen, "loading the text reader: %s",
			 strerror(errno));
		return err;
	}
	err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.nfd_read_text),
				     &run);
	if (err) {
		err = -errno;
		snprintf(why, wlen, "running the text reader: %s",
			 strerror(errno));
	} else if (skel->bss->text_err) {
		err = (int)skel->bss->text_err;
		snprintf(why, wlen, "reading kernel text at %#llx: %s",
			 (unsigned long long)addr, strerror(-err));
	} else {
		memcpy(buf, skel->bss->text, len);
	}
	return err;
}
