/* callee.c - the functions a kernel function calls:
 *
 *   kernel.function(PATTERN).callee(CPATTERN)          each callee whose name matches
 *   kernel.function(PATTERN).callee(CPATTERN).call     ... only those really called
 *   kernel.function(PATTERN).callee(CPATTERN).return   ... their returns
 *   kernel.function(PATTERN).callees[(DEPTH)]          .callee("*"), and DEPTH levels of
 *                                                      the callees' callees
 *
 * The callees come from the caller's DWARF (dwarf_calls.h): code inlined into it, probed
 * where the copy starts (so only this caller runs it), and direct calls, probed at the
 * callee's entry with a check that the return address on the stack is one of the call
 * sites in the caller - the probe runs only for calls from there, unless the module is
 * built with -DSTAP_CALLEE_MATCHALL. A .return probe of a call is a kprobe at the return
 * address in the caller; it can read $return (and globals, @cast) but not the callee's
 * parameters. At DEPTH > 1 only the innermost call is checked.
 *
 * pp() is the callee's own kernel.function("NAME@FILE:LINE"). Return addresses are
 * link-time addresses, moved at run time by the KASLR offset (the distance between
 * _printk and its link-time address).
 */
#include "kernel_addr.h"
#include "../arena.h"
#include "../dwarf_calls.h"
#include "../symbols.h"
#include "../translate.h"

#include <fnmatch.h>
#include <string.h>

#define A(...) arena_printf(g_arena, __VA_ARGS__)
#define MAXCALLEE_PROBES 2000

extern const struct probe_family callee_family;

struct callee_data {
	struct kprobe_data kd;          /* first: the DWARF hooks read the scope from it */
	unsigned long long *rets;       /* return addresses a call must come back to */
	int nret;                       /* 0: no check (an inlined copy, a return site) */
	int at_return;                  /* a .return: kprobe at the return address */
	unsigned long long printk;      /* link-time address of _printk (0: unknown) */
};

struct walk {
	struct session *s;
	struct dw_ctx *dw;
	const struct node *point;
	const char *pattern;
	int depth, is_return, is_call;
	struct probe_info *proto;
	void (*add)(struct probe_info *, const char *, void *, int);
	int added;
};

static const struct pp_comp *named(const struct pp_comp *c, const char *name)
{
	for (; c; c = c->next)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

static void add_probe(struct walk *w, struct callee_data *cd, unsigned long long pc,
		      const char *name, const char *pp)
{
	if (w->added >= MAXCALLEE_PROBES || kprobe_blacklisted(w->s, w->point, w->dw, pc, name) ||
	    kaddr_place(w->s, pc, &cd->kd, w->point) != 0)
		return;
	cd->kd.dw = w->dw;
	struct sym_table *t = kernel_symbols(w->s);
	const struct ksym *k = t ? sym_lookup(t, "_printk") : NULL;
	cd->printk = k ? k->addr : 0;
	w->proto->family = &callee_family;
	w->add(w->proto, pp, cd, 0);
	w->added++;
}

/* The out-of-line definition of a called function. */
static const struct dw_func *definition(struct walk *w, const struct dw_callee *c)
{
	struct dw_func *fs, *any = NULL;
	char *err = NULL;
	int n = dw_find_functions(w->dw, c->name, DW_FIND_CALL, &fs, &err);

	for (int i = 0; i < n; i++) {
		if (!fs[i].has_code || fs[i].is_init)
			continue;
		if (fs[i].die == c->origin)
			return &fs[i];
		if (fs[i].external && !any)
			any = &fs[i];
	}
	return any;
}

static void walk_callees(struct walk *w, uint64_t die, int level);

static void inlined_callee(struct walk *w, const struct dw_callee *c, int level)
{
	if (!w->is_return && !w->is_call) {
		struct callee_data *cd = NEW(struct callee_data);

		cd->kd.scope_die = c->die;
		cd->kd.var_pc = c->pc;
		add_probe(w, cd, c->pc, c->name, A("kernel.function(\"%s@%s:%d\")", c->name,
						   c->file ? c->file : "", c->line));
	}
	if (level < w->depth)
		walk_callees(w, c->die, level + 1);
}

/* Calls of one function from the caller: every call site of it at once. */
static void called(struct walk *w, const struct dw_callee *cs, int ncs, int level)
{
	const struct dw_func *f = definition(w, &cs[0]);

	if (!f)
		return;
	const char *pp = A("kernel.function(\"%s@%s:%d\")", f->name, f->file, f->line);
	if (w->is_return) {
		if (!f->has_return)
			return;
		for (int i = 0; i < ncs; i++) {
			struct callee_data *cd = NEW(struct callee_data);

			cd->kd.scope_die = f->die;
			cd->kd.var_pc = f->prologue_pc;
			cd->kd.is_return = 1;
			cd->at_return = 1;
			add_probe(w, cd, cs[i].pc, f->name, A("%s.return", pp));
		}
	} else {
		struct callee_data *cd = NEW(struct callee_data);

		cd->kd.scope_die = f->die;
		cd->kd.var_pc = f->prologue_pc;
		cd->rets = arena_alloc(g_arena, (size_t)ncs * sizeof(*cd->rets));
		for (int i = 0; i < ncs; i++)
			cd->rets[cd->nret++] = cs[i].pc;
		add_probe(w, cd, f->entry_pc, f->name, w->is_call ? A("%s.call", pp) : pp);
	}
	if (level < w->depth)
		walk_callees(w, f->die, level + 1);
}

static void walk_callees(struct walk *w, uint64_t die, int level)
{
	struct dw_callee *cs;
	int n = dw_callees(w->dw, die, &cs);
	char *done = arena_alloc(g_arena, (size_t)n + 1);

	for (int i = 0; i < n && w->added < MAXCALLEE_PROBES; i++) {
		if (done[i] || fnmatch(w->pattern, cs[i].name, 0) != 0)
			continue;
		if (cs[i].inlined) {
			inlined_callee(w, &cs[i], level);
			continue;
		}
		/* the call sites of the same function, together */
		struct dw_callee *same = arena_alloc(g_arena, (size_t)n * sizeof(*same));
		int k = 0;
		for (int j = i; j < n; j++)
			if (!done[j] && !cs[j].inlined && cs[j].origin == cs[i].origin) {
				same[k++] = cs[j];
				done[j] = 1;
			}
		called(w, same, k, level);
	}
}

int callee_resolve(struct session *s, struct dw_ctx *dw, const struct node *point,
		   const char *spec, const struct pp_comp *suffix, struct probe_info *proto,
		   void (*add)(struct probe_info *, const char *, void *, int))
{
	const struct pp_comp *one = named(suffix, "callee"), *many = named(suffix, "callees");
	struct walk w = { .s = s, .dw = dw, .point = point, .proto = proto, .add = add,
			  .depth = 1, .pattern = "*" };
	struct dw_func *funcs;
	char *err = NULL;

	if (one && (!one->arg || one->arg->kind != N_STRING)) {
		diag_semantic_error(&one->loc, point->tok_desc,
				    "probe point mismatch: expected .callee(\"PATTERN\")");
		return -1;
	}
	if (many && many->arg && (many->arg->kind != N_NUMBER || many->arg->num < 1)) {
		diag_semantic_error(&many->loc, point->tok_desc,
				    "probe point mismatch: expected .callees(DEPTH), DEPTH >= 1");
		return -1;
	}
	if (one)
		w.pattern = one->arg->str;
	if (many && many->arg)
		w.depth = many->arg->num > 8 ? 8 : (int)many->arg->num;
	w.is_return = named(suffix, "return") != NULL;
	w.is_call = named(suffix, "call") != NULL;
	int n = dw_find_functions(dw, spec, DW_FIND_CALL, &funcs, &err);
	if (n < 0) {
		diag_semantic_error(&point->loc, point->tok_desc, "%s", err ? err : "bad function");
		return -1;
	}
	for (int i = 0; i < n; i++)
		if (funcs[i].has_code && !funcs[i].is_init)
			walk_callees(&w, funcs[i].die, 1);
	return w.added ? 0 : -1;
}

/* ---- target variables: the DWARF family's, except at return sites ---- */

static int return_site_ok(const struct node *n)
{
	if (n->kind == N_UNARY && n->op == OP_ADDR)
		n = n->operand;
	if (n->kind == N_CAST || (n->kind == N_TARGET && (n->flags & TF_AT_VAR)))
		return 1;
	return n->kind == N_TARGET && (!strcmp(n->name, "$return") || !strcmp(n->name, "$$return"));
}

static int refuse(const struct probe_info *pi, const struct node *n)
{
	const struct callee_data *cd = pi->family_data;

	if (!cd->at_return || return_site_ok(n))
		return 0;
	diag_semantic_error(&n->loc, n->tok_desc, "only $return, @cast and @var are available in "
			    "a .callee(...).return probe (it runs where the call returns)");
	return 1;
}

static enum stap_type target_type(struct session *s, const struct probe_info *pi, struct node *n)
{
	return refuse(pi, n) ? T_UNKNOWN : dwarf_target_type(s, pi, n);
}

static const char *gen_target(struct gen *g, const struct probe_info *pi, struct node *n)
{
	return refuse(pi, n) ? NULL : dwarf_gen_target(g, pi, n);
}

/* -L: a return site has only $return. */
static void list_vars(struct session *s, const struct probe_info *pi, FILE *out)
{
	const struct callee_data *cd = pi->family_data;
	struct dw_target t = { .base = "return", .scope_die = cd->kd.scope_die,
			       .pc = cd->kd.var_pc };
	struct dw_expr e;
	char *err = NULL;

	if (!cd->at_return)
		dwarf_list_vars(s, pi, out);
	else if (dw_target_expr(cd->kd.dw, &t, &e, &err) == 0)
		fprintf(out, " $return:%s", e.type);
}

/* ---- code ---- */

static int count(const struct program *p)
{
	int n = 0;

	for (const struct probe_info *pi = p->probes; pi; pi = pi->next)
		n += pi->family == &callee_family;
	return n;
}

/* The handler wrapper: runs probe_N only when the call comes from the caller. */
static void emit_check(struct emitter *e, const struct probe_info *pi)
{
	const struct callee_data *cd = pi->family_data;
	unsigned long long printk = cd->printk;

	emit(e, "static void stp_callee_%d(struct stp_context *base)", pi->index);
	emit(e, "{");
	emit(e, "#ifndef STAP_CALLEE_MATCHALL");
	emit(e, "unsigned long ret, delta = %s;",
	     printk ? A("(unsigned long)&_printk - 0x%llxUL", printk) : "0");
	emit(e, "if (!base->regs || copy_from_kernel_nofault(&ret, (const void *)base->regs->sp, sizeof(ret)))");
	emit(e, "\treturn;");
	for (int i = 0; i < cd->nret; i++)
		emit(e, "%s(ret != 0x%llxUL + delta)%s", i ? "    " : "if (", cd->rets[i],
		     i + 1 < cd->nret ? " &&" : ")");
	emit(e, "\treturn;");
	emit(e, "#endif");
	emit(e, "probe_%d(base);", pi->index);
	emit(e, "}");
	emit(e, "static const struct stp_probe stp_callee_probe_%d = { .pp = %s, .handler = stp_callee_%d };",
	     pi->index, c_string_literal(pi->pp, strlen(pi->pp)), pi->index);
}

static void emit_decls(struct emitter *e, struct program *p)
{
	emit(e, "#include \"linux/stp_kprobes.h\"");
	for (struct probe_info *pi = p->probes; pi; pi = pi->next) {
		const struct callee_data *cd = pi->family_data;

		if (pi->family != &callee_family || !cd->nret)
			continue;
		emit_check(e, pi);
	}
	emit(e, "static struct stp_kprobe stp_callee_kprobes[] = {");
	for (struct probe_info *pi = p->probes; pi; pi = pi->next) {
		const struct callee_data *cd = pi->family_data;

		if (pi->family != &callee_family)
			continue;
		emit(e, "{ .probe = &%s_%d, .symbol = %s, .offset = 0x%llxUL },",
		     cd->nret ? "stp_callee_probe" : "stp_probe", pi->index,
		     c_string_literal(cd->kd.symbol, strlen(cd->kd.symbol)), cd->kd.offset);
	}
	emit(e, "};");
}

static void emit_start(struct emitter *e, struct program *p, const char *fail_label)
{
	emit(e, "rc = stp_kprobes_register(stp_callee_kprobes, %d);", count(p));
	emit(e, "if (rc)");
	emit(e, "\tgoto %s;", fail_label);
}

static void emit_stop(struct emitter *e, struct program *p)
{
	emit(e, "stp_kprobes_unregister(stp_callee_kprobes, %d);", count(p));
}

static int match(const struct node *point)
{
	return 0;                       /* resolved through kernel.function (dwarf.c) */
}

const struct probe_family callee_family = {
	.name = "kernel.function.callee",
	.match = match,
	.emit_decls = emit_decls,
	.emit_start = emit_start,
	.emit_stop = emit_stop,
	.gen_target = gen_target,
	.target_type = target_type,
	.list_vars = list_vars,
	.order = 21,
};
