/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcapng_read.h - a reader of pcapng files (any byte order, any number of
 * sections) and of classic pcap files (tcpdump's default), plain or
 * gzip-compressed (through zlib, which reads both), for `nfdropcap -r`.
 *
 * What a file holds is untrusted: every length is checked against its
 * block, a block is at most PCAPNG_READ_BLOCK_MAX bytes, a file at most
 * PCAPNG_READ_IFACES_MAX interfaces; a string option is cut at its block's
 * end and NUL-terminated; interface names are kept up to 256 bytes,
 * descriptions and the section comment up to 4096, all of them together
 * up to 32 MiB (later ones are then empty). Unknown blocks and options
 * are skipped.
 *
 * All functions returning int return 0 (or what is documented) on success
 * and a negative errno value on failure.
 */
#ifndef NFDROPCAP_PCAPNG_READ_H
#define NFDROPCAP_PCAPNG_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PCAPNG_READ_BLOCK_MAX (16u << 20)
#define PCAPNG_READ_IFACES_MAX 65536u

struct pcapng_reader;

/* An interface of the file (an IDB; classic pcap: one, its header). */
struct pcapng_read_iface {
	uint16_t linktype;
	uint32_t snaplen;
	const char *name; /* if_name, or "" */
	const char *description; /* if_description, or "" */
	uint8_t tsresol; /* if_tsresol as written (6 if absent) */
	bool has_ifdrop; /* an ISB gave isb_ifdrop (the last one counts) */
	uint64_t ifdrop;
};

/* A packet (EPB, SPB, or a classic pcap record). */
struct pcapng_read_packet {
	uint32_t iface; /* index for pcapng_reader_iface(), over all sections */
	uint64_t ts; /* in the interface's tsresol units, as written */
	uint64_t ts_ns; /* the same, in nanoseconds since the epoch */
	uint32_t caplen, origlen;
	const uint8_t *data; /* caplen bytes, valid until the next read */
	const char *comment; /* the first opt_comment, or NULL */
	bool has_flags;
	uint32_t flags; /* epb_flags */
	uint64_t dropcount; /* epb_dropcount, 0 if absent */
};

/*
 * Opens a reader on @fd (which it then owns, also when it fails). Reads the
 * file's first header: -EPROTONOSUPPORT if it is neither pcapng nor pcap,
 * -ENODATA if it is empty or ends inside that header.
 */
int pcapng_reader_open(struct pcapng_reader **out, int fd);

/*
 * The next packet into @p. Returns 1 for a packet, 0 at the end of the file,
 * -ENODATA if the file ends inside a block (truncated), -EBADMSG if a block
 * is malformed (damaged: reading cannot go on), -EIO/-errno on a read error.
 * After an error the packets before it stay valid; reading stops.
 */
int pcapng_reader_next(struct pcapng_reader *r, struct pcapng_read_packet *p);

/* Interface @i (0 <= i < pcapng_reader_ifaces()), or NULL. */
const struct pcapng_read_iface *pcapng_reader_iface(
	const struct pcapng_reader *r, uint32_t i);
uint32_t pcapng_reader_ifaces(const struct pcapng_reader *r);

/* The first section's opt_comment (the SHB's), or NULL. */
const char *pcapng_reader_shb_comment(const struct pcapng_reader *r);

/* true for pcapng, false for classic pcap. */
bool pcapng_reader_is_pcapng(const struct pcapng_reader *r);

/* Bytes read so far from the (uncompressed) file: where an error was. */
uint64_t pcapng_reader_offset(const struct pcapng_reader *r);

void pcapng_reader_close(struct pcapng_reader *r);

#endif /* NFDROPCAP_PCAPNG_READ_H */
