/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Wireshark's extcap interface: what nfdropcap tells Wireshark when it
 * asks (--extcap-interfaces, --extcap-dlts, --extcap-config). --capture
 * itself is an ordinary capture into the FIFO (opts.c sets it up).
 */
#ifndef NFD_EXTCAP_H
#define NFD_EXTCAP_H

#include "opts.h"

/* Prints the answer to o->extcap's question; returns an exit status. */
int nfd_extcap_answer(const struct nfd_opts *o);

#endif /* NFD_EXTCAP_H */
