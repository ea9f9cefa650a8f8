/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Who owns a network namespace, as a user knows it, from a process in it:
 *   pod NAMESPACE/NAME               a Kubernetes pod (CRI state, kubelet)
 *   RUNTIME container NAME (ID12)    docker, containerd, cri-o, podman
 *   RUNTIME container ID12           the same without a name on record
 *   command COMM (pid PID)           any other process
 * The container comes from the process's cgroup (/proc/PID/cgroup: the
 * runtimes' docker-ID.scope, cri-containerd-ID.scope, crio-ID.scope,
 * libpod-ID.scope, /docker/ID, kubepods...podUID), its name and pod from
 * the runtime's state on the node (README, "Who owns each namespace").
 * Best effort: bounded reads of small files, never a wait; everything read
 * is escaped (escape.h) before it is kept.
 */
#ifndef NFD_OWNER_H
#define NFD_OWNER_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Describes the owner of process @pid's network namespace into @buf.
 * Returns 1 for a container or pod, 0 for a plain process, -1 if @pid is
 * gone (@buf untouched).
 */
int nfd_owner_describe(pid_t pid, char *buf, size_t len);

#endif /* NFD_OWNER_H */
