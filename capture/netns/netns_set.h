/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The network namespaces a capture covers: one (-N, or the current one) or
 * all of them (--all-netns, found by scanning /proc and /run/netns, added
 * as they appear and let go as they disappear). Each has the backend's
 * instance (its trace table and socket) and its ruleset's text.
 *
 * Convention: 0 or -errno, printed; a namespace that cannot be attached
 * during a scan is reported and the scan goes on.
 */
#ifndef NFD_NETNS_SET_H
#define NFD_NETNS_SET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netns.h"

struct nfd_backend;
struct nfd_ruleset;

struct nfd_netns_entry {
	struct nfd_netns ns;
	void *inst; /* the backend's part in this namespace */
	struct nfd_ruleset *rs;
	bool seen; /* in the latest scan */
	bool owner_known; /* named after its owner, or found to have none */
};

struct nfd_netns_set {
	struct nfd_backend *backend;
	/* told when a namespace is let go (--all-netns), or NULL */
	void (*on_gone)(void *ctx, uint32_t inum);
	void *ctx;
	struct nfd_netns_entry *v;
	size_t n;
	uint32_t *idx; /* v[] by inode number (netns_set.c) */
	size_t idx_size;
	size_t not_joined; /* namespaces found that could not be joined */
	int home_fd; /* where this process started */
	bool all;
	unsigned int scans; /* done so far */
	bool scan_wanted; /* a drop came from a namespace not found yet */
};

void nfd_netns_set_init(struct nfd_netns_set *s, struct nfd_backend *b,
			bool all);
/*
 * One namespace (@ns, opened by the caller, owned by the set from now):
 * the process moves into it for good. 0 or -errno (printed).
 */
int nfd_netns_set_add_one(struct nfd_netns_set *s, struct nfd_netns *ns);
/* --all-netns: adds the new namespaces, lets go of the gone ones. */
int nfd_netns_set_scan(struct nfd_netns_set *s);
/* Lets each namespace's rule text move on (ruleset.c); never blocks. */
void nfd_netns_set_poll(struct nfd_netns_set *s, int64_t now_ns);
/* Has every namespace's first listing of rule text ended? */
bool nfd_netns_set_listed(const struct nfd_netns_set *s);
struct nfd_netns_entry *nfd_netns_set_find(struct nfd_netns_set *s,
					   uint32_t inum);
/*
 * A socket (socket(2)'s arguments) in namespace @inum of the set: the fd,
 * or -errno (-ENOENT: not one of the set, or not joined).
 */
int nfd_netns_set_socket(struct nfd_netns_set *s, uint32_t inum, int domain,
			 int type, int protocol);
void nfd_netns_set_free(struct nfd_netns_set *s);

#endif /* NFD_NETNS_SET_H */
