/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The trace table of backend nftrace (see nftrace_table.c). Convention:
 * 0 or -errno; nothing is printed.
 */
#ifndef NFD_NFTRACE_TABLE_H
#define NFD_NFTRACE_TABLE_H

struct nfd_narrow;

/*
 * Creates table inet @name, owned by netlink socket @fd (bound, in the
 * namespace to trace), marking what @n matches (NULL or empty: every
 * packet). Returns 0 or -errno.
 */
int nfd_nftrace_table_create(int fd, const char *name,
			     const struct nfd_narrow *n);
/* The bridge family's trace table (marks every bridged frame). */
int nfd_nftrace_bridge_table_create(int fd, const char *name);

#endif /* NFD_NFTRACE_TABLE_H */
