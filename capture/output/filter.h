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
/* The same for frames of @linktype (-r: a file from elsewhere). */
int nfd_filter_compile_for(struct nfd_filter *f, const char *expr,
			   uint32_t snaplen, uint16_t linktype);
/* Does the frame (@caplen bytes of @len) pass? */
bool nfd_filter_pass(const struct nfd_filter *f, const uint8_t *frame,
		     uint32_t caplen, uint32_t len);
void nfd_filter_free(struct nfd_filter *f);

#endif /* NFD_FILTER_H */
