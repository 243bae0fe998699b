# -r BUILD_TREE whose tree has no vmlinux and no System.map: pass 2 fails and says the
# kernel debuginfo is missing (SCENARIOS.md "Missing debuginfo").
. "$(dirname "$0")/common.inc"
src=/lib/modules/$RELEASE/build
[ -d "$src" ] || { echo "no build tree for $RELEASE"; exit 1; }
tree=$T/build
mkdir -p "$tree"
for f in "$src"/* "$src"/.config; do
	case "$(basename "$f")" in vmlinux|System.map) continue ;; esac
	ln -s "$f" "$tree/$(basename "$f")"
done
"$STAP" -p2 -r "$tree" -e 'probe kernel.function("tcp_v4_connect") {exit()}' >"$T/o" 2>"$T/e" && die "should fail"
expect_in "debuginfo" "$T/e"
expect_in "Pass 2: analysis failed." "$T/e"
exit 0
