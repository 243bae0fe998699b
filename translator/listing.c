/* listing.c - stap -l / -L PATTERN and the --dump-* listings.
 *
 *   -l PATTERN            the probe points PATTERN matches, one per line, sorted: alias
 *                         names for aliases, the families' canonical points otherwise
 *                         (begin, timer.s(1), kernel.function("vfs_read@fs/read_write.c:450"))
 *   -L PATTERN            the same with the variables: an alias's locals (name:type, as
 *                         its prologue sets them), a family's target variables through
 *                         its list_vars hook
 *   --dump-probe-types    the built-in probe point patterns of the registered families
 *   --dump-probe-aliases  every library alias: "name = targets" / "name += targets"
 *   --dump-functions      every library function: "name:type (arg:type, ...)" with
 *                         its privilege pragma
 *
 * options.c turns -l/-L into the script "probe PATTERN {}" and stops after pass 2;
 * elaboration hands over to listing_run(), and program_print() prints p->listing. A
 * listing that matches nothing prints nothing and exits with status 1, as stap does.
 */
#define _GNU_SOURCE
#include "elaborate.h"
#include "arena.h"
#include "probes/probes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define A(...) arena_printf(g_arena, __VA_ARGS__)

/* Every probe point pattern the families in this tree understand; those whose family is
 * not registered (yet) are left out by probe_type_patterns(). */
static const char *const known_patterns[] = {
	"begin", "begin(number)", "end", "end(number)", "error", "error(number)", "never",
	"kernel.function(number)", "kernel.function(number).return",
	"kernel.function(number).return.maxactive(number)",
	"kernel.function(string)", "kernel.function(string).call",
	"kernel.function(string).callee(string)", "kernel.function(string).callee(string).call",
	"kernel.function(string).callee(string).return", "kernel.function(string).callees",
	"kernel.function(string).callees(number)",
	"kernel.function(string).exported", "kernel.function(string).inline",
	"kernel.function(string).label(string)", "kernel.function(string).return",
	"kernel.function(string).return.maxactive(number)",
	"kernel.statement(number)", "kernel.statement(number).absolute",
	"kernel.statement(string)", "kernel.statement(string).nearest",
	"kernel.trace(string)",
	"kprobe.function(string)", "kprobe.function(string).return",
	"kprobe.function(string).return.maxactive(number)",
	"kprobe.module(string).function(string)",
	"kprobe.module(string).function(string).return",
	"kprobe.statement(number).absolute",
	"timer.hz(number)", "timer.profile", "timer.profile.tick",
	"timer.jiffies(number)", "timer.jiffies(number).randomize(number)",
	"timer.ms(number)", "timer.ms(number).randomize(number)",
	"timer.msec(number)", "timer.msec(number).randomize(number)",
	"timer.ns(number)", "timer.ns(number).randomize(number)",
	"timer.nsec(number)", "timer.nsec(number).randomize(number)",
	"timer.s(number)", "timer.s(number).randomize(number)",
	"timer.sec(number)", "timer.sec(number).randomize(number)",
	"timer.us(number)", "timer.us(number).randomize(number)",
	"timer.usec(number)", "timer.usec(number).randomize(number)",
};

/* A probe point built from a pattern, with placeholder arguments. */
static struct node *pattern_point(const char *text)
{
	struct node *p = node_new(N_PROBE_POINT, NULL);
	struct pp_comp **tail = &p->pp;

	for (const char *s = text; *s;) {
		size_t len = strcspn(s, ".(");
		struct pp_comp *c = NEW(struct pp_comp);
		c->name = arena_strndup(g_arena, s, len);
		s += len;
		if (*s == '(') {
			if (s[1] == 'n') {
				c->arg = node_new(N_NUMBER, NULL);
				c->arg->num = 1;
			} else {
				c->arg = node_new(N_STRING, NULL);
				c->arg->str = "x";
				c->arg->len = 1;
			}
			const char *close = strchr(s, ')');
			s = close ? close + 1 : s + strlen(s);
		}
		*tail = c;
		tail = &c->next;
		if (*s == '.')
			s++;
	}
	p->tok_desc = A("identifier '%s'", p->pp ? p->pp->name : "");
	return p;
}

const char *const *probe_type_patterns(int *n)
{
	static const char **v;
	static int count;

	if (!v) {
		size_t total = sizeof(known_patterns) / sizeof(known_patterns[0]);
		v = arena_alloc(g_arena, (total + 1) * sizeof(*v));
		for (size_t i = 0; i < total; i++) {
			struct node *p = pattern_point(known_patterns[i]);
			for (int f = 0; probe_families[f]; f++)
				if (probe_families[f]->match(p)) {
					v[count++] = known_patterns[i];
					break;
				}
		}
	}
	*n = count;
	return v;
}

/* ---- output lines ---- */

struct lines {
	const char **v;
	int n, cap;
};

static void add_line(struct lines *l, const char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		const char **v = arena_alloc(g_arena, (size_t)l->cap * sizeof(*v));
		if (l->n)
			memcpy(v, l->v, (size_t)l->n * sizeof(*v));
		l->v = v;
	}
	l->v[l->n++] = s;
}

static int compare_lines(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorted, without repeats (unless keep_repeats), one per line. */
static const char *join_lines(struct lines *l, int keep_repeats)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	qsort(l->v, l->n, sizeof(*l->v), compare_lines);
	for (int i = 0; i < l->n; i++)
		if (keep_repeats || i == 0 || strcmp(l->v[i], l->v[i - 1]))
			fprintf(f, "%s\n", l->v[i]);
	fclose(f);
	const char *s = arena_strdup(g_arena, buf ? buf : "");
	free(buf);
	return s;
}

static const char *print_type(enum stap_type t)
{
	return t == T_VOID ? "unknown" : type_name(t);
}

/* ---- dumps ---- */

static const char *dump_functions(struct program *p)
{
	struct lines l = { 0 };

	for (struct function_info *f = p->functions; f; f = f->next) {
		if (!f->is_tapset || f->name[0] == '_' || (f->decl->flags & FF_PRIVATE))
			continue;
		const char *s = A("%s:%s (", f->name, print_type(f->decl->decl_type));
		for (struct node *a = f->decl->args; a; a = a->next)
			s = A("%s%s%s:%s", s, a == f->decl->args ? "" : ", ", a->name,
			      print_type(a->decl_type));
		s = A("%s)", s);
		if (f->flags & FF_UNPRIVILEGED)
			s = A("%s /* unprivileged */", s);
		else if (f->flags & FF_MYPROC_UNPRIVILEGED)
			s = A("%s /* myproc-unprivileged */", s);
		add_line(&l, s);
	}
	return join_lines(&l, 1);
}

static const char *dump_aliases(struct program *p)
{
	struct lines l = { 0 };

	for (struct alias_info *a = p->aliases; a; a = a->next) {
		if (a->name[0] == '_' || !a->decl->loc.file || !a->decl->loc.file->is_tapset)
			continue;
		const char *s = A("%s %s ", a->name, a->decl->is_epilogue ? "+=" : "=");
		for (struct node *t = a->decl->alias_targets; t; t = t->next)
			s = A("%s%s%s", s, t == a->decl->alias_targets ? "" : ", ", point_text(t));
		add_line(&l, s);
	}
	return join_lines(&l, 1);
}

static const char *dump_types(void)
{
	struct lines l = { 0 };
	int n;
	const char *const *v = probe_type_patterns(&n);

	for (int i = 0; i < n; i++)
		add_line(&l, v[i]);
	return join_lines(&l, 0);
}

/* ---- -l / -L ---- */

static int ncomps(const struct node *point)
{
	int n = 0;
	for (const struct pp_comp *c = point->pp; c; c = c->next)
		n++;
	return n;
}

static int wildcard(const struct node *point)
{
	for (const struct pp_comp *c = point->pp; c; c = c->next)
		if (strchr(c->name, '*'))
			return 1;
	return 0;
}

static const char *family_vars(struct session *s, const struct probe_info *pi)
{
	char *buf = NULL;
	size_t size = 0;

	if (!pi->family || !pi->family->list_vars)
		return "";
	FILE *f = open_memstream(&buf, &size);
	diag_speculate_begin();
	pi->family->list_vars(s, pi, f);
	diag_speculate_end();
	fclose(f);
	const char *r = arena_strdup(g_arena, buf ? buf : "");
	free(buf);
	return r;
}

static const char *alias_vars(const struct probe_info *pi)
{
	const char *s = "";

	if (!pi->locals_head)
		return s;
	for (const struct symbol *l = *pi->locals_head; l; l = l->next)
		if (strncmp(l->name, "__", 2) != 0)
			s = A("%s %s:%s", s, l->name, print_type(l->type));
	return s;
}

struct entry {
	const char *name;
	struct probe_info *pi;
	int is_alias;
};

/* The points to list, in the order the script names them (arena-backed, grows by doubling). */
struct entry_list {
	struct entry *v;
	int n, cap;
};

static void push_entry(struct entry_list *el, struct entry e)
{
	if (el->n == el->cap) {
		el->cap = el->cap ? el->cap * 2 : 32;
		struct entry *v = arena_alloc(g_arena, (size_t)el->cap * sizeof(*v));
		if (el->n)
			memcpy(v, el->v, (size_t)el->n * sizeof(*v));
		el->v = v;
	}
	el->v[el->n++] = e;
}

int listing_run(struct session *s, struct program *p, struct elab_ctx *ctx)
{
	struct lines l = { 0 };

	if (elab_opts.dump) {
		if (elab_opts.dump != DUMP_PROBE_TYPES)
			elab_load_everything(ctx);
		p->listing = elab_opts.dump == DUMP_FUNCTIONS ? dump_functions(p)
			   : elab_opts.dump == DUMP_PROBE_ALIASES ? dump_aliases(p) : dump_types();
		return 0;
	}

	struct entry_list el = { 0 };
	for (struct node *d = s->user_script->decls; d; d = d->next) {
		if (d->kind != N_PROBE)
			continue;
		for (struct node *pt = d->points; pt; pt = pt->next) {
			struct alias_info **aliases;
			int na = elab_matching_aliases(ctx, pt, &aliases), exact = 0;
			for (int i = 0; i < na; i++) {
				if (aliases[i]->ncomps != ncomps(pt))
					continue;
				exact++;
				int dup = 0;
				for (int j = 0; j < el.n && !dup; j++)
					dup = el.v[j].is_alias && !strcmp(el.v[j].name, aliases[i]->name);
				if (dup)
					continue;
				struct node *ap = node_new(N_PROBE_POINT, &pt->loc);
				*ap = *aliases[i]->decl->points;
				ap->next = NULL;
				ap->optional = 0;
				struct probe_info *first = NULL;
				if (elab_derive_listing(ctx, ap, 0, &first) <= 0)
					continue;
				push_entry(&el, (struct entry){ aliases[i]->name, first, 1 });
			}
			if (exact && !wildcard(pt))
				continue;
			struct probe_info *first = NULL;
			int got = elab_derive_listing(ctx, pt, exact > 0, &first);
			for (struct probe_info *pi = first; pi && got-- > 0; pi = pi->next)
				push_entry(&el, (struct entry){ pi->pp, pi, 0 });
		}
	}
	if (elab_opts.list == 2)
		elab_resolve_quiet(ctx);
	for (int i = 0; i < el.n; i++) {
		const char *vars = "";
		if (elab_opts.list == 2)
			vars = el.v[i].is_alias ? alias_vars(el.v[i].pi)
						   : family_vars(s, el.v[i].pi);
		add_line(&l, A("%s%s", el.v[i].name, vars));
	}
	if (!el.n) {
		/* stap prints nothing and fails quietly. */
		fflush(stdout);
		exit(1);
	}
	p->listing = join_lines(&l, 0);
	return 0;
}
