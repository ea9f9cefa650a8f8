// SPDX-License-Identifier: GPL-2.0
/* The capture filter, compiled by libpcap for LINUX_SLL2 frames. */
#include <stdio.h>

#include "exit.h"
#include "filter.h"
#include "sll2.h"

/*
 * libpcap's DLT_ number of a file's LINKTYPE_ number: the same but for a
 * few old ones (tcpdump writes raw IP, e.g. of tun or WireGuard, as 101).
 */
static int dlt_of(uint16_t linktype)
{
	switch (linktype) {
	case 100:
		return DLT_ATM_RFC1483;
	case 101:
		return DLT_RAW;
	case 102:
		return DLT_SLIP_BSDOS;
	case 103:
		return DLT_PPP_BSDOS;
	default:
		return linktype;
	}
}

/* Compiles @expr for @linktype; 0, or libpcap's complaint in @why. */
static int compile(struct nfd_filter *f, const char *expr, uint32_t snaplen,
		   uint16_t linktype, char *why, size_t len)
{
	f->snaplen = snaplen;
	f->have_prog = false;
	f->dead = pcap_open_dead(dlt_of(linktype), snaplen);
	if (!f->dead) {
		snprintf(why, len, "pcap_open_dead failed");
		return NFD_EXIT_FAIL;
	}
	if (!expr)
		return 0;
	if (pcap_compile(f->dead, &f->prog, expr, 1, PCAP_NETMASK_UNKNOWN)) {
		snprintf(why, len, "%s", pcap_geterr(f->dead));
		pcap_close(f->dead);
		f->dead = NULL;
		return NFD_EXIT_USAGE;
	}
	f->have_prog = true;
	return 0;
}

int nfd_filter_compile(struct nfd_filter *f, const char *expr, uint32_t snaplen)
{
	char why[PCAP_ERRBUF_SIZE + 64];
	int ret = compile(f, expr, snaplen, NFD_LINKTYPE_LINUX_SLL2, why,
			  sizeof(why));

	if (ret == NFD_EXIT_USAGE)
		fprintf(stderr,
			"nfdropcap: bad filter expression '%s': %s (see "
			"pcap-filter(7))\n",
			expr, why);
	else if (ret)
		fprintf(stderr, "nfdropcap: %s\n", why);
	return ret;
}

int nfd_filter_compile_quiet(struct nfd_filter *f, const char *expr,
			     uint16_t linktype)
{
	char why[PCAP_ERRBUF_SIZE + 64];

	return compile(f, expr, NFD_FILTER_SNAPLEN_MAX, linktype, why,
		       sizeof(why));
}

int nfd_filter_why(const char *expr, char *why, size_t len)
{
	static const uint16_t types[] = { NFD_LINKTYPE_LINUX_SLL2, 1, 101 };
	struct nfd_filter f;
	int ret = NFD_EXIT_USAGE;

	for (size_t i = 0; i < 3 && ret; i++) {
		ret = compile(&f, expr, NFD_FILTER_SNAPLEN_MAX, types[i],
			      why, i ? 0 : len);
		nfd_filter_free(&f);
	}
	return ret;
}

bool nfd_filter_pass(const struct nfd_filter *f, const uint8_t *frame,
		     uint32_t caplen, uint32_t len)
{
	struct pcap_pkthdr hdr = { .caplen = caplen, .len = len };

	if (!f->have_prog)
		return true;
	if (hdr.caplen > f->snaplen)
		hdr.caplen = f->snaplen;
	return pcap_offline_filter(&f->prog, &hdr, frame) != 0;
}

void nfd_filter_free(struct nfd_filter *f)
{
	if (f->have_prog)
		pcap_freecode(&f->prog);
	if (f->dead)
		pcap_close(f->dead);
	f->have_prog = false;
	f->dead = NULL;
}
