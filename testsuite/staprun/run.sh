#!/bin/bash
# testsuite/staprun/run.sh - staprun/stapio tests, all in one VM boot.
#
# Builds testsuite/staprun/tmod.stp with translator/stap -p4 (guru mode; its module
# parameters pick the behaviour), derives broken copies of it (another kernel's
# vermagic, an unknown symbol, truncated, not ELF), builds the seqcheck helper, then
# boots one stap-vm guest (4 CPUs) running guest.sh, which prints "ok NAME" or
# "FAIL NAME: why" per check. The kernel log must stay free of Oops/BUG/WARNING.
# Ends with "N passed, N failed"; exit status 0 when nothing failed.
#
# Environment: STAPRUN_TEST_RELEASE (default 6.1.0-56-cloud-amd64), STAPRUN_TEST_KEEP=1
# keeps the work directory.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
RELEASE=${STAPRUN_TEST_RELEASE:-6.1.0-56-cloud-amd64}
W=$(mktemp -d /tmp/staprun-tests.XXXXXX)
[ -n "${STAPRUN_TEST_KEEP:-}" ] || trap 'rm -rf "$W"' EXIT
# shellcheck source-path=SCRIPTDIR/../lib source=vmtest.sh
. "$TOP/testsuite/lib/vmtest.sh"
need_tools

# ---- build
if ! (cd "$W" && "$TOP/translator/stap" -p4 -g -DMAXACTION=100000000 -r "$RELEASE" -m tmod \
	"$TOP/testsuite/staprun/tmod.stp" >build.out 2>build.err); then
	result "FAIL build: tmod.stp: $(tail -5 "$W/build.err" | tr '\n' ' ')"
	finish
fi
if ! gcc -O2 -static -o "$W/seqcheck" "$TOP/testsuite/staprun/seqcheck.c" 2>"$W/cc.err"; then
	result "FAIL build: seqcheck: $(head -3 "$W/cc.err" | tr '\n' ' ')"
	finish
fi
ko=$W/tmod.ko
# Another kernel: the same module claiming another release in its vermagic.
other=$(echo "$RELEASE" | sed 's/^\([0-9.]*\)-[0-9][0-9]-/\1-99-/')
if [ "$other" = "$RELEASE" ] || [ ${#other} != ${#RELEASE} ]; then
	other=$(echo "$RELEASE" | tr '0-8' '1-9')
fi
# (With modversions the kernel compares only the flags after the release, so one of
# those differs too, as it would for a kernel with another configuration.)
perl -0777 -pe "s/vermagic=\Q$RELEASE\E SMP preempt/vermagic=$other SMP PREEMPT/" "$ko" >"$W/foreign.ko"
# An unknown symbol: rename vmalloc (a symbol the runtime imports) in the symbol tables.
perl -0777 -pe 's/vmalloc\0/vmallqx\0/g' "$ko" >"$W/unksym.ko"
head -c 20000 "$ko" >"$W/trunc.ko"
echo "this is not a kernel module" >"$W/notelf.ko"
if cmp -s "$ko" "$W/foreign.ko" || cmp -s "$ko" "$W/unksym.ko"; then
	result "FAIL build: could not derive the broken modules"
	finish
fi
# What tmod prints with lines=300000 (the overflow test's arithmetic).
total=$(awk 'BEGIN { n = length("begin tag=none target=0\n") + length("end\n");
	for (i = 0; i < 300000; i++) n += length("L " i "\n"); print n }')

# ---- run
files=()
for f in "$TOP/staprun/staprun" "$TOP/staprun/stapio" "$W/seqcheck" "$ko" "$W/foreign.ko" \
	"$W/unksym.ko" "$W/trunc.ko" "$W/notelf.ko"; do
	files+=(-f "$f")
done
"$TOP/staprun/stap-vm" -r "$RELEASE" -s 4 -T 900 -l "$W/klog" "${files[@]}" \
	"$TOP/testsuite/staprun/guest.sh" "$total" >"$W/vm.out" 2>"$W/vm.err"
vmrc=$?
guest_results "$W/vm.out" "$W/vm.err" $vmrc
kernel_log "$W/klog"
finish
