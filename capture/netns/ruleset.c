// SPDX-License-Identifier: GPL-2.0
/*
 * Rule text, as nft renders it, cached by (family, table, chain, handle).
 * Listings run off the capture path (nft_run.c): polled, at most one per
 * namespace per second and MAX_RUNNING at once.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/netfilter/nfnetlink.h>

#include "nft_run.h"
#include "nft_tables.h"
#include "ruleset.h"
#include "xt_save.h"

#define BUCKETS 1024

struct rule {
	struct rule *next;
	struct rule *next_by_handle; /* in by_handle[] */
	uint64_t handle;
	char *family, *table, *chain, *text;
	int pos; /* in its chain, from 0 */
	char *xt; /* as iptables-nft-save... prints it, or NULL */
};

/* A named set or map, as listed: its key type and elements, as text. */
struct set {
	struct set *next;
	char *family, *table, *name;
	char *type; /* "ipv4_addr . inet_service : verdict" */
	char *elements; /* "{ ... }", lines joined; NULL: none */
};

/* A chain as listed: its handle, and its rules in their order. */
struct chain {
	struct chain *next;
	char *family, *table, *name;
	uint64_t handle; /* 0: not listed */
	struct rule **rules;
	int n, cap;
};

/* Listings in progress at once, all namespaces together. */
#define MAX_RUNNING 4
/*
 * And more for namespaces whose drops wait for their text: they go ahead
 * of a node's hundreds of namespaces still queued for a first listing.
 */
#define MAX_URGENT 2
/* A namespace's ruleset is listed at most this often. */
#define RELOAD_INTERVAL_NS 1000000000LL
/*
 * A listing that ran out of time is tried again with twice the time, up to
 * this (a loaded or emulated machine may need it); one that ends resets it.
 */
#define DEADLINE_MAX_NS (4 * NFD_NFT_DEADLINE_NS)

struct nfd_ruleset {
	struct rule *bucket[BUCKETS];
	struct rule *by_handle[BUCKETS]; /* handles are unique in a table */
	struct set *sets;
	struct chain *chains[BUCKETS]; /* by (family, table, name) */
	unsigned int generation; /* listings parsed */
	bool whole; /* the latest listing was parsed to its end */
	int monitor_fd; /* NFNLGRP_NFTABLES: ruleset changes */
	int netns_fd; /* where nft runs; -1: where this process is */
	const char *nft; /* the binary run, or NULL if there is none */
	bool want; /* a listing is wanted: a change, or a rule not known */
	bool urgent; /* and a drop waits for it */
	bool xt; /* run the save tools after a listing (not a test's nft) */
	unsigned int xt_todo; /* save tools (xt_save.h) still to run */
	int xt_tool; /* the one running, or -1: the run is nft's */
	enum nfd_nft_status last; /* how the latest listing ended */
	bool listed; /* a first listing has ended (in any way) */
	int64_t deadline_ns; /* the time the next listing may take */
	int64_t tried_ns; /* the time the latest one had */
	int64_t last_start_ns;
	char why[128]; /* nfd_ruleset_why()'s text, when it is made */
	struct nfd_nft_run run; /* the listing in progress, if any */
};

static int running; /* listings in progress */
static unsigned int listings; /* parsed, all namespaces: generations */

static uint32_t hash(const char *family, const char *table, const char *chain,
		     uint64_t handle)
{
	const char *parts[] = { family, table, chain };
	uint32_t h = 2166136261u ^ (uint32_t)handle ^ (uint32_t)(handle >> 32);

	for (int i = 0; i < 3; i++)
		for (const char *p = parts[i]; *p; p++)
			h = (h ^ (uint8_t)*p) * 16777619u;
	return h % BUCKETS;
}

static uint32_t handle_hash(const char *family, const char *table,
			    uint64_t handle)
{
	return hash(family, table, "", handle);
}

static void free_set(struct set *set)
{
	free(set->family);
	free(set->table);
	free(set->name);
	free(set->type);
	free(set->elements);
	free(set);
}

static void free_chains(struct nfd_ruleset *rs)
{
	for (int i = 0; i < BUCKETS; i++) {
		while (rs->chains[i]) {
			struct chain *c = rs->chains[i];

			rs->chains[i] = c->next;
			free(c->family);
			free(c->table);
			free(c->name);
			free(c->rules);
			free(c);
		}
	}
}

static void clear(struct nfd_ruleset *rs)
{
	rs->xt_todo = 0;
	rs->generation = ++listings;
	free_chains(rs);
	while (rs->sets) {
		struct set *set = rs->sets;

		rs->sets = set->next;
		free_set(set);
	}
	memset(rs->by_handle, 0, sizeof(rs->by_handle));
	for (int i = 0; i < BUCKETS; i++) {
		while (rs->bucket[i]) {
			struct rule *r = rs->bucket[i];

			rs->bucket[i] = r->next;
			free(r->family);
			free(r->table);
			free(r->chain);
			free(r->text);
			free(r->xt);
			free(r);
		}
	}
}

/* Appends @r to the rules of chain @c, in listing order. */
static int chain_append(struct chain *c, struct rule *r)
{
	if (c->n == c->cap) {
		int cap = c->cap ? c->cap * 2 : 8;
		struct rule **v = realloc(c->rules, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		c->rules = v;
		c->cap = cap;
	}
	c->rules[c->n++] = r;
	return 0;
}

static int add(struct nfd_ruleset *rs, struct chain *c, const char *family,
	       const char *table, const char *chain, int pos, uint64_t handle,
	       const char *text)
{
	uint32_t h = hash(family, table, chain, handle);
	struct rule *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	if (c && chain_append(c, r)) {
		free(r);
		return -ENOMEM;
	}
	r->handle = handle;
	r->pos = pos;
	if (nfd_xt_tool_of(family, table) >= 0)
		rs->xt_todo |= 1u << nfd_xt_tool_of(family, table);
	r->family = strdup(family);
	r->table = strdup(table);
	r->chain = strdup(chain);
	r->text = strdup(text);
	r->next = rs->bucket[h];
	rs->bucket[h] = r;
	h = handle_hash(family, table, handle);
	r->next_by_handle = rs->by_handle[h];
	rs->by_handle[h] = r;
	return r->family && r->table && r->chain && r->text ? 0 : -ENOMEM;
}

const char *nfd_ruleset_chain_of(struct nfd_ruleset *rs, const char *family,
				 const char *table, uint64_t handle,
				 const char **text)
{
	struct rule *r = rs->by_handle[handle_hash(family, table, handle)];

	for (; r; r = r->next_by_handle) {
		if (r->handle != handle || strcmp(r->table, table) ||
		    strcmp(r->family, family))
			continue;
		if (text)
			*text = r->text;
		return r->chain;
	}
	return NULL;
}

static struct rule *lookup(struct nfd_ruleset *rs, const char *family,
			   const char *table, const char *chain,
			   uint64_t handle)
{
	struct rule *r = rs->bucket[hash(family, table, chain, handle)];

	for (; r; r = r->next)
		if (r->handle == handle && !strcmp(r->chain, chain) &&
		    !strcmp(r->table, table) && !strcmp(r->family, family))
			return r;
	return NULL;
}

/*
 * Reads the next word of @p into @dst: a "quoted string" (nft quotes names
 * it could not print bare) or up to the next blank. Returns the rest.
 */
static const char *next_word(const char *p, char *dst, size_t len)
{
	size_t n = 0;
	char end = ' ';

	while (*p == ' ')
		p++;
	if (*p == '"')
		end = *p++;
	for (; *p && *p != end && (end == '"' || *p != '\t'); p++)
		if (n + 1 < len)
			dst[n++] = *p;
	dst[n] = 0;
	return *p ? p + 1 : p;
}

#define HANDLE_MARK " # handle "

/*
 * The last HANDLE_MARK of @line outside quoted strings: the one nft adds.
 * A rule's comment or a quoted name may hold the same words.
 */
static char *handle_mark(char *line)
{
	size_t mlen = strlen(HANDLE_MARK);
	char *last = NULL;
	bool quoted = false;

	for (char *p = line; *p; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (!quoted && !strncmp(p, HANDLE_MARK, mlen))
			last = p;
	}
	return last;
}

/* "<text> # handle N" -> text and N; -1 if the line is no rule. */
static int split_rule(char *line, uint64_t *handle)
{
	char *mark = handle_mark(line);
	char *end;

	if (!mark)
		return -1;
	*handle = strtoull(mark + 10, &end, 10);
	if (end == mark + 10 || (*end && *end != ' '))
		return -1;
	*mark = 0;
	return 0;
}

struct parse_state {
	char family[16], table[260], chain[260];
	struct chain *ch; /* the chain whose block is open, if any */
	int depth; /* braces open */
	int in_chain; /* the block open at depth 2 is a chain */
	int pos; /* rules of that chain so far */
	struct set *set; /* the set or map whose block is open, if any */
	int elements; /* braces open in its elements, while read */
};

static char *append_text(char *s, const char *more)
{
	size_t n = s ? strlen(s) : 0, m = strlen(more);
	char *t = realloc(s, n + m + 2);

	if (!t) {
		free(s);
		return NULL;
	}
	if (n)
		t[n++] = ' ';
	memcpy(t + n, more, m + 1);
	return t;
}

/* "set NAME {" or "map NAME {" at depth 1: a new set, kept in @rs. */
static int open_set(struct nfd_ruleset *rs, struct parse_state *st,
		    const char *line)
{
	char name[260];
	struct set *set = calloc(1, sizeof(*set));

	if (!set)
		return -ENOMEM;
	next_word(line + 4, name, sizeof(name));
	set->family = strdup(st->family);
	set->table = strdup(st->table);
	set->name = strdup(name);
	set->next = rs->sets;
	rs->sets = set;
	st->set = set;
	return set->family && set->table && set->name ? 0 : -ENOMEM;
}

/* A line inside a set's block: its type, or (a part of) its elements. */
static int set_line(struct parse_state *st, const char *line, int balance)
{
	struct set *set = st->set;

	if (!st->elements && !strncmp(line, "type ", 5)) {
		free(set->type);
		set->type = strdup(line + 5);
		return set->type ? 0 : -ENOMEM;
	}
	if (!st->elements && strncmp(line, "elements = {", 12))
		return 0;
	if (!st->elements)
		line += 11;
	set->elements = append_text(set->elements, line);
	st->elements += balance;
	return set->elements ? 0 : -ENOMEM;
}

/* Braces opened minus closed on a line, outside quoted strings. */
static int brace_balance(const char *line)
{
	int n = 0, quoted = 0;

	for (; *line; line++) {
		if (*line == '"')
			quoted = !quoted;
		else if (!quoted && *line == '{')
			n++;
		else if (!quoted && *line == '}')
			n--;
	}
	return n;
}

/* A line that opens a table (depth 0) or a chain (depth 1). */
static void open_block(struct parse_state *st, const char *line)
{
	if (st->depth == 0 && !strncmp(line, "table ", 6)) {
		line = next_word(line + 6, st->family, sizeof(st->family));
		next_word(line, st->table, sizeof(st->table));
	} else if (st->depth == 1) {
		st->in_chain = !strncmp(line, "chain ", 6);
		st->pos = 0;
		st->ch = NULL;
		if (st->in_chain)
			next_word(line + 6, st->chain, sizeof(st->chain));
	}
}

/* "chain NAME { # handle N": chain @st->chain, kept in @rs. */
static int open_chain(struct nfd_ruleset *rs, struct parse_state *st,
		      char *line)
{
	uint32_t h = hash(st->family, st->table, st->chain, 0);
	struct chain *c = calloc(1, sizeof(*c));
	uint64_t handle = 0;

	if (!c)
		return -ENOMEM;
	if (!split_rule(line, &handle))
		c->handle = handle;
	c->family = strdup(st->family);
	c->table = strdup(st->table);
	c->name = strdup(st->chain);
	c->next = rs->chains[h];
	rs->chains[h] = c;
	st->ch = c;
	return c->family && c->table && c->name ? 0 : -ENOMEM;
}

static int parse_line(struct nfd_ruleset *rs, struct parse_state *st,
		      char *line)
{
	int balance = brace_balance(line);
	uint64_t handle;

	int err = 0;

	while (*line == '\t' || *line == ' ')
		line++;
	if (st->set && st->depth >= 2)
		err = set_line(st, line, balance);
	else if (balance > 0 && st->depth == 1 &&
		 (!strncmp(line, "set ", 4) || !strncmp(line, "map ", 4)))
		err = open_set(rs, st, line);
	else if (balance > 0) {
		open_block(st, line);
		if (st->depth == 1 && st->in_chain)
			err = open_chain(rs, st, line);
	} else if (!balance && st->depth == 2 && st->in_chain &&
		   !split_rule(line, &handle))
		return add(rs, st->ch, st->family, st->table, st->chain,
			   st->pos++, handle, line);
	st->depth += balance;
	if (st->depth < 2) {
		st->in_chain = 0;
		st->ch = NULL;
		st->set = NULL;
		st->elements = 0;
	}
	return err;
}

const char *nfd_ruleset_set(struct nfd_ruleset *rs, const char *family,
			    const char *table, const char *name,
			    const char **type)
{
	for (struct set *set = rs->sets; set; set = set->next) {
		if (strcmp(set->name, name) || strcmp(set->table, table) ||
		    strcmp(set->family, family))
			continue;
		if (type)
			*type = set->type;
		return set->elements ? set->elements : "{ }";
	}
	return NULL;
}

static struct chain *find_chain(struct nfd_ruleset *rs, const char *family,
				const char *table, const char *name)
{
	struct chain *c = rs->chains[hash(family, table, name, 0)];

	for (; c; c = c->next)
		if (!strcmp(c->name, name) && !strcmp(c->table, table) &&
		    !strcmp(c->family, family))
			return c;
	return NULL;
}

const char *nfd_ruleset_chain(struct nfd_ruleset *rs, const char *family,
			      const char *table, const char *name)
{
	struct chain *c = find_chain(rs, family, table, name);

	return c ? c->name : NULL;
}

const char *nfd_ruleset_chain_by_handle(struct nfd_ruleset *rs,
					const char *family, const char *table,
					uint64_t handle)
{
	for (int i = 0; handle && i < BUCKETS; i++)
		for (struct chain *c = rs->chains[i]; c; c = c->next)
			if (c->handle == handle && !strcmp(c->table, table) &&
			    !strcmp(c->family, family))
				return c->name;
	return NULL;
}

const char *nfd_ruleset_rule_at(struct nfd_ruleset *rs, const char *family,
				const char *table, const char *chain, int pos,
				uint64_t *handle)
{
	struct chain *c = find_chain(rs, family, table, chain);

	if (!c || pos < 0 || pos >= c->n)
		return NULL;
	*handle = c->rules[pos]->handle;
	return c->rules[pos]->text;
}

/* Characters that could make a name in a rule's text read as another. */
#define ODD_NAME_CHARS "\"\\ ,{}@\t\r\n"

bool nfd_ruleset_graph_sure(struct nfd_ruleset *rs, const char *family,
			    const char *table)
{
	if (!rs->whole)
		return false;
	for (int i = 0; i < BUCKETS; i++)
		for (struct chain *c = rs->chains[i]; c; c = c->next)
			if (!strcmp(c->table, table) &&
			    !strcmp(c->family, family) &&
			    strpbrk(c->name, ODD_NAME_CHARS))
				return false;
	for (struct set *set = rs->sets; set; set = set->next)
		if (!strcmp(set->table, table) &&
		    !strcmp(set->family, family) &&
		    strpbrk(set->name, ODD_NAME_CHARS))
			return false;
	return true;
}

unsigned int nfd_ruleset_generation(const struct nfd_ruleset *rs)
{
	return rs->generation;
}

int nfd_ruleset_parse(struct nfd_ruleset *rs, const char *text)
{
	struct parse_state st = { 0 };
	char *copy = strdup(text), *save = NULL, *line;
	int err = 0;

	if (!copy)
		return -ENOMEM;
	clear(rs);
	for (line = strtok_r(copy, "\n", &save); line && !err;
	     line = strtok_r(NULL, "\n", &save))
		err = parse_line(rs, &st, line);
	free(copy);
	rs->whole = !err;
	return err;
}

/* Rules as a save tool printed them, and as nft listed them. */
struct xt_line {
	char *table, *chain, *text;
	int pos;
};

struct xt_lines {
	struct xt_line *v;
	size_t n, cap;
};

static int keep_line(void *ctx, const char *table, const char *chain, int pos,
		     const char *text)
{
	struct xt_lines *l = ctx;
	struct xt_line *x;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 256;
		struct xt_line *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	x = &l->v[l->n];
	x->table = strdup(table);
	x->chain = strdup(chain);
	x->text = strdup(text);
	x->pos = pos;
	l->n++;
	return x->table && x->chain && x->text ? 0 : -ENOMEM;
}

static int cmp_key(const char *t1, const char *c1, int p1, const char *t2,
		   const char *c2, int p2)
{
	int d = strcmp(t1, t2);

	d = d ?: strcmp(c1, c2);
	return d ?: (p1 > p2) - (p1 < p2);
}

static int cmp_line(const void *a, const void *b)
{
	const struct xt_line *x = a, *y = b;

	return cmp_key(x->table, x->chain, x->pos, y->table, y->chain, y->pos);
}

static int cmp_rule(const void *a, const void *b)
{
	const struct rule *x = *(struct rule *const *)a;
	const struct rule *y = *(struct rule *const *)b;

	return cmp_key(x->table, x->chain, x->pos, y->table, y->chain, y->pos);
}

/* The rules of the tables tool @tool shows, sorted by chain and position. */
static struct rule **tool_rules(struct nfd_ruleset *rs, int tool, size_t *n)
{
	struct rule **v = NULL, **more;
	size_t cap = 0;

	*n = 0;
	for (int i = 0; i < BUCKETS; i++)
		for (struct rule *r = rs->bucket[i]; r; r = r->next) {
			if (nfd_xt_tool_of(r->family, r->table) != tool ||
			    strcmp(r->family, nfd_xt_tools[tool].family))
				continue;
			if (*n == cap) {
				cap = cap ? 2 * cap : 256;
				more = realloc(v, cap * sizeof(*v));
				if (!more) {
					free(v);
					*n = 0;
					return NULL;
				}
				v = more;
			}
			v[(*n)++] = r;
		}
	if (*n)
		qsort(v, *n, sizeof(*v), cmp_rule);
	return v;
}

/* The end of the group of @v[i] (same table and chain). */
static size_t group_end_lines(const struct xt_line *v, size_t n, size_t i)
{
	size_t j = i + 1;

	while (j < n && !strcmp(v[j].table, v[i].table) &&
	       !strcmp(v[j].chain, v[i].chain))
		j++;
	return j;
}

static size_t group_end_rules(struct rule **v, size_t n, size_t i)
{
	size_t j = i + 1;

	while (j < n && !strcmp(v[j]->table, v[i]->table) &&
	       !strcmp(v[j]->chain, v[i]->chain))
		j++;
	return j;
}

/*
 * Each chain the tool and nft both list with as many rules: its rules
 * take the tool's lines, by position. A chain whose counts differ (the
 * ruleset changed between the two listings?) takes none.
 */
static void match_chains(struct xt_lines *l, struct rule **r, size_t nr)
{
	size_t i = 0, j = 0;

	while (i < l->n && j < nr) {
		size_t ie = group_end_lines(l->v, l->n, i);
		size_t je = group_end_rules(r, nr, j);
		int d = cmp_key(l->v[i].table, l->v[i].chain, 0, r[j]->table,
				r[j]->chain, 0);

		if (!d && ie - i == je - j)
			for (size_t k = 0; k < ie - i; k++)
				if (l->v[i + k].pos == r[j + k]->pos &&
				    !r[j + k]->xt)
					r[j + k]->xt = strdup(l->v[i + k].text);
		if (d <= 0)
			i = ie;
		if (d >= 0)
			j = je;
	}
}

static void take_xt(struct nfd_ruleset *rs, int tool, const char *out)
{
	struct xt_lines l = { 0 };
	struct rule **r;
	size_t nr;

	if (!nfd_xt_parse(out, keep_line, &l) && l.n) {
		qsort(l.v, l.n, sizeof(*l.v), cmp_line);
		r = tool_rules(rs, tool, &nr);
		if (r)
			match_chains(&l, r, nr);
		free(r);
	}
	for (size_t i = 0; i < l.n; i++) {
		free(l.v[i].table);
		free(l.v[i].chain);
		free(l.v[i].text);
	}
	free(l.v);
}

static int open_monitor(void)
{
	struct sockaddr_nl sa = {
		.nl_family = AF_NETLINK,
		.nl_groups = 1 << (NFNLGRP_NFTABLES - 1),
	};
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
			NETLINK_NETFILTER);

	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	return fd;
}

struct nfd_ruleset *nfd_ruleset_new_empty(void)
{
	struct nfd_ruleset *rs = calloc(1, sizeof(*rs));

	if (rs) {
		rs->monitor_fd = rs->netns_fd = -1;
		rs->xt_tool = -1;
		rs->nft = nfd_nft_path();
		rs->last = NFD_NFT_DONE;
		rs->deadline_ns = NFD_NFT_DEADLINE_NS;
	}
	return rs;
}

struct nfd_ruleset *nfd_ruleset_new(int netns_fd)
{
	struct nfd_ruleset *rs = nfd_ruleset_new_empty();

	if (!rs)
		return NULL;
	rs->monitor_fd = open_monitor(); /* first: no change goes unseen */
	rs->netns_fd = netns_fd;
	rs->xt = true;
	rs->last_start_ns = INT64_MIN / 2;
	/* the first listing, before the first drop, where there is a table */
	rs->want = rs->monitor_fd < 0 || nfd_nft_tables_unowned() != 0;
	rs->listed = !rs->want;
	return rs;
}

void nfd_ruleset_set_nft(struct nfd_ruleset *rs, const char *path)
{
	rs->nft = path;
	rs->xt = false;
	rs->want = true; /* what it lists, whatever the kernel's tables */
	rs->listed = false;
}

void nfd_ruleset_free(struct nfd_ruleset *rs)
{
	if (!rs)
		return;
	if (rs->run.pid) {
		nfd_nft_stop(&rs->run);
		running--;
	}
	clear(rs);
	if (rs->monitor_fd >= 0)
		close(rs->monitor_fd);
	free(rs);
}

/* A listing ended (@st): take it, or remember why there is none. */
static void finish(struct nfd_ruleset *rs, enum nfd_nft_status st)
{
	running--;
	if (rs->xt_tool >= 0) {
		if (st == NFD_NFT_DONE)
			take_xt(rs, rs->xt_tool, rs->run.out);
		rs->xt_tool = -1;
	} else {
		rs->last = st;
		rs->listed = true;
		if (st == NFD_NFT_TIMEOUT)
			rs->deadline_ns =
				rs->deadline_ns * 2 > DEADLINE_MAX_NS ?
					DEADLINE_MAX_NS :
					rs->deadline_ns * 2;
		else
			rs->deadline_ns = NFD_NFT_DEADLINE_NS;
		if (st == NFD_NFT_DONE)
			nfd_ruleset_parse(rs, rs->run.out);
		if (st != NFD_NFT_DONE || !rs->xt)
			rs->xt_todo = 0;
	}
	if (!rs->xt_todo)
		rs->urgent = false;
	nfd_nft_stop(&rs->run);
}

/* May one more listing start now, for @rs? */
static bool room(const struct nfd_ruleset *rs)
{
	return running < MAX_RUNNING + (rs->urgent ? MAX_URGENT : 0);
}

/*
 * The next save tool the latest listing wants (its tables are ones
 * iptables-nft manages by name); one not installed is skipped.
 */
static void start_xt(struct nfd_ruleset *rs, int64_t now_ns)
{
	while (rs->xt_todo) {
		int t = __builtin_ctz(rs->xt_todo);
		const char *argv[] = { nfd_xt_tools[t].tool, NULL };
		char path[64];

		rs->xt_todo &= ~(1u << t);
		if (nfd_tool_path(argv[0], path, sizeof(path)) ||
		    nfd_nft_start(&rs->run, path, argv, rs->netns_fd, now_ns))
			continue;
		rs->xt_tool = t;
		running++;
		return;
	}
}

static void start(struct nfd_ruleset *rs, int64_t now_ns)
{
	rs->want = false;
	rs->last_start_ns = now_ns;
	if (!rs->nft) {
		rs->last = NFD_NFT_NOT_FOUND;
		rs->listed = true;
		return;
	}
	if (nfd_nft_start(&rs->run, rs->nft, nfd_nft_list_argv, rs->netns_fd,
			  now_ns)) {
		rs->last = NFD_NFT_FAILED;
		rs->listed = true;
		return;
	}
	rs->tried_ns = rs->deadline_ns;
	rs->run.deadline_ns = now_ns + rs->deadline_ns;
	running++;
}

void nfd_ruleset_poll(struct nfd_ruleset *rs, int64_t now_ns)
{
	char buf[16384];
	ssize_t n;

	while (rs->monitor_fd >= 0 &&
	       ((n = recv(rs->monitor_fd, buf, sizeof(buf), 0)) > 0 ||
		(n < 0 && errno == ENOBUFS)))
		rs->want = true;
	if (rs->run.pid) {
		enum nfd_nft_status st = nfd_nft_step(&rs->run, now_ns);

		if (st != NFD_NFT_RUNNING)
			finish(rs, st);
	}
	if (!rs->run.pid && rs->want && room(rs) &&
	    now_ns - rs->last_start_ns >= RELOAD_INTERVAL_NS)
		start(rs, now_ns);
	if (!rs->run.pid && rs->xt_todo && room(rs))
		start_xt(rs, now_ns);
}

bool nfd_ruleset_xt_coming(const struct nfd_ruleset *rs, const char *family,
			   const char *table)
{
	int tool = nfd_xt_tool_of(family, table);

	if (tool < 0 || !rs->xt || !rs->nft)
		return false;
	return (rs->xt_todo >> tool & 1) || rs->xt_tool == tool || rs->want ||
	       (rs->run.pid && rs->xt_tool < 0);
}

const char *nfd_ruleset_xt(struct nfd_ruleset *rs, const char *family,
			   const char *table, const char *chain,
			   uint64_t handle)
{
	struct rule *r = lookup(rs, family, table, chain, handle);

	return r ? r->xt : NULL;
}

const char *nfd_ruleset_rule(struct nfd_ruleset *rs, const char *family,
			     const char *table, const char *chain,
			     uint64_t handle)
{
	struct rule *r = lookup(rs, family, table, chain, handle);
	const char *text = r ? r->text : NULL;

	/*
	 * A rule it does not know: list the ruleset again (at most once a
	 * second). The kernel tells of every change, but its word may still
	 * wait on the monitor socket when the drop comes.
	 */
	if (!text)
		rs->want = rs->urgent = true;
	return text;
}

bool nfd_ruleset_listing(void)
{
	return running > 0;
}

bool nfd_ruleset_listed(const struct nfd_ruleset *rs)
{
	return rs->listed;
}

bool nfd_ruleset_busy(const struct nfd_ruleset *rs)
{
	return rs->run.pid || (rs->want && rs->nft) || rs->xt_todo;
}

const char *nfd_ruleset_why(struct nfd_ruleset *rs)
{
	switch (rs->last) {
	case NFD_NFT_NOT_FOUND:
		return "nft was not found (/usr/sbin/nft, /sbin/nft, "
		       "/usr/bin/nft: owned by root)";
	case NFD_NFT_FAILED:
		return "'nft -a -s list ruleset' failed";
	case NFD_NFT_TIMEOUT:
		snprintf(
			rs->why, sizeof(rs->why),
			"'nft -a -s list ruleset' did not answer within %lld s",
			(long long)(rs->tried_ns / 1000000000LL));
		return rs->why;
	case NFD_NFT_TOO_BIG:
		return "'nft -a -s list ruleset' printed more than 64 MiB";
	default:
		return rs->run.pid || rs->want ?
			       "not listed in time: the ruleset was being "
			       "listed again" :
			       "'nft -a -s list ruleset' did not list it "
			       "(deleted meanwhile, or a name nft cannot "
			       "print on one line)";
	}
}
