# SPDX-License-Identifier: GPL-2.0
# Sourced: fetch PKG, a Debian kernel image package unpacked into
# $KERNEL_CACHE/pkgs/PKG/tree (kept, reused), with its modules.dep made.
# Used by tests/kernels/run.sh and by scenarios that read a kernel's files
# (t_kprobe_sites_arm64). A package of another architecture (name ending
# in -arm64) is downloaded as PKG:arm64: dpkg must know that architecture
# (scripts/install-deps.sh --test adds it).
KERNEL_CACHE=${KERNEL_CACHE:-$TOP/.output/kernels}

# pkg_arch PKG: the architecture PKG is for (amd64, arm64)
pkg_arch() {
	case $1 in
	*-arm64) echo arm64 ;;
	*) echo amd64 ;;
	esac
}

fetch() {
	local pkg=$1 dir=$KERNEL_CACHE/pkgs/$1 spec=$1
	[ -e "$dir/done" ] && return 0
	[ "$(pkg_arch "$pkg")" = "$(dpkg --print-architecture)" ] ||
		spec=$pkg:$(pkg_arch "$pkg")
	rm -rf "$dir"
	mkdir -p "$dir/deb"
	chmod 755 "$dir/deb"
	{ (cd "$dir/deb" && apt-get download "$spec") ||
		{ apt-get update -q && (cd "$dir/deb" && apt-get download "$spec"); }
	} >"$dir/fetch.log" 2>&1 || return 1
	dpkg-deb -x "$dir"/deb/*.deb "$dir/tree" >>"$dir/fetch.log" 2>&1 || return 1
	local kver=$(ls "$dir/tree/lib/modules")
	[ -n "$kver" ] && [ -e "$dir/tree/boot/vmlinuz-$kver" ] || {
		echo "no kernel image or modules in $pkg" >>"$dir/fetch.log"
		return 1
	}
	# the .deb ships no modules.dep
	depmod -b "$dir/tree" "$kver" >>"$dir/fetch.log" 2>&1 || return 1
	rm -f "$dir"/deb/*.deb
	touch "$dir/done"
}

# What a VM of another architecture runs besides nfdropcap (tests/kernels/
# run.sh's TOOLS, busybox, bash), from that architecture's packages.
USERLAND_PKGS="nftables iproute2 bpftool util-linux bsdutils procps iptables
	busybox-static bash-static"

# fetch_userland ARCH: those packages and the libraries they need, unpacked
# into $KERNEL_CACHE/userland-ARCH/root (kept) with /bin, /sbin and /lib
# merged into /usr as on this machine; prints that directory.
fetch_userland() {
	local arch=$1 dir=$KERNEL_CACHE/userland-$1 p pkgs d
	if [ ! -e "$dir/done" ]; then
		rm -rf "$dir"
		mkdir -p "$dir/deb"
		chmod 755 "$dir/deb"
		# the packages and, of all they depend on, the libraries
		pkgs=$(apt-cache depends --recurse --no-recommends --no-suggests \
			--no-conflicts --no-breaks --no-replaces --no-enhances \
			$(for p in $USERLAND_PKGS; do echo "$p:$arch"; done) 2>/dev/null |
			grep -E "^(lib[^ ]*|zlib1g|${USERLAND_PKGS//[[:space:]]/|}):$arch\$" | sort -u)
		[ -n "$pkgs" ] &&
			(cd "$dir/deb" && apt-get download $pkgs) >"$dir/fetch.log" 2>&1 || {
			echo "kernel: cannot download the $arch userland ($USERLAND_PKGS; see $dir/fetch.log)" >&2
			return 1
		}
		for p in "$dir"/deb/*.deb; do
			dpkg-deb -x "$p" "$dir/root" || return 1
		done
		for d in bin sbin lib; do
			[ -d "$dir/root/$d" ] && [ ! -L "$dir/root/$d" ] || continue
			mkdir -p "$dir/root/usr/$d"
			cp -a "$dir/root/$d/." "$dir/root/usr/$d/" && rm -rf "$dir/root/$d" &&
				ln -s "usr/$d" "$dir/root/$d" || return 1
		done
		# absolute links point into this tree, for cp -L
		find "$dir/root" -type l -lname '/*' | while read -r p; do
			ln -sfn "$dir/root$(readlink "$p")" "$p"
		done
		rm -rf "$dir/deb"
		touch "$dir/done"
	fi
	echo "$dir/root"
}
