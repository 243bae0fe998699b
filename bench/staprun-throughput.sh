#!/bin/bash
# staprun-throughput.sh - pass-5 output throughput and start-up time, in one VM boot.
#
# Usage: bench/staprun-throughput.sh [LINES] [RUNS] [RELEASE]   (default 2000000 3)
#
# Uses testsuite/staprun/tmod.stp (its begin probes print LINES numbered lines; with
# stamp=1 the first begin probe prints CLOCK_BOOTTIME first). In the guest (4 CPUs), with
# the median of RUNS runs each:
#   start      staprun started -> first begin probe running (ms), and the whole run of a
#              script that only calls exit() (ms)
#   stream     LINES lines printed by the begin probes, relayed to a tmpfs file with a
#              buffer that holds them all (-b 64): lines/s from the first begin probe to
#              staprun's exit, and from staprun's start; checked complete (seqcheck)
#   default    the same with the default 1 MB buffer: lines/s and bytes lost, if any
#   threads    4 kernel threads (one per CPU) printing LINES/4 lines each (-b 64)
#   drain      a buffer pre-filled with the same output (-L), drained by "staprun -A":
#              the pure relay rate (attach run minus an attach run with nothing buffered)
#   cat        the floor: cat of a tmpfs file of the same size to another tmpfs file
# and the ratios of stream/threads/drain rates to the cat rate. The VM is QEMU TCG
# (software emulation): absolute numbers are far below real hardware; ratios travel.
set -u
cd "$(dirname "$0")/.." || exit 1
TOP=$PWD
LINES=${1:-2000000}
RUNS=${2:-3}
RELEASE=${3:-6.1.0-56-cloud-amd64}
W=$(mktemp -d /tmp/staprun-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT

(cd "$W" && "$TOP/translator/stap" -p4 -g -DMAXACTION=1000000000 -r "$RELEASE" -m tmod \
	"$TOP/testsuite/staprun/tmod.stp" >/dev/null 2>build.err) ||
	{ echo "build failed: $(tail -3 "$W/build.err")"; exit 1; }
gcc -O2 -static -o "$W/seqcheck" testsuite/staprun/seqcheck.c || exit 1
# tm OUT CMD...: runs CMD, appends "START_NS END_NS STATUS" (CLOCK_BOOTTIME) to OUT.
cat >"$W/tm.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
static long long now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_BOOTTIME, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}
int main(int argc, char **argv)
{
	int st;
	if (argc < 3)
		return 2;
	long long t0 = now();
	pid_t p = fork();
	if (p == 0) {
		execv(argv[2], argv + 2);
		_exit(127);
	}
	waitpid(p, &st, 0);
	long long t1 = now();
	FILE *f = fopen(argv[1], "a");
	fprintf(f, "%lld %lld %d\n", t0, t1, WIFEXITED(st) ? WEXITSTATUS(st) : 128);
	fclose(f);
	return 0;
}
C
gcc -O2 -static -o "$W/tm" "$W/tm.c" || exit 1

cat >"$W/job.sh" <<'JOB'
L=$1 RUNS=$2
SR=/work/staprun M=/work/tmod.ko O=/tmp/out
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# stamp T: the "stamp NS" line of output file O
stamp() { sed -n 's/^stamp //p' $O | head -n 1; }
run() { # NAME CMD... : times CMD RUNS times; per run: "start_ns end_ns rc stamp_ns lost"
	n=$1
	shift
	: >/tmp/$n.t
	i=0
	while [ $i -lt $RUNS ]; do
		rm -f $O /tmp/e
		: >/tmp/one
		./tm /tmp/one "$@" 2>/tmp/e
		lost=$(sed -n 's/.*There were \([0-9]*\) bytes of output lost.*/\1/p' /tmp/e)
		echo "$(cat /tmp/one) $(stamp) ${lost:-0}" >>/tmp/$n.t
		i=$((i + 1))
	done
}
ms() { awk '{ print ($2 - $1) / 1e6 }' /tmp/$1.t | median; }
ms_from_stamp() { awk '{ print ($2 - $4) / 1e6 }' /tmp/$1.t | median; }
ms_to_stamp() { awk '{ print ($4 - $1) / 1e6 }' /tmp/$1.t | median; }

run hello $SR -o $O $M stamp=1
echo "start_to_begin_ms $(ms_to_stamp hello)"
echo "hello_total_ms $(ms hello)"

run stream $SR -b 64 -o $O $M stamp=1 lines=$L
echo "stream_check $(grep -v '^stamp ' $O | ./seqcheck)"
echo "stream_bytes $(wc -c <$O)"
echo "stream_ms_from_begin $(ms_from_stamp stream)"
echo "stream_ms_total $(ms stream)"
echo "stream_lost $(awk '{ s += $5 } END { print s }' /tmp/stream.t)"
cp $O /tmp/copy

run default $SR -o $O $M stamp=1 lines=$L
echo "default_ms_from_begin $(ms_from_stamp default)"
echo "default_lost_max $(awk '$5 > m { m = $5 } END { print m + 0 }' /tmp/default.t)"

# Threads: spawned by writing the module parameter once the script runs.
: >/tmp/threads.t
i=0
while [ $i -lt $RUNS ]; do
	rm -f $O
	$SR -b 64 -o $O $M stop=0 tlines=$((L / 4)) 2>/tmp/e &
	p=$!
	while ! grep -q begin $O 2>/dev/null; do sleep 0.05; done
	: >/tmp/one
	./tm /tmp/one /bin/sh -c "echo 1 >/sys/module/tmod/parameters/spawn; while kill -0 $p 2>/dev/null; do sleep 0.01; done"
	wait $p
	echo "$(cat /tmp/one)" >>/tmp/threads.t
	i=$((i + 1))
done
echo "threads_check $(./seqcheck $O)"
echo "threads_ms $(ms threads)"

# Pre-filled buffer: -L fills it (nobody reads), -A drains it; minus an empty attach.
: >/tmp/drain.t
: >/tmp/empty.t
i=0
while [ $i -lt $RUNS ]; do
	$SR -L -b 64 $M stop=0 lines=$L >/dev/null
	rm -f $O
	./tm /tmp/drain.t $SR -A -o $O -c true tmod 2>/tmp/e
	$SR -L -b 64 $M stop=0 >/dev/null
	./tm /tmp/empty.t $SR -A -o /tmp/out2 -c true tmod 2>>/tmp/e
	i=$((i + 1))
done
echo "drain_check $(./seqcheck $O)"
echo "drain_ms $(ms drain)"
echo "drain_empty_ms $(ms empty)"

: >/tmp/cat.t
i=0
while [ $i -lt $RUNS ]; do
	rm -f /tmp/out3
	./tm /tmp/cat.t /bin/sh -c "cat /tmp/copy >/tmp/out3"
	i=$((i + 1))
done
echo "cat_ms $(ms cat)"
JOB

"$TOP/staprun/stap-vm" -r "$RELEASE" -s 4 -T 1200 -f staprun/staprun -f staprun/stapio \
	-f "$W/tmod.ko" -f "$W/seqcheck" -f "$W/tm" "$W/job.sh" "$LINES" "$RUNS" >"$W/out" 2>"$W/err" ||
	{ echo "VM run failed: $(tail -5 "$W/err")"; cat "$W/out"; exit 1; }

awk -v L="$LINES" '
	{ v[$1] = $2; line[$1] = $0 }
	END {
		mb = v["stream_bytes"] / 1048576
		printf "output: %d lines, %.1f MB per run (QEMU TCG guest, 4 vCPUs)\n", L, mb
		printf "start: staprun start -> begin probe %.1f ms; whole exit()-only script %.1f ms\n",
			v["start_to_begin_ms"], v["hello_total_ms"]
		cat = L / (v["cat_ms"] / 1000)
		s1 = L / (v["stream_ms_from_begin"] / 1000); s2 = L / (v["stream_ms_total"] / 1000)
		d = L / (v["default_ms_from_begin"] / 1000)
		t = L / (v["threads_ms"] / 1000)
		dr = L / ((v["drain_ms"] - v["drain_empty_ms"]) / 1000)
		printf "stream (-b 64):     %10.0f lines/s from begin probe to exit (%.1f MB/s), %10.0f lines/s incl. load/unload; lost %d bytes\n",
			s1, mb / (v["stream_ms_from_begin"] / 1000), s2, v["stream_lost"]
		printf "stream (default 1 MB buffer): %10.0f lines/s; lost at most %d bytes in a run\n", d, v["default_lost_max"]
		printf "threads (4 CPUs, -b 64): %10.0f lines/s from spawn to exit\n", t
		printf "drain of a pre-filled buffer: %10.0f lines/s (%.1f MB/s)\n", dr, mb / ((v["drain_ms"] - v["drain_empty_ms"]) / 1000)
		printf "floor, cat of an equal tmpfs file: %10.0f lines/s (%.1f MB/s)\n", cat, mb / (v["cat_ms"] / 1000)
		printf "ratios to the cat floor: stream %.2f, threads %.2f, drain %.2f\n", s1 / cat, t / cat, dr / cat
		print "checks: " line["stream_check"]
		print "        " line["threads_check"]
		print "        " line["drain_check"]
	}' "$W/out"
