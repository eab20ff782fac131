#!/bin/bash
# elf_hostile.sh - `rewind run` on files it must refuse, and on command
# lines it must reject.
#
# Each case checks the exit status (DESIGN.md: 125 rewind failure, 126
# cannot execute, 127 not found), that stderr is exactly one line starting
# with "rewind: " and containing the expected words, and that nothing went
# to stdout.  Hostile ELF files are made by patching one field of a tiny
# static program (tests/fuzz/seed_tiny.S); that program itself, unpatched,
# must run and exit 42, so each refusal is caused by the patched field.
#
# Environment: REWIND (default build/rewind).  Prints "ok   NAME" or
# "FAIL NAME: why" per case.
set -u

REWIND=${REWIND:-build/rewind}
SRC_DIR=$(cd "$(dirname "$0")/../.." && pwd)
CC=${CC_GUEST:-gcc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

nfail=0
ok() { echo "ok   $1"; }
fail() { echo "FAIL $1: $2"; nfail=$((nfail + 1)); }

# check NAME STATUS WORDS -- REWIND-ARGS...
check() {
	local name=$1 want=$2 words=$3 st lines
	shift 4
	"$REWIND" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	st=$?
	lines=$(wc -l <"$tmp/err")
	if [ "$st" != "$want" ]; then
		fail "$name" "status $st, want $want; stderr: $(head -c 300 "$tmp/err")"
	elif [ "$lines" != 1 ] || [ -n "$(tail -c 1 "$tmp/err" | tr -d '\n')" ]; then
		fail "$name" "stderr is not exactly one line: $(head -c 300 "$tmp/err")"
	elif ! head -n 1 "$tmp/err" | grep -q '^rewind: '; then
		fail "$name" "stderr does not start with 'rewind: ': $(cat "$tmp/err")"
	elif ! grep -qF -- "$words" "$tmp/err"; then
		fail "$name" "stderr lacks '$words': $(cat "$tmp/err")"
	elif LC_ALL=C grep -q '[^[:print:]]' "$tmp/err"; then
		fail "$name" "stderr has unprintable bytes: $(cat -v "$tmp/err")"
	elif [ -s "$tmp/out" ]; then
		fail "$name" "wrote to stdout: $(head -c 200 "$tmp/out")"
	else
		ok "$name"
	fi
}

# Little-endian field access: put FILE OFFSET SIZE VALUE, get FILE OFFSET SIZE.
put() {
	local f=$1 off=$2 n=$3 v=$4 i hex=""
	for ((i = 0; i < n; i++)); do
		hex+=$(printf '\\x%02x' $(((v >> (8 * i)) & 0xff)))
	done
	printf "$hex" | dd of="$f" bs=1 seek="$off" conv=notrunc status=none
}
get() {
	od -An -tu"$3" -j "$2" -N "$3" "$1" | tr -d ' '
}

# ------------------------------------------------------------ base programs
if ! "$CC" -nostdlib -static -o "$tmp/tiny" "$SRC_DIR/tests/fuzz/seed_tiny.S" ||
   ! "$CC" -nostdlib -static-pie -o "$tmp/tiny-pie" \
	"$SRC_DIR/tests/fuzz/seed_tiny.S"; then
	fail build "cannot build the tiny test program with $CC"
	exit 1
fi
printf '#include <stdio.h>\nint main(void){puts("hi");return 0;}\n' >"$tmp/hello.c"
"$CC" -O2 -o "$tmp/dyn" "$tmp/hello.c" || fail build "cannot build a dynamic program"
"$CC" -O2 -static -o "$tmp/static" "$tmp/hello.c" || fail build "cannot build a static program"

# The controls: unpatched, they run.
"$REWIND" run "$tmp/tiny" >"$tmp/out" 2>"$tmp/err" </dev/null
st=$?
if [ "$st" = 42 ] && [ ! -s "$tmp/err" ]; then ok "control tiny exits 42"
else fail "control tiny exits 42" "status $st: $(head -c 300 "$tmp/err")"; fi
"$REWIND" run "$tmp/tiny-pie" >"$tmp/out" 2>"$tmp/err" </dev/null
st=$?
if [ "$st" = 42 ] && [ ! -s "$tmp/err" ]; then ok "control static-pie tiny exits 42"
else fail "control static-pie tiny exits 42" "status $st: $(head -c 300 "$tmp/err")"; fi

# ------------------------------------------------------------ not ELF at all
: >"$tmp/empty"
printf 'hello, I am text\n' >"$tmp/text"
printf '#!/bin/sh\necho hi\n' >"$tmp/script"
printf '\177EL' >"$tmp/almost"
chmod +x "$tmp/empty" "$tmp/text" "$tmp/script" "$tmp/almost"
check "empty file" 126 "not an ELF executable" -- run "$tmp/empty"
check "text file" 126 "not an ELF executable" -- run "$tmp/text"
check "shell script" 126 "not an ELF executable" -- run "$tmp/script"
check "3-byte magic" 126 "not an ELF executable" -- run "$tmp/almost"

# ------------------------------------------------------------ truncated
for n in 4 16 20 63; do
	head -c $n "$tmp/tiny" >"$tmp/trunc$n"; chmod +x "$tmp/trunc$n"
	check "tiny truncated to $n bytes" 126 "truncated ELF file" -- run "$tmp/trunc$n"
done
phend=$(( $(get "$tmp/tiny" 32 8) + 56 * $(get "$tmp/tiny" 56 2) ))
for n in 64 100 $((phend - 1)) $((phend + 1)) 4096; do
	head -c $n "$tmp/tiny" >"$tmp/trunc$n"; chmod +x "$tmp/trunc$n"
	check "tiny truncated to $n bytes" 126 "truncated ELF file" -- run "$tmp/trunc$n"
done
for n in 1000 65536 300000; do
	head -c $n "$tmp/static" >"$tmp/strunc$n"; chmod +x "$tmp/strunc$n"
	check "static hello truncated to $n bytes" 126 "truncated ELF file" -- run "$tmp/strunc$n"
done

# ------------------------------------------------------------ other machines
printf '\177ELF\001\001\001\000\000\000\000\000\000\000\000\000\002\000\003\000\001\000\000\000' >"$tmp/i386"
head -c 52 /dev/zero >>"$tmp/i386"
printf '\177ELF\002\001\001\000\000\000\000\000\000\000\000\000\002\000\267\000\001\000\000\000' >"$tmp/aarch64"
head -c 64 /dev/zero >>"$tmp/aarch64"
chmod +x "$tmp/i386" "$tmp/aarch64"
check "i386 ELF" 126 "32-bit ELF (i386) is not supported" -- run "$tmp/i386"
check "aarch64 ELF" 126 "ELF for aarch64, not x86-64" -- run "$tmp/aarch64"

# ------------------------------------------------------------ dynamic
check "dynamic program" 126 \
	"dynamically linked executables are not supported yet (PT_INTERP /lib64/ld-linux-x86-64.so.2); link with -static" \
	-- run "$tmp/dyn"
if [ -x /bin/true ] && readelf -lW /bin/true 2>/dev/null | grep -q INTERP; then
	check "/bin/true (dynamic)" 126 "link with -static" -- run /bin/true
fi

# ------------------------------------------------------------ not a program
mkdir "$tmp/dir"
check "directory" 126 "Is a directory" -- run "$tmp/dir"
cp "$tmp/tiny" "$tmp/noexec"; chmod 644 "$tmp/noexec"
check "no execute permission" 126 "Permission denied" -- run "$tmp/noexec"
check "missing path" 127 "No such file or directory" -- run "$tmp/nope"
check "missing command" 127 "command not found" -- run rewind-no-such-command-here
check "/dev/null" 126 "not a regular file" -- run /dev/null

# ------------------------------------------------------------ patched headers
# patch NAME OFFSET SIZE VALUE: a copy of tiny with one field changed.
patch() {
	cp "$tmp/tiny" "$tmp/$1"
	put "$tmp/$1" "$2" "$3" "$4"
}
phoff=$(get "$tmp/tiny" 32 8)
phnum=$(get "$tmp/tiny" 56 2)
# Offsets of the first two PT_LOAD headers and of PT_GNU_STACK.
load=() stack=
for ((i = 0; i < phnum; i++)); do
	o=$((phoff + 56 * i))
	case $(get "$tmp/tiny" $o 4) in
	1) load+=($o) ;;
	1685382481) stack=$o ;;
	esac
done
if [ ${#load[@]} -lt 2 ]; then
	fail "patched headers" "tiny has fewer than two PT_LOAD segments"
else
	l0=${load[0]} l1=${load[1]} ll=${load[${#load[@]} - 1]}
	patch etype-rel 16 2 1
	check "e_type ET_REL" 126 "not an executable" -- run "$tmp/etype-rel"
	patch etype-core 16 2 4
	check "e_type ET_CORE" 126 "not an executable" -- run "$tmp/etype-core"
	patch bigendian 5 1 2
	check "big-endian ident" 126 "big-endian" -- run "$tmp/bigendian"
	patch badclass 4 1 3
	check "bad class" 126 "bad ELF class" -- run "$tmp/badclass"
	patch baddata 5 1 7
	check "bad data encoding" 126 "bad ELF data encoding" -- run "$tmp/baddata"
	patch phentsize 54 2 32
	check "e_phentsize 32" 126 "program header size" -- run "$tmp/phentsize"
	patch phnum0 56 2 0
	check "e_phnum 0" 126 "number of program headers" -- run "$tmp/phnum0"
	patch phnumx 56 2 65535
	check "e_phnum 0xffff" 126 "number of program headers" -- run "$tmp/phnumx"
	patch phoff-huge 32 8 -256
	check "e_phoff near 2^64" 126 "truncated ELF file" -- run "$tmp/phoff-huge"
	patch entry0 24 8 0
	check "entry 0" 126 "entry point" -- run "$tmp/entry0"
	patch entry-data 24 8 $(get "$tmp/tiny" $((l0 + 16)) 8)
	check "entry in a non-executable segment" 126 "entry point" -- run "$tmp/entry-data"
	patch off-huge $((l1 + 8)) 8 -4096
	check "p_offset near 2^64" 126 "truncated ELF file" -- run "$tmp/off-huge"
	patch filesz-huge $((l1 + 32)) 8 $((1 << 40))
	put "$tmp/filesz-huge" $((l1 + 40)) 8 $((1 << 40))
	check "p_filesz past the end" 126 "truncated ELF file" -- run "$tmp/filesz-huge"
	patch filesz-memsz $((l1 + 40)) 8 1
	check "p_filesz > p_memsz" 126 "p_memsz" -- run "$tmp/filesz-memsz"
	patch misaligned $((l1 + 16)) 8 $(($(get "$tmp/tiny" $((l1 + 16)) 8) + 8))
	check "p_vaddr incongruent with p_offset" 126 "modulo the page size" -- run "$tmp/misaligned"
	patch kernel-half $((l1 + 16)) 8 $((0xffff800000000000 + $(get "$tmp/tiny" $((l1 + 8)) 8)))
	check "segment in the kernel half" 126 "outside the guest address space" -- run "$tmp/kernel-half"
	patch memsz-wrap $((l1 + 40)) 8 -8192
	check "p_vaddr + p_memsz wraps" 126 "outside the guest address space" -- run "$tmp/memsz-wrap"
	patch overlap $((l1 + 16)) 8 $(get "$tmp/tiny" $((l0 + 16)) 8)
	put "$tmp/overlap" $((l1 + 8)) 8 $(get "$tmp/tiny" $((l0 + 8)) 8)
	check "overlapping segments" 126 "overlaps" -- run "$tmp/overlap"
	patch low $((l0 + 16)) 8 0
	check "segment at address 0" 126 "lowest mappable address" -- run "$tmp/low"
	patch nearstack $((ll + 16)) 8 $((0x3ffffffd0000 + $(get "$tmp/tiny" $((ll + 8)) 8) % 4096))
	check "segment over the stack" 126 "stack" -- run "$tmp/nearstack"
	if [ -n "$stack" ]; then
		# PT_INTERP whose string carries an escape sequence: the
		# message must name it without the control bytes.
		patch interp "$stack" 4 3
		put "$tmp/interp" $((stack + 8)) 8 $(( $(stat -c %s "$tmp/tiny") ))
		put "$tmp/interp" $((stack + 32)) 8 11
		printf '/ev\033[31mil\000' >>"$tmp/interp"
		check "PT_INTERP with control bytes" 126 "(PT_INTERP /ev?[31mil)" -- run "$tmp/interp"
	fi
fi

# Linux never reads section headers: garbage there must not matter.
cp "$tmp/tiny" "$tmp/badsections"
put "$tmp/badsections" 40 8 -64		# e_shoff
put "$tmp/badsections" 58 2 7		# e_shentsize
put "$tmp/badsections" 60 2 65535	# e_shnum
put "$tmp/badsections" 62 2 65534	# e_shstrndx
"$REWIND" run "$tmp/badsections" >"$tmp/out" 2>"$tmp/err" </dev/null
st=$?
if [ "$st" = 42 ] && [ ! -s "$tmp/err" ]; then ok "garbage section headers still run"
else fail "garbage section headers still run" "status $st: $(head -c 300 "$tmp/err")"; fi

# A bss-only PT_LOAD starting in the page where the data segment's file
# bytes end (made from tiny: .data keeps only its 8 file bytes, the old
# PT_GNU_STACK header becomes the bss): the data must survive.
if [ ${#load[@]} -ge 3 ] && [ -n "$stack" ]; then
	ld=${load[2]}
	dvaddr=$(get "$tmp/tiny" $((ld + 16)) 8)
	dfilesz=$(get "$tmp/tiny" $((ld + 32)) 8)
	dmemsz=$(get "$tmp/tiny" $((ld + 40)) 8)
	cp "$tmp/tiny" "$tmp/bssonly"
	put "$tmp/bssonly" $((ld + 40)) 8 "$dfilesz"		# data: no bss
	put "$tmp/bssonly" "$stack" 4 1				# PT_LOAD
	put "$tmp/bssonly" $((stack + 4)) 4 6			# RW
	put "$tmp/bssonly" $((stack + 8)) 8 0			# p_offset
	put "$tmp/bssonly" $((stack + 16)) 8 $((dvaddr + dfilesz))
	put "$tmp/bssonly" $((stack + 32)) 8 0			# p_filesz
	put "$tmp/bssonly" $((stack + 40)) 8 $((dmemsz - dfilesz))
	"$REWIND" run "$tmp/bssonly" >"$tmp/out" 2>"$tmp/err" </dev/null
	st=$?
	if [ "$st" = 42 ] && [ ! -s "$tmp/err" ]; then ok "bss-only segment sharing a page"
	else fail "bss-only segment sharing a page" "status $st: $(head -c 300 "$tmp/err")"; fi
fi

# ------------------------------------------------------------ arguments
long=$(head -c 120 /dev/zero | tr '\0' a)
args=()
for ((i = 0; i < 20000; i++)); do args+=("$long"); done
# 2.4 MB of arguments: more than Linux's (and our) limit of a quarter of
# the 8 MB stack, within the host's limit once its stack rlimit is raised.
(nfail=0
 if ulimit -s 65536 2>/dev/null; then
	check "argument list too long" 126 "argument list too long" -- run "$tmp/tiny" "${args[@]}"
 else
	echo "ok   argument list too long (skipped: cannot raise the stack limit)"
 fi
 exit $nfail) || nfail=$((nfail + 1))

# ------------------------------------------------------------ command line
check "no command" 125 "missing command" --
check "unknown command" 125 "unknown command 'frobnicate'" -- frobnicate
check "pack of a missing trace" 125 "No such file or directory" -- pack "$tmp/none.rwd"
for c in repl report; do
	check "$c not implemented" 125 "'$c' is not implemented yet" -- "$c" x
done
for c in debug gdbserver index; do
	check "$c of a missing trace" 125 "No such file or directory" -- "$c" "$tmp/none.rwd"
	check "$c of a text file" 125 "$tmp/text" -- "$c" "$tmp/text"
done
check "gdbserver with a bad port" 125 "bad port 'http'" -- gdbserver --port http "$tmp/none.rwd"
check "debug with a bad memory budget" 125 "bad memory budget '12X'" -- debug --memory-budget 12X "$tmp/none.rwd"
check "gdbserver with a memory budget under 1M" 125 "bad memory budget '100K'" -- gdbserver --memory-budget=100K "$tmp/none.rwd"
check "debug with a bad option" 125 "unknown option '--frob'" -- debug --frob
check "record of a missing program" 127 "x: command not found" -- record -o "$tmp/t.rwd" -- x
check "record of a hostile ELF" 126 "not an ELF executable" -- record -o "$tmp/t.rwd" -- "$tmp/text"
check "replay of a missing trace" 125 "No such file or directory" -- replay "$tmp/none.rwd"
check "replay of a text file" 125 "$tmp/text" -- replay "$tmp/text"
check "dump of a missing trace" 125 "No such file or directory" -- dump "$tmp/none.rwd"
check "unknown engine" 125 "unknown engine 'warp' (available: interp)" -- run --engine=warp -- "$tmp/tiny"
check "run without PROG" 125 "missing PROG" -- run
check "run with a bad option" 125 "unknown option '--frob'" -- run --frob "$tmp/tiny"

[ $nfail = 0 ]
