# SPDX-License-Identifier: GPL-2.0
# Attribution: every drop names the rule (table, chain, handle, verdict, rule
# text) or the chain policy that dropped it, across hooks, families, jumps,
# gotos, verdict maps, rejects, sets, concurrent drops and ruleset commits;
# a drop that is not nftables' is never named as a rule.
# (Scenarios: see tests/lib.sh; tests/run.sh lists the files.)

t_prerouting_ip() {
	capture "table ip t {
		chain pre { type filter hook prerouting priority -150;
			udp dport 5001 drop; } }" \
		in_c $SEND udp $R4 5001 5 || return 1
	fact h "$(handle_of 'udp dport 5001 drop')"
}
check_prerouting_ip() {
	captured || return 1
	expect_drops 5 "table ip t chain pre handle $(fact_get h) drop: udp dport 5001 drop" &&
		expect_if r0 1
}

t_input_inet_tcp() {
	capture "table inet filter {
		chain input { type filter hook input priority 0;
			tcp dport 5002 drop; } }" \
		in_c $SEND syn $R4 5002 3 || return 1
	fact h "$(handle_of 'tcp dport 5002 drop')"
}
check_input_inet_tcp() {
	captured || return 1
	# a SYN retransmitted within the 200 ms window is dropped again
	local n=$(packets "$T/out.pcapng")
	[ "$n" -ge 3 ] || fail "want at least 3 SYNs, got $n" || return 1
	expect_drops "$n" "table inet filter chain input handle $(fact_get h) drop: tcp dport 5002 drop"
}

t_forward() {
	capture "table inet filter {
		chain forward { type filter hook forward priority 0;
			udp dport 5003 drop; } }" \
		in_c $SEND udp $S4 5003 4 || return 1
	fact h "$(handle_of 'udp dport 5003 drop')"
}
check_forward() {
	captured || return 1
	expect_drops 4 "table inet filter chain forward handle $(fact_get h) drop: udp dport 5003 drop" &&
		expect_if r0 1
}

t_output() {
	capture "table inet filter {
		chain out { type filter hook output priority 0;
			udp dport 5004 drop; } }" \
		in_r $SEND udp $C4 5004 3 || return 1
	fact h "$(handle_of 'udp dport 5004 drop')"
}
check_output() {
	captured || return 1
	expect_drops 3 "table inet filter chain out handle $(fact_get h) drop: udp dport 5004 drop" &&
		expect_if r0 2
}

t_ip6_table() {
	capture "table ip6 t6 {
		chain input { type filter hook input priority 0;
			udp dport 5005 drop; } }" \
		in_c $SEND udp $R6 5005 3 || return 1
	fact h "$(handle_of 'udp dport 5005 drop')"
}
check_ip6_table() {
	captured || return 1
	expect_drops 3 "table ip6 t6 chain input handle $(fact_get h) drop: udp dport 5005 drop" &&
		expect_if r0 1 || return 1
	expect_eq "$(fields "$T/out.pcapng" ipv6.src | sort -u)" "$C6" "IPv6 source"
}

t_ipv6_forward_inet() {
	capture "table inet filter {
		chain forward { type filter hook forward priority 0;
			ip6 daddr $S6 udp dport 5016 drop; } }" \
		in_c $SEND udp $S6 5016 2 || return 1
	fact h "$(handle_of 'udp dport 5016 drop')"
}
check_ipv6_forward_inet() {
	captured || return 1
	expect_drops 2 "table inet filter chain forward handle $(fact_get h) drop: ip6 daddr $S6 udp dport 5016 drop"
}

t_jump() {
	capture "table inet filter {
		chain sub { udp dport 5006 drop; }
		chain input { type filter hook input priority 0;
			udp dport 5000-5999 jump sub; } }" \
		in_c $SEND udp $R4 5006 3 || return 1
	fact h "$(handle_of 'udp dport 5006 drop')"
}
check_jump() {
	captured || return 1
	expect_drops 3 "table inet filter chain sub handle $(fact_get h) drop: udp dport 5006 drop"
}

t_goto() {
	capture "table inet filter {
		chain sub2 { counter drop; }
		chain input { type filter hook input priority 0;
			udp dport 5007 goto sub2; } }" \
		in_c $SEND udp $R4 5007 3 || return 1
	fact h "$(handle_of 'counter .*drop')"
}
check_goto() {
	captured || return 1
	expect_drops 3 "table inet filter chain sub2 handle $(fact_get h) drop: counter drop"
}

t_verdict_map() {
	capture "table inet filter {
		chain input { type filter hook input priority 0;
			udp dport vmap { 5008 : drop, 5009 : accept }; } }" \
		in_c $SEND udp $R4 5008 3 || return 1
	in_c $SEND udp $R4 5009 3
	fact h "$(handle_of 'vmap')"
}
check_verdict_map() {
	captured || return 1
	expect_drops 3 "table inet filter chain input handle $(fact_get h) drop: udp dport vmap \{ 5008 : drop, 5009 : accept \}"
}

t_reject() {
	capture "table inet filter {
		chain input { type filter hook input priority 0;
			tcp dport 5010 reject with tcp reset; } }" \
		in_c $SEND syn $R4 5010 3 || return 1
	fact h "$(handle_of 'tcp dport 5010 reject')"
}
check_reject() {
	captured || return 1
	expect_drops 3 "table inet filter chain input handle $(fact_get h) drop: tcp dport 5010 reject with tcp reset"
}

t_named_set() {
	capture "table ip filter {
		set blocked { type ipv4_addr; elements = { $C4 }; }
		chain input { type filter hook input priority 0;
			ip saddr @blocked udp dport 5011 drop; } }" \
		in_c $SEND udp $R4 5011 3 || return 1
	fact h "$(handle_of 'ip saddr @blocked')"
}
check_named_set() {
	captured || return 1
	expect_drops 3 "table ip filter chain input handle $(fact_get h) drop: ip saddr @blocked udp dport 5011 drop"
}

t_policy_drop() {
	capture "table ip pol {
		chain input { type filter hook input priority 0; policy drop;
			udp dport != 5012 accept
			tcp dport 1-65535 accept
			icmp type echo-request accept; } }" \
		in_c $SEND udp $R4 5012 3
}
check_policy_drop() {
	captured || return 1
	expect_drops 3 "table ip pol chain input policy drop$" || return 1
	grep -q handle "$T/comments" && fail "a policy drop names a handle"
	return 0
}

t_two_tables() {
	capture "table inet early {
		chain input { type filter hook input priority -10;
			udp dport 5013 drop; } }
		table ip late {
		chain input { type filter hook input priority 10;
			udp dport 5013 drop
			udp dport 5014 drop; } }" \
		eval "in_c $SEND udp $R4 5013 3; in_c $SEND udp $R4 5014 2"
}
check_two_tables() {
	captured || return 1
	fields "$T/out.pcapng" udp.dstport frame.comment >"$T/f"
	expect_eq "$(grep -c '^5013|table inet early chain input handle [0-9]* drop: udp dport 5013 drop' "$T/f")" 3 "5013 dropped by the earlier table" &&
		expect_eq "$(grep -c '^5014|table ip late chain input handle [0-9]* drop: udp dport 5014 drop' "$T/f")" 2 "5014 dropped by the later table" &&
		expect_eq "$(packets "$T/out.pcapng")" 5 "packets"
}

t_accepted_absent() {
	capture "table inet filter {
		chain input { type filter hook input priority 0;
			udp dport 5017 drop
			udp dport 5099 accept; } }" \
		eval "in_c $SEND udp $R4 5099 20; in_c $SEND udp $R4 5017 1; in_c $SEND udp $S4 5099 5"
}
check_accepted_absent() {
	captured || return 1
	expect_eq "$(fields "$T/out.pcapng" udp.dstport | sort -u)" 5017 "only the dropped port"
	expect_eq "$(packets "$T/out.pcapng")" 1 "packets"
}

# 48000 packets in 2 s (12000 when slow: under emulation nfdropcap's
# reader would fall far behind); a reader that shares its CPUs with others
# may still lose some, each of them counted
flood_both_cpus() {
	local pids=() in=$(host_or_slow 8000 2000) out=$(host_or_slow 4000 1000)
	in_c taskset -c 0 $SEND flood $R4 6001 2 $in 32 3 >/dev/null &
	pids+=($!)
	in_c taskset -c 1 $SEND flood $R4 6001 2 $in 32 3 >/dev/null &
	pids+=($!)
	in_r taskset -c 0 $SEND flood $C4 6004 2 $out 32 2 >/dev/null &
	pids+=($!)
	in_r taskset -c 1 $SEND flood $C4 6004 2 $out 32 2 >/dev/null &
	pids+=($!)
	wait "${pids[@]}"
}

# Thousands of drops at once on both CPUs, in softirq (input) and process
# context (output), over several rules: per rule, the file agrees with the
# kernel's counters, and no packet carries another rule's name.
t_concurrent_exact() {
	capture "table inet flood {
		chain input { type filter hook input priority 0;
			udp dport 6001 counter drop
			udp dport 6002 counter drop
			udp dport 6003 counter drop; }
		chain out { type filter hook output priority 0;
			udp dport 6004 counter drop
			udp dport 6005 counter drop; } }" \
		flood_both_cpus || return 1
	local sum=$(grep -m1 '^nfdropcap: [0-9]* captured, ' "$T/nfd.err")
	local lost=$(echo "$sum" | sed -n 's/.* captured, \([0-9]*\) lost, .*/\1/p')
	local unattributed=$(echo "$sum" | sed -n 's/.* lost, \([0-9]*\) unattributed .*/\1/p')
	# the kernel runs no kprobe while another kprobe, a BPF program or a
	# BPF map syscall is in progress on the CPU: an input drop in a softirq
	# run inside one has no verdict where kprobes record them (backend
	# kprobe, dropsite with kprobes), and says why; nothing else may be
	# unattributed
	local skipped=$(awk -v why="$KPROBE_SKIPPED" 'index($0, why) { n += $2 } END { print n + 0 }' "$T/nfd.err")
	[ "$unattributed" = "$skipped" ] ||
		fail "unattributed drops: $sum" || return 1
	# a reader that shares its CPUs with others (CI's VMs and ASan build
	# beside it: 2,319 of 46,400 lost once) falls behind: what is lost must
	# be counted, to the packet (check_concurrent_exact); how much is lost
	# at what rate is make bench's (its capture ratio), not this test's
	[ -n "$lost" ] || fail "no summary line: $sum" || return 1
	fact lost "$lost"
	fact skipped "$skipped"
	for p in 6001 6002 6003 6004 6005; do
		fact "counter$p" "$(counter_of "udp dport $p counter")"
	done
}
check_concurrent_exact() {
	captured || return 1
	fields "$T/out.pcapng" udp.dstport frame.comment >"$T/f"
	local skipped=$(fact_get skipped)
	local wrong=$(awk -F'|' -v why="$KPROBE_SKIPPED" 'index($2, "udp dport " $1 " counter drop") == 0 && index($2, why) == 0' "$T/f" | wc -l)
	expect_eq "$wrong" 0 "packets attributed to another rule" || return 1
	expect_eq "$(grep -cF "$KPROBE_SKIPPED" "$T/f")" "$skipped" "drops the kernel skipped the kprobe of, in the file vs the summary" || return 1
	# only a softirq nests in such a window: input drops, and rarely
	expect_eq "$(grep -E '^600[45]\|' "$T/f" | grep -cF "$KPROBE_SKIPPED")" 0 "output drops said to be skipped by the kernel" || return 1
	local total=0 counted=0 lost=$(fact_get lost)
	for p in 6001 6002 6003 6004 6005; do
		local want=$(fact_get "counter$p")
		local got=$(grep -c "^$p|" "$T/f")
		if [ "$lost" = 0 ]; then
			expect_eq "$got" "$want" "drops of port $p in the file vs the rule's counter" || return 1
		else
			[ "$got" -le "$want" ] || fail "port $p: $got drops in the file, $want counted by its rule" || return 1
		fi
		total=$((total + got)) counted=$((counted + want))
	done
	expect_eq "$((total + lost))" "$counted" "drops in the file and lost vs the rules' counters" || return 1
	# nftrace under emulation drops the fewest: 1,024 at least in the VMs
	local least=$(host_or_slow 5000 500)
	[ $total -gt $least ] || fail "only $total drops (want more than $least)" || return 1
	[ $((skipped * 100)) -le $total ] || fail "$skipped of $total drops said to be skipped by the kernel (more than 1 in 100)" || return 1
	echo "info: $total concurrent drops on 2 CPUs, 5 rules, 0 wrong, $lost lost (counted), $skipped unattributed (the kernel skipped the kprobe), none else"
}

# A netfilter drop that is not nftables' (iptables-legacy): captured, and
# named "netfilter drop", never a rule, even while nftables drops the same
# kind of packet on the same hook and every packet is being traced.
t_not_nftables() {
	command -v iptables-legacy >/dev/null ||
		skip "iptables-legacy is not installed (scripts/install-deps.sh --test)"
	in_r iptables-legacy -A INPUT -p udp --dport 5030 -j DROP ||
		skip "this kernel has no legacy iptables"
	capture "table inet filter {
		chain input { type filter hook input priority 0;
			udp dport 5031 drop; } }" \
		eval "in_c $SEND udp $R4 5030 4; in_c $SEND udp $R4 5031 3"
	local rc=$?
	in_r iptables-legacy -F INPUT
	[ $rc = 0 ] || return 1
	grep -q "nfdropcap: 7 captured, 0 lost, 4 unattributed" "$T/nfd.err" ||
		fail "summary: $(cat "$T/nfd.err")"
}
check_not_nftables() {
	captured || return 1
	fields "$T/out.pcapng" udp.dstport frame.comment | sed 's/\\n.*//' >"$T/f"
	# fentry and kprobe name the table and its chain; the others, where
	# it was freed
	expect_eq "$(grep -cE '^5030\|netfilter drop \(not attributed: (dropped outside nftables, freed in nf_hook_slow: a drop verdict of another netfilter hook|dropped by iptables-legacy table filter chain INPUT( rule 1)?\))' "$T/f")" 4 "iptables drops named as such" &&
		case $(nfd_backend_used) in
		fentry | kprobe) expect_eq "$(grep -c 'iptables-legacy table filter chain INPUT' "$T/f")" 4 "iptables-legacy drops named ($(nfd_backend_used))" ;;
		esac &&
		expect_eq "$(grep -c '^5031|table inet filter chain input handle [0-9]* drop: udp dport 5031 drop$' "$T/f")" 3 "nftables drops" &&
		expect_eq "$(grep -c handle "$T/f")" 3 "comments naming a handle"
}

# iptables-legacy's rules, by chain and number as 'iptables -L
# --line-numbers' counts them (fentry, kprobe: told by the entries'
# counters): in the hook's chain, in chains jumped to, a REJECT, the
# policy; a rule that only counts (no target) before a DROP changes
# nothing. The truth is the kernel's own per-rule counters.
t_xt_legacy_rules() {
	command -v iptables-legacy >/dev/null ||
		skip "iptables-legacy is not installed (scripts/install-deps.sh --test)"
	local x="in_r iptables-legacy"
	$x -S >/dev/null 2>&1 || skip "this kernel has no legacy iptables"
	$x -N zones && $x -N deny && $x -A INPUT ! -p udp -j ACCEPT &&
		$x -A INPUT -p udp ! --dport 5170:5174 -j ACCEPT &&
		$x -A INPUT -p udp --dport 5170 -j DROP &&
		$x -A INPUT -p udp --dport 5171:5172 -j zones &&
		$x -A INPUT -p udp --dport 5173 -j REJECT &&
		$x -A zones -p udp --dport 5171 -m comment --comment "counts only" &&
		$x -A zones -p udp --dport 5171 -j DROP &&
		$x -A zones -p udp --dport 5172 -j deny &&
		$x -A deny -j DROP && $x -P INPUT DROP ||
		fail "iptables-legacy rules" || return 1
	nfd_start -v -w "$T/out.pcapng" || return 1
	local p
	for p in 5170 5171 5172 5173 5174; do
		in_c $SEND udp $R4 $p 2
	done
	nfd_stop
	$x -L -n -v -x --line-numbers >"$T/counters" 2>&1
	expect_eq "$NFD_RC" 0 "exit status"
}

check_xt_legacy_rules() {
	captured || return 1
	fields "$T/out.pcapng" udp.dstport frame.comment | sed 's/\\n.*//' |
		sort >"$T/got"
	expect_eq "$(packets "$T/out.pcapng")" 10 "packets" || return 1
	case $(nfd_backend_used) in
	fentry | kprobe) ;;
	*)
		expect_eq "$(grep -c 'netfilter drop (not attributed' "$T/got")" 10 "drops not nftables'"
		return
		;;
	esac
	local w='netfilter drop (not attributed: dropped by iptables-legacy table filter'
	cat >"$T/want" <<-EOW
	5170|$w chain INPUT rule 3)
	5170|$w chain INPUT rule 3)
	5171|$w chain INPUT via zones rule 2)
	5171|$w chain INPUT via zones rule 2)
	5172|$w chain INPUT via deny rule 1)
	5172|$w chain INPUT via deny rule 1)
	5173|$w chain INPUT rule 5)
	5173|$w chain INPUT rule 5)
	5174|$w chain INPUT policy DROP)
	5174|$w chain INPUT policy DROP)
	EOW
	xt_legacy_numbers || return 1
	# the kernel's counters agree: each named rule counted its 2 packets
	awk '/^Chain INPUT/ { c = "INPUT"; if ($0 ~ /policy DROP 2 packets/) print "INPUT policy 2" }
		/^Chain zones/ { c = "zones" } /^Chain deny/ { c = "deny" }
		$1 ~ /^[0-9]+$/ && ($4 == "DROP" || $4 == "REJECT") { print c, $1, $2 }' \
		"$T/counters" | sort >"$T/kernel"
	printf '%s\n' "INPUT 3 2" "INPUT 5 2" "INPUT policy 2" "deny 1 2" "zones 2 2" |
		sort | diff - "$T/kernel" >&2 || fail "the kernel's counters differ (want, got)"
}

# t_xt_legacy_rules' numbers against $T/want: none where nfdropcap said
# why it names no rule (Debian's 6.1 arm64 kernel has no data symbols in
# /proc/kallsyms); elsewhere every number given must be right, and most
# drops get one: now and then a drop is left unnumbered (measured: 1 or 2
# of 10 in some runs, x86-64 and arm64; why is not known yet), never
# named wrong.
xt_legacy_numbers() {
	local named unnamed why
	why=$(grep -o 'iptables-legacy rules are not named: .*' "$T/nfd.err")
	sed 's/ chain .*)$/ chain INPUT)/' "$T/want" >"$T/want.unnamed"
	if [ -n "$why" ]; then
		echo "info: $why"
		diff "$T/want.unnamed" "$T/got" >&2 ||
			fail "rules named although nfdropcap said it names none"
		return
	fi
	named=$(grep -cFxf "$T/want" "$T/got")
	unnamed=$(grep -cFxf "$T/want.unnamed" "$T/got")
	echo "info: $named of 10 drops numbered, $unnamed not"
	expect_eq "$((named + unnamed))" 10 "drops named right or not numbered" &&
		{ [ "$named" -ge 5 ] || fail "only $named of 10 drops numbered"; }
}

# A full conntrack table (the kernel logs "nf_conntrack: table full,
# dropping packet"): with fentry and kprobe each of its drops names
# conntrack, its hook and the full table; with the others, nf_hook_slow.
# The truth is the kernel's own count of conntrack's drops in R
# (/proc/net/stat/nf_conntrack, column drop).
t_conntrack_full() {
	local old
	[ "${NFD_DISPOSABLE:-}" = 1 ] ||
		skip "net.netfilter.nf_conntrack_max is one setting for the whole machine: only the kernel matrix's VMs (NFD_DISPOSABLE=1) lower it"
	old=$(cat /proc/sys/net/netfilter/nf_conntrack_max) ||
		skip "this kernel has no conntrack"
	capture "table inet ctfull {
		chain input { type filter hook input priority 0;
			ct state new udp dport 5040-5049 counter; } }" \
		ct_fill "$old"
}
# ct_stat COLUMN: R's /proc/net/stat/nf_conntrack COLUMN, summed over CPUs
ct_stat() {
	local head line k=-1 i n=0 v
	{
		read -r -a head
		for i in "${!head[@]}"; do
			[ "${head[$i]}" = "$1" ] && k=$i
		done
		while read -r -a line; do
			v=${line[$k]:-0}
			[ "$k" -ge 0 ] && n=$((n + 16#$v))
		done
	} < <(in_r cat /proc/net/stat/nf_conntrack)
	echo $n
}
# ct_fill OLD_MAX: room for 3 more entries in R, 10 new flows sent
ct_fill() {
	local n d0
	n=$(in_r cat /proc/sys/net/netfilter/nf_conntrack_count)
	d0=$(ct_stat drop)
	echo $((n + 3)) >/proc/sys/net/netfilter/nf_conntrack_max ||
		fail "lowering nf_conntrack_max" || return 1
	for p in $(seq 5040 5049); do
		in_c $SEND udp $R4 $p 1
	done
	echo "$1" >/proc/sys/net/netfilter/nf_conntrack_max ||
		fail "restoring nf_conntrack_max to $1"
	fact ct_drops $(($(ct_stat drop) - d0))
}
check_conntrack_full() {
	captured || return 1
	local n=$(fact_get ct_drops) want
	fields "$T/out.pcapng" udp.dstport frame.comment | sed 's/\\n.*//' >"$T/f"
	[ "$n" -ge 3 ] ||
		fail "the kernel counted $n conntrack drops: want 3 or more (was the table not full?)" ||
		return 1
	case $(nfd_backend_used) in
	fentry | kprobe) want='dropped by conntrack \(nf_conntrack_in\) in hook ip prerouting: conntrack table full \(net\.netfilter\.nf_conntrack_max\)\)$' ;;
	*) want='dropped outside nftables, freed in nf_hook_slow: a drop verdict of another netfilter hook' ;;
	esac
	expect_eq "$(grep -cE "^50[4][0-9]\|netfilter drop \(not attributed: $want" "$T/f")" "$n" "drops named as conntrack's, table full" &&
		expect_eq "$(wc -l <"$T/f")" "$n" "packets"
}

# Nested evaluation: the reset a reject rule sends is itself dropped in
# OUTPUT while the rejected packet's verdict is still being decided. Each
# drop names its own rule.
t_reject_reply_dropped() {
	capture "table inet filter {
		chain input { type filter hook input priority 0;
			tcp dport 5035 reject with tcp reset; }
		chain output { type filter hook output priority 0;
			tcp sport 5035 tcp flags rst drop; } }" \
		in_c $SEND syn $R4 5035 3 || return 1
	fact hr "$(handle_of 'tcp dport 5035 reject')"
	fact ho "$(handle_of 'tcp sport 5035')"
}
check_reject_reply_dropped() {
	captured || return 1
	local hr=$(fact_get hr) ho=$(fact_get ho)
	fields "$T/out.pcapng" tcp.dstport frame.packet_flags_direction frame.comment |
		sed 's/\\n.*//' >"$T/f"
	local syns=$(grep -c "^5035|0x00000001|table inet filter chain input handle $hr drop: tcp dport 5035 reject with tcp reset$" "$T/f")
	local rsts=$(grep -cE "^[0-9]+\|0x00000002\|table inet filter chain output handle $ho drop: tcp sport 5035 tcp flags (rst|== rst) drop$" "$T/f")
	[ "$syns" -ge 3 ] && [ "$rsts" = "$syns" ] &&
		expect_eq "$(wc -l <"$T/f")" $((syns + rsts)) "packets" ||
		{ cat "$T/f"; fail "want N >= 3 rejected SYNs and N dropped resets, got $syns and $rsts"; }
}

# Commits while drops happen: rules come and go before the dropping rule
# (every commit builds new blobs) while packets are dropped; each drop
# still names the one rule, and the file agrees with its counter.
t_commit_churn() {
	local churn
	load_rules "table inet churn {
		chain input { type filter hook input priority 0;
			udp dport 5082 counter drop; } }" || return 1
	nfd_start -w "$T/out.pcapng" || return 1
	(
		for i in $(seq 30); do
			in_r nft insert rule inet churn input udp dport 6$i accept
			h=$(in_r nft -a list chain inet churn input |
				sed -n "s/.*dport 6$i accept # handle \([0-9]*\)/\1/p")
			[ -n "$h" ] && in_r nft delete rule inet churn input handle $h
		done
	) &
	churn=$!
	for _ in $(seq 20); do
		in_c $SEND udp $R4 5082 5
		in_r nft add chain inet churn c$RANDOM
	done
	wait $churn
	nfd_stop; expect_eq "$NFD_RC" 0 "exit status after SIGINT" || return 1
	fact h "$(handle_of 'udp dport 5082 counter')"
	fact n "$(counter_of 'udp dport 5082 counter')"
}
check_commit_churn() {
	captured || return 1
	expect_eq "$(fact_get n)" 100 "drops counted by the rule" &&
		expect_drops 100 "table inet churn chain input handle $(fact_get h) drop: udp dport 5082 counter drop"
}

# Rejects by the thousand, behind a jump: each reply (an ICMP error or a
# reset) is evaluated and traced while its original's drop is still being
# decided, and its fate varies: accepted (UDP over IPv4), dropped (the
# resets), itself rejected (ICMPv6). Every rule's drops in the file equal
# its counter; nothing is unattributed. ICMP rate limits are off in R so
# that every reject sends its reply.
t_reject_many() {
	local n=500
	slow && n=250
	in_r sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv4.icmp_msgs_per_sec=1000000 \
		net.ipv4.icmp_msgs_burst=1000000 net.ipv6.icmp.ratelimit=0
	capture "table inet filter {
		chain input { type filter hook input priority 0; jump deny; }
		chain deny {
			udp dport 5100 counter reject
			tcp dport 5101 counter reject with tcp reset
			udp dport 5102 counter reject with icmpx admin-prohibited; }
		chain output { type filter hook output priority 0;
			tcp sport 5101 tcp flags rst counter drop
			icmpv6 type destination-unreachable counter reject; } }" \
		reject_traffic $n || return 1
	in_r sysctl -qw net.ipv4.icmp_ratelimit=1000 net.ipv4.icmp_msgs_per_sec=1000 \
		net.ipv4.icmp_msgs_burst=50 net.ipv6.icmp.ratelimit=1000
	in_r nft -a list table inet filter |
		sed -n 's/.*counter packets \([0-9]*\) .*# handle \([0-9]*\)$/\2 \1/p' >"$T/counters"
	fact counters "$(tr '\n' ' ' <"$T/counters")"
	fact sent "$n"
}
reject_traffic() {
	in_c $SEND udp $R4 5100 "$1"
	# a tenth as many SYNs: each waits 200 ms for the reset R drops
	in_c $SEND syn $R4 5101 $(($1 / 10))
	in_c $SEND udp $R6 5102 "$1"
}
check_reject_many() {
	captured || return 1
	local n=$(fact_get sent) total=0 h c got
	fields "$T/out.pcapng" frame.comment | sed 's/\\n.*//' >"$T/comments"
	if grep -m3 "not attributed" "$T/comments"; then
		fail "$(grep -c "not attributed" "$T/comments") rejects unattributed"
		return 1
	fi
	set -- $(fact_get counters)
	[ $# = 10 ] || { fail "want 5 rule counters, got: $*"; return 1; }
	while [ $# -ge 2 ]; do
		h=$1 c=$2
		shift 2
		got=$(grep -c "^table inet filter chain [a-z]* handle $h drop" "$T/comments")
		expect_eq "$got" "$c" "drops named handle $h vs its counter" || return 1
		total=$((total + c))
	done
	expect_eq "$(wc -l <"$T/comments")" "$total" "packets vs all counters" || return 1
	# the drops: n UDP, n UDP6 and their ICMPv6 replies, n/10 SYNs and their
	# resets (the UDP's ICMP replies pass): 3n + n/5 at least
	[ "$total" -ge $((3 * n + n / 5)) ] || fail "only $total drops for $n of each kind" || return 1
	echo "info: $total drops ($n UDP, $((n / 10)) SYN, $n UDP6 rejected; their replies), 0 unattributed"
}

# Bridged traffic (C and S on one LAN through bridge br0 in R) dropped by
# an ip table through br_netfilter, as Docker's `-A FORWARD -i br1 -o br1
# -j DROP` does (the trace names the bridge, the freed packet a port), and
# at input on the bridge's own address.
t_bridged_ip() {
	bridge_up || { bridge_down; return 1; }
	capture "table ip filter {
		chain forward { type filter hook forward priority 0;
			iifname br0 oifname br0 udp dport 5110 counter drop; }
		chain input { type filter hook input priority 0;
			iifname br0 udp dport 5111 counter drop; } }" \
		bridged_traffic 5110 5111
	local rc=$?
	fact hf "$(handle_of 'udp dport 5110')"
	fact hi "$(handle_of 'udp dport 5111')"
	fact nf "$(counter_of 'udp dport 5110')"
	bridge_down
	return $rc
}
bridged_traffic() {
	in_c $SEND udp $SB4 "$1" 3 && in_c $SEND udp $RB4 "$2" 2
}
check_bridged_ip() {
	captured || return 1
	expect_eq "$(fact_get nf)" 3 "the forward rule's counter" || return 1
	expect_drops 5 "table ip filter chain (forward handle $(fact_get hf) drop: iifname \"br0\" oifname \"br0\" udp dport 5110|input handle $(fact_get hi) drop: iifname \"br0\" udp dport 5111)" || return 1
	expect_eq "$(grep -c "chain forward" "$T/comments")" 3 "forward drops"
}

# A bridge-family table drops bridged frames at prerouting and forward.
t_bridge_table() {
	bridge_up || { bridge_down; return 1; }
	# priority filter (-200), as nft suggests: at 0, br_netfilter's own
	# hook, 6.1 skips the chains after it when it passes the frame on
	capture "table bridge filter {
		chain pre { type filter hook prerouting priority filter;
			udp dport 5112 counter drop; }
		chain forward { type filter hook forward priority filter;
			udp dport 5113 counter drop; } }" \
		bridged_traffic_to_s 5112 5113
	local rc=$?
	fact hp "$(handle_of 'udp dport 5112')"
	fact hf "$(handle_of 'udp dport 5113')"
	fact nf "$(counter_of 'udp dport 5113')"
	bridge_down
	return $rc
}
bridged_traffic_to_s() {
	in_c $SEND udp $SB4 "$1" 2 && in_c $SEND udp $SB4 "$2" 3
}
check_bridge_table() {
	captured || return 1
	expect_eq "$(fact_get nf)" 3 "the forward rule's counter" || return 1
	expect_drops 5 "table bridge filter chain (pre handle $(fact_get hp) drop: udp dport 5112|forward handle $(fact_get hf) drop: udp dport 5113)" || return 1
	expect_eq "$(grep -c "chain forward" "$T/comments")" 3 "forward drops"
}

# Drops before prerouting and after postrouting: a netdev table's ingress
# and egress chains, an inet ingress chain, and the ingress of a device
# made after the start (nftrace follows devices as they come).
t_netdev_hooks() {
	load_rules "table netdev edge {
		chain in { type filter hook ingress device r0 priority 0;
			udp dport 5120 counter drop; }
		chain out { type filter hook egress device r1 priority 0;
			udp dport 5122 counter drop; } }
	table inet early {
		chain in { type filter hook ingress device r0 priority 0;
			udp dport 5121 counter drop; } }" || return 1
	nfd_start -w "$T/out.pcapng" || return 1
	in_c $SEND udp $R4 5120 2
	in_c $SEND udp $R4 5121 2
	in_c $SEND udp $S4 5122 2
	# a device made now, and its own netdev chain
	ip link add cx0 netns "$C" type veth peer name rx0 netns "$R" &&
		in_c ip addr add 10.77.8.1/24 dev cx0 && in_r ip addr add 10.77.8.254/24 dev rx0 &&
		ip -n "$C" link set cx0 up && ip -n "$R" link set rx0 up &&
		in_r nft add chain netdev edge late "{ type filter hook ingress device rx0 priority 0; }" &&
		in_r nft add rule netdev edge late udp dport 5123 counter drop || fail "new device"
	sleep 0.5
	in_c $SEND udp 10.77.8.254 5123 2
	nfd_stop
	expect_eq "$NFD_RC" 0 "exit status" || return 1
	local p
	for p in 5120 5121 5122 5123; do
		fact "h$p" "$(handle_of "udp dport $p")"
	done
	ip -n "$R" link del rx0
}
check_netdev_hooks() {
	captured || return 1
	expect_drops 8 "table (netdev edge chain in handle $(fact_get h5120) drop: udp dport 5120|inet early chain in handle $(fact_get h5121) drop: udp dport 5121|netdev edge chain out handle $(fact_get h5122) drop: udp dport 5122|netdev edge chain late handle $(fact_get h5123) drop: udp dport 5123)" || return 1
	local p
	for p in 5120 5121 5122 5123; do
		expect_eq "$(grep -c "udp dport $p" "$T/comments")" 2 "drops of port $p" || return 1
	done
}

# The path of jumps and gotos to the dropping rule, as the kernel walked it:
# a chain returned from is not on it; a goto replaces its chain; a verdict
# map chose one hop.
t_jump_path() {
	capture "table inet filter {
		chain input { type filter hook input priority 0;
			jump early
			udp dport 5130-5133 jump zones
			udp dport 5134 drop; }
		chain early { udp dport 5199 accept; }
		chain zones { udp dport 5131 goto public
			udp dport vmap { 5130 : jump public, 5133 : goto deny }
			udp dport 5132 jump public; }
		chain public { udp dport 5132 jump deny
			udp dport 5130 drop; udp dport 5131 drop; }
		chain deny { drop; } }" \
		jump_path_traffic || return 1
	local r
	for r in 'jump zones' 'udp dport 5131 goto public' 'vmap' 'udp dport 5132 jump public' \
		'jump deny' 'udp dport 5130 drop' 'udp dport 5131 drop' 'chain deny' 'udp dport 5134 drop'; do
		fact "h_$r" "$(handle_of "$r")"
	done
	fact h_deny "$(in_r nft -a list chain inet filter deny | sed -n 's/.*drop # handle \([0-9]*\)$/\1/p')"
}
jump_path_traffic() {
	local p
	for p in 5130 5131 5132 5133 5134; do
		in_c $SEND udp $R4 $p 1
	done
}
check_jump_path() {
	captured || return 1
	local z=$(fact_get 'h_jump zones') g=$(fact_get 'h_udp dport 5131 goto public')
	local v=$(fact_get h_vmap) j=$(fact_get 'h_udp dport 5132 jump public')
	local jd=$(fact_get 'h_jump deny') d=$(fact_get h_deny)
	fields "$T/out.pcapng" udp.dstport frame.comment | sed 's/\\n/\n/g' >"$T/lines"
	cat >"$T/want" <<-EOW
	5130|table inet filter chain public handle $(fact_get 'h_udp dport 5130 drop') drop: udp dport 5130 drop
	path: input handle $z jump zones, zones handle $v jump public (vmap)
	element: 5130 : jump public
	5131|table inet filter chain public handle $(fact_get 'h_udp dport 5131 drop') drop: udp dport 5131 drop
	path: input handle $z jump zones, zones handle $g goto public
	5132|table inet filter chain deny handle $d drop: drop
	path: input handle $z jump zones, zones handle $j jump public, public handle $jd jump deny
	5133|table inet filter chain deny handle $d drop: drop
	path: input handle $z jump zones, zones handle $v goto deny (vmap)
	element: 5133 : goto deny
	5134|table inet filter chain input handle $(fact_get 'h_udp dport 5134 drop') drop: udp dport 5134 drop
	EOW
	# one record per packet (the file need not be in sending order)
	grep -v '^netns ' "$T/lines" | packet_records | sort >"$T/got"
	packet_records <"$T/want" | sort >"$T/want.sorted"
	diff "$T/want.sorted" "$T/got" >&2 || fail "comments and paths differ (want, got)"
}

# Which element of a verdict map sent the packet to its fate, with its
# comment (kube-proxy names the Service there): a named map keyed by
# address . protocol . port that goes to a rejecting chain, an anonymous
# map whose element drops, an interval map.
t_vmap_element() {
	capture "table ip kp {
		map no-endpoints { type ipv4_addr . inet_proto . inet_service : verdict
			elements = { $R4 . udp . 5140 comment \"ns1/svc-a:dns\" : goto reject-chain,
				     $R4 . tcp . 5140 comment \"ns1/svc-a:web\" : goto reject-chain } }
		map ranges { type ipv4_addr : verdict; flags interval
			elements = { 10.77.0.0/16 : jump deny, 192.168.0.0/16 : accept } }
		chain input { type filter hook input priority 0;
			ip daddr . meta l4proto . th dport vmap @no-endpoints
			udp dport vmap { 5141 : drop, 5150-5159 : accept }
			udp dport 5142 ip saddr vmap @ranges; }
		chain reject-chain { reject; }
		chain deny { drop; } }" \
		vmap_element_traffic || return 1
}
vmap_element_traffic() {
	in_c $SEND udp $R4 5140 1 && in_c $SEND udp $R4 5141 1 &&
		in_c $SEND udp $R4 5142 1
}
check_vmap_element() {
	captured || return 1
	fields "$T/out.pcapng" udp.dstport frame.comment | sed 's/\\n/\n/g' |
		grep -v '^netns \|^path: ' | packet_records |
		sed 's/ handle [0-9]* / handle H /; s/|table ip kp chain [a-z-]* /|/' | sort >"$T/got"
	cat >"$T/want" <<-EOW
	5140|handle H drop: reject ~ element: $R4 . udp . 5140 : goto reject-chain comment "ns1/svc-a:dns" ~ 
	5141|handle H drop: udp dport vmap { 5141 : drop, 5150-5159 : accept } ~ element: 5141 : drop ~ 
	5142|handle H drop: drop ~ element: 10.77.0.0/16 : jump deny ~ 
	EOW
	diff "$T/want" "$T/got" >&2 || fail "element lines differ (want, got)"
}

# Rules iptables-nft made, as Docker makes them: each drop also names the
# rule as iptables-nft-save prints it; nft's warning that iptables-nft
# manages the table is not on nfdropcap's stderr.
t_iptables_nft() {
	command -v iptables-nft >/dev/null || skip "no iptables-nft here"
	in_r iptables-nft -N DOCKER-ISOLATION &&
		in_r iptables-nft -A FORWARD -j DOCKER-ISOLATION &&
		in_r iptables-nft -A DOCKER-ISOLATION -i r0 ! -o r0 -p udp --dport 5160 -j DROP &&
		in_r iptables-nft -A INPUT -p udp --dport 5161 -j DROP ||
		fail "iptables-nft rules" || return 1
	nfd_start -w "$T/out.pcapng" || return 1
	in_c $SEND udp $S4 5160 2
	in_c $SEND udp $R4 5161 1
	nfd_stop
	expect_eq "$NFD_RC" 0 "exit status" || return 1
	fact hf "$(handle_of 'jump DOCKER-ISOLATION')"
	in_r iptables-nft -F && in_r iptables-nft -X
	in_r nft delete table ip filter
	! grep -i 'warning\|iptables-nft' "$T/nfd.err" || fail "nft's words on stderr"
}
check_iptables_nft() {
	captured || return 1
	fields "$T/out.pcapng" udp.dstport frame.comment | sed 's/\\n/\n/g' |
		grep -v '^netns ' | packet_records |
		sed 's/ handle [0-9]* drop/ handle H drop/' | sort -u >"$T/got"
	cat >"$T/want" <<-EOW
	5160|table ip filter chain DOCKER-ISOLATION handle H drop: iifname "r0" oifname != "r0" udp dport 5160 counter drop ~ path: FORWARD handle $(fact_get hf) jump DOCKER-ISOLATION ~ iptables: -A DOCKER-ISOLATION -i r0 ! -o r0 -p udp -m udp --dport 5160 -j DROP ~ 
	5161|table ip filter chain INPUT handle H drop: udp dport 5161 counter drop ~ iptables: -A INPUT -p udp -m udp --dport 5161 -j DROP ~ 
	EOW
	diff "$T/want" "$T/got" >&2 || fail "comments differ (want, got)"
}
