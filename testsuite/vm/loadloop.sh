#!/bin/bash
# loadloop.sh - stress test: probe modules loaded and unloaded over and over, in one VM
# boot, while a workload calls getppid(2) in a tight loop on the other CPU; the kernel
# must never oops and every module must go away.
#
# Builds testsuite/vm/loadloop-fn.stp (kprobes, a kretprobe and a timer on getppid) and
# loadloop-many.stp (about 75 kprobes and kretprobes, a profile timer) with stap -p4 and
# the getppid workload, then runs loadloop.guest in a stap-vm guest with 2 CPUs. Each run
# of a module is stopped by SIGINT, SIGTERM or SIGKILL (then `staprun -d`), or ends itself.
# The kernel log must stay free of Oops/BUG/soft lockups. Before stap-vm ran TCG with one
# host thread, this oopsed (NULL RIP in getppid, or a CPU looping on a stale int3) within
# the first few loads: see STAPVM_TCG_THREAD in stap-vm and --remote=qemu in doc/stap.1.
# Prints "ok NAME" or "FAIL NAME: why" per check and ends with "N passed, N failed".
#
# Environment: LOADLOOP_ROUNDS (default 15), LOADLOOP_RELEASE (default
# 6.1.0-56-cloud-amd64), LOADLOOP_KEEP=1 keeps the work directory; STAPVM_TCG_THREAD is
# passed on to stap-vm (multi shows the old failure).
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
RELEASE=${LOADLOOP_RELEASE:-6.1.0-56-cloud-amd64}
ROUNDS=${LOADLOOP_ROUNDS:-15}
W=$(mktemp -d /tmp/loadloop.XXXXXX)
[ -n "${LOADLOOP_KEEP:-}" ] || trap 'rm -rf "$W"' EXIT
# shellcheck source-path=SCRIPTDIR/../lib source=vmtest.sh
. "$TOP/testsuite/lib/vmtest.sh"
need_tools
for m in fn many; do
	if ! (cd "$W" && "$TOP/translator/stap" -p4 -r "$RELEASE" -m "ll_$m" \
		"$TOP/testsuite/vm/loadloop-$m.stp" >/dev/null 2>"build-$m.err"); then
		result "FAIL build: loadloop-$m.stp: $(tail -5 "$W/build-$m.err" | tr '\n' ' ')"
		finish
	fi
done
if ! gcc -O2 -static -o "$W/getppid" "$TOP/testsuite/workloads/getppid.c" 2>"$W/cc.err"; then
	result "FAIL build: getppid: $(head -3 "$W/cc.err" | tr '\n' ' ')"
	finish
fi

start=$SECONDS
"$TOP/staprun/stap-vm" -r "$RELEASE" -s 2 -T 240 -l "$W/klog" -f "$TOP/staprun/staprun" \
	-f "$TOP/staprun/stapio" -f "$W/getppid" -f "$W/ll_fn.ko" -f "$W/ll_many.ko" \
	"$TOP/testsuite/vm/loadloop.guest" "$ROUNDS" >"$W/vm.out" 2>"$W/vm.err"
vmrc=$?
echo "# $ROUNDS rounds, VM ran $((SECONDS - start)) s"
guest_results "$W/vm.out" "$W/vm.err" $vmrc
kernel_log "$W/klog"
finish
