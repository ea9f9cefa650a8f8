#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The kernel matrix: the end-to-end scenarios of tests/scenarios/ on the
# stock Debian kernels of tests/kernels/kernels.txt, each booted under qemu
# (TCG, no KVM needed) from an initramfs built here. The VM runs the produce
# phase of every scenario (tests/kernels/init) and sends each scenario's
# directory back over its second serial port; the check phase runs here,
# with tshark, on what came back.
#
# Usage: tests/kernels/run.sh [NAME-REGEX]                   (as root)
# Environment:
#   NFD_KERNELS     kernel packages, one per line (default: kernels.txt)
#   NFD_BACKENDS    nfdropcap backends to run on each kernel (default:
#                   "fentry kprobe nftrace": CI's hour; dropsite added
#                   runs the scenarios of attribution only; "default" runs
#                   without --backend, nfdropcap's own choice)
#   NFD_VM_TIMEOUT  seconds one VM may run at most (default 4200: beside
#                   the tests on this kernel, tests/run.sh)
#   NFD_VM_MEM      its memory in MiB (default 1536)
#   NFD_VM_TEST_TIMEOUT  seconds one scenario may run in a VM (default 600:
#                   a VM beside tests/run.sh's tests may get half a CPU)
#   NFD_VM_PARALLEL  VMs run at once (default: all of them; each VM is one
#                   host thread under TCG)
#   NFD_ROTATE      0: kernels.txt's "share" and "rotate" kernels run every
#                   scenario with every backend, each (they split them
#                   otherwise)
#   NFD_VM_QEMU_ARGS  more qemu options (bench/run.sh: -icount)
#   NFD_VM_APPEND   more options for the guest kernel's command line
#   NFD_VM_DEBUG    a bash command the VM runs before the scenarios (with
#                   the test namespaces up, lib.sh loaded); its output is
#                   printed as info lines. For diagnosing, e.g.
#                   NFD_VM_DEBUG='$NFD -vv -N $R -c 1' tests/kernels/run.sh x
# Downloads are cached in .output/kernels/pkgs/ and reused; each run's VM
# files (initramfs, console log, results) are in .output/kernels/run/KERNEL/.
# Prints "ok|FAIL|skip  [KERNEL] NAME (SECONDS)" per test, a wall time per
# kernel, and ends with "N passed, N failed" (", N skipped" when some could
# not run). A kernel that cannot be fetched or booted is a failure.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP" || exit 1
. tests/lib.sh
. tests/kernels/fetch.sh
load_scenarios

only=${1:-.}
HERE=tests/kernels
CACHE=$KERNEL_CACHE
HOST_ARCH=$(dpkg --print-architecture)
BACKENDS=${NFD_BACKENDS:-fentry kprobe nftrace}
VM_TIMEOUT=${NFD_VM_TIMEOUT:-4200}
VM_MEM=${NFD_VM_MEM:-1536}
TEST_TIMEOUT=${NFD_VM_TEST_TIMEOUT:-600}
# VMs at once: each runs on one host thread (TCG); default: one per CPU
VM_PARALLEL=${NFD_VM_PARALLEL:-0} # 0: set below, once the list is known
# what the VMs run besides busybox and bash (with their libraries)
TOOLS=(/usr/sbin/nft /usr/sbin/ip /usr/sbin/bpftool /usr/bin/setpriv /usr/bin/script
	/usr/bin/nsenter /usr/bin/unshare
	/usr/bin/pgrep /usr/bin/pkill /usr/sbin/xtables-legacy-multi
	/usr/sbin/xtables-nft-multi)
XT_EXT=(libxt_standard.so libxt_udp.so libxt_tcp.so libxt_comment.so
	libipt_REJECT.so libip6t_REJECT.so libxt_conntrack.so)
pass=0 failed=0 skipped=0

declare -A row_ok row_bad row_skip # per [LABEL], for the README's table

# result LABEL NAME STATUS [DETAIL]: one test's line (kernel_check runs in
# the background: the lines are counted afterwards, by count)
result() {
	case $3 in
	0) echo "ok    [$1] $2${4:+ $4}" ;;
	"$SKIP") echo "skip  [$1] $2${4:+ $4}" ;;
	*) echo "FAIL  [$1] $2${4:+ $4}" ;;
	esac
}

# count LABEL STATUS: one result, in the totals and the README's rows
count() {
	case $2 in
	0) pass=$((pass + 1)); row_ok[$1]=$((${row_ok[$1]:-0} + 1)) ;;
	"$SKIP") skipped=$((skipped + 1)); row_skip[$1]=$((${row_skip[$1]:-0} + 1)) ;;
	*) failed=$((failed + 1)); row_bad[$1]=$((${row_bad[$1]:-0} + 1)) ;;
	esac
}

# After a full run (no NAME-REGEX, kernels.txt's list: not tests/run.sh's
# two runs, each of some of them), the README's supported-kernels table
# (between its kernels:begin and kernels:end markers) says what ran.
write_readme_table() {
	local readme=$TOP/README.md lbl table
	[ "$only" = . ] && [ -z "${NFD_KERNELS:-}" ] &&
		grep -q '<!-- kernels:begin -->' "$readme" || return 0
	table=$(mktemp)
	{
		echo "<!-- kernels:begin -->"
		echo "| kernel | backend | scenarios passed | failed | skipped | run |"
		echo "|---|---|---|---|---|---|"
		for lbl in "${!row_ok[@]}" "${!row_bad[@]}" "${!row_skip[@]}"; do
			echo "$lbl"
		done | sort -u | while read -r lbl; do
			local k=${lbl%% *} b=${lbl#* } pkg
			[ "$b" = "$lbl" ] && b="auto (nftrace)"
			for pkg in $kernels; do
				[ "$(label "$pkg")" = "$k" ] || continue
				case $(kernel_split "$pkg") in
				share*) b="$b (shared: its half of the pairs of scenario and backend)" ;;
				rotate*) b="$b (rotated: its share of the scenarios)" ;;
				esac
			done
			echo "| $k (Debian, qemu) | $b | ${row_ok[$lbl]:-0} | ${row_bad[$lbl]:-0} | ${row_skip[$lbl]:-0} | $(date -u +%Y-%m-%d) |"
		done
		echo "<!-- kernels:end -->"
	} >"$table"
	awk -v t="$table" '
		/<!-- kernels:begin -->/ { while ((getline l < t) > 0) print l; skip = 1; next }
		/<!-- kernels:end -->/ { skip = 0; next }
		!skip' "$readme" >"$readme.new" && mv "$readme.new" "$readme"
	rm -f "$table"
}

now() { date +%s.%N; }
since() { printf '%.1f' "$(echo "$(now) - $1" | bc)"; }

# The tools the matrix needs on this host; scripts/install-deps.sh installs
# what is missing.
need_tools() {
	local missing=() t
	for t in qemu-system-x86_64 qemu-system-aarch64 busybox bash-static cpio \
		depmod modprobe xz readelf gzip base64 apt-get dpkg-deb tshark \
		capinfos tcpdump bc "${TOOLS[@]}"; do
		command -v "$t" >/dev/null || missing+=("$t")
	done
	[ ${#missing[@]} = 0 ] && return 0
	echo "      kernel matrix: ${missing[*]} missing: running scripts/install-deps.sh --test"
	scripts/install-deps.sh --test >&2 || return 1
	for t in "${missing[@]}"; do
		command -v "$t" >/dev/null || {
			echo "kernel matrix: $t is still missing after scripts/install-deps.sh --test" >&2
			return 1
		}
	done
}

# The architecture's GNU triplet (library directories)
triplet() {
	case $1 in
	arm64) echo aarch64-linux-gnu ;;
	*) echo x86_64-linux-gnu ;;
	esac
}

# lib_path SYSROOT TRIPLET NAME: where the dynamic loader finds library NAME
lib_path() {
	local d
	for d in /usr/lib/$2 /lib/$2 /usr/lib /lib; do
		[ -e "$1$d/$3" ] && { echo "$d/$3"; return 0; }
	done
	return 1
}

# copy_with_libs ROOT SYSROOT TRIPLET FILE...: FILEs of SYSROOT ("" for
# this machine's own) and, through their ELF headers (any architecture),
# their program interpreter and every library they need, at the same paths
# under ROOT
copy_with_libs() {
	local root=$1 sys=$2 tri=$3 f lib todo=()
	shift 3
	for f in "$@"; do
		mkdir -p "$root$(dirname "$f")"
		cp -L "$sys$f" "$root$f" || return 1
		todo+=("$f")
	done
	while [ ${#todo[@]} -gt 0 ]; do
		f=${todo[0]}
		todo=("${todo[@]:1}")
		for lib in $(readelf -l "$root$f" 2>/dev/null |
				sed -n 's/.*program interpreter: \(.*\)\]$/\1/p') \
			$(readelf -d "$root$f" 2>/dev/null |
				sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'); do
			case $lib in
			/*) ;;
			*) lib=$(lib_path "$sys" "$tri" "$lib") || {
				echo "kernel: $f needs $lib, not found under ${sys:-/}" >&2
				return 1
			} ;;
			esac
			[ -e "$root$lib" ] && continue
			mkdir -p "$root$(dirname "$lib")"
			cp -L "$sys$lib" "$root$lib" || return 1
			todo+=("$lib")
		done
	done
}

# add_modules LIST ORDER (in initramfs): the modules of LIST and what they
# depend on, not yet in the VM's root, put there, appended to ORDER
add_modules() {
	local list=$1 order=$2 a path m line
	grep -v '^#' "$list" | xargs modprobe -d "$tree" -S "$kver" -a \
		--show-depends >"$dir/modules.deps" 2>"$dir/modules.err"
	if [ -s "$dir/modules.err" ]; then
		sed 's/^/      modules: /' "$dir/modules.err"
	fi
	while read -r a path _; do
		[ "$a" = insmod ] || continue
		m=${path#"$tree/lib/modules/$kver/"}
		line=${m%.xz}
		[ -e "$root/lib/modules/$kver/$line" ] && continue
		mkdir -p "$root/lib/modules/$kver/$(dirname "$m")"
		case $path in
		*.xz) xz -dc "$path" >"$root/lib/modules/$kver/$line" ;;
		*) cp "$path" "$root/lib/modules/$kver/$line" ;;
		esac || return 1
		echo "$line" >>"$order"
	done <"$dir/modules.deps"
}

# initramfs TREE KVER DIR ARCH: DIR/initrd.gz for a VM of that kernel; its
# programs are this machine's, or for another ARCH from that
# architecture's packages (fetch_userland) and make static ARCH=arm64
initramfs() {
	local tree=$1 kver=$2 dir=$3 arch=$4 root=$3/root a m line path sys= bin=
	local tri=$(triplet "$4") out=.output
	if [ "$arch" != "$HOST_ARCH" ]; then
		sys=$(fetch_userland "$arch") || return 1
		bin=-$arch
		out=.output-$arch
	fi
	rm -rf "$root"
	mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,run,tmp,etc,root,nfd/tests}
	cp -L "$sys$(command -v busybox)" "$root/bin/busybox" || return 1
	# busybox applets, except ip: the VM's ip is iproute2's (netns)
	for a in $(busybox --list); do
		[ "$a" = ip ] || [ "$a" = busybox ] || ln -s busybox "$root/bin/$a"
	done
	cp -L "$sys$(command -v bash-static)" "$root/bin/bash" || return 1
	copy_with_libs "$root" "$sys" "$tri" "${TOOLS[@]}" || return 1
	ln -s xtables-legacy-multi "$root/usr/sbin/iptables-legacy"
	for a in iptables-nft iptables-nft-save iptables-nft-restore ip6tables-nft \
		ip6tables-nft-save ebtables-nft-save arptables-nft-save; do
		ln -s xtables-nft-multi "$root/usr/sbin/$a"
	done
	local xt=/usr/lib/$tri/xtables
	mkdir -p "$root$xt"
	for a in "${XT_EXT[@]}"; do
		cp -L "$sys$xt/$a" "$root$xt/" || return 1
	done
	cp /etc/protocols /etc/services "$root/etc/"
	printf 'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$root/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
	mknod -m 600 "$root/dev/console" c 5 1
	mknod -m 666 "$root/dev/null" c 1 3

	# modules, with what they depend on, in load order, uncompressed: those
	# the VM loads at boot, and those a scenario loads while nfdropcap runs
	: >"$root/nfd/modules.order"
	: >"$root/nfd/modules.late"
	add_modules "$HERE/modules.txt" "$root/nfd/modules.order" || return 1
	[ ! -e "$HERE/modules-$arch.txt" ] ||
		add_modules "$HERE/modules-$arch.txt" "$root/nfd/modules.order" || return 1
	add_modules "$HERE/modules-late.txt" "$root/nfd/modules.late" || return 1

	# nfdropcap, the scenarios, and this run's settings
	cp "nfdropcap-static$bin" "$root/nfd/nfdropcap" &&
		cp "$out/nfd-send-static" "$root/nfd/nfd-send" &&
		cp "$out/nfd-nft-static" "$root/nfd/nfd-nft" &&
		mkdir -p "$root/nfd/tests/scenarios" &&
		cp tests/lib.sh "$root/nfd/tests/" &&
		cp tests/scenarios/*.sh "$root/nfd/tests/scenarios/" &&
		mkdir -p "$root/nfd/tests/rulesets" &&
		cp tests/rulesets/*.rules tests/rulesets/*.nft "$root/nfd/tests/rulesets/" &&
		{ [ ! -s .output/rulesets/firewalld.nft ] ||
			cp .output/rulesets/firewalld.nft "$root/nfd/tests/rulesets/"; } &&
		mkdir -p "$root/nfd/samples" &&
		cp samples/nfdropcap.service "$root/nfd/samples/" &&
		mkdir -p "$root/nfd/bench" &&
		cp bench/ruleset.sh bench/guest.sh "$root/nfd/bench/" &&
		cp "$HERE/init" "$root/init" || return 1
	chmod 755 "$root/init"
	printf 'NFD_ONLY=%q\nNFD_BACKENDS=%q\nNFD_ROTATE=%q\nNFD_VM_DEBUG=%q\nTEST_TIMEOUT=%q\nRESULTS_PORT=%q\n' \
		"$only" "$KB" "$KR" "${NFD_VM_DEBUG:-}" "$TEST_TIMEOUT" \
		"$(results_port "$arch")" >"$root/nfd/config"
	(cd "$root" && find . | cpio -o -H newc -R 0:0 --quiet | gzip -1) \
		>"$dir/initrd.gz"
}

# results_port ARCH: the guest's device for the results (the console is
# the first serial port)
results_port() {
	case $1 in
	arm64) echo /dev/hvc0 ;; # -M virt has one UART: a virtio console
	*) echo /dev/ttyS1 ;;
	esac
}

# boot KVER TREE DIR ARCH: runs the VM; its console in DIR/console.log, its
# results in DIR/results.serial
boot() {
	local kver=$1 tree=$2 dir=$3 arch=$4 qemu console
	rm -f "$dir/console.log" "$dir/results.serial"
	case $arch in
	arm64)
		# pauth-impdef: the same pointer authentication, cheaper to emulate
		qemu=(qemu-system-aarch64 -machine virt -cpu max,pauth-impdef=on
			-device virtio-serial-pci
			-chardev "file,id=results,path=$dir/results.serial"
			-device virtconsole,chardev=results)
		console=ttyAMA0 ;;
	*)
		qemu=(qemu-system-x86_64 -machine pc -cpu max
			-serial "file:$dir/results.serial")
		console=ttyS0 ;;
	esac
	timeout -k 10 "$VM_TIMEOUT" "${qemu[0]}" -nodefaults -no-user-config \
		-accel tcg,thread=single -smp 2 -m "$VM_MEM" \
		-display none -no-reboot ${NFD_VM_QEMU_ARGS:-} \
		-kernel "$tree/boot/vmlinuz-$kver" -initrd "$dir/initrd.gz" \
		-append "console=$console panic=-1 oops=panic quiet loglevel=4 ${NFD_VM_APPEND:-}" \
		-serial "file:$dir/console.log" "${qemu[@]:1}" \
		>"$dir/qemu.log" 2>&1
}

# unpack DIR: each scenario's directory into DIR/res/BACKEND/NAME, its
# status in DIR/res/BACKEND/NAME.status ("STATUS SECONDS"), for each one
# the VM finished sending
unpack() {
	local dir=$1 b64
	rm -rf "$dir/res"
	mkdir -p "$dir/res"
	tr -d '\r' <"$dir/results.serial" >"$dir/results.txt" 2>/dev/null
	awk -v res="$dir/res" '
		$1 == "NFD-BEGIN" && NF == 5 {
			system("mkdir -p \"" res "/" $2 "\"")
			f = res "/" $2 "/" $3; st = $4 " " $5; on = 1
			printf "" >(f ".b64")
			next
		}
		$1 == "NFD-END" && on {
			close(f ".b64")
			print st >(f ".st")
			close(f ".st")
			on = 0
			next
		}
		on { print >(f ".b64") }' "$dir/results.txt"
	for b64 in "$dir"/res/*/*.b64; do
		[ -e "${b64%.b64}.st" ] || continue
		base64 -d <"$b64" | tar -C "$(dirname "$b64")" -xzf - &&
			mv "${b64%.b64}.st" "${b64%.b64}.status"
		rm -f "$b64"
	done
}

# show_failure: the end of the test's log and of nfdropcap's stderr
show_failure() {
	sed 's/^/      | /' "$T/log" | tail -n 30
	[ -s "$T/nfd.err" ] && sed 's/^/      nfd.err| /' "$T/nfd.err" | tail -n 10
}

# kernels.txt's options for PKG (none if it is not listed there; a line
# left out of the default list with "#" still gives them)
kernel_options() {
	awk -v p="$1" '{ sub(/^#/, "") } $1 == p { $1 = ""; print }' "$HERE/kernels.txt"
}

# kernel_backends PKG: the backends to run on PKG: BACKENDS but those its
# options say it cannot load (-BACKEND)
kernel_backends() {
	local b out= opts=" $(kernel_options "$1") "
	for b in $BACKENDS; do
		[[ $opts == *" -$b "* ]] || out="$out $b"
	done
	echo $out
}

# kernel_split PKG: with option share or rotate (unless NFD_ROTATE=0),
# "OPTION I/N": PKG is the I-th (from 0) of the N kernels of this run
# with that option, which split the scenarios (matrix_scenario_names);
# else nothing
kernel_split() {
	local k i=-1 n=0 opt
	[ "${NFD_ROTATE:-1}" != 0 ] || return 0
	for opt in share rotate; do
		[[ " $(kernel_options "$1") " == *" $opt "* ]] || continue
		for k in $kernels; do
			[ "$k" = "$1" ] && i=$n
			[[ " $(kernel_options "$k") " == *" $opt "* ]] && n=$((n + 1))
		done
		[ $i -ge 0 ] && echo "$opt $i/$n"
		return 0
	done
}

# label PKG: the kernel's short name (6.1.0-56; 6.1.0-56-arm64)
label() {
	echo "$1" | sed -e 's/^linux-image-//' -e 's/-cloud-amd64$//' -e 's/-amd64$//' \
		-e 's/-cloud-arm64$/-arm64/'
}

# kernel_vm PKG: fetches the kernel, builds its initramfs, runs its VM and
# unpacks what came back into $CACHE/run/LABEL/. Runs beside the other
# kernels' (each VM is one host thread); its outcome goes into files there:
# "prep" (seconds), "vm" (seconds and qemu's status), or "error" (why
# nothing ran). Prints nothing.
kernel_vm() {
	local pkg=$1 label tree kver dir start t0 rc
	local KB=$(kernel_backends "$pkg") KR=$(kernel_split "$pkg")
	label=$(label "$pkg")
	dir=$CACHE/run/$label
	rm -rf "$dir/prep" "$dir/vm" "$dir/error"
	mkdir -p "$dir"
	start=$(now)
	if ! fetch "$pkg"; then
		echo "kernel: cannot download or unpack $pkg (apt-get download $pkg)" >"$dir/error"
		return
	fi
	tree=$CACHE/pkgs/$pkg/tree
	kver=$(ls "$tree/lib/modules")
	if ! initramfs "$tree" "$kver" "$dir" "$(pkg_arch "$pkg")" 2>"$dir/prep.err"; then
		echo "kernel: cannot build the initramfs for $kver: $(tail -n1 "$dir/prep.err")" >"$dir/error"
		return
	fi
	since "$start" >"$dir/prep"
	t0=$(now)
	boot "$kver" "$tree" "$dir" "$(pkg_arch "$pkg")"
	rc=$?
	echo "$(since "$t0") $rc" >"$dir/vm"
	unpack "$dir"
}

# kernel_check PKG: what the kernel's VM left, checked here: one result
# line per scenario and backend
kernel_check() {
	local pkg=$1 label dir t0 rc secs backend name lbl st t_prep t_vm
	label=$(label "$pkg")
	dir=$CACHE/run/$label
	if [ -s "$dir/error" ]; then
		tail -n 5 "$CACHE/pkgs/$pkg/fetch.log" 2>/dev/null | sed 's/^/      | /'
		result "$label" "$(cat "$dir/error")" 1
		return
	fi
	t_prep=$(cat "$dir/prep")
	read -r t_vm rc <"$dir/vm"
	t0=$(now)
	grep '^NFD-INFO' "$dir/results.txt" | sed "s/^NFD-INFO /      info: [$label] /"
	if ! grep -q '^NFD-START' "$dir/results.txt"; then
		sed 's/^/      qemu| /' "$dir/qemu.log"
		tail -n 30 "$dir/console.log" 2>/dev/null | sed 's/^/      console| /'
		result "$label" "kernel: the VM did not start (qemu status $rc, $dir/console.log)" 1
		return
	fi
	local died=
	if ! grep -q '^NFD-DONE' "$dir/results.txt"; then
		if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
			died="the VM ran out of time (NFD_VM_TIMEOUT=$VM_TIMEOUT)"
		else
			died="the VM stopped early (qemu status $rc)"
		fi
		echo "      [$label] $died; its console ($dir/console.log) ends:"
		tail -n 40 "$dir/console.log" | sed 's/^/      console| /'
	fi
	local KB=$(kernel_backends "$pkg") KR=$(kernel_split "$pkg")
	for backend in $KB; do
		lbl=$label
		[ "$backend" = default ] || lbl="$label $backend"
		for name in $(matrix_scenario_names "$backend" "$KB" "$KR"); do
			[[ $name =~ $only ]] || continue
			export T=$dir/res/$backend/$name
			if [ ! -e "$T.status" ]; then
				result "$lbl" "$name" 1 "(no result from the VM: ${died:-its output for this test is missing})"
				continue
			fi
			read -r st secs <"$T.status"
			local c0=$(now)
			[ "$st" = 0 ] && { phase_check "$name"; st=$?; }
			grep -E '^(SKIP|info):' "$T/log" | sed 's/^/      /'
			[ "$st" = 0 ] || [ "$st" = "$SKIP" ] || show_failure
			result "$lbl" "$name" "$st" "($(printf '%.1f' "$(echo "$secs + $(since "$c0")" | bc)")s)"
		done
	done
	echo "      [$label] fetch and initramfs ${t_prep}s, VM ${t_vm}s (beside the other kernels'), checks $(since "$t0")s"
}

if [ "$(id -u)" != 0 ]; then
	echo "tests/kernels/run.sh: needs root (qemu is fine without, the initramfs's device nodes are not)" >&2
	exit 1
fi
need_tools || { echo "0 passed, 1 failed"; exit 1; }
mkdir -p "$CACHE"
# firewalld's ruleset, made on this host by firewalld itself, for the VMs
if [ ! -s .output/rulesets/firewalld.nft ]; then
	mkdir -p .output/rulesets
	tests/rulesets/firewalld.sh .output/rulesets/firewalld.nft ||
		echo "      firewalld's ruleset not made: t_real_firewalld will skip"
fi
if [ -n "${NFD_KERNELS:-}" ]; then
	kernels=$NFD_KERNELS
else
	kernels=$(awk '!/^#/ && NF { print $1 }' "$HERE/kernels.txt")
fi
# the userland of each other architecture, once, before the VMs that
# share it start
for arch in $(for pkg in $kernels; do pkg_arch "$pkg"; done | sort -u); do
	[ "$arch" = "$HOST_ARCH" ] && continue
	fetch_userland "$arch" >/dev/null || {
		echo "FAIL  kernel matrix: cannot download the $arch userland"
		echo "0 passed, 1 failed"
		exit 1
	}
done
# all at once unless told: each VM idles a fifth of its time, and the
# rotated ones are short
[ "$VM_PARALLEL" -gt 0 ] || VM_PARALLEL=$(echo $kernels | wc -w)
# the static binaries, for each architecture of the list
for arch in $(for pkg in $kernels; do pkg_arch "$pkg"; done | sort -u); do
	a=$arch
	[ "$arch" = amd64 ] && a=x86
	make -s static ARCH=$a >"$CACHE/make-$arch.log" 2>&1 || {
		cat "$CACHE/make-$arch.log"
		echo "FAIL  kernel matrix: make static ARCH=$a failed"
		echo "0 passed, 1 failed"
		exit 1
	}
done
# the VMs side by side (NFD_VM_PARALLEL of them at once), each kernel's
# checks here as soon as its VM is done (beside the VMs still running);
# their lines are printed and counted kernel by kernel in the list's order
start=$(now)
running=0
for pkg in $kernels; do
	(kernel_vm "$pkg"; kernel_check "$pkg" >"$CACHE/run/$(label "$pkg").check") &
	running=$((running + 1))
	if [ $running -ge "$VM_PARALLEL" ]; then
		wait -n
		running=$((running - 1))
	fi
done
wait
for pkg in $kernels; do
	while IFS= read -r line; do
		echo "$line"
		if [[ $line =~ ^(ok|FAIL|skip)\ +\[([^]]*)\]\ (.*)$ ]]; then
			case ${BASH_REMATCH[1]} in
			ok) st=0 ;; skip) st=$SKIP ;; *) st=1 ;;
			esac
			count "${BASH_REMATCH[2]}" "$st"
		fi
	done <"$CACHE/run/$(label "$pkg").check"
done
echo "      kernel matrix: wall time $(since "$start")s"
write_readme_table
if [ $skipped -gt 0 ]; then
	echo "$pass passed, $failed failed, $skipped skipped"
else
	echo "$pass passed, $failed failed"
fi
[ $failed = 0 ]
