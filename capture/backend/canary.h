/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The canary: two known drops in a private network namespace (canary.c),
 * and the proof of a backend with them (canary_verify.c). Both return 0 or
 * -errno, with the reason in a caller's buffer; they print nothing.
 */
#ifndef NFD_CANARY_H
#define NFD_CANARY_H

#include <errno.h>
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

struct nfd_drop_probe;

/*
 * Proves the backend whose programs are attached now: the canary's own
 * kfree_skb probe (bpf/canary.bpf.c, sharing @p's maps) watches while the
 * canary runs, and its two drops must come out as they were made. 0 with
 * what it measured in @msg (map "sites" then holds the two places
 * nft_do_chain frees drops at), or -errno with the reason in @msg ("sites"
 * cleared).
 */
int nfd_canary_verify(const struct nfd_drop_probe *p, char *msg, size_t len);

/* How the backend under test names a policy drop. */
enum nfd_canary_mode {
	/* from where nft_do_chain frees it: two distinct places required */
	NFD_CANARY_SITES,
	/* its own probe records it (kprobe on arm64): one place is fine */
	NFD_CANARY_MARKED,
	/* as MARKED, and the rule drop must name its one jump (dropsite) */
	NFD_CANARY_PATH,
};

/*
 * nfd_canary_verify's error when nft_do_chain freed the canary's rule and
 * policy drops at one place (arm64): with NFD_CANARY_SITES a policy drop
 * cannot be named; a backend that marks policy drops can try again with
 * NFD_CANARY_MARKED.
 */
#define NFD_CANARY_ONE_PLACE (-ENOTUNIQ)

/* The same, for a backend that names policy drops as @mode says. */
int nfd_canary_verify_as(const struct nfd_drop_probe *p,
			 enum nfd_canary_mode mode, char *msg, size_t len);

#endif /* NFD_CANARY_H */
