// SPDX-License-Identifier: GPL-2.0
/* The words nfdropcap writes about a drop: the packet comment's lines. */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "comment.h"
#include "lib/escape.h"

const char *nfd_family_name(uint8_t nfproto)
{
	switch (nfproto) {
	case 1:
		return "inet";
	case 2:
		return "ip";
	case 3:
		return "arp";
	case 5:
		return "netdev";
	case 7:
		return "bridge";
	case 10:
		return "ip6";
	default:
		return "unknown";
	}
}

const char *nfd_verdict_name(int32_t verdict)
{
	switch (verdict & 0xff) {
	case 0:
		return "drop";
	case 1:
		return "accept";
	case 2:
		return "stolen";
	case 3:
		return "queue";
	case 4:
		return "repeat";
	default:
		return "unknown";
	}
}

const char *nfd_why_text(uint8_t why)
{
	switch (why) {
	case NFD_WHY_NOT_NFT:
		return "dropped outside nftables, e.g. by conntrack or "
		       "iptables-legacy";
	case NFD_WHY_NO_VERDICT:
		return "no nftables verdict was seen for this packet";
	case NFD_WHY_MISMATCH:
		return "no nftables verdict matched this packet for sure";
	case NFD_WHY_UNHOOKED:
		return "a rule's verdict set by an expression nfdropcap does "
		       "not trace (its module was loaded after the start?)";
	case NFD_WHY_NOT_TRACED:
		return "nfdropcap's trace rule did not mark it: with a filter, "
		       "it matched only after a rewrite (NAT?) in the hook "
		       "that dropped it";
	case NFD_WHY_NOT_MARKED:
		return "nfdropcap's trace rules did not mark it: dropped "
		       "before they ran (at the ingress of a device that "
		       "had no trace chain yet?)";
	case NFD_WHY_XT_LEGACY:
		return "dropped by an iptables-legacy table";
	case NFD_WHY_CONNTRACK:
		return "dropped by conntrack";
	case NFD_WHY_CT_FULL:
		return "dropped by conntrack: conntrack table full";
	case NFD_WHY_KPROBE_BUSY:
		return "the kernel skipped nfdropcap's kprobe for it: another "
		       "kprobe, a BPF program or a BPF map operation was in "
		       "progress on its CPU";
	case NFD_WHY_STARTING:
		return "dropped while nfdropcap was starting, before its "
		       "backend was set up in this namespace";
	case NFD_WHY_NO_HEADERS:
		return "an nftables drop verdict was seen, but not the packet "
		       "headers that tie it to this packet";
	case NFD_WHY_NO_FRAME:
		return "the nf_tables chain evaluating this packet was not "
		       "seen";
	case NFD_WHY_STACK:
		return "nft_do_chain freed it, but its state on the stack was "
		       "not as the code analysis found it (backend dropsite)";
	default:
		return "unknown";
	}
}

/* The hooks of ip, ip6 and bridge (NF_INET_*, NF_BR_*): their numbers. */
static const char *const hooks[] = { "prerouting", "input", "forward",
				     "output", "postrouting" };
#define NHOOKS (sizeof(hooks) / sizeof(hooks[0]))

/*
 * "... dropped by iptables-legacy table filter chain INPUT)": the hook's
 * chain; once the rule is named (xt_rules.h), "... chain INPUT rule 3)",
 * "... chain INPUT policy DROP)", or where a jump led to another chain,
 * "... chain INPUT via zones rule 2)".
 */
static void xt_legacy(char *buf, size_t len, const struct nfd_rule *r,
		      const char *table, const char *rule_chain)
{
	const char *hook = r->handle < NHOOKS ? hooks[r->handle] : "?";
	const char *tool =
		r->family == 10 ? "ip6tables-legacy" : "iptables-legacy";
	char chain[16], rule[NFD_ESCAPED_NAME_MAX + 40] = "";
	size_t i = 0;

	for (; hook[i] && i + 1 < sizeof(chain); i++) /* built-in: upper */
		chain[i] = (char)toupper((unsigned char)hook[i]);
	chain[i] = 0;
	if (r->chain[0] && !r->xt_num && !strcmp(r->chain, chain))
		snprintf(rule, sizeof(rule), " policy DROP");
	else if (r->chain[0] && !strcmp(r->chain, chain))
		snprintf(rule, sizeof(rule), " rule %u", r->xt_num);
	else if (r->chain[0] && r->xt_num)
		snprintf(rule, sizeof(rule), " via %s rule %u", rule_chain,
			 r->xt_num);
	snprintf(buf, len,
		 "netfilter drop (not attributed: dropped by %s table %s "
		 "chain %s%s)",
		 tool, table, chain, rule);
}

/*
 * "... dropped by conntrack (nf_conntrack_in) in hook ip prerouting:
 * conntrack table full)"
 */
static void conntrack(char *buf, size_t len, const struct nfd_rule *r)
{
	snprintf(buf, len,
		 "netfilter drop (not attributed: dropped by conntrack "
		 "(nf_conntrack_in) in hook %s %s%s)",
		 nfd_family_name(r->family),
		 r->handle < NHOOKS ? hooks[r->handle] : "?",
		 r->why == NFD_WHY_CT_FULL ?
			 ": conntrack table full (net.netfilter."
			 "nf_conntrack_max)" :
			 "");
}

void nfd_rule_names(const struct nfd_rule *r, char *table, char *chain)
{
	nfd_escape(table, NFD_ESCAPED_NAME_MAX, r->table, sizeof(r->table));
	nfd_escape(chain, NFD_ESCAPED_NAME_MAX, r->chain, sizeof(r->chain));
}

void nfd_comment_rule(char *buf, size_t len, const struct nfd_rule *r)
{
	const char *family = nfd_family_name(r->family);
	char table[NFD_ESCAPED_NAME_MAX], chain[NFD_ESCAPED_NAME_MAX];

	nfd_rule_names(r, table, chain);
	switch (r->kind) {
	case NFD_KIND_RULE:
		snprintf(buf, len, "table %s %s chain %s handle %llu %s",
			 family, table, chain, (unsigned long long)r->handle,
			 nfd_verdict_name(r->verdict));
		break;
	case NFD_KIND_POLICY:
		snprintf(buf, len, "table %s %s chain %s policy %s", family,
			 table, chain, nfd_verdict_name(r->verdict));
		break;
	default:
		if (r->why == NFD_WHY_XT_LEGACY)
			xt_legacy(buf, len, r, table, chain);
		else if (r->why == NFD_WHY_CONNTRACK ||
			 r->why == NFD_WHY_CT_FULL)
			conntrack(buf, len, r);
		else
			snprintf(buf, len,
				 "netfilter drop (not attributed: %s)",
				 nfd_why_text(r->why));
		break;
	}
}

void nfd_comment_line(char *buf, size_t len, const struct nfd_rule *r,
		      const char *rule_text)
{
	size_t n;

	nfd_comment_rule(buf, len, r);
	n = strlen(buf);
	if (r->kind != NFD_KIND_RULE || !rule_text || n + 2 >= len)
		return;
	memcpy(buf + n, ": ", 3);
	nfd_escape_str(buf + n + 2, len - n - 2, rule_text);
}

/* Appends @s to @buf (of @len, holding @n bytes): the new length. */
static size_t append(char *buf, size_t len, size_t n, const char *s)
{
	int k = snprintf(buf + n, n < len ? len - n : 0, "%s", s);

	return n + (size_t)(k > 0 ? k : 0);
}

static size_t append_name(char *buf, size_t len, size_t n, const char *name)
{
	char esc[NFD_ESCAPED_NAME_MAX];

	nfd_escape_str(esc, sizeof(esc), name);
	return append(buf, len, n, esc);
}

/* One hop: "<from> handle <N> jump|goto <to>[ (vmap)]". */
static size_t append_hop(char *buf, size_t len, size_t n, const char *from,
			 uint64_t handle, uint8_t kind, const char *to,
			 const char *text)
{
	char num[48];

	n = append_name(buf, len, n, from);
	snprintf(num, sizeof(num), " handle %llu %s ",
		 (unsigned long long)handle,
		 kind == NFD_HOP_GOTO ? "goto" : "jump");
	n = append(buf, len, n, num);
	n = append_name(buf, len, n, to);
	if (text && strstr(text, " vmap "))
		n = append(buf, len, n, " (vmap)");
	return n;
}

void nfd_comment_path(char *buf, size_t len, const struct nfd_rule *r,
		      nfd_chain_of_fn chain_of, void *ctx)
{
	const struct nfd_path *p = &r->path;
	const char *from[NFD_PATH_MAX], *text[NFD_PATH_MAX];
	size_t n;

	buf[0] = 0;
	if (r->kind != NFD_KIND_RULE || !p->known)
		return;
	if (p->jumps_only == NFD_UNSEEN_GOTOS) {
		snprintf(buf, len,
			 "path: unknown (the kernel's jump stack could not be "
			 "read, and backend dropsite sees only jumps)");
		return;
	}
	if (!p->n && !p->cut)
		return;
	if (p->cut || p->n > NFD_PATH_MAX) {
		snprintf(buf, len,
			 "path: unknown (more than %d jumps and "
			 "gotos)",
			 NFD_PATH_MAX);
		return;
	}
	for (int i = 0; i < p->n; i++) {
		text[i] = NULL;
		from[i] = chain_of(ctx, r, p->handle[i], &text[i]);
		if (!from[i]) {
			snprintf(buf, len,
				 "path: unknown (rule handle %llu "
				 "is not in the ruleset listed)",
				 (unsigned long long)p->handle[i]);
			return;
		}
	}
	n = append(buf, len, 0, "path: ");
	for (int i = 0; i < p->n; i++) {
		if (i)
			n = append(buf, len, n, ", ");
		n = append_hop(buf, len, n, from[i], p->handle[i], p->kind[i],
			       i + 1 < p->n ? from[i + 1] : r->chain, text[i]);
	}
}

void nfd_comment_outside(char *buf, size_t len, const char *where)
{
	char esc[512];

	nfd_escape_str(esc, sizeof(esc), where);
	snprintf(
		buf, len,
		"netfilter drop (not attributed: dropped outside nftables, "
		"freed in %s%s)",
		esc,
		!strncmp(where, "nf_hook_slow", 12) &&
				(!where[12] || where[12] == ' ') ?
			": a drop verdict of another netfilter hook "
			"(iptables-legacy, conntrack, NAT, IPVS, br_netfilter)" :
			"");
}

void nfd_comment_reason(const char *comment, char *buf, size_t len)
{
	const char *eol = strchr(comment, '\n'), *p, *end;
	static const char tag[] = "(not attributed: ";

	if (!eol)
		eol = comment + strlen(comment);
	p = strstr(comment, tag);
	if (!p || p > eol) {
		snprintf(buf, len, "%.*s", (int)(eol - comment), comment);
		return;
	}
	p += sizeof(tag) - 1;
	end = eol > p && eol[-1] == ')' ? eol - 1 : eol;
	snprintf(buf, len, "%.*s", (int)(end - p), p);
}
