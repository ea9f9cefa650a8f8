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

struct bpf_program;
struct bpf_link;
struct nfd_canary_drop;

/* A backend's canary probe (bpf/record.bpf.h), loaded, not attached. */
struct nfd_canary_probe {
	struct bpf_program *prog; /* nfd_canary_kfree */
	const struct nfd_canary_drop *drops; /* its .bss canary[] */
	const uint32_t *n; /* its .bss canary_n */
	int sites_fd; /* the bytes probe's map "sites" */
	struct bpf_link *link; /* while the canary runs */
	uint64_t nft_lo, nft_hi; /* nft_do_chain's text, 0 if unknown */
};

/*
 * Runs the canary with the backend's programs attached and checks what
 * they recorded. 0 with what it measured in @msg (and map "sites" set),
 * or -errno with the reason in @msg (and "sites" cleared).
 */
int nfd_canary_prove(struct nfd_canary_probe *p, char *msg, size_t len);

#endif /* NFD_CANARY_H */
