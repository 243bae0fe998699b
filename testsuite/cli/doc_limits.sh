# Every tunable of the runtime (a "#ifndef NAME / #define NAME DEFAULT" pair in runtime/,
# which -DNAME=VALUE overrides) is documented in the LIMITS section of stap(1) with its
# default, so that the page cannot fall behind the code.
. "$(dirname "$0")/common.inc"
cd "$TOP" || die "no $TOP"

# NAME DEFAULT, one per line (header guards, which define nothing, are skipped).
awk 'prev != "" && $1 == "#define" && $2 == prev && NF >= 3 {
	v = $0; sub(/^#define[ \t]+[A-Za-z0-9_]+[ \t]+/, "", v); sub(/[ \t]*\/\*.*/, "", v)
	sub(/[ \t]+$/, "", v); print $2 "\t" v
}
{ prev = ($1 == "#ifndef") ? $2 : "" }' runtime/*.[ch] runtime/linux/*.[ch] | sort -u >"$T/tunables"
[ "$(wc -l <"$T/tunables")" -ge 8 ] || die "too few tunables found: $(cat "$T/tunables")"

# The LIMITS section, one .TP entry per line, without font changes.
awk '/^\.SH LIMITS/ { on = 1; next } /^\.SH/ { on = 0 } on && /^\.TP/ { print line; line = ""; next }
     on { line = line " " $0 } END { print line }' doc/stap.1 |
	sed -e 's/\\f[BIRP]//g' -e 's/\\-/-/g' >"$T/limits"
while IFS=$'\t' read -r name value; do
	grep -q -- "$name" "$T/limits" || die "runtime tunable $name (default $value) is not in stap(1) LIMITS"
	grep -- "$name" "$T/limits" | grep -qF -- "default $value" ||
		die "stap(1) LIMITS: $name's default is not given as 'default $value'"
done <"$T/tunables"
echo "$(wc -l <"$T/tunables") tunables documented"
exit 0
