// SPDX-License-Identifier: GPL-2.0
/*
 * The command line (opts.c) as Wireshark's extcap calls it: --capture into
 * --fifo, the capture filter, the settings' long names, and the mistakes
 * that must be usage errors.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "opts.h"

/* Parses the NULL-terminated arguments after "nfdropcap" into @o. */
static int parse(struct nfd_opts *o, ...)
{
	char *argv[32] = { "nfdropcap" };
	int argc = 1, ret;
	va_list ap;

	va_start(ap, o);
	while (argc < 31 && (argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	optind = 0; /* getopt starts afresh */
	ret = nfd_opts_parse(o, argc, argv);
	return ret;
}

static void test_capture(void)
{
	struct nfd_opts o;

	CHECK(parse(&o, "--capture", "--extcap-interface", "nfdropcap",
		    "--fifo", "/tmp/wireshark_fifo", "--netns", "blue",
		    "--snapshot-length", "128", "--backend", "nftrace",
		    "--extcap-capture-filter", "udp port 53", NULL) == -1);
	CHECK(o.extcap == NFD_EXTCAP_CAPTURE);
	CHECK(o.write_path && !strcmp(o.write_path, "/tmp/wireshark_fifo"));
	CHECK(o.quiet);
	CHECK(o.snaplen == 128);
	CHECK(o.netns && !strcmp(o.netns, "blue"));
	CHECK(!strcmp(o.backend, "nftrace"));
	CHECK(o.filter && !strcmp(o.filter, "udp port 53"));
	nfd_opts_free(&o);
	/* an empty capture filter is none */
	CHECK(parse(&o, "--capture", "--extcap-interface", "nfdropcap",
		    "--fifo", "f", "--extcap-capture-filter", "", NULL) == -1);
	CHECK(!o.filter);
	nfd_opts_free(&o);
	CHECK(parse(&o, "--capture", "--extcap-interface", "nfdropcap",
		    "--fifo", "f", "--all-netns", "--debug", NULL) == -1);
	CHECK(o.all_netns);
	nfd_opts_free(&o);
}

static void test_queries(void)
{
	struct nfd_opts o;

	CHECK(parse(&o, "--extcap-interfaces", "--extcap-version=4.0",
		    NULL) == -1);
	CHECK(o.extcap == NFD_EXTCAP_INTERFACES);
	CHECK(parse(&o, "--extcap-interfaces", "--extcap-version", NULL) ==
	      -1);
	CHECK(parse(&o, "--extcap-dlts", "--extcap-interface", "nfdropcap",
		    NULL) == -1);
	CHECK(o.extcap == NFD_EXTCAP_DLTS);
	CHECK(parse(&o, "--extcap-config", "--extcap-interface", "nfdropcap",
		    NULL) == -1);
	CHECK(o.extcap == NFD_EXTCAP_CONFIG);
	/* Wireshark's check of a capture filter */
	CHECK(parse(&o, "--extcap-capture-filter", "udp port 53",
		    "--extcap-interface", "nfdropcap", NULL) == -1);
	CHECK(o.extcap == NFD_EXTCAP_FILTER);
	CHECK(o.filter && !strcmp(o.filter, "udp port 53"));
	nfd_opts_free(&o);
}

static void test_mistakes(void)
{
	struct nfd_opts o;

	fprintf(stderr, "(usage errors follow, as expected)\n");
	CHECK(parse(&o, "--extcap-config", NULL) == NFD_EXIT_USAGE);
	CHECK(parse(&o, "--extcap-dlts", "--extcap-interface", "eth0", NULL) ==
	      NFD_EXIT_USAGE);
	CHECK(parse(&o, "--capture", "--extcap-interface", "nfdropcap",
		    NULL) == NFD_EXIT_USAGE);
	CHECK(parse(&o, "--capture", "--extcap-interface", "nfdropcap",
		    "--fifo", "f", "-w", "x", NULL) == NFD_EXIT_USAGE);
	CHECK(parse(&o, "--capture", "--extcap-interfaces", NULL) ==
	      NFD_EXIT_USAGE);
	CHECK(parse(&o, "--fifo", "f", NULL) == NFD_EXIT_USAGE);
	CHECK(parse(&o, "--capture", "--extcap-interface", "nfdropcap",
		    "--fifo", "f", "--extcap-capture-filter", "udp", "tcp",
		    NULL) == NFD_EXIT_USAGE);
	nfd_opts_free(&o);
	CHECK(parse(&o, "--snapshot-length", "0x10", NULL) == NFD_EXIT_USAGE);
}

int main(void)
{
	test_capture();
	test_queries();
	test_mistakes();
	return check_summary();
}
