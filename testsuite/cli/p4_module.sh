# -p4 -m NAME writes NAME.ko into the current directory and prints its name; -k keeps and
# names the temporary directory, which holds the generated C.
. "$(dirname "$0")/common.inc"
cd "$T" || exit 1
"$STAP" -p4 -k -r "$RELEASE" -m cli_p4 -e 'probe begin { println("x") exit() }' >"$T/o" 2>"$T/e" || { cat "$T/e"; die "build failed"; }
[ "$(cat "$T/o")" = cli_p4.ko ] || die "stdout: $(cat "$T/o")"
[ -s cli_p4.ko ] || die "no cli_p4.ko"
modinfo -F name cli_p4.ko 2>/dev/null | grep -qx cli_p4 || file cli_p4.ko | grep -q ELF || die "not a module"
dir=$(sed -n 's/^Keeping temporary directory "\(.*\)"$/\1/p' "$T/e")
[ -n "$dir" ] && [ -f "$dir/stap_src.c" ] || die "-k: no kept directory with the C source"
rm -rf "$dir"
# -p3 prints the generated C
"$STAP" -p3 -r "$RELEASE" -e 'probe begin { println("x") exit() }' >"$T/c" || die "-p3 failed"
expect_in "stp_probes_start" "$T/c"
exit 0
