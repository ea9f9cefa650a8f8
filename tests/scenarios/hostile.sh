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
	nfd_start -w "$T/out.pcapng" || return 1
	in_c $SEND udp 10.77.3.254 5097 2
	nfd_stop; expect_eq "$NFD_RC" 0 "exit status" || return 1
	cp "$T/nfd.err" "$T/summary.err"
	# the same drops in text mode
	"$NFD" ${NFD_BACKEND:+--backend "$NFD_BACKEND"} -N "$R" >"$T/out.txt" 2>"$T/nfd.err" &
	NFD_PID=$!
	for _ in $(patience 100); do
		grep -q '^nfdropcap: capturing' "$T/nfd.err" && break
		sleep 0.1
	done
	in_c $SEND udp 10.77.3.254 5097 2
	nfd_stop
	ip -n "$C" link del hc0
	expect_eq "$NFD_RC" 0 "exit status (text)"
}
check_hostile_names() {
	local h want line
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
