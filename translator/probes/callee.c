/* callee.c - the functions a kernel function calls:
 *
 *   kernel.function(PATTERN).callee(CPATTERN)          each callee whose name matches
 *   kernel.function(PATTERN).callee(CPATTERN).call     ... only those really called
 *   kernel.function(PATTERN).callee(CPATTERN).return   ... their returns
 *   kernel.function(PATTERN).callees[(DEPTH)]          .callee("*"), and DEPTH levels of
 *                                                      the callees' callees
 *   module(M).function(PATTERN).callee(s)...           the same in a module
 *
 * The callees come from the caller's DWARF (dwarf_calls.h): code inlined into it, probed
 * where the copy starts, and direct calls, probed at the callee's entry. A probe runs only
 * for hits that come from the caller through the chain of calls it was placed for (unless
 * the module is built with -DSTAP_CALLEE_MATCHALL): the return addresses on the stack are
 * checked frame by frame up to the caller (runtime/linux/stp_callee.h). At a call's entry
 * the innermost one is at the stack pointer; the next frames are found with the call frame
 * information (how far above each call site its function's own return address is). Code
 * inlined into the caller itself needs no check; a function's calls reached through
 * several chains get one probe per chain. A .return probe of a call is a kprobe at the
 * return address in the caller; it can read $return (and globals, @cast) but not the
 * callee's parameters.
 *
 * pp() is the callee's own kernel.function("NAME@FILE:LINE"). Return addresses are
 * link-time addresses, compared at run time with what the probe's own address moved by
 * (KASLR, or where a module was loaded): for a module only within the probe's section.
 */
#include "kernel_addr.h"
#include "../arena.h"
#include "../dwarf_calls.h"
#include "../translate.h"

#include <fnmatch.h>
#include <string.h>

#define A(...) arena_printf(g_arena, __VA_ARGS__)
#define MAXCALLEE_PROBES 2000

extern const struct probe_family callee_family;

/* How to go one frame up at an address (struct stp_callee_rule); !ok: no CFI there. */
struct rule {
	int ok;
	struct dw_frame_rule r;
};

/* One frame of a chain, innermost first: the return addresses into the code that calls
 * the frame's function, and for each the rule of that code at the call. */
struct level {
	int n;
	unsigned long long *rets;
	struct rule *caller;
	const struct level *up;         /* the calling code's own frame; NULL: the root */
};

struct callee_data {
	struct kprobe_data kd;          /* first: the DWARF hooks read the scope from it */
	unsigned long long pc;          /* link-time address of the probe */
	struct rule start;              /* the probed code's frame at pc */
	const struct level *chk;        /* the frames to check (NULL: none) */
	int levels;                     /* how many of them */
	int at_return;                  /* a .return: kprobe at the return address */
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

/* How many frames of the chain can be checked: all of them, except in a module from the
 * first return address outside the probe's section (sections are placed apart). */
static int checkable(struct dw_ctx *dw, unsigned long long pc, const struct level *l)
{
	const char *sec = dw_is_relocatable(dw) ? dw_addr_section(dw, pc, NULL) : NULL;
	int k = 0;

	for (; l; l = l->up, k++)
		for (int i = 0; sec && i < l->n; i++) {
			const char *rs = dw_addr_section(dw, l->rets[i], NULL);

			if (!rs || strcmp(rs, sec))
				return k;
		}
	return k;
}

/* SPEC: "NAME@FILE:LINE" of the callee; SUFFIX: "", ".call" or ".return". */
static void add_probe(struct walk *w, struct callee_data *cd, unsigned long long pc,
		      const char *name, const char *spec, const char *suffix)
{
	int placed;

	if (w->added >= MAXCALLEE_PROBES || kprobe_blacklisted(w->s, w->point, w->dw, pc, name))
		return;
	placed = dw_is_relocatable(w->dw) ? dwarf_module_place(w->dw, pc, &cd->kd, w->point)
					  : kaddr_place(w->s, pc, &cd->kd, w->point);
	if (placed != 0)
		return;
	cd->kd.dw = w->dw;
	cd->pc = pc;
	cd->levels = cd->start.ok ? checkable(w->dw, pc, cd->chk) : 0;
	w->proto->family = &callee_family;
	w->add(w->proto, A("%s.function(\"%s\")%s", dwarf_pp_head(w->dw), spec, suffix), cd, 0);
	w->added++;
}

static struct rule rule_at(struct walk *w, unsigned long long pc)
{
	struct rule r;

	r.ok = dw_frame_rule(w->dw, pc, &r.r) == 0;
	return r;
}

/* A probe at a function's entry: the return address is at the stack pointer. */
static void at_entry(struct callee_data *cd, const struct level *frame)
{
	cd->start = (struct rule){ .ok = 1, .r = { .cfa_reg = 7, .cfa_off = 8 } };
	cd->chk = frame;
}

/* A probe inside the code of a frame (an inlined copy, a return site). */
static void mid_frame(struct walk *w, struct callee_data *cd, unsigned long long pc,
		      const struct level *frame)
{
	if (frame) {
		cd->start = rule_at(w, pc);
		cd->chk = frame;
	}
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

static void walk_callees(struct walk *w, uint64_t die, const struct level *frame, int level);

static void inlined_callee(struct walk *w, const struct dw_callee *c, const struct level *frame,
			   int level)
{
	if (!w->is_return && !w->is_call) {
		struct callee_data *cd = NEW(struct callee_data);

		cd->kd.scope_die = c->die;
		cd->kd.var_pc = c->pc;
		mid_frame(w, cd, c->pc, frame);
		add_probe(w, cd, c->pc, c->name,
			  A("%s@%s:%d", c->name, c->file ? c->file : "", c->line), "");
	}
	if (level < w->depth)
		walk_callees(w, c->die, frame, level + 1);
}

/* The frame of a function called from the sites CS (in code whose frame is FRAME). */
static const struct level *call_level(struct walk *w, const struct dw_callee *cs, int ncs,
				      const struct level *frame)
{
	struct level *l = NEW(struct level);

	l->n = ncs;
	l->up = frame;
	l->rets = arena_alloc(g_arena, (size_t)ncs * sizeof(*l->rets));
	l->caller = arena_alloc(g_arena, (size_t)ncs * sizeof(*l->caller));
	for (int i = 0; i < ncs; i++) {
		l->rets[i] = cs[i].pc;
		/* the call instruction ends at the return address (only needed further up) */
		if (frame)
			l->caller[i] = rule_at(w, cs[i].pc - 1);
	}
	return l;
}

/* Calls of one function from the caller: every call site of it at once. */
static void called(struct walk *w, const struct dw_callee *cs, int ncs,
		   const struct level *frame, int level)
{
	const struct dw_func *f = definition(w, &cs[0]);

	if (!f)
		return;
	const char *spec = A("%s@%s:%d", f->name, f->file, f->line);
	const struct level *own = call_level(w, cs, ncs, frame);
	if (w->is_return) {
		if (!f->has_return)
			return;
		for (int i = 0; i < ncs; i++) {
			struct callee_data *cd = NEW(struct callee_data);

			cd->kd.scope_die = f->die;
			cd->kd.var_pc = f->prologue_pc;
			cd->kd.is_return = 1;
			cd->at_return = 1;
			mid_frame(w, cd, cs[i].pc, frame);
			add_probe(w, cd, cs[i].pc, f->name, spec, ".return");
		}
	} else {
		struct callee_data *cd = NEW(struct callee_data);

		cd->kd.scope_die = f->die;
		cd->kd.var_pc = f->prologue_pc;
		at_entry(cd, own);
		add_probe(w, cd, f->entry_pc, f->name, spec, w->is_call ? ".call" : "");
	}
	if (level < w->depth)
		walk_callees(w, f->die, own, level + 1);
}

static void walk_callees(struct walk *w, uint64_t die, const struct level *frame, int level)
{
	struct dw_callee *cs;
	int n = dw_callees(w->dw, die, &cs);
	char *done = arena_alloc(g_arena, (size_t)n + 1);

	for (int i = 0; i < n && w->added < MAXCALLEE_PROBES; i++) {
		if (done[i] || fnmatch(w->pattern, cs[i].name, 0) != 0)
			continue;
		if (cs[i].inlined) {
			inlined_callee(w, &cs[i], frame, level);
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
		called(w, same, k, frame, level);
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
			walk_callees(&w, funcs[i].die, NULL, 1);
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

static const char *rule_c(const struct rule *r)
{
	if (!r->ok)
		return "{ STP_CFA_NONE, 0, 0 }";
	return A("{ %s, %lldL, %s }", r->r.cfa_reg == 7 ? "STP_CFA_SP" : "STP_CFA_BP",
		 (long long)r->r.cfa_off,
		 r->r.bp_saved ? A("%lldL", (long long)r->r.bp_off) : "STP_CALLEE_BP_SAME");
}

/* The handler wrapper: runs probe_N only when the hit comes through its chain of calls. */
static void emit_check(struct emitter *e, const struct probe_info *pi)
{
	const struct callee_data *cd = pi->family_data;
	const struct level *l = cd->chk;
	const char *counts = "";
	int n = pi->index;

	emit(e, "static const struct stp_callee_ret stp_callee_rets_%d[] = {", n);
	for (int k = 0; k < cd->levels; k++, l = l->up) {
		counts = A("%s%s%d", counts, k ? ", " : "", l->n);
		for (int i = 0; i < l->n; i++)
			emit(e, "{ 0x%llxUL, %s },", l->rets[i],
			     k + 1 < cd->levels ? rule_c(&l->caller[i]) : "{ STP_CFA_NONE, 0, 0 }");
	}
	emit(e, "};");
	emit(e, "static const unsigned short stp_callee_counts_%d[] = { %s };", n, counts);
	emit(e, "static const struct stp_callee_rule stp_callee_start_%d = %s;", n,
	     rule_c(&cd->start));
	emit(e, "static void stp_callee_%d(struct stp_context *base)", n);
	emit(e, "{");
	emit(e, "#ifndef STAP_CALLEE_MATCHALL");
	emit(e, "if (!base->regs || !stp_callee_chain_ok(base->regs, 0x%llxUL, &stp_callee_start_%d, "
		"stp_callee_rets_%d, stp_callee_counts_%d, %d))", cd->pc, n, n, n, cd->levels);
	emit(e, "\treturn;");
	emit(e, "#endif");
	emit(e, "probe_%d(base);", n);
	emit(e, "}");
	emit(e, "static const struct stp_probe stp_callee_probe_%d = { %s, .handler = stp_callee_%d };",
	     n, probe_names_init(pi), n);
}

static void emit_decls(struct emitter *e, struct program *p)
{
	emit(e, "#include \"linux/stp_kprobes.h\"");
	emit(e, "#include \"linux/stp_callee.h\"");
	for (struct probe_info *pi = p->probes; pi; pi = pi->next) {
		const struct callee_data *cd = pi->family_data;

		if (pi->family != &callee_family || !cd->levels)
			continue;
		emit_check(e, pi);
	}
	emit(e, "static struct stp_kprobe stp_callee_kprobes[] = {");
	for (struct probe_info *pi = p->probes; pi; pi = pi->next) {
		const struct callee_data *cd = pi->family_data;

		if (pi->family != &callee_family)
			continue;
		emit(e, "{ .probe = &%s_%d, .symbol = %s, .offset = 0x%llxUL },",
		     cd->levels ? "stp_callee_probe" : "stp_probe", pi->index,
		     c_string_literal(cd->kd.symbol, strlen(cd->kd.symbol)), cd->kd.offset);
	}
	emit(e, "};");
}

static void emit_start(struct emitter *e, struct program *p, const char *fail_label)
{
	emit_register_array(e, p, &callee_family, "kprobes", "stp_callee_kprobes", fail_label);
}

static void emit_stop(struct emitter *e, struct program *p)
{
	emit_unregister_array(e, p, &callee_family, "kprobes", "stp_callee_kprobes");
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
