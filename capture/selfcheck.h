/* SPDX-License-Identifier: GPL-2.0 */
/* nfdropcap --check: what this kernel allows, backend by backend. */
#ifndef NFD_CHECK_H
#define NFD_CHECK_H

/* Prints the report; returns 0 if some backend works, else 1. */
int nfd_check(int verbose);

#endif /* NFD_CHECK_H */
