# stap -p2 output after optimization (elision warnings on stderr), with -u, and with -v
# (bodies) (golden files in p2/).
. "$(dirname "$0")/common.inc"
. "$(dirname "$0")/p2/lib.inc"
check optimize
check unoptimized -u
(cd "$P2" && "$STAP" -p2 -v verbose.stp >"$T/verbose.out" 2>"$T/verbose.err") || die "verbose failed"
if [ -n "${UPDATE:-}" ]; then cp "$T/verbose.out" "$P2/verbose.out"; exit 0; fi
diff -u "$P2/verbose.out" "$T/verbose.out" || die "verbose: -p2 -v output differs"
grep -q '^Pass 2: analyzed script: 1 probe, 1 function, 0 embeds, 0 globals' "$T/verbose.err" || { cat "$T/verbose.err"; die "no Pass 2 line"; }
exit 0
