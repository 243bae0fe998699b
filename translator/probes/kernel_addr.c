/* kernel_addr.c - DWARF probe points given by address rather than by name:
 *
 *   kernel.function(ADDR)[.return[.maxactive(N)]]   the function whose code holds ADDR,
 *                                                  probed as kernel.function("NAME") is
 *                                                  (its entry), with its variables
 *   kernel.statement(ADDR)                         exactly ADDR, with the variables in
 *                                                  scope there; a warning when ADDR is
 *                                                  not where a statement begins
 *   kernel.statement(ADDR).absolute                exactly ADDR, no DWARF (stap -g)
 *
 * ADDR is a link-time address (as in System.map); the probes are placed as SYMBOL+OFFSET
 * so KASLR does not matter. pp() shows the address as the script wrote it, in hex.
 */
#include "kernel_addr.h"
#include "../arena.h"
#include "../dwarf_calls.h"
#include "../symbols.h"

#include <string.h>

#define A(...) arena_printf(g_arena, __VA_ARGS__)

static const struct pp_comp *comp_after(const struct pp_comp *c, const char *name)
{
	for (; c; c = c->next)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

int kaddr_place(struct session *s, unsigned long long pc, struct kprobe_data *d,
		const struct node *where)
{
	struct sym_table *t = kernel_symbols(s);
	uint64_t off = 0;
	const struct ksym *k = t ? sym_at(t, pc, &off) : NULL;

	if (!k) {
		diag_semantic_error(&where->loc, where->tok_desc, "no symbol for address 0x%llx", pc);
		return -1;
	}
	d->symbol = arena_strdup(g_arena, k->name);
	d->offset = off;
	return 0;
}

static int add_probe(struct session *s, const struct node *point, struct kprobe_data *d,
		     unsigned long long pc, const char *pp, struct probe_info *proto,
		     void (*add)(struct probe_info *, const char *, void *, int))
{
	if (d->dw && kprobe_blacklisted(s, point, d->dw, pc, NULL))
		return 1;
	if (kaddr_place(s, pc, d, point) != 0)
		return -1;
	proto->family = &kprobe_family;
	add(proto, pp, d, 0);
	return 0;
}

static int by_function(struct session *s, struct dw_ctx *dw, const struct node *point,
		       unsigned long long addr, struct probe_info *proto,
		       void (*add)(struct probe_info *, const char *, void *, int))
{
	const struct pp_comp *kind = point->pp->next;
	const struct pp_comp *ret = comp_after(kind->next, "return");
	const struct pp_comp *maxact = comp_after(kind->next, "maxactive");
	const char *name, *file;
	uint64_t die;
	struct dw_func *funcs;
	char *err = NULL;

	if (dw_func_at_addr(dw, addr, &name, &file, &die) != 0)
		return -1;
	int n = dw_find_functions(dw, file ? A("%s@%s", name, file) : name, DW_FIND_CALL, &funcs,
				  &err);
	for (int i = 0; i < n; i++) {
		const struct dw_func *f = &funcs[i];

		if (f->die != die || !f->has_code || (ret && !f->has_return))
			continue;
		struct kprobe_data *d = NEW(struct kprobe_data);
		d->dw = dw;
		d->scope_die = f->die;
		d->var_pc = f->prologue_pc;
		d->is_return = ret != NULL;
		d->maxactive = maxact && maxact->arg ? (int)maxact->arg->num : 0;
		const char *pp = A("kernel.function(0x%llx)%s", addr,
				   !ret ? "" : maxact ? A(".return.maxactive(%d)", d->maxactive)
						      : ".return");
		return add_probe(s, point, d, f->entry_pc, pp, proto, add) < 0 ? -1 : 0;
	}
	return -1;
}

static int by_statement(struct session *s, struct dw_ctx *dw, const struct node *point,
			unsigned long long addr, struct probe_info *proto,
			void (*add)(struct probe_info *, const char *, void *, int))
{
	const char *name, *file;
	uint64_t die, start;

	if (dw_func_at_addr(dw, addr, &name, &file, &die) != 0)
		return -1;
	start = dw_stmt_start(dw, addr);
	if (start && start != addr)
		diag_warning(NULL, NULL, "address 0x%llx does not match the beginning of a "
			     "statement (try 0x%llx)", addr, (unsigned long long)start);
	struct kprobe_data *d = NEW(struct kprobe_data);
	d->dw = dw;
	d->scope_die = die;
	d->var_pc = addr;
	return add_probe(s, point, d, addr, A("kernel.statement(0x%llx)", addr), proto, add) < 0
	       ? -1 : 0;
}

static int absolute(struct session *s, const struct node *point, unsigned long long addr,
		    struct probe_info *proto,
		    void (*add)(struct probe_info *, const char *, void *, int))
{
	const struct pp_comp *kind = point->pp->next;

	if (!s->guru) {
		diag_semantic_error(&kind->loc, point->tok_desc,
				    "absolute statement probe in unprivileged script; need stap -g");
		return -1;
	}
	struct kprobe_data *d = NEW(struct kprobe_data);
	d->addr = addr;
	proto->family = &kprobe_family;
	add(proto, A("kernel.statement(0x%llx).absolute", addr), d, 0);
	return 0;
}

int kaddr_resolve(struct session *s, const struct node *point, struct probe_info *proto,
		  void (*add)(struct probe_info *, const char *, void *, int))
{
	const struct pp_comp *kind = point->pp->next;
	unsigned long long addr = (unsigned long long)kind->arg->num;
	struct dw_ctx *dw;
	int rc;

	if (strcmp(point->pp->name, "kernel") != 0) {
		diag_semantic_error(&kind->loc, point->tok_desc,
				    "probe point mismatch: expected a string argument");
		return -1;
	}
	if (!strcmp(kind->name, "statement") && comp_after(kind->next, "absolute"))
		return absolute(s, point, addr, proto, add);
	if (!(dw = kernel_dwarf(s, point)))
		return -1;
	if (!strcmp(kind->name, "statement"))
		rc = by_statement(s, dw, point, addr, proto, add);
	else
		rc = by_function(s, dw, point, addr, proto, add);
	if (rc != 0 && !point->optional && diag_error_count() == 0)
		diag_semantic_error(&point->loc, point->tok_desc,
				    "while resolving probe point: no match for kernel.%s(0x%llx)",
				    kind->name, addr);
	return rc != 0 && point->optional ? 0 : rc;
}

int kfunc_exported(struct session *s, struct dw_ctx *dw, const struct dw_func *f)
{
	struct sym_table *t = dw_is_relocatable(dw) ? NULL : kernel_symbols(s);

	/* EXPORT_SYMBOL(name) leaves a __ksymtab_name entry; without a symbol table, any
	 * external function counts */
	if (!t)
		return f->external;
	return sym_lookup(t, A("__ksymtab_%s", f->name)) != NULL;
}
