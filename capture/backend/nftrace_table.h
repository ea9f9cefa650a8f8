/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The trace table of backend nftrace (see nftrace_table.c). Convention:
 * 0 or -errno; nothing is printed.
 */
#ifndef NFD_NFTRACE_TABLE_H
#define NFD_NFTRACE_TABLE_H

#include <stdint.h>

struct nfd_narrow;

/*
 * Creates table inet @name, owned by netlink socket @fd (bound, in the
 * namespace to trace), marking what @n matches (NULL or empty: every
 * packet). Returns 0 or -errno.
 */
/*
 * Each call sends one batch on @fd (whose socket then owns the table),
 * numbered from *@seq on, which it advances: answers to a failed batch,
 * left unread on @fd, are never taken for a later one's.
 */
int nfd_nftrace_table_create(int fd, uint32_t *seq, const char *name,
			     const struct nfd_narrow *n);
/* The bridge family's trace table (marks every bridged frame). */
int nfd_nftrace_bridge_table_create(int fd, uint32_t *seq, const char *name);
/*
 * The netdev family's trace table and its chain for one device (marks
 * every packet at the device's ingress).
 */
int nfd_nftrace_netdev_table_create(int fd, uint32_t *seq, const char *name);
int nfd_nftrace_netdev_chain_add(int fd, uint32_t *seq, const char *table,
				 unsigned int ifindex, const char *dev);
int nfd_nftrace_netdev_chain_del(int fd, uint32_t *seq, const char *table,
				 unsigned int ifindex);

#endif /* NFD_NFTRACE_TABLE_H */
