/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Backend nftrace in one namespace: a trace chain on the ingress hook of
 * every device, following the devices as they come and go (rtnetlink).
 */
#ifndef NFD_NFTRACE_NETDEV_H
#define NFD_NFTRACE_NETDEV_H

#include <stddef.h>
#include <stdint.h>

/* Devices of one namespace given a trace chain, at most. */
#define NFD_NETDEV_MAX 1024

struct nfd_netdev_follow {
	int rt_fd; /* NETLINK_ROUTE, RTMGRP_LINK: devices come and go */
	int table_fd; /* owner of the netdev trace table (not ours to close) */
	uint32_t seq; /* of the batches sent on table_fd */
	char table[64];
	unsigned int *dev; /* ifindexes with a trace chain */
	size_t n;
	unsigned int refused; /* devices left without one (see -v) */
	int verbose;
};

/*
 * In the namespace the process is in now: the netdev trace table, owned
 * by @table_fd's socket (batches numbered from @seq on), and a chain for
 * each device. 0 or -errno (printed with -v only: drops at ingress hooks
 * are then written unattributed, with the reason).
 */
int nfd_netdev_follow_start(struct nfd_netdev_follow *f, int table_fd,
			    uint32_t seq, const char *table, int verbose);
/* Devices that came or went since: never blocks. */
void nfd_netdev_follow_poll(struct nfd_netdev_follow *f);
/* Stops following (closing the owner socket deletes the table). */
void nfd_netdev_follow_stop(struct nfd_netdev_follow *f);

#endif /* NFD_NFTRACE_NETDEV_H */
