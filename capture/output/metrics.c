// SPDX-License-Identifier: GPL-2.0
/* Per-rule drop counters for Prometheus' textfile collector (metrics.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "comment.h"
#include "metrics.h"

#define METRICS_SERIES_MAX 10000
#define BUCKETS 4096
#define LABELS_MAX 4096

enum family { DROPS, UNATTRIBUTED, FAMILIES };

static const struct {
	const char *name, *help;
} families[FAMILIES] = {
	[DROPS] = { "nfdropcap_drops_total",
		    "Drops captured, by the nftables rule (handle) or base "
		    "chain policy (handle=\"policy\") that dropped them." },
	[UNATTRIBUTED] = { "nfdropcap_unattributed_total",
			   "Drops captured that no nftables rule or policy "
			   "is named for, by the reason why." },
};

struct series {
	struct series *next; /* in its bucket */
	struct series *after; /* in the order first seen */
	enum family family;
	uint64_t n;
	char labels[]; /* netns="...",... as written */
};

struct nfd_metrics {
	char *path;
	struct series *bucket[BUCKETS];
	struct series *first, **last;
	size_t n;
	int reported; /* the last error said, not to say it every time */
};

static uint32_t hash(enum family f, const char *s)
{
	uint32_t h = 2166136261u ^ f;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h % BUCKETS;
}

/* @s (escaped already) as a quoted label value: \ " and newline escaped. */
static size_t label(char *buf, size_t len, size_t n, const char *name,
		    const char *s)
{
	n += snprintf(buf + n, n < len ? len - n : 0, "%s%s=\"", n ? "," : "",
		      name);
	for (; *s && n + 3 < len; s++) {
		if (*s == '\\' || *s == '"')
			buf[n++] = '\\';
		buf[n++] = *s == '\n' ? 'n' : *s;
	}
	n += snprintf(buf + n, n < len ? len - n : 0, "\"");
	return n < len ? n : len - 1;
}

/* The series of @labels, made if new (past the bound only if @any). */
static struct series *find(struct nfd_metrics *m, enum family f,
			   const char *labels, bool any)
{
	struct series **b = &m->bucket[hash(f, labels)], *s;
	size_t len = strlen(labels) + 1;

	for (s = *b; s; s = s->next)
		if (s->family == f && !strcmp(s->labels, labels))
			return s;
	if ((m->n >= METRICS_SERIES_MAX && !any) ||
	    !(s = calloc(1, sizeof(*s) + len)))
		return NULL;
	s->family = f;
	memcpy(s->labels, labels, len);
	s->next = *b;
	*b = s;
	*m->last = s;
	m->last = &s->after;
	m->n++;
	return s;
}

/* The labels of one drop of @r in @netns (or of @reason). */
static void make_labels(char *buf, size_t len, const char *netns,
			const struct nfd_rule *r, const char *reason)
{
	char table[NFD_ESCAPED_NAME_MAX], chain[NFD_ESCAPED_NAME_MAX], h[24];
	size_t n = label(buf, len, 0, "netns", netns);

	if (r->kind == NFD_KIND_NONE) {
		label(buf, len, n, "reason", reason ? reason : "");
		return;
	}
	nfd_rule_names(r, table, chain);
	if (r->kind == NFD_KIND_POLICY)
		snprintf(h, sizeof(h), "policy");
	else
		snprintf(h, sizeof(h), "%" PRIu64, (uint64_t)r->handle);
	n = label(buf, len, n, "family", nfd_family_name(r->family));
	n = label(buf, len, n, "table", table);
	n = label(buf, len, n, "chain", chain);
	n = label(buf, len, n, "handle", h);
	label(buf, len, n, "verdict", nfd_verdict_name(r->verdict));
}

void nfd_metrics_drop(struct nfd_metrics *m, const char *netns,
		      const struct nfd_rule *r, const char *reason)
{
	enum family f = r->kind == NFD_KIND_NONE ? UNATTRIBUTED : DROPS;
	char labels[LABELS_MAX];
	struct series *s;

	if (!m)
		return;
	make_labels(labels, sizeof(labels), netns, r, reason);
	s = find(m, f, labels, false);
	if (!s) /* past the bound: one series says so */
		s = find(m, f,
			 f == DROPS ? "netns=\"other\",family=\"other\","
				      "table=\"other\",chain=\"other\","
				      "handle=\"other\",verdict=\"other\"" :
				      "netns=\"other\",reason=\"other\"",
			 true);
	if (s)
		s->n++;
}

static void print_all(FILE *f, const struct nfd_metrics *m, uint64_t lost)
{
	for (int fam = 0; fam < FAMILIES; fam++) {
		fprintf(f, "# HELP %s %s\n# TYPE %s counter\n",
			families[fam].name, families[fam].help,
			families[fam].name);
		for (const struct series *s = m->first; s; s = s->after)
			if ((int)s->family == fam)
				fprintf(f, "%s{%s} %" PRIu64 "\n",
					families[fam].name, s->labels, s->n);
	}
	fprintf(f,
		"# HELP nfdropcap_lost_total Drops nfdropcap could not "
		"capture (its buffer was full, or an event was unreadable).\n"
		"# TYPE nfdropcap_lost_total counter\n"
		"nfdropcap_lost_total %" PRIu64 "\n",
		lost);
}

int nfd_metrics_write(struct nfd_metrics *m, uint64_t lost)
{
	char tmp[PATH_MAX];
	FILE *f = NULL;
	int fd, err = 0;

	if (!m)
		return 0;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", m->path) >=
	    sizeof(tmp))
		err = -ENAMETOOLONG;
	else if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0)
		err = -errno;
	else if (fchmod(fd, 0644) || !(f = fdopen(fd, "w"))) {
		err = -errno;
		close(fd);
	}
	if (f) {
		print_all(f, m, lost);
		if (fflush(f) || ferror(f))
			err = errno ? -errno : -EIO;
		if (fclose(f) && !err)
			err = -errno;
		if (!err && rename(tmp, m->path))
			err = -errno;
		if (err)
			unlink(tmp);
	}
	if (err && err != m->reported)
		fprintf(stderr,
			"nfdropcap: writing metrics to '%s': %s (give "
			"--metrics a file in a writable directory)\n",
			m->path, strerror(-err));
	m->reported = err;
	return err;
}

int nfd_metrics_new(struct nfd_metrics **mp, const char *path)
{
	struct nfd_metrics *m;
	int err;

	*mp = NULL;
	if (!path)
		return 0;
	m = calloc(1, sizeof(*m));
	if (!m || !(m->path = strdup(path))) {
		free(m);
		return -ENOMEM;
	}
	m->last = &m->first;
	err = nfd_metrics_write(m, 0);
	if (err) {
		nfd_metrics_free(m);
		return err;
	}
	*mp = m;
	return 0;
}

void nfd_metrics_free(struct nfd_metrics *m)
{
	if (!m)
		return;
	while (m->first) {
		struct series *s = m->first;

		m->first = s->after;
		free(s);
	}
	free(m->path);
	free(m);
}
