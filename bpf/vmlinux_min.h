/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few kernel types nfdropcap's BPF programs read, declared by hand.
 * Every struct is relocated by CO-RE against the running kernel's BTF:
 * only field names and types matter here, never offsets or order. Add a
 * field here before you read it; if a kernel renames one, add a flavour
 * (struct foo___6_1) citing the kernel change, next to the original.
 */
#ifndef NFD_VMLINUX_MIN_H
#define NFD_VMLINUX_MIN_H

#include <linux/types.h>

#pragma clang attribute push(__attribute__((preserve_access_index)), \
			     apply_to = record)

struct ns_common {
	unsigned int inum;
};

struct net {
	struct ns_common ns;
};

typedef struct {
	struct net *net;
} possible_net_t;

struct net_device {
	char name[16];
	int ifindex;
	unsigned short type;
	unsigned char addr_len;
	possible_net_t nd_net;
	unsigned long long priv_flags; /* a 32-bit bitfield since 6.9 */
	void *rx_handler_data; /* a bridge port's struct net_bridge_port */
	__u8 priv[]; /* netdev_priv(), since 6.11; after the struct before */
};

struct sock_common {
	possible_net_t skc_net;
};

struct sock {
	struct sock_common __sk_common;
};

struct dst_entry {
	struct net_device *dev;
};

struct sk_buff {
	struct net_device *dev;
	struct sock *sk;
	unsigned long _skb_refdst;
	unsigned int len;
	unsigned int data_len;
	__u8 pkt_type : 3;
	__u8 nf_trace : 1;
	int skb_iif;
	__be16 protocol;
	__u16 transport_header;
	__u16 network_header;
	__u16 mac_header;
	unsigned char *head;
	unsigned char *data;
	char cb[48]; /* NETLINK_CB() for netlink messages */
};

/* include/linux/netlink.h: NETLINK_CB(skb), in skb->cb */
struct netlink_skb_parms {
	__u32 portid; /* the sender's; 0: the kernel */
};

#if defined(__TARGET_ARCH_arm64)
/* arm64 kprobe context (arch/arm64/include/asm/ptrace.h): x0-x30 first */
struct pt_regs {
	__u64 regs[31];
	__u64 sp, pc, pstate;
};
#else
/* x86-64 kprobe context */
struct pt_regs {
	unsigned long r15, r14, r13, r12, bp, bx, r11, r10, r9, r8;
	unsigned long ax, cx, dx, si, di, orig_ax, ip, cs, flags, sp, ss;
};
#endif

struct list_head {
	struct list_head *next;
	struct list_head *prev;
};

/* a CPU's run queue (drop_probe.bpf.c: the CPU's per-CPU data is near) */
struct rq {
	int cpu;
};

/* the CFS run queue a task is on (CONFIG_FAIR_GROUP_SCHED: se.cfs_rq) */
struct cfs_rq {
	struct rq *rq;
};

struct sched_entity {
	__u64 nr_migrations; /* how often the task moved (outside.bpf.h) */
	struct cfs_rq *cfs_rq;
};

struct task_struct {
	struct sched_entity se;
};

/* nf_tables (include/net/netfilter/nf_tables.h); a module on Debian. */
struct nf_hook_state {
	__u8 hook;
	__u8 pf;
	struct net *net;
};

/* x_tables: a table of iptables-legacy (ip_tables, ip6_tables) */
struct xt_table_info {
	unsigned int size; /* of entries[] */
	unsigned char entries[];
};

struct xt_table {
	struct xt_table_info *private;
	char name[32]; /* XT_TABLE_MAXNAMELEN */
};

struct nft_pktinfo {
	struct sk_buff *skb;
	const struct nf_hook_state *state;
};

struct nft_chain;

struct nft_verdict {
	__u32 code;
	struct nft_chain *chain;
};

struct nft_regs {
	union {
		__u32 data[20];
		struct nft_verdict verdict;
	};
};

struct nft_expr {
	const void *ops;
	unsigned char data[];
};

struct nft_data {
	union {
		__u32 data[4];
		struct nft_verdict verdict;
	};
};

/* nf_tables_core.h: the private data of an immediate expression */
struct nft_immediate_expr {
	struct nft_data data;
	__u8 dreg;
};

struct nft_rule_dp {
	__u64 is_last : 1, dlen : 12, handle : 42;
};

struct nft_rule_blob {
	unsigned long size;
	unsigned char data[];
};

struct nft_table {
	struct list_head chains;
	__u16 family : 6;
	char *name;
};

struct nft_chain {
	struct nft_rule_blob *blob_gen_0;
	struct nft_rule_blob *blob_gen_1;
	struct list_head list;
	struct nft_table *table;
	__u64 handle;
	char *name;
};

struct nft_base_chain {
	__u8 policy;
	struct nft_chain chain;
};

/* Values are placeholders: bpf_core_enum_value() reads the kernel's. */
enum netdev_priv_flags {
	IFF_EBRIDGE = 1,
	IFF_BRIDGE_PORT = 2,
};

enum skb_drop_reason {
	SKB_DROP_REASON_NETFILTER_DROP = 12,
};

#pragma clang attribute pop

#endif /* NFD_VMLINUX_MIN_H */
