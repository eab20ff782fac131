#!/usr/bin/env bash
# record_replay.sh - record -> replay -> compare.
#
# Every example and test program (glibc and musl builds) is recorded with
# `rewind record`; the recording must behave exactly like a native run
# (stdout, stderr, exit status; timerand's values are masked, since they
# differ between any two runs).  The trace is then replayed twice: each
# replay must reproduce the RECORDED output byte for byte (including the
# clock values and random bytes timerand printed) and exit status, and
# `replay --check --quiet` must print one summary line and exit 0.
#
# Then the things that must fail, each with exit 125 and one line:
# a recorder killed with SIGKILL (the trace replays up to its last commit,
# then says where it ends), an executable changed after recording,
# corrupted and truncated traces.  And: a program that creates and deletes
# files, replayed after its directory is gone, creates nothing.
#
# Environment: REWIND, EXAMPLES_DIR, PROGRAMS_DIR, CASES (regex filter).

set -u
: "${CASES:=}"
export LC_ALL=C
ulimit -c 0
EXAMPLES_DIR=$(cd "$EXAMPLES_DIR" && pwd)
PROGRAMS_DIR=$(cd "$PROGRAMS_DIR" && pwd)
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
pass=0
failn=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
fail() { echo "FAIL $1: $2"; failn=$((failn + 1)); }
want() { [ -z "$CASES" ] || [[ $1 =~ $CASES ]]; }

# mask FILE: digits -> N (timerand only)
mask() { sed -E 's/[0-9]+/N/g' "$1"; }

# one NAME BIN [ARGS...]
one() {
	local name=$1 bin=$2 d=$W/$1
	shift 2
	want "$name" || return 0
	mkdir -p "$d/native" "$d/rec"
	local args=() a
	for a in "$@"; do args+=("${a//@D@/$d/native}"); done
	(cd "$d" && timeout 60 "$bin" "${args[@]}" </dev/null >native.out 2>native.err; echo $? >native.st) 2>/dev/null
	args=()
	for a in "$@"; do args+=("${a//@D@/$d/rec}"); done
	(cd "$d" && timeout 120 "$REWIND" record -o "$d/t.rwd" -- "$bin" "${args[@]}" </dev/null >rec.out 2>rec.err; echo $? >rec.st) 2>/dev/null
	local m=cat
	[[ $name == timerand* ]] && m=mask
	sed -i "s#$d/native#@D@#g" "$d/native.out" "$d/native.err"
	sed -i "s#$d/rec#@D@#g" "$d/rec.out" "$d/rec.err"
	if ! cmp -s <($m "$d/native.out") <($m "$d/rec.out") ||
	   ! cmp -s <($m "$d/native.err") <($m "$d/rec.err") ||
	   ! cmp -s "$d/native.st" "$d/rec.st"; then
		fail "$name record" "differs from native (status $(cat "$d/native.st") vs $(cat "$d/rec.st")): $(diff <($m "$d/native.out") <($m "$d/rec.out") | head -3 | tr '\n' ' ') $(head -c 200 "$d/rec.err")"
		return
	fi
	# Replays happen after the recording's directory is gone: they must
	# neither need it nor create it again.
	rm -rf "$d/rec"
	local k
	for k in 1 2; do
		(cd "$d" && timeout 120 "$REWIND" replay "$d/t.rwd" </dev/null >rep.out 2>rep.err; echo $? >rep.st) 2>/dev/null
		sed -i "s#$d/rec#@D@#g" "$d/rep.out" "$d/rep.err"
		if ! cmp -s "$d/rec.out" "$d/rep.out" || ! cmp -s "$d/rec.err" "$d/rep.err" ||
		   ! cmp -s "$d/rec.st" "$d/rep.st"; then
			fail "$name replay $k" "differs from the recording (status $(cat "$d/rec.st") vs $(cat "$d/rep.st")): $(head -c 300 "$d/rep.err")"
			return
		fi
		if [ -e "$d/rec" ]; then
			fail "$name replay $k" "replay recreated $d/rec"
			return
		fi
	done
	(cd "$d" && "$REWIND" replay --check --quiet "$d/t.rwd" >chk.out 2>chk.err </dev/null; echo $? >chk.st)
	if [ "$(cat "$d/chk.st")" != 0 ] || [ -s "$d/chk.out" ] ||
	   [ "$(wc -l <"$d/chk.err")" != 1 ] || ! grep -q "replay matched" "$d/chk.err"; then
		fail "$name check" "status $(cat "$d/chk.st"): $(head -c 300 "$d/chk.err")"
		return
	fi
	ok "$name"
}

for lib in glibc musl; do
	for bin in "$EXAMPLES_DIR"/*."$lib"; do
		[ -x "$bin" ] || continue
		n=$(basename "$bin" ."$lib")
		case $n in
		files) one "$n.$lib" "$bin" @D@ ;;
		hello) one "$n.$lib" "$bin" one "two words" 7 ;;
		*) one "$n.$lib" "$bin" ;;
		esac
	done
	for bin in "$PROGRAMS_DIR"/*."$lib"; do
		[ -x "$bin" ] || continue
		one "$(basename "$bin")" "$bin"
	done
done

# Real programs from the corpus: busybox applets on a generated input, and
# a bash-static script.  The input is removed before the replays.
if [ -x /bin/busybox ]; then
	/bin/busybox awk 'BEGIN { s = 7; for (i = 0; i < 20000; i++) {
		s = (s * 69069 + 1) % 4294967296; printf "%d line %x\n", s % 1000, s } }' >"$W/in.txt"
	for applet in "sort -n" "gzip -c" "sha256sum" "wc -l" "md5sum" "sed s/line/LINE/" "awk {n+=\$1}END{print\ n}"; do
		set -- $applet
		a=$1
		shift
		one "busybox $a" /bin/busybox "$a" "$@" "$W/in.txt"
	done
fi
if [ -x /bin/bash-static ]; then
	one "bash-static script" /bin/bash-static -c 'declare -A m; for ((i = 0; i < 300; i++)); do m[k$((i % 7))]+=$i,; done; for ((i = 0; i < 7; i++)); do echo "k$i ${#m[k$i]}"; done; printf "%05d\n" $((RANDOM >= 0))'
fi

# Without -o, traces go to $REWIND_TRACE_DIR as PROG-N.rwd with a
# "latest" link, which replay and dump use when no trace is given.
if want latest && [ -x "$EXAMPLES_DIR/hello.musl" ]; then
	export REWIND_TRACE_DIR=$W/traces
	"$REWIND" record -- "$EXAMPLES_DIR/hello.musl" a >/dev/null 2>&1
	"$REWIND" record -- "$EXAMPLES_DIR/hello.musl" b 5 >"$W/l1.out" 2>&1
	"$REWIND" replay >"$W/l2.out" 2>&1
	st=$?
	if [ -f "$W/traces/hello.musl-0.rwd" ] && [ -f "$W/traces/hello.musl-1.rwd" ] &&
	   [ "$(readlink "$W/traces/latest")" = hello.musl-1.rwd ] &&
	   cmp -s "$W/l1.out" "$W/l2.out" && [ $st = 5 ]; then
		ok "default trace directory and latest"
	else
		fail "default trace directory and latest" "status $st, $(ls "$W/traces" | tr '\n' ' ')"
	fi
	unset REWIND_TRACE_DIR
fi

# must_fail NAME WORDS CMD... : exit 125, one line on stderr with WORDS.
must_fail() {
	local name=$1 words=$2
	shift 2
	want "$name" || return 0
	"$@" >"$W/mf.out" 2>"$W/mf.err" </dev/null
	local st=$?
	if [ "$st" != 125 ]; then
		fail "$name" "status $st, want 125: $(head -c 300 "$W/mf.err")"
	elif [ "$(wc -l <"$W/mf.err")" != 1 ] || ! grep -q '^rewind: ' "$W/mf.err"; then
		fail "$name" "stderr is not one rewind: line: $(head -c 300 "$W/mf.err")"
	elif ! grep -qF -- "$words" "$W/mf.err"; then
		fail "$name" "stderr lacks '$words': $(cat "$W/mf.err")"
	else
		ok "$name"
	fi
}

# A recorder killed mid-run: the trace replays up to its last commit.
if want killed && [ -x /bin/busybox ]; then
	"$REWIND" record -o "$W/k.rwd" -- /bin/busybox sh -c \
		'i=0; while true; do i=$((i+1)); echo $i; done' >/dev/null 2>&1 &
	pid=$!
	sleep 3
	kill -KILL $pid
	wait $pid 2>/dev/null
	n=$("$REWIND" dump "$W/k.rwd" 2>/dev/null | wc -l)
	if [ "$n" -lt 100 ]; then
		fail "killed recorder" "only $n events readable"
	else
		must_fail "killed recorder replays to its end" "the trace ends here" \
			"$REWIND" replay --quiet "$W/k.rwd"
	fi
fi

# An executable changed after recording is refused up front.
hello=$EXAMPLES_DIR/hello.glibc
if want changed && [ -x "$hello" ]; then
	cp "$hello" "$W/h"
	"$REWIND" record -o "$W/h.rwd" -- "$W/h" >/dev/null 2>&1
	printf 'X' | dd of="$W/h" bs=1 seek=$(( $(stat -c %s "$W/h") - 10 )) conv=notrunc status=none
	must_fail "changed executable" "changed since the recording" "$REWIND" replay "$W/h.rwd"
	rm -f "$W/h"
	must_fail "missing executable" "not readable" "$REWIND" replay "$W/h.rwd"
fi

# A packed trace carries its executable: it replays identically after the
# executable is deleted (the crash-report workflow: record, pack, send).
if want packed && [ -x "$EXAMPLES_DIR/timerand.musl" ]; then
	cp "$EXAMPLES_DIR/timerand.musl" "$W/p"
	"$REWIND" record -o "$W/p.rwd" -- "$W/p" >"$W/p1.out" 2>&1
	"$REWIND" pack "$W/p.rwd" 2>"$W/pack.err"
	st=$?
	rm -f "$W/p"
	XDG_CACHE_HOME=$W/cache "$REWIND" replay "$W/p.rwd" >"$W/p2.out" 2>&1
	st2=$?
	if [ $st != 0 ] || [ $st2 != 0 ] || ! cmp -s "$W/p1.out" "$W/p2.out"; then
		fail "packed trace" "pack $st, replay $st2: $(head -c 300 "$W/pack.err") $(head -c 300 "$W/p2.out")"
	else
		ok "packed trace"
	fi
fi

# dump --json is one valid JSON object per event; --stats counts them.
if want dump && [ -f "$W/p.rwd" ] && command -v python3 >/dev/null; then
	if "$REWIND" dump --json "$W/p.rwd" | python3 -c '
import json, sys
n = 0
for line in sys.stdin:
    e = json.loads(line); assert e["seq"] == n and "icount" in e and "kind" in e; n += 1
assert n > 5
' && "$REWIND" dump --stats "$W/p.rwd" | grep -q '^syscall '; then
		ok "dump --json and --stats"
	else
		fail "dump --json and --stats" "malformed output"
	fi
fi

# Damaged traces: truncated and byte-flipped copies must never crash,
# hang or replay silently wrong: exit 125 with one line, or (a flip in
# slack space that nothing reads) a replay identical to the original.
if want damaged && [ -x "$EXAMPLES_DIR/timerand.glibc" ]; then
	"$REWIND" record -o "$W/d.rwd" -- "$EXAMPLES_DIR/timerand.glibc" >"$W/d.out" 2>/dev/null
	size=$(stat -c %s "$W/d.rwd")
	bad=0
	for cut in 0 1 100 4096 8192 $((size / 2)) $((size - 1)); do
		head -c "$cut" "$W/d.rwd" >"$W/c.rwd"
		timeout 60 "$REWIND" replay "$W/c.rwd" >"$W/c.out" 2>"$W/c.err" </dev/null
		st=$?
		if [ $st != 125 ] || [ "$(wc -l <"$W/c.err")" != 1 ]; then
			bad=$((bad + 1))
			echo "    truncated at $cut: status $st: $(head -c 200 "$W/c.err")"
		fi
	done
	[ $bad = 0 ] && ok "truncated traces" || fail "truncated traces" "$bad cases"
	bad=0
	silent=0
	for i in $(seq 1 100); do
		cp "$W/d.rwd" "$W/c.rwd"
		off=$(( (i * 7919 * 13) % size ))
		printf "\\x$(printf %02x $(( (i * 37 + 1) & 255 )))" |
			dd of="$W/c.rwd" bs=1 seek=$off conv=notrunc status=none
		timeout 60 "$REWIND" replay "$W/c.rwd" >"$W/c.out" 2>"$W/c.err" </dev/null
		st=$?
		if [ $st = 125 ] && [ "$(wc -l <"$W/c.err")" = 1 ]; then
			:
		elif [ $st = 0 ] && cmp -s "$W/c.out" "$W/d.out"; then
			silent=$((silent + 1))	# the flip hit bytes nothing reads
		else
			bad=$((bad + 1))
			echo "    flip at $off: status $st: $(head -c 200 "$W/c.err")"
		fi
	done
	[ $bad = 0 ] && ok "byte-flipped traces ($silent of 100 flips hit unused bytes)" ||
		fail "byte-flipped traces" "$bad cases"
fi

echo "record_replay.sh: $pass passed, $failn failed"
[ $failn = 0 ]
