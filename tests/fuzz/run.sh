#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs each fuzz target for SECONDS on a copy of its seed corpus
# (tests/fuzz/corpus/TARGET/; what libFuzzer adds stays in .output/fuzz/),
# NFD_FUZZ_JOBS (2) targets at once. One line per target, in the order
# given, "ok" with its executions or "FAIL" with the input that failed
# (kept in .output/fuzz/), then "N passed, N failed".
# Usage: tests/fuzz/run.sh SECONDS FUZZER...
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
secs=$1
shift
jobs=${NFD_FUZZ_JOBS:-2}

# fuzz_one FUZZER: runs it; its line in DIR/TARGET.result, status 0 if ok
fuzz_one() {
	local bin=$1 t dir work rc runs
	t=${bin##*/fuzz_}
	dir=$(dirname "$bin")
	work=$dir/corpus-$t
	rm -rf "$work"
	mkdir -p "$work"
	cp "$TOP/tests/fuzz/corpus/$t/"* "$work/" 2>/dev/null
	"$bin" -max_total_time="$secs" -close_fd_mask=3 -print_final_stats=1 \
		-artifact_prefix="$dir/crash-$t-" "$work" >"$dir/$t.log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/$t.log")
	if [ $rc = 0 ]; then
		echo "ok    fuzz/$t ($runs executions in ${secs}s, corpus $(ls "$work" | wc -l))"
	else
		echo "FAIL  fuzz/$t"
		grep -E 'ERROR|SUMMARY|Test unit written|runtime error' "$dir/$t.log" |
			head -n 10 | sed 's/^/      | /'
	fi >"$dir/$t.result"
}

running=0
for bin in "$@"; do
	rm -f "$(dirname "$bin")/${bin##*/fuzz_}.result"
	fuzz_one "$bin" &
	running=$((running + 1))
	if [ $running -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
done
wait
pass=0 failed=0
for bin in "$@"; do
	res=$(dirname "$bin")/${bin##*/fuzz_}.result
	if [ -s "$res" ] && head -n1 "$res" | grep -q '^ok '; then
		pass=$((pass + 1))
	else
		failed=$((failed + 1))
		[ -s "$res" ] || echo "FAIL  fuzz/${bin##*/fuzz_} (no result)" >"$res"
	fi
	cat "$res"
done
echo "$pass passed, $failed failed"
[ $failed = 0 ]
