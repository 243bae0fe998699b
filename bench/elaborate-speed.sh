#!/bin/bash
# bench/elaborate-speed.sh [NFILES] [REPEAT] - passes 1+2 (stap -p2) of a script that calls
# ten tapset functions from ten different files and uses one probe alias, with a large
# tapset library: the real tapset/ plus NFILES (default 400) generated library files shaped
# like real ones (doc comments, globals, private helpers, embedded-C and script functions,
# probe aliases, %( %) conditionals), about 40 lines per function. Reports the best wall
# time of REPEAT runs (default 20) and the peak RSS, with the tapset index cached (the
# normal case) and, once, with it rebuilt (first run after the library changed).
# Targets: < 30 ms and < 20 MB RSS with the index cached.
set -eu
cd "$(dirname "$0")/.."
NFILES=${1:-400}
REPEAT=${2:-20}
STAP=$PWD/translator/stap
[ -x "$STAP" ] || { echo "build translator/stap first (make translator/stap)"; exit 2; }
W=$(mktemp -d /tmp/stap-elab-bench.XXXXXX)
# KEEP=1 keeps the generated library (its folder is printed) for looking closer.
[ -n "${KEEP:-}" ] && echo "work folder: $W" || trap 'rm -rf "$W"' EXIT

# The library: the real one, plus generated files.
cp -r tapset "$W/tapset"
mkdir -p "$W/tapset/linux"
for ((i = 0; i < NFILES; i++)); do
	f="$W/tapset/linux/gen$i.stp"
	{
		echo "// gen$i.stp - generated library file $i"
		echo "private global __gen${i}_state"
		echo "global gen${i}_count"
		echo "%{"
		echo "#include <linux/kernel.h>"
		echo "%}"
		for ((j = 0; j < 10; j++)); do
			cat <<EOF
/**
 * sfunction gen${i}_f$j - generated function $j of file $i
 * @x: a number
 *
 * Description: Adds a few things together, so the body is not empty. Lines of
 * documentation make the file look like a real tapset file, where comments are
 * about as long as the code they describe.
 */
function gen${i}_f$j:long(x:long)
{
	y = x * $j + __gen${i}_helper(x)
	if (y > 100)
		y = y % 100
	for (k = 0; k < 3; k++)
		y += k
	gen${i}_count++
	return y
}

function gen${i}_e$j:long(x:long)
%{ /* pure */ /* unprivileged */
	STAP_RETVALUE = STAP_ARG_x + $j;
%}
EOF
		done
		cat <<EOF
private function __gen${i}_helper:long(v:long) { return v + 1 }
%( kernel_v >= "2.6.32" %?
function gen${i}_cond:string() { return "new" }
%:
function gen${i}_cond:string() { return "old" }
%)
probe gen$i.tick = timer.ms($((i + 1))) { name = "gen$i"; n = $i }
probe gen$i.tick.return += timer.ms($((i + 2))) { done = 1 }
EOF
	} >"$f"
done

cat >"$W/script.stp" <<'EOF'
global total
probe gen7.tick {
	total += gen1_f1(1) + gen50_f2(2) + gen99_e3(3) + gen150_f4(4) + gen200_e5(5)
	total += gen250_f6(6) + gen300_f7(7) + gen350_e8(8) + gen399_f9(9)
	printf("%s %d %s %d\n", name, total, gen123_cond(), n)
}
probe end { println(total) }
EOF

export SYSTEMTAP_TAPSET=$W/tapset
export SYSTEMTAP_DIR=$W/home
run() { "$STAP" -p2 -r "$(uname -r)" "$W/script.stp" >/dev/null; }
run || { "$STAP" -p2 "$W/script.stp"; exit 1; }

ms_of() {   # wall time of one run in ms (with the RSS in $W/rss)
	local t0 t1
	t0=$(date +%s%N)
	/usr/bin/time -f %M -o "$W/rss" "$STAP" -p2 -r "$(uname -r)" "$W/script.stp" >/dev/null
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000))
}

rm -rf "$W/home"
cold=$(ms_of)
cold_rss=$(cat "$W/rss")
best=999999999 rss=0
for ((r = 0; r < REPEAT; r++)); do
	us=$(ms_of)
	((us < best)) && best=$us
	m=$(cat "$W/rss")
	((m > rss)) && rss=$m
done
# CPU time (user + system) per run, averaged over REPEAT runs: wall time depends on the
# machine's load, CPU time much less.
/usr/bin/time -f '%U %S' -o "$W/cpu" bash -c "for ((r = 0; r < $REPEAT; r++)); do \"$STAP\" -p2 -r \"$(uname -r)\" \"$W/script.stp\" >/dev/null; done"
cpu_us=$(awk -v n="$REPEAT" '{ printf "%d", ($1 + $2) * 1000000 / n }' "$W/cpu")
nf=$(find "$W/tapset" -name '*.stp' | wc -l)
lines=$(cat $(find "$W/tapset" -name '*.stp') | wc -l)
printf 'library: %d files, %d lines; script: 10 functions from 10 files, 1 alias\n' "$nf" "$lines"
printf 'pass 1+2, index cached:  %d.%03d ms wall (best of %d), %d.%03d ms CPU (mean), peak RSS %d kB\n' \
	$((best / 1000)) $((best % 1000)) "$REPEAT" $((cpu_us / 1000)) $((cpu_us % 1000)) "$rss"
printf 'pass 1+2, index rebuilt: %d.%03d ms, peak RSS %d kB\n' \
	$((cold / 1000)) $((cold % 1000)) "$cold_rss"
