#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: what nfdropcap costs the datapath and how many drops it keeps,
# beside the floor of any nftrace-based tool and the alternatives. Every
# figure is measured in this run next to its baseline; baseline and tool
# runs are interleaved and medians taken, since this VM's speed drifts.
#
# Topology: tests/lib.sh's three namespaces C - R - S; the ruleset of
# bench/ruleset.sh (about 200 rules) in R. Senders are pinned to CPU 0.
# Results: stdout and bench/results/<date>-<kernel>.md.
#
# Environment: BENCH_SECONDS (per measurement, default 3), BENCH_ROUNDS
# (interleaved rounds for medians, default 5), BENCH_RATES (offered drop
# rates, 0 = flat out; default "10000 50000 100000 0"), BENCH_GUESTS=0
# leaves out the kernel-matrix VMs (backend fentry), BENCH_GUEST_ROUNDS
# (their rounds, default 7: TCG is noisier).
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
. tests/lib.sh
# names of our own, apart from the tests' (nfdt-*)
C=nfdb-c-$$ R=nfdb-r-$$ S=nfdb-s-$$
FLOOR=$TOP/.output/nftrace-floor
D=${BENCH_SECONDS:-3}
ROUNDS=${BENCH_ROUNDS:-5}
GUEST_ROUNDS=${BENCH_GUEST_ROUNDS:-7}
GUEST_TOOLS="none fentry kprobe nftrace dropsite"
ICOUNT_KERNELS=linux-image-6.12.117+deb12-cloud-amd64
# the x86-64 kernels of the matrix (bench/guest.sh measures on those)
GUEST_KERNELS=$(awk '!/^#/ && $1 ~ /-amd64$/ { print $1 }' tests/kernels/kernels.txt)
RATES=${BENCH_RATES:-10000 50000 100000 0}
W=$(mktemp -d /tmp/nfdropcap-bench.XXXXXX)
T=$W
TOOL_PID=
OUT_MD=bench/results/$(date +%Y-%m-%d)-$(uname -r).md

cleanup() {
	[ -n "$TOOL_PID" ] && kill "$TOOL_PID" 2>/dev/null
	pkill -f "nft monitor trace" 2>/dev/null
	topo_down
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '%s\n' "$*" | tee -a "$W/report.md"; }

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "n/a" }'; }

# Sum of the packet counters of the rules whose text matches REGEX in R.
counters() {
	in_r nft list table inet bench | grep -E -- "$1" |
		sed -n 's/.*counter packets \([0-9]*\) .*/\1/p' |
		awk '{ s += $1 } END { print s + 0 }'
}

load_ruleset() {
	in_r nft flush ruleset
	bench/ruleset.sh "${1:-}" | in_r nft -f -
}

wait_for() { # FILE REGEX
	for _ in $(seq 100); do
		grep -qE "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "bench: timed out waiting for /$2/ in $1" >&2
	return 1
}

# start_tool KIND [ARGS]: none, nfdropcap (backend auto), nftrace,
# filtered (nftrace narrowed by a filter), floor, monitor, nflog
start_tool() {
	TOOL_PID=
	case $1 in
	none) ;;
	nfdropcap | nftrace | filtered | filtered_long)
		local filter=() backend=(--backend nftrace)
		[ "$1" = nfdropcap ] && backend=()
		[ "$1" = filtered ] && filter=(udp dst port 6001)
		# 72 classic instructions: run as an eBPF socket filter
		[ "$1" = filtered_long ] && filter=(udp dst port 6001 or udp dst port 6002
			$(for p in $(seq 1 16); do printf 'or udp port %s ' $p; done))
		"$NFD" "${backend[@]}" -N "$R" -w "$W/cap.pcapng" "${filter[@]}" 2>"$W/tool.err" &
		TOOL_PID=$!
		wait_for "$W/tool.err" '^nfdropcap: capturing' ;;
	floor)
		ip netns exec "$R" "$FLOOR" 2>"$W/tool.err" &
		TOOL_PID=$!
		wait_for "$W/tool.err" 'ready' ;;
	monitor)
		in_r nft -f - <<-'EOF'
		table inet benchtrace {
			chain pre { type filter hook prerouting priority -400; meta nftrace set 1; }
			chain out { type filter hook output priority -400; meta nftrace set 1; }
		}
		EOF
		ip netns exec "$R" nft monitor trace >"$W/monitor.out" 2>&1 &
		TOOL_PID=$!
		sleep 0.5 ;;
	nflog)
		ip netns exec "$R" tcpdump -i nflog:5 -U -w "$W/nflog.pcap" 2>"$W/tool.err" &
		TOOL_PID=$!
		wait_for "$W/tool.err" 'listening' ;;
	esac
}

# stop_tool KIND: stops it; sets KEPT (drops the tool kept) and, for
# nfdropcap, LOST, UNATTR, RSS_KB, CPU_S.
stop_tool() {
	KEPT=0 LOST=0 UNATTR=0
	[ -z "$TOOL_PID" ] && return
	sleep 0.3
	if [ "$1" = nfdropcap ] || [ "$1" = nftrace ] || [ "$1" = filtered ] || [ "$1" = filtered_long ]; then
		RSS_KB=$(awk '/VmHWM/ { print $2 }' /proc/$TOOL_PID/status)
		CPU_S=$(awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' /proc/$TOOL_PID/stat)
	fi
	# background jobs of a script ignore SIGINT unless they catch it
	# (nfdropcap does): the other tools get SIGTERM
	case $1 in
	nfdropcap | nftrace | filtered | filtered_long) kill -INT "$TOOL_PID" 2>/dev/null ;;
	*) kill -TERM "$TOOL_PID" 2>/dev/null ;;
	esac
	wait "$TOOL_PID" 2>/dev/null
	TOOL_PID=
	case $1 in
	nfdropcap | nftrace | filtered | filtered_long)
		local line
		line=$(grep -E '^nfdropcap: [0-9]+ captured' "$W/tool.err")
		KEPT=$(echo "$line" | awk '{ print $2 }')
		LOST=$(echo "$line" | awk '{ print $4 }')
		UNATTR=$(echo "$line" | awk '{ print $6 }') ;;
	monitor)
		KEPT=$(grep -c 'verdict drop' "$W/monitor.out")
		in_r nft delete table inet benchtrace ;;
	nflog)
		KEPT=$(capinfos -Mc "$W/nflog.pcap" 2>/dev/null | awk '/Number of packets/ { print $NF }') ;;
	esac
	return 0
}

# One drop run: TOOL at RATE (0 = flat out); prints one table row.
drop_run() {
	local tool=$1 rate=$2 before after sent counted match='udp dport 600[1-4]'
	# filtered keeps what its filter matches: the drops of udp dport 6001
	[ "$tool" = filtered ] && match='udp dport 6001 '
	before=$(counters "$match")
	start_tool "$tool" || return 1
	sent=$(in_c taskset -c 0 "$SEND" flood $R4 6001 "$D" "$rate" 64 4 | awk '{ print $2 }')
	stop_tool "$tool"
	after=$(counters "$match")
	counted=$((after - before))
	local offered=$((sent / D)) exact=no
	[ $((KEPT + LOST)) = "$counted" ] && exact=yes
	say "| $tool | ${rate/#0/max} | $offered | $((counted / D)) | $counted | $KEPT | $LOST | $((KEPT - UNATTR)) | $(ratio "$KEPT" "$counted") | $exact |"
	[ "$tool" = nfdropcap ] && [ "$rate" = 0 ] && {
		MAX_RSS=$RSS_KB
		CPU_PER_100K=$(awk -v c="$CPU_S" -v n="$KEPT" 'BEGIN { if (n) printf "%.3f", c * 100000 / n }')
	}
	return 0
}

figure_drops() {
	say ""
	say "## 1. Drop capture (UDP to 4 drop rules behind ~200 rules, sender on CPU 0, ${D}s)"
	say ""
	say "Offered: packets the sender sent per second (to 4 ports, 6001-6004). Counted: drops the rules' counters saw (filtered, with the filter 'udp dst port 6001': those of that port's rule only, a quarter). Captured: drops in the file. Capture ratio = captured / counted. Exact: counted == captured + reported lost."
	say ""
	say "| tool | asked rate/s | offered/s | counted/s | counted | captured | lost | attributed | capture ratio | exact |"
	say "|---|---|---|---|---|---|---|---|---|---|"
	load_ruleset
	for rate in $RATES; do
		drop_run nfdropcap "$rate"
	done
	drop_run nftrace 100000
	drop_run nftrace 0
	drop_run filtered 0
	drop_run monitor 0
	drop_run monitor 50000
	load_ruleset log
	drop_run nflog 0
	drop_run nflog 50000
	load_ruleset
}

# Accepted traffic through R: UDP pps (64-byte) and TCP throughput (iperf3).
pps_run() {
	local before after
	before=$(counters 'udp dport 7500')
	in_c taskset -c 0 "$SEND" flood $S4 7500 "$D" 0 64 1 >/dev/null
	after=$(counters 'udp dport 7500')
	echo $(((after - before) / D))
}

tcp_run() {
	in_s iperf3 -s -1 -p 7501 >/dev/null 2>&1 &
	local srv=$!
	sleep 0.3
	in_c taskset -c 0 iperf3 -c $S4 -p 7501 -t "$D" -J 2>/dev/null |
		awk -F: '/"sum_received"/ { f = 1 } f && /bits_per_second/ { gsub(/[ ,]/, "", $2); printf "%.0f\n", $2 / 1e6; exit }'
	wait $srv 2>/dev/null
}

figure_datapath() {
	local tools="none nfdropcap nftrace floor filtered filtered_long nflog"
	say ""
	say "## 2-3, 5. Datapath cost on accepted traffic (forwarded through ~200 rules, ${ROUNDS} interleaved rounds, medians)"
	say ""
	for r in $(seq "$ROUNDS"); do
		for tool in $tools; do
			[ "$tool" = nflog ] && load_ruleset log
			start_tool "$tool" || return 1
			pps_run >>"$W/pps.$tool"
			tcp_run >>"$W/tcp.$tool"
			stop_tool "$tool"
			[ "$tool" = nflog ] && load_ruleset
		done
	done
	local base_pps base_tcp floor_pps floor_tcp
	base_pps=$(median <"$W/pps.none")
	base_tcp=$(median <"$W/tcp.none")
	floor_pps=$(median <"$W/pps.floor")
	floor_tcp=$(median <"$W/tcp.floor")
	say "| tool | UDP pps | ratio to no tool | TCP Mbit/s | ratio to no tool | UDP ratio / floor's | TCP ratio / floor's |"
	say "|---|---|---|---|---|---|---|"
	for tool in $tools; do
		local p t
		p=$(median <"$W/pps.$tool")
		t=$(median <"$W/tcp.$tool")
		say "| $tool | $p | $(ratio "$p" "$base_pps") | $t | $(ratio "$t" "$base_tcp") | $(ratio "$p" "$floor_pps") | $(ratio "$t" "$floor_tcp") |"
	done
	say ""
	say "Target: nfdropcap with the backend auto picks here ($(auto_backend); dropsite runs nothing for accepted packets) >= 0.97 of no tool on UDP pps: $(ratio "$(median <"$W/pps.nfdropcap")" "$base_pps") here."
	say ""
	say "floor: the trace table plus one listener that discards every trace message in the kernel (bench/tools/nftrace-floor.c). nftrace: nfdropcap --backend nftrace. filtered: the same with the filter 'udp dst port 6001' (the trace table traces only what it matches: xt_bpf, classic BPF); filtered_long: with a filter of 18 ports (72 instructions: xt_bpf runs it translated to eBPF). nflog: a 'log group 5' statement on each drop rule and tcpdump -i nflog:5."
}

figure_startup() {
	local i start end
	for i in $(seq 10); do
		start=$(date +%s%N)
		"$NFD" -N "$R" -w /dev/null 2>"$W/start.err" &
		TOOL_PID=$!
		wait_for "$W/start.err" '^nfdropcap: capturing' || return 1
		end=$(date +%s%N)
		echo $(((end - start) / 1000000)) >>"$W/startup"
		kill -INT $TOOL_PID
		wait $TOOL_PID
		TOOL_PID=
	done
	say ""
	say "## 6. Start-up and footprint"
	say ""
	say "| figure | value | target |"
	say "|---|---|---|"
	say "| launch to ready line, median of 10 | $(median <"$W/startup") ms | < 300 ms |"
	say "| peak RSS at the flat-out drop rate | $((${MAX_RSS:-0} / 1024)) MiB (${MAX_RSS:-?} KiB) | < 32 MiB |"
	say "| CPU time per 100k drops (user+system) | ${CPU_PER_100K:-?} s | - |"
}

# round_ratios TOOL-ROUNDS BASE-ROUNDS: files of "ROUND PPS"; prints the
# median and range of TOOL's pps over the same round's BASE pps.
round_ratios() {
	local r
	r=$(awk 'NR == FNR { base[$1] = $2; next }
		base[$1] > 0 { printf "%.3f\n", $2 / base[$1] }' "$2" "$1" | sort -n)
	[ -n "$r" ] || { echo "-"; return; }
	echo "$(echo "$r" | median) ($(echo "$r" | head -n1)-$(echo "$r" | tail -n1))"
}

# The backends this machine forbids, in the kernel-matrix VMs (bench/
# guest.sh): accepted UDP pps with no tool and with each backend, under TCG.
figure_guests() {
	local kver tool base p clock log
	[ "${BENCH_GUESTS:-1}" = 0 ] && return 0
	for clock in icount tcg; do
		log=$W/guests.$clock.log
		# Debian's 6.1 does not boot under -icount (nothing on its
		# console in 100 s, whatever the shift): 6.12 only. One VM at
		# a time: a measurement never shares the host with another.
		NFD_VM_PARALLEL=1 NFD_VM_QEMU_ARGS=$([ $clock = icount ] && echo "-icount shift=1,sleep=on") \
			NFD_KERNELS=$([ $clock = icount ] && echo "$ICOUNT_KERNELS" || echo "$GUEST_KERNELS") \
			NFD_VM_DEBUG="BENCH_SECONDS=$D BENCH_ROUNDS=$GUEST_ROUNDS BENCH_TOOLS='$GUEST_TOOLS' . /nfd/bench/guest.sh" \
			NFD_BACKENDS=default tests/kernels/run.sh '^$' >"$log" 2>&1
	done
	say ""
	say "## 2b. Datapath cost in the kernel-matrix VMs (qemu TCG emulation: ratios only)"
	say ""
	say "Accepted UDP forwarded through the same ~200 rules, ${GUEST_ROUNDS} interleaved rounds, medians (bench/guest.sh), two ways:"
	say ""
	say "- icount: qemu -icount shift=1, the guest's clock advances 2 ns per instruction executed, so a rate is a count of guest instructions per packet, whatever the host does meanwhile: the closer stand-in for a real CPU's cost, and steady from run to run. 6.12 only: Debian's 6.1 does not boot under -icount."
	say "- tcg: the guest's clock is the host's: a rate is wall time under emulation, where what a real CPU does cheaply (indirect calls, trampolines, helper calls) costs many times more, and the host's own load shows (the range column)."
	say ""
	say "Per round: that round's pps over the same round's no-tool pps; the median and range of those."
	say ""
	say "| kernel | clock | tool | UDP pps | ratio to no tool | per-round ratios: median (min-max) | target |"
	say "|---|---|---|---|---|---|---|"
	for clock in icount tcg; do
		log=$W/guests.$clock.log
		for kver in $(sed -n 's/.*\[\([^]]*\)\] debug| BENCH .*/\1/p' "$log" | sort -u); do
			for tool in $GUEST_TOOLS; do
				sed -n "s/.*\[$kver\] debug| BENCH $tool \([0-9]*\) \([0-9]*\)$/\1 \2/p" "$log" >"$W/g.$tool.rounds"
				awk '{ print $2 }' "$W/g.$tool.rounds" | median >"$W/g.$tool"
			done
			base=$(cat "$W/g.none")
			for tool in $GUEST_TOOLS; do
				p=$(cat "$W/g.$tool")
				say "| $kver | $clock | $tool | $p | $(ratio "$p" "$base") | $(round_ratios "$W/g.$tool.rounds" "$W/g.none.rounds") | $(guest_target $tool $clock) |"
			done
		done
		grep 'BENCH-ERROR' "$log" | sed "s/^/    $clock: /" | while read -r l; do say "$l"; done
	done
	guest_drops
}

guest_target() { # TOOL CLOCK
	case $1/$2 in
	fentry/*) echo '>= 0.95' ;;
	dropsite/icount) echo '>= 0.99' ;;
	*) echo '-' ;;
	esac
}

# Drops flat out in the guests (bench/guest.sh's BENCHDROP lines): the
# drop rate each backend allows, what it kept, and under -icount (2 ns of
# guest time per instruction) the guest instructions each drop costs it
# beyond the kernel's own: (1/rate - 1/rate with no tool) / 2 ns.
guest_drops() {
	local clock log kver tool r base
	say ""
	say "## 2c. Drops flat out in the kernel-matrix VMs (UDP to a drop rule behind ~200 rules; medians of ${BENCH_DROP_ROUNDS:-3} rounds)"
	say ""
	say "| kernel | clock | tool | drops/s | captured / counted | lost | guest instructions per drop (icount) | target |"
	say "|---|---|---|---|---|---|---|---|"
	for clock in icount tcg; do
		log=$W/guests.$clock.log
		for kver in $(sed -n 's/.*\[\([^]]*\)\] debug| BENCHDROP .*/\1/p' "$log" | sort -u); do
			base=
			for tool in $GUEST_TOOLS; do
				sed -n "s/.*\[$kver\] debug| BENCHDROP $tool [0-9]* \([0-9]*\) \([0-9?]*\) \([0-9?]*\) \([0-9]*\)$/\1 \2 \3 \4/p" "$log" >"$W/gd.$tool"
				[ -s "$W/gd.$tool" ] || continue
				r=$(awk '{ print $1 }' "$W/gd.$tool" | median)
				[ "$tool" = none ] && base=$r
				say "| $kver | $clock | $tool | $r | $([ "$tool" = none ] && echo - || awk '{ c += $2; n += $4 } END { printf "%d / %d", c, n }' "$W/gd.$tool") | $(awk '{ l += $3 } END { print l + 0 }' "$W/gd.$tool") | $([ $clock = icount ] && [ -n "$base" ] && [ "$tool" != none ] && awk -v r="$r" -v b="$base" 'BEGIN { if (r > 0 && b > 0) printf "%.0f", (1 / r - 1 / b) / 2e-9 }' || echo '-') | $([ "$tool" = dropsite ] && [ $clock = icount ] && echo '<= fentry' || echo '-') |"
			done
		done
	done
}

auto_backend() {
	"$NFD" --check 2>/dev/null | sed -n 's/.*backend auto picks \([a-z]*\).*/\1/p'
}

[ "$(id -u)" = 0 ] || { echo "bench: needs root" >&2; exit 1; }
for t in iperf3 tshark capinfos tcpdump; do
	command -v $t >/dev/null || { echo "bench: $t missing: run scripts/install-deps.sh --test" >&2; exit 1; }
done
topo_up || exit 1
say "# nfdropcap benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
say ""
say "- command: make bench (BENCH_SECONDS=$D BENCH_ROUNDS=$ROUNDS BENCH_RATES=\"$RATES\")"
say "- kernel: $(uname -r); CPU: $(lscpu | sed -n 's/^Model name: *//p') x $(nproc); nfdropcap $("$NFD" --version | awk '{print $2}'); nfdropcap: backend auto ($(auto_backend)); nftrace, filtered: --backend nftrace"
figure_drops
figure_datapath
figure_guests
figure_startup
mkdir -p bench/results
cp "$W/report.md" "$OUT_MD"
echo "bench: results in $OUT_MD"
