/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --metrics FILE: per-rule drop counters in the Prometheus text format
 * that node_exporter's textfile collector reads, rewritten atomically (a
 * temporary file beside it, renamed over it):
 *   nfdropcap_drops_total{netns,family,table,chain,handle,verdict}
 *   nfdropcap_unattributed_total{netns,reason}
 *   nfdropcap_lost_total
 * Label values come escaped (lib/escape.h) and are quoted as Prometheus
 * requires. Series are bounded (METRICS_SERIES_MAX in metrics.c): past it,
 * drops count in one series whose labels say "other".
 *
 * Convention: 0 or -errno; errors are printed here, naming the file.
 */
#ifndef NFD_METRICS_H
#define NFD_METRICS_H

#include <stdint.h>

#include "nfdropcap.h"

/* How often the file is rewritten while capturing (and at the end). */
#define NFD_METRICS_INTERVAL_NS 5000000000LL

struct nfd_metrics;

/* Checks that FILE can be written (its directory), and writes it empty. */
int nfd_metrics_new(struct nfd_metrics **m, const char *path);
/*
 * One drop written: attributed as @r in namespace @netns, or (@r->kind
 * NFD_KIND_NONE) not attributed for @reason.
 */
void nfd_metrics_drop(struct nfd_metrics *m, const char *netns,
		      const struct nfd_rule *r, const char *reason);
/* Rewrites the file with these counts and @lost drops lost in all. */
int nfd_metrics_write(struct nfd_metrics *m, uint64_t lost);
void nfd_metrics_free(struct nfd_metrics *m);

#endif /* NFD_METRICS_H */
