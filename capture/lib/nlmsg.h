/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small netlink message builder: messages, attributes, nests; nf_tables
 * batches; sockets. Builders never fail: a message that does not fit sets
 * @overflow, and sending it fails. Calls that do I/O return 0 (or a file
 * descriptor) or -errno, and print nothing.
 */
#ifndef NFD_NLMSG_H
#define NFD_NLMSG_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>

struct nl_buf {
	char data[16384];
	size_t len; /* bytes used */
	size_t msg; /* offset of the message being built */
	int overflow; /* set when something did not fit */
	uint8_t family; /* of the nf_tables objects built: NFPROTO_INET */
};

void nl_buf_init(struct nl_buf *b);
/* Starts a netfilter message: nlmsghdr + nfgenmsg. */
void nl_msg_begin(struct nl_buf *b, uint16_t type, uint16_t flags, uint32_t seq,
		  uint8_t family, uint16_t res_id);
void nl_msg_end(struct nl_buf *b);
void nl_put(struct nl_buf *b, uint16_t type, const void *data, size_t len);
void nl_put_str(struct nl_buf *b, uint16_t type, const char *s);
void nl_put_be32(struct nl_buf *b, uint16_t type, uint32_t v);
/* Returns the nest's offset, to give to nl_nest_end. */
size_t nl_nest_begin(struct nl_buf *b, uint16_t type);
void nl_nest_end(struct nl_buf *b, size_t nest);

/*
 * nf_tables expressions: opens list element @name and returns its data
 * nest; @elem gets the element, for nl_expr_end.
 */
size_t nl_expr_begin(struct nl_buf *b, const char *name, size_t *elem);
void nl_expr_end(struct nl_buf *b, size_t elem, size_t data);

/* immediate: verdict @code (and @chain for a jump or goto, else NULL) */
void nl_expr_verdict(struct nl_buf *b, int code, const char *chain);
/* immediate: @len bytes of @value into register @dreg */
void nl_expr_value(struct nl_buf *b, uint32_t dreg, const void *value,
		   size_t len);
/* meta: load @key into @dreg */
void nl_expr_meta_load(struct nl_buf *b, uint32_t key, uint32_t dreg);
/* meta: set @key from @sreg */
void nl_expr_meta_set(struct nl_buf *b, uint32_t key, uint32_t sreg);
/* cmp: @sreg @op @len bytes of @value */
void nl_expr_cmp(struct nl_buf *b, uint32_t sreg, uint32_t op,
		 const void *value, size_t len);
/* payload: @len bytes at @offset of header @base into @dreg */
void nl_expr_payload(struct nl_buf *b, uint32_t base, uint32_t offset,
		     uint32_t len, uint32_t dreg);
/* bitwise: @reg = (@reg & @mask) ^ 0, @len bytes */
void nl_expr_and(struct nl_buf *b, uint32_t reg, const void *mask, size_t len);

/*
 * A batch of nf_tables messages begins or ends. The tables, chains and
 * rules below are of family @b->family (NFPROTO_INET after nl_buf_init).
 */
void nl_batch_begin(struct nl_buf *b, uint32_t seq);
void nl_batch_end(struct nl_buf *b, uint32_t seq);
/* NEWTABLE @name with NFTA_TABLE_FLAGS @flags (0: none). */
void nl_nft_table(struct nl_buf *b, uint32_t seq, const char *name,
		  uint32_t flags);
/*
 * NEWCHAIN @table @name: a filter base chain on @hook at @priority
 * with @policy (< 0: the default), or a regular chain when @hook < 0.
 */
void nl_nft_chain(struct nl_buf *b, uint32_t seq, const char *table,
		  const char *name, int hook, int32_t priority, int policy);
/* NEWCHAIN of a netdev table: a filter base chain on @hook of device @dev. */
void nl_nft_netdev_chain(struct nl_buf *b, uint32_t seq, const char *table,
			 const char *name, int hook, int32_t priority,
			 const char *dev);
/* DELCHAIN @table @name */
void nl_nft_del_chain(struct nl_buf *b, uint32_t seq, const char *table,
		      const char *name);
/* NEWRULE appended to @table @chain: returns its expression list. */
size_t nl_nft_rule_begin(struct nl_buf *b, uint32_t seq, const char *table,
			 const char *chain);
void nl_nft_rule_end(struct nl_buf *b, size_t list);

/* Attribute @type of netfilter message @nlh (after its nfgenmsg), or NULL. */
const struct nlattr *nl_attr_find(const struct nlmsghdr *nlh, uint16_t type);

/*
 * Sends @b on @fd and reads the kernel's answers until @acks
 * acknowledgements came or an error did. Returns 0 or -errno.
 */
int nl_send_and_ack(int fd, const struct nl_buf *b, int acks);

/*
 * Counts down @acks for each acknowledgement in the @n bytes at @buf that
 * answers a sequence number in [@lo, @hi] (others are not ours). 0, or the
 * first error the kernel answered (-errno).
 */
int nl_count_acks(const void *buf, size_t n, uint32_t lo, uint32_t hi,
		  int *acks);

/* Asks the NETLINK_ROUTE socket @fd for a dump of the links. 0 or -errno. */
int nl_ask_links(int fd);

/* Each message of a dump's read, for nl_dump_read: 0 to go on. */
typedef int (*nl_msg_fn)(const struct nlmsghdr *nlh, void *arg);
/* nl_dump_read: the dump goes on (no errno is this on a netlink socket) */
#define NL_DUMP_MORE (-EINPROGRESS)

/*
 * One read of a dump's answer on @fd into @buf (@size bytes, aligned for
 * struct nlmsghdr): each message the kernel sent goes to @fn until one
 * returns non-zero. Returns NL_DUMP_MORE if the dump goes on, 0 at its end
 * (NLMSG_DONE), @fn's non-zero value, the error the kernel answered, or
 * the read's -errno (-EAGAIN: nothing there on a non-blocking socket). A
 * datagram not sent by the kernel is skipped (NL_DUMP_MORE). Callers bound
 * the number of reads: a namespace's owner can make a dump without end.
 */
int nl_dump_read(int fd, void *buf, size_t size, nl_msg_fn fn, void *arg);

/* A bound NETLINK_NETFILTER socket, or -errno. */
/*
 * A netlink socket of @protocol (@type: SOCK_RAW or SOCK_DGRAM, with
 * SOCK_NONBLOCK if wanted; close-on-exec always), bound to multicast
 * @groups: its descriptor, or -errno.
 */
int nl_open(int type, int protocol, unsigned int groups);
int nl_open_netfilter(void);
/* Joins multicast group @group (NFNLGRP_*) on @fd. 0 or -errno. */
int nl_join_group(int fd, unsigned int group);

#endif /* NFD_NLMSG_H */
