# Source-line tables of -d binaries (translator/ulines.c): for the fileline workload built
# here with -g, a lookup in the table pass 3 emits (the last row at or below an address's
# file offset) must give what addr2line says for every instruction of its functions; a
# binary without line information (no -g) gets no table and no message; a stripped copy
# gets the same table from its separate debug file (.gnu_debuglink), unless that file is
# of another build; a script that looks no lines up gets no table; and the bound on all
# the tables of a module leaves a table out with a warning.
. "$(dirname "$0")/common.inc"
SCRIPT='probe syscall.write { println(usymfileline(uaddr())) }'

gcc -static -O2 -g -o "$T/fl" "$TOP/testsuite/workloads/fileline.c" || die "gcc -g failed"
gcc -static -O2 -o "$T/nolines" "$TOP/testsuite/workloads/fileline.c" || die "gcc failed"
"$STAP" -p3 -r "$RELEASE" -d "$T/fl" -d "$T/nolines" -e "$SCRIPT" >"$T/c" 2>"$T/e" ||
	die "-p3 failed: $(cat "$T/e")"
[ -s "$T/e" ] && die "unexpected messages: $(cat "$T/e")"
expect_in ".lines = &stp_ulines_0," "$T/c"
grep -q "stp_ulines_1" "$T/c" && die "a table for the binary without line information"

# The table as "OFFSET LINE FILE" rows.
awk '
	/^static const unsigned int stp_uline_offs_0\[\]/ { col = "o"; next }
	/^static const unsigned int stp_uline_lines_0\[\]/ { col = "l"; next }
	/^static const unsigned short stp_uline_files_0\[\]/ { col = "f"; next }
	/^static const char \*const stp_uline_srcs_0\[\]/ { col = "s"; next }
	/^};/ { col = ""; next }
	col == "s" { s = $0; gsub(/^[ \t]*"|",$/, "", s); src[ns++] = s; next }
	col != "" { n = split($0, v, ","); for (i = 1; i < n; i++) { gsub(/[ \t]/, "", v[i]); cell[col, cnt[col]++] = v[i] } }
	END { for (i = 0; i < cnt["o"]; i++) print cell["o", i], cell["l", i], src[cell["f", i]] }
' "$T/c" | while read -r o l f; do echo "$((o)) $l $f"; done >"$T/rows"
[ -s "$T/rows" ] || die "no rows in the line table"
# File names are stored once.
names=$(sed -n '/stp_uline_srcs_0\[\]/,/^};/p' "$T/c" | grep -c '^[[:space:]]*"')
[ "$names" = "$(sed -n '/stp_uline_srcs_0\[\]/,/^};/p' "$T/c" | grep '^[[:space:]]*"' | sort -u | wc -l)" ] ||
	die "repeated source file names"

# The text segment: virtual address -> file offset.
read -r off va < <(readelf -lW "$T/fl" | awk '$1 == "LOAD" && / E / { print $2, $3; exit }')
[ -n "$va" ] || die "no executable segment in $T/fl"
off=$((off)) va=$((va))
n=0
for fn in fl_leaf fl_mid main; do
	for a in $(objdump -d --no-show-raw-insn "$T/fl" |
		   awk -v f="<$fn>:" '$2 == f { s = 1; next } s && /^$/ { exit } s { sub(":", "", $1); print $1 }'); do
		want=$(addr2line -e "$T/fl" "0x$a" | sed 's/ (discriminator [0-9]*)//')
		got=$(awk -v o=$((16#$a - va + off)) '$1 <= o { r = ($2 ? $3 ":" $2 : "??:?") } END { print r }' "$T/rows")
		[ "$got" = "$want" ] || die "$fn at 0x$a: the table says '$got', addr2line '$want'"
		n=$((n + 1))
	done
done
[ "$n" -gt 20 ] || die "only $n instructions checked"

# The same table from a separate debug file: found through .gnu_debuglink in .debug/
# next to the stripped binary, and only if its build-id is the binary's.
mkdir -p "$T/.debug" && objcopy --only-keep-debug "$T/fl" "$T/.debug/split.debug" &&
	objcopy --strip-debug --add-gnu-debuglink="$T/.debug/split.debug" "$T/fl" "$T/split" ||
	die "objcopy failed"
table() { sed -n '/stp_uline_offs_0\[\]/,/stp_ulines_0 =/p' "$1"; }
"$STAP" -p3 -r "$RELEASE" -d "$T/fl" -e "$SCRIPT" >"$T/c" 2>"$T/e" || die "-p3 failed: $(cat "$T/e")"
"$STAP" -p3 -r "$RELEASE" -d "$T/split" -e "$SCRIPT" >"$T/c2" 2>"$T/e" || die "-p3 split failed: $(cat "$T/e")"
[ -n "$(table "$T/c")" ] && [ "$(table "$T/c")" = "$(table "$T/c2")" ] ||
	die "the table from $T/.debug/split.debug differs: $(table "$T/c2" | head -3)"
gcc -static -O1 -g -o "$T/other" "$TOP/testsuite/workloads/fileline.c" || die "gcc -O1 failed"
objcopy --only-keep-debug "$T/other" "$T/.debug/split.debug" || die "objcopy failed"
"$STAP" -p3 -r "$RELEASE" -d "$T/split" -e "$SCRIPT" >"$T/c2" 2>"$T/e" || die "-p3 split failed: $(cat "$T/e")"
grep -q "stp_ulines_" "$T/c2" && die "lines from a debug file of another build"

# A script without line functions: no table even for a binary that has lines.
"$STAP" -p3 -r "$RELEASE" -d "$T/fl" -e 'probe syscall.write { println(usymname(uaddr())) }' >"$T/c" 2>"$T/e" ||
	die "-p3 without line functions failed: $(cat "$T/e")"
grep -q "stp_ulines_" "$T/c" && die "a line table that no function needs"
# The bound on the module's tables in all: eight copies of libc with its separate debug
# file (libc6-dbg, found by build-id), ~140000 rows each, leave the eighth out with a
# warning. Only where that debug file is installed.
libc=/lib/x86_64-linux-gnu/libc.so.6
id=$(readelf -n "$libc" 2>/dev/null | sed -n 's/.*Build ID: //p')
if [ -n "$id" ] && [ -r "/usr/lib/debug/.build-id/${id:0:2}/${id:2}.debug" ]; then
	ds=()
	for i in 1 2 3 4 5 6 7 8; do
		mkdir -p "$T/l$i" && cp "$libc" "$T/l$i/" || die "cp failed"
		ds+=(-d "$T/l$i/libc.so.6")
	done
	"$STAP" -p3 -r "$RELEASE" "${ds[@]}" -e "$SCRIPT" >"$T/c" 2>"$T/e" || die "-p3 libc failed: $(cat "$T/e")"
	expect_in "WARNING: line table of '$T/l8/libc.so.6' left out: the tables would have over 1000000 rows in all" "$T/e"
	[ "$(grep -c '^/\* line table: ' "$T/c")" = 7 ] || die "not 7 libc tables: $(grep '^/\* line table' "$T/c")"
else
	echo "note: no debug file for $libc (libc6-dbg): the bound on all tables is not checked"
fi
exit 0
