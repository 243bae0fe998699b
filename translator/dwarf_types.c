/* dwarf_types.c - type names in SystemTap's -L format, type lookup by name.
 *
 * Format (as `stap -L` prints it): base types and typedefs by name ("long unsigned int",
 * "size_t"); "struct X", "union X", "enum X", "struct {...}" when anonymous; pointers
 * append '*' ("char const*", "struct sk_buff**"); qualifiers follow what they qualify
 * ("struct pt_regs const*"); arrays append "[]" per dimension ("struct iovec[]"); pointers
 * to functions read "int (*) (struct net*, void*)".
 */
#include "dwarf_int.h"

#include <stdio.h>
#include <string.h>

bool dw_die_type(Dwarf_Die *die, Dwarf_Die *out)
{
	Dwarf_Attribute a;

	return dwarf_attr_integrate(die, DW_AT_type, &a) && dwarf_formref_die(&a, out);
}

bool dw_peel(Dwarf_Die *type, Dwarf_Die *out)
{
	Dwarf_Die cur = *type;

	for (int guard = 0; guard < 64; guard++) {
		int tag = dwarf_tag(&cur);

		if (tag != DW_TAG_typedef && tag != DW_TAG_const_type && tag != DW_TAG_volatile_type &&
		    tag != DW_TAG_restrict_type && tag != DW_TAG_atomic_type) {
			*out = cur;
			return true;
		}
		if (!dw_die_type(&cur, &cur))
			return false;           /* const void */
	}
	return false;
}

int64_t dw_type_size(Dwarf_Die *type)
{
	Dwarf_Die t;
	Dwarf_Word sz;
	int tag;

	if (!dw_peel(type, &t))
		return 0;
	tag = dwarf_tag(&t);
	if (tag == DW_TAG_pointer_type || tag == DW_TAG_reference_type)
		return dwarf_aggregate_size(&t, &sz) == 0 ? (int64_t)sz : 8;
	return dwarf_aggregate_size(&t, &sz) == 0 ? (int64_t)sz : -1;
}

struct sbuf {
	char b[1024];
	size_t n;
};

static void sb_put(struct sbuf *s, const char *t)
{
	size_t l = strlen(t);

	if (s->n + l >= sizeof(s->b))
		l = sizeof(s->b) - 1 - s->n;
	memcpy(s->b + s->n, t, l);
	s->n += l;
	s->b[s->n] = 0;
}

static void type_str(Dwarf_Die *type, struct sbuf *s, int depth);

static void func_str(Dwarf_Die *sub, struct sbuf *s, const char *mid, int depth)
{
	Dwarf_Die ret, c;
	bool first = true;

	if (dw_die_type(sub, &ret))
		type_str(&ret, s, depth + 1);
	else
		sb_put(s, "void");
	sb_put(s, mid);
	sb_put(s, "(");
	if (dwarf_child(sub, &c) == 0) {
		do {
			int tag = dwarf_tag(&c);

			if (tag != DW_TAG_formal_parameter && tag != DW_TAG_unspecified_parameters)
				continue;
			if (!first)
				sb_put(s, ", ");
			first = false;
			if (tag == DW_TAG_unspecified_parameters) {
				sb_put(s, "...");
			} else {
				Dwarf_Die pt;

				if (dw_die_type(&c, &pt))
					type_str(&pt, s, depth + 1);
				else
					sb_put(s, "void");
			}
		} while (dwarf_siblingof(&c, &c) == 0);
	}
	sb_put(s, ")");
}

static void type_str(Dwarf_Die *type, struct sbuf *s, int depth)
{
	Dwarf_Die inner;
	const char *name;
	bool has_inner;

	if (depth > 32) {
		sb_put(s, "...");
		return;
	}
	name = dwarf_diename(type);
	has_inner = dw_die_type(type, &inner);
	switch (dwarf_tag(type)) {
	case DW_TAG_base_type:
	case DW_TAG_typedef:
	case DW_TAG_unspecified_type:
		sb_put(s, name ? name : "?");
		break;
	case DW_TAG_structure_type:
	case DW_TAG_class_type:
		sb_put(s, "struct ");
		sb_put(s, name ? name : "{...}");
		break;
	case DW_TAG_union_type:
		sb_put(s, "union ");
		sb_put(s, name ? name : "{...}");
		break;
	case DW_TAG_enumeration_type:
		sb_put(s, "enum ");
		sb_put(s, name ? name : "{...}");
		break;
	case DW_TAG_pointer_type:
	case DW_TAG_reference_type:
		if (has_inner && dwarf_tag(&inner) == DW_TAG_subroutine_type) {
			func_str(&inner, s, " (*) ", depth);
			break;
		}
		if (has_inner)
			type_str(&inner, s, depth + 1);
		else
			sb_put(s, "void");
		sb_put(s, "*");
		break;
	case DW_TAG_const_type:
	case DW_TAG_volatile_type:
		if (has_inner)
			type_str(&inner, s, depth + 1);
		else
			sb_put(s, "void");
		sb_put(s, dwarf_tag(type) == DW_TAG_const_type ? " const" : " volatile");
		break;
	case DW_TAG_restrict_type:
	case DW_TAG_atomic_type:
		if (has_inner)
			type_str(&inner, s, depth + 1);
		else
			sb_put(s, "void");
		break;
	case DW_TAG_array_type: {
		Dwarf_Die c;
		int dims = 0;

		if (has_inner)
			type_str(&inner, s, depth + 1);
		else
			sb_put(s, "void");
		if (dwarf_child(type, &c) == 0) {
			do {
				if (dwarf_tag(&c) == DW_TAG_subrange_type ||
				    dwarf_tag(&c) == DW_TAG_enumeration_type) {
					sb_put(s, "[]");
					dims++;
				}
			} while (dwarf_siblingof(&c, &c) == 0);
		}
		if (!dims)
			sb_put(s, "[]");
		break;
	}
	case DW_TAG_subroutine_type:
		func_str(type, s, " ", depth);
		break;
	default:
		sb_put(s, name ? name : "?");
	}
}

const char *dw_type_str(struct dw_ctx *dw, Dwarf_Die *type)
{
	struct sbuf s = { .n = 0 };

	s.b[0] = 0;
	if (!type)
		return "void";
	type_str(type, &s, 0);
	return dw_strdup(dw, s.b);
}

const char *dw_type_name(struct dw_ctx *dw, uint64_t type_die)
{
	Dwarf_Die d;

	if (!type_die || !dwarf_offdie(dw->dbg, type_die, &d))
		return "void";
	return dw_type_str(dw, &d);
}

uint64_t dw_lookup_type(struct dw_ctx *dw, const char *name, char **err)
{
	static const struct { const char *kw; int tag; } kws[] = {
		{ "struct ", DW_TAG_structure_type },
		{ "union ", DW_TAG_union_type },
		{ "enum ", DW_TAG_enumeration_type },
	};
	char buf[512];
	const char *n = name;
	int tag = 0;
	size_t len;
	uint64_t off = 0;

	while (*n == ' ')
		n++;
	for (size_t i = 0; i < sizeof(kws) / sizeof(kws[0]); i++) {
		size_t l = strlen(kws[i].kw);

		if (strncmp(n, kws[i].kw, l) == 0) {
			tag = kws[i].tag;
			n += l;
			while (*n == ' ')
				n++;
			break;
		}
	}
	snprintf(buf, sizeof(buf), "%s", n);
	len = strlen(buf);
	while (len && buf[len - 1] == ' ')
		buf[--len] = 0;
	if (len) {
		if (tag) {
			off = dw_index_type(dw, tag, buf);
		} else {
			/* A bare name may be a typedef, a base type, or (as SystemTap allows, e.g.
			 * "task_struct") a struct, union or enum tag. */
			static const int bare[] = { DW_TAG_typedef, DW_TAG_base_type,
				DW_TAG_structure_type, DW_TAG_union_type, DW_TAG_enumeration_type };
			for (size_t i = 0; !off && i < sizeof(bare) / sizeof(bare[0]); i++)
				off = dw_index_type(dw, bare[i], buf);
		}
	}
	if (!off && err)
		*err = dw_printf(dw, "type definition '%s' not found in '%s'", name, dw->modname);
	return off;
}
