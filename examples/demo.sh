#!/usr/bin/env bash
# demo.sh - `make demo`: a short tour of rewind on the bundled examples.
#
# Each step says what it is about to show, runs the command, shows its
# output and exit status, and says whether that status is the one a native
# run gives.  Add a step by calling `step` (see the end of the file).
# Environment: REWIND (default build/rewind), EXAMPLES_DIR (build/examples).

set -u
REWIND=${REWIND:-build/rewind}
EX=${EXAMPLES_DIR:-build/examples}
ulimit -c 0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
unexpected=0

if [ -t 1 ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold= plain=; fi
say() { printf '\n%s%s%s\n' "$bold" "$*" "$plain"; }
show() { printf '  $'; printf ' %q' "$@"; printf '\n'; }

# step PROG ARGS... : run PROG natively (quietly) for its exit status, then
# show it running under rewind and check that the status is the same.
step() {
	local native st
	{ "$@" >/dev/null 2>&1; native=$?; } 2>/dev/null
	show "$REWIND" run -- "$@"
	{ "$REWIND" run -- "$@" 2>&1 | sed 's/^/  | /'; st=${PIPESTATUS[0]}; } 2>/dev/null
	if [ "$st" = "$native" ]; then
		echo "  exit status $st, as natively"
	else
		echo "  exit status $st, but natively it is $native: UNEXPECTED"
		unexpected=$((unexpected + 1))
	fi
}

say "1. Run a program inside the VM."
echo "rewind loads the static executable itself, interprets every instruction and"
echo "emulates each system call. Arguments, environment and the exit status pass"
echo "through unchanged:"
GREETING="hello from make demo" step "$EX/hello.glibc" one "two words" 7

say "2. The same results as the real CPU."
echo "compute.musl (musl libc) does integer work and prints checksums. Native"
echo "output and output under rewind are compared byte for byte:"
echo "  \$ diff <($EX/compute.musl) <($REWIND run -- $EX/compute.musl)"
"$EX/compute.musl" >"$tmp/native" 2>&1
"$REWIND" run -- "$EX/compute.musl" >"$tmp/rewind" 2>&1
if cmp -s "$tmp/native" "$tmp/rewind"; then
	echo "  identical:"
	head -n 4 "$tmp/rewind" | sed 's/^/  | /'
else
	echo "  DIFFERENT:"
	diff "$tmp/native" "$tmp/rewind" | head -n 10 | sed 's/^/  | /'
	unexpected=$((unexpected + 1))
fi

say "3. Floating point, SSE2 and x87."
echo "float.glibc uses libm and long doubles; %a and %La print every bit:"
step "$EX/float.glibc"

say "4. A crash stays inside the guest."
echo "crash.glibc writes through a NULL pointer. The fault becomes a SIGSEGV"
echo "for the guest, which dies of it exactly as it would natively (status"
echo "128 + 11 = 139); rewind itself is not harmed:"
step "$EX/crash.glibc"

say "5. Record a run, then replay it exactly."
echo "timerand.glibc reads the clocks, rdtsc and getrandom: every run prints"
echo "different values. Recorded once, the trace replays the very same run:"
show "$REWIND" record -o "$tmp/timerand.rwd" -- "$EX/timerand.glibc"
"$REWIND" record -o "$tmp/timerand.rwd" -- "$EX/timerand.glibc" >"$tmp/rec" 2>&1
head -n 4 "$tmp/rec" | sed 's/^/  | /'
show "$REWIND" replay "$tmp/timerand.rwd"
"$REWIND" replay "$tmp/timerand.rwd" >"$tmp/rep" 2>&1
head -n 4 "$tmp/rep" | sed 's/^/  | /'
"$EX/timerand.glibc" >"$tmp/again" 2>&1
if cmp -s "$tmp/rec" "$tmp/rep" && ! cmp -s "$tmp/rec" "$tmp/again"; then
	echo "  the replay printed exactly what the recording printed (a fresh"
	echo "  native run prints other values)"
else
	echo "  UNEXPECTED: the replay differs from the recording"
	unexpected=$((unexpected + 1))
fi
show "$REWIND" replay --check --quiet "$tmp/timerand.rwd"
"$REWIND" replay --check --quiet "$tmp/timerand.rwd" 2>&1 | sed 's/^/  | /'
echo "Every input the run depended on is an event in the trace:"
show "$REWIND" dump "$tmp/timerand.rwd"
"$REWIND" dump "$tmp/timerand.rwd" | grep -E 'clock_gettime|rdtsc|getrandom|at_random|exit' | head -n 6 | sed 's/^/  | /'

say "6. A crash, recorded, replays to the same crash."
echo "buggy.glibc corrupts a pointer with an off-by-one write and crashes"
echo "later. Its recording replays to the same SIGSEGV, on any machine that"
echo "has the trace and the executable:"
"$REWIND" record -o "$tmp/buggy.rwd" -- "$EX/buggy.glibc" >/dev/null 2>&1
rec=$?
show "$REWIND" replay "$tmp/buggy.rwd"
{ "$REWIND" replay "$tmp/buggy.rwd" 2>&1 | tail -n 3 | sed 's/^/  | /'; rep=${PIPESTATUS[0]}; } 2>/dev/null
if [ "$rec" = "$rep" ] && [ "$rep" = 139 ]; then
	echo "  recorded and replayed: exit status $rep (SIGSEGV), identical"
else
	echo "  UNEXPECTED: recorded status $rec, replayed $rep"
	unexpected=$((unexpected + 1))
fi

say "7. Travel back from the crash to its cause, with gdb."
echo "The same bug, built with -O0 -g. rewind debug replays the trace under"
echo "stock gdb; from the crash, a watchpoint on the pointer that was found"
echo "zeroed and reverse-continue stop at the write that destroyed it:"
"$REWIND" record -o "$tmp/buggy-debug.rwd" -- "$EX/buggy.debug" >/dev/null 2>&1
cat >"$tmp/demo.gdb" <<'GDB'
continue
backtrace
watch -l st->total
reverse-continue
backtrace
GDB
sed 's/^/  (gdb) /' "$tmp/demo.gdb"
show "$REWIND" debug -q "$tmp/buggy-debug.rwd" -- -batch -x "$tmp/demo.gdb"
if ! command -v gdb >/dev/null 2>&1; then
	echo "  gdb is not installed (make deps installs it): step skipped"
	unexpected=$((unexpected + 1))
else
	timeout 120 "$REWIND" debug -q "$tmp/buggy-debug.rwd" -- -batch \
		-x "$tmp/demo.gdb" >"$tmp/gdb.out" 2>&1
	sed 's/^/  | /' "$tmp/gdb.out"
	if grep -q 'SIGSEGV' "$tmp/gdb.out" &&
	   grep -q '^Old value = ' "$tmp/gdb.out" &&
	   grep -q 'clear_counts' "$tmp/gdb.out"; then
		echo "  gdb stopped in clear_counts(), on the off-by-one write:"
		echo "  the cause of the crash, found by running backwards"
	else
		echo "  UNEXPECTED: gdb did not stop at the corrupting write"
		unexpected=$((unexpected + 1))
	fi
fi

echo
if [ "$unexpected" -eq 0 ]; then
	echo "demo finished: every step behaved as it does natively."
else
	echo "demo finished: $unexpected step(s) did not behave as natively."
	exit 1
fi
