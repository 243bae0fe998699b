# Submatches (matched(), ngroups()): only a script that calls them gets capture programs
# and records each =~ in its context; a pattern over their limits is an error at the
# pattern when (and only when) the script calls matched(). (Also: each probe's struct
# stp_probe carries pn(), the point as written, beside pp(), the resolved one.)
. "$(dirname "$0")/common.inc"
cd "$T" || exit 1
"$STAP" -p3 -e 'probe begin { if ("ab" =~ "(a)b") println("y") }' >plain.c 2>err ||
	{ cat err; die "-p3 without matched()"; }
grep -q stp_regex_record plain.c && die "=~ records its match though matched() is not used"
grep -q 'regex_last' plain.c && die "the context has regex_last though matched() is not used"
"$STAP" -p3 -e 'probe begin { if ("ab" =~ "(a)b") println(matched(1)) }' >cap.c 2>err ||
	{ cat err; die "-p3 with matched()"; }
grep -q 'stp_regex_record(&c->regex_last, &stp_re_0' cap.c || die "=~ does not record its match"
grep -q 'struct stp_regex_last regex_last;' cap.c || die "no regex_last in the context"
grep -q '\.prog = &stp_re_0_prog' cap.c || die "no capture program"
"$STAP" -p3 -e 'probe begin { println(ngroups()) }' >none.c 2>err ||
	{ cat err; die "ngroups() without any =~"; }
grep -q 'struct stp_regex_last regex_last;' none.c || die "no regex_last for ngroups() alone"

groups=$(for i in $(seq 32); do printf '(a)?'; done)
cat >many.stp <<EOS
probe begin { if ("a" =~ "$groups") println(matched(1)) }
EOS
"$STAP" -p3 many.stp >/dev/null 2>err && die "32 groups with matched() compiled"
expect_in "semantic error: regex compilation error: too many groups for matched() (32, at most 31): string '$groups' at many.stp:1:26" err
expect_in "source: probe begin" err
sed 's/println(matched(1))/println("y")/' many.stp >few.stp
"$STAP" -p3 few.stp >/dev/null 2>err || { cat err; die "32 groups without matched()"; }
long=$(for i in $(seq 4097); do printf '[a]{0}'; done)      # 4097 bracket expressions, no DFA
"$STAP" -p3 -e "probe begin { if (\"a\" =~ \"$long\") println(matched_str()) }" >/dev/null 2>err &&
	die "a pattern of 4097 bracket expressions compiled with matched()"
expect_in "regex too long for matched() (more than 4096 characters and bracket expressions)" err

"$STAP" -p3 -e 'probe myalias = begin {} probe myalias { println(pn()) }' >pn.c 2>err ||
	{ cat err; die "pn()"; }
grep -q '\.pp = "begin", \.pn = "myalias"' pn.c || { grep '\.pp =' pn.c; die "pn() is not the alias"; }
exit 0
