/* dwarf_vars.c - variables in scope at a probe address (see dwarf.h). */
#include "dwarf_int.h"

#include <stdlib.h>
#include <string.h>

/* ---- scopes and variables ---- */

/* The function instance SCOPE plus the lexical blocks inside it that contain PC (found by
 * descending from SCOPE: cheaper than dwarf_getscopes(), which walks the whole CU). */
bool dw_get_scopes(struct dw_ctx *dw, uint64_t scope, Dwarf_Addr dpc, struct scope_set *s)
{
	Dwarf_Die cur, c;

	s->n = 0;
	if (!dwarf_offdie(dw->dbg, scope, &cur))
		return false;
	s->die[s->n++] = cur;
	while (s->n < 32 && dwarf_child(&cur, &c) == 0) {
		bool found = false;

		do {
			if (dwarf_tag(&c) == DW_TAG_lexical_block && dwarf_haspc(&c, dpc) == 1) {
				found = true;
				break;
			}
		} while (dwarf_siblingof(&c, &c) == 0);
		if (!found)
			break;
		s->die[s->n++] = c;
		cur = c;
	}
	return true;
}

/* The out-of-line function whose code holds DPC (top level of its CU). */
bool dw_concrete_func_at(struct dw_ctx *dw, Dwarf_Addr dpc, Dwarf_Die *out)
{
	Dwarf_Die cudie, c;

	if (!dwarf_addrdie(dw->dbg, dpc, &cudie) || dwarf_child(&cudie, &c) != 0)
		return false;
	do {
		if (dwarf_tag(&c) == DW_TAG_subprogram && dwarf_haspc(&c, dpc) == 1) {
			*out = c;
			return true;
		}
	} while (dwarf_siblingof(&c, &c) == 0);
	return false;
}

static bool has_loc_at(Dwarf_Die *var, Dwarf_Addr dpc)
{
	Dwarf_Attribute a;
	Dwarf_Op *expr;
	size_t len;

	if (dwarf_hasattr_integrate(var, DW_AT_const_value))
		return true;
	if (!dwarf_attr(var, DW_AT_location, &a))
		return false;
	return dwarf_getlocation_addr(&a, dpc, &expr, &len, 1) > 0 && len > 0;
}

int dw_list_vars(struct dw_ctx *dw, uint64_t scope_die, uint64_t pc, struct dw_var **out)
{
	struct scope_set s;
	int n = 0, cap = 16;
	struct dw_var *v = dw_alloc(dw, cap * sizeof(*v));
	Dwarf_Addr dpc = pc - dw->bias;

	*out = v;
	if (!dw_get_scopes(dw, scope_die, dpc, &s))
		return 0;
	for (int i = 0; i < s.n; i++) {
		Dwarf_Die c, t;

		if (dwarf_child(&s.die[i], &c) != 0)
			continue;
		do {
			int tag = dwarf_tag(&c);
			const char *name;

			if (tag != DW_TAG_formal_parameter && tag != DW_TAG_variable)
				continue;
			name = dw_die_name(&c);
			if (!name)
				continue;
			if (n == cap) {
				struct dw_var *nv = dw_alloc(dw, 2 * cap * sizeof(*nv));
				memcpy(nv, v, cap * sizeof(*v));
				v = nv;
				cap *= 2;
			}
			v[n].name = dw_strdup(dw, name);
			v[n].type = dw_type_str(dw, dw_die_type(&c, &t) ? &t : NULL);
			v[n].is_param = tag == DW_TAG_formal_parameter;
			v[n].accessible = has_loc_at(&c, dpc);
			v[n].block_depth = i;
			n++;
		} while (dwarf_siblingof(&c, &c) == 0);
	}
	*out = v;
	return n;
}

int dw_func_vars(struct dw_ctx *dw, const struct dw_func *f, struct dw_var **out)
{
	struct dw_var *first = NULL, *v;
	int nfirst = 0, n, inst = 0;
	bool *keep = NULL;

	*out = NULL;
	for (int k = -1; k < f->n_inlines; k++) {
		uint64_t die, pc;

		if (k < 0) {
			if (!f->has_code || f->is_init)
				continue;
			die = f->die;
			pc = f->prologue_pc;
		} else {
			if (f->inlines[k].is_init)
				continue;
			die = f->inlines[k].die;
			pc = f->inlines[k].pc;
		}
		n = dw_list_vars(dw, die, pc, &v);
		if (inst++ == 0) {
			first = v;
			nfirst = n;
			keep = dw_alloc(dw, (n + 1) * sizeof(bool));
			for (int i = 0; i < n; i++)
				keep[i] = v[i].accessible && v[i].block_depth == 0;
			continue;
		}
		for (int i = 0; i < nfirst; i++) {
			bool found = false;

			for (int j = 0; j < n && !found; j++)
				found = v[j].accessible && v[j].block_depth == 0 &&
					strcmp(v[j].name, first[i].name) == 0;
			keep[i] = keep[i] && found;
		}
	}
	v = dw_alloc(dw, (nfirst + 1) * sizeof(*v));
	n = 0;
	for (int i = 0; i < nfirst; i++)
		if (keep[i])
			v[n++] = first[i];
	*out = v;
	return n;
}

/* Finds variable NAME: inner blocks first, then the function, then the CU's globals. */
bool dw_find_var(struct dw_ctx *dw, struct scope_set *s, const char *name, Dwarf_Die *out)
{
	Dwarf_Die cudie, c;

	for (int i = s->n - 1; i >= 0; i--) {
		if (dwarf_child(&s->die[i], &c) != 0)
			continue;
		do {
			int tag = dwarf_tag(&c);
			const char *n;

			if (tag != DW_TAG_formal_parameter && tag != DW_TAG_variable)
				continue;
			n = dw_die_name(&c);
			if (n && strcmp(n, name) == 0) {
				*out = c;
				return true;
			}
		} while (dwarf_siblingof(&c, &c) == 0);
	}
	if (!s->n || !dwarf_diecu(&s->die[0], &cudie, NULL, NULL) || dwarf_child(&cudie, &c) != 0)
		return false;
	do {
		const char *n;

		if (dwarf_tag(&c) != DW_TAG_variable)
			continue;
		n = dw_die_name(&c);
		if (n && strcmp(n, name) == 0 &&
		    (dwarf_hasattr(&c, DW_AT_location) || dwarf_hasattr(&c, DW_AT_const_value))) {
			*out = c;
			return true;
		}
	} while (dwarf_siblingof(&c, &c) == 0);
	return false;
}

