#!/usr/bin/env bash
# examples.sh - differential test: every example (examples/*.c) and every
# test program (tests/programs/*.c), each built against glibc and musl, runs
# natively and under `rewind run` with the same argv, environment, stdin and
# cwd.  A case passes only when stdout, stderr and the exit status are
# identical.  The only transformations ever applied before comparing are the
# ones a case asks for by name, and they are applied to both sides alike:
#   tmp     each run gets its own fresh directory for "@TMP@" in argv; its
#           path is replaced by "@TMP@" in the output
#   digits  every run of digits becomes "N" (timerand.c: values that must
#           differ between runs; the format and the yes/no facts must not)
#
# Environment: REWIND (the binary), EXAMPLES_DIR, PROGRAMS_DIR, CASES (an
# optional extended regex: run only the cases whose name matches),
# CASE_TIMEOUT (seconds per run, default 60).
#
# busybox.sh sources this file for diff_case and friends: everything up to
# the "main" marker below only defines functions.

set -u

: "${CASE_TIMEOUT:=60}"
: "${CASES:=}"

diff_setup() {
	if [ -z "${REWIND:-}" ] || [ ! -x "$REWIND" ]; then
		echo "FAIL $(basename "$0"): REWIND is not set to an executable (got '${REWIND:-}')"
		exit 1
	fi
	ulimit -c 0			# crashing cases must not leave core files
	export LC_ALL=C
	WORK=$(mktemp -d)
	trap 'rm -rf "$WORK"' EXIT
	PASSED=0
	FAILED=0
}

# run_one DIR STDIN CMD... : run CMD with stdin from STDIN; leave DIR/out,
# DIR/err and DIR/status.  Replaces the argument "@TMP@" by DIR/tmp, a fresh
# directory.  Runs under a timeout; bash's own "Segmentation fault" notice
# goes to /dev/null, the command's stderr does not.
run_one() {
	local dir=$1 in=$2
	shift 2
	mkdir -p "$dir/tmp"
	local args=() a
	for a in "$@"; do
		[ "$a" = "@TMP@" ] && a=$dir/tmp
		args+=("$a")
	done
	{ timeout -k 5 "$CASE_TIMEOUT" "${args[@]}" <"$in" >"$dir/out" 2>"$dir/err"
	  echo $? >"$dir/status"; } 2>/dev/null
}

# normalize DIR MODE : rewrite DIR/out and DIR/err in place for MODE.
normalize() {
	local dir=$1 mode=$2 f
	for f in "$dir/out" "$dir/err"; do
		case $mode in
		none) ;;
		tmp) sed -i "s|$(printf '%s' "$dir/tmp" | sed 's/[][\\.*^$|]/\\&/g')|@TMP@|g" "$f" ;;
		digits) sed -i -E 's/[0-9]+/N/g' "$f" ;;
		*) echo "normalize: unknown mode $mode" >&2; exit 1 ;;
		esac
	done
}

# indent the first lines of a diff under a FAIL line
show_diff() {
	diff -u --label native --label rewind "$1" "$2" | sed -n '3,14s/^/      /p'
}

# diff_case NAME EXPECT STDIN MODE CMD ARGS... : run CMD ARGS natively and
# as `$REWIND run -- CMD ARGS`, compare, print "ok   NAME" or
# "FAIL NAME: ...".  EXPECT is the exit status the native run must have
# ("-" for any): it guards against a harness or toolchain problem making
# both sides fail the same way.
diff_case() {
	local name=$1 expect=$2 in=$3 mode=$4
	shift 4
	if [ -n "$CASES" ] && ! [[ $name =~ $CASES ]]; then
		return 0
	fi
	local d=$WORK/case.$((PASSED + FAILED))
	mkdir -p "$d"
	run_one "$d/native" "$in" "$@"
	run_one "$d/rewind" "$in" "$REWIND" run -- "$@"
	normalize "$d/native" "$mode"
	normalize "$d/rewind" "$mode"

	local ns rs why=()
	ns=$(cat "$d/native/status")
	rs=$(cat "$d/rewind/status")
	if [ "$expect" != - ] && [ "$ns" != "$expect" ]; then
		why+=("native run exited $ns, expected $expect")
	fi
	if [ "$ns" != "$rs" ]; then
		local hint=
		[ "$rs" = 124 ] && hint=" (timed out after ${CASE_TIMEOUT}s)"
		why+=("exit status $ns native, $rs rewind$hint")
	fi
	cmp -s "$d/native/out" "$d/rewind/out" || why+=("stdout differs")
	cmp -s "$d/native/err" "$d/rewind/err" || why+=("stderr differs")

	if [ ${#why[@]} -eq 0 ]; then
		echo "ok   $name"
		PASSED=$((PASSED + 1))
	else
		local msg= w
		for w in "${why[@]}"; do msg+="${msg:+; }$w"; done
		echo "FAIL $name: $msg"
		# The first line rewind itself printed usually names the reason.
		if ! cmp -s "$d/native/err" "$d/rewind/err"; then
			echo "    rewind stderr: $(grep -m1 -v -x -F -f "$d/native/err" "$d/rewind/err" 2>/dev/null || head -n1 "$d/rewind/err")"
		fi
		cmp -s "$d/native/out" "$d/rewind/out" || show_diff "$d/native/out" "$d/rewind/out"
		FAILED=$((FAILED + 1))
	fi
}

diff_summary() {
	echo "$(basename "$0"): $PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
}

# ---------------------------------------------------------------- main
[ "${BASH_SOURCE[0]}" = "$0" ] || return 0

diff_setup
EXAMPLES_DIR=${EXAMPLES_DIR:-build/examples}
PROGRAMS_DIR=${PROGRAMS_DIR:-build/programs}

# Input for filter.c: mixed case, tabs, blank lines, long lines, no final
# newline.
{
	for i in $(seq 1 200); do
		printf 'Line %d:\tThe quick brown fox jumps over the lazy dog.\n' "$i"
		[ $((i % 17)) -eq 0 ] && printf '\n  \n'
		[ $((i % 50)) -eq 0 ] && printf '%0500d\n' "$i"
	done
	printf 'no newline at the end'
} >"$WORK/filter.in"

export GREETING="hello from examples.sh"

found=0
for libc in glibc musl; do
	for bin in "$EXAMPLES_DIR"/*."$libc"; do
		[ -e "$bin" ] || continue
		found=$((found + 1))
		name=$(basename "$bin")
		case ${name%.*} in
		hello)    diff_case "$name" 3 /dev/null none "$bin" world "two words" 3 ;;
		files)    diff_case "$name" 0 /dev/null tmp "$bin" @TMP@ ;;
		filter)   diff_case "$name" 0 "$WORK/filter.in" none "$bin" ;;
		timerand) diff_case "$name" 0 /dev/null digits "$bin" ;;
		crash)    diff_case "$name" 139 /dev/null none "$bin" ;;
		buggy)    diff_case "$name" 139 /dev/null none "$bin" ;;
		abort)    diff_case "$name" 134 /dev/null none "$bin" ;;
		*)        diff_case "$name" 0 /dev/null none "$bin" ;;
		esac
	done
	# Test programs take no arguments and no input; what they must do is
	# theirs to check, so any exit status is fine as long as both agree.
	for bin in "$PROGRAMS_DIR"/*."$libc"; do
		[ -e "$bin" ] || continue
		diff_case "$(basename "$bin")" - /dev/null none "$bin"
	done
done
if [ "$found" -eq 0 ]; then
	echo "FAIL examples: nothing in $EXAMPLES_DIR (run make examples)"
	FAILED=$((FAILED + 1))
fi
diff_summary
