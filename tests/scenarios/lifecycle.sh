# SPDX-License-Identifier: GPL-2.0
# Lifecycle and signals: -c, SIGINT, SIGTERM under a flood, SIGHUP, SIGKILL,
# a full disk: the file stays valid up to the last packet written, and
# nothing of nfdropcap is left behind.
# (Scenarios: see tests/lib.sh; tests/run.sh lists the files.)

t_count() {
	load_rules "table inet filter { chain input {
		type filter hook input priority 0; udp dport 5021 drop; } }" || return 1
	nfd_start -c 2 -w "$T/out.pcapng" || return 1
	local t0=$(date +%s)
	in_c $SEND udp $R4 5021 5
	nfd_wait; expect_eq "$NFD_RC" 0 "exit status after -c 2" || return 1
	echo "info: exited $(($(date +%s) - t0)) s after the drops were sent"
}
check_count() {
	captured && expect_eq "$(packets "$T/out.pcapng")" 2 "packets"
}

t_sigterm_flood() {
	load_rules "table inet filter { chain input {
		type filter hook input priority 0; udp dport 5027 counter drop; } }" || return 1
	nfd_start -w "$T/out.pcapng" || return 1
	in_c $SEND flood $R4 5027 60 0 64 >/dev/null &
	local n=0
	# SIGTERM once the flood is well under way: counted by the kernel,
	# not by time (a loaded emulated kernel may drop 100 a second)
	for _ in $(patience 300); do
		n=$(counter_of 'udp dport 5027 counter')
		[ "${n:-0}" -ge 3000 ] && break
		sleep 0.1
	done
	nfd_stop TERM; expect_eq "$NFD_RC" 0 "exit status after SIGTERM" || return 1
	pkill -f "flood $R4 5027 60 " # not the subshell: the sender in it
	wait
	[ "${n:-0}" -ge 3000 ] || fail "the flood made only ${n:-0} drops"
}
check_sigterm_flood() {
	captured || return 1
	local n=$(packets "$T/out.pcapng")
	[ "$n" -gt 1000 ] || fail "only $n packets during a flood"
	grep -q "^nfdropcap: $n captured" "$T/nfd.err" || fail "summary does not say $n captured: $(cat "$T/nfd.err")"
}

t_sigkill_leaves_nothing() {
	nfd_start -w "$T/out.pcapng" || return 1
	if [ "$(nfd_backend_used)" = nftrace ]; then
		# grep -c reads all: -q may close the pipe while nft still
		# writes (SIGPIPE, and pipefail fails the test)
		in_r nft list tables | grep -c "inet nfdropcap_$NFD_PID" >/dev/null ||
			fail "no trace table while capturing" || return 1
	fi
	kill -KILL $NFD_PID
	wait $NFD_PID 2>/dev/null
	sleep 0.5
	expect_nothing_left
}

# No trace table and no BPF program of nfdropcap's stays behind (the
# kernel frees programs a moment after their last reference goes).
expect_nothing_left() {
	local tables progs
	for _ in $(patience 30); do
		tables=$(in_r nft list tables | grep -c nfdropcap)
		progs=$(bpftool prog show | grep -c 'name nfd_')
		[ "$tables$progs" = 00 ] && return 0
		sleep 0.1
	done
	expect_eq "$tables" 0 "nfdropcap tables left" &&
		expect_eq "$progs" 0 "BPF programs left"
}

t_clean_exit_leaves_nothing() {
	nfd_start -w "$T/out.pcapng" || return 1
	nfd_stop; expect_eq "$NFD_RC" 0 "exit status" || return 1
	expect_nothing_left
}
# a capture that saw no drop is still a file every reader opens
check_clean_exit_leaves_nothing() {
	captured && expect_eq "$(packets "$T/out.pcapng")" 0 "packets"
}

# A full disk stops the capture with status 1, and the file holds a valid
# pcapng of every drop written before.
t_disk_full() {
	mkdir -p "$T/small" && mount -t tmpfs -o size=256k tmpfs "$T/small" ||
		skip "cannot mount a small tmpfs here"
	load_rules "table inet filter { chain input {
		type filter hook input priority 0; udp dport 5033 drop; } }" || return 1
	nfd_start -w "$T/small/out.pcapng" || { umount "$T/small"; return 1; }
	# a second of flood at a time until the disk is full: an emulated
	# kernel under load may drop fewer than 256 KiB in one
	for _ in $(seq 60); do
		kill -0 $NFD_PID 2>/dev/null || break
		in_c $SEND flood $R4 5033 1 20000 1000 >/dev/null
	done
	nfd_wait 50
	[ "$NFD_RC" = timeout ] && nfd_stop
	cp "$T/small/out.pcapng" "$T/out.pcapng"
	umount "$T/small"
	expect_eq "$NFD_RC" 1 "exit status on a full disk" || return 1
	grep -q 'No space left on device' "$T/nfd.err" || fail "no word on the full disk: $(cat "$T/nfd.err")"
}
check_disk_full() {
	captured || return 1
	local n=$(packets "$T/out.pcapng")
	[ "$n" -gt 10 ] || fail "only $n packets before the disk was full"
}

t_sighup() {
	load_rules "table inet filter { chain input {
		type filter hook input priority 0; udp dport 5034 drop; } }" || return 1
	nfd_start -w "$T/out.pcapng" || return 1
	in_c $SEND udp $R4 5034 2
	nfd_stop HUP
	expect_eq "$NFD_RC" 0 "exit status after SIGHUP"
}
check_sighup() {
	captured && expect_eq "$(packets "$T/out.pcapng")" 2 "packets"
}
