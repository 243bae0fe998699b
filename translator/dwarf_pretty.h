/* dwarf_pretty.h - pretty-printing plans for target expressions ($var$, $var$$, $$vars),
 * global variables by name (@var), and the type of a target expression.
 *
 * A plan is a list of items: literal text and values (C expressions of type int64_t built
 * by dw_target_expr(), see dwarf.h) with the way to print each. The probe families turn a
 * plan into C that appends the items to one string buffer (runtime/pretty.c). Formats are
 * SystemTap's:
 *
 *   $p$   (deep = 0)  a struct or union, or what a pointer points to: its members one level
 *                     deep, "{.len=84, .dev=0xffff888003a1c000, .cb=[...], .users={...},
 *                     <union>={...}}"; integers in decimal, char-sized integers as quoted
 *                     characters ('\000'), pointers in hex, char pointers as quoted
 *                     strings, a top-level pointer to a scalar as the value it points to
 *   $p$$  (deep = 1)  nested structs and unions expanded too, char arrays as quoted strings,
 *                     other arrays as their first element: "[12, ...]"
 *   $$vars            each value as hex (%#llx), "?" when it can't be read at the probe
 *                     address, "{...}" / "[...]" for structs and arrays
 *
 * Members that cannot be read at the probe address print as "?". After DW_PP_MAXREADS
 * values the rest is cut with ", ...".
 */
#ifndef STAP_DWARF_PRETTY_H
#define STAP_DWARF_PRETTY_H

#include "dwarf.h"

#define DW_PP_MAXREADS 32

/* How an item prints (keep in step with runtime/pretty.c). */
enum dw_pp_kind {
	DW_PP_TEXT = -1,        /* literal text */
	DW_PP_SIGNED = 0,       /* %lld */
	DW_PP_UNSIGNED = 1,     /* %llu */
	DW_PP_HEX = 2,          /* %#llx */
	DW_PP_CHAR = 3,         /* a quoted, escaped character: 'a', '\n', '\000' */
	DW_PP_STRING = 4,       /* a quoted, escaped string read at the address c_expr */
};

struct dw_pp_item {
	enum dw_pp_kind kind;
	const char *text;       /* DW_PP_TEXT */
	const char *c_expr;     /* the value, or the address of a string */
	int maxlen;             /* DW_PP_STRING: at most this many bytes (0: no bound but
				   the runtime's) */
};

struct dw_pp {
	struct dw_pp_item *items;
	int n, cap;
	int reads;              /* values so far (bounded by DW_PP_MAXREADS) */
	int cut;                /* the limit was hit */
};

/* Appends the pretty form of the target expression T to OUT (deep: $$ rather than $).
 * Returns 0, or -1 with *err (the variable or a member does not exist, ...). */
int dw_pretty(struct dw_ctx *dw, const struct dw_target *t, int deep, struct dw_pp *out,
	      char **err);
/* Appends the $$vars form of T: hex value, "?", "{...}" or "[...]". */
void dw_pretty_plain(struct dw_ctx *dw, const struct dw_target *t, struct dw_pp *out);
/* Appends literal text. */
void dw_pp_text(struct dw_ctx *dw, struct dw_pp *out, const char *text);

/* Whether the function (or inlined instance) at SCOPE_DIE has a return value. */
int dw_scope_returns_value(struct dw_ctx *dw, uint64_t scope_die);

/* The variables readable at PC in SCOPE_DIE and the lexical blocks in it holding PC,
 * innermost first: what stap -L lists for a statement. */
int dw_vars_at(struct dw_ctx *dw, uint64_t scope_die, uint64_t pc, struct dw_var **out);

/* A global variable found by name for @var("NAME[@FILE]"). */
struct dw_global {
	uint64_t scope_die;     /* use as dw_target.scope_die with base = NAME: the
				   variable's definition (a DIE with a location) ... */
	uint64_t link_addr;     /* ... at this link-time address (DW_OP_addr), 0 if other */
	int decl_only;          /* no definition with a location anywhere (e.g. jiffies,
				   an alias made by the linker): the caller finds the
				   address in the symbol table and reads it as type_name */
	const char *type_name;  /* decl_only: a type name dw_lookup_type() resolves (the
				   declared type without typedefs and qualifiers), or NULL */
	const char *cu_name;    /* the compilation unit it was found in */
};

/* Finds global NAME, in the compilation unit whose name ends with FILE (the shortest such
 * path) or, with FILE NULL, in the unit holding PREFER_DIE first (0: none) and then in
 * every unit. Returns 0, or -1 with *err "unable to find global 'NAME' in kernel[, in
 * FILE]". */
int dw_find_global(struct dw_ctx *dw, const char *name, const char *file, uint64_t prefer_die,
		   struct dw_global *out, char **err);

#endif
