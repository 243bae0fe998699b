# The example scripts in the man pages compile: every block marked
#   .\" example: OPTIONS [-- ARGS] (stap options, e.g. "p2" or "p2 -g"; "p1" to parse
#                                  only; ARGS go after the script)
#   .nf ... .fi
# in doc/*.1 and doc/*.3stap is un-roffed and run through stap -pN OPTIONS against the
# target kernel. A marked block that fails is a documentation bug (or a regression).
# "example: pending p2" marks a documented feature that is not implemented yet: it must
# still fail, so that the page's status note is updated when it starts to work.
. "$(dirname "$0")/common.inc"

# Roff to text: \- \e \\ \(aq \& and font changes.
unroff() {
	sed -e 's/\\f[BIRP]//g' -e 's/\\-/-/g' -e 's/\\(aq/'"'"'/g' -e 's/\\&//g' \
	    -e 's/\\e/\\/g' -e 's/\\\\/\\/g' "$@"
}

n=0
for page in "$TOP"/doc/*.1 "$TOP"/doc/*.3stap; do
	# Split each page's marked blocks into $T/ex.N files, with their options in $T/ex.N.opts.
	rm -f "$T"/ex.*
	awk -v out="$T/ex" '
		/^\.\\" example:/ { opts = $0; sub(/^\.\\" example: */, "", opts); want = 1; next }
		want && /^\.nf/ { n++; f = out "." n; printf "%s\n", opts > (f ".opts"); close(f ".opts"); inb = 1; want = 0; next }
		inb && /^\.fi/ { inb = 0; close(f); next }
		inb { print > f }
	' "$page"
	for ex in "$T"/ex.[0-9]*; do
		case $ex in *.opts|*.stp) continue ;; esac
		[ -e "$ex" ] || continue
		read -r pass opts <"$ex.opts"
		pending=0
		if [ "$pass" = pending ]; then
			pending=1
			read -r pass opts <<<"$opts"
		fi
		args=
		case " $opts " in *" -- "*) args=${opts#*--}; opts=${opts%%--*} ;; esac
		unroff "$ex" >"$ex.stp"
		# shellcheck disable=SC2086
		"$STAP" -"$pass" -r "$RELEASE" $opts "$ex.stp" $args >/dev/null 2>"$T/err"
		rc=$?
		if [ $pending = 1 ]; then
			[ $rc = 0 ] && die "pending example in $(basename "$page") now compiles: mark it '$pass $opts' and update the page's status note: $(cat "$ex.stp")"
			continue
		fi
		if [ $rc != 0 ]; then
			echo "--- example from $(basename "$page"):"; cat "$ex.stp"
			die "example $n fails with -$pass $opts: $(head -6 "$T/err")"
		fi
		n=$((n + 1))
	done
done
[ "$n" -ge 20 ] || die "only $n marked examples found"
echo "$n examples compile"
exit 0
