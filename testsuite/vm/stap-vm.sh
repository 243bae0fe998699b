#!/bin/bash
# Tests for staprun/stap-vm, the launcher that runs a guest job in a QEMU VM.
# Boots four VMs (about 35 s in all under TCG).  Prints "ok NAME" or
# "FAIL NAME: detail" per check and ends with "N passed, N failed".
#
# Environment: STAP_VM overrides the stap-vm under test.

set -u

here=$(cd "$(dirname "$0")" && pwd)
stapvm=${STAP_VM:-$here/../../staprun/stap-vm}

passed=0
failed=0
ok() { echo "ok $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
# check NAME DETAIL COMMAND...: ok if COMMAND succeeds.
check() {
	local name=$1 detail=$2
	shift 2
	if "$@"; then ok "$name"; else bad "$name" "$detail"; fi
}
finish() {
	echo "$passed passed, $failed failed"
	((failed == 0))
	exit
}
sha() { sha256sum <"$1" | cut -d' ' -f1; }
oneline() { tr '\n\r' '  ' <"$1" | cut -c1-300; }

t=$(mktemp -d "${TMPDIR:-/tmp}/stap-vm-test.XXXXXX") || exit 1
bg=
trap '[ -n "$bg" ] && kill -TERM "$bg" 2>/dev/null; rm -rf "$t"' EXIT
# stap-vm's own temp dirs go here, so we can see they are removed.
export TMPDIR=$t/tmp
mkdir "$TMPDIR"

# ------------------------------------------------------------ static
check syntax "bash -n failed" bash -n "$stapvm"
if command -v shellcheck >/dev/null; then
	if sc=$(shellcheck "$stapvm" 2>&1); then ok shellcheck; else bad shellcheck "$(printf '%s' "$sc" | head -n 3 | tr '\n' ' ')"; fi
fi
if [ ! -x "$stapvm" ]; then
	bad executable "$stapvm is not executable"
	finish
fi

# ------------------------------------------------------------ no boot
echo 'true' >"$t/true.sh"

"$stapvm" -r 0.0.0-no-such-release "$t/true.sh" >"$t/o" 2>"$t/e"
rc=$?
if ((rc == 125)) && grep -q '0.0.0-no-such-release' "$t/e" && grep -q 'linux-image-cloud-amd64' "$t/e" &&
	[ "$(wc -l <"$t/e")" -eq 1 ]; then
	ok missing-kernel
else
	bad missing-kernel "exit $rc, stderr: $(oneline "$t/e")"
fi

"$stapvm" -M no_such_module_xyz "$t/true.sh" >"$t/o" 2>"$t/e"
rc=$?
if ((rc == 125)) && grep -q 'no_such_module_xyz' "$t/e"; then
	ok missing-module
else
	bad missing-module "exit $rc, stderr: $(oneline "$t/e")"
fi

"$stapvm" >"$t/o" 2>"$t/e"
rc=$?
if ((rc == 125)) && grep -qi 'usage' "$t/e"; then ok usage; else bad usage "exit $rc"; fi

STAPVM_TCG_THREAD=many "$stapvm" "$t/true.sh" >"$t/o" 2>"$t/e"
rc=$?
if ((rc == 125)) && grep -q "STAPVM_TCG_THREAD wants single or multi, not 'many'" "$t/e" &&
	[ "$(wc -l <"$t/e")" -eq 1 ]; then
	ok bad-tcg-thread
else
	bad bad-tcg-thread "exit $rc, stderr: $(oneline "$t/e")"
fi

# ------------------------------------------------------------ boot 1
# Byte-exact stdout/stderr, exit status, -f files, -M module, -l log.
allbytes() {
	local i
	for i in $(seq 0 255); do
		# shellcheck disable=SC2059  # an octal escape built on purpose
		printf "\\$(printf %03o "$i")"
	done
}
{
	allbytes
	printf 'crlf\r\nlone cr\r tab\there\n\n'
	head -c 200000 /dev/zero | tr '\0' L
	printf '\r\n'
	head -c 150000 /dev/urandom
} >"$t/out.bin"
{
	printf 'err\r\n\t'
	head -c 120000 /dev/urandom
	allbytes
} >"$t/err.bin"
printf 'hello file\n' >"$t/data.txt"
chmod 640 "$t/data.txt"
printf 'echo tool-ran\n' >"$t/tool.sh"
chmod 755 "$t/tool.sh"

cat >"$t/job1.sh" <<'EOF'
cat out.bin
cat err.bin >&2
echo
echo "INFO pwd=$(pwd)"
echo "INFO args=$(for a; do printf '[%s]' "$a"; done)"
echo "INFO data=$(stat -c %a data.txt):$(cat data.txt)"
echo "INFO tool=$(./tool.sh)"
if ip link add name vt0 type veth && [ -d /sys/class/net/vt0 ]; then
	echo "INFO veth=ok"
else
	echo "INFO veth=failed: $(lsmod | grep veth)"
fi
echo "INFO lo=$(ip -4 addr show dev lo | grep -c 'inet 127\.0\.0\.1/8')"
echo "INFO debugfs=$(grep -c ' /sys/kernel/debug debugfs ' /proc/mounts)"
exit 3
EOF
start=$SECONDS
"$stapvm" -T 300 -l "$t/klog1" -f "$t/out.bin" -f "$t/err.bin" -f "$t/data.txt" -f "$t/tool.sh" \
	-M veth "$t/job1.sh" 'a b' "it's" '' >"$t/o1" 2>"$t/e1"
rc=$?
echo "# main boot took $((SECONDS - start)) s"
check exit-status "exit $rc, expected 3; stderr tail: $(tail -c 300 "$t/e1" | tr -c '[:print:]' .)" [ "$rc" -eq 3 ]
n=$(stat -c %s "$t/out.bin")
head -c "$n" "$t/o1" >"$t/o1.payload"
tail -c +"$((n + 1))" "$t/o1" | tr -d '\r' >"$t/o1.info"
check stdout-bytes "stdout differs from the payload ($(stat -c %s "$t/o1") bytes back)" \
	[ "$(sha "$t/o1.payload")" = "$(sha "$t/out.bin")" ]
check stderr-bytes "stderr differs from the payload ($(stat -c %s "$t/e1") bytes back)" \
	[ "$(sha "$t/e1")" = "$(sha "$t/err.bin")" ]
info() { sed -n "s/^INFO $1=//p" "$t/o1.info"; }
check cwd "pwd is '$(info pwd)'" [ "$(info pwd)" = /work ]
check args "args are '$(info args)'" [ "$(info args)" = "[a b][it's][]" ]
check file-copy "data.txt came back as '$(info data)'" [ "$(info data)" = "640:hello file" ]
check file-mode "tool.sh said '$(info tool)'" [ "$(info tool)" = tool-ran ]
check module "veth: '$(info veth)'" [ "$(info veth)" = ok ]
check loopback "lo has no 127.0.0.1/8" [ "$(info lo)" = 1 ]
check debugfs "debugfs not mounted at /sys/kernel/debug" [ "$(info debugfs)" = 1 ]
check klog "no init line in $t/klog1" grep -q 'stap-vm-init: job start' "$t/klog1"

# ------------------------------------------------------------ boots 2, 3
# stap-vm runs in a process group of its own and SIGINT goes to the whole
# group, as a terminal's ^C would.  Once the job has said "ready",
# interrupt COUNT times (a second apart); sets rc to stap-vm's status.
interrupt_run() { # NAME COUNT JOB OUT ERR
	local name=$1 count=$2 i
	start=$SECONDS
	setsid "$stapvm" -T 300 "$3" >"$4" 2>"$5" &
	bg=$!
	for _ in $(seq 1200); do
		grep -q '^ready$' "$4" && break
		kill -0 "$bg" 2>/dev/null || break
		sleep 0.1
	done
	if ! grep -q '^ready$' "$4"; then
		bad "$name" "job never said ready; stderr: $(tail -c 300 "$5" | tr -c '[:print:]' .)"
		kill -TERM "$bg" 2>/dev/null
		wait "$bg"
		bg=
		return 1
	fi
	for ((i = 1; i <= count; i++)); do
		((i > 1)) && sleep 1
		kill -INT -- "-$bg"
	done
	for _ in $(seq 600); do
		kill -0 "$bg" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$bg" 2>/dev/null && kill -TERM "$bg"
	wait "$bg"
	rc=$?
	bg=
	echo "# $name boot took $((SECONDS - start)) s"
}

cat >"$t/job2.sh" <<'EOF'
trap 'echo "got INT"; exit 7' INT
echo ready
while :; do sleep 1; done
EOF
if interrupt_run sigint 1 "$t/job2.sh" "$t/o2" "$t/e2"; then
	ok live-output
	check sigint-output "stdout was '$(oneline "$t/o2")'" [ "$(cat "$t/o2")" = "ready"$'\n'"got INT" ]
	check sigint-status "exit $rc, expected 7; stderr: $(oneline "$t/e2")" [ "$rc" -eq 7 ]
fi

cat >"$t/job3.sh" <<'EOF'
trap 'echo "ignoring INT"' INT
echo ready
while :; do sleep 1; done
EOF
if interrupt_run sigint-twice 2 "$t/job3.sh" "$t/o3" "$t/e3"; then
	if ((rc == 130)) && [ "$(cat "$t/o3")" = "ready"$'\n'"ignoring INT" ]; then
		ok sigint-twice
	else
		bad sigint-twice "exit $rc (expected 130), stdout '$(oneline "$t/o3")'"
	fi
fi

# ------------------------------------------------------------ boot 4
# A job that never ends: -T gives up, exit 125 with the reason.
printf 'echo started\nsleep 1000\n' >"$t/job4.sh"
start=$SECONDS
"$stapvm" -T 20 "$t/job4.sh" >"$t/o4" 2>"$t/e4"
rc=$?
echo "# timeout boot took $((SECONDS - start)) s"
if ((rc == 125)) && grep -q "timed out" "$t/e4"; then
	ok timeout
else
	bad timeout "exit $rc, stdout '$(oneline "$t/o4")', stderr: $(head -n 2 "$t/e4" | tr '\n' ' ')"
fi

# ------------------------------------------------------------ cleanup
left=$(find "$TMPDIR" -mindepth 1 -maxdepth 1 | head -n 3)
check temp-cleanup "left behind: $left" [ -z "$left" ]

finish
