#!/bin/bash
# probe-overhead.sh - per-hit cost of our kprobe handlers against a bare kprobe, in one VM boot.
#
# Usage: bench/probe-overhead.sh [N] [ROUNDS] [CPUS] [RELEASE]   (default 1000000 7 2)
#
# The workload (bench/getppid-loop.c, static) makes N getppid() system calls and times
# the loop itself. In one VM boot, it runs ROUNDS times under each of:
#   none    nothing loaded (before and after the others)
#   bare    bench/bare-kprobe: a kprobe on __x64_sys_getppid whose handler only does an
#           atomic increment (the floor any kprobe-based tool pays)
#   count   our module for   probe kprobe.function("__x64_sys_getppid") { count++ }
#   stats   our module for   probe kprobe.function("__x64_sys_getppid") { s[execname()] <<< 1 }
# Each module is loaded once for its ROUNDS runs. Added cost per hit = (t_config -
# t_none) / N, and the ratios ours-added / bare-added. Two estimators: the minimum time of
# each configuration (host load under TCG only ever adds time, so the minimum is the
# least disturbed run) and the median.
#
# Every probed run is checked, and one that fails is left out (a probe that missed calls
# makes a run look fast): the bare module's counter must grow by N; our scripts must still
# be running when the run ends (a probe on the workload's getpgid(0) after its loop prints
# "mark"), and their own count, printed by their end probe, must be ROUNDS * N, else the
# whole session is dropped and tried again (up to 3 times). (Under TCG with 2 vCPUs a
# kprobe sometimes misses calls for a while, with this code as with the code before it;
# so do sessions that stop early.) They say "ready" from a timer probe, which runs only
# once every probe is registered; timer hits that come while the kprobe handler runs are
# skipped (handlers keep interrupts enabled) and their number is reported. The guest runs
# under QEMU TCG (software emulation): absolute figures are far from real hardware and
# noisy; the ratios are what to compare.
set -u
cd "$(dirname "$0")/.." || exit 1
TOP=$PWD
N=${1:-1000000}
ROUNDS=${2:-7}
CPUS=${3:-2}
RELEASE=${4:-6.1.0-56-cloud-amd64}
FUNC=__x64_sys_getppid
W=$(mktemp -d /tmp/probe-overhead.XXXXXX)
trap 'rm -rf "$W"' EXIT

# Both scripts: "ready" once running, "mark" after each run of the workload.
common='probe timer.ms(100) { if (!ready) { ready = 1; println("ready") } }
probe kprobe.function("__x64_sys_getpgid") { if (execname() == "getppid-loop") println("mark") }'
cat >"$W/pcount.stp" <<STP
global count, ready
probe kprobe.function("$FUNC") { count++ }
probe end { printf("hits %d\n", count) }
$common
STP
cat >"$W/pstats.stp" <<STP
global s, ready
probe kprobe.function("$FUNC") { s[execname()] <<< 1 }
probe end { printf("hits %d\n", @count(s["getppid-loop"])) }
$common
STP
for m in pcount pstats; do
	(cd "$W" && "$TOP/translator/stap" -p4 -r "$RELEASE" -m $m $m.stp >/dev/null 2>$m.err) ||
		{ echo "build of $m failed: $(tail -3 "$W/$m.err")"; exit 1; }
done
mkdir "$W/bare"
cp bench/bare-kprobe/bare_kprobe.c bench/bare-kprobe/Kbuild "$W/bare/"
make -C "/lib/modules/$RELEASE/build" M="$W/bare" modules >"$W/bare.log" 2>&1 ||
	{ echo "build of bench/bare-kprobe failed: $(tail -3 "$W/bare.log")"; exit 1; }
gcc -O2 -static -o "$W/getppid-loop" bench/getppid-loop.c || exit 1

# Guest output: "run CONFIG NS OK" per run of the workload, in order (OK 1, or 0 for a run
# that failed its check), "lost CONFIG HITS" for a session of ours that missed calls, and
# "skipped N" from our scripts' final warnings.
cat >"$W/job.sh" <<'JOB'
N=$1 ROUNDS=$2
loop() { ./getppid-loop $N | sed -n 's/^ns \([0-9]*\) .*/\1/p'; }
# waitfor LINE COUNT: until out has COUNT such lines (at most 10 s); fails if it has not.
waitfor() {
	i=0
	while [ "$(grep -c "^$1\$" out)" -lt $2 ]; do
		[ $i -ge 200 ] && return 1
		sleep 0.05
		i=$((i + 1))
	done
}
# ours CONFIG MODULE: the runs while our module is loaded, then stops it (SIGINT). The runs
# count only if the probe saw every call: returns 1 (and prints "lost") if not.
ours() {
	./staprun $2.ko >out 2>err &
	p=$!
	waitfor ready 1
	r=1
	runs=
	while [ $r -le $ROUNDS ]; do
		t=$(loop)
		waitfor mark $r && runs="$runs $t:1" || runs="$runs $t:0"
		r=$((r + 1))
	done
	kill -INT $p
	wait $p
	total=$(sed -n 's/^hits //p' out)
	sed -n 's/^WARNING: Number of errors: 0, skipped probes: /skipped /p' err
	grep -v '^WARNING: Number of errors: 0, skipped probes' err | sed 's/^/stderr /'
	ok=1
	if [ "$total" != $((ROUNDS * N)) ]; then
		echo "lost $1 $total"
		ok=0
	fi
	for x in $runs; do
		[ $ok = 1 ] && echo "run $1 ${x%:*} ${x#*:}" || echo "run $1 ${x%:*} 0 lost"
	done
	[ $ok = 1 ]
}
nones() {
	r=0
	while [ $r -lt $ROUNDS ]; do
		echo "run none $(loop) 1"
		r=$((r + 1))
	done
}
nones
insmod ./bare_kprobe.ko
r=0
while [ $r -lt $ROUNDS ]; do
	h0=$(cat /sys/module/bare_kprobe/parameters/hits)
	t=$(loop)
	h=$(($(cat /sys/module/bare_kprobe/parameters/hits) - h0))
	[ $h = $N ] && echo "run bare $t 1" || echo "run bare $t 0"
	r=$((r + 1))
done
rmmod bare_kprobe
for c in count:pcount stats:pstats; do
	a=1
	until ours ${c%:*} ${c#*:} || [ $a -ge 3 ]; do
		a=$((a + 1))
	done
done
nones
JOB

# vm OUT CPUS N ROUNDS [QEMU]: runs the job in a VM (QEMU: the qemu binary to use).
vm() {
	STAPVM_QEMU=${5:-${STAPVM_QEMU:-qemu-system-x86_64}} "$TOP/staprun/stap-vm" -r "$RELEASE" \
		-s "$2" -T 1800 -l "$W/klog" -f staprun/staprun -f staprun/stapio -f "$W/pcount.ko" \
		-f "$W/pstats.ko" -f "$W/bare/bare_kprobe.ko" -f "$W/getppid-loop" \
		"$W/job.sh" "$3" "$4" >"$1" 2>"$W/err" && return 0
	echo "VM run failed: $(tail -5 "$W/err")"
	cat "$1"
	cp "$W/klog" /tmp/probe-overhead.klog && echo "kernel log: /tmp/probe-overhead.klog"
	exit 1
}

# The figures: from "run CONFIG VALUE OK" lines, VALUE in ns (or instructions, UNIT).
summary() {
	awk -v N="$1" -v R="$2" -v UNIT="$3" -v TITLE="$4" '
	function median(a, n,    i, j, t) {
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	$1 == "run" && $4 != 1 {
		if ($5 != "lost")
			printf "left out: a %s run whose probe was not running when it ended\n", $2
		dropped++
		next
	}
	$1 == "run" { k = ++n[$2]; t[$2, k] = $3; next }
	$1 == "lost" {
		printf "%s: a session whose probe missed calls (%s of %d seen): not used\n", $2, $3, R * N
		next
	}
	$1 == "skipped" { skips += $2; next }
	$1 == "stderr" { print; next }
	END {
		split("none bare count stats", cfg, " ")
		for (c = 1; c <= 4; c++)
			if (n[cfg[c]] < 1) { print "no valid run of " cfg[c]; exit 1 }
		print TITLE
		printf "  config  runs  min/call  median/call   added per hit (%s): from min, from median\n", UNIT
		for (c = 1; c <= 4; c++) {
			name = cfg[c]
			lo = 1e99
			for (k = 1; k <= n[name]; k++) {
				v[k] = t[name, k]
				if (v[k] < lo) lo = v[k]
			}
			mn[name] = lo / N
			md[name] = median(v, n[name]) / N
			amin[name] = mn[name] - mn["none"]
			amed[name] = md[name] - md["none"]
			printf "  %-6s %5d %9.1f %12.1f   %+22.1f %+12.1f\n", name, n[name], mn[name],
				md[name], (c > 1 ? amin[name] : 0), (c > 1 ? amed[name] : 0)
		}
		for (c = 3; c <= 4; c++)
			printf "ratio %-5s added / bare added: %.2f from the minima, %.2f from the medians\n",
				cfg[c], amin[cfg[c]] / amin["bare"], amed[cfg[c]] / amed["bare"]
		printf "runs left out: %d; timer hits skipped during handlers: %d\n", dropped, skips
	}'
}

vm "$W/out" "$CPUS" "$N" "$ROUNDS"
summary "$N" "$ROUNDS" ns "getppid() x $N, $ROUNDS rounds (QEMU TCG guest, $CPUS vCPUs): time" <"$W/out"

# The same runs once more, counting guest instructions (bench/insn-count) instead of
# timing: free of the host's load, and repeatable to a few instructions per call (what
# else the guest runs meanwhile is counted too). One vCPU, one round.
N2=$N
cc -O2 -shared -fPIC -o "$W/insn_count.so" bench/insn-count/insn_count.c || exit 1
printf '#!/bin/sh\nexec %s -plugin %s,out=%s "$@"\n' "${STAPVM_QEMU:-qemu-system-x86_64}" \
	"$W/insn_count.so" "$W/insns" >"$W/qemu-insns"
chmod +x "$W/qemu-insns"
: >"$W/insns"
vm "$W/out2" 1 "$N2" 1 "$W/qemu-insns"
echo
# Each run of the workload appended one count, in the order of the "run" lines.
awk 'NR == FNR { v[NR] = $2; next } $1 == "run" { $3 = v[++i] } { print }' "$W/insns" "$W/out2" |
	summary "$N2" 1 insns "getppid() x $N2 (QEMU TCG guest, 1 vCPU): guest instructions"
