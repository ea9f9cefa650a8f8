/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pcapng file -w names (or stdout), and the ones after it when -C or -G
 * rotate (rotate.h): opened without harming what is there until the capture
 * runs, never through a symbolic link, each one begun with its SHB.
 *
 * Convention: 0 or -errno; what went wrong is printed here, naming the file.
 */
#ifndef NFD_FILE_H
#define NFD_FILE_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "pcapng.h"
#include "rotate.h"

struct nfd_file_cfg {
	const char *path; /* -w: a name or pattern, "-" for stdout */
	struct nfd_rotate_cfg rotate;
	/* set by a signal: opening a FIFO or writing to a stalled reader ends */
	volatile const int *interrupt;
	bool chown; /* files belong to uid, gid (-Z) */
	uid_t uid;
	gid_t gid;
	const char *shb_comment; /* each file's section comment, or NULL */
};

struct nfd_file {
	struct nfd_file_cfg cfg;
	struct nfd_rotate rot;
	char path[PATH_MAX]; /* the current file's name */
	struct pcapng_writer *w; /* NULL until begun */
	int fd; /* until the writer owns it; -1 if none */
	bool created; /* this run created the first file */
	dev_t dev; /* its identity, for removing only our own */
	ino_t ino;
	uint64_t drops; /* packets in the current file */
	uint32_t files; /* files begun */
};

/*
 * Opens the first file before the capture starts: a new one is created
 * (0600), an existing one is left as it is for now.
 */
int nfd_file_open(struct nfd_file *f, const struct nfd_file_cfg *cfg);
/* The capture started: truncates an existing file, writes the SHB. */
int nfd_file_begin(struct nfd_file *f);
/* Start-up failed: removes the first file if this run created it. */
void nfd_file_abandon(struct nfd_file *f, bool keep);
/* Has the current file reached -C's size if @need more bytes come? */
bool nfd_file_full(const struct nfd_file *f, uint64_t need);
/* Has -G's interval ended? */
bool nfd_file_due(const struct nfd_file *f);
/*
 * Closes the current file (the caller wrote its statistics) and begins the
 * next one. 1: there is none (-G with -W: done), 0, or -errno.
 */
int nfd_file_next(struct nfd_file *f, bool by_time);
/* Closes the current file; 0 or the first error it saw. */
int nfd_file_close(struct nfd_file *f);

/*
 * Which namespaces a capture watched, as its files' section comment says
 * it (shown by Wireshark as the capture file's comment): @netns is -N's
 * argument (NULL: nfdropcap's own namespace), @all --all-netns. Escaped.
 */
void nfd_file_shb_comment(char *buf, size_t len, const char *netns, bool all);
/*
 * Do text lines end with their namespace, " (netns NAME)"? With
 * --all-netns and with a -N path (a process's namespace: its name is its
 * owner's); live (@netns, @all as above) and read back (-r: from the
 * file's section comment @shb_comment, NULL if none).
 */
bool nfd_lines_name_netns(const char *netns, bool all);
bool nfd_file_lines_name_netns(const char *shb_comment);

#endif /* NFD_FILE_H */
