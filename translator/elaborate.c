/* elaborate.c - pass 2: resolution of probe points, symbols and functions.
 *
 * In: session->user_script, and the tapset library (every .stp file under the tapset
 * search path, parsed here). Out: session->prog with the concrete probes, the globals, and
 * the functions reachable from a probe, each marked `used`; identifiers are bound to
 * symbols and calls to functions. Types are inferred afterwards by types.c.
 */
#define _GNU_SOURCE
#include "elaborate.h"
#include "arena.h"
#include "ast_walk.h"
#include "parse.h"
#include "probes/probes.h"
#include "tapset.h"
#include "types.h"

#include <string.h>

struct resolver {
	struct session *s;
	struct program *prog;
	struct script *files;            /* user script first, then the library */
	struct symbol **locals;          /* the current probe's or function's locals */
	struct function_info *fn;        /* current function, or NULL in a probe */
	const struct source_file *file;  /* file of the code being resolved */
	struct function_info **worklist;
	int nwork, capwork;
};

/* ---- symbols ---- */

static struct symbol *find_symbol(struct symbol *list, const char *name)
{
	for (; list; list = list->next)
		if (strcmp(list->name, name) == 0)
			return list;
	return NULL;
}

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

static struct symbol *find_global(struct resolver *r, const char *name)
{
	for (struct symbol *g = r->prog->globals; g; g = g->next)
		if (strcmp(g->name, name) == 0 &&
		    !((g->decl->flags & GF_PRIVATE) && g->file != r->file))
			return g;
	return NULL;
}

static void declare_globals(struct resolver *r, struct script *sc)
{
	for (struct node *d = sc->decls; d; d = d->next) {
		if (d->kind != N_GLOBAL)
			continue;
		struct symbol *old = find_symbol(r->prog->globals, d->name);
		if (old && old->file == d->loc.file) {
			diag_semantic_error(&d->loc, d->tok_desc, "duplicate global '%s'", d->name);
			continue;
		}
		struct symbol *g = add_symbol(&r->prog->globals, d->name, SYM_GLOBAL, d);
		g->is_array = d->is_array;
		if (d->init_value)
			g->type = d->init_value->kind == N_STRING ? T_STRING : T_LONG;
	}
}

/* ---- functions ---- */

static struct function_info *find_function(struct program *p, const char *name)
{
	for (struct function_info *f = p->functions; f; f = f->next)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}

static void declare_functions(struct resolver *r, struct script *sc, int is_library)
{
	for (struct node *d = sc->decls; d; d = d->next) {
		if (d->kind != N_FUNCTION)
			continue;
		struct function_info *old = find_function(r->prog, d->name);
		if (old) {
			/* A script function hides a library one of the same name. */
			if (!is_library && old->decl->loc.file->is_tapset)
				old->name = "";
			else if (is_library || !old->decl->loc.file->is_tapset) {
				if (!is_library)
					diag_semantic_error(&d->loc, d->tok_desc,
							    "function '%s' redefined", d->name);
				continue;
			}
		}
		struct function_info *f = NEW(struct function_info);
		f->name = d->name;
		f->decl = d;
		f->ret_type = d->decl_type;
		f->is_embedded = d->body && d->body->kind == N_EMBED_STMT;
		for (struct node *a = d->args; a; a = a->next) {
			struct symbol *ps = add_symbol(&f->params, a->name, SYM_PARAM, a);
			ps->type = a->decl_type;
		}
		struct function_info **tail = &r->prog->functions;
		int index = 0;
		while (*tail) {
			index++;
			tail = &(*tail)->next;
		}
		f->index = index;
		*tail = f;
	}
}

static void use_function(struct resolver *r, struct function_info *f)
{
	if (f->used)
		return;
	f->used = 1;
	if (r->nwork == r->capwork) {
		r->capwork = r->capwork ? r->capwork * 2 : 16;
		struct function_info **w = arena_alloc(g_arena, r->capwork * sizeof(*w));
		if (r->nwork)
			memcpy(w, r->worklist, r->nwork * sizeof(*w));
		r->worklist = w;
	}
	r->worklist[r->nwork++] = f;
}

/* ---- identifiers and calls in bodies ---- */

static void resolve_node(struct node *n, void *arg);

static void resolve_symbol(struct resolver *r, struct node *n, int is_array_use)
{
	struct symbol *sym = NULL;

	if (!is_array_use) {
		if (r->fn)
			sym = find_symbol(r->fn->params, n->name);
		if (!sym)
			sym = find_symbol(*r->locals, n->name);
	}
	if (!sym)
		sym = find_global(r, n->name);
	if (!sym) {
		if (is_array_use) {
			diag_semantic_error(&n->loc, n->tok_desc,
					    "unresolved arity-%d global array %s, missing global declaration?",
					    1, n->name);
			return;
		}
		sym = add_symbol(r->locals, n->name, SYM_LOCAL, n);
	}
	sym->used = 1;
	n->sym = sym;
}

/* An array use: arr[k1, k2], [k1, k2] in arr, foreach ([k1, k2] in arr). */
static void resolve_array(struct resolver *r, struct node *base, int nkeys)
{
	if (base->kind != N_SYMBOL)
		return;
	resolve_symbol(r, base, 1);
	struct symbol *sym = base->sym;
	if (!sym)
		return;
	if (sym->nkeys && sym->nkeys != nkeys) {
		diag_semantic_error(&base->loc, base->tok_desc,
				    "inconsistent arity (%d vs %d) for array %s", nkeys, sym->nkeys,
				    sym->name);
		return;
	}
	sym->is_array = 1;
	sym->nkeys = nkeys;
}

static void resolve_call(struct resolver *r, struct node *n)
{
	struct function_info *f = find_function(r->prog, n->name);

	if (!f) {
		diag_semantic_error(&n->loc, n->tok_desc, "unresolved function %s", n->name);
		return;
	}
	int nargs = node_list_len(n->args), nparams = node_list_len(f->decl->args);
	if (nargs != nparams) {
		diag_semantic_error(&n->loc, n->tok_desc,
				    "wrong number of arguments to function '%s': expected %d, got %d",
				    n->name, nparams, nargs);
		return;
	}
	n->fn = f;
	use_function(r, f);
}

static void resolve_node(struct node *n, void *arg)
{
	struct resolver *r = arg;

	switch (n->kind) {
	case N_SYMBOL:
		resolve_symbol(r, n, 0);
		break;
	case N_INDEX:
	case N_IN:
		resolve_array(r, n->base, node_list_len(n->args));
		break;
	case N_FOREACH:
		/* A slice base (arr[*, k]) is an N_INDEX, resolved as such below. */
		if (n->base->kind == N_SYMBOL)
			resolve_array(r, n->base, node_list_len(n->args));
		break;
	case N_CALL:
		resolve_call(r, n);
		break;
	case N_EMBED_EXPR:
		if (!r->s->guru && !r->file->is_tapset)
			diag_semantic_error(&n->loc, n->tok_desc,
					    "embedded expression code in unprivileged script; need stap -g");
		break;
	default:
		break;
	}
	node_visit_children(n, resolve_node, r);
}

static void resolve_function_body(struct resolver *r, struct function_info *f)
{
	r->fn = f;
	r->locals = &f->locals;
	r->file = f->decl->loc.file;
	if (f->is_embedded) {
		if (!r->s->guru && !r->file->is_tapset)
			diag_semantic_error(&f->decl->loc, f->decl->tok_desc,
					    "embedded code in unprivileged script; need stap -g");
	} else if (f->decl->body) {
		resolve_node(f->decl->body, r);
	}
	r->fn = NULL;
}

/* ---- probes ---- */

static struct resolver *adding_resolver;   /* the resolver that probe families add to */

static void add_probe(struct probe_info *proto, const char *pp, void *data, int priority)
{
	struct program *p = adding_resolver->prog;
	struct probe_info *pi = NEW(struct probe_info);

	*pi = *proto;
	pi->pp = pp;
	pi->family_data = data;
	pi->priority = priority;
	pi->index = p->nprobes++;
	struct probe_info **tail = &p->probes;
	while (*tail)
		tail = &(*tail)->next;
	*tail = pi;
}

static const struct probe_family *family_for(const struct node *point)
{
	for (int i = 0; probe_families[i]; i++)
		if (probe_families[i]->match(point))
			return probe_families[i];
	return NULL;
}

static void resolve_probe(struct resolver *r, struct node *probe)
{
	for (struct node *pt = probe->points; pt; pt = pt->next) {
		const struct probe_family *fam = family_for(pt);
		if (!fam) {
			if (pt->optional)
				continue;
			diag_semantic_error(&pt->loc, pt->tok_desc, "while resolving probe point");
			diag_semantic_error(&pt->loc, pt->tok_desc, "probe point mismatch");
			continue;
		}
		struct probe_info proto = {
			.decl = probe, .body = probe->body, .point = pt, .family = fam,
		};
		if (fam->resolve(r->s, pt, &proto, add_probe) != 0)
			continue;
	}
	/* The concrete probes of one declaration share its body, so they share its locals:
	 * the body is resolved once. */
	struct symbol **locals = NEW(struct symbol *);
	r->fn = NULL;
	r->locals = locals;
	r->file = probe->loc.file;
	if (probe->body)
		resolve_node(probe->body, r);
	for (struct probe_info *pi = r->prog->probes; pi; pi = pi->next)
		if (pi->decl == probe)
			pi->locals_head = locals;
}

/* A library file's top-level %{ %} blocks go in when the script uses one of its
 * functions. */
static int library_file_used(const struct program *p, const struct script *sc)
{
	for (const struct function_info *f = p->functions; f; f = f->next)
		if (f->used && f->decl->loc.file == sc->file)
			return 1;
	return 0;
}

static void check_embeds(struct resolver *r, struct script *sc)
{
	for (struct node *d = sc->decls; d; d = d->next) {
		if (d->kind != N_EMBED_TOP)
			continue;
		if (!r->s->guru && !sc->file->is_tapset) {
			diag_semantic_error(&d->loc, d->tok_desc,
					    "embedded code in unprivileged script; need stap -g");
			continue;
		}
		node_append(&r->prog->embeds, node_new(N_EMBED_TOP, &d->loc))->text = d->text;
		r->prog->nembeds++;
	}
}

int pass2_elaborate(struct session *s)
{
	struct resolver r = { .s = s };

	r.prog = NEW(struct program);
	s->prog = r.prog;
	adding_resolver = &r;
	s->library = tapset_load(s);

	declare_globals(&r, s->user_script);
	declare_functions(&r, s->user_script, 0);
	for (struct script *lib = s->library; lib; lib = lib->next) {
		declare_globals(&r, lib);
		declare_functions(&r, lib, 1);
	}
	check_embeds(&r, s->user_script);

	for (struct node *d = s->user_script->decls; d; d = d->next)
		if (d->kind == N_PROBE)
			resolve_probe(&r, d);
	for (int i = 0; i < r.nwork; i++)
		resolve_function_body(&r, r.worklist[i]);
	for (struct script *lib = s->library; lib; lib = lib->next)
		if (library_file_used(r.prog, lib))
			check_embeds(&r, lib);

	if (r.prog->nprobes == 0 && diag_error_count() == 0)
		diag_plain_error("semantic error: no probes found\n");
	if (diag_error_count())
		return 1;
	infer_types(s, r.prog);
	for (struct script *lib = s->library; lib; lib = lib->next)
		r.prog->library_files++;
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
