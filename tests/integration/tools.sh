#!/usr/bin/env bash
# tools.sh - the user-facing tools in tools/: isa-scan.
#
#   - on the examples (NAME.glibc/.musl under x86-64-v1, NAME.v2glibc/
#     .v2musl under x86-64-v2) and on the corpus binaries (busybox,
#     bash-static): no form may be "missing" inside the model; forms outside
#     it (glibc's AVX string functions, ...) may be listed;
#   - on crafted objects: an AVX, an SSE4.1 and an RDRAND instruction are
#     listed as outside the model with exit status 1, plain integer code
#     lists nothing with exit status 0;
#   - bad input (not ELF, not x86-64, missing file, bad --cpu) exits 125
#     with one line on stderr.
#
# Environment: ISA_SCAN (default $BUILD/isa-scan, BUILD default
# build/release), EXAMPLES_DIR, BUSYBOX, BASH_STATIC, CASES.

set -u

: "${CASES:=}"
BUILD=${BUILD:-build/release}
ISA_SCAN=${ISA_SCAN:-$BUILD/isa-scan}
EXAMPLES_DIR=${EXAMPLES_DIR:-build/examples}
PASSED=0
FAILED=0
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

if [ ! -x "$ISA_SCAN" ]; then
	echo "FAIL tools: ISA_SCAN is not an executable (got '$ISA_SCAN'; make tools)"
	exit 1
fi

pass() { echo "ok   $1"; PASSED=$((PASSED + 1)); }
fail() {
	echo "FAIL $1: $2"
	[ -s "$WORK/out" ] && sed -n '1,8s/^/      /p' "$WORK/out"
	[ -s "$WORK/err" ] && sed -n '1,3s/^/      stderr: /p' "$WORK/err"
	FAILED=$((FAILED + 1))
}
want() { [ -z "$CASES" ] || [[ $1 =~ $CASES ]]; }

# scan_case NAME CPU EXPECT-STATUS [grep -E pattern that must match]
#           [grep -E pattern that must not match] -- FILE...
scan_case() {
	local name=$1 cpu=$2 expect=$3 must=$4 mustnot=$5
	shift 6
	want "$name" || return 0
	local st=0
	"$ISA_SCAN" --cpu="$cpu" "$@" >"$WORK/out" 2>"$WORK/err" || st=$?
	if [ "$expect" != - ] && [ "$st" != "$expect" ]; then
		fail "$name" "exit status $st, expected $expect"
	elif [ "$st" = 125 ] && [ "$expect" != 125 ]; then
		fail "$name" "isa-scan failed (125)"
	elif [ -n "$must" ] && ! grep -q -E -- "$must" "$WORK/out"; then
		fail "$name" "output lacks /$must/"
	elif [ -n "$mustnot" ] && grep -q -E -- "$mustnot" "$WORK/out"; then
		fail "$name" "output has /$mustnot/: $(grep -m1 -E -- "$mustnot" "$WORK/out")"
	else
		pass "$name"
	fi
}

# ---------------------------------------------------------------- binaries
# Nothing inside the model may be missing: "missing" lines are gaps in the
# dispatch tables.
found=0
for bin in "$EXAMPLES_DIR"/*.glibc "$EXAMPLES_DIR"/*.musl; do
	[ -e "$bin" ] || continue
	found=$((found + 1))
	scan_case "isa-scan v1 $(basename "$bin")" x86-64-v1 - '' '^  missing ' -- "$bin"
done
for bin in "$EXAMPLES_DIR"/*.v2glibc "$EXAMPLES_DIR"/*.v2musl; do
	[ -e "$bin" ] || continue
	found=$((found + 1))
	scan_case "isa-scan v2 $(basename "$bin")" x86-64-v2 - '' '^  missing ' -- "$bin"
done
if [ "$found" = 0 ]; then
	echo "FAIL tools: no examples in $EXAMPLES_DIR (make examples)"
	FAILED=$((FAILED + 1))
fi
for bin in "${BUSYBOX:-/bin/busybox}" "${BASH_STATIC:-/bin/bash-static}"; do
	[ -x "$bin" ] || continue
	for cpu in x86-64-v1 x86-64-v2; do
		scan_case "isa-scan ${cpu#x86-64-} $(basename "$bin")" $cpu - \
			'^  outside .*(AVX2)' '^  missing ' -- "$bin"
	done
done
# Under x86-64-v1 the SSE4.2 string functions of glibc are outside the
# model; under x86-64-v2 they are inside.
if [ -x "${BUSYBOX:-/bin/busybox}" ]; then
	scan_case "isa-scan v1 marks SSE4.2 as v2" x86-64-v1 1 \
		'^  outside .*pcmpistri .*x86-64-v2 only' '' -- "${BUSYBOX:-/bin/busybox}"
	scan_case "isa-scan v2 runs SSE4.2" x86-64-v2 - \
		'' 'pcmpistri' -- "${BUSYBOX:-/bin/busybox}"
fi

# ---------------------------------------------------------------- crafted
# asm NAME INSTRUCTIONS... : assemble WORK/NAME.o (gcc -c on a .s file).
asm() {
	local name=$1
	shift
	{
		echo "	.text"
		echo "	.globl f_$name"
		echo "f_$name:"
		printf '	%s\n' "$@"
	} >"$WORK/$name.s"
	gcc -c -o "$WORK/$name.o" "$WORK/$name.s" 2>"$WORK/$name.err"
}

if command -v gcc >/dev/null 2>&1; then
	asm plain 'mov %rdi, %rax' 'add $42, %rax' 'imul %rsi, %rax' \
		'movsd (%rdi), %xmm0' 'addsd %xmm1, %xmm0' 'ret'
	asm avx 'mov %rdi, %rax' 'vaddps %ymm0, %ymm1, %ymm2' \
		'vpcmpeqb (%rdi), %ymm3, %ymm4' 'vaddps %ymm5, %ymm6, %ymm7' 'ret'
	asm sse41 'pminud %xmm1, %xmm0' 'popcnt %rdi, %rax' 'ret'
	asm rdrand 'rdrand %rax' 'ret'
	asm data 'ret' '.byte 0xff, 0xff, 0xff, 0xff, 0x06, 0x07' 'ret'

	scan_case "isa-scan crafted plain v1" x86-64-v1 0 \
		'0 forms missing inside the model, 0 outside' '^  (missing|outside) ' -- "$WORK/plain.o"
	scan_case "isa-scan crafted AVX listed" x86-64-v2 1 \
		'^  outside +2 +0x[0-9a-f]+ +vaddps +VEX\.256\.0F 58 +\(AVX\)' '^  missing ' -- "$WORK/avx.o"
	scan_case "isa-scan crafted AVX2 listed" x86-64-v2 1 \
		'^  outside +1 .*vpcmpeqb .*\(AVX2\)' '' -- "$WORK/avx.o"
	scan_case "isa-scan crafted SSE4.1 under v1" x86-64-v1 1 \
		'^  outside .*pminud .*x86-64-v2 only' '^  missing ' -- "$WORK/sse41.o"
	scan_case "isa-scan crafted POPCNT under v1" x86-64-v1 1 \
		'^  outside .*popcnt .*x86-64-v2 only' '' -- "$WORK/sse41.o"
	scan_case "isa-scan crafted SSE4.1 under v2" x86-64-v2 0 \
		'' '^  (missing|outside) ' -- "$WORK/sse41.o"
	scan_case "isa-scan crafted RDRAND" x86-64-v2 1 \
		'^  outside .*rdrand .*RDRAND' '' -- "$WORK/rdrand.o"
	scan_case "isa-scan crafted data in text" x86-64-v1 - \
		'instructions in 1 executable section' '' -- "$WORK/data.o"
	scan_case "isa-scan several files" x86-64-v2 1 \
		'avx\.o: 0 forms missing inside the model, 2 outside' '' -- "$WORK/plain.o" "$WORK/avx.o"
else
	echo "FAIL isa-scan crafted: gcc not found"
	FAILED=$((FAILED + 1))
fi

# ---------------------------------------------------------------- bad input
printf 'not an elf file\n' >"$WORK/text"
# An ELF for another machine: the plain object with e_machine = EM_386.
if [ -e "$WORK/plain.o" ]; then
	cp "$WORK/plain.o" "$WORK/i386.o"
	printf '\003\000' | dd of="$WORK/i386.o" bs=1 seek=18 conv=notrunc 2>/dev/null
fi
bad_case() {
	local name=$1
	shift
	want "$name" || return 0
	local st=0
	"$ISA_SCAN" "$@" >"$WORK/out" 2>"$WORK/err" || st=$?
	if [ "$st" != 125 ]; then
		fail "$name" "exit status $st, expected 125"
	elif [ "$(wc -l <"$WORK/err")" -lt 1 ] || ! grep -q '^isa-scan: \|^usage: ' "$WORK/err"; then
		fail "$name" "no error line on stderr"
	else
		pass "$name"
	fi
}
bad_case "isa-scan not ELF" "$WORK/text"
bad_case "isa-scan missing file" "$WORK/no-such-file"
[ -e "$WORK/i386.o" ] && bad_case "isa-scan not x86-64" "$WORK/i386.o"
bad_case "isa-scan bad --cpu" --cpu=x86-64-v4 "$WORK/plain.o"
bad_case "isa-scan no file" --cpu=x86-64-v2
bad_case "isa-scan bad option" --frobnicate "$WORK/plain.o"

echo "$(basename "$0"): $PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
