/* SPDX-License-Identifier: GPL-2.0 */
/*
 * LINUX_SLL2 framing: every written packet starts with this 20-byte header
 * (interface index, direction, protocol): at IP hooks there is no link
 * header to write. It counts towards the snaplen, as in tcpdump.
 */
#ifndef NFD_SLL2_H
#define NFD_SLL2_H

#include <stdint.h>

#include "nfdropcap.h"

#define NFD_SLL2_LEN 20
#define NFD_LINKTYPE_LINUX_SLL2 276

/* Packet bytes a snaplen of @snaplen keeps after the header. */
static inline uint32_t nfd_sll2_snap_data(uint32_t snaplen)
{
	return snaplen > NFD_SLL2_LEN ? snaplen - NFD_SLL2_LEN : 0;
}

/*
 * Writes the header for @ev, then its @ev->cap_len bytes @pkt (from the
 * network header), into @frame (NFD_SLL2_LEN + NFD_SNAPLEN_MAX bytes).
 * Returns the frame's length.
 */
uint32_t nfd_sll2_frame(uint8_t *frame, const struct nfd_event *ev,
			const uint8_t *pkt);

#endif /* NFD_SLL2_H */
