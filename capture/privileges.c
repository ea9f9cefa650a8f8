// SPDX-License-Identifier: GPL-2.0
/* What nfdropcap keeps of root's powers (see privileges.h). */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "exit.h"
#include "privileges.h"

static bool numeric_id(const char *s, uid_t *id)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v >= 0xffffffffUL)
		return false;
	*id = (uid_t)v;
	return true;
}

int nfd_privileges_init(struct nfd_user *u, const char *name)
{
	struct passwd *pw;

	if (getuid() != geteuid() || getgid() != getegid()) {
		fprintf(stderr, "nfdropcap: refusing to run setuid or setgid "
				"(run it as root, or give it capabilities)\n");
		return NFD_EXIT_FAIL;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		fprintf(stderr, "nfdropcap: prctl(PR_SET_NO_NEW_PRIVS): %s\n",
			strerror(errno));
		return NFD_EXIT_FAIL;
	}
	u->name = name;
	if (!name)
		return NFD_EXIT_OK;
	if (geteuid()) {
		fprintf(stderr, "nfdropcap: -Z needs nfdropcap to start as "
				"root (it then becomes that user)\n");
		return NFD_EXIT_FAIL;
	}
	errno = 0;
	pw = getpwnam(name);
	if (pw) {
		u->uid = pw->pw_uid;
		u->gid = pw->pw_gid;
		return NFD_EXIT_OK;
	}
	if (numeric_id(name, &u->uid)) { /* a user id, its group the same */
		u->gid = u->uid;
		return NFD_EXIT_OK;
	}
	fprintf(stderr,
		"nfdropcap: unknown user '%s' after -Z%s%s (give a user name "
		"from /etc/passwd, or a user id)\n",
		name, errno ? ": " : "", errno ? strerror(errno) : "");
	return NFD_EXIT_USAGE;
}

/* Effective, permitted and inheritable: exactly @caps (a bit mask). */
static int set_caps(unsigned long long caps)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2] = { 0 };

	for (int i = 0; i < 2; i++)
		data[i].effective = data[i].permitted = data[i].inheritable =
			(uint32_t)(caps >> (32 * i));
	return syscall(SYS_capset, &hdr, data) ? -errno : 0;
}

int nfd_privileges_drop(const struct nfd_user *u, bool all_netns)
{
	unsigned long long keep = 1ULL << CAP_NET_ADMIN;
	int err;

	if (!u->name)
		return NFD_EXIT_OK;
	if (all_netns)
		keep |= 1ULL << CAP_SYS_ADMIN | 1ULL << CAP_SYS_PTRACE;
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) || setgroups(1, &u->gid) ||
	    setresgid(u->gid, u->gid, u->gid) ||
	    setresuid(u->uid, u->uid, u->uid)) {
		err = -errno;
		goto fail;
	}
	err = set_caps(keep);
	/* nft, run by rule text, keeps CAP_NET_ADMIN across its exec */
	if (!err &&
	    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_ADMIN, 0, 0))
		err = -errno;
	if (!err)
		return NFD_EXIT_OK;
fail:
	fprintf(stderr,
		"nfdropcap: becoming user '%s' (-Z): %s (run it as root)\n",
		u->name, strerror(-err));
	return NFD_EXIT_FAIL;
}
