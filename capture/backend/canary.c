// SPDX-License-Identifier: GPL-2.0
/*
 * The canary: two known drops in a private, throwaway network namespace,
 * made by a child process that unshares one, so that nothing else on the
 * system changes. Its ruleset, as nf_tables netlink messages:
 *
 *   table inet nfdropcap_canary {
 *	chain out { type filter hook output priority 0; policy drop;
 *		jump sub }
 *	chain sub { meta mark 0x4e464443 drop }
 *   }
 *
 * The child sends two UDP datagrams to 127.0.0.1: the first with that
 * mark (dropped by the rule in sub, reached by a jump), the second
 * without (dropped by out's policy). Both are dropped in the sending
 * system call, so they have been seen when the child exits.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <endian.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>

#include "canary.h"
#include "lib/nlmsg.h"

#define NFD_CANARY_TIMEOUT_MS 10000
#define NFT_MSG(m) ((NFNL_SUBSYS_NFTABLES << 8) | (m))

/* meta mark == NFD_CANARY_MARK */
static void put_mark_match(struct nl_buf *b)
{
	uint32_t mark = NFD_CANARY_MARK; /* host order */

	nl_expr_meta_load(b, NFT_META_MARK, NFT_REG_1);
	nl_expr_cmp(b, NFT_REG_1, NFT_CMP_EQ, &mark, sizeof(mark));
}

static void put_rule(struct nl_buf *b, const char *chain, bool drop,
		     uint32_t seq)
{
	size_t list = nl_nft_rule_begin(b, seq, NFD_CANARY_TABLE, chain);

	if (drop) {
		put_mark_match(b);
		nl_expr_verdict(b, NF_DROP, NULL);
	} else {
		nl_expr_verdict(b, NFT_JUMP, NFD_CANARY_SUB);
	}
	nl_nft_rule_end(b, list);
}

static int create_ruleset(int fd)
{
	struct nl_buf *b = malloc(sizeof(*b));
	uint32_t seq = 1;
	int err;

	if (!b)
		return -ENOMEM;
	nl_buf_init(b);
	nl_batch_begin(b, seq++);
	nl_nft_table(b, seq++, NFD_CANARY_TABLE, 0);
	nl_nft_chain(b, seq++, NFD_CANARY_TABLE, NFD_CANARY_SUB, -1, 0, -1);
	put_rule(b, NFD_CANARY_SUB, true, seq++);
	nl_nft_chain(b, seq++, NFD_CANARY_TABLE, NFD_CANARY_BASE,
		     NF_INET_LOCAL_OUT, 0, NF_DROP);
	put_rule(b, NFD_CANARY_BASE, false, seq++);
	nl_batch_end(b, seq++);
	err = nl_send_and_ack(fd, b, 5); /* table, 2 chains, 2 rules */
	free(b);
	return err;
}

static int note_handle(const struct nlmsghdr *nlh, void *arg)
{
	const struct nlattr *a = nl_attr_find(nlh, NFTA_RULE_HANDLE);
	uint64_t be;

	if (a && a->nla_len >= NLA_HDRLEN + sizeof(be)) {
		memcpy(&be, (const char *)a + NLA_HDRLEN, sizeof(be));
		*(uint64_t *)arg = be64toh(be);
	}
	return 0;
}

/* The handle of the (one) rule of chain sub, read back from the kernel. */
static int sub_rule_handle(int fd, uint64_t *handle)
{
	static char buf[8192] __attribute__((aligned(4)));
	struct nl_buf b;
	int r = NL_DUMP_MORE;

	nl_buf_init(&b);
	nl_msg_begin(&b, NFT_MSG(NFT_MSG_GETRULE), NLM_F_DUMP, 1, NFPROTO_INET,
		     0);
	nl_put_str(&b, NFTA_RULE_TABLE, NFD_CANARY_TABLE);
	nl_put_str(&b, NFTA_RULE_CHAIN, NFD_CANARY_SUB);
	nl_msg_end(&b);
	if (send(fd, b.data, b.len, 0) != (ssize_t)b.len)
		return -errno;
	*handle = 0;
	/* the canary's own namespace: one chain of one rule, one read */
	for (int i = 0; i < 4 && r == NL_DUMP_MORE; i++)
		r = nl_dump_read(fd, buf, sizeof(buf), note_handle, handle);
	if (r == NL_DUMP_MORE)
		return -EIO;
	return r ? r : *handle ? 0 : -ENOENT;
}

static int loopback_up(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	if (fd < 0)
		return -errno;
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		err = -errno;
	ifr.ifr_flags |= IFF_UP;
	if (!err && ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		err = -errno;
	close(fd);
	return err;
}

static void send_one(uint32_t mark)
{
	struct sockaddr_in to = { .sin_family = AF_INET,
				  .sin_port = htons(9),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return;
	if (mark)
		setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark));
	sendto(fd, "nfdropcap canary", 16, 0, (struct sockaddr *)&to,
	       sizeof(to));
	close(fd);
}

/* What the child tells the parent once its namespace is ready. */
struct hello {
	int err; /* -errno, or 0 */
	char what[64]; /* the step that failed */
	uint32_t netns;
	uint64_t handle;
};

static void child_setup(struct hello *h)
{
	struct stat st;
	int fd;

	if (unshare(CLONE_NEWNET)) {
		h->err = -errno;
		snprintf(h->what, sizeof(h->what), "unshare(CLONE_NEWNET)");
		return;
	}
	if (stat("/proc/self/ns/net", &st)) {
		h->err = -errno;
		snprintf(h->what, sizeof(h->what), "stat /proc/self/ns/net");
		return;
	}
	h->netns = st.st_ino;
	h->err = loopback_up();
	if (h->err) {
		snprintf(h->what, sizeof(h->what), "setting lo up");
		return;
	}
	fd = nl_open_netfilter();
	if (fd < 0) {
		h->err = fd;
		snprintf(h->what, sizeof(h->what), "socket(NETLINK_NETFILTER)");
		return;
	}
	h->err = create_ruleset(fd);
	if (h->err)
		snprintf(h->what, sizeof(h->what), "creating its ruleset");
	else if ((h->err = sub_rule_handle(fd, &h->handle)))
		snprintf(h->what, sizeof(h->what), "reading its rule handle");
	close(fd);
}

static void child(int to_parent, int from_parent)
{
	struct hello h = { 0 };
	char go;

	child_setup(&h);
	if (write(to_parent, &h, sizeof(h)) != sizeof(h) || h.err)
		_exit(1);
	if (read(from_parent, &go, 1) != 1)
		_exit(1);
	send_one(NFD_CANARY_MARK);
	send_one(0);
	_exit(0);
}

static int read_hello(int fd, struct hello *h)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int n;

	do
		n = poll(&p, 1, NFD_CANARY_TIMEOUT_MS);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		return -ETIMEDOUT;
	if (n < 0)
		return -errno;
	return read(fd, h, sizeof(*h)) == sizeof(*h) ? 0 : -EIO;
}

int nfd_canary_run(const struct nfd_canary_ops *ops, void *ctx,
		   uint64_t *handle, char *why, size_t len)
{
	int up[2] = { -1, -1 }, down[2] = { -1, -1 }, status, err;
	struct hello h;
	pid_t pid;

	if (pipe2(up, O_CLOEXEC) || pipe2(down, O_CLOEXEC)) {
		err = -errno;
		snprintf(why, len, "canary: pipe: %s", strerror(errno));
		goto close_pipes;
	}
	pid = fork();
	if (pid < 0) {
		err = -errno;
		snprintf(why, len, "canary: fork: %s", strerror(errno));
		goto close_pipes;
	}
	if (!pid)
		child(up[1], down[0]);
	close(up[1]);
	close(down[0]);
	up[1] = down[0] = -1;
	err = read_hello(up[0], &h);
	if (err) {
		snprintf(why, len, "canary: %s",
			 err == -ETIMEDOUT ? "no answer from its process "
					     "within 10 s" :
					     "its process ended early");
		kill(pid, SIGKILL);
		goto reap;
	}
	if (h.err) {
		err = h.err;
		snprintf(why, len, "canary: %s: %s", h.what, strerror(-h.err));
		goto reap;
	}
	*handle = h.handle;
	err = ops->before(ctx, h.netns, why, len);
	if (err)
		goto reap;
	if (write(down[1], "g", 1) != 1) {
		err = -EIO;
		snprintf(why, len, "canary: its process ended early");
	}
reap:
	close(down[1]);
	down[1] = -1;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!err && (!WIFEXITED(status) || WEXITSTATUS(status))) {
		err = -EIO;
		snprintf(why, len, "canary: its process failed");
	}
	ops->after(ctx);
close_pipes:
	for (int i = 0; i < 2; i++) {
		if (up[i] >= 0)
			close(up[i]);
		if (down[i] >= 0)
			close(down[i]);
	}
	return err;
}
