// SPDX-License-Identifier: GPL-2.0
/*
 * nfd-nft: rulesets that nft's syntax cannot write, made for nfdropcap's
 * tests in their own network namespaces (run it inside one). Names and
 * comments are taken byte for byte, as a hostile tenant would set them.
 *
 *   nfd-nft hostile TABLE CHAIN PORT COMMENT
 *	table inet TABLE {
 *		chain CHAIN { type filter hook input priority 0;
 *			meta l4proto udp udp dport PORT drop comment COMMENT }
 *	}
 *   nfd-nft forge-trace COUNT
 *	multicasts COUNT trace messages to NFNLGRP_NFTRACE, as root in a
 *	container can: each says table inet forged chain x handle 99 dropped
 *	a packet (an IPv4 header, UDP to port 5102)
 */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "lib/nlmsg.h"

#define UDATA_RULE_COMMENT 0 /* libnftnl's NFTNL_UDATA_RULE_COMMENT */

/* meta l4proto udp udp dport @port drop comment @comment */
static void put_rule(struct nl_buf *b, uint32_t seq, const char *table,
		     const char *chain, uint16_t port, const char *comment)
{
	size_t list = nl_nft_rule_begin(b, seq, table, chain);
	uint8_t udp = IPPROTO_UDP, udata[2 + 255];
	uint16_t be_port = htons(port);
	size_t clen = strlen(comment) + 1;

	nl_expr_meta_load(b, NFT_META_L4PROTO, NFT_REG_1);
	nl_expr_cmp(b, NFT_REG_1, NFT_CMP_EQ, &udp, sizeof(udp));
	nl_expr_payload(b, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG_1);
	nl_expr_cmp(b, NFT_REG_1, NFT_CMP_EQ, &be_port, sizeof(be_port));
	nl_expr_verdict(b, NF_DROP, NULL);
	nl_nest_end(b, list);
	if (clen > 255)
		clen = 255;
	udata[0] = UDATA_RULE_COMMENT;
	udata[1] = (uint8_t)clen;
	memcpy(udata + 2, comment, clen - 1);
	udata[2 + clen - 1] = 0;
	nl_put(b, NFTA_RULE_USERDATA, udata, 2 + clen);
	nl_msg_end(b);
}

static int hostile(const char *table, const char *chain, uint16_t port,
		   const char *comment)
{
	struct nl_buf *b = malloc(sizeof(*b));
	uint32_t seq = 1;
	int fd, err;

	if (!b)
		return -ENOMEM;
	nl_buf_init(b);
	nl_batch_begin(b, seq++);
	nl_nft_table(b, seq++, table, 0);
	nl_nft_chain(b, seq++, table, chain, NF_INET_LOCAL_IN, 0, -1);
	put_rule(b, seq++, table, chain, port, comment);
	nl_batch_end(b, seq++);
	fd = nl_open_netfilter();
	err = fd < 0 ? fd : nl_send_and_ack(fd, b, 3);
	if (fd >= 0)
		close(fd);
	free(b);
	return err;
}

/* One forged NFT_MSG_TRACE: a rule's drop verdict for a UDP packet. */
static void put_forged_trace(struct nl_buf *b, uint32_t id)
{
	uint8_t hdr[28] = { 0x45, 0, 0, 28, 0, 0, 0, 0, 64, IPPROTO_UDP };
	uint64_t handle = htobe64(99);
	size_t nest;

	hdr[12] = 10, hdr[15] = 1, hdr[16] = 10, hdr[19] = 2;
	hdr[22] = 5102 >> 8, hdr[23] = 5102 & 0xff;
	nl_msg_begin(b, (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_TRACE, 0, id,
		     NFPROTO_INET, 0);
	nl_put_str(b, NFTA_TRACE_TABLE, "forged");
	nl_put_str(b, NFTA_TRACE_CHAIN, "x");
	nl_put(b, NFTA_TRACE_ID, &id, sizeof(id));
	nl_put_be32(b, NFTA_TRACE_TYPE, NFT_TRACETYPE_RULE);
	nl_put(b, NFTA_TRACE_RULE_HANDLE, &handle, sizeof(handle));
	nest = nl_nest_begin(b, NFTA_TRACE_VERDICT);
	nl_put_be32(b, NFTA_VERDICT_CODE, NF_DROP);
	nl_nest_end(b, nest);
	nl_put(b, NFTA_TRACE_NETWORK_HEADER, hdr, 20);
	nl_put(b, NFTA_TRACE_TRANSPORT_HEADER, hdr + 20, 8);
	nl_msg_end(b);
}

static int forge_trace(int count)
{
	struct sockaddr_nl to = { .nl_family = AF_NETLINK,
				  .nl_groups = 1 << (NFNLGRP_NFTRACE - 1) };
	struct nl_buf b;
	int fd = nl_open_netfilter(), err = 0;

	if (fd < 0)
		return fd;
	for (int i = 0; i < count && !err; i++) {
		nl_buf_init(&b);
		put_forged_trace(&b, 0x4e460000 + i);
		if (sendto(fd, b.data, b.len, 0, (struct sockaddr *)&to,
			   sizeof(to)) < 0)
			err = -errno;
	}
	close(fd);
	return err;
}

int main(int argc, char **argv)
{
	int err;

	if (argc == 3 && !strcmp(argv[1], "forge-trace")) {
		err = forge_trace(atoi(argv[2]));
	} else if (argc == 6 && !strcmp(argv[1], "hostile")) {
		err = hostile(argv[2], argv[3], (uint16_t)atoi(argv[4]),
			      argv[5]);
	} else {
		fprintf(stderr,
			"usage: nfd-nft hostile TABLE CHAIN PORT COMMENT\n"
			"       nfd-nft forge-trace COUNT\n");
		return 2;
	}
	if (err) {
		fprintf(stderr, "nfd-nft: %s\n", strerror(-err));
		return 1;
	}
	return 0;
}
