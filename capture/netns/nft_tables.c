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

/* 0 or 1 when the dump said, 2 when more is to come, or -errno. */
static int read_some(int fd, char *buf)
{
	ssize_t n = recv(fd, buf, READ_SIZE, 0);
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;

	if (n <= 0)
		return n < 0 ? -errno : -EIO;
	for (; NLMSG_OK(nlh, n); nlh = NLMSG_NEXT(nlh, n)) {
		if (nlh->nlmsg_type == NLMSG_DONE)
			return 0;
		if (nlh->nlmsg_type == NLMSG_ERROR)
			return ((struct nlmsgerr *)NLMSG_DATA(nlh))->error ?: -EIO;
		if ((nlh->nlmsg_type & 0xff) == NFT_MSG_NEWTABLE &&
		    !owned(nlh))
			return 1;
	}
	return 2;
}

int nfd_nft_tables_unowned(void)
{
	struct timeval tv = { .tv_usec = WAIT_US };
	static char buf[READ_SIZE] __attribute__((aligned(4)));
	int fd = nl_open_netfilter(), r = 2;

	if (fd < 0)
		return fd;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		r = -errno;
	else if ((r = ask(fd)) == 0)
		r = 2;
	for (int i = 0; r == 2 && i < READS_MAX; i++)
		r = read_some(fd, buf);
	close(fd);
	return r == 2 ? 1 : r;
}
