// SPDX-License-Identifier: GPL-2.0
/*
 * The bytes probe: every skb freed with reason NETFILTER_DROP in a watched
 * network namespace becomes one perf sample, struct nfd_event followed by
 * the packet from its network header (paged data and frag lists included:
 * bpf_skb_output copies with skb_copy_bits). The attribution a backend
 * recorded for this very packet (same CPU, same header bytes, set inside
 * nft_do_chain) goes into the event; anything else stays unattributed.
 */
#include "vmlinux_min.h"
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "common.bpf.h"
#include "nft.bpf.h"
#include "skb.bpf.h"
#include "stack.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define PACKET_OUTGOING 4
#define ETH_ALEN 6
#define ETH_HLEN 14
#define MAC_HEADER_UNSET 0xffff

/* Set by userspace before load. */
const volatile __u32 cfg_snap_data = NFD_SAMPLE_DATA_MAX; /* bytes kept */
const volatile __u64 cfg_nft_lo; /* nft_do_chain's text, from kallsyms */
const volatile __u64 cfg_nft_hi;
/* where per-CPU current_kprobe and bpf_prog_active lie from runqueues
 * (capture/lib/percpu.h); 0 when unknown */
const volatile __s64 cfg_rq_to_kprobe;
const volatile __s64 cfg_rq_to_prog_active;

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

/*
 * Events lost for want of perf buffer room, per interface. Key {0, 0}
 * (put there by userspace) takes the losses of interfaces that no longer
 * fit. Its size is set by userspace before load.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, NFD_LOST_KEYS);
	__type(key, struct nfd_if_key);
	__type(value, __u64);
} lost SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct nfd_event);
} scratch SEC(".maps");

/*
 * The interface a drop is shown on and its direction: inbound on the
 * device the packet arrived on while it is still there (prerouting, input,
 * forward); otherwise outbound on the device it is leaving by.
 */
static __always_inline struct net_device *drop_dev(struct sk_buff *skb,
						   __u8 *dir)
{
	struct net_device *dev = BPF_CORE_READ(skb, dev);
	int iif = BPF_CORE_READ(skb, skb_iif);
	struct dst_entry *dst;

	if (dev && iif && BPF_CORE_READ(dev, ifindex) == iif) {
		*dir = NFD_DIR_IN;
		return dev;
	}
	*dir = NFD_DIR_OUT;
	if (dev)
		return dev;
	dst = (struct dst_entry *)(BPF_CORE_READ(skb, _skb_refdst) & ~1UL);
	return dst ? BPF_CORE_READ(dst, dev) : NULL;
}

static __always_inline void fill_link(struct nfd_event *ev, struct sk_buff *skb,
				      struct net_device *dev)
{
	__u16 mac = BPF_CORE_READ(skb, mac_header);
	__u16 nh = BPF_CORE_READ(skb, network_header);
	unsigned char *head = BPF_CORE_READ(skb, head);

	ev->ifindex = dev ? BPF_CORE_READ(dev, ifindex) : 0;
	ev->hatype = dev ? BPF_CORE_READ(dev, type) : 0;
	if (dev)
		BPF_CORE_READ_STR_INTO(&ev->ifname, dev, name);
	ev->protocol = BPF_CORE_READ(skb, protocol);
	ev->addr_len = 0;
	if (ev->dir == NFD_DIR_OUT) {
		ev->pkt_type = PACKET_OUTGOING;
		return;
	}
	ev->pkt_type = BPF_CORE_READ_BITFIELD_PROBED(skb, pkt_type);
	/* an Ethernet source address, when the link header is still there */
	if (dev && BPF_CORE_READ(dev, addr_len) == ETH_ALEN &&
	    mac != MAC_HEADER_UNSET && nh >= mac + ETH_HLEN &&
	    !bpf_probe_read_kernel(ev->addr, ETH_ALEN, head + mac + ETH_ALEN))
		ev->addr_len = ETH_ALEN;
}

/* Does the packet at @nh hold the headers the verdict saw? */
static __always_inline bool key_match(const struct nfd_pkt_key *key,
				      const __u64 *pkt, const void *nh)
{
	__u64 th[(NFD_KEY_LEN - NFD_NH_MAX) / 8];

	if (key->nh_len < 8)
		return false; /* too little to tell packets apart */
	if (!same_bytes(pkt, (const __u64 *)key->nh, NFD_NH_MAX / 8,
			key->nh_len))
		return false;
	if (!key->th_len)
		return true;
	if (bpf_probe_read_kernel(th, sizeof(th), nh + key->nh_len))
		return false;
	return same_bytes(th, (const __u64 *)key->th, sizeof(th) / 8,
			  key->th_len);
}

/*
 * The ifindex of the bridge @dev is a port of, or of @dev if it is a
 * bridge; 0 if neither. br_netfilter passes bridged packets through the
 * inet hooks with the bridge as their input device (a trace's iif), while
 * skb_iif names the port they came in by. A port's rx_handler_data is its
 * struct net_bridge_port, whose first member (since 2.6) points to the
 * bridge's private area, which follows the bridge's net_device
 * (netdev_priv()). The result is checked to be a bridge.
 */
static __always_inline __u32 bridge_of(struct net_device *dev)
{
	__u64 ebridge =
		bpf_core_enum_value(enum netdev_priv_flags, IFF_EBRIDGE);
	__u64 port =
		bpf_core_enum_value(enum netdev_priv_flags, IFF_BRIDGE_PORT);
	__u64 flags, priv;
	void *br = NULL, *data;

	if (!dev)
		return 0;
	flags = BPF_CORE_READ_BITFIELD_PROBED(dev, priv_flags);
	if (flags & ebridge)
		return BPF_CORE_READ(dev, ifindex);
	data = BPF_CORE_READ(dev, rx_handler_data);
	if (!(flags & port) || !data ||
	    bpf_probe_read_kernel(&br, sizeof(br), data) || !br)
		return 0;
	if (bpf_core_field_exists(dev->priv))
		priv = bpf_core_field_offset(struct net_device, priv);
	else /* NETDEV_ALIGN */
		priv = (bpf_core_type_size(struct net_device) + 31) & ~31ULL;
	dev = (struct net_device *)(br - priv);
	flags = BPF_CORE_READ_BITFIELD_PROBED(dev, priv_flags);
	return flags & ebridge ? BPF_CORE_READ(dev, ifindex) : 0;
}

/*
 * Was a verdict that saw input interface @want set for a packet that came
 * in by @in (skb_iif), or by a port of bridge @bridge? 0 is "unknown".
 */
static __always_inline bool same_input(__u32 want, __u32 in, __u32 bridge)
{
	return !want || !in || want == in || want == bridge;
}

/* A record of a drop outside nf_tables (bpf/outside.bpf.h)? */
static __always_inline bool outside_record(const struct nfd_pending *p)
{
	return p->rule.why == NFD_WHY_XT_LEGACY ||
	       p->rule.why == NFD_WHY_CONNTRACK ||
	       p->rule.why == NFD_WHY_CT_FULL;
}

/*
 * Take the newest recent verdict on this CPU whose key matches the packet.
 * Verdicts pushed after it belong to packets whose free never came here
 * (evaluation nests strictly on one CPU): they are discarded with it.
 */
static __always_inline bool
take_verdict(struct nfd_pending_stack *st, struct sk_buff *skb, __u64 task,
	     __u32 netns, const __u64 *pkt, const void *nh, __u32 iif,
	     __u32 bridge, struct nfd_rule *out, __u8 *why)
{
	__u64 now = bpf_ktime_get_ns();
	__u32 top = st->top;
	bool seen = false, keyless = false;

	for (int i = 1; i <= NFD_PENDING_SLOTS; i++) {
		struct nfd_pending *p =
			&st->slot[(top - i) & (NFD_PENDING_SLOTS - 1)];

		if (!p->valid)
			continue;
		if (now - p->ts_ns > NFD_PENDING_MAX_AGE_NS) {
			p->valid = 0;
			continue;
		}
		/* never an nft_do_chain free's: a packet tc's act_ct or OVS
		 * went on with after conntrack's drop verdict */
		if (outside_record(p))
			continue;
		if (!p->skb && !p->key.nh_len) { /* nftrace: no headers */
			keyless = true;
			continue;
		}
		seen = true;
		if (p->netns != netns) /* set in another namespace */
			continue;
		if (p->skb) { /* backend fentry: this very packet */
			if (p->skb != (__u64)skb || p->task != task)
				continue;
		} else if (!same_input(p->iif, iif, bridge) ||
			   !key_match(&p->key, pkt, nh)) {
			continue;
		}
		bpf_probe_read_kernel(out, sizeof(*out), &p->rule);
		for (int j = 1; j <= i && j <= NFD_PENDING_SLOTS; j++)
			st->slot[(top - j) & (NFD_PENDING_SLOTS - 1)].valid = 0;
		return true;
	}
	*why = seen    ? NFD_WHY_MISMATCH :
	       keyless ? NFD_WHY_NO_HEADERS :
			 NFD_WHY_NO_VERDICT;
	return false;
}

/*
 * Freed outside nft_do_chain: backend fentry's or kprobe's record of an
 * iptables-legacy table or of conntrack that dropped this very packet, if
 * any (bpf/outside.bpf.h).
 */
static __always_inline bool take_outside(struct nfd_pending_stack *st,
				    struct sk_buff *skb, __u64 task,
				    __u32 netns, struct nfd_rule *out)
{
	__u64 now = bpf_ktime_get_ns();
	__u32 top = st->top;

	for (int i = 1; i <= NFD_PENDING_SLOTS; i++) {
		struct nfd_pending *p =
			&st->slot[(top - i) & (NFD_PENDING_SLOTS - 1)];

		/* nf_hook_slow frees it right after the hook's return; a
		 * record of an earlier packet at that address is forgotten
		 * when the hook function is entered again (bpf/outside.bpf.h),
		 * the age bound is the backstop (NFD_PENDING_MAX_AGE_NS) */
		if (!p->valid || !outside_record(p) ||
		    p->skb != (__u64)skb || p->task != task ||
		    p->netns != netns ||
		    now - p->ts_ns > NFD_PENDING_MAX_AGE_NS)
			continue;
		bpf_probe_read_kernel(out, sizeof(*out), &p->rule);
		p->valid = 0;
		return true;
	}
	return false;
}

/*
 * Backend fentry, no verdict recorded: at nft_do_chain's policy site the
 * base chain's policy dropped it (the frame names the chain); at its rule
 * site an expression nfdropcap does not hook did.
 */
static __always_inline bool policy_drop(struct nfd_event *ev,
					struct sk_buff *skb, __u64 loc,
					__u64 task, __u8 *why)
{
	struct nfd_sites *s = nfd_sites();
	struct nfd_frames *fr;
	struct nfd_frame *f;
	struct nft_chain *chain;

	if (!s || !s->policy)
		return false;
	if (loc != s->policy) {
		if (loc == s->rule)
			*why = NFD_WHY_UNHOOKED;
		return false;
	}
	fr = nfd_frames();
	f = fr ? nfd_frame_find(fr, 0, (__u64)skb, task) : NULL;
	if (!f) {
		*why = NFD_WHY_NO_FRAME;
		return false;
	}
	chain = (struct nft_chain *)f->chain;
	if (nfd_policy(chain) != NF_DROP)
		return false;
	ev->rule.kind = NFD_KIND_POLICY;
	ev->rule.verdict = NF_DROP;
	nfd_names(&ev->rule, chain);
	return true;
}

/*
 * Backend nftrace, no verdict: if the packet was never marked for tracing,
 * why (NFD_WHY_NOT_TRACED with a filter, else NFD_WHY_NOT_MARKED); else 0.
 */
static __always_inline __u8 not_traced(struct sk_buff *skb)
{
	struct nfd_sites *s = nfd_sites();

	if (!bpf_core_field_exists(skb->nf_trace) || !s || !s->traced ||
	    BPF_CORE_READ_BITFIELD_PROBED(skb, nf_trace))
		return 0;
	return s->traced == NFD_TRACED_FILTER ? NFD_WHY_NOT_TRACED :
						NFD_WHY_NOT_MARKED;
}

/*
 * The kernel runs no kprobe program on a CPU while a kprobe's handler is
 * in progress there (a kretprobe's return handler runs with interrupts
 * on), nor while a kprobe or tracepoint program or a BPF map syscall holds
 * bpf_prog_active: a softirq run inside one of those (on an interrupt's
 * exit) had its verdicts skipped. Its drops are freed in that same
 * softirq, the CPU still so. Backend kprobe, no verdict: that reason, if
 * it holds; else 0. This CPU's current_kprobe and bpf_prog_active lie at
 * fixed distances from its run queue (cfg_rq_to_*), which is the running
 * task's.
 */
static __always_inline __u8 kprobe_skipped(void)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	struct nfd_sites *s = nfd_sites();
	__u64 rq, running = 0;
	int active = 0;

	if (!s || !s->kprobes || !cfg_rq_to_kprobe ||
	    !bpf_core_field_exists(t->se.cfs_rq))
		return 0;
	rq = (__u64)BPF_CORE_READ(t, se.cfs_rq, rq);
	if (!rq || BPF_CORE_READ((struct rq *)rq, cpu) !=
			   (int)bpf_get_smp_processor_id())
		return 0; /* not this CPU's: say nothing */
	bpf_probe_read_kernel(&running, sizeof(running),
			      (const void *)(rq + cfg_rq_to_kprobe));
	bpf_probe_read_kernel(&active, sizeof(active),
			      (const void *)(rq + cfg_rq_to_prog_active));
	return running || active ? NFD_WHY_KPROBE_BUSY : 0;
}

static __always_inline void attribute(void *ctx, struct nfd_event *ev,
				      struct sk_buff *skb,
				      void *location, unsigned char *nh,
				      __u32 netns)
{
	__u64 loc = (__u64)location, task = bpf_get_current_task();
	struct nfd_pending_stack *st;
	__u64 pkt[NFD_NH_MAX / 8];
	__u8 why = NFD_WHY_NOT_NFT, stack_why = 0;

	__builtin_memset(&ev->rule, 0, sizeof(ev->rule));
	st = nfd_pending_stack();
	if (!st)
		goto unattributed;
	if (cfg_nft_lo && (loc < cfg_nft_lo || loc >= cfg_nft_hi)) {
		if (take_outside(st, skb, task, netns, &ev->rule))
			return;
		goto unattributed;
	}
	if (nfd_stack_attribute(ctx, loc, &ev->rule, &stack_why))
		return;
	if (stack_why) { /* backend dropsite, its stack not as analysed */
		why = stack_why;
		goto unattributed;
	}
	if (bpf_probe_read_kernel(pkt, sizeof(pkt), nh))
		__builtin_memset(pkt, 0, sizeof(pkt));
	if (take_verdict(st, skb, task, netns, pkt, nh,
			 BPF_CORE_READ(skb, skb_iif),
			 bridge_of(BPF_CORE_READ(skb, dev)), &ev->rule, &why))
		return;
	if (policy_drop(ev, skb, loc, task, &why))
		return;
	if (why == NFD_WHY_NO_VERDICT)
		why = not_traced(skb) ?: why;
	/* its verdict, frame or policy unseen, all the same */
	why = kprobe_skipped() ?: why;
unattributed:
	ev->rule.kind = NFD_KIND_NONE;
	ev->rule.why = why;
}

/*
 * Losses counted in map "lost" so far: userspace reads the map again only
 * when this moved, and once more after (capture/drop_probe.c). Its reads
 * are syscalls, and a BPF map syscall keeps the kernel from running
 * kprobe programs on its CPU meanwhile (NFD_WHY_KPROBE_BUSY).
 */
__u64 nfd_lost_counted;

static __always_inline void count_lost(struct nfd_event *ev)
{
	struct nfd_if_key key = { .netns = ev->netns, .ifindex = ev->ifindex };
	struct nfd_if_key any = { 0 };
	__u64 one = 1, *v;

	nfd_count(NFD_STAT_LOST);
	v = bpf_map_lookup_elem(&lost, &key);
	if (!v && !bpf_map_update_elem(&lost, &key, &one, BPF_NOEXIST))
		goto counted;
	if (!v) /* another CPU added it meanwhile, or the map is full */
		v = bpf_map_lookup_elem(&lost, &key) ?:
			    bpf_map_lookup_elem(&lost, &any);
	if (v)
		__sync_fetch_and_add(v, 1);
counted:
	__sync_fetch_and_add(&nfd_lost_counted, 1);
}

SEC("tp_btf/kfree_skb")
int BPF_PROG(nfd_kfree_skb, struct sk_buff *skb, void *location,
	     enum skb_drop_reason reason)
{
	struct net_device *dev;
	struct nfd_event *ev;
	unsigned char *head, *data, *nh;
	__u32 zero = 0, netns, len, cap;
	__s64 off;
	__u8 dir;

	if (reason != bpf_core_enum_value(enum skb_drop_reason,
					  SKB_DROP_REASON_NETFILTER_DROP))
		return 0;
	dev = drop_dev(skb, &dir);
	netns = nfd_skb_netns(skb, dev);
	if (!cfg_all_netns && !bpf_map_lookup_elem(&netns_ok, &netns))
		return 0;
	if (cfg_all_netns && nfd_canary_netns(netns)) /* never captured */
		return 0;
	ev = bpf_map_lookup_elem(&scratch, &zero);
	if (!ev)
		return 0;
	nfd_count(NFD_STAT_DROPS);

	head = BPF_CORE_READ(skb, head);
	data = BPF_CORE_READ(skb, data);
	nh = head + BPF_CORE_READ(skb, network_header);
	len = BPF_CORE_READ(skb, len);
	off = nh - data;
	if (off < 0 || off > 256 || off > len)
		off = 0; /* no usable network header: start at data */

	ev->version = NFD_EVENT_VERSION;
	ev->size = sizeof(*ev);
	ev->ts_ns = bpf_ktime_get_boot_ns();
	ev->location = (__u64)location;
	ev->netns = netns;
	ev->dir = dir;
	ev->data_off = off;
	ev->pkt_len = len - off;
	cap = ev->pkt_len < cfg_snap_data ? ev->pkt_len : cfg_snap_data;
	if (cap > NFD_SAMPLE_DATA_MAX - off)
		cap = NFD_SAMPLE_DATA_MAX - off;
	ev->cap_len = cap;
	fill_link(ev, skb, dev);
	attribute(ctx, ev, skb, location, data + off, netns);

	if (bpf_skb_output(skb, &events,
			   BPF_F_CURRENT_CPU | ((__u64)(off + cap) << 32), ev,
			   sizeof(*ev)))
		count_lost(ev);
	return 0;
}
