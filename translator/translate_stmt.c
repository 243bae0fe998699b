/* translate_stmt.c - statements and function calls to C.
 *
 * Each statement first spends one unit of the hit's MAXACTION budget, so loops are
 * bounded. Function calls put their arguments into the callee's frame one nesting level
 * up (checked against MAXNESTING) and copy a string result back into a caller temporary.
 */
#include "translate.h"
#include "arena.h"
#include "ast_walk.h"
#include "guru.h"

#include <string.h>

#define A(...) arena_printf(g_arena, __VA_ARGS__)

static void gen_block(struct gen *g, struct node *list)
{
	for (struct node *s = list; s; s = s->next)
		gen_stmt(g, s);
}

/* Emits a statement as a braced block body. */
static void gen_body(struct gen *g, struct node *n)
{
	if (!n)
		return;
	if (n->kind == N_BLOCK)
		gen_block(g, n->body);
	else
		gen_stmt(g, n);
}

static void gen_return(struct gen *g, struct node *n)
{
	if (!g->fn) {
		gen_unsupported(n, "'return' outside a function");
		return;
	}
	if (n->operand) {
		if (g->fn->ret_type == T_STRING)
			emit(g->e, "stp_strcpy(l->__retvalue, %s);", gen_str(g, n->operand));
		else
			emit(g->e, "l->__retvalue = %s;", gen_long(g, n->operand));
	}
	emit(g->e, "goto out;");
}

static void gen_delete(struct gen *g, struct node *n)
{
	struct node *t = n->operand;

	if (t->kind == N_SYMBOL && !t->sym->is_array && t->sym->type != T_STATS) {
		if (t->sym->type == T_STRING)
			emit(g->e, "%s[0] = '\\0';", gen_var(g, t->sym));
		else
			emit(g->e, "%s = 0;", gen_var(g, t->sym));
		return;
	}
	gen_delete_array(g, n);
}

static void gen_loop(struct gen *g, struct node *n)
{
	if (n->kind == N_WHILE) {
		emit(g->e, "while (1) {");
	} else {
		/* The parser may wrap the clauses as expression statements. */
		struct node *in = n->init && n->init->kind == N_EXPR_STMT ? n->init->operand : n->init;
		struct node *inc = n->incr && n->incr->kind == N_EXPR_STMT ? n->incr->operand : n->incr;
		const char *init = in ? gen_void(g, in) : "";
		const char *incr = inc ? gen_void(g, inc) : "";
		emit(g->e, "for (%s; ; %s) {", init, incr);
	}
	/* Every iteration costs an action, even an empty one. */
	emit(g->e, "STP_ACTION(&c->base, %s);", gen_location(n));
	if (n->cond) {
		emit(g->e, "if (!(%s))", gen_long(g, n->cond));
		emit(g->e, "\tbreak;");
	}
	g->loop_depth++;
	gen_body(g, n->body);
	g->loop_depth--;
	emit(g->e, "}");
}

/* try { body } catch (msg) { handler }: errors inside the body (including in the
 * functions it calls) jump to a block-local `out` label (GNU __label__); from there the
 * error is cleared and the handler runs outside that block, so an error in the handler
 * goes to the enclosing try (or ends the hit). `next` inside the body still leaves the
 * probe, and so does abort(), which no try catches; nor does one catch an error once the
 * MAXACTION budget is spent (as in SystemTap: MAXACTION exceeded ends the hit). */
static void gen_try(struct gen *g, struct node *n)
{
	int id = g->e->tmp_counter++;

	emit(g->e, "{");
	emit(g->e, "__label__ out;");
	gen_body(g, n->body);
	emit(g->e, "goto try_end_%d;", id);
	emit(g->e, "out: __attribute__((unused));");
	emit(g->e, "goto try_caught_%d;", id);
	emit(g->e, "}");
	emit(g->e, "try_caught_%d:", id);
	emit(g->e, "if (!c->base.last_error || c->base.last_error == stp_abort_msg ||");
	emit(g->e, "    c->base.actionremaining <= 0)");
	emit(g->e, "\tgoto out;");
	if (n->catch_var && n->catch_var->sym)
		emit(g->e, "stp_strcpy(%s, c->base.last_error);", gen_var(g, n->catch_var->sym));
	emit(g->e, "c->base.last_error = NULL;");
	emit(g->e, "c->base.error_location = NULL;");
	gen_body(g, n->handler);
	emit(g->e, "try_end_%d:", id);
	emit(g->e, ";");
}

void gen_stmt(struct gen *g, struct node *n)
{
	if (n->kind != N_BLOCK && n->kind != N_NULL_STMT)
		emit(g->e, "STP_ACTION(&c->base, %s);", gen_location(n));
	switch (n->kind) {
	case N_BLOCK:
		gen_block(g, n->body);
		break;
	case N_NULL_STMT:
		break;
	case N_EXPR_STMT:
		emit(g->e, "%s;", gen_void(g, n->operand));
		break;
	case N_IF:
		emit(g->e, "if (%s) {", gen_long(g, n->cond));
		gen_body(g, n->then_s);
		if (n->else_s) {
			emit(g->e, "} else {");
			gen_body(g, n->else_s);
		}
		emit(g->e, "}");
		break;
	case N_WHILE:
	case N_FOR:
		gen_loop(g, n);
		break;
	case N_BREAK:
	case N_CONTINUE:
		if (!g->loop_depth) {
			diag_semantic_error(&n->loc, n->tok_desc, "%s outside a loop",
					    n->kind == N_BREAK ? "break" : "continue");
			break;
		}
		emit(g->e, n->kind == N_BREAK ? "break;" : "continue;");
		break;
	case N_NEXT:
		/* In a function: pass the call on to the next overload (see gen_call). */
		if (g->fn)
			emit(g->e, "l->%s = 1;", gen_named_temp(g, T_LONG, "__next"));
		emit(g->e, "goto out;");
		break;
	case N_RETURN:
		gen_return(g, n);
		break;
	case N_DELETE:
		gen_delete(g, n);
		break;
	case N_FOREACH:
		gen_foreach(g, n);
		break;
	case N_TRY:
		gen_try(g, n);
		break;
	default:
		/* An expression used as a statement without N_EXPR_STMT. */
		emit(g->e, "%s;", gen_void(g, n));
	}
}

/* Does a function body execute `next` somewhere (it then passes the call on)? */
static void find_next(struct node *n, void *arg)
{
	if (n->kind == N_NEXT)
		*(int *)arg = 1;
	else
		node_visit_children(n, find_next, arg);
}

static int uses_next(const struct function_info *f)
{
	int found = 0;

	if (!f->is_embedded && f->decl->body)
		find_next(f->decl->body, &found);
	return found;
}

/* One member of an overload set tried: its frame filled from vals, the call, and (if not
 * passed on with `next`) its result into _r. */
static const char *gen_try_overload(struct gen *g, struct function_info *f, const char **vals,
				    const char *loc, int borrow)
{
	/* In a probe body the nesting level is 0: constants let the compiler fold it. */
	const char *up = g->fn ? "c->base.nesting + 1" : "1";
	const char *code = A("if (!_done) { struct frame_f%d *_f = &c->frames[%s].f%d;"
			     " (void)_f;", f->index, up, f->index);
	int i = 0, passes = uses_next(f);

	for (struct symbol *p = f->params; p; p = p->next, i++) {
		const char *field = f->is_embedded ? p->name : A("a_%s", p->name);
		if (gen_arg_by_pointer(f, p))           /* unmodified-fnargs: no copy */
			code = A("%s _f->%s = %s;", code, field, vals[i]);
		else if (p->type == T_STRING)
			code = A("%s stp_strcpy(_f->%s, %s);", code, field, vals[i]);
		else
			code = A("%s _f->%s = %s;", code, field, vals[i]);
	}
	if (passes)
		code = A("%s _f->__next = 0;", code);
	/* An error in the callee unwinds this handler too; one raised without a place
	 * (embedded C's STAP_ERROR) is reported at the call. */
	code = A("%s %s fn_%d_%s(c); %s "
		 "if (unlikely(c->base.last_error)) { if (!c->base.error_location) "
		 "c->base.error_location = %s; goto out; } if (%s) { _done = 1;", code,
		 g->fn ? "c->base.nesting++;" : "c->base.nesting = 1;", f->index, f->name,
		 g->fn ? "c->base.nesting--;" : "c->base.nesting = 0;", loc,
		 passes ? "!_f->__next" : "1");
	if (f->ret_type == T_STRING && borrow)
		code = A("%s _r = _f->__retvalue;", code);
	else if (f->ret_type == T_STRING)
		code = A("%s stp_strcpy(_r, _f->__retvalue);", code);
	else if (f->ret_type == T_LONG)
		code = A("%s _r = _f->__retvalue;", code);
	return A("%s } }", code);
}

/* A call: arguments evaluated in order, then the overloads of the function tried in
 * declaration order until one does not pass the call on with `next` (when none is left,
 * the error "all functions exhausted"). The string result of the call g->borrow_call
 * (used before any other call) is read where the callee left it, not copied. */
const char *gen_call(struct gen *g, struct node *n)
{
	struct function_info *f = n->fn;
	struct function_info *set = f->first_overload ? f->first_overload : f;
	const char *code = "({ int _done = 0;";
	const char *r = NULL;
	int i = 0;
	int borrow = g->borrow_call == n && f->ret_type == T_STRING && !set->next_overload &&
		     !uses_next(f);

	/* 1. Arguments, in order, into this frame's temporaries. */
	const char **vals = arena_alloc(g_arena, (size_t)(node_list_len(n->args) + 1) * sizeof(*vals));
	for (struct node *a = n->args; a; a = a->next, i++) {
		if (a->type == T_STRING) {
			vals[i] = gen_temp(g, T_STRING);
			code = A("%s stp_strcpy(%s, %s);", code, vals[i], gen_str(g, a));
		} else {
			vals[i] = A("_arg%d", i);
			code = A("%s int64_t _arg%d = %s;", code, i, gen_long(g, a));
		}
	}
	if (borrow) {
		r = "_r";
		code = A("%s const char *_r = \"\";", code);
	} else if (f->ret_type == T_STRING) {
		r = gen_temp(g, T_STRING);
		code = A("%s char *_r = %s; _r[0] = '\\0';", code, r);
	} else if (f->ret_type == T_LONG) {
		code = A("%s int64_t _r = 0;", code);
	}
	/* 2. The callee's frame is one level up; SystemTap's error names the callee's
	 * definition, where it checks the nesting. */
	code = A("%s if (unlikely(%s > MAXNESTING)) { "
		 "stp_error(&c->base, %s, \"MAXNESTING exceeded\"); goto out; }",
		 code, g->fn ? "c->base.nesting + 1" : "1", gen_location(set->decl ? set->decl : n));
	for (struct function_info *m = set; m; m = m->next_overload)
		code = A("%s %s", code, gen_try_overload(g, m, vals, gen_location(n), borrow));
	/* 3. Every overload passed the call on with `next`. */
	for (struct function_info *m = set; m; m = m->next_overload)
		if (uses_next(m)) {
			code = A("%s if (unlikely(!_done)) { stp_error(&c->base, %s, "
				 "\"all functions exhausted\"); goto out; }", code, gen_location(n));
			break;
		}
	if (f->ret_type == T_STRING)
		return A("%s (void)_done; (const char *)%s; })", code, r);
	if (f->ret_type == T_LONG)
		return A("%s (void)_done; _r; })", code);
	return A("%s (void)_done; })", code);
}

/* ---- MAXNESTING ---- */

/* SystemTap's default MAXNESTING: the longest chain of calls a probe makes, plus 10 when
 * some function can call itself again (directly or not). */
struct depth_walk {
	struct function_info *stack[256];  /* the call chain being followed */
	int n;
	int *memo;                       /* by function index: depth, 0 when not known */
	int recursive;
};

struct callees {
	struct depth_walk *w;
	int max;
};

static int function_depth(struct depth_walk *w, struct function_info *f);

static void max_callee(struct node *n, void *arg)
{
	struct callees *c = arg;

	if (n->kind == N_CALL && n->fn) {
		struct function_info *set = n->fn->first_overload ? n->fn->first_overload : n->fn;
		for (struct function_info *m = set; m; m = m->next_overload) {
			int d = function_depth(c->w, m);
			if (d > c->max)
				c->max = d;
		}
	}
	node_visit_children(n, max_callee, arg);
}

/* Calls nested from f, f's own included; a call back into the chain counts nothing. */
static int function_depth(struct depth_walk *w, struct function_info *f)
{
	struct callees c = { w, 0 };
	int was_recursive = w->recursive;

	for (int i = 0; i < w->n; i++)
		if (w->stack[i] == f) {
			w->recursive = 1;
			return 0;
		}
	if (w->memo[f->index])
		return w->memo[f->index];
	if (f->is_embedded || !f->decl->body || w->n == 256)
		return 1;
	w->stack[w->n++] = f;
	max_callee(f->decl->body, &c);
	w->n--;
	if (w->recursive == was_recursive)   /* no cycle through the chain: final */
		w->memo[f->index] = c.max + 1;
	return c.max + 1;
}

int gen_nesting_depth(const struct program *p)
{
	struct depth_walk *w = arena_alloc(g_arena, sizeof(*w));
	struct callees c = { w, 0 };
	int nfn = 0;

	memset(w, 0, sizeof(*w));
	for (const struct function_info *f = p->functions; f; f = f->next)
		if (f->index >= nfn)
			nfn = f->index + 1;
	w->memo = arena_alloc(g_arena, ((size_t)nfn + 1) * sizeof(int));
	memset(w->memo, 0, ((size_t)nfn + 1) * sizeof(int));
	for (const struct probe_info *pi = p->probes; pi; pi = pi->next) {
		if (pi->body)
			max_callee(pi->body, &c);
		if (pi->condition)
			max_callee(pi->condition, &c);
	}
	return (c.max > 0 ? c.max : 1) + (w->recursive ? 10 : 0);
}
