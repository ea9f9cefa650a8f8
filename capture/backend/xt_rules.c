// SPDX-License-Identifier: GPL-2.0
/* iptables-legacy's rules told by their counters (xt_rules.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <bpf/bpf.h>

#include "drop_probe.h"
#include "drop_probe.skel.h"
#include "lib/clock.h"
#include "lib/kallsyms.h"
#include "netns/netns_set.h"
#include "netns/xt_legacy.h"
#include "xt_rules.h"

#define NFPROTO_IPV4 2
#define NFPROTO_IPV6 10
#define TABLES_MAX 4096 /* map xt_cands' size */
#define ASKS_PER_POLL 64
/*
 * A namespace's owner shapes its tables and may replace them without end:
 * what they can make us do is bounded. Entries kept, all tables together;
 * a table read at most once a second; a poll's reads stop after 20 ms
 * (the rest wait for the next packet's ask).
 */
#define ENTRIES_KEPT_MAX (4u << 20)
#define REREAD_NS 1000000000LL
#define POLL_BUDGET_NS 20000000LL

/* A table as read, at the generation it was read at. */
struct table {
	struct nfd_xt_key key;
	uint64_t gen;
	int64_t read_ns; /* when */
	struct nfd_xtl_table t;
};

static struct {
	int cands, want, gen; /* the maps' fds; want < 0: not started */
	struct table *v;
	size_t n;
	size_t entries; /* kept, all tables */
} xt = { .want = -1 };

/* nr_cpu_ids > 1: the last possible CPU's number is above 0. */
static int smp(void)
{
	FILE *f = fopen("/sys/devices/system/cpu/possible", "re");
	char buf[64] = "";
	char *last;

	if (!f)
		return 1;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	last = strrchr(buf, '-');
	return last ? atoi(last + 1) > 0 : atoi(buf) > 0;
}

int nfd_xt_rules_start(const struct nfd_drop_probe *p, bool replace_hooked,
		       char *why, size_t len)
{
	struct nfd_xt_cfg cfg = { .smp = smp() };
	uint64_t pco, recseq;
	uint32_t zero = 0;
	int err;

	if (!replace_hooked) {
		snprintf(why, len, "table replacements are not traced");
		return -ENOENT;
	}
	if (nfd_kallsyms_addr("__per_cpu_offset", &pco) ||
	    nfd_kallsyms_addr("xt_recseq", &recseq)) {
		snprintf(why, len,
			 "__per_cpu_offset or xt_recseq is not in "
			 "/proc/kallsyms (CONFIG_KALLSYMS_ALL)");
		return -ENOENT;
	}
	cfg.per_cpu_offset = pco;
	cfg.recseq = recseq;
	cfg.on = 1;
	xt.cands = bpf_map__fd(p->skel->maps.xt_cands);
	xt.gen = bpf_map__fd(p->skel->maps.xt_gen);
	err = bpf_map_update_elem(bpf_map__fd(p->skel->maps.xt_cfg), &zero,
				  &cfg, BPF_ANY);
	if (err) {
		snprintf(why, len, "bpf_map_update_elem(xt_cfg): %s",
			 strerror(errno));
		return -errno;
	}
	xt.want = bpf_map__fd(p->skel->maps.xt_want);
	return 0;
}

static uint64_t gen_now(void)
{
	uint32_t zero = 0;
	uint64_t g = 0;

	bpf_map_lookup_elem(xt.gen, &zero, &g);
	return g;
}

static struct table *find(const struct nfd_xt_key *key)
{
	for (size_t i = 0; i < xt.n; i++)
		if (!memcmp(&xt.v[i].key, key, sizeof(*key)))
			return &xt.v[i];
	return NULL;
}

/* @key's table, read through @fd (in its namespace) at one generation. */
static int read_table(int fd, const struct nfd_xt_key *key, struct table *t)
{
	int family = key->pf == NFPROTO_IPV6 ? AF_INET6 : AF_INET;
	char name[NFD_XT_NAME_MAX + 1];
	int err;

	memcpy(name, key->name, NFD_XT_NAME_MAX);
	name[NFD_XT_NAME_MAX] = 0;
	t->key = *key;
	t->gen = gen_now();
	t->read_ns = nfd_clock_ns(CLOCK_MONOTONIC);
	err = nfd_xtl_read(fd, family, name, &t->t);
	if (!err && gen_now() != t->gen) { /* replaced meanwhile */
		nfd_xtl_free(&t->t);
		err = -EAGAIN;
	}
	return err;
}

/* The table's entries that always drop, for the programs (none: > 16). */
static void give(const struct table *t)
{
	struct nfd_xt_cands c = { .gen = t->gen, .size = t->t.size };
	int n = nfd_xtl_drops(&t->t, c.off, NFD_XT_CANDS);

	c.n = n > 0 ? (uint32_t)n : 0;
	bpf_map_update_elem(xt.cands, &t->key, &c, BPF_ANY);
}

/* Keeps @fresh in place of its key's table, and gives it. */
static void keep(struct table *fresh)
{
	struct table *old = find(&fresh->key);

	size_t kept = xt.entries - (old ? old->t.n : 0);

	if (kept + fresh->t.n > ENTRIES_KEPT_MAX ||
	    (!old && xt.n == TABLES_MAX)) {
		nfd_xtl_free(&fresh->t);
		return;
	}
	if (!old) {
		struct table *v = realloc(xt.v, (xt.n + 1) * sizeof(*v));

		if (!v) {
			nfd_xtl_free(&fresh->t);
			return;
		}
		xt.v = v;
		old = &xt.v[xt.n++];
	} else {
		nfd_xtl_free(&old->t);
	}
	*old = *fresh;
	xt.entries = kept + old->t.n;
	give(old);
}

static void answer(struct nfd_netns_set *s, const struct nfd_xt_key *key)
{
	int family = key->pf == NFPROTO_IPV6 ? AF_INET6 : AF_INET;
	struct table fresh, *old = find(key);
	int fd, err;

	if (key->pf != NFPROTO_IPV4 && key->pf != NFPROTO_IPV6)
		return;
	if (old && old->gen == gen_now()) { /* given already: again */
		give(old);
		return;
	}
	if (old && nfd_clock_ns(CLOCK_MONOTONIC) - old->read_ns < REREAD_NS)
		return; /* asked again by a later packet */
	fd = nfd_netns_set_socket(s, key->netns, family, SOCK_RAW,
				  IPPROTO_RAW);
	if (fd < 0)
		return;
	err = read_table(fd, key, &fresh);
	close(fd);
	if (!err)
		keep(&fresh);
}

void nfd_xt_rules_scan_here(uint32_t netns)
{
	static const struct {
		uint8_t pf;
		int family;
		const char *names;
	} fams[] = {
		{ NFPROTO_IPV4, AF_INET, "/proc/thread-self/net/ip_tables_names" },
		{ NFPROTO_IPV6, AF_INET6,
		  "/proc/thread-self/net/ip6_tables_names" },
	};
	char line[64];

	if (xt.want < 0)
		return;
	for (size_t i = 0; i < sizeof(fams) / sizeof(fams[0]); i++) {
		FILE *f = fopen(fams[i].names, "re");
		int fd;

		if (!f)
			continue; /* no such tables here */
		fd = socket(fams[i].family, SOCK_RAW | SOCK_CLOEXEC,
			    IPPROTO_RAW);
		while (fd >= 0 && fgets(line, sizeof(line), f)) {
			struct nfd_xt_key key = { .netns = netns,
						  .pf = fams[i].pf };
			struct table fresh;

			line[strcspn(line, "\n")] = 0;
			if (!line[0] || strlen(line) >= NFD_XT_NAME_MAX)
				continue;
			memcpy(key.name, line, strlen(line));
			if (!read_table(fd, &key, &fresh))
				keep(&fresh);
		}
		if (fd >= 0)
			close(fd);
		fclose(f);
	}
}

void nfd_xt_rules_poll(struct nfd_netns_set *s)
{
	struct nfd_xt_key keys[ASKS_PER_POLL], k;
	size_t n = 0;
	void *prev = NULL;

	if (xt.want < 0)
		return;
	while (n < ASKS_PER_POLL && !bpf_map_get_next_key(xt.want, prev, &k)) {
		keys[n] = k;
		prev = &keys[n++];
	}
	int64_t end = nfd_clock_ns(CLOCK_MONOTONIC) + POLL_BUDGET_NS;

	for (size_t i = 0; i < n && nfd_clock_ns(CLOCK_MONOTONIC) < end; i++) {
		bpf_map_delete_elem(xt.want, &keys[i]);
		answer(s, &keys[i]);
	}
}

int nfd_xt_rules_name(uint32_t netns, struct nfd_rule *r)
{
	struct nfd_xt_key key = { .netns = netns, .pf = r->family };
	const struct nfd_xtl_entry *e;
	const struct table *t;

	memcpy(key.name, r->table, NFD_XT_NAME_MAX);
	key.name[NFD_XT_NAME_MAX - 1] = 0;
	t = find(&key);
	if (!t || t->gen != r->xt_gen || !r->xt_known)
		return -ENOENT;
	e = nfd_xtl_find(&t->t, r->xt_off);
	if (!e || !e->drops)
		return -ENOENT;
	snprintf(r->chain, sizeof(r->chain), "%s", t->t.chains[e->chain]);
	r->xt_num = e->kind == NFD_XTL_POLICY ? 0 : e->num;
	return 0;
}

void nfd_xt_rules_forget_netns(uint32_t netns)
{
	for (size_t i = 0; i < xt.n;) {
		if (xt.v[i].key.netns != netns) {
			i++;
			continue;
		}
		if (xt.want >= 0)
			bpf_map_delete_elem(xt.cands, &xt.v[i].key);
		xt.entries -= xt.v[i].t.n;
		nfd_xtl_free(&xt.v[i].t);
		xt.v[i] = xt.v[--xt.n];
	}
}

void nfd_xt_rules_stop(void)
{
	for (size_t i = 0; i < xt.n; i++)
		nfd_xtl_free(&xt.v[i].t);
	free(xt.v);
	xt.v = NULL;
	xt.n = xt.entries = 0;
	xt.want = -1;
}
