// SPDX-License-Identifier: GPL-2.0
/*
 * The element of a verdict map that chose a packet's fate (element.h).
 * Rule text and elements come from a namespace: parsed with bounds, never
 * trusted to be well formed; anything not understood means "not sure".
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "element.h"
#include "lib/escape.h"

#define KEY_PARTS_MAX 8 /* selectors concatenated in one key, at most */
#define WORDS_MAX 64
#define ELEM_TEXT_MAX 1024 /* one element's text, escaped, at most */

enum selector {
	SEL_SADDR,
	SEL_DADDR,
	SEL_PROTO,
	SEL_SPORT,
	SEL_DPORT,
};

struct key {
	enum selector sel[KEY_PARTS_MAX];
	int addr_len[KEY_PARTS_MAX]; /* 4 or 16 for addresses */
	int n;
};

void nfd_pkt_view(struct nfd_pkt_view *v, uint16_t proto, const uint8_t *nh,
		  size_t len)
{
	size_t th = 0;

	memset(v, 0, sizeof(*v));
	v->l4proto = -1;
	if (proto == 0x0800 && len >= 20 && (nh[0] >> 4) == 4) {
		v->l3 = 4;
		v->saddr = nh + 12;
		v->daddr = nh + 16;
		if (!((nh[6] << 8 | nh[7]) & 0x1fff)) { /* not a later piece */
			v->l4proto = nh[9];
			th = (size_t)(nh[0] & 0xf) * 4;
		}
	} else if (proto == 0x86dd && len >= 40 && (nh[0] >> 4) == 6) {
		v->l3 = 6;
		v->saddr = nh + 8;
		v->daddr = nh + 24;
		switch (nh[6]) { /* no extension header in between */
		case 1:
		case 6:
		case 17:
		case 33:
		case 58:
		case 132:
		case 136:
			v->l4proto = nh[6];
			th = 40;
		}
	}
	if (th && len >= th + 4) {
		v->have_ports = 1;
		v->sport = (uint16_t)(nh[th] << 8 | nh[th + 1]);
		v->dport = (uint16_t)(nh[th + 2] << 8 | nh[th + 3]);
	}
}

/*
 * The first (or, with @last, the last) @pat in @s[0, @n) outside quoted
 * strings and, with @flat, outside braces; NULL if none.
 */
static const char *find_top(const char *s, size_t n, const char *pat, bool flat,
			    bool last)
{
	size_t m = strlen(pat);
	const char *found = NULL;
	bool quoted = false;
	int depth = 0;

	for (size_t i = 0; i + m <= n; i++) {
		if (s[i] == '"')
			quoted = !quoted;
		else if (!quoted && s[i] == '{')
			depth++;
		else if (!quoted && s[i] == '}')
			depth--;
		if (quoted || (flat && depth) || strncmp(s + i, pat, m))
			continue;
		found = s + i;
		if (!last)
			break;
	}
	return found;
}

static int selector_of(const char *proto, const char *field, struct key *k)
{
	static const char *const l4[] = { "th",	  "tcp",     "udp",
					  "sctp", "udplite", "dccp" };
	int i = k->n;

	if (i >= KEY_PARTS_MAX)
		return -1;
	k->addr_len[i] = !strcmp(proto, "ip") ? 4 : 16;
	if ((!strcmp(proto, "ip") || !strcmp(proto, "ip6")) &&
	    (!strcmp(field, "saddr") || !strcmp(field, "daddr"))) {
		k->sel[i] = field[0] == 's' ? SEL_SADDR : SEL_DADDR;
		return 0;
	}
	if ((!strcmp(proto, "meta") && !strcmp(field, "l4proto")) ||
	    (!strcmp(proto, "ip") && !strcmp(field, "protocol")) ||
	    (!strcmp(proto, "ip6") && !strcmp(field, "nexthdr"))) {
		k->sel[i] = SEL_PROTO;
		return 0;
	}
	for (size_t j = 0; j < sizeof(l4) / sizeof(l4[0]); j++)
		if (!strcmp(proto, l4[j]) &&
		    (!strcmp(field, "sport") || !strcmp(field, "dport"))) {
			k->sel[i] = field[0] == 's' ? SEL_SPORT : SEL_DPORT;
			return 0;
		}
	return -1;
}

/* The key expression ending @text[0, @n): "ip daddr . th dport ...". */
static int parse_key(const char *text, size_t n, struct key *k)
{
	char buf[512], *w[WORDS_MAX], *save = NULL;
	int nw = 0, end;
	struct key rev = { .n = 0 };

	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, text, n);
	buf[n] = 0;
	for (char *t = strtok_r(buf, " ", &save); t && nw < WORDS_MAX;
	     t = strtok_r(NULL, " ", &save))
		w[nw++] = t;
	for (end = nw;; end -= 3) {
		if (end < 2 || selector_of(w[end - 2], w[end - 1], &rev))
			return -1;
		rev.n++;
		if (end < 3 || strcmp(w[end - 3], "."))
			break;
	}
	k->n = rev.n;
	for (int i = 0; i < rev.n; i++) { /* read backwards: turn around */
		k->sel[i] = rev.sel[rev.n - 1 - i];
		k->addr_len[i] = rev.addr_len[rev.n - 1 - i];
	}
	return 0;
}

static int proto_number(const char *s)
{
	static const struct {
		const char *name;
		int num;
	} names[] = {
		{ "icmp", 1 },	     { "igmp", 2 },   { "tcp", 6 },
		{ "udp", 17 },	     { "dccp", 33 },  { "gre", 47 },
		{ "esp", 50 },	     { "ah", 51 },    { "icmpv6", 58 },
		{ "ipv6-icmp", 58 }, { "sctp", 132 }, { "udplite", 136 }
	};
	char *end;
	long v = strtol(s, &end, 10);

	if (end != s && !*end && v >= 0 && v <= 255)
		return (int)v;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i].name))
			return names[i].num;
	return -1;
}

/* A number or name "a", or a range "a-b", of ports or protocols. */
static int number_range(const char *s, bool proto, long *lo, long *hi)
{
	char a[64], *dash = strchr(s, '-');
	char *end;

	if (strlen(s) >= sizeof(a))
		return -1;
	strcpy(a, s);
	if (dash)
		a[dash - s] = 0;
	for (int i = 0; i < 2; i++) {
		const char *part = i ? dash + 1 : a;
		long v = proto ? proto_number(part) : strtol(part, &end, 10);

		if (v < 0 || (!proto && (end == part || *end || v > 65535)))
			return -1;
		*(i ? hi : lo) = v;
		if (!dash) {
			*hi = v;
			break;
		}
	}
	return *lo <= *hi ? 0 : -1;
}

/* An address "A", a prefix "A/len", or a range "A-B", of @alen bytes. */
static int addr_range(const char *s, int alen, uint8_t *lo, uint8_t *hi)
{
	char a[64], *sep;
	int af = alen == 4 ? AF_INET : AF_INET6;
	char *end;

	if (strlen(s) >= sizeof(a))
		return -1;
	strcpy(a, s);
	if ((sep = strchr(a, '/'))) {
		long bits;

		*sep = 0;
		bits = strtol(sep + 1, &end, 10);
		if (end == sep + 1 || *end || bits < 0 || bits > alen * 8 ||
		    inet_pton(af, a, lo) != 1)
			return -1;
		memcpy(hi, lo, alen);
		for (int i = 0; i < alen; i++) {
			int keep = bits - i * 8;
			uint8_t mask =
				keep >= 8 ? 0xff :
				keep <= 0 ? 0 :
					    (uint8_t)(0xff << (8 - keep));

			lo[i] &= mask;
			hi[i] |= (uint8_t)~mask;
		}
		return 0;
	}
	if ((sep = strchr(a, '-')))
		*sep = 0;
	if (inet_pton(af, a, lo) != 1 ||
	    inet_pton(af, sep ? sep + 1 : a, hi) != 1)
		return -1;
	return memcmp(lo, hi, alen) <= 0 ? 0 : -1;
}

/* Does key part @s hold the packet's value of selector @i? -1: unsure. */
static int part_matches(const char *s, const struct key *k, int i,
			const struct nfd_pkt_view *v)
{
	uint8_t lo[16], hi[16];
	long a, b, x;
	const uint8_t *addr;

	switch (k->sel[i]) {
	case SEL_SADDR:
	case SEL_DADDR:
		if (v->l3 != (k->addr_len[i] == 4 ? 4 : 6) ||
		    addr_range(s, k->addr_len[i], lo, hi))
			return -1;
		addr = k->sel[i] == SEL_SADDR ? v->saddr : v->daddr;
		return memcmp(addr, lo, k->addr_len[i]) >= 0 &&
		       memcmp(addr, hi, k->addr_len[i]) <= 0;
	case SEL_PROTO:
		x = v->l4proto;
		if (x < 0 || number_range(s, true, &a, &b))
			return -1;
		return x >= a && x <= b;
	default:
		if (!v->have_ports || number_range(s, false, &a, &b))
			return -1;
		x = k->sel[i] == SEL_SPORT ? v->sport : v->dport;
		return x >= a && x <= b;
	}
}

struct element {
	char key[256];
	char comment[256]; /* without its quotes; "" if none */
	char verdict[300];
};

static void trim_copy(char *dst, size_t len, const char *s, size_t n)
{
	while (n && *s == ' ')
		s++, n--;
	while (n && s[n - 1] == ' ')
		n--;
	if (n >= len)
		n = len - 1;
	memcpy(dst, s, n);
	dst[n] = 0;
}

/* "KEY [comment "C"] : VERDICT" into @e; -1 if it is not that. */
static int split_element(const char *s, size_t n, struct element *e)
{
	const char *colon = find_top(s, n, " : ", true, true);
	const char *c;
	size_t kn;

	if (!colon)
		return -1;
	kn = (size_t)(colon - s);
	trim_copy(e->verdict, sizeof(e->verdict), colon + 3, n - kn - 3);
	e->comment[0] = 0;
	c = find_top(s, kn, " comment \"", true, false);
	if (c) {
		const char *q = c + 10, *end = memchr(q, '"', kn - (q - s));

		if (!end || end + 1 != s + kn)
			return -1;
		trim_copy(e->comment, sizeof(e->comment), q, (size_t)(end - q));
		kn = (size_t)(c - s);
	}
	trim_copy(e->key, sizeof(e->key), s, kn);
	return e->key[0] && e->verdict[0] ? 0 : -1;
}

/* Does element key @key match? 1, 0, or -1 when unsure. */
static int key_matches(const char *key, const struct key *k,
		       const struct nfd_pkt_view *v)
{
	const char *p = key;

	for (int i = 0; i < k->n; i++) {
		const char *dot = strstr(p, " . ");
		char part[64];
		int m;

		if ((i + 1 < k->n) != (dot != NULL))
			return -1;
		trim_copy(part, sizeof(part), p,
			  dot ? (size_t)(dot - p) : strlen(p));
		if (strchr(part, ' '))
			return -1; /* a word nfdropcap does not know */
		m = part_matches(part, k, i, v);
		if (m <= 0)
			return m;
		p = dot ? dot + 3 : p;
	}
	return 1;
}

/* "jump NAME" / "goto NAME" / "drop": equal, names unquoted? */
static bool same_verdict(const char *listed, const char *want)
{
	size_t n = strlen(listed);

	if (!strcmp(listed, want))
		return true;
	if (n < 7 || listed[4] != ' ' || listed[5] != '"' ||
	    listed[n - 1] != '"' || strncmp(listed, want, 5))
		return false;
	return strlen(want + 5) == n - 7 &&
	       !strncmp(listed + 6, want + 5, n - 7);
}

/* The map's elements "{ ... }" after " vmap " in @text. */
static const char *map_elements(const char *after, nfd_map_fn map_of, void *ctx,
				size_t *n)
{
	const char *end;

	if (*after == '@') {
		char name[260];
		size_t len = strcspn(after + 1, " ");
		const char *els;

		if (!len || len >= sizeof(name))
			return NULL;
		memcpy(name, after + 1, len);
		name[len] = 0;
		els = map_of(ctx, name);
		if (!els)
			return NULL;
		after = els;
	}
	if (*after != '{')
		return NULL;
	end = find_top(after + 1, strlen(after + 1), "}", false, false);
	if (!end)
		return NULL;
	*n = (size_t)(end - after - 1);
	return after + 1;
}

static void format(const struct element *e, char *out, size_t len)
{
	char key[4 * sizeof(e->key)], verdict[4 * sizeof(e->verdict)];
	char comment[4 * sizeof(e->comment)];

	nfd_escape_str(key, sizeof(key), e->key);
	nfd_escape_str(verdict, sizeof(verdict), e->verdict);
	nfd_escape_str(comment, sizeof(comment), e->comment);
	if (e->comment[0])
		snprintf(out, len, "%s : %s comment \"%s\"", key, verdict,
			 comment);
	else
		snprintf(out, len, "%s : %s", key, verdict);
}

int nfd_element_find(const char *text, const struct nfd_pkt_view *v,
		     const char *verdict, nfd_map_fn map_of, void *ctx,
		     char *out, size_t len)
{
	const char *vmap = find_top(text, strlen(text), " vmap ", true, false);
	const char *els, *p;
	struct element e, found;
	struct key k;
	size_t n;
	int matches = 0;

	if (!vmap || parse_key(text, (size_t)(vmap - text), &k))
		return -1;
	els = map_elements(vmap + 6, map_of, ctx, &n);
	if (!els)
		return -1;
	for (p = els; p < els + n;) {
		const char *comma =
			find_top(p, (size_t)(els + n - p), ",", true, false);
		size_t en = comma ? (size_t)(comma - p) : (size_t)(els + n - p);
		int m;

		if (split_element(p, en, &e))
			return -1;
		m = key_matches(e.key, &k, v);
		if (m < 0)
			return -1;
		if (m && ++matches == 1)
			found = e;
		p += en + 1;
	}
	if (matches != 1 || !same_verdict(found.verdict, verdict))
		return -1;
	format(&found, out, len);
	return 0;
}
