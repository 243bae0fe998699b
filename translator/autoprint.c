/* autoprint.c - the end probes that print the globals a script writes but never reads.
 *
 * SystemTap shows, when a script ends, every global of the user's script that some probe
 * or function assigns (=, op=, ++, --, <<<) but that nothing reads once the program is
 * optimized (types.c's mark_display_uses(): a `delete` counts as a read, so does a probe
 * condition, and so does an increment or operator-assignment whose value is used, as in
 * `if (n++)`, unlike one standing as a statement; `probe never` bodies count like any
 * other). Library globals never are. This file
 * picks them and writes, in the order the script first refers to them, one `probe end`
 * per variable in the script language; elaborate.c parses, resolves and types those
 * probes like the user's own, after them:
 *
 *   count=3                                a long
 *   name="text"                            a string
 *   hits["a",2]=7                          an array, by value, largest first
 *   lat @count=2 @min=1 @max=5 @sum=6 @avg=3     a statistic
 *   lat @count=0x0                         an empty one
 *   lat[4] @count=1 @min=9 @max=9 @sum=9 @avg=9  an array of statistics
 */
#include "elaborate.h"
#include "arena.h"
#include "types.h"

#include <stdlib.h>

#define A(...) arena_printf(g_arena, __VA_ARGS__)

static int by_first_use(const void *a, const void *b)
{
	const struct symbol *x = *(const struct symbol *const *)a;
	const struct symbol *y = *(const struct symbol *const *)b;

	return x->first_use - y->first_use;
}

/* The printf conversion showing a value of type t (strings quoted); keys use %#d. */
static const char *conv(enum stap_type t, int key)
{
	if (t == T_STRING)
		return "\\\"%#s\\\"";
	return key ? "%#d" : "%d";
}

/* printf of "HEAD @count=.. @min=.. @max=.. @sum=.. @avg=.." for the statistic `of`, the
 * values of HEAD's conversions (keys) in args ("" or ", k1, k2"). */
static const char *stat_line(const char *head, const char *args, const char *of)
{
	static const char *const ops[] = { "count", "min", "max", "sum", "avg" };
	const char *fmt = head;

	for (int i = 0; i < 5; i++) {
		fmt = A("%s @%s=%%#d", fmt, ops[i]);
		args = A("%s, @%s(%s)", args, ops[i], of);
	}
	return A("printf(\"%s\\n\"%s)", fmt, args);
}

static const char *display_scalar(const struct symbol *g)
{
	if (g->type == T_STATS)
		return A("if (@count(%s) == 0) printf(\"%s @count=0x0\\n\") else %s", g->name,
			 g->name, stat_line(g->name, "", g->name));
	return A("printf(\"%s=%s\\n\", %s)", g->name, conv(g->type, 0), g->name);
}

static const char *display_array(const struct symbol *g)
{
	const char *keys = "", *fmt = A("%s[", g->name);

	for (int i = 0; i < g->nkeys; i++) {
		keys = A("%s%s__idx%d", keys, i ? ", " : "", i);
		fmt = A("%s%s%s", fmt, i ? "," : "", conv(g->key_types[i], 1));
	}
	fmt = A("%s]", fmt);
	if (g->type == T_STATS)
		return A("foreach ([%s] in %s-) %s", keys, g->name,
			 stat_line(fmt, A(", %s", keys), A("%s[%s]", g->name, keys)));
	return A("foreach (__val = [%s] in %s-) printf(\"%s=%s\\n\", %s, __val)", keys, g->name,
		 fmt, conv(g->type, 0), keys);
}

const char *autoprint_script(struct program *p)
{
	const struct symbol **shown;
	const char *text = NULL;
	int n = 0, nglobals = 0;

	for (const struct symbol *g = p->globals; g; g = g->next)
		nglobals++;
	shown = arena_alloc(g_arena, ((size_t)nglobals + 1) * sizeof(*shown));
	mark_display_uses(p);
	for (const struct symbol *g = p->globals; g; g = g->next)
		if (g->used && !g->is_tapset && g->decl && g->decl->kind == N_GLOBAL &&
		    g->written && !g->read && g->type != T_UNKNOWN)
			shown[n++] = g;
	mark_reads_writes(p);
	qsort(shown, (size_t)n, sizeof(*shown), by_first_use);
	for (int i = 0; i < n; i++) {
		const struct symbol *g = shown[i];
		text = A("%sprobe end {\n%s\n}\n", text ? text : "",
			 g->nkeys ? display_array(g) : display_scalar(g));
	}
	return text;
}
