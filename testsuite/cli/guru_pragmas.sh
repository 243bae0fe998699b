# Guru mode in passes 2 and 3: what the embedded-C pragmas and the guru switches change
# in the elaborated program (-p2 -v) and in the generated C (-p3). Their run-time effects
# are checked by testsuite/runok/guru_*.stp.
. "$(dirname "$0")/common.inc"

cat >"$T/p.stp" <<'EOF'
function count:long() %{ /* pure */ STAP_RETVALUE = 1; %}
function now:long() %{ /* pure */ /* stable */ STAP_RETVALUE = jiffies; %}
function len:long(s:string) %{ /* unmodified-fnargs */ STAP_RETVALUE = strlen(STAP_ARG_s); %}
function copied:long(s:string) %{ STAP_RETVALUE = strlen(STAP_ARG_s); %}
probe begin { count(); a = now(); b = now(); printf("%d %d %d %d\n", a, b, len("x"), copied("y")) }
probe end { println(now()) }
EOF

# /* pure */: the unused call goes, with SystemTap's warning.
"$STAP" -g -p2 -v "$T/p.stp" >"$T/p2" 2>"$T/p2.err" || die "-p2 failed: $(head -5 "$T/p2.err")"
expect_in "Eliding side-effect-free expression : identifier 'count'" "$T/p2.err"
grep -q 'count()' "$T/p2" && die "the unused call of a pure function is still there"
# /* stable */: two calls in one probe share one evaluation per hit; a lone call stays.
expect_in '(((__stable_now_done)++)?(__stable_now):((__stable_now) = (now())))' "$T/p2"
expect_in 'println(now());' "$T/p2"
"$STAP" -g -u -p2 -v "$T/p.stp" >"$T/p2u" 2>/dev/null || die "-u -p2 failed"
grep -q __stable_ "$T/p2u" && die "-u still memoizes stable calls"

# /* unmodified-fnargs */: the callee's parameter is a pointer to the caller's string.
"$STAP" -g -p3 "$T/p.stp" >"$T/p3" 2>/dev/null || die "-p3 failed"
grep -qE '_f->s = l->t_[0-9]+;' "$T/p3" || die "unmodified-fnargs argument is copied"
grep -qE 'stp_strcpy\(_f->s, l->t_[0-9]+\);' "$T/p3" || die "a plain string argument is not copied"
expect_in 'const char *s;' "$T/p3"

# --suppress-handler-errors, or its macro: handlers count and clear their errors.
echo 'probe begin { println(1 / 0) }' >"$T/e.stp"
"$STAP" -p3 "$T/e.stp" >"$T/e0" 2>/dev/null || die "-p3 failed"
grep -q 'stp_error_count' "$T/e0" && die "errors are suppressed without the option"
for opt in --suppress-handler-errors -DSTAP_SUPPRESS_HANDLER_ERRORS; do
	"$STAP" -p3 "$opt" "$T/e.stp" >"$T/e1" 2>/dev/null || die "-p3 $opt failed"
	expect_in 'atomic_inc(&stp_error_count);' "$T/e1"
done

# --skip-badvars: a bad $variable is 0, with SystemTap's warning.
echo 'probe kernel.function("do_sys_openat2") { println($nosuch) }' >"$T/b.stp"
"$STAP" -p2 -r "$RELEASE" "$T/b.stp" >/dev/null 2>"$T/b.err" && die "a bad \$variable resolved"
expect_in "unable to find local 'nosuch'" "$T/b.err"
"$STAP" -p2 -r "$RELEASE" --skip-badvars "$T/b.stp" >/dev/null 2>"$T/b.err" ||
	die "--skip-badvars failed: $(head -5 "$T/b.err")"
expect_in "WARNING: Bad \$context variable being substituted with literal 0: identifier" "$T/b.err"

# myproc-unprivileged at privilege stapusr: the function checks the task's owner first.
echo 'probe begin { println(guru_myproc()) }' >"$T/m.stp"
"$STAP" -p3 --unprivileged -I "$TOP/testsuite/semok/gurulib" "$T/m.stp" >"$T/m1" 2>/dev/null ||
	die "-p3 --unprivileged failed"
expect_in 'if (unlikely(!stp_is_myproc())) {' "$T/m1"
"$STAP" -p3 -I "$TOP/testsuite/semok/gurulib" "$T/m.stp" >"$T/m0" 2>/dev/null || die "-p3 failed"
grep -q stp_is_myproc "$T/m0" && die "myproc check without --unprivileged"

# --suppress-time-limits: guru only.
"$STAP" -p2 --suppress-time-limits "$T/e.stp" >/dev/null 2>"$T/t.err" && die "accepted without -g"
expect_in "ERROR --suppress-time-limits requires guru mode (-g)" "$T/t.err"
"$STAP" -p2 -g --suppress-time-limits "$T/e.stp" >/dev/null 2>&1 || die "refused with -g"
exit 0
