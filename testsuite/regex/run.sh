#!/bin/bash
# testsuite/regex/run.sh - tests of `=~` / `!~`: translator/regex.c and runtime/regex.c.
#
#   1. builds gen (gen.c + translator/regex.c, arena.c, emit.c, diag.c), which runs the
#      translate-time side on cases.h and on random patterns: compile errors and their
#      messages, the generated expressions, the tables (OUTDIR/gen.h);
#   2. builds harness (harness.c + gen.h + runtime/regex.c, in user space) and runs every
#      case against its expected result and glibc's regcomp/regexec, the random patterns
#      against glibc, the token soup's accept/reject decisions against glibc's, the
#      32-bit table, an unminimized chain, the MAXSTRINGLEN bound and a speed check;
#   3. compiles runtime/regex.c and the generated tables as a kernel module (kbuild, no
#      loading, no warnings allowed); skipped without a kernel build tree.
# Prints "ok ..." / "FAIL ..." lines and ends with "N passed, N failed".
# Options (environment): RX_RANDOM (random patterns, default 400), RX_SEED (default 1),
# STAP_TEST_RELEASE (kernel release for step 3).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

pass=0
fail=0
count() {                       # echoes and counts the ok/FAIL lines of a step's output
	local line
	while IFS= read -r line; do
		case "$line" in
		ok\ *) pass=$((pass + 1)); echo "$line" ;;
		FAIL\ *) fail=$((fail + 1)); echo "$line" ;;
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

# ---- 1. translate time ----
if $CC -std=gnu11 -O2 -g $WARN -Werror -I"$top/translator" -I"$here" -o "$tmp/gen" \
	"$here/gen.c" "$top/translator/regex.c" "$top/translator/arena.c" \
	"$top/translator/emit.c" "$top/translator/diag.c" 2>"$tmp/build.err"; then
	ok "build gen (-Werror)"
else
	bad "build gen" "$(head -5 "$tmp/build.err")"
	finish
fi
"$tmp/gen" "$tmp" "${RX_RANDOM:-400}" "${RX_SEED:-1}" >"$tmp/gen.out" 2>"$tmp/gen.err"
count <"$tmp/gen.out"
if [ ! -s "$tmp/gen.h" ]; then
	bad "gen.h" "not written: $(tail -3 "$tmp/gen.err")"
	finish
fi

# ---- 2. run time, against glibc ----
if $CC -std=gnu11 -O2 -g $WARN -Werror -iquote "$top/runtime" -iquote "$tmp" -I"$here" \
	-DMAXSTRINGLEN=512 -o "$tmp/harness" "$here/harness.c" "$top/runtime/regex.c" \
	2>"$tmp/harness.err"; then
	ok "build harness with the generated tables ($(grep -c '^static const struct stp_regex' "$tmp/gen.h") regexes, -Werror)"
	"$tmp/harness" >"$tmp/harness.out" 2>&1
	count <"$tmp/harness.out"
	grep -q ' passed, ' "$tmp/harness.out" || bad "harness" "crashed: $(tail -3 "$tmp/harness.out")"
else
	bad "build harness" "$(head -8 "$tmp/harness.err")"
fi

# ---- 3. the runtime and the tables in a kernel module (compile only) ----
release=${STAP_TEST_RELEASE:-$(ls /boot/vmlinuz-* 2>/dev/null | sed 's|/boot/vmlinuz-||' | sort -V | tail -1)}
kdir=/lib/modules/$release/build
if [ -n "$release" ] && [ -d "$kdir" ] && command -v make >/dev/null; then
	mkdir -p "$tmp/mod"
	cp "$top/runtime/regex.c" "$tmp/mod/rt_regex.c"
	{
		echo '#include <linux/module.h>'
		echo '#include "stp_runtime.h"'
		sed -n '/^#include "regex.h"/,/^static int64_t case_m_0(/p' "$tmp/gen.h" | sed '$d'
		echo 'int rxmod_probe(const char *s);'
		echo 'int rxmod_probe(const char *s)'
		echo '{'
		echo '	return stp_regex_match(&stp_re_0, s) + stp_regex_match(&stp_re_1, s);'
		echo '}'
		echo 'MODULE_LICENSE("GPL");'
	} >"$tmp/mod/rxmod.c"
	printf 'obj-m := rxmod_all.o\nrxmod_all-y := rxmod.o rt_regex.o\nccflags-y := -I%s -Wno-declaration-after-statement\n' \
		"$top/runtime" >"$tmp/mod/Kbuild"
	if make -C "$kdir" M="$tmp/mod" modules >"$tmp/mod.log" 2>&1 &&
		! grep -q 'warning:' "$tmp/mod.log"; then
		ok "runtime/regex.c and $(grep -c '^static const struct stp_regex' "$tmp/mod/rxmod.c") tables compile in a module"
	else
		bad "kernel module build" "$(grep -m5 -E 'error|warning' "$tmp/mod.log")"
	fi
else
	echo "skip kbuild check: no build tree $kdir"
fi

finish
