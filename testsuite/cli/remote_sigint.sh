# SIGINT to stap during a --remote=qemu run stops the script gracefully: the end probe's
# output arrives and the exit status is 0.
. "$(dirname "$0")/common.inc"
"$STAP" --remote=qemu:"$RELEASE" -e 'probe begin { println("up") } probe end { println("bye") }' >"$T/o" 2>"$T/e" &
pid=$!
for _ in $(seq 1 120); do
	grep -q up "$T/o" 2>/dev/null && break
	sleep 0.5
done
grep -q up "$T/o" || { kill -9 $pid; cat "$T/e"; die "script never started"; }
kill -INT $pid
wait $pid
rc=$?
[ $rc -eq 0 ] || { cat "$T/e"; die "exit status $rc"; }
[ "$(cat "$T/o")" = "$(printf 'up\nbye')" ] || { cat "$T/o"; die "output"; }
exit 0
