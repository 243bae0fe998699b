/* optimize.c - what SystemTap's optimizer removes, before types are inferred (not with -u):
 *
 *   - assignments to locals that are never read: `x = e` becomes `e`
 *     ("Eliding assignment to 'x'"), and expression statements without side effects
 *     ("Eliding side-effect-free expression "); calls count as side effects unless the
 *     function is a /+ pure +/ embedded one or a script function that changes nothing
 *     outside itself;
 *   - code after return, next, break or continue in a block; if/while/for with a
 *     constant condition; empty statements and side-effect-free ifs with empty branches;
 *   - constant expressions are folded (arithmetic as the runtime does it, comparisons,
 *     string concatenation, &&, ||, ?:);
 *   - locals nothing refers to any more; functions no probe reaches any more; globals
 *     nothing refers to ("Eliding unused variable 'g'" for the script's own);
 *   - calls of a /+ stable +/ embedded function (no arguments) that a probe body makes
 *     more than once, or in a loop, are evaluated once per probe hit (memoized in two
 *     new locals of the probe).
 *
 * Warnings are only given for the user's script, never for library code. A probe whose
 * body ends up empty goes ("Probe 'begin' has been elided"); without any probe left the
 * script is an error ("no probes found").
 */
#include "elaborate.h"
#include "arena.h"
#include "ast_walk.h"
#include "types.h"

#include <stdint.h>
#include <string.h>

#define A(...) arena_printf(g_arena, __VA_ARGS__)

struct opt {
	struct session *s;
	struct program *prog;
	int changed;
};

static int user_code(const struct node *n)
{
	return n && n->loc.file && !n->loc.file->is_tapset;
}

/* ---- side effects ---- */

static int call_has_effects(const struct function_info *f)
{
	if (!f)
		return 1;
	for (const struct function_info *m = f; m; m = m->next_overload)
		if (m->side_effects)
			return 1;
	return 0;
}

struct effects {
	int found;
	int in_function;                 /* writes to locals/params are not effects */
};

static int local_target(const struct node *n)
{
	return n->kind == N_SYMBOL && n->sym && n->sym->scope != SYM_GLOBAL;
}

static void scan_effects(struct node *n, void *arg)
{
	struct effects *e = arg;

	if (e->found)
		return;
	switch (n->kind) {
	case N_ASSIGN:
		if (!e->in_function || !local_target(n->lhs))
			e->found = 1;
		break;
	case N_INCDEC:
		if (!e->in_function || !local_target(n->operand))
			e->found = 1;
		break;
	case N_DELETE:
		if (!e->in_function || !local_target(n->operand))
			e->found = 1;
		break;
	case N_CALL:
		if (call_has_effects(n->fn))
			e->found = 1;
		break;
	case N_PRINT:
		if (strncmp(n->name, "sprint", 6) != 0)
			e->found = 1;
		break;
	case N_EMBED_EXPR: case N_EMBED_STMT:
		e->found = 1;
		break;
	case N_FOREACH:
		/* assigns its key and value variables */
		if (!e->in_function)
			e->found = 1;
		break;
	default:
		break;
	}
	if (!e->found)
		node_visit_children(n, scan_effects, arg);
}

int has_side_effects(const struct node *n)
{
	struct effects e = { 0, 0 };

	if (n)
		scan_effects((struct node *)n, &e);
	return e.found;
}

static void compute_function_effects(struct program *p)
{
	for (struct function_info *f = p->functions; f; f = f->next)
		f->side_effects = f->is_embedded ? !(f->flags & FF_PURE) : 0;
	for (int changed = 1, rounds = 0; changed && rounds < 100; rounds++) {
		changed = 0;
		for (struct function_info *f = p->functions; f; f = f->next) {
			if (f->is_embedded || f->side_effects || !f->decl->body)
				continue;
			struct effects e = { 0, 1 };
			scan_effects(f->decl->body, &e);
			if (e.found) {
				f->side_effects = 1;
				changed = 1;
			}
		}
	}
}

/* ---- constant folding ---- */

static void to_number(struct node *n, int64_t v)
{
	n->kind = N_NUMBER;
	n->num = v;
	n->type = T_LONG;
	n->lhs = n->rhs = n->operand = n->cond = NULL;
	n->args = NULL;
	n->op = OP_NONE;
}

static void to_string(struct node *n, const char *s, size_t len)
{
	n->kind = N_STRING;
	n->str = s;
	n->len = len;
	n->type = T_STRING;
	n->lhs = n->rhs = n->operand = n->cond = NULL;
	n->op = OP_NONE;
}

static void replace_with(struct node *n, const struct node *what)
{
	struct node *next = n->next;
	struct node copy = *what;

	*n = copy;
	n->next = next;
}

static int compare_strings(const struct node *a, const struct node *b)
{
	size_t n = a->len < b->len ? a->len : b->len;
	int r = memcmp(a->str, b->str, n);
	if (r)
		return r;
	return a->len < b->len ? -1 : a->len > b->len;
}

static int fold_compare(enum op op, int c)
{
	switch (op) {
	case OP_LT: return c < 0;
	case OP_LE: return c <= 0;
	case OP_GT: return c > 0;
	case OP_GE: return c >= 0;
	case OP_EQ: return c == 0;
	default: return c != 0;
	}
}

static int is_compare(enum op op)
{
	return op == OP_LT || op == OP_LE || op == OP_GT || op == OP_GE || op == OP_EQ ||
	       op == OP_NE;
}

/* Arithmetic as the generated code does it: 64-bit wrap-around, >>> by (n & 63),
 * division by -1 without a trap. Returns 0 when it can't fold (division by zero: that
 * stays a runtime error). */
static int fold_arith(enum op op, int64_t l, int64_t r, int64_t *out)
{
	uint64_t ul = (uint64_t)l, ur = (uint64_t)r;

	switch (op) {
	case OP_ADD: *out = (int64_t)(ul + ur); return 1;
	case OP_SUB: *out = (int64_t)(ul - ur); return 1;
	case OP_MUL: *out = (int64_t)(ul * ur); return 1;
	case OP_DIV:
		if (r == 0)
			return 0;
		*out = r == -1 ? (int64_t)(0 - ul) : l / r;
		return 1;
	case OP_MOD:
		if (r == 0)
			return 0;
		*out = r == -1 ? 0 : l % r;
		return 1;
	/* SystemTap folds a shift by a constant outside 0..63 to the left operand unchanged
	 * (at run time the count is taken & 63). */
	case OP_SHL: *out = r < 0 || r > 63 ? l : (int64_t)(ul << r); return 1;
	case OP_SHR: *out = r < 0 || r > 63 ? l : l >> r; return 1;
	case OP_USHR: *out = (int64_t)(ul >> (r & 63)); return 1;
	case OP_BAND: *out = l & r; return 1;
	case OP_BOR: *out = l | r; return 1;
	case OP_BXOR: *out = l ^ r; return 1;
	default:
		if (is_compare(op)) {
			*out = fold_compare(op, l < r ? -1 : l > r);
			return 1;
		}
		return 0;
	}
}

static void fold(struct opt *o, struct node *n);

static void fold_child(struct node *child, void *arg)
{
	fold(arg, child);
}

static void fold(struct opt *o, struct node *n)
{
	/* Statements are handled by opt_stmt; only descend into expressions here. */
	node_visit_children(n, fold_child, o);
	switch (n->kind) {
	case N_BINARY: {
		struct node *l = n->lhs, *r = n->rhs;
		int64_t v;
		if (l->kind == N_NUMBER && r->kind == N_NUMBER && fold_arith(n->op, l->num, r->num, &v)) {
			to_number(n, v);
			o->changed = 1;
		} else if (l->kind == N_STRING && r->kind == N_STRING) {
			if (n->op == OP_CONCAT && l->len + r->len < 512) {
				char *s = arena_alloc(g_arena, l->len + r->len + 1);
				memcpy(s, l->str, l->len);
				memcpy(s + l->len, r->str, r->len);
				s[l->len + r->len] = '\0';
				to_string(n, s, l->len + r->len);
				o->changed = 1;
			} else if (is_compare(n->op)) {
				to_number(n, fold_compare(n->op, compare_strings(l, r)));
				o->changed = 1;
			}
		}
		break;
	}
	case N_UNARY:
		if (n->operand->kind == N_NUMBER && n->op != OP_ADDR) {
			int64_t v = n->operand->num;
			switch (n->op) {
			case OP_NEG: v = (int64_t)(0 - (uint64_t)v); break;
			case OP_NOT: v = !v; break;
			case OP_BNOT: v = ~v; break;
			default: break;
			}
			to_number(n, v);
			o->changed = 1;
		}
		break;
	case N_LOGICAL:
		if (n->lhs->kind == N_NUMBER) {
			int l = n->lhs->num != 0;
			if (n->op == OP_LAND ? !l : l) {
				to_number(n, l);
				o->changed = 1;
			} else if (n->rhs->kind == N_NUMBER) {
				to_number(n, n->rhs->num != 0);
				o->changed = 1;
			}
		}
		break;
	case N_TERNARY:
		if (n->cond->kind == N_NUMBER) {
			replace_with(n, n->cond->num ? n->lhs : n->rhs);
			o->changed = 1;
		}
		break;
	default:
		break;
	}
}

/* ---- statements ---- */

static const struct node *leftmost(const struct node *n)
{
	for (;;) {
		switch (n->kind) {
		case N_BINARY: case N_LOGICAL: case N_ASSIGN: case N_REGEX:
			n = n->lhs;
			continue;
		case N_TERNARY:
			n = n->cond;
			continue;
		case N_INDEX:
			n = n->base;
			continue;
		case N_INCDEC:
			if (n->is_postfix) {
				n = n->operand;
				continue;
			}
			return n;
		default:
			return n;
		}
	}
}

static int is_empty(const struct node *n)
{
	return !n || n->kind == N_NULL_STMT || (n->kind == N_BLOCK && !n->body);
}

static void make_empty(struct node *n)
{
	node_reset(n, N_BLOCK);
}

static int opt_stmt(struct opt *o, struct node *n);

/* Optimizes a block's statement list in place; returns the new head. */
static struct node *opt_list(struct opt *o, struct node *list)
{
	struct node *head = NULL, **tail = &head;

	for (struct node *s = list, *next; s; s = next) {
		next = s->next;
		s->next = NULL;
		if (!opt_stmt(o, s)) {
			o->changed = 1;
			continue;
		}
		*tail = s;
		tail = &s->next;
		if (s->kind == N_RETURN || s->kind == N_NEXT || s->kind == N_BREAK ||
		    s->kind == N_CONTINUE) {
			if (next)
				o->changed = 1;          /* what follows can't run */
			break;
		}
	}
	return head;
}

/* A statement in a single-statement place (if arm, loop body). */
static void opt_single(struct opt *o, struct node *n)
{
	if (n && !opt_stmt(o, n))
		make_empty(n);
}

/* Returns 0 when the statement goes away. */
static int opt_stmt(struct opt *o, struct node *n)
{
	switch (n->kind) {
	case N_NULL_STMT:
		return 0;
	case N_BLOCK:
		n->body = opt_list(o, n->body);
		/* A block holding one block is that block. */
		if (n->body && !n->body->next && n->body->kind == N_BLOCK) {
			struct node *inner = n->body;
			n->body = inner->body;
		}
		return 1;
	case N_EXPR_STMT: {
		struct node *e = n->operand;
		const struct node *first = leftmost(e);
		fold(o, e);
		if (e->kind == N_ASSIGN && local_target(e->lhs) && !e->lhs->sym->read &&
		    e->op != OP_STATS_ADD) {
			if (user_code(e))
				diag_warning(&e->loc, e->tok_desc, "Eliding assignment to '%s'",
					     e->lhs->name);
			n->operand = e = e->rhs;
			o->changed = 1;
		} else if (e->kind == N_ASSIGN && e->op == OP_STATS_ADD && local_target(e->lhs) &&
			   !e->lhs->sym->read) {
			if (user_code(e))
				diag_warning(&e->loc, e->tok_desc, "Eliding assignment to '%s'",
					     e->lhs->name);
			n->operand = e = e->rhs;
			o->changed = 1;
		}
		if (!has_side_effects(e)) {
			if (user_code(first))
				diag_warning(&first->loc, first->tok_desc,
					     "Eliding side-effect-free expression ");
			return 0;
		}
		return 1;
	}
	case N_IF:
		fold(o, n->cond);
		if (n->cond->kind == N_NUMBER) {
			struct node *arm = n->cond->num ? n->then_s : n->else_s;
			o->changed = 1;
			if (!arm)
				return 0;
			replace_with(n, arm);
			return opt_stmt(o, n);
		}
		opt_single(o, n->then_s);
		opt_single(o, n->else_s);
		if (is_empty(n->else_s))
			n->else_s = NULL;
		if (is_empty(n->then_s) && !n->else_s && !has_side_effects(n->cond))
			return 0;
		return 1;
	case N_WHILE:
		fold(o, n->cond);
		if (n->cond->kind == N_NUMBER && !n->cond->num)
			return 0;
		opt_single(o, n->body);
		return 1;
	case N_FOR:
		if (n->cond)
			fold(o, n->cond);
		if (n->cond && n->cond->kind == N_NUMBER && !n->cond->num) {
			/* Only the initialization runs. */
			if (n->init && has_side_effects(n->init)) {
				replace_with(n, n->init);
				return opt_stmt(o, n);
			}
			return 0;
		}
		if (n->init)
			fold(o, n->init);
		if (n->incr)
			fold(o, n->incr);
		opt_single(o, n->body);
		return 1;
	case N_FOREACH:
		if (n->limit)
			fold(o, n->limit);
		opt_single(o, n->body);
		/* A loop doing nothing goes (and no longer reads the array). */
		return !is_empty(n->body) || (n->limit && has_side_effects(n->limit));
	case N_TRY:
		if (n->body && n->body->kind == N_BLOCK)
			n->body->body = opt_list(o, n->body->body);
		if (n->handler && n->handler->kind == N_BLOCK)
			n->handler->body = opt_list(o, n->handler->body);
		return !is_empty(n->body);       /* nothing to try: the handler can't run */
	case N_RETURN: case N_DELETE:
		if (n->operand)
			fold(o, n->operand);
		return 1;
	default:
		return 1;
	}
}

/* ---- stable functions ---- */

struct stable {
	struct symbol **locals;          /* the probe's */
	const struct function_info *fns[32];
	int weight[32];                  /* calls seen; one in a loop counts twice */
	int n, loop;
	int rewrite;                     /* second walk: rewrite the calls worth it */
};

static int stable_call(const struct node *n)
{
	const struct function_info *f = n->kind == N_CALL ? n->fn : NULL;

	return f && !n->args && f->is_embedded && (f->flags & FF_STABLE) && !f->next_overload;
}

static struct symbol *stable_local(struct symbol **list, const char *name, struct node *use)
{
	struct symbol *sym = NEW(struct symbol);

	sym->name = name;
	sym->scope = SYM_LOCAL;
	sym->decl = use;
	sym->file = use->loc.file;
	while (*list) {
		sym->index++;
		list = &(*list)->next;
	}
	*list = sym;
	return sym;
}

static struct node *symbol_node(const struct node *at, struct symbol *sym)
{
	struct node *n = node_new(N_SYMBOL, &at->loc);

	n->name = sym->name;
	n->sym = sym;
	n->tok_desc = at->tok_desc;
	n->depth = at->depth;
	return n;
}

/* f() -> (__stable_f_done++ ? __stable_f : (__stable_f = f())): locals are 0 at the
 * start of every hit, so the first call of the hit computes the value. */
static void memoize(struct stable *st, struct node *n)
{
	const char *name = A("__stable_%s", n->fn->name);
	struct symbol *val = NULL, *done = NULL;

	for (struct symbol *s = *st->locals; s; s = s->next) {
		if (!strcmp(s->name, name))
			val = s;
		else if (!strcmp(s->name, A("%s_done", name)))
			done = s;
	}
	if (!val)
		val = stable_local(st->locals, name, n);
	if (!done)
		done = stable_local(st->locals, A("%s_done", name), n);
	struct node *call = node_clone(n, 0), *flag = node_new(N_INCDEC, &n->loc);
	struct node *set = node_new(N_ASSIGN, &n->loc);

	call->fn = n->fn;                       /* (clones carry no elaboration results) */
	flag->op = OP_INC;
	flag->is_postfix = 1;
	flag->operand = symbol_node(n, done);
	flag->tok_desc = n->tok_desc;
	set->op = OP_ASSIGN;
	set->lhs = symbol_node(n, val);
	set->rhs = call;
	set->tok_desc = n->tok_desc;
	node_reset(n, N_TERNARY);
	n->cond = flag;
	n->lhs = symbol_node(n, val);
	n->rhs = set;
}

static void scan_stable(struct node *n, void *arg)
{
	struct stable *st = arg;
	int loop = n->kind == N_WHILE || n->kind == N_FOR || n->kind == N_FOREACH;

	if (stable_call(n)) {
		int i = 0;

		while (i < st->n && st->fns[i] != n->fn)
			i++;
		if (st->rewrite) {
			if (i < st->n && st->weight[i] > 1)
				memoize(st, n);
			return;
		}
		if (i == st->n && st->n < 32)
			st->fns[st->n++] = n->fn;
		if (i < st->n)
			st->weight[i] += st->loop ? 2 : 1;
		return;
	}
	st->loop += loop;
	node_visit_children(n, scan_stable, arg);
	st->loop -= loop;
}

static void memoize_stable(struct program *p)
{
	const struct node *last = NULL;

	for (struct probe_info *pi = p->probes; pi; pi = pi->next) {
		if (pi->body && pi->body != last && pi->locals_head) {
			struct stable st = { .locals = pi->locals_head };

			scan_stable(pi->body, &st);
			st.rewrite = 1;
			scan_stable(pi->body, &st);
		}
		last = pi->body;
	}
}

/* ---- what is still used ---- */

static void prune_symbols(struct symbol **list)
{
	while (*list) {
		struct symbol *s = *list;
		if (s->scope != SYM_PARAM && !s->read && !s->written) {
			*list = s->next;
			continue;
		}
		list = &s->next;
	}
}

struct reach {
	struct program *prog;
	int honor_next;                  /* later overloads only through `next` */
};

static void mark_function(struct reach *r, struct function_info *f);

static void find_next(struct node *n, void *arg)
{
	if (*(int *)arg)
		return;
	if (n->kind == N_NEXT)
		*(int *)arg = 1;
	else
		node_visit_children(n, find_next, arg);
}

static void scan_calls(struct node *n, void *arg)
{
	struct reach *r = arg;

	if (n->kind == N_CALL && n->fn) {
		for (struct function_info *m = n->fn; m; m = m->next_overload) {
			mark_function(r, m);
			/* the next overload is reached only through `next` */
			int has_next = !r->honor_next;
			if (!has_next && !m->is_embedded && m->decl->body)
				find_next(m->decl->body, &has_next);
			if (!has_next)
				break;
		}
	}
	node_visit_children(n, scan_calls, arg);
}

static void mark_function(struct reach *r, struct function_info *f)
{
	if (f->used)
		return;
	f->used = 1;
	if (!f->is_embedded && f->decl->body)
		scan_calls(f->decl->body, r);
}

static void recompute_used(struct opt *o, int honor_next)
{
	struct program *p = o->prog;
	struct reach r = { p, honor_next };
	int before = 0, after = 0;

	for (struct function_info *f = p->functions; f; f = f->next) {
		before += f->used;
		f->used = 0;
	}
	for (struct probe_info *pi = p->probes; pi; pi = pi->next) {
		if (pi->body)
			scan_calls(pi->body, &r);
		if (pi->condition)
			scan_calls(pi->condition, &r);
	}
	for (struct function_info *f = p->functions; f; f = f->next)
		after += f->used;
	if (after != before)
		o->changed = 1;
}

static int empty_body(const struct node *n)
{
	if (!n || n->kind == N_NULL_STMT)
		return 1;
	if (n->kind != N_BLOCK)
		return 0;
	for (const struct node *st = n->body; st; st = st->next)
		if (!empty_body(st))
			return 0;
	return 1;
}

/* Drops the probes with nothing to do, warning once per probe of the user's script. */
static void elide_empty_probes(struct program *p)
{
	struct probe_info **pp = &p->probes;
	const struct node *warned = NULL;
	int n = 0;

	while (*pp) {
		struct probe_info *pi = *pp;
		if (!empty_body(pi->body)) {
			pi->index = n++;
			pp = &pi->next;
			continue;
		}
		const struct node *d = pi->decl;
		if (d && d != warned && user_code(d) && d->points && d->points->pp)
			diag_warning(&d->loc, d->tok_desc, "Probe '%s' has been elided",
				     d->points->pp->name);
		warned = d;
		*pp = pi->next;
	}
	p->nprobes = n;
	if (!n)
		diag_plain_error("semantic error: no probes found\n\n");
}

void optimize_program(struct session *s, struct program *p)
{
	struct opt o = { .s = s, .prog = p };

	for (int round = 0; round < 20; round++) {
		o.changed = 0;
		mark_reads_writes(p);
		compute_function_effects(p);
		const struct node *last = NULL;
		for (struct probe_info *pi = p->probes; pi; pi = pi->next) {
			/* Shared bodies are optimized once (they follow each other). */
			if (pi->body && pi->body != last)
				opt_stmt(&o, pi->body);
			last = pi->body;
			if (pi->condition)
				fold(&o, pi->condition);
		}
		for (struct function_info *f = p->functions; f; f = f->next)
			if (f->used && !f->is_embedded && f->decl->body)
				opt_stmt(&o, f->decl->body);
		recompute_used(&o, 0);
		if (!o.changed)
			break;
	}
	elide_empty_probes(p);
	memoize_stable(p);
	mark_reads_writes(p);
	for (struct probe_info *pi = p->probes; pi; pi = pi->next)
		if (pi->locals_head)
			prune_symbols(pi->locals_head);
	for (struct function_info *f = p->functions; f; f = f->next)
		if (f->used)
			prune_symbols(&f->locals);
	for (struct symbol *g = p->globals; g; g = g->next) {
		int referenced = g->read || g->written;
		if (!referenced && !g->is_tapset && g->decl && g->decl->kind == N_GLOBAL &&
		    g->decl->loc.file && !g->decl->loc.file->is_tapset)
			diag_warning(&g->decl->loc, g->decl->tok_desc, "Eliding unused variable '%s'",
				     g->name);
		g->used = referenced;
	}
}

void optimize_after_types(struct session *s, struct program *p)
{
	struct opt o = { .s = s, .prog = p };

	recompute_used(&o, 1);
}
