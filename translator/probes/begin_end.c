/* begin_end.c - the lifecycle probes: begin, end, error (each with an optional priority)
 * and never.
 *
 * begin probes run in stp_probes_start() before any event probe is registered, end probes
 * in stp_probes_stop() after every event probe is gone, in priority order (lower first,
 * then source order). error probes run instead of end probes when the session had runtime
 * errors. never probes are checked but never run.
 */
#include "probes.h"
#include "../arena.h"

#include <limits.h>
#include <string.h>

extern const struct probe_family begin_end_family;

static const char *const kinds[] = { "begin", "end", "error", "never" };

static int kind_of(const struct node *point)
{
	const struct pp_comp *c = point->pp;

	if (!c || c->next)
		return -1;
	for (int i = 0; i < 4; i++)
		if (strcmp(c->name, kinds[i]) == 0)
			return i;
	return -1;
}

static int match(const struct node *point)
{
	return kind_of(point) >= 0;
}

static int resolve(struct session *s, const struct node *point, struct probe_info *proto,
		   void (*add)(struct probe_info *, const char *, void *, int))
{
	const struct pp_comp *c = point->pp;
	int kind = kind_of(point), priority = 0;

	if (c->arg) {
		if (c->arg->kind != N_NUMBER || kind == 3) {
			diag_semantic_error(&c->arg->loc, c->arg->tok_desc,
					    "probe point '%s' takes no such parameter", c->name);
			return -1;
		}
		/* (priorities beyond int keep their order: init is begin(INT64_MIN)) */
		priority = c->arg->num < INT_MIN ? INT_MIN :
			   c->arg->num > INT_MAX ? INT_MAX : (int)c->arg->num;
	}
	add(proto, pp_to_string(point), (void *)(long)kind, priority);
	return 0;
}

static int probe_kind(const struct probe_info *pi)
{
	return (int)(long)pi->family_data;
}

/* Emits `static const struct stp_probe *const NAME[]` with the probes of one kind in
 * priority order (a stable insertion sort keeps source order among equal priorities). */
static void emit_list(struct emitter *e, struct program *p, int kind, const char *name)
{
	struct probe_info **v = arena_alloc(g_arena, (size_t)(p->nprobes + 1) * sizeof(*v));
	int n = 0;

	for (struct probe_info *pi = p->probes; pi; pi = pi->next) {
		if (pi->family != &begin_end_family || probe_kind(pi) != kind)
			continue;
		int i = n++;
		while (i > 0 && v[i - 1]->priority > pi->priority) {
			v[i] = v[i - 1];
			i--;
		}
		v[i] = pi;
	}
	if (!n)
		return;
	emit(e, "static const struct stp_probe *const %s[] = {", name);
	for (int i = 0; i < n; i++)
		emit(e, "&stp_probe_%d,", v[i]->index);
	emit(e, "};");
}

static int count_kind(struct program *p, int kind)
{
	int n = 0;

	for (struct probe_info *pi = p->probes; pi; pi = pi->next)
		if (pi->family == &begin_end_family && probe_kind(pi) == kind)
			n++;
	return n;
}

static void emit_decls(struct emitter *e, struct program *p)
{
	emit_list(e, p, 0, "stp_begin_probes");
	emit_list(e, p, 1, "stp_end_probes");
	emit_list(e, p, 2, "stp_error_probes");
}

static void emit_start(struct emitter *e, struct program *p, const char *fail_label)
{
	int n = count_kind(p, 0);

	if (n)
		emit(e, "stp_run_probe_list(stp_begin_probes, %d);", n);
}

/* As in SystemTap, a session that ends after runtime errors skips its end probes and
 * runs its error probes instead; errors that --suppress-handler-errors swallowed (counted
 * all the same) end nothing, so the end probes run. */
static void emit_stop(struct emitter *e, struct program *p)
{
	int nend = count_kind(p, 1), nerr = count_kind(p, 2);

	if (!nend && !nerr)
		return;
	emit(e, "#ifndef STAP_SUPPRESS_HANDLER_ERRORS");
	emit(e, "if (atomic_read(&stp_error_count)) {");
	if (nerr)
		emit(e, "stp_run_probe_list(stp_error_probes, %d);", nerr);
	emit(e, "} else");
	emit(e, "#endif");
	emit(e, "{");
	if (nend)
		emit(e, "stp_run_probe_list(stp_end_probes, %d);", nend);
	emit(e, "}");
}

const struct probe_family begin_end_family = {
	.name = "begin/end",
	.match = match,
	.resolve = resolve,
	.emit_decls = emit_decls,
	.emit_start = emit_start,
	.emit_stop = emit_stop,
	.order = 0,
};
