#!/usr/bin/env bash
# timeline_bench.sh - time travel figures: how fast a replay session
# reaches any moment, backwards included, directly (timeline-bench) and
# as gdb sees it (rewind debug, timed from gdb's Python).
#
# Usage: tools/timeline_bench.sh REWIND TIMELINE_BENCH BENCH_DIR [BUSYBOX]
#                                             (make bench does this)
#
# Traces: int_bench (about 2.8 * 10^9 instructions, little memory),
# rev_bench (checkpoint() called between phases of 10^8 instructions), and,
# with BUSYBOX, bzip2 of 5 MB of text (2.6 * 10^9 instructions writing
# megabytes: snapshot memory), once with the default memory budget and
# once with 32 MiB.  Appends a markdown section to BENCH_OUT (default
# build/bench.md).

set -euo pipefail
[ $# -ge 3 ] || { echo "usage: $0 REWIND TIMELINE_BENCH BENCH_DIR [BUSYBOX]" >&2; exit 2; }
rewind=$1 tb=$2 dir=$3 busybox=${4:-}
out=${BENCH_OUT:-build/bench.md}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# value FILE NAME: the number on the line "NAME value unit".
value() { awk -v n="$2" '$1 == n { print $2 }' "$1"; }

section() {
	echo
	echo "## Time travel"
	echo
	echo "tools/timeline_bench.sh: timeline-bench on each trace (first pass building"
	echo "snapshots, 200 (int_bench: 2000) seeks to random moments, 20 x 10"
	echo "reverse-stepi from random moments, reverse-continue to a breakpoint),"
	echo "then gdb commands timed from gdb's Python through \`rewind debug\`."
	echo
	echo "| trace | instructions | first pass (s) | snapshots | snapshot MiB per 10^9 | budget MiB | peak MiB | seek median / max (ms) | reverse-stepi median / max (ms) |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
}

row() {
	local name=$1 f=$2
	echo "| $name | $(value "$f" instructions) | $(value "$f" first_pass) | $(value "$f" final_snapshots) | $(value "$f" snapshot_memory_per_1e9) | $(value "$f" budget) | $(value "$f" peak_snapshot_memory) | $(value "$f" seek_median) / $(value "$f" seek_max) | $(value "$f" reverse_stepi_median) / $(value "$f" reverse_stepi_max) |"
}

section | tee "$tmp/section"

"$rewind" record -o "$tmp/int.rwd" -- "$dir/int_bench" >/dev/null
"$tb" --seeks 2000 "$tmp/int.rwd" >"$tmp/int.txt"
row "int_bench" "$tmp/int.txt" | tee -a "$tmp/section"

"$rewind" record -o "$tmp/rev.rwd" -- "$dir/rev_bench" >/dev/null
"$tb" --break-symbol checkpoint "$tmp/rev.rwd" >"$tmp/rev.txt"
row "rev_bench" "$tmp/rev.txt" | tee -a "$tmp/section"

if [ -n "$busybox" ] && [ -x "$busybox" ]; then
	awk 'BEGIN { srand(1); split("alpha beta gamma delta rewind trace snapshot replay kernel page", w, " ");
		for (i = 0; i < 200000; i++) print w[int(rand()*10)+1], w[int(rand()*10)+1], w[int(rand()*10)+1], w[int(rand()*10)+1] }' >"$tmp/text"
	"$rewind" record -o "$tmp/bz.rwd" -- "$busybox" bzip2 -c "$tmp/text" >/dev/null
	"$tb" "$tmp/bz.rwd" >"$tmp/bz.txt"
	row "busybox bzip2, 5 MB" "$tmp/bz.txt" | tee -a "$tmp/section"
	"$tb" --budget 32 "$tmp/bz.rwd" >"$tmp/bz32.txt"
	row "busybox bzip2, 5 MB, 32 MiB budget" "$tmp/bz32.txt" | tee -a "$tmp/section"
fi

{
	echo
	echo "reverse-continue to a breakpoint $(value "$tmp/rev.txt" reverse_continue_distance) instructions back (rev_bench):"
	echo "$(value "$tmp/rev.txt" reverse_continue) s, against $(value "$tmp/rev.txt" forward_same_stretch) s to execute the same"
	echo "stretch forwards: $(value "$tmp/rev.txt" reverse_continue_ratio)x."
} | tee -a "$tmp/section"

# The same through gdb: per-command latency of stepi and reverse-stepi at
# the last checkpoint, and reverse-continue from the end back to it.
cat >"$tmp/bench.gdb" <<'EOF'
python
import gdb, time
def timed(cmd, n):
    xs = []
    for _ in range(n):
        a = time.time()
        gdb.execute(cmd, to_string=True)
        xs.append((time.time() - a) * 1e3)
    xs.sort()
    print("gdb_%s %.2f %.2f" % (cmd.replace("-", "_"), xs[len(xs) // 2], xs[-1]))
end
break checkpoint
continue
continue
continue
continue
python timed("stepi", 50)
python timed("reverse-stepi", 50)
delete
continue
break checkpoint
python timed("reverse-continue", 1)
EOF
timeout 600 "$rewind" debug -q "$tmp/rev.rwd" -- -batch -x "$tmp/bench.gdb" >"$tmp/gdb.txt" 2>&1 || true
{
	echo
	echo "Through gdb (rev_bench): median / max per command, ms:"
	echo
	awk '$1 ~ /^gdb_/ { sub(/^gdb_/, "", $1); gsub(/_/, "-", $1); printf "- %s: %s / %s\n", $1, $2, $3 }' "$tmp/gdb.txt"
} | tee -a "$tmp/section"

mkdir -p "$(dirname "$out")"
cat "$tmp/section" >>"$out"
