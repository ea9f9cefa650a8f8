/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --json: one JSON object per drop, on one line, with exactly these keys
 * (README, "JSON lines"): time, netns, interface, direction, attributed,
 * family, table, chain, handle, policy, verdict, rule, reason, src, dst,
 * proto, sport, dport, length, caplen.
 *
 * Strings come escaped (lib/escape.h: what a namespace controls can
 * neither move a terminal nor forge a line) and are then quoted as JSON
 * requires. Convention: text into the caller's buffer; no errors.
 */
#ifndef NFD_JSON_H
#define NFD_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "element.h"

struct nfd_json_drop {
	uint64_t ts_ns; /* wall clock, ns since the epoch */
	const char *netns, *interface; /* escaped */
	bool inbound;
	bool direction_unknown; /* -r: the file does not say (null) */
	bool attributed, policy;
	/* escaped; NULL: null (a drop not attributed) */
	const char *family, *table, *chain, *verdict;
	bool has_handle;
	uint64_t handle;
	const char *rule; /* escaped rule text, or NULL */
	const char *reason; /* escaped: why not attributed, or NULL */
	const struct nfd_pkt_view *pkt; /* addresses, protocol, ports */
	uint32_t length, caplen; /* of the packet's pcapng record */
};

/* Longest line nfd_json_line() writes, its newline and NUL included. */
#define NFD_JSON_LINE_MAX 65536

/*
 * The drop as one line of JSON and a newline into @buf (NFD_JSON_LINE_MAX
 * bytes): strings too long for it are cut between characters, the line
 * stays valid JSON. Returns its length.
 */
size_t nfd_json_line(char *buf, const struct nfd_json_drop *d);

#endif /* NFD_JSON_H */
