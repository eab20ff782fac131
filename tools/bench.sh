#!/usr/bin/env bash
# bench.sh - how much slower a program runs under rewind than natively.
#
# Usage: tools/bench.sh REWIND PROGRAM...     (make bench does this)
#
# Runs every PROGRAM BENCH_RUNS times natively and BENCH_RUNS times under
# `REWIND run --`, interleaved (native, rewind, native, rewind, ...) so that
# a change in machine load hits both sides alike, and takes the median wall
# time of each.  Each program gets BENCH_SCALE as its only argument (the
# bundled ones scale their work linearly; at 1 they take about 0.1-0.25 s
# natively).  A rewind run whose output or exit status differs from the
# native one is reported as such instead of a time.  Prints a markdown
# table and writes it to build/bench.md.
#
# Environment: BENCH_RUNS (default 5), BENCH_SCALE (default 1),
# BENCH_TIMEOUT (seconds per rewind run, default 300), BENCH_OUT
# (default build/bench.md).

set -euo pipefail

if [ $# -lt 2 ]; then
	echo "usage: $0 REWIND PROGRAM..." >&2
	exit 2
fi
rewind=$1
shift
runs=${BENCH_RUNS:-5}
scale=${BENCH_SCALE:-1}
limit=${BENCH_TIMEOUT:-300}
out=${BENCH_OUT:-build/bench.md}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# seconds, as a decimal, that "$@" took; its stdout goes to $tmp/out and
# its exit status to $tmp/status.
timed() {
	local t0 t1 st=0
	t0=$(date +%s%N)
	timeout -k 5 "$limit" "$@" >"$tmp/out" 2>"$tmp/err" || st=$?
	t1=$(date +%s%N)
	echo "$st" >"$tmp/status"
	awk -v ns=$((t1 - t0)) 'BEGIN { printf "%.3f\n", ns / 1e9 }'
}

median() {
	sort -n | awk '{ v[NR] = $1 } END {
		if (NR % 2) print v[(NR + 1) / 2];
		else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
rev=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
{
	echo "# rewind benchmarks"
	echo
	echo "\`make bench\` (tools/bench.sh) at $rev, $(date -u +%Y-%m-%d), on ${cpu:-unknown CPU}, $(nproc) CPUs."
	echo "Median wall time of $runs runs each, interleaved; BENCH_SCALE=$scale."
	echo
	echo "| benchmark | native (s) | rewind (s) | slowdown |"
	echo "|---|---:|---:|---:|"
} >"$tmp/table"
cat "$tmp/table"

for prog in "$@"; do
	name=$(basename "$prog")
	: >"$tmp/native.times"
	: >"$tmp/rewind.times"
	problem=
	for _ in $(seq 1 "$runs"); do
		timed "$prog" "$scale" >>"$tmp/native.times"
		if [ "$(cat "$tmp/status")" != 0 ]; then
			problem="fails natively (status $(cat "$tmp/status"))"
			break
		fi
		cp "$tmp/out" "$tmp/native.out"
		timed "$rewind" run -- "$prog" "$scale" >>"$tmp/rewind.times"
		st=$(cat "$tmp/status")
		if [ "$st" = 124 ] || [ "$st" = 137 ]; then
			problem="rewind timed out after ${limit}s"
			break
		elif [ "$st" != 0 ]; then
			problem="rewind exited $st: $(head -n1 "$tmp/err")"
			break
		elif ! cmp -s "$tmp/out" "$tmp/native.out"; then
			problem="rewind printed a different result"
			break
		fi
	done
	native=$(median <"$tmp/native.times")
	if [ -n "$problem" ]; then
		row="| $name | $native | - | $problem |"
	else
		rw=$(median <"$tmp/rewind.times")
		ratio=$(awk -v a="$rw" -v b="$native" 'BEGIN {
			if (b > 0) printf "%.1fx", a / b; else print "-" }')
		row="| $name | $native | $rw | $ratio |"
	fi
	echo "$row" | tee -a "$tmp/table"
done

mkdir -p "$(dirname "$out")"
cp "$tmp/table" "$out"
echo
echo "written to $out"
