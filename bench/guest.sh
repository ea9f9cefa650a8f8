# SPDX-License-Identifier: GPL-2.0
# The guest half of bench/run.sh's figure for the backends this machine
# forbids: sourced inside a kernel-matrix VM (tests/kernels/run.sh with
# NFD_VM_DEBUG='. /nfd/bench/guest.sh'), where tests/lib.sh is loaded and
# the namespaces C - R - S are up. Accepted traffic (UDP to 7500, forwarded
# through bench/ruleset.sh's ~200 rules) with no tool and with nfdropcap on
# each backend, rounds interleaved; prints "BENCH TOOL ROUND PPS" lines.
# Then drops, flat out (UDP to 6001, dropped by a rule behind the same
# rules), with no tool and with each backend: "BENCHDROP TOOL ROUND PPS
# CAPTURED LOST COUNTED" (PPS: drops per second the counter saw; CAPTURED
# and LOST: nfdropcap's summary; COUNTED: the rule's counter).
# Measured under TCG: ratios between runs of the same VM are what counts.
D=${BENCH_SECONDS:-3}
ROUNDS=${BENCH_ROUNDS:-5}
TOOLS=${BENCH_TOOLS:-none fentry kprobe nftrace dropsite}

bench_counter() {
	in_r nft list table inet bench | grep -E -- 'udp dport 7500' |
		sed -n 's/.*counter packets \([0-9]*\) .*/\1/p' |
		awk '{ s += $1 } END { print s + 0 }'
}

# Accepted traffic goes to an application (a sink in S): delivered, not
# dropped for want of a socket, which would be a drop of its own.
bench_pps() {
	local before after sink
	in_s $SEND sink $S4 7500 $((D + 2)) >/dev/null &
	sink=$!
	sleep 0.3
	before=$(bench_counter)
	in_c $SEND flood $S4 7500 "$D" 0 64 1 >/dev/null
	after=$(bench_counter)
	wait $sink
	echo $(((after - before) / D))
}

drop_counter() {
	in_r nft list table inet bench | grep -E -- 'udp dport 6001 ' |
		sed -n 's/.*counter packets \([0-9]*\) .*/\1/p' |
		awk '{ s += $1 } END { print s + 0 }'
}

# Drops flat out: "PPS CAPTURED LOST COUNTED" (the last three for the
# whole run; CAPTURED and LOST 0 with no tool).
bench_drops() {
	local before after
	before=$(drop_counter)
	in_c $SEND flood $R4 6001 "$D" 0 64 1 >/dev/null
	after=$(drop_counter)
	echo "$(((after - before) / D)) $((after - before))"
}

bench_start() { # TOOL: nfdropcap with backend TOOL, up
	local pid=
	if [ "$1" != none ]; then
		"$NFD" --backend "$1" -N "$R" -w /tmp/bench.pcapng 2>/tmp/bench.err &
		pid=$!
		# under TCG a start (trampolines, canary) can take tens of seconds
		for _ in $(seq 900); do
			grep -q '^nfdropcap: capturing' /tmp/bench.err && break
			sleep 0.1
		done
		grep -q '^nfdropcap: capturing' /tmp/bench.err || {
			echo "BENCH-ERROR $1: $(cat /tmp/bench.err)"
			kill -INT $pid
			return 1
		}
	fi
	BENCH_PID=$pid
}

bench_round() { # TOOL ROUND
	bench_start "$1" || return 1
	echo "BENCH $1 $2 $(bench_pps)"
	[ -n "$BENCH_PID" ] && kill -INT $BENCH_PID && wait $BENCH_PID
	return 0
}

bench_drop_round() { # TOOL ROUND
	local pps counted line
	bench_start "$1" || return 1
	read -r pps counted < <(bench_drops)
	line="0 0"
	if [ -n "$BENCH_PID" ]; then
		kill -INT $BENCH_PID && wait $BENCH_PID
		line=$(sed -n 's/^nfdropcap: \([0-9]*\) captured, \([0-9]*\) lost.*/\1 \2/p' /tmp/bench.err)
	fi
	echo "BENCHDROP $1 $2 $pps ${line:-? ?} $counted"
	return 0
}

bench_guest() {
	/nfd/bench/ruleset.sh | in_r nft -f - || {
		echo "BENCH-ERROR the bench ruleset did not load"
		return 1
	}
	bench_pps >/dev/null # warm up: neighbours, conntrack, caches
	for round in $(seq "$ROUNDS"); do
		for tool in $TOOLS; do
			bench_round "$tool" "$round"
		done
	done
	for round in $(seq "${BENCH_DROP_ROUNDS:-3}"); do
		for tool in $TOOLS; do
			bench_drop_round "$tool" "$round"
		done
	done
}

bench_guest
