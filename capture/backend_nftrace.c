// SPDX-License-Identifier: GPL-2.0
/*
 * Backend nftrace. nfdropcap adds its own table, created with flags owner
 * so that the kernel removes it when nfdropcap's netlink socket closes,
 * however nfdropcap ends. Its chains set 'meta nftrace set 1' at
 * prerouting and output ahead of every other chain, so every packet of the
 * namespace is traced through every chain. A BPF socket filter on
 * nfdropcap's NFNLGRP_NFTRACE socket (bpf/nftrace.bpf.c) reads each drop
 * verdict in the kernel, in the dropped packet's own context.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <bpf/libbpf.h>

#include "backend.h"
#include "nlmsg.h"
#include "trace_table.h"
#include "nftrace.skel.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct nftrace {
	struct nftrace_bpf *skel;
	int trace_fd; /* NFNLGRP_NFTRACE listener, with the socket filter */
	int table_fd; /* owner of the trace table */
	char table[64];
};

static int nftrace_available(char *why, size_t len)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);

	if (fd < 0) {
		snprintf(why, len, "no nfnetlink socket: %s", strerror(errno));
		return -errno;
	}
	close(fd);
	return 0;
}

static int open_trace_socket(int prog_fd)
{
	int group = NFNLGRP_NFTRACE, fd, err;
	int rcvbuf = 4096;

	fd = nl_open_netfilter();
	if (fd < 0) {
		fprintf(stderr, "nfdropcap: socket(NETLINK_NETFILTER): %s\n",
			strerror(-fd));
		return fd;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_BPF, &prog_fd,
		       sizeof(prog_fd))) {
		err = -errno;
		fprintf(stderr,
			"nfdropcap: attaching the trace filter "
			"(SO_ATTACH_BPF): %s\n",
			strerror(errno));
		goto close_fd;
	}
	if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group,
		       sizeof(group))) {
		err = -errno;
		fprintf(stderr,
			"nfdropcap: joining NFNLGRP_NFTRACE: %s "
			"(needs CAP_NET_ADMIN)\n",
			strerror(errno));
		goto close_fd;
	}
	return fd;
close_fd:
	close(fd);
	return err;
}

static int load_filter(struct nftrace *t, const struct nfd_backend_env *env)
{
	int err;

	t->skel = nftrace_bpf__open();
	if (!t->skel) {
		fprintf(stderr,
			"nfdropcap: opening the nftrace BPF object: "
			"%s\n",
			strerror(errno));
		return -errno;
	}
	err = bpf_map__reuse_fd(t->skel->maps.pending, env->pending_fd);
	err = err ?: bpf_map__reuse_fd(t->skel->maps.stats, env->stats_fd);
	err = err ?: nftrace_bpf__load(t->skel);
	if (err)
		fprintf(stderr,
			"nfdropcap: loading the nftrace socket filter: "
			"%s\n",
			strerror(-err));
	return err;
}

static int nftrace_attach(struct nfd_backend *b,
			  const struct nfd_backend_env *env)
{
	struct nftrace *t = calloc(1, sizeof(*t));
	int err;

	if (!t)
		return -ENOMEM;
	t->trace_fd = t->table_fd = -1;
	snprintf(t->table, sizeof(t->table), "nfdropcap_%d", (int)getpid());
	b->priv = t;

	err = load_filter(t, env);
	if (err)
		goto detach;
	t->trace_fd = open_trace_socket(
		bpf_program__fd(t->skel->progs.nfd_trace_filter));
	if (t->trace_fd < 0) {
		err = t->trace_fd;
		goto detach;
	}
	t->table_fd = nl_open_netfilter();
	if (t->table_fd < 0) {
		err = t->table_fd;
		fprintf(stderr, "nfdropcap: socket(NETLINK_NETFILTER): %s\n",
			strerror(-err));
		goto detach;
	}
	err = nfd_trace_table_create(t->table_fd, t->table);
	if (err) {
		fprintf(stderr, "nfdropcap: creating trace table inet %s: %s\n",
			t->table, strerror(-err));
		goto detach;
	}
	return 0;
detach:
	b->detach(b);
	return err;
}

/* Closing the owner socket makes the kernel delete the trace table. */
static void nftrace_detach(struct nfd_backend *b)
{
	struct nftrace *t = b->priv;

	if (!t)
		return;
	if (t->table_fd >= 0)
		close(t->table_fd);
	if (t->trace_fd >= 0)
		close(t->trace_fd);
	nftrace_bpf__destroy(t->skel);
	free(t);
	b->priv = NULL;
}

struct nfd_backend nfd_backend_nftrace = {
	.name = "nftrace",
	.available = nftrace_available,
	.attach = nftrace_attach,
	.detach = nftrace_detach,
};
