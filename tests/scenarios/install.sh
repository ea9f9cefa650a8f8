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
	expect_eq "$(complete_words --backend "" | tr '\n' ' ')" "auto fentry kprobe nftrace " \
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
	: >"$T/drops-one.pcapng" && : >"$T/drops-two.pcapng.gz"
	for o in -w -r --metrics; do
		expect_eq "$(complete_words $o drops- | tr '\n' ' ')" \
			"drops-one.pcapng drops-two.pcapng.gz " "files after $o" || return 1
	done
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
	local xdir=$(tshark -G folders 2>/dev/null | sed -n 's/^Extcap path:[[:space:]]*//p')
	if [ -n "$xdir" ]; then
		expect_eq "$(readlink "$d$xdir/nfdropcap")" /usr/local/sbin/nfdropcap \
			"the link in Wireshark's extcap folder ($xdir)" || return 1
	fi
	rm -rf "$d"
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
	XDIR=$(tshark -G folders 2>/dev/null | sed -n 's/^Extcap path:[[:space:]]*//p')
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
	# drops until the file has some (the capture starts when it starts)
	for _ in $(patience 60); do
		in_c $SEND udp $R4 5061 1
		n=$(capinfos -Mc "$T/out.pcapng" 2>/dev/null | awk '/Number of packets/ { print $NF }')
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
	local n=$(packets "$T/out.pcapng") bad
	[ "${n:-0}" -ge 3 ] || { fail "only ${n:-0} drops came through tshark"; return 1; }
	bad=$(fields "$T/out.pcapng" frame.comment | grep -cv \
		'^table inet filter chain input handle [0-9]* drop: udp dport 5061 drop')
	expect_eq "$bad" 0 "packets without their rule's comment" || return 1
	echo "info: $n drops through tshark -i nfdropcap, each with its rule"
}
