// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: `nfdropcap -r` as a whole, on any file: the reader, then
 * what -r makes of each packet's comment, interface and bytes (text lines,
 * JSON lines, the summary, a filter, -w). The first byte chooses the mode,
 * the rest is the file (through a memfd).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "opts.h"
#include "readback.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nfd_opts o;
	char path[64];
	int fd;

	if (!size)
		return 0;
	fd = memfd_create("fuzz-readback", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (write(fd, data + 1, size - 1) != (ssize_t)(size - 1)) {
		close(fd);
		return 0;
	}
	memset(&o, 0, sizeof(o));
	o.snaplen = NFD_SNAPLEN_DEFAULT;
	o.backend = "auto";
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	o.read_path = path;
	o.json = data[0] & 1;
	o.write_path = data[0] & 2 ? "/dev/null" : NULL;
	o.filter = data[0] & 4 ? strdup("udp or ip6 or arp") : NULL;
	o.count = data[0] & 8 ? 2 : 0;
	nfd_readback(&o);
	nfd_opts_free(&o);
	close(fd);
	return 0;
}
