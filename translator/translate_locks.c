/* translate_locks.c - which globals each probe handler locks, and how.
 *
 * Every global that needs one has a lock (stp_rwlock_t: a reader count, or a writer). A
 * handler takes, before its body runs, the lock of each global its body or the functions
 * it calls (transitively) use: a write lock for globals it assigns, increments, deletes or
 * adds statistics to, a read lock for the others. Locks are taken in one global order (by
 * index) with bounded trylocks, so two handlers can never deadlock; a handler that can't
 * get a lock in time is skipped and counted.
 *
 * Only event probes (kprobes, timers, tracepoints...) can run at the same time as other
 * probes: begin probes all run before the first event probe is registered, end and error
 * probes after the last one is gone, one after another. So lifecycle probes take no locks,
 * and a global that no event probe writes (set in begin, read by event probes) has no lock
 * at all: only globals written by some event probe are locked, and only by event probes.
 */
#include "translate.h"
#include "arena.h"
#include "ast_walk.h"
#include "probes/probes.h"

#include <string.h>

#define A(...) arena_printf(g_arena, __VA_ARGS__)

enum { LOCK_NONE = 0, LOCK_READ = 1, LOCK_WRITE = 2 };

struct lock_scan {
	struct program *prog;
	unsigned char *mode;             /* per global index */
	struct function_info **seen;     /* functions already walked */
	int nseen;
};

static int nglobals(const struct program *p)
{
	int n = 0;

	for (struct symbol *s = p->globals; s; s = s->next)
		n++;
	return n;
}

static void note(struct lock_scan *ls, struct node *n, int mode)
{
	struct symbol *sym = NULL;

	if (n->kind == N_SYMBOL)
		sym = n->sym;
	else if (n->kind == N_INDEX && n->base->kind == N_SYMBOL)
		sym = n->base->sym;
	if (sym && sym->scope == SYM_GLOBAL && ls->mode[sym->index] < mode)
		ls->mode[sym->index] = (unsigned char)mode;
}

static void scan(struct node *n, void *arg);

/* A statistics array or scalar (or a slice of one)? */
static int is_stats(const struct node *n)
{
	if (n->kind == N_INDEX)
		n = n->base;
	return n->kind == N_SYMBOL && n->sym && n->sym->type == T_STATS;
}

static void scan_function(struct lock_scan *ls, struct function_info *f)
{
	for (int i = 0; i < ls->nseen; i++)
		if (ls->seen[i] == f)
			return;
	ls->seen[ls->nseen++] = f;
	if (!f->is_embedded && f->decl->body)
		scan(f->decl->body, ls);
}

static void scan(struct node *n, void *arg)
{
	struct lock_scan *ls = arg;

	switch (n->kind) {
	case N_SYMBOL:
		note(ls, n, LOCK_READ);
		break;
	case N_ASSIGN:
		/* `s <<< v` only touches this CPU's copy of a statistic. */
		note(ls, n->lhs, n->op == OP_STATS_ADD ? LOCK_READ : LOCK_WRITE);
		break;
	case N_STAT: case N_HIST:
		/* Reading a statistic combines the CPUs' copies into shared storage. */
		note(ls, n->operand, LOCK_WRITE);
		break;
	case N_INCDEC:
		note(ls, n->operand, LOCK_WRITE);
		break;
	case N_DELETE:
		note(ls, n->operand, LOCK_WRITE);
		break;
	case N_INDEX: case N_IN:
		note(ls, n->base, LOCK_READ);
		if (n->kind == N_IN && is_stats(n->base))
			note(ls, n->base, LOCK_WRITE);   /* other CPUs' maps are read */
		break;
	case N_FOREACH:
		/* A sort reorders the array's entries; statistics arrays are combined. */
		if (n->base->kind != N_HIST)
			note(ls, n->base, n->sort_key || is_stats(n->base) ? LOCK_WRITE : LOCK_READ);
		break;
	case N_CALL:
		if (n->fn)
			scan_function(ls, n->fn);
		break;
	default:
		break;
	}
	node_visit_children(n, scan, ls);
}

/* The lock mode of each global (by index) that the body and condition need. */
static unsigned char *scan_modes(struct program *p, struct node *body, struct node *condition)
{
	int ng = nglobals(p), nf = 0;

	for (struct function_info *f = p->functions; f; f = f->next)
		nf++;
	struct lock_scan ls = {
		.prog = p,
		.mode = arena_alloc(g_arena, (size_t)ng + 1),
		.seen = arena_alloc(g_arena, (size_t)(nf + 1) * sizeof(struct function_info *)),
	};
	if (body)
		scan(body, &ls);
	if (condition)
		scan(condition, &ls);
	return ls.mode;
}

/* Lifecycle probes (begin, end, error, never) are the family that starts first. */
static int is_event_probe(const struct probe_info *pi)
{
	return pi->family && pi->family->order > 0;
}

/* Per global index: nonzero if some event probe needs it exclusive (writes it, reads a
 * statistic, sorts it), computed once per program. The others need no lock: only their
 * shared uses (reads, `<<<` to this CPU's copy) can overlap. */
static const unsigned char *contended_globals(struct program *p)
{
	static struct program *for_prog;
	static unsigned char *contended;

	if (for_prog == p)
		return contended;
	for_prog = p;
	contended = arena_alloc(g_arena, (size_t)nglobals(p) + 1);
	for (struct probe_info *pi = p->probes; pi; pi = pi->next) {
		if (!is_event_probe(pi))
			continue;
		unsigned char *mode = scan_modes(p, pi->body, pi->condition);
		for (struct symbol *s = p->globals; s; s = s->next)
			if (mode[s->index] == LOCK_WRITE)
				contended[s->index] = 1;
	}
	return contended;
}

int gen_global_has_lock(struct gen *g, const struct symbol *sym)
{
	return sym->scope == SYM_GLOBAL && contended_globals(g->prog)[sym->index];
}

/* Fills the globals the probe's handler locks, in index order, and their modes; returns
 * how many. */
static int handler_locks(struct gen *g, struct node *body, struct node *condition,
			 const struct symbol ***syms, int **modes)
{
	struct program *p = g->prog;
	int ng = nglobals(p), count = 0;

	*syms = arena_alloc(g_arena, (size_t)(ng + 1) * sizeof(**syms));
	*modes = arena_alloc(g_arena, (size_t)(ng + 1) * sizeof(**modes));
	if (!g->probe || !is_event_probe(g->probe))
		return 0;
	const unsigned char *contended = contended_globals(p);
	unsigned char *mode = scan_modes(p, body, condition);
	for (struct symbol *s = p->globals; s; s = s->next) {
		if (!mode[s->index] || !s->used || !contended[s->index])
			continue;
		(*syms)[count] = s;
		(*modes)[count++] = mode[s->index];
	}
	return count;
}

void gen_lock_globals(struct gen *g, struct node *body, struct node *condition)
{
	const struct symbol **syms;
	int *modes;
	int n = handler_locks(g, body, condition, &syms, &modes);

	g->nlocks = n;
	g->lock_syms = syms;
	g->lock_modes = modes;
	for (int i = 0; i < n; i++)
		emit(g->e, "if (unlikely(!stp_%s_trylock(&%s_lock))) goto unlocked_%d;",
		     modes[i] == LOCK_WRITE ? "write" : "read", gen_var(g, syms[i]), i);
}

static void emit_unlock(struct gen *g, int i)
{
	emit(g->e, "stp_%s_unlock(&%s_lock);", g->lock_modes[i] == LOCK_WRITE ? "write" : "read",
	     gen_var(g, g->lock_syms[i]));
}

void gen_unlock_globals(struct gen *g)
{
	int n = g->nlocks;

	for (int i = n - 1; i >= 0; i--)
		emit_unlock(g, i);
	if (!n)
		return;
	emit(g->e, "return;");
	/* A lock not obtained: release the ones taken before it, and skip this hit. */
	for (int i = n - 1; i >= 0; i--) {
		emit(g->e, "unlocked_%d:", i);
		if (i > 0)
			emit_unlock(g, i - 1);
	}
	emit(g->e, "stp_note_skipped();");
}
