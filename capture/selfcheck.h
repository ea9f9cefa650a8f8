/* SPDX-License-Identifier: GPL-2.0 */
/* nfdropcap --check: what this kernel allows, backend by backend. */
#ifndef NFD_SELFCHECK_H
#define NFD_SELFCHECK_H

/* Prints the report; returns an exit status: 0 if some backend works. */
int nfd_selfcheck(int verbose);

#endif /* NFD_SELFCHECK_H */
