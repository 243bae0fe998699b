# Options and their documentation agree, for stap and for staprun: every option the
# source accepts (its getopt string and long-option table) is listed by --help and has an
# entry in the OPTIONS section of its man page, and every entry there is an option that
# is accepted. Also checks what stap -V and staprun -V print.
. "$(dirname "$0")/common.inc"
SR=$TOP/staprun/staprun

# The options a C file accepts: "-x" for each letter of its getopt string, "--name" for
# each entry of its struct option table.
source_options() {
	sed -n 's/.*getopt[_a-z]*(argc, argv, "\([^"]*\)".*/\1/p' "$1" | head -1 |
		tr -d '+:' | fold -w1 | sed 's/^/-/'
	sed -n 's/^[[:space:]]*{ *"\([a-z][a-z-]*\)",.*/--\1/p' "$1"
}

# The option entries of a man page's OPTIONS section, as rendered: an entry's tag starts
# the line, indented 7 columns ("-p NUM", "-h, --help", "--remote=qemu[:RELEASE]"), and
# ends at the first double space (the start of the description).
man_entries() {
	MANPAGER=cat MANWIDTH=250 man -l "$1" 2>/dev/null |
		sed -n '/^OPTIONS/,/^[A-Z]/p' | grep -E '^ {7}-' | sed -E 's/^ {7}//; s/  .*//' |
		grep -oE '(^|, )--?[A-Za-z][A-Za-z-]*' | sed 's/^[ ,]*//'
}

check_tool() {         # NAME SOURCE MANPAGE HELP-OUTPUT
	local name=$1 src=$2 page=$3 help=$4 opt
	source_options "$src" | sort -u >"$T/$name.src"
	[ "$(wc -l <"$T/$name.src")" -ge 10 ] || die "$name: could not read options from $src"
	man_entries "$page" | sort -u >"$T/$name.man"
	[ "$(wc -l <"$T/$name.man")" -ge 10 ] || die "$name: could not read entries of $page"
	while read -r opt; do
		grep -qE -- "(^|[ ,])$opt([ ,=[]|$)" "$help" ||
			die "$name accepts $opt but --help does not list it"
		grep -qx -- "$opt" "$T/$name.man" ||
			die "$name accepts $opt but $(basename "$page") has no entry for it"
	done <"$T/$name.src"
	while read -r opt; do
		grep -qx -- "$opt" "$T/$name.src" ||
			die "$(basename "$page") documents $opt, which $name does not accept"
	done <"$T/$name.man"
	echo "$name: $(wc -l <"$T/$name.src") options, all listed and documented"
}

"$STAP" --help >"$T/stap.help" 2>&1 || die "stap --help failed"
check_tool stap "$TOP/translator/options.c" "$TOP/doc/stap.1" "$T/stap.help"
"$SR" --help >"$T/staprun.help" 2>&1 || die "staprun --help failed"
check_tool staprun "$TOP/staprun/staprun.c" "$TOP/doc/staprun.8" "$T/staprun.help"

# Every option --help prints really is accepted (no stale help lines).
for opt in $(grep -oE '^ +--?[A-Za-z][A-Za-z-]*' "$T/stap.help" | tr -d ' ' | sort -u); do
	grep -qx -- "$opt" "$T/stap.src" || die "stap --help lists $opt, which stap does not accept"
done

# -V: the version line in SystemTap's form, the libraries, the features and the runtimes.
"$STAP" -V >"$T/v" 2>&1 || die "stap -V failed"
grep -qE '^Systemtap translator/driver \(version [0-9]+\.[0-9]+/[0-9.]+, ' "$T/v" ||
	die "stap -V: no SystemTap-style version line: $(head -2 "$T/v")"
ver=$(sed -n 's/^#define STAP_VERSION "\([^"]*\)".*/\1/p' "$TOP/translator/version.h")
expect_in "(version $ver/" "$T/v"
expect_in "enabled features:" "$T/v"
expect_in "LIBDW" "$T/v"
expect_in "XXHASH" "$T/v"
expect_in "available runtimes: kernel" "$T/v"
expect_in "qemu" "$T/v"
"$SR" -V >"$T/srv" 2>&1 || die "staprun -V failed"
expect_in "version $ver" "$T/srv"
exit 0
