/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The network namespaces a capture covers: one (-N, or the current one) or
 * all of them (--all-netns, found by scanning /proc and /run/netns, added
 * as they appear and let go as they disappear). Each has the backend's
 * instance (its trace table and socket) and its ruleset's text.
 */
#ifndef NFD_NSSET_H
#define NFD_NSSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "netns.h"

struct nfd_ruleset;

struct nfd_nsent {
	struct nfd_netns ns;
	void *inst; /* the backend's part in this namespace */
	struct nfd_ruleset *rs;
	bool seen; /* in the latest scan */
};

struct nfd_nsset {
	struct nfd_backend *backend;
	struct nfd_nsent *v;
	size_t n;
	int home_fd; /* where this process started */
	bool all;
};

void nfd_nsset_init(struct nfd_nsset *s, struct nfd_backend *b, bool all);
/*
 * One namespace (@ns, opened by the caller, owned by the set from now):
 * the process moves into it for good. 0 or -errno (printed).
 */
int nfd_nsset_add_one(struct nfd_nsset *s, struct nfd_netns *ns);
/* --all-netns: adds the new namespaces, lets go of the gone ones. */
int nfd_nsset_scan(struct nfd_nsset *s);
struct nfd_nsent *nfd_nsset_find(struct nfd_nsset *s, uint32_t inum);
void nfd_nsset_free(struct nfd_nsset *s);

#endif /* NFD_NSSET_H */
