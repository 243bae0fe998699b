/* diag.h - diagnostics: errors and warnings with a location, the source line and a caret.
 *
 * Passes report and carry on where they can; the driver asks diag_error_count() after each
 * pass and stops when it is non-zero. Messages follow SystemTap's layout, e.g.
 *
 *   parse error: expected probe point specifier
 *           saw: operator '}' at <input>:1:9
 *        source: probe be}
 *                        ^
 *
 *   semantic error: unresolved function foo: identifier 'foo' at <input>:1:15
 *           source: probe begin { foo() }
 *                                 ^
 * Identical messages (same text and place) are printed once.
 */
#ifndef STAP_DIAG_H
#define STAP_DIAG_H

#include <stddef.h>

/* One script or tapset file; text is NUL-terminated and owned by the arena. */
struct source_file {
	const char *name;      /* as shown in messages: path, or "<input>" for -e */
	const char *text;
	size_t len;
	int is_tapset;         /* came from the tapset library (privileged code allowed) */
};

struct srcloc {
	const struct source_file *file;
	int line, col;         /* 1-based; line 0 means "no location" */
};

/* A parse error: "parse error: MSG\n  saw: WHAT at LOC\n source: ..."; WHAT may be NULL. */
void diag_parse_error(const struct srcloc *loc, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The same with "at:" for "saw:": the construct named is itself what is wrong. */
void diag_parse_error_at(const struct srcloc *loc, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A semantic error: "semantic error: MSG: WHAT at LOC\n source: ..."; loc/WHAT may be NULL. */
void diag_semantic_error(const struct srcloc *loc, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A warning in the same layout ("WARNING: MSG: WHAT at LOC"). Silenced by -w; counted as an
 * error by -W. */
void diag_warning(const struct srcloc *loc, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A plain error line without location ("ERROR: ..." style is the caller's text). */
void diag_plain_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A semantic error raised by the check named `site`: as in SystemTap, only the first error
 * of each check is shown, the later ones count as "similar" (all are shown with -v). */
void diag_semantic_error_site(const char *site, const struct srcloc *loc, const char *what,
			      const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* A semantic error that also shows a second place, as SystemTap chains tokens:
 * "semantic error: MSG: WHAT at LOC\n source...\nWHAT2 at LOC2\n source..." */
void diag_semantic_error2(const struct srcloc *loc, const char *what, const struct srcloc *loc2,
			  const char *what2, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

int diag_error_count(void);
/* Forgets the errors counted, the messages seen and the file of the last location: a
 * fresh run (the test harnesses run many in one process). */
void diag_reset(void);
void diag_set_flags(int suppress_warnings, int warnings_are_errors);

/* Speculative mode, for questions like @defined($x) or optional probe points: between
 * begin and end nothing is printed or counted. Nests. end returns how many errors were
 * reported (and swallowed) since the matching begin. */
void diag_speculate_begin(void);
int diag_speculate_end(void);

/* Similar messages: without verbosity, a warning whose text (without its place) was
 * already printed, and an error printed before in the same words and place, are counted
 * instead of printed; at exit "Number of similar warning messages suppressed: N." and
 * "Rerun with -v to see them." report them. verbose > 0 prints every distinct warning. */
void diag_set_verbose(int verbose);

#endif
