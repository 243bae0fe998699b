/* elaborate.c - pass 2: probe point derivation, resolution of symbols and functions, the
 * tapset library, @defined, privilege; see elaborate.h for the steps.
 *
 * Library files are parsed when first needed (tapset.h): a call to an unknown function,
 * an identifier that is no local, parameter or script global, a probe point that may be
 * an alias. Each parsed file's declarations join the program; `used` marks what the
 * script reaches.
 */
#define _GNU_SOURCE
#include "elaborate.h"
#include "arena.h"
#include "ast_walk.h"
#include "guru.h"
#include "parse.h"
#include "probes/probes.h"
#include "probes/kprobe.h"
#include "tapset.h"
#include "types.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define A(...) arena_printf(g_arena, __VA_ARGS__)

struct elab_options elab_opts;

struct elab_ctx {
	struct session *s;
	struct program *prog;
	struct tapset_lib *lib;
	struct symbol **locals;          /* the current body's locals */
	struct function_info *fn;        /* current function, or NULL in a probe */
	struct probe_info *probe;        /* current probe, or NULL in a function */
	int in_condition;                /* resolving a probe point condition */
	struct function_info **worklist;
	int nwork, capwork;
	int nglobals, nfunctions;
	const struct source_file **used_files;   /* files something was used from */
	int nused_files, capused_files;
	struct probe_info **probe_tail;
	int quiet;                       /* listing: derive without messages */
	int skip_aliases;                /* listing: the families only, at depth 0 */
	const struct node *alias_stack[64]; /* aliases being expanded, outermost first */
	int nalias_stack;
	int nuses;                       /* globals met so far (symbol.first_use) */
	const struct source_file *as_file; /* names resolve as if written there (the global
					      display probes: the user's private globals) */
	const char *pn;                  /* pn() of the probes being derived */
};

/* ---- small helpers of this pass (the shared ones are in elab_util.c) ---- */

/* Overwrites n with what (keeping n's place in its sibling list). */
static void replace_node(struct node *n, const struct node *what)
{
	struct node *next = n->next;
	struct node copy = *what;

	*n = copy;
	n->next = next;
}

static void make_empty_block(struct node *n)
{
	node_reset(n, N_BLOCK);
}

static const char *const keywords[] = {
	"probe", "global", "function", "private", "if", "else", "while", "for", "foreach", "in",
	"limit", "return", "delete", "break", "continue", "next", "try", "catch", "string",
	"long", NULL,
};

/* SystemTap's description of a probe point component's token. */
static const char *comp_desc(const struct pp_comp *c)
{
	for (int i = 0; keywords[i]; i++)
		if (!strcmp(keywords[i], c->name))
			return "keyword";
	return A("identifier '%s'", c->name);
}

static void note_used_file(struct elab_ctx *c, const struct source_file *f)
{
	if (!f)
		return;
	for (int i = 0; i < c->nused_files; i++)
		if (c->used_files[i] == f)
			return;
	if (c->nused_files == c->capused_files) {
		c->capused_files = c->capused_files ? c->capused_files * 2 : 16;
		const struct source_file **v = arena_alloc(g_arena, (size_t)c->capused_files * sizeof(*v));
		if (c->nused_files)
			memcpy(v, c->used_files, (size_t)c->nused_files * sizeof(*v));
		c->used_files = v;
	}
	c->used_files[c->nused_files++] = f;
}

/* ---- declarations ---- */

static struct symbol *add_symbol(struct symbol **list, const char *name, enum symbol_scope scope,
				 const struct node *decl)
{
	struct symbol *sym = NEW(struct symbol);
	int index = 0;

	sym->name = name;
	sym->scope = scope;
	sym->decl = decl;
	sym->file = decl ? decl->loc.file : NULL;
	while (*list) {
		index++;
		list = &(*list)->next;
	}
	sym->index = index;
	*list = sym;
	return sym;
}

static void declare_global(struct elab_ctx *c, struct node *d)
{
	struct symbol *g = add_symbol(&c->prog->globals, d->name, SYM_GLOBAL, d);

	c->nglobals++;
	g->is_array = d->is_array;
	g->is_tapset = d->loc.file && d->loc.file->is_tapset;
	if (d->init_value) {
		g->type = d->init_value->kind == N_STRING ? T_STRING : T_LONG;
		g->type_tok = d;
		g->written = 1;
	}
}

static void declare_function(struct elab_ctx *c, struct node *d)
{
	struct function_info *f = NEW(struct function_info);

	f->name = d->name;
	f->decl = d;
	f->ret_type = d->decl_type;
	f->is_embedded = d->body && d->body->kind == N_EMBED_STMT;
	f->flags = d->flags;
	f->is_tapset = d->loc.file && d->loc.file->is_tapset;
	f->first_overload = f;
	for (struct node *a = d->args; a; a = a->next) {
		struct symbol *ps = add_symbol(&f->params, a->name, SYM_PARAM, a);
		ps->type = a->decl_type;
		if (ps->type != T_UNKNOWN)
			ps->type_tok = a;
	}
	struct function_info **tail = &c->prog->functions;
	while (*tail)
		tail = &(*tail)->next;
	f->index = c->nfunctions++;
	*tail = f;
}

static void declare_alias(struct elab_ctx *c, struct node *d)
{
	struct alias_info *a = NEW(struct alias_info);

	a->name = pp_to_string(d->points);
	a->decl = d;
	for (const struct pp_comp *pc = d->points->pp; pc; pc = pc->next)
		a->ncomps++;
	struct alias_info **tail = &c->prog->aliases;
	while (*tail)
		tail = &(*tail)->next;
	*tail = a;
}

static void declare_file(struct elab_ctx *c, struct script *sc)
{
	for (struct node *d = sc->decls; d; d = d->next) {
		switch (d->kind) {
		case N_GLOBAL: declare_global(c, d); break;
		case N_FUNCTION: declare_function(c, d); break;
		case N_ALIAS: declare_alias(c, d); break;
		default: break;
		}
	}
}

static void on_library_file(struct script *sc, void *arg)
{
	declare_file(arg, sc);
}

/* ---- globals ---- */

static int visible(const struct node *decl, int private_flag, const struct source_file *from)
{
	return !(decl->flags & private_flag) || decl->loc.file == from;
}

static struct symbol *lookup_global_in(struct elab_ctx *c, const char *name,
				       const struct source_file *from, int tapset)
{
	for (struct symbol *g = c->prog->globals; g; g = g->next)
		if (g->is_tapset == tapset && !strcmp(g->name, name) &&
		    visible(g->decl, GF_PRIVATE, from))
			return g;
	return NULL;
}

/* The script's globals first, then the library's (parsing the files that define it). */
static struct symbol *find_global(struct elab_ctx *c, const char *name,
				  const struct source_file *from)
{
	struct symbol *g = lookup_global_in(c, name, from, 0);

	if (!g && from && from->is_tapset)
		g = lookup_global_in(c, name, from, 1);   /* the file's own (private) ones */
	if (!g) {
		tapset_require(c->lib, 'g', name);
		g = lookup_global_in(c, name, from, 1);
	}
	return g;
}

/* A global the code refers to: kept, and numbered in order of first reference. */
static void use_global(struct elab_ctx *c, struct symbol *g)
{
	g->used = 1;
	if (!g->first_use)
		g->first_use = ++c->nuses;
}

/* ---- functions ---- */

/* Every overload of the set is resolved and typed; the ones no `next` can reach are
 * dropped after type checking (optimize_after_types). */
static void use_function(struct elab_ctx *c, struct function_info *f)
{
	for (; f; f = f->next_overload) {
		if (f->used)
			continue;
		f->used = 1;
		if (c->nwork == c->capwork) {
			c->capwork = c->capwork ? c->capwork * 2 : 16;
			struct function_info **w = arena_alloc(g_arena, c->capwork * sizeof(*w));
			if (c->nwork)
				memcpy(w, c->worklist, c->nwork * sizeof(*w));
			c->worklist = w;
		}
		c->worklist[c->nwork++] = f;
	}
}

/* Functions named NAME visible from FROM: the script's if it defines any, else the
 * library's. Returns how many (in declaration order). */
static int find_functions(struct elab_ctx *c, const char *name, const struct source_file *from,
			  struct function_info ***out)
{
	int n = 0, cap = 8;
	struct function_info **v = arena_alloc(g_arena, cap * sizeof(*v));

	for (int pass = 0; pass < 2 && !n; pass++) {
		if (pass == 1)
			tapset_require(c->lib, 'f', name);
		for (struct function_info *f = c->prog->functions; f; f = f->next) {
			if (f->is_tapset != pass || strcmp(f->name, name) ||
			    !visible(f->decl, FF_PRIVATE, from))
				continue;
			if (n == cap) {
				struct function_info **w = arena_alloc(g_arena, 2 * cap * sizeof(*w));
				memcpy(w, v, cap * sizeof(*w));
				v = w;
				cap *= 2;
			}
			v[n++] = f;
		}
	}
	*out = v;
	return n;
}

static const char *function_suggestions(struct elab_ctx *c, const char *name)
{
	int nlib = 0, n = 0;
	const char *const *lib = tapset_names(c->lib, 'f', &nlib);
	const char **v = arena_alloc(g_arena, (size_t)(nlib + c->nfunctions + 1) * sizeof(*v));

	for (struct function_info *f = c->prog->functions; f; f = f->next)
		v[n++] = f->name;
	for (int i = 0; i < nlib; i++)
		v[n++] = lib[i];
	return similar_names(name, v, n);
}

static void resolve_call(struct elab_ctx *c, struct node *n)
{
	struct function_info **cands;
	int ncand = find_functions(c, n->name, n->loc.file, &cands);
	int nargs = node_list_len(n->args);

	if (c->in_condition) {
		diag_semantic_error(&n->loc, n->tok_desc,
				    "probe condition must not reference function");
		return;
	}
	if (!ncand) {
		diag_semantic_error(&n->loc, n->tok_desc, "unresolved function %s%s", n->name,
				    function_suggestions(c, n->name));
		return;
	}
	struct function_info *head = NULL, *prev = NULL;
	int index = 0;
	for (int i = 0; i < ncand; i++) {
		if (node_list_len(cands[i]->decl->args) != nargs)
			continue;
		if (!head)
			head = cands[i];
		else
			prev->next_overload = cands[i];
		cands[i]->first_overload = head;
		cands[i]->overload_index = index++;
		cands[i]->next_overload = NULL;
		prev = cands[i];
	}
	if (!head) {
		const struct node *d = cands[0]->decl;
		diag_semantic_error2(&n->loc, n->tok_desc, &d->loc, d->tok_desc,
				     "arity mismatch found (function '%s' takes %d args)", n->name,
				     node_list_len(d->args));
		return;
	}
	n->fn = head;
	use_function(c, head);
}

/* ---- identifiers and arrays in bodies ---- */

#define MAX_ARRAY_KEYS 9            /* runtime/map.h's STP_MAX_KEYS */

/* A global declared as an array (a[N], a%) used as a scalar, or one with too many keys. */
static void check_declared_arity(const struct symbol *sym, int arity, const struct node *where)
{
	const struct node *d = sym->decl;

	if (arity > MAX_ARRAY_KEYS)
		diag_semantic_error(&where->loc, where->tok_desc,
				    "too many array indexes (%d, at most %d)", arity, MAX_ARRAY_KEYS);
	if (arity == 0 && d->kind == N_GLOBAL && d->is_array)
		diag_semantic_error(&d->loc, d->tok_desc, "%s", d->array_size ? "inconsistent arity"
					    : "wrapping not supported for scalars");
}

static void note_arity(struct symbol *sym, int arity, const struct node *where)
{
	if (!sym || sym->scope != SYM_GLOBAL)
		return;
	if (!sym->arity_tok) {
		sym->arity_tok = where;
		sym->nkeys = arity;
		if (arity > 0)
			sym->is_array = 1;
		if (sym->decl)
			check_declared_arity(sym, arity, where);
		return;
	}
	if (sym->nkeys != arity) {
		diag_semantic_error(&where->loc, where->tok_desc, "inconsistent arity (%d vs %d)",
				    sym->nkeys, arity);
		diag_semantic_error(&sym->arity_tok->loc, sym->arity_tok->tok_desc,
				    "arity %d first inferred here", sym->nkeys);
	}
}

static const char *global_suggestions(struct elab_ctx *c, const char *name)
{
	int nlib = 0, n = 0;
	const char *const *lib = tapset_names(c->lib, 'g', &nlib);
	const char **v = arena_alloc(g_arena, (size_t)(nlib + c->nglobals + 1) * sizeof(*v));

	for (struct symbol *g = c->prog->globals; g; g = g->next)
		if (!(g->decl->flags & GF_PRIVATE))
			v[n++] = g->name;
	for (int i = 0; i < nlib; i++)
		v[n++] = lib[i];
	return similar_names(name, v, n);
}

static struct symbol *resolve_symbol(struct elab_ctx *c, struct node *n, int array_use)
{
	struct symbol *sym = NULL;

	if (!array_use && !c->in_condition) {
		if (c->fn)
			for (sym = c->fn->params; sym && strcmp(sym->name, n->name); sym = sym->next)
				;
		if (!sym && c->locals)
			for (sym = *c->locals; sym && strcmp(sym->name, n->name); sym = sym->next)
				;
	}
	if (array_use && !c->in_condition && c->locals) {
		/* A local already used as a scalar (SystemTap's message). */
		struct symbol *l = *c->locals;
		while (l && strcmp(l->name, n->name))
			l = l->next;
		if (l && l->decl) {
			diag_semantic_error(&n->loc, n->tok_desc, "inconsistent arity (0 vs %d)",
					    array_use);
			diag_semantic_error(&l->decl->loc, l->decl->tok_desc,
					    "arity 0 first inferred here");
			return NULL;
		}
	}
	if (!sym)
		sym = find_global(c, n->name, c->as_file ? c->as_file : n->loc.file);
	if (!sym) {
		if (c->in_condition) {
			diag_semantic_error(&n->loc, n->tok_desc,
					    "probe condition must not reference undeclared global%s",
					    global_suggestions(c, n->name));
			return NULL;
		}
		if (array_use) {
			diag_semantic_error(&n->loc, n->tok_desc,
					    "unresolved arity-%d global array %s, missing global declaration?%s",
					    array_use, n->name, global_suggestions(c, n->name));
			return NULL;
		}
		sym = add_symbol(c->locals, n->name, SYM_LOCAL, n);
	}
	if (sym->scope == SYM_GLOBAL)
		use_global(c, sym);
	n->sym = sym;
	return sym;
}

/* An array use: arr[k1, k2], [k1, k2] in arr, foreach ([k1, k2] in arr). */
static void resolve_array(struct elab_ctx *c, struct node *base, int nkeys)
{
	if (base->kind != N_SYMBOL)
		return;
	struct symbol *sym = resolve_symbol(c, base, nkeys ? nkeys : 1);
	if (sym)
		note_arity(sym, nkeys, base);
}

static void resolve_node(struct node *n, void *arg);

/* arr[k1, k2], where '*' keys are allowed (delete, foreach) or checked by the caller. */
static void resolve_slice(struct elab_ctx *c, struct node *n)
{
	resolve_array(c, n->base, node_list_len(n->args));
	for (struct node *k = n->args; k; k = k->next)
		resolve_node(k, c);
}

static int is_target(const struct node *n)
{
	return n && (n->kind == N_TARGET || n->kind == N_CAST || n->kind == N_AUTOCAST);
}

/* What an assignment (=, op=, <<<) may change: a variable, an array element, a target. */
static int is_lvalue(const struct node *n)
{
	return n->kind == N_SYMBOL || (n->kind == N_INDEX && n->base->kind == N_SYMBOL) ||
	       is_target(n);
}

static void resolve_children(struct elab_ctx *c, struct node *n)
{
	node_visit_children(n, resolve_node, c);
}

static void resolve_node(struct node *n, void *arg)
{
	struct elab_ctx *c = arg;

	switch (n->kind) {
	case N_SYMBOL: {
		struct symbol *sym = resolve_symbol(c, n, 0);
		if (sym && sym->scope == SYM_GLOBAL)
			note_arity(sym, 0, n);
		return;
	}
	case N_INDEX:
		if (n->base->kind == N_SYMBOL) {
			resolve_slice(c, n);
			for (struct node *k = n->args; k; k = k->next)
				if (k->kind == N_STAR) {
					diag_semantic_error(&n->base->loc, n->base->tok_desc,
							    "wildcard not allowed in array index");
					break;
				}
			return;
		}
		break;
	case N_IN:
		resolve_array(c, n->base, node_list_len(n->args));
		for (struct node *k = n->args; k; k = k->next)
			resolve_node(k, c);
		return;
	case N_FOREACH:
		if (n->base->kind == N_SYMBOL)
			resolve_array(c, n->base, node_list_len(n->args));
		else if (n->base->kind == N_INDEX)
			resolve_slice(c, n->base);     /* arr[*, k] */
		else
			resolve_node(n->base, c);      /* @hist_*() */
		if (n->base->kind == N_HIST && node_list_len(n->args) != 1)
			/* buckets have one number (SystemTap's message for more) */
			diag_semantic_error(&n->loc, n->tok_desc, "unresolved type ");
		for (struct node *k = n->args; k; k = k->next)
			resolve_node(k, c);
		if (n->value_var)
			resolve_node(n->value_var, c);
		if (n->limit)
			resolve_node(n->limit, c);
		if (n->body)
			resolve_node(n->body, c);
		return;
	case N_DELETE:
		if (n->operand->kind == N_SYMBOL) {
			struct node *v = n->operand;
			struct symbol *sym = NULL;
			if (c->fn)
				for (sym = c->fn->params; sym && strcmp(sym->name, v->name); sym = sym->next)
					;
			if (!sym)
				for (sym = *c->locals; sym && strcmp(sym->name, v->name); sym = sym->next)
					;
			if (!sym)
				sym = find_global(c, v->name, v->loc.file);
			if (!sym) {
				diag_semantic_error(&v->loc, v->tok_desc,
						    "unresolved array in delete statement%s",
						    global_suggestions(c, v->name));
				return;
			}
			v->sym = sym;
			if (sym->scope == SYM_GLOBAL)
				use_global(c, sym);
			return;
		}
		if (n->operand->kind == N_INDEX && n->operand->base->kind == N_SYMBOL) {
			resolve_slice(c, n->operand);  /* delete arr[k] or arr[*, k] */
			return;
		}
		break;
	case N_CALL:
		resolve_call(c, n);
		guru_check_call(c->s, n);
		break;
	case N_ASSIGN:
		if (!is_lvalue(n->lhs)) {
			const struct node *l = n->lhs->kind == N_INDEX ? n->lhs->base : n->lhs;
			diag_semantic_error2(&n->loc, n->tok_desc, &l->loc, l->tok_desc,
					     "Expecting lvalue for assignment");
			return;
		}
		guru_check_write(c->s, c->probe, n, n->lhs);
		break;
	case N_INCDEC:
		guru_check_write(c->s, c->probe, n, n->operand);
		break;
	case N_EMBED_EXPR:
		if (!c->s->guru && !(n->loc.file && n->loc.file->is_tapset))
			diag_semantic_error(&n->loc, n->tok_desc,
					    "embedded expression code in unprivileged script; need stap -g");
		break;
	case N_ATOP:
		if (!strcmp(n->name, "probewrite")) {
			struct node *v = n->args;
			struct symbol *g = v && v->kind == N_SYMBOL ?
					   find_global(c, v->name, v->loc.file) : NULL;
			if (!g) {
				diag_semantic_error(&n->loc, n->tok_desc, "unexpected @probewrite");
				return;
			}
			v->sym = g;
			use_global(c, g);
			return;
		}
		break;
	default:
		break;
	}
	resolve_children(c, n);
}

/* ---- @defined ---- */

enum { NF_FOLDED = 0x4000 };    /* N_NUMBER flag: a constant @defined left behind */

static int defined_value(struct elab_ctx *c, struct probe_info *pi, struct node *arg)
{
	const struct node *t = arg;

	if (t && t->kind == N_UNARY && t->op == OP_ADDR)
		t = t->operand;
	if (!t)
		return 0;
	if (!is_target(t) && !(t->kind == N_ATOP && !strcmp(t->name, "entry")))
		return 1;               /* a script expression is always defined */
	if (t->kind == N_CAST) {
		diag_speculate_begin();
		enum stap_type ty = dwarf_cast_type(c->s, pi, arg);
		int errors = diag_speculate_end();
		return !errors && ty != T_UNKNOWN;
	}
	const struct probe_family *f = pi ? pi->family : NULL;
	if ((!f || !f->target_type) && (t->flags & TF_AT_VAR))
		f = &atvar_family;      /* @var: the kernel's globals in any probe */
	if (!f || !f->target_type)
		return 0;
	diag_speculate_begin();
	enum stap_type ty = f->target_type(c->s, pi, arg);
	int errors = diag_speculate_end();
	return !errors && ty != T_UNKNOWN;
}

static int is_folded(const struct node *n)
{
	return n && n->kind == N_NUMBER && (n->flags & NF_FOLDED);
}

static void set_folded(struct node *n, int64_t v)
{
	node_reset(n, N_NUMBER);
	n->num = v;
	n->type = T_LONG;
	n->flags = NF_FOLDED;
}

struct fold_arg {
	struct elab_ctx *c;
	struct probe_info *pi;
};

/* Folds @defined(...) to 0/1 and drops the branches such constants rule out, even with
 * -u: the code they guard may not even resolve in this probe. */
static void fold_defined(struct node *n, void *arg)
{
	struct fold_arg *fa = arg;

	if (n->kind == N_ATOP && !strcmp(n->name, "defined")) {
		set_folded(n, defined_value(fa->c, fa->pi, n->args));
		return;
	}
	node_visit_children(n, fold_defined, arg);
	switch (n->kind) {
	case N_UNARY:
		if (n->op == OP_NOT && is_folded(n->operand))
			set_folded(n, !n->operand->num);
		break;
	case N_LOGICAL:
		if (is_folded(n->lhs)) {
			int64_t l = n->lhs->num != 0;
			if (n->op == OP_LAND ? !l : l)
				set_folded(n, l);
			else if (is_folded(n->rhs))
				set_folded(n, n->rhs->num != 0);
		} else if (is_folded(n->rhs) && n->op == OP_LAND && !n->rhs->num &&
			   !has_side_effects(n->lhs)) {
			set_folded(n, 0);
		}
		break;
	case N_TERNARY:
		if (is_folded(n->cond))
			replace_node(n, n->cond->num ? n->lhs : n->rhs);
		break;
	case N_IF:
		if (is_folded(n->cond)) {
			if (n->cond->num)
				replace_node(n, n->then_s);
			else if (n->else_s)
				replace_node(n, n->else_s);
			else
				make_empty_block(n);
		}
		break;
	default:
		break;
	}
}

/* ---- probe points ---- */

static struct elab_ctx *adding_ctx;   /* where families add probes */

static void add_probe(struct probe_info *proto, const char *pp, void *data, int priority)
{
	struct elab_ctx *c = adding_ctx;
	struct probe_info *pi = NEW(struct probe_info);

	*pi = *proto;
	pi->pp = pp;
	pi->family_data = data;
	pi->priority = priority;
	pi->index = c->prog->nprobes++;
	pi->next = NULL;
	*c->probe_tail = pi;
	c->probe_tail = &pi->next;
}

static void drop_probes_after(struct elab_ctx *c, int keep)
{
	struct probe_info **pp = &c->prog->probes;

	for (int i = 0; i < keep && *pp; i++)
		pp = &(*pp)->next;
	*pp = NULL;
	c->probe_tail = pp;
	c->prog->nprobes = keep;
}

static const struct probe_family *family_for(const struct node *point)
{
	for (int i = 0; probe_families[i]; i++)
		if (probe_families[i]->match(point))
			return probe_families[i];
	return NULL;
}

static int ncomps(const struct node *point)
{
	int n = 0;
	for (const struct pp_comp *c = point->pp; c; c = c->next)
		n++;
	return n;
}

static int has_wildcard(const struct node *point)
{
	for (const struct pp_comp *c = point->pp; c; c = c->next)
		if (strchr(c->name, '*'))
			return 1;
	return 0;
}

/* Does the point's first comps match the alias name "a.b.c"? Components with an
 * argument never match an alias component. */
static int alias_prefix_match(const struct node *point, const char *alias_name, int *len)
{
	const struct pp_comp *pc = point->pp;
	const char *s = alias_name;
	int k = 0;

	while (*s) {
		const char *dot = strchr(s, '.');
		size_t n = dot ? (size_t)(dot - s) : strlen(s);
		char comp[256];
		if (!pc || pc->arg || n >= sizeof(comp))
			return 0;
		memcpy(comp, s, n);
		comp[n] = '\0';
		if (!pp_glob(pc->name, comp))
			return 0;
		k++;
		pc = pc->next;
		s += n;
		if (*s == '.')
			s++;
	}
	*len = k;
	return 1;
}

static int compare_alias_names(const void *a, const void *b)
{
	const struct alias_info *x = *(const struct alias_info *const *)a;
	const struct alias_info *y = *(const struct alias_info *const *)b;
	int r = strcmp(x->name, y->name);
	if (r)
		return r;
	/* Same name: definition order. */
	return x->decl->loc.line - y->decl->loc.line;
}

/* The alias definitions that match the point with the longest name; sorted by name for
 * wildcard points. */
int elab_matching_aliases(struct elab_ctx *c, const struct node *point, struct alias_info ***out)
{
	int nlib, best = 0, n = 0, len;
	const char *const *names = tapset_names(c->lib, 'a', &nlib);

	for (int i = 0; i < nlib; i++)
		if (alias_prefix_match(point, names[i], &len))
			tapset_require(c->lib, 'a', names[i]);
	for (struct alias_info *a = c->prog->aliases; a; a = a->next)
		if (alias_prefix_match(point, a->name, &len) && len > best)
			best = len;
	if (!best)
		return 0;
	struct alias_info **v = NULL;
	int cap = 0;
	for (struct alias_info *a = c->prog->aliases; a; a = a->next) {
		if (!alias_prefix_match(point, a->name, &len) || len != best)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			struct alias_info **w = arena_alloc(g_arena, cap * sizeof(*w));
			if (n)
				memcpy(w, v, n * sizeof(*w));
			v = w;
		}
		v[n++] = a;
	}
	if (has_wildcard(point)) {
		/* stable by definition order within a name */
		for (int i = 1; i < n; i++)
			for (int j = i; j > 0 && compare_alias_names(&v[j - 1], &v[j]) > 0; j--) {
				struct alias_info *t = v[j];
				v[j] = v[j - 1];
				v[j - 1] = t;
			}
	}
	*out = v;
	return n;
}

static struct pp_comp *copy_comps(const struct pp_comp *c, const struct pp_comp *then)
{
	struct pp_comp *head = NULL, **tail = &head;

	for (; c; c = c->next) {
		*tail = NEW(struct pp_comp);
		**tail = *c;
		(*tail)->next = NULL;
		tail = &(*tail)->next;
	}
	for (; then; then = then->next) {
		*tail = NEW(struct pp_comp);
		**tail = *then;
		(*tail)->next = NULL;
		tail = &(*tail)->next;
	}
	return head;
}

static struct node *and_conditions(struct node *a, struct node *b)
{
	if (!a)
		return b;
	if (!b)
		return a;
	struct node *n = node_new(N_LOGICAL, &a->loc);
	n->op = OP_LAND;
	n->lhs = a;
	n->rhs = b;
	n->tok_desc = a->tok_desc;
	n->depth = (a->depth > b->depth ? a->depth : b->depth) + 1;
	return n;
}

/* An alias target with the use's suffix, optionality and condition. */
static struct node *expand_target(const struct node *target, const struct pp_comp *suffix,
				  const struct node *use)
{
	struct node *p = NEW(struct node);

	*p = *target;
	p->next = NULL;
	p->pp = copy_comps(target->pp, suffix);
	p->optional = target->optional || use->optional;
	p->sufficient = target->sufficient;
	p->cond = and_conditions(target->cond, use->cond);
	return p;
}

/* Probe types an unprivileged user may use (their first component). */
static int unprivileged_point(const struct node *point)
{
	static const char *const ok[] = { "begin", "end", "error", "never", "timer", "process", NULL };

	for (int i = 0; ok[i]; i++)
		if (!strcmp(point->pp->name, ok[i]))
			return strcmp(point->pp->name, "timer") || !point->pp->next ||
			       strcmp(point->pp->next->name, "profile");
	return 0;
}

static const char *privilege_name(int p)
{
	return p == PRIV_STAPUSR ? "stapusr" : p == PRIV_STAPSYS ? "stapsys" : "stapdev";
}

/* Built-in pattern components: "timer.ms(number)" -> names and argument kinds. */
struct pattern {
	int n;
	const char *names[12];
	char args[12];                  /* 0, 'n' number, 's' string */
};

static int parse_pattern(const char *text, struct pattern *p)
{
	p->n = 0;
	for (const char *s = text; *s && p->n < 12;) {
		size_t len = strcspn(s, ".(");
		p->names[p->n] = arena_strndup(g_arena, s, len);
		p->args[p->n] = 0;
		s += len;
		if (*s == '(') {
			p->args[p->n] = s[1] == 'n' ? 'n' : 's';
			s = strchr(s, ')');
			if (!s)
				return -1;
			s++;
		}
		p->n++;
		if (*s == '.')
			s++;
	}
	return 0;
}

static int arg_kind(const struct pp_comp *c)
{
	return !c->arg ? 0 : c->arg->kind == N_NUMBER ? 'n' : 's';
}

/* Names known at component level k after the point's first k components: for "similar:"
 * and for finding where a point stops matching. */
static int known_at_level(struct elab_ctx *c, const struct node *point, int k, const char ***out)
{
	int npat, nlib, n = 0;
	const char *const *pats = probe_type_patterns(&npat);
	const char *const *lib = tapset_names(c->lib, 'a', &nlib);
	int nal = 0;
	for (struct alias_info *a = c->prog->aliases; a; a = a->next)
		nal++;
	const char **v = arena_alloc(g_arena, (size_t)(npat + nlib + nal + 1) * sizeof(*v));

	for (int src = 0; src < 3; src++) {
		int count = src == 0 ? npat : src == 1 ? nlib : 0;
		struct alias_info *a = c->prog->aliases;
		for (int i = 0; src == 2 ? a != NULL : i < count; i++) {
			const char *text = src == 0 ? pats[i] : src == 1 ? lib[i] : a->name;
			if (src == 2)
				a = a->next;
			struct pattern p;
			if (parse_pattern(text, &p) != 0 || p.n <= k)
				continue;
			const struct pp_comp *pc = point->pp;
			int ok = 1;
			for (int j = 0; j < k && ok; j++, pc = pc->next)
				ok = pc && pp_glob(pc->name, p.names[j]);
			if (ok)
				v[n++] = p.names[k];
		}
	}
	*out = v;
	return n;
}

static void report_mismatch(struct elab_ctx *c, const struct node *point)
{
	const struct pp_comp *bad = point->pp;
	const char **names = NULL;
	int k = 0, n = 0;

	/* The first component no known probe type or alias has at its level. */
	for (const struct pp_comp *pc = point->pp; pc; pc = pc->next, k++) {
		n = known_at_level(c, point, k, &names);
		int found = 0;
		for (int i = 0; i < n && !found; i++)
			found = pp_glob(pc->name, names[i]);
		bad = pc;
		if (!found)
			break;
	}
	diag_semantic_error(&point->loc, point->tok_desc, "while resolving probe point");
	diag_semantic_error(&bad->loc, comp_desc(bad), "probe point mismatch%s",
			    similar_names(bad->name, names, n));
}

static int derive(struct elab_ctx *c, struct node *decl, struct node *point, struct node *body,
		  const char *chain, const struct node *alias, int depth);

/* A point whose component names have wildcards and that no alias and no family took:
 * expand it over the built-in probe types. */
static int derive_wildcard(struct elab_ctx *c, struct node *decl, struct node *point,
			   struct node *body, const char *chain, const struct node *alias, int depth)
{
	int npat, total = 0, n = ncomps(point);
	const char *const *pats = probe_type_patterns(&npat);
	const char **seen = arena_alloc(g_arena, (size_t)(npat + 1) * sizeof(*seen));
	int nseen = 0;

	for (int i = 0; i < npat; i++) {
		struct pattern p;
		if (parse_pattern(pats[i], &p) != 0 || p.n != n)
			continue;
		const struct pp_comp *pc = point->pp;
		int ok = 1;
		for (int j = 0; j < n && ok; j++, pc = pc->next)
			ok = pp_glob(pc->name, p.names[j]) && arg_kind(pc) == p.args[j];
		if (!ok)
			continue;
		/* One candidate per name sequence. */
		const char *key = "";
		for (int j = 0; j < n; j++)
			key = A("%s.%s", key, p.names[j]);
		int dup = 0;
		for (int j = 0; j < nseen && !dup; j++)
			dup = !strcmp(seen[j], key);
		if (dup)
			continue;
		seen[nseen++] = key;
		struct node *cand = NEW(struct node);
		*cand = *point;
		cand->pp = copy_comps(point->pp, NULL);
		pc = point->pp;
		int j = 0;
		for (struct pp_comp *cc = cand->pp; cc; cc = cc->next, j++)
			cc->name = p.names[j];
		c->quiet++;                   /* each expansion may fail quietly */
		int got = derive(c, decl, cand, body, chain, alias, depth + 1);
		c->quiet--;
		if (got > 0)
			total += got;
	}
	return total;
}

/* Derives concrete probes from one point. Returns how many, or -1 after an error. */
/* pn() of the probes that alias a yields for the user's point: the alias's name, then the
 * point's components beyond it ("syscall.*.return" -> "syscall.read.return"). */
static const char *alias_pn(const struct alias_info *a, const struct node *point)
{
	const char *rest = pp_to_string(point);
	int comps = a->ncomps, nest = 0, quoted = 0;

	for (; *rest && comps > 0; rest++) {
		if (*rest == '"' && rest[-1] != '\\')
			quoted = !quoted;
		else if (!quoted && (*rest == '(' || *rest == ')'))
			nest += *rest == '(' ? 1 : -1;
		else if (!quoted && !nest && *rest == '.' && --comps == 0)
			break;
	}
	return A("%s%s", a->name, rest);
}

static int derive(struct elab_ctx *c, struct node *decl, struct node *point, struct node *body,
		  const char *chain, const struct node *alias, int depth)
{
	if (depth == 0)
		c->pn = pp_to_string(point);
	if (depth > 40) {
		diag_semantic_error(&point->loc, point->tok_desc,
				    "recursive loop in alias expansion of %s", pp_to_string(point));
		return -1;
	}
	struct alias_info **aliases = NULL;
	int nalias = c->skip_aliases && depth == 0 ? 0 : elab_matching_aliases(c, point, &aliases);
	if (nalias) {
		int total = 0, failed = 0;
		for (int i = 0; i < nalias; i++) {
			struct alias_info *a = aliases[i];
			struct node *ad = a->decl;
			int loop = 0;
			for (int k = 0; k < c->nalias_stack && !loop; k++)
				loop = c->alias_stack[k] == ad;
			if (loop || c->nalias_stack == 64) {
				diag_semantic_error(&point->loc, point->tok_desc,
						    "while resolving probe point");
				diag_semantic_error(&point->loc, NULL,
						    "recursive loop in alias expansion of %s",
						    pp_to_string(point));
				failed = 1;
				continue;
			}
			const struct pp_comp *suffix = point->pp;
			for (int k = 0; k < a->ncomps; k++)
				suffix = suffix->next;
			if (depth == 0)
				c->pn = alias_pn(a, point);
			const char *text = A("%s %s ", a->name, ad->is_epilogue ? "+=" : "=");
			for (struct node *t = ad->alias_targets; t; t = t->next)
				text = A("%s%s%s", text, t == ad->alias_targets ? "" : ", ", point_text(t));
			const char *newchain = A("%s <- %s", text, chain);
			/* The alias body runs before (=) or after (+=) the body it wraps. */
			struct node *inner = node_clone(body, 0), *outer = node_clone(ad->body, 0);
			struct node *blk = node_new(N_BLOCK, &ad->body->loc);
			blk->tok_desc = ad->body->tok_desc;
			if (ad->is_epilogue) {
				blk->body = inner;
				inner->next = outer;
			} else {
				blk->body = outer;
				outer->next = inner;
			}
			note_used_file(c, ad->loc.file);
			c->alias_stack[c->nalias_stack++] = ad;
			for (struct node *t = ad->alias_targets; t; t = t->next) {
				struct node *p = expand_target(t, suffix, point);
				int got = derive(c, decl, p, blk, newchain, ad, depth + 1);
				if (got < 0)
					failed = 1;
				else
					total += got;
				if (t->sufficient && got > 0)
					break;
			}
			c->nalias_stack--;
		}
		return failed && !total ? -1 : total;
	}

	/* Wildcards in component names expand over the built-in probe types. */
	if (has_wildcard(point)) {
		int got = derive_wildcard(c, decl, point, body, chain, alias, depth);
		if (got > 0 || point->optional || c->quiet)
			return got;
	}
	const struct probe_family *fam = family_for(point);
	if (!fam) {
		if (point->optional || c->quiet)
			return 0;
		report_mismatch(c, point);
		return -1;
	}
	if (elab_opts.privilege == PRIV_STAPUSR && !unprivileged_point(point)) {
		if (c->quiet)
			return 0;
		const struct pp_comp *at = point->pp->next ? point->pp->next : point->pp;
		diag_semantic_error(&point->loc, point->tok_desc, "while resolving probe point");
		diag_semantic_error(&at->loc, comp_desc(at),
				    "probe point is not allowed for --privilege=%s",
				    privilege_name(elab_opts.privilege));
		return -1;
	}
	struct probe_info proto = {
		.decl = decl, .body = body, .point = point, .family = fam,
		.condition = point->cond, .derivation = chain, .alias = alias, .pn = c->pn,
	};
	int before = c->prog->nprobes;
	int speculative = point->optional || c->quiet;
	if (speculative)
		diag_speculate_begin();
	int rc = fam->resolve(c->s, point, &proto, add_probe);
	if (speculative) {
		int errors = diag_speculate_end();
		if (errors || rc != 0) {
			drop_probes_after(c, before);
			return 0;
		}
	}
	if (rc != 0)
		return -1;
	return c->prog->nprobes - before;
}

static void derive_probe(struct elab_ctx *c, struct node *probe)
{
	const char *chain = "";

	for (struct node *pt = probe->points; pt; pt = pt->next)
		chain = A("%s%s%s", chain, pt == probe->points ? "" : ",", point_text(pt));
	for (struct node *pt = probe->points; pt; pt = pt->next) {
		int got = derive(c, probe, pt, probe->body, chain, NULL, 0);
		if (pt->sufficient && got > 0)
			break;
	}
}

int elab_derive_listing(struct elab_ctx *c, struct node *point, int skip_aliases,
			struct probe_info **first)
{
	int before = c->prog->nprobes;
	struct node *body = node_new(N_BLOCK, &point->loc);
	struct node *decl = node_new(N_PROBE, &point->loc);

	decl->points = point;
	decl->body = body;
	c->quiet++;
	c->skip_aliases = skip_aliases;
	diag_speculate_begin();
	int got = derive(c, decl, point, body, point_text(point), NULL, 0);
	diag_speculate_end();
	c->skip_aliases = 0;
	c->quiet--;
	struct probe_info *pi = c->prog->probes;
	for (int i = 0; i < before && pi; i++)
		pi = pi->next;
	*first = pi;
	return got > 0 ? c->prog->nprobes - before : 0;
}

static void resolve_probe_bodies(struct elab_ctx *c, struct probe_info *from);
static void resolve_function_body(struct elab_ctx *c, struct function_info *f);

void elab_resolve_quiet(struct elab_ctx *c)
{
	diag_speculate_begin();
	resolve_probe_bodies(c, c->prog->probes);
	for (int i = 0; i < c->nwork; i++)
		resolve_function_body(c, c->worklist[i]);
	infer_types(c->s, c->prog);
	diag_speculate_end();
}

void elab_load_everything(struct elab_ctx *c)
{
	tapset_require_all(c->lib);
}

/* ---- bodies ---- */

static void visit_target(struct node *n, void *arg)
{
	if (*(int *)arg)
		return;
	if (is_target(n) || (n->kind == N_ATOP && strcmp(n->name, "probewrite")))
		*(int *)arg = 1;
	else
		node_visit_children(n, visit_target, arg);
}

/* Does the body read the probe's context ($var, @cast, @defined...)? Such bodies are
 * copied per concrete probe, since each probe may answer differently. */
static int probe_dependent(struct node *body)
{
	int found = 0;

	if (body)
		visit_target(body, &found);
	return found;
}

/* Bodies already resolved, by their node: the probes sharing one share its locals. */
struct body_entry {
	const struct node *body;
	struct probe_info *first;
	int dependent;
	struct node *pristine;           /* dependent bodies: an untouched copy to clone */
};

/* Resolves the bodies of the probes from `from` to the end of the list. */
static void resolve_probe_bodies(struct elab_ctx *c, struct probe_info *from)
{
	unsigned cap = 64;
	while (cap < (unsigned)c->prog->nprobes * 2)
		cap *= 2;
	struct body_entry *map = arena_alloc(g_arena, cap * sizeof(*map));

	memset(map, 0, cap * sizeof(*map));
	for (struct probe_info *pi = from; pi; pi = pi->next) {
		unsigned h = (unsigned)(((uintptr_t)pi->body >> 4) * 2654435761u) & (cap - 1);
		while (map[h].body && map[h].body != pi->body)
			h = (h + 1) & (cap - 1);
		struct body_entry *e = &map[h];
		if (!e->body) {
			e->body = pi->body;
			e->first = pi;
			e->dependent = probe_dependent(pi->body);
			if (e->dependent)
				e->pristine = node_clone(pi->body, 0);
		} else if (!e->dependent) {
			pi->locals_head = e->first->locals_head;
			goto condition;
		} else {
			pi->body = node_clone(e->pristine, 0);
		}
		pi->locals_head = NEW(struct symbol *);
		struct fold_arg fa = { c, pi };
		if (pi->body)
			fold_defined(pi->body, &fa);
		c->fn = NULL;
		c->probe = pi;
		c->locals = pi->locals_head;
		if (pi->body)
			resolve_node(pi->body, c);
condition:
		if (pi->condition) {
			c->in_condition = 1;
			c->locals = NULL;
			resolve_node(pi->condition, c);
			c->in_condition = 0;
		}
	}
	c->probe = NULL;
}

static void resolve_function_body(struct elab_ctx *c, struct function_info *f)
{
	c->fn = f;
	c->probe = NULL;
	c->locals = &f->locals;
	if (f->is_embedded) {
		if (!c->s->guru && !f->is_tapset)
			diag_semantic_error(&f->decl->loc, f->decl->tok_desc,
					    "embedded code in unprivileged script; need stap -g");
	} else if (f->decl->body) {
		struct fold_arg fa = { c, NULL };
		fold_defined(f->decl->body, &fa);
		resolve_node(f->decl->body, c);
	}
	c->fn = NULL;
}

/* The end probes printing the globals the script writes but never reads (autoprint.c):
 * parsed, derived, resolved and typed after the user's probes, the names resolving as in
 * the user's script (so its private globals too). */
static struct probe_info *derive_decls(struct elab_ctx *c, struct node *decls);

static void add_global_display(struct elab_ctx *c)
{
	const char *text = autoprint_script(c->prog);

	if (!text)
		return;
	struct script *sc = parse_script(c->s, source_from_text("<global display>", text));
	struct probe_info *from = derive_decls(c, sc ? sc->decls : NULL);
	c->as_file = c->s->user_script->file;
	resolve_probe_bodies(c, from);
	c->as_file = NULL;
	infer_types(c->s, c->prog);
	mark_reads_writes(c->prog);
}

static void check_function_privilege(struct elab_ctx *c)
{
	if (elab_opts.privilege != PRIV_STAPUSR)
		return;
	for (struct function_info *f = c->prog->functions; f; f = f->next) {
		if (!f->used || !f->is_embedded || !f->is_tapset ||
		    (f->flags & (FF_UNPRIVILEGED | FF_MYPROC_UNPRIVILEGED)))
			continue;
		diag_semantic_error(&f->decl->loc, f->decl->tok_desc,
				    "function may not be used when --privilege=%s is specified",
				    privilege_name(elab_opts.privilege));
	}
}

static int file_used(const struct elab_ctx *c, const struct source_file *f)
{
	for (int i = 0; i < c->nused_files; i++)
		if (c->used_files[i] == f)
			return 1;
	return 0;
}

static void collect_embeds(struct elab_ctx *c, struct script *sc)
{
	for (struct node *d = sc->decls; d; d = d->next) {
		if (d->kind != N_EMBED_TOP)
			continue;
		if (!c->s->guru && !sc->file->is_tapset) {
			diag_semantic_error(&d->loc, d->tok_desc,
					    "embedded code in unprivileged script; need stap -g");
			continue;
		}
		node_append(&c->prog->embeds, node_new(N_EMBED_TOP, &d->loc))->text = d->text;
		c->prog->nembeds++;
	}
}

/* A library file is linked in (its top-level %{ %} and its probes too) when something of
 * it is used: an alias a probe came through, a function, a global. */
static void note_used_files(struct elab_ctx *c)
{
	for (struct function_info *f = c->prog->functions; f; f = f->next)
		if (f->used)
			note_used_file(c, f->decl->loc.file);
	for (struct symbol *g = c->prog->globals; g; g = g->next)
		if (g->used)
			note_used_file(c, g->file);
}

/* Probes written in library files that are now used (e.g. a tapset's `probe begin`
 * initialising its globals) are derived once, as SystemTap links in whole files.
 * Returns the first probe added, or NULL when there is none. */
static struct probe_info *derive_library_probes(struct elab_ctx *c)
{
	struct probe_info *first = NULL, *got;

	note_used_files(c);
	for (struct script *lib = c->s->library; lib; lib = lib->next) {
		if (lib->probes_derived || !file_used(c, lib->file))
			continue;
		lib->probes_derived = 1;
		got = derive_decls(c, lib->decls);
		if (!first)
			first = got;
	}
	return first;
}

/* Derives the probes of a declaration list after the program's probes (which the
 * optimizer may have thinned); returns the first one added, or NULL. */
static struct probe_info *derive_decls(struct elab_ctx *c, struct node *decls)
{
	struct probe_info **tail = &c->prog->probes;

	while (*tail)
		tail = &(*tail)->next;
	c->probe_tail = tail;
	for (struct node *d = decls; d; d = d->next)
		if (d->kind == N_PROBE)
			derive_probe(c, d);
	return *tail;
}

int pass2_elaborate(struct session *s)
{
	struct elab_ctx ctx = { .s = s }, *c = &ctx;

	c->prog = NEW(struct program);
	c->probe_tail = &c->prog->probes;
	s->prog = c->prog;
	adding_ctx = c;
	diag_set_verbose(s->verbose[1]);
	c->prog->print_bodies = s->verbose[1] > 0;

	declare_file(c, s->user_script);
	c->lib = tapset_open(s, on_library_file, c);

	if (elab_opts.list || elab_opts.dump)
		return listing_run(s, c->prog, c);

	collect_embeds(c, s->user_script);
	for (struct node *d = s->user_script->decls; d; d = d->next)
		if (d->kind == N_PROBE)
			derive_probe(c, d);
	struct probe_info *from = c->prog->probes;
	do {
		resolve_probe_bodies(c, from);
		for (int i = 0; i < c->nwork; i++)
			resolve_function_body(c, c->worklist[i]);
	} while ((from = derive_library_probes(c)));
	check_function_privilege(c);

	if (c->prog->nprobes == 0 && diag_error_count() == 0)
		diag_plain_error("semantic error: no probes found\n\n");
	if (diag_error_count())
		return 1;
	check_assignments(s, c->prog);
	if (!s->unoptimized)
		optimize_program(s, c->prog);
	if (!diag_error_count())
		check_foreach_writes(c->prog);
	if (diag_error_count())
		return 1;
	infer_types(s, c->prog);
	if (!s->unoptimized && !diag_error_count())
		optimize_after_types(s, c->prog);
	if (!diag_error_count())
		add_global_display(c);

	note_used_files(c);
	for (struct script *lib = s->library; lib; lib = lib->next)
		if (file_used(c, lib->file)) {
			collect_embeds(c, lib);
			c->prog->library_files++;
		}
	return diag_error_count() ? 1 : 0;
}

const char *type_name(enum stap_type t)
{
	switch (t) {
	case T_LONG: return "long";
	case T_STRING: return "string";
	case T_STATS: return "stats";
	case T_VOID: return "void";
	default: return "unknown";
	}
}
