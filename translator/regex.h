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
 *
 * Submatches: when the script calls matched() or ngroups() (tapset/regex.stp), each
 * pattern also gets a capture program, its NFA with a "save the position in slot k" state
 * at each '(' and ')' of a group, and every =~ / !~ records its outcome in the probe's
 * context (stp_regex_record() in runtime/regex.h): the DFA decides, and only after a match
 * does the runtime run the program to find the groups.
 */
#ifndef STAP_REGEX_H
#define STAP_REGEX_H

#include <stddef.h>
#include <stdint.h>

struct node;
struct program;
struct gen;
struct emitter;

#define REGEX_MAX_STATES 1024        /* states of the minimized DFA */
#define REGEX_MAX_BUILD_STATES 4096  /* states of the subset construction, before minimizing */
#define REGEX_MAX_NFA 20000          /* NFA states (repetition copies its operand) */
#define REGEX_MAX_WORK 50000000L     /* NFA states visited building the DFA (~0.2 s) */
#define REGEX_MAX_COUNT 255          /* largest m, n in {m,n} (POSIX RE_DUP_MAX) */
#define REGEX_MAX_DEPTH 100          /* nesting of parentheses */
#define REGEX_MAX_HEIGHT 400         /* levels of the syntax tree (e.g. a*** is 4) */
#define REGEX_MAX_GROUPS 31          /* groups of a pattern used with matched() */
#define REGEX_MAX_PROG_SCRATCH 131072 /* bytes the runtime needs to run a capture program */
#define REGEX_MAX_PROG_SETS 4096     /* byte sets (characters, brackets) of a capture program */
/* Bytes of scratch space the runtime needs for a program of n states and k slots: the
 * STP_REGEX_SCRATCH() of runtime/regex.h. */
#define REGEX_PROG_SCRATCH(n, k) (28L * (n) + 8L * (n) * (k) + 4L * (k) + 16)

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

/* The capture program of one pattern: its NFA (state kinds numbered as STP_RX_* in
 * runtime/regex.h), group g saved in slots 2g (start) and 2g+1 (end); slots 0 and 1, the
 * whole match, are kept by the runtime itself. */
struct regex_inst {
	int op;                       /* STP_RX_SET, _SPLIT, _BOL, _EOL, _MATCH, _SAVE */
	int out, out1;                /* successors; out1: _SPLIT's second (less preferred) */
	int arg;                      /* _SET: byte set; _SAVE: slot */
};
struct regex_prog {
	int ninsts, nsets, nslots, start;
	struct regex_inst *insts;
	uint8_t *sets;                /* [nsets * 32] bitmaps */
};

/* Compiles pattern[0..len) (arena); NULL with *err set to a message on a bad pattern or
 * one over the limits. */
struct regex_dfa *regex_compile(const char *pattern, size_t len, const char **err);

/* The capture program of pattern[0..len) (arena); NULL with *err set when the pattern is
 * bad or has more than REGEX_MAX_GROUPS groups or needs more than REGEX_MAX_PROG_SCRATCH
 * bytes. */
struct regex_prog *regex_compile_prog(const char *pattern, size_t len, const char **err);

/* 1 if the program calls the tapset's matched() or ngroups() (p may be NULL). */
int regex_captures_wanted(const struct program *p);

/* Pass 2: compiles n's pattern (n is an N_REGEX) and reports a bad one as a semantic error
 * at the literal. Returns 0, or -1 after an error. Results are cached per pattern, so
 * calling it again (or from pass 3) costs a lookup. */
int regex_check(struct node *n);

/* Pass 3: C text of type int64_t, 1 when n (=~ or !~) holds, else 0; registers the
 * pattern's tables for regex_emit_tables(). Reports a bad pattern like regex_check().
 * When regex_captures_wanted(g->prog), the text also records the outcome and the groups
 * in c->regex_last (c: the generated code's struct context). */
const char *regex_gen_match(struct gen *g, struct node *n);

/* Writes `#include "regex.h"` and the tables of every pattern regex_gen_match() used, once,
 * before the handlers that name them. Writes nothing when no pattern was used and p does
 * not want captures. */
void regex_emit_tables(struct emitter *e, const struct program *p);

/* Inside the generated struct context: the fields of the last match (regex_last) and the
 * capture programs' scratch space (regex_scratch), when p wants captures; else nothing. */
void regex_emit_context_fields(struct emitter *e, const struct program *p);

#endif
