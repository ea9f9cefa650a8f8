// SPDX-License-Identifier: GPL-2.0
/* A small netlink message builder: messages, attributes, nests. */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/rtnetlink.h>

#include "nlmsg.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

static void *reserve(struct nl_buf *b, size_t len)
{
	size_t need = NLMSG_ALIGN(len);
	void *p;

	if (b->overflow || b->len + need > sizeof(b->data)) {
		b->overflow = 1;
		return NULL;
	}
	p = b->data + b->len;
	memset(p, 0, need);
	b->len += need;
	return p;
}

void nl_buf_init(struct nl_buf *b)
{
	b->len = 0;
	b->msg = 0;
	b->overflow = 0;
	b->family = NFPROTO_INET;
}

void nl_msg_begin(struct nl_buf *b, uint16_t type, uint16_t flags, uint32_t seq,
		  uint8_t family, uint16_t res_id)
{
	struct nlmsghdr *nlh;
	struct nfgenmsg *gen;

	b->msg = b->len;
	nlh = reserve(b, NLMSG_HDRLEN);
	gen = reserve(b, sizeof(*gen));
	if (!nlh || !gen)
		return;
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq;
	gen->nfgen_family = family;
	gen->version = NFNETLINK_V0;
	gen->res_id = htons(res_id);
}

void nl_msg_end(struct nl_buf *b)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)(b->data + b->msg);

	if (!b->overflow)
		nlh->nlmsg_len = b->len - b->msg;
}

void nl_put(struct nl_buf *b, uint16_t type, const void *data, size_t len)
{
	struct nlattr *nla = reserve(b, NLA_HDRLEN + len);

	if (!nla)
		return;
	nla->nla_type = type;
	nla->nla_len = NLA_HDRLEN + len;
	memcpy((char *)nla + NLA_HDRLEN, data, len);
}

void nl_put_str(struct nl_buf *b, uint16_t type, const char *s)
{
	nl_put(b, type, s, strlen(s) + 1);
}

void nl_put_be32(struct nl_buf *b, uint16_t type, uint32_t v)
{
	uint32_t be = htonl(v);

	nl_put(b, type, &be, sizeof(be));
}

size_t nl_nest_begin(struct nl_buf *b, uint16_t type)
{
	size_t off = b->len;
	struct nlattr *nla = reserve(b, NLA_HDRLEN);

	if (nla)
		nla->nla_type = type | NLA_F_NESTED;
	return off;
}

void nl_nest_end(struct nl_buf *b, size_t nest)
{
	struct nlattr *nla = (struct nlattr *)(b->data + nest);

	if (!b->overflow)
		nla->nla_len = b->len - nest;
}

size_t nl_expr_begin(struct nl_buf *b, const char *name, size_t *elem)
{
	*elem = nl_nest_begin(b, NFTA_LIST_ELEM);
	nl_put_str(b, NFTA_EXPR_NAME, name);
	return nl_nest_begin(b, NFTA_EXPR_DATA);
}

void nl_expr_end(struct nl_buf *b, size_t elem, size_t data)
{
	nl_nest_end(b, data);
	nl_nest_end(b, elem);
}

void nl_expr_verdict(struct nl_buf *b, int code, const char *chain)
{
	size_t elem, data = nl_expr_begin(b, "immediate", &elem), value, v;

	nl_put_be32(b, NFTA_IMMEDIATE_DREG, NFT_REG_VERDICT);
	value = nl_nest_begin(b, NFTA_IMMEDIATE_DATA);
	v = nl_nest_begin(b, NFTA_DATA_VERDICT);
	nl_put_be32(b, NFTA_VERDICT_CODE, (uint32_t)code);
	if (chain)
		nl_put_str(b, NFTA_VERDICT_CHAIN, chain);
	nl_nest_end(b, v);
	nl_nest_end(b, value);
	nl_expr_end(b, elem, data);
}

static void put_data_value(struct nl_buf *b, uint16_t type, const void *value,
			   size_t len)
{
	size_t nest = nl_nest_begin(b, type);

	nl_put(b, NFTA_DATA_VALUE, value, len);
	nl_nest_end(b, nest);
}

void nl_expr_value(struct nl_buf *b, uint32_t dreg, const void *value,
		   size_t len)
{
	size_t elem, data = nl_expr_begin(b, "immediate", &elem);

	nl_put_be32(b, NFTA_IMMEDIATE_DREG, dreg);
	put_data_value(b, NFTA_IMMEDIATE_DATA, value, len);
	nl_expr_end(b, elem, data);
}

void nl_expr_meta_load(struct nl_buf *b, uint32_t key, uint32_t dreg)
{
	size_t elem, data = nl_expr_begin(b, "meta", &elem);

	nl_put_be32(b, NFTA_META_KEY, key);
	nl_put_be32(b, NFTA_META_DREG, dreg);
	nl_expr_end(b, elem, data);
}

void nl_expr_meta_set(struct nl_buf *b, uint32_t key, uint32_t sreg)
{
	size_t elem, data = nl_expr_begin(b, "meta", &elem);

	nl_put_be32(b, NFTA_META_KEY, key);
	nl_put_be32(b, NFTA_META_SREG, sreg);
	nl_expr_end(b, elem, data);
}

void nl_expr_cmp(struct nl_buf *b, uint32_t sreg, uint32_t op,
		 const void *value, size_t len)
{
	size_t elem, data = nl_expr_begin(b, "cmp", &elem);

	nl_put_be32(b, NFTA_CMP_SREG, sreg);
	nl_put_be32(b, NFTA_CMP_OP, op);
	put_data_value(b, NFTA_CMP_DATA, value, len);
	nl_expr_end(b, elem, data);
}

void nl_expr_payload(struct nl_buf *b, uint32_t base, uint32_t offset,
		     uint32_t len, uint32_t dreg)
{
	size_t elem, data = nl_expr_begin(b, "payload", &elem);

	nl_put_be32(b, NFTA_PAYLOAD_DREG, dreg);
	nl_put_be32(b, NFTA_PAYLOAD_BASE, base);
	nl_put_be32(b, NFTA_PAYLOAD_OFFSET, offset);
	nl_put_be32(b, NFTA_PAYLOAD_LEN, len);
	nl_expr_end(b, elem, data);
}

void nl_expr_and(struct nl_buf *b, uint32_t reg, const void *mask, size_t len)
{
	size_t elem, data = nl_expr_begin(b, "bitwise", &elem);
	uint8_t zero[16] = { 0 };

	nl_put_be32(b, NFTA_BITWISE_SREG, reg);
	nl_put_be32(b, NFTA_BITWISE_DREG, reg);
	nl_put_be32(b, NFTA_BITWISE_LEN, (uint32_t)len);
	put_data_value(b, NFTA_BITWISE_MASK, mask, len);
	put_data_value(b, NFTA_BITWISE_XOR, zero, len < 16 ? len : 16);
	nl_expr_end(b, elem, data);
}

#define NFT_MSG(m) ((NFNL_SUBSYS_NFTABLES << 8) | (m))

void nl_batch_begin(struct nl_buf *b, uint32_t seq)
{
	nl_msg_begin(b, NFNL_MSG_BATCH_BEGIN, 0, seq, 0, NFNL_SUBSYS_NFTABLES);
	nl_msg_end(b);
}

void nl_batch_end(struct nl_buf *b, uint32_t seq)
{
	nl_msg_begin(b, NFNL_MSG_BATCH_END, 0, seq, 0, NFNL_SUBSYS_NFTABLES);
	nl_msg_end(b);
}

void nl_nft_table(struct nl_buf *b, uint32_t seq, const char *name,
		  uint32_t flags)
{
	nl_msg_begin(b, NFT_MSG(NFT_MSG_NEWTABLE), NLM_F_CREATE | NLM_F_ACK,
		     seq, b->family, 0);
	nl_put_str(b, NFTA_TABLE_NAME, name);
	if (flags)
		nl_put_be32(b, NFTA_TABLE_FLAGS, flags);
	nl_msg_end(b);
}

static void put_chain(struct nl_buf *b, uint32_t seq, const char *table,
		      const char *name, int hook, int32_t priority, int policy,
		      const char *dev)
{
	size_t nest;

	nl_msg_begin(b, NFT_MSG(NFT_MSG_NEWCHAIN), NLM_F_CREATE | NLM_F_ACK,
		     seq, b->family, 0);
	nl_put_str(b, NFTA_CHAIN_TABLE, table);
	nl_put_str(b, NFTA_CHAIN_NAME, name);
	if (hook >= 0) {
		nest = nl_nest_begin(b, NFTA_CHAIN_HOOK);
		nl_put_be32(b, NFTA_HOOK_HOOKNUM, hook);
		nl_put_be32(b, NFTA_HOOK_PRIORITY, (uint32_t)priority);
		if (dev)
			nl_put_str(b, NFTA_HOOK_DEV, dev);
		nl_nest_end(b, nest);
		nl_put_str(b, NFTA_CHAIN_TYPE, "filter");
		if (policy >= 0)
			nl_put_be32(b, NFTA_CHAIN_POLICY, policy);
	}
	nl_msg_end(b);
}

void nl_nft_chain(struct nl_buf *b, uint32_t seq, const char *table,
		  const char *name, int hook, int32_t priority, int policy)
{
	put_chain(b, seq, table, name, hook, priority, policy, NULL);
}

void nl_nft_netdev_chain(struct nl_buf *b, uint32_t seq, const char *table,
			 const char *name, int hook, int32_t priority,
			 const char *dev)
{
	put_chain(b, seq, table, name, hook, priority, -1, dev);
}

void nl_nft_del_chain(struct nl_buf *b, uint32_t seq, const char *table,
		      const char *name)
{
	nl_msg_begin(b, NFT_MSG(NFT_MSG_DELCHAIN), NLM_F_ACK, seq, b->family,
		     0);
	nl_put_str(b, NFTA_CHAIN_TABLE, table);
	nl_put_str(b, NFTA_CHAIN_NAME, name);
	nl_msg_end(b);
}

size_t nl_nft_rule_begin(struct nl_buf *b, uint32_t seq, const char *table,
			 const char *chain)
{
	nl_msg_begin(b, NFT_MSG(NFT_MSG_NEWRULE),
		     NLM_F_CREATE | NLM_F_APPEND | NLM_F_ACK, seq, b->family,
		     0);
	nl_put_str(b, NFTA_RULE_TABLE, table);
	nl_put_str(b, NFTA_RULE_CHAIN, chain);
	return nl_nest_begin(b, NFTA_RULE_EXPRESSIONS);
}

void nl_nft_rule_end(struct nl_buf *b, size_t list)
{
	nl_nest_end(b, list);
	nl_msg_end(b);
}

const struct nlattr *nl_attr_find(const struct nlmsghdr *nlh, uint16_t type)
{
	const char *p = (const char *)NLMSG_DATA(nlh) + NLMSG_ALIGN(4);
	const char *end = (const char *)nlh + nlh->nlmsg_len;

	while (p + NLA_HDRLEN <= end) {
		const struct nlattr *a = (const struct nlattr *)p;

		if (a->nla_len < NLA_HDRLEN || p + a->nla_len > end)
			break;
		if ((a->nla_type & NLA_TYPE_MASK) == type)
			return a;
		p += NLA_ALIGN(a->nla_len);
	}
	return NULL;
}

/* The sequence numbers of the messages in @b, lowest and highest. */
static void seq_range(const struct nl_buf *b, uint32_t *lo, uint32_t *hi)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)b->data;
	int left = (int)b->len; /* signed: NLMSG_NEXT may go below 0 */

	*lo = UINT32_MAX;
	*hi = 0;
	for (; NLMSG_OK(nlh, left); nlh = NLMSG_NEXT(nlh, left)) {
		*lo = nlh->nlmsg_seq < *lo ? nlh->nlmsg_seq : *lo;
		*hi = nlh->nlmsg_seq > *hi ? nlh->nlmsg_seq : *hi;
	}
}

/*
 * An answer to one of our messages: from the kernel (port id 0), whole,
 * with a sequence number we sent. Anything else is not counted.
 */
static const struct nlmsgerr *our_ack(const struct nlmsghdr *nlh, uint32_t lo,
				      uint32_t hi)
{
	if (nlh->nlmsg_type != NLMSG_ERROR ||
	    nlh->nlmsg_len < NLMSG_LENGTH(sizeof(struct nlmsgerr)) ||
	    nlh->nlmsg_seq < lo || nlh->nlmsg_seq > hi)
		return NULL;
	return NLMSG_DATA(nlh);
}

int nl_count_acks(const void *buf, size_t n, uint32_t lo, uint32_t hi,
		  int *acks)
{
	const struct nlmsghdr *nlh = buf;
	/* signed: NLMSG_NEXT takes a whole aligned message off, and may go
	 * below 0 when the last is not aligned */
	int left = n > INT_MAX ? INT_MAX : (int)n;

	for (; NLMSG_OK(nlh, left); nlh = NLMSG_NEXT(nlh, left)) {
		const struct nlmsgerr *e = our_ack(nlh, lo, hi);

		if (!e)
			continue;
		if (e->error)
			return e->error < 0 ? e->error : -EPROTO;
		(*acks)--;
	}
	return 0;
}

int nl_ask_links(int fd)
{
	struct {
		struct nlmsghdr nlh;
		struct ifinfomsg ifi;
	} req = {
		.nlh = { .nlmsg_len = sizeof(req),
			 .nlmsg_type = RTM_GETLINK,
			 .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
			 .nlmsg_seq = 1 },
		.ifi = { .ifi_family = AF_UNSPEC },
	};

	return send(fd, &req, sizeof(req), 0) < 0 ? -errno : 0;
}

int nl_dump_read(int fd, void *buf, size_t size, nl_msg_fn fn, void *arg)
{
	struct sockaddr_nl from;
	socklen_t flen = sizeof(from);
	const struct nlmsghdr *nlh = buf;
	ssize_t n = recvfrom(fd, buf, size, 0, (struct sockaddr *)&from, &flen);
	int left, r;

	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	if (!n)
		return -EIO;
	if (flen < sizeof(from) || from.nl_pid != 0)
		return NL_DUMP_MORE; /* not the kernel's */
	left = n > INT_MAX ? INT_MAX : (int)n;
	for (; NLMSG_OK(nlh, left); nlh = NLMSG_NEXT(nlh, left)) {
		if (nlh->nlmsg_type == NLMSG_DONE)
			return 0;
		if (nlh->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(nlh);

			if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
				return -EPROTO;
			return e->error < 0 ? e->error : 0;
		}
		if ((r = fn(nlh, arg)))
			return r;
	}
	return NL_DUMP_MORE;
}

static int read_acks(int fd, int acks, uint32_t lo, uint32_t hi)
{
	char buf[8192];
	int err = 0;

	while (acks > 0 && !err) {
		struct sockaddr_nl from;
		socklen_t flen = sizeof(from);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), 0,
				     (struct sockaddr *)&from, &flen);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (flen < sizeof(from) || from.nl_pid != 0)
			continue; /* not the kernel's */
		err = nl_count_acks(buf, (size_t)n, lo, hi, &acks);
	}
	return err;
}

int nl_send_and_ack(int fd, const struct nl_buf *b, int acks)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	uint32_t lo, hi;
	ssize_t n;

	if (b->overflow)
		return -ENOBUFS;
	do {
		n = sendto(fd, b->data, b->len, 0, (struct sockaddr *)&sa,
			   sizeof(sa));
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if ((size_t)n != b->len)
		return -EMSGSIZE;
	seq_range(b, &lo, &hi);
	return read_acks(fd, acks, lo, hi);
}

int nl_open(int type, int protocol, unsigned int groups)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK,
				  .nl_groups = groups };
	int fd = socket(AF_NETLINK, type | SOCK_CLOEXEC, protocol);

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

int nl_open_netfilter(void)
{
	return nl_open(SOCK_RAW, NETLINK_NETFILTER, 0);
}

int nl_join_group(int fd, unsigned int group)
{
	if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group,
		       sizeof(group)))
		return -errno;
	return 0;
}
