#!/bin/bash
# testsuite/fuzz/run.sh [COUNT [SEED]] - build the pass-1 fuzzer with AddressSanitizer and
# UndefinedBehaviorSanitizer and run COUNT mutants (default 100000) of the parse tests
# and tapset files. Exits non-zero on a crash, hang, leak or a printing fixed-point
# failure; the offending input is left in build/fuzz/crash.stp. Needs no kernel.
set -eu
cd "$(dirname "$0")/../.."
COUNT=${1:-100000}
SEED=${2:-1}
B=build/fuzz
mkdir -p "$B"

bison -d -o "$B/parser.c" translator/parser.y
flex --header-file="$B/lexer.h" -o "$B/lexer.c" translator/lexer.l
CFLAGS="-std=gnu11 -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined
	-fno-sanitize-recover=all -Wall -Wextra -Wno-unused-parameter -Wno-sign-compare
	-Wno-unused-function -Itranslator -I$B"
# shellcheck disable=SC2086
gcc $CFLAGS -o "$B/fuzz-parser" testsuite/fuzz/fuzz.c translator/ast.c translator/arena.c \
	translator/diag.c translator/ast_print.c translator/preprocess.c translator/source.c \
	translator/print_format.c translator/ast_walk.c "$B/parser.c" "$B/lexer.c"

mapfile -t SEEDS < <(ls testsuite/parseok/*.stp testsuite/parseko/*.stp 2>/dev/null;
		     find tapset -name '*.stp' -o -name '*.stpm' 2>/dev/null)
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:allocator_may_return_null=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
"$B/fuzz-parser" -n "$COUNT" -s "$SEED" -t 10 -o "$B/crash.stp" "${SEEDS[@]}"
