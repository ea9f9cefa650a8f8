/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which element of a verdict map chose a packet's fate, found in
 * userspace from the packet's headers and the map's elements as nft lists
 * them, only where that is certain: keys made of addresses, protocols and
 * ports (alone or concatenated), elements that are values, prefixes or
 * ranges. Anything else, and any doubt, gives no element.
 */
#ifndef NFD_ELEMENT_H
#define NFD_ELEMENT_H

#include <stddef.h>
#include <stdint.h>

/* The headers a key can be made of, as read from a packet. */
struct nfd_pkt_view {
	int l3; /* 4 or 6; 0 if neither */
	const uint8_t *saddr, *daddr; /* 4 or 16 bytes */
	int l4proto; /* -1 if unknown (an extension header, a fragment) */
	int have_ports; /* the first 4 transport bytes were captured */
	uint16_t sport, dport;
};

/*
 * The view of a packet of ethertype @proto whose network header is at
 * @nh (@len bytes captured).
 */
void nfd_pkt_view(struct nfd_pkt_view *v, uint16_t proto, const uint8_t *nh,
		  size_t len);

/* The elements ("{ ... }") of named map @name, or NULL if unknown. */
typedef const char *(*nfd_map_fn)(void *ctx, const char *name);

/*
 * If rule @text decides with a verdict map and exactly one of its
 * elements matches @v, and that element's verdict is @verdict ("drop",
 * "jump NAME", "goto NAME"): writes "<key> : <verdict>" and, if it has
 * one, ' comment "<text>"', escaped, into @out and returns 0. Else -1.
 */
int nfd_element_find(const char *text, const struct nfd_pkt_view *v,
		     const char *verdict, nfd_map_fn map_of, void *ctx,
		     char *out, size_t len);

#endif /* NFD_ELEMENT_H */
