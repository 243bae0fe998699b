/* dwarf.c - probe points resolved against the kernel's DWARF:
 *   kernel.function("PATTERN[@FILE[:LINE]]")[.call|.inline|.exported]
 *   kernel.function("...").return[.maxactive(N)]
 *   kernel.function("...").label("PATTERN")
 *   kernel.statement("FUNC@FILE:LINE")[.nearest]
 *   module("MPATTERN").function(...) / .statement(...) with the same suffixes
 * and the target variables of such probes ($var, $var->f[i], &$var, $return, @cast).
 *
 * Each probe becomes a kprobe (kprobe.h) placed at SYMBOL+OFFSET, with the symbol taken
 * from the kernel's symbol table (so compiler clones like foo.constprop.0 and KASLR are
 * handled by the kernel's kallsyms at load time), or in a module MODULE:SYMBOL from the
 * module's (dwarf_module.c finds and opens modules). The kprobe family registers them and
 * calls back here for target variables, which the DWARF layer (dwarf.h) turns into
 * fault-safe C reads of the probe's registers and memory.
 */
#include "kprobe.h"
#include "dwarf_vars.h"
#include "kernel_addr.h"
#include "../arena.h"
#include "../dwarf.h"
#include "../symbols.h"
#include "../translate.h"

#include <stdlib.h>
#include <string.h>

#define A(...) arena_printf(g_arena, __VA_ARGS__)

extern const struct probe_family dwarf_family;

struct dw_ctx *kernel_dwarf(struct session *s, const struct node *where)
{
	static struct dw_ctx *dw;
	static int tried;
	char *err = NULL;

	if (!tried) {
		tried = 1;
		dw = dw_open_kernel(strchr(s->release, '/') ? NULL : s->release, s->build_dir, &err);
		if (!dw) {
			diag_semantic_error(&where->loc, where->tok_desc, "while resolving probe point");
			diag_plain_error("semantic error: %s\n", err ? err : "missing kernel debuginfo");
			free(err);
		}
	}
	return dw;
}

static int match(const struct node *point)
{
	const struct pp_comp *c = point->pp;

	return c && (!strcmp(c->name, "kernel") || !strcmp(c->name, "module")) && c->next &&
	       (!strcmp(c->next->name, "function") || !strcmp(c->next->name, "statement"));
}

static const struct pp_comp *suffix_named(const struct pp_comp *c, const char *name)
{
	for (; c; c = c->next)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

/* SYMBOL+OFFSET for a kernel address, through the symbol table ("MODULE:SYMBOL" in a
 * module). */
static int place(struct session *s, uint64_t pc, struct kprobe_data *d, const struct node *where)
{
	if (d->dw && dw_is_relocatable(d->dw))
		return dwarf_module_place(d->dw, pc, d, where);
	struct sym_table *t = kernel_symbols(s);
	uint64_t off = 0;
	const struct ksym *k = t ? sym_at(t, pc, &off) : NULL;

	if (!k) {
		diag_semantic_error(&where->loc, where->tok_desc,
				    "no symbol for address 0x%llx", (unsigned long long)pc);
		return -1;
	}
	d->symbol = arena_strdup(g_arena, k->name);
	d->offset = off;
	return 0;
}

static struct kprobe_data *new_data(struct dw_ctx *dw, uint64_t scope, uint64_t pc,
				    int is_return, int maxactive)
{
	struct kprobe_data *d = NEW(struct kprobe_data);

	d->dw = dw;
	d->scope_die = scope;
	d->var_pc = pc;
	d->is_return = is_return;
	d->maxactive = maxactive;
	return d;
}

static void add_one(struct probe_info *proto, const char *pp, struct kprobe_data *d,
		    void (*add)(struct probe_info *, const char *, void *, int))
{
	proto->family = &kprobe_family;
	add(proto, pp, d, 0);
}

static int resolve_labels(struct session *s, struct dw_ctx *dw, const struct node *point,
			  const char *spec, const struct pp_comp *label, struct probe_info *proto,
			  void (*add)(struct probe_info *, const char *, void *, int))
{
	struct dw_label *labels;
	char *err = NULL;
	int n = dw_find_labels(dw, spec, label->arg->str, &labels, &err);

	for (int i = 0; i < n; i++) {
		if (kprobe_blacklisted(s, point, dw, labels[i].pc, labels[i].func))
			continue;
		struct kprobe_data *d = new_data(dw, labels[i].scope_die, labels[i].pc, 0, 0);
		if (place(s, labels[i].pc, d, point) != 0)
			return -1;
		add_one(proto, A("%s.function(\"%s@%s:%d\").label(\"%s\")", dwarf_pp_head(dw), labels[i].func,
				 labels[i].file, labels[i].line, labels[i].name), d, add);
	}
	return n > 0 ? 0 : -1;
}

static int resolve_functions(struct session *s, struct dw_ctx *dw, const struct node *point,
			     const char *spec, const struct pp_comp *suffix,
			     struct probe_info *proto,
			     void (*add)(struct probe_info *, const char *, void *, int))
{
	const struct pp_comp *ret = suffix_named(suffix, "return");
	const struct pp_comp *maxact = suffix_named(suffix, "maxactive");
	int flags = suffix_named(suffix, "inline") ? DW_FIND_INLINE
		  : suffix_named(suffix, "call") || ret ? DW_FIND_CALL : DW_FIND_ALL;
	struct dw_func *funcs;
	char *err = NULL;
	int n = dw_find_functions(dw, spec, flags, &funcs, &err), added = 0;

	if (n < 0) {
		diag_semantic_error(&point->loc, point->tok_desc, "%s", err ? err : "bad function");
		return -1;
	}
	const char *suffix_text = ret ? (maxact ? A(".return.maxactive(%lld)", (long long)maxact->arg->num)
					  : ".return")
				      : suffix_named(suffix, "call") ? ".call" : "";
	if (suffix_named(suffix, "exported"))
		suffix_text = A("%s.exported", suffix_text);
	for (int i = 0; i < n; i++) {
		struct dw_func *f = &funcs[i];
		const char *pp = A("%s.function(\"%s@%s:%d\")%s", dwarf_pp_head(dw), f->name,
				   f->file, f->line, suffix_text);
		if (suffix_named(suffix, "exported") && !kfunc_exported(s, dw, f))
			continue;
		if (f->has_code && !f->is_init && (!ret || f->has_return) && flags != DW_FIND_INLINE &&
		    !kprobe_blacklisted(s, point, dw, f->entry_pc, f->name)) {
			struct kprobe_data *d = new_data(dw, f->die, f->prologue_pc, ret != NULL,
							 maxact ? (int)maxact->arg->num : 0);
			if (place(s, f->entry_pc, d, point) != 0)
				return -1;
			add_one(proto, pp, d, add);
			added++;
		}
		/* Inlined copies: kernel.function covers them too, except for .call/.return. */
		if (flags & DW_FIND_INLINE && !ret) {
			for (int k = 0; k < f->n_inlines; k++) {
				if (f->inlines[k].is_init ||
				    kprobe_blacklisted(s, point, dw, f->inlines[k].pc, f->name))
					continue;
				struct kprobe_data *d = new_data(dw, f->inlines[k].die, f->inlines[k].pc, 0, 0);
				if (place(s, f->inlines[k].pc, d, point) != 0)
					return -1;
				add_one(proto, pp, d, add);
				added++;
			}
		}
	}
	return added ? 0 : -1;
}

static int resolve_statements(struct session *s, struct dw_ctx *dw, const struct node *point,
			      const char *spec, int nearest, struct probe_info *proto,
			      void (*add)(struct probe_info *, const char *, void *, int))
{
	struct dw_stmt *stmts;
	char *err = NULL;
	int n = dw_find_statements(dw, spec, nearest, &stmts, &err);

	if (n < 0) {
		diag_semantic_error(&point->loc, point->tok_desc, "%s", err ? err : "no such statement");
		return -1;
	}
	/* .nearest keeps the asked line in pp(), as SystemTap does */
	struct dw_spec asked;
	int asked_line = nearest && dw_parse_spec(dw, spec, &asked, NULL) == 0 &&
			 asked.lines_kind == 1 ? asked.line_lo : 0;
	for (int i = 0; i < n; i++) {
		if (kprobe_blacklisted(s, point, dw, stmts[i].pc, stmts[i].func))
			continue;
		struct kprobe_data *d = new_data(dw, stmts[i].scope_die, stmts[i].pc, 0, 0);
		if (place(s, stmts[i].pc, d, point) != 0)
			return -1;
		add_one(proto, A("%s.statement(\"%s@%s:%d\")%s", dwarf_pp_head(dw), stmts[i].func,
				 stmts[i].file, asked_line ? asked_line : stmts[i].line,
				 nearest ? ".nearest" : ""), d, add);
	}
	return n ? 0 : -1;
}

static int resolve(struct session *s, const struct node *point, struct probe_info *proto,
		   void (*add)(struct probe_info *, const char *, void *, int))
{
	const struct pp_comp *kind = point->pp->next;

	if (kind->arg && kind->arg->kind == N_NUMBER)
		return kaddr_resolve(s, point, proto, add);     /* kernel_addr.c */
	if (!kind->arg || kind->arg->kind != N_STRING) {
		/* kernel.statement(ADDR).absolute is the kprobe family's. */
		diag_semantic_error(&kind->loc, point->tok_desc,
				    "probe point mismatch: expected a string argument");
		return -1;
	}
	/* kernel: one object; module("PATTERN"): each module it names (dwarf_module.c) */
	const struct pp_comp *mod = !strcmp(point->pp->name, "module") ? point->pp : NULL;
	const char **mods = NULL;
	int ndw = 1, rc = -1;

	if (mod && (!mod->arg || mod->arg->kind != N_STRING)) {
		diag_semantic_error(&mod->loc, point->tok_desc,
				    "probe point mismatch: expected module(\"NAME\")");
		return -1;
	}
	if (mod)
		ndw = dwarf_module_names(s, mod->arg->str, &mods);
	else if (!kernel_dwarf(s, point))
		return -1;
	const char *spec = kind->arg->str;
	const struct pp_comp *label = suffix_named(kind->next, "label");

	for (int i = 0; i < ndw; i++) {
		/* one module at a time: a wildcard may name a thousand */
		struct dw_ctx *dw = mod ? dwarf_module_open(s, point, mods[i], ndw > 1 ||
							    strpbrk(mod->arg->str, "*?["))
					: kernel_dwarf(s, point);
		int r;

		if (!dw)
			continue;

		if (!strcmp(kind->name, "statement"))
			r = resolve_statements(s, dw, point, spec,
					       suffix_named(kind->next, "nearest") != NULL, proto, add);
		else if (label && label->arg && label->arg->kind == N_STRING)
			r = resolve_labels(s, dw, point, spec, label, proto, add);
		else if (suffix_named(kind->next, "callee") || suffix_named(kind->next, "callees"))
			r = callee_resolve(s, dw, point, spec, kind->next, proto, add);  /* callee.c */
		else
			r = resolve_functions(s, dw, point, spec, kind->next, proto, add);
		rc = r == 0 ? 0 : rc;
		if (mod && r != 0)
			dwarf_module_release(dw);
	}
	if (rc != 0 && !point->optional && diag_error_count() == 0)
		diag_semantic_error(&point->loc, point->tok_desc,
				    "while resolving probe point: no match for %s", pp_to_string(point));
	return rc != 0 && point->optional ? 0 : rc;
}

/* ---- target variables of DWARF-resolved kprobes ---- */

/* The ->name / .name / [index] components of a target node in the DWARF layer's terms;
 * gen (NULL in pass 2) generates run-time indexes. */
struct dw_comp *dwarf_target_comps(struct gen *g, const struct node *n, int *ncomps)
{
	int nc = 0;
	for (struct target_comp *c = n->comps; c; c = c->next)
		nc++;
	struct dw_comp *comps = arena_alloc(g_arena, (size_t)(nc + 1) * sizeof(*comps));
	int i = 0;
	for (struct target_comp *c = n->comps; c; c = c->next, i++) {
		if (c->kind == C_INDEX) {
			comps[i].kind = DW_COMP_INDEX;
			if (c->index->kind == N_NUMBER)
				comps[i].index = c->index->num;
			else
				comps[i].index_expr = g ? gen_long(g, c->index) : "0";
		} else {
			comps[i].kind = DW_COMP_MEMBER;
			comps[i].name = c->name;
		}
	}
	*ncomps = nc;
	return comps;
}

/* Fills t from a target node; gen (may be NULL in pass 2) provides run-time indexes. */
static int build_target(struct gen *g, struct node *n, const struct kprobe_data *d,
			struct dw_target *t)
{
	int addr_of = 0;

	memset(t, 0, sizeof(*t));
	if (n->kind == N_UNARY && n->op == OP_ADDR) {
		addr_of = 1;
		n = n->operand;
	}
	t->addr_of = addr_of;
	t->scope_die = d->scope_die;
	t->pc = d->var_pc;
	t->location = gen_location(n);
	if (n->kind == N_TARGET) {
		if (n->name[0] == '$' && n->name[1] == '$')
			return -1;         /* $$vars & co.: not here */
		t->base = n->name + 1;
	} else if (n->kind == N_CAST) {
		t->cast_type = n->str;
		t->cast_addr = g ? A("((int64_t)%s)", gen_long(g, n->operand)) : "0";
	} else {
		return -1;
	}
	int nc;
	struct dw_comp *comps = dwarf_target_comps(g, n, &nc);
	t->comps = comps;
	t->ncomps = nc;
	return 0;
}

/* store: guru mode's value to write (dwarf.h), or NULL to read. */
static int translate_target(struct gen *g, const struct probe_info *pi, struct node *n,
			    const char *store, struct dw_expr *out)
{
	const struct kprobe_data *d = pi->family_data;
	struct dw_target t;
	char *err = NULL;

	if (!d->dw) {
		diag_semantic_error(&n->loc, n->tok_desc,
				    "target variables need debuginfo; probe %s has none", pi->pp);
		return -1;
	}
	if (build_target(g, n, d, &t) != 0) {
		diag_semantic_error(&n->loc, n->tok_desc, "this target expression is not supported yet");
		return -1;
	}
	t.store = store;
	if (t.base && !strcmp(t.base, "return") && !d->is_return) {
		diag_semantic_error(&n->loc, n->tok_desc,
				    "$return is only available in .return probes");
		return -1;
	}
	if (dw_target_expr(d->dw, &t, out, &err) != 0) {
		/* A missing member is reported at its '->', like SystemTap does. */
		const struct node *at = n->kind == N_UNARY ? n->operand : n;
		const struct target_comp *where = NULL;
		for (const struct target_comp *c = at->comps; c && err; c = c->next)
			if (c->name && c->loc.line && strstr(err, A("member '%s'", c->name)))
				where = c;
		if (where)
			diag_semantic_error(&where->loc, "operator '->'", "%s", err);
		else
			diag_semantic_error(&n->loc, n->tok_desc, "%s", err ? err : "cannot resolve");
		return -1;
	}
	return 0;
}

enum stap_type dwarf_target_type(struct session *s, const struct probe_info *pi, struct node *n)
{
	struct dw_expr e;
	enum stap_type saved;

	if (kprobe_entry_type(s, pi, n, &saved))       /* @entry(...) */
		return saved;
	if (dwvars_claims(n))                           /* $$vars, $var$, @var (dwarf_vars.c) */
		return dwvars_target_type(s, pi, n);
	if (translate_target(NULL, pi, n, NULL, &e) != 0)
		return T_UNKNOWN;
	/* Like SystemTap, a char array or char pointer is a number (the array's address, the
	 * pointer): scripts read the text with kernel_string(). */
	return T_LONG;
}

const char *dwarf_gen_target(struct gen *g, const struct probe_info *pi, struct node *n)
{
	struct dw_expr e;
	const char *saved;

	if (kprobe_entry_gen(g, pi, n, &saved))         /* @entry(...), $var in .return */
		return saved;
	if (dwvars_claims(n))
		return dwvars_gen_target(g, pi, n);
	if (translate_target(g, pi, n, NULL, &e) != 0)
		return NULL;
	return A("((int64_t)(%s))", e.c_expr);
}

const char *dwarf_gen_target_store(struct gen *g, const struct probe_info *pi, struct node *n,
				   const char *value)
{
	struct dw_expr e;

	if (dwvars_claims(n))                           /* @var (dwarf_vars.c) */
		return dwvars_gen_target_store(g, pi, n, value);
	return translate_target(g, pi, n, value, &e) != 0 ? NULL : e.c_expr;
}

void dwarf_list_vars(struct session *s, const struct probe_info *pi, FILE *out)
{
	dwvars_list_vars(s, pi, out);           /* dwarf_vars.c */
}

/* @cast(ADDR, "type"[, "module"]) needs no probe context, only the kernel's types: it
 * works in any probe and in functions. */
static struct kprobe_data *cast_context(struct session *s, const struct probe_info *probe,
					struct node *n)
{
	static struct kprobe_data d;
	const struct node *c = n->kind == N_UNARY ? n->operand : n;
	const struct kprobe_data *pd = probe && probe->family == &kprobe_family ?
				       probe->family_data : NULL;
	char *err = NULL;

	/* @cast(p, "type", "module[:module...]"): types from those modules; without one,
	 * a probe in a module looks in its module first */
	if (c->module && (d.dw = header_cast_dwarf(s, n, c->module, c->str)))
		;                               /* "kernel<linux/x.h>": cast_header.c */
	else if (c->module)
		d.dw = dwarf_cast_module(s, n, c->module, c->str);
	else if (pd && pd->dw && dw_is_relocatable(pd->dw) && dw_lookup_type(pd->dw, c->str, &err))
		d.dw = pd->dw;
	else
		d.dw = NULL;
	if (!d.dw)
		d.dw = kernel_dwarf(s, n);
	return d.dw ? &d : NULL;
}

static int is_cast(const struct node *n)
{
	if (n->kind == N_UNARY && n->op == OP_ADDR)
		n = n->operand;
	return n->kind == N_CAST;
}

enum stap_type dwarf_cast_type(struct session *s, const struct probe_info *probe, struct node *n)
{
	struct probe_info pi = { .pp = "@cast" };

	if (!is_cast(n) || !(pi.family_data = cast_context(s, probe, n)))
		return T_UNKNOWN;
	return dwarf_target_type(s, &pi, n);
}

const char *dwarf_gen_cast(struct gen *g, struct node *n)
{
	struct probe_info pi = { .pp = "@cast" };

	if (!is_cast(n) || !(pi.family_data = cast_context(g->s, g->probe, n)))
		return NULL;
	return dwarf_gen_target(g, &pi, n);
}

const char *dwarf_gen_cast_store(struct gen *g, struct node *n, const char *value)
{
	struct probe_info pi = { .pp = "@cast" };

	if (!is_cast(n) || !(pi.family_data = cast_context(g->s, g->probe, n)))
		return NULL;
	return dwarf_gen_target_store(g, &pi, n, value);
}

const struct probe_family dwarf_family = {
	.name = "kernel.function/statement",
	.match = match,
	.resolve = resolve,
	.order = 20,
};
