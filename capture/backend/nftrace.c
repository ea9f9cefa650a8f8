// SPDX-License-Identifier: GPL-2.0
/*
 * Backend nftrace. nfdropcap adds its own table, created with flags owner
 * so that the kernel removes it when nfdropcap's netlink socket closes,
 * however nfdropcap ends. Its chains set 'meta nftrace set 1' at
 * prerouting and output ahead of every other chain, so every packet of the
 * namespace is traced through every chain. A BPF socket filter on
 * nfdropcap's NFNLGRP_NFTRACE socket (bpf/nftrace.bpf.c) reads each drop
 * verdict in the kernel, in the dropped packet's own context. With a
 * capture filter the kernel can run, only matching packets are traced
 * (nftrace_filter.c), in the trace table (nftrace_table.c).
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
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "backend.h"
#include "nftrace_filter.h"
#include "lib/nlmsg.h"
#include "drop_probe.h"
#include "nftrace_netdev.h"
#include "nftrace_table.h"
#include "nftrace.skel.h"

struct nftrace {
	struct nftrace_bpf *skel;
	struct nfd_narrow narrow; /* what the trace rules match */
	int verbose;
};

/*
 * One network namespace's part: the trace tables, the trace socket, and
 * without a filter the ingress trace chains of its devices.
 */
struct nftrace_ns {
	/*
	 * NFNLGRP_NFTRACE listener, with the socket filter, and owner of the
	 * trace tables (the filter lets the answers to its batches through):
	 * one socket, for a namespace's descriptors are counted.
	 */
	int fd;
	uint32_t seq; /* of the batches sent on it */
	struct nfd_netdev_follow netdev;
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
	int rcvbuf = 65536, fd, err; /* the answers to a batch, at most */

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
	err = nl_join_group(fd, NFNLGRP_NFTRACE);
	if (err) {
		fprintf(stderr,
			"nfdropcap: joining NFNLGRP_NFTRACE: %s "
			"(needs CAP_NET_ADMIN)\n",
			strerror(-err));
		goto close_fd;
	}
	return fd;
close_fd:
	close(fd);
	return err;
}

/*
 * Tells the bytes probe that verdicts come only for marked packets, and
 * whether a filter chooses them (NFD_TRACED_*).
 */
static int mark_traced(const struct nfd_drop_probe *p, bool filtered)
{
	struct nfd_sites s = { .traced = filtered ? NFD_TRACED_FILTER :
						    NFD_TRACED_ALL };
	__u32 zero = 0;

	if (bpf_map_update_elem(nfd_drop_probe_sites_fd(p), &zero, &s, BPF_ANY))
		return -errno;
	return 0;
}

/* Narrows tracing to @filter where it can, and says what it did in @msg. */
static void describe(struct nftrace *t, const char *filter, char *msg,
		     size_t len)
{
	char why[256];

	if (!filter)
		snprintf(msg, len, "socket filter loaded; every packet traced");
	else if (nfd_narrow_compile(filter, &t->narrow, why, sizeof(why)))
		snprintf(
			msg, len,
			"socket filter loaded; every packet traced, the filter "
			"cannot run before tracing: %s",
			why);
	else
		snprintf(
			msg, len,
			"socket filter loaded; only packets the filter matches "
			"are traced (xt_bpf, %u classic instructions%s)",
			t->narrow.len,
			t->narrow.prog_fd >= 0 ? ", run as eBPF" : "");
}

static int nftrace_load(struct nfd_backend *b,
			const struct nfd_backend_env *env, char *msg,
			size_t len)
{
	struct nftrace *t = calloc(1, sizeof(*t));
	int err;

	if (!t)
		return -ENOMEM;
	t->verbose = env->verbose;
	t->narrow.prog_fd = -1;
	t->skel = nftrace_bpf__open();
	if (!t->skel) {
		err = -errno;
		snprintf(msg, len, "opening the nftrace BPF object: %s",
			 strerror(errno));
		goto free;
	}
	err = nfd_drop_probe_share_maps(env->probe, t->skel->obj);
	err = err ?: nftrace_bpf__load(t->skel);
	if (err) {
		snprintf(msg, len, "loading the nftrace socket filter: %s",
			 strerror(-err));
		goto destroy;
	}
	b->priv = t;
	describe(t, env->filter, msg, len);
	err = mark_traced(env->probe, t->narrow.len > 0);
	if (err) {
		snprintf(msg, len, "telling the bytes probe: %s",
			 strerror(-err));
		b->priv = NULL;
		nfd_narrow_release(&t->narrow);
		goto destroy;
	}
	return 0;
destroy:
	nftrace_bpf__destroy(t->skel);
free:
	free(t);
	return err;
}

static void nftrace_unload(struct nfd_backend *b)
{
	struct nftrace *t = b->priv;

	nfd_narrow_release(&t->narrow);
	nftrace_bpf__destroy(t->skel);
	free(t);
	b->priv = NULL;
}

/* Closing the owner socket makes the kernel delete the trace table. */
static void nftrace_detach_netns(struct nfd_backend *b, void *inst)
{
	struct nftrace_ns *t = inst;

	if (!t)
		return;
	nfd_netdev_follow_stop(&t->netdev);
	if (t->fd >= 0)
		close(t->fd);
	free(t);
}

static void nftrace_poll_netns(struct nfd_backend *b, void *inst)
{
	struct nftrace_ns *t = inst;

	(void)b;
	if (t)
		nfd_netdev_follow_poll(&t->netdev);
}

/*
 * The trace table, narrowed to the filter where the kernel can run it:
 * without nft_compat or xt_bpf (modules) every packet is traced instead.
 */
static int create_table(struct nftrace *priv, struct nftrace_ns *t,
			const char *table)
{
	int err;

	if (!priv->narrow.len)
		return nfd_nftrace_table_create(t->fd, &t->seq, table, NULL);
	err = nfd_nftrace_table_create(t->fd, &t->seq, table, &priv->narrow);
	if (!err || err == -ENOMEM)
		return err;
	if (priv->verbose)
		fprintf(stderr,
			"nfdropcap: tracing every packet: the kernel refused "
			"the filter in the trace table (match bpf: %s; "
			"modules nft_compat, xt_bpf)\n",
			strerror(-err));
	return nfd_nftrace_table_create(t->fd, &t->seq, table, NULL);
}

/*
 * Bridged frames are traced from the bridge family's hooks when the kernel
 * has that family; without it they are still traced where br_netfilter
 * passes them through the inet hooks.
 */
static void add_bridge_table(struct nftrace *priv, struct nftrace_ns *t,
			     const char *table)
{
	int err = nfd_nftrace_bridge_table_create(t->fd, &t->seq, table);

	if (err && priv->verbose)
		fprintf(stderr,
			"nfdropcap: bridged frames traced only through "
			"br_netfilter: creating trace table bridge %s: %s\n",
			table, strerror(-err));
}

static void *nftrace_attach_netns(struct nfd_backend *b, int *err)
{
	struct nftrace *priv = b->priv;
	struct nftrace_ns *t = calloc(1, sizeof(*t));
	char table[64];

	if (!t) {
		*err = -ENOMEM;
		return NULL;
	}
	t->netdev.rt_fd = -1;
	t->seq = 1;
	t->fd = open_trace_socket(
		bpf_program__fd(priv->skel->progs.nfd_trace_filter));
	if (t->fd < 0) {
		*err = t->fd;
		goto detach;
	}
	snprintf(table, sizeof(table), "nfdropcap_%d", (int)getpid());
	*err = create_table(priv, t, table);
	if (*err) {
		fprintf(stderr, "nfdropcap: creating trace table inet %s: %s\n",
			table, strerror(-*err));
		goto detach;
	}
	add_bridge_table(priv, t, table);
	if (!priv->narrow.len) /* not narrowed: mark at ingress too */
		nfd_netdev_follow_start(&t->netdev, t->fd, t->seq, table,
					priv->verbose);
	return t;
detach:
	nftrace_detach_netns(b, t);
	return NULL;
}

/* --check: a capture joins the trace group, which load does not try. */
static int nftrace_selfcheck(struct nfd_backend *b, char *why, size_t len)
{
	int fd = nl_open_netfilter(), err;

	if (fd < 0) {
		snprintf(why, len, "no nfnetlink socket: %s", strerror(-fd));
		return fd;
	}
	err = nl_join_group(fd, NFNLGRP_NFTRACE);
	if (err)
		snprintf(why, len, "cannot join NFNLGRP_NFTRACE: %s",
			 strerror(-err));
	else
		snprintf(why, len, "joined NFNLGRP_NFTRACE");
	close(fd);
	return err;
}

struct nfd_backend nfd_backend_nftrace = {
	.name = "nftrace",
	.cost = "backend nftrace has the kernel trace every packet in the "
		"namespaces watched, accepted ones too: on the 2-core machine "
		"of 'make bench', accepted UDP kept 0.54 and TCP 0.89 of their "
		"rate without nfdropcap; a filter expression narrows tracing "
		"to the packets it matches (README, Cost)",
	.cost_filtered = "backend nftrace traces only the packets the filter "
			 "expression matches (an eBPF match in each "
			 "namespace's trace table); accepted traffic it does "
			 "not match kept 0.87 (UDP) and 1.00 (TCP) of its "
			 "rate in 'make bench' (README, Cost)",
	.available = nftrace_available,
	.load = nftrace_load,
	.attach_netns = nftrace_attach_netns,
	.detach_netns = nftrace_detach_netns,
	.poll_netns = nftrace_poll_netns,
	.unload = nftrace_unload,
	.selfcheck = nftrace_selfcheck,
};
