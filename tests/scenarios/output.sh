# SPDX-License-Identifier: GPL-2.0
# Output and file format: what is written and how: snaplen, paged data,
# pcapng on a pipe, gzip, text lines, capture filters (and how they narrow
# tracing), losses counted in the file.
# (Scenarios: see tests/lib.sh; tests/run.sh lists the files.)

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
	nfd_start -w "$T/out.pcapng" || return 1
	# the listener after the start, which may take seconds in a VM
	in_s $SEND listen $S4 5019 6 >"$T/listen.out" &
	local lpid=$! rc
	sleep 0.3
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

t_filter_expression() {
	load_rules "table inet filter { chain input {
		type filter hook input priority 0; udp dport { 5022, 5023 } drop; } }" || return 1
	nfd_start -w "$T/out.pcapng" udp dst port 5022 || return 1
	in_c $SEND udp $R4 5022 3
	in_c $SEND udp $R4 5023 4
	nfd_stop; expect_eq "$NFD_RC" 0 "exit status"
	fact backend "$(nfd_backend_used)"
}
check_filter_expression() {
	captured &&
		expect_eq "$(fields "$T/out.pcapng" udp.dstport | sort | uniq -c | awk '{print $1"x"$2}')" 3x5022 "filtered drops" ||
		return 1
	# nftrace says what a filter changes in its cost
	[ "$(fact_get backend)" != nftrace ] ||
		grep -q '^nfdropcap: note: backend nftrace traces only the packets the filter expression matches' "$T/nfd.err" ||
		fail "no word on nftrace's cost with a filter: $(cat "$T/nfd.err")"
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
	nfd_ready "$T/nfd.err"
	in_c $SEND udp $R4 5025 2
	nfd_stop; expect_eq "$NFD_RC" 0 "exit status" || return 1
	expect_eq "$(grep -cE "^[0-9:.]+ r0 In  IP $C4\.[0-9]+ > $R4\.5025: UDP, length 16 \[table inet filter chain input handle [0-9]+ drop: udp dport 5025 drop\]$" "$T/out.txt")" 2 "lines" ||
		cat "$T/out.txt"
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
	local captured=$(summary_count captured) lost=$(summary_count lost)
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

# More interfaces with losses than the loss table keeps apart (made small
# with NFDROPCAP_LOST_KEYS=2: one interface and the shared counter): every
# loss is still counted, in the summary and the file.
t_losses_table_full() {
	load_rules "table inet filter { chain input {
		type filter hook input priority 0; udp dport 5033 counter drop; } }" || return 1
	NFDROPCAP_LOST_KEYS=2 nfd_start -B 64 -w "$T/out.pcapng" || return 1
	# Stopped, nfdropcap reads nothing: the buffer fills for certain and
	# both interfaces lose events, however slowly the kernel drops.
	kill -STOP $NFD_PID
	in_c $SEND flood $R4 5033 1 0 8000 >/dev/null
	in_s $SEND flood $R4S 5033 1 0 8000 >/dev/null
	kill -CONT $NFD_PID
	nfd_stop
	expect_eq "$NFD_RC" 0 "exit status" || return 1
	local counted=$(counter_of 'udp dport 5033 counter')
	local captured=$(summary_count captured) lost=$(summary_count lost)
	local shared=$(sed -n 's/^nfdropcap: \([0-9]*\) of the lost were on interfaces not counted apart.*/\1/p' "$T/nfd.err")
	fact captured "$captured"
	expect_eq "$((captured + lost))" "$counted" "captured + lost vs the rule's counter" ||
		return 1
	[ "${shared:-0}" -gt 0 ] || fail "no loss went to the shared counter: $(cat "$T/nfd.err")" ||
		return 1
	echo "info: counter $counted = $captured captured + $lost lost, $shared of them on the shared counter"
}
check_losses_table_full() {
	captured && expect_eq "$(packets "$T/out.pcapng")" "$(fact_get captured)" "packets in the file"
}

# rotated_files PATTERN...: the files, in the order their names sort
# (by length first: FILE before FILE1 before FILE10), one per line
rotated_files() {
	local f
	for f in "$@"; do
		[ -e "$f" ] && printf '%d %s\n' "${#f}" "$f"
	done | sort -n -k1,1 -k2,2 | cut -d' ' -f2-
}

# check_rotated LIMIT FILE...: each file a complete pcapng (tshark,
# capinfos, tcpdump; an SHB, IDBs, an ISB per interface), none past LIMIT
# bytes (0: no limit, or compressed); their packets add up to what the
# summary says was captured, and no packet is in two files.
check_rotated() {
	local limit=$1 f total=0 n
	shift
	: >"$T/all.keys"
	for f in "$@"; do
		file_valid "$f" || return 1
		[ "$limit" = 0 ] || [ "$(stat -c %s "$f")" -le "$limit" ] ||
			{ fail "$f: $(stat -c %s "$f") bytes, more than $limit"; return 1; }
		n=$(packets "$f")
		[ "$n" = 0 ] || capinfos "$f" | grep -q 'Number of stat entries = 1' ||
			{ fail "$f: no interface statistics (ISB)"; return 1; }
		total=$((total + n))
		fields "$f" frame.time_epoch udp.srcport >>"$T/all.keys"
	done
	expect_eq "$total" "$(fact_get captured)" "packets in the files vs captured" &&
		expect_eq "$(sort "$T/all.keys" | uniq -d | wc -l)" 0 "packets in two files"
}

# -C: a new file before one passes the size (here 100 KiB, tcpdump's
# "100k"), named as tcpdump names them: out.pcapng, out.pcapng1, ...
t_rotate_size() {
	local kib=$(host_or_slow 100 20) n=$(host_or_slow 300 60)
	rm -f "$T"/out.pcapng* # an earlier run's (the ASan run reuses this directory)
	load_rules "table inet filter { chain input {
		type filter hook input priority 0; udp dport 5190 counter drop; } }" || return 1
	fact limit $((kib * 1024))
	nfd_start -C ${kib}k -w "$T/out.pcapng" || return 1
	in_c $SEND udp $R4 5190 "$n" 1000
	nfd_stop
	fact captured "$(summary_count captured)"
	fact counted "$(counter_of 'udp dport 5190 counter')"
	expect_eq "$NFD_RC" 0 "exit status"
}
check_rotate_size() {
	local files
	files=$(cd "$T" && rotated_files out.pcapng out.pcapng[0-9]*)
	echo "info: files: $(echo $files)"
	expect_eq "$(fact_get captured)" "$(fact_get counted)" "captured vs the rule's counter" &&
		expect_eq "$(echo $files)" "$(echo out.pcapng $(seq 1 $(($(echo "$files" | wc -l) - 1)) | sed 's/^/out.pcapng/'))" \
			"names FILE, FILE1, FILE2..." || return 1
	[ "$(echo "$files" | wc -l)" -ge 3 ] || { fail "only $(echo $files) for 3 files' worth of drops"; return 1; }
	check_rotated "$(fact_get limit)" $(printf "$T/%s " $files)
}

# -C with -W and .gz: a ring of 3 files out.pcapng0.gz ... out.pcapng2.gz
# (the number before .gz), the oldest overwritten; each a valid gzip of a
# complete pcapng. The size bounds the pcapng before compression.
t_rotate_ring_gz() {
	local kib=$(host_or_slow 100 20) n=$(host_or_slow 600 120)
	rm -f "$T"/out.pcapng*
	load_rules "table inet filter { chain input {
		type filter hook input priority 0; udp dport 5191 counter drop; } }" || return 1
	fact limit $((kib * 1024))
	fact sent "$n"
	nfd_start -C ${kib}k -W 3 -w "$T/out.pcapng.gz" || return 1
	in_c $SEND udp $R4 5191 "$n" 1000
	nfd_stop
	fact summary_captured "$(summary_count captured)"
	expect_eq "$NFD_RC" 0 "exit status"
}
check_rotate_ring_gz() {
	local f n total=0
	expect_eq "$(cd "$T" && echo out.pcapng*)" \
		"out.pcapng0.gz out.pcapng1.gz out.pcapng2.gz" "the ring's files" || return 1
	for f in "$T"/out.pcapng?.gz; do
		gzip -t "$f" || { fail "$f: not a valid gzip file"; return 1; }
		file_valid "$f" || return 1
		[ "$(gzip -dc "$f" | wc -c)" -le "$(fact_get limit)" ] ||
			{ fail "$f: more than $(fact_get limit) bytes of pcapng"; return 1; }
		n=$(packets "$f")
		[ "$n" -gt 0 ] || { fail "$f: no packet"; return 1; }
		total=$((total + n))
	done
	echo "info: $(fact_get sent) drops, $total in the ring's three files"
	expect_eq "$(fact_get summary_captured)" "$(fact_get sent)" "captured" &&
		[ "$total" -lt "$(fact_get sent)" ] || fail "the ring kept all $total drops: nothing was overwritten"
}

# -G with -W and -Z: a new file every second, named by strftime(3) from
# the pattern; nfdropcap exits (0) by itself once the third is complete;
# the files made after start-up belong to the -Z user, as the first.
t_rotate_time() {
	local d t0 sender
	rm -f "$T"/t-*.pcapng # an earlier run's (the ASan run reuses this directory)
	d=$(mktemp -d /tmp/nfdt-rot.XXXXXX) && chown 65534 "$d" || return 1
	load_rules "table inet filter { chain input {
		type filter hook input priority 0; udp dport 5192 counter drop; } }" || return 1
	nfd_start -G 1 -W 3 -Z 65534 -w "$d/t-%s.pcapng" || { rm -rf "$d"; return 1; }
	t0=$(date +%s.%N)
	(while kill -0 $NFD_PID 2>/dev/null; do in_c $SEND udp $R4 5192 1; sleep 0.2; done) &
	sender=$!
	for _ in $(patience 100); do
		kill -0 $NFD_PID 2>/dev/null || break
		sleep 0.1
	done
	kill -0 $NFD_PID 2>/dev/null && { kill $NFD_PID; fail "still running after 3 files"; }
	wait $NFD_PID
	NFD_RC=$?
	wait $sender
	fact seconds "$(echo "$(date +%s.%N) - $t0" | bc)"
	fact captured "$(summary_count captured)"
	stat -c '%u %a %n' "$d"/* | sed "s|$d/||" >"$T/owners"
	mv "$d"/* "$T"/ 2>/dev/null
	rm -rf "$d"
	expect_eq "$NFD_RC" 0 "exit status after the third file"
}
check_rotate_time() {
	local files
	files=$(cd "$T" && ls t-*.pcapng 2>/dev/null | sort)
	echo "info: files: $(echo $files), nfdropcap ended after $(fact_get seconds) s"
	expect_eq "$(echo "$files" | grep -c .)" 3 "files" &&
		expect_eq "$(echo "$files" | grep -cE '^t-[0-9]{10}\.pcapng$')" 3 "names by strftime %s" &&
		expect_eq "$(awk '$1 != 65534 || $2 != 600' "$T/owners")" "" "owner and mode of every file" ||
		return 1
	check_rotated 0 $(printf "$T/%s " $files)
}

# --json beside -w: one JSON object per drop on stdout, each key equal to
# what the pcapng of the same run says of that packet (tests/tools/
# check_json.py): a rule's drop (UDP, IPv4), a policy's (TCP, IPv6), and
# one nftables did not decide (dropped outside nftables: reason).
t_json() {
	load_rules "table inet filter {
		chain input { type filter hook input priority 0;
			udp dport 5193 counter drop; }
		chain input2 { type filter hook input priority 10; policy drop;
			tcp dport != 5194 accept; udp dport != 5195 accept;
			meta l4proto != { tcp, udp } accept; } }" || return 1
	local n=4 legacy=0
	# a drop nftables did not decide, where iptables-legacy can make one
	command -v iptables-legacy >/dev/null &&
		in_r iptables-legacy -A INPUT -p udp --dport 5196 -j DROP 2>/dev/null &&
		legacy=1 n=5
	"$NFD" ${NFD_BACKEND:+--backend "$NFD_BACKEND"} -N "$R" --json \
		-w "$T/out.pcapng" >"$T/out.json" 2>"$T/nfd.err" &
	NFD_PID=$!
	nfd_ready "$T/nfd.err" || return 1
	in_c $SEND udp $R4 5193 2
	in_c $SEND syn "$R6" 5194 1
	in_c $SEND udp $R4 5195 1 300
	[ $legacy = 0 ] || in_c $SEND udp $R4 5196 1
	nfd_stop
	[ $legacy = 0 ] || in_r iptables-legacy -F INPUT
	fact lines $n
	expect_eq "$NFD_RC" 0 "exit status"
}
check_json() {
	captured || return 1
	fields "$T/out.pcapng" frame.time_epoch frame.interface_name \
		frame.packet_flags_direction frame.len frame.cap_len ip.src ipv6.src \
		ip.dst ipv6.dst ip.proto ipv6.nxt udp.srcport tcp.srcport \
		udp.dstport tcp.dstport frame.comment >"$T/fields" || return 1
	expect_eq "$(wc -l <"$T/out.json")" "$(fact_get lines)" "JSON lines" || return 1
	python3 "$TOP/tests/tools/check_json.py" "$T/out.json" "$T/fields" ||
		fail "JSON lines differ from the file"
}

# --metrics FILE: Prometheus' text format (tests/tools/check_metrics.py),
# there from the start, rewritten while capturing, and at the end equal to
# the summary: per rule (handle, or "policy"), unattributed, lost.
t_metrics() {
	load_rules "table inet filter {
		chain input { type filter hook input priority 0;
			udp dport 5197 counter drop; }
		chain input2 { type filter hook input priority 10; policy drop;
			udp dport != 5198 accept; meta l4proto != udp accept; } }" || return 1
	nfd_start --metrics "$T/drops.prom" -w "$T/out.pcapng" || return 1
	cp "$T/drops.prom" "$T/start.prom" 2>/dev/null
	in_c $SEND udp $R4 5197 3
	in_c $SEND udp $R4 5198 2
	sleep "$(host_or_slow 6 7)" # one rewrite while capturing (every 5 s)
	cp "$T/drops.prom" "$T/running.prom" 2>/dev/null
	nfd_stop
	fact h "$(handle_of 'udp dport 5197 counter')"
	fact backend "$(nfd_backend_used)"
	fact netns "$R"
	expect_eq "$NFD_RC" 0 "exit status"
}
check_metrics() {
	local tool="$TOP/tests/tools/check_metrics.py" ns=$(fact_get netns) got want
	captured || return 1
	python3 "$tool" "$T/start.prom" >"$T/start.samples" ||
		fail "at the start: $(cat "$T/start.samples")" || return 1
	expect_eq "$(cat "$T/start.samples")" "nfdropcap_lost_total  0" "at the start" || return 1
	python3 "$tool" "$T/running.prom" >"$T/running.samples" ||
		fail "while running: $(cat "$T/running.samples")" || return 1
	python3 "$tool" "$T/drops.prom" >"$T/end.samples" ||
		fail "at the end: $(cat "$T/end.samples")" || return 1
	# Prometheus' own linter, where Debian's prometheus package put it
	if command -v promtool >/dev/null; then
		for f in start running drops; do
			promtool check metrics <"$T/$f.prom" >"$T/promtool.out" 2>&1 ||
				fail "promtool check metrics $f.prom: $(cat "$T/promtool.out")" || return 1
		done
	else
		echo "info: no promtool (prometheus package): checked by tests/tools/check_metrics.py only"
	fi
	want="nfdropcap_drops_total chain=input,family=inet,handle=$(fact_get h),netns=$ns,table=filter,verdict=drop 3
nfdropcap_drops_total chain=input2,family=inet,handle=policy,netns=$ns,table=filter,verdict=drop 2
nfdropcap_lost_total  0"
	expect_eq "$(sort "$T/end.samples")" "$want" "at the end" &&
		expect_eq "$(sort "$T/running.samples")" "$want" "while running (rewritten)" &&
		grep -q "^nfdropcap: 5 captured, 0 lost, 0 unattributed" "$T/nfd.err" ||
		fail "summary: $(cat "$T/nfd.err")" || return 1
	# stderr is a file here: no status line
	expect_eq "$(grep -c $'\r\|\033' "$T/nfd.err")" 0 "terminal escapes in a file" || return 1
	# what tracing every packet costs, said where it does (nftrace)
	if [ "$(fact_get backend)" = nftrace ]; then
		grep -q '^nfdropcap: note: backend nftrace has the kernel trace every packet.* 0\.54 .* a filter expression narrows' "$T/nfd.err" ||
			fail "no word on nftrace's cost: $(cat "$T/nfd.err")"
	else
		expect_eq "$(grep -c 'note: backend' "$T/nfd.err")" 0 "a cost note for $(fact_get backend)"
	fi
}

# On a terminal: a live status line on stderr (time, captured, rate, lost,
# unattributed, the busiest rule), rewritten in place, gone before the
# summary; never in a file or a pipe (every other scenario's stderr).
t_status_line() {
	command -v script >/dev/null || skip "no script(1) to give nfdropcap a terminal"
	load_rules "table inet filter { chain input {
		type filter hook input priority 0; udp dport 5199 drop; } }" || return 1
	# a terminal wide enough for the whole line (it is cut to the width)
	script -qfc "stty cols 250 2>/dev/null; exec $NFD ${NFD_BACKEND:+--backend $NFD_BACKEND} -N $R -w $T/out.pcapng" \
		/dev/null >"$T/tty.out" 2>&1 &
	local sc=$! pid
	for _ in $(patience 100); do
		grep -q 'nfdropcap: capturing' "$T/tty.out" && break
		sleep 0.1
	done
	in_c $SEND udp $R4 5199 3
	sleep "$(host_or_slow 2.5 6)"
	pid=$(pgrep -f "^$NFD .*-N $R -w $T/out.pcapng")
	[ -n "$pid" ] || { kill $sc; fail "nfdropcap is not running"; return 1; }
	kill -INT $pid
	wait $sc
	# text lines on the same terminal: each clears the status line first
	script -qfc "stty cols 250 2>/dev/null; exec $NFD ${NFD_BACKEND:+--backend $NFD_BACKEND} -N $R" \
		/dev/null >"$T/tty2.out" 2>&1 &
	sc=$!
	for _ in $(patience 100); do
		grep -q 'nfdropcap: capturing' "$T/tty2.out" && break
		sleep 0.1
	done
	sleep "$(host_or_slow 1.5 4)" # a status line first
	in_c $SEND udp $R4 5199 1
	sleep "$(host_or_slow 1.5 4)"
	pid=$(pgrep -f "^$NFD .*-N $R\$")
	[ -n "$pid" ] && kill -INT $pid
	wait $sc
	fact h "$(handle_of 'udp dport 5199 drop')"
}
check_status_line() {
	local esc=$'\033' cr=$'\r' t=$T/tty.out
	captured || return 1
	grep -q "${cr}${esc}\[Knfdropcap: 0:00:0[0-9]  3 captured ([0-9]*/s)  0 lost  0 unattributed  busiest: table inet filter chain input handle $(fact_get h) drop (3)" "$t" ||
		fail "no status line: $(od -c "$t" | head -20)" || return 1
	grep -q "${cr}${esc}\[Knfdropcap: 3 captured, 0 lost" "$t" ||
		fail "the status line was not cleared before the summary" || return 1
	grep -q "${cr}${esc}\[Knfdropcap: 0:00:0[0-9]  0 captured" "$T/tty2.out" &&
		grep -q "${cr}${esc}\[K[0-9:.]* r0 In  IP .* \[table inet filter chain input handle $(fact_get h) drop: udp dport 5199 drop\]" "$T/tty2.out" ||
		fail "text lines and the status line on one terminal: $(od -c "$T/tty2.out" | head -30)"
}
