// SPDX-License-Identifier: GPL-2.0
/* An iptables-legacy table, entry by entry (xt_legacy.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/netfilter_ipv6/ip6_tables.h>

#include "xt_legacy.h"

_Static_assert(sizeof(struct ipt_getinfo) == sizeof(struct ip6t_getinfo),
	       "one getinfo layout");
_Static_assert(NF_INET_NUMHOOKS == NFD_XTL_HOOKS, "hooks");

static const char *const builtin[NFD_XTL_HOOKS] = {
	"PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"
};

/* Where an entry's offsets and target lie: the two families differ. */
struct layout {
	size_t target_offset, next_offset, min;
};

static struct layout layout_of(int family)
{
	if (family == AF_INET6)
		return (struct layout){
			offsetof(struct ip6t_entry, target_offset),
			offsetof(struct ip6t_entry, next_offset),
			sizeof(struct ip6t_entry),
		};
	return (struct layout){
		offsetof(struct ipt_entry, target_offset),
		offsetof(struct ipt_entry, next_offset),
		sizeof(struct ipt_entry),
	};
}

static uint16_t u16_at(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* An entry's target: its name and the data after it, bounded. */
struct target {
	char name[XT_EXTENSION_MAXNAMELEN];
	int verdict; /* a standard target's */
	char error[XT_FUNCTION_MAXNAMELEN]; /* an ERROR target's */
};

static int read_target(const uint8_t *e, size_t size, const struct layout *l,
		       struct target *t)
{
	uint16_t to = u16_at(e + l->target_offset);
	struct xt_entry_target h;

	memset(t, 0, sizeof(*t));
	if (to < l->min || to + sizeof(h) > size)
		return -EINVAL;
	memcpy(&h, e + to, sizeof(h));
	if (h.u.user.target_size < sizeof(h) ||
	    to + h.u.user.target_size > size)
		return -EINVAL;
	memcpy(t->name, h.u.user.name, sizeof(t->name) - 1);
	if (!t->name[0] && h.u.user.target_size >= sizeof(h) + sizeof(int))
		memcpy(&t->verdict, e + to + sizeof(h), sizeof(int));
	if (!strcmp(t->name, XT_ERROR_TARGET)) {
		size_t n = h.u.user.target_size - sizeof(h);

		if (n > sizeof(t->error) - 1)
			n = sizeof(t->error) - 1;
		memcpy(t->error, e + to + sizeof(h), n);
	}
	return 0;
}

static int add_chain(struct nfd_xtl_table *t, const char *name)
{
	char(*c)[NFD_XTL_NAME_MAX] =
		realloc(t->chains, (t->nchains + 1) * sizeof(*c));

	if (!c)
		return -ENOMEM;
	t->chains = c;
	snprintf(c[t->nchains], sizeof(c[0]), "%s", name);
	return (int)t->nchains++;
}

static int hook_at(const struct nfd_xtl_info *info, const uint32_t *points,
		   uint32_t off)
{
	for (int h = 0; h < NFD_XTL_HOOKS; h++)
		if (info->valid_hooks >> h & 1 && points[h] == off)
			return h;
	return -1;
}

/* Always drops what it matches: DROP, REJECT (whose target returns it). */
static bool always_drops(const struct target *tg)
{
	return (!tg->name[0] && tg->verdict == -NF_DROP - 1) ||
	       !strcmp(tg->name, "REJECT");
}

/* Ends the chain in progress: a user chain's last entry is its foot. */
static void end_chain(struct nfd_xtl_table *t, bool user)
{
	if (user && t->n) {
		struct nfd_xtl_entry *last = &t->e[t->n - 1];

		if (last->kind == NFD_XTL_RULE) {
			last->kind = NFD_XTL_OTHER;
			last->num = 0;
			last->drops = false;
		}
	}
}

static int parse_entries(const struct nfd_xtl_info *info, const uint8_t *blob,
			 const struct layout *l, struct nfd_xtl_table *t)
{
	size_t cap = 0;
	uint32_t num = 0;
	int chain = -1;
	bool user = false;

	for (uint32_t off = 0; off < info->size;) {
		const uint8_t *e = blob + off;
		size_t left = info->size - off;
		struct target tg;
		uint16_t next;
		int h = hook_at(info, info->hook_entry, off), err;

		if (left < l->min)
			return -EINVAL;
		next = u16_at(e + l->next_offset);
		if (next < l->min || next > left ||
		    read_target(e, next, l, &tg))
			return -EINVAL;
		if (t->n == cap) {
			struct nfd_xtl_entry *v;

			cap = cap ? 2 * cap : 64;
			v = realloc(t->e, cap * sizeof(*v));
			if (!v)
				return -ENOMEM;
			t->e = v;
		}
		if (h >= 0 || !strcmp(tg.name, XT_ERROR_TARGET)) {
			end_chain(t, user);
			user = h < 0;
			num = 0;
			if (h >= 0)
				err = chain = add_chain(t, builtin[h]);
			else
				err = chain = add_chain(t, tg.error);
			if (err < 0)
				return err;
		}
		if (chain < 0) /* an entry before any chain */
			return -EINVAL;
		t->e[t->n] = (struct nfd_xtl_entry){ .off = off,
						     .chain = (uint32_t)chain };
		if (!strcmp(tg.name, XT_ERROR_TARGET)) {
			t->e[t->n].kind = NFD_XTL_OTHER;
		} else if (hook_at(info, info->underflow, off) >= 0) {
			t->e[t->n].kind = NFD_XTL_POLICY;
			t->e[t->n].drops = always_drops(&tg);
		} else {
			t->e[t->n].kind = NFD_XTL_RULE;
			t->e[t->n].num = ++num;
			t->e[t->n].drops = always_drops(&tg);
		}
		t->n++;
		off += next;
	}
	end_chain(t, user);
	return 0;
}

int nfd_xtl_parse(int family, const char *name, const struct nfd_xtl_info *info,
		  const void *blob, struct nfd_xtl_table *t)
{
	struct layout l = layout_of(family);
	int err;

	memset(t, 0, sizeof(*t));
	t->family = family;
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->size = info->size;
	if (info->size > NFD_XTL_SIZE_MAX)
		return -E2BIG;
	err = parse_entries(info, blob, &l, t);
	for (int h = 0; !err && h < NFD_XTL_HOOKS; h++) {
		const struct nfd_xtl_entry *u = nfd_xtl_find(t, info->underflow[h]);

		if (info->valid_hooks >> h & 1 &&
		    (!nfd_xtl_find(t, info->hook_entry[h]) || !u ||
		     u->kind != NFD_XTL_POLICY))
			err = -EINVAL;
	}
	if (err)
		nfd_xtl_free(t);
	return err;
}

static int get(int fd, int family, int opt, void *buf, socklen_t *len)
{
	int level = family == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP;

	return getsockopt(fd, level, opt, buf, len) ? -errno : 0;
}

int nfd_xtl_read(int fd, int family, const char *name,
		 struct nfd_xtl_table *t)
{
	struct ipt_getinfo gi = { 0 };
	struct ipt_get_entries *ge;
	struct nfd_xtl_info info;
	socklen_t len = sizeof(gi);
	int err;

	memset(t, 0, sizeof(*t));
	if (strlen(name) >= sizeof(gi.name))
		return -EINVAL;
	strcpy(gi.name, name);
	err = get(fd, family, IPT_SO_GET_INFO, &gi, &len);
	if (err)
		return err;
	if (gi.size > NFD_XTL_SIZE_MAX)
		return -E2BIG;
	len = sizeof(*ge) + gi.size;
	ge = calloc(1, len);
	if (!ge)
		return -ENOMEM;
	strcpy(ge->name, name);
	ge->size = gi.size;
	/* the same for IP6T_SO_GET_ENTRIES: its header is ipt_get_entries' */
	err = get(fd, family, IPT_SO_GET_ENTRIES, ge, &len);
	if (err == -EAGAIN || (!err && ge->size != gi.size))
		err = -EAGAIN; /* replaced between the two */
	if (!err) {
		info.valid_hooks = gi.valid_hooks;
		memcpy(info.hook_entry, gi.hook_entry, sizeof(info.hook_entry));
		memcpy(info.underflow, gi.underflow, sizeof(info.underflow));
		info.num_entries = gi.num_entries;
		info.size = gi.size;
		err = nfd_xtl_parse(family, name, &info, ge->entrytable, t);
	}
	free(ge);
	return err;
}

const struct nfd_xtl_entry *nfd_xtl_find(const struct nfd_xtl_table *t,
					 uint32_t off)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->e[mid].off == off)
			return &t->e[mid];
		if (t->e[mid].off < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int nfd_xtl_drops(const struct nfd_xtl_table *t, uint32_t *off, int max)
{
	int n = 0;

	for (size_t i = 0; i < t->n; i++) {
		if (!t->e[i].drops)
			continue;
		if (n == max)
			return -E2BIG;
		off[n++] = t->e[i].off;
	}
	return n;
}

void nfd_xtl_free(struct nfd_xtl_table *t)
{
	free(t->e);
	free(t->chains);
	t->e = NULL;
	t->chains = NULL;
	t->n = t->nchains = 0;
}
