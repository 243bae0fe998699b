#!/bin/bash
# testsuite/dwarf/run.sh - tests of the DWARF and symbol-table layer (translator/dwarf*.c,
# translator/symbols.c, runtime/loc.h).
#
#   1. builds testsuite/dwarf/dwtest against the translator's sources;
#   2. compiles fixture.c (-O2, -O0, and a -no-pie executable) and checks what the layer
#      finds in it (dwtest fixture), then runs the generated C text in user space
#      (harness.c) against the C compiler's view of the same data;
#   3. checks facts of the real kernel (dwtest kernel RELEASE), twice: the second run must
#      use the cached index; skipped when the debug vmlinux is not installed;
#   4. compiles runtime/loc.h + loc.c with generated expressions as a kernel module (kbuild,
#      no loading); skipped without a kernel build tree.
# Prints "ok NAME" / "FAIL NAME: why" / "skip NAME: why", ends with "N passed, N failed".
# STAP_TEST_RELEASE overrides the kernel release (default: 6.1.0-56-cloud-amd64).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
release=${STAP_TEST_RELEASE:-6.1.0-56-cloud-amd64}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export SYSTEMTAP_DIR=$tmp/stapdir

pass=0
fail=0
out() {                         # counts the ok/FAIL lines of a step's output
	local line
	while IFS= read -r line; do
		case "$line" in
		ok\ *) pass=$((pass + 1)); echo "$line" ;;
		FAIL\ *) fail=$((fail + 1)); echo "$line" ;;
		skip\ *) echo "$line" ;;
		esac
	done
}
ok() { echo "ok $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1: $2"; fail=$((fail + 1)); }
finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit $?
}

CC=${CC:-gcc}
WARN="-Wall -Wextra -Wno-unused-parameter -Wno-sign-compare"
DW_CFLAGS=$(pkg-config --cflags libdw 2>/dev/null)
DW_LIBS=$(pkg-config --libs libdw 2>/dev/null || echo -ldw -lelf)

# ---- 1. the driver ----
if $CC -std=gnu11 -O2 -g $WARN -Werror $DW_CFLAGS -I"$top/translator" -o "$tmp/dwtest" \
	"$here/dwtest.c" "$top"/translator/dwarf*.c "$top/translator/symbols.c" \
	"$top/translator/arena.c" $DW_LIBS 2>"$tmp/build.err"; then
	ok "build dwtest (-Werror)"
else
	bad "build dwtest" "$(head -5 "$tmp/build.err")"
	finish
fi

# ---- 2. the fixture ----
cp "$here/fixture.c" "$here/harness.c" "$tmp/"
echo 'int main(void) { return 0; }' >"$tmp/main0.c"
# like the kernel: no .eh_frame, the CFI is in .debug_frame
FXFLAGS="-g -fno-asynchronous-unwind-tables"
if (cd "$tmp" && $CC $FXFLAGS -O2 -c fixture.c -o fx2.o && $CC $FXFLAGS -O0 -c fixture.c -o fx0.o &&
	$CC $FXFLAGS -O2 -no-pie fixture.c main0.c -o fxexe) 2>"$tmp/fx.err"; then
	"$tmp/dwtest" fixture "$tmp" >"$tmp/fixture.out" 2>"$tmp/fixture.err"
	out <"$tmp/fixture.out"
	if [ -s "$tmp/gen.h" ] && $CC -std=gnu11 -O1 -g -I"$tmp" -o "$tmp/harness" "$tmp/harness.c" \
		2>"$tmp/harness.err"; then
		"$tmp/harness" >"$tmp/harness.out"
		out <"$tmp/harness.out"
	else
		bad "harness build" "$(head -5 "$tmp/harness.err" 2>/dev/null)"
	fi
else
	bad "fixture build" "$(head -3 "$tmp/fx.err")"
fi

# ---- 3. the kernel ----
if [ -f "/usr/lib/debug/boot/vmlinux-$release" ] ||
	[ -f "/usr/lib/debug/lib/modules/$release/vmlinux" ]; then
	"$tmp/dwtest" kernel "$release" >"$tmp/k1.out" 2>"$tmp/k1.err"
	out <"$tmp/k1.out"
	if grep -q "^Indexing kernel debuginfo for $release (once per kernel)\.\.\.$" "$tmp/k1.err"; then
		ok "kernel index note on first use"
	else
		bad "kernel index note on first use" "stderr: $(head -3 "$tmp/k1.err")"
	fi
	start=$(date +%s%N)
	"$tmp/dwtest" -k "$release" L '*@net/socket.c' >"$tmp/socket.L" 2>"$tmp/k2.err"
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	if grep -q Indexing "$tmp/k2.err"; then
		bad "kernel index cached" "indexed again"
	else
		ok "kernel index cached"
	fi
	n=$(grep -c '^kernel.function("' "$tmp/socket.L")
	if [ "$n" -gt 50 ] && grep -qx 'kernel.function("__sys_connect@net/socket.c:2017") $fd:int $uservaddr:struct sockaddr\* $addrlen:int' "$tmp/socket.L"; then
		ok "kernel -L *@net/socket.c ($n probe points)"
	else
		bad "kernel -L *@net/socket.c" "$n lines; $(head -2 "$tmp/socket.L")"
	fi
	# a few kernel expressions for the kbuild check below
	: >"$tmp/kexprs.txt"
	for fe in 'icmp_rcv|$skb->dev->name' 'icmp_rcv|$skb->len' '__sys_recvmmsg|$timeout_sys->tv_sec' \
		'tcp_v4_connect|$sk->__sk_common->skc_family' 'icmp_reply|$ipc->sockc->tsflags' \
		'__netif_receive_skb_core|$skb->dev->stats->__rx_dropped->counter' \
		'icmp_rcv|@cast(STP_REGS->di, "struct sk_buff")->head' 'icmp_rcv|$return'; do
		"$tmp/dwtest" -k "$release" expr "${fe%%|*}" "${fe#*|}" prologue 2>/dev/null |
			sed -n 2p >>"$tmp/kexprs.txt"
	done
	if [ "$(grep -c . "$tmp/kexprs.txt")" -eq 8 ]; then
		ok "kernel target expressions (8)"
	else
		bad "kernel target expressions" "$(grep -c . "$tmp/kexprs.txt") of 8 translated"
	fi
	if [ "$ms" -lt 1500 ]; then
		ok "kernel socket.c warm (${ms} ms)"
	else
		bad "kernel socket.c warm" "${ms} ms"
	fi
else
	echo "skip kernel checks: no debug vmlinux for $release (linux-image-$release-dbg)"
fi

# ---- 4. runtime/loc.h in a kernel module (compile only) ----
kdir=/lib/modules/$release/build
if [ -d "$kdir" ] && [ -f "$tmp/gen.h" ] && command -v make >/dev/null; then
	mkdir -p "$tmp/mod"
	cp "$top/runtime/loc.c" "$tmp/mod/"
	# the generated expressions of the fixture, as a handler would use them
	{
		echo '#include <linux/module.h>'
		echo '#include "stp_runtime.h"'
		echo '#include "loc.h"'
		echo 'struct context { struct stp_context base; };'
		echo '#define STP_REGS (c->base.regs)'
		echo 'void stp_error(struct stp_context *c, const char *l, const char *f, ...) { }'
		echo 'int64_t locmod_handler(struct context *c);'
		echo 'int64_t locmod_handler(struct context *c)'
		echo '{'
		echo '	int64_t sum = 0;'
		sed -n 's/^\tCHECKV("[^"]*", \(.*\), (int64_t)(.*));$/\tsum += \1;/p' "$tmp/gen.h" |
			grep -v g_outer
		[ -f "$tmp/kexprs.txt" ] && sed 's/^/\tsum += /; s/$/;/' "$tmp/kexprs.txt"
		echo '	return sum;'
		echo 'out:'
		echo '	return -1;'
		echo '}'
		echo 'MODULE_LICENSE("GPL");'
	} >"$tmp/mod/locmod.c"
	printf 'obj-m := locmod_all.o\nlocmod_all-y := locmod.o loc.o\nccflags-y := -I%s\n' "$top/runtime" \
		>"$tmp/mod/Kbuild"
	if make -C "$kdir" M="$tmp/mod" modules >"$tmp/mod.log" 2>&1 &&
		! grep -q 'warning:' "$tmp/mod.log"; then
		ok "runtime/loc.h compiles in a module ($(grep -c 'sum +=' "$tmp/mod/locmod.c") expressions)"
	else
		bad "runtime/loc.h compiles in a module" "$(grep -m3 -E 'error|warning' "$tmp/mod.log")"
	fi
else
	echo "skip kbuild check: no build tree $kdir"
fi

finish
