/* kprobe.h - what kprobe-based families (kprobe.*, kernel.function/statement) resolve a
 * probe to; the kprobe family emits the runtime table for all of them. */
#ifndef STAP_PROBES_KPROBE_H
#define STAP_PROBES_KPROBE_H

#include "probes.h"

struct kprobe_data {
	const char *symbol;        /* "name" / "module:name", or NULL for an absolute address */
	unsigned long long offset; /* from symbol */
	unsigned long long addr;   /* absolute address */
	int is_return;
	int maxactive;             /* .maxactive(N), 0 = default */
	/* Set by the DWARF family: where target variables are looked up. */
	struct dw_ctx *dw;
	unsigned long long scope_die;
	unsigned long long var_pc;
	/* Return probes: the values saved at entry (kprobe_entry.c), or NULL. */
	struct kprobe_entry *entry;
};

extern const struct probe_family kprobe_family;

/* Target variables of DWARF-resolved kprobes (dwarf.c). */
struct gen;
enum stap_type dwarf_target_type(struct session *s, const struct probe_info *pi, struct node *n);
const char *dwarf_gen_target(struct gen *g, const struct probe_info *pi, struct node *n);
/* Guru mode: $var = value, $p->f = value, $return = value (value names an int64_t). */
const char *dwarf_gen_target_store(struct gen *g, const struct probe_info *pi, struct node *n,
				   const char *value);
void dwarf_list_vars(struct session *s, const struct probe_info *pi, FILE *out);
/* A target node's components for dw_target_expr (dwarf.h), counted in *ncomps. */
struct dw_comp;
struct dw_comp *dwarf_target_comps(struct gen *g, const struct node *n, int *ncomps);
/* @cast(...) anywhere (probes of any kind, functions): types from the kernel's DWARF, the
 * modules its third argument names, or by default the module of the DWARF probe PI (if
 * any: NULL in functions) and then the kernel. */
enum stap_type dwarf_cast_type(struct session *s, const struct probe_info *pi, struct node *n);
const char *dwarf_gen_cast(struct gen *g, struct node *n);
/* Guru mode: @cast(p, "T")->f = value. */
const char *dwarf_gen_cast_store(struct gen *g, struct node *n, const char *value);
struct sym_table;
/* The target kernel's symbol table, loaded once per translation (NULL + a warning if
 * it can't be found). */
struct sym_table *kernel_symbols(struct session *s);

/* Values a return probe takes at entry (kprobe_entry.c): @entry(EXPR) and, in DWARF
 * return probes, $var other than $return. The family hooks call these first: nonzero
 * means the node was one of those and *type / *out is the answer (T_UNKNOWN / NULL after
 * an error). */
int kprobe_entry_type(struct session *s, const struct probe_info *pi, struct node *n,
		      enum stap_type *type);
int kprobe_entry_gen(struct gen *g, const struct probe_info *pi, struct node *n,
		     const char **out);
/* Nonzero while an expression evaluated at entry is typed or generated. */
int kprobe_in_entry(void);
/* The entry parts of the return probes that have saved values (before the probe table),
 * and the table fields that attach them (" .entry_probe = ..., .data_size = ...,"). */
void kprobe_emit_entries(struct emitter *e, struct program *p);
const char *kprobe_entry_fields(const struct probe_info *pi);

/* Module DWARF for module("...") probes and @cast(..., "module") (dwarf_module.c). */
struct dw_ctx;
/* The modules PATTERN names: a module name (found under /usr/lib/debug/lib/modules/R or
 * /lib/modules/R), a wildcard over those names, or the absolute path of a .ko. Returns
 * the count; *out (arena memory) holds the keys for dwarf_module_open. */
int dwarf_module_names(struct session *s, const char *pattern, const char ***out);
/* The DWARF of module KEY, opened once per translation (NULL if it has none: a warning
 * unless QUIET). */
struct dw_ctx *dwarf_module_open(struct session *s, const struct node *where, const char *key,
				 int quiet);
/* Closes DW if no probe was placed in it (a wildcard opens every module: keeping those
 * that matched nothing would cost gigabytes); it is reopened if asked for again. */
void dwarf_module_release(struct dw_ctx *dw);
/* "kernel", or module("NAME") as the script wrote NAME, for pp() of a probe in DW. */
const char *dwarf_pp_head(struct dw_ctx *dw);
/* SYMBOL+OFFSET of a module address as the kernel's kprobes take it ("mod:func"). */
int dwarf_module_place(struct dw_ctx *dw, unsigned long long pc, struct kprobe_data *d,
		       const struct node *where);
/* The DWARF @cast(..., "MODULES") reads types from: the first of the ':'-separated
 * modules that defines TYPE, NULL for the kernel ("kernel" or "kernel<linux/x.h>" came
 * first), else the first module (whose error then names it). */
struct dw_ctx *dwarf_cast_module(struct session *s, const struct node *where,
				 const char *modules, const char *type);

#endif
