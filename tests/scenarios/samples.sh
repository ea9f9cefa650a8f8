# SPDX-License-Identifier: GPL-2.0
# The deployment samples (samples/) do what their README says.
# (Scenarios: see tests/lib.sh; tests/run.sh lists the files.)

# The systemd unit: systemd-analyze verify finds nothing to say, and its
# ExecStart, run here (in the test's namespace, paths under $T), rotates
# as nobody into a directory of nobody's and writes metrics.
t_sample_systemd() {
	local unit="$TOP/samples/nfdropcap.service" args d
	args=$(sed -n 's/^ExecStart=[^ ]* //p' "$unit")
	[ -n "$args" ] || { fail "no ExecStart in $unit"; return 1; }
	# directories nobody can reach (the tests' own is root's alone)
	d=$(mktemp -d /tmp/nfdt-unit.XXXXXX) && chmod 755 "$d" &&
		mkdir "$d/log" "$d/run" && chown 65534 "$d/log" "$d/run" || return 1
	args=${args//\/var\/log\/nfdropcap/$d/log}
	args=${args//\/run\/nfdropcap/$d/run}
	args=${args//-Z nobody/-Z 65534}
	args=${args//-q /} # the tests wait for the ready line
	echo "info: nfdropcap $args"
	load_rules "table inet filter { chain input {
		type filter hook input priority 0; udp dport 5200 drop; } }" || return 1
	# the unit's own arguments, word for word (no file name has a space)
	nfd_start $args || { rm -rf "$d"; return 1; }
	in_c $SEND udp $R4 5200 2 1000
	nfd_stop TERM
	mv "$d"/log/* "$d"/run/*.prom "$T"/ 2>/dev/null
	rm -rf "$d"
	expect_eq "$NFD_RC" 0 "exit status after SIGTERM"
}
check_sample_systemd() {
	local unit=$T/nfdropcap.service out
	command -v systemd-analyze >/dev/null || skip "no systemd-analyze to verify the unit"
	sed "s|^ExecStart=[^ ]*|ExecStart=$TOP/nfdropcap|" "$TOP/samples/nfdropcap.service" >"$unit"
	out=$(systemd-analyze verify --man=no "$unit" 2>&1)
	expect_eq "$?|$out" "0|" "systemd-analyze verify" || return 1
	file_valid "$T/drops.pcapng0.gz" &&
		expect_eq "$(packets "$T/drops.pcapng0.gz")" 2 "drops in the ring's first file" &&
		grep -q '^nfdropcap_drops_total{.*handle="[0-9]*",verdict="drop"} 2$' "$T/nfdropcap.prom" ||
		fail "metrics: $(cat "$T/nfdropcap.prom")"
}

# The DaemonSet: valid YAML of one DaemonSet that sees every namespace
# (hostPID, hostNetwork, --all-netns), is not privileged and adds only the
# capabilities the README names, rotates into a hostPath and writes the
# textfile collector's file there; its arguments are nfdropcap's.
t_sample_daemonset() {
	: # all of it is checked from the file (check phase)
}
check_sample_daemonset() {
	python3 -c 'import yaml' 2>/dev/null || skip "no python3-yaml"
	python3 - "$TOP/samples/kubernetes/nfdropcap-daemonset.yaml" "$TOP/nfdropcap" <<'PY' || fail "the DaemonSet"
import subprocess, sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
assert len(docs) == 1 and docs[0]["kind"] == "DaemonSet", "one DaemonSet"
pod = docs[0]["spec"]["template"]["spec"]
assert pod.get("hostPID") is True and pod.get("hostNetwork") is True, "host PID and network"
(c,) = pod["containers"]
sc = c["securityContext"]
assert sc.get("privileged") is not True, "privileged"
assert sc["capabilities"]["drop"] == ["ALL"], "drops all capabilities"
caps = set(sc["capabilities"]["add"])
assert caps == {"BPF", "PERFMON", "NET_ADMIN", "SYS_ADMIN", "SYS_PTRACE", "SYS_RESOURCE"}, caps
args = c["args"]
assert "--all-netns" in args and "-C" in args and "-W" in args, args
w = args[args.index("-w") + 1]
m = args[args.index("--metrics") + 1]
mounts = {v["mountPath"]: v["name"] for v in c["volumeMounts"]}
paths = {v["name"]: v["hostPath"]["path"] for v in pod["volumes"]}
for f in (w, m):
    d = f.rsplit("/", 1)[0]
    assert d in mounts and paths[mounts[d]] == d, f + ": not on a hostPath"
assert m.endswith(".prom"), "the textfile collector reads *.prom"
# nfdropcap takes these arguments (a usage error is status 2)
r = subprocess.run([sys.argv[2]] + args + ["--no-such-option-to-stop-here"],
                   capture_output=True, text=True)
assert r.returncode == 2 and "unknown option '--no-such-option-to-stop-here'" in r.stderr, r.stderr
print("info: DaemonSet: %d capabilities, args %s" % (len(caps), " ".join(args)))
PY
}

# The README's picture is a PNG of the size make-picture.sh makes, and the
# script is valid bash (running it needs a display server and Wireshark:
# samples/README.md).
t_sample_picture() {
	bash -n "$TOP/samples/make-picture.sh" || { fail "make-picture.sh: bash -n"; return 1; }
	grep -q '](samples/wireshark.png)' "$TOP/README.md" || { fail "README.md shows no picture"; return 1; }
	expect_eq "$(python3 -c 'import struct, sys
d = open(sys.argv[1], "rb").read(24)
print("png %dx%d" % struct.unpack(">II", d[16:24]) if d[:8] == b"\x89PNG\r\n\x1a\n" else "not png")' \
		"$TOP/samples/wireshark.png")" "png 1600x760" "samples/wireshark.png"
}
