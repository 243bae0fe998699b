/* kprobe.c - DWARF-less kernel probes on the symbol table:
 *   kprobe.function("PATTERN")[.return[.maxactive(N)]]
 *   kprobe.module("MOD").function("NAME")[.return]
 *   kprobe.statement(ADDRESS).absolute                      (guru mode)
 * Function names are checked against the target kernel's symbol table (the -dbg package's
 * System.map or vmlinux; see symbols.h), wildcards expand to every matching function,
 * and the probes are placed by symbol name, so the kernel's own kallsyms resolves them at
 * load time (KASLR does not matter). Also emits the stp_kprobe table for the DWARF family.
 */
#include "kprobe.h"
#include "../arena.h"
#include "../symbols.h"

#include <stdlib.h>
#include <string.h>

#define A(...) arena_printf(g_arena, __VA_ARGS__)

struct sym_table *kernel_symbols(struct session *s)
{
	static struct sym_table *table;
	static int tried;
	char *err = NULL;

	if (!tried) {
		tried = 1;
		table = sym_load_kernel(strchr(s->release, '/') ? NULL : s->release, s->build_dir, &err);
		if (!table)
			diag_warning(NULL, NULL, "%s", err ? err :
				     "Kernel function symbol table missing [man warning::symbols]");
	}
	return table;
}

static const struct pp_comp *comp_named(const struct node *point, const char *name)
{
	for (const struct pp_comp *c = point->pp; c; c = c->next)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

static int match(const struct node *point)
{
	return point->pp && !strcmp(point->pp->name, "kprobe") && point->pp->next;
}

static void add_kprobe(struct probe_info *proto, const char *pp, const char *symbol,
		       unsigned long long addr, int is_return, int maxactive,
		       void (*add)(struct probe_info *, const char *, void *, int))
{
	struct kprobe_data *d = NEW(struct kprobe_data);

	d->symbol = symbol;
	d->addr = addr;
	d->is_return = is_return;
	d->maxactive = maxactive;
	proto->family = &kprobe_family;
	add(proto, pp, d, 0);
}

static int resolve_statement(struct session *s, const struct node *point,
			     struct probe_info *proto,
			     void (*add)(struct probe_info *, const char *, void *, int))
{
	const struct pp_comp *st = point->pp->next;

	if (!st->arg || st->arg->kind != N_NUMBER || !comp_named(point, "absolute")) {
		diag_semantic_error(&st->loc, point->tok_desc,
				    "probe point mismatch: expected kprobe.statement(ADDRESS).absolute");
		return -1;
	}
	if (!s->guru) {
		diag_semantic_error(&st->loc, point->tok_desc,
				    "absolute statement probe in unprivileged script; need stap -g");
		return -1;
	}
	add_kprobe(proto, pp_to_string(point), NULL, (unsigned long long)st->arg->num, 0, 0, add);
	return 0;
}

static int resolve(struct session *s, const struct node *point, struct probe_info *proto,
		   void (*add)(struct probe_info *, const char *, void *, int))
{
	const struct pp_comp *c = point->pp->next, *module = NULL;

	if (!strcmp(c->name, "statement"))
		return resolve_statement(s, point, proto, add);
	if (!strcmp(c->name, "module")) {
		module = c;
		c = c->next;
	}
	if (!c || strcmp(c->name, "function") || !c->arg || c->arg->kind != N_STRING ||
	    (module && (!module->arg || module->arg->kind != N_STRING))) {
		diag_semantic_error(&point->loc, point->tok_desc, "probe point mismatch");
		return -1;
	}
	const struct pp_comp *ret = c->next;
	int is_return = ret && !strcmp(ret->name, "return");
	const struct pp_comp *maxact = is_return ? ret->next : NULL;
	if ((ret && !is_return) || (maxact && (strcmp(maxact->name, "maxactive") || !maxact->arg ||
					       maxact->arg->kind != N_NUMBER || maxact->next))) {
		diag_semantic_error(&point->loc, point->tok_desc, "probe point mismatch");
		return -1;
	}
	int maxactive = maxact ? (int)maxact->arg->num : 0;
	const char *pattern = c->arg->str;
	const char *suffix = is_return ? ".return" : "";
	if (maxact)
		suffix = A(".return.maxactive(%d)", maxactive);

	/* Module functions are left to the kernel to find when the module is loaded. */
	if (module) {
		add_kprobe(proto, A("kprobe.module(\"%s\").function(\"%s\")%s", module->arg->str,
				    pattern, suffix),
			   A("%s:%s", module->arg->str, pattern), 0, is_return, maxactive, add);
		return 0;
	}
	struct sym_table *t = kernel_symbols(s);
	int n = 0;
	const struct ksym **found = t ? sym_match(t, pattern, SYM_FUNCS, &n) : NULL;
	if (n == 0) {
		free(found);
		if (point->optional)
			return 0;
		diag_semantic_error(&point->loc, point->tok_desc,
				    "while resolving probe point: no match for kprobe.function(\"%s\")",
				    pattern);
		return -1;
	}
	/* One probe per distinct name (a symbol may appear under aliases). */
	for (int i = 0; i < n; i++) {
		int dup = 0;
		for (int j = 0; j < i && !dup; j++)
			dup = !strcmp(found[j]->name, found[i]->name);
		if (dup)
			continue;
		add_kprobe(proto, A("kprobe.function(\"%s\")%s", found[i]->name, suffix),
			   arena_strdup(g_arena, found[i]->name), 0, is_return, maxactive, add);
	}
	free(found);
	return 0;
}

static int count(const struct program *p)
{
	int n = 0;

	for (const struct probe_info *pi = p->probes; pi; pi = pi->next)
		n += pi->family == &kprobe_family;
	return n;
}

static void emit_decls(struct emitter *e, struct program *p)
{
	emit(e, "#include \"linux/stp_kprobes.h\"");
	emit(e, "static struct stp_kprobe stp_kprobes[] = {");
	for (struct probe_info *pi = p->probes; pi; pi = pi->next) {
		if (pi->family != &kprobe_family)
			continue;
		const struct kprobe_data *d = pi->family_data;
		if (d->symbol)
			emit(e, "{ .probe = &stp_probe_%d, .symbol = %s, .offset = 0x%llxUL, .is_return = %d, .maxactive = %d },",
			     pi->index, c_string_literal(d->symbol, strlen(d->symbol)), d->offset,
			     d->is_return, d->maxactive);
		else
			emit(e, "{ .probe = &stp_probe_%d, .addr = 0x%llxUL, .is_return = %d, .maxactive = %d },",
			     pi->index, d->addr, d->is_return, d->maxactive);
	}
	emit(e, "};");
}

static void emit_start(struct emitter *e, struct program *p, const char *fail_label)
{
	emit(e, "rc = stp_kprobes_register(stp_kprobes, %d);", count(p));
	emit(e, "if (rc)");
	emit(e, "\tgoto %s;", fail_label);
}

static void emit_stop(struct emitter *e, struct program *p)
{
	emit(e, "stp_kprobes_unregister(stp_kprobes, %d);", count(p));
}

const struct probe_family kprobe_family = {
	.name = "kprobe",
	.match = match,
	.resolve = resolve,
	.emit_decls = emit_decls,
	.emit_start = emit_start,
	.emit_stop = emit_stop,
	.gen_target = dwarf_gen_target,
	.target_type = dwarf_target_type,
	.list_vars = dwarf_list_vars,
	.order = 20,
};
