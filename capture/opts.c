// SPDX-License-Identifier: GPL-2.0
/*
 * Command line of nfdropcap: tcpdump's letters where tcpdump has them. One
 * table (options[]) gives getopt its letters and long names and --help its
 * text; the README's usage block is --help's (a test compares them).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opts.h"

enum {
	OPT_BACKEND = 256,
	OPT_VERSION,
	OPT_CHECK,
	OPT_ALL_NETNS,
	OPT_JSON,
	OPT_METRICS,
	/* Wireshark's extcap interface (extcap.c) */
	OPT_EXTCAP_INTERFACES,
	OPT_EXTCAP_DLTS,
	OPT_EXTCAP_CONFIG,
	OPT_EXTCAP_INTERFACE,
	OPT_EXTCAP_VERSION,
	OPT_EXTCAP_FILTER,
	OPT_CAPTURE,
	OPT_FIFO,
	OPT_DEBUG,
	OPT_DEBUG_FILE
};

struct opt {
	int code; /* the short letter, or OPT_* for a long option only */
	const char *name; /* long name, or NULL */
	const char *arg; /* its argument's name, or NULL */
	const char *help; /* lines separated by '\n'; NULL: not in --help */
};

/* "[ARG]": --name=ARG or --name alone */
static bool optional_arg(const struct opt *o)
{
	return o->arg && o->arg[0] == '[';
}

static const struct opt options[] = {
	{ 'w', NULL, "FILE",
	  "write pcapng to FILE ('-' = stdout, flushed per packet;\n"
	  "FILE.gz is gzip-compressed); without -w, one line per\n"
	  "drop on stdout" },
	{ 'r', NULL, "FILE",
	  "read drops back from FILE (pcapng or pcap, plain or .gz;\n"
	  "'-' = stdin): text lines (or --json) and the summary;\n"
	  "with -w, a copy re-filtered, comments kept" },
	{ OPT_JSON, "json", NULL,
	  "one JSON object per drop on stdout, a line each (with\n"
	  "-w FILE too: the file gets the packets)" },
	{ OPT_METRICS, "metrics", "FILE",
	  "per-rule drop counters for Prometheus (node_exporter's\n"
	  "textfile collector) in FILE, rewritten every 5 s" },
	{ 's', "snapshot-length", "SNAPLEN",
	  "bytes kept per packet (default 262144; 0 = default)" },
	{ 'c', NULL, "COUNT", "exit after COUNT drops are written" },
	{ 'C', NULL, "SIZE",
	  "with -w FILE: a new file before one passes SIZE x\n"
	  "1,000,000 bytes (SIZEk, SIZEm, SIZEg: KiB, MiB, GiB):\n"
	  "FILE, FILE1, FILE2... (as tcpdump names them)" },
	{ 'G', NULL, "SECONDS",
	  "with -w FILE: a new file every SECONDS, named by\n"
	  "strftime(3) from FILE (e.g. drops-%Y%m%d-%H%M%S.pcapng)" },
	{ 'W', NULL, "N",
	  "with -C: a ring of N files FILE0... (the oldest is\n"
	  "overwritten); with -G: exit after N files" },
	{ 'N', "netns", "NS",
	  "capture in network namespace NS: a name from 'ip netns'\n"
	  "or a path such as /proc/PID/ns/net" },
	{ OPT_ALL_NETNS, "all-netns", NULL,
	  "every network namespace, including ones created later\n"
	  "(found in /proc and /run/netns, checked every second)" },
	{ OPT_BACKEND, "backend", "NAME",
	  "attribution backend: auto (default), fentry,\n"
	  "kprobe, nftrace or dropsite" },
	{ OPT_CHECK, "check", NULL,
	  "what this kernel allows, backend by backend (exit 0\n"
	  "if nfdropcap can capture here)" },
	{ 'B', NULL, "KIB", "capture buffer per CPU in KiB (default: auto)" },
	{ 'Z', NULL, "USER",
	  "after start-up, run as USER (a name or a user id) with\n"
	  "only the capabilities capture needs; files written\n"
	  "belong to USER" },
	{ 'v', NULL, NULL, "libbpf diagnostics (-vv: the verifier's log too)" },
	{ 'q', NULL, NULL, "no ready line, no summary" },
	{ 'h', "help", NULL, "this help" },
	{ OPT_VERSION, "version", NULL, "print the version" },
	/* extcap: one line of --help says where they are described */
	{ OPT_EXTCAP_INTERFACES, "extcap-interfaces", NULL, NULL },
	{ OPT_EXTCAP_DLTS, "extcap-dlts", NULL, NULL },
	{ OPT_EXTCAP_CONFIG, "extcap-config", NULL, NULL },
	{ OPT_EXTCAP_INTERFACE, "extcap-interface", "NAME", NULL },
	{ OPT_EXTCAP_VERSION, "extcap-version", "[VERSION]", NULL },
	{ OPT_EXTCAP_FILTER, "extcap-capture-filter", "FILTER", NULL },
	{ OPT_CAPTURE, "capture", NULL, NULL },
	{ OPT_FIFO, "fifo", "PATH", NULL },
	{ OPT_DEBUG, "debug", NULL, NULL },
	{ OPT_DEBUG_FILE, "debug-file", "FILE", NULL },
};

#define N_OPTIONS (sizeof(options) / sizeof(options[0]))
#define HELP_COLUMN 22

static const char usage_head[] =
	"Usage: nfdropcap [options] [filter expression]\n"
	"Capture every packet netfilter drops, with the nftables rule that\n"
	"dropped it, into a pcapng file (or print one line per drop).\n"
	"\n";

static const char usage_tail[] =
	"  --extcap-interfaces, --extcap-dlts, --extcap-config, --capture,\n"
	"  --fifo, --extcap-interface, --extcap-capture-filter\n"
	"                      Wireshark's extcap interface (nfdropcap(8))\n"
	"\n"
	"The filter expression is in pcap-filter(7) syntax, as tcpdump takes it;\n"
	"only drops it matches are written. Each packet's comment names the\n"
	"rule: 'table inet filter chain input handle 7 drop: tcp dport 22 drop'.\n";

/* "  -N, --netns NS" and its help, continued lines aligned. */
static void print_option(FILE *f, const struct opt *o)
{
	char head[64];
	const char *line = o->help, *eol;
	int n;

	if (o->code < 256)
		n = snprintf(head, sizeof(head), "  -%c%s%s", o->code,
			     o->name ? ", --" : "", o->name ? o->name : "");
	else
		n = snprintf(head, sizeof(head), "      --%s", o->name);
	if (o->arg)
		n += snprintf(head + n, sizeof(head) - n, " %s", o->arg);
	/* a long head: its help starts on the next line */
	if (n > HELP_COLUMN - 2)
		fprintf(f, "%s\n", head);
	else
		fprintf(f, "%-*s", HELP_COLUMN - 2, head);
	for (; line; line = eol ? eol + 1 : NULL) {
		eol = strchr(line, '\n');
		fprintf(f, "%s%.*s\n",
			line == o->help && n <= HELP_COLUMN - 2 ?
				"  " :
				"                      ",
			eol ? (int)(eol - line) : (int)strlen(line), line);
	}
}

static void print_usage(FILE *f)
{
	fputs(usage_head, f);
	for (size_t i = 0; i < N_OPTIONS; i++)
		if (options[i].help)
			print_option(f, &options[i]);
	fputs(usage_tail, f);
}

/* getopt_long's short option string and long options, from options[]. */
static void getopt_tables(char *shorts, struct option *longs)
{
	size_t s = 0, l = 0;

	shorts[s++] = ':';
	for (size_t i = 0; i < N_OPTIONS; i++) {
		const struct opt *o = &options[i];

		if (o->code < 256) {
			shorts[s++] = (char)o->code;
			if (o->arg)
				shorts[s++] = ':';
		}
		if (o->name)
			longs[l++] = (struct option){
				o->name,
				optional_arg(o) ? optional_argument :
				o->arg		? required_argument :
						  no_argument,
				NULL, o->code
			};
	}
	shorts[s] = 0;
	longs[l] = (struct option){ 0 };
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "nfdropcap: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (see 'nfdropcap --help')\n");
	return NFD_EXIT_USAGE;
}

/* A whole decimal number in [0, max], or -1. */
static long long parse_num(const char *s, long long max)
{
	char *end;
	long long v;

	if (!*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v < 0 || v > max)
		return -1;
	return v;
}

/*
 * -C's size in bytes, as tcpdump reads it: millions of bytes, or with a
 * suffix k/K, m/M, g/G units of 1,024, 1,048,576, 1,073,741,824. 0: bad.
 */
static uint64_t parse_size(const char *s)
{
	char num[24];
	size_t n = strlen(s);
	uint64_t unit = 1000000;
	long long v;

	if (n && strchr("kKmMgG", s[n - 1])) {
		unit = 1ULL << (strchr("kK", s[n - 1]) ? 10 :
				strchr("mM", s[n - 1]) ? 20 :
							 30);
		n--;
	}
	if (!n || n >= sizeof(num))
		return 0;
	memcpy(num, s, n);
	num[n] = 0;
	v = parse_num(num, 1000000000); /* a petabyte at most */
	return v > 0 ? (uint64_t)v * unit : 0;
}

static char *join_args(int argc, char **argv)
{
	size_t len = 1;
	char *s;

	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	s = calloc(1, len);
	if (!s)
		return NULL;
	for (int i = 0; i < argc; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

/* The options with a number for argument. */
static int parse_number_opt(struct nfd_opts *o, int c, const char *arg)
{
	long long v;

	switch (c) {
	case 's':
		v = parse_num(arg, NFD_SNAPLEN_DEFAULT);
		if (v < 0)
			return usage_error("bad snaplen '%s': give a number "
					   "of bytes from 1 to 262144, or 0 "
					   "for the default",
					   arg);
		o->snaplen = v ? v : NFD_SNAPLEN_DEFAULT;
		return -1;
	case 'c':
		v = parse_num(arg, LLONG_MAX);
		if (v <= 0)
			return usage_error("bad count '%s': give a number of "
					   "drops greater than 0",
					   arg);
		o->count = v;
		return -1;
	case 'C':
		o->file_size = parse_size(arg);
		if (!o->file_size)
			return usage_error("bad file size '%s': give -C "
					   "millions of bytes greater than 0, "
					   "or KiB, MiB, GiB with a suffix k, "
					   "m, g (as tcpdump)",
					   arg);
		return -1;
	case 'G':
	case 'W':
		v = parse_num(arg, INT_MAX);
		if (v <= 0)
			return usage_error(
				c == 'G' ? "bad interval '%s': give -G "
					   "a number of seconds greater "
					   "than 0" :
					   "bad file count '%s': give -W "
					   "a number of files greater "
					   "than 0",
				arg);
		*(c == 'G' ? &o->file_seconds : &o->file_count) = v;
		return -1;
	default: /* 'B' */
		v = parse_num(arg, 1 << 20);
		if (v < 64)
			return usage_error("bad buffer size '%s': give KiB "
					   "per CPU, 64 to 1048576",
					   arg);
		o->buffer_kib = v;
		return -1;
	}
}

/* Wireshark's extcap options (see extcap.c). */
static int parse_extcap(struct nfd_opts *o, int c, const char *arg)
{
	enum nfd_extcap mode;

	switch (c) {
	case OPT_EXTCAP_INTERFACES:
	case OPT_EXTCAP_DLTS:
	case OPT_EXTCAP_CONFIG:
	case OPT_CAPTURE:
		mode = c == OPT_EXTCAP_INTERFACES ? NFD_EXTCAP_INTERFACES :
		       c == OPT_EXTCAP_DLTS	  ? NFD_EXTCAP_DLTS :
		       c == OPT_EXTCAP_CONFIG	  ? NFD_EXTCAP_CONFIG :
						    NFD_EXTCAP_CAPTURE;
		if (o->extcap && o->extcap != mode)
			return usage_error("give one of --extcap-interfaces, "
					   "--extcap-dlts, --extcap-config and "
					   "--capture%s",
					   "");
		o->extcap = mode;
		return -1;
	case OPT_EXTCAP_INTERFACE:
		o->extcap_interface = arg;
		return -1;
	case OPT_EXTCAP_FILTER:
		o->extcap_filter = arg;
		return -1;
	case OPT_FIFO:
		o->fifo = arg;
		return -1;
	case OPT_EXTCAP_VERSION: /* what Wireshark is: nothing changes */
	case OPT_DEBUG:
	case OPT_DEBUG_FILE:
		return -1;
	default:
		return NFD_EXIT_USAGE;
	}
}

static int parse_one(struct nfd_opts *o, int c, const char *arg)
{
	switch (c) {
	case 'w':
		o->write_path = arg;
		return -1;
	case 'r':
		o->read_path = arg;
		return -1;
	case 's':
	case 'c':
	case 'C':
	case 'G':
	case 'W':
	case 'B':
		return parse_number_opt(o, c, arg);
	case 'N':
		o->netns = arg;
		return -1;
	case 'Z':
		o->user = arg;
		return -1;
	case OPT_BACKEND:
		o->backend = arg;
		return -1;
	case 'v':
		o->verbose++;
		return -1;
	case 'q':
		o->quiet = true;
		return -1;
	case 'h':
		print_usage(stdout);
		return NFD_EXIT_OK;
	case OPT_ALL_NETNS:
		o->all_netns = true;
		return -1;
	case OPT_CHECK:
		o->selfcheck = true;
		return -1;
	case OPT_JSON:
		o->json = true;
		return -1;
	case OPT_METRICS:
		o->metrics = arg;
		return -1;
	case OPT_VERSION:
		printf("nfdropcap %s\n", NFD_VERSION);
		return NFD_EXIT_OK;
	default:
		return parse_extcap(o, c, arg);
	}
}

/* getopt's complaint, on one line of ours. */
static int bad_option(int c, char **argv)
{
	const char *opt = argv[optind - 1];

	if (c == ':')
		return usage_error("option '%s' needs an argument", opt);
	if (optopt && opt[0] == '-' && opt[1] != '-')
		fprintf(stderr, "nfdropcap: unknown option '-%c'", optopt);
	else
		fprintf(stderr, "nfdropcap: unknown option '%s'", opt);
	fprintf(stderr, " (see 'nfdropcap --help')\n");
	return NFD_EXIT_USAGE;
}

/*
 * Wireshark's extcap calls: the interface named, --capture into --fifo.
 * A capture for Wireshark prints nothing but errors: the FIFO has it all.
 */
static int finish_extcap(struct nfd_opts *o)
{
	/* Wireshark checks the capture filter its user types */
	if (!o->extcap && o->extcap_filter && o->extcap_interface && !o->fifo)
		o->extcap = NFD_EXTCAP_FILTER;
	if (!o->extcap) {
		if (o->fifo || o->extcap_interface || o->extcap_filter)
			return usage_error("--fifo, --extcap-interface and "
					   "--extcap-capture-filter go with "
					   "--capture (Wireshark's extcap)%s",
					   "");
		return -1;
	}
	if (o->extcap != NFD_EXTCAP_INTERFACES) {
		if (!o->extcap_interface)
			return usage_error("give --extcap-interface %s",
					   NFD_EXTCAP_IFACE);
		if (strcmp(o->extcap_interface, NFD_EXTCAP_IFACE))
			return usage_error("unknown extcap interface '%s': "
					   "nfdropcap has one, "
					   "'" NFD_EXTCAP_IFACE "'",
					   o->extcap_interface);
	}
	if (o->extcap != NFD_EXTCAP_CAPTURE)
		return -1;
	if (!o->fifo || !*o->fifo)
		return usage_error("--capture writes to the FIFO Wireshark "
				   "made: give --fifo PATH%s",
				   "");
	if (o->write_path)
		return usage_error("--capture writes to --fifo: no -w%s", "");
	o->write_path = o->fifo;
	o->quiet = true;
	return -1;
}

/* The filter expression: the arguments left, or extcap's. */
static int finish_filter(struct nfd_opts *o, int argc, char **argv)
{
	if (optind < argc && o->extcap_filter)
		return usage_error("a filter expression and "
				   "--extcap-capture-filter: give one%s",
				   "");
	if (optind < argc)
		o->filter = join_args(argc - optind, argv + optind);
	else if (o->extcap_filter && *o->extcap_filter)
		o->filter = strdup(o->extcap_filter);
	else
		return -1;
	if (!o->filter) {
		perror("nfdropcap: out of memory");
		return NFD_EXIT_FAIL;
	}
	return -1;
}

/* -r reads a file: the options of a live capture do not go with it. */
static int finish_read(struct nfd_opts *o)
{
	const char *live = o->netns	      ? "-N" :
			   o->all_netns	      ? "--all-netns" :
			   strcmp(o->backend, "auto") ? "--backend" :
			   o->selfcheck	      ? "--check" :
			   o->file_size	      ? "-C" :
			   o->file_seconds    ? "-G" :
			   o->file_count      ? "-W" :
			   o->buffer_kib      ? "-B" :
			   o->user	      ? "-Z" :
			   o->metrics	      ? "--metrics" :
			   o->extcap	      ? "--extcap-*" :
			   o->snaplen != NFD_SNAPLEN_DEFAULT ? "-s" :
							       NULL;

	if (!o->read_path)
		return -1;
	if (!*o->read_path)
		return usage_error("empty file name after -r%s", "");
	if (live)
		return usage_error("%s is for live capture: -r reads a file "
				   "(with -w, --json, -c, -q and a filter)",
				   live);
	return -1;
}

/* What options alone cannot tell: their combinations, the filter. */
static int finish(struct nfd_opts *o, int argc, char **argv)
{
	int ret = finish_extcap(o);

	if (ret >= 0 || (ret = finish_read(o)) >= 0)
		return ret;
	if (strcmp(o->backend, "auto") && strcmp(o->backend, "fentry") &&
	    strcmp(o->backend, "kprobe") && strcmp(o->backend, "nftrace") &&
	    strcmp(o->backend, "dropsite"))
		return usage_error("unknown backend '%s': use auto, fentry, "
				   "kprobe, nftrace or dropsite",
				   o->backend);
	if (o->all_netns && o->netns)
		return usage_error("-N and --all-netns exclude each other%s",
				   "");
	if (o->write_path && !*o->write_path)
		return usage_error("empty file name after -w%s", "");
	if ((o->file_size || o->file_seconds) &&
	    (!o->write_path || !strcmp(o->write_path, "-")))
		return usage_error("-C and -G rotate files: give -w FILE (not "
				   "stdout)%s",
				   "");
	if (o->metrics && !*o->metrics)
		return usage_error("empty file name after --metrics%s", "");
	if (o->json && o->write_path && !strcmp(o->write_path, "-"))
		return usage_error("--json and -w - both want stdout: give -w "
				   "a FILE%s",
				   "");
	if (o->file_count && !o->file_size && !o->file_seconds)
		return usage_error("-W counts the files of -C or -G: give one "
				   "of them too%s",
				   "");
	return finish_filter(o, argc, argv);
}

int nfd_opts_parse(struct nfd_opts *o, int argc, char **argv)
{
	char shorts[2 * N_OPTIONS + 2];
	struct option longs[N_OPTIONS + 1];
	int c, ret;

	memset(o, 0, sizeof(*o));
	o->snaplen = NFD_SNAPLEN_DEFAULT;
	o->backend = "auto";
	getopt_tables(shorts, longs);
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		if (c == '?' || c == ':')
			return bad_option(c, argv);
		ret = parse_one(o, c, optarg);
		if (ret >= 0)
			return ret;
	}
	return finish(o, argc, argv);
}

void nfd_opts_free(struct nfd_opts *o)
{
	free(o->filter);
	o->filter = NULL;
}
