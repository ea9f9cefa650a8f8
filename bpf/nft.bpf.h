/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nf_tables as nft_do_chain sees it, for backend fentry: the chain and rule
 * that hold an expression, a base chain's policy, the names. Read only
 * while the packet is being evaluated (under RCU): blobs are freed with
 * call_rcu after a commit, so nothing here keeps a kernel pointer.
 *
 * A chain's rules live in one blob per generation (blob_gen_0/1):
 * struct nft_rule_dp headers (is_last, dlen, handle) each followed by
 * dlen bytes of expressions, copied there at commit. An expression's
 * address therefore names its chain (the blob that holds it) and its rule
 * (the header before it).
 */
#ifndef NFD_NFT_BPF_H
#define NFD_NFT_BPF_H

#include <bpf/bpf_core_read.h>
#include <linux/netfilter/nf_tables.h> /* NFT_REG_VERDICT, NFT_JUMP... */
#include "common.bpf.h"

#define NFD_MAX_CHAINS 65536 /* chains of one table looked at, at most */
#define NFD_MAX_RULES 1000000 /* rules of one chain looked at, at most */

static __always_inline bool blob_holds(struct nft_rule_blob *blob, __u64 addr)
{
	__u64 data, size;

	if (!blob)
		return false;
	data = (__u64)blob + bpf_core_field_offset(struct nft_rule_blob, data);
	size = BPF_CORE_READ(blob, size);
	return addr >= data && addr < data + size;
}

/* The blob of @chain, of either generation, that holds @addr, or NULL. */
static __always_inline struct nft_rule_blob *chain_blob(struct nft_chain *chain,
							__u64 addr)
{
	struct nft_rule_blob *blob = BPF_CORE_READ(chain, blob_gen_0);

	if (blob_holds(blob, addr))
		return blob;
	blob = BPF_CORE_READ(chain, blob_gen_1);
	return blob_holds(blob, addr) ? blob : NULL;
}

struct chain_walk {
	struct list_head *head;
	struct list_head *pos;
	__u64 addr;
	struct nft_chain *chain; /* found */
	struct nft_rule_blob *blob;
};

static long chain_step(__u64 i, void *ctx)
{
	struct chain_walk *w = ctx;
	struct list_head *pos = w->pos;
	struct nft_chain *chain;

	if (!pos || pos == w->head)
		return 1;
	chain = (void *)pos - bpf_core_field_offset(struct nft_chain, list);
	w->blob = chain_blob(chain, w->addr);
	if (w->blob) {
		w->chain = chain;
		return 1;
	}
	w->pos = BPF_CORE_READ(pos, next);
	return 0;
}

struct rule_walk {
	__u64 pos;
	__u64 end;
	__u64 addr;
	__u64 handle;
	bool found;
};

static long rule_step(__u64 i, void *ctx)
{
	struct rule_walk *w = ctx;
	struct nft_rule_dp hdr;
	__u64 next;

	if (w->pos >= w->end ||
	    bpf_probe_read_kernel(&hdr, sizeof(hdr), (void *)w->pos) ||
	    BPF_CORE_READ_BITFIELD(&hdr, is_last))
		return 1;
	next = w->pos + bpf_core_type_size(struct nft_rule_dp) +
	       BPF_CORE_READ_BITFIELD(&hdr, dlen);
	if (w->addr >= next) {
		w->pos = next;
		return 0;
	}
	w->handle = BPF_CORE_READ_BITFIELD(&hdr, handle);
	w->found = w->addr >= w->pos + bpf_core_type_size(struct nft_rule_dp);
	return 1;
}

/*
 * The chain of @base's table holding address @addr (@base first, then the
 * table's chain list), its rule's start and handle left in @rw.
 */
static __always_inline struct nft_chain *
walk_to(struct nft_chain *base, __u64 addr, struct rule_walk *rw)
{
	struct chain_walk cw = { .addr = addr };
	struct nft_rule_blob *blob;
	struct nft_table *table;

	cw.blob = chain_blob(base, cw.addr);
	if (cw.blob) {
		cw.chain = base;
	} else {
		table = BPF_CORE_READ(base, table);
		if (!table)
			return NULL;
		cw.head = &table->chains;
		cw.pos = BPF_CORE_READ(table, chains.next);
		bpf_loop(NFD_MAX_CHAINS, chain_step, &cw, 0);
		if (!cw.chain)
			return NULL;
	}
	blob = cw.blob;
	rw->addr = addr;
	rw->pos =
		(__u64)blob + bpf_core_field_offset(struct nft_rule_blob, data);
	rw->end = rw->pos + BPF_CORE_READ(blob, size);
	bpf_loop(NFD_MAX_RULES, rule_step, rw, 0);
	return rw->found ? cw.chain : NULL;
}

/*
 * The chain of @base's table holding expression @expr, and the handle of
 * the rule it belongs to.
 */
static __always_inline struct nft_chain *
nfd_rule_of(struct nft_chain *base, const void *expr, __u64 *handle)
{
	struct rule_walk rw = { 0 };
	struct nft_chain *chain = walk_to(base, (__u64)expr, &rw);

	if (chain)
		*handle = rw.handle;
	return chain;
}

/*
 * The chain of @base's table of which @rule is a rule (its very start, not
 * an address inside one), and its handle.
 */
static __always_inline struct nft_chain *
nfd_rule_at(struct nft_chain *base, __u64 rule, __u64 *handle)
{
	struct rule_walk rw = { 0 };
	struct nft_chain *chain =
		walk_to(base, rule + bpf_core_type_size(struct nft_rule_dp), &rw);

	if (!chain || rw.pos != rule)
		return NULL;
	*handle = rw.handle;
	return chain;
}

/* The handle of the rule of @chain that holds @expr: false if none does. */
static __always_inline bool nfd_rule_in(struct nft_chain *chain,
					const void *expr, __u64 *handle)
{
	struct rule_walk rw = { .addr = (__u64)expr };
	struct nft_rule_blob *blob = chain_blob(chain, rw.addr);

	if (!blob)
		return false;
	rw.pos =
		(__u64)blob + bpf_core_field_offset(struct nft_rule_blob, data);
	rw.end = rw.pos + BPF_CORE_READ(blob, size);
	bpf_loop(NFD_MAX_RULES, rule_step, &rw, 0);
	*handle = rw.handle;
	return rw.found;
}

/* Table family and name, chain name, into @r. */
static __always_inline void nfd_names(struct nfd_rule *r,
				      struct nft_chain *chain)
{
	struct nft_table *table = BPF_CORE_READ(chain, table);

	r->family = BPF_CORE_READ_BITFIELD_PROBED(table, family);
	bpf_probe_read_kernel_str(r->table, sizeof(r->table),
				  BPF_CORE_READ(table, name));
	bpf_probe_read_kernel_str(r->chain, sizeof(r->chain),
				  BPF_CORE_READ(chain, name));
}

/* The policy of base chain @chain (struct nft_base_chain's chain). */
static __always_inline __u8 nfd_policy(struct nft_chain *chain)
{
	struct nft_base_chain *base =
		(void *)chain -
		bpf_core_field_offset(struct nft_base_chain, chain);

	return BPF_CORE_READ(base, policy);
}

/*
 * The newest frame on this CPU of task @task for packet @pkt (if not 0)
 * or else sk_buff @skb: the nft_do_chain call evaluating it now.
 */
static __always_inline struct nfd_frame *
nfd_frame_find(struct nfd_frames *fr, __u64 pkt, __u64 skb, __u64 task)
{
	__u32 top = fr->top;

	for (int i = 1; i <= NFD_FRAME_SLOTS; i++) {
		struct nfd_frame *f =
			&fr->slot[(top - i) & (NFD_FRAME_SLOTS - 1)];

		if (f->task != task)
			continue;
		if (pkt ? f->pkt == pkt : f->skb == skb)
			return f;
	}
	return NULL;
}

#endif /* NFD_NFT_BPF_H */
