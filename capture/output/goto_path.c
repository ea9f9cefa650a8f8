// SPDX-License-Identifier: GPL-2.0
/*
 * The gotos of a path read off the kernel's jump stack, put back.
 *
 * Between one jump and the next the kernel can only have gone on by gotos
 * (a jump it returned from is off the stack again), so each stretch of the
 * path, from the base chain or a jump's target to the chain of the next
 * jump or of the drop, is a chain of gotos. Every goto and jump in every
 * rule's text is read, verdict maps' elements too: the way the packet took
 * is among the ways counted, and where exactly one way is counted, it is
 * that way. A word not read for sure (in a quoted string, naming no listed
 * chain or map), names a text cannot be read back by, or more than one
 * way leave the path unknown, and say why.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/escape.h"
#include "netns/ruleset.h"
#include "output/comment.h"
#include "output/goto_path.h"

/* Gotos followed per stretch: bounds what a ruleset makes a drop cost. */
#define MAX_STEPS 4096
/* Paths resolved lately, so that a flood of one drop costs one walk. */
#define CACHE_SIZE 64

/* Chains a rule names, as nfd_ruleset_chain() names them (one pointer each). */
struct targets {
	const char **v;
	size_t n, cap;
};

struct table_ref {
	struct nfd_ruleset *rs;
	const char *family, *table;
};

static size_t count_words(const char *text, const char *word)
{
	size_t n = 0, len = strlen(word);

	for (const char *p = strstr(text, word); p; p = strstr(p + len, word))
		n++;
	return n;
}

/* A name as a rule's text ends it: at a blank, a comma, a brace. */
static const char *read_name(const char *p, char *dst, size_t len)
{
	size_t n = 0;

	for (; *p && !strchr(" ,}", *p); p++) {
		if (n + 1 == len)
			return NULL;
		dst[n++] = *p;
	}
	dst[n] = 0;
	/* nft quotes a name it cannot print bare (none with a quote) */
	if (n >= 2 && dst[0] == '"' && dst[n - 1] == '"') {
		memmove(dst, dst + 1, n - 2);
		dst[n - 2] = 0;
	}
	return p;
}

static int add_target(const struct table_ref *t, struct targets *out,
		      const char *name)
{
	const char *chain = nfd_ruleset_chain(t->rs, t->family, t->table,
					      name);

	if (!chain)
		return -1;
	if (out->n == out->cap) {
		size_t cap = out->cap ? out->cap * 2 : 8;
		const char **v = realloc(out->v, cap * sizeof(*v));

		if (!v)
			return -1;
		out->v = v;
		out->cap = cap;
	}
	out->v[out->n++] = chain;
	return 0;
}

/*
 * Adds to @out the chains that verdict word @kw ("goto", "jump") names in
 * @text, and in the elements of each verdict map it looks up by name. -1
 * if any such word is not read for sure: then the ways are not all known.
 */
static int scan_text(const struct table_ref *t, const char *text,
		     const char *kw, struct targets *out, bool in_map)
{
	size_t kwlen = strlen(kw), words = 0, maps = 0;
	char want[8], name[NFD_NAME_MAX + 1];
	bool quoted = false;
	const char *p;

	snprintf(want, sizeof(want), "%s ", kw);
	for (p = text; *p; p++) {
		if (*p == '"')
			quoted = !quoted;
		if (quoted || *p == '"' ||
		    (p != text && !strchr(" {,:", p[-1])))
			continue;
		if (!strncmp(p, want, kwlen + 1)) {
			p = read_name(p + kwlen + 1, name, sizeof(name));
			if (!p || add_target(t, out, name))
				return -1;
			words++;
		} else if (!strncmp(p, "vmap @", 6)) {
			const char *elements;

			p = read_name(p + 6, name, sizeof(name));
			elements = p ? nfd_ruleset_set(t->rs, t->family,
						       t->table, name, NULL) :
				       NULL;
			if (!elements || in_map ||
			    scan_text(t, elements, kw, out, true))
				return -1;
			maps++;
		}
		if (!*p)
			break;
	}
	if (quoted || words != count_words(text, want) ||
	    maps != count_words(text, "vmap @"))
		return -1;
	return 0;
}

static int cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)*(const char *const *)a;
	uintptr_t y = (uintptr_t)*(const char *const *)b;

	return x < y ? -1 : x > y;
}

/* The chains @text sends a packet on to by @kw, each once. */
static int rule_targets(const struct table_ref *t, const char *text,
			const char *kw, struct targets *out)
{
	size_t n = 0;

	out->n = 0;
	if (scan_text(t, text, kw, out, false))
		return -1;
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), cmp_ptr);
	for (size_t i = 0; i < out->n; i++)
		if (!n || out->v[n - 1] != out->v[i])
			out->v[n++] = out->v[i];
	out->n = n;
	return 0;
}

/* The ways of gotos from a chain to @end, counted up to two. */
struct walk {
	struct table_ref t;
	const char *end;
	uint64_t cur[NFD_PATH_MAX], best[NFD_PATH_MAX];
	int ncur, nbest, found;
	unsigned int steps;
	uint64_t bad_rule; /* a rule whose words were not read for sure */
	const char *bad; /* why the ways are not all counted */
};

static void visit(struct walk *w, const char *chain)
{
	struct targets tg = { 0 };
	const char *text;
	uint64_t handle;

	if (chain == w->end) {
		if (++w->found == 1) {
			memcpy(w->best, w->cur, sizeof(w->cur));
			w->nbest = w->ncur;
		}
		return;
	}
	for (int pos = 0; !w->bad && w->found < 2; pos++) {
		text = nfd_ruleset_rule_at(w->t.rs, w->t.family, w->t.table,
					   chain, pos, &handle);
		if (!text)
			break;
		if (rule_targets(&w->t, text, "goto", &tg)) {
			w->bad = "its gotos were not all read for sure";
			w->bad_rule = handle;
			break;
		}
		for (size_t i = 0; i < tg.n && !w->bad && w->found < 2; i++) {
			if (++w->steps > MAX_STEPS || w->ncur == NFD_PATH_MAX) {
				w->bad = "too many gotos to follow";
				break;
			}
			w->cur[w->ncur++] = handle;
			visit(w, tg.v[i]);
			w->ncur--;
		}
	}
	free(tg.v);
}

/* "chain NAME", escaped. */
static const char *chain_word(char *buf, size_t len, const char *name)
{
	char esc[2 * NFD_NAME_MAX];

	nfd_escape_str(esc, sizeof(esc), name);
	snprintf(buf, len, "chain %s", esc);
	return buf;
}

/*
 * The one way of gotos from any of @starts to @end, appended to @out; -1
 * with @why when there is none, more than one, or the count is not sure.
 */
static int stretch(const struct table_ref *t, const struct targets *starts,
		   const char *end, struct nfd_path *out, char *why,
		   size_t len)
{
	struct walk w = { .t = *t, .end = end };
	char a[2 * NFD_NAME_MAX + 8], b[2 * NFD_NAME_MAX + 8];

	for (size_t i = 0; i < starts->n && !w.bad && w.found < 2; i++)
		visit(&w, starts->v[i]);
	chain_word(a, sizeof(a), starts->v[0]);
	chain_word(b, sizeof(b), end);
	if (w.bad && w.bad_rule)
		snprintf(why, len, "rule handle %llu: %s",
			 (unsigned long long)w.bad_rule, w.bad);
	else if (w.bad)
		snprintf(why, len, "from %s on: %s", a, w.bad);
	else if (!w.found)
		snprintf(why, len, "no goto in the ruleset listed leads from %s%s to %s",
			 a, starts->n > 1 ? " (or the others the jump's map names)" : "", b);
	else if (w.found > 1)
		snprintf(why, len,
			 "more than one way of gotos leads from %s%s to %s, "
			 "and backend dropsite sees only jumps",
			 a, starts->n > 1 ? " (or the others the jump's map names)" : "", b);
	if (w.bad || w.found != 1)
		return -1;
	for (int i = 0; i < w.nbest; i++) {
		if (out->n == NFD_PATH_MAX) {
			snprintf(why, len, "more than %d jumps and gotos",
				 NFD_PATH_MAX);
			return -1;
		}
		out->handle[out->n] = w.best[i];
		out->kind[out->n++] = NFD_HOP_GOTO;
	}
	return 0;
}

static int resolve(const struct table_ref *t, const struct nfd_rule *r,
		   struct nfd_path *out, char *why, size_t len)
{
	const struct nfd_path *p = &r->path;
	struct targets starts = { 0 };
	const char *base, *end, *text;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	out->known = 1;
	base = nfd_ruleset_chain_by_handle(t->rs, t->family, t->table,
					   p->base_handle);
	if (!base || add_target(t, &starts, base)) {
		snprintf(why, len,
			 "its base chain (handle %u) is not in the ruleset "
			 "listed",
			 p->base_handle);
		goto out;
	}
	for (int i = 0; i <= p->n; i++) {
		text = NULL;
		end = i < p->n ? nfd_ruleset_chain_of(t->rs, t->family,
						      t->table, p->handle[i],
						      &text) :
				 r->chain;
		end = end ? nfd_ruleset_chain(t->rs, t->family, t->table, end) :
			    NULL;
		if (!end) {
			if (i < p->n)
				snprintf(why, len,
					 "rule handle %llu is not in the "
					 "ruleset listed",
					 (unsigned long long)p->handle[i]);
			else
				snprintf(why, len,
					 "its chain is not in the ruleset "
					 "listed");
			goto out;
		}
		if (stretch(t, &starts, end, out, why, len))
			goto out;
		if (i == p->n)
			break;
		if (out->n == NFD_PATH_MAX) {
			snprintf(why, len, "more than %d jumps and gotos",
				 NFD_PATH_MAX);
			goto out;
		}
		out->handle[out->n] = p->handle[i];
		out->kind[out->n++] = NFD_HOP_JUMP;
		if (rule_targets(t, text, "jump", &starts) || !starts.n) {
			snprintf(why, len,
				 "rule handle %llu: its jumps were not all "
				 "read for sure",
				 (unsigned long long)p->handle[i]);
			goto out;
		}
	}
	rc = 0;
out:
	free(starts.v);
	return rc;
}

struct cached {
	struct nfd_ruleset *rs;
	unsigned int generation;
	struct nfd_rule key; /* family, table, chain, path */
	struct nfd_path path;
	int rc;
	char why[3072];
};

static struct cached cache[CACHE_SIZE];

static uint32_t key_hash(const struct nfd_ruleset *rs, const struct nfd_rule *r)
{
	uint32_t h = 2166136261u ^ (uint32_t)(uintptr_t)rs;
	const unsigned char *parts[] = { (const void *)r->table,
					 (const void *)r->chain,
					 (const void *)&r->path };
	size_t lens[] = { strnlen(r->table, sizeof(r->table)),
			  strnlen(r->chain, sizeof(r->chain)),
			  sizeof(r->path) };

	h = (h ^ r->family) * 16777619u;
	for (int i = 0; i < 3; i++)
		for (size_t j = 0; j < lens[i]; j++)
			h = (h ^ parts[i][j]) * 16777619u;
	return h % CACHE_SIZE;
}

static bool same_key(const struct nfd_rule *a, const struct nfd_rule *b)
{
	return a->family == b->family &&
	       !strncmp(a->table, b->table, sizeof(a->table) - 1) &&
	       !strncmp(a->chain, b->chain, sizeof(a->chain) - 1) &&
	       !memcmp(&a->path, &b->path, sizeof(a->path));
}

int nfd_goto_path(struct nfd_ruleset *rs, const struct nfd_rule *r,
		  struct nfd_path *out, char *why, size_t len)
{
	struct table_ref t = { .rs = rs,
			       .family = nfd_family_name(r->family),
			       .table = r->table };
	struct cached *c = &cache[key_hash(rs, r)];

	if (c->rs == rs && c->generation == nfd_ruleset_generation(rs) &&
	    same_key(&c->key, r))
		goto done;
	c->rs = rs;
	c->generation = nfd_ruleset_generation(rs);
	memset(&c->key, 0, sizeof(c->key));
	c->key.family = r->family;
	memcpy(c->key.table, r->table, sizeof(r->table) - 1);
	memcpy(c->key.chain, r->chain, sizeof(r->chain) - 1);
	c->key.path = r->path;
	c->why[0] = 0;
	t.table = c->key.table;
	if (!nfd_ruleset_graph_sure(rs, t.family, t.table)) {
		snprintf(c->why, sizeof(c->why),
			 "the ruleset listed was not read whole, or has names "
			 "in its table that a rule's text cannot be read back "
			 "by, and backend dropsite sees only jumps");
		c->rc = -1;
	} else {
		c->rc = resolve(&t, &c->key, &c->path, c->why,
				sizeof(c->why));
	}
done:
	*out = c->path;
	snprintf(why, len, "%s", c->why);
	return c->rc;
}
