/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An attribution backend: it tells the bytes probe, through the shared
 * "pending" map, which rule set the verdict of each dropped packet.
 */
#ifndef NFD_BACKEND_H
#define NFD_BACKEND_H

#include <stdbool.h>
#include <stddef.h>

struct nfd_probe;

struct nfd_backend_env {
	const struct nfd_probe *probe; /* whose maps the backend shares */
	bool all_netns;
	int verbose;
	const char *filter; /* the capture filter expression, or NULL */
};

struct nfd_backend {
	const char *name;
	/* 0 if it can run on this kernel; else -errno and why not */
	int (*available)(char *why, size_t len);
	/*
	 * Loads and attaches what all namespaces share. 0 with what it
	 * found in @msg (for --check), or -errno with the reason in @msg.
	 */
	int (*load)(struct nfd_backend *b, const struct nfd_backend_env *env,
		    char *msg, size_t len);
	/*
	 * Attaches in the network namespace the process is in now. Returns
	 * the namespace's instance, or NULL with -errno in @err (printed).
	 */
	void *(*attach_netns)(struct nfd_backend *b, int *err);
	void (*detach_netns)(struct nfd_backend *b, void *inst);
	void (*unload)(struct nfd_backend *b);
	void *priv;
};

/*
 * attach_netns and detach_netns of a backend with nothing to do per
 * namespace (its probes see every one).
 */
void *nfd_backend_no_netns(struct nfd_backend *b, int *err);
void nfd_backend_no_netns_detach(struct nfd_backend *b, void *inst);

extern struct nfd_backend nfd_backend_fentry;
extern struct nfd_backend nfd_backend_kprobe;
extern struct nfd_backend nfd_backend_nftrace;

struct nfd_verdict_site;
/*
 * Backend kprobe's code analysis (nft_do_chain's text as @p found it),
 * also for --check: 0 or -errno (and why).
 */
int nfd_kprobe_find_site(const struct nfd_probe *p, struct nfd_verdict_site *s,
			 char *why, size_t len);
void nfd_kprobe_site_text(const struct nfd_verdict_site *s, char *buf,
			  size_t len);

/* Every backend, in order of preference; NULL-terminated. */
extern struct nfd_backend *const nfd_backends[];

/*
 * Loads backend @name, or for "auto" the first that loads on this kernel.
 * Returns it, or NULL with the reason in @why.
 */
struct nfd_backend *nfd_backend_start(const char *name,
				      const struct nfd_backend_env *env,
				      char *why, size_t len);

#endif /* NFD_BACKEND_H */
