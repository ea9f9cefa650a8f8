/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An attribution backend: it tells the bytes probe, through the shared
 * "pending" map, which rule set the verdict of each dropped packet.
 */
#ifndef NFD_BACKEND_H
#define NFD_BACKEND_H

#include <stddef.h>

struct nfd_backend_env {
	int pending_fd; /* the bytes probe's maps, to reuse */
	int stats_fd;
	int verbose;
};

struct nfd_backend {
	const char *name;
	/* 0 if it can run on this kernel; else -errno and why not */
	int (*available)(char *why, size_t len);
	/* Loads what all namespaces share. 0 or -errno (printed). */
	int (*load)(struct nfd_backend *b, const struct nfd_backend_env *env);
	/*
	 * Attaches in the network namespace the process is in now. Returns
	 * the namespace's instance, or NULL with -errno in @err (printed).
	 */
	void *(*attach_netns)(struct nfd_backend *b, int *err);
	void (*detach_netns)(struct nfd_backend *b, void *inst);
	void (*unload)(struct nfd_backend *b);
	void *priv;
};

extern struct nfd_backend nfd_backend_nftrace;

/*
 * The backend @name ("auto": the best one this kernel allows), or NULL
 * with the reason in @why.
 */
struct nfd_backend *nfd_backend_pick(const char *name, char *why, size_t len);

#endif /* NFD_BACKEND_H */
