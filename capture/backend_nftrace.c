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
#include "probe.h"
#include "trace_table.h"
#include "nftrace.skel.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* One network namespace's part: the trace table and the trace socket. */
struct nftrace_ns {
	int trace_fd; /* NFNLGRP_NFTRACE listener, with the socket filter */
	int table_fd; /* owner of the trace table */
};

static int nftrace_available(char *why, size_t len)
{
	int fd = nl_open_netfilter();

	if (fd < 0) {
		snprintf(why, len, "no nfnetlink socket: %s", strerror(-fd));
		return fd;
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

static int nftrace_load(struct nfd_backend *b,
			const struct nfd_backend_env *env, char *msg,
			size_t len)
{
	struct nftrace_bpf *skel = nftrace_bpf__open();
	int err;

	if (!skel) {
		err = -errno;
		snprintf(msg, len, "opening the nftrace BPF object: %s",
			 strerror(errno));
		return err;
	}
	err = nfd_probe_share_maps(env->probe, skel->obj);
	err = err ?: nftrace_bpf__load(skel);
	if (err) {
		snprintf(msg, len, "loading the nftrace socket filter: %s",
			 strerror(-err));
		nftrace_bpf__destroy(skel);
		return err;
	}
	b->priv = skel;
	snprintf(msg, len, "socket filter loaded");
	return 0;
}

static void nftrace_unload(struct nfd_backend *b)
{
	nftrace_bpf__destroy(b->priv);
	b->priv = NULL;
}

/* Closing the owner socket makes the kernel delete the trace table. */
static void nftrace_detach_netns(struct nfd_backend *b, void *inst)
{
	struct nftrace_ns *t = inst;

	if (!t)
		return;
	if (t->table_fd >= 0)
		close(t->table_fd);
	if (t->trace_fd >= 0)
		close(t->trace_fd);
	free(t);
}

static void *nftrace_attach_netns(struct nfd_backend *b, int *err)
{
	struct nftrace_bpf *skel = b->priv;
	struct nftrace_ns *t = calloc(1, sizeof(*t));
	char table[64];

	if (!t) {
		*err = -ENOMEM;
		return NULL;
	}
	t->table_fd = -1;
	t->trace_fd = open_trace_socket(
		bpf_program__fd(skel->progs.nfd_trace_filter));
	if (t->trace_fd < 0) {
		*err = t->trace_fd;
		goto detach;
	}
	t->table_fd = nl_open_netfilter();
	if (t->table_fd < 0) {
		*err = t->table_fd;
		fprintf(stderr, "nfdropcap: socket(NETLINK_NETFILTER): %s\n",
			strerror(-*err));
		goto detach;
	}
	snprintf(table, sizeof(table), "nfdropcap_%d", (int)getpid());
	*err = nfd_trace_table_create(t->table_fd, table);
	if (*err) {
		fprintf(stderr, "nfdropcap: creating trace table inet %s: %s\n",
			table, strerror(-*err));
		goto detach;
	}
	return t;
detach:
	nftrace_detach_netns(b, t);
	return NULL;
}

struct nfd_backend nfd_backend_nftrace = {
	.name = "nftrace",
	.available = nftrace_available,
	.load = nftrace_load,
	.attach_netns = nftrace_attach_netns,
	.detach_netns = nftrace_detach_netns,
	.unload = nftrace_unload,
};
