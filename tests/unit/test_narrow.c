/*
 * test_narrow.c - unit tests for the filter that narrows tracing
 * (capture/narrow.c): which expressions may run before tracing, and that
 * what is compiled matches raw IP packets as the written filter does.
 */
#include <stdint.h>
#include <string.h>
#include <pcap/pcap.h>

#include "check.h"
#include "narrow.h"

/* IPv4 + UDP to @dport, 28 bytes, checksums left zero */
static size_t udp4(uint8_t *p, uint16_t dport, uint16_t frag)
{
	static const uint8_t hdr[20] = { 0x45, 0, 0,  28, 0, 1, 0,  0, 64, 17,
					 0,    0, 10, 0,  0, 1, 10, 0, 0,  2 };

	memcpy(p, hdr, sizeof(hdr));
	p[6] = frag >> 8;
	p[7] = frag & 0xff;
	memset(p + 20, 0, 8);
	p[20] = 0x30; /* sport 12345 */
	p[21] = 0x39;
	p[22] = dport >> 8;
	p[23] = dport & 0xff;
	p[25] = 8;
	return 28;
}

/* IPv6 + UDP to @dport, 48 bytes */
static size_t udp6(uint8_t *p, uint16_t dport)
{
	memset(p, 0, 48);
	p[0] = 0x60;
	p[5] = 8; /* payload length */
	p[6] = 17; /* next header: UDP */
	p[7] = 64;
	p[23] = 1; /* ::1 -> ::1 */
	p[39] = 1;
	p[40] = 0x30;
	p[41] = 0x39;
	p[42] = dport >> 8;
	p[43] = dport & 0xff;
	p[45] = 8;
	return 48;
}

static bool runs(const struct nfd_narrow *n, const uint8_t *p, size_t len)
{
	struct bpf_insn insn[NFD_NARROW_MAX];

	for (unsigned int i = 0; i < n->len; i++) {
		insn[i].code = n->insn[i].code;
		insn[i].jt = n->insn[i].jt;
		insn[i].jf = n->insn[i].jf;
		insn[i].k = n->insn[i].k;
	}
	return bpf_filter(insn, p, (unsigned int)len, (unsigned int)len) != 0;
}

static void test_narrows(void)
{
	struct nfd_narrow n;
	uint8_t p[64];
	char why[256] = "";

	if (!CHECK(nfd_narrow_compile("udp dst port 6001", &n, why,
				      sizeof(why)) == 0))
		return;
	CHECK(n.len > 0 && n.len <= NFD_NARROW_MAX);
	CHECK(runs(&n, p, udp4(p, 6001, 0)));
	CHECK(!runs(&n, p, udp4(p, 6002, 0)));
	CHECK(runs(&n, p, udp6(p, 6001)));
	CHECK(!runs(&n, p, udp6(p, 6002)));
	/* a later fragment has no UDP header: the trace table marks it */
	CHECK(!runs(&n, p, udp4(p, 6001, 0x0010)));

	CHECK(nfd_narrow_compile("host 10.0.0.2 and not icmp", &n, why,
				 sizeof(why)) == 0);
	CHECK(runs(&n, p, udp4(p, 1, 0)));
	CHECK(!runs(&n, p, udp6(p, 1)));
}

static void test_refuses(void)
{
	static const struct {
		const char *expr, *why;
	} cases[] = {
		{ "greater 100", "it tests the packet length" },
		{ "len < 60", "it tests the packet length" },
		{ "inbound", "it tests data beside the packet (ancillary)" },
		{ "ether host 1:2:3:4:5:6", "not an IP-level filter: " },
		{ "vlan", "not an IP-level filter: " },
		{ "udp port 1 or udp port 2 or udp port 3 or udp port 4 or "
		  "udp port 5 or udp port 6 or udp port 7 or udp port 8 or "
		  "udp port 9 or udp port 10 or udp port 11 or udp port 12 or "
		  "udp port 13 or udp port 14 or udp port 15 or udp port 16 or "
		  "udp port 99",
		  "it compiles to " },
		{ "udp port", "not an IP-level filter: " },
	};
	struct nfd_narrow n = { .len = 7 };
	char why[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		why[0] = 0;
		CHECK(nfd_narrow_compile(cases[i].expr, &n, why, sizeof(why)) ==
		      -1);
		CHECK(n.len == 0);
		if (!CHECK(strncmp(why, cases[i].why, strlen(cases[i].why)) ==
			   0))
			fprintf(stderr, "  %s: %s\n", cases[i].expr, why);
	}
	CHECK(nfd_narrow_compile(NULL, &n, why, sizeof(why)) == -1);
	CHECK(n.len == 0);
}

int main(void)
{
	test_narrows();
	test_refuses();
	return check_summary();
}
