// SPDX-License-Identifier: GPL-2.0
/*
 * test_pcapng.c - unit tests for the pcapng writer.
 *
 * Expected byte strings are written out by hand from the pcapng spec
 * (little-endian host assumed), not produced by the encoder.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "bytes.h"
#include "check.h"
#include "pcapng.h"

#define LIT_LEN(s) (sizeof(s) - 1)

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

/* Append the encoding of one block (fn = pcapng_encode_xxx) to b. */
#define ENC_APPEND(b, fn, blk)                            \
	do {                                              \
		size_t n_ = fn(NULL, 0, (blk));           \
		uint8_t *p_ = bytes_room((b), n_);        \
                                                          \
		CHECK(n_ > 0 && fn(p_, n_, (blk)) == n_); \
		(b)->len += n_;                           \
	} while (0)

static uint32_t get_u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint16_t get_u16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* Number of blocks if p[0..len) is exactly a run of sane blocks, else -1 */
static int count_blocks(const uint8_t *p, size_t len)
{
	size_t off = 0;
	uint32_t bl;
	int n = 0;

	while (off < len) {
		if (len - off < 12)
			return -1;
		bl = get_u32(p + off + 4);
		if (bl < 12 || bl % 4 || bl > len - off ||
		    get_u32(p + off + bl - 4) != bl)
			return -1;
		off += bl;
		n++;
	}
	return n;
}

static int make_temp(char *path, size_t size)
{
	const char *dir = getenv("TMPDIR");

	snprintf(path, size, "%s/test_pcapng.XXXXXX", dir ? dir : "/tmp");
	return mkstemp(path);
}

static bool read_path(const char *path, struct bytes *out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0)
		return false;
	do {
		r = read(fd, bytes_room(out, 65536), 65536);
		if (r > 0)
			out->len += (size_t)r;
	} while (r > 0 || (r < 0 && errno == EINTR));
	close(fd);
	return r == 0;
}

static off_t path_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_size : -1;
}

/*
 * Inflate a gzip stream.  Returns Z_STREAM_END for a complete stream,
 * Z_OK if the input ended cleanly before the end of the stream (e.g. at
 * a sync point), or a zlib error.
 */
static int inflate_all(const uint8_t *in, size_t inlen, struct bytes *out)
{
	z_stream s;
	int ret;

	memset(&s, 0, sizeof(s));
	if (inflateInit2(&s, 15 + 16) != Z_OK)
		return Z_MEM_ERROR;
	s.next_in = (Bytef *)in;
	s.avail_in = (uInt)inlen;
	do {
		s.next_out = bytes_room(out, 65536);
		s.avail_out = 65536;
		ret = inflate(&s, Z_NO_FLUSH);
		out->len += 65536 - s.avail_out;
	} while (ret == Z_OK && (s.avail_in > 0 || s.avail_out == 0));
	inflateEnd(&s);
	if (ret == Z_BUF_ERROR && s.avail_in == 0)
		ret = Z_OK;
	return ret;
}

/* xorshift32: incompressible but reproducible packet data */
static void fill_random(uint8_t *p, size_t n, uint32_t *state)
{
	uint32_t x = *state;
	size_t i;

	for (i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (uint8_t)x;
	}
	*state = x;
}

/* ------------------------------------------------------------------ */
/* Sample blocks and their hand-written encodings                      */
/* ------------------------------------------------------------------ */

static const struct pcapng_shb sample_shb = {
	.hardware = "x86_64",
	.os = "Linux 6.1",
	.userappl = "nfdropcap 0.1",
};

static const char exp_shb[] =
	"\x0a\x0d\x0d\x0a"
	"\x50\x00\x00\x00" /* SHB, length 80 */
	"\x4d\x3c\x2b\x1a" /* byte-order magic */
	"\x01\x00"
	"\x00\x00" /* version 1.0 */
	"\xff\xff\xff\xff\xff\xff\xff\xff" /* section length -1 */
	"\x02\x00\x06\x00"
	"x86_64"
	"\0\0" /* shb_hardware */
	"\x03\x00\x09\x00"
	"Linux 6.1"
	"\0\0\0" /* shb_os */
	"\x04\x00\x0d\x00"
	"nfdropcap 0.1"
	"\0\0\0" /* shb_userappl */
	"\x00\x00\x00\x00" /* opt_endofopt */
	"\x50\x00\x00\x00";

static const struct pcapng_idb sample_idb = {
	.linktype = 276,
	.snaplen = 262144,
	.name = "nfdrop",
	.description = "netfilter drops",
	.tsresol = 9,
};

static const char exp_idb[] = "\x01\x00\x00\x00"
			      "\x40\x00\x00\x00" /* IDB, length 64 */
			      "\x14\x01"
			      "\x00\x00" /* linktype 276, reserved */
			      "\x00\x00\x04\x00" /* snaplen 262144 */
			      "\x02\x00\x06\x00"
			      "nfdrop"
			      "\0\0" /* if_name */
			      "\x03\x00\x0f\x00"
			      "netfilter drops"
			      "\0" /* if_description */
			      "\x09\x00\x01\x00"
			      "\x09\x00\x00\x00" /* if_tsresol 9 + pad */
			      "\x00\x00\x00\x00" /* opt_endofopt */
			      "\x40\x00\x00\x00";

static const uint8_t pkt5[5] = { 0xde, 0xad, 0xbe, 0xef, 0x01 };

static const struct pcapng_epb sample_epb = {
	.if_id = 0,
	.ts = 0x0123456789abcdefull,
	.caplen = 5,
	.origlen = 60,
	.data = pkt5,
	.comment = "hi\nthere",
	.has_flags = true,
	.flags = PCAPNG_EPB_DIR_OUTBOUND,
	.has_dropcount = true,
	.dropcount = 0x0000000100000007ull,
};

static const char exp_epb[] = "\x06\x00\x00\x00"
			      "\x4c\x00\x00\x00" /* EPB, length 76 */
			      "\x00\x00\x00\x00" /* interface 0 */
			      "\x67\x45\x23\x01"
			      "\xef\xcd\xab\x89" /* ts high, ts low */
			      "\x05\x00\x00\x00"
			      "\x3c\x00\x00\x00" /* caplen 5, origlen 60 */
			      "\xde\xad\xbe\xef\x01"
			      "\0\0\0" /* data + pad */
			      "\x01\x00\x08\x00"
			      "hi\nthere" /* opt_comment */
			      "\x02\x00\x04\x00"
			      "\x02\x00\x00\x00" /* epb_flags outbound */
			      "\x04\x00\x08\x00" /* epb_dropcount */
			      "\x07\x00\x00\x00\x01\x00\x00\x00"
			      "\x00\x00\x00\x00" /* opt_endofopt */
			      "\x4c\x00\x00\x00";

static const uint8_t pkt4[4] = { 0xca, 0xfe, 0xba, 0xbe };

static const struct pcapng_epb bare_epb = {
	.if_id = 1,
	.ts = 1000,
	.caplen = 4,
	.origlen = 4,
	.data = pkt4,
};

/* No options: no opt_endofopt either. */
static const char exp_bare_epb[] = "\x06\x00\x00\x00"
				   "\x24\x00\x00\x00" /* EPB, length 36 */
				   "\x01\x00\x00\x00" /* interface 1 */
				   "\x00\x00\x00\x00"
				   "\xe8\x03\x00\x00" /* ts 1000 */
				   "\x04\x00\x00\x00"
				   "\x04\x00\x00\x00" /* caplen, origlen */
				   "\xca\xfe\xba\xbe" /* data, no pad */
				   "\x24\x00\x00\x00";

static const struct pcapng_isb sample_isb = {
	.if_id = 0,
	.ts = 0x0000000200000003ull,
	.has_starttime = true,
	.starttime = 0x0000000100000002ull,
	.has_endtime = true,
	.endtime = 0x0000000a0000000bull,
	.has_ifrecv = true,
	.ifrecv = 100,
	.has_ifdrop = true,
	.ifdrop = 0x1122334455667788ull,
	.has_osdrop = true,
	.osdrop = 5,
	.has_usrdeliv = true,
	.usrdeliv = 95,
};

static const char exp_isb[] = "\x05\x00\x00\x00"
			      "\x64\x00\x00\x00" /* ISB, length 100 */
			      "\x00\x00\x00\x00" /* interface 0 */
			      "\x02\x00\x00\x00"
			      "\x03\x00\x00\x00" /* ts high, low */
			      "\x02\x00\x08\x00" /* isb_starttime: high, low */
			      "\x01\x00\x00\x00"
			      "\x02\x00\x00\x00"
			      "\x03\x00\x08\x00" /* isb_endtime: high, low */
			      "\x0a\x00\x00\x00"
			      "\x0b\x00\x00\x00"
			      "\x04\x00\x08\x00" /* isb_ifrecv */
			      "\x64\x00\x00\x00\x00\x00\x00\x00"
			      "\x05\x00\x08\x00" /* isb_ifdrop */
			      "\x88\x77\x66\x55\x44\x33\x22\x11"
			      "\x07\x00\x08\x00" /* isb_osdrop */
			      "\x05\x00\x00\x00\x00\x00\x00\x00"
			      "\x08\x00\x08\x00" /* isb_usrdeliv */
			      "\x5f\x00\x00\x00\x00\x00\x00\x00"
			      "\x00\x00\x00\x00" /* opt_endofopt */
			      "\x64\x00\x00\x00";

/* Empty strings and tsresol 0 omit their options. */
static const struct pcapng_shb empty_shb = { .hardware = "", .os = NULL };

static const char exp_empty_shb[] = "\x0a\x0d\x0d\x0a"
				    "\x1c\x00\x00\x00"
				    "\x4d\x3c\x2b\x1a"
				    "\x01\x00\x00\x00"
				    "\xff\xff\xff\xff\xff\xff\xff\xff"
				    "\x1c\x00\x00\x00";

static const struct pcapng_idb bare_idb = {
	.linktype = 1,
	.snaplen = 65535,
};

static const char exp_bare_idb[] = "\x01\x00\x00\x00"
				   "\x14\x00\x00\x00"
				   "\x01\x00\x00\x00"
				   "\xff\xff\x00\x00"
				   "\x14\x00\x00\x00";

/* Three EPBs on interface 0 for the writer tests */
static const struct pcapng_epb writer_epbs[3] = {
	{ .ts = 1,
	  .caplen = 5,
	  .origlen = 5,
	  .data = pkt5,
	  .comment = "first",
	  .has_flags = true,
	  .flags = 1 },
	{ .ts = 2, .caplen = 4, .origlen = 100, .data = pkt4 },
	{ .ts = 3,
	  .caplen = 0,
	  .origlen = 0,
	  .data = NULL,
	  .has_dropcount = true,
	  .dropcount = 42 },
};

/* ------------------------------------------------------------------ */
/* Encoder tests                                                       */
/* ------------------------------------------------------------------ */

#define CHECK_ENCODE(fn, blk, expected)                             \
	do {                                                        \
		uint8_t buf_[512];                                  \
		size_t n_ = fn(buf_, sizeof(buf_), (blk));          \
                                                                    \
		CHECK(fn(NULL, 0, (blk)) == LIT_LEN(expected));     \
		CHECK_MEM(buf_, n_, (expected), LIT_LEN(expected)); \
	} while (0)

static void test_encode_exact(void)
{
	CHECK_ENCODE(pcapng_encode_shb, &sample_shb, exp_shb);
	CHECK_ENCODE(pcapng_encode_idb, &sample_idb, exp_idb);
	CHECK_ENCODE(pcapng_encode_epb, &sample_epb, exp_epb);
	CHECK_ENCODE(pcapng_encode_epb, &bare_epb, exp_bare_epb);
	CHECK_ENCODE(pcapng_encode_isb, &sample_isb, exp_isb);
	CHECK_ENCODE(pcapng_encode_shb, &empty_shb, exp_empty_shb);
	CHECK_ENCODE(pcapng_encode_idb, &bare_idb, exp_bare_idb);
}

/* A too small buffer: needed length returned, nothing beyond cap touched */
static void test_encode_small_cap(void)
{
	uint8_t buf[256];
	size_t need, cap, i;
	bool clean = true;

	need = pcapng_encode_epb(NULL, 0, &sample_epb);
	for (cap = 0; cap < need; cap += 7) {
		memset(buf, 0xaa, sizeof(buf));
		CHECK(pcapng_encode_epb(buf, cap, &sample_epb) == need);
		for (i = cap; i < sizeof(buf); i++)
			clean &= buf[i] == 0xaa;
	}
	CHECK(clean);
}

static void test_encode_invalid(void)
{
	struct pcapng_epb epb = { .caplen = 3, .origlen = 3, .data = NULL };
	struct pcapng_epb empty = { .caplen = 0, .data = NULL };
	struct pcapng_isb isb = { .if_id = 2 };

	CHECK(pcapng_encode_epb(NULL, 0, &epb) == 0);
	CHECK(pcapng_encode_epb(NULL, 0, &empty) == 32);
	CHECK(pcapng_encode_isb(NULL, 0, &isb) == 24);
}

/*
 * Encode an EPB with no data and comment c; check the block is
 * consistent and the comment option holds exactly want bytes of c.
 */
static void check_long_comment(const char *c, size_t want)
{
	struct pcapng_epb epb = { .comment = c };
	size_t n = pcapng_encode_epb(NULL, 0, &epb);
	size_t padded = (want + 3) & ~(size_t)3;
	uint8_t *buf = malloc(n);
	size_t i;
	bool pad_ok = true;

	if (!CHECK(buf != NULL))
		return;
	CHECK(pcapng_encode_epb(buf, n, &epb) == n);
	CHECK(n == 28 + 4 + padded + 4 + 4);
	CHECK(n % 4 == 0);
	CHECK(get_u32(buf + 4) == n);
	CHECK(get_u32(buf + n - 4) == n);
	CHECK(count_blocks(buf, n) == 1);
	CHECK(get_u16(buf + 28) == 1); /* opt_comment */
	CHECK(get_u16(buf + 30) == want);
	CHECK(memcmp(buf + 32, c, want) == 0);
	for (i = 32 + want; i < 32 + padded + 4; i++)
		pad_ok &= buf[i] == 0; /* padding, opt_endofopt */
	CHECK(pad_ok);
	free(buf);
}

static void test_long_comment(void)
{
	size_t len = 70000;
	char *c = malloc(len + 1);

	if (!CHECK(c != NULL))
		return;
	/* plain ASCII: cut at exactly 65535 bytes */
	memset(c, 'x', len);
	c[len] = '\0';
	check_long_comment(c, 65535);

	/* 2-byte UTF-8 char at bytes 65534-65535: cut before it */
	memset(c, 'a', 65534);
	memcpy(c + 65534, "\xc3\xa9", 2);
	check_long_comment(c, 65534);

	/* 4-byte UTF-8 char at bytes 65533-65536 */
	memset(c, 'a', 65533);
	memcpy(c + 65533, "\xf0\x9f\x98\x80", 4);
	check_long_comment(c, 65533);

	/* a char ending exactly at the limit is kept */
	memset(c, 'b', len);
	memset(c, 'a', 65533);
	memcpy(c + 65533, "\xc3\xa9", 2);
	check_long_comment(c, 65535);

	/* exactly 65535 bytes: not truncated */
	memset(c, 'y', len);
	c[65535] = '\0';
	check_long_comment(c, 65535);
	free(c);
}

/* ------------------------------------------------------------------ */
/* Writer tests                                                        */
/* ------------------------------------------------------------------ */

static int write_sample(struct pcapng_writer *w)
{
	int err, i;

	err = pcapng_write_shb(w, &sample_shb);
	if (!err)
		err = pcapng_write_idb(w, &sample_idb);
	for (i = 0; !err && i < 3; i++)
		err = pcapng_write_epb(w, &writer_epbs[i]);
	if (!err)
		err = pcapng_write_isb(w, &sample_isb);
	return err;
}

static void expect_sample(struct bytes *b)
{
	int i;

	ENC_APPEND(b, pcapng_encode_shb, &sample_shb);
	ENC_APPEND(b, pcapng_encode_idb, &sample_idb);
	for (i = 0; i < 3; i++)
		ENC_APPEND(b, pcapng_encode_epb, &writer_epbs[i]);
	ENC_APPEND(b, pcapng_encode_isb, &sample_isb);
}

static void test_writer_file(void)
{
	struct bytes exp = { 0 }, got = { 0 };
	struct pcapng_writer *w;
	char path[PATH_MAX];
	int fd = make_temp(path, sizeof(path));

	if (!CHECK(fd >= 0))
		return;
	CHECK(pcapng_writer_new(&w, fd, PCAPNG_PLAIN) == 0);
	CHECK(write_sample(w) == 0);
	CHECK(path_size(path) == 0); /* still buffered */
	CHECK(pcapng_close(w) == 0);
	expect_sample(&exp);
	CHECK(read_path(path, &got));
	CHECK_MEM(got.p, got.len, exp.p, exp.len);
	CHECK(count_blocks(got.p, got.len) == 6);
	unlink(path);
	bytes_free(&exp);
	bytes_free(&got);
}

/* A ~330 KB block makes the buffer grow; 64 KiB triggers a flush. */
static void test_writer_big_block(void)
{
	struct bytes exp = { 0 }, got = { 0 };
	struct pcapng_epb big = { .caplen = 262144, .origlen = 262144 };
	struct pcapng_writer *w;
	char path[PATH_MAX];
	uint32_t seed = 1;
	uint8_t *data = malloc(big.caplen);
	char *comment = malloc(70001);
	int fd = make_temp(path, sizeof(path));

	if (!CHECK(fd >= 0 && data && comment))
		goto out;
	fill_random(data, big.caplen, &seed);
	memset(comment, 'c', 70000);
	comment[70000] = '\0';
	big.data = data;
	big.comment = comment;
	CHECK(pcapng_writer_new(&w, fd, PCAPNG_PLAIN) == 0);
	CHECK(pcapng_write_shb(w, &sample_shb) == 0);
	CHECK(pcapng_write_idb(w, &sample_idb) == 0);
	CHECK(pcapng_write_epb(w, &writer_epbs[0]) == 0);
	CHECK(path_size(path) == 0);
	CHECK(pcapng_write_epb(w, &big) == 0);
	CHECK(path_size(path) > 262144); /* flushed: > 64 KiB */
	CHECK(pcapng_write_epb(w, &writer_epbs[1]) == 0);
	CHECK(pcapng_close(w) == 0);

	ENC_APPEND(&exp, pcapng_encode_shb, &sample_shb);
	ENC_APPEND(&exp, pcapng_encode_idb, &sample_idb);
	ENC_APPEND(&exp, pcapng_encode_epb, &writer_epbs[0]);
	ENC_APPEND(&exp, pcapng_encode_epb, &big);
	ENC_APPEND(&exp, pcapng_encode_epb, &writer_epbs[1]);
	CHECK(read_path(path, &got));
	CHECK_MEM(got.p, got.len, exp.p, exp.len);
	CHECK(count_blocks(got.p, got.len) == 5);
	unlink(path);
out:
	free(data);
	free(comment);
	bytes_free(&exp);
	bytes_free(&got);
}

static void test_writer_gzip(void)
{
	struct bytes exp = { 0 }, raw = { 0 }, got = { 0 };
	struct pcapng_writer *w;
	char path[PATH_MAX];
	uint8_t buf[4096];
	gzFile gz;
	int fd = make_temp(path, sizeof(path));
	int n;

	if (!CHECK(fd >= 0))
		return;
	expect_sample(&exp);
	CHECK(pcapng_writer_new(&w, fd, PCAPNG_GZIP) == 0);
	CHECK(write_sample(w) == 0);

	/* after a flush, everything so far decompresses */
	CHECK(pcapng_flush(w) == 0);
	CHECK(read_path(path, &raw));
	CHECK(inflate_all(raw.p, raw.len, &got) == Z_OK);
	CHECK_MEM(got.p, got.len, exp.p, exp.len);
	CHECK(pcapng_close(w) == 0);

	got.len = 0;
	gz = gzopen(path, "rb");
	if (CHECK(gz != NULL)) {
		while ((n = gzread(gz, buf, sizeof(buf))) > 0) {
			memcpy(bytes_room(&got, (size_t)n), buf, (size_t)n);
			got.len += (size_t)n;
		}
		CHECK(n == 0);
		CHECK(gzclose(gz) == Z_OK);
	}
	CHECK_MEM(got.p, got.len, exp.p, exp.len);
	unlink(path);
	bytes_free(&exp);
	bytes_free(&raw);
	bytes_free(&got);
}

#define FSIZE_LIMIT 10000

/* Write ~1000-byte random EPBs until the file size limit bites. */
static int fill_until_error(struct pcapng_writer *w, struct bytes *exp)
{
	struct pcapng_epb epb = { .caplen = 997, .origlen = 1500 };
	uint8_t data[997];
	uint32_t seed = 12345;
	int i, err = 0;

	epb.data = data;
	for (i = 0; i < 200 && !err; i++) {
		fill_random(data, sizeof(data), &seed);
		epb.ts = (uint64_t)i;
		err = pcapng_write_epb(w, &epb);
		if (err != -EINVAL)
			ENC_APPEND(exp, pcapng_encode_epb, &epb);
	}
	return err;
}

/*
 * Disk full, simulated with RLIMIT_FSIZE (EFBIG): the file must end on a
 * block boundary, hold a prefix of what was written, and the error must
 * be sticky.
 */
static void test_disk_full(enum pcapng_compress c, bool autoflush)
{
	struct bytes exp = { 0 }, raw = { 0 }, got = { 0 };
	struct rlimit old, lim;
	struct pcapng_writer *w;
	char path[PATH_MAX];
	int fd = make_temp(path, sizeof(path));
	off_t size;
	int err;

	if (!CHECK(fd >= 0))
		return;
	CHECK(pcapng_writer_new(&w, fd, c) == 0);
	pcapng_set_autoflush(w, autoflush);
	CHECK(pcapng_write_shb(w, &sample_shb) == 0);
	CHECK(pcapng_write_idb(w, &sample_idb) == 0);
	CHECK(pcapng_flush(w) == 0);
	ENC_APPEND(&exp, pcapng_encode_shb, &sample_shb);
	ENC_APPEND(&exp, pcapng_encode_idb, &sample_idb);

	CHECK(getrlimit(RLIMIT_FSIZE, &old) == 0);
	lim = old;
	lim.rlim_cur = FSIZE_LIMIT;
	CHECK(setrlimit(RLIMIT_FSIZE, &lim) == 0);
	err = fill_until_error(w, &exp);
	CHECK(setrlimit(RLIMIT_FSIZE, &old) == 0);

	CHECK(err == -EFBIG);
	CHECK(pcapng_error(w) == -EFBIG);
	size = path_size(path);
	CHECK(pcapng_write_epb(w, &writer_epbs[0]) == -EFBIG);
	CHECK(pcapng_write_shb(w, &sample_shb) == -EFBIG);
	CHECK(pcapng_flush(w) == -EFBIG);
	CHECK(pcapng_close(w) == -EFBIG);
	CHECK(path_size(path) == size); /* nothing written after */
	CHECK(size <= FSIZE_LIMIT);

	CHECK(read_path(path, &raw));
	if (c == PCAPNG_GZIP) {
		CHECK(inflate_all(raw.p, raw.len, &got) == Z_OK);
	} else {
		memcpy(bytes_room(&got, raw.len), raw.p, raw.len);
		got.len = raw.len;
	}
	/* SHB + IDB were flushed before the limit; plain gets some EPBs */
	CHECK(count_blocks(got.p, got.len) >= (c == PCAPNG_PLAIN ? 3 : 2));
	CHECK(got.len <= exp.len && memcmp(got.p, exp.p, got.len) == 0);
	unlink(path);
	bytes_free(&exp);
	bytes_free(&raw);
	bytes_free(&got);
}

/* Read whatever is in the (non-blocking) pipe. */
static size_t drain_pipe(int fd, struct bytes *out)
{
	ssize_t r;
	size_t total = 0;

	out->len = 0;
	for (;;) {
		r = read(fd, bytes_room(out, 65536), 65536);
		if (r <= 0)
			break;
		out->len += (size_t)r;
		total += (size_t)r;
	}
	return total;
}

/* The pipe holds exactly the expected bytes. */
#define CHECK_PIPE(fd, buf, expected)                                   \
	do {                                                            \
		size_t n_ = drain_pipe((fd), (buf));                    \
                                                                        \
		CHECK_MEM((buf)->p, n_, (expected), LIT_LEN(expected)); \
	} while (0)

static void test_pipe_autoflush(void)
{
	struct bytes got = { 0 };
	struct pcapng_writer *w;
	int p[2];

	if (!CHECK(pipe2(p, O_CLOEXEC) == 0))
		return;
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	CHECK(pcapng_writer_new(&w, p[1], PCAPNG_PLAIN) == 0);

	/* without autoflush, nothing shows up yet */
	CHECK(pcapng_write_shb(w, &sample_shb) == 0);
	CHECK(drain_pipe(p[0], &got) == 0);
	CHECK(pcapng_flush(w) == 0);
	CHECK_PIPE(p[0], &got, exp_shb);

	pcapng_set_autoflush(w, true);
	CHECK(pcapng_write_idb(w, &sample_idb) == 0);
	CHECK_PIPE(p[0], &got, exp_idb);
	CHECK(pcapng_write_epb(w, &sample_epb) == 0);
	CHECK_PIPE(p[0], &got, exp_epb);
	CHECK(pcapng_write_isb(w, &sample_isb) == 0);
	CHECK_PIPE(p[0], &got, exp_isb);

	CHECK(pcapng_close(w) == 0);
	CHECK(read(p[0], bytes_room(&got, 1), 1) == 0); /* EOF */
	close(p[0]);
	bytes_free(&got);
}

/* Closed reader: EPIPE, sticky, also through gzip. */
static void test_pipe_epipe(enum pcapng_compress c)
{
	struct pcapng_writer *w;
	int p[2];

	if (!CHECK(pipe2(p, O_CLOEXEC) == 0))
		return;
	close(p[0]);
	CHECK(pcapng_writer_new(&w, p[1], c) == 0);
	pcapng_set_autoflush(w, true);
	CHECK(pcapng_write_shb(w, &sample_shb) == -EPIPE);
	CHECK(pcapng_write_idb(w, &sample_idb) == -EPIPE);
	CHECK(pcapng_flush(w) == -EPIPE);
	CHECK(pcapng_close(w) == -EPIPE);
}

static void test_writer_misuse(void)
{
	struct pcapng_epb epb = { .caplen = 3, .origlen = 3 };
	struct pcapng_writer *w;
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);

	if (!CHECK(fd >= 0))
		return;
	CHECK(pcapng_writer_new(&w, fd, PCAPNG_PLAIN) == 0);
	CHECK(pcapng_write_idb(w, &sample_idb) == -EINVAL);
	CHECK(pcapng_write_epb(w, &writer_epbs[0]) == -EINVAL);
	CHECK(pcapng_write_shb(w, &sample_shb) == 0);
	CHECK(pcapng_write_epb(w, &writer_epbs[0]) == -EINVAL);
	CHECK(pcapng_write_idb(w, &sample_idb) == 0);
	CHECK(pcapng_write_idb(w, &bare_idb) == 1);
	CHECK(pcapng_write_epb(w, &bare_epb) == 0); /* if_id 1 */
	epb.if_id = 2;
	epb.data = pkt4;
	CHECK(pcapng_write_epb(w, &epb) == -EINVAL);
	epb.if_id = 0;
	epb.data = NULL;
	CHECK(pcapng_write_epb(w, &epb) == -EINVAL); /* NULL data */
	CHECK(pcapng_write_isb(w, &sample_isb) == 0);
	CHECK(pcapng_error(w) == 0); /* not sticky */
	CHECK(pcapng_write_shb(w, &sample_shb) == 0); /* new section */
	CHECK(pcapng_write_epb(w, &bare_epb) == -EINVAL);
	CHECK(pcapng_write_idb(w, &bare_idb) == 0);
	CHECK(pcapng_close(w) == 0);
	CHECK(pcapng_close(NULL) == 0);

	/* the fd is taken over even on failure */
	fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	CHECK(pcapng_writer_new(&w, fd, (enum pcapng_compress)7) == -EINVAL);
	CHECK(w == NULL);
	CHECK(fcntl(fd, F_GETFD) < 0 && errno == EBADF);
	CHECK(pcapng_writer_new(&w, -1, PCAPNG_PLAIN) == -EBADF);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	signal(SIGXFSZ, SIG_IGN);

	test_encode_exact();
	test_encode_small_cap();
	test_encode_invalid();
	test_long_comment();
	test_writer_file();
	test_writer_big_block();
	test_writer_gzip();
	test_disk_full(PCAPNG_PLAIN, false);
	test_disk_full(PCAPNG_PLAIN, true);
	test_disk_full(PCAPNG_GZIP, false);
	test_disk_full(PCAPNG_GZIP, true);
	test_pipe_autoflush();
	test_pipe_epipe(PCAPNG_PLAIN);
	test_pipe_epipe(PCAPNG_GZIP);
	test_writer_misuse();
	return check_summary();
}
