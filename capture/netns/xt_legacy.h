/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An iptables-legacy table (ip_tables, ip6_tables) as the kernel gives it
 * (IPT_SO_GET_INFO, IPT_SO_GET_ENTRIES): each entry's offset, the chain
 * it is in and its number there as 'iptables -L --line-numbers' counts,
 * and whether it always drops what it matches (a DROP verdict, a
 * REJECT, a DROP policy). Backends fentry and kprobe tell a drop's rule
 * by these entries' counters (bpf/outside.bpf.h); its offset names it.
 *
 * Convention: 0 or -errno; nothing is printed.
 */
#ifndef NFD_XT_LEGACY_H
#define NFD_XT_LEGACY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NFD_XTL_NAME_MAX 32 /* XT_TABLE_MAXNAMELEN, XT_EXTENSION_MAXNAMELEN */
#define NFD_XTL_HOOKS 5 /* NF_INET_NUMHOOKS */
/* A table's entries are read up to this size (kube-proxy's are ~MBs). */
#define NFD_XTL_SIZE_MAX (64u << 20)

enum nfd_xtl_kind {
	NFD_XTL_RULE = 0, /* a rule: number from 1 */
	NFD_XTL_POLICY = 1, /* a built-in chain's policy */
	NFD_XTL_OTHER = 2, /* a user chain's head or foot, the table's end */
};

struct nfd_xtl_entry {
	uint32_t off; /* from the start of the table's entries */
	uint32_t chain; /* index in chains[] */
	uint32_t num; /* NFD_XTL_RULE: its number in its chain */
	uint8_t kind; /* enum nfd_xtl_kind */
	bool drops; /* always drops what it matches */
};

/* The input of nfd_xtl_parse: what IPT_SO_GET_INFO tells of a table. */
struct nfd_xtl_info {
	uint32_t valid_hooks;
	uint32_t hook_entry[NFD_XTL_HOOKS];
	uint32_t underflow[NFD_XTL_HOOKS];
	uint32_t num_entries;
	uint32_t size;
};

struct nfd_xtl_table {
	int family; /* AF_INET or AF_INET6 */
	char name[NFD_XTL_NAME_MAX];
	uint32_t size; /* of its entries, bytes */
	struct nfd_xtl_entry *e; /* by offset */
	size_t n;
	char (*chains)[NFD_XTL_NAME_MAX];
	size_t nchains;
};

/*
 * Reads table @name of @family from the kernel through @fd, a socket of
 * that family (SOCK_RAW) in the table's namespace; needs CAP_NET_ADMIN.
 * A table that changed size between the two reads: -EAGAIN.
 */
int nfd_xtl_read(int fd, int family, const char *name,
		 struct nfd_xtl_table *t);
/*
 * The entries of @family's table @name as IPT_SO_GET_ENTRIES gives them:
 * @blob, @info->size bytes. Refuses (-EINVAL) what a kernel would not
 * give: entries that overlap or run past the end, hooks off entries.
 */
int nfd_xtl_parse(int family, const char *name, const struct nfd_xtl_info *info,
		  const void *blob, struct nfd_xtl_table *t);
/* The entry at @off, or NULL. */
const struct nfd_xtl_entry *nfd_xtl_find(const struct nfd_xtl_table *t,
					 uint32_t off);
/*
 * The offsets of the entries that always drop, in order, into @off (at
 * most @max): their number, or -E2BIG when there are more.
 */
int nfd_xtl_drops(const struct nfd_xtl_table *t, uint32_t *off, int max);
void nfd_xtl_free(struct nfd_xtl_table *t);

#endif /* NFD_XT_LEGACY_H */
