// SPDX-License-Identifier: GPL-2.0
/* Network namespaces: which one to capture in, and entering it. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/nsfs.h>

#include "exit.h"
#include "netns.h"
#include "lib/escape.h"
#include "owner.h"

#define NETNS_RUN_DIR "/run/netns"

/* The ip-netns name of the namespace with inode @inum, if it has one. */
static int find_netns_name(uint32_t inum, char *name, size_t len)
{
	DIR *d = opendir(NETNS_RUN_DIR);
	struct dirent *e;
	char path[512];
	struct stat st;
	int found = -1;

	if (!d)
		return -1;
	while (found && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", e->d_name);
		if (!stat(path, &st) && st.st_ino == inum) {
			nfd_escape_str(name, len, e->d_name);
			found = 0;
		}
	}
	closedir(d);
	return found;
}

int nfd_netns_name_owner(struct nfd_netns *ns, pid_t pid)
{
	char owner[sizeof(ns->name)];
	int r = nfd_owner_describe(pid, owner, sizeof(owner));

	if (r > 0 || (r == 0 && !strncmp(ns->name, "net:[", 5)))
		snprintf(ns->name, sizeof(ns->name), "%s", owner);
	return r;
}

static void name_netns(struct nfd_netns *ns, const char *spec)
{
	struct stat st;
	int pid = 0, end = 0;

	if (spec && !strchr(spec, '/'))
		nfd_escape_str(ns->name, sizeof(ns->name), spec);
	else if (find_netns_name(ns->inum, ns->name, sizeof(ns->name)))
		snprintf(ns->name, sizeof(ns->name),
			 !stat("/proc/1/ns/net", &st) && st.st_ino == ns->inum ?
				 "init" :
				 "net:[%u]",
			 ns->inum);
	/* -N /proc/PID/ns/net: a container's or pod's, named so */
	if (spec && sscanf(spec, "/proc/%d/ns/net%n", &pid, &end) == 1 &&
	    !spec[end] && pid > 0)
		nfd_netns_name_owner(ns, pid);
}

int nfd_netns_open(struct nfd_netns *ns, const char *spec)
{
	char path[512];
	struct stat st;

	ns->fd = -1;
	if (!spec)
		snprintf(path, sizeof(path), "/proc/self/ns/net");
	else if (strchr(spec, '/'))
		snprintf(path, sizeof(path), "%s", spec);
	else if (!*spec || !strcmp(spec, ".") || !strcmp(spec, ".."))
		goto unknown;
	else
		snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", spec);

	ns->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (ns->fd < 0) {
		fprintf(stderr,
			"nfdropcap: unknown network namespace '%s': %s: %s "
			"(list them with 'ip netns', or give a path such as "
			"/proc/PID/ns/net)\n",
			spec ? spec : "", path, strerror(errno));
		return NFD_EXIT_USAGE;
	}
	if (ioctl(ns->fd, NS_GET_NSTYPE) != CLONE_NEWNET || fstat(ns->fd, &st))
		goto not_netns;
	ns->inum = st.st_ino;
	name_netns(ns, spec);
	return 0;

not_netns:
	fprintf(stderr,
		"nfdropcap: '%s' is not a network namespace (give a name "
		"from 'ip netns' or a path such as /proc/PID/ns/net)\n",
		path);
	nfd_netns_close(ns);
	return NFD_EXIT_USAGE;
unknown:
	fprintf(stderr,
		"nfdropcap: unknown network namespace '%s' (list them with "
		"'ip netns')\n",
		spec);
	return NFD_EXIT_USAGE;
}

int nfd_netns_open_quiet(struct nfd_netns *ns, const char *path)
{
	struct stat st;

	ns->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (ns->fd < 0)
		return -errno;
	if (ioctl(ns->fd, NS_GET_NSTYPE) != CLONE_NEWNET ||
	    fstat(ns->fd, &st)) {
		nfd_netns_close(ns);
		return -EINVAL;
	}
	ns->inum = st.st_ino;
	name_netns(ns, NULL);
	return 0;
}

int nfd_netns_enter(const struct nfd_netns *ns)
{
	if (setns(ns->fd, CLONE_NEWNET)) {
		int err = -errno;

		fprintf(stderr, "nfdropcap: setns(%s): %s\n", ns->name,
			strerror(errno));
		return err;
	}
	return 0;
}

void nfd_netns_close(struct nfd_netns *ns)
{
	if (ns->fd >= 0)
		close(ns->fd);
	ns->fd = -1;
}
