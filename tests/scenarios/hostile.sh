# SPDX-License-Identifier: GPL-2.0
# Hostile input: what a namespace's owner (any local user, with unshare -rn)
# or the user's file system can throw at nfdropcap, which runs as root.
# (Scenarios: see tests/lib.sh; tests/run.sh lists the files.)

# hostile_link: a veth from C into R whose name in R is hostile; C reaches
# R at 10.77.3.254 through it.
HOSTILE_IF=$'e\e]0;PWNED\ah0'
hostile_link() {
	ip link add hc0 netns "$C" type veth peer name "$HOSTILE_IF" netns "$R" ||
		return 1
	in_c ip addr add 10.77.3.1/24 dev hc0
	in_r ip addr add 10.77.3.254/24 dev "$HOSTILE_IF"
	ip -n "$C" link set hc0 up
	ip -n "$R" link set "$HOSTILE_IF" up
	in_c $SEND udp 10.77.3.254 9 1 # ARP resolved before the capture
	sleep 0.2
}

# has_controls FILE: does text FILE hold a C0 control (other than a
# newline), DEL, or a C1 control as UTF-8?
has_controls() {
	LC_ALL=C grep -qP '[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]' "$1"
}

# raw_hostile FILE: does (binary) FILE hold one of the hostile strings
# unescaped? (Sequences of 3 bytes or more: single bytes occur in any
# binary file.)
raw_hostile() {
	LC_ALL=C grep -aqF -e $'filter\e[31m' -e $'\e]0;PWN' -e $'PWN\a' \
		-e $'\a\xc2\x9b' "$1" ||
		LC_ALL=C grep -azqP 'drop\nnetns init' "$1"
}

# Names and a comment a tenant chose to move the operator's terminal and to
# forge a second comment line and another handle: every output escapes them
# (pcapng comment, IDB, text line, summary); the first comment line is one
# line, with the kernel's handle.
t_hostile_names() {
	local table=$'filter\e[31m' chain=$'input chain x handle 99 drop\nnetns init'
	local comment=$'x # handle 4 \e]0;PWN\a\xc2\x9b' h
	hostile_link || { ip -n "$C" link del hc0 2>/dev/null; return 1; }
	in_r "$NFDNFT" hostile "$table" "$chain" 5097 "$comment" ||
		fail "nfd-nft could not make the hostile ruleset" || return 1
	h=$(handle_of 'dport 5097')
	fact h "$h"
	fact r "$R"
	nfd_start -w "$T/out.pcapng" || return 1
	in_c $SEND udp 10.77.3.254 5097 2
	nfd_stop; expect_eq "$NFD_RC" 0 "exit status" || return 1
	cp "$T/nfd.err" "$T/summary.err"
	# the same drops in text mode
	"$NFD" ${NFD_BACKEND:+--backend "$NFD_BACKEND"} -N "$R" >"$T/out.txt" 2>"$T/nfd.err" &
	NFD_PID=$!
	nfd_ready "$T/nfd.err"
	in_c $SEND udp 10.77.3.254 5097 2
	nfd_stop
	ip -n "$C" link del hc0
	expect_eq "$NFD_RC" 0 "exit status (text)"
}
check_hostile_names() {
	local h want line R=$(fact_get r)
	h=$(fact_get h)
	want="table inet filter\\x1b[31m chain input chain x handle 99 drop\\x0anetns init handle $h drop"
	captured && expect_eq "$(packets "$T/out.pcapng")" 2 "packets" || return 1
	! raw_hostile "$T/out.pcapng" || fail "a hostile string unescaped in the file" ||
		return 1
	for f in out.txt summary.err nfd.err; do
		! has_controls "$T/$f" || fail "a raw control character in $f" || return 1
	done
	# tshark shows a comment's newline as \n and a backslash as \\
	fields "$T/out.pcapng" frame.comment | sed 's/\\\\/\\/g' >"$T/comments"
	while IFS= read -r line; do
		case $line in
		"$want: "*"udp dport 5097 drop comment \"x # handle 4 \\x1b]0;PWN\\x07\\xc2\\x9b\"\\nnetns $R interface e\\x1b]0;PWNED\\x07h0 inbound") ;;
		"$want\\nrule text unavailable: "*"\\nnetns $R interface e\\x1b]0;PWNED\\x07h0 inbound") ;;
		*) fail "comment: $line"; return 1 ;;
		esac
	done <"$T/comments"
	expect_eq "$(fields "$T/out.pcapng" frame.interface_name | sort -u | sed 's/\\\\/\\/g')" \
		'e\x1b]0;PWNED\x07h0' "interface name" || return 1
	expect_eq "$(grep -cF " e\\x1b]0;PWNED\\x07h0 In  IP 10.77.3.1." "$T/out.txt")" 2 \
		"text lines on the escaped interface" || return 1
	grep -qF "[$want" "$T/out.txt" || fail "text lines: $(cat "$T/out.txt")" || return 1
	grep -qF "nfdropcap:          2  $want" "$T/summary.err" ||
		fail "summary: $(cat "$T/summary.err")"
}

# A start that fails after -w's file was opened (here: a backend refused
# everywhere) leaves a file that was there before byte for byte, and does
# not remove /dev/null; -w never writes through a symbolic link; a file
# nfdropcap creates is 0600, an existing one is replaced only once the
# capture runs.
t_failed_start_keeps_files() {
	local refuse=(env NFDROPCAP_KPROBE_REGS=bad "$NFD" --backend kprobe -N "$R")
	printf 'precious\n' >"$T/existing.pcapng"
	cp "$T/existing.pcapng" "$T/existing.orig"
	"${refuse[@]}" -w "$T/existing.pcapng" 2>"$T/err"
	expect_eq $? 1 "exit status of a failed start" || return 1
	cmp -s "$T/existing.pcapng" "$T/existing.orig" ||
		fail "a failed start changed an existing file" || return 1
	"${refuse[@]}" -w /dev/null 2>"$T/err"
	expect_eq $? 1 "exit status of a failed start on /dev/null" &&
		[ -c /dev/null ] || fail "a failed start removed /dev/null" || return 1
	printf 'target\n' >"$T/target"
	ln -s target "$T/link.pcapng"
	nfd -N "$R" -w "$T/link.pcapng" 2>"$T/err"
	expect_eq $? 1 "exit status with -w on a symbolic link" &&
		expect_eq "$(wc -l <"$T/err")" 1 "lines on stderr" &&
		expect_match "$(cat "$T/err")" "^nfdropcap: .*symbolic link" "the refusal" &&
		[ -L "$T/link.pcapng" ] && expect_eq "$(cat "$T/target")" target "the link's target" ||
		return 1
	load_rules "table inet filter { chain input {
		type filter hook input priority 0; udp dport 5098 drop; } }" || return 1
	nfd_start -w "$T/new.pcapng" || return 1
	expect_eq "$(stat -c %a "$T/new.pcapng")" 600 "mode of a new file" || return 1
	nfd_stop; expect_eq "$NFD_RC" 0 "exit status" || return 1
	nfd_start -w "$T/existing.pcapng" || return 1
	in_c $SEND udp $R4 5098 2
	nfd_stop; expect_eq "$NFD_RC" 0 "exit status" || return 1
}
check_failed_start_keeps_files() {
	file_valid "$T/new.pcapng" && file_valid "$T/existing.pcapng" &&
		expect_eq "$(packets "$T/existing.pcapng")" 2 "packets in the replaced file"
}

# Text mode into a pipe whose reader goes (`nfdropcap | head -n 1`): ended
# within a second, status 0, with no drop after the first to tell it; a
# full disk (/dev/full) ends it with one line and status 1.
t_text_reader_gone() {
	local head n
	load_rules "table inet filter { chain input {
		type filter hook input priority 0; udp dport 5099 drop; } }" || return 1
	mkfifo "$T/pipe"
	head -n 1 <"$T/pipe" >"$T/head.out" &
	head=$!
	"$NFD" ${NFD_BACKEND:+--backend "$NFD_BACKEND"} -N "$R" >"$T/pipe" 2>"$T/nfd.err" &
	NFD_PID=$!
	nfd_ready "$T/nfd.err"
	in_c $SEND udp $R4 5099 1
	wait $head
	for n in $(patience 10); do
		kill -0 $NFD_PID 2>/dev/null || break
		sleep 0.1
	done
	kill -0 $NFD_PID 2>/dev/null && { kill $NFD_PID; fail "still running 1 s after head ended"; return 1; }
	wait $NFD_PID
	expect_eq $? 0 "exit status after the reader went" &&
		expect_eq "$(grep -c ' In  IP .*5099: UDP' "$T/head.out")" 1 "the line head read" ||
		return 1
	"$NFD" ${NFD_BACKEND:+--backend "$NFD_BACKEND"} -N "$R" >/dev/full 2>"$T/nfd.err" &
	NFD_PID=$!
	nfd_ready "$T/nfd.err"
	in_c $SEND udp $R4 5099 1
	nfd_wait 50
	expect_eq "$NFD_RC" 1 "exit status on a full disk" &&
		expect_match "$(grep -v '^nfdropcap: capturing\|^nfdropcap: note:\|captured,\| table ' "$T/nfd.err")" \
			'^nfdropcap: writing to stdout: No space left on device$' "the error"
}

# Root in a namespace may multicast its own NFT_MSG_TRACE: backend
# nftrace's socket filter takes only what the kernel sent (port id 0), so
# forged drop verdicts never name a rule; the real drops still do.
t_forged_trace() {
	load_rules "table inet filter { chain input {
		type filter hook input priority 0; udp dport 5102 drop; } }" || return 1
	NFD_BACKEND=nftrace nfd_start -v -w "$T/out.pcapng" || return 1
	in_r "$NFDNFT" forge-trace 10 || fail "nfd-nft could not multicast" || return 1
	in_c $SEND udp $R4 5102 2
	in_r "$NFDNFT" forge-trace 10
	nfd_stop; expect_eq "$NFD_RC" 0 "exit status" || return 1
	fact h "$(handle_of 'udp dport 5102 drop')"
	grep -E '^nfdropcap: kernel: ' "$T/nfd.err"
	grep -qE '^nfdropcap: kernel: .* 2 drop verdicts,.* 20 not sent by the kernel \(refused\)' \
		"$T/nfd.err" || fail "forged trace messages were not all refused"
}
check_forged_trace() {
	captured &&
		expect_drops 2 "table inet filter chain input handle $(fact_get h) drop: udp dport 5102 drop"
}

# A namespace that changes its big ruleset without pause (two processes:
# 'nft list ruleset' then takes seconds there), and drops packets of its
# own, beside one that drops ours (--all-netns): rule text is listed off
# the capture path, with a deadline, so the dropping namespace loses
# nothing and keeps its rule text, and SIGTERM ends nfdropcap within 2 s.
churn() { # NS PREFIX: adds chains for 4 seconds
	local end=$((SECONDS + 4))
	while [ $SECONDS -lt $end ]; do
		ip netns exec "$1" nft add chain inet big "$2$RANDOM$RANDOM"
	done
}
t_churning_neighbour() {
	local ns=nfdt-x-$SUFFIX churn1 churn2 churn3 own t0 rc
	ip netns add "$ns" || return 1
	ip -n "$ns" link set lo up
	{
		echo "table inet big { chain output { type filter hook output priority 0;"
		for i in $(seq "$(host_or_slow 5000 800)"); do
			echo "udp dport $((20000 + i)) counter accept"
		done
		echo "udp dport 5103 drop; }"
		echo "}"
	} | ip netns exec "$ns" nft -f - || { ip netns del "$ns"; fail "big ruleset"; return 1; }
	load_rules "table inet filter { chain input {
		type filter hook input priority 0; udp dport 5104 counter drop; } }" || return 1
	"$NFD" ${NFD_BACKEND:+--backend "$NFD_BACKEND"} --all-netns -w "$T/out.pcapng" \
		2>"$T/nfd.err" &
	NFD_PID=$!
	nfd_ready "$T/nfd.err"
	churn "$ns" c &
	churn1=$!
	churn "$ns" d &
	churn2=$!
	churn "$ns" e &
	churn3=$!
	(for _ in $(seq 20); do ip netns exec "$ns" $SEND udp 127.0.0.1 5103 1; sleep 0.1; done) &
	own=$!
	for _ in $(seq 20); do in_c $SEND udp $R4 5104 10; sleep 0.1; done
	wait $own
	if slow; then sleep 1; else sleep 0.3; fi
	t0=$(date +%s.%N) # while the churn goes on
	kill -TERM $NFD_PID
	wait $NFD_PID
	rc=$?
	wait $churn1 $churn2 $churn3
	fact stop_seconds "$(echo "$(date +%s.%N) - $t0" | bc)"
	ip netns del "$ns"
	fact h "$(handle_of 'udp dport 5104 counter')"
	fact r "$R"
	fact counted "$(counter_of 'udp dport 5104 counter')"
	expect_eq "$rc" 0 "exit status after SIGTERM" || return 1
	echo "info: SIGTERM to exit: $(fact_get stop_seconds) s"
	[ "$(echo "$(fact_get stop_seconds) < $(host_or_slow 2 20)" | bc)" = 1 ] ||
		fail "SIGTERM took $(fact_get stop_seconds) s"
}
check_churning_neighbour() {
	local want="table inet filter chain input handle $(fact_get h) drop: udp dport 5104 counter drop"
	local R=$(fact_get r)
	captured || return 1
	expect_eq "$(fact_get counted)" 200 "drops counted by R's rule" || return 1
	fields "$T/out.pcapng" frame.interface_description frame.comment |
		grep -F " in network namespace $R " | sed 's/^[^|]*|//; s/\\n.*//' |
		sort | uniq -c | sed 's/^ *//' >"$T/r.comments"
	expect_eq "$(cat "$T/r.comments")" "200 $want" "R's drops in the file"
}

# --all-netns at scale: N namespaces (1,000 here, 20 in an emulated VM),
# each with a veth pair and a small ruleset that drops one datagram of its
# own, are all joined and attributed, though nfdropcap starts with the
# common soft limit of 1,024 descriptors; descriptors and memory stay
# bounded. Under a hard limit too low for them all, the namespaces not
# joined are named and counted, never skipped in silence.
many_ns_up() { # N
	local i ns
	for i in $(seq "$1"); do
		ns=$(many_ns "$i")
		ip netns add "$ns" && ip -n "$ns" link set lo up &&
			ip -n "$ns" link add v0 type veth peer name v1 &&
			printf '%s\n' "table inet t { chain output {" \
				"type filter hook output priority 0; udp dport 5105 drop; }" "}" |
			ip netns exec "$ns" nft -f - || return 1
	done
}
t_many_namespaces() {
	# in the VMs 40: the start's brief need (libbpf opens every module's
	# BTF while it loads an object) must fit below the low limit below;
	# tests/run.sh's ASan pass asks for fewer (NFD_MANY_NS: making them
	# is most of the time, and the code that joins them is the same)
	local n=$(host_or_slow "${NFD_MANY_NS:-1000}" 40) rss fds i all
	many_ns_up "$n" || { many_ns_down "$n"; fail "making $n namespaces"; return 1; }
	(
		ulimit -S -n 1024
		exec "$NFD" ${NFD_BACKEND:+--backend "$NFD_BACKEND"} --all-netns \
			-w "$T/out.pcapng" 2>"$T/nfd.err"
	) &
	NFD_PID=$!
	nfd_ready "$T/nfd.err" 600
	grep '^nfdropcap: capturing' "$T/nfd.err" ||
		{ many_ns_down "$n"; fail "not ready: $(cat "$T/nfd.err")"; return 1; }
	for i in $(seq "$n"); do
		ip netns exec "$(many_ns "$i")" $SEND udp 127.0.0.1 5105 1
	done
	fds=$(ls /proc/$NFD_PID/fd | wc -l)
	rss=$(awk '/^VmRSS/ { print $2 }' /proc/$NFD_PID/status)
	nfd_stop
	(
		# fewer descriptors than all of them took, and no way to raise
		# the limit (no CAP_SYS_RESOURCE): some cannot be joined. Only
		# a few fewer: the start (canary, code analysis) briefly needs
		# more than it keeps, before any namespace is joined; and
		# fewer by some more where there are many (the count above
		# may hold a few listings' pipes)
		ulimit -n $((fds - 4 - (n >= 100 ? n / 20 : 0)))
		exec setpriv --bounding-set=-sys_resource \
			"$NFD" ${NFD_BACKEND:+--backend "$NFD_BACKEND"} --all-netns \
			-w "$T/low.pcapng" 2>"$T/low.err"
	) &
	NFD_PID=$!
	nfd_ready "$T/low.err" 600
	nfd_stop
	many_ns_down "$n"
	fact not_joined "$(grep -c 'could not join it' "$T/low.err")"
	grep -E 'network namespaces could not be joined' "$T/low.err"
	[ "$(fact_get not_joined)" -gt 0 ] &&
		grep -qE "^nfdropcap: $(fact_get not_joined) network namespaces could not be joined" \
			"$T/low.err" || fail "namespaces not joined under a low limit ($((fds - 4 - (n >= 100 ? n / 20 : 0))) descriptors) are not counted: $(tail -n 3 "$T/low.err")" ||
		return 1
	fact n "$n"
	fact suffix "$SUFFIX"
	echo "info: $n namespaces joined: $fds descriptors, RSS $((rss / 1024)) MiB"
	expect_eq "$NFD_RC" 0 "exit status" || return 1
	! grep -q 'could not join\|could not be joined' "$T/nfd.err" ||
		fail "namespaces not joined: $(grep -c 'could not join' "$T/nfd.err")" ||
		return 1
	# at most 4 per namespace joined (others on the machine too) and 64
	all=$(sed -n 's/^nfdropcap: capturing drops in all network namespaces (\([0-9]*\) now).*/\1/p' \
		"$T/nfd.err")
	[ "$fds" -le $((4 * ${all:-n} + 64)) ] ||
		fail "$fds descriptors for $all namespaces" || return 1
	case $NFD in
	*-san) echo "info: RSS not held to 256 MiB: the ASan build keeps memory of its own" ;;
	*) [ "$rss" -le $((256 * 1024)) ] || fail "RSS $rss KiB for $n namespaces" ;;
	esac
}
check_many_namespaces() {
	local n=$(fact_get n)
	captured || return 1
	fields "$T/out.pcapng" frame.interface_description frame.comment |
		grep -E " in network namespace nfdt-m[0-9]+-$(fact_get suffix) " |
		sed 's/\\n.*//' >"$T/m"
	expect_eq "$(wc -l <"$T/m")" "$n" "drops of the $n namespaces" &&
		expect_eq "$(grep -c '|table inet t chain output handle [0-9]* drop' "$T/m")" "$n" \
			"drops attributed to their rule" &&
		expect_eq "$(cut -d'|' -f1 "$T/m" | sort -u | wc -l)" "$n" "interfaces described"
}

# -Z as in tcpdump: after start-up nfdropcap runs as that user with only
# the capabilities capture needs (here with --all-netns: CAP_NET_ADMIN,
# CAP_SYS_ADMIN, CAP_SYS_PTRACE), no_new_privs; the file belongs to the
# user; a namespace made after the start is still joined, and rule text
# still comes (nft keeps CAP_NET_ADMIN). 65534: nobody, also where there
# is no /etc/passwd (the VMs).
t_z_user() {
	local ns=nfdt-z-$SUFFIX status
	"$NFD" ${NFD_BACKEND:+--backend "$NFD_BACKEND"} -Z 65534 --all-netns \
		-w "$T/out.pcapng" 2>"$T/nfd.err" &
	NFD_PID=$!
	nfd_ready "$T/nfd.err"
	status=$(grep -E '^(Uid|CapEff|NoNewPrivs):' /proc/$NFD_PID/status | tr -s '\t ' ' ')
	echo "$status"
	ip netns add "$ns" && ip -n "$ns" link set lo up &&
		printf '%s\n' "table inet z { chain output {" \
			"type filter hook output priority 0; udp dport 5107 drop; }" "}" |
		ip netns exec "$ns" nft -f - || { ip netns del "$ns"; fail "namespace"; return 1; }
	sleep "$(host_or_slow 2 10)" # the next scan joins it
	ip netns exec "$ns" $SEND udp 127.0.0.1 5107 2
	nfd_stop
	ip netns del "$ns"
	fact ns "$ns"
	expect_eq "$NFD_RC" 0 "exit status" &&
		expect_match "$status" 'Uid: 65534 65534 65534 65534' "user after start-up" &&
		expect_match "$status" 'CapEff: 0000000000281000' "capabilities kept" &&
		expect_match "$status" 'NoNewPrivs: 1' "no_new_privs" &&
		expect_eq "$(stat -c %u:%a "$T/out.pcapng")" 65534:600 "owner and mode of the file"
}
check_z_user() {
	captured || return 1
	expect_eq "$(fields "$T/out.pcapng" frame.comment | sed 's/\\n.*//' |
		grep -c '^table inet z chain output handle [0-9]* drop: udp dport 5107 drop$')" 2 \
		"drops in the namespace made after the start, with rule text"
}

# -w a FIFO nobody reads: nfdropcap waits for a reader, and SIGINT ends the
# wait (status 0, one line), with nothing left behind.
t_fifo_no_reader() {
	local n
	mkfifo "$T/fifo"
	"$NFD" ${NFD_BACKEND:+--backend "$NFD_BACKEND"} -N "$R" -w "$T/fifo" 2>"$T/err" &
	NFD_PID=$!
	sleep "$(host_or_slow 0.5 3)"
	kill -INT $NFD_PID
	for n in $(patience 20); do
		kill -0 $NFD_PID 2>/dev/null || break
		sleep 0.1
	done
	kill -0 $NFD_PID 2>/dev/null && { kill -KILL $NFD_PID; fail "SIGINT did not end the wait"; return 1; }
	wait $NFD_PID
	expect_eq $? 0 "exit status" &&
		expect_match "$(cat "$T/err")" "^nfdropcap: interrupted while '.*fifo' waited for a reader$" \
			"the message" &&
		[ -p "$T/fifo" ] || fail "the FIFO was removed"
}
