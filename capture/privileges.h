/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What nfdropcap keeps of root's powers: never more than it was given
 * (no_new_privs, no setuid), and with -Z USER, after start-up, USER's
 * identity with only the capabilities capture still needs.
 *
 * Convention: returns an exit status (exit.h), printing why.
 */
#ifndef NFD_PRIVILEGES_H
#define NFD_PRIVILEGES_H

#include <stdbool.h>
#include <sys/types.h>

struct nfd_user {
	const char *name; /* -Z, or NULL */
	uid_t uid;
	gid_t gid;
};

/* At start: refuses setuid, sets no_new_privs, looks -Z's user up. */
int nfd_privileges_init(struct nfd_user *u, const char *name);
/*
 * After start-up: becomes @u, keeping CAP_NET_ADMIN (rule text), and with
 * --all-netns what joining later namespaces needs (CAP_SYS_ADMIN for
 * setns, CAP_SYS_PTRACE to open other users' /proc/PID/ns/net).
 */
int nfd_privileges_drop(const struct nfd_user *u, bool all_netns);

#endif /* NFD_PRIVILEGES_H */
