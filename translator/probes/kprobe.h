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
};

extern const struct probe_family kprobe_family;

/* Target variables of DWARF-resolved kprobes (dwarf.c). */
struct gen;
enum stap_type dwarf_target_type(struct session *s, const struct probe_info *pi, struct node *n);
const char *dwarf_gen_target(struct gen *g, const struct probe_info *pi, struct node *n);
void dwarf_list_vars(struct session *s, const struct probe_info *pi, FILE *out);
/* A target node's components for dw_target_expr (dwarf.h), counted in *ncomps. */
struct dw_comp;
struct dw_comp *dwarf_target_comps(struct gen *g, const struct node *n, int *ncomps);
/* @cast(...) anywhere (probes of any kind, functions): types from the kernel's DWARF. */
enum stap_type dwarf_cast_type(struct session *s, struct node *n);
const char *dwarf_gen_cast(struct gen *g, struct node *n);
struct sym_table;
/* The target kernel's symbol table, loaded once per translation (NULL + a warning if
 * it can't be found). */
struct sym_table *kernel_symbols(struct session *s);

#endif
