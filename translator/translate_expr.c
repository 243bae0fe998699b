/* translate_expr.c - expressions to C.
 *
 * Every expression becomes one C expression, using GNU statement expressions `({ ... })`
 * where it needs statements, so evaluation order is the script's (left to right, operands
 * with side effects are evaluated into temporaries first) and short-circuit operators stay
 * short-circuit. Runtime errors call stp_error() and `goto out`, the handler's exit label.
 */
#include "translate.h"
#include "arena.h"
#include "guru.h"
#include "probes/probes.h"
#include "probes/kprobe.h"
#include "regex.h"

#include <string.h>

#define A(...) arena_printf(g_arena, __VA_ARGS__)

void gen_unsupported(const struct node *n, const char *what)
{
	diag_semantic_error(&n->loc, n->tok_desc, "%s is not supported by this translator yet",
			    what);
}

const char *gen_location(const struct node *n)
{
	const char *desc = n->tok_desc ? n->tok_desc : node_kind_name(n->kind);
	const char *text = A("%s at %s:%d:%d", desc, n->loc.file ? n->loc.file->name : "?",
			     n->loc.line, n->loc.col);
	return c_string_literal(text, strlen(text));
}

const char *gen_temp(struct gen *g, enum stap_type type)
{
	struct temp *t = NEW(struct temp);

	t->name = A("t_%d", g->ntemps++);
	t->type = type;
	t->next = g->temps;
	g->temps = t;
	return A("l->%s", t->name);
}

const char *gen_named_temp(struct gen *g, enum stap_type type, const char *name)
{
	for (struct temp *t = g->temps; t; t = t->next)
		if (!strcmp(t->name, name))
			return name;
	struct temp *t = NEW(struct temp);
	t->name = name;
	t->type = type;
	t->next = g->temps;
	g->temps = t;
	return name;
}

const char *gen_decl(enum stap_type t, const char *name)
{
	return t == T_STRING ? A("char %s[MAXSTRINGLEN];", name) : A("int64_t %s;", name);
}

const char *gen_var(struct gen *g, const struct symbol *sym)
{
	switch (sym->scope) {
	case SYM_GLOBAL:
		return A("g_%d_%s", sym->index, sym->name);
	case SYM_PARAM:
		/* Embedded-C bodies name their parameters plainly (STAP_ARG_x, THIS->x). */
		if (g->fn && g->fn->is_embedded)
			return A("l->%s", sym->name);
		return A("l->a_%s", sym->name);
	default:
		return A("l->v_%d_%s", sym->index, sym->name);
	}
}

/* Division and modulus: a zero divisor is a script error, INT64_MIN / -1 must not trap. */
static const char *gen_divide(struct gen *g, struct node *n, const char *lhs, const char *rhs)
{
	const char *op = n->op == OP_DIV ? "/" : "%";
	const char *minus_one = n->op == OP_DIV ? "(int64_t)(0 - (uint64_t)_l)" : "0";

	return A("({ int64_t _l = %s; int64_t _r = %s; "
		 "if (unlikely(_r == 0)) { stp_error(&c->base, %s, \"division by 0\"); goto out; } "
		 "_r == -1 ? %s : _l %s _r; })",
		 lhs, rhs, gen_location(n), minus_one, op);
}

const char *gen_arith(struct gen *g, struct node *n, const char *l, const char *r)
{
	switch (n->op) {
	case OP_ADD: return A("(int64_t)((uint64_t)(%s) + (uint64_t)(%s))", l, r);
	case OP_SUB: return A("(int64_t)((uint64_t)(%s) - (uint64_t)(%s))", l, r);
	case OP_MUL: return A("(int64_t)((uint64_t)(%s) * (uint64_t)(%s))", l, r);
	case OP_DIV: case OP_MOD: return gen_divide(g, n, l, r);
	case OP_SHL: return A("(int64_t)((uint64_t)(%s) << ((%s) & 63))", l, r);
	case OP_SHR: return A("((int64_t)(%s) >> ((%s) & 63))", l, r);
	case OP_USHR: return A("(int64_t)((uint64_t)(%s) >> ((%s) & 63))", l, r);
	case OP_BAND: return A("((%s) & (%s))", l, r);
	case OP_BOR: return A("((%s) | (%s))", l, r);
	case OP_BXOR: return A("((%s) ^ (%s))", l, r);
	default: return NULL;
	}
}

static const char *compare_op(enum op op)
{
	switch (op) {
	case OP_LT: return "<";
	case OP_LE: return "<=";
	case OP_GT: return ">";
	case OP_GE: return ">=";
	case OP_EQ: return "==";
	case OP_NE: return "!=";
	default: return NULL;
	}
}

static const char *gen_binary_long(struct gen *g, struct node *n)
{
	const char *cmp = compare_op(n->op);

	if (cmp && n->lhs->type == T_STRING)
		return A("(int64_t)(strcmp(%s, %s) %s 0)", gen_str(g, n->lhs), gen_str(g, n->rhs),
			 cmp);
	/* Operands are evaluated left to right into locals of the statement expression. */
	const char *l = gen_long(g, n->lhs), *r = gen_long(g, n->rhs);
	if (cmp)
		return A("({ int64_t _a = %s; int64_t _b = %s; (int64_t)(_a %s _b); })", l, r, cmp);
	return A("({ int64_t _a = %s; int64_t _b = %s; %s; })", l, r,
		 gen_arith(g, n, "_a", "_b"));
}

static const char *gen_unary(struct gen *g, struct node *n)
{
	const char *v = gen_long(g, n->operand);

	switch (n->op) {
	case OP_NEG: return A("(int64_t)(0 - (uint64_t)(%s))", v);
	case OP_NOT: return A("(int64_t)!(%s)", v);
	case OP_BNOT: return A("(~(int64_t)(%s))", v);
	case OP_PLUS: return v;
	default:
		gen_unsupported(n, A("unary operator '%s'", op_spelling(n->op)));
		return "0";
	}
}

static const char *gen_incdec(struct gen *g, struct node *n)
{
	const char *op = n->op == OP_INC ? "++" : "--";

	if (n->operand->kind == N_INDEX && n->operand->base->kind == N_SYMBOL)
		return gen_index_incdec(g, n);
	if (n->operand->kind != N_SYMBOL) {
		gen_unsupported(n, "increment of this operand");
		return "0";
	}
	const char *v = gen_var(g, n->operand->sym);
	return n->is_postfix ? A("(%s%s)", v, op) : A("(%s%s)", op, v);
}

static const char *gen_assign_long(struct gen *g, struct node *n)
{
	if (n->lhs->kind == N_INDEX && n->lhs->base->kind == N_SYMBOL)
		return gen_index_assign(g, n);
	if (n->op == OP_STATS_ADD && n->lhs->kind == N_SYMBOL)
		return gen_stat_add(g, n);
	if (n->lhs->kind == N_TARGET || n->lhs->kind == N_CAST)
		return gen_target_assign(g, n);         /* guru mode: guru.c */
	if (n->lhs->kind != N_SYMBOL) {
		gen_unsupported(n, "assignment to this operand");
		return "0";
	}
	const char *v = gen_var(g, n->lhs->sym), *r = gen_long(g, n->rhs);
	if (n->op == OP_ASSIGN)
		return A("(%s = %s)", v, r);
	const char *value = gen_arith(g, n, "_a", "_b");
	if (!value) {
		gen_unsupported(n, A("operator '%s='", op_spelling(n->op)));
		return "0";
	}
	return A("({ int64_t _b = %s; int64_t _a = %s; %s = %s; })", r, v, v, value);
}

static const char *gen_assign_str(struct gen *g, struct node *n)
{
	if (n->lhs->kind == N_INDEX && n->lhs->base->kind == N_SYMBOL)
		return gen_index_assign(g, n);
	if (n->lhs->kind != N_SYMBOL) {
		gen_unsupported(n, "assignment to this operand");
		return "\"\"";
	}
	const char *v = gen_var(g, n->lhs->sym);
	if (n->op == OP_CONCAT) {
		/* Copy the right side first: it may be the variable itself. */
		const char *t = gen_temp(g, T_STRING);
		return A("({ stp_strcpy(%s, %s); stp_strcat(%s, %s); (const char *)%s; })", t,
			 gen_str(g, n->rhs), v, t, v);
	}
	return A("({ const char *_s = %s; if (_s != %s) stp_strcpy(%s, _s); (const char *)%s; })",
		 gen_str(g, n->rhs), v, v, v);
}

/* $var and friends: only the probe's family knows where they live. */
static const char *gen_target_expr(struct gen *g, struct node *n)
{
	const struct probe_family *f = g->probe ? g->probe->family : NULL;
	const struct node *inner = n->kind == N_UNARY ? n->operand : n;

	if (inner->kind == N_CAST)
		return dwarf_gen_cast(g, n);
	if ((!f || !f->gen_target) && (inner->flags & TF_AT_VAR))
		f = &atvar_family;      /* @var: the kernel's globals in any probe */
	if (!f || !f->gen_target) {
		diag_semantic_error(&n->loc, n->tok_desc,
				    g->probe ? "target variables are not available in this probe (%s)"
					     : "target variables are only available in probe handlers%s",
				    g->probe ? g->probe->pp : "");
		return NULL;
	}
	return f->gen_target(g, g->probe, n);
}

static int is_target(const struct node *n)
{
	if (n->kind == N_UNARY && n->op == OP_ADDR)
		return is_target(n->operand);
	return n->kind == N_TARGET || n->kind == N_CAST || n->kind == N_AUTOCAST ||
	       (n->kind == N_ATOP && (!strcmp(n->name, "entry") || !strcmp(n->name, "defined")));
}

const char *gen_long(struct gen *g, struct node *n)
{
	if (is_target(n)) {
		const char *t = gen_target_expr(g, n);
		return t ? t : "0";
	}
	switch (n->kind) {
	case N_NUMBER:
		if (n->num == INT64_MIN)
			return "((int64_t)(-9223372036854775807LL - 1))";
		return A("((int64_t)%lldLL)", (long long)n->num);
	case N_SYMBOL:
		return gen_var(g, n->sym);
	case N_BINARY:
		return gen_binary_long(g, n);
	case N_LOGICAL:
		return A("(int64_t)((%s) %s (%s))", gen_long(g, n->lhs),
			 n->op == OP_LAND ? "&&" : "||", gen_long(g, n->rhs));
	case N_UNARY:
		return gen_unary(g, n);
	case N_INCDEC:
		return gen_incdec(g, n);
	case N_ASSIGN:
		return gen_assign_long(g, n);
	case N_TERNARY:
		return A("((%s) ? (%s) : (%s))", gen_long(g, n->cond), gen_long(g, n->lhs),
			 gen_long(g, n->rhs));
	case N_CALL:
		return gen_call(g, n);
	case N_INDEX:
		if (n->base->kind == N_SYMBOL || n->base->kind == N_HIST)
			return gen_index_read(g, n);
		break;
	case N_IN:
		return gen_in(g, n);
	case N_REGEX:
		return regex_gen_match(g, n);
	case N_STAT:
		return gen_stat_op(g, n);
	case N_EMBED_EXPR:
		return gen_embed_expr(n);               /* guru.c */
	default:
		break;
	}
	gen_unsupported(n, A("%s", node_kind_name(n->kind)));
	return "0";
}

static const char *gen_concat(struct gen *g, struct node *n)
{
	const char *t = gen_temp(g, T_STRING);

	return A("({ stp_strcpy(%s, %s); stp_strcat(%s, %s); (const char *)%s; })", t,
		 gen_str(g, n->lhs), t, gen_str(g, n->rhs), t);
}

const char *gen_str(struct gen *g, struct node *n)
{
	if (is_target(n)) {
		const char *t = gen_target_expr(g, n);
		return t ? t : "\"\"";
	}
	switch (n->kind) {
	case N_STRING:
		return A("((const char *)%s)", c_string_literal(n->str, n->len));
	case N_SYMBOL:
		return A("((const char *)%s)", gen_var(g, n->sym));
	case N_BINARY:
		if (n->op == OP_CONCAT)
			return gen_concat(g, n);
		break;
	case N_ASSIGN:
		return gen_assign_str(g, n);
	case N_TERNARY:
		return A("((%s) ? (%s) : (%s))", gen_long(g, n->cond), gen_str(g, n->lhs),
			 gen_str(g, n->rhs));
	case N_CALL:
		return gen_call(g, n);
	case N_PRINT:
		return gen_print(g, n);
	case N_INDEX:
		if (n->base->kind == N_SYMBOL)
			return gen_index_read(g, n);
		break;
	case N_EMBED_EXPR:
		return gen_embed_expr(n);               /* guru.c */
	default:
		break;
	}
	gen_unsupported(n, A("string %s", node_kind_name(n->kind)));
	return "\"\"";
}

const char *gen_value(struct gen *g, struct node *n)
{
	return n->type == T_STRING ? gen_str(g, n) : gen_long(g, n);
}

const char *gen_void(struct gen *g, struct node *n)
{
	if (n->kind == N_PRINT || (n->kind == N_CALL && n->type == T_VOID))
		return n->kind == N_PRINT ? gen_print(g, n) : gen_call(g, n);
	if (n->type == T_STRING)
		return A("(void)%s", gen_str(g, n));
	if (n->type == T_STATS)
		return A("(void)%s", gen_long(g, n));    /* s <<< v */
	return A("(void)%s", gen_long(g, n));
}
