/* SPDX-License-Identifier: GPL-2.0 */
/*
 * 'nft -a -s list ruleset' (or another listing tool: iptables-nft-save...)
 * in a child process, off the capture path: read
 * without blocking, killed at a deadline or past a size cap, run from a
 * fixed absolute path with a clean environment, no inherited file
 * descriptors, no_new_privs and only CAP_NET_ADMIN.
 *
 * Convention: 0 or -errno; nothing is printed.
 */
#ifndef NFD_NFT_RUN_H
#define NFD_NFT_RUN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/clock.h"

/* a run is killed after this (lib/clock.h: NFDROPCAP_TIME_SCALE) */
#define NFD_NFT_DEADLINE_NS (2000000000LL * nfd_time_scale())
#define NFD_NFT_OUT_MAX (64u << 20) /* and past this much output */

enum nfd_nft_status {
	NFD_NFT_RUNNING,
	NFD_NFT_DONE, /* the listing is in out */
	NFD_NFT_FAILED, /* nft did not run, or failed */
	NFD_NFT_TIMEOUT,
	NFD_NFT_TOO_BIG,
	NFD_NFT_NOT_FOUND, /* no nft at the fixed paths */
};

struct nfd_nft_run {
	pid_t pid; /* 0: not running */
	int fd; /* its stdout, non-blocking */
	char *out; /* what it printed, NUL-terminated (malloc'd) */
	size_t len, cap;
	int64_t deadline_ns;
};

/*
 * Tool @name in the first of the fixed directories (/usr/sbin, /sbin,
 * /usr/bin, /bin) where root owns it and only root may write it: its
 * path into @buf; -ENOENT if none.
 */
int nfd_tool_path(const char *name, char *buf, size_t len);
/* The nft binary (nfd_tool_path("nft")), or NULL. */
const char *nfd_nft_path(void);

/* nft -a -s list ruleset */
extern const char *const nfd_nft_list_argv[];

/*
 * Starts @path (nfd_nft_path(), or a test's) with @argv in network
 * namespace @netns_fd (-1: this one) at time @now_ns (CLOCK_MONOTONIC).
 */
int nfd_nft_start(struct nfd_nft_run *r, const char *path,
		  const char *const *argv, int netns_fd, int64_t now_ns);
/*
 * Reads what the run printed so far; when it ended, reaps it. DONE leaves
 * the listing in @r->out for the caller (who frees it).
 */
enum nfd_nft_status nfd_nft_step(struct nfd_nft_run *r, int64_t now_ns);
/* Kills and reaps a run, frees what it read. */
void nfd_nft_stop(struct nfd_nft_run *r);

#endif /* NFD_NFT_RUN_H */
