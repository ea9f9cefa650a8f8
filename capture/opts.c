// SPDX-License-Identifier: GPL-2.0
/* Command line of nfdropcap: tcpdump's letters where tcpdump has them. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opts.h"

static const char usage_text[] =
	"Usage: nfdropcap [options] [filter expression]\n"
	"Capture every packet netfilter drops, with the nftables rule that\n"
	"dropped it, into a pcapng file (or print one line per drop).\n"
	"\n"
	"  -w FILE             write pcapng to FILE ('-' = stdout; FILE.gz is\n"
	"                      gzip-compressed); without -w print one line per drop\n"
	"  -s SNAPLEN          bytes kept per packet (default 262144; 0 = default)\n"
	"  -c COUNT            exit after COUNT drops are written\n"
	"  -N, --netns NS      capture in network namespace NS: a name from\n"
	"                      'ip netns' or a path like /proc/PID/ns/net\n"
	"      --backend NAME  attribution backend: auto (default), fentry,\n"
	"                      kprobe or nftrace\n"
	"      --check         tell what this kernel allows, backend by backend\n"
	"      --all-netns     capture in every network namespace, including\n"
	"                      ones created later\n"
	"  -B KIB              capture buffer per CPU in KiB (default: auto)\n"
	"  -v                  verbose: libbpf diagnostics\n"
	"  -q                  quiet: no ready line, no summary\n"
	"  -h, --help          this help\n"
	"      --version       print the version\n"
	"\n"
	"The filter expression is in pcap-filter(7) syntax, as tcpdump takes it;\n"
	"only drops it matches are written. Each packet's comment names the\n"
	"rule: 'table inet filter chain input handle 7 drop: tcp dport 22 drop'.\n";

enum { OPT_BACKEND = 256, OPT_VERSION, OPT_CHECK, OPT_ALL_NETNS };

static const struct option long_opts[] = {
	{ "netns", required_argument, NULL, 'N' },
	{ "backend", required_argument, NULL, OPT_BACKEND },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "check", no_argument, NULL, OPT_CHECK },
	{ "all-netns", no_argument, NULL, OPT_ALL_NETNS },
	{ NULL, 0, NULL, 0 },
};

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

static int parse_one(struct nfd_opts *o, int c, const char *arg)
{
	long long v;

	switch (c) {
	case 'w':
		o->write_path = arg;
		return -1;
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
	case 'B':
		v = parse_num(arg, 1 << 20);
		if (v < 64)
			return usage_error("bad buffer size '%s': give KiB "
					   "per CPU, 64 to 1048576",
					   arg);
		o->buffer_kib = v;
		return -1;
	case 'N':
		o->netns = arg;
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
		fputs(usage_text, stdout);
		return NFD_EXIT_OK;
	case OPT_ALL_NETNS:
		o->all_netns = true;
		return -1;
	case OPT_CHECK:
		o->check = true;
		return -1;
	case OPT_VERSION:
		printf("nfdropcap %s\n", NFD_VERSION);
		return NFD_EXIT_OK;
	default:
		return NFD_EXIT_USAGE;
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

int nfd_opts_parse(struct nfd_opts *o, int argc, char **argv)
{
	int c, ret;

	memset(o, 0, sizeof(*o));
	o->snaplen = NFD_SNAPLEN_DEFAULT;
	o->backend = "auto";
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":w:s:c:N:B:vqh", long_opts,
				NULL)) != -1) {
		if (c == '?' || c == ':')
			return bad_option(c, argv);
		ret = parse_one(o, c, optarg);
		if (ret >= 0)
			return ret;
	}
	if (strcmp(o->backend, "auto") && strcmp(o->backend, "fentry") &&
	    strcmp(o->backend, "kprobe") && strcmp(o->backend, "nftrace"))
		return usage_error("unknown backend '%s': use auto, fentry, "
				   "kprobe or nftrace",
				   o->backend);
	if (o->all_netns && o->netns)
		return usage_error("-N and --all-netns exclude each other%s",
				   "");
	if (o->write_path && !*o->write_path)
		return usage_error("empty file name after -w%s", "");
	if (optind < argc) {
		o->filter = join_args(argc - optind, argv + optind);
		if (!o->filter) {
			perror("nfdropcap: out of memory");
			return NFD_EXIT_FAIL;
		}
	}
	return -1;
}

void nfd_opts_free(struct nfd_opts *o)
{
	free(o->filter);
	o->filter = NULL;
}
