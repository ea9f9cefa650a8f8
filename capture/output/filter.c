// SPDX-License-Identifier: GPL-2.0
/* The capture filter, compiled by libpcap for LINUX_SLL2 frames. */
#include <stdio.h>

#include "exit.h"
#include "filter.h"
#include "sll2.h"

int nfd_filter_compile(struct nfd_filter *f, const char *expr, uint32_t snaplen)
{
	return nfd_filter_compile_for(f, expr, snaplen, NFD_LINKTYPE_LINUX_SLL2);
}

int nfd_filter_compile_for(struct nfd_filter *f, const char *expr,
			   uint32_t snaplen, uint16_t linktype)
{
	f->snaplen = snaplen;
	f->have_prog = false;
	f->dead = pcap_open_dead(linktype, snaplen);
	if (!f->dead) {
		fprintf(stderr, "nfdropcap: pcap_open_dead failed\n");
		return NFD_EXIT_FAIL;
	}
	if (!expr)
		return 0;
	if (pcap_compile(f->dead, &f->prog, expr, 1, PCAP_NETMASK_UNKNOWN)) {
		fprintf(stderr,
			"nfdropcap: bad filter expression '%s': %s (see "
			"pcap-filter(7))\n",
			expr, pcap_geterr(f->dead));
		return NFD_EXIT_USAGE;
	}
	f->have_prog = true;
	return 0;
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
