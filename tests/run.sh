#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs every nfdropcap test: the unit tests, then the end-to-end scenarios
# in network namespaces of its own. Needs root. Prints one line per test
# and ends with "N passed, N failed" (", N skipped" when some could not run,
# each with its reason). Usage: tests/run.sh [NAME-REGEX]
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
. tests/lib.sh
. tests/scenarios.sh

only=${1:-.}
pass=0 failed=0 skipped=0
failures=()
WORK=$(mktemp -d /tmp/nfdropcap-tests.XXXXXX)

cleanup() {
	pkill -f "$NFD -N nfdt-" 2>/dev/null
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

run_unit() {
	for t in .output/tests/test_*; do
		[ -x "$t" ] || continue
		name=unit/$(basename "$t")
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
	mkdir -p "$T"
	topo_reset
	start=$(date +%s.%N)
	(set -o pipefail; "$name") >"$T/log" 2>&1
	rc=$?
	pkill -f "$NFD -N nfdt-" 2>/dev/null
	grep -E '^(SKIP|info):' "$T/log" | sed 's/^/      /'
	if [ $rc != 0 ] && [ $rc != "$SKIP" ]; then
		sed 's/^/      | /' "$T/log" | tail -n 30
		[ -s "$T/nfd.err" ] && sed 's/^/      nfd.err| /' "$T/nfd.err" | tail -n 10
	fi
	result "$name ($(printf '%.1f' "$(echo "$(date +%s.%N) - $start" | bc)")s)" $rc
}

if [ "$(id -u)" != 0 ]; then
	echo "tests/run.sh: the end-to-end tests need root" >&2
	exit 1
fi
for tool in tshark capinfos tcpdump nft ip bc; do
	command -v $tool >/dev/null || {
		echo "tests/run.sh: $tool is missing: run scripts/install-deps.sh" >&2
		exit 1
	}
done

run_unit
topo_up || { echo "tests/run.sh: cannot build the test namespaces" >&2; exit 1; }
for name in $(declare -F | awk '{print $3}' | grep '^t_'); do
	[[ $name =~ $only ]] || continue
	run_scenario "$name"
done

[ ${#failures[@]} = 0 ] || echo "failed: ${failures[*]}"
if [ $skipped -gt 0 ]; then
	echo "$pass passed, $failed failed, $skipped skipped"
else
	echo "$pass passed, $failed failed"
fi
[ $failed = 0 ]
