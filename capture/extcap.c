// SPDX-License-Identifier: GPL-2.0
/*
 * Wireshark's extcap interface (doc/extcap.adoc in Wireshark's sources):
 * Wireshark runs every program in its extcap folder with
 * --extcap-interfaces, lists the interfaces they name, asks each for its
 * link types (--extcap-dlts) and its settings (--extcap-config), then runs
 * `--capture --extcap-interface NAME --fifo PATH` with the settings chosen
 * and reads pcapng from the FIFO until it stops the capture (SIGTERM). It
 * checks a capture filter its user types with `--extcap-capture-filter F
 * --extcap-interface NAME`: an empty answer means a valid one.
 */
#include <stdio.h>

#include "extcap.h"
#include "output/filter.h"
#include "output/sll2.h"

static void print_interfaces(void)
{
	printf("extcap {version=%s}{display=nfdropcap: packets netfilter "
	       "dropped, with the nftables rule}\n",
	       NFD_VERSION);
	printf("interface {value=%s}{display=netfilter drops}\n",
	       NFD_EXTCAP_IFACE);
}

static void print_dlts(void)
{
	printf("dlt {number=%d}{name=LINUX_SLL2}{display=Linux cooked v2, "
	       "one interface per device a drop came from}\n",
	       NFD_LINKTYPE_LINUX_SLL2);
}

/* The settings Wireshark's interface options dialog shows. */
static void print_config(void)
{
	static const char *const backends[][2] = {
		{ "auto", "auto: the cheapest one proven on this kernel" },
		{ "fentry", "fentry" },
		{ "kprobe", "kprobe" },
		{ "nftrace", "nftrace (the kernel traces every packet)" },
		{ "dropsite", "dropsite (read off the stack at the drop)" },
	};

	printf("arg {number=0}{call=--backend}{display=Attribution "
	       "backend}{tooltip=how nfdropcap learns which rule dropped a "
	       "packet (nfdropcap --check shows what this kernel "
	       "allows)}{type=selector}\n");
	for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
		printf("value {arg=0}{value=%s}{display=%s}{default=%s}\n",
		       backends[i][0], backends[i][1], i ? "false" : "true");
	printf("arg {number=1}{call=--netns}{display=Network namespace}"
	       "{tooltip=a name from 'ip netns' or a path such as "
	       "/proc/PID/ns/net; empty: the one nfdropcap runs in}"
	       "{type=string}\n");
	printf("arg {number=2}{call=--all-netns}{display=All network "
	       "namespaces}{tooltip=every namespace, including ones created "
	       "during the capture (not with a namespace above)}"
	       "{type=boolflag}{default=false}\n");
	printf("arg {number=3}{call=--snapshot-length}{display=Snapshot "
	       "length}{tooltip=bytes kept per packet}{type=integer}"
	       "{range=1,%d}{default=%d}\n",
	       NFD_SNAPLEN_DEFAULT, NFD_SNAPLEN_DEFAULT);
}

/*
 * Wireshark checks a capture filter (--extcap-capture-filter without
 * --capture): nothing on stdout if it is valid, else why, on one line.
 */
static void print_filter_check(const char *filter)
{
	char why[1024];

	if (filter && nfd_filter_why(filter, why, sizeof(why)))
		printf("%s\n", why);
}

int nfd_extcap_answer(const struct nfd_opts *o)
{
	switch (o->extcap) {
	case NFD_EXTCAP_FILTER:
		print_filter_check(o->filter);
		break;
	case NFD_EXTCAP_INTERFACES:
		print_interfaces();
		break;
	case NFD_EXTCAP_DLTS:
		print_dlts();
		break;
	case NFD_EXTCAP_CONFIG:
		print_config();
		break;
	default:
		return NFD_EXIT_USAGE;
	}
	return fflush(stdout) ? NFD_EXIT_FAIL : NFD_EXIT_OK;
}
