/* dwarf_module.c - the DWARF of kernel modules, for module("PATTERN") probes and
 * @cast(..., "MODULE"):
 *   module("veth")                   by name: /usr/lib/debug/lib/modules/R/.../veth.ko (the
 *                                    -dbg package), else /lib/modules/R/.../veth.ko
 *   module("nf_*")                   every module of R whose name matches, that has DWARF
 *   module("/abs/path/x.ko")         that file (an out-of-tree module)
 * Each module is opened once per translation. Probes in a module are kprobes placed at
 * "MODULE:SYMBOL"+OFFSET, with the symbol from the module's own symbol table: the kernel
 * resolves them when the probe is registered, which for a module that is not loaded yet
 * is when it loads (runtime/linux/kprobes.c).
 */
#include "kprobe.h"
#include "../arena.h"
#include "../dwarf.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#define A(...) arena_printf(g_arena, __VA_ARGS__)

struct modctx {
	const char *key;           /* module name, or the path as written */
	const char *head;          /* module("KEY") */
	struct dw_ctx *dw;         /* NULL: tried, no DWARF (or closed) */
	int used;                  /* a probe is placed in it: kept open for pass 3 */
	int closed;                /* closed after matching nothing: reopened on demand */
	struct modctx *next;
};

static struct modctx *opened;

static struct modctx *lookup(const char *key)
{
	for (struct modctx *m = opened; m; m = m->next)
		if (!strcmp(m->key, key))
			return m;
	return NULL;
}

/* Opens (once) the module KEY: a name, or an absolute path. */
static struct modctx *open_module(struct session *s, const struct node *where, const char *key,
				  int quiet)
{
	struct modctx *m = lookup(key);
	char *err = NULL;

	if (m && !m->closed)
		return m;
	if (!m) {
		m = NEW(struct modctx);
		m->key = arena_strdup(g_arena, key);
		m->head = A("module(\"%s\")", key);
		m->next = opened;
		opened = m;
	}
	m->closed = 0;
	if (key[0] == '/')
		m->dw = dw_open_file(key, &err);
	else if (!strchr(s->release, '/'))
		m->dw = dw_open_module(s->release, key, &err);
	if (!m->dw && !quiet)
		diag_warning(where ? &where->loc : NULL, where ? where->tok_desc : NULL,
			     "cannot find module %s debuginfo: %s [man warning::debuginfo]", key,
			     key[0] == '/' ? (err ? err : "no DWARF") :
			     A("no %s.ko with DWARF under /usr/lib/debug/lib/modules/%s or "
			       "/lib/modules/%s", key, s->release, s->release));
	free(err);
	return m;
}

void dwarf_module_release(struct dw_ctx *dw)
{
	for (struct modctx *m = opened; m; m = m->next)
		if (m->dw == dw && !m->used) {
			dw_close(m->dw);
			m->dw = NULL;
			m->closed = 1;
		}
}

int dwarf_module_names(struct session *s, const char *pattern, const char ***out)
{
	const struct dw_module *mods;
	int n = 0;

	if (pattern[0] == '/' || !strpbrk(pattern, "*?[")) {
		*out = arena_alloc(g_arena, sizeof(**out));
		(*out)[n++] = pattern;
		return n;
	}
	int nmods = strchr(s->release, '/') ? 0 : dw_module_list(s->release, &mods);
	*out = arena_alloc(g_arena, (nmods + 1) * sizeof(**out));
	for (int i = 0; i < nmods; i++)
		if (fnmatch(pattern, mods[i].name, 0) == 0)
			(*out)[n++] = arena_strdup(g_arena, mods[i].name);
	return n;
}

struct dw_ctx *dwarf_module_open(struct session *s, const struct node *where, const char *key,
				 int quiet)
{
	return open_module(s, where, key, quiet)->dw;
}

const char *dwarf_pp_head(struct dw_ctx *dw)
{
	for (struct modctx *m = opened; m; m = m->next)
		if (m->dw == dw)
			return m->head;
	return "kernel";
}

int dwarf_module_place(struct dw_ctx *dw, unsigned long long pc, struct kprobe_data *d,
		       const struct node *where)
{
	uint64_t off = 0;
	const char *sym = dw_addr_symbol(dw, pc, &off);

	if (!sym) {
		diag_semantic_error(&where->loc, where->tok_desc,
				    "no symbol for address 0x%llx in module %s", pc, dw_modname(dw));
		return -1;
	}
	d->symbol = A("%s:%s", dw_modname(dw), sym);
	d->offset = off;
	for (struct modctx *m = opened; m; m = m->next)
		if (m->dw == dw)
			m->used = 1;
	return 0;
}

struct dw_ctx *dwarf_cast_module(struct session *s, const struct node *where,
				 const char *modules, const char *type)
{
	const char *p = modules;
	struct dw_ctx *first = NULL;

	while (*p) {
		size_t len = strcspn(p, ":");
		const char *name = arena_strndup(g_arena, p, len);
		char *err = NULL;

		p += len + (p[len] == ':');
		/* "kernel" and "kernel<linux/x.h>" are the kernel's own types */
		if (!strncmp(name, "kernel", 6) && (!name[6] || name[6] == '<'))
			return NULL;
		struct modctx *m = open_module(s, where, name, 1);
		if (m->dw && dw_lookup_type(m->dw, type, &err))
			return m->dw;
		first = first ? first : m->dw;
	}
	return first;        /* its "type definition not found" error names the module */
}
