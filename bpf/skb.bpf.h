/* SPDX-License-Identifier: GPL-2.0 */
/* Reading an sk_buff: the network namespace it belongs to. */
#ifndef NFD_SKB_BPF_H
#define NFD_SKB_BPF_H

#include <bpf/bpf_core_read.h>

static __always_inline __u32 nfd_dev_netns(struct net_device *dev)
{
	return BPF_CORE_READ(dev, nd_net.net, ns.inum);
}

/*
 * The namespace (inode number) of @skb: its device's (@dev, or NULL when it
 * has none), else its socket's; 0 if neither is known.
 */
static __always_inline __u32 nfd_skb_netns(struct sk_buff *skb,
					   struct net_device *dev)
{
	struct sock *sk;

	if (dev)
		return nfd_dev_netns(dev);
	sk = BPF_CORE_READ(skb, sk);
	return sk ? BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum) : 0;
}

#endif /* NFD_SKB_BPF_H */
