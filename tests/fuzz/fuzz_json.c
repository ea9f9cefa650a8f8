// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: --json lines (output/json.c). Whatever the names, rule
 * text and packet, after escaping (as output.c escapes them): one line,
 * ending "}\n", within NFD_JSON_LINE_MAX, valid UTF-8 and valid JSON (an
 * object of strings, numbers, true, false and null), no control byte.
 *
 * Input: one byte of packet length, the packet, then NUL-separated
 * interface name, table, rule text and reason.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/escape.h"
#include "output/json.h"

static char line[NFD_JSON_LINE_MAX];

/* A JSON string at *p (after its opening quote); false if invalid. */
static bool string(const char **p)
{
	const char *s = *p;

	for (; *s != '"'; s++) {
		if ((unsigned char)*s < 0x20)
			return false;
		if (*s == '\\') {
			s++;
			if (!strchr("\"\\/bfnrt", *s) || !*s)
				return false;
		}
	}
	*p = s + 1;
	return true;
}

static bool value(const char **p)
{
	const char *s = *p;

	if (*s == '"') {
		*p = s + 1;
		return string(p);
	}
	for (const char *w = "null\0true\0false\0"; *w; w += strlen(w) + 1)
		if (!strncmp(s, w, strlen(w))) {
			*p = s + strlen(w);
			return true;
		}
	if (*s < '0' || *s > '9')
		return false;
	while (*s >= '0' && *s <= '9')
		s++;
	*p = s;
	return true;
}

static bool object(const char *s)
{
	if (*s++ != '{')
		return false;
	for (;;) {
		if (*s++ != '"' || !string(&s) || *s++ != ':' || !value(&s))
			return false;
		if (*s == '}')
			return !strcmp(s, "}\n");
		if (*s++ != ',')
			return false;
	}
}

/* Valid UTF-8: what escape.c lets through. */
static bool utf8(const unsigned char *s)
{
	while (*s) {
		int n = *s < 0x80 ? 0 : (*s & 0xe0) == 0xc0 ? 1 :
				(*s & 0xf0) == 0xe0 ? 2 : (*s & 0xf8) == 0xf0 ? 3 : -1;

		if (n < 0)
			return false;
		for (s++; n; n--, s++)
			if ((*s & 0xc0) != 0x80)
				return false;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char fields[4][8192];
	struct nfd_pkt_view v;
	struct nfd_json_drop d = { .pkt = &v, .netns = "n" };
	const char *next;
	size_t plen, n, off;

	if (!size)
		return 0;
	plen = data[0] < size - 1 ? data[0] : size - 1;
	nfd_pkt_view(&v, plen && data[1] >> 4 == 6 ? 0x86dd : 0x0800, data + 1,
		     plen);
	off = 1 + plen;
	for (int i = 0; i < 4; i++) {
		next = off < size ? memchr(data + off, 0, size - off) : NULL;
		n = off < size ? (next ? (size_t)((const uint8_t *)next - data) :
					 size) - off :
				 0;
		nfd_escape(fields[i], sizeof(fields[i]),
			   (const char *)data + (off < size ? off : 0), n);
		off += n + 1;
	}
	d.interface = fields[0];
	d.attributed = size & 1;
	d.table = d.attributed ? fields[1] : NULL;
	d.chain = d.table;
	d.rule = fields[2][0] ? fields[2] : NULL;
	d.reason = d.attributed ? NULL : fields[3];
	d.ts_ns = size * 1000003ULL;
	n = nfd_json_line(line, &d);
	if (n >= NFD_JSON_LINE_MAX || strlen(line) != n || !object(line) ||
	    !utf8((const unsigned char *)line))
		abort();
	return 0;
}
