# -d FILE and --ldd: the symbol tables of user binaries that pass 3 puts into the module
# (translator/usymbols.c), checked against nm and readelf on programs built here: each
# function at its file offset (static, PIE), the build-id, --ldd's libraries as ldd finds
# them, SystemTap's warning for a file that can't be read, and a rebuilt binary not being
# served from the module cache.
. "$(dirname "$0")/common.inc"
SCRIPT='probe syscall.getppid { print_ubacktrace() }'

# The file offset of a function: its address in the PT_LOAD segment holding it.
file_offset() {         # BINARY SYMBOL
	local addr type off va pa sz rest
	addr=$(nm "$1" | awk -v s="$2" '$3 == s { print $1; exit }')
	[ -n "$addr" ] || die "nm found no $2 in $1"
	addr=$((16#$addr))
	while read -r type off va pa sz rest; do
		[ "$type" = LOAD ] || continue
		if [ "$addr" -ge $((va)) ] && [ "$addr" -lt $((va + sz)) ]; then
			printf '0x%x\n' $((addr - va + off))
			return
		fi
	done < <(readelf -lW "$1")
}

# The index of NAME in the names string of table N, as the generated C lists them.
check_symbol() {        # C-FILE TABLE BINARY SYMBOL
	local off want
	want=$(file_offset "$3" "$4")
	# The entries and the names are in the same order: pair them up.
	off=$(awk -v t="$2" '
		$0 ~ "stp_usym_syms_" t "\\[\\]" { s = 1; next }
		s && /^};/ { s = 0 }
		s { gsub(/[{},]/, ""); offs[n++] = $1 }
		$0 ~ "stp_usym_names_" t "\\[\\]" { m = 1; next }
		m { name = $1; gsub(/^"|\\0";?$/, "", name); names[k++] = name; if (/;$/) m = 0 }
		END { for (i = 0; i < n; i++) print names[i], offs[i] }' "$1" |
		awk -v s="$4" '$1 == s { print $2; exit }')
	[ "$off" = "${want}UL" ] || die "$4 in table $2: offset '$off', readelf says $want"
}

gcc -static -O2 -o "$T/ustack" "$TOP/testsuite/workloads/ustack.c" || die "gcc -static failed"
gcc -static-pie -O2 -o "$T/upie" "$TOP/testsuite/workloads/ustack.c" || die "gcc -static-pie failed"
"$STAP" -p3 -r "$RELEASE" -d "$T/ustack" -d "$T/upie" -e "$SCRIPT" >"$T/c" 2>"$T/e" || die "-p3 -d failed: $(cat "$T/e")"
[ -s "$T/e" ] && die "unexpected messages: $(cat "$T/e")"
for s in main uchain_a uchain_b; do
	check_symbol "$T/c" 0 "$T/ustack" $s
	check_symbol "$T/c" 1 "$T/upie" $s
done
expect_in ".path = \"$T/ustack\", .basename = \"ustack\"" "$T/c"
expect_in ".file_size = $(stat -c %s "$T/upie")UL" "$T/c"
id=$(readelf -n "$T/ustack" | sed -n 's/.*Build ID: //p' | sed 's/../0x&,/g')
expect_in "static const unsigned char stp_usym_bid_0[] = { $id };" "$T/c"
expect_in "const struct stp_usym_set stp_usyms = { stp_usym_files, 2 };" "$T/c"

# Without -d, and with a kernel module's name: no tables.
"$STAP" -p3 -r "$RELEASE" -d ext4 -e "$SCRIPT" >"$T/c" 2>"$T/e" || die "-p3 -d ext4 failed: $(cat "$T/e")"
expect_in "const struct stp_usym_set stp_usyms = { NULL, 0 };" "$T/c"

# --ldd: the libraries ldd lists, and the interpreter.
cat >"$T/dyn.c" <<'EOC'
#include <math.h>
#include <stdio.h>
int main(int argc, char **argv) { printf("%f\n", sqrt(argc)); return 0; }
EOC
gcc -O2 -o "$T/dyn" "$T/dyn.c" -lm || die "gcc failed"
"$STAP" -p3 -r "$RELEASE" -d "$T/dyn" --ldd -e "$SCRIPT" >"$T/c" 2>"$T/e" || die "--ldd failed: $(cat "$T/e")"
for lib in $(ldd "$T/dyn" | grep -oE '/[^ ]+'); do
	expect_in ".path = \"$(realpath "$lib")\"" "$T/c"
done
check_symbol "$T/c" 0 "$T/dyn" main

# A file that isn't there or isn't a binary: SystemTap's warning, and the script runs.
"$STAP" -p3 -r "$RELEASE" -d /nonexistent/prog -d /etc/passwd -e "$SCRIPT" >"$T/c" 2>"$T/e" ||
	die "-d /nonexistent should only warn: $(cat "$T/e")"
expect_in "WARNING: missing unwind/symbol data for module '/nonexistent/prog'" "$T/e"
expect_in "WARNING: missing unwind/symbol data for module '/etc/passwd'" "$T/e"

# The module cache knows the binary: rebuilt with another function, a new table.
sed 's/uchain_b/uchain_c/g' "$TOP/testsuite/workloads/ustack.c" >"$T/v2.c"
cp "$T/ustack" "$T/prog"
"$STAP" -p3 -r "$RELEASE" -d "$T/prog" -e "$SCRIPT" >"$T/c1" 2>"$T/e" || die "-p3 failed: $(cat "$T/e")"
gcc -static -O2 -o "$T/prog" "$T/v2.c" || die "gcc failed"
touch -d '+1 min' "$T/prog"
"$STAP" -p3 -r "$RELEASE" -d "$T/prog" -e "$SCRIPT" >"$T/c2" 2>"$T/e" || die "-p3 failed: $(cat "$T/e")"
expect_in '"uchain_b\0"' "$T/c1"
expect_in '"uchain_c\0"' "$T/c2"
exit 0
