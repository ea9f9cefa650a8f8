// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests: the gotos of a path of jumps (backend dropsite) put back
 * from the ruleset as listed, only where it leaves one way.
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "netns/ruleset.h"
#include "output/comment.h"
#include "output/goto_path.h"

/* t_jump_path's ruleset, as 'nft -a -s list ruleset' prints it. */
static const char jump_path[] =
	"table inet filter { # handle 1\n"
	"\tchain input { # handle 1\n"
	"\t\ttype filter hook input priority filter; policy accept;\n"
	"\t\tjump early # handle 5\n"
	"\t\tudp dport 5130-5133 jump zones # handle 6\n"
	"\t\tudp dport 5134 drop # handle 7\n"
	"\t}\n"
	"\tchain early { # handle 2\n"
	"\t\tudp dport 5199 accept # handle 8\n"
	"\t}\n"
	"\tchain zones { # handle 3\n"
	"\t\tudp dport 5131 goto public # handle 9\n"
	"\t\tudp dport vmap { 5130 : jump public, 5133 : goto deny } # handle 10\n"
	"\t\tudp dport 5132 jump public # handle 11\n"
	"\t}\n"
	"\tchain public { # handle 4\n"
	"\t\tudp dport 5132 jump deny # handle 12\n"
	"\t\tudp dport 5130 drop # handle 13\n"
	"\t\tudp dport 5131 drop # handle 14\n"
	"\t}\n"
	"\tchain deny { # handle 15\n"
	"\t\tdrop # handle 16\n"
	"\t}\n"
	"}\n";

/* kube-proxy's shape: a named map's elements go to chains. */
static const char kube[] =
	"table ip kube-proxy { # handle 2\n"
	"\tmap no-endpoint-services { # handle 3\n"
	"\t\ttype ipv4_addr . inet_proto . inet_service : verdict\n"
	"\t\telements = { 10.0.0.1 . udp . 53 comment \"ns/a:dns\" : goto reject-chain,\n"
	"\t\t\t     10.0.0.1 . tcp . 53 comment \"ns/a:tcp\" : goto reject-chain }\n"
	"\t}\n"
	"\tchain filter-input { # handle 4\n"
	"\t\ttype filter hook input priority -110; policy accept;\n"
	"\t\tct state new jump service-endpoints-check # handle 8\n"
	"\t}\n"
	"\tchain service-endpoints-check { # handle 5\n"
	"\t\tip daddr . meta l4proto . th dport vmap @no-endpoint-services # handle 9\n"
	"\t}\n"
	"\tchain reject-chain { # handle 6\n"
	"\t\treject # handle 10\n"
	"\t}\n"
	"\tchain other { # handle 7\n"
	"\t\tgoto reject-chain # handle 11\n"
	"\t}\n"
	"}\n";

static struct nfd_rule drop_in(const char *table, const char *chain,
			       unsigned int base, int n, const uint64_t *jumps)
{
	struct nfd_rule r = { .kind = NFD_KIND_RULE };

	r.family = strcmp(table, "filter") ? 2 : 1; /* NFPROTO_IPV4, INET */
	snprintf(r.table, sizeof(r.table), "%s", table);
	snprintf(r.chain, sizeof(r.chain), "%s", chain);
	r.path.known = 1;
	r.path.jumps_only = 1;
	r.path.base_handle = base;
	r.path.n = n;
	for (int i = 0; i < n; i++) {
		r.path.handle[i] = jumps[i];
		r.path.kind[i] = NFD_HOP_JUMP;
	}
	return r;
}

/* The path as "h:j h:g ..." (handle and kind of each hop), or "?why". */
static const char *resolved(struct nfd_ruleset *rs, const struct nfd_rule *r)
{
	static char buf[4096];
	struct nfd_path p;
	char why[3072];
	size_t n = 0;

	if (nfd_goto_path(rs, r, &p, why, sizeof(why))) {
		snprintf(buf, sizeof(buf), "?%s", why);
		return buf;
	}
	buf[0] = 0;
	for (int i = 0; i < p.n; i++)
		n += snprintf(buf + n, sizeof(buf) - n, "%s%llu:%c",
			      i ? " " : "", (unsigned long long)p.handle[i],
			      p.kind[i] == NFD_HOP_GOTO ? 'g' : 'j');
	CHECK(p.known == 1 && p.jumps_only == 0);
	return buf;
}

#define EXPECT_PATH(rs, r, want)                                        \
	do {                                                            \
		const char *got_ = resolved(rs, r);                     \
		if (!CHECK(!strcmp(got_, want)))                        \
			fprintf(stderr, "  got '%s', want '%s'\n", got_, \
				want);                                  \
	} while (0)

static void test_jump_path(void)
{
	struct nfd_ruleset *rs = nfd_ruleset_new_empty();
	const uint64_t z[] = { 6 }, zv[] = { 6, 10 }, zjj[] = { 6, 11, 12 };
	struct nfd_rule r;

	if (!CHECK(rs && !nfd_ruleset_parse(rs, jump_path)))
		return;
	r = drop_in("filter", "public", 1, 1, z); /* 5131 */
	EXPECT_PATH(rs, &r, "6:j 9:g");
	r = drop_in("filter", "deny", 1, 1, z); /* 5133: the map's goto */
	EXPECT_PATH(rs, &r, "6:j 10:g");
	r = drop_in("filter", "public", 1, 2, zv); /* 5130: the map's jump */
	EXPECT_PATH(rs, &r, "6:j 10:j");
	r = drop_in("filter", "deny", 1, 3, zjj); /* 5132: jumps only */
	EXPECT_PATH(rs, &r, "6:j 11:j 12:j");
	r = drop_in("filter", "input", 1, 0, NULL); /* the base chain's */
	EXPECT_PATH(rs, &r, "");
	/* the same again: from the cache */
	r = drop_in("filter", "public", 1, 1, z);
	EXPECT_PATH(rs, &r, "6:j 9:g");
	/* a base chain not listed */
	r = drop_in("filter", "public", 99, 1, z);
	CHECK(strstr(resolved(rs, &r), "?its base chain (handle 99)"));
	/* no way: early does not lead to public */
	r = drop_in("filter", "public", 2, 0, NULL);
	CHECK(strstr(resolved(rs, &r), "?no goto in the ruleset listed "
				       "leads from chain early to chain "
				       "public"));
	/* a jump rule that does not jump where the stack says */
	{
		const uint64_t bad[] = { 6, 9 };

		r = drop_in("filter", "public", 1, 2, bad);
		CHECK(strstr(resolved(rs, &r), "?rule handle 9: its jumps"));
	}
	nfd_ruleset_free(rs);
}

/* @text with its first @old made @new, in @buf. */
static const char *replaced(char *buf, size_t len, const char *text,
			    const char *old, const char *new)
{
	const char *p = strstr(text, old);

	snprintf(buf, len, "%.*s%s%s", (int)(p - text), text, new,
		 p + strlen(old));
	return buf;
}

/* A second goto to public makes two ways: unknown, never one of them. */
static void test_two_ways(void)
{
	struct nfd_ruleset *rs = nfd_ruleset_new_empty();
	const uint64_t z[] = { 6 };
	char text[sizeof(jump_path) + 64];
	struct nfd_rule r;

	if (!CHECK(rs))
		return;
	CHECK(!nfd_ruleset_parse(
		rs, replaced(text, sizeof(text), jump_path,
			     "udp dport 5132 jump public # handle 11",
			     "iifname \"x\" goto public # handle 17")));
	r = drop_in("filter", "public", 1, 1, z);
	CHECK(strstr(resolved(rs, &r),
		     "?more than one way of gotos leads from chain zones to "
		     "chain public"));
	/* the map's goto still leads one way */
	r = drop_in("filter", "deny", 1, 1, z);
	EXPECT_PATH(rs, &r, "6:j 10:g");
	nfd_ruleset_free(rs);
}

/* Words in quoted strings, and names a text cannot be read back by. */
static void test_unsure(void)
{
	static const char commented[] =
		"table inet filter { # handle 1\n"
		"\tchain input { # handle 1\n"
		"\t\ttype filter hook input priority filter; policy accept;\n"
		"\t\tudp dport 1 goto a # handle 4\n"
		"\t\tudp dport 2 comment \"goto b\" drop # handle 5\n"
		"\t}\n"
		"\tchain a { # handle 2\n\t\tdrop # handle 6\n\t}\n"
		"\tchain b { # handle 3\n\t\tdrop # handle 7\n\t}\n"
		"}\n";
	static const char odd[] =
		"table inet filter { # handle 1\n"
		"\tchain input { # handle 1\n"
		"\t\ttype filter hook input priority filter; policy accept;\n"
		"\t\tudp dport 1 goto a # handle 4\n"
		"\t}\n"
		"\tchain a { # handle 2\n\t\tdrop # handle 6\n\t}\n"
		"\tchain \"a b\" { # handle 3\n\t\tdrop # handle 7\n\t}\n"
		"}\n";
	struct nfd_ruleset *rs = nfd_ruleset_new_empty();
	struct nfd_rule r;

	if (!CHECK(rs && !nfd_ruleset_parse(rs, commented)))
		return;
	r = drop_in("filter", "a", 1, 0, NULL);
	CHECK(strstr(resolved(rs, &r), "?rule handle 5: its gotos were not "
				       "all read for sure"));
	CHECK(!nfd_ruleset_parse(rs, odd));
	r = drop_in("filter", "a", 1, 0, NULL);
	CHECK(strstr(resolved(rs, &r), "or has names in its table"));
	nfd_ruleset_free(rs);
}

/* A named map's elements, two to one chain: one way, by the map's rule. */
static void test_named_map(void)
{
	struct nfd_ruleset *rs = nfd_ruleset_new_empty();
	const uint64_t j[] = { 8 };
	struct nfd_rule r;

	if (!CHECK(rs && !nfd_ruleset_parse(rs, kube)))
		return;
	r = drop_in("kube-proxy", "reject-chain", 4, 1, j);
	EXPECT_PATH(rs, &r, "8:j 9:g");
	nfd_ruleset_free(rs);
}

int main(void)
{
	test_jump_path();
	test_two_ways();
	test_unsure();
	test_named_map();
	return check_summary();
}
