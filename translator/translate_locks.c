/* translate_locks.c - which globals each probe handler locks, and how.
 *
 * Every global has an rwlock. A handler takes, before its body runs, the lock of each
 * global its body or the functions it calls (transitively) use: a write lock for globals
 * it assigns, increments, deletes or adds statistics to, a read lock for the others. Locks
 * are taken in one global order (by index) with bounded trylocks, so two handlers can never
 * deadlock; a handler that can't get a lock in time is skipped and counted.
 */
#include "translate.h"
#include "arena.h"
#include "ast_walk.h"

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
		note(ls, n->lhs, LOCK_WRITE);
		break;
	case N_INCDEC:
		note(ls, n->operand, LOCK_WRITE);
		break;
	case N_DELETE:
		note(ls, n->operand, LOCK_WRITE);
		break;
	case N_INDEX: case N_IN:
		note(ls, n->base, LOCK_READ);
		break;
	case N_FOREACH:
		note(ls, n->base, LOCK_READ);
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

/* Fills *locks with "lock mode" pairs for the handler's body; returns how many. */
static int handler_locks(struct program *p, struct node *body, struct node *condition,
			 const struct symbol ***syms, int **modes)
{
	int ng = nglobals(p), nf = 0, count = 0;

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
	*syms = arena_alloc(g_arena, (size_t)(ng + 1) * sizeof(**syms));
	*modes = arena_alloc(g_arena, (size_t)(ng + 1) * sizeof(**modes));
	for (struct symbol *s = p->globals; s; s = s->next) {
		if (!ls.mode[s->index] || !s->used)
			continue;
		(*syms)[count] = s;
		(*modes)[count++] = ls.mode[s->index];
	}
	return count;
}

void gen_lock_globals(struct gen *g, struct node *body, struct node *condition)
{
	const struct symbol **syms;
	int *modes;
	int n = handler_locks(g->prog, body, condition, &syms, &modes);

	g->nlocks = n;
	g->lock_syms = syms;
	g->lock_modes = modes;
	for (int i = 0; i < n; i++)
		emit(g->e, "if (unlikely(!stp_%s_trylock(&%s_lock))) goto unlocked_%d;",
		     modes[i] == LOCK_WRITE ? "write" : "read", gen_var(g, syms[i]), i);
}

void gen_unlock_globals(struct gen *g)
{
	int n = g->nlocks;

	for (int i = n - 1; i >= 0; i--)
		emit(g->e, "%s_unlock(&%s_lock);", g->lock_modes[i] == LOCK_WRITE ? "write" : "read",
		     gen_var(g, g->lock_syms[i]));
	if (!n)
		return;
	emit(g->e, "return;");
	/* A lock not obtained: release the ones taken before it, and skip this hit. */
	for (int i = n - 1; i >= 0; i--) {
		emit(g->e, "unlocked_%d:", i);
		if (i > 0)
			emit(g->e, "%s_unlock(&%s_lock);",
			     g->lock_modes[i - 1] == LOCK_WRITE ? "write" : "read",
			     gen_var(g, g->lock_syms[i - 1]));
	}
	emit(g->e, "stp_note_skipped();");
}
