/* registry.c - the table of probe-point families, and helpers they share. */
#include "probes.h"
#include "../arena.h"

#include <string.h>

extern const struct probe_family begin_end_family;
extern const struct probe_family timer_family;
extern const struct probe_family tracepoint_family;
extern const struct probe_family kprobe_family;
extern const struct probe_family dwarf_family;
extern const struct probe_family callee_family;

/* Tried in order: the first family whose match() accepts a point resolves it. */
const struct probe_family *const probe_families[] = {
	&begin_end_family,
	&timer_family,
	&tracepoint_family,
	&kprobe_family,
	&dwarf_family,
	&callee_family,         /* resolved through dwarf_family; listed for code generation */
	NULL,
};

int probes_of_family(const struct program *p, const struct probe_family *f)
{
	int n = 0;

	for (const struct probe_info *pi = p->probes; pi; pi = pi->next)
		n += pi->family == f;
	return n;
}

/* Module start/stop code for a family whose probes sit in one array ARRAY, registered by
 * the runtime's stp_KIND_register(ARRAY, N) and stp_KIND_unregister(ARRAY, N). */
void emit_register_array(struct emitter *e, const struct program *p, const struct probe_family *f,
			 const char *kind, const char *array, const char *fail_label)
{
	emit(e, "rc = stp_%s_register(%s, %d);", kind, array, probes_of_family(p, f));
	emit(e, "if (rc)");
	emit(e, "\tgoto %s;", fail_label);
}

void emit_unregister_array(struct emitter *e, const struct program *p,
			   const struct probe_family *f, const char *kind, const char *array)
{
	emit(e, "stp_%s_unregister(%s, %d);", kind, array, probes_of_family(p, f));
}

int probe_has_family(const struct program *p, const struct probe_family *f)
{
	for (const struct probe_info *pi = p->probes; pi; pi = pi->next)
		if (pi->family == f)
			return 1;
	return 0;
}

const struct pp_comp *pp_comp_at(const struct node *point, int n)
{
	const struct pp_comp *c = point->pp;

	while (c && n-- > 0)
		c = c->next;
	return c;
}

const char *pp_to_string(const struct node *point)
{
	const char *s = "";

	for (const struct pp_comp *c = point->pp; c; c = c->next) {
		const char *arg = "";
		if (c->arg && c->arg->kind == N_STRING)
			arg = arena_printf(g_arena, "(\"%s\")", c->arg->str);
		else if (c->arg && c->arg->kind == N_NUMBER)
			arg = arena_printf(g_arena, "(%lld)", (long long)c->arg->num);
		s = arena_printf(g_arena, "%s%s%s%s", s, c == point->pp ? "" : ".", c->name, arg);
	}
	return s;
}
