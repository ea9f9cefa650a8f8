# SPDX-License-Identifier: GPL-2.0
# Network namespaces: -N by path, --all-netns with namespaces that come
# later, each interface described with its namespace.
# (Scenarios: see tests/lib.sh; tests/run.sh lists the files.)

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
		ip netns exec "$late" nft list tables | grep -c nfdropcap >/dev/null && break
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
