// SPDX-License-Identifier: GPL-2.0
/*
 * One NFT_MSG_GETTABLE dump in the current namespace, read until its end
 * or a bound (a namespace's owner may make tables without end: past the
 * bound it is "some", and the listing tells the rest).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <linux/netlink.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>

#include "lib/nlmsg.h"
#include "nft_tables.h"

#define READS_MAX 32 /* of READ_SIZE each: 1 MiB of owned tables */
#define READ_SIZE 32768
#define WAIT_US 200000 /* per read: the kernel answers a dump at once */

static int ask(int fd)
{
	struct nl_buf b;

	nl_buf_init(&b);
	nl_msg_begin(&b, NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_GETTABLE,
		     NLM_F_DUMP, 1, NFPROTO_UNSPEC, 0);
	nl_msg_end(&b);
	if (b.overflow)
		return -ENOBUFS;
	return send(fd, b.data, b.len, 0) == (ssize_t)b.len ? 0 : -errno;
}

static int owned(const struct nlmsghdr *nlh)
{
	const struct nlattr *a = nl_attr_find(nlh, NFTA_TABLE_FLAGS);
	uint32_t be;

	if (!a || a->nla_len < NLA_HDRLEN + sizeof(be))
		return 0;
	memcpy(&be, (const char *)a + NLA_HDRLEN, sizeof(be));
	return !!(ntohl(be) & NFT_TABLE_F_OWNER);
}

/* 1 for a table of the namespace's own (the dump need go no further) */
static int unowned(const struct nlmsghdr *nlh, void *arg)
{
	(void)arg;
	return (nlh->nlmsg_type & 0xff) == NFT_MSG_NEWTABLE && !owned(nlh);
}

int nfd_nft_tables_unowned(void)
{
	struct timeval tv = { .tv_usec = WAIT_US };
	static char buf[READ_SIZE] __attribute__((aligned(4)));
	int fd = nl_open_netfilter(), r = NL_DUMP_MORE;

	if (fd < 0)
		return fd;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		r = -errno;
	else if ((r = ask(fd)) == 0)
		r = NL_DUMP_MORE;
	for (int i = 0; r == NL_DUMP_MORE && i < READS_MAX; i++)
		r = nl_dump_read(fd, buf, READ_SIZE, unowned, NULL);
	close(fd);
	return r == NL_DUMP_MORE ? 1 : r;
}
