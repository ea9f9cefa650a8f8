// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: `nfdropcap -r` on any file (pcapng, pcap, gzip or not).
 * The input goes to a memfd; every packet, field and interface is read,
 * and the reader's promises are checked (a packet names a known interface,
 * errors and the end stay put).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pcapng_read.h"

static volatile uint64_t sink;

static uint64_t touch_str(const char *s)
{
	return s ? strlen(s) + (uint8_t)s[0] : 0;
}

static uint64_t touch_packet(const struct pcapng_reader *r,
			     const struct pcapng_read_packet *p)
{
	const struct pcapng_read_iface *f = pcapng_reader_iface(r, p->iface);
	uint64_t sum = p->ts ^ p->ts_ns ^ p->origlen ^ p->flags ^ p->dropcount;

	if (!f)
		abort();
	for (uint32_t i = 0; i < p->caplen; i++)
		sum += p->data[i];
	return sum + touch_str(p->comment) + p->has_flags + f->snaplen;
}

static uint64_t touch_ifaces(const struct pcapng_reader *r)
{
	uint32_t i, n = pcapng_reader_ifaces(r);
	uint64_t sum = pcapng_reader_offset(r);

	for (i = 0; i < n; i++) {
		const struct pcapng_read_iface *f = pcapng_reader_iface(r, i);

		sum += f->linktype + f->snaplen + f->tsresol + f->ifdrop +
		       f->has_ifdrop + touch_str(f->name) +
		       touch_str(f->description);
	}
	if (pcapng_reader_iface(r, n))
		abort();
	return sum + touch_str(pcapng_reader_shb_comment(r)) +
	       pcapng_reader_is_pcapng(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pcapng_read_packet p;
	struct pcapng_reader *r;
	uint64_t sum = 0;
	int fd, ret;

	fd = memfd_create("fuzz_pcapng_read", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (size && write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	lseek(fd, 0, SEEK_SET);
	if (pcapng_reader_open(&r, fd))
		return 0;
	while ((ret = pcapng_reader_next(r, &p)) == 1)
		sum += touch_packet(r, &p);
	if (ret > 0 || pcapng_reader_next(r, &p) != ret)
		abort();
	sink = sum + touch_ifaces(r);
	pcapng_reader_close(r);
	return 0;
}
