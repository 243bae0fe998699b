# The tapset reference (scripts/tapset-man): every public tapset function and probe alias
# has a /** */ comment and gets a function::NAME / probe::NAME page that renders cleanly;
# undocumented definitions are reported with their file and line.
. "$(dirname "$0")/common.inc"
GEN=$TOP/scripts/tapset-man

"$GEN" --check "$TOP/tapset" 2>"$T/problems" ||
	die "tapset doc comments missing or misplaced (see doc/tapset-comments.7stap):
$(cat "$T/problems")"
"$GEN" -V test "$T/man" "$TOP/tapset" 2>"$T/err" || die "tapset-man failed: $(cat "$T/err")"

# The names stap itself knows (pass 2 of the whole library) each have a page.
"$STAP" --dump-functions >"$T/funcs" || die "--dump-functions failed"
"$STAP" --dump-probe-aliases >"$T/aliases" || die "--dump-probe-aliases failed"
n=0
for name in $(sed 's/[:( ].*//' "$T/funcs" | grep -v '^_' | sort -u); do
	[ -f "$T/man/function::$name.3stap" ] || die "no page function::$name (documented?)"
	n=$((n + 1))
done
[ "$n" -gt 100 ] || die "only $n functions listed by --dump-functions"
for name in $(sed 's/ .*//' "$T/aliases" | grep -v '^_' | sort -u); do
	[ -f "$T/man/probe::$name.3stap" ] || die "no page probe::$name (documented?)"
	n=$((n + 1))
done

# Every page (and the index) renders without groff warnings.
groff -man -ww -z -Tutf8 "$T"/man/*.3stap 2>"$T/warn"
[ -s "$T/warn" ] && die "groff warnings: $(head -5 "$T/warn")"
MANPAGER=cat MANWIDTH=100 man -l "$T/man/function::pp.3stap" >"$T/pp" 2>&1 || die "man -l failed"
expect_in "function::pp - The probe point of the running probe" "$T/pp"
expect_in "pp:string()" "$T/pp"
MANPAGER=cat MANWIDTH=100 man -l "$T/man/probe::netdev.receive.3stap" >"$T/nr" 2>&1
expect_in "VALUES" "$T/nr"
expect_in "dev_name" "$T/nr"
expect_in "tapset/linux/networking.stp" "$T/nr"
MANPAGER=cat MANWIDTH=100 man -l "$T/man/tapsets.3stap" >"$T/idx" 2>&1
expect_in "probe::netdev.receive(3stap)" "$T/idx"

# The checker really catches what it should: a fixture with each kind of problem.
mkdir -p "$T/bad"
cat >"$T/bad/x.stp" <<'EOF'
/**
 * sfunction documented - Has a comment
 * @a: an argument
 */
function documented(a:long) { return a }
function undocumented:long() { return 1 }
function _internal() { }
/** sfunction other - names another function */
function wrong() { }
probe bare.alias = begin { }
EOF
"$GEN" --check "$T/bad" 2>"$T/bad.err" && die "--check passed an undocumented tapset"
expect_in "x.stp:6: function undocumented has no /** */ doc comment" "$T/bad.err"
expect_in "x.stp:8: the comment for function other precedes function wrong" "$T/bad.err"
expect_in "x.stp:10: probe bare.alias has no /** */ doc comment" "$T/bad.err"
grep -q ": function documented has\|_internal" "$T/bad.err" && die "false report: $(cat "$T/bad.err")"
echo "$n pages checked"
exit 0
