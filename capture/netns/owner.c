// SPDX-License-Identifier: GPL-2.0
/* Who owns a network namespace (owner.h). */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "lib/escape.h"
#include "owner.h"

#define ID_LEN 64 /* a container ID: 64 hex digits */
#define VALUE_MAX 256 /* a name or namespace (Kubernetes: 253) */
#define FILE_MAX (4u << 20) /* state files read at most */

enum runtime { NONE, DOCKER, CONTAINERD, CRIO, PODMAN };

static const char *const runtime_names[] = {
	[DOCKER] = "docker",
	[CONTAINERD] = "containerd",
	[CRIO] = "cri-o",
	[PODMAN] = "podman",
};

struct found {
	enum runtime rt;
	char id[ID_LEN + 1];
	char pod_uid[40]; /* with dashes */
};

/*
 * Where the node's runtime state is: "/" unless NFDROPCAP_HOST_ROOT says
 * (nfdropcap in a container with the node's / mounted elsewhere).
 */
static const char *host_root(void)
{
	const char *r = getenv("NFDROPCAP_HOST_ROOT");

	return r && r[0] == '/' ? r : "";
}

/*
 * Reads a small regular file (never a FIFO or a device, never through a
 * symbolic link at its end) into a malloc'd NUL-terminated buffer.
 */
static char *slurp(const char *path, size_t max)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	char *buf = NULL;
	size_t n = 0;
	ssize_t r;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || !(buf = malloc(max + 1)))
		goto out;
	while (n < max && (r = read(fd, buf + n, max - n)) > 0)
		n += r;
	buf[n] = 0;
out:
	close(fd);
	return buf;
}

/* @n hex digits at @s, and not more. */
static bool hex_run(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]) ||
		    isupper((unsigned char)s[i]))
			return false;
	return !isxdigit((unsigned char)s[n]);
}

/* A container ID after @prefix in @line: the runtime's cgroup names. */
static bool id_after(const char *line, const char *prefix, char *id)
{
	for (const char *p = strstr(line, prefix); p;
	     p = strstr(p + 1, prefix)) {
		p += strlen(prefix);
		if (hex_run(p, ID_LEN)) {
			memcpy(id, p, ID_LEN);
			id[ID_LEN] = 0;
			return true;
		}
		p -= strlen(prefix);
	}
	return false;
}

/* The pod's UID in a kubepods cgroup path: podUID (/, cgroupfs) or
 * podUID_WITH_UNDERSCORES.slice (systemd). */
static void pod_uid(const char *line, char *uid, size_t len)
{
	const char *p = strstr(line, "kubepods");
	size_t n = 0;

	for (p = p ? strstr(p, "pod") : NULL; p; p = strstr(p + 1, "pod")) {
		const char *s = p + 3;

		for (n = 0; n + 1 < len && (isxdigit((unsigned char)s[n]) ||
					    s[n] == '-' || s[n] == '_');
		     n++)
			uid[n] = s[n] == '_' ? '-' : s[n];
		uid[n] = 0;
		if (n == 36)
			return;
	}
	uid[0] = 0;
}

static void from_cgroup(pid_t pid, struct found *f)
{
	static const struct {
		const char *prefix;
		enum runtime rt;
	} pats[] = {
		{ "docker-", DOCKER },
		{ "/docker/", DOCKER },
		{ "cri-containerd-", CONTAINERD },
		{ "crio-", CRIO },
		{ "libpod-", PODMAN },
		{ "/libpod/", PODMAN },
	};
	char path[64], *text;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	text = slurp(path, 64 * 1024);
	if (!text)
		return;
	/* a user's own cgroups (systemd-run --user --scope) name nothing */
	if (strstr(text, "/user.slice/")) {
		free(text);
		return;
	}
	for (size_t i = 0; i < sizeof(pats) / sizeof(pats[0]) && !f->rt; i++)
		if (id_after(text, pats[i].prefix, f->id))
			f->rt = pats[i].rt;
	/* kubepods/.../podUID/ID (cgroupfs): containerd or cri-o */
	if (!f->rt && strstr(text, "kubepods") && id_after(text, "/", f->id))
		f->rt = CONTAINERD;
	pod_uid(text, f->pod_uid, sizeof(f->pod_uid));
	free(text);
}

/*
 * One JSON escape at *@p (after its backslash) decoded into @out (at most
 * 3 bytes: \uXXXX as UTF-8, a surrogate as U+FFFD); *@p left on its last
 * character. Returns the bytes written.
 */
static size_t unescape(const char **p, char *out)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *c = strchr(from, **p);
	unsigned int u;

	if (c && **p) {
		out[0] = to[c - from];
		return 1;
	}
	if (**p != 'u' || sscanf(*p + 1, "%4x", &u) != 1 ||
	    !isxdigit((unsigned char)(*p)[4])) {
		out[0] = '\\';
		(*p)--;
		return 1;
	}
	*p += 4;
	if (u >= 0xd800 && u < 0xe000)
		u = 0xfffd;
	if (u < 0x80) {
		out[0] = (char)u;
		return 1;
	}
	if (u < 0x800) {
		out[0] = (char)(0xc0 | u >> 6);
		out[1] = (char)(0x80 | (u & 0x3f));
		return 2;
	}
	out[0] = (char)(0xe0 | u >> 12);
	out[1] = (char)(0x80 | (u >> 6 & 0x3f));
	out[2] = (char)(0x80 | (u & 0x3f));
	return 3;
}

/*
 * The JSON string value of the first "@key" in @json, decoded, into @out;
 * false if none.
 */
static bool json_str(const char *json, const char *key, char *out, size_t len)
{
	char pat[128];
	const char *p;
	size_t n = 0;

	snprintf(pat, sizeof(pat), "\"%s\"", key);
	p = strstr(json, pat);
	if (!p)
		return false;
	p += strlen(pat);
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	if (*p++ != ':')
		return false;
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	if (*p++ != '"')
		return false;
	for (; *p && *p != '"' && n + 4 < len; p++) {
		if (*p != '\\' || !p[1]) {
			out[n++] = *p;
			continue;
		}
		p++;
		n += unescape(&p, out + n);
	}
	out[n] = 0;
	return *p == '"' && n;
}

/* The pod of an OCI config.json's annotations (CRI: containerd, cri-o). */
static bool pod_of(const char *json, char *ns, char *name)
{
	return (json_str(json, "io.kubernetes.cri.sandbox-namespace", ns,
			 VALUE_MAX) &&
		json_str(json, "io.kubernetes.cri.sandbox-name", name,
			 VALUE_MAX)) ||
	       (json_str(json, "io.kubernetes.pod.namespace", ns, VALUE_MAX) &&
		json_str(json, "io.kubernetes.pod.name", name, VALUE_MAX));
}

/* containerd's task state: its namespaces, then ID/config.json. */
static char *containerd_config(const char *root, const char *id)
{
	char dir[PATH_MAX], path[PATH_MAX + 400], *json = NULL;
	struct dirent *e;
	DIR *d;

	snprintf(dir, sizeof(dir),
		 "%s/run/containerd/io.containerd.runtime.v2.task", root);
	d = opendir(dir);
	while (d && !json && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/%s/config.json", dir,
			 e->d_name, id);
		json = slurp(path, FILE_MAX);
	}
	if (d)
		closedir(d);
	return json;
}

/*
 * podman's containers.json: the first of "names" in the entry of @id
 * ({"id":"ID",...,"names":["web"],...}).
 */
static void first_name(const char *json, const char *id, char *name)
{
	char pat[ID_LEN + 16];
	const char *p, *end;

	snprintf(pat, sizeof(pat), "\"%s\"", id);
	p = strstr(json, pat);
	end = p ? strchr(p, '}') : NULL;
	p = p ? strstr(p, "\"names\"") : NULL;
	if (!p || (end && p > end))
		return;
	p += strlen("\"names\"");
	p += strspn(p, " \t\r\n:");
	if (*p++ != '[')
		return;
	p += strspn(p, " \t\r\n");
	if (*p++ != '"' || sscanf(p, "%255[^\"]", name) != 1)
		name[0] = 0;
}

/* The container's state: its name, or its pod (@ns and @name). */
static void from_state(const struct found *f, char *name, char *ns)
{
	const char *root = host_root();
	char path[PATH_MAX], *json = NULL;

	name[0] = ns[0] = 0;
	switch (f->rt) {
	case DOCKER:
		snprintf(path, sizeof(path),
			 "%s/var/lib/docker/containers/%s/config.v2.json", root,
			 f->id);
		json = slurp(path, FILE_MAX);
		if (json && json_str(json, "Name", name, VALUE_MAX) &&
		    name[0] == '/')
			memmove(name, name + 1, strlen(name));
		break;
	case CONTAINERD:
		json = containerd_config(root, f->id);
		if (json && !pod_of(json, ns, name))
			json_str(json, "nerdctl/name", name, VALUE_MAX);
		break;
	case CRIO:
		snprintf(path, sizeof(path),
			 "%s/run/containers/storage/overlay-containers/%s/"
			 "userdata/config.json",
			 root, f->id);
		json = slurp(path, FILE_MAX);
		if (json)
			pod_of(json, ns, name);
		break;
	case PODMAN:
		snprintf(path, sizeof(path),
			 "%s/var/lib/containers/storage/overlay-containers/"
			 "containers.json",
			 root);
		json = slurp(path, FILE_MAX);
		if (json)
			first_name(json, f->id, name);
		break;
	default:
		break;
	}
	free(json);
}

/* The kubelet's word on pod @uid: etc-hosts' name, the token's namespace. */
static void from_kubelet(const char *uid, char *ns, char *name)
{
	char dir[PATH_MAX], path[PATH_MAX + 300], *text, *line;
	struct dirent *e;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/var/lib/kubelet/pods/%s", host_root(),
		 uid);
	snprintf(path, sizeof(path), "%s/etc-hosts", dir);
	text = slurp(path, 64 * 1024);
	/* the last line: "IP<tab>POD-NAME" */
	for (line = text ? strtok(text, "\n") : NULL; line;
	     line = strtok(NULL, "\n"))
		if (line[0] != '#' && sscanf(line, "%*s %255s", name) != 1)
			name[0] = 0;
	free(text);
	snprintf(path, sizeof(path), "%s/volumes/kubernetes.io~projected", dir);
	d = opendir(path);
	while (d && !ns[0] && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path),
			 "%s/volumes/kubernetes.io~projected/%s/namespace", dir,
			 e->d_name);
		text = slurp(path, VALUE_MAX);
		if (text && sscanf(text, "%255s", ns) != 1)
			ns[0] = 0;
		free(text);
	}
	if (d)
		closedir(d);
}

int nfd_owner_describe(pid_t pid, char *buf, size_t len)
{
	struct found f = { 0 };
	char name[VALUE_MAX], ns[VALUE_MAX], esc[4 * 2 * VALUE_MAX + 2];
	char comm[64], path[64], *text;

	from_cgroup(pid, &f);
	name[0] = ns[0] = 0;
	if (f.rt)
		from_state(&f, name, ns);
	if (!ns[0] && f.pod_uid[0]) {
		name[0] = 0;
		from_kubelet(f.pod_uid, ns, name);
	}
	if (ns[0] && name[0]) {
		char both[2 * VALUE_MAX + 2];

		snprintf(both, sizeof(both), "%s/%s", ns, name);
		nfd_escape_str(esc, sizeof(esc), both);
		snprintf(buf, len, "pod %s", esc);
		return 1;
	}
	if (f.rt) {
		nfd_escape_str(esc, sizeof(esc), name);
		if (name[0])
			snprintf(buf, len, "%s container %s (%.12s)",
				 runtime_names[f.rt], esc, f.id);
		else
			snprintf(buf, len, "%s container %.12s",
				 runtime_names[f.rt], f.id);
		return 1;
	}
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	text = slurp(path, sizeof(comm) - 1);
	if (!text)
		return -1;
	text[strcspn(text, "\n")] = 0;
	nfd_escape_str(esc, sizeof(esc), text);
	free(text);
	snprintf(buf, len, "command %s (pid %d)", esc, (int)pid);
	return 0;
}
