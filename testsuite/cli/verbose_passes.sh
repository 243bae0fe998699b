# hello.stp with -v in the VM: all five pass lines, and the script's output on stdout.
. "$(dirname "$0")/common.inc"
script=$TOP/../shared/seed-scripts/hello.stp
[ -f "$script" ] || script=$TOP/examples/hello.stp
"$STAP" -v --remote=qemu:"$RELEASE" "$script" >"$T/o" 2>"$T/e" || { cat "$T/e"; die "run failed"; }
[ "$(cat "$T/o")" = "hello world" ] || { cat "$T/o"; die "stdout is not exactly 'hello world'"; }
for n in 1 2 3 4 5; do
	grep -qE "^Pass $n: " "$T/e" || { cat "$T/e"; die "no Pass $n line"; }
done
grep -qE '^Pass 1: parsed user script and [0-9]+ library scripts using [0-9]+virt/[0-9]+res/[0-9]+shr/[0-9]+data kb, in [0-9]+usr/[0-9]+sys/[0-9]+real ms\.$' "$T/e" || { cat "$T/e"; die "Pass 1 line format"; }
grep -qE '^Pass 5: run completed in [0-9]+usr/[0-9]+sys/[0-9]+real ms\.$' "$T/e" || die "Pass 5 line format"
exit 0
