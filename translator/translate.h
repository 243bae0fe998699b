/* translate.h - pass 3: the elaborated program to one C file for kbuild.
 *
 * The generated unit holds the globals, one frame struct per probe body and function (its
 * locals, parameters and temporaries, living in the per-CPU context rather than on the
 * kernel stack), the handlers, and the start/stop functions that run begin/end probes and
 * register the event probes through each probe family. Everything else is in runtime/.
 *
 * Internal to the translate_*.c files: struct gen and the expression/statement emitters.
 */
#ifndef STAP_TRANSLATE_H
#define STAP_TRANSLATE_H

#include "elaborate.h"
#include "emit.h"
#include "session.h"

int pass3_translate(struct session *s);

/* ---- shared by translate.c, translate_expr.c, translate_stmt.c, translate_print.c ---- */

struct temp {
	const char *name;
	enum stap_type type;
	struct temp *next;
};

struct gen {
	struct session *s;
	struct program *prog;
	struct emitter *e;               /* the body being written */
	struct function_info *fn;        /* function being written, or NULL for a probe */
	struct probe_info *probe;        /* probe whose handler is being written */
	const char *frame_type;          /* "struct frame_p3", ... */
	const char *frame_member;        /* "p3": member of union stp_frame */
	struct temp *temps;              /* temporaries this frame needs */
	int ntemps;
	int loop_depth;
	int nlocks;                      /* globals locked by the probe handler being written */
	const struct symbol **lock_syms;
	int *lock_modes;
	const struct node *borrow_call;  /* a call whose string result need not be copied */
};

/* The initializers of a struct stp_probe's .pp and .pn (pp() and pn()) as C text. */
const char *probe_names_init(const struct probe_info *pi);
/* A new temporary string buffer (or long) in the current frame; returns "l->t_N". */
const char *gen_temp(struct gen *g, enum stap_type type);
/* A frame field of the given name (declared once), for flags like a function's `next`. */
const char *gen_named_temp(struct gen *g, enum stap_type type, const char *name);
/* "operator '/' at FILE:L:C" for runtime error messages, as a C string literal. */
const char *gen_location(const struct node *n);
/* C lvalue/rvalue naming a variable. */
const char *gen_var(struct gen *g, const struct symbol *sym);
/* The C type and field declaration of a variable of type t named name. */
const char *gen_decl(enum stap_type t, const char *name);

/* An expression of type long: C text evaluating to int64_t. */
const char *gen_long(struct gen *g, struct node *n);
/* An expression of type string: C text evaluating to a `const char *` that stays valid
 * until the statement ends. */
const char *gen_str(struct gen *g, struct node *n);
/* Any expression, evaluated for its effect: C text of type void. */
const char *gen_void(struct gen *g, struct node *n);
/* An expression of its own type (long or string). */
const char *gen_value(struct gen *g, struct node *n);

void gen_stmt(struct gen *g, struct node *n);
const char *gen_print(struct gen *g, struct node *n);   /* print family: void or string */
const char *gen_call(struct gen *g, struct node *n);

/* SystemTap's default MAXNESTING for the program: its longest call chain, plus 10 slots
 * when it is recursive. */
int gen_nesting_depth(const struct program *p);

/* The arithmetic/bitwise operator of n (OP_ADD, ...) applied to C operands l and r. */
const char *gen_arith(struct gen *g, struct node *n, const char *l, const char *r);

/* ---- arrays and statistics (translate_array.c) ---- */
const char *gen_index_read(struct gen *g, struct node *n);
const char *gen_index_assign(struct gen *g, struct node *n);
const char *gen_index_incdec(struct gen *g, struct node *n);
const char *gen_in(struct gen *g, struct node *n);
const char *gen_stat_op(struct gen *g, struct node *n);
/* print(@hist_*(s)) into the output (dst NULL) or the string temporary dst; `at` is the
 * printing call, where an empty aggregate is reported. */
const char *gen_hist_print(struct gen *g, struct node *n, const char *dst, const struct node *at);
const char *gen_stat_add(struct gen *g, struct node *n);
const char *gen_stat_spec(const struct symbol *sym);
void gen_delete_array(struct gen *g, struct node *n);
void gen_foreach(struct gen *g, struct node *n);
/* Globals: declaration (returns 0 for plain scalars), creation, release. */
int gen_array_global_decl(struct emitter *e, struct gen *g, const struct symbol *s);
void gen_array_global_init(struct emitter *e, struct gen *g, const struct symbol *s);
void gen_array_global_free(struct emitter *e, struct gen *g, const struct symbol *s);

/* ---- global locks (translate_locks.c) ---- */
/* Emits the bounded trylocks of every global the body and the probe's condition use
 * (directly or in functions). */
void gen_lock_globals(struct gen *g, struct node *body, struct node *condition);
/* Emits the unlocks, then the skip path taken when a lock could not be had. */
void gen_unlock_globals(struct gen *g);
/* Nonzero if the global has a lock: some event probe writes it. */
int gen_global_has_lock(struct gen *g, const struct symbol *sym);

/* Reports a construct this translator does not generate code for yet. */
void gen_unsupported(const struct node *n, const char *what);

#endif
