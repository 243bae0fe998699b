# -l / -L PATTERN and the --dump-* listings, with the test library as the tapset library.
. "$(dirname "$0")/common.inc"
. "$(dirname "$0")/p2/lib.inc"
cd "$P2" || die "no p2/"
listing() {   # listing EXPECTED-FILE OPTIONS...: stdout must equal the file
	local want=$1; shift
	"$STAP" "$@" >"$T/o" 2>"$T/e" || { cat "$T/e"; die "stap $* failed"; }
	if [ -n "${UPDATE:-}" ]; then cp "$T/o" "$want"; return; fi
	diff -u "$want" "$T/o" || die "stap $*: listing differs"
}
listing list_aliases.out -l 'util.*'
listing list_alias_vars.out -L 'util.t*'
listing dump_functions.out --dump-functions
listing dump_aliases.out --dump-probe-aliases
[ "$("$STAP" -l begin)" = begin ] || die "-l begin"
[ "$("$STAP" -l 'timer.s(1)')" = "timer.s(1)" ] || die "-l timer.s(1)"
[ "$("$STAP" -l 'begin*')" = begin ] || die "-l begin*"
"$STAP" -l 'no.such.*' >"$T/o" 2>"$T/e" && die "-l of nothing should fail"
[ ! -s "$T/o" ] && [ ! -s "$T/e" ] || die "-l of nothing should print nothing"
"$STAP" --dump-probe-types >"$T/types" || die "--dump-probe-types failed"
for t in begin 'begin(number)' end never 'timer.ms(number)' 'timer.s(number).randomize(number)' \
	'kprobe.function(string).return'; do
	grep -qxF "$t" "$T/types" || die "--dump-probe-types lacks $t"
done
sort -c "$T/types" || die "--dump-probe-types is not sorted"
# Kernel probes, when the cloud kernel's debuginfo is here.
K=6.1.0-56-cloud-amd64
if [ -f /usr/lib/debug/boot/vmlinux-$K ]; then
	"$STAP" -r $K -l 'kernel.function("vfs_rea*")' >"$T/k" 2>/dev/null || die "-l kernel.function failed"
	grep -qxF 'kernel.function("vfs_read@fs/read_write.c:450")' "$T/k" || { cat "$T/k"; die "-l vfs_read"; }
	"$STAP" -r $K -L 'kernel.function("vfs_read")' >"$T/k" 2>/dev/null || die "-L kernel.function failed"
	grep -qF 'kernel.function("vfs_read@fs/read_write.c:450") $file:struct file* $buf:char* $count:size_t' "$T/k" || { cat "$T/k"; die "-L vfs_read"; }
	"$STAP" -r $K -l 'kprobe.function("vfs_rea*")' >"$T/k" 2>/dev/null || die "-l kprobe.function failed"
	grep -qxF 'kprobe.function("vfs_read")' "$T/k" || { cat "$T/k"; die "-l kprobe vfs_read"; }
fi
exit 0
