/* preprocess.h - the token layer of pass 1, between the flex scanner and the bison grammar.
 *
 *   lexer.l       text -> tokens (with exact line/column, unescaped strings, number values)
 *   preprocess.c  tokens -> tokens: %( cond %? a %: b %) conditionals, @define macros and
 *                 their expansion, $1/@1/$#/@# argument substitution, concatenation of
 *                 adjacent string literals, and reporting of token-level errors
 *   parser.y      tokens -> AST
 *
 * Token kinds are bison's (parser.h). Tokens handed to the parser are never modified later,
 * so macro bodies are shared between expansions.
 */
#ifndef STAP_PREPROCESS_H
#define STAP_PREPROCESS_H

#include <stddef.h>
#include <stdint.h>
#include "diag.h"
#include "session.h"

enum {
	TKF_FROM_ARG = 1,        /* produced by substituting a $N / @N argument */
	TKF_SPACE_BEFORE = 2,    /* whitespace or a comment precedes the token */
};

struct token {
	int type;                /* bison token kind; 0 = end of input */
	const char *text;        /* spelling: identifier, keyword, operator, number digits;
				    STRING: the raw text between the quotes;
				    EMBEDDED: the code between %{ and %} */
	size_t text_len;
	const char *str;         /* STRING: unescaped bytes (NUL-terminated), len bytes */
	size_t len;
	int64_t num;             /* NUMBER: value */
	struct srcloc loc;       /* first character */
	int end_line, end_col;   /* just past the last character */
	int flags;               /* TKF_* */
	const char *err;         /* error to report when the token reaches the parser
				    (bad number, bad escape, unterminated string...) */
	int err_at_form;         /* report err in the "at: LOC" form (no token description) */
	struct token *next;      /* token lists: macro bodies, arguments */
};

/* ---- scanner (lexer.l) ---- */
struct lexer;
/* Scans f->text. */
struct lexer *lexer_new(const struct source_file *f);
/* Scans text (a command-line argument); every token gets location *at. */
struct lexer *lexer_new_text(const struct source_file *f, const char *text, size_t len,
			     const struct srcloc *at);
/* Fills *t with the next token and returns its kind (0 at the end, with t->loc = end). */
int lexer_next(struct lexer *lx, struct token *t);
void lexer_free(struct lexer *lx);
/* Decodes a string literal's raw text into out (len + 1 bytes); returns the decoded length.
 * escaped (len bytes, or NULL) marks the bytes SystemTap's printf sees as escapes. */
size_t lex_unescape(const char *text, size_t len, char *out, unsigned char *escaped,
		    const char **err);

/* SystemTap's description of a token in messages: "identifier 'x'", "operator '+'",
 * "number '5'", "string 'abc'", "keyword", "embedded-code", "end of file". */
const char *token_desc(const struct token *t);
/* The name used in "expected X" messages for a token kind: "'{'", "identifier"... */
const char *token_kind_name(int kind);

/* ---- preprocessor (preprocess.c) ---- */
struct pp;
struct pp *pp_new(struct session *s, const struct source_file *f);
/* Returns the next token for the parser (kind 0 at the end; never NULL). */
struct token *pp_next(struct pp *pp);
void pp_free(struct pp *pp);

/* Reads @define macros from a tapset .stpm file into the library macro table that every
 * later parse_script() sees. Errors are reported through diag. */
void preprocess_load_macros(struct session *s, const struct source_file *f);
/* Forgets the library macros (they live in the arena; call when the arena is freed). */
void preprocess_reset_library(void);

#endif
