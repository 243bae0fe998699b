/* kprobe.c - DWARF-less kernel probes on the symbol table:
 *   kprobe.function("PATTERN")[.return[.maxactive(N)]]
 *   kprobe.module("MOD").function("NAME")[.return]
 *   kprobe.statement(ADDRESS).absolute                      (guru mode)
 * Function names are checked against the target kernel's symbol table (the -dbg package's
 * System.map or vmlinux; see symbols.h), or the module's own (its .ko, when found),
 * wildcards expand to every matching function, and the probes are placed by symbol name
 * ("module:name" in a module), so the kernel's own kallsyms resolves them at load time
 * (KASLR does not matter; a module not loaded yet is probed once it is). Also emits the
 * stp_kprobe table for the DWARF family, with the entry parts of return probes that save
 * values at entry (kprobe_entry.c).
 */
#include "kprobe.h"
#include "../arena.h"
#include "../symbols.h"
#include "../dwarf.h"

#include <stdio.h>
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

static const struct ksym **g_syms;

static int cmp_name_pos(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	int c = strcmp(g_syms[x]->name, g_syms[y]->name);

	return c ? c : x - y;
}

/* dup[i] = 1 when syms[i] has the name of an earlier entry: O(n log n) for kprobe("*"). */
static unsigned char *distinct_names(const struct ksym **syms, int n)
{
	int *order = malloc((n + 1) * sizeof(*order));
	unsigned char *dup = calloc(n + 1, 1);

	if (!order || !dup) {
		fputs("stap: out of memory\n", stderr);
		exit(1);
	}
	for (int i = 0; i < n; i++)
		order[i] = i;
	g_syms = syms;
	if (n > 1)
		qsort(order, n, sizeof(*order), cmp_name_pos);
	for (int i = 1; i < n; i++)
		if (!strcmp(syms[order[i]]->name, syms[order[i - 1]]->name))
			dup[order[i]] = 1;
	free(order);
	return dup;
}

static int no_match(const struct node *point)
{
	if (point->optional)
		return 0;
	diag_semantic_error(&point->loc, point->tok_desc,
			    "while resolving probe point: no match for %s", pp_to_string(point));
	return -1;
}

/* One probe per distinct name among FOUND (a symbol may appear more than once), in
 * address order; HEAD is "" for the kernel or module("M")., MOD the module's name. */
static void add_matches(struct probe_info *proto, const struct ksym **found, int n,
			const char *head, const char *mod, const char *suffix, int is_return,
			int maxactive, void (*add)(struct probe_info *, const char *, void *, int))
{
	unsigned char *dup = distinct_names(found, n);

	for (int i = 0; i < n; i++) {
		if (dup[i])
			continue;
		const char *name = arena_strdup(g_arena, found[i]->name);
		add_kprobe(proto, A("kprobe.%sfunction(\"%s\")%s", head, name, suffix),
			   mod ? A("%s:%s", mod, name) : name, 0, is_return, maxactive, add);
	}
	free(dup);
}

/* kprobe.module("M").function("F"): checked against the module's symbol table when its
 * .ko is found (by name for the target kernel, or an absolute path); otherwise left to
 * the kernel, which finds it when the module is loaded. */
static int resolve_module(struct session *s, const struct node *point, const char *module,
			  const char *pattern, const char *suffix, int is_return, int maxactive,
			  struct probe_info *proto,
			  void (*add)(struct probe_info *, const char *, void *, int))
{
	const char *head = A("module(\"%s\").", module), *path = NULL;
	char *name = dw_module_name(module);
	const struct dw_module *mods;
	const char *release = strchr(s->release, '/') ? NULL : s->release;
	int nmods = module[0] == '/' ? 0 : dw_module_list(release, &mods);
	struct sym_table *t = NULL;

	if (module[0] == '/')
		path = module;
	for (int i = 0; i < nmods && !path; i++)
		if (!strcmp(mods[i].name, name))
			path = mods[i].path;
	if (path)
		t = sym_load_file(path, NULL);
	const char *mod = A("%s", name);
	free(name);
	if (!t) {
		if (strpbrk(pattern, "*?[")) {
			diag_semantic_error(&point->loc, point->tok_desc,
					    "while resolving probe point: module '%s' not found: "
					    "a function pattern needs its symbol table", module);
			return -1;
		}
		add_kprobe(proto, A("kprobe.%sfunction(\"%s\")%s", head, pattern, suffix),
			   A("%s:%s", mod, pattern), 0, is_return, maxactive, add);
		return 0;
	}
	int n = 0;
	const struct ksym **found = sym_match(t, pattern, SYM_FUNCS, &n);
	if (n)
		add_matches(proto, found, n, head, mod, suffix, is_return, maxactive, add);
	free(found);
	sym_free(t);
	return n ? 0 : no_match(point);
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

	if (module)
		return resolve_module(s, point, module->arg->str, pattern, suffix, is_return,
				      maxactive, proto, add);
	struct sym_table *t = kernel_symbols(s);
	int n = 0;
	const struct ksym **found = t ? sym_match(t, pattern, SYM_FUNCS, &n) : NULL;
	if (n == 0) {
		free(found);
		return no_match(point);
	}
	add_matches(proto, found, n, "", NULL, suffix, is_return, maxactive, add);
	free(found);
	return 0;
}

static void emit_decls(struct emitter *e, struct program *p)
{
	emit(e, "#include \"linux/stp_kprobes.h\"");
	kprobe_emit_entries(e, p);
	/* Each kprobe gets its own pre-handler, which calls its probe's handler directly. */
	for (struct probe_info *pi = p->probes; pi; pi = pi->next)
		if (pi->family == &kprobe_family && !((const struct kprobe_data *)pi->family_data)->is_return)
			emit(e, "STP_KPROBE_HANDLER(stp_kprobe_pre_%d, stp_probe_%d, probe_%d)", pi->index,
			     pi->index, pi->index);
	emit(e, "static struct stp_kprobe stp_kprobes[] = {");
	for (struct probe_info *pi = p->probes; pi; pi = pi->next) {
		if (pi->family != &kprobe_family)
			continue;
		const struct kprobe_data *d = pi->family_data;
		const char *pre = d->is_return ? "" : A(" .pre_handler = stp_kprobe_pre_%d,", pi->index);
		if (d->symbol)
			emit(e, "{ .probe = &stp_probe_%d, .symbol = %s, .offset = 0x%llxUL, .is_return = %d, .maxactive = %d,%s%s },",
			     pi->index, c_string_literal(d->symbol, strlen(d->symbol)), d->offset,
			     d->is_return, d->maxactive, kprobe_entry_fields(pi), pre);
		else
			emit(e, "{ .probe = &stp_probe_%d, .addr = 0x%llxUL, .is_return = %d, .maxactive = %d,%s%s },",
			     pi->index, d->addr, d->is_return, d->maxactive, kprobe_entry_fields(pi), pre);
	}
	emit(e, "};");
}

static void emit_start(struct emitter *e, struct program *p, const char *fail_label)
{
	emit_register_array(e, p, &kprobe_family, "kprobes", "stp_kprobes", fail_label);
}

static void emit_stop(struct emitter *e, struct program *p)
{
	emit_unregister_array(e, p, &kprobe_family, "kprobes", "stp_kprobes");
}

const struct probe_family kprobe_family = {
	.name = "kprobe",
	.match = match,
	.resolve = resolve,
	.emit_decls = emit_decls,
	.emit_start = emit_start,
	.emit_stop = emit_stop,
	.gen_target = dwarf_gen_target,
	.gen_target_store = dwarf_gen_target_store,
	.target_type = dwarf_target_type,
	.list_vars = dwarf_list_vars,
	.order = 20,
};
