// SPDX-License-Identifier: GPL-2.0
/*
 * The capture filter, moved ahead of tracing. Backend nftrace traces
 * every packet its table marks, and building trace messages is most of
 * what tracing costs; with a filter only matching packets need marking.
 *
 * The written file is filtered as LINUX_SLL2 frames at the drop; the
 * trace rule sees the packet at the start of each hook, as raw IP. The
 * same expression compiled for raw IP is used only where it can never
 * reject a packet the written filter would keep:
 *  - no packet length (SLL2 counts its 20-byte header, raw IP does not);
 *  - no ancillary data (packet type, interface...: not the same there);
 *  - it compiles for raw IP at all (no link-layer keywords);
 *  - it fits xt_bpf's 64 instructions.
 * A packet rewritten (NAT, mangle) in the hook between the trace rule and
 * the dropping chain may match only after: its drop is still captured by
 * the bytes probe, and written as not traced, never as another rule's.
 */
#include <stdio.h>
#include <string.h>
#include <pcap/pcap.h>

#include "narrow.h"

#define NARROW_SNAPLEN 65535

static const char *unsafe_insn(const struct bpf_insn *in)
{
	uint16_t code = in->code;

	switch (BPF_CLASS(code)) {
	case BPF_LD:
	case BPF_LDX:
		if (BPF_MODE(code) == BPF_LEN)
			return "it tests the packet length";
		if ((BPF_MODE(code) == BPF_ABS || BPF_MODE(code) == BPF_IND) &&
		    (int32_t)in->k < 0)
			return "it tests data beside the packet (ancillary)";
		return NULL;
	case BPF_ST:
	case BPF_STX:
	case BPF_ALU:
	case BPF_JMP:
	case BPF_RET:
	case BPF_MISC:
		return NULL;
	default:
		return "it has an instruction xt_bpf does not run";
	}
}

static int refuse(struct nfd_narrow *n, char *why, size_t len, const char *fmt,
		  const char *arg)
{
	n->len = 0;
	snprintf(why, len, fmt, arg);
	return -1;
}

int nfd_narrow_compile(const char *expr, struct nfd_narrow *n, char *why,
		       size_t len)
{
	pcap_t *raw = pcap_open_dead(DLT_RAW, NARROW_SNAPLEN);
	struct bpf_program prog;
	const char *bad = NULL;
	int ret = -1;

	n->len = 0;
	if (!expr)
		return refuse(n, why, len, "%s", "no filter");
	if (!raw)
		return refuse(n, why, len, "%s", "pcap_open_dead failed");
	if (pcap_compile(raw, &prog, expr, 1, PCAP_NETMASK_UNKNOWN)) {
		refuse(n, why, len, "not an IP-level filter: %s",
		       pcap_geterr(raw));
		goto close;
	}
	for (unsigned int i = 0; i < prog.bf_len && !bad; i++)
		bad = unsafe_insn(&prog.bf_insns[i]);
	if (bad) {
		refuse(n, why, len, "%s", bad);
	} else if (prog.bf_len > NFD_NARROW_MAX) {
		snprintf(why, len,
			 "it compiles to %u instructions, xt_bpf runs "
			 "at most %d",
			 prog.bf_len, NFD_NARROW_MAX);
	} else {
		for (unsigned int i = 0; i < prog.bf_len; i++) {
			n->insn[i].code = prog.bf_insns[i].code;
			n->insn[i].jt = prog.bf_insns[i].jt;
			n->insn[i].jf = prog.bf_insns[i].jf;
			n->insn[i].k = prog.bf_insns[i].k;
		}
		n->len = prog.bf_len;
		ret = 0;
	}
	pcap_freecode(&prog);
close:
	pcap_close(raw);
	return ret;
}
