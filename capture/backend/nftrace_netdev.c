// SPDX-License-Identifier: GPL-2.0
/*
 * A trace chain on the ingress hook of every device of a namespace
 * (backend nftrace): netdev tables and inet ingress chains run before
 * prerouting, where nfdropcap's inet trace table marks packets. Devices
 * are followed with rtnetlink: a dump at start, then RTM_NEWLINK and
 * RTM_DELLINK as they come; read off the capture path, never blocking it.
 * Device names come from the namespace: they go only into netlink
 * attributes, and are escaped where printed.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/if.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "lib/escape.h"
#include "lib/nlmsg.h"
#include "nftrace_netdev.h"
#include "nftrace_table.h"

#define DUMP_WAIT_MS 2000 /* for the first list of devices */
#define READS_PER_POLL 16 /* bounds the work one poll does */

static ssize_t find_dev(const struct nfd_netdev_follow *f, unsigned int idx)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->dev[i] == idx)
			return (ssize_t)i;
	return -1;
}

static void refuse(struct nfd_netdev_follow *f, const char *name, int err)
{
	char esc[4 * IFNAMSIZ + 1];

	f->refused++;
	if (!f->verbose)
		return;
	nfd_escape_str(esc, sizeof(esc), name);
	if (err)
		fprintf(stderr,
			"nfdropcap: drops at the ingress of device %s are not "
			"attributed: its trace chain: %s\n",
			esc, strerror(-err));
	else
		fprintf(stderr,
			"nfdropcap: drops at the ingress of device %s are not "
			"attributed: its namespace has more than %d devices\n",
			esc, NFD_NETDEV_MAX);
}

static void add_dev(struct nfd_netdev_follow *f, unsigned int idx,
		    const char *name)
{
	int err;

	if (f->n >= NFD_NETDEV_MAX) {
		refuse(f, name, 0);
		return;
	}
	err = nfd_nftrace_netdev_chain_add(f->table_fd, &f->seq, f->table, idx,
					   name);
	if (err == -ENODEV || err == -ENOENT)
		return; /* gone already: its RTM_DELLINK follows */
	if (err) {
		refuse(f, name, err);
		return;
	}
	f->dev[f->n++] = idx;
}

static void forget_dev(struct nfd_netdev_follow *f, unsigned int idx)
{
	ssize_t i = find_dev(f, idx);

	if (i < 0)
		return;
	f->dev[i] = f->dev[--f->n];
	/* the kernel may have deleted it with its device already */
	nfd_nftrace_netdev_chain_del(f->table_fd, &f->seq, f->table, idx);
}

/* IFLA_IFNAME of a link message, NUL-terminated within IFNAMSIZ; or NULL. */
static const char *link_name(const struct nlmsghdr *nlh)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(nlh);
	int left = (int)nlh->nlmsg_len - NLMSG_LENGTH(sizeof(*ifi));
	const struct rtattr *a = IFLA_RTA(ifi);

	for (; RTA_OK(a, left); a = RTA_NEXT(a, left)) {
		const char *s = RTA_DATA(a);
		size_t len = RTA_PAYLOAD(a);

		if (a->rta_type != IFLA_IFNAME)
			continue;
		if (!len || len > IFNAMSIZ || s[len - 1] || !s[0])
			return NULL;
		return s;
	}
	return NULL;
}

static int on_message(const struct nlmsghdr *nlh, void *arg)
{
	struct nfd_netdev_follow *f = arg;
	const struct ifinfomsg *ifi = NLMSG_DATA(nlh);
	const char *name;

	if ((nlh->nlmsg_type != RTM_NEWLINK &&
	     nlh->nlmsg_type != RTM_DELLINK) ||
	    nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)) ||
	    ifi->ifi_family != AF_UNSPEC || ifi->ifi_index <= 0)
		return 0; /* AF_BRIDGE ones are about bridge ports */
	if (nlh->nlmsg_type == RTM_DELLINK) {
		forget_dev(f, (unsigned int)ifi->ifi_index);
		return 0;
	}
	name = link_name(nlh);
	if (name && find_dev(f, (unsigned int)ifi->ifi_index) < 0)
		add_dev(f, (unsigned int)ifi->ifi_index, name);
	return 0;
}

/*
 * One read of the socket, its messages handled. Returns 1 if it held the
 * end of a dump, 0 if not, -EAGAIN if nothing was there, or -errno.
 */
static int read_once(struct nfd_netdev_follow *f)
{
	static char buf[32768] __attribute__((aligned(4)));
	int r = nl_dump_read(f->rt_fd, buf, sizeof(buf), on_message, f);

	if (r == NL_DUMP_MORE)
		return 0;
	return r ? r : 1;
}

/* The devices there now, waiting at most DUMP_WAIT_MS for the list. */
static int first_dump(struct nfd_netdev_follow *f)
{
	struct pollfd p = { .fd = f->rt_fd, .events = POLLIN };
	int err = nl_ask_links(f->rt_fd);

	while (!err) {
		err = read_once(f);
		if (err == 1)
			return 0;
		if (err == -EAGAIN)
			err = poll(&p, 1, DUMP_WAIT_MS) > 0 ? 0 : -ETIMEDOUT;
		else if (err == -EINTR)
			err = 0;
	}
	return err;
}

int nfd_netdev_follow_start(struct nfd_netdev_follow *f, int table_fd,
			    uint32_t seq, const char *table, int verbose)
{
	int err;

	memset(f, 0, sizeof(*f));
	f->verbose = verbose;
	f->seq = seq;
	f->table_fd = table_fd;
	f->rt_fd = -1;
	snprintf(f->table, sizeof(f->table), "%s", table);
	f->dev = calloc(NFD_NETDEV_MAX, sizeof(*f->dev));
	if (!f->dev)
		return -ENOMEM;
	err = nfd_nftrace_netdev_table_create(f->table_fd, &f->seq, table);
	if (!err) {
		f->rt_fd = nl_open(SOCK_RAW | SOCK_NONBLOCK, NETLINK_ROUTE,
				   RTMGRP_LINK);
		err = f->rt_fd < 0 ? f->rt_fd : first_dump(f);
	}
	if (err) {
		if (verbose)
			fprintf(stderr,
				"nfdropcap: drops at ingress hooks are not "
				"attributed: trace table netdev %s: %s\n",
				table, strerror(-err));
		nfd_netdev_follow_stop(f);
	}
	return err;
}

void nfd_netdev_follow_poll(struct nfd_netdev_follow *f)
{
	if (f->rt_fd < 0)
		return;
	for (int i = 0; i < READS_PER_POLL; i++) {
		int err = read_once(f);

		if (err == -ENOBUFS) /* notifications lost: list again */
			err = nl_ask_links(f->rt_fd);
		if (err < 0 && err != -EINTR)
			return;
	}
}

void nfd_netdev_follow_stop(struct nfd_netdev_follow *f)
{
	if (f->rt_fd >= 0)
		close(f->rt_fd);
	f->rt_fd = f->table_fd = -1;
	free(f->dev);
	f->dev = NULL;
	f->n = 0;
}
