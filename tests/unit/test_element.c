// SPDX-License-Identifier: GPL-2.0
/*
 * The element of a verdict map that chose a packet (output/element.c):
 * found only when certain, never a guess, whatever the rule text holds.
 */
#include <string.h>

#include "check.h"
#include "output/element.h"

/* 10.0.0.1 -> 10.96.0.10, UDP 40000 -> 53 */
static const unsigned char udp4[] = {
	0x45, 0, 0,  40, 0, 1,	0,    0,    64, 17, 0, 0,  10, 0,
	0,    1, 10, 96, 0, 10, 0x9c, 0x40, 0,	53, 0, 20, 0,  0,
};

/* fd00::1 -> fd00::99, TCP 1234 -> 443 */
static const unsigned char tcp6[] = {
	0x60, 0, 0, 0, 0, 20, 6, 64, 0xfd, 0,	 0,    0,    0,	   0,	 0,
	0,    0, 0, 0, 0, 0,  0, 0,  1,	   0xfd, 0,    0,    0,	   0,	 0,
	0,    0, 0, 0, 0, 0,  0, 0,  0,	   0x99, 0x04, 0xd2, 0x01, 0xbb,
};

static const char *named_map;

static const char *map_of(void *ctx, const char *name)
{
	(void)ctx;
	return !strcmp(name, "svc") ? named_map : NULL;
}

static int find(const unsigned char *pkt, size_t len, const char *text,
		const char *verdict, char *out)
{
	struct nfd_pkt_view v;

	nfd_pkt_view(&v, pkt[0] >> 4 == 4 ? 0x0800 : 0x86dd, pkt, len);
	out[0] = 0;
	return nfd_element_find(text, &v, verdict, map_of, NULL, out, 512);
}

static void test_found(void)
{
	char out[512];

	CHECK(!find(udp4, sizeof(udp4),
		    "udp dport vmap { 53 : drop, 80 : accept }", "drop", out) &&
	      !strcmp(out, "53 : drop"));
	named_map =
		"{ 10.96.0.10 . udp . 53 comment \"kube-system/kube-dns:dns\" "
		": goto svc-1, 10.96.0.1 . tcp . 443 comment \"default/k, : x\" "
		": goto svc-2 }";
	CHECK(!find(udp4, sizeof(udp4),
		    "ip daddr . meta l4proto . th dport vmap @svc",
		    "goto svc-1", out) &&
	      !strcmp(out, "10.96.0.10 . udp . 53 : goto svc-1 comment "
			   "\"kube-system/kube-dns:dns\""));
	CHECK(!find(udp4, sizeof(udp4),
		    "ip saddr vmap { 10.0.0.0/8 : jump a, 192.168.0.0/16 : drop }",
		    "jump a", out) &&
	      !strcmp(out, "10.0.0.0/8 : jump a"));
	CHECK(!find(udp4, sizeof(udp4),
		    "udp sport vmap { 30000-39999 : accept, 40000-49999 : drop }",
		    "drop", out) &&
	      !strcmp(out, "40000-49999 : drop"));
	CHECK(!find(tcp6, sizeof(tcp6),
		    "ip6 daddr . tcp dport vmap { fd00::/64 . 443 : goto \"a b\" }",
		    "goto a b", out) &&
	      !strcmp(out, "fd00::/64 . 443 : goto \"a b\""));
	CHECK(!find(tcp6, sizeof(tcp6),
		    "iifname \"x . y\" ip6 saddr vmap { fd00::1-fd00::5 : drop }",
		    "drop", out) &&
	      !strcmp(out, "fd00::1-fd00::5 : drop"));
}

static void test_not_sure(void)
{
	char out[512];

	/* the element's verdict is not what happened */
	CHECK(find(udp4, sizeof(udp4), "udp dport vmap { 53 : accept }", "drop",
		   out));
	/* two elements match (overlapping intervals cannot, but say so) */
	CHECK(find(udp4, sizeof(udp4),
		   "udp dport vmap { 53 : drop, 50-60 : drop }", "drop", out));
	/* none matches */
	CHECK(find(udp4, sizeof(udp4), "udp dport vmap { 54 : drop }", "drop",
		   out));
	/* a key nfdropcap does not read, a word it does not know */
	CHECK(find(udp4, sizeof(udp4), "meta mark vmap { 0x1 : drop }", "drop",
		   out));
	CHECK(find(udp4, sizeof(udp4),
		   "udp dport vmap { 53 timeout 1h : drop }", "drop", out));
	CHECK(find(udp4, sizeof(udp4), "udp dport vmap { domain : drop }",
		   "drop", out));
	/* an unknown map; a family the packet is not */
	CHECK(find(udp4, sizeof(udp4), "udp dport vmap @nope", "drop", out));
	CHECK(find(udp4, sizeof(udp4), "ip6 saddr vmap { ::1 : drop }", "drop",
		   out));
	/* ports of a truncated packet */
	CHECK(find(udp4, 20, "udp dport vmap { 53 : drop }", "drop", out));
	/* malformed text */
	CHECK(find(udp4, sizeof(udp4), "udp dport vmap { 53 : drop", "drop",
		   out));
	CHECK(find(udp4, sizeof(udp4), "vmap { 53 : drop }", "drop", out));
	CHECK(find(udp4, sizeof(udp4), " vmap ", "drop", out));
	CHECK(find(udp4, sizeof(udp4), "udp dport vmap { \"53 : drop }", "drop",
		   out));
}

static void test_escaped(void)
{
	char out[512];

	named_map =
		"{ 10.96.0.10 . udp . 53 comment \"\x1b]0;x\x07\" : goto svc-1 }";
	CHECK(!find(udp4, sizeof(udp4),
		    "ip daddr . ip protocol . udp dport vmap @svc",
		    "goto svc-1", out) &&
	      !strcmp(out, "10.96.0.10 . udp . 53 : goto svc-1 comment "
			   "\"\\x1b]0;x\\x07\""));
}

int main(void)
{
	test_found();
	test_not_sure();
	test_escaped();
	return check_summary();
}
