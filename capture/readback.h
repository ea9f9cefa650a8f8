/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nfdropcap -r FILE: a capture read back (pcapng of nfdropcap's or another
 * tool's, pcap, plain or gzip, or "-" for stdin) as the text lines or JSON
 * lines of live capture and its per-rule summary, through the filter
 * expression; with -w, re-filtered into a new pcapng, comments and
 * interfaces intact.
 */
#ifndef NFD_READBACK_H
#define NFD_READBACK_H

#include "opts.h"

/* Reads o->read_path; returns an exit status. */
int nfd_readback(const struct nfd_opts *o);

#endif /* NFD_READBACK_H */
