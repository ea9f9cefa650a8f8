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
#include <sys/utsname.h>

#include "backend/backend.h"
#include "drop_probe.h"
#include "lib/kallsyms.h"
#include "selfcheck.h"

static void line(const char *what, int ok, const char *detail)
{
	printf("  %-22s %-4s %s\n", what, ok ? "yes" : "no", detail);
}

static void on_sample(void *ctx, int cpu, void *data, __u32 size)
{
}

static int start_probe(struct nfd_drop_probe *p, char *why, size_t len)
{
	struct nfd_drop_probe_cfg cfg = { .snap_data = 64,
					  .buffer_kib = 64,
					  .on_sample = on_sample };
	int err;

	/* its errors explain themselves on stderr */
	err = nfd_drop_probe_start(p, &cfg);
	if (err) {
		snprintf(why, len, "tp_btf/kfree_skb did not load: %s",
			 strerror(-err));
		return err;
	}
	snprintf(why, len, "tp_btf/kfree_skb loaded and attached");
	return 0;
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

/* Loads backend @b for real, with @p's maps; says what came out. */
static int report_backend(struct nfd_backend *b, const struct nfd_drop_probe *p,
			  int verbose)
{
	struct nfd_backend_env env = { .probe = p, .verbose = verbose };
	char why[512];
	int err;

	err = b->available(why, sizeof(why)) ?:
					       b->load(b, &env, why, sizeof(why));
	if (!err) {
		if (b->selfcheck)
			err = b->selfcheck(b, why, sizeof(why));
		b->unload(b);
	}
	line(b->name, !err, why);
	if (b->report)
		b->report(p, line);
	return err;
}

int nfd_selfcheck(int verbose)
{
	struct nfd_drop_probe p = { 0 };
	const char *pick = NULL;
	char why[256];
	int probe_ok;

	nfd_kallsyms_hold(); /* one read for all the lookups below */
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
		if (!report_backend(b, &p, verbose) && !pick)
			pick = b->name;
	}
	nfd_drop_probe_destroy(&p);
	nfd_kallsyms_release();
	printf("auto's order: dropsite (nothing run for accepted packets; "
	       "a goto is named where the ruleset leaves one way), fentry, "
	       "kprobe (a little on every packet; they also name "
	       "iptables-legacy and conntrack drops), nftrace (the kernel's "
	       "trace messages); costs: make bench\n");
	if (pick)
		printf("nfdropcap can capture here (backend auto picks %s)\n",
		       pick);
	else
		printf("nfdropcap cannot capture here\n");
	return pick ? 0 : 1;
}
