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
 * With a capture filter that can run in the kernel (nftrace_filter.c), only
 * the packets it matches are traced, tested again at the start of every hook
 * (a packet NATed at prerouting is seen with its new address from input,
 * forward and postrouting on; the mark, once set, stays):
 *
 *	chain pre|in|fwd|out|post { type filter hook ... priority -2147483648;
 *		meta nfproto ipv4 ip frag-off & 0x3fff != 0 meta nftrace set 1 accept
 *		meta nfproto ipv6 ip6 nexthdr 44 meta nftrace set 1 accept
 *		match bpf { FILTER } meta nftrace set 1 accept }
 *
 * Fragments are all traced: the filter sees only pieces of them here, the
 * written file the reassembled packet.
 *
 * Bridged frames pass the inet hooks only through br_netfilter; a second
 * table marks them at the bridge family's own hooks, before any bridge
 * table's chains, filter or not (more is traced, never less):
 *
 *   table bridge NAME {
 *	flags owner
 *	chain pre { type filter hook prerouting priority -2147483648;
 *		meta nftrace set 1 accept }
 *	chain out { type filter hook output priority -2147483648;
 *		meta nftrace set 1 accept }
 *   }
 *
 * Packets dropped at a device's ingress hook (netdev tables, inet ingress
 * chains) have not passed prerouting yet: without a filter, a netdev
 * table marks them first, one chain per device (nftrace_netdev.c follows
 * the devices as they come and go):
 *
 *   table netdev NAME {
 *	flags owner
 *	chain in<IFINDEX> { type filter hook ingress device DEV
 *		priority -2147483648; meta nftrace set 1 accept }
 *   }
 *
 * With flags owner the kernel deletes the tables when the socket that made
 * them closes, however the process ends.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter_bridge.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_tables_compat.h>
#include <linux/netfilter/xt_bpf.h>

#include "nftrace_filter.h"
#include "lib/nlmsg.h"
#include "nftrace_table.h"

_Static_assert(NFD_NARROW_BYTECODE == XT_BPF_MAX_NUM_INSTR, "xt_bpf's limit");
_Static_assert(NF_BR_PRE_ROUTING == NF_INET_PRE_ROUTING &&
		       NF_BR_LOCAL_OUT == NF_INET_LOCAL_OUT,
	       "the bridge family's hooks are numbered as inet's");

#define TRACE_PRIORITY (-2147483647 - 1) /* NF_IP_PRI_FIRST */
#define IPPROTO_FRAGMENT_HDR 44

/* meta nftrace set 1 accept */
static void put_trace_and_accept(struct nl_buf *b)
{
	uint8_t one = 1;

	nl_expr_value(b, NFT_REG_1, &one, sizeof(one));
	nl_expr_meta_set(b, NFT_META_NFTRACE, NFT_REG_1);
	nl_expr_verdict(b, NF_ACCEPT, NULL);
}

/* meta nfproto @proto */
static void put_nfproto(struct nl_buf *b, uint8_t proto)
{
	nl_expr_meta_load(b, NFT_META_NFPROTO, NFT_REG_1);
	nl_expr_cmp(b, NFT_REG_1, NFT_CMP_EQ, &proto, sizeof(proto));
}

/* meta nfproto ipv4 ip frag-off & 0x3fff != 0 (MF or an offset) */
static void put_ipv4_fragment(struct nl_buf *b)
{
	uint16_t mask = htons(0x3fff), zero = 0;

	put_nfproto(b, NFPROTO_IPV4);
	nl_expr_payload(b, NFT_PAYLOAD_NETWORK_HEADER, 6, 2, NFT_REG_1);
	nl_expr_and(b, NFT_REG_1, &mask, sizeof(mask));
	nl_expr_cmp(b, NFT_REG_1, NFT_CMP_NEQ, &zero, sizeof(zero));
}

/* meta nfproto ipv6 ip6 nexthdr 44 (a fragment header first) */
static void put_ipv6_fragment(struct nl_buf *b)
{
	uint8_t frag = IPPROTO_FRAGMENT_HDR;

	put_nfproto(b, NFPROTO_IPV6);
	nl_expr_payload(b, NFT_PAYLOAD_NETWORK_HEADER, 6, 1, NFT_REG_1);
	nl_expr_cmp(b, NFT_REG_1, NFT_CMP_EQ, &frag, sizeof(frag));
}

/*
 * match bpf: xt_bpf revision 0 runs @n's classic BPF on the packet; when
 * it is longer than that takes, revision 1 runs its socket filter (the
 * kernel takes the program from nfdropcap's fd while it checks the rule).
 */
static void put_bpf_match(struct nl_buf *b, const struct nfd_narrow *n)
{
	size_t elem, data = nl_expr_begin(b, "match", &elem);
	struct xt_bpf_info_v1 v1;
	struct xt_bpf_info v0;

	nl_put_str(b, NFTA_MATCH_NAME, "bpf");
	if (n->len <= NFD_NARROW_BYTECODE) {
		memset(&v0, 0, sizeof(v0));
		v0.bpf_program_num_elem = (uint16_t)n->len;
		memcpy(v0.bpf_program, n->insn, n->len * sizeof(n->insn[0]));
		nl_put_be32(b, NFTA_MATCH_REV, 0);
		nl_put(b, NFTA_MATCH_INFO, &v0, sizeof(v0));
	} else {
		memset(&v1, 0, sizeof(v1));
		v1.mode = XT_BPF_MODE_FD_ELF;
		v1.fd = n->prog_fd;
		nl_put_be32(b, NFTA_MATCH_REV, 1);
		nl_put(b, NFTA_MATCH_INFO, &v1, sizeof(v1));
	}
	nl_expr_end(b, elem, data);
}

enum trace_match { TRACE_ALL, TRACE_IPV4_FRAG, TRACE_IPV6_FRAG, TRACE_BPF };

static void put_trace_rule(struct nl_buf *b, const char *table,
			   const char *chain, uint32_t seq,
			   enum trace_match match, const struct nfd_narrow *n)
{
	size_t list = nl_nft_rule_begin(b, seq, table, chain);

	if (match == TRACE_IPV4_FRAG)
		put_ipv4_fragment(b);
	else if (match == TRACE_IPV6_FRAG)
		put_ipv6_fragment(b);
	else if (match == TRACE_BPF)
		put_bpf_match(b, n);
	put_trace_and_accept(b);
	nl_nft_rule_end(b, list);
}

static const struct {
	const char *name;
	int hook;
	bool narrowed_only; /* without a filter, pre and out mark all */
} trace_chains[] = {
	{ "pre", NF_INET_PRE_ROUTING, false },
	{ "in", NF_INET_LOCAL_IN, true },
	{ "fwd", NF_INET_FORWARD, true },
	{ "out", NF_INET_LOCAL_OUT, false },
	{ "post", NF_INET_POST_ROUTING, true },
};

/* One chain and its rules; returns how many messages want an ack. */
static int put_trace_chain(struct nl_buf *b, uint32_t *seq, const char *table,
			   int i, const struct nfd_narrow *n)
{
	const char *name = trace_chains[i].name;

	if (!n->len && trace_chains[i].narrowed_only)
		return 0;
	nl_nft_chain(b, (*seq)++, table, name, trace_chains[i].hook,
		     TRACE_PRIORITY, -1);
	if (!n->len) {
		put_trace_rule(b, table, name, (*seq)++, TRACE_ALL, n);
		return 2;
	}
	put_trace_rule(b, table, name, (*seq)++, TRACE_IPV4_FRAG, n);
	put_trace_rule(b, table, name, (*seq)++, TRACE_IPV6_FRAG, n);
	put_trace_rule(b, table, name, (*seq)++, TRACE_BPF, n);
	return 4;
}

/*
 * One batch of @family, numbered from *@seq on (advanced): @put fills it
 * and returns how many answers it wants. Sent and answered.
 */
static int batch(int fd, uint32_t *seq, uint8_t family,
		 int (*put)(struct nl_buf *b, uint32_t *seq, const void *arg),
		 const void *arg)
{
	struct nl_buf *b = malloc(sizeof(*b));
	int acks, err;

	if (!b)
		return -ENOMEM;
	nl_buf_init(b);
	b->family = family;
	nl_batch_begin(b, (*seq)++);
	acks = put(b, seq, arg);
	nl_batch_end(b, (*seq)++);
	err = b->overflow ? -EMSGSIZE : nl_send_and_ack(fd, b, acks);
	free(b);
	return err;
}

struct trace_table {
	const char *name;
	const struct nfd_narrow *narrow;
};

/* The table and its chains: pre and out, or with a filter all five. */
static int put_trace_table(struct nl_buf *b, uint32_t *seq, const void *arg)
{
	const struct trace_table *t = arg;
	int acks = 1;

	nl_nft_table(b, (*seq)++, t->name, NFT_TABLE_F_OWNER);
	for (size_t i = 0; i < sizeof(trace_chains) / sizeof(trace_chains[0]);
	     i++)
		acks += put_trace_chain(b, seq, t->name, (int)i, t->narrow);
	return acks;
}

int nfd_nftrace_table_create(int fd, uint32_t *seq, const char *table,
			     const struct nfd_narrow *n)
{
	static const struct nfd_narrow all = { .len = 0 };
	struct trace_table t = { .name = table, .narrow = n ? n : &all };

	return batch(fd, seq, NFPROTO_INET, put_trace_table, &t);
}

int nfd_nftrace_bridge_table_create(int fd, uint32_t *seq, const char *table)
{
	static const struct nfd_narrow all = { .len = 0 };
	struct trace_table t = { .name = table, .narrow = &all };

	return batch(fd, seq, NFPROTO_BRIDGE, put_trace_table, &t);
}

static int put_netdev_table(struct nl_buf *b, uint32_t *seq, const void *arg)
{
	nl_nft_table(b, (*seq)++, arg, NFT_TABLE_F_OWNER);
	return 1;
}

int nfd_nftrace_netdev_table_create(int fd, uint32_t *seq, const char *table)
{
	return batch(fd, seq, NFPROTO_NETDEV, put_netdev_table, table);
}

struct netdev_chain {
	const char *table;
	const char *dev;
	char name[32];
};

static int put_netdev_chain(struct nl_buf *b, uint32_t *seq, const void *arg)
{
	const struct netdev_chain *c = arg;
	size_t list;

	nl_nft_netdev_chain(b, (*seq)++, c->table, c->name, NF_NETDEV_INGRESS,
			    TRACE_PRIORITY, c->dev);
	list = nl_nft_rule_begin(b, (*seq)++, c->table, c->name);
	put_trace_and_accept(b);
	nl_nft_rule_end(b, list);
	return 2;
}

static int put_netdev_del(struct nl_buf *b, uint32_t *seq, const void *arg)
{
	const struct netdev_chain *c = arg;

	nl_nft_del_chain(b, (*seq)++, c->table, c->name);
	return 1;
}

int nfd_nftrace_netdev_chain_add(int fd, uint32_t *seq, const char *table,
				 unsigned int ifindex, const char *dev)
{
	struct netdev_chain c = { .table = table, .dev = dev };

	snprintf(c.name, sizeof(c.name), "in%u", ifindex);
	return batch(fd, seq, NFPROTO_NETDEV, put_netdev_chain, &c);
}

int nfd_nftrace_netdev_chain_del(int fd, uint32_t *seq, const char *table,
				 unsigned int ifindex)
{
	struct netdev_chain c = { .table = table };

	snprintf(c.name, sizeof(c.name), "in%u", ifindex);
	return batch(fd, seq, NFPROTO_NETDEV, put_netdev_del, &c);
}
