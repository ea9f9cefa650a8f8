// SPDX-License-Identifier: GPL-2.0
/*
 * Backend nftrace: a socket filter on nfdropcap's NFNLGRP_NFTRACE socket.
 * The kernel delivers each nftables trace message synchronously, in the
 * traced packet's own context and on its CPU, before that packet is freed.
 * This filter parses the message in the kernel; for a drop verdict (a
 * rule's or a policy's) it pushes the table, chain, handle and the
 * packet's header bytes onto this CPU's pending stack, where the bytes
 * probe finds them when the packet is freed. No message ever reaches
 * userspace: the filter returns 0 for all of them (it lets through only
 * the kernel's answers to the batches that made nfdropcap's tables, sent
 * on the same socket).
 *
 * Most messages are not drops (every traced packet makes a few per chain),
 * so the common path is short: one copy of the message, a walk over its
 * attributes in memory, and for the first message of each chain walk the
 * packet's headers kept until a verdict needs them.
 */
#include "vmlinux_min.h"
#include <linux/bpf.h>
#include <linux/netlink.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_core_read.h>
#include "common.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define TRACE_MSG_TYPE ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_TRACE)
#define ATTRS_MAX 32 /* a trace message has about 20 */
#define NESTING_MAX 4 /* softirq over process context, and some margin */
#define MSG_MAX 2048 /* longest message read; two 256-byte names fit */
#define ATTRS_START (NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct nfgenmsg)))
#define ATTR_TYPE(t) ((t)&NLA_TYPE_MASK)

/* Where an attribute's payload lies in the message. */
struct span {
	__u16 off;
	__u16 len;
};

struct trace_msg {
	__u8 buf[MSG_MAX];
	__u32 len; /* bytes of buf used */
	__u32 type;
	__u32 policy;
	__s32 verdict;
	__u32 trace_id;
	__u32 iif;
	__u64 handle;
	struct span table, chain, nh, th;
	struct span target; /* a jump's or goto's chain */
	__u8 have_verdict;
	__u8 have_policy;
	__u8 have_id;
	__u8 pad;
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

/* A big-endian u32 at @off of the message (bounds checked by callers). */
static __always_inline __u32 be32_at(const struct trace_msg *m, __u32 off)
{
	__u32 v = 0;

	if (off <= MSG_MAX - 4)
		__builtin_memcpy(&v, &m->buf[off], 4);
	return bpf_ntohl(v);
}

static __always_inline void verdict_attrs(struct trace_msg *m, __u32 off,
					  __u32 end)
{
	for (int i = 0; i < 2; i++) {
		__u16 len, type;

		off &= MSG_MAX - 1;
		if (off + NLA_HDRLEN > end || off > MSG_MAX - 8)
			return;
		__builtin_memcpy(&len, &m->buf[off], 2);
		__builtin_memcpy(&type, &m->buf[off + 2], 2);
		if (len < NLA_HDRLEN)
			return;
		if (ATTR_TYPE(type) == NFTA_VERDICT_CODE) {
			m->verdict = be32_at(m, off + NLA_HDRLEN);
			m->have_verdict = 1;
		} else if (ATTR_TYPE(type) == NFTA_VERDICT_CHAIN) {
			m->target.off = off + NLA_HDRLEN;
			m->target.len = len - NLA_HDRLEN;
		}
		off += NLA_ALIGN(len);
	}
}

static __always_inline void note_attr(struct trace_msg *m, __u32 off, __u16 len,
				      __u16 type)
{
	struct span s = { .off = off + NLA_HDRLEN, .len = len - NLA_HDRLEN };
	__u32 data = off + NLA_HDRLEN;
	__u64 handle = 0;

	switch (ATTR_TYPE(type)) {
	case NFTA_TRACE_TABLE:
		m->table = s;
		break;
	case NFTA_TRACE_CHAIN:
		m->chain = s;
		break;
	case NFTA_TRACE_RULE_HANDLE:
		if (data <= MSG_MAX - 8) {
			__builtin_memcpy(&handle, &m->buf[data], 8);
			m->handle = bpf_be64_to_cpu(handle);
		}
		break;
	case NFTA_TRACE_TYPE:
		m->type = be32_at(m, data);
		break;
	case NFTA_TRACE_VERDICT:
		verdict_attrs(m, data, off + len);
		break;
	case NFTA_TRACE_ID: /* host byte order (nla_put_u32) */
		if (data <= MSG_MAX - 4) {
			__builtin_memcpy(&m->trace_id, &m->buf[data], 4);
			m->have_id = 1;
		}
		break;
	case NFTA_TRACE_NETWORK_HEADER:
		m->nh = s;
		break;
	case NFTA_TRACE_TRANSPORT_HEADER:
		m->th = s;
		break;
	case NFTA_TRACE_IIF:
		m->iif = be32_at(m, data);
		break;
	case NFTA_TRACE_POLICY:
		m->policy = be32_at(m, data);
		m->have_policy = 1;
		break;
	}
}

struct walk {
	struct trace_msg *m;
	__u32 off;
};

/* One attribute per call: bpf_loop keeps the verifier's work linear. */
static long walk_one(__u32 i, void *data)
{
	struct walk *w = data;
	struct trace_msg *m = w->m;
	__u32 off = w->off & (MSG_MAX - 1);
	__u16 len, type;

	if (off + NLA_HDRLEN > m->len || off > MSG_MAX - NLA_HDRLEN)
		return 1;
	__builtin_memcpy(&len, &m->buf[off], 2);
	__builtin_memcpy(&type, &m->buf[off + 2], 2);
	if (len < NLA_HDRLEN || off + len > m->len)
		return 1;
	note_attr(m, off, len, type);
	w->off = off + NLA_ALIGN(len);
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

/*
 * The key is the network header, then the transport header where it
 * follows directly: when the kernel cut the network header at the
 * transport offset (shorter than its 40-byte cap), or for an IPv6 header
 * followed by a transport protocol. Elsewhere the key is the network
 * header alone.
 */
static __always_inline bool th_follows(const struct nfd_pkt_key *key,
				       __u64 nh_len)
{
	__u8 next = key->nh[6];

	if (nh_len < NFD_NH_MAX)
		return true;
	return (key->nh[0] >> 4) == 6 &&
	       (next == 6 || next == 17 || next == 58 || next == 132 ||
		next == 136);
}

/*
 * @len (at least 1) capped at @max, in a form every verifier since 5.x
 * sees as within [1, max]: older ones learn no lower bound from "!= 0",
 * so the minimum comes from arithmetic. @mask is a power of two minus one,
 * at least @max - 1. 64-bit, so the value checked is the one passed on.
 */
#define BOUNDED_LEN(len, max, mask)             \
	({                                      \
		__u64 __l = (len);              \
		if (__l > (max))                \
			__l = (max);            \
		__l = ((__l - 1) & (mask)) + 1; \
		barrier_var(__l);               \
		if (__l > (max))                \
			__l = (max);            \
		__l;                            \
	})

static __always_inline void make_key(struct __sk_buff *skb,
				     const struct trace_msg *m,
				     struct nfd_pkt_key *key)
{
	__u64 nh_len, th_len;

	key->nh_len = key->th_len = 0;
	if (!m->nh.len)
		return;
	nh_len = BOUNDED_LEN(m->nh.len, NFD_NH_MAX, 63);
	if (bpf_skb_load_bytes(skb, m->nh.off, key->nh, nh_len))
		return;
	key->nh_len = nh_len;
	if (!m->th.len || !th_follows(key, nh_len))
		return;
	th_len = BOUNDED_LEN(m->th.len, NFD_TH_MAX, 31);
	if (!bpf_skb_load_bytes(skb, m->th.off, key->th, th_len))
		key->th_len = th_len;
}

struct name_hash {
	const struct trace_msg *m;
	__u32 off, end;
	__u64 h;
};

static long hash_byte(__u32 i, void *data)
{
	struct name_hash *nh = data;
	__u32 off = nh->off + i;

	if (off >= nh->end || off >= MSG_MAX)
		return 1;
	barrier_var(off); /* keeps the mask below, for the verifier */
	nh->h = (nh->h ^ nh->m->buf[off & (MSG_MAX - 1)]) * 0x100000001b3ULL;
	return 0;
}

/* FNV-1a of the name at @s (a chain's: at most NFD_NAME_MAX bytes). */
static __always_inline __u64 name_hash(const struct trace_msg *m, struct span s)
{
	struct name_hash nh = { .m = m,
				.off = s.off,
				.end = s.off + s.len,
				.h = 0xcbf29ce484222325ULL };

	bpf_loop(NFD_NAME_MAX, hash_byte, &nh, 0);
	return nh.h;
}

/*
 * The slot of trace id @id: its own if it has one, else (with @take) the
 * least recently used one; NULL if none.
 */
static __always_inline struct nfd_trace_hdr *hdr_slot(struct nfd_trace_hdrs *h,
						      __u32 id, bool take)
{
	struct nfd_trace_hdr *oldest = &h->slot[0];
	bool free = false;

	for (int i = 0; i < NFD_HDR_SLOTS; i++) {
		struct nfd_trace_hdr *s = &h->slot[i];

		if (s->valid && s->trace_id == id) {
			s->used = ++h->clock;
			return s;
		}
		if (free)
			continue;
		if (!s->valid) {
			oldest = s;
			free = true;
		} else if ((__s32)(s->used - oldest->used) < 0) {
			oldest = s;
		}
	}
	if (!take)
		return NULL;
	oldest->used = ++h->clock;
	return oldest;
}

/* Are keys @a and @b the same bytes? */
static __always_inline bool same_key(const struct nfd_pkt_key *a,
				     const struct nfd_pkt_key *b)
{
	return a->nh_len == b->nh_len && a->th_len == b->th_len &&
	       same_bytes((const __u64 *)a->nh, (const __u64 *)b->nh,
			  NFD_NH_MAX / 8, a->nh_len) &&
	       same_bytes((const __u64 *)a->th, (const __u64 *)b->th,
			  sizeof(a->th) / 8, a->th_len);
}

/*
 * A chain walk of a packet with key @key begins in namespace @netns: a
 * verdict still pending for the same bytes there is of an earlier packet
 * whose free never came here (a packet's verdict and its free fall within
 * one walk), and is never taken for this one.
 */
static __always_inline void forget_key(const struct nfd_pkt_key *key,
				       __u32 netns)
{
	struct nfd_pending_stack *st = nfd_pending_stack();

	if (!st || !key->nh_len)
		return;
	for (int i = 0; i < NFD_PENDING_SLOTS; i++) {
		struct nfd_pending *p = &st->slot[i];

		if (p->valid && !p->skb && p->netns == netns &&
		    same_key(&p->key, key))
			p->valid = 0;
	}
}

/* Remember this packet's headers (first message of each chain walk). */
static __always_inline void keep_hdr(struct __sk_buff *skb,
				     struct nfd_trace_hdrs *h,
				     const struct trace_msg *m, __u32 netns)
{
	struct nfd_trace_hdr *s = hdr_slot(h, m->trace_id, true);

	s->valid = 0;
	s->trace_id = m->trace_id;
	s->iif = m->iif;
	s->path.n = s->path.cut = 0; /* a new chain walk */
	s->path.known = 1;
	s->base = name_hash(m, m->chain);
	make_key(skb, m, &s->key);
	forget_key(&s->key, netns);
	s->valid = s->key.nh_len > 0;
}

/*
 * The path of the walk in progress. The kernel says nothing when a chain
 * returns, but every message names the chain being evaluated: the hops
 * that did not lead to it are taken off (a chain is never on the path
 * twice: nf_tables refuses loops). Then a jump or goto adds a hop.
 */
static __always_inline void follow_path(struct nfd_trace_hdr *s,
					const struct trace_msg *m)
{
	__u64 here = name_hash(m, m->chain);
	__u8 n = s->path.n;

	for (int i = 0; i < NFD_PATH_MAX && n > 0; i++) {
		if (s->chain[(n - 1) & (NFD_PATH_MAX - 1)] == here)
			break;
		n--;
	}
	if (!n && here != s->base) { /* messages missed: not known */
		s->path.cut = 1;
		return;
	}
	s->path.n = n;
	if (m->type != NFT_TRACETYPE_RULE || !m->have_verdict ||
	    (m->verdict != NFT_JUMP && m->verdict != NFT_GOTO))
		return;
	if (n >= NFD_PATH_MAX) {
		s->path.cut = 1;
		return;
	}
	s->path.handle[n & (NFD_PATH_MAX - 1)] = m->handle;
	s->path.kind[n & (NFD_PATH_MAX - 1)] =
		m->verdict == NFT_JUMP ? NFD_HOP_JUMP : NFD_HOP_GOTO;
	s->chain[n & (NFD_PATH_MAX - 1)] = name_hash(m, m->target);
	s->path.n = n + 1;
}

static __always_inline void load_name(struct __sk_buff *skb, struct span s,
				      char *dst)
{
	if (!s.len || bpf_skb_load_bytes(skb, s.off, dst,
					 BOUNDED_LEN(s.len, NFD_NAME_MAX, 511)))
		dst[0] = 0;
	dst[NFD_NAME_MAX - 1] = 0;
}

/*
 * A drop verdict: onto this CPU's pending stack, with its packet's key
 * (none if @hdr is NULL: then it only tells the bytes probe that a drop
 * verdict was seen).
 */
static __always_inline void push(struct __sk_buff *skb,
				 const struct trace_msg *m,
				 const struct nfd_trace_hdr *hdr, __u8 family,
				 __u32 netns)
{
	struct nfd_pending_stack *st = nfd_pending_stack();
	struct nfd_pending *p;

	if (!st)
		return;
	p = nfd_pending_push(st);
	p->netns = netns;
	p->trace_id = m->trace_id;
	p->iif = hdr ? hdr->iif : 0;
	if (hdr) {
		__builtin_memcpy(&p->key, &hdr->key, sizeof(p->key));
		__builtin_memcpy(&p->rule.path, &hdr->path,
				 sizeof(p->rule.path));
	} else {
		p->key.nh_len = p->key.th_len = 0;
		p->rule.path.known = 0;
	}
	p->rule.kind = m->type == NFT_TRACETYPE_POLICY ? NFD_KIND_POLICY :
							 NFD_KIND_RULE;
	p->rule.family = family;
	p->rule.why = 0;
	p->rule.verdict =
		p->rule.kind == NFD_KIND_POLICY ? m->policy : m->verdict;
	p->rule.handle = p->rule.kind == NFD_KIND_POLICY ? 0 : m->handle;
	load_name(skb, m->table, p->rule.table);
	load_name(skb, m->chain, p->rule.chain);
	p->ts_ns = bpf_ktime_get_ns();
	p->valid = 1;
	nfd_count(NFD_STAT_VERDICTS);
}

static __always_inline void handle_msg(struct __sk_buff *skb, __u32 len,
				       __u8 family, __u32 netns,
				       struct trace_msg *m)
{
	struct walk w = { .m = m, .off = ATTRS_START };
	struct nfd_trace_hdrs *h;
	struct nfd_trace_hdr *s;
	__u32 zero = 0;

	if (len > MSG_MAX)
		len = MSG_MAX;
	if (len < ATTRS_START || bpf_skb_load_bytes(skb, 0, m->buf, len))
		return;
	m->len = len;
	m->type = m->policy = m->trace_id = m->iif = 0;
	m->verdict = 0;
	m->handle = 0;
	m->table.len = m->chain.len = m->nh.len = m->th.len = 0;
	m->target.len = 0;
	m->have_verdict = m->have_policy = m->have_id = 0;
	bpf_loop(ATTRS_MAX, walk_one, &w, 0);
	nfd_count(NFD_STAT_TRACE_MSGS);

	h = bpf_map_lookup_elem(&hdrs, &zero);
	if (!h || !m->have_id)
		return;
	if (m->nh.len)
		keep_hdr(skb, h, m, netns);
	s = hdr_slot(h, m->trace_id, false);
	if (s && !s->path.cut)
		follow_path(s, m);
	if (!is_drop(m))
		return;
	if (!s)
		nfd_count(NFD_STAT_VERDICT_NOHDR);
	push(skb, m, s, family, netns);
}

/*
 * Was this message sent by the kernel, and in which namespace? Its
 * sender's port id is in NETLINK_CB(skb) (skb->cb): 0 for the kernel, a
 * process's otherwise (root in a container may multicast to the trace
 * group). While a socket filter runs, skb->sk is the receiving socket,
 * whose namespace is the one the kernel traced the packet in. The
 * context is the sk_buff itself; it is read, never written.
 */
static __always_inline bool from_kernel(struct __sk_buff *ctx, __u32 *netns)
{
	void *skb = ctx;
	__u64 cb = bpf_core_field_offset(struct sk_buff, cb) +
		   bpf_core_field_offset(struct netlink_skb_parms, portid);
	struct sock *sk = NULL;
	__u32 portid = 1;

	if (bpf_probe_read_kernel(&portid, sizeof(portid), skb + cb) ||
	    bpf_probe_read_kernel(
		    &sk, sizeof(sk),
		    skb + bpf_core_field_offset(struct sk_buff, sk)) ||
	    !sk)
		return false;
	*netns = BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
	return portid == 0;
}

SEC("socket")
int nfd_trace_filter(struct __sk_buff *skb)
{
	struct nlmsghdr nlh;
	struct nfgenmsg gen;
	struct trace_msg *m;
	__u32 zero = 0, *d, level, netns = 0;

	if (bpf_skb_load_bytes(skb, 0, &nlh, sizeof(nlh)))
		return 0;
	/* the kernel's answers to the batches that made the trace tables */
	if (nlh.nlmsg_type == NLMSG_ERROR)
		return from_kernel(skb, &netns) ? skb->len : 0;
	if (nlh.nlmsg_type != TRACE_MSG_TYPE || nlh.nlmsg_len > skb->len ||
	    bpf_skb_load_bytes(skb, NLMSG_HDRLEN, &gen, sizeof(gen)))
		return 0;
	if (!from_kernel(skb, &netns)) {
		nfd_count(NFD_STAT_FORGED);
		return 0;
	}
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
	handle_msg(skb, nlh.nlmsg_len, gen.nfgen_family, netns, m);
	*d = level;
	return 0;
}
