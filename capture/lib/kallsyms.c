// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel symbol addresses, from /proc/kallsyms.
 *
 * The file is long (about 150,000 lines with modules loaded) and the kernel
 * formats it anew at every read: under emulation one pass took seconds,
 * and a start asked several questions of it. Between nfd_kallsyms_hold()
 * and nfd_kallsyms_release() every lookup scans one copy read at the
 * first; outside, each reads the file (a drop's new location, rarely).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kallsyms.h"

#define READ_CHUNK (1 << 20)

static struct {
	char *text; /* the file's bytes, NUL-terminated */
	size_t len;
	int holds;
	bool stale; /* modules may have come since: read again when used */
} held;

/* The whole file into @len bytes at *@text (malloc'd). 0 or -errno. */
static int read_all(char **text, size_t *len)
{
	int fd = open("/proc/kallsyms", O_RDONLY | O_CLOEXEC);
	size_t cap = 0, n = 0;
	char *buf = NULL, *grown;
	ssize_t got;

	if (fd < 0)
		return -errno;
	do {
		if (cap - n < READ_CHUNK + 1) {
			cap = cap ? cap * 2 : 4 * READ_CHUNK;
			grown = realloc(buf, cap);
			if (!grown) {
				free(buf);
				close(fd);
				return -ENOMEM;
			}
			buf = grown;
		}
		got = read(fd, buf + n, READ_CHUNK);
		if (got > 0)
			n += got;
	} while (got > 0 || (got < 0 && errno == EINTR));
	if (got < 0) {
		int err = -errno;

		free(buf);
		close(fd);
		return err;
	}
	close(fd);
	buf[n] = 0;
	*text = buf;
	*len = n;
	return 0;
}

int nfd_kallsyms_hold(void)
{
	int err;

	if (held.holds++)
		return 0;
	err = read_all(&held.text, &held.len);
	if (err)
		held.holds = 0;
	return err;
}

void nfd_kallsyms_stale(void)
{
	held.stale = held.holds > 0;
}

void nfd_kallsyms_release(void)
{
	if (!held.holds || --held.holds)
		return;
	free(held.text);
	held.text = NULL;
	held.len = 0;
	held.stale = false;
}

/* Lines of the held copy, or of a fresh read. */
struct lines {
	char *own; /* a read of our own, freed by lines_close */
	const char *p, *end;
	char line[512];
};

static int lines_open(struct lines *l)
{
	size_t len;
	int err;

	l->own = NULL;
	if (held.stale) {
		char *text;

		held.stale = false;
		if (!read_all(&text, &len)) {
			free(held.text);
			held.text = text;
			held.len = len;
		}
	}
	if (held.text) {
		l->p = held.text;
		l->end = held.text + held.len;
		return 0;
	}
	err = read_all(&l->own, &len);
	if (err)
		return err;
	l->p = l->own;
	l->end = l->own + len;
	return 0;
}

static void lines_rewind(struct lines *l)
{
	l->p = l->own ? l->own : held.text;
}

static void lines_close(struct lines *l)
{
	free(l->own);
}

/* The next line, NUL-terminated without its newline (cut at 511), or NULL. */
static char *lines_next(struct lines *l)
{
	const char *nl;
	size_t n;

	if (l->p >= l->end)
		return NULL;
	nl = memchr(l->p, '\n', l->end - l->p);
	if (!nl)
		nl = l->end;
	n = (size_t)(nl - l->p);
	if (n >= sizeof(l->line))
		n = sizeof(l->line) - 1;
	memcpy(l->line, l->p, n);
	l->line[n] = 0;
	l->p = nl < l->end ? nl + 1 : nl;
	return l->line;
}

/*
 * "ADDR TYPE NAME [module]": @addr, the type letter and @sym (cut at the
 * first blank). -1 for a line of another form.
 */
static int parse_line(char *line, uint64_t *addr, char *type, char **sym)
{
	uint64_t a = 0;
	char *p = line, *name;

	for (;; p++) {
		unsigned int d;

		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (*p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else if (*p >= 'A' && *p <= 'F')
			d = *p - 'A' + 10;
		else
			break;
		a = a << 4 | d;
	}
	if (p == line || p[0] != ' ' || !p[1] || p[2] != ' ')
		return -1;
	*addr = a;
	*type = p[1];
	name = p + 3;
	name[strcspn(name, " \t")] = 0;
	*sym = name;
	return 0;
}

int nfd_kallsyms_ranges(const char *const *names, size_t n, uint64_t *lo,
			uint64_t *hi)
{
	struct lines l;
	uint64_t addr;
	char *line, *sym, type;
	size_t left = n;
	int err = lines_open(&l);

	if (err)
		return err;
	for (size_t i = 0; i < n; i++) {
		lo[i] = 0;
		hi[i] = UINT64_MAX;
	}
	/* the starts first; symbols are not sorted across modules */
	while (left && (line = lines_next(&l))) {
		if (parse_line(line, &addr, &type, &sym))
			continue;
		for (size_t i = 0; i < n; i++)
			if (!lo[i] && !strcmp(sym, names[i])) {
				lo[i] = addr;
				left--;
			}
	}
	lines_rewind(&l);
	while ((line = lines_next(&l))) {
		if (parse_line(line, &addr, &type, &sym))
			continue;
		for (size_t i = 0; i < n; i++)
			if (lo[i] && addr > lo[i] && addr < hi[i])
				hi[i] = addr;
	}
	lines_close(&l);
	for (size_t i = 0; i < n; i++)
		if (!lo[i] || hi[i] == UINT64_MAX)
			lo[i] = hi[i] = 0;
	return 0;
}

int nfd_kallsyms_range(const char *name, uint64_t *lo, uint64_t *hi)
{
	int err = nfd_kallsyms_ranges(&name, 1, lo, hi);

	return err ?: (*lo ? 0 : -ENOENT);
}

int nfd_kallsyms_addr(const char *name, uint64_t *addr)
{
	struct lines l;
	uint64_t a;
	char *line, *sym, type;
	int err = lines_open(&l);

	if (err)
		return err;
	*addr = 0;
	while (!*addr && (line = lines_next(&l)))
		if (!parse_line(line, &a, &type, &sym) && !strcmp(sym, name))
			*addr = a;
	lines_close(&l);
	return *addr ? 0 : -ENOENT;
}

int nfd_kallsyms_present(const char *const *names, size_t n, bool *found)
{
	struct lines l;
	uint64_t addr;
	char *line, *sym, type;
	int err = lines_open(&l);

	if (err)
		return err;
	for (size_t i = 0; i < n; i++)
		found[i] = false;
	while ((line = lines_next(&l))) {
		if (parse_line(line, &addr, &type, &sym))
			continue;
		for (size_t i = 0; i < n; i++)
			if (!found[i] && !strcmp(sym, names[i]))
				found[i] = true;
	}
	lines_close(&l);
	return 0;
}

int nfd_kallsyms_name(uint64_t addr, char *buf, size_t len)
{
	struct lines l;
	uint64_t best = 0, a;
	char *line, *sym, type;
	int err = lines_open(&l);

	if (err)
		return err;
	buf[0] = 0;
	while ((line = lines_next(&l))) {
		char *mod = strchr(line, '[');

		if (parse_line(line, &a, &type, &sym) || a > addr ||
		    a <= best || (type != 't' && type != 'T'))
			continue;
		best = a;
		if (mod)
			mod[strcspn(mod, "]")] = 0;
		snprintf(buf, len, "%s%s%s%s", sym, mod ? " [" : "",
			 mod ? mod + 1 : "", mod ? "]" : "");
	}
	lines_close(&l);
	return best ? 0 : -ENOENT;
}
