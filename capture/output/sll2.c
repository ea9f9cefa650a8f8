// SPDX-License-Identifier: GPL-2.0
/* LINUX_SLL2 framing of a dropped packet. */
#include <string.h>
#include <arpa/inet.h>

#include "sll2.h"

uint32_t nfd_sll2_frame(uint8_t *frame, const struct nfd_event *ev,
			const uint8_t *pkt)
{
	uint32_t ifindex = htonl(ev->ifindex);
	uint16_t hatype = htons(ev->hatype);

	memset(frame, 0, NFD_SLL2_LEN);
	memcpy(frame, &ev->protocol, 2); /* already in network byte order */
	memcpy(frame + 4, &ifindex, 4);
	memcpy(frame + 8, &hatype, 2);
	frame[10] = ev->pkt_type;
	frame[11] = ev->addr_len <= 8 ? ev->addr_len : 0;
	memcpy(frame + 12, ev->addr, frame[11]);
	memcpy(frame + NFD_SLL2_LEN, pkt, ev->cap_len);
	return NFD_SLL2_LEN + ev->cap_len;
}
