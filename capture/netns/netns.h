/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Network namespaces: which one to capture in, and entering it.
 * Convention: opening by the user's word returns an exit status (exit.h);
 * the rest 0 or -errno. Each says whether it prints.
 */
#ifndef NFD_NETNS_H
#define NFD_NETNS_H

#include <stdint.h>
#include <sys/types.h>

struct nfd_netns {
	int fd; /* open namespace file */
	uint32_t inum; /* its inode number, as the kernel's ns.inum */
	/* what to call it: the ip-netns name, or a path; escaped (escape.h) */
	char name[4 * 255 + 1];
};

/*
 * Opens the namespace @spec (NULL = the current one): a name from
 * 'ip netns' or a path. Returns 0, or prints why not and returns an exit
 * status (NFD_EXIT_USAGE for an unknown namespace).
 */
int nfd_netns_open(struct nfd_netns *ns, const char *spec);
/* Opens the namespace file @path, printing nothing. 0 or -errno. */
int nfd_netns_open_quiet(struct nfd_netns *ns, const char *path);
/* Moves this process into @ns. Returns 0 or -errno (printed). */
int nfd_netns_enter(const struct nfd_netns *ns);
/*
 * Names @ns after who owns it, from process @pid in it (owner.h): a
 * container or pod always, a process's command only in place of a bare
 * net:[N]. Returns nfd_owner_describe()'s answer (-1: @pid is gone).
 */
int nfd_netns_name_owner(struct nfd_netns *ns, pid_t pid);
void nfd_netns_close(struct nfd_netns *ns);

#endif /* NFD_NETNS_H */
