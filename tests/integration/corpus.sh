#!/usr/bin/env bash
# corpus.sh - differential test on a corpus of real programs, sized so that
# most of the guest CPU gets exercised: busybox applets on a megabyte of
# generated text and half a megabyte of binary data (compressors, hashes,
# text tools, dc, factor, date, tar, ...), bash-static running builtin-only
# scripts, the examples built with -O2 -march=x86-64-v2 against glibc and
# musl and run under --cpu=x86-64-v2, and a subset of the busybox cases
# again under --cpu=x86-64-v2 (where glibc picks its SSE4.2/SSSE3 string
# functions).  busybox.sh holds the small busybox cases; this file adds the
# applets and options it does not cover and the large inputs.
#
# Every case runs natively and under `rewind run` with the same argv,
# environment, stdin and cwd; stdout, stderr and exit status must be
# identical (diff_case, from examples.sh).  All inputs are generated here,
# deterministically.
#
# Environment: REWIND, BUSYBOX (default /bin/busybox), BASH_STATIC (default
# /bin/bash-static), EXAMPLES_DIR, CASES, CASE_TIMEOUT.

set -u
. "$(dirname "$0")/examples.sh"

diff_setup
BB=${BUSYBOX:-/bin/busybox}
BASHS=${BASH_STATIC:-/bin/bash-static}
EXAMPLES_DIR=${EXAMPLES_DIR:-build/examples}
REWIND_V1=$REWIND
# Dates and times print the same everywhere.
export TZ=UTC

if [ ! -x "$BB" ]; then
	echo "FAIL corpus: $BB not found (apt-get install busybox-static)"
	exit 1
fi

# REWIND for the --cpu=x86-64-v2 cases: diff_case runs "$REWIND run -- ...".
cat >"$WORK/rewind-v2" <<EOF
#!/bin/sh
# $REWIND run -- ARGS  ->  $REWIND run --cpu=x86-64-v2 -- ARGS
shift
exec "$REWIND" run --cpu=x86-64-v2 "\$@"
EOF
chmod +x "$WORK/rewind-v2"

# ---------------------------------------------------------------- fixtures
D=$WORK/data
mkdir -p "$D"
N=/dev/null

# About 1.2 MB of text: 24000 lines of words drawn with a 32-bit LCG (exact
# in awk's doubles), numbers, mixed case and punctuation.
"$BB" awk 'BEGIN {
	n = split("alpha bravo Charlie delta echo foxtrot golf Hotel india " \
		  "juliet kilo Lima mike november oscar papa quebec Romeo " \
		  "sierra tango uniform victor whiskey xray yankee zulu the " \
		  "of and a to in is you that it lorem ipsum dolor sit amet", w, " ")
	s = 12345
	for (l = 1; l <= 24000; l++) {
		s = (s * 69069 + 1) % 4294967296
		k = 4 + s % 9
		line = l
		for (j = 0; j < k; j++) {
			s = (s * 69069 + 1) % 4294967296
			line = line " " w[1 + int(s / 65536) % n]
		}
		s = (s * 69069 + 1) % 4294967296
		printf "%s %d %.3f%s\n", line, s % 100000, s / 4294967296 * 1000, \
			(l % 7 == 0) ? "," : (l % 11 == 0 ? "!" : "")
	}
}' >"$D/text"
"$BB" head -n 2000 "$D/text" >"$D/text2k"
"$BB" sed -e '100,130d' -e '500s/a/A/g' -e '1500a\
an inserted line' "$D/text2k" >"$D/text2k.edited"
# Binary: the compressed text (incompressible) followed by a byte ramp.
"$BB" gzip -1 -c "$D/text" >"$D/bin"
"$BB" awk 'BEGIN { for (i = 0; i < 65536; i++) printf "%c", 1 + (i * 37) % 255 }' >>"$D/bin"
"$BB" head -c 65536 "$D/bin" >"$D/bin64k"
"$BB" base64 "$D/bin" >"$D/bin.b64"
"$BB" gzip -c "$D/text" >"$D/text.gz"
"$BB" bzip2 -c "$D/text" >"$D/text.bz2"
"$BB" sha256sum "$D/text" "$D/bin" >"$D/sums"
"$BB" awk '{ print $2 }' "$D/text" | "$BB" sort >"$D/words.sorted"
"$BB" seq 1 3000 | "$BB" awk '{ print ($1 * 7919) % 3001 - 1500 }' >"$D/nums"
printf 'alpha\nzulu\nRomeo\n' >"$D/patterns"
if command -v xz >/dev/null 2>&1; then
	xz -c -6 "$D/text2k" >"$D/text2k.xz"
fi

# A tree for find, ls, stat and tar, every time stamp fixed.
T=$WORK/tree
mkdir -p "$T/src/lib" "$T/doc" "$T/empty"
"$BB" head -c 3000 "$D/text" >"$T/src/main.c"
"$BB" head -c 100 "$D/text" >"$T/src/lib/util.c"
"$BB" head -c 20000 "$D/text" >"$T/doc/manual.txt"
printf 'readme\n' >"$T/README"
"$BB" head -c 5000 "$D/bin" >"$T/src/lib/blob.bin"
ln -s ../README "$T/doc/readme.link"
chmod 0640 "$T/src/lib/util.c"
chmod 0755 "$T/src/main.c"
chmod 0700 "$T/empty"
touch -h -d '2022-05-06 07:08:09' "$T/src/main.c" "$T/doc/readme.link"
touch -d '2019-12-31 23:59:59' "$T/src/lib/util.c" "$T/src/lib/blob.bin"
touch -d '2023-01-01 00:00:00' "$T/doc/manual.txt" "$T/README"
touch -d '2020-06-15 12:00:00' "$T/src/lib" "$T/src" "$T/doc" "$T/empty" "$T"
"$BB" tar cf "$D/tree.tar" -C "$T" .

# ---------------------------------------------------------------- helpers
# bb NAME EXPECT STDIN APPLET ARGS...
PFX=
bb() {
	local name=$1 expect=$2 in=$3
	shift 3
	diff_case "${PFX}busybox $name" "$expect" "$in" none "$BB" "$@"
}

# ---------------------------------------------------------------- busybox
# The cases that also run under --cpu=x86-64-v2: text and string handling,
# where glibc's string functions differ most between CPU levels.
core_cases() {
	bb "echo -e escapes"     0 $N echo -e 'a\tb\\c\x41\0102 \e[0m\v|'
	bb "cat -n"              0 $N cat -n "$D/text2k"
	bb "cat large"           0 $N cat "$D/text" "$D/bin"
	bb "sort 2k"             0 $N sort "$D/text2k"
	bb "sort -k3,3 -t' ' -s" 0 $N sort -k3,3 -t' ' -s "$D/text2k"
	bb "sort -n nums"        0 $N sort -n "$D/nums"
	bb "sort -rn -u nums"    0 "$D/nums" sort -rnu
	bb "uniq -c words"       0 $N uniq -c "$D/words.sorted"
	bb "uniq -u -i"          0 "$D/words.sorted" uniq -u -i
	bb "cut -d' ' -f2,4-"    0 $N cut -d' ' -f2,4- "$D/text"
	bb "cut -c 3-12,20-"     0 "$D/text" cut -c 3-12,20-
	bb "tr -s -c"            0 "$D/text" tr -sc 'a-zA-Z\n' ' '
	bb "tr classes"          0 "$D/text" tr '[:lower:][:digit:]' '[:upper:]#'
	bb "tr -d binary"        0 "$D/bin" tr -d '\000-\037'
	bb "wc large"            0 $N wc "$D/text" "$D/bin"
	bb "wc -L"               0 "$D/text" wc -L
	bb "head -n 1000"        0 $N head -n 1000 "$D/text"
	bb "tail -n +23990"      0 $N tail -n +23990 "$D/text"
	bb "tail -c 3000 bin"    0 "$D/bin" tail -c 3000
	bb "md5sum large"        0 $N md5sum "$D/text" "$D/bin"
	bb "sha1sum large"       0 $N sha1sum "$D/text" "$D/bin"
	bb "sha256sum large"     0 $N sha256sum "$D/text" "$D/bin"
	bb "sha512sum large"     0 $N sha512sum "$D/text" "$D/bin"
	bb "sha256sum -c"        0 $N sha256sum -c "$D/sums"
	bb "base64 large"        0 $N base64 "$D/bin"
	bb "base64 -d large"     0 "$D/bin.b64" base64 -d
	bb "grep -c"             0 $N grep -c alpha "$D/text"
	bb "grep -n -E alt"      0 $N grep -n -E 'Romeo (mike|papa)|zulu zulu' "$D/text"
	bb "grep -v -i"          0 $N grep -v -i 'a' "$D/text"
	bb "grep -o -w"          0 $N grep -o -w -E '[0-9]+7' "$D/text2k"
	bb "grep -F -f"          0 "$D/text" grep -F -f "$D/patterns"
	bb "grep -r -l"          0 $N grep -r -l readme "$T"
	bb "grep no match"       1 $N grep -q no-such-word "$D/text"
	bb "sed swap"            0 $N sed 's/\([a-z]*\) \([a-z]*\)/\2 \1/g' "$D/text"
	bb "sed -n range"        0 $N sed -n -e '/^100 /,/^120 /p' -e '$=' "$D/text"
	bb "sed -E y hold"       0 "$D/text2k" sed -E -e 'y/abc/ABC/' -e 's/([0-9]+)\.([0-9]+)/<\2.\1>/' -e '1!G;h;$!d'
	bb "awk fields"          0 $N awk '{ n[$2]++; s += $(NF-1) } END { for (w in n) printf "%s %d\n", w, n[w]; printf "total %.4f\n", s }' "$D/text"
	bb "awk strings"         0 "$D/text2k" awk '{ $0 = toupper(substr($0, 3)); gsub(/[AEIOU]/, "_"); i = index($0, "_"); k = split($0, f, "_"); printf "%d %d %s|%s\n", i, k, f[1], sprintf("%-8.3s|%5d", $2, length($0)) }'
}

PFX=
core_cases
bb "od -A d -t x2"        0 $N od -A d -t x2 "$D/bin64k"
bb "od -t d4 -t c"        0 "$D/bin64k" od -t d4 -t c -N 4096
bb "od -t f8 -t o1"       0 $N od -t f8 -t o1 -N 2048 "$D/bin"
bb "hexdump -C"           0 $N hexdump -C "$D/bin64k"
bb "hexdump -e"           0 $N hexdump -n 8192 -v -e '4/4 "%08x " "\n"' "$D/bin"
bb "gzip -c"              0 $N gzip -c "$D/text"
bb "gzip -9 stdin"        0 "$D/text" gzip -9
bb "gzip -1 binary"       0 $N gzip -1 -c "$D/bin"
bb "gunzip -c"            0 $N gunzip -c "$D/text.gz"
bb "gunzip stdin"         0 "$D/text.gz" gunzip -c
bb "gzip -t"              0 $N gzip -t "$D/text.gz"
bb "gunzip corrupt"       1 "$D/bin64k" gunzip -c
bb "bzip2 -c"             0 $N bzip2 -c "$D/text"
bb "bzip2 -1 binary"      0 "$D/bin64k" bzip2 -1
bb "bunzip2 -c"           0 $N bunzip2 -c "$D/text.bz2"
bb "bzcat stdin"          0 "$D/text.bz2" bzcat
if [ -e "$D/text2k.xz" ]; then
	bb "unxz -c"          0 $N unxz -c "$D/text2k.xz"
	bb "xzcat stdin"      0 "$D/text2k.xz" xzcat
else
	echo "FAIL busybox unxz: no xz to make the input (apt-get install xz-utils)"
	FAILED=$((FAILED + 1))
fi
bb "sort large"           0 $N sort "$D/text"
bb "sort -k2,2 -k1,1n"    0 $N sort -t' ' -k2,2 -k1,1n "$D/text"
# Debian's busybox has no awk math functions (sin, exp, ^, ...).
bb "awk float"            0 $N awk 'BEGIN { for (i = 1; i <= 20000; i++) { x = i / 7; s += x * x / (i + 3) - int(x) % 5 + (i % 13) * 0.125 } printf "%.10g %e %d %.3f %g\n", s, s, s, s / 3, 1 / 3e10; srand(42); for (i = 0; i < 5; i++) printf "%.6f\n", rand() }'
bb "awk -F printf"        0 $N awk -F: -v OFS='|' '{ $1 = $1; print NR, NF, $0 } END { printf "%5.2f%%|%-6s|%c|%o|%X\n", 12.345, "ab", 65, 8, 255 }' "$D/sums"
bb "awk prime sieve"      0 $N awk 'BEGIN { n = 30000; for (i = 2; i <= n; i++) if (!c[i]) { p++; for (j = i * i; j <= n; j += i) c[j] = 1 } print p }'
bb "expr match"           0 $N expr 'rewind-2024.tar' : '\([a-z]*\)-[0-9]*'
bb "expr substr"          0 $N expr substr abcdefgh 3 4
bb "expr index"           0 $N expr index 'hello world' 'ow'
bb "expr compare"         0 $N expr abc '<' abd
bb "expr div zero"        2 $N expr 1 / 0
bb "seq floats"           0 $N seq 1 0.25 5
bb "seq -s down"          0 $N seq -s ' ' 100 -3 1
bb "seq large"            0 $N seq 100000
bb "factor"               0 $N factor 1 2 97 1234567890 600851475143 18446744073709551615 4294967291 9999999967 4611686014132420609
bb "printf formats"       0 $N printf '%b|%c|%e|%g|%*d|%-*d|%i|%#x|%#o|%+.3d|%5s|%.2s\n' 'a\tb' xyz 12345.678 0.0001234 6 42 5 7 -9 255 8 7 abc abcdef
bb "printf repeat"        0 $N printf '%s-%s\n' a b c d e
bb "printf bad number"    1 $N printf '%d\n' 12abc
bb "dc pow"               0 $N dc -e '2 200 ^ p 3 100 ^ 7 % p'
bb "dc sqrt div"          0 $N dc -e '20 k 2 v p 1 3 / p _7 2 / p'
bb "dc macro"             0 $N dc -e '[d 1 - d 1 <f *]sf 30 lf x p'
bb "dc stdin"             0 "$D/nums" dc -e '0' -e '?' -e 'p'
bb "diff -u"              1 $N diff -u "$D/text2k" "$D/text2k.edited"
bb "diff same"            0 $N diff "$D/text2k" "$D/text2k"
bb "diff -r"              1 $N diff -r "$T/src" "$T/doc"
bb "cmp differ"           1 $N cmp "$D/text2k" "$D/text2k.edited"
bb "cmp -l"               1 $N cmp -l "$D/bin64k" "$D/text2k"
bb "cmp same"             0 $N cmp "$D/text" "$D/text"
bb "find"                 0 $N find "$T"
bb "find -type -name"     0 $N find "$T" -type f -name '*.c'
bb "find -size -mtime"    0 $N find "$T" -size +2k -newer "$T/src/lib/util.c"
bb "find -mindepth -perm" 0 $N find "$T" -mindepth 2 -perm -0100
bb "find -maxdepth -print0" 0 $N find "$T" -maxdepth 1 -print0
bb "ls -lR"               0 $N ls -lnR "$T"
bb "ls -lS --full-time"   0 $N ls -lnS --full-time "$T/src/lib" "$T/doc"
bb "ls -1t -r -i"         0 $N ls -1tri "$T/src" "$T/doc"
bb "ls -F -A"             0 $N ls -FA "$T" "$T/doc"
bb "ls missing"           1 $N ls "$T/no-such"
bb "stat -c"              0 $N stat -c '%n|%s|%a|%A|%F|%h|%i|%u|%g|%Y|%y|%N' "$T/src/main.c" "$T/src/lib/util.c" "$T/doc/readme.link" "$T/empty"
bb "stat -L -c"           0 $N stat -L -c '%n %s %F %Z' "$T/doc/readme.link"
bb "date -d"              0 $N date -d '2021-03-04 05:06:07' '+%s %A %B %d %j %U %W %u %Z %z %I%p %y'
bb "date -u -d @"         0 $N date -u -d @1600000000
bb "date -R leap"         0 $N date -R -d '2024-02-29 23:59:59'
bb "date bad"             1 $N date -d 'not a date'
bb "tar c"                0 $N tar cf - -C "$T" .
bb "tar cv"               0 $N tar cvf - -C "$T" src doc README
bb "tar tvf"              0 $N tar tvf "$D/tree.tar"
bb "tar t stdin"          0 "$D/tree.tar" tar tf -
bb "tar xO"               0 $N tar xOf "$D/tree.tar" ./src/main.c ./README

# ---------------------------------------------------------------- bash
# Builtins only: no pipes, no $(...), no external commands, since rewind
# runs one process (no fork or exec yet).
if [ -x "$BASHS" ]; then
	B=$WORK/bash
	mkdir -p "$B"
	cat >"$B/arith.bash" <<'EOF'
# Integer arithmetic in loops: LCG, gcd, sieve in an array, 64-bit wrap.
x=1
for ((i = 0; i < 3000; i++)); do
	x=$(( (x * 6364136223846793005 + 1442695040888963407) ))
done
echo "lcg $x $(( x >> 33 )) $(( x & 0xffff )) $(( x ^ -1 ))"
gcd() { local a=$1 b=$2 t; while ((b)); do t=$((a % b)); a=$b; b=$t; done; r=$a; }
gcd 1071 462; echo "gcd $r"
declare -a c
n=2000 p=0
for ((i = 2; i <= n; i++)); do
	if [[ -z ${c[i]} ]]; then
		((p++))
		for ((j = i * i; j <= n; j += i)); do c[j]=1; done
	fi
done
echo "primes $p"
echo "pow $((3 ** 40)) $((2 ** 63)) $((-7 % 3)) $((-7 / 2)) $((16#ff + 8#17 + 2#1011 + 36#zz))"
echo "cmp $((5 > 3 ? 10 : 20)) $((1 << 62 | 5)) $(( ~5 )) $(( !0 ))"
let "y = 17 * 3" "z = y % 5"; echo "let $y $z"
EOF

	cat >"$B/strings.bash" <<'EOF'
s="The quick brown fox jumps over the lazy dog"
echo "${s//o/0}|${s/quick/slow}|${s/#The/A}|${s/%dog/cat}"
echo "${#s}|${s:4:5}|${s: -3}|${s:10}|${s^^}|${s,,}|${s~}"
path=/usr/local/lib/libfoo.so.1.2
echo "${path##*/}|${path%/*}|${path%%.*}|${path#*.}"
for w in apple Banana cherry 42 x-ray ''; do
	case $w in
	[A-Z]*) echo "$w: capital" ;;
	*[0-9]) echo "$w: digits" ;;
	*-*) echo "$w: dash" ;;
	a*|c*) echo "$w: a or c" ;;
	'') echo "empty" ;;
	esac
done
if [[ $path =~ lib([a-z]+)\.so\.([0-9.]+) ]]; then
	echo "match ${BASH_REMATCH[1]} ${BASH_REMATCH[2]}"
fi
shopt -s extglob
f=file.tar.gz
echo "${f%.@(gz|bz2)} ${f//+([a-z])/X}"
out=
for ((i = 0; i < 200; i++)); do printf -v h '%02x' $((i * 7 % 256)); out+=$h; done
echo "${#out} ${out:0:40} ${out: -10}"
r=; str=abcdefghijklmnopqrstuvwxyz
for ((i = ${#str} - 1; i >= 0; i--)); do r+=${str:i:1}; done
echo "$r"
EOF

	cat >"$B/arrays.bash" <<'EOF'
a=(pear apple fig banana cherry date)
a+=(elderberry)
echo "${#a[@]} ${a[2]} ${a[-1]} ${a[*]:1:3}"
# bubble sort
n=${#a[@]}
for ((i = 0; i < n; i++)); do
	for ((j = 0; j < n - i - 1; j++)); do
		if [[ ${a[j]} > ${a[j+1]} ]]; then t=${a[j]}; a[j]=${a[j+1]}; a[j+1]=$t; fi
	done
done
echo "${a[@]}"
unset 'a[1]'; echo "${!a[@]}"
declare -A count
for w in the cat and the dog and the bird; do count[$w]=$(( ${count[$w]:-0} + 1 )); done
for k in the cat and dog bird; do echo "$k=${count[$k]}"; done
echo "${#count[@]}"
declare -A m=([one]=1 [two]=2 [three]=3)
sum=0; for k in "${!m[@]}"; do sum=$((sum + m[$k])); done; echo "sum $sum"
mapfile -t lines <<< $'l1\nl2 with spaces\nl3'
echo "${#lines[@]} <${lines[1]}>"
declare -a big; for ((i = 0; i < 3000; i++)); do big[i]=$((i * i % 1009)); done
t=0; for v in "${big[@]}"; do ((t += v)); done; echo "big $t"
declare -p m >/dev/null && echo declared
EOF

	cat >"$B/printf.bash" <<'EOF'
printf '%d|%5d|%-5d|%05d|%x|%X|%o|%#x|%c|%s|%10.3s|\n' 42 42 42 42 255 255 8 255 A hello abcdef
printf '%f|%.2f|%e|%g|%G|%10.4f\n' 3.14159265 2.5 12345.678 0.00001234 1e20 -1.5
printf '%q\n' 'a b' "it's" $'tab\there'
printf '%b\n' 'esc\tand\\n' '\x41\0102'
printf '%(%Y-%m-%d %H:%M:%S)T\n' 1600000000
printf '[%s]\n' one two three
printf -v v '%08.3f' 3.14159; echo "$v"
printf '%s\n' "${BASH_VERSINFO[0]}"
printf '%d\n' 0x1f 077 -5 "'A"
EOF

	cat >"$B/functions.bash" <<'EOF'
fib() { if (($1 < 2)); then r=$1; return; fi; local a; fib $(($1 - 1)); a=$r; fib $(($1 - 2)); r=$((a + r)); }
fib 15; echo "fib $r"
ack() {
	local m=$1 n=$2
	if ((m == 0)); then r=$((n + 1))
	elif ((n == 0)); then ack $((m - 1)) 1
	else ack $m $((n - 1)); ack $((m - 1)) $r; fi
}
ack 2 3; echo "ack $r"
moves=0
hanoi() { (($1 == 0)) && return; hanoi $(($1 - 1)) $2 $4 $3; ((moves++)); hanoi $(($1 - 1)) $4 $3 $2; }
hanoi 9 A B C; echo "hanoi $moves"
counter() { local -i n=0; for x in "$@"; do n+=${#x}; done; return $((n % 256)); }
counter aa bbb cccc; echo "status $?"
outer() { local v=outer; inner; echo "after inner: $v"; }
inner() { v=changed-by-inner; }
outer
trap 'echo "exit trap"' EXIT
exit 3
EOF

	cat >"$B/herestrings.bash" <<'EOF'
read -r a b c <<< "x y z and more"
echo "[$a] [$b] [$c]"
IFS=: read -r -a parts <<< "root:x:0:0:root:/root:/bin/sh"
echo "${#parts[@]} ${parts[5]}"
n=0
while read -r line; do ((n += ${#line})); done <<< $'one\ntwo\nthree\nfour'
echo "chars $n"
while IFS= read -r line; do echo "doc: $line"; done <<EOD
first $((6 * 7))
	second with tab
EOD
read -r -d '' blk <<< "multi
line" || true
echo "${blk//$'\n'/|}"
EOF

	for s in arith strings arrays printf functions herestrings; do
		expect=0
		[ $s = functions ] && expect=3
		diff_case "bash $s" $expect $N none "$BASHS" "$B/$s.bash"
	done
	diff_case "bash -c syntax error" 2 $N none "$BASHS" -c 'if then fi'
	diff_case "bash -c exit" 7 $N none "$BASHS" -c 'x=3; exit $((x + 4))'
	diff_case "bash stdin script" 0 "$B/strings.bash" none "$BASHS" -s
	# Without HOME and SHELL, bash looks its user up (getpwuid): static
	# glibc first asks nscd over an AF_UNIX socket, then reads
	# /etc/passwd.  CI machines run like this.
	saved_home=${HOME-} saved_shell=${SHELL-}
	unset HOME SHELL
	diff_case "bash without HOME and SHELL" 0 $N none "$BASHS" \
		-c 'echo ~; echo "$SHELL"'
	export HOME=$saved_home SHELL=$saved_shell
else
	echo "FAIL bash: $BASHS not found (apt-get install bash-static)"
	FAILED=$((FAILED + 1))
fi

# ---------------------------------------------------------------- x86-64-v2
REWIND=$WORK/rewind-v2
PFX="v2 "
core_cases
bb "gzip -c"              0 $N gzip -c "$D/text"
bb "bunzip2 -c"           0 $N bunzip2 -c "$D/text.bz2"
bb "sort large"           0 $N sort "$D/text"
bb "ls -lR"               0 $N ls -lnR "$T"
bb "tar tvf"              0 $N tar tvf "$D/tree.tar"
if [ -x "$BASHS" ]; then
	diff_case "v2 bash strings" 0 $N none "$BASHS" "$B/strings.bash"
	diff_case "v2 bash arrays" 0 $N none "$BASHS" "$B/arrays.bash"
fi

# The examples built for x86-64-v2 (examples.mk: NAME.v2glibc, NAME.v2musl),
# with the same arguments as in examples.sh.
{
	for i in $(seq 1 200); do
		printf 'Line %d:\tThe quick brown fox jumps over the lazy dog.\n' "$i"
		[ $((i % 17)) -eq 0 ] && printf '\n  \n'
	done
	printf 'no newline at the end'
} >"$WORK/filter.in"
export GREETING="hello from corpus.sh"
found=0
for bin in "$EXAMPLES_DIR"/*.v2glibc "$EXAMPLES_DIR"/*.v2musl; do
	[ -e "$bin" ] || continue
	found=$((found + 1))
	name="v2 $(basename "$bin")"
	base=$(basename "$bin")
	case ${base%.*} in
	hello)    diff_case "$name" 3 $N none "$bin" world "two words" 3 ;;
	files)    diff_case "$name" 0 $N tmp "$bin" @TMP@ ;;
	filter)   diff_case "$name" 0 "$WORK/filter.in" none "$bin" ;;
	timerand) diff_case "$name" 0 $N digits "$bin" ;;
	crash)    diff_case "$name" 139 $N none "$bin" ;;
	buggy)    diff_case "$name" 139 $N none "$bin" ;;
	abort)    diff_case "$name" 134 $N none "$bin" ;;
	*)        diff_case "$name" 0 $N none "$bin" ;;
	esac
done
if [ "$found" -eq 0 ]; then
	echo "FAIL v2 examples: no *.v2glibc or *.v2musl in $EXAMPLES_DIR (run make examples)"
	FAILED=$((FAILED + 1))
fi
REWIND=$REWIND_V1

diff_summary
