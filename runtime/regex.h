/* regex.h - the matcher of `s =~ "re"`: one left-to-right pass of a DFA over the bytes.
 *
 * translator/regex.c compiles each pattern (POSIX ERE) into a DFA and writes its tables
 * into the generated unit as a static const struct stp_regex. The DFA is built for
 * searching, so one pass finds a match starting anywhere:
 *   - it runs the NFA of `.*(re)`: after every byte the NFA's start is entered again, so
 *     a DFA state stands for all the match attempts still alive;
 *   - `^` is an assertion that holds only before the first byte: the start state's
 *     closure passes it, no later state's does (so `^` works inside groups and
 *     alternations too, e.g. `(^a|b)c`);
 *   - `$` is an assertion that holds only at the end: accept[s] says whether the NFA can
 *     reach its match state from s through `$` (and the other empty) transitions, and is
 *     looked at only when the string ends;
 *   - the DFA is minimized; a state that accepts whatever follows (a match has been
 *     found) and a state that can never accept are "terminal": they get the numbers
 *     nlive and up and no rows, and the walk stops on them.
 * So a match costs at most one table step per byte, strlen(s) <= MAXSTRINGLEN bytes, no
 * recursion, no allocation, no locks: it is safe in any probe context.
 *
 * Tables: classes[256] maps a byte to its equivalence class (bytes no pattern element
 * tells apart share one). A state is named by the offset of its row, state * nclasses, so
 * a step is one add and one load: next = trans[state + classes[byte]]. Live states come
 * first, so state < live_end (= nlive * nclasses) means live; terminal states have no
 * row. trans16 is used when every offset fits in 16 bits, else trans32 (the other is
 * NULL). accept[state / nclasses] is 1 if the string may end in that state.
 */
#ifndef STP_REGEX_H
#define STP_REGEX_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdint.h>
#endif

struct stp_regex {
	const char *pattern;             /* as written, for debugging */
	const uint8_t *classes;          /* [256] */
	const uint16_t *trans16;         /* [nlive * nclasses], or NULL */
	const uint32_t *trans32;         /* [nlive * nclasses], or NULL */
	const uint8_t *accept;           /* [all states] */
	uint32_t nclasses;
	uint32_t live_end;               /* nlive * nclasses */
	uint32_t start;                  /* offset of the start state */
};

/* 1 if re matches somewhere in the NUL-terminated s (at most MAXSTRINGLEN bytes are
 * looked at; a longer s is taken as ending there), else 0. */
int stp_regex_match(const struct stp_regex *re, const char *s);

#endif
