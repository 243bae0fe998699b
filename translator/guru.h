/* guru.h - guru mode (-g) and the switches that go with it (guru.c).
 *
 * Options: --suppress-handler-errors, --skip-badvars and --suppress-time-limits become
 * -D macros of the module (so the module cache tells the variants apart), and their
 * -D spellings turn the options on. Pass 2: which writes to target variables, which
 * functions marked guru and which $variables are allowed or replaced. Pass 3: the C for
 * `$var = value` and for the errors of a handler under --suppress-handler-errors.
 */
#ifndef STAP_GURU_H
#define STAP_GURU_H

#include "elaborate.h"

struct gen;

/* options.c, after the command line: settles the options and their macros. Returns 0, or
 * 1 after printing an error (--suppress-time-limits without -g). */
int guru_options(struct session *s);

/* ---- pass 2 ---- */

/* An assignment or ++/-- (op) to lhs in probe pi (NULL in a function): a target variable
 * needs -g, only plain `=` is implemented, and a .return probe may write only $return. */
void guru_check_write(struct session *s, const struct probe_info *pi, const struct node *op,
		      const struct node *lhs);
/* A call of a function whose embedded C is marked guru: -g is needed unless a tapset
 * calls it. */
void guru_check_call(struct session *s, const struct node *call);
/* --skip-badvars: n, a target expression that did not resolve, becomes the number 0 with
 * "WARNING: Bad $context variable being substituted with literal 0". */
void guru_skip_badvar(struct node *n);

/* ---- pass 3 ---- */

/* %{ C %} used as an expression: its value as an int64_t, or as a const char * when the
 * text contains the pragma /+ string +/ (the type pass 2 gave it). */
const char *gen_embed_expr(const struct node *n);
/* `TARGET = value`: C that evaluates the value, writes it and yields it (int64_t). */
const char *gen_target_assign(struct gen *g, struct node *n);
/* At a probe handler's `out` label: under --suppress-handler-errors the hit's error is
 * counted (reported at the end with the other errors) and cleared. */
void gen_handler_errors(struct gen *g);
/* At the start of an embedded function's body: a myproc-unprivileged function in an
 * unprivileged script checks that the current task belongs to the user. */
void gen_embedded_checks(struct gen *g, const struct function_info *f);
/* Nonzero if string parameter p of f is passed as a pointer to the caller's value
 * instead of a copy (embedded functions marked unmodified-fnargs). */
int gen_arg_by_pointer(const struct function_info *f, const struct symbol *p);

#endif
