/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The capture filter (pcap-filter(7) syntax, as tcpdump takes it), run on
 * each drop's LINUX_SLL2 frame before it is written.
 */
#ifndef NFD_FILTER_H
#define NFD_FILTER_H

#include <stdbool.h>
#include <stdint.h>
#include <pcap/pcap.h>

struct nfd_filter {
	pcap_t *dead;
	struct bpf_program prog;
	bool have_prog; /* an expression was given */
	uint32_t snaplen;
};

/*
 * Compiles @expr (NULL: everything passes). Returns 0, or prints why not
 * and returns an exit status (NFD_EXIT_USAGE for a bad expression).
 */
int nfd_filter_compile(struct nfd_filter *f, const char *expr,
		       uint32_t snaplen);
/* The longest frame a filter is run on. */
#define NFD_FILTER_SNAPLEN_MAX 262144

/*
 * The same for frames of file link type @linktype (-r: a file from
 * elsewhere), saying nothing: 0, else an exit status.
 */
int nfd_filter_compile_quiet(struct nfd_filter *f, const char *expr,
			     uint16_t linktype);
/*
 * Is @expr a filter of some link type -r reads (LINUX_SLL2, Ethernet, raw
 * IP)? 0, or NFD_EXIT_USAGE with libpcap's complaint (for LINUX_SLL2) in
 * @why (extcap's filter check, -r before reading).
 */
int nfd_filter_why(const char *expr, char *why, size_t len);
/* Does the frame (@caplen bytes of @len) pass? */
bool nfd_filter_pass(const struct nfd_filter *f, const uint8_t *frame,
		     uint32_t caplen, uint32_t len);
void nfd_filter_free(struct nfd_filter *f);

#endif /* NFD_FILTER_H */
