// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests: iptables-legacy tables entry by entry (xt_legacy.c). Tables
 * iptables-legacy-restore loads in a namespace of this test's own, read
 * back from the kernel: each entry that always drops, named by chain and
 * number as 'iptables -L --line-numbers' counts; and entries a kernel
 * would not give, refused.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <linux/netfilter_ipv4/ip_tables.h>

#include "check.h"
#include "netns/xt_legacy.h"

static const char rules4[] =
	"*filter\n"
	":INPUT DROP [0:0]\n"
	":FORWARD ACCEPT [0:0]\n"
	":OUTPUT ACCEPT [0:0]\n"
	":zones - [0:0]\n"
	":deny - [0:0]\n"
	"-A INPUT -p udp --dport 1 -j ACCEPT\n"
	"-A INPUT -p udp -j zones\n"
	"-A INPUT -p tcp --dport 2 -j REJECT --reject-with tcp-reset\n"
	"-A zones -p udp --dport 3 -j deny\n"
	"-A zones -p udp --dport 4 -j LOG\n"
	"-A zones -p udp --dport 4 -j DROP\n"
	"-A deny -j DROP\n"
	"-A OUTPUT -p udp --dport 5 -j DROP\n"
	"COMMIT\n";

static const char rules6[] = "*filter\n"
			     ":INPUT ACCEPT [0:0]\n"
			     ":FORWARD DROP [0:0]\n"
			     ":OUTPUT ACCEPT [0:0]\n"
			     "-A INPUT -p udp --dport 6 -j ACCEPT\n"
			     "-A INPUT -p udp --dport 7 -j DROP\n"
			     "COMMIT\n";

static int restore(const char *tool, const char *rules)
{
	char cmd[128];
	FILE *f;

	snprintf(cmd, sizeof(cmd), "%s 2>/dev/null", tool);
	f = popen(cmd, "w");
	if (!f)
		return -1;
	fputs(rules, f);
	return pclose(f) ? -1 : 0;
}

/* "chain INPUT rule 3", "chain INPUT policy DROP" for @e in @t. */
static void describe(const struct nfd_xtl_table *t,
		     const struct nfd_xtl_entry *e, char *buf, size_t len)
{
	if (e->kind == NFD_XTL_POLICY)
		snprintf(buf, len, "chain %s policy DROP", t->chains[e->chain]);
	else
		snprintf(buf, len, "chain %s rule %u", t->chains[e->chain],
			 e->num);
}

/* The entries that drop, described, one per line in table order. */
static void drops_of(int family, const char *want)
{
	struct nfd_xtl_table t;
	uint32_t off[32];
	char got[1024] = "", line[128];
	int fd = socket(family, SOCK_RAW, IPPROTO_RAW), n;

	if (!CHECK(fd >= 0))
		return;
	if (!CHECK(nfd_xtl_read(fd, family, "filter", &t) == 0)) {
		close(fd);
		return;
	}
	n = nfd_xtl_drops(&t, off, 32);
	for (int i = 0; i < n; i++) {
		describe(&t, nfd_xtl_find(&t, off[i]), line,
				 sizeof(line));
		strcat(got, line);
		strcat(got, "\n");
	}
	if (!CHECK(!strcmp(got, want)))
		fprintf(stderr, "got:\n%swant:\n%s", got, want);
	/* an offset inside an entry names nothing */
	CHECK(nfd_xtl_find(&t, off[0] + 4) == NULL);
	CHECK(nfd_xtl_drops(&t, off, 1) == -E2BIG);
	nfd_xtl_free(&t);
	close(fd);
}

static void real_tables(void)
{
	if (geteuid()) {
		printf("skip: real tables: not root\n");
		return;
	}
	if (unshare(CLONE_NEWNET)) {
		printf("skip: real tables: unshare: %m\n");
		return;
	}
	if (restore("iptables-legacy-restore", rules4) ||
	    restore("ip6tables-legacy-restore", rules6)) {
		printf("skip: real tables: no iptables-legacy-restore, or no "
		       "legacy tables in this kernel\n");
		return;
	}
	/* user chains follow the built-in ones, by name */
	drops_of(AF_INET, "chain INPUT rule 3\n"
			  "chain INPUT policy DROP\n"
			  "chain OUTPUT rule 1\n"
			  "chain deny rule 1\n"
			  "chain zones rule 3\n");
	drops_of(AF_INET6, "chain INPUT rule 2\n"
			   "chain FORWARD policy DROP\n");
}

/* A table of INPUT's policy and the end, built here. */
struct tiny {
	struct ipt_entry policy;
	struct xt_standard_target std;
	struct ipt_entry end;
	struct xt_error_target err;
};

static void tiny_table(struct tiny *b, struct nfd_xtl_info *info)
{
	memset(b, 0, sizeof(*b));
	b->policy.target_offset = sizeof(b->policy);
	b->policy.next_offset = sizeof(b->policy) + sizeof(b->std);
	b->std.target.u.user.target_size = sizeof(b->std);
	b->std.verdict = -NF_DROP - 1;
	b->end.target_offset = sizeof(b->end);
	b->end.next_offset = sizeof(b->end) + sizeof(b->err);
	b->err.target.u.user.target_size = sizeof(b->err);
	strcpy(b->err.target.u.user.name, XT_ERROR_TARGET);
	strcpy(b->err.errorname, "ERROR");
	memset(info, 0, sizeof(*info));
	info->valid_hooks = 1 << NF_INET_LOCAL_IN;
	info->size = sizeof(*b);
	info->num_entries = 2;
}

static void hand_made(void)
{
	struct nfd_xtl_table t;
	struct nfd_xtl_info info;
	struct tiny b;
	char line[64];

	tiny_table(&b, &info);
	if (CHECK(nfd_xtl_parse(AF_INET, "filter", &info, &b, &t) == 0)) {
		CHECK(t.n == 2);
		describe(&t, &t.e[0], line, sizeof(line));
		CHECK(!strcmp(line, "chain INPUT policy DROP"));
		nfd_xtl_free(&t);
	}
	/* a next_offset of 0 would loop for ever */
	tiny_table(&b, &info);
	b.end.next_offset = 0;
	CHECK(nfd_xtl_parse(AF_INET, "filter", &info, &b, &t) == -EINVAL);
	/* past the end */
	tiny_table(&b, &info);
	b.end.next_offset += 8;
	CHECK(nfd_xtl_parse(AF_INET, "filter", &info, &b, &t) == -EINVAL);
	/* a target past its entry */
	tiny_table(&b, &info);
	b.std.target.u.user.target_size = 200;
	CHECK(nfd_xtl_parse(AF_INET, "filter", &info, &b, &t) == -EINVAL);
	/* a hook's entry point inside an entry */
	tiny_table(&b, &info);
	info.hook_entry[NF_INET_LOCAL_IN] = 4;
	CHECK(nfd_xtl_parse(AF_INET, "filter", &info, &b, &t) == -EINVAL);
	/* a policy that is not at its chain's end */
	tiny_table(&b, &info);
	info.underflow[NF_INET_LOCAL_IN] = sizeof(b.policy) + sizeof(b.std);
	CHECK(nfd_xtl_parse(AF_INET, "filter", &info, &b, &t) == -EINVAL);
	/* a chain name of the longest kind is kept whole, terminated */
	tiny_table(&b, &info);
	info.hook_entry[NF_INET_LOCAL_IN] = info.underflow[NF_INET_LOCAL_IN] =
		sizeof(b.policy) + sizeof(b.std);
	memset(b.err.errorname, 'x', sizeof(b.err.errorname) - 1);
	b.end.next_offset = sizeof(b.end) + sizeof(b.err);
	/* the error entry first, the policy after it: swap */
	{
		struct tiny s = b;

		memcpy(&b, &s.end, sizeof(s.end) + sizeof(s.err));
		memcpy((char *)&b + sizeof(s.end) + sizeof(s.err), &s.policy,
		       sizeof(s.policy) + sizeof(s.std));
	}
	info.hook_entry[NF_INET_LOCAL_IN] = info.underflow[NF_INET_LOCAL_IN] =
		sizeof(b.end) + sizeof(b.err);
	if (CHECK(nfd_xtl_parse(AF_INET, "filter", &info, &b, &t) == 0)) {
		CHECK(t.nchains == 2 &&
		      strlen(t.chains[0]) == sizeof(b.err.errorname) - 1);
		nfd_xtl_free(&t);
	}
}

int main(void)
{
	hand_made();
	real_tables();
	return check_summary();
}
