// SPDX-License-Identifier: GPL-2.0
/*
 * The trace table of backend nftrace, built as nf_tables netlink messages:
 *
 *   table inet NAME {
 *	flags owner
 *	chain pre { type filter hook prerouting priority -2147483648;
 *		meta nftrace set 1 accept }
 *	chain out { type filter hook output priority -2147483648;
 *		meta nftrace set 1 accept }
 *   }
 *
 * The accept ends only this chain (the hook's other chains still run) and
 * spares the kernel one trace message per packet: the chain's policy
 * verdict.
 *
 * With flags owner the kernel deletes the table when the socket that made
 * it closes, however the process ends.
 */
#include <stdlib.h>
#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>

#include "nlmsg.h"
#include "trace_table.h"

#define TRACE_PRIORITY (-2147483647 - 1) /* NF_IP_PRI_FIRST */

/* immediate: 1 into register 1 */
static void put_one_into_reg1(struct nl_buf *b)
{
	size_t elem, data = nl_expr_begin(b, "immediate", &elem), value;
	uint8_t one = 1;

	nl_put_be32(b, NFTA_IMMEDIATE_DREG, NFT_REG_1);
	value = nl_nest_begin(b, NFTA_IMMEDIATE_DATA);
	nl_put(b, NFTA_DATA_VALUE, &one, sizeof(one));
	nl_nest_end(b, value);
	nl_expr_end(b, elem, data);
}

/* meta nftrace set: from register 1 */
static void put_nftrace_from_reg1(struct nl_buf *b)
{
	size_t elem, data = nl_expr_begin(b, "meta", &elem);

	nl_put_be32(b, NFTA_META_KEY, NFT_META_NFTRACE);
	nl_put_be32(b, NFTA_META_SREG, NFT_REG_1);
	nl_expr_end(b, elem, data);
}

/* meta nftrace set 1 accept */
static void put_trace_rule(struct nl_buf *b, const char *table,
			   const char *chain, uint32_t seq)
{
	size_t list = nl_nft_rule_begin(b, seq, table, chain);

	put_one_into_reg1(b);
	put_nftrace_from_reg1(b);
	nl_expr_verdict(b, NF_ACCEPT, NULL);
	nl_nft_rule_end(b, list);
}

int nfd_trace_table_create(int fd, const char *table)
{
	struct nl_buf *b = malloc(sizeof(*b));
	uint32_t seq = 1;
	int err;

	if (!b)
		return -ENOMEM;
	nl_buf_init(b);
	nl_batch_begin(b, seq++);
	nl_nft_table(b, seq++, table, NFT_TABLE_F_OWNER);
	nl_nft_chain(b, seq++, table, "pre", NF_INET_PRE_ROUTING,
		     TRACE_PRIORITY, -1);
	put_trace_rule(b, table, "pre", seq++);
	nl_nft_chain(b, seq++, table, "out", NF_INET_LOCAL_OUT, TRACE_PRIORITY,
		     -1);
	put_trace_rule(b, table, "out", seq++);
	nl_batch_end(b, seq++);

	err = nl_send_and_ack(fd, b, 5);
	free(b);
	return err;
}
