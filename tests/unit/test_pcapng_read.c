// SPDX-License-Identifier: GPL-2.0
/*
 * test_pcapng_read.c - unit tests for the pcapng / pcap reader.
 *
 * Files come from the project's own writer (pcapng.c), plain and gzip,
 * or are built by hand, byte by byte, in an explicit byte order (big-endian
 * pcapng, classic pcap, damaged blocks). They are read back from memfds.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bytes.h"
#include "check.h"
#include "pcapng.h"
#include "pcapng_read.h"

/* ------------------------------------------------------------------ */
/* Byte strings                                                        */
/* ------------------------------------------------------------------ */

static void put_mem(struct bytes *b, const void *p, size_t n)
{
	if (n)
		memcpy(bytes_room(b, n), p, n);
	b->len += n;
}

static void put_uint(struct bytes *b, uint64_t v, unsigned int size)
{
	uint8_t *p = bytes_room(b, size);
	unsigned int i;

	for (i = 0; i < size; i++) {
		unsigned int shift = 8 * (b->be ? size - 1 - i : i);

		p[i] = (uint8_t)(v >> shift);
	}
	b->len += size;
}

static void put16(struct bytes *b, uint16_t v)
{
	put_uint(b, v, 2);
}

static void put32(struct bytes *b, uint32_t v)
{
	put_uint(b, v, 4);
}

static void put64(struct bytes *b, uint64_t v)
{
	put_uint(b, v, 8);
}

static void put_pad4(struct bytes *b)
{
	static const uint8_t zeros[4];

	put_mem(b, zeros, -b->len & 3);
}

static void set32(struct bytes *b, size_t off, uint32_t v)
{
	size_t len = b->len;

	b->len = off;
	put32(b, v);
	b->len = len;
}

/* A pcapng block: blk_begin(), its body, blk_end(). */
static void blk_begin(struct bytes *b, uint32_t type)
{
	b->blk = b->len;
	put32(b, type);
	put32(b, 0);
}

static void blk_end(struct bytes *b)
{
	uint32_t len;

	put_pad4(b);
	len = (uint32_t)(b->len + 4 - b->blk);
	put32(b, len);
	set32(b, b->blk + 4, len);
}

static void put_opt(struct bytes *b, uint16_t code, const void *v, uint16_t len)
{
	put16(b, code);
	put16(b, len);
	put_mem(b, v, len);
	put_pad4(b);
}

static void put_opt_u64(struct bytes *b, uint16_t code, uint64_t v)
{
	put16(b, code);
	put16(b, 8);
	put64(b, v);
}

static void put_shb(struct bytes *b, const char *comment)
{
	blk_begin(b, 0x0A0D0D0A);
	put32(b, 0x1A2B3C4D);
	put16(b, 1);
	put16(b, 0);
	put64(b, UINT64_MAX);
	if (comment) {
		put_opt(b, 1, comment, (uint16_t)strlen(comment));
		put32(b, 0);
	}
	blk_end(b);
}

static void put_idb(struct bytes *b, uint16_t linktype, uint32_t snaplen,
		    int tsresol)
{
	blk_begin(b, 1);
	put16(b, linktype);
	put16(b, 0);
	put32(b, snaplen);
	if (tsresol >= 0) {
		uint8_t v = (uint8_t)tsresol;

		put_opt(b, 9, &v, 1);
		put32(b, 0);
	}
	blk_end(b);
}

/* An EPB without options */
static void put_epb(struct bytes *b, uint32_t ifid, uint64_t ts,
		    const void *data, uint32_t caplen, uint32_t origlen)
{
	blk_begin(b, 6);
	put32(b, ifid);
	put32(b, (uint32_t)(ts >> 32));
	put32(b, (uint32_t)ts);
	put32(b, caplen);
	put32(b, origlen);
	put_mem(b, data, caplen);
	blk_end(b);
}

/* Append the encoding of one block by the project's writer. */
#define ENC_APPEND(b, fn, blk)                            \
	do {                                              \
		size_t n_ = fn(NULL, 0, (blk));           \
		uint8_t *p_ = bytes_room((b), n_);        \
                                                          \
		CHECK(n_ > 0 && fn(p_, n_, (blk)) == n_); \
		(b)->len += n_;                           \
	} while (0)

/* ------------------------------------------------------------------ */
/* Reading                                                             */
/* ------------------------------------------------------------------ */

/* A memfd holding p[0..n), at offset 0. */
static int mem_fd(const void *p, size_t n)
{
	int fd = memfd_create("test_pcapng_read", MFD_CLOEXEC);

	if (fd < 0)
		return -1;
	if (n && write(fd, p, n) != (ssize_t)n) {
		close(fd);
		return -1;
	}
	lseek(fd, 0, SEEK_SET);
	return fd;
}

static int open_mem(struct pcapng_reader **r, const void *p, size_t n)
{
	int fd = mem_fd(p, n);

	*r = NULL;
	if (!CHECK(fd >= 0))
		return -EIO;
	return pcapng_reader_open(r, fd);
}

/* Read to the end: the last return value; *n packets before it. */
static int read_rest(struct pcapng_reader *r, int *n)
{
	struct pcapng_read_packet p;
	int ret;

	*n = 0;
	while ((ret = pcapng_reader_next(r, &p)) == 1)
		(*n)++;
	return ret;
}

/* Open p[0..n) and read it all; *npkt packets, the open or last error. */
static int read_mem(const void *p, size_t n, int *npkt)
{
	struct pcapng_reader *r;
	int ret;

	*npkt = -1;
	ret = open_mem(&r, p, n);
	if (ret)
		return ret;
	ret = read_rest(r, npkt);
	pcapng_reader_close(r);
	return ret;
}

static bool streq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

/* ------------------------------------------------------------------ */
/* Round trip through the writer                                       */
/* ------------------------------------------------------------------ */

static const uint8_t pkt5[5] = { 0xde, 0xad, 0xbe, 0xef, 0x01 };
static const uint8_t pkt4[4] = { 0xca, 0xfe, 0xba, 0xbe };

static const struct pcapng_shb rt_shb = {
	.os = "Linux 6.1",
	.userappl = "nfdropcap 0.1",
};

static const struct pcapng_idb rt_idbs[3] = {
	{ .linktype = 1,
	  .snaplen = 65535,
	  .name = "eth0",
	  .description = "first one",
	  .tsresol = 9 },
	{ .linktype = 276,
	  .snaplen = 262144,
	  .name = "nfdrop",
	  .description = "netfilter drops",
	  .tsresol = 9 },
	{ .linktype = 101, .snaplen = 0 }, /* no options: tsresol 6 */
};

static const struct pcapng_epb rt_epbs[4] = {
	{ .if_id = 0,
	  .ts = 1700000000123456789ull,
	  .caplen = 5,
	  .origlen = 60,
	  .data = pkt5,
	  .comment = "hi\nthere",
	  .has_flags = true,
	  .flags = PCAPNG_EPB_DIR_OUTBOUND,
	  .has_dropcount = true,
	  .dropcount = 0x0000000100000007ull },
	{ .if_id = 1, .ts = 1000, .caplen = 4, .origlen = 4, .data = pkt4 },
	{ .if_id = 2,
	  .ts = 1700000000123456ull,
	  .caplen = 0,
	  .origlen = 1500,
	  .has_dropcount = true,
	  .dropcount = 3 },
	{ .if_id = 1,
	  .ts = 5,
	  .caplen = 3,
	  .origlen = 3,
	  .data = pkt5,
	  .comment = "second",
	  .has_flags = true,
	  .flags = 0 },
};

static int rt_write(struct pcapng_writer *w)
{
	struct pcapng_isb isb = { .if_id = 1, .has_ifdrop = true };
	int err, i;

	err = pcapng_write_shb(w, &rt_shb);
	for (i = 0; !err && i < 3; i++)
		err = pcapng_write_idb(w, &rt_idbs[i]) == i ? 0 : -EINVAL;
	for (i = 0; !err && i < 4; i++) {
		err = pcapng_write_epb(w, &rt_epbs[i]);
		isb.ifdrop = 40 + (uint64_t)i; /* the last one counts */
		if (!err && i >= 2)
			err = pcapng_write_isb(w, &isb);
	}
	return err;
}

/* The writer's output, in memory. */
static bool rt_file(enum pcapng_compress c, struct bytes *out)
{
	struct pcapng_writer *w;
	int fd = memfd_create("test_pcapng_read", MFD_CLOEXEC);
	ssize_t n;
	bool ok;

	if (fd < 0)
		return false;
	ok = pcapng_writer_new(&w, dup(fd), c) == 0;
	ok = ok && rt_write(w) == 0;
	ok = pcapng_close(w) == 0 && ok;
	lseek(fd, 0, SEEK_SET);
	do {
		n = read(fd, bytes_room(out, 65536), 65536);
		if (n > 0)
			out->len += (size_t)n;
	} while (n > 0);
	close(fd);
	return ok && n == 0;
}

static void check_rt_ifaces(struct pcapng_reader *r)
{
	const struct pcapng_read_iface *f;
	int i;

	CHECK(pcapng_reader_ifaces(r) == 3);
	CHECK(pcapng_reader_iface(r, 3) == NULL);
	for (i = 0; i < 3; i++) {
		f = pcapng_reader_iface(r, (uint32_t)i);
		if (!CHECK(f != NULL))
			return;
		CHECK(f->linktype == rt_idbs[i].linktype);
		CHECK(f->snaplen == rt_idbs[i].snaplen);
		CHECK(streq(f->name, rt_idbs[i].name ? rt_idbs[i].name : ""));
		CHECK(streq(f->description, rt_idbs[i].description ?
						    rt_idbs[i].description :
						    ""));
		CHECK(f->tsresol == (i < 2 ? 9 : 6));
		CHECK(f->has_ifdrop == (i == 1));
		CHECK(f->ifdrop == (i == 1 ? 43 : 0));
	}
}

static void check_rt_packet(const struct pcapng_read_packet *p,
			    const struct pcapng_epb *e)
{
	CHECK(p->iface == e->if_id);
	CHECK(p->ts == e->ts);
	CHECK(p->ts_ns == (e->if_id == 2 ? e->ts * 1000 : e->ts));
	CHECK(p->caplen == e->caplen);
	CHECK(p->origlen == e->origlen);
	CHECK_MEM(p->data, p->caplen, e->data, e->caplen);
	if (e->comment)
		CHECK(streq(p->comment, e->comment));
	else
		CHECK(p->comment == NULL);
	CHECK(p->has_flags == e->has_flags);
	CHECK(p->flags == e->flags);
	CHECK(p->dropcount == (e->has_dropcount ? e->dropcount : 0));
}

static void test_roundtrip(enum pcapng_compress c)
{
	struct bytes file = { 0 }, plain = { 0 };
	struct pcapng_read_packet p;
	struct pcapng_reader *r;
	int i;

	if (!CHECK(rt_file(c, &file) && rt_file(PCAPNG_PLAIN, &plain)))
		goto out;
	if (!CHECK(open_mem(&r, file.p, file.len) == 0))
		goto out;
	CHECK(pcapng_reader_is_pcapng(r));
	CHECK(pcapng_reader_shb_comment(r) == NULL);
	for (i = 0; i < 4; i++) {
		if (!CHECK(pcapng_reader_next(r, &p) == 1))
			break;
		check_rt_packet(&p, &rt_epbs[i]);
	}
	CHECK(pcapng_reader_next(r, &p) == 0);
	CHECK(pcapng_reader_next(r, &p) == 0); /* and it stays so */
	CHECK(p.data == NULL && p.comment == NULL);
	check_rt_ifaces(r);
	CHECK(pcapng_reader_offset(r) == plain.len); /* uncompressed */
	pcapng_reader_close(r);
out:
	bytes_free(&file);
	bytes_free(&plain);
}

/* The same, through a pipe (not seekable). */
static void test_pipe(void)
{
	struct bytes file = { 0 };
	struct pcapng_reader *r;
	int fds[2], n = 0;

	if (!CHECK(rt_file(PCAPNG_GZIP, &file) && file.len < 4096))
		goto out;
	if (!CHECK(pipe2(fds, O_CLOEXEC) == 0))
		goto out;
	CHECK(write(fds[1], file.p, file.len) == (ssize_t)file.len);
	close(fds[1]);
	if (CHECK(pcapng_reader_open(&r, fds[0]) == 0)) {
		CHECK(read_rest(r, &n) == 0);
		CHECK(n == 4);
		pcapng_reader_close(r);
	}
out:
	bytes_free(&file);
}

/* ------------------------------------------------------------------ */
/* Hand-made pcapng                                                    */
/* ------------------------------------------------------------------ */

/* SHB + IDB + EPB + ISB, in the byte order of b. */
static void put_sample(struct bytes *b, const char *comment)
{
	put_shb(b, comment);
	put_idb(b, 1, 65535, 9);
	blk_begin(b, 6);
	put32(b, 0);
	put32(b, 1);
	put32(b, 2); /* ts 0x100000002 */
	put32(b, 4);
	put32(b, 10);
	put_mem(b, pkt4, 4);
	put16(b, 2); /* epb_flags 1 */
	put16(b, 4);
	put32(b, 1);
	put_opt_u64(b, 4, 0x0102030405060708ull);
	put32(b, 0);
	blk_end(b);
	blk_begin(b, 5);
	put32(b, 0);
	put64(b, 7);
	put_opt_u64(b, 5, 0x1122334455667788ull);
	put32(b, 0);
	blk_end(b);
}

static void check_sample_packet(const struct pcapng_read_packet *p,
				uint32_t iface)
{
	CHECK(p->iface == iface);
	CHECK(p->ts == 0x100000002ull);
	CHECK(p->ts_ns == 0x100000002ull);
	CHECK(p->caplen == 4 && p->origlen == 10);
	CHECK_MEM(p->data, p->caplen, pkt4, 4);
	CHECK(p->comment == NULL);
	CHECK(p->has_flags && p->flags == 1);
	CHECK(p->dropcount == 0x0102030405060708ull);
}

static void check_sample_iface(const struct pcapng_read_iface *f)
{
	if (!CHECK(f != NULL))
		return;
	CHECK(f->linktype == 1 && f->snaplen == 65535 && f->tsresol == 9);
	CHECK(streq(f->name, "") && streq(f->description, ""));
	CHECK(f->has_ifdrop && f->ifdrop == 0x1122334455667788ull);
}

/* Big-endian, then a little-endian section after it. */
static void test_big_endian(void)
{
	struct bytes b = { .be = true };
	struct pcapng_read_packet p;
	struct pcapng_reader *r;

	put_sample(&b, "big\nendian");
	b.be = false;
	put_sample(&b, "little");
	if (!CHECK(open_mem(&r, b.p, b.len) == 0))
		goto out;
	CHECK(pcapng_reader_is_pcapng(r));
	CHECK(streq(pcapng_reader_shb_comment(r), "big\nendian"));
	CHECK(pcapng_reader_next(r, &p) == 1);
	check_sample_packet(&p, 0);
	CHECK(pcapng_reader_next(r, &p) == 1);
	check_sample_packet(&p, 1);
	CHECK(pcapng_reader_next(r, &p) == 0);
	CHECK(pcapng_reader_ifaces(r) == 2);
	check_sample_iface(pcapng_reader_iface(r, 0));
	check_sample_iface(pcapng_reader_iface(r, 1));
	CHECK(pcapng_reader_offset(r) == b.len);
	pcapng_reader_close(r);
out:
	bytes_free(&b);
}

/* Two sections: the second's interfaces come after the first's. */
static void test_sections(void)
{
	struct pcapng_idb idb = { .linktype = 1, .name = "a" };
	struct pcapng_epb epb = { .caplen = 4, .origlen = 4, .data = pkt4 };
	struct bytes b = { 0 };
	struct pcapng_read_packet p;
	struct pcapng_reader *r;
	uint32_t want[] = { 0, 2, 1, 3 }, i;

	put_shb(&b, "one");
	ENC_APPEND(&b, pcapng_encode_idb, &idb);
	ENC_APPEND(&b, pcapng_encode_epb, &epb);
	put_shb(&b, "two"); /* not the file's comment */
	idb.name = "b";
	ENC_APPEND(&b, pcapng_encode_idb, &idb);
	idb.name = "c";
	ENC_APPEND(&b, pcapng_encode_idb, &idb);
	epb.if_id = 1;
	ENC_APPEND(&b, pcapng_encode_epb, &epb);
	epb.if_id = 0;
	ENC_APPEND(&b, pcapng_encode_epb, &epb);
	put_shb(&b, NULL);
	ENC_APPEND(&b, pcapng_encode_idb, &idb);
	ENC_APPEND(&b, pcapng_encode_epb, &epb);
	if (!CHECK(open_mem(&r, b.p, b.len) == 0))
		goto out;
	CHECK(streq(pcapng_reader_shb_comment(r), "one"));
	for (i = 0; i < 4; i++) {
		if (!CHECK(pcapng_reader_next(r, &p) == 1))
			break;
		CHECK(p.iface == want[i]);
	}
	CHECK(pcapng_reader_next(r, &p) == 0);
	CHECK(pcapng_reader_ifaces(r) == 4);
	CHECK(streq(pcapng_reader_iface(r, 0)->name, "a"));
	CHECK(streq(pcapng_reader_iface(r, 1)->name, "b"));
	CHECK(streq(pcapng_reader_iface(r, 2)->name, "c"));
	CHECK(streq(pcapng_reader_iface(r, 3)->name, "c"));
	pcapng_reader_close(r);
out:
	bytes_free(&b);
}

/* SPBs, unknown blocks, odd tsresol values, a cut option area. */
static void put_spb(struct bytes *b, uint32_t origlen, uint32_t room)
{
	blk_begin(b, 3);
	put32(b, origlen);
	put_mem(b, pkt5, room);
	blk_end(b);
}

static void put_other_blocks(struct bytes *b)
{
	put_shb(b, NULL);
	put_idb(b, 1, 3, 0x80 | 10); /* 1/1024 s */
	put_spb(b, 10, 5); /* cut by snaplen 3 */
	put_spb(b, 2, 5); /* by origlen */
	put_epb(b, 0, 2048, NULL, 0, 0);
	blk_begin(b, 4); /* an NRB: skipped */
	put32(b, 0);
	blk_end(b);
	blk_begin(b, 0x0BADBEEF); /* unknown: skipped */
	blk_end(b);
	put_shb(b, NULL);
	put_idb(b, 1, 0, 3); /* milliseconds, no snaplen */
	put_spb(b, 10, 5); /* cut by the block */
	put_epb(b, 0, 5, pkt4, 4, 4);
	put_idb(b, 1, 0, 25);
	put_epb(b, 1, 12345678901234567890ull, NULL, 0, 0);
	put_idb(b, 1, 0, 0);
	put_epb(b, 2, UINT64_MAX, NULL, 0, 0); /* saturates */
	put_idb(b, 1, 0, 0x80 | 1);
	put_epb(b, 3, 3, NULL, 0, 0);
	put_epb(b, 0, 1024, pkt4, 4, 4); /* then an option cut short */
	b->len -= 4; /* its trailer: a comment of 400 bytes, 8 there */
	put16(b, 1);
	put16(b, 400);
	put_mem(b, "abcdefgh", 8);
	blk_end(b);
}

static void test_other_blocks(void)
{
	struct bytes b = { 0 };
	struct pcapng_read_packet p;
	struct pcapng_reader *r;

	put_other_blocks(&b);
	if (!CHECK(open_mem(&r, b.p, b.len) == 0))
		goto out;
	CHECK(pcapng_reader_next(r, &p) == 1);
	CHECK(p.iface == 0 && p.caplen == 3 && p.origlen == 10);
	CHECK(p.ts == 0 && p.ts_ns == 0 && !p.has_flags && !p.comment);
	CHECK_MEM(p.data, p.caplen, pkt5, 3);
	CHECK(pcapng_reader_next(r, &p) == 1);
	CHECK(p.caplen == 2 && p.origlen == 2);
	CHECK(pcapng_reader_next(r, &p) == 1);
	CHECK(p.iface == 0 && p.ts == 2048 && p.ts_ns == 2000000000);
	CHECK(pcapng_reader_next(r, &p) == 1);
	CHECK(p.iface == 1 && p.caplen == 8 && p.origlen == 10);
	CHECK_MEM(p.data, 5, pkt5, 5); /* then the padding */
	CHECK(pcapng_reader_next(r, &p) == 1);
	CHECK(p.iface == 1 && p.ts == 5 && p.ts_ns == 5000000);
	CHECK(pcapng_reader_next(r, &p) == 1);
	CHECK(p.iface == 2 && p.ts_ns == 1234); /* 10^-25 s */
	CHECK(pcapng_reader_next(r, &p) == 1);
	CHECK(p.iface == 3 && p.ts == UINT64_MAX && p.ts_ns == UINT64_MAX);
	CHECK(pcapng_reader_next(r, &p) == 1);
	CHECK(p.iface == 4 && p.ts_ns == 1500000000);
	CHECK(pcapng_reader_next(r, &p) == 1);
	CHECK(p.iface == 1 && p.ts_ns == 1024000000);
	CHECK(streq(p.comment, "abcdefgh"));
	CHECK(pcapng_reader_next(r, &p) == 0);
	CHECK(pcapng_reader_iface(r, 0)->tsresol == (0x80 | 10));
	pcapng_reader_close(r);
out:
	bytes_free(&b);
}

/* ------------------------------------------------------------------ */
/* Classic pcap                                                        */
/* ------------------------------------------------------------------ */

static void put_pcap(struct bytes *b, uint32_t magic, uint32_t linktype)
{
	put32(b, magic);
	put16(b, 2);
	put16(b, 4);
	put32(b, 0);
	put32(b, 0);
	put32(b, 65535);
	put32(b, linktype);
	put32(b, 1700000000); /* 1 */
	put32(b, 123456);
	put32(b, 5);
	put32(b, 60);
	put_mem(b, pkt5, 5);
	put32(b, 0); /* 2: empty */
	put32(b, 999999);
	put32(b, 0);
	put32(b, 1514);
}

static void test_classic_one(bool be, bool nsec)
{
	struct bytes b = { .be = be };
	struct pcapng_read_packet p;
	struct pcapng_reader *r;
	const struct pcapng_read_iface *f;
	uint64_t unit = nsec ? 1000000000 : 1000000;

	put_pcap(&b, nsec ? 0xA1B23C4D : 0xA1B2C3D4, 0x10000001);
	if (!CHECK(open_mem(&r, b.p, b.len) == 0))
		goto out;
	CHECK(!pcapng_reader_is_pcapng(r));
	CHECK(pcapng_reader_shb_comment(r) == NULL);
	CHECK(pcapng_reader_ifaces(r) == 1);
	f = pcapng_reader_iface(r, 0);
	if (CHECK(f != NULL)) {
		CHECK(f->linktype == 1 && f->snaplen == 65535);
		CHECK(f->tsresol == (nsec ? 9 : 6));
		CHECK(streq(f->name, "") && streq(f->description, ""));
		CHECK(!f->has_ifdrop);
	}
	CHECK(pcapng_reader_next(r, &p) == 1);
	CHECK(p.iface == 0 && p.caplen == 5 && p.origlen == 60);
	CHECK(p.ts == 1700000000 * unit + 123456);
	CHECK(p.ts_ns == p.ts * (nsec ? 1 : 1000));
	CHECK_MEM(p.data, p.caplen, pkt5, 5);
	CHECK(!p.comment && !p.has_flags && !p.dropcount);
	CHECK(pcapng_reader_next(r, &p) == 1);
	CHECK(p.caplen == 0 && p.origlen == 1514 && p.ts == 999999);
	CHECK(pcapng_reader_next(r, &p) == 0);
	CHECK(pcapng_reader_offset(r) == b.len);
	pcapng_reader_close(r);
out:
	bytes_free(&b);
}

static void test_classic(void)
{
	struct bytes b = { 0 };
	int n;

	test_classic_one(false, false);
	test_classic_one(false, true);
	test_classic_one(true, false);
	test_classic_one(true, true);

	/* incl_len above max(snaplen, 262144) */
	put_pcap(&b, 0xA1B2C3D4, 1);
	put32(&b, 0);
	put32(&b, 0);
	put32(&b, 262145);
	put32(&b, 262145);
	CHECK(read_mem(b.p, b.len, &n) == -EBADMSG && n == 2);
	b.len -= 8;
	put32(&b, 262144); /* allowed, but the file ends */
	put32(&b, 262144);
	CHECK(read_mem(b.p, b.len, &n) == -ENODATA && n == 2);
	bytes_free(&b);
}

/* ------------------------------------------------------------------ */
/* Truncation                                                          */
/* ------------------------------------------------------------------ */

/* For every prefix of p[0..len): packets inside it, then 0 or -ENODATA. */
static void check_prefixes(const uint8_t *p, size_t len, const size_t *ends,
			   const bool *is_pkt, int nblk, size_t head)
{
	int ok = 0, bad = 0;
	size_t cut;

	for (cut = 0; cut <= len; cut++) {
		int n, want = 0, ret, i;
		bool edge = false;

		for (i = 0; i < nblk; i++) {
			want += ends[i] <= cut && is_pkt[i];
			edge |= ends[i] == cut;
		}
		ret = read_mem(p, cut, &n);
		if (cut < head)
			ok += ret == -ENODATA;
		else
			ok += ret == (edge ? 0 : -ENODATA) && n == want;
		bad += ret == -EBADMSG;
	}
	CHECK(ok == (int)len + 1);
	CHECK(bad == 0);
}

static void test_truncation(void)
{
	struct pcapng_epb epb = { .caplen = 5, .origlen = 5, .data = pkt5 };
	struct bytes b = { 0 };
	size_t ends[8];
	bool is_pkt[8] = { false, false, true, true, false, false, true };
	int nblk = 0;

	ENC_APPEND(&b, pcapng_encode_shb, &rt_shb);
	ends[nblk++] = b.len;
	ENC_APPEND(&b, pcapng_encode_idb, &rt_idbs[0]);
	ends[nblk++] = b.len;
	ENC_APPEND(&b, pcapng_encode_epb, &rt_epbs[0]);
	ends[nblk++] = b.len;
	ENC_APPEND(&b, pcapng_encode_epb, &epb);
	ends[nblk++] = b.len;
	put_shb(&b, "x");
	ends[nblk++] = b.len;
	put_idb(&b, 1, 0, -1);
	ends[nblk++] = b.len;
	put_spb(&b, 2, 2);
	ends[nblk++] = b.len;
	check_prefixes(b.p, b.len, ends, is_pkt, nblk, ends[0]);

	/* classic pcap: the header, then records of 16 + 5 and 16 bytes */
	b.len = 0;
	put_pcap(&b, 0xA1B2C3D4, 1);
	ends[0] = 24;
	ends[1] = 24 + 16 + 5;
	ends[2] = ends[1] + 16;
	is_pkt[0] = false;
	is_pkt[1] = is_pkt[2] = true;
	check_prefixes(b.p, b.len, ends, is_pkt, 3, 24);
	bytes_free(&b);
}

/* A gzip file cut anywhere: never damage, never more than it holds. */
static void test_truncation_gzip(void)
{
	struct bytes file = { 0 };
	int good = 0, bad = 0, n;
	size_t cut;

	if (!CHECK(rt_file(PCAPNG_GZIP, &file)))
		goto out;
	for (cut = 0; cut < file.len; cut++) {
		int ret = read_mem(file.p, cut, &n);

		bad += ret == -EBADMSG || ret == 0 || n > 4;
		good += ret == -ENODATA;
	}
	CHECK(bad == 0);
	CHECK(good == (int)file.len);
	CHECK(read_mem(file.p, file.len, &n) == 0 && n == 4);
out:
	bytes_free(&file);
}

/* ------------------------------------------------------------------ */
/* Damage                                                              */
/* ------------------------------------------------------------------ */

/* SHB, IDB, EPB, then an EPB to damage; *off: where the last starts. */
static void damage_base(struct bytes *b, size_t *off)
{
	b->len = 0;
	put_shb(b, NULL);
	put_idb(b, 1, 65535, -1);
	put_epb(b, 0, 1, pkt4, 4, 4);
	*off = b->len;
	put_epb(b, 0, 2, pkt5, 5, 5);
	put_epb(b, 0, 3, pkt4, 4, 4);
}

static void check_damaged(struct bytes *b, size_t off)
{
	struct pcapng_reader *r;
	int n = -1;

	if (!CHECK(open_mem(&r, b->p, b->len) == 0))
		return;
	CHECK(read_rest(r, &n) == -EBADMSG);
	CHECK(n == 1);
	CHECK(pcapng_reader_offset(r) > off);
	pcapng_reader_close(r);
}

static void test_damage(void)
{
	struct bytes b = { 0 };
	size_t off;
	int n;

	damage_base(&b, &off);
	CHECK(read_mem(b.p, b.len, &n) == 0 && n == 3);
	set32(&b, off + 4, 13);
	check_damaged(&b, off);
	damage_base(&b, &off);
	set32(&b, off + 4, 8);
	check_damaged(&b, off);
	damage_base(&b, &off);
	set32(&b, off + 4, PCAPNG_READ_BLOCK_MAX + 4);
	check_damaged(&b, off);
	damage_base(&b, &off);
	set32(&b, off + 36, 44); /* the trailing length */
	check_damaged(&b, off);
	damage_base(&b, &off);
	set32(&b, off + 20, 9); /* caplen: 8 bytes of room */
	check_damaged(&b, off);
	damage_base(&b, &off);
	set32(&b, off + 8, 5); /* interface 5 of 1 */
	check_damaged(&b, off);
	damage_base(&b, &off);
	set32(&b, off + 8, 0x0D0D0A0A); /* not an SHB byte-order magic */
	set32(&b, off, 0x0A0D0D0A);
	check_damaged(&b, off);

	/* an SPB in a section without interfaces */
	b.len = 0;
	put_shb(&b, NULL);
	put_idb(&b, 1, 0, -1);
	put_epb(&b, 0, 1, pkt4, 4, 4);
	put_shb(&b, NULL);
	put_spb(&b, 4, 4);
	CHECK(read_mem(b.p, b.len, &n) == -EBADMSG && n == 1);

	/* the first SHB damaged: the open fails */
	damage_base(&b, &off);
	set32(&b, 4, 13);
	CHECK(read_mem(b.p, b.len, &n) == -EBADMSG);
	damage_base(&b, &off);
	set32(&b, 8, 0x4D3C2B1B);
	CHECK(read_mem(b.p, b.len, &n) == -EPROTONOSUPPORT);
	bytes_free(&b);
}

/* One interface too many */
static void test_too_many_ifaces(void)
{
	struct bytes b = { 0 };
	struct pcapng_reader *r;
	uint32_t i;
	int n;

	put_shb(&b, NULL);
	for (i = 0; i < PCAPNG_READ_IFACES_MAX; i++)
		put_idb(&b, 1, 0, -1);
	put_epb(&b, PCAPNG_READ_IFACES_MAX - 1, 1, pkt4, 4, 4);
	if (CHECK(open_mem(&r, b.p, b.len) == 0)) {
		CHECK(read_rest(r, &n) == 0 && n == 1);
		CHECK(pcapng_reader_ifaces(r) == PCAPNG_READ_IFACES_MAX);
		pcapng_reader_close(r);
	}
	b.len -= 36; /* the EPB */
	put_idb(&b, 1, 0, -1);
	put_epb(&b, 0, 1, pkt4, 4, 4);
	CHECK(read_mem(b.p, b.len, &n) == -EBADMSG && n == 0);
	bytes_free(&b);
}

/*
 * Interface strings kept: a name cut at 256 bytes, a description at 4096,
 * and past 32 MiB of them all, empty ones (memory bounded by the reader,
 * not by the file's uncompressed size).
 */
static void test_string_budget(void)
{
	static char big[5000];
	struct bytes b = { 0 };
	struct pcapng_reader *r;
	uint32_t i, n = (32u << 20) / (256 + 4096) + 10;
	int pk;

	memset(big, 'a', sizeof(big));
	put_shb(&b, NULL);
	for (i = 0; i < n; i++) {
		blk_begin(&b, 1);
		put16(&b, 1);
		put16(&b, 0);
		put32(&b, 0);
		put_opt(&b, 2, big, sizeof(big));
		put_opt(&b, 3, big, sizeof(big));
		put32(&b, 0);
		blk_end(&b);
	}
	put_epb(&b, n - 1, 1, pkt4, 4, 4);
	if (CHECK(open_mem(&r, b.p, b.len) == 0)) {
		CHECK(read_rest(r, &pk) == 0 && pk == 1);
		CHECK(strlen(pcapng_reader_iface(r, 0)->name) == 256);
		CHECK(strlen(pcapng_reader_iface(r, 0)->description) == 4096);
		CHECK(strlen(pcapng_reader_iface(r, n - 1)->name) == 0);
		CHECK(strlen(pcapng_reader_iface(r, n - 1)->description) == 0);
		pcapng_reader_close(r);
	}
	bytes_free(&b);
}

/* ------------------------------------------------------------------ */
/* Not a capture                                                       */
/* ------------------------------------------------------------------ */

static void test_open_errors(void)
{
	static const char garbage[] = "This is not a capture file at all.\n";
	struct bytes b = { 0 };
	struct pcapng_reader *r = (struct pcapng_reader *)&b;
	int n;

	CHECK(read_mem("", 0, &n) == -ENODATA);
	CHECK(read_mem(garbage, sizeof(garbage), &n) == -EPROTONOSUPPORT);
	CHECK(read_mem("\x0a\x0d", 2, &n) == -ENODATA);
	CHECK(read_mem("\xd4\xc3\xb2\xa1\x02\x00", 6, &n) == -ENODATA);
	CHECK(pcapng_reader_open(&r, -1) == -EBADF);
	CHECK(r == NULL);
	pcapng_reader_close(NULL);
}

int main(void)
{
	test_roundtrip(PCAPNG_PLAIN);
	test_roundtrip(PCAPNG_GZIP);
	test_pipe();
	test_big_endian();
	test_sections();
	test_other_blocks();
	test_classic();
	test_truncation();
	test_truncation_gzip();
	test_damage();
	test_too_many_ifaces();
	test_string_budget();
	test_open_errors();
	return check_summary();
}
