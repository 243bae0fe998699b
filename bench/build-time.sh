#!/bin/bash
# build-time.sh - wall time of stap passes 1-4 for hello world, on this machine:
#   cold     an empty $SYSTEMTAP_DIR: pass 4 learns kbuild's commands for the kernel,
#            precompiles its headers and builds the runtime, then the module (one run)
#   uncached the module cache bypassed (--disable-cache), the per-kernel data warm: one
#            compilation of the generated C, modpost and links (target: under 1200 ms)
#   hit      a module cache hit: passes 3 and 4 skipped (target: under 30 ms)
#   kbuild   STAP_KBUILD=1, the whole module built by kbuild as before
# next to the time kbuild alone needs for a trivial module. Medians of RUNS.
# Usage: bench/build-time.sh [RUNS] [RELEASE]
set -eu
cd "$(dirname "$0")/.."
RUNS=${1:-3}
RELEASE=${2:-$(ls /boot/vmlinuz-* | sed 's|/boot/vmlinuz-||' | sort -V | tail -1)}
STAP=$PWD/translator/stap
W=$(mktemp -d /tmp/stap-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT
export SYSTEMTAP_DIR=$W/sd
HELLO='probe begin { println("hello world") exit() }'

now_ms() { date +%s%3N; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# timed [VAR=VALUE...] [STAP-OPTION...]: milliseconds of stap -p4 for hello world in $W
timed() {
	local t0 envs=()
	while [ $# -gt 0 ] && [[ $1 == *=* ]]; do envs+=("$1"); shift; done
	t0=$(now_ms)
	(cd "$W" && env "${envs[@]}" "$STAP" -p4 "$@" -r "$RELEASE" -m bench_hello -e "$HELLO" >/dev/null)
	echo $(($(now_ms) - t0))
}
repeat() { for _ in $(seq "$RUNS"); do "$@"; done | median; }

timed >"$W/cold"
repeat timed --disable-cache >"$W/uncached"
repeat timed >"$W/hit"
repeat timed STAP_KBUILD=1 --disable-cache >"$W/kbuild"

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
done | median >"$W/trivial_ms"

echo "stap passes 1-4, hello world, cold cache:    $(cat "$W/cold") ms (one run)"
echo "stap passes 1-4, hello world, uncached:      $(cat "$W/uncached") ms (median of $RUNS, --disable-cache; target < 1200)"
echo "stap passes 1-4, hello world, cache hit:     $(cat "$W/hit") ms (median of $RUNS; target < 30)"
echo "stap passes 1-4, hello world, STAP_KBUILD=1: $(cat "$W/kbuild") ms (median of $RUNS)"
echo "kbuild, trivial module:                      $(cat "$W/trivial_ms") ms (median of $RUNS)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
awk -v a="$(cat "$W/uncached")" -v b="$(cat "$W/trivial_ms")" \
	'BEGIN { printf "ratio uncached stap/trivial kbuild: %.2f\n", a / b }'
