/* regex.h - `s =~ "re"` / `s !~ "re"`: POSIX extended regular expressions compiled at
 * translate time into DFA tables that runtime/regex.c walks.
 *
 * The language is ERE over bytes (no locale): literals, `.`, bracket expressions with
 * ranges, [:class:], [.c.] and [=c=], anchors `^` `$` (anywhere, as zero-width
 * assertions), `( )`, `|`, `* + ?`, `{m}` `{m,}` `{m,n}` `{,n}` (counts up to
 * REGEX_MAX_COUNT), `\` before a special character, and GNU's `\w \W \s \S`. A match is
 * searched anywhere in the string, as regexec() does without REG_NEWLINE (`.` and
 * `[^a]` match a newline, `^` `$` are the string's start and end). Back-references and
 * word-boundary escapes are rejected; so is an unmatched ')' (glibc takes it literally).
 * A NUL byte in the pattern (from an escape) is a byte no script string contains.
 *
 * Each distinct pattern becomes one static const struct stp_regex in the generated unit;
 * see runtime/regex.h for the table layout and the matcher.
 */
#ifndef STAP_REGEX_H
#define STAP_REGEX_H

#include <stddef.h>
#include <stdint.h>

struct node;
struct gen;
struct emitter;

#define REGEX_MAX_STATES 1024        /* states of the minimized DFA */
#define REGEX_MAX_BUILD_STATES 4096  /* states of the subset construction, before minimizing */
#define REGEX_MAX_NFA 20000          /* NFA states (repetition copies its operand) */
#define REGEX_MAX_WORK 50000000L     /* NFA states visited building the DFA (~0.2 s) */
#define REGEX_MAX_COUNT 255          /* largest m, n in {m,n} (POSIX RE_DUP_MAX) */
#define REGEX_MAX_DEPTH 100          /* nesting of parentheses */
#define REGEX_MAX_HEIGHT 400         /* levels of the syntax tree (e.g. a*** is 4) */

/* The compiled form of one pattern (the tables the runtime walks). */
struct regex_dfa {
	int nclasses;                 /* byte equivalence classes */
	uint8_t classes[256];         /* byte -> class */
	int nstates;                  /* all states: nlive live ones, then terminal ones */
	int nlive;                    /* states 0..nlive-1 have rows in trans */
	int start;
	uint16_t *trans;              /* [nlive * nclasses] */
	uint8_t *accept;              /* [nstates]: a match if the string ends here */
};

/* Compiles pattern[0..len) (arena); NULL with *err set to a message on a bad pattern or
 * one over the limits. */
struct regex_dfa *regex_compile(const char *pattern, size_t len, const char **err);

/* Pass 2: compiles n's pattern (n is an N_REGEX) and reports a bad one as a semantic error
 * at the literal. Returns 0, or -1 after an error. Results are cached per pattern, so
 * calling it again (or from pass 3) costs a lookup. */
int regex_check(struct node *n);

/* Pass 3: C text of type int64_t, 1 when n (=~ or !~) holds, else 0; registers the
 * pattern's tables for regex_emit_tables(). Reports a bad pattern like regex_check(). */
const char *regex_gen_match(struct gen *g, struct node *n);

/* Writes `#include "regex.h"` and the tables of every pattern regex_gen_match() used, once,
 * before the handlers that name them. Writes nothing when no pattern was used. */
void regex_emit_tables(struct emitter *e);

#endif
