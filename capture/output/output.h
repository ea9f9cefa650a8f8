/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where drops go: a pcapng file (one IDB per namespace and interface,
 * LINUX_SLL2 frames, a comment naming the rule) or one line each on
 * stdout; the filter expression (filter.c); the per-rule summary
 * (summary.c).
 *
 * Convention: nfd_output_new returns an exit status; the other calls
 * return 0 or -errno, and print what went wrong themselves.
 */
#ifndef NFD_OUTPUT_H
#define NFD_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "nfdropcap.h"
#include "rotate.h"

struct nfd_output;
struct nfd_netns_set;

struct nfd_output_cfg {
	const char *write_path; /* -w; NULL: print lines; "-": stdout */
	uint32_t snaplen; /* never 0 */
	uint64_t count; /* stop after this many written, 0 = never */
	const char *filter; /* pcap-filter expression, or NULL */
	/* set by a signal: opening a FIFO or writing to a stalled reader ends */
	volatile const int *interrupt;
	struct nfd_rotate_cfg rotate; /* -C, -G, -W */
	bool json; /* --json: a line of JSON per drop on stdout */
	const char *metrics_path; /* --metrics FILE, or NULL */
	bool netns_in_lines; /* text lines end with their namespace */
	const char *shb_comment; /* the file's comment (nfd_file_shb_comment) */
	bool chown; /* the file written belongs to uid, gid (-Z) */
	uid_t uid;
	gid_t gid;
};

/*
 * Checks the filter expression (@cfg's strings must outlive @out).
 * Returns 0, or prints why not and returns NFD_EXIT_USAGE.
 */
int nfd_output_new(struct nfd_output **out, const struct nfd_output_cfg *cfg);
/*
 * Opens the file, before the capture starts: a new one is created (0600),
 * an existing one is left as it is for now; a symbolic link is refused.
 * 0, or prints and returns -errno (-EINTR: a signal came while a FIFO
 * waited for its reader).
 */
int nfd_output_open(struct nfd_output *out);
/* The capture started: truncates an existing file, writes the header. */
int nfd_output_begin(struct nfd_output *out);
/*
 * Start-up failed: removes the file if this run created it; a file that
 * was there before is left untouched.
 */
void nfd_output_abandon(struct nfd_output *out);
/* Where names and rule texts of each namespace are found. */
void nfd_output_set_netns(struct nfd_output *out, struct nfd_netns_set *nss);
/*
 * The backend is set up now (in every namespace found): drops before it
 * whose verdict was not seen say so (NFD_WHY_STARTING).
 */
void nfd_output_set_up(struct nfd_output *out);

/* One perf sample. Returns 0, or -errno after a write error. */
int nfd_output_event(struct nfd_output *out, const void *data, uint32_t size);
/*
 * Namespace @netns is gone: its interfaces' statistics are written and
 * let go (a namespace with the same inode number later is a new one).
 */
void nfd_output_netns_gone(struct nfd_output *out, uint32_t netns);
/* Total lost so far on one interface (losses go on its next packet). */
void nfd_output_lost(struct nfd_output *out, uint32_t netns, uint32_t ifindex,
		     uint64_t total);
/* Drops the probe missed so far (freed while it ran on that CPU). */
void nfd_output_missed(struct nfd_output *out, uint64_t misses);
/*
 * Writes the drops that waited for their rule's text and have it now, or
 * waited long enough (@all: every one, at the end). Never blocks.
 */
void nfd_output_release(struct nfd_output *out, bool all);
bool nfd_output_holding(const struct nfd_output *out);
/* -G: begins the next file when the interval has ended. */
void nfd_output_tick(struct nfd_output *out);
/* The file being written (rotation changes it), or NULL. */
const char *nfd_output_path(const struct nfd_output *out);
int nfd_output_flush(struct nfd_output *out);
/* -c reached, or -G with -W: the last file is complete */
bool nfd_output_done(const struct nfd_output *out);
int nfd_output_error(const struct nfd_output *out);

/* Statistics blocks, close. Returns 0 or the first write error. */
int nfd_output_close(struct nfd_output *out);
/*
 * The live status line on stderr (a terminal), rewritten in place: at most
 * @width characters, @elapsed_ns since the start (the rate: since it was
 * shown last). Lines printed on stdout clear it first (it may be the same
 * terminal); the next one shows it again.
 */
void nfd_output_show_status(struct nfd_output *out, int64_t elapsed_ns,
			    int width);
/* Clears it, if it is shown (before the summary). */
void nfd_output_clear_status(struct nfd_output *out);
/* The summary on stderr. */
void nfd_output_summary(const struct nfd_output *out, uint64_t misses);
void nfd_output_free(struct nfd_output *out);

#endif /* NFD_OUTPUT_H */
