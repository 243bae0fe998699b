/* types.c - type inference for the elaborated program.
 *
 * Types flow both ways until nothing changes: from literals, operators and declared types
 * into variables, function parameters and return values, and from typed variables back into
 * untyped ones they are assigned from. A final round reports conflicts ("type mismatch")
 * and anything still untyped ("unresolved type").
 */
#include "types.h"
#include "arena.h"
#include "ast_walk.h"
#include "probes/probes.h"
#include "probes/kprobe.h"

#include <string.h>

struct infer {
	struct session *s;
	struct program *prog;
	struct probe_info *probe;       /* probe whose body is walked, or NULL */
	struct function_info *fn;       /* function whose body is walked, or NULL */
	int changed;
	int report;                     /* final round: report errors */
};

static void set_symbol_type(struct infer *in, struct symbol *sym, enum stap_type t,
			    const struct node *where)
{
	if (t == T_UNKNOWN || !sym)
		return;
	if (sym->type == T_UNKNOWN) {
		sym->type = t;
		in->changed = 1;
	} else if (sym->type != t && in->report) {
		diag_semantic_error(&where->loc, where->tok_desc, "type mismatch (%s)", type_name(t));
		if (sym->decl && sym->decl != where)
			diag_semantic_error(&sym->decl->loc, sym->decl->tok_desc,
					    "type was first inferred here (%s)", type_name(sym->type));
	}
}

static void set_return_type(struct infer *in, struct function_info *f, enum stap_type t,
			    const struct node *where)
{
	if (t == T_UNKNOWN || !f)
		return;
	if (f->ret_type == T_UNKNOWN) {
		f->ret_type = t;
		in->changed = 1;
	} else if (f->ret_type != t && in->report) {
		diag_semantic_error(&where->loc, where->tok_desc, "type mismatch (%s)", type_name(t));
	}
}

/* Pushes an expected type down into an expression whose type comes from a variable or call. */
static void expect(struct infer *in, struct node *n, enum stap_type t)
{
	if (!n || t == T_UNKNOWN)
		return;
	switch (n->kind) {
	case N_SYMBOL:
		set_symbol_type(in, n->sym, t, n);
		break;
	case N_CALL:
		set_return_type(in, n->fn, t, n);
		break;
	case N_INDEX:
		if (n->base->kind == N_SYMBOL)
			set_symbol_type(in, n->base->sym, t, n);
		break;
	case N_TERNARY:
		expect(in, n->lhs, t);
		expect(in, n->rhs, t);
		break;
	case N_ASSIGN:
		expect(in, n->lhs, t);
		break;
	default:
		if (in->report && n->type != T_UNKNOWN && n->type != t)
			diag_semantic_error(&n->loc, n->tok_desc, "type mismatch (%s vs. %s)",
					    type_name(n->type), type_name(t));
	}
}

static enum stap_type infer_expr(struct infer *in, struct node *n);

static void infer_child(struct node *child, void *arg)
{
	infer_expr(arg, child);
}

static enum stap_type binary_type(struct infer *in, struct node *n)
{
	enum stap_type lt = infer_expr(in, n->lhs), rt = infer_expr(in, n->rhs);

	switch (n->op) {
	case OP_CONCAT:
		expect(in, n->lhs, T_STRING);
		expect(in, n->rhs, T_STRING);
		return T_STRING;
	case OP_LT: case OP_LE: case OP_GT: case OP_GE: case OP_EQ: case OP_NE:
		/* Comparisons unify their operands. */
		expect(in, n->lhs, rt);
		expect(in, n->rhs, lt);
		return T_LONG;
	default:
		expect(in, n->lhs, T_LONG);
		expect(in, n->rhs, T_LONG);
		return T_LONG;
	}
}

static enum stap_type assign_type(struct infer *in, struct node *n)
{
	enum stap_type lt = infer_expr(in, n->lhs), rt = infer_expr(in, n->rhs);

	switch (n->op) {
	case OP_ASSIGN:
		expect(in, n->lhs, rt);
		expect(in, n->rhs, lt);
		return lt != T_UNKNOWN ? lt : rt;
	case OP_CONCAT:
		expect(in, n->lhs, T_STRING);
		expect(in, n->rhs, T_STRING);
		return T_STRING;
	case OP_STATS_ADD:
		expect(in, n->lhs, T_STATS);
		expect(in, n->rhs, T_LONG);
		return T_STATS;
	default:
		expect(in, n->lhs, T_LONG);
		expect(in, n->rhs, T_LONG);
		return T_LONG;
	}
}

static enum stap_type call_type(struct infer *in, struct node *n)
{
	struct function_info *f = n->fn;
	struct symbol *p = f ? f->params : NULL;

	for (struct node *a = n->args; a; a = a->next) {
		enum stap_type at = infer_expr(in, a);
		if (p) {
			set_symbol_type(in, p, at, a);
			expect(in, a, p->type);
			p = p->next;
		}
	}
	return f ? f->ret_type : T_UNKNOWN;
}

static enum stap_type print_type(struct infer *in, struct node *n)
{
	for (struct node *a = n->args; a; a = a->next)
		infer_expr(in, a);
	return strncmp(n->name, "sprint", 6) == 0 ? T_STRING : T_VOID;
}

/* Keys of an array use unify with the array's key types, position by position. */
static void infer_keys(struct infer *in, struct symbol *arr, struct node *keys)
{
	int i = 0;

	for (struct node *k = keys; k; k = k->next, i++) {
		if (k->kind == N_STAR || !arr || i >= 9)
			continue;
		enum stap_type kt = infer_expr(in, k);
		if (kt == T_STATS || kt == T_VOID) {
			if (in->report)
				diag_semantic_error(&k->loc, k->tok_desc, "invalid array key type (%s)",
						    type_name(kt));
			continue;
		}
		if (arr->key_types[i] == T_UNKNOWN && kt != T_UNKNOWN) {
			arr->key_types[i] = kt;
			in->changed = 1;
		}
		expect(in, k, arr->key_types[i]);
		if (in->report && kt != T_UNKNOWN && arr->key_types[i] != kt)
			diag_semantic_error(&k->loc, k->tok_desc, "type mismatch (%s) for key %d of %s",
					    type_name(kt), i + 1, arr->name);
	}
}

static struct symbol *array_of(struct node *base)
{
	if (base->kind == N_INDEX)
		base = base->base;
	return base->kind == N_SYMBOL ? base->sym : NULL;
}

static enum stap_type foreach_type(struct infer *in, struct node *n)
{
	struct symbol *arr = array_of(n->base);

	if (n->base->kind == N_INDEX)
		infer_keys(in, arr, n->base->args);
	infer_keys(in, arr, n->args);
	if (n->value_var && arr) {
		if (arr->type == T_STATS) {
			if (in->report)
				diag_semantic_error(&n->value_var->loc, n->value_var->tok_desc,
						    "a statistics array has no plain value; use @count etc.");
		} else {
			set_symbol_type(in, n->value_var->sym, arr->type, n->value_var);
			expect(in, n->value_var, arr->type);
			if (arr->type == T_UNKNOWN && n->value_var->sym->type != T_UNKNOWN)
				set_symbol_type(in, arr, n->value_var->sym->type, n->base);
		}
	}
	if (n->limit) {
		infer_expr(in, n->limit);
		expect(in, n->limit, T_LONG);
	}
	if (n->body)
		infer_expr(in, n->body);
	return T_VOID;
}

/* @hist_*: the variable must be statistics, and all its histograms of one shape. */
static void note_hist(struct infer *in, struct node *n)
{
	struct symbol *sym = array_of(n->operand);

	expect(in, n->operand, T_STATS);
	if (!sym)
		return;
	if (!sym->hist) {
		sym->hist = n;
		return;
	}
	int same = strcmp(sym->hist->name, n->name) == 0;
	for (struct node *a = sym->hist->args, *b = n->args; same && a && b; a = a->next, b = b->next)
		same = a->num == b->num;
	if (!same && in->report)
		diag_semantic_error(&n->loc, n->tok_desc,
				    "conflicting histogram parameters for %s", sym->name);
}

/* $var, @cast(...)->f, @entry(...): the probe's family decides their type. */
static enum stap_type target_type(struct infer *in, struct node *n)
{
	const struct probe_family *f = in->probe ? in->probe->family : NULL;

	if (n->type != T_UNKNOWN)
		return n->type;
	if ((n->kind == N_UNARY ? n->operand : n)->kind == N_CAST) {
		node_visit_children(n->kind == N_UNARY ? n->operand : n, infer_child, in);
		return dwarf_cast_type(in->s, n);
	}
	if (!f || !f->target_type) {
		if (in->report)
			diag_semantic_error(&n->loc, n->tok_desc, in->probe
					    ? "target variables are not available in probe %s"
					    : "target variables are only available in probe handlers%s",
					    in->probe ? in->probe->pp : "");
		return T_UNKNOWN;
	}
	return f->target_type(in->s, in->probe, n);
}

static enum stap_type infer_expr(struct infer *in, struct node *n)
{
	enum stap_type t = T_UNKNOWN;

	switch (n->kind) {
	case N_TARGET: case N_CAST: case N_AUTOCAST:
		t = target_type(in, n);
		break;
	case N_UNARY:
		if (n->op == OP_ADDR) {       /* &$var->f, &@cast(...)->f */
			t = target_type(in, n);
			break;
		}
		node_visit_children(n, infer_child, in);
		expect(in, n->operand, T_LONG);
		t = T_LONG;
		break;
	case N_ATOP:
		if (!strcmp(n->name, "entry") || !strcmp(n->name, "defined"))
			t = target_type(in, n);
		else
			node_visit_children(n, infer_child, in);
		break;
	case N_NUMBER:
		t = T_LONG;
		break;
	case N_STRING:
		t = T_STRING;
		break;
	case N_SYMBOL:
		t = n->sym ? n->sym->type : T_UNKNOWN;
		break;
	case N_BINARY:
		t = binary_type(in, n);
		break;
	case N_ASSIGN:
		t = assign_type(in, n);
		break;
	case N_LOGICAL: case N_INCDEC: case N_REGEX:
		node_visit_children(n, infer_child, in);
		if (n->kind == N_REGEX) {
			expect(in, n->lhs, T_STRING);
		} else {
			expect(in, n->lhs, T_LONG);
			expect(in, n->rhs, T_LONG);
			expect(in, n->operand, T_LONG);
		}
		t = T_LONG;
		break;
	case N_TERNARY: {
		infer_expr(in, n->cond);
		enum stap_type lt = infer_expr(in, n->lhs), rt = infer_expr(in, n->rhs);
		expect(in, n->cond, T_LONG);
		expect(in, n->lhs, rt);
		expect(in, n->rhs, lt);
		t = lt != T_UNKNOWN ? lt : rt;
		break;
	}
	case N_CALL:
		t = call_type(in, n);
		break;
	case N_INDEX:
		if (n->base->kind == N_SYMBOL) {
			infer_keys(in, n->base->sym, n->args);
			t = n->base->sym ? n->base->sym->type : T_UNKNOWN;
		} else {
			node_visit_children(n, infer_child, in);   /* histogram bucket */
			t = T_LONG;
		}
		break;
	case N_IN:
		infer_keys(in, n->base->sym, n->args);
		t = T_LONG;
		break;
	case N_FOREACH:
		t = foreach_type(in, n);
		break;
	case N_STAT:
		infer_expr(in, n->operand);
		expect(in, n->operand, T_STATS);
		t = T_LONG;
		break;
	case N_HIST:
		infer_expr(in, n->operand);
		note_hist(in, n);
		t = T_VOID;
		break;
	case N_PRINT:
		t = print_type(in, n);
		break;
	case N_RETURN:
		if (n->operand) {
			if (in->fn)
				in->fn->returns_value = 1;
			enum stap_type rt = infer_expr(in, n->operand);
			set_return_type(in, in->fn, rt, n->operand);
			if (in->fn)
				expect(in, n->operand, in->fn->ret_type);
		}
		t = T_VOID;
		break;
	case N_IF: case N_WHILE: case N_FOR:
		node_visit_children(n, infer_child, in);
		expect(in, n->cond, T_LONG);
		t = T_VOID;
		break;
	default:
		node_visit_children(n, infer_child, in);
		break;
	}
	if (t != T_UNKNOWN)
		n->type = t;
	return t;
}

static void report_untyped(const struct symbol *s)
{
	if (s->type == T_UNKNOWN && s->decl)
		diag_semantic_error(&s->decl->loc, s->decl->tok_desc, "unresolved type");
}

static void report_untyped_list(const struct symbol *list)
{
	for (; list; list = list->next)
		report_untyped(list);
}

/* The concrete probes of one declaration share a body: only the first one walks it. */
static int first_of_its_declaration(const struct program *prog, const struct probe_info *pi)
{
	for (const struct probe_info *q = prog->probes; q != pi; q = q->next)
		if (q->decl == pi->decl)
			return 0;
	return 1;
}

static void infer_round(struct infer *in)
{
	for (struct probe_info *pi = in->prog->probes; pi; pi = pi->next) {
		in->fn = NULL;
		in->probe = pi;
		if (pi->body && first_of_its_declaration(in->prog, pi))
			infer_expr(in, pi->body);
	}
	in->probe = NULL;
	for (struct function_info *f = in->prog->functions; f; f = f->next) {
		if (!f->used || f->is_embedded || !f->decl->body)
			continue;
		in->fn = f;
		infer_expr(in, f->decl->body);
	}
}

void infer_types(struct session *s, struct program *prog)
{
	struct infer in = { .s = s, .prog = prog };

	for (int round = 0; round < 50; round++) {
		in.changed = 0;
		infer_round(&in);
		if (!in.changed)
			break;
	}
	in.report = 1;
	infer_round(&in);
	for (struct function_info *f = prog->functions; f; f = f->next) {
		if (!f->used)
			continue;
		if (f->ret_type == T_UNKNOWN && f->returns_value)
			diag_semantic_error(&f->decl->loc, f->decl->tok_desc,
					    "unresolved return type of function '%s'", f->name);
		else if (f->ret_type == T_UNKNOWN)
			f->ret_type = T_VOID;   /* no value-returning `return`: a void function */
		report_untyped_list(f->params);
		report_untyped_list(f->locals);
	}
	for (struct probe_info *pi = prog->probes; pi; pi = pi->next)
		if (pi->locals_head && first_of_its_declaration(prog, pi))
			report_untyped_list(*pi->locals_head);
	for (struct symbol *g = prog->globals; g; g = g->next)
		if (g->used)
			report_untyped(g);
	(void)s;
}
