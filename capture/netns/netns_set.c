// SPDX-License-Identifier: GPL-2.0
/* The network namespaces a capture covers, and each one's attachments. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "backend/backend.h"
#include "backend/xt_rules.h"
#include "netns_set.h"
#include "ruleset.h"

void nfd_netns_set_init(struct nfd_netns_set *s, struct nfd_backend *b,
			bool all)
{
	memset(s, 0, sizeof(*s));
	s->backend = b;
	s->all = all;
	s->home_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
}

static uint32_t slot_of(uint32_t inum, size_t size)
{
	return (inum * 2654435761u) & (size - 1);
}

/*
 * The index of v[] by inode number (open addressing, position + 1 in each
 * slot), made anew when v[] changes; without memory for it, find() looks
 * through v[].
 */
static void reindex(struct nfd_netns_set *s)
{
	size_t size = 16;
	uint32_t *idx;

	while (size < 2 * s->n)
		size <<= 1;
	idx = calloc(size, sizeof(*idx));
	free(s->idx);
	s->idx = idx;
	s->idx_size = idx ? size : 0;
	for (size_t i = 0; idx && i < s->n; i++) {
		uint32_t h = slot_of(s->v[i].ns.inum, size);

		while (idx[h])
			h = (h + 1) & (size - 1);
		idx[h] = i + 1;
	}
}

struct nfd_netns_entry *nfd_netns_set_find(struct nfd_netns_set *s,
					   uint32_t inum)
{
	if (!s->idx) {
		for (size_t i = 0; i < s->n; i++)
			if (s->v[i].ns.inum == inum)
				return &s->v[i];
		return NULL;
	}
	for (uint32_t h = slot_of(inum, s->idx_size); s->idx[h];
	     h = (h + 1) & (s->idx_size - 1))
		if (s->v[s->idx[h] - 1].ns.inum == inum)
			return &s->v[s->idx[h] - 1];
	return NULL;
}

/* Attaches in @e's namespace; the process is in it. */
static int attach_here(struct nfd_netns_set *s, struct nfd_netns_entry *e)
{
	int err = 0;

	e->inst = s->backend->attach_netns(s->backend, &err);
	if (!e->inst)
		return err ?: -EINVAL;
	e->rs = nfd_ruleset_new(s->all ? e->ns.fd : -1);
	nfd_xt_rules_scan_here(e->ns.inum);
	return 0;
}

static struct nfd_netns_entry *append(struct nfd_netns_set *s,
				      struct nfd_netns *ns)
{
	struct nfd_netns_entry *v = realloc(s->v, (s->n + 1) * sizeof(*v));

	if (!v)
		return NULL;
	s->v = v;
	memset(&v[s->n], 0, sizeof(v[s->n]));
	v[s->n].ns = *ns;
	v[s->n].seen = true;
	s->n++;
	reindex(s);
	return &v[s->n - 1];
}

int nfd_netns_set_add_one(struct nfd_netns_set *s, struct nfd_netns *ns)
{
	struct nfd_netns_entry *e = append(s, ns);
	int err;

	if (!e) {
		nfd_netns_close(ns);
		return -ENOMEM;
	}
	err = nfd_netns_enter(&e->ns);
	return err ?: attach_here(s, e);
}

static void release(struct nfd_netns_set *s, struct nfd_netns_entry *e)
{
	if (e->inst)
		s->backend->detach_netns(s->backend, e->inst);
	nfd_ruleset_free(e->rs);
	nfd_netns_close(&e->ns);
	e->inst = NULL;
	e->rs = NULL;
}

/* A namespace found by the scan: enter it, attach, come back. */
/*
 * A namespace that could not even be opened for want of descriptors: kept
 * without a handle (so that it is named and counted once, not every
 * scan), let go when it disappears.
 */
static void add_unopened(struct nfd_netns_set *s, uint32_t inum, int err)
{
	struct nfd_netns ns = { .fd = -1, .inum = inum };
	struct nfd_netns_entry *e;

	snprintf(ns.name, sizeof(ns.name), "net:[%u]", inum);
	e = append(s, &ns);
	fprintf(stderr,
		"nfdropcap: netns net:[%u]: could not join it: %s (raise the "
		"limit: ulimit -n, or LimitNOFILE= in its unit): its drops "
		"are captured, not attributed\n",
		inum, strerror(-err));
	s->not_joined += e != NULL;
}

static void add_found(struct nfd_netns_set *s, const char *path, uint32_t inum)
{
	struct nfd_netns ns;
	struct nfd_netns_entry *e;
	struct stat st;
	int err = nfd_netns_open_quiet(&ns, path);

	if (err == -EMFILE || err == -ENFILE)
		add_unopened(s, inum, err);
	if (err)
		return;
	if (fstat(ns.fd, &st) || st.st_ino != inum) { /* gone meanwhile */
		nfd_netns_close(&ns);
		return;
	}
	e = append(s, &ns);
	if (!e) {
		nfd_netns_close(&ns);
		return;
	}
	if (nfd_netns_enter(&e->ns) || attach_here(s, e)) {
		fprintf(stderr,
			"nfdropcap: netns %s (net:[%u]): could not join it: "
			"its drops are captured, not attributed\n",
			e->ns.name, e->ns.inum);
		s->not_joined++;
	}
	if (setns(s->home_fd, CLONE_NEWNET))
		fprintf(stderr, "nfdropcap: setns(home): %s\n",
			strerror(errno));
}

static void visit(struct nfd_netns_set *s, const char *path, pid_t pid)
{
	struct nfd_netns_entry *e;
	struct stat st;

	if (stat(path, &st))
		return;
	e = nfd_netns_set_find(s, st.st_ino);
	if (e)
		e->seen = true;
	else
		add_found(s, path, st.st_ino);
	/* named after its owner once (netns.c); a process gone: the next */
	if (pid && (e = e ? e : nfd_netns_set_find(s, st.st_ino)) &&
	    !e->owner_known)
		e->owner_known = nfd_netns_name_owner(&e->ns, pid) >= 0;
}

static void visit_dir(struct nfd_netns_set *s, const char *dir, bool procs)
{
	DIR *d = opendir(dir);
	struct dirent *ent;
	char path[300];

	if (!d)
		return;
	while ((ent = readdir(d))) {
		if (procs ? (ent->d_name[0] < '1' || ent->d_name[0] > '9') :
			    ent->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), procs ? "%s/%s/ns/net" : "%s/%s",
			 dir, ent->d_name);
		visit(s, path, procs ? (pid_t)atoi(ent->d_name) : 0);
	}
	closedir(d);
}

int nfd_netns_set_scan(struct nfd_netns_set *s)
{
	size_t kept = 0;

	for (size_t i = 0; i < s->n; i++)
		s->v[i].seen = false;
	visit_dir(s, "/run/netns", false);
	visit_dir(s, "/proc", true);
	/* our own handles keep a namespace alive: let go of the gone ones */
	for (size_t i = 0; i < s->n; i++) {
		if (s->v[i].seen) {
			s->v[kept++] = s->v[i];
			continue;
		}
		if (s->on_gone)
			s->on_gone(s->ctx, s->v[i].ns.inum);
		release(s, &s->v[i]);
	}
	if (kept != s->n) {
		s->n = kept;
		reindex(s);
	}
	s->scans++;
	s->scan_wanted = false;
	return 0;
}

void nfd_netns_set_poll(struct nfd_netns_set *s, int64_t now_ns)
{
	if (s->backend->poll)
		s->backend->poll(s->backend);
	for (size_t i = 0; i < s->n; i++) {
		if (s->v[i].rs)
			nfd_ruleset_poll(s->v[i].rs, now_ns);
		if (s->backend->poll_netns && s->v[i].inst)
			s->backend->poll_netns(s->backend, s->v[i].inst);
	}
}

bool nfd_netns_set_listed(const struct nfd_netns_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].rs && !nfd_ruleset_listed(s->v[i].rs))
			return false;
	return true;
}

int nfd_netns_set_socket(struct nfd_netns_set *s, uint32_t inum, int domain,
			 int type, int protocol)
{
	struct nfd_netns_entry *e = nfd_netns_set_find(s, inum);
	int fd, err = 0;

	if (!e || (s->all && e->ns.fd < 0))
		return -ENOENT;
	if (s->all && setns(e->ns.fd, CLONE_NEWNET))
		return -errno;
	fd = socket(domain, type | SOCK_CLOEXEC, protocol);
	if (fd < 0)
		err = -errno;
	if (s->all && setns(s->home_fd, CLONE_NEWNET)) {
		fprintf(stderr, "nfdropcap: setns(home): %s\n", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -EIO;
	}
	return fd >= 0 ? fd : err;
}

void nfd_netns_set_free(struct nfd_netns_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		release(s, &s->v[i]);
	free(s->v);
	free(s->idx);
	s->v = NULL;
	s->idx = NULL;
	s->n = 0;
	if (s->home_fd >= 0)
		close(s->home_fd);
	s->home_fd = -1;
}
