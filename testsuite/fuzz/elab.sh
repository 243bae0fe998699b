#!/bin/bash
# testsuite/fuzz/elab.sh [COUNT [SEED]] - fuzz passes 2 and 3: builds the whole translator
# with AddressSanitizer and UndefinedBehaviorSanitizer, makes COUNT token-level mutants
# (default 400) of the sem, build and run tests and the examples (mutate.c), and
# translates each with `stap -p3` against the target kernel (every other one in guru
# mode). A mutant may be rejected with any error message; it must not crash the
# translator, trip a sanitizer, report an internal error or run past 60 s. Failing
# mutants are kept in build/fuzz-elab/fail/. Ends with one summary line.
#
# Environment: FUZZ_RELEASE (default 6.1.0-56-cloud-amd64).
set -u
cd "$(dirname "$0")/../.."
COUNT=${1:-400}
SEED=${2:-1}
RELEASE=${FUZZ_RELEASE:-6.1.0-56-cloud-amd64}
B=build/fuzz-elab
rm -rf "$B/mutants" "$B/fail"
mkdir -p "$B/obj" "$B/mutants" "$B/fail"

# ---- a sanitized translator, built beside the normal one
SAN="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all"
bison -d -o "$B/parser.c" translator/parser.y || exit 1
flex --header-file="$B/lexer.h" -o "$B/lexer.c" translator/lexer.l || exit 1
srcs=(translator/*.c translator/probes/*.c "$B/parser.c" "$B/lexer.c")
objs=()
for s in "${srcs[@]}"; do
	objs+=("$B/obj/$(echo "$s" | tr / _).o")
done
for i in "${!srcs[@]}"; do
	[ "${objs[$i]}" -nt "${srcs[$i]}" ] && continue
	echo "gcc -std=gnu11 $SAN -w $(pkg-config --cflags libdw 2>/dev/null) -Itranslator -I$B -c -o ${objs[$i]} ${srcs[$i]}"
done | xargs -P 2 -I{} sh -c '{}' || exit 1
gcc $SAN -o "$B/stap" "${objs[@]}" $(pkg-config --libs libdw 2>/dev/null || echo -ldw -lelf) \
	-lxxhash || exit 1
# The sanitized binary lives outside the tree: point it at the tree's tapset and runtime.
export SYSTEMTAP_TAPSET=$PWD/tapset SYSTEMTAP_RUNTIME=$PWD/runtime

gcc -std=gnu11 -O2 -Wall -o "$B/mutate" testsuite/fuzz/mutate.c || exit 1
"$B/mutate" -n "$COUNT" -s "$SEED" -o "$B/mutants" testsuite/semok/*.stp \
	testsuite/buildok/*.stp testsuite/runok/*.stp examples/*.stp || exit 1

export ASAN_OPTIONS=detect_leaks=0:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export SYSTEMTAP_DIR=$PWD/$B/home
start=$SECONDS
bad=0 accepted=0
for ((i = 0; i < COUNT; i++)); do
	m=$B/mutants/$i.stp
	guru=()
	((i % 2)) && guru=(-g)
	timeout 60 "$B/stap" -p3 "${guru[@]}" -r "$RELEASE" "$m" >/dev/null 2>"$B/err"
	rc=$?
	if [ $rc -ge 124 ] || grep -qE 'AddressSanitizer|runtime error:|internal error' "$B/err"; then
		bad=$((bad + 1))
		cp "$m" "$B/fail/$i.stp"
		cp "$B/err" "$B/fail/$i.err"
		echo "FAIL: mutant $i (exit $rc): $(grep -m3 -E 'ERROR|runtime error|internal' "$B/err" | tr '\n' ' ')"
	elif [ $rc = 0 ]; then
		accepted=$((accepted + 1))
	fi
done
echo "$COUNT mutants ($accepted translated, the rest rejected with a message), $bad failures, $((SECONDS - start)) s"
[ $bad = 0 ]
