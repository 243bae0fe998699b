/* elaborate.h - pass 2: the resolved, typed program.
 *
 * In: the user script (session->user_script) and the tapset library. Out: a struct program
 * in which every probe point is resolved by its probe family into concrete probes, every
 * identifier is bound to a symbol (global, local or parameter), every call to a function
 * (user, tapset or embedded C), every expression has a type, and only the library code the
 * script uses (transitively) is kept.
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
	const struct node *decl;          /* N_GLOBAL, the parameter, or the first assignment */
	const struct source_file *file;   /* declaring file, for `private` */
	const struct node *hist;          /* stats: the @hist_* that reads it (one kind) */
	int index;                        /* unique per scope kind: names the C variable */
	int used, written;
	struct symbol *next;
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
};

struct probe_family;

/* One concrete probe: a probe point resolved by its family, with its body. */
struct probe_info {
	struct node *decl;                /* the N_PROBE the body comes from */
	struct node *body;                /* body with alias prologues/epilogues applied */
	const struct node *point;         /* the probe point as written */
	const char *pp;                   /* pp(): canonical probe point */
	const struct probe_family *family;
	void *family_data;                /* what the family resolved (address, period...) */
	int priority;                     /* begin(N)/end(N) ordering */
	struct symbol **locals_head;     /* shared by the probes of one declaration */
	int index;
	struct probe_info *next;
};

/* A foreach in the generated code: its per-CPU snapshot buffer is sized for the map. */
struct foreach_site {
	int id;
	const char *map;                  /* C name of the map it iterates */
	struct foreach_site *next;
};

struct program {
	struct symbol *globals;
	struct function_info *functions;  /* every function seen; `used` marks the kept ones */
	struct probe_info *probes;
	int nprobes;
	struct node *embeds;              /* top-level %{ %} blocks, in order (N_EMBED_TOP) */
	int nembeds;
	int library_files;                /* tapset files linked in */
	struct foreach_site *foreach_sites; /* filled by code generation */
	int nforeach;
};

int pass2_elaborate(struct session *s);
/* Prints the elaborated program (stap -p2). */
void program_print(FILE *out, const struct program *p);
const char *type_name(enum stap_type t);

#endif
