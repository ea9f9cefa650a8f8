// SPDX-License-Identifier: GPL-2.0
/*
 * --json lines (output/json.c): the keys in order, nulls where a drop has
 * no such thing, strings quoted as JSON requires (what escape.c left of a
 * hostile name included), a line cut between characters and still whole.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "output/json.h"

static const unsigned char udp4[] = {
	0x45, 0, 0,  40, 0, 1,	0,    0,    64, 17, 0, 0,  10, 0,
	0,    1, 10, 96, 0, 10, 0x9c, 0x40, 0,	53, 0, 20, 0,  0,
};

static char line[NFD_JSON_LINE_MAX];

static void test_rule(void)
{
	struct nfd_pkt_view v;
	struct nfd_json_drop d = {
		.ts_ns = 1700000000123456789ULL,
		.netns = "blue",
		.interface = "veth0",
		.inbound = true,
		.attributed = true,
		.family = "inet",
		.table = "filter",
		.chain = "input",
		.verdict = "drop",
		.has_handle = true,
		.handle = 7,
		.rule = "udp dport 53 drop",
		.pkt = &v,
		.length = 60,
		.caplen = 60,
	};

	nfd_pkt_view(&v, 0x0800, udp4, sizeof(udp4));
	nfd_json_line(line, &d);
	CHECK(!strcmp(line, "{\"time\":\"2023-11-14T22:13:20.123456789Z\","
			    "\"netns\":\"blue\",\"interface\":\"veth0\","
			    "\"direction\":\"in\",\"attributed\":true,"
			    "\"family\":\"inet\",\"table\":\"filter\","
			    "\"chain\":\"input\",\"handle\":7,\"policy\":false,"
			    "\"verdict\":\"drop\",\"src\":\"10.0.0.1\","
			    "\"dst\":\"10.96.0.10\",\"proto\":\"udp\","
			    "\"sport\":40000,\"dport\":53,\"length\":60,"
			    "\"caplen\":60,\"reason\":null,"
			    "\"rule\":\"udp dport 53 drop\"}\n"));
}

static void test_not_attributed(void)
{
	struct nfd_pkt_view v;
	struct nfd_json_drop d = {
		.netns = "net:[4026531840]",
		.interface = "e\\x1b]0;x\\x07\"",
		.reason = "no \"verdict\"",
		.pkt = &v,
	};

	nfd_pkt_view(&v, 0x0806, udp4, sizeof(udp4)); /* not IP */
	nfd_json_line(line, &d);
	CHECK(strstr(line, "\"interface\":\"e\\\\x1b]0;x\\\\x07\\\"\",") !=
	      NULL);
	CHECK(strstr(line, "\"direction\":\"out\",\"attributed\":false,"
			   "\"family\":null,\"table\":null,\"chain\":null,"
			   "\"handle\":null,\"policy\":false,\"verdict\":null,"
			   "\"src\":null,\"dst\":null,\"proto\":null,"
			   "\"sport\":null,\"dport\":null,") != NULL);
	CHECK(strstr(line,
		     "\"reason\":\"no \\\"verdict\\\"\",\"rule\":null}\n"));
}

/* A rule text longer than a line: cut between characters, still JSON. */
static void test_cut(void)
{
	struct nfd_pkt_view v;
	size_t big = 3 * NFD_JSON_LINE_MAX, n;
	char *text = malloc(big + 1);
	struct nfd_json_drop d = {
		.netns = "a", .interface = "b", .pkt = &v, .rule = text
	};

	if (!CHECK(text != NULL))
		return;
	for (size_t i = 0; i + 2 <= big; i += 2)
		memcpy(text + i, "\xc3\xa9", 2); /* é */
	text[big] = 0;
	nfd_pkt_view(&v, 0x0800, udp4, sizeof(udp4));
	n = nfd_json_line(line, &d);
	CHECK(n < NFD_JSON_LINE_MAX && line[n] == 0 &&
	      !strcmp(line + n - 3, "\"}\n"));
	/* the last character before the quote is whole */
	CHECK(!memcmp(line + n - 5, "\xc3\xa9", 2));
	free(text);
}

int main(void)
{
	test_rule();
	test_not_attributed();
	test_cut();
	return check_summary();
}
