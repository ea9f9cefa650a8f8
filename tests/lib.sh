# SPDX-License-Identifier: GPL-2.0
# Test helpers: three network namespaces joined by veth pairs, nfdropcap
# started and stopped like a user would, checks on the files with tshark,
# capinfos and tcpdump. Sourced by tests/run.sh and tests/kernels/ (on the
# host and inside the test VMs); the scenarios use it.
#
#   C (client)  c0 10.77.1.1   fd77:1::1  --- r0 10.77.1.254 fd77:1::fe
#   R (router)  r1 10.77.2.254 fd77:2::fe --- s0 10.77.2.1   fd77:2::1  S
#
# C and S route through R. Rulesets live in R (and S); nfdropcap captures
# in R unless a test says otherwise. Traffic never leaves these namespaces.
#
# Every scenario (tests/scenarios/TOPIC.sh) has two phases:
#   produce  t_NAME      where the kernel under test runs (the host, or a VM
#                        of tests/kernels/): rulesets, traffic, nfdropcap,
#                        exit statuses; what only the live system knows
#                        (rule handles, counters) is kept with `fact`;
#   check    check_NAME  on the host only: the files left in $T, read with
#                        tshark, capinfos and tcpdump (and `fact_get`).
# Either phase fails the test by returning non-zero.
#
# Environment:
#   NFD_BACKEND  nfdropcap's --backend for every start (unset: its default)
#   NFD_SLOW=1   the kernel under test is emulated (qemu TCG, set by
#                tests/kernels/): everything takes longer, and nfdropcap's
#                reader, sharing one emulated machine with the senders, keeps
#                up with fewer packets per second. It changes only how long to
#                wait for something to happen (patience, nfd_stop) and how
#                fast t_concurrent_exact floods (host_or_slow); every
#                threshold and exactness check stays the same.
#   NFD_DISPOSABLE=1  the whole kernel is the tests' (the matrix's VMs): a
#                scenario may change a setting no namespace owns
#                (t_conntrack_full: nf_conntrack_max), and puts it back

TOP=${TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
NFD=${NFD:-$TOP/nfdropcap}
SEND=${SEND:-$TOP/.output/nfd-send}
NFDNFT=${NFDNFT:-$TOP/.output/nfd-nft} # rulesets nft cannot write
NFDSITE=${NFDSITE:-$TOP/.output/nfd-site} # backend kprobe's analysis on a module file
# the reason a drop has when the kernel did not run backend kprobe's probes
# for it (capture/output/comment.c, NFD_WHY_KPROBE_BUSY)
KPROBE_SKIPPED="the kernel skipped nfdropcap's kprobe for it"
# the reason a drop has when no verdict was recorded for it at all
# (NFD_WHY_NO_VERDICT): tests/kernels/init runs again a kprobe scenario
# whose nfdropcap wrote one
NO_VERDICT="not attributed: no nftables verdict was seen"
SUFFIX=${SUFFIX:-$$}
C=nfdt-c-$SUFFIX
R=nfdt-r-$SUFFIX
S=nfdt-s-$SUFFIX
C4=10.77.1.1 R4=10.77.1.254 R4S=10.77.2.254 S4=10.77.2.1
C6=fd77:1::1 R6=fd77:1::fe R6S=fd77:2::fe S6=fd77:2::1
# bridge_up: C and S on one LAN through bridge br0 in R (address RB4)
CB4=10.77.9.1 SB4=10.77.9.2 RB4=10.77.9.254
SKIP=77 # a test's exit status when it cannot run here (it says why)

# nfdropcap with the backend under test (in the foreground: a job started
# with & must run "$NFD" itself, for $! to be nfdropcap's pid)
nfd() {
	"$NFD" ${NFD_BACKEND:+--backend "$NFD_BACKEND"} "$@"
}

slow() {
	[ "${NFD_SLOW:-0}" = 1 ]
}

# host_or_slow HOST SLOW: the value that applies
host_or_slow() {
	if slow; then echo "$2"; else echo "$1"; fi
}

# patience N: N polls of 0.1 s on the host, ten times as many when slow
patience() {
	if slow; then seq $(($1 * 10)); else seq "$1"; fi
}

# A series of namespaces of a test's own (--all-netns at scale): the I-th
# one's name; many_ns_down N deletes the first N.
many_ns() { # I
	echo "nfdt-m$1-$SUFFIX"
}
many_ns_down() { # N
	local i
	for i in $(seq "$1"); do
		ip netns del "$(many_ns "$i")" 2>/dev/null
	done
	return 0
}

in_c() { ip netns exec "$C" "$@"; }
in_r() { ip netns exec "$R" "$@"; }
in_s() { ip netns exec "$S" "$@"; }

topo_up() {
	topo_down
	ip netns add "$C" && ip netns add "$R" && ip netns add "$S" || return 1
	ip link add c0 netns "$C" type veth peer name r0 netns "$R" || return 1
	ip link add r1 netns "$R" type veth peer name s0 netns "$S" || return 1
	in_c ip addr add $C4/24 dev c0
	in_c ip addr add $C6/64 dev c0 nodad
	in_r ip addr add $R4/24 dev r0
	in_r ip addr add $R6/64 dev r0 nodad
	in_r ip addr add $R4S/24 dev r1
	in_r ip addr add $R6S/64 dev r1 nodad
	in_s ip addr add $S4/24 dev s0
	in_s ip addr add $S6/64 dev s0 nodad
	for ns in "$C" "$R" "$S"; do
		ip -n "$ns" link set lo up
	done
	ip -n "$C" link set c0 up
	ip -n "$R" link set r0 up
	ip -n "$R" link set r1 up
	ip -n "$S" link set s0 up
	in_c ip route add default via $R4
	in_c ip -6 route add default via $R6
	in_s ip route add default via $R4S
	in_s ip -6 route add default via $R6S
	in_r sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	# neighbours resolved up front: no ARP/ND in the middle of a test
	in_c $SEND udp $R4 9 1 && in_c $SEND udp $S4 9 1
	in_c $SEND udp $R6 9 1 && in_c $SEND udp $S6 9 1
	in_s $SEND udp $R4S 9 1 && in_s $SEND udp $R6S 9 1
	for _ in $(patience 30); do
		in_c ip -6 neigh show $R6 | grep -q REACHABLE && break
		sleep 0.1
	done
	sleep 0.2
}

# bridge_up: ports rb0 (peer cb0 in C) and rb1 (peer sb0 in S) of bridge
# br0 in R, br_netfilter passing bridged IP to R's inet hooks. Undo with
# bridge_down.
bridge_up() {
	bridge_down
	ip -n "$R" link add br0 type bridge || return 1
	ip link add cb0 netns "$C" type veth peer name rb0 netns "$R" &&
		ip link add sb0 netns "$S" type veth peer name rb1 netns "$R" ||
		return 1
	ip -n "$R" link set rb0 master br0 && ip -n "$R" link set rb1 master br0 ||
		return 1
	in_c ip addr add $CB4/24 dev cb0
	in_s ip addr add $SB4/24 dev sb0
	in_r ip addr add $RB4/24 dev br0
	for l in br0 rb0 rb1; do ip -n "$R" link set $l up; done
	ip -n "$C" link set cb0 up && ip -n "$S" link set sb0 up
	in_r sysctl -qw net.bridge.bridge-nf-call-iptables=1 \
		net.bridge.bridge-nf-call-ip6tables=1 || return 1
	# neighbours resolved up front (without STP the ports forward at once)
	in_c $SEND udp $SB4 9 1 && in_c $SEND udp $RB4 9 1 &&
		in_s $SEND udp $CB4 9 1 || return 1
	sleep 0.2
}

bridge_down() {
	ip -n "$R" link del br0 2>/dev/null
	ip -n "$R" link del rb0 2>/dev/null
	ip -n "$R" link del rb1 2>/dev/null
	return 0
}

topo_down() {
	local ns
	# and any a test made and could not delete (one cut by its timeout)
	for ns in "$C" "$R" "$S" $(ls /run/netns 2>/dev/null |
		grep -E "^nfdt-[a-z0-9]+-$SUFFIX\$"); do
		ip netns del "$ns" 2>/dev/null
	done
	return 0
}

# A clean slate between tests: no ruleset left in our namespaces, and no
# iptables-legacy rule in R where a test made some (asking for a table
# that is not there would make it).
topo_reset() {
	in_r nft flush ruleset
	in_s nft flush ruleset
	in_c nft flush ruleset
	if in_r grep -qx filter /proc/net/ip_tables_names 2>/dev/null; then
		in_r iptables-legacy -P INPUT ACCEPT
		in_r iptables-legacy -F
		in_r iptables-legacy -X
	fi
}

fail() {
	echo "FAIL: $*"
	return 1
}

skip() {
	echo "SKIP: $*"
	exit $SKIP
}

# expect_eq GOT WANT WHAT
expect_eq() {
	[ "$1" = "$2" ] || fail "$3: got '$1', want '$2'"
}

# expect_match TEXT REGEX WHAT
expect_match() {
	printf '%s\n' "$1" | grep -Eq -- "$2" || fail "$3: '$1' !~ /$2/"
}

# nfd_ready FILE [POLLS]: waits (100 polls unless told) for the ready line
# nfdropcap ($NFD_PID) writes to FILE; fails if it did not come.
nfd_ready() {
	for _ in $(patience "${2:-100}"); do
		grep -q '^nfdropcap: capturing' "$1" && return 0
		kill -0 $NFD_PID 2>/dev/null || break
		sleep 0.1
	done
	return 1
}

# Starts nfdropcap in R with the given arguments; waits for its ready line.
# Sets NFD_PID; stderr goes to $T/nfd.err.
nfd_start() {
	nfd_start_in "$R" "$@"
}

nfd_start_in() {
	local ns=$1
	shift
	rulesets "$ns" >"$T/ruleset.before"
	"$NFD" ${NFD_BACKEND:+--backend "$NFD_BACKEND"} -N "$ns" "$@" 2>"$T/nfd.err" &
	NFD_PID=$!
	if nfd_ready "$T/nfd.err"; then
		ruleset_unchanged "$ns"
		return
	fi
	cat "$T/nfd.err"
	fail "nfdropcap did not get ready"
}

# rulesets NS: what nft lists in NS and in this (root) namespace
rulesets() {
	ip netns exec "$1" nft list ruleset
	nft list ruleset
}

# The backend nfdropcap said it uses (its ready line in $T/nfd.err).
nfd_backend_used() {
	sed -n 's/^nfdropcap: capturing.*, backend \([a-z]*\),.*/\1/p' "$T/nfd.err"
}

# Backends fentry and kprobe change nothing: the rulesets are the same
# while they run.
ruleset_unchanged() {
	case $(nfd_backend_used) in
	fentry | kprobe) ;;
	*) return 0 ;;
	esac
	rulesets "$1" >"$T/ruleset.during"
	cmp -s "$T/ruleset.before" "$T/ruleset.during" && {
		fact ruleset_unchanged yes
		return 0
	}
	diff "$T/ruleset.before" "$T/ruleset.during"
	fail "backend $(nfd_backend_used) changed the ruleset"
}

# Stops nfdropcap (SIGINT unless told); its exit status goes to NFD_RC.
nfd_stop() {
	local sig=${1:-INT}
	# let the last drops reach the buffer
	if slow; then sleep 1; else sleep 0.3; fi
	kill -s "$sig" $NFD_PID 2>/dev/null
	wait $NFD_PID
	NFD_RC=$?
}

# Waits for nfdropcap to exit by itself (-c): NFD_RC is its status, or
# "timeout".
nfd_wait() {
	NFD_RC=timeout
	for _ in $(patience ${1:-100}); do
		if ! kill -0 $NFD_PID 2>/dev/null; then
			wait $NFD_PID
			NFD_RC=$?
			return
		fi
		sleep 0.1
	done
}

# fact NAME VALUE: keeps what the produce phase learnt for the check phase
fact() {
	printf '%s=%s\n' "$1" "$2" >>"$T/facts"
}

# fact_get NAME: its value (the last one kept)
fact_get() {
	awk -v k="$1=" 'index($0, k) == 1 { v = substr($0, length(k) + 1) }
		END { print v }' "$T/facts" 2>/dev/null
}

# epb_count FILE: complete Enhanced Packet Blocks in a pcapng file written
# on this machine (native byte order); for waiting only, checks use tshark.
epb_count() {
	local f=$1 size off=0 n=0 type len
	size=$(stat -c %s "$f" 2>/dev/null) || { echo 0; return; }
	while [ $((off + 12)) -le "$size" ]; do
		set -- $(od -An -tu4 -j $off -N 8 "$f")
		type=${1:-0} len=${2:-0}
		[ "${len:-0}" -ge 12 ] && [ $((off + len)) -le "$size" ] || break
		[ "$type" = 6 ] && n=$((n + 1))
		off=$((off + len))
	done
	echo $n
}

# fields FILE FIELD... : one line per packet, fields joined by '|'
fields() {
	local file=$1 args=()
	shift
	for f in "$@"; do
		args+=(-e "$f")
	done
	tshark -r "$file" -T fields -E separator='|' "${args[@]}" 2>"$T/tshark.err"
}

packets() {
	capinfos -Mc "$1" 2>/dev/null | awk '/Number of packets/ { print $NF }'
}

# The file opens in tshark, capinfos and tcpdump without errors.
file_valid() {
	local f=$1
	capinfos "$f" >"$T/capinfos.out" 2>&1 || {
		cat "$T/capinfos.out"
		fail "capinfos cannot read $f"
		return 1
	}
	tshark -r "$f" >/dev/null 2>"$T/tshark.err" || {
		cat "$T/tshark.err"
		fail "tshark cannot read $f"
		return 1
	}
	if grep -qiE 'appears to|cut short|malformed|error' "$T/tshark.err"; then
		cat "$T/tshark.err"
		fail "tshark complains about $f"
		return 1
	fi
	case $f in
	*.gz) zcat "$f" | tcpdump -nr - >/dev/null 2>"$T/tcpdump.err" ;;
	*) tcpdump -nr "$f" >/dev/null 2>"$T/tcpdump.err" ;;
	esac || {
		cat "$T/tcpdump.err"
		fail "tcpdump cannot read $f"
	}
}

# summary_count captured|lost: that number in nfdropcap's summary line
# ("nfdropcap: N captured, N lost, ...") in $T/nfd.err
summary_count() {
	awk -v f="$([ "$1" = lost ] && echo 4 || echo 2)" \
		'/^nfdropcap: [0-9]+ captured, / { print $f }' "$T/nfd.err"
}

# The handle nft gave the rule in R whose text matches REGEX.
handle_of() {
	in_r nft -a list ruleset | grep -E -- "$1" | head -n1 |
		sed -n 's/.*# handle \([0-9]*\)$/\1/p'
}

# The packets counter of the rule in R matching REGEX.
counter_of() {
	in_r nft -a list ruleset | grep -E -- "$1" | head -n1 |
		sed -n 's/.*counter packets \([0-9]*\) .*/\1/p'
}

# The scenario files, one per topic (see tests/run.sh); load_scenarios
# defines their functions.
SCENARIO_TOPICS="attribution output lifecycle netns backends bad_input hostile real samples install"
load_scenarios() {
	local topic
	for topic in $SCENARIO_TOPICS; do
		. "$TOP/tests/scenarios/$topic.sh"
	done
}

# Every scenario, by name.
scenario_names() {
	declare -F | awk '$3 ~ /^t_/ { print $3 }'
}

# Scenarios of userspace alone (terminal, help text, deployment files): no
# kernel has a part in them, so the kernel matrix leaves them out and
# tests/run.sh runs them on this machine (also with the ASan build).
HOST_ONLY_SCENARIOS="t_status_line t_sample_systemd t_sample_daemonset t_help_readme t_help_version
	t_man_page t_completion t_make_install t_extcap t_read_back t_sample_picture
	t_kprobe_sites t_static_arm64"

# Scenarios of files, formats and owners, where the backend only supplies
# the drops, and those that choose their backend themselves (--check,
# --backend fentry, kprobe): the kernel matrix runs each with one backend
# per kernel, the backends taking turns (every backend still runs some of
# them), instead of with all three. tests/run.sh runs them all here.
ONE_BACKEND_SCENARIOS="t_rotate_size t_rotate_ring_gz t_rotate_time t_json
	t_metrics t_netns_owners t_fifo_no_reader t_text_reader_gone t_gzip
	t_pipe_tcpdump t_text_lines t_output t_disk_full t_failed_start_keeps_files
	t_dropsite t_dropsite_wrong_slot t_dropsite_sites
	t_snaplen t_large_paged t_count t_sighup t_bad_input
	t_check t_backend_fentry t_kprobe_site t_kprobe_wrong_register"

# Backends the kernel matrix runs with the scenarios of attribution only
# (PARTIAL_MATRIX_TOPICS: where backends differ) when a full backend is
# in the list too; they take no turn at ONE_BACKEND_SCENARIOS. dropsite
# (auto's choice): NFD_BACKENDS=dropsite runs every scenario with it.
PARTIAL_MATRIX_BACKENDS="dropsite"
PARTIAL_MATRIX_TOPICS="attribution real"

# Scenarios of what the kernel's own code gives (sites, registers, frame
# slots, what loads, the per-CPU data iptables-legacy rules are told by):
# run on every kernel, also where kernels share or
# rotate the others (with the backend whose turn it is).
EVERY_KERNEL_SCENARIOS="t_check t_backend_fentry t_kprobe_site
	t_kprobe_wrong_register t_dropsite t_dropsite_sites t_dropsite_wrong_slot
	t_xt_legacy_rules"

# matrix_scenario_names BACKEND "BACKENDS" [SPLIT]: the scenarios the
# kernel matrix runs with BACKEND, one of the list BACKENDS it runs with
# (each scenario with each backend, ONE_BACKEND_SCENARIOS with one,
# PARTIAL_MATRIX_BACKENDS with their topics). SPLIT, from kernels.txt's
# options, this kernel the I-th (from 0) of N with the same option:
#   "share I/N"   the N kernels share the pairs of scenario and backend:
#                 each pair runs on one of them, the kernels taking turns
#   "rotate I/N"  the N kernels share the scenarios: each runs on one of
#                 them with one backend, the backends taking turns (a
#                 partial backend's turn only for a scenario of its topics)
# EVERY_KERNEL_SCENARIOS run on each kernel whatever SPLIT says.
matrix_scenario_names() {
	local full= partial= b topic
	for b in $2; do
		case " $PARTIAL_MATRIX_BACKENDS " in
		*" $b "*) partial="$partial $b" ;;
		*) full="$full $b" ;;
		esac
	done
	[ -n "$full" ] || { full=$2; partial=; }
	scenario_names | awk -v want="$1" -v full="$(echo $full)" \
		-v partial="$(echo $partial)" -v split_="${3:-}" \
		-v skip=" $(echo $HOST_ONLY_SCENARIOS) " \
		-v one="$(echo $ONE_BACKEND_SCENARIOS)" \
		-v every=" $(echo $EVERY_KERNEL_SCENARIOS) " \
		-v topics="$(for topic in $PARTIAL_MATRIX_TOPICS; do
			sed -n 's/^\(t_[a-z0-9_]*\)() {$/\1/p' "$TOP/tests/scenarios/$topic.sh"
		done | tr '\n' ' ')" '
		BEGIN {
			nb = split(full, fb, " ")
			np = split(partial, pb, " ")
			n = split(one, o, " ")
			for (i = 1; i <= n; i++) turn[o[i]] = (i - 1) % nb + 1
			n = split(topics, t, " ")
			for (i = 1; i <= n; i++) topic[t[i]] = 1
			mode = ""
			if (split(split_, sp, " ") == 2 && split(sp[2], r, "/") == 2) {
				mode = sp[1]; me = r[1] + 0; of = r[2] + 0
			}
		}
		index(skip, " " $0 " ") { next }
		# rotate: each scenario once on one kernel, with one backend
		# (a partial one where the scenario is of its topics)
		mode == "rotate" && !index(every, " " $0 " ") {
			i = int(k / of) % (nb + np) + 1
			b = i <= nb ? fb[i] : ($0 in topic) ? pb[i - nb] : fb[int(k / of) % nb + 1]
			if (k % of == me && b == want) print
			k++
			next
		}
		# share: scenario j with the i-th backend on kernel (i + j) mod N
		{
			i = 0
			for (x = 1; x <= nb; x++)
				if (!($0 in turn) || turn[$0] == x)
					pair(fb[x], i++)
			for (x = 1; x <= np; x++)
				if ($0 in topic)
					pair(pb[x], i++)
			j++
		}
		function pair(b, i) {
			if (mode == "share" && !index(every, " " $0 " ") &&
			    (i + j) % of != me)
				return
			if (b == want) print
		}'
}

# produce NAME: the scenario's first phase, here, with $T its directory;
# its output goes to $T/log. Returns its status.
phase_produce() {
	local rc
	mkdir -p "$T"
	: >"$T/facts"
	fact slow "${NFD_SLOW:-0}"
	fact backend "${NFD_BACKEND:-}"
	topo_reset
	(set -o pipefail; "$1") >"$T/log" 2>&1
	rc=$?
	# only this run's (other runs may be going on beside it)
	pkill -f "^$NFD .*(-N nfdt-.-$SUFFIX|-w $T/)" 2>/dev/null
	return $rc
}

# check NAME: its second phase, on the host, reading $T (which may come
# from a VM); its output is added to $T/log. Returns its status.
phase_check() {
	local fn=check_${1#t_}
	declare -F "$fn" >/dev/null || return 0
	(set -o pipefail; NFD_SLOW=$(fact_get slow); "$fn") >>"$T/log" 2>&1
}

# Helpers the scenarios (tests/scenarios/*.sh) share.

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

# packet_records: comment lines ("PORT|first line", then its other lines)
# joined into one line per packet, "LINE ~ LINE ~ ".
packet_records() {
	awk '/^[0-9]+\|/ && NR > 1 { print "" } { printf "%s ~ ", $0 } END { print "" }'
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

# expect_refused BACKEND REGEX: --backend BACKEND does not start here:
# status 1, one line on stderr matching REGEX, no file left behind.
expect_refused() {
	"$NFD" --backend "$1" -N "$R" -w "$T/x.pcapng" 2>"$T/err"
	expect_eq $? 1 "exit status of a refused --backend $1" &&
		expect_eq "$(wc -l <"$T/err")" 1 "lines on stderr" &&
		expect_match "$(cat "$T/err")" "$2" "the refusal" || return 1
	[ ! -e "$T/x.pcapng" ] || fail "a refused start left its file behind"
}
