// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: nft's ruleset listing (a namespace controls every byte of
 * it through names and comments) parsed into rule texts, then looked up,
 * and paths of jumps put together through its gotos.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netns/ruleset.h"
#include "output/goto_path.h"

/* Paths of jumps (backend dropsite) through what was listed. */
static void goto_paths(struct nfd_ruleset *rs)
{
	struct nfd_rule r = { .kind = NFD_KIND_RULE, .family = 1 };
	char why[3072];
	struct nfd_path p;

	snprintf(r.table, sizeof(r.table), "filter");
	r.path.known = r.path.jumps_only = 1;
	for (unsigned int base = 1; base < 4; base++) {
		for (int n = 0; n < 3; n++) {
			snprintf(r.chain, sizeof(r.chain), "%s",
				 n == 1 ? "a" : "input");
			r.path.base_handle = base;
			r.path.n = n;
			for (int i = 0; i < n; i++)
				r.path.handle[i] = 4 + i + base;
			nfd_goto_path(rs, &r, &p, why, sizeof(why));
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nfd_ruleset *rs = nfd_ruleset_new_empty();
	char *text = malloc(size + 1);

	if (rs && text) {
		memcpy(text, data, size);
		text[size] = 0;
		nfd_ruleset_parse(rs, text);
		for (uint64_t h = 0; h < 8; h++)
			nfd_ruleset_rule(rs, "inet", "filter", "input", h);
		goto_paths(rs);
	}
	free(text);
	nfd_ruleset_free(rs);
	return 0;
}
