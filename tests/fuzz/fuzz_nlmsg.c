// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: netlink answers as nfdropcap reads them (acks of its
 * batches, attributes of a message), whatever the bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/nlmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	void *buf = malloc(size ? size : 1);
	const struct nlmsghdr *nlh = buf;
	int acks = 5;

	if (!buf)
		return 0;
	memcpy(buf, data, size); /* aligned, as recv() gives it */
	nl_count_acks(buf, size, 1, 7, &acks);
	if (NLMSG_OK(nlh, size) && nlh->nlmsg_len >= NLMSG_LENGTH(4))
		for (uint16_t t = 0; t < 20; t++)
			nl_attr_find(nlh, t);
	free(buf);
	return 0;
}
