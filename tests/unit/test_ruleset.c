// SPDX-License-Identifier: GPL-2.0
/* Unit tests: nft's ruleset text parsed into rule texts, and comments. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "netns/xt_save.h"
#include "lib/clock.h"
#include "output/comment.h"
#include "netns/ruleset.h"

/* As 'nft -a -s list ruleset' prints it (nftables 1.0.6). */
static const char listing[] =
	/* newer nft says this on stdout, before the table */
	"# Warning: table ip filter is managed by iptables-nft, do not touch!\n"
	"table inet filter { # handle 1\n"
	"\tset blocked { # handle 4\n"
	"\t\ttype ipv4_addr\n"
	"\t\telements = { 10.0.0.1, 10.0.0.2,\n"
	"\t\t\t     10.0.0.3 }\n"
	"\t}\n"
	"\n"
	"\tchain input { # handle 1\n"
	"\t\ttype filter hook input priority filter; policy accept;\n"
	"\t\ttcp dport 10000 drop # handle 7\n"
	"\t\tudp dport vmap { 53 : accept, 5008 : drop } # handle 8\n"
	"\t\tip saddr @blocked counter drop # handle 9\n"
	"\t\tmeta l4proto tcp comment \"a { brace\" drop # handle 10\n"
	"\t\tudp dport 1 drop comment \"x # handle 5\" # handle 12\n"
	"\t}\n"
	"\n"
	"\tchain sub { # handle 2\n"
	"\t\tudp dport 5006 drop # handle 11\n"
	"\t}\n"
	"}\n"
	"table ip6 t6 { # handle 2\n"
	"\tchain input { # handle 1\n"
	"\t\ttype filter hook input priority filter; policy drop;\n"
	"\t\tudp dport 5005 reject with icmpv6 port-unreachable # handle 3\n"
	"\t}\n"
	"}\n"
	"table ip \"odd name\" { # handle 3\n"
	"\tchain \"in put\" { # handle 1\n"
	"\t\tdrop # handle 2\n"
	"\t}\n"
	"}\n";

static const char *rule(struct nfd_ruleset *rs, const char *f, const char *t,
			const char *c, unsigned long long h)
{
	return nfd_ruleset_rule(rs, f, t, c, h);
}

static void test_parse(void)
{
	struct nfd_ruleset *rs = nfd_ruleset_new_empty();
	const char *s;

	if (!CHECK(rs) || !CHECK(nfd_ruleset_parse(rs, listing) == 0))
		return;
	s = rule(rs, "inet", "filter", "input", 7);
	CHECK(s && !strcmp(s, "tcp dport 10000 drop"));
	s = rule(rs, "inet", "filter", "input", 8);
	CHECK(s && !strcmp(s, "udp dport vmap { 53 : accept, 5008 : drop }"));
	s = rule(rs, "inet", "filter", "input", 9);
	CHECK(s && !strcmp(s, "ip saddr @blocked counter drop"));
	s = rule(rs, "inet", "filter", "input", 10);
	CHECK(s && !strcmp(s, "meta l4proto tcp comment \"a { brace\" drop"));
	/* a comment that says "# handle 5" names no rule 5 */
	s = rule(rs, "inet", "filter", "input", 12);
	CHECK(s && !strcmp(s, "udp dport 1 drop comment \"x # handle 5\""));
	s = rule(rs, "inet", "filter", "sub", 11);
	CHECK(s && !strcmp(s, "udp dport 5006 drop"));
	s = rule(rs, "ip6", "t6", "input", 3);
	CHECK(s && !strcmp(s, "udp dport 5005 reject with icmpv6 "
			      "port-unreachable"));
	s = rule(rs, "ip", "odd name", "in put", 2);
	CHECK(s && !strcmp(s, "drop"));
	/*
	 * A set's handle, another chain's, another table's, the one in a
	 * comment: no rule (each miss of an unmonitored cache lists the
	 * ruleset again: these come last).
	 */
	CHECK(!rule(rs, "inet", "filter", "input", 5));
	CHECK(!rule(rs, "inet", "filter", "input", 4));
	CHECK(!rule(rs, "inet", "filter", "sub", 7));
	CHECK(!rule(rs, "ip", "filter", "input", 7));
	CHECK(!rule(rs, "inet", "filter", "input", 1));
	nfd_ruleset_free(rs);
}

static void test_comments(void)
{
	struct nfd_rule r = {
		.kind = NFD_KIND_RULE, .family = 1, .handle = 7, .verdict = 0
	};
	char buf[1024];

	strcpy(r.table, "filter");
	strcpy(r.chain, "input");
	nfd_comment_line(buf, sizeof(buf), &r, "tcp dport 10000 drop");
	CHECK(!strcmp(buf, "table inet filter chain input handle 7 drop: "
			   "tcp dport 10000 drop"));
	nfd_comment_line(buf, sizeof(buf), &r, NULL);
	CHECK(!strcmp(buf, "table inet filter chain input handle 7 drop"));

	r.kind = NFD_KIND_POLICY;
	r.family = 2;
	r.handle = 0;
	nfd_comment_line(buf, sizeof(buf), &r, "ignored");
	CHECK(!strcmp(buf, "table ip filter chain input policy drop"));

	r.family = 10;
	CHECK(!strcmp(nfd_family_name(r.family), "ip6"));
	CHECK(!strcmp(nfd_family_name(7), "bridge"));
	CHECK(!strcmp(nfd_family_name(5), "netdev"));

	memset(&r, 0, sizeof(r));
	r.why = NFD_WHY_NOT_NFT;
	nfd_comment_line(buf, sizeof(buf), &r, "ignored");
	CHECK(!strncmp(buf, "netfilter drop", 14));
	CHECK(!strstr(buf, "handle"));
	for (int why = 0; why <= NFD_WHY_MAX; why++) {
		r.why = why;
		nfd_comment_line(buf, sizeof(buf), &r, NULL);
		CHECK(!strncmp(buf, "netfilter drop", 14) &&
		      !strstr(buf, "handle"));
	}

	/* who dropped it outside nf_tables: table and hook's chain, hook */
	r.why = NFD_WHY_XT_LEGACY;
	r.family = 2;
	r.handle = 4;
	strcpy(r.table, "mangle");
	nfd_comment_line(buf, sizeof(buf), &r, NULL);
	CHECK(!strcmp(buf, "netfilter drop (not attributed: dropped by "
			   "iptables-legacy table mangle chain POSTROUTING)"));
	r.family = 10;
	r.handle = 9; /* no such hook */
	nfd_comment_line(buf, sizeof(buf), &r, NULL);
	CHECK(!strcmp(buf, "netfilter drop (not attributed: dropped by "
			   "ip6tables-legacy table mangle chain ?)"));
	r.why = NFD_WHY_CONNTRACK;
	r.family = 2;
	r.handle = 0;
	nfd_comment_line(buf, sizeof(buf), &r, NULL);
	CHECK(!strcmp(buf, "netfilter drop (not attributed: dropped by "
			   "conntrack (nf_conntrack_in) in hook ip "
			   "prerouting)"));
	r.why = NFD_WHY_CT_FULL;
	r.family = 10;
	r.handle = 3;
	nfd_comment_line(buf, sizeof(buf), &r, NULL);
	CHECK(!strcmp(buf, "netfilter drop (not attributed: dropped by "
			   "conntrack (nf_conntrack_in) in hook ip6 output: "
			   "conntrack table full (net.netfilter."
			   "nf_conntrack_max))"));
}

/*
 * Hostile names and rule text (a namespace owns them): the first comment
 * line stays one line, with the kernel's handle, every control escaped.
 */
static void test_hostile_comment(void)
{
	struct nfd_rule r = {
		.kind = NFD_KIND_RULE, .family = 1, .handle = 7, .verdict = 0
	};
	char buf[4096];

	strcpy(r.table, "filter\x1b[31m");
	strcpy(r.chain, "input chain x handle 99 drop\nnetns init");
	nfd_comment_line(buf, sizeof(buf), &r, "drop\r\ncomment \"\x9b\"");
	CHECK(!strcmp(buf, "table inet filter\\x1b[31m chain input chain x "
			   "handle 99 drop\\x0anetns init handle 7 drop: "
			   "drop\\x0d\\x0acomment \"\\x9b\""));
	CHECK(!strchr(buf, '\n') && !strchr(buf, '\x1b'));
	/* names fill their 256 bytes, not terminated: still bounded */
	memset(r.table, '\n', sizeof(r.table));
	memset(r.chain, 0xff, sizeof(r.chain));
	nfd_comment_rule(buf, sizeof(buf), &r);
	CHECK(strlen(buf) == strlen("table inet  chain  handle 7 drop") +
				     2 * 4 * NFD_NAME_MAX);
	CHECK(!strchr(buf, '\n'));
	/* a buffer too small cuts whole escapes, never half of one */
	strcpy(r.table, "t");
	strcpy(r.chain, "c");
	nfd_comment_line(buf, 36, &r, "\x01\x02");
	CHECK(!strcmp(buf, "table inet t chain c handle 7 drop"));
	nfd_comment_line(buf, 40, &r, "\x01\x02");
	CHECK(!strcmp(buf, "table inet t chain c handle 7 drop: "));
	nfd_comment_line(buf, 41, &r, "\x01\x02");
	CHECK(!strcmp(buf, "table inet t chain c handle 7 drop: \\x01"));
}

/* A stand-in for nft: a shell script, written to a file of its own. */
static char *fake_nft(const char *body)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/nfd-fake-nft.XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return NULL;
	dprintf(fd, "#!/bin/sh\n%s\n", body);
	fchmod(fd, 0700);
	close(fd);
	return path;
}

/*
 * Polls @rs as the capture loop does until its listing ended (or 5 s);
 * returns the text of inet t c handle 2, or NULL.
 */
static const char *listed(struct nfd_ruleset *rs, double *secs)
{
	int64_t start = nfd_clock_ns(CLOCK_MONOTONIC), now = start;
	const char *text = NULL;

	do {
		nfd_ruleset_poll(rs, now);
		usleep(5000);
		now = nfd_clock_ns(CLOCK_MONOTONIC);
	} while (nfd_ruleset_busy(rs) && now - start < 5000000000LL);
	text = nfd_ruleset_rule(rs, "inet", "t", "c", 2);
	*secs = (now - start) / 1e9;
	return text;
}

#define LISTING                                                          \
	"printf 'table inet t { # handle 1\\n\\tchain c { # handle 1\\n" \
	"\\t\\tudp dport 1 drop # handle 2\\n\\t}\\n}\\n'"

/* One run of a stand-in nft: what text came, how long, and why not. */
static const char *run_fake(const char *body, double *secs, char *why,
			    size_t len)
{
	struct nfd_ruleset *rs = nfd_ruleset_new(-1);
	static char text[256];
	const char *path = fake_nft(body), *t;

	text[0] = why[0] = 0;
	if (!CHECK(rs && path))
		return NULL;
	nfd_ruleset_set_nft(rs, path);
	t = listed(rs, secs);
	snprintf(text, sizeof(text), "%s", t ? t : "");
	snprintf(why, len, "%s", nfd_ruleset_why(rs));
	nfd_ruleset_free(rs);
	unlink(path);
	return t ? text : NULL;
}

/*
 * Listings run off the capture path: a slow nft is killed at its deadline,
 * a flood of output at its cap, a failing one says so; nft runs with a
 * clean environment, no inherited descriptor, no_new_privs and (as root)
 * only CAP_NET_ADMIN.
 */
static void test_listing(void)
{
	char why[256], body[1024];
	const char *t;
	double secs;
	int fd = open("/dev/null", O_RDONLY); /* must not reach nft */

	setenv("NFD_SECRET", "1", 1);
	dup2(fd, 57);
	snprintf(body, sizeof(body),
		 "[ -z \"$NFD_SECRET\" ] || exit 3\n"
		 "[ ! -e /proc/$$/fd/57 ] || exit 4\n"
		 "grep -q '^NoNewPrivs:.*1' /proc/$$/status || exit 5\n"
		 "%s\n%s",
		 getuid() ? "" :
			    "grep -q '^CapBnd:.*0000000000001000$' "
			    "/proc/$$/status || exit 6",
		 LISTING);
	t = run_fake(body, &secs, why, sizeof(why));
	CHECK(t && !strcmp(t, "udp dport 1 drop"));
	if (!t)
		fprintf(stderr, "clean listing: %s\n", why);
	t = run_fake("exec sleep 10", &secs, why, sizeof(why));
	CHECK(!t && strstr(why, "within 2 s") && secs < 3);
	t = run_fake("exec yes 0123456789abcdef0123456789abcdef", &secs, why,
		     sizeof(why));
	CHECK(!t && strstr(why, "more than 64 MiB"));
	t = run_fake("exit 1", &secs, why, sizeof(why));
	CHECK(!t && strstr(why, "failed"));
	close(57);
	close(fd);
	unsetenv("NFD_SECRET");
}

/*
 * Named sets and maps: their elements, over several lines, with quoted
 * comments holding braces; rules after them still parsed; a chain named
 * like a set keyword is no set.
 */
static void test_sets(void)
{
	static const char text[] =
		"table ip kube-proxy { # handle 1\n"
		"\tmap service-ips { # handle 4\n"
		"\t\ttype ipv4_addr . inet_proto . inet_service : verdict\n"
		"\t\tcomment \"ClusterIP { traffic\"\n"
		"\t\telements = { 10.96.0.10 . tcp . 53 comment \"a { b\" : goto s-A,\n"
		"\t\t\t     10.96.0.1 . tcp . 443 : goto s-B }\n"
		"\t}\n"
		"\tset empty { # handle 5\n"
		"\t\ttype ipv4_addr\n"
		"\t}\n"
		"\tchain services { # handle 3\n"
		"\t\tip daddr . meta l4proto . th dport vmap @service-ips # handle 8\n"
		"\t}\n"
		"}\n";
	struct nfd_ruleset *rs = nfd_ruleset_new_empty();
	const char *els, *type = NULL;

	if (!CHECK(rs) || !CHECK(nfd_ruleset_parse(rs, text) == 0))
		return;
	els = nfd_ruleset_set(rs, "ip", "kube-proxy", "service-ips", &type);
	CHECK(els &&
	      !strcmp(els, "{ 10.96.0.10 . tcp . 53 comment \"a { b\" : "
			   "goto s-A, 10.96.0.1 . tcp . 443 : goto s-B }"));
	CHECK(type && !strcmp(type, "ipv4_addr . inet_proto . inet_service : "
				    "verdict"));
	els = nfd_ruleset_set(rs, "ip", "kube-proxy", "empty", NULL);
	CHECK(els && !strcmp(els, "{ }"));
	CHECK(!nfd_ruleset_set(rs, "ip", "kube-proxy", "services", NULL));
	CHECK(!nfd_ruleset_set(rs, "inet", "kube-proxy", "empty", NULL));
	els = rule(rs, "ip", "kube-proxy", "services", 8);
	CHECK(els && !strcmp(els, "ip daddr . meta l4proto . th dport vmap "
				  "@service-ips"));
	CHECK(!strcmp(nfd_ruleset_chain_of(rs, "ip", "kube-proxy", 8, NULL),
		      "services"));
	nfd_ruleset_free(rs);
}

static char xt_seen[512];

static int xt_rule(void *ctx, const char *table, const char *chain, int pos,
		   const char *line)
{
	size_t n = strlen(xt_seen);

	(void)ctx;
	snprintf(xt_seen + n, sizeof(xt_seen) - n, "%s/%s/%d/%s|", table, chain,
		 pos, line);
	return 0;
}

/* iptables-nft-save's output: rules with their table, chain, position. */
static void test_xt_save(void)
{
	static const char out[] =
		"# Generated by iptables-nft-save v1.8.9 (nf_tables)\n"
		"*filter\n"
		":INPUT ACCEPT [0:0]\n"
		":DOCKER - [0:0]\n"
		"-A INPUT -p udp -m udp --dport 9 -j DROP\n"
		"-A DOCKER ! -i docker0 -o docker0 -j DROP\n"
		"-A DOCKER -m comment --comment \"-A INPUT x\" -j RETURN\n"
		"-A INPUT -j ACCEPT\n"
		"COMMIT\n"
		"*nat\n"
		"-A INPUT -j ACCEPT\n"
		"-A\n"
		"COMMIT\n";

	xt_seen[0] = 0;
	CHECK(nfd_xt_parse(out, xt_rule, NULL) == 0);
	CHECK(!strcmp(
		xt_seen,
		"filter/INPUT/0/-A INPUT -p udp -m udp --dport 9 -j DROP|"
		"filter/DOCKER/0/-A DOCKER ! -i docker0 -o docker0 -j DROP|"
		"filter/DOCKER/1/-A DOCKER -m comment --comment \"-A INPUT "
		"x\" -j RETURN|"
		"filter/INPUT/1/-A INPUT -j ACCEPT|"
		"nat/INPUT/0/-A INPUT -j ACCEPT|"));
	CHECK(nfd_xt_tool_of("ip", "filter") == 0);
	CHECK(nfd_xt_tool_of("ip6", "nat") == 1);
	CHECK(nfd_xt_tool_of("bridge", "broute") == 2);
	CHECK(nfd_xt_tool_of("inet", "filter") < 0);
	CHECK(nfd_xt_tool_of("ip", "mytable") < 0);
}

int main(void)
{
	test_parse();
	test_sets();
	test_xt_save();
	test_comments();
	test_hostile_comment();
	test_listing();
	return check_summary();
}
