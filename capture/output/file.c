// SPDX-License-Identifier: GPL-2.0
/* The pcapng files written, first and rotated (file.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "file.h"
#include "lib/clock.h"
#include "lib/escape.h"

static bool is_stdout(const struct nfd_file *f)
{
	return !strcmp(f->cfg.path, "-");
}

static int write_shb(struct nfd_file *f)
{
	char os[256], appl[64];
	struct utsname u;
	struct pcapng_shb shb = { .comment = f->cfg.shb_comment,
				  .os = os,
				  .userappl = appl };

	if (uname(&u))
		snprintf(os, sizeof(os), "Linux");
	else
		snprintf(os, sizeof(os), "%s %s %s", u.sysname, u.release,
			 u.machine);
	snprintf(appl, sizeof(appl), "nfdropcap %s", NFD_VERSION);
	return pcapng_write_shb(f->w, &shb);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

/*
 * Opens @path for writing without changing it: created (0600) if it does
 * not exist, else opened as it is; never through a symbolic link.
 */
static int open_first(struct nfd_file *f, const char *path)
{
	struct stat st;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd >= 0) {
		f->created = !fstat(fd, &st);
		f->dev = st.st_dev;
		f->ino = st.st_ino;
		return fd;
	}
	if (errno != EEXIST)
		return -errno;
	fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static void report_open_error(const char *path, int err)
{
	if (err == -ELOOP)
		fprintf(stderr,
			"nfdropcap: '%s' is a symbolic link: nfdropcap does "
			"not write through one (give -w the path it points "
			"to)\n",
			path);
	else if (err == -EINTR)
		fprintf(stderr,
			"nfdropcap: interrupted while '%s' waited for a "
			"reader\n",
			path);
	else if (err == -ENAMETOOLONG)
		fprintf(stderr,
			"nfdropcap: the name of the file to write from '%s' "
			"is too long or empty (give -w a shorter name or "
			"pattern)\n",
			path);
	else if (err == -EMLINK)
		fprintf(stderr,
			"nfdropcap: '%s' is not a regular file of one link: "
			"rotation (-C, -G) overwrites only those (remove it, "
			"or give -w another name)\n",
			path);
	else
		fprintf(stderr,
			"nfdropcap: cannot write '%s': %s (give -w a "
			"writable path)\n",
			path, strerror(-err));
}

int nfd_file_open(struct nfd_file *f, const struct nfd_file_cfg *cfg)
{
	int fd, err;

	memset(f, 0, sizeof(*f));
	f->cfg = *cfg;
	f->fd = -1;
	nfd_rotate_init(&f->rot, &cfg->rotate, cfg->path, time(NULL),
			nfd_clock_ns(CLOCK_MONOTONIC));
	if (is_stdout(f)) {
		snprintf(f->path, sizeof(f->path), "-");
		fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 0);
		fd = fd < 0 ? -errno : fd;
	} else {
		if (cfg->rotate.seconds && !strchr(cfg->path, '%'))
			fprintf(stderr,
				"nfdropcap: note: -G with a file name without "
				"strftime(3) conversions: each file will "
				"overwrite the last (add e.g. %%Y%%m%%d-%%H%%M%%S "
				"to it)\n");
		err = nfd_rotate_name(&f->rot, f->path, sizeof(f->path));
		fd = err ? err : open_first(f, f->path);
	}
	if (fd < 0) {
		report_open_error(f->path[0] ? f->path : cfg->path, fd);
		return fd;
	}
	f->fd = fd;
	return 0;
}

/* The writer on f->fd (which it then owns), and the SHB. */
static int start_writer(struct nfd_file *f)
{
	enum pcapng_compress c = PCAPNG_PLAIN;
	struct stat st;
	int err;

	if (fstat(f->fd, &st)) {
		err = -errno;
		close(f->fd);
		f->fd = -1;
		return err;
	}
	if (!is_stdout(f) && ends_with(f->cfg.path, ".gz"))
		c = PCAPNG_GZIP;
	if (f->cfg.chown && !is_stdout(f) && geteuid() != f->cfg.uid &&
	    fchown(f->fd, f->cfg.uid, f->cfg.gid)) {
		err = -errno;
		close(f->fd);
		f->fd = -1;
		return err;
	}
	err = pcapng_writer_new(&f->w, f->fd, c);
	f->fd = -1; /* the writer's now, also when it failed */
	if (err)
		return err;
	/* a pipe, a FIFO (Wireshark's extcap), a terminal: each packet now */
	pcapng_set_autoflush(f->w, is_stdout(f) || !S_ISREG(st.st_mode));
	pcapng_set_interrupt(f->w, f->cfg.interrupt);
	f->drops = 0;
	f->files++;
	return write_shb(f);
}

int nfd_file_begin(struct nfd_file *f)
{
	struct stat st;
	int err = 0;

	if (fstat(f->fd, &st))
		err = -errno;
	else if (nfd_rotate_on(&f->cfg.rotate) && !S_ISREG(st.st_mode))
		err = -EMLINK;
	/* an existing file is cut only now that the capture runs */
	else if (!f->created && S_ISREG(st.st_mode) && ftruncate(f->fd, 0))
		err = -errno;
	if (!err)
		err = start_writer(f);
	/* -G's first interval: from now, not from the file's opening */
	nfd_rotate_start(&f->rot, nfd_clock_ns(CLOCK_MONOTONIC));
	if (err == -EMLINK)
		report_open_error(f->path, err);
	else if (err < 0)
		fprintf(stderr, "nfdropcap: writing '%s': %s\n", f->path,
			strerror(-err));
	return err < 0 ? err : 0;
}

/* Is the first file still the one this run created? */
static bool still_ours(const struct nfd_file *f)
{
	struct stat st;

	return f->created && !lstat(f->path, &st) && st.st_dev == f->dev &&
	       st.st_ino == f->ino;
}

void nfd_file_abandon(struct nfd_file *f, bool keep)
{
	if (f->w) {
		pcapng_close(f->w);
		f->w = NULL;
	}
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	if (!keep && f->files <= 1 && still_ours(f))
		unlink(f->path);
	f->created = false;
}

/*
 * A rotated file: created (0600) or, in -W's ring or as -G's pattern
 * names it again, overwritten; only a regular file of one link, never
 * through a symbolic link, never a FIFO waited on.
 */
static int open_next(const char *path)
{
	struct stat st;
	int fd = open(path,
		      O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
		      0600);
	int err = 0;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st))
		err = -errno;
	else if (!S_ISREG(st.st_mode) || st.st_nlink != 1)
		err = -EMLINK;
	else if (ftruncate(fd, 0) || fcntl(fd, F_SETFL, 0))
		err = -errno;
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

int nfd_file_next(struct nfd_file *f, bool by_time)
{
	int err = nfd_file_close(f);

	if (err)
		return err;
	if (!nfd_rotate_next(&f->rot, by_time, time(NULL),
			     nfd_clock_ns(CLOCK_MONOTONIC)))
		return 1;
	err = nfd_rotate_name(&f->rot, f->path, sizeof(f->path));
	f->fd = err ? err : open_next(f->path);
	if (f->fd < 0) {
		err = f->fd;
		f->fd = -1;
		report_open_error(f->path[0] ? f->path : f->cfg.path, err);
		return err;
	}
	err = start_writer(f);
	if (err)
		fprintf(stderr, "nfdropcap: writing '%s': %s\n", f->path,
			strerror(-err));
	return err;
}

bool nfd_file_full(const struct nfd_file *f, uint64_t need)
{
	return f->w &&
	       nfd_rotate_full(&f->rot, pcapng_bytes(f->w), need, !f->drops);
}

bool nfd_file_due(const struct nfd_file *f)
{
	return f->w && nfd_rotate_due(&f->rot, nfd_clock_ns(CLOCK_MONOTONIC));
}

int nfd_file_close(struct nfd_file *f)
{
	int err = 0;

	if (f->w && pcapng_close(f->w))
		err = -EIO;
	f->w = NULL;
	return err;
}

#define SHB_ALL "nfdropcap: drops of every network namespace"
#define SHB_ONE "nfdropcap: drops of network namespace "
#define SHB_OWN "nfdropcap: drops of its own network namespace"

void nfd_file_shb_comment(char *buf, size_t len, const char *netns, bool all)
{
	size_t n;

	if (all || !netns) {
		snprintf(buf, len, "%s", all ? SHB_ALL : SHB_OWN);
		return;
	}
	n = snprintf(buf, len, "%s", SHB_ONE);
	if (n < len)
		nfd_escape_str(buf + n, len - n, netns);
}

bool nfd_lines_name_netns(const char *netns, bool all)
{
	return all || (netns && strchr(netns, '/'));
}

bool nfd_file_lines_name_netns(const char *shb_comment)
{
	if (!shb_comment)
		return false;
	if (!strcmp(shb_comment, SHB_ALL))
		return true;
	if (strncmp(shb_comment, SHB_ONE, sizeof(SHB_ONE) - 1))
		return false;
	return nfd_lines_name_netns(shb_comment + sizeof(SHB_ONE) - 1, false);
}
