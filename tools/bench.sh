#!/usr/bin/env bash
# bench.sh - how much slower a program runs under rewind than natively.
#
# Usage: tools/bench.sh REWIND [--busybox BUSYBOX] PROGRAM...
#                                             (make bench does this)
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
# With --busybox, also times real programs: that busybox's gzip, bzip2,
# sha256sum and sort on a generated text file of 5 MB (times BENCH_SCALE),
# the same for both sides, with the output compared likewise.
#
# Environment: BENCH_RUNS (default 5), BENCH_SCALE (default 1),
# BENCH_TIMEOUT (seconds per rewind run, default 300), BENCH_OUT
# (default build/bench.md).

set -euo pipefail

usage() {
	echo "usage: $0 REWIND [--busybox BUSYBOX] PROGRAM..." >&2
	exit 2
}
[ $# -ge 1 ] || usage
rewind=$1
shift
busybox=
if [ "${1:-}" = --busybox ]; then
	[ $# -ge 2 ] || usage
	busybox=$2
	shift 2
fi
[ $# -ge 1 ] || [ -n "$busybox" ] || usage
runs=${BENCH_RUNS:-5}
scale=${BENCH_SCALE:-1}
limit=${BENCH_TIMEOUT:-300}
out=${BENCH_OUT:-build/bench.md}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# timed IN CMD... : seconds, as a decimal, that CMD took with stdin from IN;
# its stdout goes to $tmp/out and its exit status to $tmp/status.
timed() {
	local in=$1 t0 t1 st=0
	shift
	t0=$(date +%s%N)
	timeout -k 5 "$limit" "$@" <"$in" >"$tmp/out" 2>"$tmp/err" || st=$?
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
	echo "| benchmark | native (s) | rewind run (s) | slowdown | record (s) | record overhead | replay (s) | replay/record | trace bytes/event |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
} >"$tmp/table"
cat "$tmp/table"

# bench_row NAME IN CMD... : one row of the table.
bench_row() {
	local name=$1 in=$2
	shift 2
	: >"$tmp/native.times"
	: >"$tmp/rewind.times"
	: >"$tmp/record.times"
	: >"$tmp/replay.times"
	local problem= st native rw ratio row rec rep bpe
	for _ in $(seq 1 "$runs"); do
		timed "$in" "$@" >>"$tmp/native.times"
		if [ "$(cat "$tmp/status")" != 0 ]; then
			problem="fails natively (status $(cat "$tmp/status"))"
			break
		fi
		cp "$tmp/out" "$tmp/native.out"
		timed "$in" "$rewind" run -- "$@" >>"$tmp/rewind.times"
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
		timed "$in" "$rewind" record -o "$tmp/t.rwd" -- "$@" >>"$tmp/record.times"
		if [ "$(cat "$tmp/status")" != 0 ]; then
			problem="record exited $(cat "$tmp/status"): $(head -n1 "$tmp/err")"
			break
		fi
		timed /dev/null "$rewind" replay --quiet "$tmp/t.rwd" >>"$tmp/replay.times"
		if [ "$(cat "$tmp/status")" != 0 ]; then
			problem="replay exited $(cat "$tmp/status"): $(head -n1 "$tmp/err")"
			break
		fi
	done
	native=$(median <"$tmp/native.times")
	if [ -n "$problem" ]; then
		row="| $name | $native | - | $problem | | | | | |"
	else
		rw=$(median <"$tmp/rewind.times")
		ratio=$(awk -v a="$rw" -v b="$native" 'BEGIN {
			if (b > 0) printf "%.1fx", a / b; else print "-" }')
		rec=$(median <"$tmp/record.times")
		rep=$(median <"$tmp/replay.times")
		bpe=$("$rewind" dump --stats "$tmp/t.rwd" | sed -n 's/.*, \([0-9.]*\) bytes per event/\1/p')
		row="| $name | $native | $rw | $ratio | $rec | $(awk -v a="$rec" -v b="$rw" 'BEGIN { printf "%+.0f%%", (a / b - 1) * 100 }') | $rep | $(awk -v a="$rep" -v b="$rec" 'BEGIN { printf "%.2f", a / b }') | ${bpe:--} |"
	fi
	echo "$row" | tee -a "$tmp/table"
}

for prog in "$@"; do
	bench_row "$(basename "$prog")" /dev/null "$prog" "$scale"
done

if [ -n "$busybox" ]; then
	# About 5 MB of text per BENCH_SCALE: words from a fixed list picked
	# by a 32-bit LCG (exact in awk's doubles), numbers, punctuation.
	lines=$((80000 * scale))
	"$busybox" awk -v lines="$lines" 'BEGIN {
		n = split("alpha bravo Charlie delta echo foxtrot golf Hotel " \
			  "india juliet kilo Lima mike november oscar papa " \
			  "quebec Romeo sierra tango uniform victor whiskey xray " \
			  "yankee zulu the of and a to in is lorem ipsum", w, " ")
		s = 12345
		for (l = 1; l <= lines; l++) {
			s = (s * 69069 + 1) % 4294967296
			k = 4 + s % 9
			line = l
			for (j = 0; j < k; j++) {
				s = (s * 69069 + 1) % 4294967296
				line = line " " w[1 + int(s / 65536) % n]
			}
			s = (s * 69069 + 1) % 4294967296
			printf "%s %d %.3f\n", line, s % 100000, s / 4294967296 * 1000
		}
	}' >"$tmp/text"
	mb=$(awk -v b="$(wc -c <"$tmp/text")" 'BEGIN { printf "%.1f", b / 1048576 }')
	bench_row "busybox gzip ($mb MB text)" "$tmp/text" "$busybox" gzip -c
	bench_row "busybox bzip2 ($mb MB text)" "$tmp/text" "$busybox" bzip2 -c
	bench_row "busybox sha256sum ($mb MB)" "$tmp/text" "$busybox" sha256sum
	bench_row "busybox sort ($mb MB text)" "$tmp/text" "$busybox" sort
fi

mkdir -p "$(dirname "$out")"
cp "$tmp/table" "$out"
echo
echo "written to $out"
