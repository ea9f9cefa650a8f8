// SPDX-License-Identifier: GPL-2.0
/* A one-line summary of an IP packet, in tcpdump's manner. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "dissect.h"

#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86dd
#define ETH_P_ARP 0x0806

struct cursor {
	char *p;
	size_t left;
};

static void put(struct cursor *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void put(struct cursor *c, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(c->p, c->left, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= c->left)
		n = c->left ? c->left - 1 : 0;
	c->p += n;
	c->left -= n;
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static void tcp_flags(struct cursor *c, uint8_t f)
{
	static const struct {
		uint8_t bit;
		char ch;
	} names[] = { { 0x02, 'S' }, { 0x01, 'F' }, { 0x04, 'R' },
		      { 0x08, 'P' }, { 0x10, '.' }, { 0x20, 'U' },
		      { 0x40, 'E' }, { 0x80, 'W' } };
	char s[10];
	int n = 0;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (f & names[i].bit)
			s[n++] = names[i].ch;
	s[n] = 0;
	put(c, "Flags [%s]", n ? s : "none");
}

/* The transport part: ports, then what tcpdump says of the protocol. */
static void transport(struct cursor *c, int ipv6, uint8_t proto,
		      const char *src, const char *dst, const uint8_t *l4,
		      uint32_t cap, uint32_t l4len)
{
	if ((proto == IPPROTO_TCP && cap >= 20) ||
	    (proto == IPPROTO_UDP && cap >= 8)) {
		put(c, "%s.%u > %s.%u: ", src, be16(l4), dst, be16(l4 + 2));
		if (proto == IPPROTO_UDP) {
			put(c, "UDP, length %u", l4len >= 8 ? l4len - 8 : 0);
			return;
		}
		uint32_t hl = (l4[12] >> 4) * 4;

		tcp_flags(c, l4[13]);
		put(c, ", seq %u", be32(l4 + 4));
		if (l4[13] & 0x10)
			put(c, ", ack %u", be32(l4 + 8));
		put(c, ", win %u, length %u", be16(l4 + 14),
		    l4len >= hl ? l4len - hl : 0);
		return;
	}
	put(c, "%s > %s: ", src, dst);
	if ((proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6) && cap >= 4) {
		put(c, "%s type %u, code %u, length %u",
		    ipv6 ? "ICMP6," : "ICMP", l4[0], l4[1], l4len);
		return;
	}
	put(c, "ip-proto-%u %u", proto, l4len);
}

static void ipv4(struct cursor *c, const uint8_t *p, uint32_t cap)
{
	char src[INET_ADDRSTRLEN], dst[INET_ADDRSTRLEN];
	uint32_t hl = (p[0] & 15) * 4, tot = be16(p + 2);

	inet_ntop(AF_INET, p + 12, src, sizeof(src));
	inet_ntop(AF_INET, p + 16, dst, sizeof(dst));
	put(c, "IP ");
	if (hl < 20 || cap < hl || tot < hl) {
		put(c, "%s > %s: truncated-ip", src, dst);
		return;
	}
	if (be16(p + 6) & 0x1fff) { /* not the first fragment */
		put(c, "%s > %s: ip-proto-%u (frag)", src, dst, p[9]);
		return;
	}
	transport(c, 0, p[9], src, dst, p + hl, cap - hl, tot - hl);
}

static void ipv6(struct cursor *c, const uint8_t *p, uint32_t cap)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, p + 8, src, sizeof(src));
	inet_ntop(AF_INET6, p + 24, dst, sizeof(dst));
	put(c, "IP6 ");
	transport(c, 1, p[6], src, dst, p + 40, cap - 40, be16(p + 4));
}

void nfd_dissect(char *out, size_t size, uint16_t proto, const uint8_t *pkt,
		 uint32_t cap, uint32_t len)
{
	struct cursor c = { out, size };

	out[0] = 0;
	if (proto == ETH_P_IP && cap >= 20 && (pkt[0] >> 4) == 4)
		ipv4(&c, pkt, cap);
	else if (proto == ETH_P_IPV6 && cap >= 40 && (pkt[0] >> 4) == 6)
		ipv6(&c, pkt, cap);
	else if (proto == ETH_P_ARP)
		put(&c, "ARP, length %u", len);
	else
		put(&c, "ethertype 0x%04x, length %u", proto, len);
}
