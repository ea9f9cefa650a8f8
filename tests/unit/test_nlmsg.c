// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests: nl_dump_read, the one reader of netlink dumps, against the
 * kernel's own answers (a link dump of this namespace: no privilege, no
 * change to anything).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "check.h"
#include "lib/nlmsg.h"

static char buf[32768] __attribute__((aligned(4)));

/* RTM_GETLINK: a dump (@ifindex 0) or one link, asked with NLM_F_ACK */
static int ask_links(int fd, int ifindex)
{
	struct {
		struct nlmsghdr nlh;
		struct ifinfomsg ifi;
	} req = {
		.nlh = { .nlmsg_len = sizeof(req),
			 .nlmsg_type = RTM_GETLINK,
			 .nlmsg_flags = NLM_F_REQUEST |
					(ifindex ? NLM_F_ACK : NLM_F_DUMP),
			 .nlmsg_seq = 1 },
		.ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex },
	};

	return send(fd, &req, sizeof(req), 0) == sizeof(req) ? 0 : -errno;
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
	CHECK(ask_links(fd, 0) == 0);
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
	CHECK(ask_links(fd, 0) == 0);
	CHECK(read_dump(fd, &s) == 7);
	CHECK(s.links == 1);
	close(fd);
}

static void test_kernel_error(void)
{
	int fd = nl_open(SOCK_RAW, NETLINK_ROUTE, 0);
	struct seen s = { 0 };

	if (!CHECK(fd >= 0))
		return;
	CHECK(ask_links(fd, 0x7ffffff0) == 0); /* no such link */
	CHECK(read_dump(fd, &s) == -ENODEV);
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
