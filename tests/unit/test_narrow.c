// SPDX-License-Identifier: GPL-2.0
/*
 * test_narrow.c - unit tests for the filter that narrows tracing
 * (capture/backend/nftrace_filter.c): which expressions may run before tracing, and that
 * what is compiled matches raw IP packets as the written filter does.
 */
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <pcap/pcap.h>

#include "backend/cbpf.h"
#include "check.h"
#include "backend/nftrace_filter.h"

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
	static struct bpf_insn insn[BPF_MAXINSNS];

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
	static struct nfd_narrow n;
	uint8_t p[64];
	char why[256] = "";

	if (!CHECK(nfd_narrow_compile("udp dst port 6001", &n, why,
				      sizeof(why)) == 0))
		return;
	CHECK(n.len > 0 && n.len <= NFD_NARROW_BYTECODE && n.prog_fd == -1);
	CHECK(runs(&n, p, udp4(p, 6001, 0)));
	CHECK(!runs(&n, p, udp4(p, 6002, 0)));
	CHECK(runs(&n, p, udp6(p, 6001)));
	CHECK(!runs(&n, p, udp6(p, 6002)));
	/* a later fragment has no UDP header: the trace table marks it */
	CHECK(!runs(&n, p, udp4(p, 6001, 0x0010)));

	CHECK(nfd_narrow_compile("host 10.0.0.2 and not icmp", &n, why,
				 sizeof(why)) == 0);
	CHECK(nfd_narrow_compile("ip[0] & 0xf = 5 and udp[8:2] = 1", &n, why,
				 sizeof(why)) == 0);
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
		{ "udp port", "not an IP-level filter: " },
		{ "ip6 protochain 17", "it loops (protochain)" },
		{ "ether[0:2] = 0x0800", "it tests link-layer bytes" },
		{ "udp and link [0] = 1", "it tests link-layer bytes" },
		{ "ip[0] << ip[1] > 1",
		  "it shifts by a value from the packet" },
	};
	static struct nfd_narrow n = { .len = 7 };
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

/* ------------------------------------------------------------------ */
/* The eBPF translation (cbpf.c) against libpcap's own interpreter     */
/* ------------------------------------------------------------------ */

#define LONG_FILTER                                                    \
	"udp port 1 or udp port 2 or udp port 3 or udp port 4 or "     \
	"udp port 5 or udp port 6 or udp port 7 or udp port 8 or "     \
	"udp port 9 or udp port 10 or udp port 11 or udp port 12 or "  \
	"udp port 13 or udp port 14 or udp port 15 or udp port 16 or " \
	"udp port 6001"

static const char *const filters[] = {
	"udp dst port 6001",
	"tcp port 22 and host 10.0.0.1",
	"net 10.0.0.0/8 and not port 22",
	"ip6 and tcp",
	"tcp[tcpflags] & tcp-syn != 0",
	"port 53 or port 80 or port 443 or port 8080",
	"icmp or icmp6",
	"src portrange 1024-65535",
	"ip[2:2] / 4 > 10",
	"ip[2:2] / (ip[8] & 0x3) > 3",
	"ip[2:2] % (ip[9] & 0x7) = 1",
	"ip[8] * 2 - 1 > 100",
	"tcp[12] >> 4 > 5 or udp[0:2] << 1 > 2000",
	"ip[1] ^ 0xff = 0xff and -ip[9] != 0",
	"(ip[2:2] - ((ip[0] & 0xf) << 2)) > 20",
	"udp[8:4] = 0x01020304 or udp[8] | 1 = 3",
	LONG_FILTER,
};

/* IPv4 with options (IHL 6) + TCP SYN to @dport, 44 bytes */
static size_t tcp4_opts(uint8_t *p, uint16_t dport)
{
	static const uint8_t hdr[24] = { 0x46, 0, 0, 44, 0,  2, 0, 0,
					 64,   6, 0, 0,	 10, 0, 0, 1,
					 10,   0, 0, 2,	 1,  1, 1, 0 };

	memcpy(p, hdr, sizeof(hdr));
	memset(p + 24, 0, 20);
	p[24] = 0x04; /* sport 1024 */
	p[26] = dport >> 8;
	p[27] = dport & 0xff;
	p[36] = 0x50;
	p[37] = 0x02; /* SYN */
	return 44;
}

/* Every test packet, as @i goes 0, 1, 2...: its length, 0 at the end. */
static size_t packet(int i, uint8_t *p, uint16_t *ethertype)
{
	static const uint16_t ports[] = { 1, 22, 53, 1000, 6001, 6002, 65535 };
	const int np = sizeof(ports) / sizeof(ports[0]);
	size_t len;

	*ethertype = 0x0800;
	if (i < np)
		return udp4(p, ports[i], 0);
	if (i < 2 * np)
		return tcp4_opts(p, ports[i - np]);
	if (i < 3 * np) {
		*ethertype = 0x86dd;
		return udp6(p, ports[i - 2 * np]);
	}
	switch (i - 3 * np) {
	case 0: /* a later fragment */
		return udp4(p, 6001, 0x0010);
	case 1: /* cut after the IP header */
		return udp4(p, 6001, 0) - 8;
	case 2: /* UDP payload 01 02 03 04 */
		len = udp4(p, 7, 0);
		memcpy(p + len, "\x01\x02\x03\x04", 4);
		p[3] = 32;
		return len + 4;
	case 3: /* ICMP echo */
		len = udp4(p, 0, 0);
		p[9] = 1;
		p[20] = 8;
		return len;
	case 4: /* a big total length */
		len = tcp4_opts(p, 80);
		p[2] = 0x05;
		p[9] = 17;
		return len;
	}
	return 0;
}

static void test_translation(void)
{
	static struct nfd_narrow n;
	uint8_t p[128];
	char why[256];

	if (geteuid()) {
		printf("skip: the eBPF translation tests load socket filters: "
		       "they need root\n");
		return;
	}
	for (size_t f = 0; f < sizeof(filters) / sizeof(filters[0]); f++) {
		uint16_t type;
		size_t len;
		int fd;

		if (!CHECK(nfd_narrow_compile(filters[f], &n, why,
					      sizeof(why)) == 0)) {
			fprintf(stderr, "  %s: %s\n", filters[f], why);
			continue;
		}
		fd = nfd_cbpf_load(n.insn, n.len, why, sizeof(why));
		if (!CHECK(fd >= 0)) {
			fprintf(stderr, "  %s: %s\n", filters[f], why);
			nfd_narrow_release(&n);
			continue;
		}
		for (int i = 0; (len = packet(i, p, &type)); i++) {
			uint32_t ret = 0;
			bool want = runs(&n, p, len);

			if (!CHECK(nfd_cbpf_run(fd, type, p, len, &ret) == 0))
				break;
			if (!CHECK((ret != 0) == want))
				fprintf(stderr,
					"  %s, packet %d: eBPF %u, "
					"pcap %d\n",
					filters[f], i, ret, want);
		}
		close(fd);
		nfd_narrow_release(&n);
	}
}

/* A filter longer than xt_bpf's bytecode is loaded as a socket filter. */
static void test_long(void)
{
	static struct nfd_narrow n;
	uint8_t p[64];
	char why[256] = "";

	if (geteuid()) {
		printf("skip: a long filter is loaded as a socket filter: "
		       "that needs root\n");
		return;
	}
	if (!CHECK(nfd_narrow_compile(LONG_FILTER, &n, why, sizeof(why)) ==
		   0)) {
		fprintf(stderr, "  %s\n", why);
		return;
	}
	CHECK(n.len > NFD_NARROW_BYTECODE);
	CHECK(n.prog_fd >= 0);
	CHECK(runs(&n, p, udp4(p, 6001, 0)));
	CHECK(!runs(&n, p, udp4(p, 6002, 0)));
	nfd_narrow_release(&n);
	CHECK(n.prog_fd == -1 && n.len == 0);
}

int main(void)
{
	test_narrows();
	test_refuses();
	test_translation();
	test_long();
	return check_summary();
}
