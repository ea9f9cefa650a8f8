// SPDX-License-Identifier: GPL-2.0
/*
 * Backend nftrace: a socket filter on nfdropcap's NFNLGRP_NFTRACE socket.
 * The kernel delivers each nftables trace message synchronously, in the
 * traced packet's own context and on its CPU, before that packet is freed.
 * This filter parses the message in the kernel; for a drop verdict (a
 * rule's or a policy's) it pushes the table, chain, handle and the
 * packet's header bytes onto this CPU's pending stack, where the bytes
 * probe finds them when the packet is freed. No message ever reaches
 * userspace: the filter returns 0 for all of them.
 */
#include <linux/bpf.h>
#include <linux/netlink.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "common.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define NF_DROP 0
#define NF_VERDICT_MASK 0xff
#define TRACE_MSG_TYPE ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_TRACE)
#define ATTRS_MAX 32 /* a trace message has about 20 */
#define NESTING_MAX 4 /* softirq over process context, and some margin */
#define ATTR_TYPE(t) ((t)&NLA_TYPE_MASK)

struct trace_msg {
	struct nfd_pending p;
	__u32 type;
	__u32 policy;
	__s32 verdict;
	__u32 nh_len;
	__s32 th_off; /* where the transport header goes in the key, or -1 */
	__u32 th_len;
	__u8 have_hdr;
	__u8 have_verdict;
	__u8 have_policy;
	__u8 have_id;
};

/* One parse buffer per nesting level: a softirq may interrupt a parse. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NESTING_MAX);
	__type(key, __u32);
	__type(value, struct trace_msg);
} msgs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} depth SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct nfd_trace_hdrs);
} hdrs SEC(".maps");

static __always_inline int load_be32(struct __sk_buff *skb, __u32 off,
				     __u32 *out)
{
	__be32 v;

	if (bpf_skb_load_bytes(skb, off, &v, sizeof(v)))
		return -1;
	*out = bpf_ntohl(v);
	return 0;
}

static __always_inline void load_name(struct __sk_buff *skb, __u32 off,
				      __u32 len, char *dst)
{
	if (len > NFD_NAME_MAX)
		len = NFD_NAME_MAX;
	if (len < 1 || bpf_skb_load_bytes(skb, off, dst, len))
		dst[0] = 0;
	dst[NFD_NAME_MAX - 1] = 0;
}

static __always_inline void load_verdict(struct __sk_buff *skb, __u32 off,
					 __u32 end, struct trace_msg *m)
{
	struct nlattr nla;

	for (int i = 0; i < 3 && off + NLA_HDRLEN <= end; i++) {
		if (bpf_skb_load_bytes(skb, off, &nla, sizeof(nla)) ||
		    nla.nla_len < NLA_HDRLEN)
			return;
		if (ATTR_TYPE(nla.nla_type) == NFTA_VERDICT_CODE &&
		    !load_be32(skb, off + NLA_HDRLEN, (__u32 *)&m->verdict))
			m->have_verdict = 1;
		off += NLA_ALIGN(nla.nla_len);
	}
}

/*
 * Where the transport header starts in the key: right after the network
 * header when the kernel cut that at the transport offset (shorter than
 * its 40-byte cap), or at 40 for an IPv6 header followed directly by a
 * transport protocol. Elsewhere it is not placed, and not compared.
 */
static __always_inline __s32 th_offset(const __u8 *nh, __u32 nh_len)
{
	__u8 next = nh[6];

	if (nh_len < NFD_NH_MAX)
		return nh_len;
	if ((nh[0] >> 4) == 6 && (next == 6 || next == 17 || next == 58 ||
				  next == 132 || next == 136))
		return NFD_NH_MAX;
	return -1;
}

/* The network header goes to the key's start. */
static __always_inline void load_nh(struct __sk_buff *skb, __u32 off, __u32 len,
				    struct trace_msg *m)
{
	if (len > NFD_NH_MAX)
		len = NFD_NH_MAX;
	if (len < 1 || bpf_skb_load_bytes(skb, off, m->p.key.bytes, len))
		return;
	m->nh_len = len;
	m->th_off = th_offset(m->p.key.bytes, len);
	m->have_hdr = 1;
}

/* The transport header follows the network header in the message. */
static __always_inline void load_th(struct __sk_buff *skb, __u32 off, __u32 len,
				    struct trace_msg *m)
{
	__s32 at = m->th_off;

	if (len > NFD_TH_MAX)
		len = NFD_TH_MAX;
	if (!m->have_hdr || at < 0 || at > NFD_NH_MAX || len < 1)
		return;
	if (!bpf_skb_load_bytes(skb, off, m->p.key.bytes + at, len))
		m->th_len = len;
}

static __always_inline void load_attr(struct __sk_buff *skb, __u32 off,
				      const struct nlattr *nla,
				      struct trace_msg *m)
{
	__u32 data = off + NLA_HDRLEN, len = nla->nla_len - NLA_HDRLEN;
	struct nfd_rule *r = &m->p.rule;
	__u64 handle;

	switch (ATTR_TYPE(nla->nla_type)) {
	case NFTA_TRACE_TABLE:
		load_name(skb, data, len, r->table);
		break;
	case NFTA_TRACE_CHAIN:
		load_name(skb, data, len, r->chain);
		break;
	case NFTA_TRACE_RULE_HANDLE:
		if (!bpf_skb_load_bytes(skb, data, &handle, sizeof(handle)))
			r->handle = bpf_be64_to_cpu(handle);
		break;
	case NFTA_TRACE_TYPE:
		load_be32(skb, data, &m->type);
		break;
	case NFTA_TRACE_VERDICT:
		load_verdict(skb, data, off + nla->nla_len, m);
		break;
	case NFTA_TRACE_ID: /* host byte order (nla_put_u32) */
		if (!bpf_skb_load_bytes(skb, data, &m->p.trace_id, 4))
			m->have_id = 1;
		break;
	case NFTA_TRACE_NETWORK_HEADER:
		load_nh(skb, data, len, m);
		break;
	case NFTA_TRACE_TRANSPORT_HEADER:
		load_th(skb, data, len, m);
		break;
	case NFTA_TRACE_IIF:
		load_be32(skb, data, &m->p.iif);
		break;
	case NFTA_TRACE_POLICY:
		if (!load_be32(skb, data, &m->policy))
			m->have_policy = 1;
		break;
	}
}

struct parse_ctx {
	struct __sk_buff *skb;
	struct trace_msg *m;
	__u32 off;
	__u32 end;
};

/* One attribute per call: bpf_loop keeps the verifier's work linear. */
static long parse_one(__u32 i, void *data)
{
	struct parse_ctx *c = data;
	struct nlattr nla;

	if (c->off + NLA_HDRLEN > c->end ||
	    bpf_skb_load_bytes(c->skb, c->off, &nla, sizeof(nla)) ||
	    nla.nla_len < NLA_HDRLEN || c->off + nla.nla_len > c->end)
		return 1;
	load_attr(c->skb, c->off, &nla, c->m);
	c->off += NLA_ALIGN(nla.nla_len);
	return 0;
}

static __always_inline void parse(struct __sk_buff *skb, __u32 end,
				  struct trace_msg *m)
{
	struct parse_ctx c = {
		.skb = skb,
		.m = m,
		.off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct nfgenmsg)),
		.end = end,
	};

	bpf_loop(ATTRS_MAX, parse_one, &c, 0);
}

/* Marks the key bytes the message held (one byte per call). */
static long mask_one(__u32 i, void *data)
{
	struct trace_msg *m = *(struct trace_msg **)data;
	__s32 th = m->th_off;
	bool on = i < m->nh_len ||
		  (th >= 0 && i >= (__u32)th && i < (__u32)th + m->th_len);

	m->p.key.mask[i & (NFD_KEY_LEN - 1)] = on ? 0xff : 0;
	return 0;
}

static __always_inline bool is_drop(const struct trace_msg *m)
{
	if (m->type == NFT_TRACETYPE_RULE && m->have_verdict)
		return (m->verdict & NF_VERDICT_MASK) == NF_DROP;
	if (m->type == NFT_TRACETYPE_POLICY && m->have_policy)
		return m->policy == NF_DROP;
	return false;
}

/* Remember this packet's headers (first message of each chain walk). */
static __always_inline void keep_hdr(struct nfd_trace_hdrs *h,
				     const struct trace_msg *m)
{
	struct nfd_trace_hdr *s = &h->slot[m->p.trace_id & (NFD_HDR_SLOTS - 1)];

	s->valid = 0;
	s->trace_id = m->p.trace_id;
	s->iif = m->p.iif;
	__builtin_memcpy(&s->key, &m->p.key, sizeof(s->key));
	s->valid = 1;
}

/* A verdict message without headers takes its packet's earlier ones. */
static __always_inline bool find_hdr(struct nfd_trace_hdrs *h,
				     struct trace_msg *m)
{
	struct nfd_trace_hdr *s = &h->slot[m->p.trace_id & (NFD_HDR_SLOTS - 1)];

	if (!s->valid || s->trace_id != m->p.trace_id)
		return false;
	m->p.iif = s->iif;
	__builtin_memcpy(&m->p.key, &s->key, sizeof(s->key));
	return true;
}

static __always_inline void push(struct nfd_pending_stack *st,
				 struct trace_msg *m, __u8 family)
{
	__u32 seq = st->top;
	struct nfd_pending *p = &st->slot[seq & (NFD_PENDING_SLOTS - 1)];

	st->top = seq + 1;
	p->valid = 0;
	m->p.rule.kind = m->type == NFT_TRACETYPE_POLICY ? NFD_KIND_POLICY :
							   NFD_KIND_RULE;
	m->p.rule.family = family;
	m->p.rule.verdict =
		m->type == NFT_TRACETYPE_POLICY ? m->policy : m->verdict;
	if (m->p.rule.kind == NFD_KIND_POLICY)
		m->p.rule.handle = 0;
	__builtin_memcpy(p, &m->p, sizeof(*p));
	p->seq = seq;
	p->ts_ns = bpf_ktime_get_ns();
	p->valid = 1;
}

static __always_inline void handle_msg(struct __sk_buff *skb, __u32 end,
				       __u8 family, struct trace_msg *m)
{
	struct nfd_pending_stack *st;
	struct nfd_trace_hdrs *h;
	__u32 zero = 0;

	__builtin_memset(m, 0, sizeof(*m));
	m->th_off = -1;
	parse(skb, end, m);
	nfd_count(NFD_STAT_TRACE_MSGS);
	h = bpf_map_lookup_elem(&hdrs, &zero);
	if (!h || !m->have_id)
		return;
	if (m->have_hdr) {
		bpf_loop(NFD_KEY_LEN, mask_one, &m, 0);
		keep_hdr(h, m);
	}
	if (!is_drop(m))
		return;
	if (!m->have_hdr && !find_hdr(h, m)) {
		nfd_count(NFD_STAT_VERDICT_NOHDR);
		return;
	}
	st = nfd_pending_stack();
	if (!st)
		return;
	push(st, m, family);
	nfd_count(NFD_STAT_VERDICTS);
}

SEC("socket")
int nfd_trace_filter(struct __sk_buff *skb)
{
	struct nlmsghdr nlh;
	struct nfgenmsg gen;
	struct trace_msg *m;
	__u32 zero = 0, *d, level;

	if (bpf_skb_load_bytes(skb, 0, &nlh, sizeof(nlh)) ||
	    nlh.nlmsg_type != TRACE_MSG_TYPE || nlh.nlmsg_len > skb->len ||
	    bpf_skb_load_bytes(skb, NLMSG_HDRLEN, &gen, sizeof(gen)))
		return 0;
	d = bpf_map_lookup_elem(&depth, &zero);
	if (!d)
		return 0;
	level = *d;
	if (level >= NESTING_MAX)
		return 0;
	m = bpf_map_lookup_elem(&msgs, &level);
	if (!m)
		return 0;
	*d = level + 1;
	handle_msg(skb, nlh.nlmsg_len, gen.nfgen_family, m);
	*d = level;
	return 0;
}
