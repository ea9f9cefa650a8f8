/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Whether the current network namespace has nf_tables tables a listing
 * would show: asked once per namespace joined, so that the many namespaces
 * of a node with no table of their own (pods, containers) cost no nft run.
 */
#ifndef NFD_NFT_TABLES_H
#define NFD_NFT_TABLES_H

/*
 * 0: no table but ones held by a netlink socket (flags owner: our own
 * trace tables among them); 1: some other table, or too many to tell
 * within bounds; -errno: the kernel could not be asked.
 */
int nfd_nft_tables_unowned(void);

#endif /* NFD_NFT_TABLES_H */
