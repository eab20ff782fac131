#!/usr/bin/env bash
# gdb.sh - the real gdb, in batch mode, against recorded programs.
#
# The programs are recorded once at the start (examples built -O0 -g as
# NAME.debug, and tests/programs/timetravel at -O1); then each case runs
# `rewind debug TRACE -- -batch ...` (or gdb against `rewind gdbserver`)
# and checks what gdb itself prints: the function and source line of every
# stop, "Old value"/"New value" lines, signal names, register dumps,
# memory, exit codes.  Nothing is hard-coded that an edit could silently
# invalidate: source lines are found with grep in the sources, addresses
# and icounts are read from one run and used in the next, and what a
# reverse run shows is compared with what a forward run showed.  The
# expected stops of the stepping walks are the ones stock gdb gives on the
# same executables natively (`record full` for the reverse commands).
#
# Environment: REWIND, EXAMPLES_DIR, PROGRAMS_DIR (from the runner), CASES
# (a regex: run only the cases whose name matches), GDB_TIMEOUT (seconds
# per gdb run, default 120).

set -u
: "${CASES:=}"
: "${GDB_TIMEOUT:=120}"
export LC_ALL=C
unset DEBUGINFOD_URLS		# never ask the network for debug info
ulimit -c 0
SRC=$(cd "$(dirname "$0")/../.." && pwd)
EX=$(cd "${EXAMPLES_DIR:-build/examples}" && pwd)
PR=$(cd "${PROGRAMS_DIR:-build/programs}" && pwd)
W=$(mktemp -d)
SERVERS=()
cleanup() {
	local p
	for p in "${SERVERS[@]}"; do kill "$p" 2>/dev/null; done
	rm -rf "$W"
}
trap cleanup EXIT
TAB=$'\t'
pass=0
failn=0

# Cases that fail because of a known bug outside src/gdbstub.  They are
# not skipped: they print FAIL (and count), with the bug in brackets.
# (Empty now; the signal-handler cases were such bugs until the session
# learned that a handler's first instruction shares the icount of the
# signal stop.)
declare -A KNOWN_FAIL=(
)

want() { [ -z "$CASES" ] || [[ $1 =~ $CASES ]]; }
ok() {
	if [ -n "${KNOWN_FAIL[$1]:-}" ]; then
		echo "ok   $1 (listed in KNOWN_FAIL: remove it from there)"
	else
		echo "ok   $1"
	fi
	pass=$((pass + 1))
}
fail() {
	local k=${KNOWN_FAIL[$1]:-}
	echo "FAIL $1: $2${k:+ [known bug: $k]}"
	failn=$((failn + 1))
}
# indent FILE [N]: the first N (default 12) lines of FILE under a FAIL line
indent() { head -n "${2:-12}" "$1" | sed 's/^/      /'; }
# sanitizer_report FILE: did an ASan/UBSan build of rewind complain in FILE?
sanitizer_report() { grep -qE '^==[0-9]+==ERROR: |^SUMMARY: [A-Za-z]+Sanitizer|: runtime error: ' "$1"; }

if [ -z "${REWIND:-}" ] || [ ! -x "$REWIND" ]; then
	echo "FAIL gdb.sh: REWIND is not set to an executable (got '${REWIND:-}')"
	exit 1
fi
if ! command -v gdb >/dev/null; then
	echo "FAIL gdb.sh: gdb is not installed (apt-get install gdb)"
	exit 1
fi

# ---------------------------------------------------------------- sources

# L VAR FILE TEXT [OFFSET WANT]: VAR = the number of the one line of FILE
# (relative to the checkout) that contains TEXT, plus OFFSET; WANT, when
# given, is what that line must hold (blanks ignored).
setup_errors=()
L() {
	local var=$1 f=$SRC/$2 text=$3 off=${4:-0} expect=${5:-} n
	n=$(grep -nF -- "$text" "$f" 2>/dev/null | cut -d: -f1)
	if ! [[ $n =~ ^[0-9]+$ ]]; then
		setup_errors+=("$2: '$text' is on $(grep -cF -- "$text" "$f" 2>/dev/null || echo 0) lines, want 1")
		n=0
	else
		n=$((n + off))
		if [ -n "$expect" ] && [ "$(sed -n "${n}p" "$f" | tr -d ' \t')" != "$expect" ]; then
			setup_errors+=("$2:$n is '$(sed -n "${n}p" "$f")', want '$expect'")
		fi
	fi
	printf -v "$var" %s "$n"
}

# examples/buggy.c
L B_clear_open examples/buggy.c 'clear_counts(long *count, int n)' 1 '{'
L B_clear_for examples/buggy.c 'for (int i = 0; i <= n; i++)'
L B_clear_write examples/buggy.c 'count[i] = 0;'
L B_clear_end examples/buggy.c 'count[i] = 0;' 1 '}'
L B_cs_open examples/buggy.c 'static void count_scores(' 1 '{'
L B_cs_for examples/buggy.c 'for (int i = 0; i < n; i++) {'
L B_cs_b examples/buggy.c 'int b = s[i] / 10;'
L B_cs_count examples/buggy.c 'st->count[b < NBUCKETS'
L B_cs_sum examples/buggy.c 'st->sum += s[i];'
L B_cs_end examples/buggy.c 'st->sum += s[i];' 2 '}'
L B_report_for examples/buggy.c 'for (int b = 0; b < NBUCKETS; b++)'
L B_crash examples/buggy.c '*st->total += st->sum;'
L B_init examples/buggy.c 'struct stats st = {'
L B_n examples/buggy.c 'int n = (int)(sizeof(scores)'
L B_printf examples/buggy.c 'printf("%d scores\n", n);'
L B_clear_call examples/buggy.c 'clear_counts(st.count, NBUCKETS);'
L B_count_call examples/buggy.c 'count_scores(&st, scores, n);'
L B_report_call examples/buggy.c 'report(&st);'
# examples/compute.c
L C_gcd_while examples/compute.c 'while (b) {'
L C_gcd_t examples/compute.c 'uint64_t t = a % b;'
L C_gcd_a examples/compute.c 'a = b;'
L C_gcd_b examples/compute.c 'b = t;'
L C_sieve_call examples/compute.c 'unsigned count = sieve_count(&sum);'
L C_sieve_print examples/compute.c 'printf("primes below'
L C_gcd_call examples/compute.c 'g += gcd(rng_next()'
L C_fnv_print examples/compute.c 'printf("fnv1a(64 KiB)'
# examples/hello.c, abort.c, crash.c, float.c, strings.c
L H_getenv examples/hello.c 'const char *greeting = getenv("GREETING");'
L H_return examples/hello.c 'return (int)(code & 0xff);'
L A_assert examples/abort.c 'assert(b >= 0'
L K_wild examples/crash.c 'struct record *wild ='
L K_write examples/crash.c 'wild->id = 42;'
L F_loop examples/float.c 's += (k & 1 ? -4.0 : 4.0)'
L S_grown examples/strings.c 'mix(strlen(grown));'
# tests/programs/timetravel.c
L T_bump tests/programs/timetravel.c 'counter += by;'
L T_bump_end tests/programs/timetravel.c 'counter += by;' 1 '}'
L T_handler tests/programs/timetravel.c 'got_signal = sig;'
T_bumps=$(sed -n 's/^#define BUMPS \([0-9][0-9]*\)$/\1/p' "$SRC/tests/programs/timetravel.c")
[[ $T_bumps =~ ^[0-9]+$ ]] || setup_errors+=("tests/programs/timetravel.c: no '#define BUMPS N'")

if [ ${#setup_errors[@]} -gt 0 ]; then
	echo "FAIL gdb.sh setup: the sources changed under the tests"
	printf '      %s\n' "${setup_errors[@]}"
	exit 1
fi

# ---------------------------------------------------------------- recordings

# rec NAME STATUS BIN ARGS...: record BIN into $W/NAME.rwd; the recording
# must exit with STATUS.
rec() {
	local name=$1 status=$2 bin=$3
	shift 3
	if [ ! -x "$bin" ]; then
		fail "record $name" "$bin is missing (make examples programs)"
		return
	fi
	(cd "$W" && timeout -k 5 "$GDB_TIMEOUT" "$REWIND" record -o "$W/$name.rwd" -- \
		"$bin" "$@" </dev/null >"$W/$name.rec.out" 2>"$W/$name.rec.err")
	local st=$?
	if [ "$st" != "$status" ]; then
		fail "record $name" "exit status $st, want $status: $(head -c 300 "$W/$name.rec.err")"
	elif sanitizer_report "$W/$name.rec.err"; then
		fail "record $name" "a sanitizer report: $(grep -m1 -E 'ERROR|runtime error' "$W/$name.rec.err")"
	fi
}

HELLO_STATUS=42
rec buggy 139 "$EX/buggy.debug"
rec compute 0 "$EX/compute.debug"
rec hello "$HELLO_STATUS" "$EX/hello.debug" one "two words" "$HELLO_STATUS"
rec abort 134 "$EX/abort.debug"
rec crash 139 "$EX/crash.debug"
rec float 0 "$EX/float.debug"
rec strings 0 "$EX/strings.debug"
rec timetravel 0 "$PR/timetravel.glibc"
rec faults 0 "$PR/signals_faults.musl"

# ---------------------------------------------------------------- helpers

# dbg OUT TRACE GDB-ARGS...: `rewind debug -q TRACE -- -batch -nx
# GDB-ARGS`; stdout and stderr (monitor output is gdb's stderr) in OUT,
# the exit status in $st (124: timed out; 99: a sanitizer report).
dbg() {
	local out=$1 trace=$2
	shift 2
	# (DBG_OPTS: more options of rewind debug, word-split)
	# shellcheck disable=SC2086
	timeout -k 5 "$GDB_TIMEOUT" "$REWIND" debug -q ${DBG_OPTS:-} "$trace" -- -batch -nx "$@" \
		</dev/null >"$out" 2>&1
	st=$?
	sanitizer_report "$out" && st=99
}

# seg FILE TAG: the output between the marker line "@@TAG" and the next
# marker (scripts print markers with `echo \n@@TAG\n`).
seg() { awk -v t="@@$2" '$0 == t { on = 1; next } /^@@/ { on = 0 } on' "$1"; }

# hexnum TEXT: the last hexadecimal or decimal number in TEXT, as decimal
# (for comparing values gdb printed in different forms).
hexnum() {
	local v
	v=$(printf '%s\n' "$1" | grep -oE '0x[0-9a-f]+|-?[0-9]+' | tail -n 1)
	[ -n "$v" ] && printf '%d\n' "$v"
}

trim() { sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' <<<"$1"; }

# frame_re FUNC LINE: what gdb's `frame` prints first for a stop in FUNC at
# LINE ("-": a function without line information).
frame_re() {
	if [ "$2" = - ]; then
		echo "^#0 +(0x[0-9a-f]+ in )?$1 \\(.*\\)\$"
	else
		echo "^#0 +(0x[0-9a-f]+ in )?$1 \\(.*\\) at [^ ]+:$2\$"
	fi
}

# walk NAME TRACE: run the gdb commands on stdin in one `rewind debug`
# session and check every one.  A line is
#     COMMAND [=> FUNC LINE] [| CHECK]...
# "=> FUNC LINE": after COMMAND, `frame` must show FUNC at LINE ("-": no
# line information), and COMMAND's own output must show LINE as the line
# it stopped at.  Each CHECK is about COMMAND's output: TEXT must appear,
# !TEXT must not, ~REGEX must match a line.
nwalk=0
walk() {
	local name=$1 trace=$2
	if ! want "$name"; then cat >/dev/null; return 0; fi
	local d=$W/walk$((nwalk += 1)) l k n=0
	local -a cmds=() frames=() checks=()
	while IFS= read -r l; do
		[[ $l =~ ^[[:space:]]*(#|$) ]] && continue
		local cmd=${l%% | *} chk=
		[[ $l == *' | '* ]] && chk=${l#* | }
		local fr=
		if [[ $cmd == *' => '* ]]; then
			fr=${cmd#* => }
			cmd=${cmd%% => *}
		fi
		cmds[n]=$(trim "$cmd") frames[n]=$(trim "$fr") checks[n]=$(trim "$chk")
		n=$((n + 1))
	done
	{
		for ((k = 0; k < n; k++)); do
			printf 'echo \\n@@%d\\n\n%s\n' "$k" "${cmds[k]}"
			[ -n "${frames[k]}" ] && printf 'echo \\n@@F%d\\n\nframe\n' "$k"
		done
		printf 'echo \\n@@END\\n\n'
	} >"$d.gdb"
	dbg "$d.out" "$trace" -x "$d.gdb"
	local why=
	for ((k = 0; k < n; k++)); do
		[ -n "$why" ] && break
		local c=${cmds[k]}
		if ! grep -qx "@@$k" "$d.out"; then
			why="step $((k + 1)) '$c' never ran (gdb stopped the script)"
			tail -n 4 "$d.out" >"$d.cmd"
			break
		fi
		seg "$d.out" "$k" >"$d.cmd"
		if [ -n "${frames[k]}" ]; then
			local func=${frames[k]% *} line=${frames[k]##* } f0
			f0=$(seg "$d.out" "F$k" | grep -m1 '^#0 ' || true)
			if ! [[ $f0 =~ $(frame_re "$func" "$line") ]]; then
				why="step $((k + 1)) '$c' stopped at '${f0:-$(seg "$d.out" "F$k" | head -n 1)}', want $func:$line"
			elif [ "$line" != - ] && ! grep -qE "(^|$TAB)$line$TAB" "$d.cmd"; then
				why="step $((k + 1)) '$c' did not show line $line as the stop"
			fi
		fi
		local rest=${checks[k]} one
		while [ -z "$why" ] && [ -n "$rest" ]; do
			one=$(trim "${rest%% | *}")
			[[ $rest == *' | '* ]] && rest=${rest#* | } || rest=
			case $one in
			'!'*) grep -qF -- "${one#!}" "$d.cmd" &&
				why="step $((k + 1)) '$c' printed '${one#!}'" ;;
			'~'*) grep -qE -- "${one#\~}" "$d.cmd" ||
				why="step $((k + 1)) '$c': no line matches /${one#\~}/" ;;
			*) grep -qF -- "$one" "$d.cmd" ||
				why="step $((k + 1)) '$c' did not print '$one'" ;;
			esac
		done
	done
	if [ -z "$why" ] && [ "$st" != 0 ]; then
		why="rewind debug exited with status $st$([ "$st" = 124 ] && echo ' (timed out)')"
	elif [ -z "$why" ] && ! grep -qx '@@END' "$d.out"; then
		why="the script did not run to its end"
	fi
	if [ -z "$why" ]; then
		ok "$name"
	else
		fail "$name" "$why"
		[ -s "$d.cmd" ] && indent "$d.cmd" 8
	fi
}

# ---------------------------------------------------------------- 1. forwards

walk "forward: break, continue, next, step, bt, finish, until, advance, tbreak" "$W/buggy.rwd" <<EOF
break main                         | Breakpoint 1 at
continue      => main $B_init      | Breakpoint 1, main ()
next          => main $B_n
next          => main $B_printf
next          => main $B_clear_call
step          => clear_counts $B_clear_for
bt                                 | ~^#1 +0x[0-9a-f]+ in main \(\) at [^ ]+buggy\.c:$B_clear_call\$
finish        => main $B_count_call
step          => count_scores $B_cs_for
next          => count_scores $B_cs_b
next          => count_scores $B_cs_count
next          => count_scores $B_cs_sum
next          => count_scores $B_cs_for
until $B_cs_end => count_scores $B_cs_end
next          => main $B_report_call
tbreak report                      | Temporary breakpoint 2 at
continue      => report $B_report_for | Temporary breakpoint 2, report (
info breakpoints                   | !Temporary breakpoint
advance $B_crash => report $B_crash | !Program received signal
EOF

# stepi/nexti over the call of clear_counts in main: its address comes
# from gdb's own disassembly of the executable.
CALL=$(gdb -q -batch -nx -ex 'disassemble main' "$EX/buggy.debug" 2>/dev/null |
	awk '/call .*<clear_counts>/ { print $1; exit }')
walk "forward and back: stepi, nexti, reverse-stepi, reverse-nexti over a call" "$W/buggy.rwd" <<EOF
advance *${CALL:-0}   => main $B_clear_call
set \$call = \$pc
nexti                 => main $B_count_call
print \$pc == \$call + 5                     | = 1
reverse-nexti         => main $B_clear_call
print \$pc == \$call                         | = 1
stepi                 => clear_counts $B_clear_open
print \$pc == (char *) clear_counts          | = 1
bt                                           | ~^#1 +0x[0-9a-f]+ in main \(\) at [^ ]+:$B_clear_call\$
reverse-stepi         => main $B_clear_call
print \$pc == \$call                         | = 1
nexti                 => main $B_count_call
reverse-stepi         => clear_counts $B_clear_end
x/i \$pc                                     | ~=> 0x[0-9a-f]+ <clear_counts\+[0-9]+>:${TAB}ret
EOF

# finish from gcd's 3rd call returns gcd(a, b) of that call's arguments,
# to the caller's line; reverse-finish goes back to that line.
case_finish_value() {
	local name="finish: the value returned by gcd (compute.debug), reverse-finish to the call"
	want "$name" || return 0
	local d=$W/fin why=
	dbg "$d.out" "$W/compute.rwd" -ex 'break gcd' -ex 'ignore 1 2' -ex continue \
		-ex 'echo @@A\n' -ex 'output a' -ex 'echo \n' -ex 'output b' -ex 'echo \n@@B\n' \
		-ex 'next' -ex 'echo @@C\n' -ex finish -ex 'echo @@D\n' -ex frame \
		-ex 'echo @@E\n' -ex 'reverse-finish' -ex 'echo @@F\n' -ex frame -ex 'echo @@END\n'
	local a b x y t
	read -r a b < <(seg "$d.out" A | grep . | tr '\n' ' ')
	if ! [[ $a =~ ^[0-9]+$ && $b =~ ^[0-9]+$ ]]; then
		fail "$name" "no arguments at gcd's 3rd call: $(seg "$d.out" A | tr '\n' ' ')"
		return
	fi
	x=$a y=$b
	while [ "$y" != 0 ]; do t=$((x % y)); x=$y; y=$t; done
	if ! seg "$d.out" C | grep -qE '^Value returned is \$[0-9]+ = '"$x\$"; then
		why="finish did not return gcd($a, $b) = $x: $(seg "$d.out" C | tr '\n' ' ')"
	elif ! [[ $(seg "$d.out" D | grep -m1 '^#0 ') =~ $(frame_re main "$C_gcd_call") ]]; then
		why="finish did not return to main line $C_gcd_call: $(seg "$d.out" D | head -n 1)"
	elif ! [[ $(seg "$d.out" F | grep -m1 '^#0 ') =~ $(frame_re main "$C_gcd_call") ]]; then
		why="reverse-finish did not go back to main line $C_gcd_call: $(seg "$d.out" F | head -n 1)"
	elif [ "$st" != 0 ]; then
		why="rewind debug exited with status $st"
	fi
	[ -z "$why" ] && ok "$name" || fail "$name" "$why"
}
case_finish_value

# ---------------------------------------------------------------- 2. backwards

walk "reverse: finish, next, step into the end of a function, continue to a breakpoint" "$W/buggy.rwd" <<EOF
continue        => report $B_crash   | Program received signal SIGSEGV, Segmentation fault.
bt                                   | ~^#1 +0x[0-9a-f]+ in main \(\) at [^ ]+:$B_report_call\$
reverse-finish  => main $B_report_call | !Program received signal
reverse-next    => main $B_report_call
reverse-step    => count_scores $B_cs_end
bt                                   | ~^#1 +0x[0-9a-f]+ in main \(\) at [^ ]+:$B_count_call\$
reverse-next    => count_scores $B_cs_for
reverse-next    => count_scores $B_cs_sum
reverse-finish  => main $B_count_call
reverse-step    => main $B_count_call
reverse-step    => clear_counts $B_clear_end
bt                                   | ~^#1 +0x[0-9a-f]+ in main \(\) at [^ ]+:$B_clear_call\$
reverse-next    => clear_counts $B_clear_for
reverse-next    => clear_counts $B_clear_write
reverse-finish  => main $B_clear_call
reverse-next    => main $B_clear_call
reverse-next    => main $B_printf
break count_scores
continue        => count_scores $B_cs_for | Breakpoint 1, count_scores (
reverse-stepi   => count_scores $B_cs_open
reverse-continue => _start -          | No more reverse-execution history.
reverse-stepi   => _start -          | No more reverse-execution history.
continue        => count_scores $B_cs_for | Breakpoint 1, count_scores (
tbreak clear_counts
reverse-continue => clear_counts $B_clear_for | Temporary breakpoint 2, clear_counts (
bt                                   | ~^#1 +0x[0-9a-f]+ in main \(\) at [^ ]+:$B_clear_call\$
info breakpoints                     | !Temporary breakpoint
EOF

walk "hbreak: a hardware breakpoint forwards and backwards" "$W/buggy.rwd" <<EOF
hbreak clear_counts                  | Hardware assisted breakpoint 1 at
continue         => clear_counts $B_clear_for | Breakpoint 1, clear_counts (
continue         => report $B_crash  | Program received signal SIGSEGV
reverse-continue => clear_counts $B_clear_for | Breakpoint 1, clear_counts (
delete
reverse-continue => _start -         | No more reverse-execution history.
EOF

# ---------------------------------------------------------------- 3/4. registers

# The 5th hit of a breakpoint in series_pi's loop reached forwards, then
# (after the 9th) backwards: every register, fs_base and xmm included,
# must be the same both times, and differ at the 9th.
case_registers() {
	local name="info registers: the same moment reached forwards and backwards"
	want "$name" || return 0
	local d=$W/regs dump='info all-registers
info registers fs_base gs_base orig_rax
output k
echo \n
monitor when'
	cat >"$d.gdb" <<EOF
break $F_loop
ignore 1 4
continue
echo \n@@A\n
$dump
echo \n@@B\n
ignore 1 3
continue
echo \n@@C\n
$dump
echo \n@@D\n
ignore 1 3
reverse-continue
echo \n@@E\n
$dump
echo \n@@END\n
EOF
	dbg "$d.out" "$W/float.rwd" -x "$d.gdb"
	seg "$d.out" A >"$d.a"
	seg "$d.out" C >"$d.c"
	seg "$d.out" E >"$d.e"
	local xmm0 fsb k5 k9
	xmm0=$(grep '^xmm0 ' "$d.a" | grep -o 'uint128 = 0x[0-9a-f]*' | cut -d' ' -f3)
	fsb=$(awk '$1 == "fs_base" { print $2 }' "$d.a")
	k5=$(grep -x '[0-9][0-9]*' "$d.a")
	k9=$(grep -x '[0-9][0-9]*' "$d.c")
	if [ "$st" != 0 ] || ! grep -qx '@@END' "$d.out"; then
		fail "$name" "gdb status $st"; indent "$d.out"
	elif ! grep -q '^rip ' "$d.a" || ! grep -q '^st0 ' "$d.a" || [ -z "$fsb" ] || [ -z "$xmm0" ]; then
		fail "$name" "the dump lacks rip, st0, fs_base or xmm0"; indent "$d.a"
	elif [ "$k5" != 4 ] || [ "$k9" != 8 ]; then
		fail "$name" "k is '$k5' at the 5th hit and '$k9' at the 9th, want 4 and 8"
	elif [ "$fsb" = 0x0 ] || [ "$xmm0" = 0x0 ]; then
		fail "$name" "fs_base $fsb and xmm0 $xmm0 should not be zero there (TLS is set up, xmm0 holds s)"
	elif cmp -s "$d.a" "$d.c"; then
		fail "$name" "the 5th and 9th hits show the same registers: the comparison proves nothing"
	elif ! cmp -s "$d.a" "$d.e"; then
		fail "$name" "forwards and backwards differ:"
		diff "$d.a" "$d.e" | head -n 12 | sed 's/^/      /'
	else
		ok "$name"
	fi
}
case_registers

# ---------------------------------------------------------------- 5. memory

# The live text is the executable's.
case_memory_text() {
	local name="x/ on text: live bytes equal the executable's"
	want "$name" || return 0
	local d=$W/text
	gdb -q -batch -nx -ex 'x/32xb main' -ex 'x/32xb clear_counts' "$EX/buggy.debug" >"$d.file" 2>&1
	dbg "$d.out" "$W/buggy.rwd" -ex 'break main' -ex continue -ex 'echo @@X\n' \
		-ex 'x/32xb main' -ex 'x/32xb clear_counts' -ex 'echo @@END\n'
	seg "$d.out" X >"$d.live"
	if [ "$st" != 0 ]; then
		fail "$name" "rewind debug exited with status $st"; indent "$d.out"
	elif [ "$(grep -c '^0x' "$d.file")" != 8 ]; then
		fail "$name" "gdb could not read the executable's text"; indent "$d.file"
	elif ! cmp -s "$d.file" "$d.live"; then
		fail "$name" "live text differs from the file"; diff "$d.file" "$d.live" | indent /dev/stdin
	else
		ok "$name"
	fi
}
case_memory_text

# The stack: after main's initializer, st.count is ten zeros and st.total
# points to grand_total; hello's argv strings are the recorded ones.
case_memory_stack() {
	local name="x/ on the stack: a struct, a pointer, argv strings"
	want "$name" || return 0
	local d=$W/stack
	dbg "$d.out" "$W/buggy.rwd" -ex "break $B_n" -ex continue -ex 'echo @@X\n' \
		-ex 'x/10gx st.count' -ex 'echo @@Y\n' -ex 'x/a &st.total' \
		-ex 'output/x &grand_total' -ex 'echo \n@@END\n'
	local st1=$st gt
	dbg "$d.out2" "$W/hello.rwd" -ex 'break main' -ex continue -ex 'echo @@X\n' \
		-ex 'x/s argv[1]' -ex 'x/s argv[2]' -ex 'x/s argv[3]' -ex 'echo @@END\n'
	local rows zeros
	gt=$(seg "$d.out" Y | grep -x '0x[0-9a-f]*')
	rows=$(seg "$d.out" X | grep -c '^0x')
	zeros=$(seg "$d.out" X | grep -cE ":${TAB}0x0{16}${TAB}0x0{16}\$")
	if [ "$st1" != 0 ] || [ "$st" != 0 ]; then
		fail "$name" "rewind debug exited with status $st1, $st"
	elif [ "$rows" != 5 ] || [ "$zeros" != 5 ]; then
		fail "$name" "$zeros of $rows rows of st.count are zero, want 5 of 5"; indent "$d.out"
	elif [ -z "$gt" ] || ! seg "$d.out" Y | grep -qE "^0x[0-9a-f]+:$TAB$gt <grand_total(\.[0-9]+)?>\$"; then
		fail "$name" "x/a &st.total does not show &grand_total ($gt)"; seg "$d.out" Y | indent /dev/stdin
	elif [ "$(seg "$d.out2" X | sed -n 's/^0x[0-9a-f]*:\t//p' | tr '\n' '|')" != "\"one\"|\"two words\"|\"$HELLO_STATUS\"|" ]; then
		fail "$name" "argv strings on the stack are not the recorded ones"; indent "$d.out2"
	else
		ok "$name"
	fi
}
case_memory_stack

# bss: sieve_count's static composite[] is zero before the sieve, holds the
# composites of 0..31 after it, and is zero again after reverse-next.
case_memory_bss() {
	local name="x/ on bss: written forwards, restored backwards"
	want "$name" || return 0
	local d=$W/bss i j c pattern=
	for ((i = 0; i < 32; i++)); do
		c=0
		for ((j = 2; j * j <= i; j++)); do ((i % j == 0)) && c=1; done
		pattern+="$c "
	done
	dbg "$d.out" "$W/compute.rwd" -ex "break $C_sieve_call" -ex continue \
		-ex 'echo @@A\n' -ex 'x/32db &sieve_count::composite' -ex 'echo @@B\n' -ex next \
		-ex 'echo @@C\n' -ex 'x/32db &sieve_count::composite' -ex 'echo @@D\n' -ex reverse-next \
		-ex 'echo @@E\n' -ex 'x/32db &sieve_count::composite' -ex 'echo @@END\n'
	local a c e zero
	a=$(seg "$d.out" A | sed -n 's/^0x[^:]*:\t//p' | tr '\t\n' '  ')
	c=$(seg "$d.out" C | sed -n 's/^0x[^:]*:\t//p' | tr '\t\n' '  ')
	e=$(seg "$d.out" E | sed -n 's/^0x[^:]*:\t//p' | tr '\t\n' '  ')
	zero=$(printf '0 %.0s' $(seq 32))
	if [ "$st" != 0 ]; then
		fail "$name" "rewind debug exited with status $st"
	elif [ "$a" != "$zero" ]; then
		fail "$name" "composite[0..31] before the sieve: '$a'"
	elif [ "$c" != "$pattern" ]; then
		fail "$name" "composite[0..31] after the sieve: '$c', want '$pattern'"
	elif ! seg "$d.out" D | grep -qE "(^|$TAB)$C_sieve_call$TAB" || [ "$e" != "$zero" ]; then
		fail "$name" "after reverse-next: '$e'"; seg "$d.out" D | indent /dev/stdin
	else
		ok "$name"
	fi
}
case_memory_bss

# A large read: compute.c's 64 KiB data[] (bss), dumped through gdb, has
# the FNV-1a and CRC-32 the program printed when it was recorded.
case_memory_dump() {
	local name="dump 64 KiB of bss: the checksums the program printed"
	want "$name" || return 0
	local d=$W/dump want got
	dbg "$d.out" "$W/compute.rwd" -ex "break $C_fnv_print" -ex continue \
		-ex "dump binary memory $d.bin &data (char *) &data + sizeof(data)"
	want=$(sed -n 's/^fnv1a(64 KiB) = \([0-9a-f]*\)$/\1/p; s/^crc32(64 KiB) = \([0-9a-f]*\)$/\1/p' \
		"$W/compute.rec.out" | tr '\n' ' ')
	got=$(python3 -c '
import sys, zlib
b = open(sys.argv[1], "rb").read()
h = 0xcbf29ce484222325
for c in b:
    h = ((h ^ c) * 0x100000001b3) & (2**64 - 1)
print("%016x %08x %d" % (h, zlib.crc32(b), len(b)))' "$d.bin" 2>&1)
	if [ "$st" != 0 ] || [ "$got" != "${want}65536" ]; then
		fail "$name" "status $st, dumped '$got', the program printed '$want'"
		indent "$d.out" 6
	else
		ok "$name"
	fi
}
case_memory_dump

# heap: strings.c builds "0,1,2,...,299," with realloc
case_memory_heap() {
	local name="x/s on heap memory"
	want "$name" || return 0
	local d=$W/heap expect
	expect=$(seq -s, 0 299),
	dbg "$d.out" "$W/strings.rwd" -ex 'set print elements 0' -ex "break $S_grown" \
		-ex continue -ex 'echo @@X\n' -ex 'x/s grown' -ex 'echo @@END\n'
	if [ "$st" != 0 ]; then
		fail "$name" "rewind debug exited with status $st"
	elif ! seg "$d.out" X | grep -qF ":$TAB\"$expect\""; then
		fail "$name" "x/s grown does not show '${expect:0:20}...'"; seg "$d.out" X | cut -c1-100 | indent /dev/stdin
	else
		ok "$name"
	fi
}
case_memory_heap

# ---------------------------------------------------------------- 6. watchpoints

# From the crash, watch -l st->total and walk back through every write to
# it to the start of the history; then, in a second session, watch the
# same address from the start and go forwards through the same writes.
case_watch_back() {
	local name="watch -l st->total: back to the bad write, to the start, and forwards again"
	want "$name" || return 0
	local d=$W/watch k n=24
	{
		echo 'continue'
		echo 'set $a = &st->total'
		echo 'watch -l st->total'
		for ((k = 0; k < n; k++)); do printf 'echo \\n@@R%d\\n\nreverse-continue\nframe\n' "$k"; done
		printf 'echo \\n@@S\\n\nmonitor when\noutput/x *$a\necho \\n\noutput/x $a\necho \\n@@END\\n\n'
	} >"$d.gdb"
	dbg "$d.out" "$W/buggy.rwd" -x "$d.gdb"
	local -a ro=() rn=() rf=() fo=() fn=()
	local why= nr=0 s
	for ((k = 0; k < n; k++)); do
		s=$(seg "$d.out" "R$k")
		if grep -q 'No more reverse-execution history.' <<<"$s"; then break; fi
		ro[nr]=$(hexnum "$(grep '^Old value = ' <<<"$s")")
		rn[nr]=$(hexnum "$(grep '^New value = ' <<<"$s")")
		rf[nr]=$(grep -m1 '^#0 ' <<<"$s")
		if [ -z "${ro[nr]}" ] || [ -z "${rn[nr]}" ]; then
			why="reverse-continue $((k + 1)) is no watchpoint stop"; break
		fi
		nr=$((nr + 1))
	done
	local first
	first=$(seg "$d.out" R0)
	if [ -z "$why" ] && { ! [[ ${rf[0]:-} =~ $(frame_re clear_counts "$B_clear_write") ]] ||
	     ! grep -qx 'Old value = (long \*) 0x0' <<<"$first" ||
	     ! grep -qE '^New value = \(long \*\) 0x[0-9a-f]+ <grand_total>$' <<<"$first"; }; then
		why="the first reverse-continue did not stop in clear_counts at line $B_clear_write with Old value 0x0, New value <grand_total>"
	fi
	if [ -z "$why" ] && [ $k = $n ]; then
		why="no 'No more reverse-execution history.' after $n reverse-continues"
	fi
	if [ -z "$why" ]; then
		# the struct initializer in main wrote &grand_total
		for ((k = 1; k < nr; k++)); do
			[[ ${rf[k]} =~ $(frame_re main "$B_init") ]] && break
		done
		[ $k = $nr ] && why="no write to st->total at main line $B_init on the way back"
	fi
	if [ -z "$why" ]; then
		for ((k = 0; k + 1 < nr; k++)); do
			[ "${rn[k]}" = "${ro[k + 1]}" ] || why="stop $((k + 1)) left value ${rn[k]}, stop $((k + 2)) says it was ${ro[k + 1]}"
		done
	fi
	s=$(seg "$d.out" S)
	local addr
	addr=$(grep -x '0x[0-9a-f]*' <<<"$s" | tail -n 1)
	if [ -z "$why" ] && { ! grep -q '^icount 0, ' <<<"$s" || [ -z "$addr" ] ||
	     [ "$(hexnum "$(grep -x '0x[0-9a-f]*' <<<"$s" | head -n 1)")" != "${rn[nr - 1]}" ]; }; then
		why="at the start: not at icount 0, or *\$a is not the last stop's New value: $(tr '\n' ' ' <<<"$s")"
	fi
	[ -z "$why" ] && [ "$st" != 0 ] && why="rewind debug exited with status $st"
	# forwards: the same writes in the opposite order, then the crash
	if [ -z "$why" ]; then
		{
			echo "watch -l *(long **) $addr"
			for ((k = 0; k <= nr; k++)); do printf 'echo \\n@@C%d\\n\ncontinue\nframe\n' "$k"; done
			printf 'echo \\n@@END\\n\n'
		} >"$d.fwd.gdb"
		dbg "$d.fwd" "$W/buggy.rwd" -x "$d.fwd.gdb"
		for ((k = 0; k < nr; k++)); do
			s=$(seg "$d.fwd" "C$k")
			fo[k]=$(hexnum "$(grep '^Old value = ' <<<"$s")")
			fn[k]=$(hexnum "$(grep '^New value = ' <<<"$s")")
			if [ "${fo[k]}" != "${rn[nr - 1 - k]}" ] || [ "${fn[k]}" != "${ro[nr - 1 - k]}" ]; then
				why="forward stop $((k + 1)) is ${fo[k]:-?} -> ${fn[k]:-?}, want ${rn[nr - 1 - k]} -> ${ro[nr - 1 - k]}"
				break
			fi
		done
		s=$(seg "$d.fwd" "C$nr")
		if [ -z "$why" ] && { ! grep -q 'Program received signal SIGSEGV' <<<"$s" ||
		     ! [[ $(grep -m1 '^#0 ' <<<"$s") =~ $(frame_re report "$B_crash") ]]; }; then
			why="forwards, after $nr writes: not the crash in report line $B_crash: $(tr '\n' ' ' <<<"$s" | cut -c1-200)"
		fi
		[ -z "$why" ] && [ "$st" != 0 ] && why="the forward session exited with status $st"
	fi
	if [ -z "$why" ]; then
		ok "$name"
	else
		fail "$name" "$why"
	fi
}
case_watch_back

# A forward watch on a global: bump(k) adds k to counter, BUMPS times.
case_watch_counter() {
	local name="watch on a global counter: every change, forwards"
	want "$name" || return 0
	local d=$W/counter k
	{
		echo 'handle SIGUSR1 nostop noprint'
		echo 'watch counter'
		for ((k = 1; k <= T_bumps + 1; k++)); do printf 'echo \\n@@%d\\n\ncontinue\n' "$k"; done
		printf 'echo \\n@@N\\n\ncontinue\necho \\n@@END\\n\n'
	} >"$d.gdb"
	dbg "$d.out" "$W/timetravel.rwd" -x "$d.gdb"
	local why= s
	for ((k = 1; k <= T_bumps; k++)); do
		s=$(seg "$d.out" "$k")
		if ! grep -qx "Old value = $((k * (k - 1) / 2))" <<<"$s" ||
		   ! grep -qx "New value = $((k * (k + 1) / 2))" <<<"$s" ||
		   ! grep -qE "^0x[0-9a-f]+ in bump \(by=by@entry=$k\) at " <<<"$s"; then
			why="change $k is not $((k * (k - 1) / 2)) -> $((k * (k + 1) / 2)) in bump(by=$k): $(tr '\n' ' ' <<<"$s" | cut -c1-200)"
			break
		fi
	done
	s=$(seg "$d.out" "$k")
	if [ -z "$why" ] && { grep -q 'Old value' <<<"$s" ||
	     ! grep -q 'No more reverse-execution history.' <<<"$s"; }; then
		why="after $T_bumps changes: $(tr '\n' ' ' <<<"$s" | cut -c1-200)"
	fi
	if [ -z "$why" ] && ! seg "$d.out" N | grep -qF '[Inferior 1 (Remote target) exited normally]'; then
		why="the program did not exit normally after the end: $(seg "$d.out" N | tr '\n' ' ')"
	fi
	[ -z "$why" ] && [ "$st" != 0 ] && why="rewind debug exited with status $st"
	[ -z "$why" ] && ok "$name" || fail "$name" "$why"
}
case_watch_counter

walk "rwatch and awatch, forwards and backwards" "$W/timetravel.rwd" <<EOF
rwatch counter                         | Hardware read watchpoint 1: counter
continue         => bump $T_bump       | Value = 0 | ~in bump \(by=by@entry=1\)
continue         => bump $T_bump       | Value = 1 | ~in bump \(by=by@entry=2\)
delete
awatch counter                         | Hardware access (read/write) watchpoint 2: counter
continue         => bump $T_bump_end   | Old value = 1 | New value = 3
continue         => bump $T_bump       | Value = 3 | ~in bump \(by=by@entry=3\)
reverse-continue => bump $T_bump       | Value = 3 | !Old value
reverse-continue => bump $T_bump       | Old value = 3 | New value = 1
reverse-continue => bump $T_bump       | Value = 1 | ~bump \(by=by@entry=2\)
reverse-continue => bump $T_bump       | Old value = 1 | New value = 0
EOF

# The session's memory budget from the command line; the walk back
# through the writes is the same under it.
DBG_OPTS=--memory-budget=1M walk "--memory-budget: the budget monitor snapshots reports" "$W/timetravel.rwd" <<EOF
handle SIGUSR1 nostop noprint
continue                               | No more reverse-execution history.
watch counter
reverse-continue => bump $T_bump       | ~^Old value = [0-9]+$
monitor snapshots                      | ~budget 1\.0 MiB\)
EOF

# ---------------------------------------------------------------- 7. signals

walk "SIGSEGV: the faulting line, reverse-stepi, the fault again, death" "$W/buggy.rwd" <<EOF
continue       => report $B_crash | Program received signal SIGSEGV, Segmentation fault.
x/i \$pc                          | ~^=> 0x[0-9a-f]+ <report\+[0-9]+>:
reverse-stepi  => report $B_crash | !Program received signal
stepi          => report $B_crash | !Program received signal
continue       => report $B_crash | Program received signal SIGSEGV, Segmentation fault.
reverse-continue => _start -      | No more reverse-execution history.
continue       => report $B_crash | Program received signal SIGSEGV, Segmentation fault.
continue                          | Program terminated with signal SIGSEGV, Segmentation fault. | The program no longer exists.
EOF

walk "SIGSEGV in crash.debug: stop at the write, reverse-step, death" "$W/crash.rwd" <<EOF
continue       => main $K_write   | Program received signal SIGSEGV, Segmentation fault.
reverse-step   => main $K_write   | !Program received signal
reverse-step   => main $K_wild
next           => main $K_write   | !Program received signal
continue       => main $K_write   | Program received signal SIGSEGV, Segmentation fault.
continue                          | Program terminated with signal SIGSEGV, Segmentation fault.
EOF

walk "SIGABRT: the assert's frame, reverse-stepi to the syscall, death" "$W/abort.rwd" <<EOF
continue                          | Program received signal SIGABRT, Aborted.
bt                                | ~^#[0-9]+ +0x[0-9a-f]+ in main \(\) at [^ ]+abort\.c:$A_assert\$
reverse-stepi                     | !Program received signal
x/i \$pc                          | ~^=> 0x[0-9a-f]+ <[^>]*>:${TAB}syscall
stepi                             | Program received signal SIGABRT, Aborted.
continue                          | Program terminated with signal SIGABRT, Aborted.
EOF

walk "signal handler reached backwards" "$W/timetravel.rwd" <<EOF
handle SIGUSR1 nostop noprint
continue                          | No more reverse-execution history.
break on_usr1
reverse-continue => on_usr1 $T_handler | Breakpoint 1, on_usr1 (sig=10)
bt                                | <signal handler called>
reverse-stepi                     | !on_usr1
EOF

walk "reverse-continue and reverse-stepi stop at a signal, where continue stopped" "$W/timetravel.rwd" <<EOF
continue                          | Program received signal SIGUSR1, User defined signal 1.
set \$fwd_pc = \$pc
set \$fwd_sp = \$sp
continue                          | No more reverse-execution history.
reverse-continue                  | Program received signal SIGUSR1, User defined signal 1.
print \$pc == \$fwd_pc && \$sp == \$fwd_sp | = 1
stepi            => on_usr1 $T_handler
reverse-stepi                     | Program received signal SIGUSR1, User defined signal 1.
print \$pc == \$fwd_pc && \$sp == \$fwd_sp | = 1
reverse-stepi                     | !Program received signal
x/i \$pc                          | ~^=> 0x[0-9a-f]+ <[^>]*>:${TAB}syscall
stepi                             | Program received signal SIGUSR1, User defined signal 1.
stepi            => on_usr1 $T_handler
reverse-continue                  | Program received signal SIGUSR1, User defined signal 1.
print \$pc == \$fwd_pc           | = 1
reverse-continue                  | No more reverse-execution history.
EOF

# Every kind of signal stop (faults, int3's SIGTRAP, SIGILL, SIGFPE,
# raised ones), continued past: the signal is delivered as recorded (a
# trap has completed, so resuming must not count on it faulting again),
# and going backwards stops at each of them again, newest first.
case_every_signal() {
	local name="every kind of signal stop, forwards to the exit and backwards to the start"
	want "$name" || return 0
	local d=$W/allsig k n why= fwd bwd
	for ((k = 0; k < 40; k++)); do echo continue; done >"$d.1.gdb"
	dbg "$d.1" "$W/faults.rwd" -x "$d.1.gdb"
	fwd=$(awk '/exited normally/ { exit } /^Program received signal/ { print $4 }' "$d.1" | tr -d ',' | tr '\n' ' ')
	# Again, to the end of the history (one stop after the last
	# signal), then backwards.
	n=$(grep -c '^Program received signal' "$d.1")
	{
		for ((k = 0; k <= n; k++)); do echo continue; done
		for ((k = 0; k <= n; k++)); do echo reverse-continue; done
	} >"$d.2.gdb"
	dbg "$d.2" "$W/faults.rwd" -x "$d.2.gdb"
	bwd=$(awk '/No more reverse-execution history/ { on = 1 } on && /^Program received signal/ { print $4 }' "$d.2" | tr -d ',' | tac | tr '\n' ' ')
	if grep -q '^rewind: ' "$d.1" "$d.2"; then
		why="rewind failed: $(grep -h -m1 '^rewind: ' "$d.1" "$d.2")"
	elif ! grep -qF '[Inferior 1 (Remote target) exited normally]' "$d.1"; then
		why="the program did not run to its exit: $(tail -n 3 "$d.1" | tr '\n' ' ')"
	elif ! [[ $fwd == *SIGTRAP* && $fwd == *SIGILL* && $fwd == *SIGFPE* && $fwd == *SIGSEGV* ]]; then
		why="forwards, not every kind of signal stopped: $fwd"
	elif [ "$fwd" != "$bwd" ]; then
		why="backwards the stops differ: forwards $fwd, backwards (reversed) $bwd"
	elif [ "$(grep -c 'No more reverse-execution history' "$d.2")" != 2 ]; then
		why="backwards did not end at the start: $(tail -n 3 "$d.2" | tr '\n' ' ')"
	elif [ "$st" != 0 ]; then
		why="rewind debug exited with status $st"
	fi
	[ -z "$why" ] && ok "$name" || fail "$name" "$why"
}
case_every_signal

# Code decoded while seeking (no stop conditions attached) is reused when
# running with them: a breakpoint inserted before must still be hit.
# (gdb normally removes and re-inserts breakpoints at every stop, which
# redecodes the code; always-inserted keeps them in.)
walk "a breakpoint stays hit after seeks decoded its code" "$W/compute.rwd" <<EOF
set breakpoint always-inserted on
break compute.c:$C_gcd_t
continue         => gcd $C_gcd_t | Breakpoint 1,
continue         => gcd $C_gcd_t | Breakpoint 1,
continue         => gcd $C_gcd_t | Breakpoint 1,
delete
break compute.c:$C_gcd_t
reverse-stepi
continue         => gcd $C_gcd_t | Breakpoint 2,
continue         => gcd $C_gcd_t | Breakpoint 2,
EOF

# Known bugs: what native gdb does at a signal with a handler.
walk "breakpoint on a signal handler's first instruction" "$W/timetravel.rwd" <<EOF
break on_usr1
continue                          | Program received signal SIGUSR1, User defined signal 1.
continue         => on_usr1 $T_handler | Breakpoint 1, on_usr1 (sig=10)
EOF

walk "stepi into a signal handler" "$W/timetravel.rwd" <<EOF
continue                          | Program received signal SIGUSR1, User defined signal 1.
stepi            => on_usr1 $T_handler
print \$pc == (char *) on_usr1    | = 1
EOF

# ---------------------------------------------------------------- 8. the end

walk "the end of the history, reverse from it, and the recorded exit code" "$W/hello.rwd" <<EOF
break $H_return
continue         => main $H_return | Breakpoint 1, main (argc=4,
output code                        | $HELLO_STATUS
delete
continue         => _exit -        | No more reverse-execution history.
x/i \$pc                           | ~^=> 0x[0-9a-f]+ <_exit\+[0-9]+>:${TAB}syscall
reverse-stepi    => _exit -        | !No more
x/i \$pc                           | !syscall
break $H_return
reverse-continue => main $H_return | Breakpoint 2, main (argc=4,
delete
next                               | !exited
continue         => _exit -        | No more reverse-execution history.
continue                           | [Inferior 1 (Remote target) exited with code 0$(printf %o "$HELLO_STATUS")]
EOF

# `monitor when` at the end names the end of the history.
case_end_icount() {
	local name="monitor when at the end: the icount is the end of the history"
	want "$name" || return 0
	local d=$W/endic
	dbg "$d.out" "$W/hello.rwd" -ex continue -ex 'echo @@X\n' -ex 'monitor when' -ex 'echo @@END\n'
	local s
	s=$(seg "$d.out" X)
	if [ "$st" != 0 ] || ! [[ $s =~ ^icount\ ([0-9]+),\ event\ [0-9]+,\ history\ ends\ at\ icount\ ([0-9]+)$ ]] ||
	   [ "${BASH_REMATCH[1]}" != "${BASH_REMATCH[2]}" ] || [ "${BASH_REMATCH[1]}" = 0 ]; then
		fail "$name" "monitor when says: $s"
	else
		ok "$name"
	fi
}
case_end_icount

# ---------------------------------------------------------------- 9. diversions

# gcd's arguments at its 2nd call, as a plain forward run sees them.
case_diversion() {
	local name="print f(x) and set var in a diversion; next and continue follow the recording"
	want "$name" || return 0
	local d=$W/div
	dbg "$d.ref" "$W/compute.rwd" -ex 'break gcd' -ex continue -ex continue \
		-ex 'echo @@X\n' -ex 'output a' -ex 'echo \n' -ex 'output b' -ex 'echo \n@@END\n'
	local st0=$st
	cat >"$d.gdb" <<EOF
tbreak gcd
continue
next
next
echo \n@@A\n
output a
echo \n
output b
echo \n
output rng_state
echo \n@@B\n
print gcd(12, 18)
print gcd(1071, 462)
print rng_next()
echo \n@@C\n
output rng_state
echo \n@@D\n
set var a = 1000
set var rng_state = 7
output a
echo \n
monitor when
echo \n@@E\n
next
echo \n@@F\n
output a
echo \n
output rng_state
echo \n
monitor when
echo \n@@G\n
set var b = 0
reverse-next
echo \n@@H\n
output a
echo \n
output b
echo \n@@I\n
break gcd
continue
echo \n@@J\n
output a
echo \n
output b
echo \n@@END\n
EOF
	dbg "$d.out" "$W/compute.rwd" -x "$d.gdb"
	local a b r why= s
	read -r a b r < <(seg "$d.out" A | grep . | tr '\n' ' ')
	if ! [[ $a =~ ^[0-9]+$ && $b =~ ^[0-9]+$ && $r =~ ^[0-9]+$ ]]; then
		why="no recorded values of a, b, rng_state: $(seg "$d.out" A | tr '\n' ' ')"
	elif ! seg "$d.out" B | grep -q '^\$[0-9]* = 6$' || ! seg "$d.out" B | grep -q '^\$[0-9]* = 21$'; then
		why="gcd(12, 18) and gcd(1071, 462) are not 6 and 21: $(seg "$d.out" B | tr '\n' ' ')"
	elif [ "$(seg "$d.out" C | grep .)" = "$r" ]; then
		why="rng_next() called from gdb did not change rng_state"
	elif ! seg "$d.out" D | grep -qx 1000 || ! seg "$d.out" D | grep -q 'in a diversion'; then
		why="set var a = 1000 did not take, or no diversion: $(seg "$d.out" D | tr '\n' ' ')"
	elif [ "$(seg "$d.out" E | grep -cE "(^|$TAB)$C_gcd_b$TAB")" != 1 ]; then
		why="next after set var did not stop at line $C_gcd_b"
	elif [ "$(seg "$d.out" F | grep -v '^icount' | grep . | tr '\n' ' ')" != "$b $r " ] ||
	     seg "$d.out" F | grep -q 'in a diversion'; then
		why="after next: a, rng_state = $(seg "$d.out" F | tr '\n' ' '), want the recorded $b $r (a = b ran)"
	elif [ "$(seg "$d.out" H | grep . | tr '\n' ' ')" != "$a $b " ]; then
		why="after set var b = 0 and reverse-next: a b = $(seg "$d.out" H | tr '\n' ' '), want the recorded $a $b"
	elif [ "$(seg "$d.out" J | grep . | tr '\n' ' ')" != "$(seg "$d.ref" X | grep . | tr '\n' ' ')" ] ||
	     [ -z "$(seg "$d.ref" X | grep .)" ]; then
		why="at gcd's 2nd call: $(seg "$d.out" J | tr '\n' ' ') after the diversions, $(seg "$d.ref" X | tr '\n' ' ') in a plain run"
	elif [ "$st" != 0 ] || [ "$st0" != 0 ]; then
		why="rewind debug exited with status $st0, $st"
	fi
	[ -z "$why" ] && ok "$name" || fail "$name" "$why"
}
case_diversion

walk "inferior call at a signal stop, then continue" "$W/buggy.rwd" <<EOF
continue       => report $B_crash | Program received signal SIGSEGV, Segmentation fault.
output st->count[3]               | 1
print clear_counts(st->count, 3)  | = void
output st->count[3]               | 0
continue                          | Program terminated with signal SIGSEGV, Segmentation fault.
EOF

# ---------------------------------------------------------------- 10. sessions

case_kill_detach() {
	local name="kill and detach end rewind debug cleanly"
	want "$name" || return 0
	local d=$W/kd why=
	dbg "$d.kill" "$W/buggy.rwd" -ex 'break clear_counts' -ex continue -ex kill
	local st1=$st
	dbg "$d.detach" "$W/buggy.rwd" -ex 'break clear_counts' -ex continue -ex detach
	local st2=$st
	if [ "$st1" != 0 ] || ! grep -qF '[Inferior 1 (Remote target) killed]' "$d.kill"; then
		why="kill: status $st1: $(tail -n 2 "$d.kill" | tr '\n' ' ')"
	elif [ "$st2" != 0 ] || ! grep -qF '[Inferior 1 (Remote target) detached]' "$d.detach"; then
		why="detach: status $st2: $(tail -n 2 "$d.detach" | tr '\n' ' ')"
	elif grep -q '^rewind: ' "$d.kill" "$d.detach"; then
		why="rewind complained: $(grep -h '^rewind: ' "$d.kill" "$d.detach" | head -n 1)"
	fi
	[ -z "$why" ] && ok "$name" || fail "$name" "$why"
}
case_kill_detach

# gdbserver: one gdb sets a breakpoint, continues and detaches; a second
# gdb finds the session where the first left it and goes both ways; a
# third kills it, which ends the server.
#
# The second gdb uses reverse-continue and reverse-stepi only: a gdb that
# first sees a static glibc program after its libc initialised _r_debug
# takes r_brk's section (the executable's .text) for the dynamic linker's
# (solib-svr4.c, enable_break), and from then on treats every pc as
# "in the dynsym resolver" when stepping backwards: reverse-step,
# reverse-next and reverse-finish run back to the start of the history.
# gdb does the same when attaching natively to such a process with
# `record full`; it is not the stub's doing.
case_reconnect() {
	local name="gdbserver: detach, reconnect, continue and reverse, kill ends the server"
	want "$name" || return 0
	local d=$W/srv port= pid k why=
	timeout -k 5 "$GDB_TIMEOUT" "$REWIND" gdbserver -q --port 0 "$W/buggy.rwd" \
		</dev/null >"$d.out" 2>"$d.err" &
	pid=$!
	SERVERS+=("$pid")
	for ((k = 0; k < 100; k++)); do
		port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9][0-9]*\) .*/\1/p' "$d.err" 2>/dev/null)
		[ -n "$port" ] && break
		sleep 0.1
	done
	if [ -z "$port" ]; then
		fail "$name" "no port on stderr: $(head -c 200 "$d.err")"
		return
	fi
	local -a g=(timeout -k 5 "$GDB_TIMEOUT" gdb -q -batch -nx "$EX/buggy.debug"
		    -ex "target remote 127.0.0.1:$port")
	"${g[@]}" -ex 'break clear_counts' -ex continue -ex 'echo @@W\n' \
		-ex 'monitor when' -ex detach </dev/null >"$d.g1" 2>&1
	local st1=$? when1
	when1=$(seg "$d.g1" W | grep '^icount')
	"${g[@]}" -ex 'echo @@F\n' -ex frame -ex 'echo @@W\n' -ex 'monitor when' \
		-ex 'echo @@C\n' -ex continue -ex 'break clear_counts' -ex 'echo @@R\n' \
		-ex reverse-continue -ex 'echo @@W2\n' -ex 'monitor when' -ex 'echo @@S\n' \
		-ex reverse-stepi -ex 'monitor when' -ex 'echo @@D\n' -ex detach \
		</dev/null >"$d.g2" 2>&1
	local st2=$?
	"${g[@]}" -ex 'echo @@F\n' -ex frame -ex kill </dev/null >"$d.g3" 2>&1
	local st3=$?
	for ((k = 0; k < 100; k++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	local alive=0
	kill -0 "$pid" 2>/dev/null && alive=1 && kill "$pid"
	wait "$pid" 2>/dev/null
	local sst=$?
	if [ "$st1" != 0 ] || [ -z "$when1" ] || ! grep -qF 'Breakpoint 1, clear_counts (' "$d.g1" ||
	   ! grep -qF '[Inferior 1 (Remote target) detached]' "$d.g1"; then
		why="first gdb (status $st1): $(tail -n 3 "$d.g1" | tr '\n' ' ')"
	elif ! [[ $(seg "$d.g2" F | grep -m1 '^#0 ') =~ $(frame_re clear_counts "$B_clear_for") ]] ||
	     [ "$(seg "$d.g2" W | grep '^icount')" != "$when1" ]; then
		why="second gdb does not find the first one's stop ($when1): $(seg "$d.g2" F | head -n 1) $(seg "$d.g2" W)"
	elif ! seg "$d.g2" C | grep -qF 'Program received signal SIGSEGV' ||
	     ! seg "$d.g2" R | grep -qF 'Breakpoint 1, clear_counts (' ||
	     [ "$(seg "$d.g2" W2 | grep '^icount')" != "$when1" ]; then
		why="second gdb: continue or reverse-continue went wrong: $(seg "$d.g2" C | tr '\n' ' ') $(seg "$d.g2" R | tr '\n' ' ')"
	elif ! seg "$d.g2" S | grep -qE "(^|$TAB)$B_clear_open$TAB" ||
	     ! seg "$d.g2" S | grep -q "^icount $(( $(cut -d' ' -f2 <<<"${when1%%,*}") - 1 )), "; then
		why="second gdb: reverse-stepi did not go one instruction back: $(seg "$d.g2" S | tr '\n' ' ')"
	elif [ "$st2" != 0 ] || ! seg "$d.g2" D | grep -qF 'detached]'; then
		why="second gdb status $st2: $(tail -n 2 "$d.g2" | tr '\n' ' ')"
	elif [ "$st3" != 0 ] || ! grep -qF '[Inferior 1 (Remote target) killed]' "$d.g3"; then
		why="third gdb (status $st3): $(tail -n 2 "$d.g3" | tr '\n' ' ')"
	elif [ "$alive" = 1 ] || [ "$sst" != 0 ]; then
		why="the server did not end after kill (alive $alive, status $sst)"
	elif sanitizer_report "$d.err"; then
		why="a sanitizer report on the server's stderr: $(grep -m1 -E 'ERROR|runtime error' "$d.err")"
	fi
	[ -z "$why" ] && ok "$name" || fail "$name" "$why"
}
case_reconnect

# ---------------------------------------------------------------- 11. monitor

case_monitor() {
	local name="monitor help, when, goto-icount"
	want "$name" || return 0
	local d=$W/mon why=
	dbg "$d.1" "$W/buggy.rwd" -ex 'echo @@H\n' -ex 'monitor help' -ex 'echo @@Z\n' \
		-ex 'monitor when' -ex 'break clear_counts' -ex continue -ex 'echo @@W\n' \
		-ex 'monitor when' -ex 'echo @@END\n'
	local n1 end
	n1=$(seg "$d.1" W | sed -n 's/^icount \([0-9]*\), .*/\1/p')
	end=$(seg "$d.1" W | sed -n 's/.*history ends at icount \([0-9]*\)$/\1/p')
	if [ "$st" != 0 ]; then
		why="rewind debug exited with status $st"
	elif ! seg "$d.1" H | grep -q 'monitor when' || ! seg "$d.1" H | grep -q 'monitor goto-icount N' ||
	   ! seg "$d.1" H | grep -q 'monitor snapshots'; then
		why="monitor help: $(seg "$d.1" H | tr '\n' ' ')"
	elif ! seg "$d.1" Z | grep -q '^icount 0, event '; then
		why="monitor when at the start: $(seg "$d.1" Z)"
	elif [ -z "$n1" ] || [ -z "$end" ] || [ "$n1" -le 0 ] || [ "$n1" -ge "$end" ]; then
		why="monitor when at clear_counts: $(seg "$d.1" W)"
	fi
	if [ -z "$why" ]; then
		dbg "$d.2" "$W/buggy.rwd" -ex "monitor goto-icount $n1" -ex flushregs \
			-ex 'echo @@F\n' -ex frame -ex 'echo @@W\n' -ex 'monitor when' \
			-ex 'echo @@B\n' -ex "monitor goto-icount $((end + 1000))" -ex flushregs \
			-ex 'echo @@G\n' -ex frame -ex 'monitor when' -ex 'echo @@H\n' \
			-ex 'monitor goto-icount 0' -ex flushregs -ex 'echo @@I\n' -ex frame \
			-ex 'echo @@J\n' -ex 'monitor snapshots' -ex 'echo @@END\n'
		if ! [[ $(seg "$d.2" F | grep -m1 '^#0 ') =~ $(frame_re clear_counts "$B_clear_for") ]] ||
		   ! seg "$d.2" W | grep -q "^icount $n1, "; then
			why="goto-icount $n1 is not clear_counts' breakpoint: $(seg "$d.2" F | head -n 1) $(seg "$d.2" W)"
		elif ! seg "$d.2" B | grep -q "now at icount $end (the end of the history)" ||
		     ! [[ $(seg "$d.2" G | grep -m1 '^#0 ') =~ $(frame_re report "$B_crash") ]] ||
		     ! seg "$d.2" G | grep -q "^icount $end, "; then
			why="goto-icount beyond the end: $(seg "$d.2" B) $(seg "$d.2" G | tr '\n' ' ')"
		elif ! [[ $(seg "$d.2" I | grep -m1 '^#0 ') =~ $(frame_re _start -) ]]; then
			why="goto-icount 0: $(seg "$d.2" I)"
		elif ! seg "$d.2" J | grep -q 'snapshots'; then
			why="monitor snapshots: $(seg "$d.2" J)"
		elif [ "$st" != 0 ]; then
			why="rewind debug exited with status $st"
		fi
	fi
	[ -z "$why" ] && ok "$name" || fail "$name" "$why"
}
case_monitor

# ---------------------------------------------------------------- 12. errors

# The stack's top is just above AT_EXECFN's string and an 8-byte zero
# (as Linux lays it out); a read across it is cut there.
case_errors() {
	local name="errors gdb shows: unmapped memory, a read across the stack's end, bad monitor commands"
	want "$name" || return 0
	local d=$W/err why= execfn top
	dbg "$d.1" "$W/hello.rwd" -ex 'echo @@A\n' -ex 'info auxv' -ex 'echo @@END\n'
	execfn=$(seg "$d.1" A | awk '$2 == "AT_EXECFN" { print $(NF - 1) }')
	if [ "$st" != 0 ] || ! [[ $execfn =~ ^0x[0-9a-f]+$ ]] || ! seg "$d.1" A | grep -qF "\"$EX/hello.debug\""; then
		fail "$name" "info auxv has no AT_EXECFN naming hello.debug"
		indent "$d.1"
		return
	fi
	top=$(( (execfn + ${#EX} + 13 + 8 + 4095) / 4096 * 4096 ))	# "/hello.debug" NUL
	dbg "$d.2" "$W/hello.rwd" -ex 'break main' -ex continue \
		-ex 'echo @@A\n' -ex 'x/4xb 0' -ex 'echo @@B\n' -ex 'set var *(int *) 8 = 1' \
		-ex 'echo @@C\n' -ex "x/16xb $((top - 8))" -ex 'echo @@D\n' -ex 'monitor frobnicate' \
		-ex 'echo @@E\n' -ex 'monitor goto-icount soon' -ex 'echo @@F\n' -ex frame \
		-ex 'output argc' -ex 'echo \n@@END\n'
	local c
	c=$(seg "$d.2" C)
	if ! seg "$d.2" A | grep -qF 'Cannot access memory at address 0x0'; then
		why="x/4xb 0: $(seg "$d.2" A | tr '\n' ' ')"
	elif ! seg "$d.2" B | grep -qF 'Cannot access memory at address 0x8'; then
		why="writing to address 8: $(seg "$d.2" B | tr '\n' ' ')"
	elif ! grep -qE "^$(printf '0x%x' $((top - 8))):(${TAB}0x00){8}\$" <<<"$c" ||
	     ! grep -qF "Cannot access memory at address $(printf '0x%x' "$top")" <<<"$c"; then
		why="x/16xb across the stack top $(printf '0x%x' "$top"): $(tr '\n' ' ' <<<"$c")"
	elif ! seg "$d.2" D | grep -qF "rewind: unknown monitor command 'frobnicate'"; then
		why="monitor frobnicate: $(seg "$d.2" D | tr '\n' ' ')"
	elif ! seg "$d.2" E | grep -qF 'usage: monitor goto-icount N'; then
		why="monitor goto-icount soon: $(seg "$d.2" E | tr '\n' ' ')"
	elif ! [[ $(seg "$d.2" F | grep -m1 '^#0 ') =~ $(frame_re main "$H_getenv") ]] ||
	     ! seg "$d.2" F | grep -qx '4'; then
		why="gdb is not where it was after the errors: $(seg "$d.2" F | tr '\n' ' ')"
	elif [ "$st" != 0 ]; then
		why="rewind debug exited with status $st"
	fi
	[ -z "$why" ] && ok "$name" || fail "$name" "$why"
}
case_errors

# ---------------------------------------------------------------- packed

# A packed trace debugged after its executable moved away, and after it
# was replaced by another program: gdb gets the recorded executable from
# the trace (extracted into XDG_CACHE_HOME) and shows hello.c's lines.
case_packed() {
	local name="packed trace: source lines after the executable moved or changed"
	want "$name" || return 0
	local d=$W/pack why=
	mkdir -p "$d/bin" "$d/cache"
	cp "$EX/hello.debug" "$d/bin/hello"
	(cd "$d" && "$REWIND" record -o "$d/t.rwd" -- "$d/bin/hello" x 5 </dev/null >/dev/null 2>&1)
	"$REWIND" pack "$d/t.rwd" -o "$d/p.rwd" >"$d/pack.out" 2>&1
	local pst=$?
	mv "$d/bin/hello" "$d/hello.moved"
	local -a cmds=(-ex 'break main' -ex continue -ex 'echo @@X\n' -ex frame -ex 'info inferiors'
		       -ex 'echo @@END\n')
	local cache=${XDG_CACHE_HOME-}
	export XDG_CACHE_HOME=$d/cache
	dbg "$d.1" "$d/p.rwd" "${cmds[@]}"
	local st1=$st
	cp "$EX/buggy.debug" "$d/bin/hello"
	dbg "$d.2" "$d/p.rwd" "${cmds[@]}"
	local st2=$st
	dbg "$d.3" "$d/t.rwd" -ex 'info inferiors'
	local st3=$st
	if [ -n "$cache" ]; then XDG_CACHE_HOME=$cache; else unset XDG_CACHE_HOME; fi
	local k re
	re=$(frame_re main "$H_getenv")
	for k in 1 2; do
		local x
		x=$(seg "$d.$k" X)
		if [ "$pst" != 0 ]; then
			why="pack failed: $(head -c 200 "$d/pack.out")"
		elif [ "$([ $k = 1 ] && echo $st1 || echo $st2)" != 0 ]; then
			why="debug $k: status $([ $k = 1 ] && echo $st1 || echo $st2): $(head -n 3 "$d.$k" | tr '\n' ' ')"
		elif ! [[ $(grep -m1 '^#0 ' <<<"$x") =~ $re ]] ||
		     ! grep -qF "$H_getenv${TAB}	const char *greeting = getenv(\"GREETING\");" <<<"$x"; then
			why="debug $k: no hello.c source line at the breakpoint: $(tr '\n' ' ' <<<"$x" | cut -c1-200)"
		elif ! grep -qF "$d/cache/" <<<"$x"; then
			why="debug $k: gdb is not on the executable extracted into the cache: $(grep Remote <<<"$x")"
		fi
		[ -n "$why" ] && break
	done
	# The unpacked trace, its executable changed: refused in one line.
	if [ -z "$why" ] && { [ "$st3" != 125 ] || [ "$(grep -c '^rewind: ' "$d.3")" != 1 ]; }; then
		why="the unpacked trace with a changed executable: status $st3: $(head -n 2 "$d.3" | tr '\n' ' ')"
	fi
	[ -z "$why" ] && ok "$name" || fail "$name" "$why"
}
case_packed

echo "gdb.sh: $pass passed, $failn failed"
[ $failn = 0 ]
