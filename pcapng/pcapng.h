/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcapng.h - minimal pcapng (draft-ietf-opsawg-pcapng) writer.
 *
 * Blocks are written in host byte order (the SHB byte-order magic tells
 * readers which one).  The module knows nothing about where packets come
 * from: it only encodes blocks and options, buffers them and writes them,
 * optionally gzip-compressed through zlib.
 *
 * All functions returning int return 0 (or a non-negative value where
 * documented) on success and a negative errno value on failure.
 */
#ifndef NFDROPCAP_PCAPNG_H
#define NFDROPCAP_PCAPNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest option value; longer strings are truncated (UTF-8 safe). */
#define PCAPNG_MAX_OPT_LEN 65535u

/* if_tsresol value for nanosecond timestamps */
#define PCAPNG_TSRESOL_NSEC 9

/* epb_flags bits 0-1: packet direction */
#define PCAPNG_EPB_DIR_UNKNOWN 0u
#define PCAPNG_EPB_DIR_INBOUND 1u
#define PCAPNG_EPB_DIR_OUTBOUND 2u

enum pcapng_compress {
	PCAPNG_PLAIN,
	PCAPNG_GZIP,
};

struct pcapng_writer;

/*
 * Option strings: NULL or "" omits the option.  A string longer than
 * PCAPNG_MAX_OPT_LEN bytes is cut at a UTF-8 character boundary.
 * Option lists are terminated by opt_endofopt only when the block has
 * at least one option.
 */
struct pcapng_shb {
	const char *comment; /* opt_comment (1) */
	const char *hardware; /* shb_hardware (2) */
	const char *os; /* shb_os (3) */
	const char *userappl; /* shb_userappl (4) */
};

struct pcapng_idb {
	uint16_t linktype;
	uint32_t snaplen;
	const char *name; /* if_name (2) */
	const char *description; /* if_description (3) */
	uint8_t tsresol; /* if_tsresol (9); 0 = omit (usec) */
};

struct pcapng_epb {
	uint32_t if_id;
	uint64_t ts; /* in the interface's tsresol units */
	uint32_t caplen;
	uint32_t origlen;
	const void *data; /* caplen bytes; may be NULL if 0 */
	const char *comment; /* opt_comment (1); may contain '\n' */
	bool has_flags;
	uint32_t flags; /* epb_flags (2) */
	bool has_dropcount;
	uint64_t dropcount; /* epb_dropcount (4) */
};

struct pcapng_isb {
	uint32_t if_id;
	uint64_t ts;
	bool has_starttime;
	uint64_t starttime; /* isb_starttime (2), ts format */
	bool has_endtime;
	uint64_t endtime; /* isb_endtime (3), ts format */
	bool has_ifrecv;
	uint64_t ifrecv; /* isb_ifrecv (4) */
	bool has_ifdrop;
	uint64_t ifdrop; /* isb_ifdrop (5) */
	bool has_osdrop;
	uint64_t osdrop; /* isb_osdrop (7) */
	bool has_usrdeliv;
	uint64_t usrdeliv; /* isb_usrdeliv (8) */
};

/*
 * Pure encoders: encode one block into buf (capacity cap).  Return the
 * block length; if that is larger than cap, nothing useful was written
 * and the caller should retry with a buffer of that size.  Return 0 if
 * the block cannot be encoded (NULL data with caplen > 0, or a total
 * length that does not fit in 32 bits).  buf may be NULL when cap is 0.
 */
size_t pcapng_encode_shb(void *buf, size_t cap, const struct pcapng_shb *shb);
size_t pcapng_encode_idb(void *buf, size_t cap, const struct pcapng_idb *idb);
size_t pcapng_encode_epb(void *buf, size_t cap, const struct pcapng_epb *epb);
size_t pcapng_encode_isb(void *buf, size_t cap, const struct pcapng_isb *isb);

/*
 * Create a writer on fd.  The writer takes ownership of fd, also when it
 * fails (fd is then closed).  With PCAPNG_GZIP, output goes through
 * zlib's gzdopen().  If fd is a regular file, the writer assumes it owns
 * the file from the current offset on (used to truncate after errors).
 * The caller should ignore SIGPIPE (and SIGXFSZ) to get EPIPE (EFBIG)
 * errors instead of being killed.  Plain output retries EINTR itself;
 * zlib does not, so with gzip install signal handlers with SA_RESTART.
 */
int pcapng_writer_new(struct pcapng_writer **out, int fd,
		      enum pcapng_compress c);

/* Flush after every block (e.g. for `-w -` to a pipe). */
void pcapng_set_autoflush(struct pcapng_writer *w, bool on);

/*
 * A write interrupted by a signal while *@flag is non-zero gives up
 * (-EINTR, sticky) if the reader then takes nothing for a second: a
 * stalled FIFO or pipe cannot keep the caller from ending. NULL: never.
 */
void pcapng_set_interrupt(struct pcapng_writer *w, volatile const int *flag);

/*
 * Block writers.  Blocks are buffered whole and written when the buffer
 * exceeds 64 KiB, after every block in autoflush mode, and on
 * pcapng_flush()/pcapng_close().  Any write error is sticky: that and
 * all later calls return it without writing anything.  For a regular
 * file the file is then truncated to the end of the last complete block
 * (gzip: to the last successful flush point) that reached it.
 *
 * An SHB must come first; it starts a new section (interface ids restart
 * at 0).  IDB/EPB/ISB before any SHB, or EPB/ISB with an unknown if_id,
 * return -EINVAL.
 */
int pcapng_write_shb(struct pcapng_writer *w, const struct pcapng_shb *shb);
/* Returns the new interface id (0, 1, 2... in this section) or -errno. */
int pcapng_write_idb(struct pcapng_writer *w, const struct pcapng_idb *idb);
int pcapng_write_epb(struct pcapng_writer *w, const struct pcapng_epb *epb);
int pcapng_write_isb(struct pcapng_writer *w, const struct pcapng_isb *isb);

/*
 * Write out all buffered blocks.  With gzip, also gzflush(Z_SYNC_FLUSH)
 * so that everything written so far can be decompressed.
 */
int pcapng_flush(struct pcapng_writer *w);

/* Bytes of the blocks written so far (before any compression). */
uint64_t pcapng_bytes(const struct pcapng_writer *w);

/* The sticky error, or 0. */
int pcapng_error(const struct pcapng_writer *w);

/*
 * Flush, finish the gzip stream, close fd and free w (NULL is a no-op).
 * Returns the first error seen, including the sticky one.
 */
int pcapng_close(struct pcapng_writer *w);

#endif /* NFDROPCAP_PCAPNG_H */
