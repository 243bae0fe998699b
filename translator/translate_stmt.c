/* translate_stmt.c - statements and function calls to C.
 *
 * Each statement first spends one unit of the hit's MAXACTION budget, so loops are
 * bounded. Function calls put their arguments into the callee's frame one nesting level
 * up (checked against MAXNESTING) and copy a string result back into a caller temporary.
 */
#include "translate.h"
#include "arena.h"

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
 * probe. */
static void gen_try(struct gen *g, struct node *n)
{
	int id = g->e->tmp_counter++;

	emit(g->e, "{");
	emit(g->e, "__label__ out;");
	gen_body(g, n->body);
	emit(g->e, "goto try_end_%d;", id);
	emit(g->e, "out:");
	emit(g->e, "goto try_caught_%d;", id);
	emit(g->e, "}");
	emit(g->e, "try_caught_%d:", id);
	emit(g->e, "if (!c->base.last_error)");
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
		if (g->fn)
			gen_unsupported(n, "'next' in a function");
		else
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

const char *gen_call(struct gen *g, struct node *n)
{
	struct function_info *f = n->fn;
	const char *frame = A("struct frame_f%d", f->index);
	const char *member = A("f%d", f->index);
	const char *code = "({";
	int i = 0;

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
	/* 2. The callee's frame, one level up. */
	code = A("%s %s *_f; if (unlikely(c->base.nesting + 1 > MAXNESTING)) { "
		 "stp_error(&c->base, %s, \"MAXNESTING exceeded\"); goto out; } "
		 "_f = &c->frames[c->base.nesting + 1].%s;",
		 code, frame, gen_location(n), member);
	i = 0;
	for (struct symbol *p = f->params; p; p = p->next, i++) {
		const char *field = f->is_embedded ? p->name : A("a_%s", p->name);
		if (p->type == T_STRING)
			code = A("%s stp_strcpy(_f->%s, %s);", code, field, vals[i]);
		else
			code = A("%s _f->%s = %s;", code, field, vals[i]);
	}
	/* 3. The call; an error in the callee unwinds this handler too. */
	code = A("%s c->base.nesting++; fn_%d_%s(c); c->base.nesting--; "
		 "if (unlikely(c->base.last_error)) goto out;", code, f->index, f->name);
	if (f->ret_type == T_STRING) {
		const char *t = gen_temp(g, T_STRING);
		return A("%s stp_strcpy(%s, _f->__retvalue); (const char *)%s; })", code, t, t);
	}
	if (f->ret_type == T_LONG)
		return A("%s _f->__retvalue; })", code);
	return A("%s })", code);
}
