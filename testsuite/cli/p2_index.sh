# The tapset index: only the files a script needs are parsed, the index is cached and
# rebuilt when the library changes, and it knows every function and alias of the real
# library.
. "$(dirname "$0")/common.inc"
export SYSTEMTAP_DIR=$T/stapdir
L=$T/lib
mkdir -p "$L/linux"
cat >"$L/a.stp" <<'STP'
function f_a() { return 1 }
STP
cat >"$L/linux/broken.stp" <<'STP'
function f_broken( { this file does not parse
STP
export SYSTEMTAP_TAPSET=$L
# Lazy: the broken file is not needed, so it is not parsed.
"$STAP" -p2 -e 'probe begin { println(f_a()) }' >"$T/o" 2>"$T/e" || { cat "$T/e"; die "f_a"; }
ls "$SYSTEMTAP_DIR"/cache/tapset-index-* >/dev/null 2>&1 || die "no index in the cache"
# Needed: then its errors show.
"$STAP" -p2 -e 'probe begin { println(f_broken()) }' >"$T/o" 2>"$T/e" && die "f_broken should fail"
grep -q "parse error" "$T/e" || { cat "$T/e"; die "no parse error for broken.stp"; }
# A new file, and a changed one, are seen.
cat >"$L/b.stp" <<'STP'
global g_b
probe b.start = begin { started = 1 }
function f_b() { return 2 }
STP
"$STAP" -p2 -e 'probe b.start { g_b = f_b() + started }' >"$T/o" 2>"$T/e" || { cat "$T/e"; die "f_b"; }
grep -q '^g_b:long' "$T/o" || { cat "$T/o"; die "library global g_b"; }
sleep 0.01
cat >>"$L/a.stp" <<'STP'
function f_a2() { return 3 }
STP
"$STAP" -p2 -e 'probe begin { println(f_a2()) }' >"$T/o" 2>"$T/e" || { cat "$T/e"; die "f_a2 after a change"; }
# Without a writable cache the index is built in memory.
SYSTEMTAP_DIR=/proc/nonexistent "$STAP" -p2 -e 'probe begin { println(f_a2()) }' >"$T/o" 2>"$T/e" || { cat "$T/e"; die "no cache"; }
# Private names are not in the index.
cat >"$L/c.stp" <<'STP'
private function f_c() { return 4 }
private global g_c
STP
"$STAP" -p2 -e 'probe begin { println(f_c()) }' >"$T/o" 2>"$T/e" && die "private f_c should not resolve"
grep -q "unresolved function f_c" "$T/e" || { cat "$T/e"; die "f_c message"; }

# The real library: every function and alias it lists can be found through the index.
unset SYSTEMTAP_TAPSET
"$STAP" --dump-functions >"$T/funcs" || die "--dump-functions"
awk '{ name = $1; sub(/:.*/, "", name); args = $0; sub(/^[^(]*\(/, "", args); sub(/\).*/, "", args);
       n = split(args, a, ","); s = name "(";
       for (i = 1; i <= n && args != ""; i++) s = s (i > 1 ? ", " : "") (a[i] ~ /:string/ ? "\"\"" : "0");
       print "\t" s ")" }' "$T/funcs" >"$T/calls"
{ echo 'probe begin {'; cat "$T/calls"; echo '}'; } >"$T/all.stp"
"$STAP" -p2 -u -g "$T/all.stp" >/dev/null 2>"$T/e"
grep -q "unresolved function" "$T/e" && { grep "unresolved function" "$T/e" | head; die "functions the index misses"; }
"$STAP" --dump-probe-aliases | sed 's/ [+]*=.*//' | sort -u >"$T/aliases"
while read -r a; do echo "probe $a ? { }"; done <"$T/aliases" >"$T/aliases.stp"
echo 'probe begin { }' >>"$T/aliases.stp"
"$STAP" -p2 "$T/aliases.stp" >/dev/null 2>"$T/e"
grep -q "probe point mismatch" "$T/e" && { grep -A1 "mismatch" "$T/e" | head; die "aliases the index misses"; }
exit 0
