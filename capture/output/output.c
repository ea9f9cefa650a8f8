// SPDX-License-Identifier: GPL-2.0
/*
 * Where drops go: a pcapng file or one line each on stdout. Each drop is
 * framed as LINUX_SLL2 (sll2.c), filtered with the user's expression
 * (filter.c), and written with a comment naming the rule (comment.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/stat.h>

#include "backend/xt_rules.h"
#include "comment.h"
#include "element.h"
#include "goto_path.h"
#include "dissect.h"
#include "lib/escape.h"
#include "lib/kallsyms.h"
#include "exit.h"
#include "file.h"
#include "filter.h"
#include "json.h"
#include "line.h"
#include "metrics.h"
#include "lib/clock.h"
#include "netns/netns_set.h"
#include "netns/ruleset.h"
#include "output.h"
#include "pcapng.h"
#include "sll2.h"
#include "summary.h"

#define COMMENT_MAX 8192
#define PATH_LINE_MAX 4096 /* longer paths are cut */
/* A drop waits this long at most for its rule's text (nft_run.c). */
#define HOLD_NS (3000000000LL * nfd_time_scale()) /* lib/clock.h */
/* Drops waiting, in bytes at most: past it the oldest goes without. */
#define HOLD_MAX (64u << 20)

/* A drop waiting for its rule's text; the ones after it wait too. */
struct held {
	struct held *next;
	int64_t deadline_ns;
	unsigned int scans; /* of the namespaces, done when it came */
	size_t size; /* of this whole record */
	struct nfd_event ev;
	uint8_t pkt[]; /* ev.cap_len bytes from the network header */
};

/* Interfaces kept at most (those with losses are never let go). */
#define IFACE_MAX 65536
#define IFACE_BUCKETS 4096

struct iface {
	struct iface *next; /* in its bucket */
	struct iface *older, *newer; /* all of them, oldest first */
	uint32_t netns, ifindex;
	char name[4 * NFD_IFNAMSIZ + 1]; /* as the kernel named it, escaped */
	int if_id; /* pcapng interface id, -1 until its IDB is written */
	uint64_t written;
	uint64_t lost_total; /* as the probe counted it */
	uint64_t lost_here; /* events nfdropcap could not read */
	uint64_t lost_unreported; /* for the next packet's epb_dropcount */
};

/* Where drops outside nf_tables were freed, named once each. */
#define DROP_SITES 32
struct drop_site {
	uint64_t location;
	char name[128]; /* "" if it has none */
};

struct nfd_output {
	struct nfd_output_cfg cfg;
	struct nfd_netns_set *nss; /* names and rule texts per namespace */
	struct nfd_file file; /* -w's; file.w NULL: print lines */
	struct nfd_metrics *metrics; /* --metrics', or NULL */
	int64_t metrics_ns; /* when they were written last */
	uint64_t misses; /* drops the probe missed (lost too) */
	int64_t status_ns; /* when the status line was made last */
	uint64_t status_written; /* and how many drops were written then */
	bool status_shown; /* the status line is on stderr's terminal */
	struct nfd_filter filter;
	int err;
	int64_t boot_to_real_ns;
	uint64_t set_up_boot_ns; /* when the backend was set up (boot time) */
	uint64_t first_ts, last_ts;

	struct iface *bucket[IFACE_BUCKETS];
	struct iface *oldest, *newest;
	size_t n_ifaces;
	bool any_idb; /* an IDB was written in the current file */
	size_t file_ifaces; /* IDBs in the current file */
	bool rotation_done; /* -G with -W: the last file is complete */
	struct nfd_summary sum;
	struct held *held, **held_tail; /* in arrival order */
	struct drop_site site[DROP_SITES]; /* kernel functions, resolved */
	size_t n_sites;
	size_t held_bytes;
	uint8_t frame[NFD_SLL2_LEN + NFD_SNAPLEN_MAX];
};

int nfd_output_new(struct nfd_output **outp, const struct nfd_output_cfg *cfg)
{
	struct nfd_output *out = calloc(1, sizeof(*out));
	int ret;

	*outp = NULL;
	if (!out) {
		fprintf(stderr, "nfdropcap: out of memory\n");
		return NFD_EXIT_FAIL;
	}
	out->cfg = *cfg;
	out->file.fd = -1;
	out->held_tail = &out->held;
	out->boot_to_real_ns =
		nfd_clock_ns(CLOCK_REALTIME) - nfd_clock_ns(CLOCK_BOOTTIME);
	ret = nfd_filter_compile(&out->filter, cfg->filter, cfg->snaplen);
	if (ret) {
		nfd_output_free(out);
		return ret;
	}
	*outp = out;
	return 0;
}

int nfd_output_open(struct nfd_output *out)
{
	struct nfd_file_cfg cfg = {
		.path = out->cfg.write_path,
		.rotate = out->cfg.rotate,
		.interrupt = out->cfg.interrupt,
		.chown = out->cfg.chown,
		.uid = out->cfg.uid,
		.gid = out->cfg.gid,
		.shb_comment = out->cfg.shb_comment,
	};

	if (!cfg.path)
		return 0;
	return nfd_file_open(&out->file, &cfg);
}

int nfd_output_begin(struct nfd_output *out)
{
	/* before the file is cut: a failed start leaves that untouched */
	int err = nfd_metrics_new(&out->metrics, out->cfg.metrics_path);

	if (err)
		return err;
	out->metrics_ns = nfd_clock_ns(CLOCK_MONOTONIC);
	if (!out->cfg.write_path)
		return 0;
	return nfd_file_begin(&out->file);
}

void nfd_output_abandon(struct nfd_output *out)
{
	if (out->cfg.write_path)
		nfd_file_abandon(&out->file, out->sum.written > 0);
}

const char *nfd_output_path(const struct nfd_output *out)
{
	return out->cfg.write_path ? out->file.path : NULL;
}

void nfd_output_set_netns(struct nfd_output *out, struct nfd_netns_set *nss)
{
	out->nss = nss;
}

void nfd_output_set_up(struct nfd_output *out)
{
	out->set_up_boot_ns = nfd_clock_ns(CLOCK_BOOTTIME);
}

static struct nfd_netns_entry *find_netns(struct nfd_output *out, uint32_t inum)
{
	return out->nss ? nfd_netns_set_find(out->nss, inum) : NULL;
}

/* What to call namespace @inum (entry @e, if known; escaped), into @buf. */
static const char *netns_name(const struct nfd_netns_entry *e, uint32_t inum,
			      char *buf, size_t len)
{
	if (e)
		return e->ns.name;
	snprintf(buf, len, "net:[%u]", inum);
	return buf;
}

/* Interface name @name (NFD_IFNAMSIZ bytes from the kernel), escaped. */
static void set_name(struct iface *f, const char *name)
{
	nfd_escape(f->name, sizeof(f->name), name, NFD_IFNAMSIZ);
}

static struct iface **bucket_of(struct nfd_output *out, uint32_t netns,
				uint32_t ifindex)
{
	uint32_t h = (netns * 2654435761u) ^ (ifindex * 40503u);

	return &out->bucket[h % IFACE_BUCKETS];
}

static int write_isb(struct nfd_output *out, struct iface *f, uint64_t now);

/*
 * Lets go of @f: its statistics go into the file now (an ISB may stand
 * anywhere after its IDB). A later drop on it gets a new IDB.
 */
static void forget_iface(struct nfd_output *out, struct iface *f)
{
	struct iface **p = bucket_of(out, f->netns, f->ifindex);

	if (out->file.w && !out->err &&
	    (f->if_id >= 0 || f->lost_total || f->lost_here))
		out->err = write_isb(out, f, nfd_clock_ns(CLOCK_REALTIME));
	while (*p != f)
		p = &(*p)->next;
	*p = f->next;
	*(f->older ? &f->older->newer : &out->oldest) = f->newer;
	*(f->newer ? &f->newer->older : &out->newest) = f->older;
	out->n_ifaces--;
	free(f);
}

/* Past IFACE_MAX, the oldest without losses goes (its counts stay right). */
static void bound_ifaces(struct nfd_output *out)
{
	struct iface *f = out->oldest;

	while (f && out->n_ifaces >= IFACE_MAX) {
		struct iface *next = f->newer;

		if (!f->lost_total && !f->lost_here && !f->lost_unreported)
			forget_iface(out, f);
		f = next;
	}
}

static struct iface *find_iface(struct nfd_output *out, uint32_t netns,
				uint32_t ifindex, const char *name)
{
	struct iface **b = bucket_of(out, netns, ifindex), *f;

	for (f = *b; f; f = f->next) {
		if (f->netns == netns && f->ifindex == ifindex) {
			if (name && name[0] && !f->name[0])
				set_name(f, name);
			return f;
		}
	}
	bound_ifaces(out);
	f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->netns = netns;
	f->ifindex = ifindex;
	f->if_id = -1;
	if (name)
		set_name(f, name);
	f->next = *b;
	*b = f;
	f->older = out->newest;
	*(out->newest ? &out->newest->newer : &out->oldest) = f;
	out->newest = f;
	out->n_ifaces++;
	return f;
}

void nfd_output_missed(struct nfd_output *out, uint64_t misses)
{
	out->misses = misses;
}

void nfd_output_netns_gone(struct nfd_output *out, uint32_t netns)
{
	struct iface *f = out->oldest;

	while (f) {
		struct iface *next = f->newer;

		if (f->netns == netns)
			forget_iface(out, f);
		f = next;
	}
}

/*
 * What @f is called in the file and in JSON: its name, "ifindexN" if the
 * kernel gave none (gone), "unknown" for the losses of no interface.
 */
static void iface_name(const struct iface *f, char *name, size_t len)
{
	if (f->name[0])
		snprintf(name, len, "%s", f->name);
	else if (!f->netns && !f->ifindex)
		snprintf(name, len, "unknown");
	else
		snprintf(name, len, "ifindex%u", f->ifindex);
}

/* The IDB of @f, its strings in @name and @descr. */
static void make_idb(struct nfd_output *out, const struct iface *f,
		     struct pcapng_idb *idb, char *name, size_t name_len,
		     char *descr, size_t descr_len)
{
	char nsbuf[32];

	*idb = (struct pcapng_idb){
		.linktype = NFD_LINKTYPE_LINUX_SLL2,
		.snaplen = out->cfg.snaplen,
		.name = name,
		.description = descr,
		.tsresol = PCAPNG_TSRESOL_NSEC,
	};
	iface_name(f, name, name_len);
	if (!f->netns && !f->ifindex)
		snprintf(descr, descr_len,
			 "losses not counted per interface (too many "
			 "interfaces had losses) and events nfdropcap could "
			 "not read");
	else
		snprintf(descr, descr_len,
			 "%s (ifindex %u) in network namespace %s (net:[%u])",
			 name, f->ifindex,
			 netns_name(find_netns(out, f->netns), f->netns, nsbuf,
				    sizeof(nsbuf)),
			 f->netns);
}

static int write_idb(struct nfd_output *out, struct iface *f)
{
	char name[sizeof(f->name) + 16], descr[2048];
	struct pcapng_idb idb;
	int id;

	make_idb(out, f, &idb, name, sizeof(name), descr, sizeof(descr));
	id = pcapng_write_idb(out->file.w, &idb);
	if (id < 0)
		return id;
	f->if_id = id;
	out->any_idb = true;
	out->file_ifaces++;
	return 0;
}

/* Bytes @f's IDB takes. */
static size_t idb_size(struct nfd_output *out, const struct iface *f)
{
	char name[sizeof(f->name) + 16], descr[2048];
	struct pcapng_idb idb;

	make_idb(out, f, &idb, name, sizeof(name), descr, sizeof(descr));
	return pcapng_encode_idb(NULL, 0, &idb);
}

static const char *rule_text(struct nfd_ruleset *rs, const struct nfd_rule *r)
{
	if (r->kind != NFD_KIND_RULE || !rs)
		return NULL;
	return nfd_ruleset_rule(rs, nfd_family_name(r->family), r->table,
				r->chain, r->handle);
}

/*
 * The kernel function that freed a drop at @location, from /proc/kallsyms
 * once per place (few: nf_hook_slow and the like); NULL if unknown.
 */
static const char *drop_site(struct nfd_output *out, uint64_t location)
{
	struct drop_site *d;

	for (size_t i = 0; i < out->n_sites; i++)
		if (out->site[i].location == location)
			return out->site[i].name[0] ? out->site[i].name : NULL;
	if (out->n_sites == DROP_SITES)
		return NULL;
	d = &out->site[out->n_sites++];
	d->location = location;
	if (!location || nfd_kallsyms_name(location, d->name, sizeof(d->name)))
		d->name[0] = 0;
	return d->name[0] ? d->name : NULL;
}

static const char *chain_of(void *ctx, const struct nfd_rule *r,
			    uint64_t handle, const char **text)
{
	return nfd_ruleset_chain_of(ctx, nfd_family_name(r->family), r->table,
				    handle, text);
}

struct map_ctx {
	struct nfd_ruleset *rs;
	const struct nfd_rule *r;
};

static const char *map_of(void *ctx, const char *name)
{
	struct map_ctx *m = ctx;

	return nfd_ruleset_set(m->rs, nfd_family_name(m->r->family),
			       m->r->table, name, NULL);
}

/*
 * "element: ..." when a verdict map decided the drop, or the last jump or
 * goto that led to it, and the element is certain (element.c); else "".
 */
static void element_line(struct nfd_output *out, struct nfd_ruleset *rs,
			 const struct nfd_event *ev, const struct nfd_rule *r,
			 const char *text, char *buf, size_t len)
{
	struct map_ctx ctx = { .rs = rs, .r = r };
	const struct nfd_path *p = &r->path;
	char verdict[NFD_NAME_MAX + 8], found[2048];
	struct nfd_pkt_view v;

	buf[0] = 0;
	if (!text || r->kind != NFD_KIND_RULE)
		return;
	snprintf(verdict, sizeof(verdict), "drop");
	if (!strstr(text, " vmap ")) {
		if (!p->known || p->cut || !p->n || p->n > NFD_PATH_MAX)
			return;
		text = NULL;
		nfd_ruleset_chain_of(rs, nfd_family_name(r->family), r->table,
				     p->handle[p->n - 1], &text);
		if (!text || !strstr(text, " vmap "))
			return;
		snprintf(verdict, sizeof(verdict), "%s %.*s",
			 p->kind[p->n - 1] == NFD_HOP_GOTO ? "goto" : "jump",
			 (int)sizeof(r->chain), r->chain);
	}
	nfd_pkt_view(&v, ntohs(ev->protocol), out->frame + NFD_SLL2_LEN,
		     ev->cap_len);
	if (!nfd_element_find(text, &v, verdict, map_of, &ctx, found,
			      sizeof(found)))
		snprintf(buf, len, "\nelement: %s", found);
}

/*
 * The path line of @r (comment.c). A path of jumps only (backend dropsite)
 * gets its gotos back from the ruleset first, into @r, or reads "path:
 * unknown (why)".
 */
static void path_line(struct nfd_ruleset *rs, struct nfd_rule *r, char *buf,
		      size_t len)
{
	char why[PATH_LINE_MAX - 32];

	buf[0] = 0;
	if (!rs)
		return;
	if (r->kind == NFD_KIND_RULE && r->path.known &&
	    r->path.jumps_only == 1 &&
	    nfd_goto_path(rs, r, &r->path, why, sizeof(why))) {
		r->path.known = 0; /* no element line from an unknown path */
		snprintf(buf, len, "path: unknown (%s)", why);
		return;
	}
	nfd_comment_path(buf, len, r, chain_of, rs);
}

/* "iptables: -A ..." for a rule iptables-nft manages; else "". */
static void xt_line(struct nfd_ruleset *rs, const struct nfd_rule *r, char *buf,
		    size_t len)
{
	const char *xt = NULL;
	char esc[2048];

	buf[0] = 0;
	if (r->kind == NFD_KIND_RULE)
		xt = nfd_ruleset_xt(rs, nfd_family_name(r->family), r->table,
				    r->chain, r->handle);
	if (!xt)
		return;
	nfd_escape_str(esc, sizeof(esc), xt);
	snprintf(buf, len, "\niptables: %s", esc);
}

/*
 * The comment: the first line names the drop (comment.c), then why there
 * is no rule text if there is none, the path of jumps that led to the
 * rule, then the namespace, interface and direction. Every string in it
 * is escaped: one line each, always all of them (the first line is cut
 * to make room for the others).
 */
static void make_comment(struct nfd_output *out, const struct nfd_event *ev,
			 const struct iface *f, char *buf, size_t len)
{
	/* one lookup of the namespace serves its rule text and its name */
	struct nfd_netns_entry *e = find_netns(out, ev->netns);
	struct nfd_ruleset *rs = e ? e->rs : NULL;
	const char *text = rule_text(rs, &ev->rule);
	char nsbuf[32], rest[2048 + PATH_LINE_MAX], path[PATH_LINE_MAX];
	struct nfd_rule rule = ev->rule; /* its path made whole, if it can be */
	const char *where;
	size_t n = 0;

	if (ev->rule.kind == NFD_KIND_RULE && !text)
		n = snprintf(rest, sizeof(rest), "\nrule text unavailable: %s",
			     rs ? nfd_ruleset_why(rs) :
				  "nfdropcap did not join its namespace");
	path_line(rs, &rule, path, sizeof(path));
	if (path[0])
		n += snprintf(rest + n, sizeof(rest) - n, "\n%s", path);
	if (rs)
		element_line(out, rs, ev, &rule, text, rest + n,
			     sizeof(rest) - n);
	n += strlen(rest + n);
	if (rs)
		xt_line(rs, &ev->rule, rest + n, sizeof(rest) - n);
	n += strlen(rest + n);
	snprintf(rest + n, sizeof(rest) - n, "\nnetns %s interface %s %s",
		 netns_name(e, ev->netns, nsbuf, sizeof(nsbuf)),
		 f->name[0] ? f->name : "?",
		 ev->dir == NFD_DIR_IN ? "inbound" : "outbound");
	where = ev->rule.kind == NFD_KIND_NONE &&
				ev->rule.why == NFD_WHY_NOT_NFT ?
			drop_site(out, ev->location) :
			NULL;
	if (where)
		nfd_comment_outside(buf, len - strlen(rest), where);
	else
		nfd_comment_line(buf, len - strlen(rest), &ev->rule, text);
	strcat(buf, rest);
}

/* The bytes of a frame of @framelen its record keeps: up to the snaplen. */
static uint32_t record_caplen(const struct nfd_output *out, uint32_t framelen)
{
	return framelen < out->cfg.snaplen ? framelen : out->cfg.snaplen;
}

static int write_isb(struct nfd_output *out, struct iface *f, uint64_t now);
static int write_placeholder_idb(struct nfd_output *out);

/* Bytes an ISB takes, as write_isb() writes it. */
static size_t isb_size(void)
{
	struct pcapng_isb isb = {
		.has_starttime = true,
		.has_endtime = true,
		.has_ifdrop = true,
		.has_usrdeliv = true,
	};

	return pcapng_encode_isb(NULL, 0, &isb);
}

/*
 * Ends the current file: the statistics of the interfaces in it (at the
 * end, also of those with losses but no packet in it), an IDB if it has
 * none (libpcap refuses a file without one).
 */
static int end_file(struct nfd_output *out, bool last)
{
	uint64_t now = nfd_clock_ns(CLOCK_REALTIME);
	int err = 0;

	for (struct iface *f = out->oldest; f && !err; f = f->newer)
		if (f->if_id >= 0 || (last && (f->lost_total || f->lost_here)))
			err = write_isb(out, f, now);
	if (!out->any_idb && !err)
		err = write_placeholder_idb(out);
	return err;
}

/*
 * -C or -G: the current file is ended and the next one begun; drops go on
 * in it with new IDBs. With -G and -W, after the last file there is none:
 * the capture is done.
 */
static int rotate(struct nfd_output *out, bool by_time)
{
	int err = end_file(out, false);

	if (err)
		return err;
	for (struct iface *f = out->oldest; f; f = f->newer)
		f->if_id = -1;
	out->any_idb = false;
	out->file_ifaces = 0;
	err = nfd_file_next(&out->file, by_time);
	if (err == 1)
		out->rotation_done = true;
	return err < 0 ? err : 0;
}

/*
 * -C: a new file first if this packet of @epb bytes, with @f's IDB and
 * the statistics written at the end, would take the current one past
 * the size.
 */
static int make_room(struct nfd_output *out, struct iface *f, size_t epb)
{
	uint64_t need = epb + (uint64_t)out->file_ifaces * isb_size();

	if (!out->cfg.rotate.size)
		return 0;
	if (f->if_id < 0)
		need += idb_size(out, f) + isb_size();
	if (!nfd_file_full(&out->file, need))
		return 0;
	return rotate(out, false);
}

void nfd_output_tick(struct nfd_output *out)
{
	int64_t now = nfd_clock_ns(CLOCK_MONOTONIC);

	if (!out->err && !out->rotation_done && nfd_file_due(&out->file))
		out->err = rotate(out, true);
	if (out->metrics && now - out->metrics_ns >= NFD_METRICS_INTERVAL_NS) {
		nfd_metrics_write(out->metrics, out->sum.lost + out->misses);
		out->metrics_ns = now;
	}
}

static int write_epb(struct nfd_output *out, const struct nfd_event *ev,
		     struct iface *f, uint32_t framelen, uint64_t ts,
		     const char *comment)
{
	struct pcapng_epb epb = {
		.ts = ts,
		.caplen = record_caplen(out, framelen),
		.origlen = NFD_SLL2_LEN + ev->pkt_len,
		.data = out->frame,
		.comment = comment,
		.has_flags = true,
		.flags = ev->dir == NFD_DIR_IN ? PCAPNG_EPB_DIR_INBOUND :
						 PCAPNG_EPB_DIR_OUTBOUND,
	};
	int err;

	if (f->lost_unreported) {
		epb.has_dropcount = true;
		epb.dropcount = f->lost_unreported;
	}
	err = make_room(out, f, pcapng_encode_epb(NULL, 0, &epb));
	if (err)
		return err;
	if (f->if_id < 0 && (err = write_idb(out, f)))
		return err;
	epb.if_id = f->if_id;
	f->lost_unreported = 0;
	err = pcapng_write_epb(out->file.w, &epb);
	if (!err)
		out->file.drops++;
	return err;
}

/*
 * Writes out stdout's buffer. A signal interrupting a write gives up only
 * if it asked to stop and the reader then takes nothing for a second (as
 * the pcapng writer does). 0 or -errno.
 */
static int flush_stdout(const struct nfd_output *out)
{
	struct pollfd p = { .fd = STDOUT_FILENO, .events = POLLOUT };

	while (fflush(stdout)) {
		if (errno != EINTR)
			return -errno;
		clearerr(stdout);
		if (out->cfg.interrupt && *out->cfg.interrupt &&
		    !(poll(&p, 1, 1000) == 1 && (p.revents & POLLOUT)))
			return -EINTR;
	}
	return 0;
}

/* One line on stdout; 0, or -errno when it could not be written. */
static int print_line(struct nfd_output *out, const struct nfd_event *ev,
		      const struct iface *f, uint64_t ts, const char *comment)
{
	char summary[512], nsbuf[32], line[8192];
	const char *netns = NULL;
	size_t n;

	nfd_output_clear_status(out); /* stdout may be its terminal */
	nfd_dissect(summary, sizeof(summary), ntohs(ev->protocol),
		    out->frame + NFD_SLL2_LEN, ev->cap_len, ev->pkt_len);
	/* which namespace, when there may be more than one, or a path */
	if (out->cfg.netns_in_lines)
		netns = netns_name(find_netns(out, ev->netns), ev->netns, nsbuf,
				   sizeof(nsbuf));
	n = nfd_line_format(line, sizeof(line), ts, f->name,
			    ev->dir == NFD_DIR_IN ? NFD_LINE_IN : NFD_LINE_OUT,
			    summary, comment, netns);
	if (fwrite(line, 1, n, stdout) != n && !ferror(stdout))
		return -EIO;
	return flush_stdout(out);
}

/* --metrics: one more drop of its rule (or reason) in its namespace. */
static void count_metrics(struct nfd_output *out, const struct nfd_event *ev,
			  const char *comment)
{
	char reason[2048], nsbuf[32];
	const char *netns = netns_name(find_netns(out, ev->netns), ev->netns,
				       nsbuf, sizeof(nsbuf));

	reason[0] = 0;
	if (ev->rule.kind == NFD_KIND_NONE)
		nfd_comment_reason(comment, reason, sizeof(reason));
	nfd_metrics_drop(out->metrics, netns, &ev->rule, reason);
}

/* --json: the drop as one line of JSON on stdout, flushed. */
static int print_json(struct nfd_output *out, const struct nfd_event *ev,
		      const struct iface *f, uint32_t framelen, uint64_t ts,
		      const char *comment)
{
	static char line[NFD_JSON_LINE_MAX];
	static char rule[16384];
	char table[NFD_ESCAPED_NAME_MAX], chain[NFD_ESCAPED_NAME_MAX];
	char reason[2048], name[sizeof(f->name) + 16], nsbuf[32];
	struct nfd_netns_entry *e = find_netns(out, ev->netns);
	const struct nfd_rule *r = &ev->rule;
	const char *text = rule_text(e ? e->rs : NULL, r);
	bool attributed = r->kind != NFD_KIND_NONE;
	struct nfd_pkt_view v;
	struct nfd_json_drop d = {
		.ts_ns = ts,
		.netns = netns_name(e, ev->netns, nsbuf, sizeof(nsbuf)),
		.interface = name,
		.inbound = ev->dir == NFD_DIR_IN,
		.attributed = attributed,
		.policy = r->kind == NFD_KIND_POLICY,
		.has_handle = r->kind == NFD_KIND_RULE,
		.handle = r->handle,
		.pkt = &v,
		.length = NFD_SLL2_LEN + ev->pkt_len,
		.caplen = record_caplen(out, framelen),
	};
	size_t n;

	iface_name(f, name, sizeof(name));
	if (attributed) {
		nfd_rule_names(r, table, chain);
		d.family = nfd_family_name(r->family);
		d.table = table;
		d.chain = chain;
		d.verdict = nfd_verdict_name(r->verdict);
	} else {
		nfd_comment_reason(comment, reason, sizeof(reason));
		d.reason = reason;
	}
	if (text) {
		nfd_escape_str(rule, sizeof(rule), text);
		d.rule = rule;
	}
	nfd_pkt_view(&v, ntohs(ev->protocol), out->frame + NFD_SLL2_LEN,
		     ev->cap_len);
	n = nfd_json_line(line, &d);
	nfd_output_clear_status(out); /* stdout may be its terminal */
	if (fwrite(line, 1, n, stdout) != n)
		return -EIO;
	return flush_stdout(out);
}

/*
 * An event nfdropcap could not read: lost, counted with the losses of no
 * interface in particular ({0, 0}, as the probe's own when its table is
 * full).
 */
static int count_unreadable(struct nfd_output *out)
{
	struct iface *f = find_iface(out, 0, 0, NULL);

	out->sum.lost++;
	out->sum.unreadable++;
	if (f) {
		f->lost_here++;
		f->lost_unreported++;
	}
	return out->err;
}

/*
 * The sample as an event of this version, copied into @ev (a sample is
 * only 4-byte aligned), and where its packet bytes are; false if it is
 * not one.
 */
static bool read_event(const void *data, uint32_t size, struct nfd_event *ev,
		       const uint8_t **pkt)
{
	if (size < sizeof(*ev))
		return false;
	memcpy(ev, data, sizeof(*ev));
	if (ev->version != NFD_EVENT_VERSION || ev->size != sizeof(*ev) ||
	    ev->cap_len > NFD_SNAPLEN_MAX ||
	    size < sizeof(*ev) + (uint64_t)ev->data_off + ev->cap_len)
		return false;
	*pkt = (const uint8_t *)data + sizeof(*ev) + ev->data_off;
	return true;
}

/*
 * A verdict not seen, before the backend was set up (its programs attach
 * one by one; --all-netns joins the namespaces after them): that is why.
 * Who dropped it, when that was seen (conntrack, iptables-legacy), stays.
 */
static bool while_starting(const struct nfd_output *out,
			   const struct nfd_event *ev)
{
	switch (ev->rule.why) {
	case NFD_WHY_NOT_NFT:
	case NFD_WHY_XT_LEGACY:
	case NFD_WHY_CONNTRACK:
	case NFD_WHY_CT_FULL:
		return false;
	default:
		return ev->rule.kind == NFD_KIND_NONE &&
		       ev->ts_ns < out->set_up_boot_ns;
	}
}

/*
 * @ev, or a copy in @named that says why it came while starting, or where
 * its iptables-legacy rule can be named (xt_rules.h).
 */
static const struct nfd_event *name_rule(const struct nfd_output *out,
					 const struct nfd_event *ev,
					 struct nfd_event *named)
{
	if (while_starting(out, ev)) {
		*named = *ev;
		named->rule.why = NFD_WHY_STARTING;
		return named;
	}
	if (ev->rule.kind != NFD_KIND_NONE ||
	    ev->rule.why != NFD_WHY_XT_LEGACY || !ev->rule.xt_known)
		return ev;
	*named = *ev;
	return nfd_xt_rules_name(ev->netns, &named->rule) ? ev : named;
}

/* Writes one drop (filter, frame, comment): 0 or -errno. */
static int write_event(struct nfd_output *out, const struct nfd_event *ev,
		       const uint8_t *pkt)
{
	char comment[COMMENT_MAX];
	struct nfd_event named;
	uint32_t framelen;
	struct iface *f;
	uint64_t ts;

	ev = name_rule(out, ev, &named);

	if (out->err || nfd_output_done(out))
		return out->err;
	out->sum.seen++;
	framelen = nfd_sll2_frame(out->frame, ev, pkt);
	if (!nfd_filter_pass(&out->filter, out->frame, framelen,
			     NFD_SLL2_LEN + ev->pkt_len)) {
		out->sum.filtered++;
		return 0;
	}
	f = find_iface(out, ev->netns, ev->ifindex, ev->ifname);
	if (!f)
		return out->err = -ENOMEM;
	ts = ev->ts_ns + out->boot_to_real_ns;
	make_comment(out, ev, f, comment, sizeof(comment));
	if (out->file.w)
		out->err = write_epb(out, ev, f, framelen, ts, comment);
	else if (!out->cfg.json)
		out->err = print_line(out, ev, f, ts, comment);
	if (!out->err && out->cfg.json)
		out->err = print_json(out, ev, f, framelen, ts, comment);
	if (!out->err && out->metrics)
		count_metrics(out, ev, comment);
	if (out->err)
		return out->err;
	if (!out->first_ts)
		out->first_ts = ts;
	out->last_ts = ts;
	f->written++;
	nfd_summary_count(&out->sum, &ev->rule);
	return 0;
}

/*
 * Did this drop come from a namespace not found yet (--all-netns), that a
 * scan done since it came (@scans: those done by then) may find and name?
 */
static bool netns_coming(struct nfd_output *out, const struct nfd_event *ev,
			 unsigned int scans)
{
	if (!ev->netns || !out->nss || !out->nss->all ||
	    out->nss->scans != scans)
		return false;
	out->nss->scan_wanted = true;
	return true;
}

/*
 * Is this drop's namespace, or its rule's text (or its iptables-nft-save
 * line), missing now, and may a scan or a listing bring it?
 */
static bool text_coming(struct nfd_output *out, const struct nfd_event *ev,
			unsigned int scans)
{
	const struct nfd_rule *r = &ev->rule;
	struct nfd_netns_entry *e = find_netns(out, ev->netns);

	if (!e)
		return netns_coming(out, ev, scans);
	if (r->kind != NFD_KIND_RULE || !e->rs)
		return false;
	if (!rule_text(e->rs, r))
		return nfd_ruleset_busy(e->rs);
	return !nfd_ruleset_xt(e->rs, nfd_family_name(r->family), r->table,
			       r->chain, r->handle) &&
	       nfd_ruleset_xt_coming(e->rs, nfd_family_name(r->family),
				     r->table);
}

static unsigned int scans_now(const struct nfd_output *out)
{
	return out->nss ? out->nss->scans : 0;
}

static void release_one(struct nfd_output *out)
{
	struct held *h = out->held;

	out->held = h->next;
	if (!out->held)
		out->held_tail = &out->held;
	out->held_bytes -= h->size;
	write_event(out, &h->ev, h->pkt);
	free(h);
}

void nfd_output_release(struct nfd_output *out, bool all)
{
	int64_t now = nfd_clock_ns(CLOCK_MONOTONIC);

	while (out->held) {
		if (!all && now < out->held->deadline_ns &&
		    text_coming(out, &out->held->ev, out->held->scans))
			break;
		release_one(out);
	}
}

bool nfd_output_holding(const struct nfd_output *out)
{
	return out->held != NULL;
}

/* Keeps a copy of the drop until its rule's text comes, in order. */
static int hold(struct nfd_output *out, const struct nfd_event *ev,
		const uint8_t *pkt)
{
	size_t size = sizeof(struct held) + ev->cap_len;
	struct held *h;

	while (out->held && out->held_bytes + size > HOLD_MAX)
		release_one(out); /* the oldest goes without its text */
	h = malloc(size);
	if (!h) /* no room to wait: write it now */
		return write_event(out, ev, pkt);
	h->next = NULL;
	h->size = size;
	h->deadline_ns = nfd_clock_ns(CLOCK_MONOTONIC) + HOLD_NS;
	h->scans = scans_now(out);
	h->ev = *ev;
	memcpy(h->pkt, pkt, ev->cap_len);
	*out->held_tail = h;
	out->held_tail = &h->next;
	out->held_bytes += size;
	return 0;
}

int nfd_output_event(struct nfd_output *out, const void *data, uint32_t size)
{
	struct nfd_event ev;
	const uint8_t *pkt;

	if (!read_event(data, size, &ev, &pkt))
		return count_unreadable(out);
	if (out->err || nfd_output_done(out))
		return out->err;
	if (out->held || text_coming(out, &ev, scans_now(out)))
		return hold(out, &ev, pkt);
	return write_event(out, &ev, pkt);
}

void nfd_output_lost(struct nfd_output *out, uint32_t netns, uint32_t ifindex,
		     uint64_t total)
{
	struct iface *f = total ? find_iface(out, netns, ifindex, NULL) : NULL;

	if (!f || total <= f->lost_total)
		return;
	if (!netns && !ifindex)
		out->sum.lost_shared += total - f->lost_total;
	f->lost_unreported += total - f->lost_total;
	out->sum.lost += total - f->lost_total;
	f->lost_total = total;
}

/*
 * Has the reader of a pipe we write to gone (`nfdropcap | head -n 1`)?
 * Seen without writing: the pipe's write end reports an error.
 */
static bool reader_gone(const struct nfd_output *out)
{
	struct pollfd p = { .fd = STDOUT_FILENO };

	if (out->cfg.write_path && strcmp(out->cfg.write_path, "-"))
		return false;
	return poll(&p, 1, 0) == 1 && (p.revents & POLLERR);
}

int nfd_output_flush(struct nfd_output *out)
{
	if (out->file.w && !out->err)
		out->err = pcapng_flush(out->file.w);
	if (!out->err && reader_gone(out))
		out->err = -EPIPE;
	return out->err;
}

bool nfd_output_done(const struct nfd_output *out)
{
	return (out->cfg.count && out->sum.written >= out->cfg.count) ||
	       out->rotation_done;
}

int nfd_output_error(const struct nfd_output *out)
{
	return out->err;
}

static int write_isb(struct nfd_output *out, struct iface *f, uint64_t now)
{
	struct pcapng_isb isb = {
		.ts = now,
		.has_starttime = out->first_ts != 0,
		.starttime = out->first_ts,
		.has_endtime = true,
		.endtime = now,
		.has_ifdrop = true,
		.ifdrop = f->lost_total + f->lost_here,
		.has_usrdeliv = true,
		.usrdeliv = f->written,
	};
	int err;

	if (f->if_id < 0 && (err = write_idb(out, f)))
		return err;
	isb.if_id = f->if_id;
	return pcapng_write_isb(out->file.w, &isb);
}

/*
 * libpcap (tcpdump) refuses a pcapng file without an Interface Description
 * Block: a capture that saw no drop still gets one, named for what it is.
 */
static int write_placeholder_idb(struct nfd_output *out)
{
	struct pcapng_idb idb = {
		.linktype = NFD_LINKTYPE_LINUX_SLL2,
		.snaplen = out->cfg.snaplen,
		.name = "none",
		.description = "no drop was captured",
		.tsresol = PCAPNG_TSRESOL_NSEC,
	};
	int id = pcapng_write_idb(out->file.w, &idb);

	return id < 0 ? id : 0;
}

int nfd_output_close(struct nfd_output *out)
{
	int err;

	nfd_output_release(out, true);
	nfd_metrics_write(out->metrics, out->sum.lost + out->misses);
	err = out->err;
	if (!out->file.w)
		return err;
	if (!err)
		err = end_file(out, true);
	/* close even after an error: what reached the file stays valid */
	if (nfd_file_close(&out->file) && !err)
		err = -EIO;
	if (!out->err)
		out->err = err;
	return err;
}

void nfd_output_show_status(struct nfd_output *out, int64_t elapsed_ns,
			    int width)
{
	int64_t dt = elapsed_ns - out->status_ns;
	/* the rate since the line was shown last */
	uint64_t rate = dt > 0 ? (out->sum.written - out->status_written) *
					 1000000000 / (uint64_t)dt :
				 0;
	char line[1024];

	out->status_ns = elapsed_ns;
	out->status_written = out->sum.written;
	nfd_summary_status(&out->sum, out->misses, elapsed_ns, rate, line,
			   sizeof(line), width);
	fprintf(stderr, "\r\033[K%s", line);
	out->status_shown = true;
}

void nfd_output_clear_status(struct nfd_output *out)
{
	if (out->status_shown)
		fputs("\r\033[K", stderr);
	out->status_shown = false;
}

void nfd_output_summary(const struct nfd_output *out, uint64_t misses)
{
	char esc[4 * PATH_MAX];

	nfd_summary_print(&out->sum, misses);
	if (out->cfg.write_path && nfd_rotate_on(&out->cfg.rotate)) {
		nfd_escape_str(esc, sizeof(esc), out->file.path);
		fprintf(stderr, "nfdropcap: %u file%s begun, the last '%s'\n",
			out->file.files, out->file.files == 1 ? "" : "s", esc);
	}
}

void nfd_output_free(struct nfd_output *out)
{
	struct held *h;

	if (!out)
		return;
	nfd_file_close(&out->file);
	nfd_metrics_free(out->metrics);
	if (out->file.fd >= 0)
		close(out->file.fd);
	while ((h = out->held)) {
		out->held = h->next;
		free(h);
	}
	nfd_filter_free(&out->filter);
	nfd_summary_free(&out->sum);
	while (out->oldest) {
		struct iface *f = out->oldest;

		out->oldest = f->newer;
		free(f);
	}
	free(out);
}
