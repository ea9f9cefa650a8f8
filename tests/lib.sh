# SPDX-License-Identifier: GPL-2.0
# Test helpers: three network namespaces joined by veth pairs, nfdropcap
# started and stopped like a user would, checks on the files with tshark,
# capinfos and tcpdump. Sourced by tests/run.sh; the scenarios use it.
#
#   C (client)  c0 10.77.1.1   fd77:1::1  --- r0 10.77.1.254 fd77:1::fe
#   R (router)  r1 10.77.2.254 fd77:2::fe --- s0 10.77.2.1   fd77:2::1  S
#
# C and S route through R. Rulesets live in R (and S); nfdropcap captures
# in R unless a test says otherwise. Traffic never leaves these namespaces.

TOP=${TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
NFD=${NFD:-$TOP/nfdropcap}
SEND=${SEND:-$TOP/.output/nfd-send}
SUFFIX=${SUFFIX:-$$}
C=nfdt-c-$SUFFIX
R=nfdt-r-$SUFFIX
S=nfdt-s-$SUFFIX
C4=10.77.1.1 R4=10.77.1.254 R4S=10.77.2.254 S4=10.77.2.1
C6=fd77:1::1 R6=fd77:1::fe R6S=fd77:2::fe S6=fd77:2::1
SKIP=77 # a test's exit status when it cannot run here (it says why)

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
	for _ in $(seq 30); do
		in_c ip -6 neigh show $R6 | grep -q REACHABLE && break
		sleep 0.1
	done
	sleep 0.2
}

topo_down() {
	for ns in "$C" "$R" "$S"; do
		ip netns del "$ns" 2>/dev/null
	done
	return 0
}

# A clean slate between tests: no ruleset left in our namespaces.
topo_reset() {
	in_r nft flush ruleset
	in_s nft flush ruleset
	in_c nft flush ruleset
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

# Starts nfdropcap in R with the given arguments; waits for its ready line.
# Sets NFD_PID; stderr goes to $T/nfd.err.
nfd_start() {
	nfd_start_in "$R" "$@"
}

nfd_start_in() {
	local ns=$1
	shift
	"$NFD" -N "$ns" "$@" 2>"$T/nfd.err" &
	NFD_PID=$!
	for _ in $(seq 100); do
		grep -q '^nfdropcap: capturing' "$T/nfd.err" && return 0
		kill -0 $NFD_PID 2>/dev/null || break
		sleep 0.1
	done
	cat "$T/nfd.err"
	fail "nfdropcap did not get ready"
}

# Stops nfdropcap (SIGINT unless told); its exit status goes to NFD_RC.
nfd_stop() {
	local sig=${1:-INT}
	sleep 0.3 # let the last drops reach the buffer
	kill -s "$sig" $NFD_PID 2>/dev/null
	wait $NFD_PID
	NFD_RC=$?
}

# Waits for nfdropcap to exit by itself (-c): NFD_RC is its status, or
# "timeout".
nfd_wait() {
	NFD_RC=timeout
	for _ in $(seq ${1:-100}); do
		if ! kill -0 $NFD_PID 2>/dev/null; then
			wait $NFD_PID
			NFD_RC=$?
			return
		fi
		sleep 0.1
	done
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
