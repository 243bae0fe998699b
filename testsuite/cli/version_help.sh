# stap -V and --help; every option --help lists is documented in stap(1).
. "$(dirname "$0")/common.inc"
"$STAP" -V >"$T/v" 2>&1 || die "-V failed"
expect_in "version" "$T/v"
"$STAP" --help >"$T/h" 2>&1 || die "--help failed"
for opt in $(grep -oE '^ +(-[a-zA-Z]|--[a-z-]+)' "$T/h" | tr -d ' ' | sort -u); do
	grep -qe "$(printf '%s' "$opt" | sed 's/-/\\\\-/g')" "$TOP/doc/stap.1" || die "option $opt missing from doc/stap.1"
done
"$STAP" >/dev/null 2>"$T/e" && die "no script should fail"
expect_in "A script must be specified" "$T/e"
"$STAP" -p9 -e 'probe begin{}' 2>"$T/e" && die "-p9 should fail"
expect_in "Invalid pass number" "$T/e"
exit 0
