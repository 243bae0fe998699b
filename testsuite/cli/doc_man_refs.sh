# Every error::NAME / warning::NAME that a message in the sources refers to ("[man
# error::dwarf]", the pass table's "error::pass2") has its page doc/ID.7stap, and every
# page in doc/ renders without groff warnings; every cross-reference in doc/ pages
# (.BR name (section)) to one of our sections names a page that exists.
. "$(dirname "$0")/common.inc"
cd "$TOP" || die "no $TOP"

# Ids with an upper-case letter are placeholders in comments ("error::passN").
grep -rIhoE '(error|warning)::[A-Za-z0-9_-]+' translator runtime staprun tapset |
	grep -v '[A-Z]' | sort -u >"$T/ids"
n=$(wc -l <"$T/ids")
[ "$n" -ge 8 ] || die "only $n man ids found in the sources: $(cat "$T/ids")"
for id in error::pass1 error::pass2 error::pass5 error::dwarf error::fault warning::debuginfo; do
	grep -qx "$id" "$T/ids" || die "$id is no longer referenced? ids: $(tr '\n' ' ' <"$T/ids")"
done
while read -r id; do
	[ -f "doc/$id.7stap" ] || die "message id [man $id] has no page doc/$id.7stap (used in: $(grep -rIl "$id" translator runtime staprun tapset | tr '\n' ' '))"
	head -1 "doc/$id.7stap" | grep -qi "^\.TH \"\{0,1\}$id" || die "doc/$id.7stap: .TH does not name $id"
	grep -q "^$(printf '%s' "$id" | sed 's/-/\\\\-/g') \\\\- " "doc/$id.7stap" || die "doc/$id.7stap: NAME line is not '$id \\- ...'"
done <"$T/ids"

# All pages render cleanly, and `man -l` shows one.
groff -t -man -ww -z -Tutf8 doc/*.[1-8]* 2>"$T/warn"
[ -s "$T/warn" ] && die "groff warnings: $(head -5 "$T/warn")"
MANPAGER=cat MANWIDTH=80 man -l doc/error::dwarf.7stap >"$T/dwarf" 2>&1 || die "man -l failed"
expect_in "not accessible at this address" "$T/dwarf"

# Cross-references to our own sections point at pages we have (or generate).
"$TOP/scripts/tapset-man" -V test "$T/gen" tapset 2>/dev/null || die "tapset-man failed"
grep -hoE '^\.BR [^ ]+ \((1|8|3stap|7stap)\)' doc/*.[1-8]* | sort -u | while read -r _ name sec; do
	sec=${sec#(}; sec=${sec%)}
	page=$(printf '%s' "$name" | sed 's/\\-/-/g')
	[ -f "doc/$page.$sec" ] || [ -f "$T/gen/$page.$sec" ] || die "reference to $page($sec) but no doc/$page.$sec"
done || exit 1
echo "$n message ids, all documented"
exit 0
