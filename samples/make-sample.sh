#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Makes samples/drops-sample.pcapng: ruleset.nft in a namespace of its own,
# a few packets that each meet a different rule, nfdropcap capturing them.
# Usage (as root, after make): samples/make-sample.sh [OUT]
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh
SUFFIX=sample
C=nfdt-c-$SUFFIX R=nfdt-r-$SUFFIX S=nfdt-s-$SUFFIX
out=${1:-samples/drops-sample.pcapng}
T=$(mktemp -d)
NFD_PID=
trap '[ -n "$NFD_PID" ] && kill $NFD_PID 2>/dev/null; topo_down; rm -rf "$T"' EXIT

topo_up || exit 1
in_r nft -f samples/ruleset.nft || exit 1
nfd_start -w "$out" || exit 1
in_c $SEND syn $R4 8080 1   # verdict map
in_c $SEND syn $R4 25 1     # reject
in_c $SEND syn $R4 3306 1   # chain policy
in_c $SEND udp $S4 5353 2   # forward, counter drop
in_r $SEND udp $C4 9999 1   # output
in_c $SEND udp $R6 4444 1   # IPv6, chain policy
nfd_stop
tshark -r "$out" -T fields -e frame.interface_name -e ip.src -e ipv6.src \
	-e frame.comment 2>/dev/null
