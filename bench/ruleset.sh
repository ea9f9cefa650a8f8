#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Prints the benchmark's ruleset: about 200 rules of the kinds real
# firewalls have (sets, a verdict map, jumps, conntrack state, counters).
# Accepted traffic (UDP and TCP to 7500-7501, forwarded) passes all of them;
# the drop rules for UDP 6001-6004 come last in input.
# Usage: bench/ruleset.sh [log]   (log: NFLOG group 5 on each drop rule)
set -eu
log=${1:-}
logstmt=""
[ "$log" = log ] && logstmt="log group 5 "

filler() { # CHAIN-LOCAL filler rules that never match the bench traffic
	local from=$1 n=$2
	for i in $(seq "$from" $((from + n - 1))); do
		echo "		ip saddr 203.0.$((i / 250)).$((i % 250 + 1)) tcp dport $((20000 + i)) counter accept"
	done
}

cat <<EOF
table inet bench {
	set blocked4 {
		type ipv4_addr
		flags interval
		elements = { 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24,
			     100.64.0.0/10 }
	}
	set mgmt_ports {
		type inet_service
		elements = { 22, 161, 443, 8443, 9100 }
	}
	map svc {
		type inet_service : verdict
		elements = { 80 : accept, 443 : accept, 8080 : drop, 9000 : jump checks }
	}

	chain checks {
$(filler 0 40)
	}

	chain input {
		type filter hook input priority filter; policy accept;
		ct state invalid counter drop
		ip saddr @blocked4 counter drop
		tcp dport @mgmt_ports ip saddr != 10.0.0.0/8 counter drop
		tcp dport vmap @svc
		jump checks
$(filler 40 60)
		udp dport 6001 ${logstmt}counter drop
		udp dport 6002 ${logstmt}counter drop
		udp dport 6003 ${logstmt}counter drop
		udp dport 6004 ${logstmt}counter drop
	}

	chain forward {
		type filter hook forward priority filter; policy accept;
		ct state invalid counter drop
		ip saddr @blocked4 counter drop
		tcp dport vmap @svc
		jump checks
$(filler 100 95)
		udp dport 7500 counter accept
		tcp dport 7501 counter accept
	}
}
EOF
