# SPDX-License-Identifier: GPL-2.0
# Where users already work: Wireshark's extcap interface, the man page,
# make install / uninstall, bash completion.
# (Scenarios: see tests/lib.sh; tests/run.sh lists the files.)

# help_options: every option --help names (-x and --name), one per line
help_options() {
	"$NFD" --help | grep -E '^ +-' | grep -oE '(^|[ ,])--?[a-zA-Z][a-z-]*' |
		sed 's/^[ ,]*//' | sort -u
}

# The man page renders without a warning, has the sections a man page has,
# and documents every option --help names; every option it documents is
# one --help names (they cannot drift apart).
t_man_page() {
	local page=$TOP/man/nfdropcap.8 opt missing= extra=
	command -v man >/dev/null || skip "no man(1) here (Debian: man-db)"
	MANWIDTH=80 man --warnings -l "$page" >"$T/man.txt" 2>"$T/man.err"
	expect_eq "$?" 0 "man -l's status" || return 1
	[ -s "$T/man.err" ] && { fail "man -l warns: $(head -n5 "$T/man.err")"; return 1; }
	help_options >"$T/help.opts"
	[ "$(wc -l <"$T/help.opts")" -gt 20 ] ||
		{ fail "only $(wc -l <"$T/help.opts") options in --help"; return 1; }
	while read -r opt; do
		grep -qE -- "(^|[^a-z-])$opt([^a-z-]|$)" "$T/man.txt" || missing+=" $opt"
	done <"$T/help.opts"
	[ -z "$missing" ] || { fail "options of --help not in the man page:$missing"; return 1; }
	# the options the page describes: the tags of its paragraphs
	awk '/^\.TP/ { tp = 1; next } tp { print; tp = 0 }' "$page" |
		sed 's/\\-/-/g; s/\\f[BIRP]//g' | grep -oE '(^|[ ,"])--?[a-zA-Z][a-z-]*' |
		sed 's/^[ ,"]*//' | sort -u >"$T/man.opts"
	while read -r opt; do
		grep -qx -- "$opt" "$T/help.opts" || extra+=" $opt"
	done <"$T/man.opts"
	[ -z "$extra" ] || { fail "options in the man page that --help does not name:$extra"; return 1; }
	for s in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" BACKENDS FILES EXAMPLES "SEE ALSO"; do
		grep -qx "$s" "$T/man.txt" || { fail "no section $s"; return 1; }
	done
	for s in 'tcpdump(8)' 'nft(8)' 'wireshark(1)'; do
		sed -n '/^SEE ALSO/,$p' "$T/man.txt" | grep -qF "$s" ||
			{ fail "SEE ALSO does not name $s"; return 1; }
	done
	grep -qF 'table inet filter chain input handle 7 drop: tcp dport 22 drop' "$T/man.txt" ||
		fail "the comment format is not in the man page"
	echo "info: $(wc -l <"$T/help.opts") options in --help, $(wc -l <"$T/man.opts") described, $(wc -l <"$T/man.txt") lines"
}

# complete WORD...: what the completion offers for the last WORD, one per
# line, in a clean bash (no bash-completion package needed)
complete_words() {
	(cd "$T" && bash --norc --noprofile -c '. "$1"; shift
		COMP_WORDS=(nfdropcap "$@"); COMP_CWORD=$#; _nfdropcap
		printf "%s\n" "${COMPREPLY[@]}"' - "$TOP/completion/nfdropcap" "$@") | sort
}

# Bash completion: registered for nfdropcap; options (exactly those of
# --help), backends, 'ip netns' names for -N (a hostile one neither run
# nor expanded), files for -w and -r.
t_completion() {
	local evil="nfdt-\$(touch pwned)\`touch pwned2\`-$SUFFIX" got
	expect_eq "$(bash --norc -c ". '$TOP/completion/nfdropcap'; complete -p nfdropcap")" \
		"complete -F _nfdropcap nfdropcap" "complete -p" || return 1
	help_options >"$T/help.opts"
	complete_words - >"$T/completed.opts"
	diff "$T/help.opts" "$T/completed.opts" ||
		{ fail "completed options differ from --help's (see the diff)"; return 1; }
	expect_eq "$(complete_words --backend "" | tr '\n' ' ')" "auto dropsite fentry kprobe nftrace " \
		"backends" || return 1
	expect_eq "$(complete_words --backend n)" "nftrace" "--backend n" || return 1
	ip netns add "$evil" || { fail "ip netns add failed"; return 1; }
	got=$(complete_words -N "nfdt-")
	ip netns del "$evil"
	for ns in "$R" "$C" "$S"; do
		grep -qx -- "$ns" <<<"$got" || { fail "-N does not offer $ns: $got"; return 1; }
	done
	grep -qxF -- "$(printf '%q' "$evil")" <<<"$got" ||
		{ fail "-N does not offer the odd name, quoted: $got"; return 1; }
	[ ! -e "$T/pwned" ] && [ ! -e "$T/pwned2" ] ||
		{ fail "completing -N ran a command in a namespace's name"; return 1; }
	: >"$T/drops-one.pcapng" && : >"$T/drops-two.pcapng.gz" && : >"$T/drops *x.pcapng"
	for o in -w -r --metrics; do
		expect_eq "$(complete_words $o drops- | tr '\n' '|')" \
			"drops-one.pcapng|drops-two.pcapng.gz|" "files after $o" || return 1
	done
	expect_eq "$(complete_words -r 'drops ')" "drops *x.pcapng" \
		"a file name with a space and a star" || return 1
	expect_eq "$(complete_words -s "")" "" "after -s (a number)"
}

# make install into a DESTDIR: the binary, the man page, the completion,
# the extcap link, nothing else; man -l reads the page installed; make
# uninstall takes them all away again.
t_make_install() {
	local d=$T/dest files
	rm -rf "$d"
	# -o nfdropcap: install what was built, never rebuild here
	make -s -C "$TOP" -o nfdropcap install DESTDIR="$d" PREFIX=/usr \
		EXTCAPDIR=/usr/lib/wireshark/extcap >"$T/make.out" 2>&1 ||
		{ cat "$T/make.out"; fail "make install failed"; return 1; }
	files=$(cd "$d" && find . ! -type d -printf '%m %p %l\n' | sort)
	expect_eq "$files" "644 ./usr/share/bash-completion/completions/nfdropcap 
644 ./usr/share/man/man8/nfdropcap.8 
755 ./usr/sbin/nfdropcap 
777 ./usr/lib/wireshark/extcap/nfdropcap /usr/sbin/nfdropcap" "files installed" || return 1
	cmp -s "$d/usr/sbin/nfdropcap" "$TOP/nfdropcap" || { fail "sbin/nfdropcap is not the build"; return 1; }
	MANWIDTH=80 man -l "$d/usr/share/man/man8/nfdropcap.8" 2>&1 | grep -q '^NAME' ||
		{ fail "man -l cannot read the page installed"; return 1; }
	make -s -C "$TOP" -o nfdropcap uninstall DESTDIR="$d" PREFIX=/usr \
		EXTCAPDIR=/usr/lib/wireshark/extcap >"$T/make.out" 2>&1 ||
		{ cat "$T/make.out"; fail "make uninstall failed"; return 1; }
	expect_eq "$(cd "$d" && find . ! -type d)" "" "files left after make uninstall" || return 1
	# the defaults: PREFIX /usr/local, Wireshark's own extcap folder
	rm -rf "$d"
	make -s -C "$TOP" -o nfdropcap install DESTDIR="$d" >"$T/make.out" 2>&1 ||
		{ cat "$T/make.out"; fail "make install (defaults) failed"; return 1; }
	[ -x "$d/usr/local/sbin/nfdropcap" ] && [ -f "$d/usr/local/share/man/man8/nfdropcap.8" ] ||
		{ fail "PREFIX is not /usr/local by default: $(cd "$d" && find . ! -type d)"; return 1; }
	local xdir=$(tshark -G folders 2>/dev/null | sed -En 's/^(Global )?Extcap path:[[:space:]]*//p')
	if [ -n "$xdir" ]; then
		expect_eq "$(readlink "$d$xdir/nfdropcap")" /usr/local/sbin/nfdropcap \
			"the link in Wireshark's extcap folder ($xdir)" || return 1
	fi
	rm -rf "$d"
}

# The arm64 build on this x86-64 machine, as README says to make it
# (scripts/install-deps.sh --arm64; make static ARCH=arm64): a static
# AArch64 binary that runs (under qemu-user here), BPF objects built for
# arm64's pt_regs, nothing of this machine's build touched. On an arm64
# machine it is the native build and there is nothing to cross.
t_static_arm64() {
	[ "$(uname -m)" = x86_64 ] || skip "not an x86-64 machine: nothing to cross-build"
	local bin=$TOP/nfdropcap-static-arm64 before
	before=$(stat -c %Y "$TOP/nfdropcap")
	make -s -C "$TOP" static ARCH=arm64 >"$T/make.out" 2>&1 ||
		{ tail -n 20 "$T/make.out"; fail "make static ARCH=arm64 failed"; return 1; }
	expect_match "$(file -b "$bin")" 'ARM aarch64.*statically linked' "the arm64 binary" || return 1
	expect_eq "$(stat -c %Y "$TOP/nfdropcap")" "$before" "this machine's nfdropcap (untouched)" || return 1
	bpftool btf dump file "$TOP/.output-arm64/kprobe.bpf.o" | grep -A1 "STRUCT 'pt_regs'" |
		grep -q "'regs'" || { fail "kprobe.bpf.o: not arm64's struct pt_regs"; return 1; }
	command -v qemu-aarch64-static >/dev/null ||
		skip "no qemu-aarch64-static (scripts/install-deps.sh --test) to run it"
	expect_eq "$(qemu-aarch64-static "$bin" --version)" "$("$NFD" --version)" \
		"nfdropcap-static-arm64 --version" || return 1
}

# extcap_run CMD...: CMD in a mount namespace of its own where Wireshark's
# extcap folder is $T/extcap, holding nfdropcap (this machine's folder is
# never touched)
extcap_run() {
	unshare -m --propagation private sh -c 'mount --bind "$1" "$2" && shift 2 && exec "$@"' \
		- "$T/extcap" "$XDIR" "$@"
}

# Wireshark's extcap interface: what nfdropcap answers Wireshark, then a
# live capture through tshark (`tshark -i nfdropcap -a duration:N -w`)
# with the namespace set as Wireshark's settings set it: every drop in the
# file with its comment; tshark's end ends nfdropcap, nothing left.
t_extcap() {
	command -v tshark >/dev/null || skip "no tshark here"
	# the ASan run reuses $T: an earlier run's capture would end the wait
	rm -f "$T/out.pcapng" "$T/tshark.out" "$T/comments"
	XDIR=$(tshark -G folders 2>/dev/null | sed -En 's/^(Global )?Extcap path:[[:space:]]*//p')
	[ -d "$XDIR" ] || skip "tshark names no extcap folder"
	expect_eq "$("$NFD" --extcap-interfaces --extcap-version=4.0 | grep '^interface')" \
		"interface {value=nfdropcap}{display=netfilter drops}" "--extcap-interfaces" || return 1
	expect_match "$("$NFD" --extcap-dlts --extcap-interface nfdropcap)" \
		'^dlt \{number=276\}\{name=LINUX_SLL2\}' "--extcap-dlts" || return 1
	"$NFD" --extcap-config --extcap-interface nfdropcap >"$T/config"
	for call in --backend --netns --all-netns --snapshot-length; do
		grep -q "^arg {number=[0-9]}{call=$call}" "$T/config" ||
			{ fail "--extcap-config has no $call"; return 1; }
	done
	expect_status 2 "$NFD" --extcap-config --extcap-interface eth0 || return 1
	# Wireshark's check of the capture filter its user types
	expect_eq "$("$NFD" --extcap-capture-filter 'udp port 53' --extcap-interface nfdropcap; echo "rc=$?")" \
		"rc=0" "a valid capture filter checked" || return 1
	expect_eq "$("$NFD" --extcap-capture-filter 'udp port' --extcap-interface nfdropcap |
		grep -c 'syntax error'; echo "rc=${PIPESTATUS[0]}")" "1
rc=0" "an invalid capture filter checked (one line saying why)" || return 1
	expect_status 2 "$NFD" --capture --extcap-interface nfdropcap || return 1
	mkdir -p "$T/extcap" && ln -sfn "$NFD" "$T/extcap/nfdropcap"
	extcap_run tshark -D >"$T/tshark-D" 2>&1
	grep -q '^[0-9]*\. nfdropcap (netfilter drops)$' "$T/tshark-D" ||
		{ fail "tshark -D does not list nfdropcap: $(cat "$T/tshark-D")"; return 1; }
	load_rules "table inet filter { chain input {
		type filter hook input priority 0; udp dport 5061 drop; } }" || return 1
	local secs=$(host_or_slow 8 40)
	extcap_run tshark -i nfdropcap -o "extcap.nfdropcap.netns:$R" \
		-a duration:$secs -w "$T/out.pcapng" >"$T/tshark.out" 2>&1 &
	local tpid=$! n
	# drops until the file has three attributed (the capture starts
	# when it starts: without a ready line to wait for, the first drops
	# may come before the backend is ready, and be written unattributed)
	for _ in $(patience 60); do
		kill -0 $tpid 2>/dev/null || break
		in_c $SEND udp $R4 5061 1
		n=$(tshark -r "$T/out.pcapng" -Y 'frame.comment contains "handle"' 2>/dev/null | wc -l)
		[ "${n:-0}" -ge 3 ] && break
		sleep 0.2
	done
	wait $tpid
	expect_eq "$?" 0 "tshark's exit status" || { cat "$T/tshark.out"; return 1; }
	sleep 0.5
	pgrep -f "nfdropcap.*--capture" >/dev/null &&
		{ fail "nfdropcap still runs after tshark ended"; return 1; }
	in_r nft list tables | grep -q nfdropcap &&
		{ fail "a table of nfdropcap is left in $R"; return 1; }
	return 0
}
check_extcap() {
	file_valid "$T/out.pcapng" || return 1
	local n=$(packets "$T/out.pcapng") early bad
	fields "$T/out.pcapng" frame.comment >"$T/comments"
	# the drops before the backend was ready, then every one with its rule
	early=$(awk '/^table /{ exit } { n++ } END { print n + 0 }' "$T/comments")
	bad=$(tail -n +$((early + 1)) "$T/comments" | grep -cv \
		'^table inet filter chain input handle [0-9]* drop: udp dport 5061 drop')
	expect_eq "$bad" 0 "packets without their rule's comment" || return 1
	[ $((n - early)) -ge 3 ] || { fail "only $((n - early)) drops came through tshark"; return 1; }
	head -n $early "$T/comments" | grep -v '^netfilter drop (not attributed: ' &&
		{ fail "a drop before the first attributed one is neither"; return 1; }
	echo "info: $n drops through tshark -i nfdropcap, $((n - early)) with their rule after the start, $early before it (unattributed)"
}

# lines_no_time FILE: text lines without their time (two captures of the
# same drops stamp them microseconds apart)
lines_no_time() {
	sed 's/^[0-9:.]* //' "$1"
}

# Reading captures back (-r): the text lines, JSON lines and per-rule
# summary of live capture, from the file, plain, gzip or stdin; a filter;
# -w re-filters into a file with the same comments and interfaces; a
# truncated and a damaged file are read up to their last whole block with
# one warning; a tcpdump capture prints without attribution; bad files and
# live options are refused on one line.
t_read_back() {
	load_rules "table inet filter { chain input {
		type filter hook input priority 0;
		udp dport 5071 drop; udp dport 5072 drop; tcp dport 5073 drop; } }" || return 1
	# a second nfdropcap prints the same drops as text lines
	"$NFD" ${NFD_BACKEND:+--backend "$NFD_BACKEND"} -N "$R" >"$T/live.txt" 2>"$T/live.err" &
	local text_pid=$!
	local ok= _
	for _ in $(patience 100); do
		grep -q '^nfdropcap: capturing' "$T/live.err" && { ok=1; break; }
		sleep 0.1
	done
	[ -n "$ok" ] || { kill $text_pid; fail "the text-mode nfdropcap did not get ready: $(cat "$T/live.err")"; return 1; }
	nfd_start --json -w "$T/out.pcapng" >"$T/live.json" || { kill $text_pid; return 1; }
	in_c $SEND udp $R4 5071 3
	in_c $SEND udp $R4 5072 2
	in_c $SEND syn $R4 5073
	in_c tcpdump -i c0 -w "$T/tcpdump.pcap" -U -c 2 udp port 5074 2>/dev/null &
	local tcpd=$!
	sleep 1
	in_c $SEND udp $R4 5074 2
	wait $tcpd
	nfd_stop
	kill -INT $text_pid; wait $text_pid
	expect_eq "$NFD_RC" 0 "exit status" || return 1
	grep '^nfdropcap: ' "$T/nfd.err" | grep -v -e capturing -e 'note:' >"$T/live.summary"
}
check_read_back() {
	local f=$T/out.pcapng n
	file_valid "$f" || return 1
	n=$(packets "$f")
	[ "$n" -ge 6 ] || { fail "only $n drops captured"; return 1; }
	# text lines, as live (the time aside; in any order: two processes
	# may read the CPUs' buffers in different orders), and the summary
	"$NFD" -r "$f" >"$T/rb.txt" 2>"$T/rb.err"
	expect_eq "$?" 0 "exit status of -r" || { cat "$T/rb.err"; return 1; }
	diff <(lines_no_time "$T/live.txt" | sort) <(lines_no_time "$T/rb.txt" | sort) ||
		{ fail "-r's lines differ from live text mode's (see the diff)"; return 1; }
	expect_eq "$(wc -l <"$T/rb.txt")" "$n" "lines" || return 1
	diff "$T/live.summary" "$T/rb.err" ||
		{ fail "-r's summary differs from the live one (see the diff)"; return 1; }
	# JSON lines, as live, exactly
	"$NFD" -r "$f" --json -q >"$T/rb.json" || { fail "-r --json failed"; return 1; }
	diff "$T/live.json" "$T/rb.json" ||
		{ fail "-r --json differs from live --json (see the diff)"; return 1; }
	# gzip, and stdin
	gzip -c "$f" >"$T/out.pcapng.gz"
	expect_eq "$("$NFD" -r "$T/out.pcapng.gz" -q | md5sum)" "$(md5sum <"$T/rb.txt")" "-r FILE.gz" &&
		expect_eq "$("$NFD" -r - -q <"$f" | md5sum)" "$(md5sum <"$T/rb.txt")" "-r -" || return 1
	# a filter expression, and -w: the drops it keeps, comments and
	# interfaces as they were
	expect_eq "$("$NFD" -r "$f" -q udp port 5071 | grep -c 'udp dport 5071 drop\]$')" 3 \
		"lines of 'udp port 5071'" || return 1
	"$NFD" -r "$f" -w "$T/sub.pcapng" udp port 5072 2>"$T/sub.err" ||
		{ cat "$T/sub.err"; fail "-r -w failed"; return 1; }
	file_valid "$T/sub.pcapng" || return 1
	grep -q '^nfdropcap: 2 captured, 0 lost, 0 unattributed (.* drops seen, .* filtered out)$' "$T/sub.err" ||
		{ fail "summary of -r -w: $(cat "$T/sub.err")"; return 1; }
	diff <(fields "$f" frame.interface_name frame.interface_description frame.comment frame.len | grep 'dport 5072 drop') \
		<(fields "$T/sub.pcapng" frame.interface_name frame.interface_description frame.comment frame.len) ||
		{ fail "-r -w changed comments or interfaces (see the diff)"; return 1; }
	check_read_damaged "$f" "$n" && check_read_foreign && check_read_edges "$f"
}

# -w naming the file read is refused (the file kept); the reader of a pipe
# going away ends -r with status 0; a raw-IP pcap (link type 101) filtered.
check_read_edges() {
	local f=$1 sum
	cp "$f" "$T/same.pcapng" && sum=$(md5sum <"$T/same.pcapng")
	expect_status 2 "$NFD" -r "$T/same.pcapng" -w "$T/same.pcapng" &&
		expect_eq "$(md5sum <"$T/same.pcapng")" "$sum" "the file -r -w named twice" || return 1
	for _ in $(seq 3000); do cat "$f"; done >"$T/big.pcapng" # 3000 sections
	"$NFD" -r "$T/big.pcapng" 2>"$T/big.err" | head -n 1 >/dev/null
	expect_eq "${PIPESTATUS[0]}" 0 "status of -r | head -n 1" || { cat "$T/big.err"; return 1; }
	grep -q 'writing' "$T/big.err" && { fail "-r | head: $(cat "$T/big.err")"; return 1; }
	python3 - "$T/raw.pcap" <<'PY' || { fail "could not make the file"; return 1; }
import struct, sys
ip = bytes.fromhex('4500001c000000004011f97e0a4d01010a4d01fe') + struct.pack('>HHHH', 1000, 53, 8, 0)
f = open(sys.argv[1], 'wb')
f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 101))
for i in range(3):
    f.write(struct.pack('<IIII', 1000 + i, 0, len(ip), len(ip)) + ip)
PY
	expect_eq "$("$NFD" -r "$T/raw.pcap" -q udp port 53 | grep -c '10.77.1.1.1000 > 10.77.1.254.53: UDP, length 0$')" 3 \
		"raw IP packets through 'udp port 53'"
}

# A truncated and a damaged copy: read up to the last whole block, one
# warning, no crash.
check_read_damaged() {
	local f=$1 n=$2 size cut got rc shb half
	size=$(stat -c %s "$f")
	shb=$(od -An -tu4 -j 4 -N 4 "$f" | tr -d ' ') # the SHB's length
	for cut in $((size - 1)) $((size / 2)) $((shb + 10)); do
		head -c $cut "$f" >"$T/cut.pcapng"
		"$NFD" -r "$T/cut.pcapng" >"$T/cut.txt" 2>"$T/cut.err"
		rc=$?
		[ $rc -lt 128 ] || { fail "-r crashed on a file cut at $cut bytes (status $rc)"; return 1; }
		expect_eq "$(grep -c '^nfdropcap: warning: .* ends inside a block (truncated?) at byte [0-9]*, after [0-9]* packets: read up to the last whole block$' "$T/cut.err")" 1 \
			"warnings for a file cut at $cut bytes" || { cat "$T/cut.err"; return 1; }
		got=$(wc -l <"$T/cut.txt")
		expect_eq "$got" "$(tshark -r "$T/cut.pcapng" 2>/dev/null | wc -l)" \
			"packets read from a file cut at $cut bytes (vs tshark)" || return 1
		[ $cut = $((size / 2)) ] && half=$got
	done
	# the second block's length made 13: damaged there
	cp "$f" "$T/bad.pcapng"
	printf '\x0d\x00\x00\x00' | dd of="$T/bad.pcapng" bs=1 seek=$((shb + 4)) conv=notrunc 2>/dev/null
	"$NFD" -r "$T/bad.pcapng" >"$T/bad.txt" 2>"$T/bad.err"
	rc=$?
	[ $rc -lt 128 ] || { fail "-r crashed on a damaged file (status $rc)"; return 1; }
	expect_eq "$(grep -c '^nfdropcap: warning: .* is damaged at byte' "$T/bad.err")" 1 \
		"warning for a damaged file" || { cat "$T/bad.err"; return 1; }
	echo "info: $n drops read back; cut at $((size / 2)) of $size bytes: $half lines (as tshark)"
}

# tcpdump's capture (pcap, Ethernet): lines without attribution; bad files
# and live options: one line, a non-zero status.
check_read_foreign() {
	"$NFD" -r "$T/tcpdump.pcap" >"$T/td.txt" 2>"$T/td.err" || { cat "$T/td.err"; fail "-r of tcpdump's file failed"; return 1; }
	# pcap names no interface and no direction
	expect_eq "$(grep -cE "^[0-9:.]+ \? \?   IP $C4\.[0-9]+ > $R4\.5074: UDP, length 16$" "$T/td.txt")" 2 \
		"lines of tcpdump's capture" || { cat "$T/td.txt"; return 1; }
	grep -q '^nfdropcap: 2 captured, 0 lost, 2 unattributed' "$T/td.err" ||
		{ fail "summary of tcpdump's capture: $(cat "$T/td.err")"; return 1; }
	expect_eq "$("$NFD" -r "$T/tcpdump.pcap" -q udp port 5075 | wc -l)" 0 "lines of a filter nothing matches" || return 1
	printf 'not a capture at all, not at all\n' >"$T/junk"
	expect_status 1 "$NFD" -r "$T/junk" &&
		expect_status 1 "$NFD" -r "$T/missing.pcapng" &&
		: >"$T/empty" && expect_status 1 "$NFD" -r "$T/empty" &&
		expect_status 2 "$NFD" -r "$T/tcpdump.pcap" -N "$R" &&
		expect_status 2 "$NFD" -r "$T/tcpdump.pcap" 'udp port' || return 1
	grep -q "is neither pcapng nor pcap" <(cd "$T" && "$NFD" -r junk 2>&1) ||
		fail "no word on a file that is no capture" || return 1
	check_read_hostile
}

# A pcapng made by hand with terminal controls in its interface name and
# comment: escaped in every line -r prints, never raw.
check_read_hostile() {
	python3 - "$T/hostile.pcapng" <<'PY' || { fail "could not make the file"; return 1; }
import struct, sys
def opt(code, val):
    return struct.pack('<HH', code, len(val)) + val + b'\0' * (-len(val) % 4)
def block(t, body):
    return struct.pack('<II', t, len(body) + 12) + body + struct.pack('<I', len(body) + 12)
shb = block(0x0A0D0D0A, struct.pack('<IHHq', 0x1A2B3C4D, 1, 0, -1))
idb = block(1, struct.pack('<HHI', 276, 0, 0) + opt(2, b'e\x1b]0;PWNED\x07h0') + opt(0, b''))
pkt = struct.pack('>HHIHBB8s', 0x0800, 0, 1, 1, 0, 0, b'') + bytes([0x45] + [0] * 19)
com = b'table inet f\x1b[31m chain c handle 3 drop: x\x9b\nnetns n\x1b[2J interface i inbound'
epb = block(6, struct.pack('<IIIII', 0, 0, 0, len(pkt), len(pkt)) + pkt + b'\0' * (-len(pkt) % 4) + opt(1, com) + opt(0, b''))
open(sys.argv[1], 'wb').write(shb + idb + epb)
PY
	"$NFD" -r "$T/hostile.pcapng" >"$T/hostile.txt" 2>"$T/hostile.err"
	"$NFD" -r "$T/hostile.pcapng" --json -q >>"$T/hostile.txt" 2>>"$T/hostile.err"
	LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f]' "$T/hostile.txt" "$T/hostile.err" &&
		{ fail "a raw control byte reached the output: $(od -c "$T/hostile.txt" | head)"; return 1; }
	grep -qF 'e\x1b]0;PWNED\x07h0' "$T/hostile.txt" &&
		grep -qF '[table inet f\x1b[31m chain c handle 3 drop: x\x9b]' "$T/hostile.txt" ||
		{ fail "the hostile strings are not shown escaped: $(cat "$T/hostile.txt")"; return 1; }
}
