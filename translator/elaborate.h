/* elaborate.h - pass 2: the resolved, typed program.
 *
 * In: the user script (session->user_script) and the tapset library. Out: a struct program
 * in which every probe point is resolved by its probe family into concrete probes, every
 * identifier is bound to a symbol (global, local or parameter), every call to a function
 * (user, tapset or embedded C), every expression has a type, and only the library code the
 * script uses (transitively) is kept.
 *
 * The steps (elaborate.c unless noted):
 *   1. the user script's globals, functions and probe aliases are declared; library files
 *      are parsed when the script first needs a name they define (tapset.h);
 *   2. each probe point is derived: probe aliases expand to their targets (recursively,
 *      with wildcards matched component by component and suffixes passed on), the rest is
 *      resolved by its probe family (probes/probes.h) into concrete probes;
 *   3. @defined(...) is folded per concrete probe and the branches it rules out dropped;
 *   4. bodies are resolved: symbols, calls (overloads), arrays, privilege rules;
 *   5. optimize.c elides what has no effect (unless -u) and folds constants;
 *   6. types.c infers and checks types.
 */
#ifndef STAP_ELABORATE_H
#define STAP_ELABORATE_H

#include "ast.h"
#include "session.h"

enum symbol_scope { SYM_GLOBAL, SYM_LOCAL, SYM_PARAM };

struct symbol {
	const char *name;
	enum symbol_scope scope;
	enum stap_type type;
	int is_array;                     /* globals used with [keys] (codegen issue) */
	int nkeys;
	enum stap_type key_types[9];
	const struct node *decl;          /* N_GLOBAL, the parameter, or the first use */
	const struct source_file *file;   /* declaring file, for `private` */
	const struct node *hist;          /* stats: the @hist_* that reads it (one kind) */
	int index;                        /* unique per scope kind: names the C variable */
	int used, written;
	struct symbol *next;

	/* Elaboration details (types.c, optimize.c). */
	int read;                         /* read somewhere (not only assigned) */
	const struct node *type_tok;      /* where the type was first inferred */
	const struct node *key_toks[9];   /* where each key type was first inferred */
	const struct node *arity_tok;     /* where the array's arity was first seen */
	int is_tapset;                    /* declared in a library file */
	int first_use;                    /* globals: order of first reference (1, 2, ...),
					     as resolution meets them; 0 if none */
};

struct function_info {
	const char *name;
	struct node *decl;                /* N_FUNCTION */
	struct symbol *params;            /* in declaration order */
	struct symbol *locals;
	enum stap_type ret_type;
	int is_embedded;                  /* %{ %} body */
	int used;                         /* reachable from a probe */
	int returns_value;                /* has a `return EXPR` */
	int index;
	struct function_info *next;

	/* Overloading: functions of one name and arity form a set, tried in declaration
	 * order. Calls (N_CALL.fn) point at the first of the set; when an overload executes
	 * `next`, the call goes on with next_overload, and when the last one executes
	 * `next` the call fails ("all functions exhausted"). The members share their
	 * parameter and return types. */
	struct function_info *next_overload;
	struct function_info *first_overload;   /* the set's head (itself for the head) */
	int overload_index;               /* 0 for the head */
	int flags;                        /* FF_* of the declaration (pure, unprivileged...) */
	int side_effects;                 /* optimize.c: calling it may change state */
	int is_tapset;
	const struct node *ret_tok;       /* where the return type was first inferred */
};

struct probe_family;

/* One concrete probe: a probe point resolved by its family, with its body. */
struct probe_info {
	struct node *decl;                /* the user's N_PROBE the probe comes from */
	struct node *body;                /* body with alias prologues/epilogues applied: a
					     block of the alias prologues (innermost alias
					     first), the user's body, then the epilogues;
					     probes that share it share its locals */
	const struct node *point;         /* the concrete probe point (after alias expansion) */
	const char *pp;                   /* pp(): canonical probe point */
	const char *pn;                   /* pn(): the point as the script wrote it, after
					     alias-name wildcards (syscall.* -> syscall.read) */
	const struct probe_family *family;
	void *family_data;                /* what the family resolved (address, period...) */
	int priority;                     /* begin(N)/end(N) ordering */
	struct symbol **locals_head;     /* shared by the probes of one body */
	int index;
	struct probe_info *next;

	/* `probe P if (COND)`: the probe's handler runs only while COND (an expression over
	 * globals only) is true; conditions of the alias levels are joined with &&. NULL when
	 * unconditional. Resolved and typed (long) like the body. */
	struct node *condition;
	/* For -p2: the derivation, " <- alias = targets <- ... <- the user's points". */
	const char *derivation;
	const struct node *alias;         /* innermost N_ALIAS it came through, or NULL */
};

/* A foreach in the generated code: its per-CPU snapshot buffer is sized for the map. */
struct foreach_site {
	int id;
	const char *map;                  /* C name of the map it iterates */
	struct foreach_site *next;
};

/* A probe alias definition (probe NAME = ... / probe NAME += ...). */
struct alias_info {
	const char *name;                 /* "syscall.open" */
	struct node *decl;                /* N_ALIAS */
	int ncomps;
	struct alias_info *next;
};

struct program {
	struct symbol *globals;           /* every global declared; `used` marks kept ones */
	struct function_info *functions;  /* every function seen; `used` marks the kept ones */
	struct probe_info *probes;
	int nprobes;
	struct node *embeds;              /* top-level %{ %} blocks, in order (N_EMBED_TOP) */
	int nembeds;
	int library_files;                /* tapset files linked in */
	struct foreach_site *foreach_sites; /* filled by code generation */
	int nforeach;

	struct alias_info *aliases;       /* user script's, then the library files' loaded */
	int print_bodies;                 /* -p2 -v: print bodies too */
	/* -l / -L / --dump-*: what to print instead of the program (listing.c). */
	const char *listing;
};

/* Pass-2 options that are not in struct session: set by options.c. */
enum { PRIV_STAPDEV = 0, PRIV_STAPSYS, PRIV_STAPUSR };
enum { DUMP_NONE = 0, DUMP_FUNCTIONS, DUMP_PROBE_TYPES, DUMP_PROBE_ALIASES };
struct elab_options {
	int list;                         /* 1: -l PATTERN, 2: -L PATTERN */
	const char *list_pattern;
	int dump;                         /* DUMP_* */
	int privilege;                    /* PRIV_* (default stapdev: everything allowed) */
	int privilege_given;              /* --privilege / --unprivileged was used */
};
extern struct elab_options elab_opts;

int pass2_elaborate(struct session *s);
/* Prints the elaborated program (stap -p2), or the listing when one was asked for. */
void program_print(FILE *out, const struct program *p);
const char *type_name(enum stap_type t);

/* ---- shared by elaborate.c, optimize.c, listing.c, types.c ---- */

/* Deep copy of a statement or expression (with its `next` siblings when list is set). */
struct node *node_clone(const struct node *n, int list);
/* Edit distance, for "similar:" hints. */
int edit_distance(const char *a, const char *b);
/* " (similar: a, b, c)" from candidates close to name, or "" . */
const char *similar_names(const char *name, const char *const *cands, int ncands);
/* Glob match of one probe-point component name (only '*' is special). */
int pp_glob(const char *pattern, const char *name);
/* The point as written: comps, '?' or '!', " if (cond)". */
const char *point_text(const struct node *point);
/* Text of an expression (ast_print_node into a string). */
const char *node_text(const struct node *n);

/* autoprint.c: the script text of the end probes printing the user's globals that are
 * written but never read, or NULL when there are none. */
const char *autoprint_script(struct program *p);

/* foreach_check.c: "variable 'a' modified during 'foreach' iteration" and its
 * function-call form. */
void check_foreach_writes(struct program *p);

/* optimize.c: elision and constant folding (not with -u). */
void optimize_program(struct session *s, struct program *p);
/* optimize.c: after type checking, drops the overloads no `next` can reach. */
void optimize_after_types(struct session *s, struct program *p);
/* optimize.c: whether evaluating n may change state (calls, assignments, printing...). */
int has_side_effects(const struct node *n);

/* listing.c */
struct elab_ctx;
/* Built-in probe point patterns ("timer.ms(number)"...) of registered families. */
const char *const *probe_type_patterns(int *n);
/* Fills p->listing for -l / -L / --dump-*. Returns 0, or 1 when nothing matched. */
int listing_run(struct session *s, struct program *p, struct elab_ctx *ctx);

/* elaborate.c services for listing.c. */
/* Derives one point without messages, keeping the probes (skip_aliases: only the probe
 * families, not aliases, at the top level). Returns how many; *first is the first. */
int elab_derive_listing(struct elab_ctx *ctx, struct node *point, int skip_aliases,
			struct probe_info **first);
/* Resolves and types the derived probes without messages (for -L). */
void elab_resolve_quiet(struct elab_ctx *ctx);
/* Loads every library file. */
void elab_load_everything(struct elab_ctx *ctx);
/* Alias definitions whose names match the point, longest names first considered (loads
 * the library files needed). */
int elab_matching_aliases(struct elab_ctx *ctx, const struct node *point,
			  struct alias_info ***out);

#endif
