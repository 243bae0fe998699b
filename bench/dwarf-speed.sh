#!/bin/bash
# dwarf-speed.sh - speed and memory of the DWARF layer on the real kernel: resolving every
# function of net/socket.c with its probe addresses and `stap -L` variables (what
# `stap -L 'kernel.function("*@net/socket.c")'` needs), cold (index cache removed: the
# index is built, about 0.7 s here) and warm (index mapped from the cache), plus one
# function without a file (index lookup), and stap's whole pass 2 for .call and .return
# probes on every function of net/socket.c. Usage: bench/dwarf-speed.sh [RELEASE] [RUNS]
# Targets: cold < 2 s, warm < 0.3 s, peak RSS < 300 MB.
set -eu
cd "$(dirname "$0")/.."
RELEASE=${1:-6.1.0-56-cloud-amd64}
RUNS=${2:-3}
W=$(mktemp -d /tmp/dwarf-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT
export SYSTEMTAP_DIR=$W/stapdir           # a private cache: the user's is left alone

if [ ! -f "/usr/lib/debug/boot/vmlinux-$RELEASE" ] &&
	[ ! -f "/usr/lib/debug/lib/modules/$RELEASE/vmlinux" ]; then
	echo "no debug vmlinux for $RELEASE (install linux-image-$RELEASE-dbg)" >&2
	exit 1
fi
gcc -std=gnu11 -O2 -g $(pkg-config --cflags libdw 2>/dev/null) -Itranslator -o "$W/dwtest" \
	testsuite/dwarf/dwtest.c translator/dwarf*.c translator/symbols.c translator/arena.c \
	$(pkg-config --libs libdw 2>/dev/null || echo -ldw -lelf)

# measure LABEL cold|warm ARGS...: prints "LABEL  seconds  peak-RSS-MB  lines" (median of
# RUNS by time) for `dwtest -k RELEASE ARGS...`, or for `stap ARGS...` when ARGS start with
# "stap"
measure() {
	local label=$1 cold=$2
	shift 2
	local cmd=("$W/dwtest" -k "$RELEASE")
	if [ "$1" = stap ]; then
		cmd=(translator/stap -r "$RELEASE")
		shift
	fi
	for _ in $(seq "$RUNS"); do
		[ "$cold" = cold ] && rm -rf "$SYSTEMTAP_DIR/cache/dwarf"
		/usr/bin/time -v "${cmd[@]}" "$@" >"$W/out" 2>"$W/time"
		wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$W/time" |
			awk -F: '{ print ($1 * 60) + $2 }')
		rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$W/time")
		echo "$wall $((rss / 1024)) $(grep -c . "$W/out")"
	done | sort -n | awk -v l="$label" '{ v[NR] = $0 } END {
		split(v[int((NR + 1) / 2)], f, " ");
		printf "%-34s %6.2f s  %5d MB  %4d lines\n", l, f[1], f[2], f[3] }'
}

echo "kernel $RELEASE, median of $RUNS runs"
measure "cold  *@net/socket.c (-L)" cold L '*@net/socket.c'
measure "warm  *@net/socket.c (-L)" warm L '*@net/socket.c'
measure "warm  tcp_v4_connect (-L)" warm L 'tcp_v4_connect'
measure "warm  *@net/core/*.c (-L)" warm L '*@net/core/*.c'
# The translator's pass 2 on the same functions, entry (.call) and return probes.
P2='probe kernel.function("*@net/socket.c").call, kernel.function("*@net/socket.c").return { println(ppfunc()) }'
measure "cold  stap -p2 socket.c call+return" cold stap -p2 -e "$P2"
measure "warm  stap -p2 socket.c call+return" warm stap -p2 -e "$P2"
