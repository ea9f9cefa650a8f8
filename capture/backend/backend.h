/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An attribution backend: it tells the bytes probe, through the shared
 * "pending" map, which rule set the verdict of each dropped packet. One
 * file per backend (fentry.c, kprobe.c, nftrace.c), each with its BPF half
 * of the same stem in bpf/, behind this one interface.
 *
 * Convention: calls return 0 or -errno; the reason goes into the caller's
 * buffer (@why, @msg), except where a comment says it is printed.
 */
#ifndef NFD_BACKEND_H
#define NFD_BACKEND_H

#include <stdbool.h>
#include <stddef.h>

struct nfd_drop_probe;

/* --check prints a line: what, yes or no, and why. */
typedef void (*nfd_report_fn)(const char *what, int ok, const char *detail);

struct nfd_backend_env {
	const struct nfd_drop_probe *probe; /* whose maps the backend shares */
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
	/*
	 * Called often from the capture loop for each namespace; must not
	 * block. NULL: nothing to do.
	 */
	void (*poll_netns)(struct nfd_backend *b, void *inst);
	/* Called often from the capture loop; must not block. NULL: none. */
	void (*poll)(struct nfd_backend *b);
	void (*unload)(struct nfd_backend *b);
	/*
	 * --check, once it loaded: what load did not try and a capture will
	 * need (0, or -errno with the reason in @why). NULL: nothing.
	 */
	int (*selfcheck)(struct nfd_backend *b, char *why, size_t len);
	/*
	 * --check, loaded or not: lines of its own below its verdict, with
	 * what it found on this kernel. NULL: none.
	 */
	void (*report)(const struct nfd_drop_probe *p, nfd_report_fn line);
	/*
	 * What it costs the datapath, said after the ready line (from make
	 * bench), without and with a filter expression; NULL: nothing to say.
	 */
	const char *cost, *cost_filtered;
	void *priv;
};

/*
 * attach_netns and detach_netns of a backend with nothing to do per
 * namespace (its probes see every one).
 */
void *nfd_backend_no_netns(struct nfd_backend *b, int *err);
void nfd_backend_no_netns_detach(struct nfd_backend *b, void *inst);

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
