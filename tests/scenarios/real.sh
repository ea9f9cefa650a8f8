# SPDX-License-Identifier: GPL-2.0
# Scenarios: rulesets written by the software users run (Docker through
# iptables-nft, kube-proxy in nftables mode, firewalld), each drop checked
# against the kernel's own trace ('nft -a monitor trace'), not against
# hand-written expectations. The same probes are sent twice: first traced
# by the kernel alone (nfdropcap not running), then captured (not traced
# by the test). Probes are "FROM PROTO ADDR PORT" (FROM: c or s), one
# packet each, each port once.

# ruleset_file NAME: a ruleset of tests/rulesets/, or one made at run time
# (.output/rulesets/: firewalld's), in this VM or this tree
ruleset_file() {
	local f
	for f in "$TOP/tests/rulesets/$1" "$TOP/.output/rulesets/$1"; do
		[ -e "$f" ] && { echo "$f"; return 0; }
	done
	return 1
}

send_probes() {
	local from proto addr port
	while read -r from proto addr port; do
		case $proto in
		udp) "in_$from" $SEND udp "$addr" "$port" 1 ;;
		tcp) "in_$from" $SEND syn "$addr" "$port" 1 ;;
		esac
	done <"$T/probes"
}

# Has a netfilter netlink socket in R joined the trace group
# (NFNLGRP_NFTRACE, 9: bit 0x100 of /proc/net/netlink's Groups)?
trace_listening() {
	local g
	for g in $(in_r awk 'NR > 1 && $2 == 12 { print $4 }' /proc/net/netlink); do
		(( 16#$g & 0x100 )) && return 0
	done
	return 1
}

# The kernel's trace of the probes, then nfdropcap's capture of them.
real_capture() {
	local mon
	in_r nft -f - 2>/dev/null <<-EOF || return 1
	table inet nfdt_trace {
		chain pre { type filter hook prerouting priority -2147483648; meta nftrace set 1; }
		chain out { type filter hook output priority -2147483648; meta nftrace set 1; }
	}
	table bridge nfdt_trace {
		chain pre { type filter hook prerouting priority -2147483648; meta nftrace set 1; }
	}
	EOF
	in_r nft -a monitor trace >"$T/trace.txt" 2>&1 &
	mon=$!
	# the probes only once the monitor listens (a slowed VM may take
	# longer than any fixed wait: a probe it missed has no trace to check)
	for _ in $(patience 50); do
		trace_listening && break
		sleep 0.1
	done
	trace_listening || {
		kill $mon
		fail "nft monitor trace does not listen (no NFNLGRP_NFTRACE socket in R)"
		return 1
	}
	send_probes
	sleep 0.5
	kill $mon
	wait $mon 2>/dev/null
	in_r nft delete table inet nfdt_trace 2>/dev/null
	in_r nft delete table bridge nfdt_trace 2>/dev/null
	sleep 0.5
	nfd_start -w "$T/out.pcapng" || return 1
	send_probes
	nfd_stop
	expect_eq "$NFD_RC" 0 "exit status"
}

# The trace's fate of each probe, "PROTO PORT|table ... drop|PATH" (or
# "... policy drop", "accept" when it was traced but not dropped,
# "untraced" when the trace never saw it), by trace id, and how many of
# its packets it dropped (a slowed VM's TCP probe may send its SYN again).
# PATH is the kernel's jumps and gotos to the dropping rule, in
# nfdropcap's words: each message names its chain; the hops that did not
# lead there are taken off, as chains return without a word.
trace_fates() {
	awk -v probes="$(awk '{ printf "%s %s,", $2, $4 }' "$T/probes")" '
	BEGIN { n = split(probes, p, ","); for (i = 1; i < n; i++) want[p[i]] = 1 }
	function handle(line, h) { h = line; sub(/.* # handle /, "", h); sub(/ .*/, "", h); return h }
	$1 != "trace" { next }
	/ packet: / {
		for (i = 1; i < NF; i++)
			if (($i == "udp" || $i == "tcp") && $(i + 1) == "dport" &&
			    (($i " " $(i + 2)) in want) && !($3 in id)) {
				id[$3] = $i " " $(i + 2)
				seen[id[$3]] = 1
			}
		depth[$3] = 0
		base[$3] = $6
		next
	}
	!($3 in id) { next }
	{
		t = $3
		while (depth[t] > 0 && to[t, depth[t]] != $6)
			depth[t]--
	}
	/\(verdict (jump|goto) [^)]*\)$/ {
		v = $0; sub(/.*\(verdict /, "", v); sub(/\)$/, "", v)
		split(v, w, " ")
		d = ++depth[t]
		hop[t, d] = $6 " handle " handle($0) " " w[1] " " w[2]
		to[t, d] = w[2]
	}
	/\(verdict drop\)$/ || / policy drop/ {
		path = ""
		if (!/ policy drop/)
			for (d = 1; d <= depth[t]; d++)
				path = path (d > 1 ? ", " : "") hop[t, d]
		fate[id[t]] = "table " $4 " " $5 " chain " $6 \
			(/ policy drop/ ? " policy drop" : " handle " handle($0) " drop") "|" path
		if (!(t in dropped)) { dropped[t] = 1; drops[id[t]]++ }
	}
	END {
		for (k in want)
			print k "|" (k in fate ? fate[k] : k in seen ? "accept|" : "untraced|") "|" drops[k] + 0
	}
	' "$T/trace.txt" | sort
}

# What nfdropcap wrote for each probe: "PROTO PORT|first comment line|
# its path line without "path: " (vmap marks taken off: the trace does
# not tell a map's jump from a rule's)".
captured_fates() {
	fields "$T/out.pcapng" udp.dstport tcp.dstport frame.comment |
		awk -F'|' '{ n = split($3, l, /\\n/); c = l[1]; sub(/: .*/, "", c)
			path = ""
			for (i = 2; i <= n; i++)
				if (l[i] ~ /^path: /) { path = substr(l[i], 7); gsub(/ \(vmap\)/, "", path) }
			if ($1 != "") print "udp " $1 "|" c "|" path; else print "tcp " $2 "|" c "|" path }' |
		sort
}

# Each probe the trace saw dropped is in the file once (once per packet
# the trace saw dropped), attributed as the trace says; nothing else of
# the probes is. "info:" gives the figures.
real_check() {
	local name=$1 sent=0 exact=0 unattr=0 wrong=0 pathless=0 untraced=0 key fate got n
	captured || return 1
	[ -s "$T/trace.txt" ] || { fail "no trace"; return 1; }
	trace_fates >"$T/expect"
	captured_fates >"$T/got"
	while IFS='|' read -r key fate path count; do
		got=$(grep -F "$key|" "$T/got" | cut -d'|' -f2-)
		# each packet the trace saw dropped, once, all alike; more,
		# alike, where a slowed VM's TCP sent its SYN again after the
		# trace's end (the trace misses them, the capture does not)
		n=$(grep -cF "$key|" "$T/got")
		if [ "$n" -ge "$count" ] && [ "$n" -gt 1 ] &&
			[ "$(sort -u <<<"$got" | wc -l)" = 1 ]; then
			got=$(sed -n 1p <<<"$got")
			[ "$n" = "$count" ] ||
				echo "  $key: $n packets written alike, $count in the trace"
		fi
		if [ "$fate" = untraced ]; then
			untraced=$((untraced + 1)); echo "  $key: not in the kernel's trace: not checked"
			continue
		fi
		if [ "$fate" = accept ]; then
			[ -z "$got" ] || { wrong=$((wrong + 1)); echo "  $key: accepted, written as '$got'"; }
			continue
		fi
		sent=$((sent + 1))
		case $got in
		"$fate|$path") exact=$((exact + 1)) ;;
		# backend dropsite sees jumps only: a path through a goto or a
		# map it says it does not know (never a wrong one)
		"$fate|unknown ("*)
			if [ "$(fact_get backend)" = dropsite ] && [ -n "$path" ]; then
				pathless=$((pathless + 1))
			else
				wrong=$((wrong + 1)); echo "  $key: $fate|$path, written '$got'"
			fi ;;
		"netfilter drop"*) unattr=$((unattr + 1)); echo "  $key: $fate, written '$got'" ;;
		*) wrong=$((wrong + 1)); echo "  $key: $fate|$path, written '${got:-nothing}'" ;;
		esac
	done <"$T/expect"
	echo "info: $name: $sent drops, $exact exact$([ "$pathless" = 0 ] || echo ", $pathless exact with the path unknown"), $unattr unattributed, $wrong wrong"
	[ "$untraced" = 0 ] || fail "$name: $untraced probes not in the kernel's trace (the monitor missed them)"
	[ "$sent" -gt 0 ] || fail "the trace saw no drop"
	[ "$sent" -gt 0 ] && [ $((exact + pathless)) = "$sent" ] && [ "$wrong" = 0 ] ||
		fail "$name: not every drop exact"
}

# Docker with --icc=false: bridged traffic between containers (S and C's
# addresses on br0) dropped by -i br0 -o br0 -j DROP through br_netfilter;
# routed traffic from C to the container's unpublished ports dropped by
# FORWARD's policy; its published port and R's own address accepted.
t_real_docker() {
	command -v iptables-nft-restore >/dev/null || skip "no iptables-nft-restore"
	bridge_up || { bridge_down; return 1; }
	in_r iptables-nft-restore <"$(ruleset_file docker-icc-false.rules)" ||
		{ bridge_down; fail "iptables-nft-restore"; return 1; }
	cat >"$T/probes" <<-EOF
	s udp $CB4 5170
	s tcp $CB4 5171
	c udp $SB4 5172
	c tcp $SB4 5174
	c tcp $SB4 80
	c udp $RB4 5173
	EOF
	# C reaches the container through R, not over the bridge
	in_c ip route add $SB4/32 via $R4 dev c0 && in_r $SEND udp $SB4 9 1
	real_capture
	local rc=$?
	in_c ip route del $SB4/32
	in_r iptables-nft -F && in_r iptables-nft -X
	in_r nft delete table ip filter 2>/dev/null
	bridge_down
	return $rc
}
check_real_docker() {
	real_check docker
}

# kube-proxy (nftables mode): Services without endpoints rejected through
# verdict maps (with the Service in the element's comment), other ports of
# a ClusterIP rejected, a NodePort without endpoints, LoadBalancer source
# ranges.
t_real_kube_proxy() {
	in_r nft -f "$(ruleset_file kube-proxy.nft)" || return 1
	cat >"$T/probes" <<-EOF
	c tcp $S4 5180
	c udp $S4 5182
	c tcp $S4 5183
	c udp $S4 5184
	c tcp $R4 30080
	c udp $S4 5185
	EOF
	real_capture
	local rc=$?
	in_r nft delete table ip kube-proxy
	return $rc
}
check_real_kube_proxy() {
	real_check kube-proxy || return 1
	# backend dropsite does not see the goto that map took (its path
	# says so): no element line it could vouch for
	[ "$(fact_get backend)" = dropsite ] && return 0
	grep -q 'element: 10.77.2.1 . tcp . 5180 : goto reject-chain comment "ns1/svc-a:http"' \
		<(fields "$T/out.pcapng" frame.comment | sed 's/\\n/\n/g') ||
		fail "no element line naming the Service"
}

# firewalld (Debian's, nftables backend, zone public, run by
# tests/rulesets/firewalld.sh): everything not allowed is rejected with
# icmpx admin-prohibited behind a tree of jumps and gotos; a rich rule
# rejects udp/5181; ssh is allowed.
t_real_firewalld() {
	local f
	f=$(ruleset_file firewalld.nft) ||
		skip "firewalld's ruleset was not made (firewalld not installed?)"
	in_r nft -f "$f" || return 1
	cat >"$T/probes" <<-EOF
	c udp $R4 5181
	c udp $R4 5186
	c tcp $R4 5187
	c tcp $R4 22
	c udp $S4 5188
	EOF
	real_capture
	local rc=$?
	in_r nft delete table inet firewalld
	return $rc
}
check_real_firewalld() {
	real_check firewalld
}
