# SPDX-License-Identifier: GPL-2.0
# End-to-end scenarios: real rulesets in test namespaces, real packets, the
# real BPF programs, files checked with tshark, capinfos and tcpdump.
# Each test NAME is two functions, each run in its own subshell with $T its
# scratch directory (see tests/lib.sh): t_NAME produces (where the kernel
# under test runs: the host, or a VM of tests/kernels/), check_NAME, when
# there is one, checks the files t_NAME left in $T (on the host). Either
# fails the test by returning non-zero.

# load_rules TEXT: an nft script into R
load_rules() {
	# nft 1.0 wants a newline between closing braces
	printf '%s\n' "$1" | sed -e 's/} }/}\n}/g' -e 's/} }/}\n}/g' |
		in_r nft -f - || fail "nft -f rejected the ruleset"
}

# capture RULES CMD...: load RULES in R, capture to $T/out.pcapng while
# CMD runs, stop with SIGINT, check the exit status (the file: captured).
capture() {
	load_rules "$1" || return 1
	shift
	nfd_start -w "$T/out.pcapng" || return 1
	"$@"
	nfd_stop; expect_eq "$NFD_RC" 0 "exit status after SIGINT"
}

# captured: the file of capture is valid (check phase)
captured() {
	file_valid "$T/out.pcapng"
}

# expect_drops N REGEX: the file holds N packets, each commented REGEX
expect_drops() {
	local got
	got=$(packets "$T/out.pcapng")
	expect_eq "$got" "$1" "packets in the file" || return 1
	# the first comment line (tshark shows a newline as \n)
	fields "$T/out.pcapng" frame.comment | sed 's/\\n.*//' >"$T/comments"
	got=$(grep -cvE -- "^$2" "$T/comments")
	[ "$got" = 0 ] || {
		head -n3 "$T/comments"
		fail "$got comments do not match /^$2/"
	}
}

# expect_if NAME DIR: every packet was seen on interface NAME, DIR 1=in 2=out
expect_if() {
	local bad
	bad=$(fields "$T/out.pcapng" frame.interface_name \
		frame.packet_flags_direction | grep -cv "^$1|0x0000000$2")
	expect_eq "$bad" 0 "packets not on $1 direction $2"
}

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
	[ "$n" -ge 3 ] || fail "want at least 3 SYNs, got $n"
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

t_snaplen() {
	load_rules "table inet filter { chain input {
		type filter hook input priority 0; udp dport 5018 drop; } }" || return 1
	nfd_start -s 200 -w "$T/out.pcapng" || return 1
	in_c $SEND udp $R4 5018 2 1400
	nfd_stop; expect_eq "$NFD_RC" 0 "exit status"
}
check_snaplen() {
	captured || return 1
	# 20 bytes of LINUX_SLL2 header + IPv4 20 + UDP 8 + 1400
	expect_eq "$(fields "$T/out.pcapng" frame.len frame.cap_len | sort -u)" "1448|200" "length|captured"
}

# A 60000-byte write leaves the sender as GSO packets with paged data: all
# of it must be captured, byte for byte. (TCP sizes GSO packets from its
# pacing rate, down to tcp_min_tso_segs segments when the RTT it measured
# is long, as in an emulated VM: at least 10 segments, whatever the RTT.)
t_large_paged() {
	load_rules "table inet filter { chain forward {
		type filter hook forward priority 0;
		tcp dport 5019 meta length > 1500 drop; } }" || return 1
	in_c sysctl -qw net.ipv4.tcp_min_tso_segs=10 || return 1
	in_s $SEND listen $S4 5019 6 >"$T/listen.out" &
	local lpid=$! rc
	sleep 0.3
	nfd_start -w "$T/out.pcapng" || return 1
	in_c $SEND tcp $S4 5019 60000
	nfd_stop; expect_eq "$NFD_RC" 0 "exit status"
	rc=$?
	kill $lpid 2>/dev/null
	return $rc
}
check_large_paged() {
	captured || return 1
	fields "$T/out.pcapng" frame.len frame.cap_len tcp.payload >"$T/f"
	local big=$(awk -F'|' '$1 > 3000 && $1 == $2' "$T/f" | head -n1)
	[ -n "$big" ] || { head -c 300 "$T/f"; fail "no fully captured packet over 3000 bytes"; return 1; }
	# the payload is the sender's A..Z pattern, no byte lost or zeroed
	printf '%s\n' "${big##*|}" | awk '{
		n = length($0) / 2; prev = -1; bad = 0
		for (i = 0; i < n; i++) {
			c = index("0123456789abcdef", substr($0, 2*i+1, 1)) * 16 - 17 + index("0123456789abcdef", substr($0, 2*i+2, 1))
			if (c < 65 || c > 90) bad++
			else if (prev >= 0 && c != (prev - 65 + 1) % 26 + 65) bad++
			prev = c
		}
		exit bad != 0 || n < 3000 }' || fail "payload is not the sent pattern"
}

# -w - to a pipe: each drop is in the pipe as it happens, before nfdropcap
# stops. What a reader of the pipe had by then is kept in live.pcapng and
# read with tcpdump.
t_pipe_tcpdump() {
	load_rules "table inet filter { chain input {
		type filter hook input priority 0; udp dport 5020 drop; } }" || return 1
	nfd -N "$R" -w - 2>"$T/nfd.err" | cat >"$T/stream.pcapng" &
	local pipe=$!
	for _ in $(patience 100); do
		grep -q '^nfdropcap: capturing' "$T/nfd.err" && break
		pgrep -f "nfdropcap.* -N $R -w -" >/dev/null || break
		sleep 0.1
	done
	grep -q '^nfdropcap: capturing' "$T/nfd.err" || {
		cat "$T/nfd.err"
		wait $pipe
		fail "nfdropcap did not get ready"
		return 1
	}
	in_c $SEND udp $R4 5020 3
	for _ in $(patience 30); do
		[ "$(epb_count "$T/stream.pcapng")" -ge 3 ] && break
		sleep 0.1
	done
	cp "$T/stream.pcapng" "$T/live.pcapng"
	pkill -INT -f "nfdropcap.* -N $R -w -"
	wait $pipe
}
check_pipe_tcpdump() {
	tcpdump -nr "$T/live.pcapng" >"$T/tcpdump.out" 2>"$T/tcpdump.err"
	expect_eq "$(grep -c "$C4.* > $R4.5020: UDP" "$T/tcpdump.out")" 3 "packets tcpdump read from the pipe while capturing"
}

t_count() {
	load_rules "table inet filter { chain input {
		type filter hook input priority 0; udp dport 5021 drop; } }" || return 1
	nfd_start -c 2 -w "$T/out.pcapng" || return 1
	in_c $SEND udp $R4 5021 5
	nfd_wait; expect_eq "$NFD_RC" 0 "exit status after -c 2"
}
check_count() {
	captured && expect_eq "$(packets "$T/out.pcapng")" 2 "packets"
}

t_filter_expression() {
	load_rules "table inet filter { chain input {
		type filter hook input priority 0; udp dport { 5022, 5023 } drop; } }" || return 1
	nfd_start -w "$T/out.pcapng" udp dst port 5022 || return 1
	in_c $SEND udp $R4 5022 3
	in_c $SEND udp $R4 5023 4
	nfd_stop; expect_eq "$NFD_RC" 0 "exit status"
}
check_filter_expression() {
	captured &&
		expect_eq "$(fields "$T/out.pcapng" udp.dstport | sort | uniq -c | awk '{print $1"x"$2}')" 3x5022 "filtered drops"
}

# With a filter, backend nftrace traces only packets the filter matches,
# tested at the start of every hook: a packet redirected at prerouting to a
# port the filter names is traced from input on and attributed; one that
# matches only after a rewrite in the hook that drops it is captured and
# written as not traced (fentry and kprobe trace nothing: they attribute
# it); accepted packets the filter rejects are never traced.
t_filter_narrows() {
	filter_narrows udp dst port 5091 or udp dst port 5093
}
check_filter_narrows() {
	check_narrowed
}

# The same with a filter longer than xt_bpf's 64 classic instructions:
# run as an eBPF socket filter.
t_filter_narrows_long() {
	filter_narrows udp dst port 5091 or udp dst port 5093 \
		$(for p in $(seq 1 16); do printf 'or udp port %s ' $p; done)
}
check_filter_narrows_long() {
	check_narrowed
}

filter_narrows() {
	local mon
	load_rules "table inet nat {
		chain pre { type nat hook prerouting priority -100;
			udp dport 5090 redirect to :5091
			udp dport 5094 redirect to :5093; } }
	table inet filter {
		chain pre { type filter hook prerouting priority 0;
			udp dport 5093 counter drop; }
		chain input { type filter hook input priority 0;
			udp dport { 5091, 5092 } counter drop; } }" || return 1
	in_r nft monitor trace >"$T/trace" 2>/dev/null &
	mon=$!
	nfd_start -w "$T/out.pcapng" "$@" || return 1
	in_c $SEND udp $R4 5090 3
	in_c $SEND udp $R4 5092 4
	in_c $SEND udp $R4 5094 2
	in_c $SEND udp $R4 5095 20
	nfd_stop; expect_eq "$NFD_RC" 0 "exit status" || return 1
	kill $mon; wait $mon 2>/dev/null
	fact backend "$(nfd_backend_used)"
	fact traced91 "$(grep -c 'dport 5091' "$T/trace")"
	fact traced95 "$(grep -c 'dport 5095' "$T/trace")"
	fact hi "$(handle_of 'dport \{ 5091, 5092 \} counter')"
	fact hp "$(handle_of 'udp dport 5093 counter')"
	fact ni "$(counter_of 'dport \{ 5091, 5092 \} counter')"
	fact np "$(counter_of 'udp dport 5093 counter')"
}
check_narrowed() {
	captured || return 1
	expect_eq "$(fact_get ni)/$(fact_get np)" 7/2 "drops counted by the rules" || return 1
	fields "$T/out.pcapng" udp.dstport frame.comment | sed 's/\\n.*//' >"$T/f"
	local in="^5091\|table inet filter chain input handle $(fact_get hi) drop: " pre
	case $(fact_get backend) in
	nftrace)
		pre="^5093\|netfilter drop \(not attributed: nfdropcap's trace rule did not mark it"
		expect_eq "$(fact_get traced95)" 0 "trace lines of packets the filter rejects" &&
			[ "$(fact_get traced91)" -gt 0 ] ||
			fail "no trace line of the packets the filter matches" ;;
	*) pre="^5093\|table inet filter chain pre handle $(fact_get hp) drop: udp dport 5093 counter drop$" ;;
	esac || return 1
	expect_eq "$(grep -cE "$in" "$T/f")/$(grep -cE "$pre" "$T/f")/$(wc -l <"$T/f")" 3/2/5 \
		"input drops/prerouting drops/packets" || { cat "$T/f"; return 1; }
}

t_gzip() {
	load_rules "table inet filter { chain input {
		type filter hook input priority 0; udp dport 5024 drop; } }" || return 1
	nfd_start -w "$T/out.pcapng.gz" || return 1
	in_c $SEND udp $R4 5024 3
	nfd_stop; expect_eq "$NFD_RC" 0 "exit status"
}
check_gzip() {
	gzip -t "$T/out.pcapng.gz" || fail "not a valid gzip file" || return 1
	file_valid "$T/out.pcapng.gz" &&
		expect_eq "$(packets "$T/out.pcapng.gz")" 3 "packets"
}

t_text_lines() {
	load_rules "table inet filter { chain input {
		type filter hook input priority 0; udp dport 5025 drop; } }" || return 1
	"$NFD" ${NFD_BACKEND:+--backend "$NFD_BACKEND"} -N "$R" >"$T/out.txt" 2>"$T/nfd.err" &
	NFD_PID=$!
	for _ in $(patience 100); do
		grep -q '^nfdropcap: capturing' "$T/nfd.err" && break
		kill -0 $NFD_PID 2>/dev/null || break
		sleep 0.1
	done
	in_c $SEND udp $R4 5025 2
	nfd_stop; expect_eq "$NFD_RC" 0 "exit status" || return 1
	expect_eq "$(grep -cE "^[0-9:.]+ r0 In  IP $C4\.[0-9]+ > $R4\.5025: UDP, length 16 \[table inet filter chain input handle [0-9]+ drop: udp dport 5025 drop\]$" "$T/out.txt")" 2 "lines" ||
		cat "$T/out.txt"
}

t_netns_path_and_summary() {
	load_rules "table inet filter { chain input {
		type filter hook input priority 0; udp dport 5026 counter drop; } }" || return 1
	local pid
	in_r sleep 30 &
	pid=$!
	sleep 0.2
	nfd_start_in "/proc/$(pgrep -n -f "^sleep 30$")/ns/net" -w "$T/out.pcapng" || return 1
	in_c $SEND udp $R4 5026 4
	nfd_stop; expect_eq "$NFD_RC" 0 "exit status" || return 1
	kill $pid 2>/dev/null
	grep -q "nfdropcap: 4 captured, 0 lost, 0 unattributed" "$T/nfd.err" ||
		fail "summary: $(cat "$T/nfd.err")" || return 1
	grep -qE "^nfdropcap: +4  table inet filter chain input handle [0-9]+ drop$" "$T/nfd.err" ||
		fail "per-rule count: $(cat "$T/nfd.err")"
}
check_netns_path_and_summary() {
	expect_eq "$(packets "$T/out.pcapng")" 4 "packets"
}

t_sigterm_flood() {
	load_rules "table inet filter { chain input {
		type filter hook input priority 0; udp dport 5027 drop; } }" || return 1
	nfd_start -w "$T/out.pcapng" || return 1
	in_c $SEND flood $R4 5027 3 0 64 >/dev/null &
	local fl=$!
	sleep 1.5
	nfd_stop TERM; expect_eq "$NFD_RC" 0 "exit status after SIGTERM" || return 1
	wait $fl
}
check_sigterm_flood() {
	captured || return 1
	local n=$(packets "$T/out.pcapng")
	[ "$n" -gt 1000 ] || fail "only $n packets during a flood"
	grep -q "^nfdropcap: $n captured" "$T/nfd.err" || fail "summary does not say $n captured: $(cat "$T/nfd.err")"
}

t_sigkill_leaves_nothing() {
	nfd_start -w "$T/out.pcapng" || return 1
	if [ "$(nfd_backend_used)" = nftrace ]; then
		in_r nft list tables | grep -q "inet nfdropcap_$NFD_PID" ||
			fail "no trace table while capturing" || return 1
	fi
	kill -KILL $NFD_PID
	wait $NFD_PID 2>/dev/null
	sleep 0.5
	expect_nothing_left
}

# No trace table and no BPF program of nfdropcap's stays behind (the
# kernel frees programs a moment after their last reference goes).
expect_nothing_left() {
	local tables progs
	for _ in $(patience 30); do
		tables=$(in_r nft list tables | grep -c nfdropcap)
		progs=$(bpftool prog show | grep -c 'name nfd_')
		[ "$tables$progs" = 00 ] && return 0
		sleep 0.1
	done
	expect_eq "$tables" 0 "nfdropcap tables left" &&
		expect_eq "$progs" 0 "BPF programs left"
}

t_clean_exit_leaves_nothing() {
	nfd_start -w "$T/out.pcapng" || return 1
	nfd_stop; expect_eq "$NFD_RC" 0 "exit status" || return 1
	expect_nothing_left
}
# a capture that saw no drop is still a file every reader opens
check_clean_exit_leaves_nothing() {
	captured && expect_eq "$(packets "$T/out.pcapng")" 0 "packets"
}

# 48000 packets in 2 s (12000 when slow: under emulation nfdropcap's
# reader would fall behind and lose some, and this test wants none lost)
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
	grep -q "nfdropcap: [0-9]* captured, 0 lost, 0 unattributed" "$T/nfd.err" ||
		fail "losses or unattributed drops: $(head -n2 "$T/nfd.err" | tail -n1)" || return 1
	for p in 6001 6002 6003 6004 6005; do
		fact "counter$p" "$(counter_of "udp dport $p counter")"
	done
}
check_concurrent_exact() {
	captured || return 1
	fields "$T/out.pcapng" udp.dstport frame.comment >"$T/f"
	local wrong=$(awk -F'|' 'index($2, "udp dport " $1 " counter drop") == 0' "$T/f" | wc -l)
	expect_eq "$wrong" 0 "packets attributed to another rule" || return 1
	local total=0
	for p in 6001 6002 6003 6004 6005; do
		local want=$(fact_get "counter$p")
		local got=$(grep -c "^$p|" "$T/f")
		expect_eq "$got" "$want" "drops of port $p in the file vs the rule's counter" || return 1
		total=$((total + got))
	done
	[ $total -gt 5000 ] || fail "only $total drops"
	echo "info: $total concurrent drops on 2 CPUs, 5 rules, 0 wrong, 0 lost, 0 unattributed"
}

# Bad input: one line naming the problem, and the documented status.
expect_status() {
	local want=$1
	shift
	"$@" >"$T/out" 2>"$T/err"
	local rc=$?
	expect_eq "$rc" "$want" "exit status of: ${*#nfd }" || { cat "$T/err"; return 1; }
	expect_eq "$(wc -l <"$T/err")" 1 "error lines of: ${*#nfd }" || { cat "$T/err"; return 1; }
	expect_match "$(cat "$T/err")" "^nfdropcap: " "error message"
}

t_bad_input() {
	expect_status 2 nfd --no-such-option &&
		expect_status 2 nfd -N "$R" -w "$T/x" 'udp port' &&
		expect_status 2 nfd -N "$R" -w "$T/x" 'tcp port 99999' &&
		expect_status 2 nfd -s -5 -w "$T/x" &&
		expect_status 2 nfd -s 300000 -w "$T/x" &&
		expect_status 2 nfd -s abc -w "$T/x" &&
		expect_status 2 nfd -c 0 -w "$T/x" &&
		expect_status 2 nfd -N no-such-netns-here -w "$T/x" &&
		expect_status 2 nfd -N /etc/hostname -w "$T/x" &&
		expect_status 2 nfd --backend nope -w "$T/x" &&
		expect_status 1 nfd -N "$R" -w /nonexistent-dir/x.pcapng &&
		expect_status 1 env NFDROPCAP_BTF=/nonexistent/vmlinux "$NFD" \
			${NFD_BACKEND:+--backend "$NFD_BACKEND"} -N "$R" -w "$T/x" &&
		expect_status 1 setpriv --reuid=65534 --regid=65534 --clear-groups \
			--inh-caps=-all "$NFD" ${NFD_BACKEND:+--backend "$NFD_BACKEND"} \
			-w "$T/x" || return 1
	grep -q 'privileges' "$T/err" || fail "no word on privileges: $(cat "$T/err")"
	[ ! -e "$T/x" ] || fail "a failed start left $T/x behind"
}

t_help_version() {
	nfd --help >"$T/help" || fail "--help failed" || return 1
	for opt in -w -s -c -N --netns --backend -v -q; do
		grep -q -- "$opt" "$T/help" || fail "--help does not mention $opt" || return 1
	done
	expect_match "$(nfd --version)" "^nfdropcap [0-9]+\.[0-9]+" "--version"
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
	expect_eq "$(grep -c '^5030|netfilter drop (not attributed: dropped outside nftables' "$T/f")" 4 "iptables drops named as such" &&
		expect_eq "$(grep -c '^5031|table inet filter chain input handle [0-9]* drop: udp dport 5031 drop$' "$T/f")" 3 "nftables drops" &&
		expect_eq "$(grep -c handle "$T/f")" 3 "comments naming a handle"
}

# More drops than a tiny buffer holds: every one the kernel counted is
# either in the file or reported lost, in the summary and in the file.
t_losses_counted() {
	load_rules "table inet filter { chain input {
		type filter hook input priority 0; udp dport 5032 counter drop; } }" || return 1
	nfd_start -B 64 -w "$T/out.pcapng" || return 1
	in_c $SEND flood $R4 5032 1 0 8000 >/dev/null
	nfd_stop
	expect_eq "$NFD_RC" 0 "exit status" || return 1
	local counted=$(counter_of 'udp dport 5032 counter')
	local line=$(grep -E '^nfdropcap: [0-9]+ captured' "$T/nfd.err")
	local captured=$(echo "$line" | awk '{print $2}')
	local lost=$(echo "$line" | awk '{print $4}')
	fact counted "$counted"
	fact captured "$captured"
	fact lost "$lost"
	expect_eq "$((captured + lost))" "$counted" "captured + lost vs the rule's counter"
}
check_losses_counted() {
	captured || return 1
	local counted=$(fact_get counted) captured=$(fact_get captured) lost=$(fact_get lost)
	expect_eq "$(packets "$T/out.pcapng")" "$captured" "packets in the file vs summary" || return 1
	local marked=$(fields "$T/out.pcapng" frame.drop_count | awk '{s += $1} END {print s + 0}')
	[ "$marked" -le "$lost" ] || fail "epb_dropcount sums to $marked, more than $lost lost"
	echo "info: counter $counted = $captured captured + $lost lost; $marked marked in epb_dropcount"
	return 0
}

# A full disk stops the capture with status 1, and the file holds a valid
# pcapng of every drop written before.
t_disk_full() {
	mkdir -p "$T/small" && mount -t tmpfs -o size=256k tmpfs "$T/small" ||
		skip "cannot mount a small tmpfs here"
	load_rules "table inet filter { chain input {
		type filter hook input priority 0; udp dport 5033 drop; } }" || return 1
	nfd_start -w "$T/small/out.pcapng" || { umount "$T/small"; return 1; }
	in_c $SEND flood $R4 5033 1 20000 1000 >/dev/null
	nfd_wait 50
	[ "$NFD_RC" = timeout ] && nfd_stop
	cp "$T/small/out.pcapng" "$T/out.pcapng"
	umount "$T/small"
	expect_eq "$NFD_RC" 1 "exit status on a full disk" || return 1
	grep -q 'No space left on device' "$T/nfd.err" || fail "no word on the full disk: $(cat "$T/nfd.err")"
}
check_disk_full() {
	captured || return 1
	local n=$(packets "$T/out.pcapng")
	[ "$n" -gt 10 ] || fail "only $n packets before the disk was full"
}

t_sighup() {
	load_rules "table inet filter { chain input {
		type filter hook input priority 0; udp dport 5034 drop; } }" || return 1
	nfd_start -w "$T/out.pcapng" || return 1
	in_c $SEND udp $R4 5034 2
	nfd_stop HUP
	expect_eq "$NFD_RC" 0 "exit status after SIGHUP"
}
check_sighup() {
	captured && expect_eq "$(packets "$T/out.pcapng")" 2 "packets"
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

# --all-netns: drops in three namespaces at once, and in one created after
# the start, each on its own interface and namespace; all trace tables gone
# afterwards. On the host nfdropcap runs in R and in a PID namespace of its
# own, so it finds the test's namespaces (/run/netns) and never the host's;
# in a test VM every namespace is the test's.
t_all_netns() {
	local late=nfdt-l-$SUFFIX up isolate=()
	if ip netns exec "$R" unshare --pid --fork --mount-proc \
		--propagation unchanged true 2>/dev/null; then
		isolate=(ip netns exec "$R" unshare --pid --fork --mount-proc
			--propagation unchanged)
	elif ! slow; then
		skip "cannot keep --all-netns off the host's namespaces (unshare --pid --mount-proc failed)"
	fi
	for ns in "$C" "$R" "$S"; do
		printf 'table inet f {\nchain input { type filter hook input priority 0; udp dport 5070 drop; }\n}\n' |
			ip netns exec "$ns" nft -f - || return 1
	done
	"${isolate[@]}" "$NFD" ${NFD_BACKEND:+--backend "$NFD_BACKEND"} \
		--all-netns -w "$T/out.pcapng" 2>"$T/nfd.err" &
	up=$!
	for _ in $(patience 100); do
		grep -q '^nfdropcap: capturing drops in all network namespaces' "$T/nfd.err" && break
		sleep 0.1
	done
	in_c $SEND udp $R4 5070 2 # dropped in R
	in_r $SEND udp $C4 5070 3 # in C
	in_r $SEND udp $S4 5070 4 # in S
	ip netns add "$late" && ip -n "$late" link set lo up
	printf 'table ip late {\nchain output { type filter hook output priority 0; udp dport 5071 drop; }\n}\n' |
		ip netns exec "$late" nft -f -
	for _ in $(patience 30); do # one scan of the namespaces, about 1 s
		if [ "$(nfd_backend_used)" != nftrace ]; then
			sleep 1.5 # no table to wait for
			break
		fi
		ip netns exec "$late" nft list tables | grep -q nfdropcap && break
		sleep 0.1
	done
	ip netns exec "$late" $SEND udp 127.0.0.1 5071 5
	if slow; then sleep 1; else sleep 0.3; fi
	pkill -INT -f -- "--all-netns -w $T/out.pcapng"
	wait $up
	fact rc $?
	fact late "$late"
	fact c "$C"
	fact r "$R"
	fact s "$S"
	sleep 0.5
	fact left "$(for ns in "$C" "$R" "$S" "$late"; do ip netns exec "$ns" nft list tables; done | grep -c nfdropcap)"
	ip netns del "$late"
}
check_all_netns() {
	expect_eq "$(fact_get rc)" 0 "exit status" &&
		expect_eq "$(fact_get left)" 0 "trace tables left" || return 1
	captured || return 1
	local late=$(fact_get late) C=$(fact_get c) R=$(fact_get r) S=$(fact_get s)
	fields "$T/out.pcapng" frame.interface_description frame.comment |
		sed -e 's/\\n.*//' -e 's/ (net:\[[0-9]*\])//' | sort | uniq -c |
		sed 's/^ *//' >"$T/f"
	grep -qx "3 c0 (ifindex 2) in network namespace $C|table inet f chain input handle 2 drop: udp dport 5070 drop" "$T/f" &&
		grep -qx "2 r0 (ifindex 2) in network namespace $R|table inet f chain input handle 2 drop: udp dport 5070 drop" "$T/f" &&
		grep -qx "4 s0 (ifindex 2) in network namespace $S|table inet f chain input handle 2 drop: udp dport 5070 drop" "$T/f" &&
		grep -qx "5 lo (ifindex 1) in network namespace $late|table ip late chain output handle 2 drop: udp dport 5071 drop" "$T/f" ||
		{ cat "$T/f"; fail "drops per namespace"; }
}

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

# expect_refused BACKEND REGEX: --backend BACKEND does not start here:
# status 1, one line on stderr matching REGEX, no file left behind.
expect_refused() {
	"$NFD" --backend "$1" -N "$R" -w "$T/x.pcapng" 2>"$T/err"
	expect_eq $? 1 "exit status of a refused --backend $1" &&
		expect_eq "$(wc -l <"$T/err")" 1 "lines on stderr" &&
		expect_match "$(cat "$T/err")" "$2" "the refusal" || return 1
	[ ! -e "$T/x.pcapng" ] || fail "a refused start left its file behind"
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
