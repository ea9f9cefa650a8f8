#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Installs what nfdropcap needs on Debian/Ubuntu (as root).
# Usage: scripts/install-deps.sh           to build and run it
#        scripts/install-deps.sh --test    also to test it (make test: the
#                                          kernel matrix's qemu included) and
#                                          to benchmark it (make bench)
#        scripts/install-deps.sh --arm64   also to cross-build for arm64 on
#                                          x86-64 (make static ARCH=arm64):
#                                          gcc-aarch64-linux-gnu and the
#                                          :arm64 libraries
# (--test --arm64: both)
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
matrix=(qemu-system-x86 qemu-system-arm busybox-static bash-static cpio kmod
	xz-utils binutils
	qemu-user-static) # t_static_arm64 runs the arm64 build
bench=(iperf3)

# the arm64 cross build: the cross compiler, the target's libraries
cross_arm64=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross
	libbpf-dev:arm64 libelf-dev:arm64 zlib1g-dev:arm64 libpcap-dev:arm64
	libcapstone-dev:arm64 libdbus-1-dev:arm64)

pkgs=("${build[@]}" "${run[@]}")
# arm64 packages come from dpkg's list of foreign architectures: the cross
# build's libraries, and the tests' arm64 kernel packages (apt-get download)
foreign=
for a in "$@"; do
	case $a in
	# the tests cross-build for arm64 too (t_static_arm64)
	--test) pkgs+=("${test[@]}" "${matrix[@]}" "${bench[@]}" "${cross_arm64[@]}")
		foreign=arm64 ;;
	--arm64) pkgs+=("${cross_arm64[@]}"); foreign=arm64 ;;
	*) echo "usage: scripts/install-deps.sh [--test] [--arm64]" >&2; exit 2 ;;
	esac
done
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
new_arch=
if [ -n "$foreign" ] && [ "$(dpkg --print-architecture)" != "$foreign" ] &&
	! dpkg --print-foreign-architectures | grep -qx "$foreign"; then
	new_arch=$foreign
fi
[ ${#missing[@]} = 0 ] && [ -z "$new_arch" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: run as root to install: ${missing[*]}${new_arch:+ (and dpkg --add-architecture $new_arch)}" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
if [ -n "$new_arch" ]; then
	echo "install-deps: dpkg --add-architecture $new_arch"
	dpkg --add-architecture "$new_arch"
	apt-get update -q >/dev/null
	[ ${#missing[@]} = 0 ] && exit 0
fi
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
