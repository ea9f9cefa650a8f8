// SPDX-License-Identifier: GPL-2.0
/*
 * nftrace-floor: the least any exact nftrace-based capture can cost. It
 * makes the same trace table as nfdropcap's backend nftrace and listens to
 * NFNLGRP_NFTRACE with a classic BPF filter that discards every message in
 * the kernel. The kernel still builds each trace message; nothing else
 * happens. Runs in the current network namespace until SIGINT/SIGTERM.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/filter.h>
#include <linux/netlink.h>
#include <linux/netfilter/nfnetlink.h>

#include "lib/nlmsg.h"
#include "backend/nftrace_table.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static int listen_and_discard(void)
{
	struct sock_filter drop_all = BPF_STMT(BPF_RET | BPF_K, 0);
	struct sock_fprog prog = { .len = 1, .filter = &drop_all };
	int fd = nl_open_netfilter();

	if (fd < 0)
		return fd;
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)))
		return -errno;
	return nl_join_group(fd, NFNLGRP_NFTRACE) ?: fd;
}

int main(void)
{
	int listener, owner, err;
	uint32_t seq = 1;
	char table[64];

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	listener = listen_and_discard();
	owner = nl_open_netfilter();
	if (listener < 0 || owner < 0) {
		fprintf(stderr, "nftrace-floor: netlink: %s\n",
			strerror(listener < 0 ? -listener : -owner));
		return 1;
	}
	snprintf(table, sizeof(table), "nfdfloor_%d", (int)getpid());
	err = nfd_nftrace_table_create(owner, &seq, table, NULL);
	if (err) {
		fprintf(stderr, "nftrace-floor: trace table: %s\n",
			strerror(-err));
		return 1;
	}
	fprintf(stderr, "nftrace-floor: ready\n");
	while (!stop)
		pause();
	return 0;
}
