/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one event nfdropcap's BPF programs hand to userspace, and the
 * attribution record a backend hands to the bytes probe. Shared by
 * the BPF programs and capture/; fixed-width types and explicit padding only.
 */
#ifndef NFDROPCAP_H
#define NFDROPCAP_H

#include <linux/types.h>

#define NFD_EVENT_VERSION 3

#define NFD_NAME_MAX 256 /* NFT_TABLE_MAXNAMELEN == NFT_CHAIN_MAXNAMELEN */
#define NFD_IFNAMSIZ 16
#define NFD_NH_MAX 40 /* NFT_TRACETYPE_NETWORK_HSIZE */
#define NFD_TH_MAX 20 /* NFT_TRACETYPE_TRANSPORT_HSIZE */
#define NFD_PENDING_SLOTS 8 /* verdicts awaiting their kfree_skb, per CPU */
#define NFD_HDR_SLOTS 8 /* trace headers awaiting their verdict, per CPU */
#define NFD_SNAPLEN_MAX 262144
/*
 * Packet bytes travel in a perf sample whose header length is 16 bits:
 * one sample holds at most this much packet data after the event.
 */
#define NFD_SAMPLE_DATA_MAX 64512
/*
 * General registers, in struct pt_regs order: x86-64 0 = r15 ... 14 = di;
 * arm64 0 = x0 ... 30 = x30 (lr).
 */
#if defined(__TARGET_ARCH_arm64) || defined(__aarch64__)
#define NFD_NREGS 31
#else
#define NFD_NREGS 15
#endif
/* Kernel text read at most at once (ktext.bpf.c, backend kprobe). */
#define NFD_TEXT_MAX 8192
/*
 * A verdict older than this is never matched to a freed packet. A verdict
 * whose free never came is forgotten when its packet's address (or, for
 * nftrace, its header bytes) begins another evaluation on the CPU; this
 * bound is the backstop. It allows for a CPU stalled between a verdict and
 * its free: an emulated one (qemu TCG runs a guest's CPUs in turn, 100 ms
 * each, and more on a busy host) or an overcommitted cloud instance's.
 */
#define NFD_PENDING_MAX_AGE_NS 2000000000ULL

/* How a drop was attributed. */
enum nfd_kind {
	NFD_KIND_NONE = 0, /* not attributed: see enum nfd_why */
	NFD_KIND_RULE = 1, /* a rule's verdict */
	NFD_KIND_POLICY = 2, /* a base chain's policy */
};

/* Why a drop is not attributed. */
enum nfd_why {
	NFD_WHY_NONE = 0,
	NFD_WHY_NOT_NFT = 1, /* freed outside nft_do_chain: not nftables */
	NFD_WHY_NO_VERDICT = 2, /* no verdict of this packet was seen */
	NFD_WHY_MISMATCH = 3, /* verdicts seen, none for these bytes */
	NFD_WHY_UNHOOKED = 4, /* a rule's verdict nfdropcap does not hook */
	NFD_WHY_NO_FRAME = 5, /* policy site, but its chain was not seen */
	NFD_WHY_NOT_TRACED = 6, /* nftrace: its trace rule did not mark it */
	NFD_WHY_NO_HEADERS = 7, /* nftrace: a drop verdict without headers */
	NFD_WHY_NOT_MARKED = 8, /* nftrace, no filter: dropped before marked */
	NFD_WHY_XT_LEGACY = 9, /* iptables-legacy: table in rule.table, hook
				  in rule.handle; once userspace names the
				  rule (rule.xt_known), its chain in
				  rule.chain, its number in rule.xt_num */
	NFD_WHY_STACK = 10, /* dropsite: the stack was not as analysed */
	NFD_WHY_CONNTRACK = 11, /* nf_conntrack_in's drop: hook in
				   rule.handle */
	NFD_WHY_CT_FULL = 12, /* the same, its table full (early_drop found
				 nothing to evict) */
	NFD_WHY_STARTING = 13, /* set by userspace (output.c): a verdict not
				  seen before the backend was set up */
	NFD_WHY_KPROBE_BUSY = 14, /* backend kprobe, no verdict: when it was
				     freed, a kprobe handler or a BPF
				     program (or map operation) was in
				     progress on its CPU, so the kernel
				     skipped ours */
};
#define NFD_WHY_MAX NFD_WHY_KPROBE_BUSY

enum nfd_dir {
	NFD_DIR_UNKNOWN = 0,
	NFD_DIR_IN = 1,
	NFD_DIR_OUT = 2,
};

/* Counters kept per CPU by the BPF programs (map "stats"). */
enum nfd_stat {
	NFD_STAT_DROPS = 0, /* NETFILTER_DROP frees seen in our netns */
	NFD_STAT_LOST, /* events the perf buffer had no room for */
	NFD_STAT_VERDICTS, /* drop verdicts a backend recorded */
	NFD_STAT_VERDICT_NOHDR, /* drop verdicts without packet headers */
	NFD_STAT_TRACE_MSGS, /* trace messages parsed (nftrace) */
	NFD_STAT_FORGED, /* trace messages not sent by the kernel: refused */
	NFD_STAT_MAX,
};

/*
 * The jumps and gotos that led from the base chain to the dropping rule's
 * chain, as rule handles (unique in their table; userspace names their
 * chains). @known is 0 where the backend does not follow paths.
 */
#define NFD_PATH_MAX 16 /* NFT_JUMP_STACK_SIZE */
enum nfd_hop {
	NFD_HOP_JUMP = 1,
	NFD_HOP_GOTO = 2,
};

struct nfd_path {
	__u64 handle[NFD_PATH_MAX]; /* the rule that jumped or went to */
	__u8 kind[NFD_PATH_MAX]; /* enum nfd_hop */
	__u8 n; /* hops, from the base chain */
	__u8 cut; /* more than NFD_PATH_MAX hops: the path is not known */
	__u8 known; /* followed: n == 0 means the base chain dropped it */
	/*
	 * Backend dropsite: only the kernel's jump stack was read, where
	 * gotos leave no trace: the hops are its jumps, gotos may lie
	 * between (NFD_UNSEEN_GOTOS: the jump stack was not read).
	 */
	__u8 jumps_only;
	/*
	 * Backend dropsite: the base chain's handle, where the path starts
	 * (0: unknown); userspace puts the gotos back where the ruleset
	 * leaves one way only (capture/output/goto_path.c).
	 */
	__u32 base_handle;
};

/* The rule that dropped a packet, as the kernel named it. */
struct nfd_rule {
	__u64 handle; /* 0 for a policy */
	__s32 verdict; /* the kernel's verdict code (NF_DROP == 0) */
	__u8 kind; /* enum nfd_kind */
	__u8 family; /* table family: NFPROTO_* */
	__u8 why; /* enum nfd_why, when kind == NFD_KIND_NONE */
	__u8 pad;
	char table[NFD_NAME_MAX];
	char chain[NFD_NAME_MAX];
	struct nfd_path path;
	/*
	 * NFD_WHY_XT_LEGACY, backends fentry and kprobe: the table's entry
	 * that dropped it, where its counters told for sure (outside.bpf.h):
	 * its offset in the table as read at generation @xt_gen (map
	 * xt_gen); @xt_known is 0 where they did not. Userspace names it
	 * (capture/backend/xt_rules.h): its chain into @chain, its number
	 * there into @xt_num (0: the chain's policy).
	 */
	__u64 xt_gen;
	__u32 xt_off;
	__u32 xt_num;
	__u32 xt_known;
	__u32 pad2;
};

/*
 * A packet's headers as a backend saw them when the verdict was set: the
 * first @nh_len bytes from the network header, and @th_len bytes of the
 * transport header, which starts right after those (@th_len is 0 where it
 * does not). The bytes probe matches a freed packet against them.
 */
#define NFD_KEY_LEN 64
struct nfd_pkt_key {
	__u8 nh[NFD_NH_MAX];
	__u8 th[NFD_KEY_LEN - NFD_NH_MAX];
	__u32 nh_len;
	__u32 th_len;
};

/*
 * A drop verdict recorded by a backend, waiting for its packet's free.
 * Backend fentry knows the very packet (@skb, @task): it matches by
 * identity; backend nftrace leaves @skb 0 and matches by @key.
 */
struct nfd_pending {
	__u64 ts_ns;
	__u64 skb; /* the sk_buff's address, or 0 */
	__u64 task; /* the task it was evaluated under (fentry) */
	__u32 seq; /* push order */
	__u32 iif; /* input interface the verdict saw, 0 if none */
	__u32 trace_id;
	__u32 valid;
	__u32 netns; /* the namespace it was set in: the freed packet's too */
	__u32 pad;
	struct nfd_pkt_key key;
	struct nfd_rule rule;
};

/*
 * Calls in progress of the netfilter hook functions outside nf_tables that
 * backends fentry and kprobe name (bpf/outside.bpf.h), per task (map
 * "calls"), innermost last. @id tells a call's exit its own entry: the
 * sk_buff (fexit) or the stack pointer at entry (kretprobe); @sp places
 * the call on the kernel stack (the trampoline's argument array, or the
 * stack pointer), so that early_drop can tell the call it runs inside.
 */
#define NFD_CALLS_MAX 4 /* a task's nesting: process, softirq, a reply */
enum nfd_call_fn {
	NFD_CALL_XT = 1, /* ipt_do_table, ip6t_do_table */
	NFD_CALL_CT = 2, /* nf_conntrack_in */
};

/*
 * iptables-legacy: which of a table's entries dropped a packet. Userspace
 * reads each table a packet passes (map xt_want asks for it) and gives
 * the offsets of its entries that always drop (DROP, REJECT, a DROP
 * policy), map xt_cands, as read at a generation of map xt_gen, which
 * counts the starts and ends of table replacements. A call's entry reads
 * those entries' counters on its CPU; if its exit finds that nothing else
 * ran an iptables table on that CPU meanwhile (the kernel's xt_recseq
 * moved by one section, the task did not migrate, no call inside it
 * dropped) and exactly one of them counted exactly one packet more, that
 * entry dropped it: nothing else could have counted there.
 */
#define NFD_XT_CANDS 16
#define NFD_XT_NAME_MAX 32 /* XT_TABLE_MAXNAMELEN */
/* offsetof(struct ipt_entry / ip6t_entry, counters) (UAPI) */
#define NFD_XT_COUNTERS_OFF4 96
#define NFD_XT_COUNTERS_OFF6 152

struct nfd_xt_key {
	__u32 netns;
	__u8 pf; /* NFPROTO_IPV4, NFPROTO_IPV6 */
	__u8 pad[3];
	char name[NFD_XT_NAME_MAX];
};

struct nfd_xt_cands {
	__u64 gen; /* map xt_gen when userspace read the table */
	__u32 size; /* of its entries: xt_table_info's size */
	__u32 n;
	__u32 off[NFD_XT_CANDS];
};

/* Where the kernel keeps per-CPU data: userspace's, from kallsyms. */
struct nfd_xt_cfg {
	__u64 per_cpu_offset; /* &__per_cpu_offset[0] */
	__u64 recseq; /* xt_recseq, a per-CPU variable's address */
	__u32 smp; /* nr_cpu_ids > 1: counters are per CPU */
	__u32 on; /* 0: tell no rules */
};

/* A call's reading of its table's counters at entry. */
struct nfd_xt_snap {
	__u64 gen;
	__u64 migrations; /* the task's, at entry */
	__u32 recseq; /* this CPU's xt_recseq at entry */
	__u32 cpu;
	__u32 n; /* 0: nothing read, no rule can be told */
	__u32 nested_drop; /* a call inside this one dropped */
	__u32 off[NFD_XT_CANDS];
	__u64 cnt[NFD_XT_CANDS];
};

struct nfd_call {
	__u64 id;
	__u64 sp; /* a kernel stack address of the call's entry */
	__u64 skb;
	__u64 table; /* struct xt_table * (NFD_CALL_XT) */
	__u32 netns;
	__u8 hook; /* nf_hook_state's */
	__u8 pf;
	__u8 fn; /* enum nfd_call_fn */
	__u8 full; /* NFD_CALL_CT: early_drop found nothing to evict */
	struct nfd_xt_snap xt; /* NFD_CALL_XT */
};

struct nfd_calls {
	__u32 depth;
	__u32 pad;
	struct nfd_call call[NFD_CALLS_MAX];
};

struct nfd_pending_stack {
	__u32 top; /* pushes so far; slot = seq % NFD_PENDING_SLOTS */
	__u32 pad;
	struct nfd_pending slot[NFD_PENDING_SLOTS];
};

/*
 * Header key of a trace message, kept until that packet's verdict. A
 * packet keeps its slot (found by trace id) while it is evaluated; a new
 * packet takes the slot least recently used, so a packet evaluated in the
 * middle of another's evaluation (a reject's reply) never takes the
 * other's slot.
 */
struct nfd_trace_hdr {
	__u32 trace_id;
	__u32 iif;
	__u32 valid;
	__u32 used; /* the slots' clock when last used */
	struct nfd_pkt_key key;
	struct nfd_path path; /* of the chain walk in progress */
	__u64 chain[NFD_PATH_MAX]; /* hash of the chain each hop led to */
	__u64 base; /* hash of the walk's base chain name */
};

struct nfd_trace_hdrs {
	__u32 clock; /* counts uses of the slots */
	__u32 pad;
	struct nfd_trace_hdr slot[NFD_HDR_SLOTS];
};

/*
 * Backend fentry: one nft_do_chain call, recorded at its entry, on a
 * per-CPU ring (map "frames"). Frames are never popped: a lookup takes the
 * newest one of the same packet and task, which is the call in progress.
 */
#define NFD_FRAME_SLOTS 16
struct nfd_frame {
	__u64 pkt; /* struct nft_pktinfo *, on the caller's stack */
	__u64 skb;
	__u64 chain; /* the base chain's struct nft_chain * */
	__u64 task;
	/*
	 * The jumps and gotos of this call so far. Backend kprobe sees each
	 * return and knows each handle at once; backend fentry keeps the
	 * expression that jumped and the chain it went to, and names the
	 * rules only when a drop needs them.
	 */
	struct nfd_path path;
	__u64 hop_expr[NFD_PATH_MAX];
	__u64 hop_chain[NFD_PATH_MAX];
};

struct nfd_frames {
	__u32 top;
	__u32 pad;
	struct nfd_frame slot[NFD_FRAME_SLOTS];
};

/*
 * Where nft_do_chain frees a packet it drops (map "sites", one entry):
 * the kfree_skb location of a rule's drop and of a policy drop, measured
 * by backend fentry's canary at start. 0 while unknown.
 */
struct nfd_sites {
	__u64 rule;
	__u64 policy;
	__u32 canary_netns; /* the canary's namespace: never captured */
	__u32 traced; /* backend nftrace: verdicts only of marked packets */
	__u32 kprobes; /* backend kprobe: verdicts recorded by kprobes */
	__u32 pad;
};

/*
 * Backend dropsite: where nft_do_chain's state lies on the kernel stack
 * while the kfree_skb tracepoint of one of its drop frees runs (map
 * "stack", one entry, written by capture/backend/dropsite.c from the
 * kernel's code; rule_site 0 while unused). Slot A holds the return
 * address into nft_do_chain (the tracepoint's location); the callee
 * frames below it are described by a layout per call chain the
 * tracepoint can take (how many programs are attached changes it), in
 * 8-byte slots below A; nft_do_chain's own frame is above A, in bytes.
 */
#define NFD_STACK_LAYOUTS 2
#define NFD_STACK_MARKS 4
struct nfd_stack_layout {
	__u64 mark[NFD_STACK_MARKS]; /* return addresses expected... */
	__u16 mark_slot[NFD_STACK_MARKS]; /* ...this many slots below A */
	__u16 rule_slot; /* the rule register's saved value */
	__u16 depth_slot; /* the jump stack depth register's (0: none) */
	__u16 n_marks;
	__u16 base_slot; /* the base chain register's (0: base_off) */
};

struct nfd_stack {
	__u64 rule_site; /* the kfree_skb location of a rule's drop */
	__u64 policy_site; /* of a base chain policy's drop */
	__u32 scan; /* slots above the probe's own frame searched for A */
	__u32 base_off; /* the base chain pointer: at A + base_off */
	__u32 jump_off; /* the jump stack: at A + jump_off (0: unknown) */
	__u32 jump_size; /* bytes per jump stack entry */
	__u32 jump_rule; /* the rule pointer's offset in an entry */
	__u32 depth_off; /* its depth (u32): at A + depth_off; 0: a register */
	__u32 n_layouts;
	__u32 pad;
	struct nfd_stack_layout layout[NFD_STACK_LAYOUTS];
};

#define NFD_UNSEEN_GOTOS 2 /* nfd_path.jumps_only: jumps not read */

/* nfd_sites.traced: which packets backend nftrace marks for tracing. */
enum nfd_traced {
	NFD_TRACED_NO = 0, /* not backend nftrace */
	NFD_TRACED_ALL = 1, /* every packet, from its first hook */
	NFD_TRACED_FILTER = 2, /* those the capture filter matches */
};

/* A drop of the fentry canary, as its kfree_skb probe saw it. */
#define NFD_CANARY_MAX 4
struct nfd_canary_drop {
	__u64 location; /* kfree_skb's caller */
	__u32 recorded; /* a verdict of this packet was on the stack */
	__u32 pad;
	struct nfd_rule rule;
};

/*
 * Key of the per-interface loss counters (map "lost", NFD_LOST_KEYS keys
 * by default); {0, 0} counts the losses of interfaces that did not fit.
 */
#define NFD_LOST_KEYS 4096
struct nfd_if_key {
	__u32 netns;
	__u32 ifindex;
};

/*
 * One dropped packet. In the perf sample it is followed by `data_off`
 * bytes before the network header, then `cap_len` packet bytes.
 */
struct nfd_event {
	__u16 version;
	__u16 size; /* sizeof(struct nfd_event) */
	__u32 cap_len; /* packet bytes captured, from the network header */
	__u32 pkt_len; /* packet length from the network header */
	__u32 data_off; /* bytes in the sample before the network header */
	__u64 ts_ns; /* CLOCK_BOOTTIME */
	__u64 location; /* where the kernel freed it (kfree_skb's caller) */
	__u32 netns; /* network namespace inode number */
	__u32 ifindex;
	__u16 protocol; /* skb->protocol, network byte order */
	__u16 hatype; /* ARPHRD_* of the interface */
	__u8 dir; /* enum nfd_dir */
	__u8 pkt_type; /* PACKET_* */
	__u8 addr_len;
	__u8 pad;
	__u8 addr[8]; /* link-layer source address, inbound only */
	char ifname[NFD_IFNAMSIZ];
	struct nfd_rule rule;
};

_Static_assert(sizeof(struct nfd_sites) == 32, "struct nfd_sites has holes");
_Static_assert(sizeof(struct nfd_path) == 9 * NFD_PATH_MAX + 8,
	       "struct nfd_path has holes");
_Static_assert(sizeof(struct nfd_stack_layout) == 8 * NFD_STACK_MARKS +
			2 * NFD_STACK_MARKS + 8,
	       "struct nfd_stack_layout has holes");
_Static_assert(sizeof(struct nfd_stack) ==
		       48 + NFD_STACK_LAYOUTS * sizeof(struct nfd_stack_layout),
	       "struct nfd_stack has holes");
_Static_assert(sizeof(struct nfd_rule) ==
		       40 + 2 * NFD_NAME_MAX + sizeof(struct nfd_path),
	       "struct nfd_rule has holes");
_Static_assert(sizeof(struct nfd_pending) ==
		       48 + NFD_KEY_LEN + 8 + sizeof(struct nfd_rule),
	       "struct nfd_pending has holes");
_Static_assert(sizeof(struct nfd_event) == 72 + sizeof(struct nfd_rule),
	       "struct nfd_event has holes");
_Static_assert(sizeof(struct nfd_xt_snap) == 32 + 12 * NFD_XT_CANDS,
	       "struct nfd_xt_snap has holes");
_Static_assert(sizeof(struct nfd_xt_cands) == 16 + 4 * NFD_XT_CANDS,
	       "struct nfd_xt_cands has holes");
_Static_assert(sizeof(struct nfd_call) == 40 + sizeof(struct nfd_xt_snap),
	       "struct nfd_call has holes");
_Static_assert(sizeof(struct nfd_calls) == 8 + sizeof(struct nfd_call) *
						       NFD_CALLS_MAX,
	       "struct nfd_calls has holes");
_Static_assert((NFD_CALLS_MAX & (NFD_CALLS_MAX - 1)) == 0,
	       "NFD_CALLS_MAX indexes by mask");
_Static_assert(sizeof(struct nfd_pending_stack) <= 32768,
	       "per-CPU map values are limited to 32 KiB");

#endif /* NFDROPCAP_H */
