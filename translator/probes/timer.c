/* timer.c - interval timers: timer.s(N) (also timer.sec), .ms, .us, .ns, .hz, .jiffies,
 * each with an optional .randomize(M) in the same unit. Each probe becomes one runtime
 * stp_timer (runtime/linux/timer.c), an hrtimer started after the begin probes.
 *
 * timer.profile and timer.profile.tick: every CPU's tick (runtime/linux/profile.c, a
 * pinned hrtimer per CPU at the tick's rate). pp() is "timer.profile.tick" for both, as
 * SystemTap reports timer.profile where the tick hook exists.
 */
#include "probes.h"
#include "../arena.h"

#include <string.h>

extern const struct probe_family timer_family;

#define A(...) arena_printf(g_arena, __VA_ARGS__)

struct timer_data {
	const char *period;          /* C expression, nanoseconds */
	const char *randomize;       /* C expression, nanoseconds */
	int profile;                 /* timer.profile: every CPU's tick */
};

/* The C expression for N units of the named kind in nanoseconds, or NULL. */
static const char *unit_ns(const char *unit, long long n)
{
	if (!strcmp(unit, "s") || !strcmp(unit, "sec"))
		return A("%lldULL * NSEC_PER_SEC", n);
	if (!strcmp(unit, "ms") || !strcmp(unit, "msec"))
		return A("%lldULL * NSEC_PER_MSEC", n);
	if (!strcmp(unit, "us") || !strcmp(unit, "usec"))
		return A("%lldULL * NSEC_PER_USEC", n);
	if (!strcmp(unit, "ns") || !strcmp(unit, "nsec"))
		return A("%lldULL", n);
	if (!strcmp(unit, "jiffies"))
		return A("%lldULL * (NSEC_PER_SEC / HZ)", n);
	if (!strcmp(unit, "hz"))
		return n ? A("(NSEC_PER_SEC / %lldULL)", n) : NULL;
	return NULL;
}

static int match(const struct node *point)
{
	const struct pp_comp *c = point->pp;

	return c && !strcmp(c->name, "timer") && c->next;
}

/* timer.profile[.tick] */
static int resolve_profile(const struct node *point, struct probe_info *proto,
			   void (*add)(struct probe_info *, const char *, void *, int))
{
	const struct pp_comp *prof = point->pp->next, *tick = prof->next;

	if (prof->arg || (tick && (strcmp(tick->name, "tick") || tick->arg || tick->next))) {
		diag_semantic_error(&prof->loc, point->tok_desc,
				    "probe point mismatch: expected timer.profile or timer.profile.tick");
		return -1;
	}
	struct timer_data *d = NEW(struct timer_data);
	d->profile = 1;
	add(proto, "timer.profile.tick", d, 0);
	return 0;
}

static int resolve(struct session *s, const struct node *point, struct probe_info *proto,
		   void (*add)(struct probe_info *, const char *, void *, int))
{
	const struct pp_comp *unit = point->pp->next, *rnd = unit->next;

	if (!strcmp(unit->name, "profile"))
		return resolve_profile(point, proto, add);
	if (!unit->arg || unit->arg->kind != N_NUMBER || unit->arg->num <= 0 ||
	    !unit_ns(unit->name, (long long)unit->arg->num)) {
		diag_semantic_error(&unit->loc, point->tok_desc,
				    "probe point mismatch: timer.%s needs a positive number, e.g. timer.ms(100)",
				    unit->name);
		return -1;
	}
	if (rnd && (strcmp(rnd->name, "randomize") || !rnd->arg || rnd->arg->kind != N_NUMBER ||
		    rnd->arg->num < 0 || rnd->next)) {
		diag_semantic_error(&rnd->loc, point->tok_desc,
				    "probe point mismatch: expected .randomize(N) after timer.%s(N)",
				    unit->name);
		return -1;
	}
	struct timer_data *d = NEW(struct timer_data);
	d->period = unit_ns(unit->name, (long long)unit->arg->num);
	d->randomize = rnd ? unit_ns(unit->name, (long long)rnd->arg->num) : "0";
	if (!strcmp(unit->name, "hz") && rnd)
		d->randomize = A("%lldULL", (long long)rnd->arg->num);
	add(proto, pp_to_string(point), d, 0);
	return 0;
}

/* The family's probes of one kind: interval timers (profile 0) or profile ticks. */
static int count(const struct program *p, int profile)
{
	int n = 0;

	for (const struct probe_info *pi = p->probes; pi; pi = pi->next)
		n += pi->family == &timer_family &&
		     ((const struct timer_data *)pi->family_data)->profile == profile;
	return n;
}

static void emit_decls(struct emitter *e, struct program *p)
{
	emit(e, "#include \"linux/stp_timer.h\"");
	emit(e, "static struct stp_timer stp_timers[] = {");
	for (struct probe_info *pi = p->probes; pi; pi = pi->next) {
		const struct timer_data *d = pi->family_data;

		if (pi->family == &timer_family && !d->profile)
			emit(e, "{ .probe = &stp_probe_%d, .period_ns = %s, .randomize_ns = %s },",
			     pi->index, d->period, d->randomize);
	}
	emit(e, "};");
	if (!count(p, 1))
		return;
	emit(e, "#include \"linux/stp_profile.h\"");
	emit(e, "static struct stp_profile stp_profiles[] = {");
	for (struct probe_info *pi = p->probes; pi; pi = pi->next) {
		const struct timer_data *d = pi->family_data;

		if (pi->family == &timer_family && d->profile)
			emit(e, "{ .probe = &stp_probe_%d },", pi->index);
	}
	emit(e, "};");
}

static void emit_start(struct emitter *e, struct program *p, const char *fail_label)
{
	emit(e, "rc = stp_timers_start(stp_timers, %d);", count(p, 0));
	emit(e, "if (rc)");
	emit(e, "\tgoto %s;", fail_label);
	if (!count(p, 1))
		return;
	emit(e, "rc = stp_profile_start(stp_profiles, %d);", count(p, 1));
	emit(e, "if (rc) {");
	emit(e, "\tstp_timers_stop(stp_timers, %d);", count(p, 0));
	emit(e, "\tgoto %s;", fail_label);
	emit(e, "}");
}

static void emit_stop(struct emitter *e, struct program *p)
{
	if (count(p, 1))
		emit(e, "stp_profile_stop(stp_profiles, %d);", count(p, 1));
	emit(e, "stp_timers_stop(stp_timers, %d);", count(p, 0));
}

const struct probe_family timer_family = {
	.name = "timer",
	.match = match,
	.resolve = resolve,
	.emit_decls = emit_decls,
	.emit_start = emit_start,
	.emit_stop = emit_stop,
	.order = 10,
};
