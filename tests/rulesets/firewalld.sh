#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# firewalld.sh OUT: runs Debian's firewalld (nftables backend, zone public)
# in a network namespace of its own, with a D-Bus system bus of its own,
# adds a rich rule that rejects udp/5181, and writes the table it made
# ('table inet firewalld') to OUT. Nothing outside that namespace and its
# mount namespace is touched. Exits 77 if firewalld is not installed.
set -u
OUT=$1
command -v firewalld >/dev/null && command -v firewall-cmd >/dev/null ||
	exit 77
NS=nfdt-fw-$$
ip netns add "$NS" || exit 1
trap 'ip netns del "$NS"' EXIT
ip -n "$NS" link set lo up
# shellcheck disable=SC2016
ip netns exec "$NS" unshare -m bash -c '
	set -e
	mount --make-rprivate /
	mkdir -p /run/dbus && mount -t tmpfs tmpfs /run/dbus
	mount -t tmpfs tmpfs /var/log
	bus=$(dbus-daemon --system --fork --nopidfile --print-pid)
	firewalld --nofork --nopid --log-target=console >/dev/null 2>&1 &
	fw=$!
	for _ in $(seq 150); do
		firewall-cmd --state >/dev/null 2>&1 && break
		sleep 0.2
	done
	firewall-cmd --add-rich-rule="rule family=ipv4 port port=5181 protocol=udp reject" >/dev/null
	nft list table inet firewalld >"$1"
	kill $fw
	wait $fw || true
	kill "$bus" || true
' bash "$OUT.tmp" && [ -s "$OUT.tmp" ] && mv "$OUT.tmp" "$OUT"
