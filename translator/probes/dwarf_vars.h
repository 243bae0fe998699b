/* dwarf_vars.h - $$vars & co., pretty-printing and @var for DWARF probes (dwarf_vars.c). */
#ifndef STAP_PROBES_DWARF_VARS_H
#define STAP_PROBES_DWARF_VARS_H

#include "kprobe.h"
#include "../dwarf_pretty.h"

/* Nonzero for the target expressions dwarf_vars.c translates: $$vars, $$locals, $$parms,
 * $$return (with or without a $/$$ suffix), $var$ and $var$$, @cast(...)$, @var(...), and
 * &-of any of them. */
int dwvars_claims(const struct node *n);
/* The families' target hooks for them: pi is a DWARF probe (its kprobe_data gives the
 * scope), the @cast context, or NULL/another family's probe (only globals and casts). */
enum stap_type dwvars_target_type(struct session *s, const struct probe_info *pi, struct node *n);
const char *dwvars_gen_target(struct gen *g, const struct probe_info *pi, struct node *n);
/* Guru mode: @var("name") = value (value names an int64_t); pass-2 checks keep $$vars and
 * pretty-printed forms away. */
const char *dwvars_gen_target_store(struct gen *g, const struct probe_info *pi, struct node *n,
				    const char *value);
/* -L: " $name:type" for the variables readable at every address of the probe's point. */
void dwvars_list_vars(struct session *s, const struct probe_info *pi, FILE *out);

/* C for a string built from plans: dwvars_begin(), then text and plans, then dwvars_end()
 * gives one expression of type const char * (a temporary of the frame). With catch_faults,
 * a plan whose reads fault prints "ERROR" instead of ending the probe hit. */
struct ppbuild;
struct ppbuild *dwvars_begin(struct gen *g);
void dwvars_text(struct ppbuild *b, const char *text);
void dwvars_plan(struct ppbuild *b, const struct dw_pp *p, int catch_faults);
const char *dwvars_end(struct ppbuild *b);

/* The kernel's DWARF, opened once per translation (probes/dwarf.c); NULL after an error
 * reported at WHERE. */
struct dw_ctx *kernel_dwarf(struct session *s, const struct node *where);

#endif
