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
#include "nftrace.skel.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define TRACE_PRIORITY (-2147483647 - 1) /* NF_IP_PRI_FIRST */
#define NFT_MSG(m) ((NFNL_SUBSYS_NFTABLES << 8) | (m))

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

static int nl_socket(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

static int open_trace_socket(int prog_fd)
{
	int group = NFNLGRP_NFTRACE, fd, err;
	int rcvbuf = 4096;

	fd = nl_socket();
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

static void put_chain(struct nl_buf *b, const char *table, const char *name,
		      int hook, uint32_t seq)
{
	size_t nest;

	nl_msg_begin(b, NFT_MSG(NFT_MSG_NEWCHAIN), NLM_F_CREATE | NLM_F_ACK,
		     seq, NFPROTO_INET, 0);
	nl_put_str(b, NFTA_CHAIN_TABLE, table);
	nl_put_str(b, NFTA_CHAIN_NAME, name);
	nest = nl_nest_begin(b, NFTA_CHAIN_HOOK);
	nl_put_be32(b, NFTA_HOOK_HOOKNUM, hook);
	nl_put_be32(b, NFTA_HOOK_PRIORITY, (uint32_t)TRACE_PRIORITY);
	nl_nest_end(b, nest);
	nl_put_str(b, NFTA_CHAIN_TYPE, "filter");
	nl_msg_end(b);
}

/* meta nftrace set 1: immediate 1 into reg 1, then meta set from reg 1 */
static void put_trace_rule(struct nl_buf *b, const char *table,
			   const char *chain, uint32_t seq)
{
	size_t list, elem, data, value;
	uint8_t one = 1;

	nl_msg_begin(b, NFT_MSG(NFT_MSG_NEWRULE),
		     NLM_F_CREATE | NLM_F_APPEND | NLM_F_ACK, seq, NFPROTO_INET,
		     0);
	nl_put_str(b, NFTA_RULE_TABLE, table);
	nl_put_str(b, NFTA_RULE_CHAIN, chain);
	list = nl_nest_begin(b, NFTA_RULE_EXPRESSIONS);

	elem = nl_nest_begin(b, NFTA_LIST_ELEM);
	nl_put_str(b, NFTA_EXPR_NAME, "immediate");
	data = nl_nest_begin(b, NFTA_EXPR_DATA);
	nl_put_be32(b, NFTA_IMMEDIATE_DREG, NFT_REG_1);
	value = nl_nest_begin(b, NFTA_IMMEDIATE_DATA);
	nl_put(b, NFTA_DATA_VALUE, &one, sizeof(one));
	nl_nest_end(b, value);
	nl_nest_end(b, data);
	nl_nest_end(b, elem);

	elem = nl_nest_begin(b, NFTA_LIST_ELEM);
	nl_put_str(b, NFTA_EXPR_NAME, "meta");
	data = nl_nest_begin(b, NFTA_EXPR_DATA);
	nl_put_be32(b, NFTA_META_KEY, NFT_META_NFTRACE);
	nl_put_be32(b, NFTA_META_SREG, NFT_REG_1);
	nl_nest_end(b, data);
	nl_nest_end(b, elem);

	nl_nest_end(b, list);
	nl_msg_end(b);
}

static int create_trace_table(int fd, const char *table)
{
	struct nl_buf *b = malloc(sizeof(*b));
	uint32_t seq = 1;
	int err;

	if (!b)
		return -ENOMEM;
	nl_buf_init(b);
	nl_msg_begin(b, NFNL_MSG_BATCH_BEGIN, 0, seq++, 0,
		     NFNL_SUBSYS_NFTABLES);
	nl_msg_end(b);

	nl_msg_begin(b, NFT_MSG(NFT_MSG_NEWTABLE), NLM_F_CREATE | NLM_F_ACK,
		     seq++, NFPROTO_INET, 0);
	nl_put_str(b, NFTA_TABLE_NAME, table);
	nl_put_be32(b, NFTA_TABLE_FLAGS, NFT_TABLE_F_OWNER);
	nl_msg_end(b);

	put_chain(b, table, "pre", NF_INET_PRE_ROUTING, seq++);
	put_trace_rule(b, table, "pre", seq++);
	put_chain(b, table, "out", NF_INET_LOCAL_OUT, seq++);
	put_trace_rule(b, table, "out", seq++);

	nl_msg_begin(b, NFNL_MSG_BATCH_END, 0, seq++, 0, NFNL_SUBSYS_NFTABLES);
	nl_msg_end(b);

	err = nl_send_and_ack(fd, b, 5);
	free(b);
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
	t->table_fd = nl_socket();
	if (t->table_fd < 0) {
		err = t->table_fd;
		fprintf(stderr, "nfdropcap: socket(NETLINK_NETFILTER): %s\n",
			strerror(-err));
		goto detach;
	}
	err = create_trace_table(t->table_fd, t->table);
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
