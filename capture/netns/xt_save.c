// SPDX-License-Identifier: GPL-2.0
/* The *-nft-save tools' output, rule by rule (xt_save.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xt_save.h"

const struct nfd_xt_tool nfd_xt_tools[NFD_XT_TOOLS] = {
	{ "ip", "iptables-nft-save" },
	{ "ip6", "ip6tables-nft-save" },
	{ "bridge", "ebtables-nft-save" },
	{ "arp", "arptables-nft-save" },
};

/* The tables each tool knows by name. */
static bool xt_table(int tool, const char *table)
{
	static const char *const inet[] = { "filter", "nat",	  "mangle",
					    "raw",    "security", NULL };
	static const char *const bridge[] = { "filter", "nat", "broute", NULL };
	static const char *const arp[] = { "filter", NULL };
	const char *const *names = tool < 2 ? inet : tool == 2 ? bridge : arp;

	for (; *names; names++)
		if (!strcmp(*names, table))
			return true;
	return false;
}

int nfd_xt_tool_of(const char *family, const char *table)
{
	for (int i = 0; i < NFD_XT_TOOLS; i++)
		if (!strcmp(nfd_xt_tools[i].family, family))
			return xt_table(i, table) ? i : -1;
	return -1;
}

#define CHAINS_MAX 65536 /* positions kept per table, at most */

struct chain_pos {
	char *name;
	int next; /* rules seen so far */
};

static int position(struct chain_pos *c, size_t *n, const char *chain)
{
	/* the tools print a chain's rules together: the last one first */
	if (*n && !strcmp(c[*n - 1].name, chain))
		return c[*n - 1].next++;
	for (size_t i = 0; i < *n; i++)
		if (!strcmp(c[i].name, chain))
			return c[i].next++;
	if (*n >= CHAINS_MAX)
		return -E2BIG;
	c[*n].name = strdup(chain);
	if (!c[*n].name)
		return -ENOMEM;
	c[*n].next = 1;
	(*n)++;
	return 0;
}

static void forget(struct chain_pos *c, size_t *n)
{
	while (*n)
		free(c[--*n].name);
}

/* "-A CHAIN ..." of table @table: its chain and position, then @fn. */
static int rule_line(const char *table, char *line, struct chain_pos *c,
		     size_t *n, nfd_xt_rule_fn fn, void *ctx)
{
	char chain[256];
	size_t len = strcspn(line + 3, " ");
	int pos;

	if (!len || len >= sizeof(chain))
		return 0;
	memcpy(chain, line + 3, len);
	chain[len] = 0;
	pos = position(c, n, chain);
	return pos < 0 ? pos : fn(ctx, table, chain, pos, line);
}

int nfd_xt_parse(const char *out, nfd_xt_rule_fn fn, void *ctx)
{
	struct chain_pos *c = calloc(CHAINS_MAX, sizeof(*c));
	char *copy = strdup(out), *save = NULL, *line, table[64] = "";
	size_t n = 0;
	int err = 0;

	if (!c || !copy) {
		free(c);
		free(copy);
		return -ENOMEM;
	}
	for (line = strtok_r(copy, "\n", &save); line && !err;
	     line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '*' && strlen(line + 1) < sizeof(table)) {
			strcpy(table, line + 1);
			forget(c, &n);
		} else if (!strncmp(line, "-A ", 3) && table[0]) {
			err = rule_line(table, line, c, &n, fn, ctx);
		}
	}
	forget(c, &n);
	free(c);
	free(copy);
	return err;
}
