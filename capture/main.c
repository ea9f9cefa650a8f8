// SPDX-License-Identifier: GPL-2.0
/*
 * nfdropcap: every packet netfilter drops, byte for byte, with the rule
 * that dropped it. Start-up checks, the capture loop, shutdown.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>

#include "backend/backend.h"
#include "backend/xt_rules.h"
#include "drop_probe.h"
#include "exit.h"
#include "extcap.h"
#include "lib/clock.h"
#include "lib/kallsyms.h"
#include "netns/netns.h"
#include "netns/netns_set.h"
#include "netns/ruleset.h"
#include "opts.h"
#include "output/file.h"
#include "output/output.h"
#include "output/sll2.h"
#include "privileges.h"
#include "readback.h"
#include "selfcheck.h"

#define POLL_MS 100
#define LISTING_POLL_MS 10
#define LOSS_CHECK_NS 200000000LL
#define NETNS_SCAN_NS 1000000000LL
/* and this soon after a drop from a namespace not found yet, at the most */
#define NETNS_RESCAN_NS 100000000LL
/* At the end, drops waiting for rule text wait at most this much more. */
#define SETTLE_NS (1000000000LL * nfd_time_scale()) /* lib/clock.h */
/* The live status line is rewritten at most this often. */
#define STATUS_NS 1000000000LL
/* Before the ready line, the first listings of rule text take this at most. */
#define FIRST_LISTING_NS (10000000000LL * nfd_time_scale())
#define FD_WANT 65536

static volatile sig_atomic_t stop;

struct capture {
	struct nfd_opts opts;
	struct nfd_user user; /* -Z */
	struct nfd_netns ns; /* -N or the current one, until nss owns it */
	struct nfd_netns_set nss;
	struct nfd_output *out;
	struct nfd_drop_probe probe;
	struct nfd_backend *backend;
	bool backend_loaded;
	uint64_t lost_reported; /* perf's own lost records, for -v */
};

static void on_signal(int sig)
{
	stop = 1;
}

static int setup_signals(void)
{
	/*
	 * No SA_RESTART: a signal must be able to end an open() of a FIFO
	 * with no reader, and a write to a stalled one (output.c).
	 */
	struct sigaction sa = { .sa_handler = on_signal };
	struct sigaction ign = { .sa_handler = SIG_IGN };

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL) ||
	    sigaction(SIGHUP, &sa, NULL) || sigaction(SIGPIPE, &ign, NULL) ||
	    sigaction(SIGXFSZ, &ign, NULL))
		return -errno;
	return 0;
}

static int verbosity;

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	if (level == LIBBPF_DEBUG && verbosity < 2)
		return 0;
	if (!verbosity)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/* CapEff of this process has @bit. */
static int have_cap(int bit)
{
	unsigned long long eff = 0;
	char line[256];
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			break;
	fclose(f);
	return (eff >> bit) & 1;
}

/*
 * --all-netns keeps a few descriptors per namespace (its handle, the
 * backend's sockets, the ruleset monitor): the soft limit goes up to the
 * hard one, and root raises the hard one to what thousands need.
 */
static void raise_fd_limit(void)
{
	struct rlimit r;

	if (getrlimit(RLIMIT_NOFILE, &r))
		return;
	if (r.rlim_max != RLIM_INFINITY && r.rlim_max < FD_WANT) {
		struct rlimit more = { FD_WANT, FD_WANT };

		if (!setrlimit(RLIMIT_NOFILE, &more))
			return;
	}
	r.rlim_cur = r.rlim_max;
	setrlimit(RLIMIT_NOFILE, &r);
}

/* Privileges and BTF, before anything is loaded. */
static int preflight(void)
{
	enum { NET_ADMIN = 12, SYS_ADMIN = 21, PERFMON = 38, BPF = 39 };
	const char *btf;

	if (!have_cap(NET_ADMIN) ||
	    (!have_cap(SYS_ADMIN) && !(have_cap(BPF) && have_cap(PERFMON)))) {
		fprintf(stderr, "nfdropcap: not enough privileges: run it as "
				"root, or with CAP_BPF, CAP_PERFMON and "
				"CAP_NET_ADMIN\n");
		return NFD_EXIT_FAIL;
	}
	/* NFDROPCAP_BTF: where to look instead, for tests of this check */
	btf = secure_getenv("NFDROPCAP_BTF") ?: "/sys/kernel/btf/vmlinux";
	if (access(btf, R_OK)) {
		fprintf(stderr,
			"nfdropcap: this kernel has no BTF (%s: %s): "
			"use a kernel built with "
			"CONFIG_DEBUG_INFO_BTF=y\n",
			btf, strerror(errno));
		return NFD_EXIT_FAIL;
	}
	return 0;
}

static void on_sample(void *ctx, int cpu, void *data, __u32 size)
{
	struct capture *c = ctx;

	if (nfd_output_event(c->out, data, size) || nfd_output_done(c->out))
		stop = 1;
}

static void on_lost(void *ctx, int cpu, __u64 cnt)
{
	struct capture *c = ctx;

	c->lost_reported += cnt;
}

static void note_lost(void *ctx, uint32_t netns, uint32_t ifindex,
		      uint64_t total)
{
	nfd_output_lost(ctx, netns, ifindex, total);
}

static int new_output(struct capture *c)
{
	static char shb_comment[PATH_MAX * 4 + 64];
	struct nfd_output_cfg cfg = {
		.write_path = c->opts.write_path,
		.snaplen = c->opts.snaplen,
		.count = c->opts.count,
		.filter = c->opts.filter,
		.interrupt = &stop,
		.rotate = { .size = c->opts.file_size,
			    .seconds = c->opts.file_seconds,
			    .files = c->opts.file_count },
		.json = c->opts.json,
		.metrics_path = c->opts.metrics,
		.netns_in_lines =
			nfd_lines_name_netns(c->opts.netns, c->opts.all_netns),
		.shb_comment = shb_comment,
		.chown = c->user.name != NULL,
		.uid = c->user.uid,
		.gid = c->user.gid,
	};

	nfd_file_shb_comment(shb_comment, sizeof(shb_comment), c->opts.netns,
			     c->opts.all_netns);
	return nfd_output_new(&c->out, &cfg);
}

static int start_probe(struct capture *c)
{
	struct nfd_drop_probe_cfg cfg = {
		.snap_data = nfd_sll2_snap_data(c->opts.snaplen),
		.netns = c->ns.inum,
		.all_netns = c->opts.all_netns,
		.buffer_kib = c->opts.buffer_kib,
		.on_sample = on_sample,
		.on_lost = on_lost,
		.ctx = c,
	};

	return nfd_drop_probe_start(&c->probe, &cfg);
}

static int64_t now_ns(void)
{
	return nfd_clock_ns(CLOCK_MONOTONIC);
}

/*
 * The probe's loss counters, into the output (on each interface's next
 * packet); @all: read them even if no loss was counted since last time.
 */
static void collect_losses(struct capture *c, bool all)
{
	if (nfd_drop_probe_lost_moved(&c->probe) || all)
		nfd_drop_probe_for_each_lost(&c->probe, note_lost, c->out);
	nfd_output_missed(c->out, nfd_drop_probe_misses(&c->probe));
}

/* --all-netns: a namespace is gone; its losses so far are counted. */
static void netns_gone(void *ctx, uint32_t inum)
{
	struct capture *c = ctx;

	collect_losses(c, true);
	nfd_drop_probe_forget_netns(&c->probe, inum);
	nfd_xt_rules_forget_netns(inum);
	nfd_output_netns_gone(c->out, inum);
}

static int start_backend(struct capture *c)
{
	struct nfd_backend_env env = {
		.probe = &c->probe,
		.all_netns = c->opts.all_netns,
		.verbose = c->opts.verbose,
		.filter = c->opts.filter,
	};
	char why[1024] = "";
	int err;

	c->backend = nfd_backend_start(c->opts.backend, &env, why, sizeof(why));
	if (!c->backend) {
		fprintf(stderr,
			"nfdropcap: backend %s is not available on "
			"this kernel: %s\n",
			c->opts.backend, why);
		return -ENOTSUP;
	}
	if (c->opts.verbose)
		fprintf(stderr, "nfdropcap: backend %s: %s\n", c->backend->name,
			why);
	c->backend_loaded = true;
	nfd_netns_set_init(&c->nss, c->backend, c->opts.all_netns);
	c->nss.on_gone = netns_gone;
	c->nss.ctx = c;
	nfd_output_set_netns(c->out, &c->nss);
	if (c->opts.all_netns)
		return nfd_netns_set_scan(&c->nss);
	err = nfd_netns_set_add_one(&c->nss, &c->ns);
	c->ns.fd = -1; /* the set owns it now */
	return err;
}

static int start_steps(struct capture *c)
{
	int err;

	err = nfd_output_open(c->out);
	if (err)
		return err;
	err = start_probe(c);
	if (err)
		return err;
	err = start_backend(c);
	if (err)
		return err;
	nfd_output_set_up(c->out);
	/* only now is an existing file cut: a failed start leaves it as it was */
	err = nfd_output_begin(c->out);
	if (err)
		return err;
	return nfd_privileges_drop(&c->user, c->opts.all_netns) ? -EPERM : 0;
}

static int start(struct capture *c)
{
	int err;

	/* one read of /proc/kallsyms for the start's lookups (if it fails,
	 * each lookup reads it and says what went wrong) */
	nfd_kallsyms_hold();
	err = start_steps(c);
	nfd_kallsyms_release();
	return err;
}

/* The live status line: on a terminal (stderr), not with -q. */
static bool status_wanted(const struct capture *c)
{
	return !c->opts.quiet && isatty(STDERR_FILENO);
}

static void show_status(struct capture *c, int64_t started)
{
	struct winsize ws;
	int width = 80;

	if (!ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) && ws.ws_col > 1)
		width = ws.ws_col - 1;
	nfd_output_show_status(c->out, now_ns() - started, width);
}

/*
 * One turn of the capture: the drops the kernel queued (waiting at most
 * @timeout_ms), the listings of rule text, the drops that waited for it, a
 * rotation that is due. false: the capture ends (an error, said, or -c).
 */
static bool step(struct capture *c, int timeout_ms)
{
	int err = perf_buffer__poll(c->probe.pb, timeout_ms);

	if (err < 0 && err != -EINTR) {
		fprintf(stderr, "nfdropcap: perf_buffer__poll: %s\n",
			strerror(-err));
		return false;
	}
	/* buffers below the wake-up watermark wait for this */
	perf_buffer__consume(c->probe.pb);
	nfd_netns_set_poll(&c->nss, now_ns());
	nfd_xt_rules_poll(&c->nss);
	nfd_output_release(c->out, false);
	nfd_output_tick(c->out);
	return !nfd_output_flush(c->out) && !nfd_output_done(c->out);
}

static void loop(struct capture *c)
{
	int64_t last_check = now_ns(), last_scan = last_check;
	int64_t started = last_check, last_status = last_check;
	bool status = status_wanted(c);

	/* a listing of rule text is read as it comes (ruleset.c) */
	while (!stop &&
	       step(c, nfd_ruleset_listing() ? LISTING_POLL_MS : POLL_MS)) {
		if (now_ns() - last_check > LOSS_CHECK_NS) {
			collect_losses(c, false);
			last_check = now_ns();
		}
		if (c->opts.all_netns &&
		    now_ns() - last_scan > (c->nss.scan_wanted ?
						    NETNS_RESCAN_NS :
						    NETNS_SCAN_NS)) {
			nfd_netns_set_scan(&c->nss);
			last_scan = now_ns();
		}
		if (status && now_ns() - last_status >= STATUS_NS) {
			show_status(c, started);
			last_status = now_ns();
		}
	}
	nfd_output_clear_status(c->out);
}

/*
 * Stop recording, then write out whatever the kernel already queued; drops
 * waiting for their rule's text wait a little more, never long.
 */
static void drain(struct capture *c)
{
	int64_t end = now_ns() + SETTLE_NS;

	nfd_drop_probe_detach(&c->probe);
	if (!nfd_output_error(c->out) && !nfd_output_done(c->out))
		perf_buffer__consume(c->probe.pb);
	collect_losses(c, true);
	while (nfd_output_holding(c->out) && now_ns() < end) {
		if (c->nss.scan_wanted)
			nfd_netns_set_scan(&c->nss);
		nfd_netns_set_poll(&c->nss, now_ns());
		nfd_output_release(c->out, false);
		usleep(10000);
	}
}

/*
 * The ready line waits for each namespace's first listing of rule text (a
 * slow or busy machine may take seconds), so that the drops a user causes
 * the moment it appears find their rule's text; drops are written meanwhile.
 * false: the capture ended while it waited.
 */
static bool wait_first_listings(struct capture *c)
{
	int64_t end = now_ns() + FIRST_LISTING_NS;

	while (!stop && !nfd_netns_set_listed(&c->nss) && now_ns() < end)
		if (!step(c, LISTING_POLL_MS))
			return false;
	return true;
}

/* What the backend costs, when it costs accepted traffic (nftrace). */
static void print_cost(const struct capture *c)
{
	const char *cost = c->opts.filter && c->backend->cost_filtered ?
				   c->backend->cost_filtered :
				   c->backend->cost;

	if (cost)
		fprintf(stderr, "nfdropcap: note: %s\n", cost);
}

static void print_ready(const struct capture *c)
{
	const char *to = !c->opts.write_path ? "stdout (text)" :
			 !strcmp(c->opts.write_path, "-") ?
					       "stdout (pcapng)" :
					       nfd_output_path(c->out);
	char both[PATH_MAX + 64];

	if (c->opts.json && !c->opts.write_path) {
		to = "stdout (JSON lines)";
	} else if (c->opts.json) {
		snprintf(both, sizeof(both), "%s, JSON lines to stdout", to);
		to = both;
	}
	if (c->opts.all_netns)
		fprintf(stderr,
			"nfdropcap: capturing drops in all network namespaces "
			"(%zu now), backend %s, snaplen %u, writing to %s\n",
			c->nss.n, c->backend->name, c->opts.snaplen, to);
	else
		fprintf(stderr,
			"nfdropcap: capturing drops in netns %s (net:[%u]), "
			"backend %s, snaplen %u, writing to %s\n",
			c->nss.v[0].ns.name, c->nss.v[0].ns.inum,
			c->backend->name, c->opts.snaplen, to);
	print_cost(c);
}

static int report_error(const struct capture *c)
{
	int err = nfd_output_error(c->out);
	const char *path = nfd_output_path(c->out);

	if (!err || err == -EPIPE) /* the reader is gone, as with tcpdump */
		return NFD_EXIT_OK;
	if (err == -EINTR) { /* the user stopped us, the reader took nothing */
		fprintf(stderr,
			"nfdropcap: stopped while the reader of '%s' took "
			"nothing; what it did not take is not written\n",
			path ? path : "stdout");
		return NFD_EXIT_OK;
	}
	if (!path)
		fprintf(stderr, "nfdropcap: writing to stdout: %s\n",
			strerror(-err));
	else
		fprintf(stderr,
			"nfdropcap: writing '%s': %s; the file holds every "
			"drop written before\n",
			path, strerror(-err));
	return NFD_EXIT_FAIL;
}

static int run(struct capture *c)
{
	uint64_t stats[NFD_STAT_MAX] = { 0 };
	bool going;
	int ret;

	if (start(c)) {
		nfd_output_abandon(c->out);
		/* a signal during start-up: the user asked to stop */
		return stop ? NFD_EXIT_OK : NFD_EXIT_FAIL;
	}
	going = wait_first_listings(c);
	if (!c->opts.quiet)
		print_ready(c);
	if (going)
		loop(c);
	drain(c);
	nfd_output_close(c->out);
	ret = report_error(c);
	nfd_drop_probe_stats(&c->probe, stats);
	if (!c->opts.quiet) {
		nfd_output_summary(c->out, nfd_drop_probe_misses(&c->probe));
		if (c->nss.not_joined)
			fprintf(stderr,
				"nfdropcap: %zu network namespaces could not "
				"be joined (named above): their drops are "
				"captured, not attributed\n",
				c->nss.not_joined);
	}
	if (c->opts.verbose)
		fprintf(stderr,
			"nfdropcap: kernel: %llu drops, %llu lost, %llu drop "
			"verdicts, %llu without headers, %llu trace "
			"messages, %llu not sent by the kernel (refused); "
			"perf lost records %llu\n",
			(unsigned long long)stats[NFD_STAT_DROPS],
			(unsigned long long)stats[NFD_STAT_LOST],
			(unsigned long long)stats[NFD_STAT_VERDICTS],
			(unsigned long long)stats[NFD_STAT_VERDICT_NOHDR],
			(unsigned long long)stats[NFD_STAT_TRACE_MSGS],
			(unsigned long long)stats[NFD_STAT_FORGED],
			(unsigned long long)c->lost_reported);
	return ret;
}

static void cleanup(struct capture *c)
{
	if (c->backend_loaded) {
		nfd_netns_set_free(&c->nss);
		c->backend->unload(c->backend);
	}
	nfd_drop_probe_destroy(&c->probe);
	nfd_output_free(c->out);
	nfd_netns_close(&c->ns);
	nfd_opts_free(&c->opts);
}

int main(int argc, char **argv)
{
	struct capture c = { .ns = { .fd = -1 } };
	int ret;

	ret = nfd_opts_parse(&c.opts, argc, argv);
	if (ret >= 0)
		goto out;
	if (c.opts.extcap && c.opts.extcap != NFD_EXTCAP_CAPTURE) {
		ret = nfd_extcap_answer(&c.opts);
		goto out;
	}
	if (c.opts.read_path) {
		ret = nfd_readback(&c.opts);
		goto out;
	}
	verbosity = c.opts.verbose;
	libbpf_set_print(libbpf_print);
	ret = nfd_privileges_init(&c.user, c.opts.user);
	if (ret)
		goto out;
	if (c.opts.selfcheck) {
		ret = preflight() ?: nfd_selfcheck(c.opts.verbose);
		goto out;
	}
	ret = new_output(&c);
	if (!c.opts.all_netns)
		ret = ret ?: nfd_netns_open(&c.ns, c.opts.netns);
	ret = ret ?: preflight();
	if (ret)
		goto out;
	if (setup_signals()) {
		fprintf(stderr, "nfdropcap: sigaction: %s\n", strerror(errno));
		ret = NFD_EXIT_FAIL;
		goto out;
	}
	raise_fd_limit();
	ret = run(&c);
out:
	cleanup(&c);
	return ret;
}
