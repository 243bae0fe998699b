/* dwarf_find.c - functions, inlined instances, labels and statements (see dwarf.h).
 *
 * Candidates come from the name index (dwarf_index.c): only the compilation units that
 * hold a matching function are ever opened below their top level. Inlined instances and
 * line tables are read per CU, on demand.
 */
#include "dwarf_int.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

/* ---- growable arrays in the arena ---- */

struct vec {
	void *v;
	int n, cap;
	size_t elem;
};

static void *vec_push(struct dw_ctx *dw, struct vec *a)
{
	if (a->n == a->cap) {
		int cap = a->cap ? a->cap * 2 : 16;
		void *v = dw_alloc(dw, cap * a->elem);

		if (a->n)
			memcpy(v, a->v, a->n * a->elem);
		a->v = v;
		a->cap = cap;
	}
	return (char *)a->v + a->n++ * a->elem;
}

/* Sorts a vector (qsort wants a valid pointer even for nothing to sort). */
static void vec_sort(struct vec *a, int (*cmp)(const void *, const void *))
{
	if (a->n > 1)
		qsort(a->v, a->n, a->elem, cmp);
}

/* ---- addresses of a DIE ---- */

/* Entry address: DW_AT_entry_pc, DW_AT_low_pc, or the start of the first range. */
static bool die_entry(Dwarf_Die *die, Dwarf_Addr *pc)
{
	Dwarf_Addr base, lo, hi;

	if (dwarf_entrypc(die, pc) == 0)
		return true;
	if (dwarf_ranges(die, 0, &base, &lo, &hi) > 0) {
		*pc = lo;
		return true;
	}
	return false;
}

static bool die_first_range(Dwarf_Die *die, Dwarf_Addr *lo, Dwarf_Addr *hi)
{
	Dwarf_Addr base;

	return dwarf_ranges(die, 0, &base, lo, hi) > 0;
}

/* ---- inlined instances of one CU ---- */

static int cmp_inl(const void *a, const void *b)
{
	const struct dw_inl *x = a, *y = b;

	if (x->origin != y->origin)
		return x->origin < y->origin ? -1 : 1;
	if (x->pc != y->pc)
		return x->pc < y->pc ? -1 : 1;
	return x->die < y->die ? -1 : x->die > y->die;
}

static void walk_inl(struct dw_ctx *dw, Dwarf_Die *die, const char *caller, struct vec *out)
{
	Dwarf_Die c;

	if (dwarf_child(die, &c) != 0)
		return;
	do {
		int tag = dwarf_tag(&c);
		const char *who = caller;

		if (tag == DW_TAG_inlined_subroutine) {
			Dwarf_Attribute a;
			Dwarf_Die org;
			Dwarf_Addr pc;

			if (dwarf_attr(&c, DW_AT_abstract_origin, &a) && dwarf_formref_die(&a, &org) &&
			    die_entry(&c, &pc)) {
				struct dw_inl *s = vec_push(dw, out);

				s->origin = dwarf_dieoffset(&org);
				s->die = dwarf_dieoffset(&c);
				s->pc = pc + dw->bias;
				s->caller = caller;
			}
		} else if (tag == DW_TAG_subprogram) {
			who = dw_die_name(&c);
			who = who ? dw_strdup(dw, who) : caller;
		} else if (tag != DW_TAG_lexical_block) {
			continue;
		}
		walk_inl(dw, &c, who, out);
	} while (dwarf_siblingof(&c, &c) == 0);
}

static void load_inl(struct dw_ctx *dw, struct dw_cu *cu)
{
	Dwarf_Die cudie;
	struct vec v = { .elem = sizeof(struct dw_inl) };

	if (cu->inl_loaded)
		return;
	cu->inl_loaded = true;
	if (!dwarf_offdie(dw->dbg, cu->off, &cudie))
		return;
	walk_inl(dw, &cudie, NULL, &v);
	vec_sort(&v, cmp_inl);
	cu->inl = v.v;
	cu->ninl = v.n;
}

static void inl_sites(struct dw_ctx *dw, struct dw_cu *cu, uint64_t origin, struct dw_func *f)
{
	int lo = 0, hi, first;

	load_inl(dw, cu);
	hi = cu->ninl;
	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (cu->inl[mid].origin < origin)
			lo = mid + 1;
		else
			hi = mid;
	}
	first = lo;
	while (lo < cu->ninl && cu->inl[lo].origin == origin)
		lo++;
	f->n_inlines = lo - first;
	f->inlines = dw_alloc(dw, (f->n_inlines + 1) * sizeof(*f->inlines));
	for (int i = 0; i < f->n_inlines; i++) {
		f->inlines[i].pc = cu->inl[first + i].pc;
		f->inlines[i].die = cu->inl[first + i].die;
		f->inlines[i].caller = cu->inl[first + i].caller;
		f->inlines[i].is_init = dw_addr_is_init(dw, f->inlines[i].pc);
	}
}

/* ---- functions ---- */

struct cand {
	struct dw_ixfunc f;
};

struct collect {
	struct dw_ctx *dw;
	struct vec c;                   /* struct dw_ixfunc */
	const struct dw_spec *spec;
	bool filter_line;
};

static void collect_fn(void *arg, const struct dw_ixfunc *f)
{
	struct collect *col = arg;
	const struct dw_spec *s = col->spec;

	if (col->filter_line && s->lines_kind == 1 && f->line != s->line_lo)
		return;
	if (col->filter_line && s->lines_kind == 2 && (f->line < s->line_lo || f->line > s->line_hi))
		return;
	*(struct dw_ixfunc *)vec_push(col->dw, &col->c) = *f;
}

static int cmp_cand(const void *a, const void *b)
{
	const struct dw_ixfunc *x = a, *y = b;

	if (x->cu != y->cu)
		return x->cu < y->cu ? -1 : 1;
	int c = strcmp(x->name, y->name);
	if (c)
		return c;
	return x->die < y->die ? -1 : x->die > y->die;
}

static int cmp_func(const void *a, const void *b)
{
	const struct dw_func *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	uint64_t px, py;

	if (c)
		return c;
	c = strcmp(x->file ? x->file : "", y->file ? y->file : "");
	if (c)
		return c;
	if (x->line != y->line)
		return x->line - y->line;
	px = x->has_code ? x->entry_pc : x->n_inlines ? x->inlines[0].pc : 0;
	py = y->has_code ? y->entry_pc : y->n_inlines ? y->inlines[0].pc : 0;
	return px < py ? -1 : px > py;
}

static void fill_code(struct dw_ctx *dw, struct dw_func *f, Dwarf_Die *die)
{
	Dwarf_Addr pc, lo, hi;
	Dwarf_Addr *bk = NULL;
	int n;

	f->has_code = die_entry(die, &pc);
	if (!f->has_code)
		return;
	f->entry_pc = pc + dw->bias;
	f->prologue_pc = f->entry_pc;
	f->is_init = dw_addr_is_init(dw, f->entry_pc);
	if (dwarf_highpc(die, &hi) == 0)
		f->high_pc = hi + dw->bias;
	else if (die_first_range(die, &lo, &hi))
		f->high_pc = hi + dw->bias;
	n = dwarf_entry_breakpoints(die, &bk);
	if (n > 0)
		f->prologue_pc = bk[0] + dw->bias;
	free(bk);
}

static int find_funcs(struct dw_ctx *dw, const struct dw_spec *spec, bool filter_line, int flags,
		      struct dw_func **out)
{
	struct collect col = { .dw = dw, .c = { .elem = sizeof(struct dw_ixfunc) }, .spec = spec,
			       .filter_line = filter_line };
	struct vec res = { .elem = sizeof(struct dw_func) };
	struct dw_ixfunc *c;

	dw_index_funcs(dw, spec->func, spec->file, collect_fn, &col);
	c = col.c.v;
	vec_sort(&col.c, cmp_cand);
	for (int i = 0; i < col.c.n;) {
		int j = i;
		const struct dw_ixfunc *abs = NULL;
		int ncode = 0;

		while (j < col.c.n && c[j].cu == c[i].cu && strcmp(c[j].name, c[i].name) == 0) {
			if (c[j].flags & IX_INLINE)
				abs = abs ? abs : &c[j];
			if (c[j].flags & IX_HAS_CODE)
				ncode++;
			j++;
		}
		struct dw_cu *cu = dw_cu_of_off(dw, c[i].cu);
		bool sites_done = false;

		if (cu)
			dw_cu_info(dw, cu);
		/* one result per out-of-line instance; the inline sites go with the first, or
		 * make a result of their own when there is no out-of-line instance */
		for (int k = i; k < j || (ncode == 0 && k == i); k++) {
			const struct dw_ixfunc *e = &c[k];
			Dwarf_Die die;
			struct dw_func f;

			if (ncode && !(e->flags & IX_HAS_CODE))
				continue;
			memset(&f, 0, sizeof(f));
			f.name = dw_strdup(dw, e->name);
			f.file = dw_strdup(dw, e->file);
			f.line = e->line;
			f.cu_name = cu ? cu->name : NULL;
			f.external = !!(e->flags & IX_EXTERNAL);
			f.die = e->die;
			if (ncode && dwarf_offdie(dw->dbg, e->die, &die))
				fill_code(dw, &f, &die);
			f.has_return = f.has_code && !(e->flags & IX_NORETURN);
			f.is_inline_only = !f.has_code;
			if (abs && !sites_done && cu && (flags & DW_FIND_INLINE)) {
				inl_sites(dw, cu, abs->die, &f);
				sites_done = true;
			}
			if (!(flags & DW_FIND_CALL)) {
				f.has_code = 0;
				f.has_return = 0;
			}
			if (!f.has_code && !f.n_inlines)
				continue;
			*(struct dw_func *)vec_push(dw, &res) = f;
			if (ncode == 0)
				break;
		}
		i = j;
	}
	vec_sort(&res, cmp_func);
	*out = res.v ? res.v : dw_alloc(dw, sizeof(struct dw_func));
	return res.n;
}

int dw_find_functions(struct dw_ctx *dw, const char *spec, int flags, struct dw_func **out,
		      char **err)
{
	struct dw_spec s;

	*out = NULL;
	if (dw_parse_spec(dw, spec, &s, err) < 0)
		return -1;
	return find_funcs(dw, &s, true, flags ? flags : DW_FIND_ALL, out);
}

/* ---- labels ---- */

static void walk_labels(struct dw_ctx *dw, Dwarf_Die *die, const char *pat,
			const struct dw_func *f, uint64_t scope, struct vec *out)
{
	Dwarf_Die c;

	if (dwarf_child(die, &c) != 0)
		return;
	do {
		int tag = dwarf_tag(&c);

		if (tag == DW_TAG_label) {
			const char *name = dw_die_name(&c);
			Dwarf_Addr pc;

			if (name && fnmatch(pat, name, 0) == 0 && dwarf_lowpc(&c, &pc) == 0) {
				struct dw_label *l = vec_push(dw, out);

				l->name = dw_strdup(dw, name);
				l->func = f->name;
				l->file = dw_decl_file(dw, &c);
				l->line = dw_decl_line(&c);
				l->pc = pc + dw->bias;
				l->scope_die = scope;
			}
		} else if (tag == DW_TAG_lexical_block) {
			walk_labels(dw, &c, pat, f, scope, out);
		}
	} while (dwarf_siblingof(&c, &c) == 0);
}

static int cmp_label(const void *a, const void *b)
{
	const struct dw_label *x = a, *y = b;
	int c = strcmp(x->func, y->func);

	if (c)
		return c;
	if (x->pc != y->pc)
		return x->pc < y->pc ? -1 : 1;
	return strcmp(x->name, y->name);
}

int dw_find_labels(struct dw_ctx *dw, const char *func_spec, const char *label_pattern,
		   struct dw_label **out, char **err)
{
	struct dw_func *fs;
	struct vec v = { .elem = sizeof(struct dw_label) };
	int n = dw_find_functions(dw, func_spec, DW_FIND_ALL, &fs, err);
	Dwarf_Die die;

	*out = NULL;
	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		if (fs[i].has_code && dwarf_offdie(dw->dbg, fs[i].die, &die))
			walk_labels(dw, &die, label_pattern, &fs[i], fs[i].die, &v);
		for (int k = 0; k < fs[i].n_inlines; k++)
			if (dwarf_offdie(dw->dbg, fs[i].inlines[k].die, &die))
				walk_labels(dw, &die, label_pattern, &fs[i], fs[i].inlines[k].die, &v);
	}
	vec_sort(&v, cmp_label);
	*out = v.v ? v.v : dw_alloc(dw, sizeof(struct dw_label));
	return v.n;
}

/* ---- statements ---- */

struct row {
	Dwarf_Addr addr;
	int line;
};

/* Line-table rows of FILE inside the ranges of DIE. */
static int die_rows(struct dw_ctx *dw, Dwarf_Die *die, const char *file, struct row **out)
{
	Dwarf_Die cudie;
	Dwarf_Lines *lines;
	size_t nl;
	Dwarf_Addr base, lo, hi;
	ptrdiff_t off = 0;
	struct vec v = { .elem = sizeof(struct row) };
	struct dw_cu *cu;

	*out = NULL;
	if (!dwarf_diecu(die, &cudie, NULL, NULL) || dwarf_getsrclines(&cudie, &lines, &nl) != 0)
		return 0;
	cu = dw_cu_of_off(dw, dwarf_dieoffset(&cudie));
	if (!cu)
		return 0;
	while ((off = dwarf_ranges(die, off, &base, &lo, &hi)) > 0) {
		size_t a = 0, b = nl;
		Dwarf_Addr last = 0;
		bool have_last = false;

		while (a < b) {         /* first row with addr >= lo (rows sorted by address) */
			size_t mid = (a + b) / 2;
			Dwarf_Addr ad;

			dwarf_lineaddr(dwarf_onesrcline(lines, mid), &ad);
			if (ad < lo)
				a = mid + 1;
			else
				b = mid;
		}
		for (size_t i = a; i < nl; i++) {
			Dwarf_Line *l = dwarf_onesrcline(lines, i);
			Dwarf_Addr ad;
			Dwarf_Files *fl;
			size_t fidx;
			bool endseq = false;
			int ln;

			dwarf_lineaddr(l, &ad);
			if (ad >= hi)
				break;
			dwarf_lineendsequence(l, &endseq);
			if (endseq || dwarf_lineno(l, &ln) != 0 || ln <= 0)
				continue;
			if (dwarf_line_file(l, &fl, &fidx) != 0)
				continue;
			const char *f = dw_file_by_index(dw, cu, (int)fidx);
			if (!f || !file || strcmp(f, file) != 0)
				continue;
			/* several rows of the file at one address (location views): the address
			 * belongs to the first of them, as SystemTap counts it; is_stmt is not
			 * looked at */
			if (have_last && ad == last)
				continue;
			have_last = true;
			last = ad;
			struct row *r = vec_push(dw, &v);
			r->addr = ad;
			r->line = ln;
		}
	}
	*out = v.v;
	return v.n;
}

static void add_stmt(struct dw_ctx *dw, struct vec *out, const struct dw_func *f, int line,
		     Dwarf_Addr addr, uint64_t scope)
{
	struct dw_stmt *s = vec_push(dw, out);

	s->func = f->name;
	s->file = f->file;
	s->line = line;
	s->pc = addr + dw->bias;
	s->scope_die = scope;
}

/* Statements of one function instance. */
static void inst_stmts(struct dw_ctx *dw, const struct dw_spec *sp, bool nearest,
		       const struct dw_func *f, uint64_t die_off, struct vec *out, int *below,
		       int *above, int end_line)
{
	Dwarf_Die die;
	struct row *rows;
	int n, k, minl = 1 << 30, maxl = 0;

	if (!dwarf_offdie(dw->dbg, die_off, &die))
		return;
	n = die_rows(dw, &die, f->file, &rows);
	/* only the function's own lines: from its declaration to the next function of the
	 * file (lines of other functions of the same file show up through inlining) */
	for (int i = k = 0; i < n; i++)
		if (rows[i].line >= f->line && (!end_line || rows[i].line < end_line))
			rows[k++] = rows[i];
	n = k;
	if (!n)
		return;
	for (int i = 0; i < n; i++) {
		if (rows[i].line < minl)
			minl = rows[i].line;
		if (rows[i].line > maxl)
			maxl = rows[i].line;
	}
	for (int i = 0; i < n; i++) {
		if (rows[i].line < sp->line_lo && rows[i].line > *below)
			*below = rows[i].line;
		if (rows[i].line > sp->line_lo && rows[i].line < *above)
			*above = rows[i].line;
	}
	int lo = sp->lines_kind == 3 ? minl : sp->line_lo;
	int hi = sp->lines_kind == 3 ? maxl : sp->line_hi;
	for (int line = lo < minl ? minl : lo; line <= hi && line <= maxl; line++) {
		Dwarf_Addr best = 0;
		bool found = false;

		for (int i = 0; i < n; i++)
			if (rows[i].line == line && (!found || rows[i].addr < best)) {
				best = rows[i].addr;
				found = true;
			}
		if (found)
			add_stmt(dw, out, f, line, best, die_off);
	}
	if (nearest && sp->lines_kind == 1 && sp->line_lo >= minl && sp->line_lo <= maxl) {
		bool have = false;

		for (int i = 0; i < n && !have; i++)
			have = rows[i].line == sp->line_lo;
		if (!have) {
			int next = 1 << 30;
			Dwarf_Addr best = 0;

			for (int i = 0; i < n; i++)
				if (rows[i].line > sp->line_lo && rows[i].line < next)
					next = rows[i].line;
			for (int i = 0; i < n; i++)
				if (rows[i].line == next && (!best || rows[i].addr < best))
					best = rows[i].addr;
			if (next != 1 << 30)
				add_stmt(dw, out, f, next, best, die_off);
		}
	}
}

struct next_line {
	const char *file, *cu_name;
	uint64_t cu;
	int line, next;
};

static void next_line_fn(void *arg, const struct dw_ixfunc *f)
{
	struct next_line *nl = arg;

	if (f->cu == nl->cu && f->file && strcmp(f->file, nl->file) == 0 && f->line > nl->line &&
	    (!nl->next || f->line < nl->next))
		nl->next = f->line;
}

/* The declaration line of the function that follows F in its file (0 = none known). */
static int next_decl_line(struct dw_ctx *dw, const struct dw_func *f)
{
	struct dw_ixfunc dummy;
	struct next_line nl = { .file = f->file, .line = f->line };
	Dwarf_Die die, cudie;

	(void)dummy;
	if (!f->file || !dwarf_offdie(dw->dbg, f->die, &die) || !dwarf_diecu(&die, &cudie, NULL, NULL))
		return 0;
	nl.cu = dwarf_dieoffset(&cudie);
	dw_index_funcs(dw, NULL, f->file, next_line_fn, &nl);
	return nl.next;
}

static int cmp_stmt(const void *a, const void *b)
{
	const struct dw_stmt *x = a, *y = b;
	int c = strcmp(x->func, y->func);

	if (c)
		return c;
	if (x->line != y->line)
		return x->line - y->line;
	return x->pc < y->pc ? -1 : x->pc > y->pc;
}

int dw_find_statements(struct dw_ctx *dw, const char *spec, int nearest, struct dw_stmt **out,
		       char **err)
{
	struct dw_spec s;
	struct dw_func *fs;
	struct vec v = { .elem = sizeof(struct dw_stmt) };
	int n;

	*out = NULL;
	if (dw_parse_spec(dw, spec, &s, err) < 0)
		return -1;
	if (!s.lines_kind) {
		if (err)
			*err = dw_printf(dw, "statement probe '%s' needs a line number", spec);
		return -1;
	}
	int below = 0, above = 1 << 30;

	n = find_funcs(dw, &s, false, DW_FIND_ALL, &fs);
	for (int i = 0; i < n; i++) {
		int end = next_decl_line(dw, &fs[i]);

		if (fs[i].has_code)
			inst_stmts(dw, &s, nearest, &fs[i], fs[i].die, &v, &below, &above, end);
		for (int k = 0; k < fs[i].n_inlines; k++)
			inst_stmts(dw, &s, nearest, &fs[i], fs[i].inlines[k].die, &v, &below, &above,
				   end);
	}
	if (n > 0 && v.n == 0 && s.lines_kind == 1) {
		const char *hint = "";

		/* like SystemTap: suggest the neighbouring lines that have code, when the
		 * asked one lies between two of them */
		if (below > 0 && above < (1 << 30))
			hint = dw_printf(dw, " (try :%d or :%d)", below, above);
		if (err)
			*err = dw_printf(dw, "no line records for %s:%d [man error::dwarf]%s",
					 fs[0].file ? fs[0].file : s.file, s.line_lo, hint);
		return -1;
	}
	vec_sort(&v, cmp_stmt);
	*out = v.v ? v.v : dw_alloc(dw, sizeof(struct dw_stmt));
	return v.n;
}
