// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests: nl_dump_read, the one reader of netlink dumps, against the
 * kernel's own answers (a link dump of this namespace, and nf_tables'
 * answer for a table that is not there: reads only, nothing changed).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/rtnetlink.h>

#include "check.h"
#include "lib/nlmsg.h"

static char buf[32768] __attribute__((aligned(4)));

/* NFT_MSG_GETTABLE of a table no namespace has: the kernel answers ENOENT */
static int ask_missing_table(int fd)
{
	struct nl_buf b;

	nl_buf_init(&b);
	nl_msg_begin(&b, NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_GETTABLE, NLM_F_ACK,
		     1, NFPROTO_INET, 0);
	nl_put_str(&b, NFTA_TABLE_NAME, "nfdropcap-unit-none");
	nl_msg_end(&b);
	return send(fd, b.data, b.len, 0) == (ssize_t)b.len ? 0 : -errno;
}

struct seen {
	int links;
	int stop_at; /* the callback's answer when it sees this many: 7 */
};

static int count_link(const struct nlmsghdr *nlh, void *arg)
{
	struct seen *s = arg;

	if (nlh->nlmsg_type == RTM_NEWLINK)
		s->links++;
	return s->stop_at && s->links == s->stop_at ? 7 : 0;
}

/* Reads until the dump ends or 64 reads; returns the last answer. */
static int read_dump(int fd, struct seen *s)
{
	int r = NL_DUMP_MORE;

	for (int i = 0; i < 64 && r == NL_DUMP_MORE; i++)
		r = nl_dump_read(fd, buf, sizeof(buf), count_link, s);
	return r;
}

static void test_whole_dump(void)
{
	int fd = nl_open(SOCK_RAW, NETLINK_ROUTE, 0);
	struct seen s = { 0 };

	if (!CHECK(fd >= 0))
		return;
	CHECK(nl_ask_links(fd) == 0);
	CHECK(read_dump(fd, &s) == 0); /* NLMSG_DONE */
	CHECK(s.links >= 1); /* lo, at least */
	close(fd);
}

static void test_callback_stops(void)
{
	int fd = nl_open(SOCK_RAW, NETLINK_ROUTE, 0);
	struct seen s = { .stop_at = 1 };

	if (!CHECK(fd >= 0))
		return;
	CHECK(nl_ask_links(fd) == 0);
	CHECK(read_dump(fd, &s) == 7);
	CHECK(s.links == 1);
	close(fd);
}

static void test_kernel_error(void)
{
	int fd = nl_open_netfilter();
	struct seen s = { 0 };

	if (!CHECK(fd >= 0))
		return;
	CHECK(ask_missing_table(fd) == 0);
	CHECK(read_dump(fd, &s) == -ENOENT);
	CHECK(s.links == 0);
	close(fd);
}

static void test_nothing_there(void)
{
	int fd = nl_open(SOCK_RAW | SOCK_NONBLOCK, NETLINK_ROUTE, 0);
	struct seen s = { 0 };

	if (!CHECK(fd >= 0))
		return;
	CHECK(nl_dump_read(fd, buf, sizeof(buf), count_link, &s) == -EAGAIN);
	close(fd);
}

int main(void)
{
	test_whole_dump();
	test_callback_stops();
	test_kernel_error();
	test_nothing_there();
	return check_summary();
}
