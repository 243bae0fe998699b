/* dwarf_pretty.c - pretty-printing plans ($var$, $var$$, $$vars) and globals by name (@var).
 *
 * In: a target expression (a variable in scope, $return, or @cast with components, as for
 * dw_target_expr) and the probe address. Out: a plan (dwarf_pretty.h) - text and values -
 * following the expression's DWARF type. The type is walked here; every value is read
 * through dw_target_expr() with the walk's path appended to the expression's components
 * ("->len", "[0]"), so locations, pieces, bitfields and fault-safe reads are the DWARF
 * layer's. A value that can't be read at the probe address becomes "?".
 */
#include "dwarf_int.h"
#include "dwarf_pretty.h"

#include <stdlib.h>
#include <string.h>

#define MAXPATH 48              /* components a walk may add */
#define MAXDEPTH 12             /* nested structs/arrays expanded by $$ */
#define MAXITEMS 4000           /* plan items ("?" leaves cost no reads) */

/* ---- plans ---- */

static void push(struct dw_ctx *dw, struct dw_pp *out, struct dw_pp_item it)
{
	if (out->n == out->cap) {
		int cap = out->cap ? out->cap * 2 : 32;
		struct dw_pp_item *v = dw_alloc(dw, (size_t)cap * sizeof(*v));

		if (out->n)
			memcpy(v, out->items, (size_t)out->n * sizeof(*v));
		out->items = v;
		out->cap = cap;
	}
	out->items[out->n++] = it;
}

void dw_pp_text(struct dw_ctx *dw, struct dw_pp *out, const char *text)
{
	/* consecutive text merges into one item */
	if (out->n && out->items[out->n - 1].kind == DW_PP_TEXT) {
		struct dw_pp_item *last = &out->items[out->n - 1];

		last->text = dw_printf(dw, "%s%s", last->text, text);
		return;
	}
	push(dw, out, (struct dw_pp_item){ .kind = DW_PP_TEXT, .text = dw_strdup(dw, text) });
}

/* ---- types ---- */

static bool is_float_type(Dwarf_Die *p)
{
	Dwarf_Attribute a;
	Dwarf_Word enc;

	return dwarf_tag(p) == DW_TAG_base_type && dwarf_attr(p, DW_AT_encoding, &a) &&
	       dwarf_formudata(&a, &enc) == 0 &&
	       (enc == DW_ATE_float || enc == DW_ATE_complex_float);
}

static bool is_aggregate_tag(int tag)
{
	return tag == DW_TAG_structure_type || tag == DW_TAG_union_type || tag == DW_TAG_class_type;
}

/* A struct only declared here (struct net_device seen from another CU): its definition. */
static void definition(struct dw_ctx *dw, Dwarf_Die *pt)
{
	Dwarf_Die def;
	uint64_t off;

	if (!dwarf_hasattr(pt, DW_AT_declaration) || !dwarf_diename(pt))
		return;
	off = dw_index_type(dw, dwarf_tag(pt), dwarf_diename(pt));
	if (off && dwarf_offdie(dw->dbg, off, &def))
		*pt = def;
}

/* Member NAME of a struct/union, looking into anonymous members. */
static bool member_type(struct dw_ctx *dw, Dwarf_Die *st, const char *name, Dwarf_Die *out,
			int depth)
{
	Dwarf_Die c, t, pt;

	if (depth > 8 || dwarf_child(st, &c) != 0)
		return false;
	do {
		const char *n;

		if (dwarf_tag(&c) != DW_TAG_member)
			continue;
		n = dwarf_diename(&c);
		if (n && strcmp(n, name) == 0)
			return dw_die_type(&c, out);
		if (!n && dw_die_type(&c, &t) && dw_peel(&t, &pt) && is_aggregate_tag(dwarf_tag(&pt)) &&
		    member_type(dw, &pt, name, out, depth + 1))
			return true;
	} while (dwarf_siblingof(&c, &c) == 0);
	return false;
}

/* A type and how many dimensions of it (an array) are already indexed. */
struct tref {
	Dwarf_Die die;
	int dim;
};

/* The type after one component, as dw_target_expr steps. */
static bool step(struct dw_ctx *dw, struct tref *cur, const struct dw_comp *c)
{
	Dwarf_Die pt, inner;
	int tag;

	if (!dw_peel(&cur->die, &pt))
		return false;
	tag = dwarf_tag(&pt);
	if (cur->dim == 0 && (tag == DW_TAG_pointer_type || tag == DW_TAG_reference_type)) {
		if (!dw_die_type(&pt, &inner))
			return false;
		if (c->kind == DW_COMP_INDEX) {
			cur->die = inner;
			return true;
		}
		if (!dw_peel(&inner, &pt))
			return false;
		tag = dwarf_tag(&pt);
	}
	definition(dw, &pt);
	if (c->kind == DW_COMP_MEMBER) {
		if (!is_aggregate_tag(tag) || !member_type(dw, &pt, c->name, &inner, 0))
			return false;
		cur->die = inner;
		cur->dim = 0;
		return true;
	}
	if (tag != DW_TAG_array_type || !dw_die_type(&pt, &inner))
		return false;
	int64_t dims[8];
	int nd = dw_array_dims(&pt, dims, 8);
	if (++cur->dim >= (nd ? nd : 1)) {
		cur->die = inner;
		cur->dim = 0;
	} else {
		cur->die = pt;
	}
	return true;
}

/* The type of T's base: the variable, the function's return type, or the @cast type. */
static bool base_type(struct dw_ctx *dw, const struct dw_target *t, Dwarf_Die *out)
{
	struct scope_set s;
	Dwarf_Die var;

	if (!t->base) {
		uint64_t off = dw_lookup_type(dw, t->cast_type ? t->cast_type : "", NULL);

		return off && dwarf_offdie(dw->dbg, off, out);
	}
	if (!dw_get_scopes(dw, t->scope_die, t->pc - dw->bias, &s))
		return false;
	if (strcmp(t->base, "return") == 0)
		return dwarf_tag(&s.die[0]) == DW_TAG_subprogram && dw_die_type(&s.die[0], out);
	return dw_find_var(dw, &s, t->base, &var) && dw_die_type(&var, out);
}

static bool target_type(struct dw_ctx *dw, const struct dw_target *t, struct tref *out)
{
	out->dim = 0;
	if (!base_type(dw, t, &out->die))
		return false;
	for (int i = 0; i < t->ncomps; i++)
		if (!step(dw, out, &t->comps[i]))
			return false;
	return true;
}

int dw_scope_returns_value(struct dw_ctx *dw, uint64_t scope_die)
{
	Dwarf_Die d, t;

	return dwarf_offdie(dw->dbg, scope_die, &d) && dwarf_tag(&d) == DW_TAG_subprogram &&
	       dw_die_type(&d, &t);
}

/* ---- the walk ---- */

struct walk {
	struct dw_ctx *dw;
	const struct dw_target *t;      /* the expression printed */
	struct dw_comp path[MAXPATH];   /* components added by the walk */
	int npath;
	struct dw_pp *out;
	int deep;
	int bitfield;                   /* the value is a bitfield: a number, never a char */
};

static void text(struct walk *w, const char *s)
{
	dw_pp_text(w->dw, w->out, s);
}

static bool path_push(struct walk *w, struct dw_comp c)
{
	if (w->npath == MAXPATH)
		return false;
	w->path[w->npath++] = c;
	return true;
}

/* Reads the value at the current path; "?" when it can't be read at the probe address. */
static void leaf(struct walk *w, bool is_char, int maxlen)
{
	struct dw_target t = *w->t;
	struct dw_comp *comps = dw_alloc(w->dw, (size_t)(t.ncomps + w->npath + 1) * sizeof(*comps));
	struct dw_expr e;
	char *err = NULL;

	if (t.ncomps)
		memcpy(comps, t.comps, (size_t)t.ncomps * sizeof(*comps));
	memcpy(comps + t.ncomps, w->path, (size_t)w->npath * sizeof(*comps));
	t.comps = comps;
	t.ncomps += w->npath;
	t.addr_of = 0;
	if (dw_target_expr(w->dw, &t, &e, &err) != 0 || e.kind == DW_RES_ADDRESS) {
		text(w, "?");
		return;
	}
	struct dw_pp_item it = { .c_expr = e.c_expr };
	switch (e.kind) {
	case DW_RES_STRING:
		it.kind = DW_PP_STRING;
		it.maxlen = e.is_char_array ? (e.array_len > 0 ? e.array_len : maxlen) : 0;
		break;
	case DW_RES_POINTER:
		it.kind = DW_PP_HEX;
		break;
	default:
		it.kind = is_char && e.size == 1 && !w->bitfield ? DW_PP_CHAR
			: e.is_signed ? DW_PP_SIGNED : DW_PP_UNSIGNED;
	}
	push(w->dw, w->out, it);
	w->out->reads++;
}

static void value(struct walk *w, Dwarf_Die *type, int dim, int expand, int depth);

/* {.a=..., .b=..., <union>={...}} */
static void members(struct walk *w, Dwarf_Die *st, int depth)
{
	Dwarf_Die c, mt, pt;
	bool first = true;

	text(w, "{");
	if (dwarf_child(st, &c) == 0) {
		do {
			if (dwarf_tag(&c) != DW_TAG_member || w->out->cut)
				continue;
			if (w->out->reads >= DW_PP_MAXREADS || w->out->n >= MAXITEMS) {
				text(w, first ? "..." : ", ...");
				w->out->cut = 1;
				break;
			}
			const char *name = dwarf_diename(&c);
			bool have = dw_die_type(&c, &mt);

			if (!first)
				text(w, ", ");
			first = false;
			if (!name) {
				/* anonymous struct/union: its members are reached by their names */
				bool uni = have && dw_peel(&mt, &pt) && dwarf_tag(&pt) == DW_TAG_union_type;

				text(w, uni ? "<union>=" : "<class>=");
				if (have)
					value(w, &mt, 0, w->deep, depth + 1);
				else
					text(w, "?");
				continue;
			}
			text(w, ".");
			text(w, name);
			text(w, "=");
			if (!have || !path_push(w, (struct dw_comp){ .kind = DW_COMP_MEMBER, .name = name })) {
				text(w, "?");
				continue;
			}
			w->bitfield = dwarf_hasattr(&c, DW_AT_bit_size);
			value(w, &mt, 0, w->deep, depth + 1);
			w->bitfield = 0;
			w->npath--;
		} while (dwarf_siblingof(&c, &c) == 0);
	}
	text(w, "}");
}

/* Whether dimension DIM of an array type has a declared size (int x[0] has, a flexible
 * array member has not). */
static bool dim_declared(Dwarf_Die *arr, int dim)
{
	Dwarf_Die c;
	Dwarf_Attribute a;
	int k = 0;

	if (dwarf_child(arr, &c) != 0)
		return false;
	do {
		if (dwarf_tag(&c) == DW_TAG_subrange_type && k++ == dim)
			return dwarf_attr(&c, DW_AT_count, &a) || dwarf_attr(&c, DW_AT_upper_bound, &a);
	} while (dwarf_siblingof(&c, &c) == 0);
	return false;
}

/* [first, ...] ; char arrays (their last dimension) as strings; [] when empty */
static void array(struct walk *w, Dwarf_Die *arr, int dim, int depth)
{
	Dwarf_Die elem;
	int64_t dims[8];
	int nd = dw_array_dims(arr, dims, 8);
	bool empty;

	if (!dw_die_type(arr, &elem)) {
		text(w, "?");
		return;
	}
	if (nd == 0)
		dims[nd++] = 0;
	empty = dims[dim] == 0 && dim_declared(arr, dim);
	if (dim == nd - 1 && dw_is_char_type(&elem, false)) {
		if (empty)
			text(w, "\"\"");
		else
			leaf(w, false, (int)dims[dim]);
		return;
	}
	if (empty) {
		text(w, "[]");
		return;
	}
	text(w, "[");
	if (!path_push(w, (struct dw_comp){ .kind = DW_COMP_INDEX, .index = 0 })) {
		text(w, "?]");
		return;
	}
	if (dim + 1 < nd)
		value(w, arr, dim + 1, w->deep, depth + 1);
	else
		value(w, &elem, 0, w->deep, depth + 1);
	w->npath--;
	text(w, w->out->cut ? "]" : ", ...]");
}

/* What a pointer at the top of $p$ points to: structs are expanded, scalars read, char
 * pointers read as strings; void and function pointers print as addresses. */
static void pointee(struct walk *w, Dwarf_Die *ptr, int depth)
{
	Dwarf_Die inner, pt;

	if (!dw_die_type(ptr, &inner) || !dw_peel(&inner, &pt) ||
	    dwarf_tag(&pt) == DW_TAG_subroutine_type || depth > 3) {
		leaf(w, false, 0);
		return;
	}
	if (dw_is_char_type(&inner, false)) {
		leaf(w, false, 0);              /* the layer reads char pointers as strings */
		return;
	}
	if (is_aggregate_tag(dwarf_tag(&pt))) {
		definition(w->dw, &pt);
		members(w, &pt, depth);         /* member components dereference the pointer */
		return;
	}
	if (!path_push(w, (struct dw_comp){ .kind = DW_COMP_INDEX, .index = 0 })) {
		text(w, "?");
		return;
	}
	value(w, &inner, 0, 1, depth + 1);
	w->npath--;
}

/* The value of TYPE at the current path. expand: show the inside of structs/arrays (the
 * top level, and everything with $$); dim: array dimensions already indexed. */
static void value(struct walk *w, Dwarf_Die *type, int dim, int expand, int depth)
{
	Dwarf_Die pt;
	int tag;

	if (!dw_peel(type, &pt) || depth > MAXDEPTH) {
		text(w, "?");
		return;
	}
	tag = dwarf_tag(&pt);
	if (dim > 0 || tag == DW_TAG_array_type) {
		if (expand)
			array(w, &pt, dim, depth);
		else
			text(w, "[...]");
		return;
	}
	if (is_aggregate_tag(tag)) {
		definition(w->dw, &pt);
		if (expand)
			members(w, &pt, depth);
		else
			text(w, "{...}");
		return;
	}
	if (tag == DW_TAG_pointer_type || tag == DW_TAG_reference_type) {
		if (depth == 0)
			pointee(w, &pt, 0);
		else
			leaf(w, false, 0);      /* char pointers read as strings, others as hex */
		return;
	}
	if (tag == DW_TAG_base_type || tag == DW_TAG_enumeration_type) {
		if (is_float_type(&pt))
			text(w, "?");
		else
			leaf(w, dw_is_char_type(&pt, false), 0);
		return;
	}
	text(w, "?");
}

int dw_pretty(struct dw_ctx *dw, const struct dw_target *t, int deep, struct dw_pp *out,
	      char **err)
{
	struct walk *w = dw_alloc(dw, sizeof(*w));
	struct tref tr;

	if (!target_type(dw, t, &tr)) {
		struct dw_expr e;

		/* the DWARF layer says what is wrong in SystemTap's words */
		if (dw_target_expr(dw, t, &e, err) == 0)
			*err = dw_strdup(dw, "cannot find the type of this expression");
		return -1;
	}
	w->dw = dw;
	w->t = t;
	w->out = out;
	w->deep = deep;
	value(w, &tr.die, tr.dim, 1, 0);
	return 0;
}

void dw_pretty_plain(struct dw_ctx *dw, const struct dw_target *t, struct dw_pp *out)
{
	struct tref tr;
	Dwarf_Die pt;
	struct dw_expr e;
	char *err = NULL;

	if (!target_type(dw, t, &tr) || !dw_peel(&tr.die, &pt)) {
		dw_pp_text(dw, out, "?");
		return;
	}
	if (tr.dim > 0 || dwarf_tag(&pt) == DW_TAG_array_type) {
		dw_pp_text(dw, out, "[...]");
		return;
	}
	if (is_aggregate_tag(dwarf_tag(&pt))) {
		dw_pp_text(dw, out, "{...}");
		return;
	}
	if (dw_target_expr(dw, t, &e, &err) != 0 || e.kind == DW_RES_ADDRESS) {
		dw_pp_text(dw, out, "?");
		return;
	}
	push(dw, out, (struct dw_pp_item){ .kind = DW_PP_HEX, .c_expr = e.c_expr });
	out->reads++;
}

/* ---- globals by name ---- */

/* The link-time address of a variable whose location is one DW_OP_addr, or 0. */
static uint64_t static_addr(struct dw_ctx *dw, Dwarf_Die *var)
{
	Dwarf_Attribute a;
	Dwarf_Op *ops;
	size_t n;

	if (!dwarf_attr(var, DW_AT_location, &a) || dwarf_getlocation(&a, &ops, &n) != 0 ||
	    n != 1 || ops[0].atom != DW_OP_addr)
		return 0;
	return ops[0].number + dw->bias;
}

struct gsearch {
	const char *name;
	bool found;
	struct dw_global *out;
	Dwarf_Die decl;                 /* first declaration seen */
	bool have_decl;
};

/* Looks for the definition of g->name among the top-level DIEs of one CU. */
static void search_cu(struct dw_ctx *dw, struct dw_cu *cu, struct gsearch *g)
{
	Dwarf_Die cudie, c;

	if (g->found || !dwarf_offdie(dw->dbg, cu->off, &cudie) || dwarf_child(&cudie, &c) != 0)
		return;
	do {
		const char *n;

		if (dwarf_tag(&c) != DW_TAG_variable)
			continue;
		n = dw_die_name(&c);
		if (!n || strcmp(n, g->name) != 0)
			continue;
		if (dwarf_hasattr(&c, DW_AT_location) || dwarf_hasattr(&c, DW_AT_const_value)) {
			dw_cu_info(dw, cu);
			g->out->scope_die = dwarf_dieoffset(&c);
			g->out->link_addr = static_addr(dw, &c);
			g->out->cu_name = cu->name;
			g->found = true;
			return;
		}
		if (!g->have_decl) {
			g->decl = c;
			g->have_decl = true;
		}
	} while (dwarf_siblingof(&c, &c) == 0);
}

/* Only the CU whose name ends with FILE, the shortest such path. */
static struct dw_cu *cu_for_file(struct dw_ctx *dw, const char *file)
{
	struct dw_cu *best = NULL;

	for (int i = 0; i < dw->ncu; i++) {
		struct dw_cu *cu = &dw->cus[i];

		dw_cu_info(dw, cu);
		if (!cu->name || !dw_file_matches(cu->name, file))
			continue;
		if (!best || strlen(cu->name) < strlen(best->name))
			best = cu;
	}
	return best;
}

int dw_find_global(struct dw_ctx *dw, const char *name, const char *file, uint64_t prefer_die,
		   struct dw_global *out, char **err)
{
	struct gsearch g = { .name = name, .out = out };

	memset(out, 0, sizeof(*out));
	if (file) {
		struct dw_cu *cu = cu_for_file(dw, file);

		if (cu)
			search_cu(dw, cu, &g);
	} else {
		Dwarf_Die d, cudie;

		if (prefer_die && dwarf_offdie(dw->dbg, prefer_die, &d) &&
		    dwarf_diecu(&d, &cudie, NULL, NULL)) {
			struct dw_cu *cu = dw_cu_of_off(dw, dwarf_dieoffset(&cudie));

			if (cu)
				search_cu(dw, cu, &g);
		}
		for (int i = 0; i < dw->ncu && !g.found; i++)
			search_cu(dw, &dw->cus[i], &g);
	}
	if (g.found)
		return 0;
	if (g.have_decl) {
		Dwarf_Die t, pt;

		out->decl_only = 1;
		if (dw_die_type(&g.decl, &t) && dw_peel(&t, &pt)) {
			int tag = dwarf_tag(&pt);

			if (tag == DW_TAG_base_type || is_aggregate_tag(tag) ||
			    tag == DW_TAG_enumeration_type)
				out->type_name = dw_type_str(dw, &pt);
		}
		return 0;
	}
	if (err)
		*err = file ? dw_printf(dw, "unable to find global '%s' in %s, in %s", name,
					dw->modname, file)
			    : dw_printf(dw, "unable to find global '%s' in %s", name, dw->modname);
	return -1;
}

/* ---- variables at a statement (-L) ---- */

int dw_vars_at(struct dw_ctx *dw, uint64_t scope_die, uint64_t pc, struct dw_var **out)
{
	struct dw_var *all, *v;
	int n = dw_list_vars(dw, scope_die, pc, &all), k = 0, maxdepth = 0;

	v = dw_alloc(dw, (size_t)(n + 1) * sizeof(*v));
	for (int i = 0; i < n; i++)
		if (all[i].block_depth > maxdepth)
			maxdepth = all[i].block_depth;
	/* innermost block first, each in declaration order */
	for (int d = maxdepth; d >= 0; d--)
		for (int i = 0; i < n; i++)
			if (all[i].block_depth == d && all[i].accessible)
				v[k++] = all[i];
	*out = v;
	return k;
}
