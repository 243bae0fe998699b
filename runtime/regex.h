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
 *
 * Submatches (matched(), ngroups()): a pattern may also carry a capture program, its NFA
 * as instructions (translator/regex.c: regex_compile_prog()). stp_regex_capture() runs it
 * as a Pike VM: one list of threads (NFA state + the slots saved so far) per position,
 * kept in priority order, at most one thread per state, so the work is bounded by
 * strlen(s) x ninsts x nslots and the memory by STP_REGEX_SCRATCH() (the caller's, no
 * allocation). Threads that start earlier come first and a match is only replaced by one
 * that starts earlier or ends later: the overall match is POSIX's leftmost-longest, as
 * regexec() finds it; within it, each group takes what the preferred path gives it
 * (alternatives left to right, repetitions as many times as possible), and the last
 * iteration of a repeated group counts. It runs only after the DFA said yes.
 */
#ifndef STP_REGEX_H
#define STP_REGEX_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/string.h>
#else
#include <stdint.h>
#include <string.h>
#endif

/* Capture program instructions (numbered as translator/regex.c's NFA state kinds). */
enum { STP_RX_SET, STP_RX_SPLIT, STP_RX_BOL, STP_RX_EOL, STP_RX_MATCH, STP_RX_SAVE };

struct stp_regex_inst {
	uint8_t op;
	uint16_t arg;                    /* SET: byte set number; SAVE: slot */
	uint16_t out, out1;              /* successors (SPLIT: out is preferred) */
};

struct stp_regex_prog {
	const struct stp_regex_inst *insts;
	const uint8_t *sets;             /* [nsets * 32]: bit b of set i is byte b */
	uint16_t ninsts, nslots, start;  /* nslots = 2 * (groups + 1) */
};

/* Bytes of scratch space stp_regex_capture() needs for n instructions and k slots (the
 * translator reserves the largest in the context; REGEX_PROG_SCRATCH() there). */
#define STP_REGEX_SCRATCH(n, k) (28L * (n) + 8L * (n) * (k) + 4L * (k) + 16)
#define STP_REGEX_MAX_SLOTS 64       /* 2 * (REGEX_MAX_GROUPS + 1) */

struct stp_regex {
	const char *pattern;             /* as written, for debugging */
	const uint8_t *classes;          /* [256] */
	const uint16_t *trans16;         /* [nlive * nclasses], or NULL */
	const uint32_t *trans32;         /* [nlive * nclasses], or NULL */
	const uint8_t *accept;           /* [all states] */
	uint32_t nclasses;
	uint32_t live_end;               /* nlive * nclasses */
	uint32_t start;                  /* offset of the start state */
	const struct stp_regex_prog *prog;  /* capture program, or NULL */
};

/* 1 if re matches somewhere in the NUL-terminated s (at most MAXSTRINGLEN bytes are
 * looked at; a longer s is taken as ending there), else 0. */
int stp_regex_match(const struct stp_regex *re, const char *s);

/* Runs prog over s (at most MAXSTRINGLEN bytes): 1 with slots[0..nslots) set to the start
 * and end offsets of the match (slots 0, 1) and of each group (-1, -1 for a group that
 * took no part), or 0 when nothing matches. scratch: STP_REGEX_SCRATCH(ninsts, nslots)
 * bytes, aligned for int32_t. */
int stp_regex_capture(const struct stp_regex_prog *prog, const char *s, int32_t *slots,
		      void *scratch);

#ifdef MAXSTRINGLEN
/* The outcome of the last =~ / !~ in this context, for matched() and ngroups(). */
struct stp_regex_last {
	int result;                      /* 1: it matched */
	int nslots;                      /* its pattern's 2 * (groups + 1) */
	int32_t slots[STP_REGEX_MAX_SLOTS];
	char str[MAXSTRINGLEN];          /* the string it matched */
};

/* stp_regex_match(), recording the outcome (and on a match the string and its groups) in
 * *m, for scripts that call matched(). */
static inline int stp_regex_record(struct stp_regex_last *m, const struct stp_regex *re,
				   const char *s, void *scratch)
{
	size_t len;

	m->result = 0;
	if (!stp_regex_match(re, s))
		return 0;
	len = strnlen(s, MAXSTRINGLEN - 1);
	memmove(m->str, s, len);
	m->str[len] = '\0';
	m->nslots = re->prog->nslots;
	m->result = stp_regex_capture(re->prog, m->str, m->slots, scratch);
	return 1;
}
#endif

#endif
