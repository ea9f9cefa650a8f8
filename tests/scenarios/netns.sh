# SPDX-License-Identifier: GPL-2.0
# Network namespaces: -N by path, --all-netns with namespaces that come
# later, each interface described with its namespace.
# (Scenarios: see tests/lib.sh; tests/run.sh lists the files.)

t_netns_path_and_summary() {
	load_rules "table inet filter { chain input {
		type filter hook input priority 0; udp dport 5026 counter drop; } }" || return 1
	local pid
	in_r sleep 30 &
	pid=$!
	sleep 0.2
	nfd_start_in "/proc/$(pgrep -n -f "^sleep 30$")/ns/net" -w "$T/out.pcapng" || return 1
	in_c $SEND udp $R4 5026 4
	nfd_stop; expect_eq "$NFD_RC" 0 "exit status" || return 1
	kill $pid 2>/dev/null
	grep -q "nfdropcap: 4 captured, 0 lost, 0 unattributed" "$T/nfd.err" ||
		fail "summary: $(cat "$T/nfd.err")" || return 1
	grep -qE "^nfdropcap: +4  table inet filter chain input handle [0-9]+ drop$" "$T/nfd.err" ||
		fail "per-rule count: $(cat "$T/nfd.err")"
}
check_netns_path_and_summary() {
	expect_eq "$(packets "$T/out.pcapng")" 4 "packets"
}

# --all-netns: drops in three namespaces at once, and in one created after
# the start, each on its own interface and namespace; all trace tables gone
# afterwards. On the host nfdropcap runs in R and in a PID namespace of its
# own, so it finds the test's namespaces (/run/netns) and never the host's;
# in a test VM every namespace is the test's.
#
# isolate_all_netns: sets array ISOLATE, the command that runs nfdropcap so
# (empty in a VM); skips the scenario where that cannot be.
isolate_all_netns() {
	ISOLATE=()
	if ip netns exec "$R" unshare --pid --fork --mount-proc \
		--propagation unchanged true 2>/dev/null; then
		ISOLATE=(ip netns exec "$R" unshare --pid --fork --mount-proc
			--propagation unchanged)
	elif ! slow; then
		skip "cannot keep --all-netns off the host's namespaces (unshare --pid --mount-proc failed)"
	fi
}
# stop_all_netns PID: ends the capture started so, its status in fact rc.
stop_all_netns() {
	if slow; then sleep 1; else sleep 0.3; fi
	pkill -INT -f -- "--all-netns -w $T/out.pcapng"
	wait "$1"
	fact rc $?
}
t_all_netns() {
	local late=nfdt-l-$SUFFIX up
	isolate_all_netns || return $?
	for ns in "$C" "$R" "$S"; do
		printf 'table inet f {\nchain input { type filter hook input priority 0; udp dport 5070 drop; }\n}\n' |
			ip netns exec "$ns" nft -f - || return 1
	done
	"${ISOLATE[@]}" "$NFD" ${NFD_BACKEND:+--backend "$NFD_BACKEND"} \
		--all-netns -w "$T/out.pcapng" 2>"$T/nfd.err" &
	up=$!
	for _ in $(patience 100); do
		grep -q '^nfdropcap: capturing drops in all network namespaces' "$T/nfd.err" && break
		sleep 0.1
	done
	in_c $SEND udp $R4 5070 2 # dropped in R
	in_r $SEND udp $C4 5070 3 # in C
	in_r $SEND udp $S4 5070 4 # in S
	ip netns add "$late" && ip -n "$late" link set lo up
	printf 'table ip late {\nchain output { type filter hook output priority 0; udp dport 5071 drop; }\n}\n' |
		ip netns exec "$late" nft -f -
	for _ in $(patience 30); do # one scan of the namespaces, about 1 s
		if [ "$(nfd_backend_used)" != nftrace ]; then
			sleep 1.5 # no table to wait for
			break
		fi
		ip netns exec "$late" nft list tables | grep -c nfdropcap >/dev/null && break
		sleep 0.1
	done
	ip netns exec "$late" $SEND udp 127.0.0.1 5071 5
	stop_all_netns $up
	fact late "$late"
	fact c "$C"
	fact r "$R"
	fact s "$S"
	sleep 0.5
	fact left "$(for ns in "$C" "$R" "$S" "$late"; do ip netns exec "$ns" nft list tables; done | grep -c nfdropcap)"
	ip netns del "$late"
}
check_all_netns() {
	expect_eq "$(fact_get rc)" 0 "exit status" &&
		expect_eq "$(fact_get left)" 0 "trace tables left" || return 1
	captured || return 1
	local late=$(fact_get late) C=$(fact_get c) R=$(fact_get r) S=$(fact_get s)
	fields "$T/out.pcapng" frame.interface_description frame.comment |
		sed -e 's/\\n.*//' -e 's/ (net:\[[0-9]*\])//' | sort | uniq -c |
		sed 's/^ *//' >"$T/f"
	grep -qx "3 c0 (ifindex 2) in network namespace $C|table inet f chain input handle 2 drop: udp dport 5070 drop" "$T/f" &&
		grep -qx "2 r0 (ifindex 2) in network namespace $R|table inet f chain input handle 2 drop: udp dport 5070 drop" "$T/f" &&
		grep -qx "4 s0 (ifindex 2) in network namespace $S|table inet f chain input handle 2 drop: udp dport 5070 drop" "$T/f" &&
		grep -qx "5 lo (ifindex 1) in network namespace $late|table ip late chain output handle 2 drop: udp dport 5071 drop" "$T/f" ||
		{ cat "$T/f"; fail "drops per namespace"; }
}

# --all-netns on a node of many namespaces (1,000 here, 30 in an emulated
# VM), each with a table of its own (pods with rules): their first listings
# of rule text queue, seconds long. The namespace made last, listed last in
# turn, drops a datagram every 0.1 s from the start on: each drop written
# carries its rule's text, as a drop waiting for it has its namespace
# listed ahead of the queue (ruleset.c); those before the namespace was
# joined say that they came while nfdropcap was starting.
t_node_start() {
	local n=$(host_or_slow 1000 30) late=nfdt-l-$SUFFIX i up before=0
	isolate_all_netns || return $?
	for i in $(seq "$n"); do
		ip netns add "$(many_ns "$i")" &&
			printf '%s\n' "table inet t { chain input {" \
				"type filter hook input priority 0; tcp dport 1 accept; }" "}" |
			ip netns exec "$(many_ns "$i")" nft -f - ||
			{ many_ns_down "$n"; fail "making $n namespaces"; return 1; }
	done
	ip netns add "$late" && ip -n "$late" link set lo up &&
		printf 'table inet t {\nchain output { type filter hook output priority 0; udp dport 5107 drop; }\n}\n' |
		ip netns exec "$late" nft -f - ||
		{ many_ns_down "$n"; ip netns del "$late"; fail "namespace"; return 1; }
	"${ISOLATE[@]}" "$NFD" ${NFD_BACKEND:+--backend "$NFD_BACKEND"} \
		--all-netns -w "$T/out.pcapng" 2>"$T/nfd.err" &
	up=$!
	for _ in $(patience 600); do
		grep -q '^nfdropcap: capturing' "$T/nfd.err" && break
		kill -0 $up 2>/dev/null || break
		ip netns exec "$late" $SEND udp 127.0.0.1 5107 1
		before=$((before + 1))
		sleep 0.1
	done
	ip netns exec "$late" $SEND udp 127.0.0.1 5107 5
	stop_all_netns $up
	fact late "$late"
	many_ns_down "$n"
	ip netns del "$late"
	echo "info: $n namespaces with a table; $before drops sent before the ready line"
}
check_node_start() {
	local late=$(fact_get late)
	expect_eq "$(fact_get rc)" 0 "exit status" || return 1
	captured || return 1
	fields "$T/out.pcapng" frame.interface_description frame.comment |
		grep -F " in network namespace $late " | sed 's/^[^|]*|//; s/\\n.*//' |
		sort | uniq -c | sed 's/^ *//' >"$T/late"
	# or, sent while the namespace was being joined, saying so
	grep -vE '^[0-9]+ netfilter drop \(not attributed: dropped while nfdropcap was starting, before its backend was set up in this namespace\)$' \
		"$T/late" >"$T/late.set_up"
	grep -qE '^[0-9]+ table inet t chain output handle [0-9]+ drop: udp dport 5107 drop$' "$T/late.set_up" &&
		[ "$(wc -l <"$T/late.set_up")" = 1 ] &&
		[ "$(cut -d' ' -f1 "$T/late.set_up")" -ge 5 ] ||
		fail "drops of the namespace listed last, each with its rule's text: $(cat "$T/late")"
}

# own_netns CGROUP PORT: a network namespace of its own (no ip-netns name)
# whose process sits in cgroup CGROUP (under $T/cg, a cgroup2 mount of the
# test's) and drops its own UDP to 127.0.0.1:PORT; prints the process's pid
own_netns() {
	local cg=$T/cg/$1 pid
	mkdir -p "$cg" || return 1
	unshare -n sleep 120 >/dev/null 2>&1 </dev/null &
	pid=$!
	# only once sleep runs is the process in its own namespace: before,
	# nsenter would enter this shell's (the host's) namespace
	for _ in $(patience 50); do
		[ "$(cat /proc/$pid/comm 2>/dev/null)" = sleep ] &&
			[ "$(readlink /proc/$pid/ns/net)" != "$(readlink /proc/self/ns/net)" ] &&
			break
		sleep 0.1
	done
	[ "$(cat /proc/$pid/comm 2>/dev/null)" = sleep ] &&
		[ "$(readlink /proc/$pid/ns/net)" != "$(readlink /proc/self/ns/net)" ] ||
		{ kill "$pid"; return 1; }
	echo "$pid" >"$cg/cgroup.procs" &&
		nsenter -t "$pid" -n ip link set lo up &&
		printf 'table inet t {\nchain o {\ntype filter hook output priority 0; udp dport %s counter drop;\n}\n}\n' "$2" |
		nsenter -t "$pid" -n nft -f - || { kill "$pid"; return 1; }
	echo "$pid"
}

# --all-netns names namespaces as users know them: a Kubernetes pod from
# containerd's or CRI-O's state (CRI annotations) or the kubelet's pod
# directory, a Docker or Podman container by name (or ID), else the
# command of a process in it. The namespaces are made to look as the
# runtimes leave them: the process's cgroup path as each runtime names it,
# their state files under a host root of the test's (NFDROPCAP_HOST_ROOT,
# as in a container with the node's / mounted elsewhere).
t_netns_owners() {
	command -v nsenter >/dev/null && command -v unshare >/dev/null ||
		skip "no nsenter/unshare (util-linux)"
	local root=$T/root uid=0b9f3f4e-1c2d-4e5f-8a9b-0c1d2e3f4a5b id pids=() p i
	local ids=() names
	for i in 1 2 3 4 5; do
		ids+=("$(echo "nfdt-$i" | sha256sum | cut -c1-64)")
	done
	mkdir -p "$T/cg" && mount -t cgroup2 none "$T/cg" || skip "cannot mount cgroup2 here"
	# Docker (systemd cgroup driver), a hostile name
	mkdir -p "$root/var/lib/docker/containers/${ids[0]}"
	printf '{"ID":"%s","Name":"/web\\u001b[31m\x1b[31m","State":{}}' "${ids[0]}" \
		>"$root/var/lib/docker/containers/${ids[0]}/config.v2.json"
	# containerd, a Kubernetes pod (systemd driver)
	mkdir -p "$root/run/containerd/io.containerd.runtime.v2.task/k8s.io/${ids[1]}"
	printf '{"annotations":{"io.kubernetes.cri.container-type":"sandbox","io.kubernetes.cri.sandbox-name":"coredns-7db6d8ff4d-x2x9q","io.kubernetes.cri.sandbox-namespace":"kube-system"}}' \
		>"$root/run/containerd/io.containerd.runtime.v2.task/k8s.io/${ids[1]}/config.json"
	# CRI-O, a Kubernetes pod
	mkdir -p "$root/run/containers/storage/overlay-containers/${ids[2]}/userdata"
	printf '{"annotations": {"io.kubernetes.pod.name": "api-0", "io.kubernetes.pod.namespace": "prod"}}' \
		>"$root/run/containers/storage/overlay-containers/${ids[2]}/userdata/config.json"
	# Podman
	mkdir -p "$root/var/lib/containers/storage/overlay-containers"
	printf '[{"id":"%s","names":["db"],"image":"x"}]' "${ids[3]}" \
		>"$root/var/lib/containers/storage/overlay-containers/containers.json"
	# a pod the kubelet knows, its runtime's state not found (cgroupfs)
	mkdir -p "$root/var/lib/kubelet/pods/$uid/volumes/kubernetes.io~projected/kube-api-access-abcde"
	printf '# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n10.244.1.7\tshop-5d4b9c-7wz2k\n' \
		>"$root/var/lib/kubelet/pods/$uid/etc-hosts"
	echo default >"$root/var/lib/kubelet/pods/$uid/volumes/kubernetes.io~projected/kube-api-access-abcde/namespace"
	p=$(own_netns "system.slice/docker-${ids[0]}.scope" 5210) && pids+=("$p") &&
		p=$(own_netns "kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${uid//-/_}.slice/cri-containerd-${ids[1]}.scope" 5211) && pids+=("$p") &&
		p=$(own_netns "kubepods.slice/kubepods-burstable.slice/crio-${ids[2]}.scope" 5212) && pids+=("$p") &&
		p=$(own_netns "machine.slice/libpod-${ids[3]}.scope" 5213) && pids+=("$p") &&
		p=$(own_netns "kubepods/besteffort/pod$uid/${ids[4]}" 5214) && pids+=("$p") &&
		p=$(own_netns "nfdt-plain" 5215) && pids+=("$p") || {
		kill "${pids[@]}" 2>/dev/null; umount -l "$T/cg"; fail "namespaces"; return 1; }
	NFDROPCAP_HOST_ROOT=$root "$NFD" ${NFD_BACKEND:+--backend "$NFD_BACKEND"} --all-netns \
		-w "$T/out.pcapng" 2>"$T/nfd.err" &
	NFD_PID=$!
	nfd_ready "$T/nfd.err"
	for i in 0 1 2 3 4 5; do
		nsenter -t "${pids[$i]}" -n $SEND udp 127.0.0.1 $((5210 + i)) 1
	done
	nfd_stop
	# text lines end with the namespace's name
	NFDROPCAP_HOST_ROOT=$root "$NFD" ${NFD_BACKEND:+--backend "$NFD_BACKEND"} --all-netns \
		>"$T/out.txt" 2>"$T/nfd.err" &
	NFD_PID=$!
	nfd_ready "$T/nfd.err"
	nsenter -t "${pids[2]}" -n $SEND udp 127.0.0.1 5212 1
	nfd_stop
	fact plain_pid "${pids[5]}"
	kill "${pids[@]}" 2>/dev/null
	wait "${pids[@]}" 2>/dev/null
	find "$T/cg" -depth -mindepth 1 -type d -exec rmdir {} + 2>/dev/null
	umount "$T/cg" || umount -l "$T/cg"
	fact id0 "${ids[0]:0:12}"
	fact id3 "${ids[3]:0:12}"
	expect_eq "$NFD_RC" 0 "exit status"
}
check_netns_owners() {
	local got want
	captured || return 1
	fields "$T/out.pcapng" udp.dstport frame.comment frame.interface_description |
		awk -F'|' '$1 >= 5210 && $1 <= 5215' | sort >"$T/owners"
	got=$(sed 's/^\([0-9]*\)|.*\\nnetns \(.*\) interface lo outbound|lo (ifindex 1) in network namespace \(.*\) (net:\[[0-9]*\])$/\1 \2 | \3/' "$T/owners")
	want="5210 docker container web\\x1b[31m\\x1b[31m ($(fact_get id0)) | docker container web\\x1b[31m\\x1b[31m ($(fact_get id0))
5211 pod kube-system/coredns-7db6d8ff4d-x2x9q | pod kube-system/coredns-7db6d8ff4d-x2x9q
5212 pod prod/api-0 | pod prod/api-0
5213 podman container db ($(fact_get id3)) | podman container db ($(fact_get id3))
5214 pod default/shop-5d4b9c-7wz2k | pod default/shop-5d4b9c-7wz2k
5215 command sleep (pid $(fact_get plain_pid)) | command sleep (pid $(fact_get plain_pid))"
	expect_eq "$(echo "$got" | sed 's/\\\\\\\\/\\\\/g')" "$want" "namespaces named (comment | IDB)" &&
		expect_eq "$(grep -c ' lo Out IP 127\.0\.0\.1\.[0-9]* > 127\.0\.0\.1\.5212: UDP, length 16 \[table inet t chain o handle [0-9]* drop: udp dport 5212 counter drop\] (netns pod prod/api-0)$' "$T/out.txt")" 1 \
			"the text line names the pod" || cat "$T/out.txt"
}
