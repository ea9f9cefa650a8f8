/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The gotos of a drop's path, put back from the ruleset as listed where it
 * leaves one way only. Backend dropsite reads a path off the kernel's jump
 * stack, where a goto leaves no trace (struct nfd_path's jumps_only).
 */
#ifndef NFD_GOTO_PATH_H
#define NFD_GOTO_PATH_H

#include <stddef.h>

#include "nfdropcap.h"

struct nfd_ruleset;

/*
 * The whole path of rule drop @r (its jumps only, jumps_only set) into
 * @out: 0, with @out's jumps_only 0; or -1 with @why ("two ways of gotos
 * lead from ... to ...", escaped) when the ruleset as listed does not
 * leave one way only, or does not name what the kernel named.
 */
int nfd_goto_path(struct nfd_ruleset *rs, const struct nfd_rule *r,
		  struct nfd_path *out, char *why, size_t len);

#endif /* NFD_GOTO_PATH_H */
