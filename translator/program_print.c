/* program_print.c - prints the elaborated program for stap -p2, in SystemTap's layout:
 *
 *   # globals
 *   count:long
 *   seen:long [string, long]          arrays: value type, then the key types
 *   # functions                       sorted by name (overloads in declaration order)
 *   f:string (x:long, y:string)       void functions print as "unknown", as stap does
 *     # locals
 *     z:string
 *   # probes                          in derivation order
 *   timer.s(1) if (g) ...             the concrete point, '?'/'!' and its condition,
 *     # locals                        then a comment "<- a = timer.s(1) <- a": the alias
 *     w:long                          definitions it went through, innermost first, and
 *                                     the probe's points as the script wrote them
 *
 * With -v the bodies follow. A listing (-l, -L, --dump-*) is printed instead when one was
 * asked for.
 */
#include "elaborate.h"
#include "parse.h"
#include "probes/probes.h"

#include <stdlib.h>
#include <string.h>

static const char *print_type(enum stap_type t)
{
	return t == T_VOID ? "unknown" : type_name(t);
}

static void print_symbols(FILE *out, const struct symbol *list, const char *indent)
{
	for (; list; list = list->next)
		fprintf(out, "%s%s:%s\n", indent, list->name, print_type(list->type));
}

static void print_global(FILE *out, const struct symbol *g)
{
	fprintf(out, "%s:%s", g->name, print_type(g->type));
	if (g->is_array && g->nkeys > 0) {
		fputs(" [", out);
		for (int i = 0; i < g->nkeys && i < 9; i++)
			fprintf(out, "%s%s", i ? ", " : "", print_type(g->key_types[i]));
		fputc(']', out);
	}
	fputc('\n', out);
}

static int compare_functions(const void *a, const void *b)
{
	const struct function_info *x = *(const struct function_info *const *)a;
	const struct function_info *y = *(const struct function_info *const *)b;
	int r = strcmp(x->name, y->name);
	return r ? r : x->index - y->index;
}

static void print_body(FILE *out, const struct node *body)
{
	if (!body)
		return;
	ast_print_node(out, body);
	fputc('\n', out);
}

void program_print(FILE *out, const struct program *p)
{
	if (p->listing) {
		fputs(p->listing, out);
		return;
	}
	int any = 0;
	for (const struct symbol *g = p->globals; g; g = g->next)
		if (g->used) {
			if (!any++)
				fprintf(out, "# globals\n");
			print_global(out, g);
		}

	int nf = 0;
	for (const struct function_info *f = p->functions; f; f = f->next)
		nf += f->used;
	if (nf) {
		const struct function_info **v = malloc((size_t)nf * sizeof(*v));
		int i = 0;
		for (const struct function_info *f = p->functions; f; f = f->next)
			if (f->used)
				v[i++] = f;
		qsort(v, nf, sizeof(*v), compare_functions);
		fprintf(out, "# functions\n");
		for (i = 0; i < nf; i++) {
			const struct function_info *f = v[i];
			fprintf(out, "%s:%s (", f->name, print_type(f->ret_type));
			for (const struct symbol *a = f->params; a; a = a->next)
				fprintf(out, "%s%s:%s", a == f->params ? "" : ", ", a->name,
					print_type(a->type));
			fprintf(out, ")\n");
			if (f->locals) {
				fprintf(out, "  # locals\n");
				print_symbols(out, f->locals, "  ");
			}
			if (p->print_bodies && !f->is_embedded)
				print_body(out, f->decl->body);
		}
		free(v);
	}

	fprintf(out, "# probes\n");
	for (const struct probe_info *pi = p->probes; pi; pi = pi->next) {
		const struct node *pt = pi->point;
		fprintf(out, "%s%s", pi->pp, pt && pt->sufficient ? "!" : pt && pt->optional ? "?" : "");
		if (pi->condition)
			fprintf(out, " if (%s)", node_text(pi->condition));
		fprintf(out, " /* <- %s */\n", pi->derivation ? pi->derivation
				 : pt ? point_text(pt) : pi->pp);
		if (pi->locals_head && *pi->locals_head) {
			fprintf(out, "  # locals\n");
			print_symbols(out, *pi->locals_head, "  ");
		}
		if (p->print_bodies)
			print_body(out, pi->body);
	}
}
