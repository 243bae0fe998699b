# testsuite/lib/vmtest.sh - shared by the test scripts that boot one stap-vm guest running a
# guest script which prints "ok NAME" or "FAIL NAME: why" per check and then "guest done"
# (testsuite/staprun/run.sh, testsuite/vm/loadloop.sh). Source it with TOP set to the
# source tree; it defines:
#   result LINE                    counts and prints one ok/FAIL line
#   finish                         prints "N passed, N failed" and exits (1 if any failed)
#   need_tools                     fails and finishes unless `make all` built the tools
#   guest_results OUT ERR STATUS   the guest's check lines from OUT, and a failure unless
#                                  it finished (ERR, STATUS: stap-vm's stderr and status)
#   kernel_log KLOG                a failure if the guest kernel log shows a problem
# shellcheck shell=bash
passed=0 failed=0
result() {
	echo "$1"
	case $1 in ok\ *) passed=$((passed + 1)) ;; *) failed=$((failed + 1)) ;; esac
}
finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" = 0 ]
	exit
}
need_tools() {
	local f
	for f in staprun/staprun staprun/stapio translator/stap staprun/stap-vm; do
		if [ ! -x "$TOP/$f" ]; then
			result "FAIL setup: $f is missing (make all)"
			finish
		fi
	done
}
guest_results() {
	local line
	while IFS= read -r line; do
		case $line in ok\ * | FAIL\ *) result "$line" ;; esac
	done <"$1"
	if ! grep -q '^guest done$' "$1"; then
		result "FAIL guest-complete: the guest job did not finish (stap-vm status $3): $(tail -3 "$2" | tr '\n' ' ') $(tail -3 "$1" | tr '\n' ' ')"
	fi
}
kernel_log() {
	local problem
	problem=$(grep -E 'BUG:|Oops|general protection|WARNING: .* at |Call Trace|soft lockup|rcu_sched self-detected|hung_task|RIP: 0010:0x0' \
		"$1" 2>/dev/null | head -3 | tr '\n' ' ')
	if [ -n "$problem" ]; then
		result "FAIL kernel-log: $problem"
	else
		result "ok kernel-log"
	fi
}
