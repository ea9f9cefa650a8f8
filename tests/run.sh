#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs every nfdropcap test: the unit tests (tests/unit/), the end-to-end
# scenarios in network namespaces of its own on this kernel, both again
# with the ASan+UBSan build (./nfdropcap-san, "[san]"; NFD_SAN=0 leaves
# them out), each fuzz target for NFD_FUZZ_SECONDS (20; NFD_FUZZ=0 leaves
# them out), then the scenarios on the stock kernels of
# tests/kernels/kernels.txt, booted under qemu (tests/kernels/run.sh;
# NFD_MATRIX=0 leaves it out). Needs root.
# Prints one line per test and ends with "N passed, N failed" (", N
# skipped" when some could not run, each with its reason), counting both.
# Usage: tests/run.sh [NAME-REGEX]
#
# The scenarios, one file per topic in tests/scenarios/ (SCENARIO_TOPICS in
# tests/lib.sh, which loads them):
#   attribution  the rule or policy each drop names, or why none
#   output       what is written: snaplen, paged data, pipes, gzip, text,
#                filters, losses
#   lifecycle    -c and signals, a full disk, nothing left behind
#   netns        -N and --all-netns
#   backends     --check and each backend, refused where it cannot run
#   bad_input    one line and the documented status; --help and README
#   hostile      what a namespace or a user's files can throw at nfdropcap
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
. tests/lib.sh
load_scenarios

only=${1:-.}
pass=0 failed=0 skipped=0
failures=()
WORK=$(mktemp -d /tmp/nfdropcap-tests.XXXXXX)

cleanup() {
	# the kernel matrix's VMs, if it still runs (its own process groups)
	local pid
	for pid in "${matrix_pids[@]}"; do
		kill -- -"$pid" 2>/dev/null
	done
	pkill -f "^$NFD .*-N nfdt-.-$SUFFIX" 2>/dev/null
	topo_down
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

result() { # NAME STATUS
	case $2 in
	0) pass=$((pass + 1)); echo "ok    $1" ;;
	"$SKIP") skipped=$((skipped + 1)); echo "skip  $1" ;;
	*) failed=$((failed + 1)); failures+=("$1"); echo "FAIL  $1" ;;
	esac
}

run_unit() { # DIR [LABEL]
	for t in "$1"/test_*; do
		[ -x "$t" ] || continue
		name=${2:+$2 }unit/$(basename "$t")
		[[ $name =~ $only ]] || continue
		"$t" >"$WORK/unit.log" 2>&1
		rc=$?
		tail -n1 "$WORK/unit.log" | sed 's/^/      /'
		[ $rc = 0 ] || cat "$WORK/unit.log"
		result "$name" $rc
	done
}

run_scenario() {
	local name=$1 rc start
	export T="$WORK/$name"
	start=$(date +%s.%N)
	phase_produce "$name"
	rc=$?
	[ $rc = 0 ] && { phase_check "$name"; rc=$?; }
	grep -E '^(SKIP|info):' "$T/log" | sed 's/^/      /'
	if [ $rc != 0 ] && [ $rc != "$SKIP" ]; then
		sed 's/^/      | /' "$T/log" | tail -n 30
		[ -s "$T/nfd.err" ] && sed 's/^/      nfd.err| /' "$T/nfd.err" | tail -n 10
	fi
	result "${2:+$2 }$name ($(printf '%.1f' "$(echo "$(date +%s.%N) - $start" | bc)")s)" $rc
}

# The unit tests and the scenarios again, built with ASan and UBSan: any
# finding aborts the program, and fails its test.
run_san() {
	if [ "${NFD_SAN:-1}" = 0 ] || [ ! -x nfdropcap-san ]; then
		skipped=$((skipped + 1))
		echo "skip  [san]: $([ "${NFD_SAN:-1}" = 0 ] && echo NFD_SAN=0 || echo "no ./nfdropcap-san (make san)")"
		return
	fi
	export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1
	export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
	run_unit .output-san/tests "[san]"
	for name in $(scenario_names); do
		[[ $name =~ $only ]] || continue
		NFD=$TOP/nfdropcap-san NFD_MANY_NS=200 run_scenario "$name" "[san]"
	done
	unset ASAN_OPTIONS UBSAN_OPTIONS
}

# Each fuzz target for a while; its lines counted here.
run_fuzz() {
	local out last
	if [ "${NFD_FUZZ:-1}" = 0 ]; then
		skipped=$((skipped + 1))
		echo "skip  fuzz: NFD_FUZZ=0"
		return
	fi
	[[ fuzz =~ $only ]] || return 0
	# beside the kernel matrix, not ahead of it: CPU-bound both, and a VM
	# stopped for a while sees its own deadlines pass
	nice -n "$([ ${#matrix_pids[@]} -gt 0 ] && echo "$MATRIX_NICE" || echo 0)" \
		tests/fuzz/run.sh "${NFD_FUZZ_SECONDS:-20}" .output/fuzz/fuzz_*[a-z] |
		tee "$WORK/fuzz.out" | sed -u '$d'
	out=$(cat "$WORK/fuzz.out")
	last=$(tail -n1 <<<"$out")
	if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
		pass=$((pass + BASH_REMATCH[1]))
		failed=$((failed + BASH_REMATCH[2]))
		readarray -t -O ${#failures[@]} failures < <(sed -n 's/^FAIL  \(fuzz\/[a-z]*\).*/\1/p' <<<"$out")
	else
		failed=$((failed + 1))
		failures+=("fuzz")
	fi
}

for tool in "$SEND" "$NFDNFT"; do
	[ -x "$tool" ] || { echo "tests/run.sh: $tool is missing: run 'make test'" >&2; exit 1; }
done
if [ "$(id -u)" != 0 ]; then
	echo "tests/run.sh: the end-to-end tests need root" >&2
	exit 1
fi
for tool in tshark capinfos tcpdump nft ip bc; do
	command -v $tool >/dev/null || {
		echo "tests/run.sh: $tool is missing: run scripts/install-deps.sh --test" >&2
		exit 1
	}
done

# firewalld's ruleset, made by firewalld itself (tests/scenarios/real.sh)
if [ ! -s .output/rulesets/firewalld.nft ]; then
	mkdir -p .output/rulesets
	tests/rulesets/firewalld.sh .output/rulesets/firewalld.nft ||
		echo "      firewalld's ruleset not made: t_real_firewalld will skip"
fi
# The kernel matrix (tests/kernels/run.sh) runs beside the tests on this
# kernel: each of its VMs is one host thread (TCG), and the scenarios here
# leave a CPU idle much of their time. Niced, a little: the scenarios here
# keep most of the CPU they ask for (measured: 10% slower beside two VMs
# at nice 19, 35% at nice 0), but a VM is never stopped for long: its
# emulated kernel's clock does not wait for it (at nice 19, stopped for
# 200 ms at times, one reject of 800 lost its verdict to the then 200 ms
# age limit, and a TCP probe sent its SYN twice). This machine's
# architecture's VMs start with the tests, the others' once the tests
# here are done (four beside them got a quarter of a CPU each).
MATRIX_NICE=${NFD_MATRIX_NICE:-5}
matrix_pids=() matrix_outs=()

# matrix_kernels here|other: the kernels of the run (NFD_KERNELS, else
# tests/kernels/kernels.txt) of this machine's architecture, or the others
matrix_kernels() {
	local arch=$(dpkg --print-architecture) pkg
	for pkg in ${NFD_KERNELS:-$(awk '!/^#/ && NF { print $1 }' tests/kernels/kernels.txt)}; do
		case ${pkg##*-} in
		"$arch") [ "$1" = here ] && echo "$pkg" ;;
		*) [ "$1" = other ] && echo "$pkg" ;;
		esac
	done
}

# matrix_start here|other: tests/kernels/run.sh with those kernels, in the
# background, in a session of its own (cleanup stops it), niced
matrix_start() {
	local kernels pid
	kernels=$(matrix_kernels "$1")
	[ -n "$matrix_on" ] && [ -n "$kernels" ] || return 0
	# a session is an autogroup of its own where the kernel groups them
	# (sched_autogroup): the new session nices its group too, or the two
	# share the CPUs evenly (measured: the scenarios here 4 times slower)
	NFD_KERNELS=$kernels setsid bash -c '
		[ ! -w /proc/self/autogroup ] || echo "$1" >/proc/self/autogroup
		shift
		exec nice -n "$0" "$@"' "$MATRIX_NICE" "$MATRIX_NICE" \
		tests/kernels/run.sh "$only" >"$WORK/matrix-$1.out" 2>&1 </dev/null &
	pid=$!
	matrix_pids+=("$pid")
	matrix_outs+=("$WORK/matrix-$1.out")
}

matrix_on=
if [ "${NFD_MATRIX:-1}" = 0 ]; then
	skipped=$((skipped + 1))
	echo "skip  kernel matrix: NFD_MATRIX=0 (tests/kernels/run.sh runs it alone)"
elif [ -z "$(scenario_names | while read -r n; do [[ $n =~ $only ]] && echo "$n"; done)" ]; then
	echo "      kernel matrix: no scenario matches '$only', no kernel booted"
else
	matrix_on=1
	echo "      kernel matrix: started beside these tests, its results at the end"
fi
matrix_start here
# what --all-netns finds besides the tests' own namespaces (a node's pods)
echo "      info: this machine: $(ls /run/netns 2>/dev/null | wc -l) named network namespaces, $(find /proc/[0-9]*/ns/net -maxdepth 0 -printf '%l\n' 2>/dev/null | sort -u | wc -l) in use by processes"
run_unit .output/tests
topo_up || { echo "tests/run.sh: cannot build the test namespaces" >&2; exit 1; }
for name in $(scenario_names); do
	[[ $name =~ $only ]] || continue
	run_scenario "$name"
done
run_san
topo_down
matrix_start other
run_fuzz

# The kernel matrix: its own result lines, counted here from each run's
# last line.
matrix_collect() {
	local i last
	for i in "${!matrix_pids[@]}"; do
		wait "${matrix_pids[$i]}"
		sed 's/^\([0-9]* passed, \)/      kernel matrix: \1/' "${matrix_outs[$i]}"
		last=$(tail -n1 "${matrix_outs[$i]}")
		if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed(,\ ([0-9]+)\ skipped)?$ ]]; then
			pass=$((pass + BASH_REMATCH[1]))
			failed=$((failed + BASH_REMATCH[2]))
			skipped=$((skipped + ${BASH_REMATCH[4]:-0}))
			readarray -t -O ${#failures[@]} failures < <(sed -n \
				's/^FAIL  \(\[[^]]*\] [^ ]*\).*/\1/p' "${matrix_outs[$i]}")
		else
			failed=$((failed + 1))
			failures+=("kernel matrix")
			echo "FAIL  kernel matrix: tests/kernels/run.sh ended without its summary"
		fi
	done
	matrix_pids=()
}
matrix_collect

[ ${#failures[@]} = 0 ] || { printf 'failed:'; printf ' %s' "${failures[@]}"; echo; }
if [ $skipped -gt 0 ]; then
	echo "$pass passed, $failed failed, $skipped skipped"
else
	echo "$pass passed, $failed failed"
fi
[ $failed = 0 ]
