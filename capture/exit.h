/* SPDX-License-Identifier: GPL-2.0 */
/* nfdropcap's exit statuses (see README "Exit status"). */
#ifndef NFD_EXIT_H
#define NFD_EXIT_H

#define NFD_EXIT_OK 0 /* success, also after a signal or -c */
#define NFD_EXIT_FAIL 1 /* runtime failure */
#define NFD_EXIT_USAGE 2 /* bad command line */

#endif /* NFD_EXIT_H */
