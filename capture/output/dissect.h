/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A one-line summary of an IP packet, in tcpdump's manner. Convention: text
 * into the caller's buffer, always terminated; no errors.
 */
#ifndef NFD_DISSECT_H
#define NFD_DISSECT_H

#include <stddef.h>
#include <stdint.h>

/*
 * Describes the packet @pkt (@cap bytes captured of @len, starting at the
 * network header; @proto is the EtherType) into @out.
 */
void nfd_dissect(char *out, size_t size, uint16_t proto, const uint8_t *pkt,
		 uint32_t cap, uint32_t len);

#endif /* NFD_DISSECT_H */
