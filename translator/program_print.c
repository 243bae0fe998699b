/* program_print.c - prints the elaborated program for stap -p2, in SystemTap's layout:
 * "# globals", "# functions" with types, "# probes" with each resolved point, the point
 * it was written as, and its locals. */
#include "elaborate.h"
#include "probes/probes.h"

static void print_symbols(FILE *out, const struct symbol *list, const char *indent)
{
	for (; list; list = list->next)
		fprintf(out, "%s%s:%s\n", indent, list->name, type_name(list->type));
}

void program_print(FILE *out, const struct program *p)
{
	int any = 0;

	for (const struct symbol *g = p->globals; g; g = g->next)
		if (g->used) {
			if (!any++)
				fprintf(out, "# globals\n");
			fprintf(out, "%s:%s\n", g->name, type_name(g->type));
		}
	any = 0;
	for (const struct function_info *f = p->functions; f; f = f->next) {
		if (!f->used)
			continue;
		if (!any++)
			fprintf(out, "# functions\n");
		fprintf(out, "%s:%s (", f->name, type_name(f->ret_type));
		for (const struct symbol *a = f->params; a; a = a->next)
			fprintf(out, "%s%s:%s", a == f->params ? "" : ", ", a->name, type_name(a->type));
		fprintf(out, ")\n");
		if (f->locals) {
			fprintf(out, "  # locals\n");
			print_symbols(out, f->locals, "  ");
		}
	}
	fprintf(out, "# probes\n");
	for (const struct probe_info *pi = p->probes; pi; pi = pi->next) {
		fprintf(out, "%s /* <- %s */\n", pi->pp, pp_to_string(pi->point));
		if (pi->locals_head && *pi->locals_head) {
			fprintf(out, "  # locals\n");
			print_symbols(out, *pi->locals_head, "  ");
		}
	}
}
