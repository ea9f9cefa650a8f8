#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Installs what nfdropcap needs on Debian/Ubuntu (as root).
# Usage: scripts/install-deps.sh           to build and run it
#        scripts/install-deps.sh --test    also to test it (make test: the
#                                          kernel matrix's qemu included) and
#                                          to benchmark it (make bench)
set -eu

build=(make gcc clang llvm bpftool pkg-config libbpf-dev libelf-dev
	zlib1g-dev libpcap-dev libcapstone-dev)
run=(nftables)
test=(tcpdump tshark iproute2 bc util-linux procps gzip iptables python3 python3-yaml
	libclang-rt-dev # libFuzzer (make fuzz)
	firewalld dbus # tests/rulesets/firewalld.sh: firewalld's own ruleset
	prometheus # promtool check metrics (t_metrics)
	man-db groff-base) # man -l (t_man_page, t_make_install)
# the kernel matrix (tests/kernels/): stock kernels booted under qemu
matrix=(qemu-system-x86 busybox-static bash-static cpio kmod xz-utils)
bench=(iperf3)

pkgs=("${build[@]}" "${run[@]}")
case ${1:-} in
"") ;;
--test) pkgs+=("${test[@]}" "${matrix[@]}" "${bench[@]}") ;;
*) echo "usage: scripts/install-deps.sh [--test]" >&2; exit 2 ;;
esac
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
[ ${#missing[@]} = 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: run as root to install: ${missing[*]}" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# firewalld is only run by the tests, in a namespace of its own: under
# systemd its package would start it on the host's own ruleset
# (prometheus too: the tests need only its promtool)
if [ -d /run/systemd/system ]; then
	for s in firewalld prometheus; do
		[[ " ${missing[*]} " == *" $s "* ]] &&
			systemctl mask --runtime "$s.service" >/dev/null 2>&1 || true
	done
fi
echo "install-deps: installing ${missing[*]}"
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
