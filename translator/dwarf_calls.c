/* dwarf_calls.c - addresses to functions and statements, and the callees of a function
 * (see dwarf_calls.h). Addresses are link-time addresses, as everywhere in the layer. */
#include "dwarf_int.h"
#include "dwarf_calls.h"

#include <string.h>

int dw_func_at_addr(struct dw_ctx *dw, uint64_t addr, const char **name, const char **file,
		    uint64_t *die)
{
	Dwarf_Die f;

	if (!dw_concrete_func_at(dw, addr - dw->bias, &f) || !dw_die_name(&f))
		return -1;
	*name = dw_strdup(dw, dw_die_name(&f));
	*file = dw_decl_file(dw, &f);
	*die = dwarf_dieoffset(&f);
	return 0;
}

uint64_t dw_stmt_start(struct dw_ctx *dw, uint64_t addr)
{
	Dwarf_Die cu;
	Dwarf_Line *line;
	Dwarf_Addr a;

	if (!dwarf_addrdie(dw->dbg, addr - dw->bias, &cu) ||
	    !(line = dwarf_getsrc_die(&cu, addr - dw->bias)) || dwarf_lineaddr(line, &a) != 0)
		return 0;
	return a + dw->bias;
}

/* ---- callees ---- */

struct calls {
	struct dw_ctx *dw;
	struct dw_callee *v;
	int n, cap;
};

static void add(struct calls *c, struct dw_callee e)
{
	if (c->n == c->cap) {
		int cap = c->cap ? c->cap * 2 : 16;
		struct dw_callee *v = dw_alloc(c->dw, (size_t)cap * sizeof(*v));

		if (c->n)
			memcpy(v, c->v, (size_t)c->n * sizeof(*v));
		c->v = v;
		c->cap = cap;
	}
	c->v[c->n++] = e;
}

/* The DIE an attribute refers to. */
static bool ref(Dwarf_Die *d, int at, Dwarf_Die *out)
{
	Dwarf_Attribute a;

	return dwarf_attr(d, at, &a) && dwarf_formref_die(&a, out);
}

static void note_origin(struct calls *c, Dwarf_Die *callee, struct dw_callee *e)
{
	e->name = dw_strdup(c->dw, dw_die_name(callee));
	e->file = dw_decl_file(c->dw, callee);
	e->line = dw_decl_line(callee);
	e->origin = dwarf_dieoffset(callee);
}

static void call_site(struct calls *c, Dwarf_Die *site)
{
	Dwarf_Die callee;
	Dwarf_Attribute a;
	Dwarf_Addr ret;
	struct dw_callee e = { 0 };

	if (dwarf_hasattr(site, DW_AT_call_tail_call) || dwarf_hasattr(site, DW_AT_GNU_tail_call))
		return;                 /* a jump: the callee returns to our caller */
	if (!ref(site, DW_AT_call_origin, &callee) && !ref(site, DW_AT_abstract_origin, &callee))
		return;                 /* through a pointer */
	if (!dw_die_name(&callee))
		return;
	if (dwarf_attr(site, DW_AT_call_return_pc, &a) ? dwarf_formaddr(&a, &ret) != 0
						       : dwarf_lowpc(site, &ret) != 0)
		return;
	note_origin(c, &callee, &e);
	e.pc = ret + c->dw->bias;
	add(c, e);
}

static void inlined(struct calls *c, Dwarf_Die *inst)
{
	Dwarf_Die callee;
	Dwarf_Addr entry;
	struct dw_callee e = { .inlined = 1 };

	if (!ref(inst, DW_AT_abstract_origin, &callee) || !dw_die_name(&callee) ||
	    dwarf_entrypc(inst, &entry) != 0)
		return;
	note_origin(c, &callee, &e);
	e.pc = entry + c->dw->bias;
	e.die = dwarf_dieoffset(inst);
	add(c, e);
}

/* The calls in D's own code: through lexical blocks, not into inlined instances. */
static void walk(struct calls *c, Dwarf_Die *d, int depth)
{
	Dwarf_Die k;

	if (depth > 32 || dwarf_child(d, &k) != 0)
		return;
	do {
		switch (dwarf_tag(&k)) {
		case DW_TAG_call_site:
		case DW_TAG_GNU_call_site:
			call_site(c, &k);
			break;
		case DW_TAG_inlined_subroutine:
			inlined(c, &k);
			break;
		case DW_TAG_lexical_block:
			walk(c, &k, depth + 1);
			break;
		}
	} while (dwarf_siblingof(&k, &k) == 0);
}

int dw_callees(struct dw_ctx *dw, uint64_t func_die, struct dw_callee **out)
{
	struct calls c = { .dw = dw };
	Dwarf_Die f;

	if (dwarf_offdie(dw->dbg, func_die, &f))
		walk(&c, &f, 0);
	*out = c.v;
	return c.n;
}
