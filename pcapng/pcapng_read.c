// SPDX-License-Identifier: GPL-2.0
/*
 * pcapng_read.c - reader of pcapng and classic pcap files, plain or
 * gzip-compressed, for `nfdropcap -r`.
 *
 * Everything goes through zlib's gzread(), which passes plain files
 * through unchanged. A pcapng block is read whole into one growing buffer
 * (at most PCAPNG_READ_BLOCK_MAX bytes, grown as the data actually
 * arrives, so a lying length costs little more memory than the file holds),
 * its two length fields are checked, then it is parsed in place.
 *
 * Choices the header leaves open:
 * - A damaged option area never fails its block: an option is cut at the
 *   end of the options area (a string keeps what is there, a number that
 *   no longer has its full size is ignored) and is then the last one; less
 *   than an option header left ends the list quietly.
 * - A string option given twice keeps the first one; isb_ifdrop the last.
 * - An ISB that is too short or names an unknown interface is skipped: it
 *   carries no packet, and the packets after it are still good.
 * - An SPB is cut to the IDB's snaplen unless that is 0 (no limit).
 * - ts_ns is rounded down and saturates at UINT64_MAX.
 * - Version fields (pcapng and pcap) and pcap's thiszone/sigfigs are not
 *   looked at.
 * - zlib's "compressed data is corrupt" is -EBADMSG. A gzip stream cut
 *   short is -ENODATA, even between two blocks (a file the writer cut at a
 *   sync point after an error ends so).
 * - Interfaces are allocated one by one: a pointer from
 *   pcapng_reader_iface() stays valid until pcapng_reader_close().
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <byteswap.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "pcapng_read.h"

/* pcapng block types */
#define BT_IDB 0x00000001u
#define BT_SPB 0x00000003u
#define BT_ISB 0x00000005u
#define BT_EPB 0x00000006u
#define BT_SHB 0x0A0D0D0Au /* the same in both byte orders */

#define SHB_MAGIC 0x1A2B3C4Du

/* classic pcap magics, as read in the file's byte order */
#define PCAP_MAGIC_USEC 0xA1B2C3D4u
#define PCAP_MAGIC_NSEC 0xA1B23C4Du
#define PCAP_HDR_LEN 24
#define PCAP_REC_LEN 16
#define PCAP_SNAP_FLOOR 262144u

/* option codes */
/*
 * What a file can make us keep of its interfaces' strings: each name and
 * description cut at these lengths, all of them together at most
 * IFSTR_TOTAL (later ones are then empty): a small gzip file of many
 * interfaces with long strings must not take gigabytes.
 */
#define IFSTR_NAME_MAX 256u
#define IFSTR_DESCR_MAX 4096u
#define IFSTR_TOTAL (32u << 20)

#define OPT_ENDOFOPT 0
#define OPT_COMMENT 1
#define OPT_IF_NAME 2
#define OPT_IF_DESCRIPTION 3
#define OPT_IF_TSRESOL 9
#define OPT_EPB_FLAGS 2
#define OPT_EPB_DROPCOUNT 4
#define OPT_ISB_IFDROP 5

/* fixed parts (block header and trailer included) */
#define SHB_MIN 28
#define IDB_MIN 20
#define SPB_MIN 16
#define ISB_MIN 24
#define EPB_MIN 32

#define TSRESOL_DEFAULT 6
#define GZ_BUFFER (64u << 10)
#define READ_STEP (1u << 20) /* buffer growth ahead of the data */
#define RD_BUF_MIN 4096u
/* a block, or a pcap record header and its data */
#define RD_BUF_MAX (PCAPNG_READ_BLOCK_MAX + PCAP_REC_LEN)

struct rd_iface {
	struct pcapng_read_iface pub;
	char *name;
	char *description;
};

struct pcapng_reader {
	gzFile gz;
	bool pcapng;
	bool swap; /* the current section is in the other byte order */
	bool done; /* an error or the end: next() returns err */
	int err;
	uint64_t offset;
	uint8_t *buf; /* the current block (pcap: record header + data) */
	size_t cap;
	uint32_t blen; /* length of the block in buf */
	struct rd_iface **ifaces;
	uint32_t nifaces, ifcap;
	uint32_t sect_base; /* first interface of the current section */
	uint32_t sections;
	char *shb_comment;
	char *comment; /* of the last packet */
	size_t kept; /* bytes of interface strings kept, at most IFSTR_TOTAL */
};

/* ------------------------------------------------------------------ */
/* Bytes                                                               */
/* ------------------------------------------------------------------ */

static uint16_t get16(const struct pcapng_reader *r, const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return r->swap ? bswap_16(v) : v;
}

static uint32_t get32(const struct pcapng_reader *r, const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return r->swap ? bswap_32(v) : v;
}

static uint64_t get64(const struct pcapng_reader *r, const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return r->swap ? bswap_64(v) : v;
}

static uint32_t raw32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static size_t pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

/* Timestamp units of if_tsresol @res to nanoseconds. */
static uint64_t ts_to_ns(uint64_t ts, uint8_t res)
{
	static const uint64_t nsec = 1000000000u;
	unsigned int e = res & 0x7f;
	unsigned __int128 v = ts;
	uint64_t p10 = 1;

	if (res & 0x80) {
		v = (v * nsec) >> e;
	} else if (e <= 9) {
		while (e++ < 9)
			p10 *= 10;
		v *= p10;
	} else if (e - 9 <= 19) { /* 10^19 still fits in 64 bits */
		while (e-- > 9)
			p10 *= 10;
		v /= p10;
	} else {
		v = 0;
	}
	return v > UINT64_MAX ? UINT64_MAX : (uint64_t)v;
}

/* ------------------------------------------------------------------ */
/* Input                                                               */
/* ------------------------------------------------------------------ */

/* Room for @need bytes in r->buf (need <= RD_BUF_MAX). */
static int buf_grow(struct pcapng_reader *r, size_t need)
{
	size_t cap = r->cap * 2;
	uint8_t *p;

	if (need <= r->cap)
		return 0;
	if (cap < RD_BUF_MIN)
		cap = RD_BUF_MIN;
	if (cap < need)
		cap = need;
	if (cap > RD_BUF_MAX)
		cap = need > RD_BUF_MAX ? need : RD_BUF_MAX;
	p = realloc(r->buf, cap);
	if (!p)
		return -ENOMEM;
	r->buf = p;
	r->cap = cap;
	return 0;
}

/*
 * Why gzread() stopped short: 1 at the end of the file, -ENODATA if that
 * cuts a gzip stream short (wherever it is), or another -errno.
 */
static int gz_why(struct pcapng_reader *r, int saved_errno)
{
	int zerr;

	gzerror(r->gz, &zerr);
	switch (zerr) {
	case Z_OK:
		return 1;
	case Z_BUF_ERROR:
		return -ENODATA;
	case Z_ERRNO:
		return saved_errno ? -saved_errno : -EIO;
	case Z_MEM_ERROR:
		return -ENOMEM;
	case Z_DATA_ERROR:
		return -EBADMSG;
	default:
		return -EIO;
	}
}

/*
 * Reads @n bytes into r->buf + @off. Returns 0, 1 if the file ended before
 * any of them, -ENODATA if it ended after some, or another -errno.
 */
static int rd_fill(struct pcapng_reader *r, size_t off, size_t n)
{
	size_t want = n;
	unsigned int step;
	int got, err;

	while (want) {
		step = want < READ_STEP ? want : READ_STEP;
		err = buf_grow(r, off + step);
		if (err)
			return err;
		errno = 0;
		got = gzread(r->gz, r->buf + off, step);
		if (got > 0) {
			r->offset += (unsigned int)got;
			off += (unsigned int)got;
			want -= (unsigned int)got;
		}
		if (got != (int)step) {
			err = gz_why(r, errno);
			return err == 1 && want != n ? -ENODATA : err;
		}
	}
	return 0;
}

/* rd_fill() inside a block: the end of the file is a truncation. */
static int rd_fill_more(struct pcapng_reader *r, size_t off, size_t n)
{
	int err = rd_fill(r, off, n);

	return err == 1 ? -ENODATA : err;
}

/* ------------------------------------------------------------------ */
/* Options and interfaces                                              */
/* ------------------------------------------------------------------ */

struct opt_iter {
	const uint8_t *p;
	size_t off, end;
};

struct opt {
	uint16_t code;
	uint16_t len;
	const uint8_t *val;
};

/* Next option of r->buf[off, end): 1, or 0 at the end of the list. */
static int opt_next(const struct pcapng_reader *r, struct opt_iter *it,
		    struct opt *o)
{
	size_t room;

	if (it->off >= it->end || it->end - it->off < 4)
		return 0;
	o->code = get16(r, it->p + it->off);
	o->len = get16(r, it->p + it->off + 2);
	if (o->code == OPT_ENDOFOPT)
		return 0;
	it->off += 4;
	room = it->end - it->off;
	o->val = it->p + it->off;
	if (o->len > room)
		o->len = (uint16_t)room; /* cut here; nothing follows */
	it->off += pad4(o->len) < room ? pad4(o->len) : room;
	return 1;
}

static void opt_start(const struct pcapng_reader *r, struct opt_iter *it,
		      size_t off)
{
	it->p = r->buf;
	it->off = off;
	it->end = r->blen - 4;
}

/* Copy a string option (once: a later copy is ignored). */
static int opt_str(char **dst, const struct opt *o)
{
	if (*dst)
		return 0;
	*dst = strndup((const char *)o->val, o->len);
	return *dst ? 0 : -ENOMEM;
}

/* An interface's string option, cut at @max, within the reader's budget. */
static int opt_ifstr(struct pcapng_reader *r, char **dst, const struct opt *o,
		     size_t max)
{
	struct opt cut = *o;
	int err;

	if (*dst)
		return 0;
	if (cut.len > max)
		cut.len = max;
	if (r->kept + cut.len > IFSTR_TOTAL)
		cut.len = 0;
	err = opt_str(dst, &cut);
	if (!err)
		r->kept += strlen(*dst);
	return err;
}

/* A new interface at the end of r->ifaces. */
static struct rd_iface *iface_add(struct pcapng_reader *r)
{
	struct rd_iface **arr, *f;
	uint32_t cap;

	if (r->nifaces >= PCAPNG_READ_IFACES_MAX)
		return NULL;
	if (r->nifaces == r->ifcap) {
		cap = r->ifcap ? r->ifcap * 2 : 4;
		arr = realloc(r->ifaces, cap * sizeof(*arr));
		if (!arr)
			return NULL;
		r->ifaces = arr;
		r->ifcap = cap;
	}
	f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->pub.name = "";
	f->pub.description = "";
	f->pub.tsresol = TSRESOL_DEFAULT;
	r->ifaces[r->nifaces++] = f;
	return f;
}

/* Interface @id of the current section, or NULL. */
static struct rd_iface *sect_iface(struct pcapng_reader *r, uint32_t id)
{
	if (id >= r->nifaces - r->sect_base)
		return NULL;
	return r->ifaces[r->sect_base + id];
}

/* ------------------------------------------------------------------ */
/* pcapng blocks                                                       */
/* ------------------------------------------------------------------ */

/*
 * Reads a block into r->buf, @have bytes of which are there already (0, or
 * 4 at open). Returns 1, 0 at a clean end of the file, -EPROTONOSUPPORT for
 * an SHB of unknown byte-order magic, or another -errno.
 */
static int ng_load(struct pcapng_reader *r, size_t have)
{
	uint32_t len, magic;
	int err;

	err = rd_fill(r, have, 8 - have);
	if (err == 1 && have == 0)
		return 0;
	if (err)
		return err == 1 ? -ENODATA : err;
	have = 8;
	if (raw32(r->buf) == BT_SHB) {
		err = rd_fill_more(r, 8, 4);
		if (err)
			return err;
		magic = raw32(r->buf + 8);
		if (magic != SHB_MAGIC && magic != bswap_32(SHB_MAGIC))
			return -EPROTONOSUPPORT;
		r->swap = magic != SHB_MAGIC;
		have = 12;
	}
	len = get32(r, r->buf + 4);
	if (len < 12 || len % 4 || len > PCAPNG_READ_BLOCK_MAX ||
	    len < have + 4)
		return -EBADMSG;
	err = rd_fill_more(r, have, len - have);
	if (err)
		return err;
	if (get32(r, r->buf + len - 4) != len)
		return -EBADMSG;
	r->blen = len;
	return 1;
}

static int ng_shb(struct pcapng_reader *r)
{
	struct opt_iter it;
	struct opt o;
	int err = 0;

	if (r->blen < SHB_MIN)
		return -EBADMSG;
	r->sect_base = r->nifaces;
	if (++r->sections > 1)
		return 0;
	opt_start(r, &it, 24);
	while (!err && opt_next(r, &it, &o))
		if (o.code == OPT_COMMENT)
			err = opt_ifstr(r, &r->shb_comment, &o,
					IFSTR_DESCR_MAX);
	return err;
}

static int ng_idb_opt(struct pcapng_reader *r, struct rd_iface *f,
		      const struct opt *o)
{
	switch (o->code) {
	case OPT_IF_NAME:
		return opt_ifstr(r, &f->name, o, IFSTR_NAME_MAX);
	case OPT_IF_DESCRIPTION:
		return opt_ifstr(r, &f->description, o, IFSTR_DESCR_MAX);
	case OPT_IF_TSRESOL:
		if (o->len >= 1)
			f->pub.tsresol = o->val[0];
		return 0;
	}
	return 0;
}

static int ng_idb(struct pcapng_reader *r)
{
	struct rd_iface *f;
	struct opt_iter it;
	struct opt o;
	int err = 0;

	if (r->blen < IDB_MIN || r->nifaces >= PCAPNG_READ_IFACES_MAX)
		return -EBADMSG;
	f = iface_add(r);
	if (!f)
		return -ENOMEM;
	f->pub.linktype = get16(r, r->buf + 8);
	f->pub.snaplen = get32(r, r->buf + 12);
	opt_start(r, &it, 16);
	while (!err && opt_next(r, &it, &o))
		err = ng_idb_opt(r, f, &o);
	if (f->name)
		f->pub.name = f->name;
	if (f->description)
		f->pub.description = f->description;
	return err;
}

static int ng_epb_opt(struct pcapng_reader *r, struct pcapng_read_packet *p,
		      const struct opt *o)
{
	switch (o->code) {
	case OPT_COMMENT:
		return opt_str(&r->comment, o);
	case OPT_EPB_FLAGS:
		if (o->len >= 4) {
			p->has_flags = true;
			p->flags = get32(r, o->val);
		}
		return 0;
	case OPT_EPB_DROPCOUNT:
		if (o->len >= 8)
			p->dropcount = get64(r, o->val);
		return 0;
	}
	return 0;
}

static int ng_epb(struct pcapng_reader *r, struct pcapng_read_packet *p)
{
	const struct rd_iface *f;
	struct opt_iter it;
	struct opt o;
	int err = 0;

	if (r->blen < EPB_MIN)
		return -EBADMSG;
	f = sect_iface(r, get32(r, r->buf + 8));
	p->caplen = get32(r, r->buf + 20);
	if (!f || p->caplen > r->blen - EPB_MIN)
		return -EBADMSG;
	p->iface = r->sect_base + get32(r, r->buf + 8);
	p->ts = (uint64_t)get32(r, r->buf + 12) << 32 | get32(r, r->buf + 16);
	p->ts_ns = ts_to_ns(p->ts, f->pub.tsresol);
	p->origlen = get32(r, r->buf + 24);
	p->data = r->buf + 28;
	opt_start(r, &it, 28 + pad4(p->caplen));
	while (!err && opt_next(r, &it, &o))
		err = ng_epb_opt(r, p, &o);
	p->comment = r->comment;
	return err ? err : 1;
}

static int ng_spb(struct pcapng_reader *r, struct pcapng_read_packet *p)
{
	const struct rd_iface *f = sect_iface(r, 0);
	uint32_t cap;

	if (r->blen < SPB_MIN || !f)
		return -EBADMSG;
	cap = r->blen - SPB_MIN;
	p->iface = r->sect_base;
	p->origlen = get32(r, r->buf + 8);
	if (f->pub.snaplen && f->pub.snaplen < cap)
		cap = f->pub.snaplen;
	p->caplen = p->origlen < cap ? p->origlen : cap;
	p->data = r->buf + 12;
	return 1;
}

static int ng_isb(struct pcapng_reader *r)
{
	struct rd_iface *f;
	struct opt_iter it;
	struct opt o;

	if (r->blen < ISB_MIN)
		return 0;
	f = sect_iface(r, get32(r, r->buf + 8));
	if (!f)
		return 0;
	opt_start(r, &it, 20);
	while (opt_next(r, &it, &o)) {
		if (o.code == OPT_ISB_IFDROP && o.len >= 8) {
			f->pub.has_ifdrop = true;
			f->pub.ifdrop = get64(r, o.val);
		}
	}
	return 0;
}

/* The block in r->buf: 1 for a packet in @p, 0 for another block. */
static int ng_block(struct pcapng_reader *r, struct pcapng_read_packet *p)
{
	switch (get32(r, r->buf)) {
	case BT_SHB:
		return ng_shb(r);
	case BT_IDB:
		return ng_idb(r);
	case BT_EPB:
		return ng_epb(r, p);
	case BT_SPB:
		return ng_spb(r, p);
	case BT_ISB:
		return ng_isb(r);
	}
	return 0;
}

static int ng_next(struct pcapng_reader *r, struct pcapng_read_packet *p)
{
	int ret;

	do {
		ret = ng_load(r, 0);
		if (ret == -EPROTONOSUPPORT)
			ret = -EBADMSG;
		if (ret <= 0)
			return ret;
		ret = ng_block(r, p);
	} while (ret == 0);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Classic pcap                                                        */
/* ------------------------------------------------------------------ */

/* The rest of the 24-byte file header, whose magic is in r->buf. */
static int pcap_open(struct pcapng_reader *r, bool nsec)
{
	struct rd_iface *f;
	int err;

	err = rd_fill_more(r, 4, PCAP_HDR_LEN - 4);
	if (err)
		return err;
	f = iface_add(r);
	if (!f)
		return -ENOMEM;
	f->pub.snaplen = get32(r, r->buf + 16);
	f->pub.linktype = (uint16_t)get32(r, r->buf + 20);
	f->pub.tsresol = nsec ? 9 : 6;
	return 0;
}

static int pcap_next(struct pcapng_reader *r, struct pcapng_read_packet *p)
{
	const struct rd_iface *f = r->ifaces[0];
	uint32_t limit = f->pub.snaplen, sec, frac;
	int err;

	err = rd_fill(r, 0, PCAP_REC_LEN);
	if (err)
		return err == 1 ? 0 : err;
	if (limit < PCAP_SNAP_FLOOR)
		limit = PCAP_SNAP_FLOOR;
	if (limit > PCAPNG_READ_BLOCK_MAX)
		limit = PCAPNG_READ_BLOCK_MAX;
	sec = get32(r, r->buf);
	frac = get32(r, r->buf + 4);
	p->caplen = get32(r, r->buf + 8);
	p->origlen = get32(r, r->buf + 12);
	if (p->caplen > limit)
		return -EBADMSG;
	err = rd_fill_more(r, PCAP_REC_LEN, p->caplen);
	if (err)
		return err;
	p->data = r->buf + PCAP_REC_LEN;
	p->ts = (uint64_t)sec * (f->pub.tsresol == 9 ? 1000000000u : 1000000u) +
		frac;
	p->ts_ns = ts_to_ns(p->ts, f->pub.tsresol);
	return 1;
}

/* ------------------------------------------------------------------ */
/* API                                                                 */
/* ------------------------------------------------------------------ */

/* The first header of the file, whose first 4 bytes are read here. */
static int rd_head(struct pcapng_reader *r)
{
	uint32_t magic;
	int err;

	err = rd_fill(r, 0, 4);
	if (err)
		return err == 1 ? -ENODATA : err;
	magic = raw32(r->buf);
	if (magic == BT_SHB) {
		r->pcapng = true;
		err = ng_load(r, 4);
		if (err == 0)
			err = -ENODATA;
		return err < 0 ? err : ng_shb(r);
	}
	r->swap = magic == bswap_32(PCAP_MAGIC_USEC) ||
		  magic == bswap_32(PCAP_MAGIC_NSEC);
	magic = get32(r, r->buf);
	if (magic == PCAP_MAGIC_USEC || magic == PCAP_MAGIC_NSEC)
		return pcap_open(r, magic == PCAP_MAGIC_NSEC);
	return -EPROTONOSUPPORT;
}

int pcapng_reader_open(struct pcapng_reader **out, int fd)
{
	struct pcapng_reader *r;
	int err;

	*out = NULL;
	if (fd < 0)
		return -EBADF;
	r = calloc(1, sizeof(*r));
	if (!r) {
		close(fd);
		return -ENOMEM;
	}
	errno = 0;
	r->gz = gzdopen(fd, "rb");
	if (!r->gz) {
		err = errno ? -errno : -ENOMEM;
		close(fd);
		free(r);
		return err;
	}
	gzbuffer(r->gz, GZ_BUFFER);
	err = rd_head(r);
	if (err) {
		pcapng_reader_close(r);
		return err;
	}
	*out = r;
	return 0;
}

int pcapng_reader_next(struct pcapng_reader *r, struct pcapng_read_packet *p)
{
	int ret;

	memset(p, 0, sizeof(*p));
	free(r->comment);
	r->comment = NULL;
	if (r->done)
		return r->err;
	ret = r->pcapng ? ng_next(r, p) : pcap_next(r, p);
	if (ret <= 0) {
		memset(p, 0, sizeof(*p));
		r->done = true;
		r->err = ret;
	}
	return ret;
}

const struct pcapng_read_iface *
pcapng_reader_iface(const struct pcapng_reader *r, uint32_t i)
{
	return i < r->nifaces ? &r->ifaces[i]->pub : NULL;
}

uint32_t pcapng_reader_ifaces(const struct pcapng_reader *r)
{
	return r->nifaces;
}

const char *pcapng_reader_shb_comment(const struct pcapng_reader *r)
{
	return r->shb_comment;
}

bool pcapng_reader_is_pcapng(const struct pcapng_reader *r)
{
	return r->pcapng;
}

uint64_t pcapng_reader_offset(const struct pcapng_reader *r)
{
	return r->offset;
}

void pcapng_reader_close(struct pcapng_reader *r)
{
	uint32_t i;

	if (!r)
		return;
	gzclose(r->gz);
	for (i = 0; i < r->nifaces; i++) {
		free(r->ifaces[i]->name);
		free(r->ifaces[i]->description);
		free(r->ifaces[i]);
	}
	free(r->ifaces);
	free(r->buf);
	free(r->shb_comment);
	free(r->comment);
	free(r);
}
