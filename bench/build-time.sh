#!/bin/bash
# build-time.sh - wall time of stap passes 1-4 for hello world, next to the time kbuild alone
# needs for a trivial module, on this machine. Usage: bench/build-time.sh [RUNS] [RELEASE]
# Also the time of a cache hit. Prints one line per measurement (median of RUNS) and the
# ratio.
set -eu
cd "$(dirname "$0")/.."
RUNS=${1:-3}
RELEASE=${2:-$(ls /boot/vmlinuz-* | sed 's|/boot/vmlinuz-||' | sort -V | tail -1)}
STAP=$PWD/translator/stap
W=$(mktemp -d /tmp/stap-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT

now_ms() { date +%s%3N; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

for _ in $(seq "$RUNS"); do
	t0=$(now_ms)
	(cd "$W" && "$STAP" -p4 --disable-cache -r "$RELEASE" -m bench_hello \
		-e 'probe begin { println("hello world") exit() }' >/dev/null)
	echo $(($(now_ms) - t0))
done | median >"$W/stap"

mkdir -p "$W/trivial"
cat >"$W/trivial/trivial.c" <<'C'
#include <linux/module.h>
static int __init t_init(void) { return 0; }
static void __exit t_exit(void) { }
module_init(t_init);
module_exit(t_exit);
MODULE_LICENSE("GPL");
C
echo 'obj-m := trivial.o' >"$W/trivial/Kbuild"
for _ in $(seq "$RUNS"); do
	make -s -C "/lib/modules/$RELEASE/build" M="$W/trivial" clean >/dev/null 2>&1
	t0=$(now_ms)
	make -s -C "/lib/modules/$RELEASE/build" M="$W/trivial" modules >/dev/null 2>&1
	echo $(($(now_ms) - t0))
done | median >"$W/kbuild"

# A cache hit: passes 1-4 when the module is already in the cache.
(cd "$W" && SYSTEMTAP_DIR=$W/sd "$STAP" -p4 -r "$RELEASE" -e 'probe begin { exit() }' >/dev/null)
for _ in $(seq "$RUNS"); do
	t0=$(now_ms)
	(cd "$W" && SYSTEMTAP_DIR=$W/sd "$STAP" -p4 -r "$RELEASE" -e 'probe begin { exit() }' >/dev/null)
	echo $(($(now_ms) - t0))
done | median >"$W/hit"

echo "stap passes 1-4, hello world: $(cat "$W/stap") ms (median of $RUNS, --disable-cache)"
echo "stap passes 1-4, cache hit:   $(cat "$W/hit") ms (median of $RUNS)"
echo "kbuild, trivial module:       $(cat "$W/kbuild") ms (median of $RUNS)"
awk -v a="$(cat "$W/stap")" -v b="$(cat "$W/kbuild")" 'BEGIN { printf "ratio stap/kbuild: %.2f\n", a / b }'
