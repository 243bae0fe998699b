# Pass 4's fast path (kbuild's own commands, learnt once per kernel, run against a prebuilt
# runtime) and full kbuild (STAP_KBUILD=1) make equivalent modules: the same modinfo, the
# same symbol versions (CRCs from Module.symvers) and the same sections. Both load and run
# in the VM, with no modversion complaint and no taint beyond an out-of-tree, unsigned
# module's. Starts from an empty cache, so the recipe is learnt here.
. "$(dirname "$0")/common.inc"
export SYSTEMTAP_DIR=$T/stapdir
cd "$T" || exit 1
script='probe begin { printf("%s %d\n", "built", 6 * 7) exit() }'
"$STAP" --vp 0002 -p4 -r "$RELEASE" -m cli_fb_fast -e "$script" >o1 2>e1 || { cat e1; die "fast build"; }
expect_in "Pass 4: learnt kbuild's commands into $SYSTEMTAP_DIR/cache/kbuild/" e1
grep -q "building with kbuild" e1 && { cat e1; die "the fast path was not used"; }
STAP_KBUILD=1 "$STAP" --vp 0002 -p4 -r "$RELEASE" -m cli_fb_kb -e "$script" >o2 2>e2 || { cat e2; die "kbuild build"; }
expect_in "Pass 4: building with kbuild: STAP_KBUILD=1" e2
expect_in "make -C" e2
[ -s cli_fb_fast.ko ] && [ -s cli_fb_kb.ko ] || die "no modules"

# modinfo: every field but the name equal, the names as asked.
for f in vermagic depends retpoline license description; do
	a=$(modinfo -F "$f" cli_fb_fast.ko) b=$(modinfo -F "$f" cli_fb_kb.ko)
	[ "$a" = "$b" ] || die "modinfo $f: '$a' vs '$b'"
done
[ "$(modinfo -F vermagic cli_fb_fast.ko)" != "" ] || die "no vermagic"
case "$(modinfo -F vermagic cli_fb_fast.ko)" in "$RELEASE "*modversions*) ;; *) die "vermagic";; esac
[ "$(modinfo -F name cli_fb_fast.ko)" = cli_fb_fast ] || die "fast module's name"
[ "$(modinfo -F name cli_fb_kb.ko)" = cli_fb_kb ] || die "kbuild module's name"
diff <(modinfo -F parm cli_fb_fast.ko | sort) <(modinfo -F parm cli_fb_kb.ko | sort) || die "parameters differ"
# Symbol versions: the same entries (CRC and name, byte for byte), non-empty
# (CONFIG_MODVERSIONS). Their order follows the linker's symbol table, which differs
# between one link and a link against the prelinked runtime, and doesn't matter.
for m in fast kb; do
	objcopy -O binary --only-section=__versions "cli_fb_$m.ko" "v_$m" || die "no __versions in $m"
	od -An -v -tx1 -w64 "v_$m" | sort >"v_$m.sorted"
done
[ -s v_fast ] && cmp -s v_fast.sorted v_kb.sorted || die "__versions differ"
# Sections (but debug info): the same names.
sections() { readelf -S -W "$1" | sed -n 's/^ *\[ *[0-9]*\] \([^ ]*\) .*/\1/p' | grep -v debug | sort; }
diff <(sections cli_fb_fast.ko) <(sections cli_fb_kb.ko) || die "sections differ"

# -B options reach the compiler (a recipe is learnt for them), and compiler errors come
# out as kbuild shows them, with a failed pass 4.
guru='function f:long() %{ STAP_RETVALUE = STP_B_TEST; %} probe begin { println(f()) exit() }'
"$STAP" -g -p4 -r "$RELEASE" -B KCFLAGS=-DSTP_B_TEST=42 -e "$guru" >o3 2>e3 || { cat e3; die "-B build"; }
"$STAP" -g -p4 -r "$RELEASE" -e "$guru" >o4 2>e4 && die "built without the -B macro"
grep -qE "stap_src.c:[0-9]+:[0-9]+: error: .STP_B_TEST. undeclared" e4 || { cat e4; die "no compiler error"; }
expect_in "Pass 4: compilation failed." e4

# Both load and run in one VM boot.
cat >job.sh <<'EOF'
for m in cli_fb_fast cli_fb_kb; do
	./staprun $m.ko; echo "$m rc=$?"
done
echo "complaints=$(dmesg | grep -ciE 'disagrees about version|no symbol version|unknown symbol|invalid module format|version magic')"
echo "other_taint=$(( $(cat /proc/sys/kernel/tainted) & ~12288 ))"
EOF
"$TOP/staprun/stap-vm" -r "$RELEASE" -f "$TOP/staprun/staprun" -f "$TOP/staprun/stapio" \
	-f cli_fb_fast.ko -f cli_fb_kb.ko job.sh >vm.out 2>vm.err || { cat vm.out vm.err; die "VM run"; }
cat >want <<'EOF'
built 42
cli_fb_fast rc=0
built 42
cli_fb_kb rc=0
complaints=0
other_taint=0
EOF
diff want vm.out || { cat vm.err; die "VM output differs"; }
exit 0
