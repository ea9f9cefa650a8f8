// SPDX-License-Identifier: GPL-2.0
/* The words nfdropcap writes about a drop: the packet comment's lines. */
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
	case NFD_WHY_NO_HEADERS:
		return "an nftables drop verdict was seen, but not the packet "
		       "headers that tie it to this packet";
	case NFD_WHY_NO_FRAME:
		return "the nf_tables chain evaluating this packet was not "
		       "seen";
	default:
		return "unknown";
	}
}

void nfd_comment_rule(char *buf, size_t len, const struct nfd_rule *r)
{
	const char *family = nfd_family_name(r->family);
	char table[NFD_ESCAPED_NAME_MAX], chain[NFD_ESCAPED_NAME_MAX];

	nfd_escape(table, sizeof(table), r->table, sizeof(r->table));
	nfd_escape(chain, sizeof(chain), r->chain, sizeof(r->chain));
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
		snprintf(buf, len, "netfilter drop (not attributed: %s)",
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
