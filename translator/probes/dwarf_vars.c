/* dwarf_vars.c - target expressions of DWARF probes that stand for many values, or for a
 * global variable:
 *
 *   $$vars $$parms $$locals    "name=0x... name=? ..." for the variables in scope at the
 *                              probe address (parameters first, as DWARF lists them)
 *   $$return                   "return=0x..." in .return probes ("" for void functions)
 *   ...$ / ...$$               the same with every value pretty-printed ($var$ style)
 *   $var$ $var->a$ $var$$      one expression pretty-printed ("{.a=1, .b=0x...}")
 *   @cast(p, "T")$             a cast pretty-printed
 *   @var("name[@file]")        a variable: in a DWARF probe a parameter or local of that
 *                              name first, then a global of the kernel - in the unit of
 *                              the probe, then anywhere (@file: only in the compilation
 *                              unit whose path ends with file)
 *
 * The DWARF layer makes the plans (dwarf_pretty.h) and reads the values; this file turns
 * them into C that appends to one string (runtime/pretty.c). A pretty-printed value whose
 * reads fault prints "ERROR" (as SystemTap's try/catch around each one does) instead of
 * ending the hit. The DWARF layer moves globals' link-time addresses by the kernel's KASLR
 * offset (dw_kernel_addr); a global only declared in DWARF is found in the symbol table and
 * moved the same way. In .return probes the kprobe family takes $$parms, $$vars, $$locals
 * and $var$ at the entry (kprobe_entry.c), $$return at the return.
 */
#include "dwarf_vars.h"
#include "../arena.h"
#include "../symbols.h"
#include "../translate.h"

#include <stdlib.h>
#include <string.h>

#define A(...) arena_printf(g_arena, __VA_ARGS__)

/* ---- C for plans ---- */

struct ppbuild {
	struct gen *g;
	const char *dst;                /* the frame's temporary */
	const char *code;
};

struct ppbuild *dwvars_begin(struct gen *g)
{
	struct ppbuild *b = NEW(struct ppbuild);

	b->g = g;
	b->dst = gen_temp(g, T_STRING);
	b->code = "";
	return b;
}

void dwvars_text(struct ppbuild *b, const char *text)
{
	if (*text)
		b->code = A("%sstp_strcat(__d, %s); ", b->code, c_string_literal(text, strlen(text)));
}

void dwvars_plan(struct ppbuild *b, const struct dw_pp *p, int catch_faults)
{
	const char *s = "";

	for (int i = 0; i < p->n; i++) {
		const struct dw_pp_item *it = &p->items[i];

		if (it->kind == DW_PP_TEXT)
			s = A("%sstp_strcat(__d, %s); ", s, c_string_literal(it->text, strlen(it->text)));
		else
			s = A("%sstp_pp_value(__d, %d, (int64_t)(%s), %d); ", s, (int)it->kind,
			      it->c_expr, it->maxlen);
	}
	if (!catch_faults || !p->reads) {
		b->code = A("%s%s", b->code, s);
		return;
	}
	/* A fault inside jumps to this block's own `out` (GNU __label__), where the error is
	 * cleared and the value replaced by "ERROR". */
	b->code = A("%s{ __label__ out; size_t __m = strlen(__d); int __ok = 0; %s__ok = 1; "
		    "out: __attribute__((unused)); if (!__ok) { __d[__m] = '\\0'; "
		    "c->base.last_error = NULL; c->base.error_location = NULL; "
		    "stp_strcat(__d, \"ERROR\"); } } ", b->code, s);
}

const char *dwvars_end(struct ppbuild *b)
{
	return A("({ extern void stp_pp_value(char *, int, int64_t, long); char *__d = %s; "
		 "__d[0] = '\\0'; %s(const char *)__d; })", b->dst, b->code);
}

/* ---- results and errors ---- */

struct vres {
	enum stap_type type;
	const char *c;                  /* C text (pass 3) */
	const char *err;
	const struct srcloc *err_loc;   /* where, if not at the node */
	const char *err_what;
};

static int is_pretty(const struct node *n)
{
	return (n->flags & (TF_PRETTY | TF_PRETTY_DEEP)) != 0;
}

static int is_many(const struct node *n)
{
	return n->kind == N_TARGET && !(n->flags & TF_AT_VAR) && n->name[0] == '$' &&
	       n->name[1] == '$';
}

int dwvars_claims(const struct node *n)
{
	if (n->kind == N_UNARY && n->op == OP_ADDR)
		n = n->operand;
	if (n->kind == N_CAST)
		return is_pretty(n);
	return n->kind == N_TARGET && (is_pretty(n) || is_many(n) || (n->flags & TF_AT_VAR));
}

/* An error naming a member goes to that member's '->' (as SystemTap does). */
static void set_err(struct vres *r, const struct node *n, const char *err)
{
	r->type = T_UNKNOWN;
	r->err = err ? err : "cannot resolve this target expression";
	for (const struct target_comp *c = n->comps; c && err; c = c->next)
		if (c->name && c->loc.line && strstr(err, A("member '%s'", c->name))) {
			r->err_loc = &c->loc;
			r->err_what = c->kind == C_DOT ? "operator '.'" : "operator '->'";
		}
}

/* ---- one expression ---- */

/* The value of t as a number (a char array or pointer too: its address, as SystemTap). */
static void one_value(struct gen *g, struct dw_ctx *dw, const struct dw_target *t,
		      struct node *n, struct vres *r)
{
	struct dw_expr e;
	char *err = NULL;

	if (dw_target_expr(dw, t, &e, &err) != 0) {
		set_err(r, n, err);
		return;
	}
	r->type = T_LONG;
	if (g)
		r->c = A("((int64_t)(%s))", e.c_expr);
}

/* The pretty form of t, as one string. */
static void one_pretty(struct gen *g, struct dw_ctx *dw, const struct dw_target *t,
		       struct node *n, struct vres *r)
{
	struct dw_pp p = { 0 };
	char *err = NULL;

	if (dw_pretty(dw, t, (n->flags & TF_PRETTY_DEEP) != 0, &p, &err) != 0) {
		set_err(r, n, err);
		return;
	}
	r->type = T_STRING;
	if (!g)
		return;
	struct ppbuild *b = dwvars_begin(g);
	dwvars_plan(b, &p, 1);
	r->c = dwvars_end(b);
}

static void fill_comps(struct gen *g, struct node *n, struct dw_target *t)
{
	int nc;

	t->comps = dwarf_target_comps(g, n, &nc);
	t->ncomps = nc;
	t->location = g ? gen_location(n) : NULL;
}

/* ---- @var ---- */

/* Whether NAME is a parameter or local at the probe (then @var("NAME") is $NAME). */
static int is_local(const struct kprobe_data *d, const char *name)
{
	struct dw_var *vars;
	int n;

	if (!d || !d->dw || !d->scope_die)
		return 0;
	n = dw_list_vars(d->dw, d->scope_die, d->var_pc, &vars);
	for (int i = 0; i < n; i++)
		if (!strcmp(vars[i].name, name))
			return 1;
	return 0;
}

/* Fills t for @var("name[@file]"). Returns 0, or -1 with r->err. */
static int atvar_target(struct session *s, struct dw_ctx *dw, const struct kprobe_data *d,
			struct node *n, struct dw_target *t, struct vres *r)
{
	const char *at = strchr(n->name, '@');
	const char *name = at ? A("%.*s", (int)(at - n->name), n->name) : n->name;
	const char *file = at ? at + 1 : NULL;
	struct dw_global gl;
	char *err = NULL;

	if (n->module && strcmp(n->module, "kernel") != 0) {
		set_err(r, n, A("unsupported: @var in module '%s' (only the kernel's globals)",
				n->module));
		return -1;
	}
	if (!*name || (file && !*file)) {
		set_err(r, n, A("invalid @var argument \"%s\": expected \"name\" or \"name@file\"",
				n->name));
		return -1;
	}
	if (!file && is_local(d, name)) {
		t->base = name;
		t->scope_die = d->scope_die;
		t->pc = d->var_pc;
		return 0;
	}
	if (dw_find_global(dw, name, file, d ? d->scope_die : 0, &gl, &err) != 0) {
		set_err(r, n, err);
		return -1;
	}
	if (!gl.decl_only) {
		t->base = name;
		t->scope_die = gl.scope_die;
		t->pc = d ? d->var_pc : 0;
		return 0;
	}
	/* Only declared (e.g. jiffies, an alias the linker script makes): the symbol table
	 * has the address, the declaration the type. */
	struct sym_table *tab = kernel_symbols(s);
	const struct ksym *sym = tab ? sym_lookup(tab, name) : NULL;
	if (!sym || !gl.type_name) {
		set_err(r, n, sym ? A("unsupported type of global '%s' (declared only)", name)
				  : A("unable to find global '%s' in kernel", name));
		return -1;
	}
	t->cast_type = gl.type_name;
	t->cast_addr = dw_kernel_addr(dw, sym->addr);
	return 0;
}

/* ---- $$vars, $$parms, $$locals, $$return ---- */

static const char *many_kind(const struct node *n)
{
	const char *w = n->name + 2;

	if (!strcmp(w, "vars") || !strcmp(w, "parms") || !strcmp(w, "locals") ||
	    !strcmp(w, "return"))
		return w;
	return NULL;
}

static int wanted(const char *kind, const struct dw_var *v)
{
	if (!strcmp(kind, "parms"))
		return v->is_param;
	if (!strcmp(kind, "locals"))
		return !v->is_param;
	return 1;
}

/* The variables of $$KIND at the probe, without repeated names. */
static int scope_vars(const struct kprobe_data *d, const char *kind, struct dw_var **out)
{
	struct dw_var *v;
	int n = dw_list_vars(d->dw, d->scope_die, d->var_pc, &v), k = 0;
	struct dw_var *keep = arena_alloc(g_arena, (size_t)(n + 1) * sizeof(*keep));

	for (int i = 0; i < n; i++) {
		int dup = 0;

		for (int j = 0; j < k && !dup; j++)
			dup = !strcmp(keep[j].name, v[i].name);
		if (!dup && wanted(kind, &v[i]))
			keep[k++] = v[i];
	}
	*out = keep;
	return k;
}

static void many(struct session *s, struct gen *g, const struct probe_info *pi, struct node *n,
		 struct vres *r)
{
	const struct kprobe_data *d = pi->family_data;
	const char *kind = many_kind(n);
	struct dw_target t = { .scope_die = d->scope_die, .pc = d->var_pc };

	if (n->comps) {
		const struct target_comp *c = n->comps;

		r->err = A("dwarf variable '%s' may not be used as %s", n->name,
			   c->kind == C_INDEX ? "an array" : "a structure");
		r->err_loc = &c->loc;
		r->err_what = c->kind == C_INDEX ? "operator '['" : c->kind == C_DOT ? "operator '.'"
										   : "operator '->'";
		return;
	}
	if (!kind || (!strcmp(kind, "return") && !d->is_return)) {
		/* the DWARF layer words it: unable to find local '$foo', ... */
		struct dw_expr e;
		char *err = NULL;

		t.base = n->name + 1;
		dw_target_expr(d->dw, &t, &e, &err);
		set_err(r, n, err);
		return;
	}
	r->type = T_STRING;
	struct ppbuild *b = g ? dwvars_begin(g) : NULL;
	if (!strcmp(kind, "return")) {
		if (!dw_scope_returns_value(d->dw, d->scope_die)) {
			if (g)
				r->c = "((const char *)\"\")";
			return;
		}
		t.base = "return";
		struct dw_pp p = { 0 };
		char *err = NULL;
		dw_pp_text(d->dw, &p, "return=");
		if (!is_pretty(n))
			dw_pretty_plain(d->dw, &t, &p);
		else if (dw_pretty(d->dw, &t, (n->flags & TF_PRETTY_DEEP) != 0, &p, &err) != 0) {
			set_err(r, n, err);
			return;
		}
		if (g) {
			dwvars_plan(b, &p, is_pretty(n));
			r->c = dwvars_end(b);
		}
		return;
	}
	/* In a .return probe the kprobe family evaluates this whole string at the entry
	 * (kprobe_entry.c), where the variables are read here. */
	struct dw_var *vars;
	int nv = scope_vars(d, kind, &vars);
	if (!g)
		return;
	for (int i = 0; i < nv; i++) {
		struct dw_pp p = { 0 };
		char *err = NULL;

		t.base = vars[i].name;
		dw_pp_text(d->dw, &p, A("%s%s=", i ? " " : "", vars[i].name));
		if (!is_pretty(n))
			dw_pretty_plain(d->dw, &t, &p);
		else if (dw_pretty(d->dw, &t, (n->flags & TF_PRETTY_DEEP) != 0, &p, &err) != 0)
			dw_pp_text(d->dw, &p, "?");
		dwvars_plan(b, &p, is_pretty(n));
	}
	r->c = dwvars_end(b);
}

/* ---- dispatch ---- */

extern const struct probe_family callee_family;

/* The probe's kprobe_data when it has a DWARF scope (or is the @cast context). The
 * callee family's data starts with one. */
static const struct kprobe_data *dwarf_data(const struct probe_info *pi)
{
	if (!pi || !pi->family_data ||
	    (pi->family && pi->family != &kprobe_family && pi->family != &callee_family))
		return NULL;
	return pi->family_data;
}

/* store: guru mode's value to write into an @var (dwarf.h), or NULL to read. */
static void translate(struct session *s, struct gen *g, const struct probe_info *pi,
		      struct node *n, const char *store, struct vres *r)
{
	const struct kprobe_data *d = dwarf_data(pi);
	struct dw_target t = { 0 };
	struct dw_ctx *dw = d && d->dw ? d->dw : kernel_dwarf(s, n);

	memset(r, 0, sizeof(*r));
	r->type = T_UNKNOWN;
	if (n->kind == N_UNARY) {
		n = n->operand;
		if (is_pretty(n) || is_many(n)) {
			r->err = "cannot take address of pretty-printed variable";
			return;
		}
		t.addr_of = 1;
	}
	if (!dw) {
		r->err = "target variables need the kernel's debuginfo";
		return;
	}
	if (is_many(n)) {
		if (!d || !d->dw || !d->scope_die) {
			r->err = "unresolved target-symbol expression";
			return;
		}
		many(s, g, pi, n, r);
		return;
	}
	if (n->kind == N_CAST) {
		t.cast_type = n->str;
		t.cast_addr = g ? A("((int64_t)%s)", gen_long(g, n->operand)) : "0";
	} else if (n->flags & TF_AT_VAR) {
		if (atvar_target(s, dw, d, n, &t, r) != 0)
			return;
	} else {
		if (!d || !d->dw || !d->scope_die) {
			r->err = "unresolved target-symbol expression";
			return;
		}
		t.base = n->name + 1;
		t.scope_die = d->scope_die;
		t.pc = d->var_pc;
	}
	fill_comps(g, n, &t);
	t.store = store;
	if (is_pretty(n))
		one_pretty(g, dw, &t, n, r);
	else
		one_value(g, dw, &t, n, r);
}

static void report(const struct node *n, const struct vres *r)
{
	const struct node *at = n->kind == N_UNARY ? n->operand : n;

	if (r->err_loc)
		diag_semantic_error(r->err_loc, r->err_what ? r->err_what : at->tok_desc, "%s", r->err);
	else
		diag_semantic_error(&at->loc, at->tok_desc, "%s", r->err);
}

enum stap_type dwvars_target_type(struct session *s, const struct probe_info *pi, struct node *n)
{
	struct vres r;

	translate(s, NULL, pi, n, NULL, &r);
	if (r.err)
		report(n, &r);
	return r.err ? T_UNKNOWN : r.type;
}

const char *dwvars_gen_target(struct gen *g, const struct probe_info *pi, struct node *n)
{
	struct vres r;

	translate(g->s, g, pi, n, NULL, &r);
	if (r.err) {
		report(n, &r);
		return NULL;
	}
	return r.c;
}

const char *dwvars_gen_target_store(struct gen *g, const struct probe_info *pi, struct node *n,
				    const char *value)
{
	struct vres r;

	translate(g->s, g, pi, n, value, &r);
	if (r.err) {
		report(n, &r);
		return NULL;
	}
	return r.c;
}

/* ---- -L ---- */

/* The variables -L shows for one probe: at a function's entry its own readable ones; at
 * a statement or label those of every scope there, innermost first (as stap -L). */
static int probe_vars(const struct probe_info *pi, const struct kprobe_data *d,
		      struct dw_var **out)
{
	struct dw_var *v;

	if (strstr(pi->pp, ".statement(") || strstr(pi->pp, ".label("))
		return dw_vars_at(d->dw, d->scope_die, d->var_pc, out);
	int n = dw_list_vars(d->dw, d->scope_die, d->var_pc, &v), k = 0;

	for (int i = 0; i < n; i++)
		if (v[i].accessible && v[i].block_depth == 0)
			v[k++] = v[i];
	*out = v;
	return k;
}

void dwvars_list_vars(struct session *s, const struct probe_info *pi, FILE *out)
{
	const struct kprobe_data *d = pi->family_data;
	struct dw_var *vars;
	int n;

	if (!d || !d->dw)
		return;
	if (d->is_return && dw_scope_returns_value(d->dw, d->scope_die)) {
		struct dw_target t = { .base = "return", .scope_die = d->scope_die, .pc = d->var_pc };
		struct dw_expr e;
		char *err = NULL;

		if (dw_target_expr(d->dw, &t, &e, &err) == 0)
			fprintf(out, " $return:%s", e.type);
	}
	n = probe_vars(pi, d, &vars);
	/* A point made of several probes (a function and its inlined copies) lists what all
	 * of them can read. */
	for (const struct probe_info *o = s->prog ? s->prog->probes : NULL; o; o = o->next) {
		const struct kprobe_data *od = o->family_data;
		struct dw_var *ov;
		int on, k = 0;

		if (o == pi || o->family != pi->family || strcmp(o->pp, pi->pp) || !od || !od->dw)
			continue;
		on = probe_vars(o, od, &ov);
		for (int i = 0; i < n; i++) {
			int found = 0;

			for (int j = 0; j < on && !found; j++)
				found = !strcmp(ov[j].name, vars[i].name);
			if (found)
				vars[k++] = vars[i];
		}
		n = k;
	}
	for (int i = 0; i < n; i++)
		fprintf(out, " $%s:%s", vars[i].name, vars[i].type);
}

/* ---- @var where the probe has no DWARF scope ---- */

static enum stap_type atvar_type(struct session *s, const struct probe_info *pi, struct node *n)
{
	return dwvars_target_type(s, NULL, n);
}

static const char *atvar_gen(struct gen *g, const struct probe_info *pi, struct node *n)
{
	return dwvars_gen_target(g, NULL, n);
}

static int atvar_match(const struct node *point)
{
	return 0;                       /* resolves no probe points */
}

const struct probe_family atvar_family = {
	.name = "@var",
	.match = atvar_match,
	.target_type = atvar_type,
	.gen_target = atvar_gen,
	.order = 100,
};
