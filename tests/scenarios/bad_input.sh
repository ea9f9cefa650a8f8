# SPDX-License-Identifier: GPL-2.0
# Bad input: one line naming the problem and the fix, the documented exit
# status, nothing left behind; --help and --version.
# (Scenarios: see tests/lib.sh; tests/run.sh lists the files.)

t_bad_input() {
	expect_status 2 nfd --no-such-option &&
		expect_status 2 nfd -N "$R" -w "$T/x" 'udp port' &&
		expect_status 2 nfd -N "$R" -w "$T/x" 'tcp port 99999' &&
		expect_status 2 nfd -s -5 -w "$T/x" &&
		expect_status 2 nfd -s 300000 -w "$T/x" &&
		expect_status 2 nfd -s abc -w "$T/x" &&
		expect_status 2 nfd -c 0 -w "$T/x" &&
		expect_status 2 nfd -N no-such-netns-here -w "$T/x" &&
		expect_status 2 nfd -N /etc/hostname -w "$T/x" &&
		expect_status 2 nfd --backend nope -w "$T/x" &&
		expect_status 2 nfd -C 0 -w "$T/x" &&
		expect_status 2 nfd -C 10x -w "$T/x" &&
		expect_status 2 nfd -G -1 -w "$T/x" &&
		expect_status 2 nfd -W 3 -w "$T/x" &&
		expect_status 2 nfd -C 1 -w - &&
		expect_status 2 nfd -G 60 &&
		expect_status 1 nfd -N "$R" -w /nonexistent-dir/x.pcapng &&
		expect_status 1 nfd -N "$R" --metrics /nonexistent-dir/m.prom -w "$T/x" &&
		expect_status 2 nfd --json -w - &&
		expect_status 1 env NFDROPCAP_BTF=/nonexistent/vmlinux "$NFD" \
			${NFD_BACKEND:+--backend "$NFD_BACKEND"} -N "$R" -w "$T/x" &&
		expect_status 1 setpriv --reuid=65534 --regid=65534 --clear-groups \
			--inh-caps=-all "$NFD" ${NFD_BACKEND:+--backend "$NFD_BACKEND"} \
			-w "$T/x" || return 1
	grep -q 'privileges' "$T/err" || fail "no word on privileges: $(cat "$T/err")" || return 1
	[ ! -e "$T/x" ] || fail "a failed start left $T/x behind"
}

t_help_version() {
	nfd --help >"$T/help" || fail "--help failed" || return 1
	for opt in -w -s -c -N --netns --backend -v -q; do
		grep -q -- "$opt" "$T/help" || fail "--help does not mention $opt" || return 1
	done
	expect_match "$(nfd --version)" "^nfdropcap [0-9]+\.[0-9]+" "--version"
}

# The README's usage block is what --help says (the options come from one
# table in capture/opts.c): the same usage line and option lines.
t_help_readme() {
	nfd --help >"$T/help" || fail "--help failed"
}
check_help_readme() {
	awk '/^## Usage/ { u = 1 } u && /^```/ { if (b) exit; b = 1; next }
		b' "$TOP/README.md" >"$T/readme.usage"
	[ -s "$T/readme.usage" ] || fail "no usage block in README.md" || return 1
	expect_eq "$(head -n1 "$T/readme.usage")" \
		"$(sed -n '1s/^Usage: //p' "$T/help")" "usage line" || return 1
	diff <(grep '^  ' "$T/readme.usage") <(grep '^  ' "$T/help") ||
		fail "README.md's usage block differs from --help (see the diff)"
}
