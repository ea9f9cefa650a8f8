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
 *  - no link-layer bytes (ether[], link[]...: raw IP compiles them as
 *    offsets into the IP header, the written frame has its SLL2 header);
 *  - no shift by a packet value (the kernel masks the count to 5 bits,
 *    libpcap gives 0 for 32 and more);
 *  - it compiles for raw IP at all (no link-layer keywords).
 * Up to 64 instructions xt_bpf runs it as classic BPF; a longer one is
 * translated to an eBPF socket filter (cbpf.c) that xt_bpf runs.
 * A packet rewritten (NAT, mangle) in the hook between the trace rule and
 * the dropping chain may match only after: its drop is still captured by
 * the bytes probe, and written as not traced, never as another rule's.
 */
#include <regex.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <pcap/pcap.h>

#include "cbpf.h"
#include "nftrace_filter.h"

#define NARROW_SNAPLEN 65535

static const char *unsafe_insn(const struct bpf_insn *in)
{
	uint16_t code = in->code;

	switch (BPF_CLASS(code)) {
	case BPF_LD:
	case BPF_LDX:
		if (BPF_MODE(code) == BPF_LEN)
			return "it tests the packet length";
		if ((BPF_MODE(code) == BPF_ABS || BPF_MODE(code) == BPF_IND ||
		     BPF_MODE(code) == BPF_MSH) &&
		    (int32_t)in->k < 0)
			return "it tests data beside the packet (ancillary)";
		return NULL;
	case BPF_ALU:
		if ((BPF_OP(code) == BPF_LSH || BPF_OP(code) == BPF_RSH) &&
		    BPF_SRC(code) == BPF_X)
			return "it shifts by a value from the packet";
		return NULL;
	case BPF_ST:
	case BPF_STX:
	case BPF_JMP:
	case BPF_RET:
	case BPF_MISC:
		return NULL;
	default:
		return "it has an instruction xt_bpf does not run";
	}
}

/* Does a jump go past the end (or back: protochain loops)? */
static const char *jumps_out(const struct bpf_insn *in, unsigned int left)
{
	if (BPF_CLASS(in->code) != BPF_JMP)
		return NULL;
	if (BPF_OP(in->code) == BPF_JA ? in->k >= left :
					 in->jt >= left || in->jf >= left)
		return "it loops (protochain): the kernel runs no loops";
	return NULL;
}

/*
 * Does @expr index a link-layer header (pcap-filter's "proto [ expr ]"
 * with a link protocol)? Raw IP would read the IP header there.
 */
static bool indexes_link(const char *expr)
{
	static const char pattern[] =
		"(^|[^[:alnum:]_.-])(link|ether|ppp|slip|fddi|tr|wlan|radio)"
		"[[:space:]]*\\[";
	regex_t re;
	bool found;

	if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB))
		return true; /* cannot tell: do not narrow */
	found = !regexec(&re, expr, 0, NULL, 0);
	regfree(&re);
	return found;
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
	struct bpf_program prog;
	pcap_t *raw;
	const char *bad = NULL;
	int ret = -1;

	n->len = 0;
	n->prog_fd = -1;
	if (!expr)
		return refuse(n, why, len, "%s", "no filter");
	if (indexes_link(expr))
		return refuse(n, why, len, "%s",
			      "it tests link-layer bytes (ether[], link[]...)");
	raw = pcap_open_dead(DLT_RAW, NARROW_SNAPLEN);
	if (!raw)
		return refuse(n, why, len, "%s", "pcap_open_dead failed");
	if (pcap_compile(raw, &prog, expr, 1, PCAP_NETMASK_UNKNOWN)) {
		refuse(n, why, len, "not an IP-level filter: %s",
		       pcap_geterr(raw));
		goto close;
	}
	for (unsigned int i = 0; i < prog.bf_len && !bad; i++)
		bad = unsafe_insn(&prog.bf_insns[i]) ?:
			      jumps_out(&prog.bf_insns[i], prog.bf_len - i - 1);
	if (!bad && prog.bf_len > BPF_MAXINSNS)
		bad = "it is longer than classic BPF allows";
	if (bad) {
		refuse(n, why, len, "%s", bad);
		goto free;
	}
	for (unsigned int i = 0; i < prog.bf_len; i++) {
		n->insn[i].code = prog.bf_insns[i].code;
		n->insn[i].jt = prog.bf_insns[i].jt;
		n->insn[i].jf = prog.bf_insns[i].jf;
		n->insn[i].k = prog.bf_insns[i].k;
	}
	if (prog.bf_len > NFD_NARROW_BYTECODE) {
		n->prog_fd = nfd_cbpf_load(n->insn, prog.bf_len, why, len);
		if (n->prog_fd < 0)
			goto free;
	}
	n->len = prog.bf_len;
	ret = 0;
free:
	pcap_freecode(&prog);
close:
	pcap_close(raw);
	return ret;
}

void nfd_narrow_release(struct nfd_narrow *n)
{
	if (n->prog_fd >= 0)
		close(n->prog_fd);
	n->prog_fd = -1;
	n->len = 0;
}
