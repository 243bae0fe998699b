/* probes.h - the one interface every probe-point family implements.
 *
 * Elaboration hands each probe point to the families in table order; the first whose
 * match() accepts it resolves it into concrete probes (a wildcard may give many). Code
 * generation then asks each family that has probes to emit its registration code. A new
 * family is a new file in this folder plus one line in probe_families[] (registry.c).
 */
#ifndef STAP_PROBES_H
#define STAP_PROBES_H

#include <stdio.h>
#include "../elaborate.h"
#include "../emit.h"

struct gen;                           /* translate.h */

struct probe_family {
	const char *name;                 /* "begin", "end", "kernel.function", ... */
	/* Nonzero if the point's components belong to this family. */
	int (*match)(const struct node *point);
	/* Resolves the point: calls add() once per concrete probe (with pp and family data
	 * filled in). Returns 0, or -1 after reporting an error. */
	int (*resolve)(struct session *s, const struct node *point, struct probe_info *proto,
		       void (*add)(struct probe_info *proto, const char *pp, void *data,
				   int priority));
	/* Emits declarations (tables, registration helpers) for the family's probes. */
	void (*emit_decls)(struct emitter *e, struct program *p);
	/* Emits statements inside stp_probes_start(): may `goto` the label named by
	 * fail_label on error. Begin probes run here. */
	void (*emit_start)(struct emitter *e, struct program *p, const char *fail_label);
	/* Emits statements inside stp_probes_stop() (end probes run here). */
	void (*emit_stop)(struct emitter *e, struct program *p);
	/* Generates C for a target expression in a probe of this family: N_TARGET ($var,
	 * $var->f[2], $$parms, $return, @var), N_ATOP "entry" etc. Returns C text of the
	 * node's type (int64_t or const char *), or NULL after reporting an error. NULL hook:
	 * the family has no target variables. Types are settled in pass 2 through
	 * target_type. */
	const char *(*gen_target)(struct gen *g, const struct probe_info *pi, struct node *n);
	/* Pass 2: the script type (T_LONG / T_STRING) of a target expression, or T_UNKNOWN
	 * after reporting an error. */
	enum stap_type (*target_type)(struct session *s, const struct probe_info *pi,
				      struct node *n);
	/* Guru mode, `$var = value` (translate_guru.c): C that writes the int64_t C variable
	 * named by value into target expression n and yields it, or NULL after reporting an
	 * error. NULL hook: the family's target variables can't be written. */
	const char *(*gen_target_store)(struct gen *g, const struct probe_info *pi,
					struct node *n, const char *value);
	/* -L: appends " $name:type" for each variable the probe can read. */
	void (*list_vars)(struct session *s, const struct probe_info *pi, FILE *out);
	/* Start order: lower first; stop runs in reverse order. */
	int order;
};

extern const struct probe_family *const probe_families[];
/* @var in probes without target variables of their own, and in functions (dwarf_vars.c):
 * not in the table, the target hooks only. */
extern const struct probe_family atvar_family;

/* Helpers for families. */
int probe_has_family(const struct program *p, const struct probe_family *f);
/* How many of the program's probes belong to family F. */
int probes_of_family(const struct program *p, const struct probe_family *f);
/* rc = stp_KIND_register(ARRAY, n), jumping to FAIL_LABEL on failure; and its undoing. */
void emit_register_array(struct emitter *e, const struct program *p, const struct probe_family *f,
			 const char *kind, const char *array, const char *fail_label);
void emit_unregister_array(struct emitter *e, const struct program *p,
			   const struct probe_family *f, const char *kind, const char *array);
/* The n-th component of a point, or NULL. */
const struct pp_comp *pp_comp_at(const struct node *point, int n);
/* Canonical text of a point: comp("arg").comp(N)... */
const char *pp_to_string(const struct node *point);

#endif
