// SPDX-License-Identifier: GPL-2.0
/*
 * nfdropcap --check: for this kernel, each part nfdropcap needs and each
 * backend, available or not and why. Every "yes" comes from really doing
 * the thing (loading and attaching the probe, joining the trace group),
 * not from reading a config.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <linux/netlink.h>
#include <linux/netfilter/nfnetlink.h>

#include "backend.h"
#include "check.h"
#include "kallsyms.h"
#include "nlmsg.h"
#include "probe.h"
#include "verdict_site.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

static void line(const char *what, int ok, const char *detail)
{
	printf("  %-22s %-4s %s\n", what, ok ? "yes" : "no", detail);
}

static void on_sample(void *ctx, int cpu, void *data, __u32 size)
{
}

static int start_probe(struct nfd_probe *p, char *why, size_t len)
{
	struct nfd_probe_cfg cfg = { .snap_data = 64,
				     .buffer_kib = 64,
				     .on_sample = on_sample };
	int err;

	/* its errors explain themselves on stderr */
	err = nfd_probe_start(p, &cfg);
	if (err) {
		snprintf(why, len, "tp_btf/kfree_skb did not load: %s",
			 strerror(-err));
		return err;
	}
	snprintf(why, len, "tp_btf/kfree_skb loaded and attached");
	return 0;
}

static int check_nftrace_group(char *why, size_t len)
{
	int group = NFNLGRP_NFTRACE, fd = nl_open_netfilter(), err = 0;

	if (fd < 0) {
		snprintf(why, len, "no nfnetlink socket: %s", strerror(-fd));
		return fd;
	}
	if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group,
		       sizeof(group))) {
		err = -errno;
		snprintf(why, len, "cannot join NFNLGRP_NFTRACE: %s",
			 strerror(errno));
	} else {
		snprintf(why, len, "joined NFNLGRP_NFTRACE");
	}
	close(fd);
	return err;
}

static void kernel_facts(void)
{
	char lockdown[128] = "none (no lockdown LSM)";
	uint64_t lo, hi;
	struct utsname u;
	FILE *f;

	uname(&u);
	printf("kernel %s %s\n", u.release, u.machine);
	f = fopen("/sys/kernel/security/lockdown", "re");
	if (f) {
		if (!fgets(lockdown, sizeof(lockdown), f))
			lockdown[0] = 0;
		lockdown[strcspn(lockdown, "\n")] = 0;
		fclose(f);
	}
	line("BTF", !access("/sys/kernel/btf/vmlinux", R_OK),
	     "/sys/kernel/btf/vmlinux");
	line("nf_tables types", 1,
	     !access("/sys/kernel/btf/nf_tables", R_OK) ?
		     "module BTF /sys/kernel/btf/nf_tables" :
		     "vmlinux BTF (nf_tables built in, or not loaded)");
	line("nft_do_chain", !nfd_kallsyms_range("nft_do_chain", &lo, &hi),
	     "address range from /proc/kallsyms");
	line("kprobes", !nfd_kallsyms_range("register_kprobe", &lo, &hi),
	     "register_kprobe in /proc/kallsyms");
	printf("  %-22s      %s\n", "lockdown", lockdown);
}

/* What the kprobe backend's code analysis finds, available or not. */
static void kprobe_site(const struct nfd_probe *p)
{
	struct nfd_verdict_site s;
	char why[256];

	if (nfd_kprobe_find_site(p, &s, why, sizeof(why))) {
		line("  kprobe site", 0, why);
		return;
	}
	nfd_kprobe_site_text(&s, why, sizeof(why));
	line("  kprobe site", 1, why);
}

/* Loads backend @b for real, with @p's maps; says what came out. */
static int check_backend(struct nfd_backend *b, const struct nfd_probe *p,
			 int verbose)
{
	struct nfd_backend_env env = { .probe = p, .verbose = verbose };
	char why[512];
	int err;

	err = b->available(why, sizeof(why)) ?:
					       b->load(b, &env, why, sizeof(why));
	if (!err) {
		if (b == &nfd_backend_nftrace)
			err = check_nftrace_group(why, sizeof(why));
		b->unload(b);
	}
	line(b->name, !err, why);
	if (b == &nfd_backend_kprobe)
		kprobe_site(p);
	return err;
}

int nfd_check(int verbose)
{
	struct nfd_probe p = { 0 };
	const char *pick = NULL;
	char why[256];
	int probe_ok;

	kernel_facts();
	probe_ok = !start_probe(&p, why, sizeof(why));
	line("bytes probe", probe_ok, why);
	printf("backends:\n");
	for (int i = 0; nfd_backends[i]; i++) {
		struct nfd_backend *b = nfd_backends[i];

		if (!probe_ok) {
			line(b->name, 0, "needs the bytes probe");
			continue;
		}
		if (!check_backend(b, &p, verbose) && !pick)
			pick = b->name;
	}
	nfd_probe_destroy(&p);
	if (pick)
		printf("nfdropcap can capture here (backend auto picks %s)\n",
		       pick);
	else
		printf("nfdropcap cannot capture here\n");
	return pick ? 0 : 1;
}
