// SPDX-License-Identifier: GPL-2.0
/*
 * nfdropcap -r FILE: reads a capture back. Each packet's first comment line
 * (nfdropcap's attribution) gives the text line's brackets, the summary's
 * rule and JSON's fields; its last line the namespace. Packets of other
 * tools (no comment) print without attribution. What the file holds is
 * untrusted: every string is escaped again before it is printed (what
 * nfdropcap wrote reads back unchanged), every length checked by the
 * reader (pcapng/pcapng_read.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "lib/escape.h"
#include "output/comment.h"
#include "output/dissect.h"
#include "output/element.h"
#include "output/file.h"
#include "output/filter.h"
#include "output/json.h"
#include "output/line.h"
#include "output/sll2.h"
#include "output/summary.h"
#include "pcapng.h"
#include "pcapng_read.h"
#include "readback.h"

#define LINKTYPES_MAX 16
#define TEXT_MAX 8192
#define NO_COMMENT "not attributed: no comment of nfdropcap's in the file"

/* An interface of the file, as read back. */
struct rb_iface {
	int out_id; /* its IDB in the file written (-w), -1 if not yet */
	uint64_t dropcount; /* epb_dropcount, summed */
	uint64_t last_ts; /* of its last packet written, in its units */
};

struct rb_filter {
	uint16_t linktype;
	bool usable; /* the expression compiled for this link type */
	struct nfd_filter f;
};

struct readback {
	const struct nfd_opts *o;
	const char *name; /* the file, for messages */
	struct pcapng_reader *r;
	struct rb_iface *ifaces;
	uint32_t n_ifaces;
	struct rb_filter filters[LINKTYPES_MAX];
	int n_filters;
	struct nfd_file file; /* -w */
	bool writing;
	bool netns_in_lines;
	struct nfd_summary sum;
};

/* A packet's network layer: EtherType, header, lengths, direction. */
struct rb_frame {
	uint16_t proto;
	const uint8_t *nh;
	uint32_t cap, len;
	enum nfd_line_dir dir;
};

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* IPv4 or IPv6 by the version nibble: raw IP link types. */
static uint16_t ip_version(const uint8_t *p, uint32_t cap)
{
	if (!cap)
		return 0;
	return (p[0] >> 4) == 4 ? 0x0800 : (p[0] >> 4) == 6 ? 0x86dd : 0;
}

/* The link header of @lt: its length, and the EtherType it names. */
static uint32_t link_header(uint16_t lt, const uint8_t *d, uint32_t cap,
			    uint16_t *proto, enum nfd_line_dir *dir)
{
	uint32_t hl = 0;

	switch (lt) {
	case NFD_LINKTYPE_LINUX_SLL2: /* protocol at 0, packet type at 10 */
		if (cap < NFD_SLL2_LEN)
			return cap;
		*proto = be16(d);
		*dir = d[10] == 4 ? NFD_LINE_OUT : NFD_LINE_IN;
		return NFD_SLL2_LEN;
	case 113: /* LINUX_SLL: packet type at 0, protocol at 14 */
		if (cap < 16)
			return cap;
		*proto = be16(d + 14);
		*dir = be16(d) == 4 ? NFD_LINE_OUT : NFD_LINE_IN;
		return 16;
	case 1: /* Ethernet, with up to two VLAN tags */
		for (hl = 12; hl + 2 <= cap && hl <= 20; hl += 4) {
			*proto = be16(d + hl);
			if (*proto != 0x8100 && *proto != 0x88a8)
				return hl + 2;
		}
		return cap;
	case 101: /* RAW */
	case 228: /* IPV4 */
	case 229: /* IPV6 */
		*proto = ip_version(d, cap);
		return 0;
	default:
		return 0;
	}
}

static void frame_of(uint16_t lt, const struct pcapng_read_packet *p,
		     struct rb_frame *fr)
{
	uint32_t hl;

	*fr = (struct rb_frame){ .dir = NFD_LINE_UNKNOWN };
	hl = link_header(lt, p->data, p->caplen, &fr->proto, &fr->dir);
	if (p->has_flags && (p->flags & 3) == PCAPNG_EPB_DIR_INBOUND)
		fr->dir = NFD_LINE_IN;
	else if (p->has_flags && (p->flags & 3) == PCAPNG_EPB_DIR_OUTBOUND)
		fr->dir = NFD_LINE_OUT;
	fr->nh = p->data + hl;
	fr->cap = p->caplen - hl;
	fr->len = p->origlen > hl ? p->origlen - hl : 0;
}

/*
 * The attribution of a first comment line @line, without its rule text:
 * "table F T chain C handle N VERDICT" ends at the first " handle N WORD"
 * followed by ": " or the end (a table or chain name that holds such words
 * is cut there: best effort, as names are). *@text: the rule text or NULL.
 */
static size_t head_len(const char *line, size_t n, const char **text)
{
	*text = NULL;
	for (const char *p = strstr(line, " handle "); p && p < line + n;
	     p = strstr(p + 1, " handle ")) {
		const char *q = p + 8;

		if (*q < '0' || *q > '9')
			continue;
		while (*q >= '0' && *q <= '9')
			q++;
		if (*q++ != ' ' || *q < 'a' || *q > 'z')
			continue;
		while (*q >= 'a' && *q <= 'z')
			q++;
		if (q == line + n)
			return n;
		if (q[0] == ':' && q[1] == ' ' && q + 2 <= line + n) {
			*text = q + 2;
			return q - line;
		}
	}
	return n;
}

/* What the summary counts @comment's drop as (nfd_comment_rule's text). */
static bool summary_what(const char *comment, char *what, size_t len)
{
	static const char outside[] =
		"netfilter drop (not attributed: dropped outside nftables";
	const char *eol, *text;
	size_t n;

	if (!comment) {
		snprintf(what, len, "%s", NO_COMMENT);
		return false;
	}
	eol = strchr(comment, '\n');
	n = eol ? (size_t)(eol - comment) : strlen(comment);
	if (!strncmp(comment, outside, sizeof(outside) - 1)) {
		snprintf(what, len, "netfilter drop (not attributed: %s)",
			 nfd_why_text(NFD_WHY_NOT_NFT));
		return false;
	}
	if (!strncmp(comment, "table ", 6))
		n = head_len(comment, n, &text);
	snprintf(what, len, "%.*s", (int)n, comment);
	return !strncmp(comment, "table ", 6);
}

/* The namespace named by the comment's last line "netns N interface I ...". */
static void netns_of(const char *comment, char *buf, size_t len)
{
	const char *last = comment ? strrchr(comment, '\n') : NULL;
	const char *p, *end = NULL;

	snprintf(buf, len, "?");
	if (!last || strncmp(last + 1, "netns ", 6))
		return;
	p = last + 7;
	for (const char *q = strstr(p, " interface "); q;
	     q = strstr(q + 1, " interface "))
		end = q;
	if (end)
		snprintf(buf, len, "%.*s", (int)(end - p), p);
}

/*
 * Does the filter expression keep a packet of link type @lt? Compiled once
 * per link type; where it cannot be (it names what that link type does
 * not have), that type's packets are filtered out, said once. -errno if a
 * file holds more link types than LINKTYPES_MAX.
 */
static int filter_keeps(struct readback *rb, uint16_t lt,
			const struct pcapng_read_packet *p)
{
	struct rb_filter *f = NULL;

	if (!rb->o->filter)
		return 1;
	for (int i = 0; i < rb->n_filters && !f; i++)
		if (rb->filters[i].linktype == lt)
			f = &rb->filters[i];
	if (!f && rb->n_filters == LINKTYPES_MAX) {
		fprintf(stderr, "nfdropcap: '%s' has more than %d link types: "
				"filter it without a filter expression\n",
			rb->name, LINKTYPES_MAX);
		return -E2BIG;
	}
	if (!f) {
		f = &rb->filters[rb->n_filters++];
		f->linktype = lt;
		f->usable = !nfd_filter_compile_quiet(&f->f, rb->o->filter, lt);
		if (!f->usable)
			fprintf(stderr,
				"nfdropcap: note: the filter expression does not "
				"apply to link type %u: its packets are filtered "
				"out\n",
				lt);
	}
	return f->usable && nfd_filter_pass(&f->f, p->data, p->caplen,
					    p->origlen);
}

/* @n bytes to stdout: 0, -EPIPE (the reader went) or -errno. */
static int put_out(const char *s, size_t n)
{
	if (fwrite(s, 1, n, stdout) == n)
		return 0;
	return errno ? -errno : -EIO;
}

static int print_text(struct readback *rb, const struct pcapng_read_iface *i,
		      const struct pcapng_read_packet *p,
		      const struct rb_frame *fr, const char *comment)
{
	char summary[512], iface[256], netns[1024], line[TEXT_MAX];
	size_t n;

	nfd_dissect(summary, sizeof(summary), fr->proto, fr->nh, fr->cap,
		    fr->len);
	nfd_escape_again(iface, sizeof(iface), i->name);
	netns_of(comment, netns, sizeof(netns));
	n = nfd_line_format(line, sizeof(line), p->ts_ns, iface, fr->dir,
			    summary, comment,
			    rb->netns_in_lines && comment ? netns : NULL);
	return put_out(line, n);
}

/*
 * JSON's rule fields from the first comment line @c (escaped already):
 * "table FAMILY TABLE chain CHAIN handle N VERDICT[: TEXT]" or "... chain
 * CHAIN policy VERDICT". A line of neither form leaves @d not attributed.
 */
static void json_rule(struct nfd_json_drop *d, const char *c, char *fam,
		      char *table, char *chain, char *verdict, char *rule)
{
	const char *eol = strchr(c, '\n'), *t, *ch, *text, *sp, *end;
	size_t n = eol ? (size_t)(eol - c) : strlen(c);

	end = c + head_len(c, n, &text);
	t = strchr(c + 6, ' ');
	ch = t && t < end ? strstr(t + 1, " chain ") : NULL;
	if (!ch || ch + 7 >= end)
		return;
	snprintf(fam, 64, "%.*s", (int)(t - c - 6), c + 6);
	snprintf(table, NFD_ESCAPED_NAME_MAX, "%.*s", (int)(ch - t - 1), t + 1);
	ch += 7;
	for (sp = end; sp > ch && sp[-1] != ' ';) /* back to VERDICT */
		sp--;
	snprintf(verdict, 32, "%.*s", (int)(end - sp), sp);
	d->policy = sp - ch >= 8 && !strncmp(sp - 8, " policy ", 8);
	if (d->policy) {
		sp -= 8;
	} else {
		const char *hd = sp - 1;

		while (hd > ch && hd[-1] >= '0' && hd[-1] <= '9')
			hd--;
		if (hd - ch < 8 || strncmp(hd - 8, " handle ", 8))
			return;
		d->has_handle = true;
		d->handle = strtoull(hd, NULL, 10);
		sp = hd - 8;
	}
	snprintf(chain, NFD_ESCAPED_NAME_MAX, "%.*s", (int)(sp - ch), ch);
	d->attributed = true;
	d->family = fam, d->table = table, d->chain = chain;
	d->verdict = verdict;
	if (text) {
		snprintf(rule, 16384, "%.*s", (int)(c + n - text), text);
		d->rule = rule;
	}
}

static int print_json(struct readback *rb, const struct pcapng_read_iface *i,
		      const struct pcapng_read_packet *p,
		      const struct rb_frame *fr, const char *comment)
{
	static char line[NFD_JSON_LINE_MAX], rule[16384];
	char table[NFD_ESCAPED_NAME_MAX], chain[NFD_ESCAPED_NAME_MAX];
	char iface[256], netns[1024], fam[64], verdict[32], reason[2048];
	struct nfd_pkt_view v;
	struct nfd_json_drop d = {
		.ts_ns = p->ts_ns,
		.netns = netns,
		.interface = iface,
		.inbound = fr->dir == NFD_LINE_IN,
		.direction_unknown = fr->dir == NFD_LINE_UNKNOWN,
		.pkt = &v,
		.length = p->origlen,
		.caplen = p->caplen,
	};
	size_t n;

	nfd_escape_again(iface, sizeof(iface), i->name);
	netns_of(comment, netns, sizeof(netns));
	if (comment && !strncmp(comment, "table ", 6))
		json_rule(&d, comment, fam, table, chain, verdict, rule);
	if (!d.attributed) {
		if (comment)
			nfd_comment_reason(comment, reason, sizeof(reason));
		else
			snprintf(reason, sizeof(reason), "%s", NO_COMMENT);
		d.reason = reason;
	}
	nfd_pkt_view(&v, fr->proto, fr->nh, fr->cap);
	n = nfd_json_line(line, &d);
	return put_out(line, n);
}

/*
 * @src's lines escaped again one by one (a file from elsewhere may hold
 * anything), joined by '\n' as they were. NULL stays NULL.
 */
static const char *escape_lines(char *dst, size_t size, const char *src)
{
	size_t n = 0;
	char *line;

	if (!src)
		return NULL;
	dst[0] = 0;
	for (const char *p = src; p && n + 1 < size;) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);

		if (!(line = strndup(p, len)))
			break;
		n += nfd_escape_again(dst + n, size - n, line);
		free(line);
		if (eol && n + 1 < size)
			dst[n++] = '\n';
		dst[n] = 0;
		p = eol ? eol + 1 : NULL;
	}
	return dst;
}

/* -w: the packet's interface (its IDB first, once), then the packet. */
static int write_packet(struct readback *rb, const struct pcapng_read_iface *i,
			const struct pcapng_read_packet *p, const char *comment)
{
	struct rb_iface *ri = &rb->ifaces[p->iface];
	struct pcapng_epb epb = {
		.ts = p->ts,
		.caplen = p->caplen,
		.origlen = p->origlen,
		.data = p->data,
		.comment = comment,
		.has_flags = p->has_flags,
		.flags = p->flags,
		.has_dropcount = p->dropcount != 0,
		.dropcount = p->dropcount,
	};

	if (ri->out_id < 0) {
		struct pcapng_idb idb = {
			.linktype = i->linktype,
			.snaplen = i->snaplen,
			.name = i->name,
			.description = i->description,
			.tsresol = i->tsresol,
		};

		ri->out_id = pcapng_write_idb(rb->file.w, &idb);
		if (ri->out_id < 0)
			return ri->out_id;
	}
	epb.if_id = ri->out_id;
	ri->last_ts = p->ts;
	return pcapng_write_epb(rb->file.w, &epb);
}

/* The interfaces known so far (more come with each IDB read). */
static int grow_ifaces(struct readback *rb)
{
	uint32_t n = pcapng_reader_ifaces(rb->r);
	struct rb_iface *v;

	if (n <= rb->n_ifaces)
		return 0;
	v = realloc(rb->ifaces, n * sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (uint32_t k = rb->n_ifaces; k < n; k++)
		v[k] = (struct rb_iface){ .out_id = -1 };
	rb->ifaces = v;
	rb->n_ifaces = n;
	return 0;
}

/* One packet read: filtered, then written or printed, and counted. */
static int one_packet(struct readback *rb, const struct pcapng_read_packet *p)
{
	static char comment[65536 + 1024];
	const struct pcapng_read_iface *i = pcapng_reader_iface(rb->r, p->iface);
	const char *c = escape_lines(comment, sizeof(comment), p->comment);
	struct rb_frame fr;
	char what[4096];
	bool attributed;
	int err;

	if (!i || (err = grow_ifaces(rb)))
		return i ? err : -EBADMSG;
	rb->ifaces[p->iface].dropcount += p->dropcount;
	rb->sum.seen++;
	if ((err = filter_keeps(rb, i->linktype, p)) <= 0) {
		rb->sum.filtered += !err;
		return err;
	}
	frame_of(i->linktype, p, &fr);
	if (rb->writing)
		err = write_packet(rb, i, p, p->comment);
	else if (rb->o->json)
		err = print_json(rb, i, p, &fr, c);
	else
		err = print_text(rb, i, p, &fr, c);
	if (!err && rb->writing && rb->o->json)
		err = print_json(rb, i, p, &fr, c);
	attributed = summary_what(c, what, sizeof(what));
	nfd_summary_count_what(&rb->sum, what, attributed);
	return err;
}

/* The lost of the file: each interface's ISB count, or its EPBs' sum. */
static void count_lost(struct readback *rb)
{
	for (uint32_t k = 0; k < rb->n_ifaces; k++) {
		const struct pcapng_read_iface *i = pcapng_reader_iface(rb->r, k);
		uint64_t n = rb->ifaces[k].dropcount;

		if (i && i->has_ifdrop && i->ifdrop > n)
			n = i->ifdrop;
		rb->sum.lost += n;
	}
}

/* Why reading stopped early, on one line; reading goes no further. */
static void warn_stop(const struct readback *rb, int err)
{
	const char *what = err == -ENODATA ?
				   "ends inside a block (truncated?)" :
			   err == -EBADMSG ? "is damaged" :
					     strerror(-err);

	fprintf(stderr,
		"nfdropcap: warning: '%s' %s at byte %llu, after %llu "
		"packets: read up to the last whole block\n",
		rb->name, what,
		(unsigned long long)pcapng_reader_offset(rb->r),
		(unsigned long long)rb->sum.seen);
}

/* The loop: until the end, -c, an error of ours, or a bad block. */
static int read_all(struct readback *rb)
{
	struct pcapng_read_packet p;
	int ret;

	while ((ret = pcapng_reader_next(rb->r, &p)) == 1) {
		ret = one_packet(rb, &p);
		if (ret == -E2BIG) /* said why */
			return NFD_EXIT_FAIL;
		if (ret == -EPIPE) /* the reader went: as live */
			return NFD_EXIT_OK;
		if (ret) {
			fprintf(stderr, "nfdropcap: writing %s: %s\n",
				rb->writing ? rb->file.path : "to stdout",
				strerror(-ret));
			return NFD_EXIT_FAIL;
		}
		if (rb->o->count && rb->sum.written >= rb->o->count)
			return NFD_EXIT_OK;
	}
	if (ret < 0) {
		fflush(stdout); /* the lines before the warning, whole */
		warn_stop(rb, ret);
	}
	return NFD_EXIT_OK;
}

/* The file to read: a path, or "-" for stdin. -errno after saying why. */
static int open_input(struct readback *rb)
{
	int fd, err;

	fd = strcmp(rb->name, "-") ?
		     open(rb->name, O_RDONLY | O_CLOEXEC) :
		     fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 0);
	if (fd < 0) {
		err = -errno;
		fprintf(stderr, "nfdropcap: cannot read '%s': %s\n", rb->name,
			strerror(-err));
		return err;
	}
	err = pcapng_reader_open(&rb->r, fd);
	if (err == -EPROTONOSUPPORT)
		fprintf(stderr,
			"nfdropcap: '%s' is neither pcapng nor pcap: give a "
			"capture file (nfdropcap -w, tcpdump -w), plain or "
			"gzip\n",
			rb->name);
	else if (err == -ENODATA)
		fprintf(stderr, "nfdropcap: '%s' is empty or cut inside its "
				"header: nothing to read\n",
			rb->name);
	else if (err)
		fprintf(stderr, "nfdropcap: reading '%s': %s\n", rb->name,
			strerror(-err));
	return err;
}

/* -w: the new file, with the section comment of the one read. */
static int open_output(struct readback *rb)
{
	struct nfd_file_cfg cfg = {
		.path = rb->o->write_path,
		.shb_comment = pcapng_reader_shb_comment(rb->r),
	};
	int err;

	if (!rb->o->write_path)
		return 0;
	err = nfd_file_open(&rb->file, &cfg);
	if (!err && (err = nfd_file_begin(&rb->file)))
		nfd_file_close(&rb->file);
	rb->writing = !err;
	return err;
}

/*
 * -w: the losses the file read counted on each interface written, in an
 * ISB at the end (as the capture that wrote it did).
 */
static int write_isbs(struct readback *rb)
{
	int err = 0;

	for (uint32_t k = 0; k < rb->n_ifaces && !err; k++) {
		const struct pcapng_read_iface *i = pcapng_reader_iface(rb->r, k);
		struct pcapng_isb isb = {
			.if_id = rb->ifaces[k].out_id,
			.ts = rb->ifaces[k].last_ts,
			.has_ifdrop = true,
			.ifdrop = rb->ifaces[k].dropcount,
		};

		if (rb->ifaces[k].out_id < 0 || !i)
			continue;
		if (i->has_ifdrop && i->ifdrop > isb.ifdrop)
			isb.ifdrop = i->ifdrop;
		err = pcapng_write_isb(rb->file.w, &isb);
	}
	return err;
}

static int finish(struct readback *rb, int ret)
{
	int err = 0;

	if (rb->writing && !ret && (err = write_isbs(rb))) {
		fprintf(stderr, "nfdropcap: writing '%s': %s\n",
			rb->o->write_path, strerror(-err));
		ret = NFD_EXIT_FAIL;
	}
	if (rb->writing && (err = nfd_file_close(&rb->file)) && !ret) {
		fprintf(stderr, "nfdropcap: writing '%s': %s\n",
			rb->o->write_path, strerror(-err));
		ret = NFD_EXIT_FAIL;
	}
	if (fflush(stdout) && errno != EPIPE && !ret) {
		fprintf(stderr, "nfdropcap: writing to stdout: %s\n",
			strerror(errno));
		ret = NFD_EXIT_FAIL;
	}
	if (!rb->o->quiet && ret != NFD_EXIT_USAGE) {
		count_lost(rb);
		nfd_summary_print(&rb->sum, 0);
	}
	return ret;
}

/*
 * What can be refused before reading: a filter expression of no link type
 * -r knows, -w naming the file read (it would be cut before it is read).
 */
static int refuse(const struct nfd_opts *o)
{
	char why[1024];
	struct stat in, out;

	if (o->filter && nfd_filter_why(o->filter, why, sizeof(why))) {
		fprintf(stderr,
			"nfdropcap: bad filter expression '%s': %s (see "
			"pcap-filter(7))\n",
			o->filter, why);
		return NFD_EXIT_USAGE;
	}
	if (o->write_path && strcmp(o->read_path, "-") &&
	    strcmp(o->write_path, "-") && !stat(o->read_path, &in) &&
	    !stat(o->write_path, &out) && in.st_dev == out.st_dev &&
	    in.st_ino == out.st_ino) {
		fprintf(stderr, "nfdropcap: -r and -w name the same file "
				"'%s': write to another one\n",
			o->write_path);
		return NFD_EXIT_USAGE;
	}
	return -1;
}

int nfd_readback(const struct nfd_opts *o)
{
	struct readback rb = { .o = o, .name = o->read_path };
	int ret = refuse(o);

	if (ret >= 0)
		return ret;
	signal(SIGPIPE, SIG_IGN); /* EPIPE: the reader went */
	if (open_input(&rb))
		return NFD_EXIT_FAIL;
	rb.netns_in_lines =
		nfd_file_lines_name_netns(pcapng_reader_shb_comment(rb.r));
	ret = open_output(&rb) ? NFD_EXIT_FAIL : read_all(&rb);
	ret = finish(&rb, ret);
	for (int i = 0; i < rb.n_filters; i++)
		nfd_filter_free(&rb.filters[i].f);
	nfd_summary_free(&rb.sum);
	free(rb.ifaces);
	pcapng_reader_close(rb.r);
	return ret;
}
