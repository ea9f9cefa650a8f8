/* SPDX-License-Identifier: GPL-2.0 */
/* The canary: two known drops in a private network namespace. */
#ifndef NFD_CANARY_H
#define NFD_CANARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NFD_CANARY_TABLE "nfdropcap_canary"
#define NFD_CANARY_BASE "out"
#define NFD_CANARY_SUB "sub"
#define NFD_CANARY_MARK 0x4e464443 /* "NFDC" */

struct nfd_canary_ops {
	/*
	 * The namespace @netns exists with its ruleset; the drops follow
	 * when this returns 0. Else -errno, with the reason in @why.
	 */
	int (*before)(void *ctx, uint32_t netns, char *why, size_t len);
	/* The drops happened (or the canary failed); always called. */
	void (*after)(void *ctx);
};

/*
 * Runs the canary: a rule drop (chain sub, whose rule handle goes into
 * @handle), then a policy drop (chain out). 0, or -errno with the reason
 * in @why.
 */
int nfd_canary_run(const struct nfd_canary_ops *ops, void *ctx,
		   uint64_t *handle, char *why, size_t len);

#endif /* NFD_CANARY_H */
