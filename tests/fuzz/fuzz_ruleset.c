// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: nft's ruleset listing (a namespace controls every byte of
 * it through names and comments) parsed into rule texts, then looked up.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "netns/ruleset.h"

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
	}
	free(text);
	nfd_ruleset_free(rs);
	return 0;
}
