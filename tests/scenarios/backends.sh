# SPDX-License-Identifier: GPL-2.0
# Backends: --check, and each backend where this kernel allows it (refused
# in one line where it does not); kprobe's code analysis finds the site
# found by hand, and its canary catches a wrong register.
# (Scenarios: see tests/lib.sh; tests/run.sh lists the files.)

# --check: a report, and status 0 where a backend works.
t_check() {
	nfd --check >"$T/check.out" 2>&1
	local rc=$?
	cat "$T/check.out"
	expect_eq "$rc" 0 "exit status of --check" || return 1
	grep -qE '^  bytes probe +yes' "$T/check.out" &&
		grep -qE '^  nftrace +yes' "$T/check.out" ||
		fail "--check does not report the probe and nftrace as working" ||
		return 1
	grep -qE '^  fentry +(yes|no) ' "$T/check.out" ||
		fail "--check does not report backend fentry"
}

# --backend fentry: captures where the kernel allows BPF trampolines; where
# it does not (this project's own machine), one line and status 1.
t_backend_fentry() {
	if "$NFD" --check 2>/dev/null | grep -qE '^  fentry +yes'; then
		fact mode works
		NFD_BACKEND=fentry capture "table ip t {
			chain input { type filter hook input priority 0;
				udp dport 5081 drop; } }" \
			in_c $SEND udp $R4 5081 2 || return 1
		expect_eq "$(nfd_backend_used)" fentry "backend in the ready line"
		fact h "$(handle_of 'udp dport 5081 drop')"
		return
	fi
	fact mode refused
	expect_refused fentry \
		'^nfdropcap: backend fentry is not available on this kernel: .+'
}
check_backend_fentry() {
	[ "$(fact_get mode)" = works ] || return 0
	captured &&
		expect_drops 2 "table ip t chain input handle $(fact_get h) drop: udp dport 5081 drop"
}

# Backend kprobe's code analysis finds, on the stock kernels, the probe
# point and registers found by hand (../shared/notes/kernel-facts.md);
# where kprobes are missing (this project's machine) --backend kprobe says
# so in one line, status 1.
t_kprobe_site() {
	local want=
	nfd --check >"$T/check.out" 2>&1
	case $(uname -r) in
	6.1.0-56-cloud-amd64) want='nft_do_chain\+0x413 \(and eax, 0xff\): verdict eax, rule r12, pkt r13' ;;
	6.12.117+deb12-cloud-amd64) want='nft_do_chain\+0x176 \(and edx, 0xff\): verdict edx, rule r14, pkt rbp' ;;
	esac
	grep -E '^    kprobe site' "$T/check.out"
	grep -qE "^    kprobe site +yes +${want:-nft_do_chain}" "$T/check.out" ||
		fail "kprobe site not as expected ${want:+(/$want/)}" || return 1
	grep -qE '^  kprobe +yes' "$T/check.out" && return 0
	fact refused yes
	expect_refused kprobe \
		'^nfdropcap: backend kprobe is not available on this kernel: .*kprobes'
}

# A wrong register (the packet's as the rule's) is caught by the canary:
# --backend kprobe refuses to start, and writes nothing.
t_kprobe_wrong_register() {
	local pkt verdict
	nfd --check >"$T/check.out" 2>&1
	grep -qE '^  kprobe +yes' "$T/check.out" ||
		skip "backend kprobe does not load here"
	pkt=$(sed -n 's/^    kprobe site .*, pkt \([a-z0-9]*\)$/\1/p' "$T/check.out")
	verdict=$(sed -n 's/^    kprobe site .*: verdict \([a-z0-9]*\),.*/\1/p' "$T/check.out")
	NFDROPCAP_KPROBE_REGS=$verdict,$pkt,$pkt expect_refused kprobe \
		'backend kprobe is not available.*canary'
}

# A verdict setter whose module loads after the ready line (the first
# reject rule of a bridge table: bridge rejects live at prerouting and input): hooked when it appears (fentry follows
# module loads; kprobe and nftrace need nothing). In the VMs the module is
# loaded here, from /nfd/modules.late; where it is already loaded, the rule
# is simply loaded after the start.
t_late_setter() {
	local late=$TOP/modules.late m loaded=no
	bridge_up || { bridge_down; return 1; }
	nfd_start -v -w "$T/out.pcapng" || { bridge_down; return 1; }
	if [ -s "$late" ] && ! grep -q '^nft_reject_bridge ' /proc/modules; then
		while read -r m; do
			insmod "/lib/modules/$(uname -r)/$m" || fail "insmod $m"
		done <"$late"
		loaded=yes
	fi
	# fentry hooks the module's functions once it is up (-v says when)
	for _ in $(patience 30); do
		[ "$loaded/$(nfd_backend_used)" != yes/fentry ] && break
		grep -q 'fentry: hooked nft_reject_bridge_eval' "$T/nfd.err" && break
		sleep 0.5
	done
	if ! in_r nft -f - 2>/dev/null <<-EOF; then
	table bridge late {
		chain pre { type filter hook prerouting priority filter;
			udp dport 5190 counter reject; }
	}
	EOF
		nfd_stop
		bridge_down
		skip "this kernel has no reject in the bridge family ($(grep -c . "$late" 2>/dev/null) late modules)"
	fi
	in_c $SEND udp $SB4 5190 3
	nfd_stop
	fact h "$(handle_of 'udp dport 5190')"
	grep 'fentry: hook' "$T/nfd.err"
	in_r nft delete table bridge late
	bridge_down
	expect_eq "$NFD_RC" 0 "exit status" || return 1
	echo "info: nft_reject_bridge loaded after the start: $loaded"
}
check_late_setter() {
	captured || return 1
	expect_drops 3 "table bridge late chain pre handle $(fact_get h) drop: udp dport 5190 counter reject"
}
