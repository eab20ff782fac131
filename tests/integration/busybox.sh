#!/usr/bin/env bash
# busybox.sh - differential test on real programs: busybox applets (the
# static Debian build, /bin/busybox) run natively and under `rewind run` on
# files this script creates.  stdout, stderr and exit status must be
# identical (see examples.sh for the comparison, diff_case).
#
# Environment: REWIND, BUSYBOX (default /bin/busybox), CASES, CASE_TIMEOUT.

set -u
. "$(dirname "$0")/examples.sh"

diff_setup
BB=${BUSYBOX:-/bin/busybox}
if [ ! -x "$BB" ]; then
	echo "FAIL busybox: $BB not found (apt-get install busybox-static)"
	exit 1
fi

# ---------------------------------------------------------------- fixtures
D=$WORK/data
mkdir -p "$D"
printf 'banana\napple\ncherry\napple\nbanana\nbanana\ndate\nelderberry\nfig\n' >"$D/fruit"
sort "$D/fruit" >"$D/fruit.sorted"
seq 1 1000 | sed 's/$/ lorem ipsum dolor sit amet/' >"$D/lines"
printf '%s\n' 10 -3 200 7 7 0 42 -17 1e3 >"$D/numbers"
printf 'root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\nuser:x:1000:1000:A User,,,:/home/user:/bin/bash\n' >"$D/passwd"
# 192 KiB of every byte value, for the checksums, od and base64.
for i in $(seq 0 255); do printf "\\$(printf %o "$i")"; done >"$D/bytes"
for i in $(seq 1 768); do cat "$D/bytes"; done >"$D/blob"
"$BB" base64 "$D/bytes" >"$D/bytes.b64"

# A directory for ls -la, every time stamp fixed, nothing else written there.
L=$WORK/lsroot
mkdir -p "$L/dir/subdir"
printf 'hello\n' >"$L/dir/small"
head -c 5000 "$D/blob" >"$L/dir/medium"
ln -s small "$L/dir/link"
chmod 0600 "$L/dir/small"
chmod 0751 "$L/dir/subdir"
touch -h -d '2021-03-04 05:06:07' "$L/dir/small" "$L/dir/medium" "$L/dir/link"
touch -d '2020-01-02 03:04:05' "$L/dir/subdir" "$L/dir" "$L"

# ---------------------------------------------------------------- cases
# bb NAME EXPECT STDIN APPLET ARGS...
bb() {
	local name=$1 expect=$2 in=$3
	shift 3
	diff_case "busybox $name" "$expect" "$in" none "$BB" "$@"
}
N=/dev/null

bb "echo"            0 $N echo hello, "two  spaces" -n
bb "echo -n -e"      0 $N echo -n -e 'tab\there\nnewline\0101'
bb "cat"             0 $N cat "$D/fruit" "$D/passwd"
bb "cat stdin"       0 "$D/lines" cat
bb "cat missing"     1 $N cat "$D/no-such-file"
bb "wc"              0 $N wc "$D/lines" "$D/fruit" "$D/blob"
bb "wc -l stdin"     0 "$D/lines" wc -l
bb "sort"            0 $N sort "$D/fruit"
bb "sort -n -r"      0 $N sort -n -r "$D/numbers"
bb "sort -t: -k3,3n" 0 $N sort -t: -k3,3n "$D/passwd"
bb "sort -u stdin"   0 "$D/fruit" sort -u
bb "uniq -c"         0 $N uniq -c "$D/fruit.sorted"
bb "uniq -d stdin"   0 "$D/fruit.sorted" uniq -d
bb "head -n 5"       0 $N head -n 5 "$D/lines"
bb "head -c 100"     0 "$D/blob" head -c 100
bb "tail -n 7"       0 $N tail -n 7 "$D/lines"
bb "tail -c 50"      0 $N tail -c 50 "$D/lines"
bb "tr a-z A-Z"      0 "$D/lines" tr a-z A-Z
bb "tr -d"           0 "$D/fruit" tr -d 'aeiou\n'
bb "cut -d: -f1,3"   0 $N cut -d: -f1,3 "$D/passwd"
bb "cut -c 2-5"      0 "$D/fruit" cut -c 2-5
bb "md5sum"          0 $N md5sum "$D/blob" "$D/fruit"
bb "sha256sum"       0 $N sha256sum "$D/blob"
bb "sha256sum stdin" 0 "$D/lines" sha256sum
bb "seq"             0 $N seq 1 3 100
bb "seq -w -s,"      0 $N seq -w -s, 5 7 115
bb "expr arith"      0 $N expr 6 '*' 7 + 100 / 3
bb "expr length"     0 $N expr length "hello world"
bb "expr false"      1 $N expr 0 '&' 1
bb "printf"          0 $N printf '%s=%d %x %o %5.2f|%-4s|\n' a 42 255 8 3.14159 x
bb "ls -la"          0 $N ls -la "$L/dir"
bb "ls -lR"          0 $N ls -lnR "$L"
bb "basename"        0 $N basename /usr/lib/libfoo.so.1 .1
bb "dirname"         0 $N dirname /usr/lib/libfoo.so.1
bb "od -A x -t x1"   0 $N od -A x -t x1 "$D/bytes"
bb "od -c stdin"     0 "$D/fruit" od -c
bb "base64"          0 $N base64 "$D/blob"
bb "base64 -d"       0 "$D/bytes.b64" base64 -d

diff_summary
