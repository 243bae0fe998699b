/* kernel_addr.h - kernel.function/statement extras beside probes/dwarf.c: probe points by
 * address (kernel_addr.c), the kprobes blacklist (blacklist.c), and .callee/.callees
 * (callee.c). */
#ifndef STAP_PROBES_KERNEL_ADDR_H
#define STAP_PROBES_KERNEL_ADDR_H

#include "kprobe.h"
#include "dwarf_vars.h"

/* kernel.function(ADDR), kernel.statement(ADDR)[.absolute]: resolves the whole point
 * (with "no match" and '?' handled). Returns 0 or -1 after an error. */
int kaddr_resolve(struct session *s, const struct node *point, struct probe_info *proto,
		  void (*add)(struct probe_info *, const char *, void *, int));
/* d->symbol/d->offset for a kernel address; -1 after an error at WHERE. */
int kaddr_place(struct session *s, unsigned long long pc, struct kprobe_data *d,
		const struct node *where);

/* .exported: whether the kernel exports F (EXPORT_SYMBOL*). */
struct dw_func;
int kfunc_exported(struct session *s, struct dw_ctx *dw, const struct dw_func *f);

/* Nonzero if PC (in DW: where function NAME would be probed; NULL: the symbol there)
 * must not be probed: the kernel's kprobes blacklist (NOKPROBE_SYMBOL, the __kprobes/
 * noinstr/entry text sections) or the functions SystemTap refuses. For a point naming one
 * function, not optional, a warning "function NAME is blocklisted" (or "... is in
 * blocklisted section") is printed; wildcards and '?' points skip them quietly. */
int kprobe_blacklisted(struct session *s, const struct node *point, struct dw_ctx *dw,
		       unsigned long long pc, const char *name);

/* kernel.function(PATTERN).callee(PATTERN)[.call|.return], .callees[(DEPTH)]. Returns 0 if
 * probes were added, -1 otherwise. */
int callee_resolve(struct session *s, struct dw_ctx *dw, const struct node *point,
		   const char *spec, const struct pp_comp *suffix, struct probe_info *proto,
		   void (*add)(struct probe_info *, const char *, void *, int));

/* @cast(..., "kernel<linux/a.h><b.h>"): the DWARF of those headers compiled for the
 * target kernel (cast_header.c), if they define TYPE; NULL when MODULE is not of that
 * form or the headers lack TYPE (then the usual lookup applies). */
struct dw_ctx *header_cast_dwarf(struct session *s, const struct node *where, const char *module,
				 const char *type);

#endif
