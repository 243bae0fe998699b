# A release without a build tree: one line naming the release and the package to install.
. "$(dirname "$0")/common.inc"
"$STAP" -p4 -r 9.9.9-nonesuch -e 'probe begin { exit() }' >"$T/o" 2>"$T/e" && die "should fail"
[ "$(wc -l <"$T/e")" -eq 1 ] || { cat "$T/e"; die "expected one line"; }
expect_in "9.9.9-nonesuch" "$T/e"
expect_in "apt-get install linux-headers-9.9.9-nonesuch" "$T/e"
exit 0
