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
		fail "--check does not report backend fentry" || return 1
	# auto picks the cheapest backend the canary proves: dropsite, which
	# runs for drops only, wherever its code analysis reads the kernel
	# (x86-64; AArch64 with kprobes, which the arm64 kernels have)
	local want='fentry|kprobe'
	case $(uname -m) in x86_64|aarch64) want=dropsite ;; esac
	"$NFD" --check 2>&1 | grep -qE "^nfdropcap can capture here \(backend auto picks ($want)\)" ||
		fail "--check: auto does not pick $want: $("$NFD" --check 2>&1 | tail -1)"
}

# --backend fentry: captures where the kernel allows BPF trampolines; where
# it does not (this project's own machine), one line and status 1.
t_backend_fentry() {
	"$NFD" --check >"$T/check.out" 2>&1
	if grep -qE '^  fentry +yes' "$T/check.out"; then
		fact mode works
		# rule and policy drops freed at one place: a kprobe marks policies
		[ "$(uname -r)" != 6.12.117+deb12-cloud-arm64 ] ||
			grep -qE '^  fentry +yes .*; policy drops marked by a kprobe at nft_do_chain\+0x444' "$T/check.out" ||
			fail "--check: fentry's policy probe not as expected: $(grep '^  fentry' "$T/check.out")" || return 1
		NFD_BACKEND=fentry capture "table ip t {
			chain input { type filter hook input priority 0;
				udp dport 5081 drop; } }" \
			in_c $SEND udp $R4 5081 2 || return 1
		expect_eq "$(nfd_backend_used)" fentry "backend in the ready line"
		fact h "$(handle_of 'udp dport 5081 drop')"
		return
	fi
	fact mode refused
	local why='.+'
	case $(uname -r) in
	6.1.0-56-cloud-arm64) why='attaching fentry/fexit programs: not supported \(ENOTSUPP\) .*Linux 6\.4 or later' ;;
	6.12.117+deb12-cloud-arm64)
		fail "backend fentry refused where trampolines attach and a kprobe can mark policies: $(grep '^  fentry' "$T/check.out")"
		return 1 ;;
	esac
	expect_refused fentry \
		"^nfdropcap: backend fentry is not available on this kernel: $why"
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
	6.1.0-56-cloud-arm64) want='nft_do_chain\+0x1ac \(ands w0, w2, #0xff\): verdict w2, rule x25, pkt x21; its trace copy at \+0x3a4; policy drops branch at \+0x4ac' ;;
	6.12.117+deb12-cloud-arm64) want='nft_do_chain\+0x190 \(ands w1, w0, #0xff\): verdict w0, rule x25, pkt x22; its trace copy at \+0x334; policy drops branch at \+0x444' ;;
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
	pkt=$(sed -n 's/^    kprobe site .*, pkt \([a-z0-9]*\)\($\|;.*\)/\1/p' "$T/check.out")
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

# Backend kprobe's code analysis finds, in the nf_tables modules of
# Debian's stock kernels, x86-64 and arm64 alike, the sites and registers
# found by hand from their objdump (../shared/notes/kernel-facts.md;
# arm64: issue 16). On the packages' files (.output/nfd-site), so here,
# whatever this machine runs; the VMs find the same in the running kernel.
t_kprobe_sites() {
	. "$TOP/tests/kernels/fetch.sh"
	local pkg want ko got
	while read -r pkg want; do
		fetch "$pkg" </dev/null || {
			tail -n 3 "$KERNEL_CACHE/pkgs/$pkg/fetch.log"
			fail "cannot download $pkg (apt-get download)"
			return
		}
		ko=$(find "$KERNEL_CACHE/pkgs/$pkg/tree/lib/modules" -name 'nf_tables.ko*' | head -n1)
		case $ko in
		*.xz) xz -dc "$ko" >"$T/nf_tables.ko" ;;
		*) cp "$ko" "$T/nf_tables.ko" ;;
		esac || { fail "no nf_tables module in $pkg"; return; }
		got=$("$NFDSITE" "$T/nf_tables.ko")
		echo "$pkg: $got"
		expect_eq "$(sed -n 1p <<<"$got")" "kprobe: ${want%%|*}" "$pkg" || return
		# AArch64: backend dropsite's kprobes, as --check's "drop sites"
		[ "$want" = "${want#*|}" ] ||
			expect_eq "$(sed -n 2p <<<"$got")" "dropsite: ${want#*|}" "$pkg (dropsite)" || return
	done <<-'EOF'
	linux-image-6.1.0-56-cloud-amd64 nft_do_chain+0x413 (and eax, 0xff): verdict eax, rule r12, pkt r13
	linux-image-6.12.117+deb12-cloud-amd64 nft_do_chain+0x176 (and edx, 0xff): verdict edx, rule r14, pkt rbp
	linux-image-6.1.0-56-cloud-arm64 nft_do_chain+0x1ac (ands w0, w2, #0xff): verdict w2, rule x25, pkt x21; its trace copy at +0x3a4; policy drops branch at +0x4ac|rule and policy drops freed at nft_do_chain+0x3b8, the policy's branch to it at +0x4ac; kprobes at +0x3b4 and +0x4ac: rule x25, pkt x21, base chain at sp+16, jump stack at sp+168 (24-byte entries), depth at sp+28
	linux-image-6.12.117+deb12-cloud-arm64 nft_do_chain+0x190 (ands w1, w0, #0xff): verdict w0, rule x25, pkt x22; its trace copy at +0x334; policy drops branch at +0x444|rule and policy drops freed at nft_do_chain+0x34c, the policy's branch to it at +0x444; kprobes at +0x348 and +0x444: rule x25, pkt x22, base chain at sp+0, jump stack at sp+120 (8-byte entries), depth at sp+12
	EOF
}

# Backend dropsite loads where its code analysis and canary come out right;
# skipped with the analysis' reason where they do not.
dropsite_loads() {
	nfd --check >"$T/check.out" 2>&1
	grep -E '^  dropsite|^    drop sites' "$T/check.out"
	grep -qE '^  dropsite +yes' "$T/check.out" ||
		skip "backend dropsite does not load here: $(sed -n 's/^  dropsite *no *//p' "$T/check.out")"
}

# Backend dropsite's code analysis finds, on the stock kernels, the sites,
# registers and frame slots found by hand from their objdump
# (../shared/notes/kernel-facts.md gives the frees at +0x47f/+0x580 and
# +0x40f/+0x5cd: the calls are 5 bytes before; on arm64 one "bl" frees
# both, at +0x3b4 (6.1) and +0x348 (6.12), the policy's "b" to it at
# +0x4ac and +0x444, as objdump -dr of nf_tables.ko shows).
t_dropsite_sites() {
	local want=
	case $(uname -r) in
	6.1.0-56-cloud-amd64) want='rule drop freed at nft_do_chain\+0x47f, policy drop at \+0x580; kprobes at \+0x47a and \+0x57b: rule r12, pkt r13, base chain at rsp\+16, jump stack at rsp\+152 \(24-byte entries\), depth at rsp\+12' ;;
	6.12.117+deb12-cloud-amd64) want='rule drop freed at nft_do_chain\+0x40f, policy drop at \+0x5cd; kprobes at \+0x40a and \+0x5c8: rule r14, pkt rbp, base chain at rsp\+0, jump stack at rsp\+112 \(8-byte entries\), depth at rsp\+12' ;;
	6.1.0-56-cloud-arm64) want='rule and policy drops freed at nft_do_chain\+0x3b8, the policy.s branch to it at \+0x4ac; kprobes at \+0x3b4 and \+0x4ac: rule x25, pkt x21, base chain at sp\+16, jump stack at sp\+168 \(24-byte entries\), depth at sp\+28' ;;
	6.12.117+deb12-cloud-arm64) want='rule and policy drops freed at nft_do_chain\+0x34c, the policy.s branch to it at \+0x444; kprobes at \+0x348 and \+0x444: rule x25, pkt x22, base chain at sp\+0, jump stack at sp\+120 \(8-byte entries\), depth at sp\+12' ;;
	esac
	dropsite_loads || return $?
	grep -qE "^    drop sites +yes +${want:-(rule drop|rule and policy drops) freed}" "$T/check.out" ||
		fail "drop sites not as expected ${want:+(/$want/)}"
}

# Backend dropsite: the rule, its chain and the jumps that led there, read
# off the stack at the drop's kfree_skb alone: a rule's drop, one behind
# two jumps, a reject (and its reply, dropped in output while the original
# is still being decided), a policy's drop; a goto on the way is put back
# from the ruleset where it leaves one way only, and where it leaves two the
# path is "unknown", never wrong. Nothing is added to the ruleset (capture
# checks that), and no trace table: the kernel traces nothing.
t_dropsite() {
	dropsite_loads || return $?
	NFD_BACKEND=dropsite capture "table inet filter {
		chain input { type filter hook input priority 0;
			udp dport 5170 drop
			udp dport 5171-5172 jump zones
			udp dport 5173 goto deny
			udp dport 5174 reject; }
		chain zones { udp dport 5172 jump deny
			udp dport 5171 drop; }
		chain deny { counter drop; }
		chain output { type filter hook output priority 0;
			icmp type destination-unreachable drop; } }
	table ip two { chain input { type filter hook input priority 5;
			udp dport 5176 goto sink
			udp dport 5177 goto sink; }
		chain sink { drop; } }
	table ip last { chain input { type filter hook input priority 10; policy drop; } }" \
		dropsite_traffic || return 1
	expect_eq "$(nfd_backend_used)" dropsite "backend in the ready line"
	local r
	for r in 'udp dport 5170 drop' 'jump zones' 'udp dport 5172 jump deny' 'udp dport 5171 drop' \
		'counter .*drop' 'udp dport 5174 reject' 'destination-unreachable drop' \
		'udp dport 5173 goto deny'; do
		fact "h_$r" "$(handle_of "$r")"
	done
	fact h_sink "$(in_r nft -a list chain ip two sink | sed -n 's/.*drop # handle \([0-9]*\)$/\1/p')"
}
dropsite_traffic() {
	local p
	for p in 5170 5171 5172 5173 5174 5175 5176; do
		in_c $SEND udp $R4 $p 1
	done
	# the kernel traced nothing: no table of nfdropcap's, no trace message
	in_r nft list tables | grep -q nfdropcap && fail "a table of nfdropcap's in R"
	return 0
}
check_dropsite() {
	captured || return 1
	local z=$(fact_get 'h_jump zones') jd=$(fact_get 'h_udp dport 5172 jump deny')
	local d=$(fact_get 'h_counter .*drop')
	fields "$T/out.pcapng" udp.dstport frame.comment | sed 's/\\n/\n/g' >"$T/lines"
	cat >"$T/want" <<-EOW
	5170|table inet filter chain input handle $(fact_get 'h_udp dport 5170 drop') drop: udp dport 5170 drop
	5171|table inet filter chain zones handle $(fact_get 'h_udp dport 5171 drop') drop: udp dport 5171 drop
	path: input handle $z jump zones
	5172|table inet filter chain deny handle $d drop: counter drop
	path: input handle $z jump zones, zones handle $jd jump deny
	5173|table inet filter chain deny handle $d drop: counter drop
	path: input handle $(fact_get 'h_udp dport 5173 goto deny') goto deny
	5174|table inet filter chain output handle $(fact_get 'h_destination-unreachable drop') drop: icmp type destination-unreachable drop
	5174|table inet filter chain input handle $(fact_get 'h_udp dport 5174 reject') drop: udp dport 5174 reject
	5175|table ip last chain input policy drop
	5176|table ip two chain sink handle $(fact_get h_sink) drop: drop
	path: unknown (more than one way of gotos leads from chain input to chain sink, and backend dropsite sees only jumps)
	EOW
	grep -v '^netns ' "$T/lines" | packet_records | sort >"$T/got"
	packet_records <"$T/want" | sort >"$T/want.sorted"
	diff "$T/want.sorted" "$T/got" >&2 || fail "comments and paths differ (want, got)"
}

# A wrong place for the rule (or, from the stack, the base chain) is caught
# by the canary: --backend dropsite
# refuses to start, and writes nothing. From the stack: the saved
# registers after the rule's; with kprobes: the packet's register.
t_dropsite_wrong_slot() {
	dropsite_loads || return $?
	local slot pkt
	if grep -qE '^    drop sites .*kprobes at' "$T/check.out"; then
		pkt=$(sed -n 's/^    drop sites .*, pkt \([a-z0-9]*\),.*/\1/p' "$T/check.out")
		[ -n "$pkt" ] || fail "no packet register in --check" || return 1
		NFDROPCAP_DROPSITE_RULE_REG=$pkt expect_refused dropsite \
			'backend dropsite is not available.*canary'
		return
	fi
	slot=$(sed -n 's/^    drop sites .* rule [a-z0-9]* (saved \([0-9]*\)\/\([0-9]*\) slots below).*/\2/p' "$T/check.out")
	[ -n "$slot" ] || fail "no rule slot in --check" || return 1
	NFDROPCAP_DROPSITE_RULE_SLOT=$((slot + 1)) expect_refused dropsite \
		'backend dropsite is not available.*canary' || return 1
	NFDROPCAP_DROPSITE_RULE_SLOT=$((slot + 3)) expect_refused dropsite \
		'backend dropsite is not available.*canary' || return 1
	# the base chain read from the rule's slot
	NFDROPCAP_DROPSITE_BASE_SLOT=$slot expect_refused dropsite \
		'backend dropsite is not available.*canary'
}
