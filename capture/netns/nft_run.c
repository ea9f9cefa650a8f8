// SPDX-License-Identifier: GPL-2.0
/*
 * 'nft -a -s list ruleset' (or iptables-nft-save...) in a child process,
 * off the capture path.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "nft_run.h"

#define CHILD_FAILED 126

int nfd_tool_path(const char *name, char *buf, size_t len)
{
	static const char *const dirs[] = { "/usr/sbin", "/sbin", "/usr/bin",
					    "/bin" };
	struct stat st;

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		int n = snprintf(buf, len, "%s/%s", dirs[i], name);

		if (n > 0 && (size_t)n < len && !stat(buf, &st) &&
		    S_ISREG(st.st_mode) && st.st_uid == 0 &&
		    !(st.st_mode & (S_IWGRP | S_IWOTH)))
			return 0;
	}
	return -ENOENT;
}

const char *nfd_nft_path(void)
{
	static char path[64];

	return nfd_tool_path("nft", path, sizeof(path)) ? NULL : path;
}

/* Only CAP_NET_ADMIN survives the exec (listing needs it); best effort. */
static void keep_only_net_admin(void)
{
	for (int cap = 0; cap < 64; cap++)
		if (cap != CAP_NET_ADMIN && prctl(PR_CAPBSET_DROP, cap) &&
		    errno == EINVAL)
			break; /* past the last capability */
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}

const char *const nfd_nft_list_argv[] = { "nft",  "-a",	     "-s",
					  "list", "ruleset", NULL };

/* In the child: stdout to @out_fd, nothing else open, then the tool. */
static void child(const char *path, const char *const *argv, int netns_fd,
		  int out_fd)
{
	char *envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C",
			 NULL };
	int null = open("/dev/null", O_RDWR);

	if (netns_fd >= 0 && setns(netns_fd, CLONE_NEWNET))
		_exit(CHILD_FAILED);
	if (null < 0 || dup2(null, STDIN_FILENO) < 0 ||
	    dup2(out_fd, STDOUT_FILENO) < 0 || dup2(null, STDERR_FILENO) < 0)
		_exit(CHILD_FAILED);
	syscall(SYS_close_range, 3, ~0U, 0);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGXFSZ, SIG_DFL);
	keep_only_net_admin();
	execve(path, (char *const *)argv, envp);
	_exit(CHILD_FAILED);
}

int nfd_nft_start(struct nfd_nft_run *r, const char *path,
		  const char *const *argv, int netns_fd, int64_t now_ns)
{
	int p[2], err;

	memset(r, 0, sizeof(*r));
	r->fd = -1;
	r->cap = 1 << 16;
	r->out = malloc(r->cap);
	if (!r->out)
		return -ENOMEM;
	if (pipe2(p, O_CLOEXEC)) {
		err = -errno;
		goto free_out;
	}
	/* non-blocking for the reader only: nft's writes may block */
	if (fcntl(p[0], F_SETFL, O_NONBLOCK) || (r->pid = fork()) < 0) {
		err = -errno;
		close(p[0]);
		close(p[1]);
		goto free_out;
	}
	if (!r->pid)
		child(path, argv, netns_fd, p[1]);
	close(p[1]);
	/* a big pipe: a big listing needs fewer polls (best effort) */
	fcntl(p[0], F_SETPIPE_SZ, 1 << 20);
	r->fd = p[0];
	r->deadline_ns = now_ns + NFD_NFT_DEADLINE_NS;
	return 0;
free_out:
	free(r->out);
	r->out = NULL;
	r->pid = 0;
	return err;
}

static void end(struct nfd_nft_run *r, bool kill_it)
{
	if (r->pid > 0) {
		if (kill_it)
			kill(r->pid, SIGKILL);
		while (waitpid(r->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	r->pid = 0;
}

void nfd_nft_stop(struct nfd_nft_run *r)
{
	end(r, true);
	free(r->out);
	r->out = NULL;
}

/* Reads what is there; 1 at the end of its output, 0 for more, or -errno. */
static int read_some(struct nfd_nft_run *r)
{
	for (;;) {
		ssize_t n;

		if (r->cap - r->len < 4096) {
			char *bigger;

			if (r->cap >= NFD_NFT_OUT_MAX)
				return -EFBIG;
			bigger = realloc(r->out, r->cap * 2);
			if (!bigger)
				return -ENOMEM;
			r->out = bigger;
			r->cap *= 2;
		}
		n = read(r->fd, r->out + r->len, r->cap - r->len - 1);
		if (n > 0) {
			r->len += n;
			continue;
		}
		if (!n)
			return 1;
		if (errno == EAGAIN || errno == EINTR)
			return 0;
		return -errno;
	}
}

/* Its output ended: has it exited, and how? RUNNING until it has. */
static enum nfd_nft_status reap(struct nfd_nft_run *r)
{
	int status = 0;
	pid_t got = waitpid(r->pid, &status, WNOHANG);

	if (got == 0)
		return NFD_NFT_RUNNING;
	r->pid = 0;
	r->out[r->len] = 0;
	if (got < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		return NFD_NFT_FAILED;
	return NFD_NFT_DONE;
}

enum nfd_nft_status nfd_nft_step(struct nfd_nft_run *r, int64_t now_ns)
{
	enum nfd_nft_status st;
	int n = r->fd < 0 ? 1 : read_some(r);

	if (n == 1) {
		if (r->fd >= 0)
			close(r->fd);
		r->fd = -1;
		st = reap(r);
		if (st != NFD_NFT_RUNNING || now_ns < r->deadline_ns)
			return st;
		end(r, true);
		return NFD_NFT_TIMEOUT;
	}
	if (n == -EFBIG) {
		end(r, true);
		return NFD_NFT_TOO_BIG;
	}
	if (n < 0) {
		end(r, true);
		return NFD_NFT_FAILED;
	}
	if (now_ns >= r->deadline_ns) {
		end(r, true);
		return NFD_NFT_TIMEOUT;
	}
	return NFD_NFT_RUNNING;
}
