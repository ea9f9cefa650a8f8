// SPDX-License-Identifier: GPL-2.0
/*
 * pcapng.c - minimal pcapng writer: block encoding, buffering, gzip.
 *
 * Every block is produced by one "block builder" pass that both counts
 * and (when the buffer is large enough) stores the bytes, so the length
 * fields can never disagree with what is written.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "pcapng.h"

/* Block types */
#define BT_IDB 0x00000001u
#define BT_ISB 0x00000005u
#define BT_EPB 0x00000006u
#define BT_SHB 0x0A0D0D0Au

#define SHB_MAGIC 0x1A2B3C4Du

/* Option codes */
#define OPT_ENDOFOPT 0
#define OPT_COMMENT 1
#define OPT_SHB_HARDWARE 2
#define OPT_SHB_OS 3
#define OPT_SHB_USERAPPL 4
#define OPT_IF_NAME 2
#define OPT_IF_DESCRIPTION 3
#define OPT_IF_TSRESOL 9
#define OPT_EPB_FLAGS 2
#define OPT_EPB_DROPCOUNT 4
#define OPT_ISB_STARTTIME 2
#define OPT_ISB_ENDTIME 3
#define OPT_ISB_IFRECV 4
#define OPT_ISB_IFDROP 5
#define OPT_ISB_OSDROP 7
#define OPT_ISB_USRDELIV 8

/* Writer buffering */
#define WR_INIT_CAP (128u * 1024)
#define WR_FLUSH_AT (64u * 1024)
#define WR_MAX_BLOCK (16u * 1024 * 1024)

/* ------------------------------------------------------------------ */
/* Block builder                                                       */
/* ------------------------------------------------------------------ */

struct blk {
	uint8_t *buf;
	size_t cap;
	uint64_t len; /* bytes produced so far, stored or not */
	unsigned int nopts;
};

static const uint8_t zeros[4];

/* Append n bytes; they are stored only while everything fits in cap. */
static void blk_put(struct blk *b, const void *p, size_t n)
{
	if (n && b->len + n <= b->cap)
		memcpy(b->buf + b->len, p, n);
	b->len += n;
}

static void blk_pad4(struct blk *b)
{
	blk_put(b, zeros, (size_t)(-b->len & 3));
}

static void blk_u16(struct blk *b, uint16_t v)
{
	blk_put(b, &v, sizeof(v));
}

static void blk_u32(struct blk *b, uint32_t v)
{
	blk_put(b, &v, sizeof(v));
}

static void blk_u64(struct blk *b, uint64_t v)
{
	blk_put(b, &v, sizeof(v));
}

/* pcapng timestamp layout: high 32 bits, then low 32 bits */
static void blk_ts(struct blk *b, uint64_t ts)
{
	blk_u32(b, (uint32_t)(ts >> 32));
	blk_u32(b, (uint32_t)ts);
}

static void blk_begin(struct blk *b, void *buf, size_t cap, uint32_t type)
{
	b->buf = buf;
	b->cap = buf ? cap : 0;
	b->len = 0;
	b->nopts = 0;
	blk_u32(b, type);
	blk_u32(b, 0); /* total length, patched by blk_end() */
}

/* One option: code, length, value, padding. n must fit in 16 bits. */
static void blk_opt(struct blk *b, uint16_t code, const void *val, size_t n)
{
	if (n > PCAPNG_MAX_OPT_LEN)
		n = PCAPNG_MAX_OPT_LEN;
	blk_u16(b, code);
	blk_u16(b, (uint16_t)n);
	blk_put(b, val, n);
	blk_pad4(b);
	b->nopts++;
}

static int is_utf8_cont(char c)
{
	return ((unsigned char)c & 0xC0) == 0x80;
}

/*
 * Length of s (n bytes) cut to at most max bytes without splitting a
 * UTF-8 sequence (which is at most 4 bytes long).
 */
static size_t utf8_clip(const char *s, size_t n, size_t max)
{
	size_t i;

	if (n <= max)
		return n;
	for (i = 0; i < 4 && i <= max; i++) {
		if (!is_utf8_cont(s[max - i]))
			return max - i;
	}
	return max; /* not UTF-8 anyway */
}

static void blk_opt_str(struct blk *b, uint16_t code, const char *s)
{
	size_t n;

	if (!s || !*s)
		return;
	n = utf8_clip(s, strlen(s), PCAPNG_MAX_OPT_LEN);
	blk_opt(b, code, s, n);
}

static void blk_opt_u8(struct blk *b, uint16_t code, uint8_t v)
{
	blk_opt(b, code, &v, sizeof(v));
}

static void blk_opt_u32(struct blk *b, uint16_t code, uint32_t v)
{
	blk_opt(b, code, &v, sizeof(v));
}

static void blk_opt_u64(struct blk *b, uint16_t code, uint64_t v)
{
	blk_opt(b, code, &v, sizeof(v));
}

static void blk_opt_ts(struct blk *b, uint16_t code, uint64_t ts)
{
	uint32_t v[2] = { (uint32_t)(ts >> 32), (uint32_t)ts };

	blk_opt(b, code, v, sizeof(v));
}

/*
 * Terminate the options (if any), append the trailing length and patch
 * the leading one.  Returns the block length, 0 if it exceeds 32 bits.
 */
static size_t blk_end(struct blk *b)
{
	uint64_t total;
	uint32_t len32;

	if (b->nopts) {
		blk_u16(b, OPT_ENDOFOPT);
		blk_u16(b, 0);
	}
	total = b->len + sizeof(len32);
	if (total > UINT32_MAX || total > SIZE_MAX)
		return 0;
	len32 = (uint32_t)total;
	blk_u32(b, len32);
	if (total <= b->cap)
		memcpy(b->buf + 4, &len32, sizeof(len32));
	return (size_t)total;
}

/* ------------------------------------------------------------------ */
/* Encoders                                                            */
/* ------------------------------------------------------------------ */

size_t pcapng_encode_shb(void *buf, size_t cap, const struct pcapng_shb *shb)
{
	struct blk b;

	blk_begin(&b, buf, cap, BT_SHB);
	blk_u32(&b, SHB_MAGIC);
	blk_u16(&b, 1); /* major version */
	blk_u16(&b, 0); /* minor version */
	blk_u64(&b, UINT64_MAX); /* section length: unknown */
	blk_opt_str(&b, OPT_COMMENT, shb->comment);
	blk_opt_str(&b, OPT_SHB_HARDWARE, shb->hardware);
	blk_opt_str(&b, OPT_SHB_OS, shb->os);
	blk_opt_str(&b, OPT_SHB_USERAPPL, shb->userappl);
	return blk_end(&b);
}

size_t pcapng_encode_idb(void *buf, size_t cap, const struct pcapng_idb *idb)
{
	struct blk b;

	blk_begin(&b, buf, cap, BT_IDB);
	blk_u16(&b, idb->linktype);
	blk_u16(&b, 0); /* reserved */
	blk_u32(&b, idb->snaplen);
	blk_opt_str(&b, OPT_IF_NAME, idb->name);
	blk_opt_str(&b, OPT_IF_DESCRIPTION, idb->description);
	if (idb->tsresol)
		blk_opt_u8(&b, OPT_IF_TSRESOL, idb->tsresol);
	return blk_end(&b);
}

size_t pcapng_encode_epb(void *buf, size_t cap, const struct pcapng_epb *epb)
{
	struct blk b;

	if (epb->caplen && !epb->data)
		return 0;
	blk_begin(&b, buf, cap, BT_EPB);
	blk_u32(&b, epb->if_id);
	blk_ts(&b, epb->ts);
	blk_u32(&b, epb->caplen);
	blk_u32(&b, epb->origlen);
	blk_put(&b, epb->data, epb->caplen);
	blk_pad4(&b);
	blk_opt_str(&b, OPT_COMMENT, epb->comment);
	if (epb->has_flags)
		blk_opt_u32(&b, OPT_EPB_FLAGS, epb->flags);
	if (epb->has_dropcount)
		blk_opt_u64(&b, OPT_EPB_DROPCOUNT, epb->dropcount);
	return blk_end(&b);
}

size_t pcapng_encode_isb(void *buf, size_t cap, const struct pcapng_isb *isb)
{
	struct blk b;

	blk_begin(&b, buf, cap, BT_ISB);
	blk_u32(&b, isb->if_id);
	blk_ts(&b, isb->ts);
	if (isb->has_starttime)
		blk_opt_ts(&b, OPT_ISB_STARTTIME, isb->starttime);
	if (isb->has_endtime)
		blk_opt_ts(&b, OPT_ISB_ENDTIME, isb->endtime);
	if (isb->has_ifrecv)
		blk_opt_u64(&b, OPT_ISB_IFRECV, isb->ifrecv);
	if (isb->has_ifdrop)
		blk_opt_u64(&b, OPT_ISB_IFDROP, isb->ifdrop);
	if (isb->has_osdrop)
		blk_opt_u64(&b, OPT_ISB_OSDROP, isb->osdrop);
	if (isb->has_usrdeliv)
		blk_opt_u64(&b, OPT_ISB_USRDELIV, isb->usrdeliv);
	return blk_end(&b);
}

/* ------------------------------------------------------------------ */
/* Writer                                                              */
/* ------------------------------------------------------------------ */

struct pcapng_writer {
	int fd;
	gzFile gz; /* NULL: plain output */
	bool autoflush;
	bool regular; /* fd is a regular file: truncate on error */
	bool in_section; /* an SHB has been written */
	/* set by a signal: a write that blocks this long gives up */
	volatile const int *interrupt;
	uint32_t n_if; /* IDBs in the current section */
	uint64_t total; /* bytes of the blocks taken, before any compression */
	int err; /* sticky error, 0 if none */
	uint8_t *buf; /* whole blocks not yet written */
	size_t len;
	size_t cap;
	/*
	 * Regular files: file offset up to which the file is known good
	 * (end of the last complete block, or the last gzip sync point).
	 */
	off_t good;
};

typedef size_t (*encode_fn)(void *buf, size_t cap, const void *blk);

static size_t enc_shb(void *buf, size_t cap, const void *blk)
{
	return pcapng_encode_shb(buf, cap, blk);
}

static size_t enc_idb(void *buf, size_t cap, const void *blk)
{
	return pcapng_encode_idb(buf, cap, blk);
}

static size_t enc_epb(void *buf, size_t cap, const void *blk)
{
	return pcapng_encode_epb(buf, cap, blk);
}

static size_t enc_isb(void *buf, size_t cap, const void *blk)
{
	return pcapng_encode_isb(buf, cap, blk);
}

/* Length of the run of whole blocks at the start of buf[0..done). */
static size_t whole_blocks(const uint8_t *buf, size_t len, size_t done)
{
	size_t off = 0;
	uint32_t blen;

	while (off + 12 <= len) {
		memcpy(&blen, buf + off + 4, sizeof(blen));
		if (blen < 12 || blen > done - off)
			break;
		off += blen;
	}
	return off;
}

/* Make later zlib writes (e.g. in gzclose) harmless after an error. */
static void gz_detach(struct pcapng_writer *w)
{
	int nul = open("/dev/null", O_WRONLY | O_CLOEXEC);

	if (nul < 0)
		return;
	dup3(nul, w->fd, O_CLOEXEC);
	close(nul);
}

/*
 * Record a write error: cut a regular file back to its last good
 * offset plus the whole blocks of this flush that made it (plain only),
 * drop the buffer, make the error sticky.
 */
static int wr_fail(struct pcapng_writer *w, size_t done, int err)
{
	off_t keep = w->good;

	if (!w->gz)
		keep += (off_t)whole_blocks(w->buf, w->len, done);
	if (w->regular && ftruncate(w->fd, keep) == 0 && !w->gz)
		w->good = keep;
	if (w->gz)
		gz_detach(w);
	w->len = 0;
	w->err = err;
	return err;
}

static int wait_writable(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };

	while (poll(&pfd, 1, -1) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	return 0;
}

#define INTERRUPT_GRACE_MS 1000

/*
 * A write was interrupted by a signal. Go on unless the signal asked to
 * stop and the reader takes nothing for INTERRUPT_GRACE_MS: a stalled
 * reader (a FIFO, a pipe) must not keep nfdropcap from ending.
 */
static int interrupted(const struct pcapng_writer *w)
{
	struct pollfd pfd = { .fd = w->fd, .events = POLLOUT };

	if (!w->interrupt || !*w->interrupt)
		return 0;
	if (poll(&pfd, 1, INTERRUPT_GRACE_MS) == 1 && (pfd.revents & POLLOUT))
		return 0;
	return -EINTR;
}

/* Write all n bytes; *done tells how many made it. */
static int write_all(const struct pcapng_writer *w, const uint8_t *p, size_t n,
		     size_t *done)
{
	int fd = w->fd;
	ssize_t r;
	int err;

	*done = 0;
	while (*done < n) {
		r = write(fd, p + *done, n - *done);
		if (r > 0) {
			*done += (size_t)r;
			continue;
		}
		if (r == 0)
			return -EIO;
		if (errno == EINTR) {
			err = interrupted(w);
			if (err)
				return err;
			continue;
		}
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -errno;
		err = wait_writable(fd);
		if (err)
			return err;
	}
	return 0;
}

static int plain_flush(struct pcapng_writer *w)
{
	size_t done;
	int err;

	err = write_all(w, w->buf, w->len, &done);
	if (err)
		return wr_fail(w, done, err);
	w->good += (off_t)w->len;
	w->len = 0;
	return 0;
}

/* Map the error state of gz to -errno; saved is errno after the call. */
static int gz_err(gzFile gz, int saved)
{
	int zerr = Z_ERRNO;

	if (gz)
		gzerror(gz, &zerr);
	if (zerr == Z_MEM_ERROR)
		return -ENOMEM;
	if (zerr == Z_ERRNO && saved > 0)
		return -saved;
	return -EIO;
}

/* Hand the buffer to zlib. */
static int gz_put(struct pcapng_writer *w)
{
	int n;

	if (!w->len)
		return 0;
	errno = 0;
	n = gzwrite(w->gz, w->buf, (unsigned int)w->len);
	if (n <= 0 || (size_t)n != w->len)
		return wr_fail(w, 0, gz_err(w->gz, errno));
	w->len = 0;
	return 0;
}

static int gz_sync(struct pcapng_writer *w)
{
	off_t off;
	int err;

	err = gz_put(w);
	if (err)
		return err;
	errno = 0;
	if (gzflush(w->gz, Z_SYNC_FLUSH) != Z_OK)
		return wr_fail(w, 0, gz_err(w->gz, errno));
	if (w->regular) {
		off = lseek(w->fd, 0, SEEK_CUR);
		if (off >= 0)
			w->good = off;
	}
	return 0;
}

int pcapng_flush(struct pcapng_writer *w)
{
	if (w->err)
		return w->err;
	return w->gz ? gz_sync(w) : plain_flush(w);
}

int pcapng_error(const struct pcapng_writer *w)
{
	return w->err;
}

static int wr_grow(struct pcapng_writer *w, size_t need)
{
	size_t cap = w->cap;
	uint8_t *p;

	while (cap < need)
		cap *= 2;
	p = realloc(w->buf, cap);
	if (!p)
		return -ENOMEM;
	w->buf = p;
	w->cap = cap;
	return 0;
}

/* Append one whole block to the buffer and flush if due. */
static int wr_block(struct pcapng_writer *w, encode_fn enc, const void *blk)
{
	size_t n;
	int err;

	n = enc(w->buf + w->len, w->cap - w->len, blk);
	if (!n)
		return -EINVAL;
	if (n > WR_MAX_BLOCK)
		return -EMSGSIZE;
	if (n > w->cap - w->len) {
		err = wr_grow(w, w->len + n);
		if (err)
			return err;
		if (enc(w->buf + w->len, w->cap - w->len, blk) != n)
			return -EINVAL;
	}
	w->len += n;
	w->total += n;
	if (w->autoflush || w->len > WR_FLUSH_AT)
		return pcapng_flush(w);
	return 0;
}

int pcapng_write_shb(struct pcapng_writer *w, const struct pcapng_shb *shb)
{
	int err;

	if (w->err)
		return w->err;
	err = wr_block(w, enc_shb, shb);
	if (err)
		return err;
	w->in_section = true;
	w->n_if = 0;
	return 0;
}

int pcapng_write_idb(struct pcapng_writer *w, const struct pcapng_idb *idb)
{
	int err;

	if (w->err)
		return w->err;
	if (!w->in_section)
		return -EINVAL;
	if (w->n_if >= INT_MAX)
		return -EOVERFLOW;
	err = wr_block(w, enc_idb, idb);
	if (err)
		return err;
	return (int)w->n_if++;
}

int pcapng_write_epb(struct pcapng_writer *w, const struct pcapng_epb *epb)
{
	if (w->err)
		return w->err;
	if (!w->in_section || epb->if_id >= w->n_if)
		return -EINVAL;
	return wr_block(w, enc_epb, epb);
}

int pcapng_write_isb(struct pcapng_writer *w, const struct pcapng_isb *isb)
{
	if (w->err)
		return w->err;
	if (!w->in_section || isb->if_id >= w->n_if)
		return -EINVAL;
	return wr_block(w, enc_isb, isb);
}

uint64_t pcapng_bytes(const struct pcapng_writer *w)
{
	return w->total;
}

void pcapng_set_autoflush(struct pcapng_writer *w, bool on)
{
	w->autoflush = on;
}

void pcapng_set_interrupt(struct pcapng_writer *w, volatile const int *flag)
{
	w->interrupt = flag;
}

int pcapng_writer_new(struct pcapng_writer **out, int fd,
		      enum pcapng_compress c)
{
	struct pcapng_writer *w = NULL;
	struct stat st;
	int err;

	*out = NULL;
	if (c != PCAPNG_PLAIN && c != PCAPNG_GZIP) {
		err = -EINVAL;
		goto fail;
	}
	if (fstat(fd, &st) < 0) {
		err = -errno;
		goto fail;
	}
	err = -ENOMEM;
	w = calloc(1, sizeof(*w));
	if (!w)
		goto fail;
	w->fd = fd;
	w->cap = WR_INIT_CAP;
	w->buf = malloc(w->cap);
	if (!w->buf)
		goto fail;
	w->regular = S_ISREG(st.st_mode);
	if (w->regular) {
		w->good = lseek(fd, 0, SEEK_CUR);
		if (w->good < 0) {
			err = -errno;
			goto fail;
		}
	}
	if (c == PCAPNG_GZIP) {
		errno = 0;
		w->gz = gzdopen(fd, "wb");
		if (!w->gz) {
			err = errno ? -errno : -ENOMEM;
			goto fail;
		}
	}
	*out = w;
	return 0;

fail:
	if (w)
		free(w->buf);
	free(w);
	close(fd);
	return err;
}

/* gzclose() with a truncation to the last sync point if it fails. */
static int gz_finish(struct pcapng_writer *w)
{
	int keep = -1;
	int zr, err = 0;

	if (w->regular && !w->err)
		keep = fcntl(w->fd, F_DUPFD_CLOEXEC, 0);
	errno = 0;
	zr = gzclose(w->gz);
	if (zr != Z_OK) {
		err = gz_err(NULL, errno);
		if (zr == Z_MEM_ERROR)
			err = -ENOMEM;
		if (keep >= 0 && !w->err)
			(void)!ftruncate(keep, w->good);
	}
	if (keep >= 0)
		close(keep);
	return err;
}

int pcapng_close(struct pcapng_writer *w)
{
	int err, r;

	if (!w)
		return 0;
	err = w->err;
	if (!err)
		err = w->gz ? gz_put(w) : plain_flush(w);
	if (w->gz) {
		r = gz_finish(w);
	} else {
		r = close(w->fd) < 0 && errno != EINTR ? -errno : 0;
	}
	if (!err)
		err = r;
	free(w->buf);
	free(w);
	return err;
}
