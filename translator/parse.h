/* parse.h - pass 1: script text to AST.
 *
 * The flex scanner (lexer.l) turns text into tokens, the preprocessor (preprocess.c)
 * evaluates %( cond %? a %: b %) and expands @define macros and $1/@1 arguments over the
 * token stream, and the bison grammar (parser.y) builds the AST. Errors are reported through
 * diag.h and counted; the returned script holds every declaration that parsed.
 */
#ifndef STAP_PARSE_H
#define STAP_PARSE_H

#include <stdio.h>
#include "ast.h"
#include "session.h"

/* Reads a file into a source_file (NULL and an error message if it can't be read). */
struct source_file *source_from_path(const char *path, int is_tapset);
struct source_file *source_from_text(const char *name, const char *text);

/* Parses one file. Never returns NULL; on errors the script holds what parsed. */
struct script *parse_script(struct session *s, const struct source_file *f);

/* Prints a script in canonical form (stap -p1); reparsing the output gives the same output. */
void ast_print_script(FILE *out, const struct script *sc);
/* Prints one expression or statement (used by -p2 output and messages). */
void ast_print_node(FILE *out, const struct node *n);

#endif
