/* SPDX-License-Identifier: GPL-2.0 */
/* Command line of nfdropcap. Convention: returns an exit status (exit.h). */
#ifndef NFD_OPTS_H
#define NFD_OPTS_H

#include <stdbool.h>
#include <stdint.h>

#include "exit.h"

#define NFD_SNAPLEN_DEFAULT 262144
/* The one interface nfdropcap shows Wireshark (extcap.c). */
#define NFD_EXTCAP_IFACE "nfdropcap"

/* What Wireshark asks of an extcap program, in the order of opts.c. */
enum nfd_extcap {
	NFD_EXTCAP_NONE,
	NFD_EXTCAP_INTERFACES,
	NFD_EXTCAP_DLTS,
	NFD_EXTCAP_CONFIG,
	NFD_EXTCAP_CAPTURE,
	/* --extcap-capture-filter without --capture: is it valid? */
	NFD_EXTCAP_FILTER,
};

struct nfd_opts {
	const char *write_path; /* -w; NULL: print lines; "-": stdout */
	const char *read_path; /* -r: read a capture back; "-": stdin */
	uint32_t snaplen; /* -s, never 0 */
	uint64_t count; /* -c, 0 = unlimited */
	uint64_t file_size; /* -C, in bytes; 0 = no rotation by size */
	uint32_t file_seconds; /* -G; 0 = no rotation by time */
	uint32_t file_count; /* -W; 0 = none */
	const char *netns; /* -N NAME|PATH; NULL: the current one */
	const char *backend; /* --backend: "auto" or a name */
	const char *user; /* -Z: run as this user after start-up */
	char *filter; /* pcap-filter expression, or NULL */
	uint32_t buffer_kib; /* -B: perf buffer per CPU, KiB (0 = auto) */
	int verbose; /* -v */
	bool quiet; /* -q */
	bool selfcheck; /* --check */
	bool all_netns; /* --all-netns */
	bool json; /* --json */
	const char *metrics; /* --metrics FILE, or NULL */
	enum nfd_extcap extcap; /* --extcap-interfaces ... --capture */
	const char *extcap_interface; /* --extcap-interface */
	const char *extcap_filter; /* --extcap-capture-filter */
	const char *fifo; /* --fifo: becomes write_path */
};

/*
 * Parses argv into @o. Returns -1 to go on, or an exit status (help and
 * version print and return NFD_EXIT_OK; errors print one line and return
 * NFD_EXIT_USAGE).
 */
int nfd_opts_parse(struct nfd_opts *o, int argc, char **argv);
void nfd_opts_free(struct nfd_opts *o);

#endif /* NFD_OPTS_H */
