// SPDX-License-Identifier: GPL-2.0
/* One drop as one line of JSON (json.h). */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "json.h"

/* What a cut string leaves for the keys after it ("rule":null and such). */
#define KEYS_AFTER 64

/* A line being written: never past its end, room kept to close it. */
struct line {
	char *buf;
	size_t n, cap; /* cap: what the body may use */
};

static void raw(struct line *l, const char *s)
{
	size_t m = strlen(s);

	if (m > l->cap - l->n)
		m = l->cap - l->n;
	memcpy(l->buf + l->n, s, m);
	l->n += m;
}

/*
 * A JSON string of @s (already escaped: no control byte is left in it,
 * only its backslashes and quotes need JSON's escapes); cut between
 * characters if the line has no room for all of it.
 */
static void str(struct line *l, const char *s)
{
	size_t room;

	if (!s) {
		raw(l, "null");
		return;
	}
	if (l->cap - l->n < 2)
		return;
	/* the quotes, and room for the keys after it to stay whole */
	room = l->cap - l->n > 2 + KEYS_AFTER ? l->cap - l->n - 2 - KEYS_AFTER :
						0;
	l->buf[l->n++] = '"';
	for (size_t i = 0; s[i]; i++) {
		bool esc = s[i] == '"' || s[i] == '\\';

		if (room < (esc ? 2u : 1u)) {
			/* not inside a character: its bytes were copied 1:1 */
			for (size_t j = i;
			     j && ((unsigned char)s[j] & 0xc0) == 0x80; j--)
				l->n--;
			break;
		}
		if (esc) {
			l->buf[l->n++] = '\\';
			room--;
		}
		l->buf[l->n++] = s[i];
		room--;
	}
	l->buf[l->n++] = '"';
}

static void key(struct line *l, const char *k)
{
	raw(l, l->n > 1 ? ",\"" : "\"");
	raw(l, k);
	raw(l, "\":");
}

static void num(struct line *l, bool has, uint64_t v)
{
	char b[24];

	snprintf(b, sizeof(b), "%" PRIu64, v);
	raw(l, has ? b : "null");
}

/* RFC 3339, UTC, nanoseconds: 2026-11-30T12:00:01.123456789Z */
static void rfc3339(char *b, size_t len, uint64_t ts_ns)
{
	time_t sec = (time_t)(ts_ns / 1000000000u);
	struct tm tm;
	size_t n;

	gmtime_r(&sec, &tm);
	n = strftime(b, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(b + n, len - n, ".%09" PRIu64 "Z", ts_ns % 1000000000u);
}

/* The protocol's name as nft prints it, else its number. */
static const char *proto_name(int p, char *b, size_t len)
{
	static const struct {
		int num;
		const char *name;
	} names[] = {
		{ 1, "icmp" },	 { 2, "igmp" },	     { 6, "tcp" },
		{ 17, "udp" },	 { 33, "dccp" },     { 47, "gre" },
		{ 50, "esp" },	 { 51, "ah" },	     { 58, "ipv6-icmp" },
		{ 132, "sctp" }, { 136, "udplite" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].num == p)
			return names[i].name;
	snprintf(b, len, "%d", p);
	return b;
}

static bool has_ports(const struct nfd_pkt_view *v)
{
	switch (v->l4proto) {
	case 6:
	case 17:
	case 33:
	case 132:
	case 136:
		return v->have_ports;
	}
	return false;
}

static void addresses(struct line *l, const struct nfd_pkt_view *v)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN], p[12];
	int af = v->l3 == 6 ? AF_INET6 : AF_INET;
	bool ip = v->l3 == 4 || v->l3 == 6;

	if (ip) {
		inet_ntop(af, v->saddr, s, sizeof(s));
		inet_ntop(af, v->daddr, d, sizeof(d));
	}
	key(l, "src");
	str(l, ip ? s : NULL);
	key(l, "dst");
	str(l, ip ? d : NULL);
	key(l, "proto");
	str(l, ip && v->l4proto >= 0 ? proto_name(v->l4proto, p, sizeof(p)) :
				       NULL);
	key(l, "sport");
	num(l, has_ports(v), v->sport);
	key(l, "dport");
	num(l, has_ports(v), v->dport);
}

size_t nfd_json_line(char *buf, const struct nfd_json_drop *d)
{
	/* the body leaves room for "}\n" and the NUL */
	struct line l = { .buf = buf, .cap = NFD_JSON_LINE_MAX - 3 };
	char time[48];

	rfc3339(time, sizeof(time), d->ts_ns);
	raw(&l, "{");
	key(&l, "time");
	str(&l, time);
	key(&l, "netns");
	str(&l, d->netns);
	key(&l, "interface");
	str(&l, d->interface);
	key(&l, "direction");
	if (d->direction_unknown) /* -r: a file that does not say */
		raw(&l, "null");
	else
		str(&l, d->inbound ? "in" : "out");
	key(&l, "attributed");
	raw(&l, d->attributed ? "true" : "false");
	key(&l, "family");
	str(&l, d->family);
	key(&l, "table");
	str(&l, d->table);
	key(&l, "chain");
	str(&l, d->chain);
	key(&l, "handle");
	num(&l, d->has_handle, d->handle);
	key(&l, "policy");
	raw(&l, d->policy ? "true" : "false");
	key(&l, "verdict");
	str(&l, d->verdict);
	/* the long ones last: a cut leaves the keys after them whole */
	addresses(&l, d->pkt);
	key(&l, "length");
	num(&l, true, d->length);
	key(&l, "caplen");
	num(&l, true, d->caplen);
	key(&l, "reason");
	str(&l, d->reason);
	key(&l, "rule");
	str(&l, d->rule);
	memcpy(buf + l.n, "}\n", 3);
	return l.n + 2;
}
