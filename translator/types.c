/* types.c - type inference and checking for the elaborated program.
 *
 * Types flow both ways until nothing changes: from literals, operators and declared types
 * into variables, array keys and values, function parameters and return values (shared by
 * the overloads of a function), and from typed variables back into untyped ones they are
 * assigned from. Each variable remembers where its type was first inferred. A final round
 * reports conflicts in SystemTap's words:
 *
 *   type mismatch (string): identifier 'x' at ...        a variable used as two types,
 *   type was first inferred here (long): ...             with its first inference
 *   type mismatch: expected long but found string: ...   an expression in a typed place
 *   index 0 type mismatch (string): ...                  an array key
 *   invalid type stats: ...                              statistics used as a value
 *   unresolved type : identifier 'y' at ...              nothing decides its type
 */
#include "types.h"
#include "guru.h"
#include "print_format.h"
#include "regex.h"
#include "arena.h"
#include "ast_walk.h"
#include "probes/probes.h"
#include "probes/kprobe.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { NF_TARGET_DONE = 0x8000 };  /* target expression already asked (and failed) */

struct walk_list {
	struct probe_info **v;
	int n;
};

static struct walk_list distinct_bodies(struct program *prog);

struct infer {
	struct session *s;
	struct program *prog;
	struct probe_info *probe;       /* probe whose body is walked, or NULL */
	struct function_info *fn;       /* function whose body is walked, or NULL */
	int changed;
	int report;                     /* final round: report errors */
};

/* A variable used as two types. `what` is "" or, for a parameter whose type came from
 * a call's argument, "index N " (SystemTap's words for it). */
static void conflict_as(struct infer *in, const struct node *where, enum stap_type t,
			const struct node *first, enum stap_type old, const char *what)
{
	if (!in->report)
		return;
	diag_semantic_error(&where->loc, where->tok_desc, "%stype mismatch (%s)", what,
			    type_name(t));
	if (first && first != where)
		diag_semantic_error(&first->loc, first->tok_desc,
				    "type %swas first inferred here (%s)", *what ? "of " : "",
				    type_name(old));
}

static void conflict(struct infer *in, const struct node *where, enum stap_type t,
		     const struct node *first, enum stap_type old)
{
	conflict_as(in, where, t, first, old, "");
}

/* "index N " for a parameter of the function being walked typed by a call's argument. */
static const char *param_index(const struct infer *in, const struct symbol *sym)
{
	int i = 0;

	if (sym->scope != SYM_PARAM || !in->fn || !sym->type_tok || sym->type_tok == sym->decl)
		return "";
	for (const struct symbol *p = in->fn->params; p; p = p->next, i++)
		if (p == sym)
			return arena_printf(g_arena, "index %d ", i);
	return "";
}

static void set_symbol_type(struct infer *in, struct symbol *sym, enum stap_type t,
			    const struct node *where)
{
	if (t == T_UNKNOWN || t == T_VOID || !sym)
		return;
	if (sym->type == T_UNKNOWN) {
		sym->type = t;
		sym->type_tok = where;
		in->changed = 1;
	} else if (sym->type != t) {
		conflict_as(in, where, t, sym->type_tok ? sym->type_tok : sym->decl, sym->type,
			    param_index(in, sym));
	}
}

/* The return type, shared by the overloads of a function. */
static void set_return_type(struct infer *in, struct function_info *f, enum stap_type t,
			    const struct node *where)
{
	if (t == T_UNKNOWN || !f)
		return;
	struct function_info *head = f->first_overload ? f->first_overload : f;
	if (head->ret_type == T_UNKNOWN) {
		for (struct function_info *m = head; m; m = m->next_overload) {
			m->ret_type = t;
			m->ret_tok = where;
		}
		in->changed = 1;
		return;
	}
	if (head->ret_type == t || !in->report)
		return;
	if (head->ret_tok && head->ret_tok->kind == N_FUNCTION)   /* (SystemTap's order) */
		diag_semantic_error(&where->loc, where->tok_desc,
				    "type mismatch: expected %s but found %s",
				    type_name(t), type_name(head->ret_type));
	else
		conflict(in, where, t, head->ret_tok, head->ret_type);
}

static void mismatch(struct infer *in, const struct node *n, enum stap_type want,
		     enum stap_type got)
{
	if (in->report)
		diag_semantic_error(&n->loc, n->tok_desc, "type mismatch: expected %s but found %s",
				    type_name(want), type_name(got));
}

/* Pushes an expected type down into an expression whose type comes from a variable or a
 * call; anything else must already have that type. */
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
			set_symbol_type(in, n->base->sym, t, n->base);
		else if (t != T_LONG)
			mismatch(in, n, t, T_LONG);
		break;
	case N_TERNARY:
		expect(in, n->lhs, t);
		expect(in, n->rhs, t);
		break;
	case N_ASSIGN:
		if (n->op == OP_STATS_ADD)
			mismatch(in, n, t, T_STATS);
		else
			expect(in, n->lhs, t);
		break;
	default:
		if (n->type != T_UNKNOWN && n->type != t)
			mismatch(in, n, t, n->type);
	}
}

static enum stap_type infer_expr(struct infer *in, struct node *n);

static void infer_child(struct node *child, void *arg)
{
	infer_expr(arg, child);
}

static const struct node *token_of(const struct node *n)
{
	return n->kind == N_INDEX ? n->base : n;
}

/* An expression used for its value: statistics are not values. */
static enum stap_type value(struct infer *in, struct node *n)
{
	enum stap_type t = infer_expr(in, n);

	if (t == T_STATS) {
		if (in->report)
			diag_semantic_error(&token_of(n)->loc, token_of(n)->tok_desc,
					    "invalid type stats");
		return T_UNKNOWN;
	}
	return t;
}

/* An operand that must be a long (or a string): a statistic there is reported by the
 * expect() that follows, as SystemTap's "type mismatch" alone. */
static enum stap_type operand(struct infer *in, struct node *n)
{
	enum stap_type t = infer_expr(in, n);

	return t == T_STATS ? T_UNKNOWN : t;
}

static int is_literal(const struct node *n)
{
	return n->kind == N_NUMBER || n->kind == N_STRING;
}

static enum stap_type binary_type(struct infer *in, struct node *n)
{
	int compare = n->op == OP_LT || n->op == OP_LE || n->op == OP_GT || n->op == OP_GE ||
		      n->op == OP_EQ || n->op == OP_NE;
	/* compared with a literal, an operand is expected to have the literal's type */
	enum stap_type lt = compare && !is_literal(n->rhs) ? value(in, n->lhs) : operand(in, n->lhs);
	enum stap_type rt = compare && !is_literal(n->lhs) ? value(in, n->rhs) : operand(in, n->rhs);

	switch (n->op) {
	case OP_CONCAT:
		expect(in, n->lhs, T_STRING);
		expect(in, n->rhs, T_STRING);
		return T_STRING;
	case OP_LT: case OP_LE: case OP_GT: case OP_GE: case OP_EQ: case OP_NE:
		/* Comparisons unify their operands: a literal on the right decides first (as
		 * in SystemTap, where literals are typed from the start), else the left. */
		if (rt != T_UNKNOWN && is_literal(n->rhs))
			expect(in, n->lhs, rt);
		else if (lt != T_UNKNOWN)
			expect(in, n->rhs, lt);
		else if (rt != T_UNKNOWN)
			expect(in, n->lhs, rt);
		return T_LONG;
	default:
		expect(in, n->lhs, T_LONG);
		expect(in, n->rhs, T_LONG);
		return T_LONG;
	}
}

static enum stap_type assign_type(struct infer *in, struct node *n)
{
	enum stap_type lt = infer_expr(in, n->lhs);
	enum stap_type rt = n->op == OP_STATS_ADD ? value(in, n->rhs) : value(in, n->rhs);

	switch (n->op) {
	case OP_ASSIGN:
		if (lt == T_STATS) {
			expect(in, n->lhs, rt == T_UNKNOWN ? T_UNKNOWN : rt);
			return T_UNKNOWN;
		}
		if (rt != T_UNKNOWN)
			expect(in, n->lhs, rt);
		else
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
	struct function_info *head = n->fn;
	int i = 0;

	for (struct node *a = n->args; a; a = a->next, i++) {
		enum stap_type at = value(in, a);
		for (struct function_info *m = head; m; m = m->next_overload) {
			struct symbol *p = m->params;
			for (int j = 0; j < i && p; j++)
				p = p->next;
			if (!p)
				continue;
			if (at != T_UNKNOWN && p->type != T_UNKNOWN && p->type != at) {
				/* A typed parameter and an argument of another type (named the
				 * other way round, as SystemTap does). */
				mismatch(in, a, at, p->type);
				continue;
			}
			set_symbol_type(in, p, at, a);
			expect(in, a, p->type);
		}
	}
	return head ? head->ret_type : T_UNKNOWN;
}

/* printf/sprintf: the format decides how many arguments there are and their types. */
static void check_format(struct infer *in, struct node *n)
{
	struct node *f = n->args;
	const char *err;

	if (!f || f->kind != N_STRING)
		return;             /* reported by the translator */
	struct fmt_comp *comps = fmt_parse(f->str, f->len, f->text, &err);
	if (err) {
		if (in->report)
			diag_parse_error(&f->loc, f->tok_desc, "%s", err);
		return;
	}
	int i = 0;
	for (struct node *a = f->next; a; a = a->next, i++)
		if (i < fmt_nargs(comps))
			expect(in, a, fmt_arg_is_string(comps, i) ? T_STRING : T_LONG);
	if (i != fmt_nargs(comps) && in->report)
		diag_semantic_error(&n->loc, n->tok_desc,
				    "Wrong number of args to formatted print operator");
}

static enum stap_type print_type(struct infer *in, struct node *n)
{
	for (struct node *a = n->args; a; a = a->next)
		value(in, a);
	if (strstr(n->name, "printf"))
		check_format(in, n);
	return strncmp(n->name, "sprint", 6) == 0 ? T_STRING : T_VOID;
}

/* Keys of an array use unify with the array's key types, position by position. */
static void infer_keys(struct infer *in, struct symbol *arr, struct node *keys)
{
	int i = 0;

	for (struct node *k = keys; k; k = k->next, i++) {
		if (k->kind == N_STAR) {
			continue;
		}
		enum stap_type kt = value(in, k);
		if (!arr || i >= 9)
			continue;
		if (kt == T_VOID) {
			if (in->report)
				diag_semantic_error(&k->loc, k->tok_desc, "invalid array key type (%s)",
						    type_name(kt));
			continue;
		}
		if (arr->key_types[i] == T_UNKNOWN && kt != T_UNKNOWN) {
			arr->key_types[i] = kt;
			arr->key_toks[i] = k;
			in->changed = 1;
		} else if (arr->key_types[i] != T_UNKNOWN && kt != T_UNKNOWN &&
			   arr->key_types[i] != kt) {
			if (in->report) {
				diag_semantic_error(&k->loc, k->tok_desc, "index %d type mismatch (%s)",
						    i, type_name(kt));
				if (arr->key_toks[i])
					diag_semantic_error(&arr->key_toks[i]->loc,
							    arr->key_toks[i]->tok_desc,
							    "type of index %d was first inferred here (%s)",
							    i, type_name(arr->key_types[i]));
			}
			continue;
		}
		if (kt == T_UNKNOWN && arr->key_types[i] != T_UNKNOWN)
			expect(in, k, arr->key_types[i]);
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

	if (n->base->kind == N_HIST) {
		infer_expr(in, n->base);
		for (struct node *k = n->args; k; k = k->next)
			set_symbol_type(in, k->sym, T_LONG, k);
		if (n->value_var)
			set_symbol_type(in, n->value_var->sym, T_LONG, n->value_var);
	} else {
		if (n->base->kind == N_INDEX)
			infer_keys(in, arr, n->base->args);
		int i = 0;
		for (struct node *k = n->args; k; k = k->next, i++) {
			if (!arr || i >= 9 || !k->sym)
				continue;
			if (arr->key_types[i] != T_UNKNOWN)
				set_symbol_type(in, k->sym, arr->key_types[i], k);
			else if (k->sym->type != T_UNKNOWN) {
				arr->key_types[i] = k->sym->type;
				arr->key_toks[i] = k;
				in->changed = 1;
			}
		}
		if (n->name && arr && arr->type != T_STATS && arr->type != T_UNKNOWN && in->report)
			/* `in a @sum-`: an aggregate sort needs an array of statistics */
			diag_semantic_error(&n->base->loc, n->base->tok_desc, "invalid type %s",
					    type_name(arr->type));
		if (n->value_var && arr) {
			if (arr->type == T_STATS) {
				if (in->report)
					diag_semantic_error(&n->value_var->loc, n->value_var->tok_desc,
							    "invalid type stats");
			} else if (arr->type != T_UNKNOWN) {
				set_symbol_type(in, n->value_var->sym, arr->type, n->value_var);
			} else if (n->value_var->sym && n->value_var->sym->type != T_UNKNOWN) {
				set_symbol_type(in, arr, n->value_var->sym->type, n->base);
			}
		}
	}
	if (n->limit) {
		value(in, n->limit);
		expect(in, n->limit, T_LONG);
	}
	if (n->body)
		infer_expr(in, n->body);
	return T_VOID;
}

/* @hist_linear(s, start, stop, interval): what SystemTap's runtime refuses when it
 * creates the statistic (interval 0; not 1 to STP_MAX_BUCKETS - 2 buckets), refused
 * here at translate time instead. */
static const char *hist_linear_error(const struct session *s, const struct node *n)
{
	const struct node *lo = n->args, *hi = lo ? lo->next : NULL, *step = hi ? hi->next : NULL;
	long long max = 128;

	if (!step || lo->kind != N_NUMBER || hi->kind != N_NUMBER || step->kind != N_NUMBER)
		return NULL;
	if (step->num == 0)
		return "histogram: interval cannot be zero";
	for (int i = 0; i < s->defines.n; i++)
		if (!strncmp(s->defines.v[i], "STP_MAX_BUCKETS=", 16))
			max = strtoll(s->defines.v[i] + 16, NULL, 0);
	__int128 buckets = ((__int128)hi->num - lo->num) / step->num + 3;
	if (buckets < 3 || buckets > max)
		return arena_printf(g_arena, "histogram: Number of buckets must be between 1 and "
				    "%lld (Number_of_buckets = (stop - start) / interval)", max - 2);
	return NULL;
}

/* @variance(s, shift): a shift in 0..62, and one per statistic (a later @variance may
 * add a shift to one that had none, as SystemTap allows). Checked in the final round. */
static void note_variance(struct infer *in, const struct node *n)
{
	static struct shift_use { const struct symbol *sym; int64_t shift; } uses[64];
	static int nuses;
	const struct symbol *sym = array_of(n->operand);
	int64_t shift = n->args && n->args->kind == N_NUMBER ? n->args->num : 0;
	int i;

	if (!in->report || strcmp(n->name, "variance") != 0)
		return;
	if (shift < 0 || shift > 62) {
		diag_semantic_error(&n->loc, n->tok_desc, "bit shift (%lld) out of range <0..62>",
				    (long long)shift);
		return;
	}
	for (i = 0; i < nuses && uses[i].sym != sym; i++)
		;
	if (i < nuses && uses[i].shift && uses[i].shift != shift)
		diag_semantic_error(&n->loc, n->tok_desc,
				    "conflicting bit shifts declared (previously %lld)",
				    (long long)uses[i].shift);
	else if (i < nuses)
		uses[i].shift = shift;
	else if (sym && nuses < (int)(sizeof(uses) / sizeof(uses[0])))
		uses[nuses++] = (struct shift_use){ sym, shift };
}

/* @hist_*: the variable must be statistics, and all its histograms of one shape. */
static void note_hist(struct infer *in, struct node *n)
{
	struct symbol *sym = array_of(n->operand);

	expect(in, n->operand, T_STATS);
	for (struct node *a = n->args; a; a = a->next) {
		value(in, a);
		expect(in, a, T_LONG);
	}
	const char *herr = in->report && n->args ? hist_linear_error(in->s, n) : NULL;
	if (herr)
		diag_semantic_error(&n->loc, n->tok_desc, "%s", herr);
	if (!sym)
		return;
	if (!sym->hist) {
		sym->hist = n;
		return;
	}
	int same = strcmp(sym->hist->name, n->name) == 0;
	for (struct node *a = sym->hist->args, *b = n->args; same && a && b; a = a->next, b = b->next)
		same = a->kind != N_NUMBER || b->kind != N_NUMBER || a->num == b->num;
	if (!same && in->report)
		diag_semantic_error(&n->loc, n->tok_desc,
				    "multiple histogram types declared on '__global_%s'", sym->name);
}

/* $var, @cast(...)->f, @entry(...): the probe's family decides their type. */
static enum stap_type target_type(struct infer *in, struct node *n)
{
	const struct probe_family *f = in->probe ? in->probe->family : NULL;

	if (n->type != T_UNKNOWN)
		return n->type;
	const struct node *inner = n->kind == N_UNARY ? n->operand : n;
	if (inner->kind == N_CAST && inner->operand)
		value(in, inner->operand);
	for (struct target_comp *c = n->comps; c; c = c->next)
		if (c->index)
			value(in, c->index);
	if (n->flags & NF_TARGET_DONE)
		return T_UNKNOWN;
	if ((n->kind == N_UNARY ? n->operand : n)->kind == N_CAST) {
		/* @cast needs no probe context: the kernel's types, in probes and functions. */
		enum stap_type t = dwarf_cast_type(in->s, in->probe, n);
		if (t == T_UNKNOWN)
			n->flags |= NF_TARGET_DONE;
		return t;
	}
	if ((!f || !f->target_type) && (inner->flags & TF_AT_VAR))
		f = &atvar_family;      /* @var: the kernel's globals in any probe */
	if (!f || !f->target_type) {
		if (in->report) {
			n->flags |= NF_TARGET_DONE;
			diag_semantic_error(&n->loc, n->tok_desc, "unresolved target-symbol expression");
		}
		return T_UNKNOWN;
	}
	if (in->s->skip_badvars) {
		/* --skip-badvars: what does not resolve reads as 0 (guru.c) */
		diag_speculate_begin();
		enum stap_type t = f->target_type(in->s, in->probe, n);
		if (diag_speculate_end() == 0 && t != T_UNKNOWN)
			return t;
		guru_skip_badvar(n);
		return T_LONG;
	}
	enum stap_type t = f->target_type(in->s, in->probe, n);
	if (t == T_UNKNOWN)
		n->flags |= NF_TARGET_DONE;
	return t;
}

static enum stap_type atop_type(struct infer *in, struct node *n)
{
	if (!strcmp(n->name, "entry")) {
		/* @entry(EXPR) has EXPR's type; the family checks where it may be used. */
		if (n->args && value(in, n->args) == T_UNKNOWN && !in->report)
			return T_UNKNOWN;
		return target_type(in, n);
	}
	node_visit_children(n, infer_child, in);
	if (!strcmp(n->name, "enumname"))
		return T_STRING;
	return T_LONG;
}

static enum stap_type infer_expr(struct infer *in, struct node *n)
{
	enum stap_type t = T_UNKNOWN;

	switch (n->kind) {
	case N_TARGET: case N_CAST: case N_AUTOCAST:
		t = target_type(in, n);
		break;
	case N_ATOP:
		t = atop_type(in, n);
		break;
	case N_NUMBER:
		t = T_LONG;
		break;
	case N_STRING:
		t = T_STRING;
		break;
	case N_EMBED_EXPR:
		t = n->text && strstr(n->text, "/* string */") ? T_STRING : T_LONG;
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
	case N_UNARY:
		if (n->op == OP_ADDR) {
			t = target_type(in, n);
			break;
		}
		operand(in, n->operand);
		expect(in, n->operand, T_LONG);
		t = T_LONG;
		break;
	case N_LOGICAL:
		operand(in, n->lhs);
		operand(in, n->rhs);
		expect(in, n->lhs, T_LONG);
		expect(in, n->rhs, T_LONG);
		t = T_LONG;
		break;
	case N_INCDEC:
		operand(in, n->operand);
		expect(in, n->operand, T_LONG);
		t = T_LONG;
		break;
	case N_REGEX:
		value(in, n->lhs);
		value(in, n->rhs);
		expect(in, n->lhs, T_STRING);
		expect(in, n->rhs, T_STRING);
		regex_check(n);
		t = T_LONG;
		break;
	case N_TERNARY: {
		value(in, n->cond);
		enum stap_type lt = value(in, n->lhs), rt = value(in, n->rhs);
		expect(in, n->cond, T_LONG);
		if (lt != T_UNKNOWN)
			expect(in, n->rhs, lt);
		else
			expect(in, n->lhs, rt);
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
		infer_keys(in, array_of(n->base), n->args);
		t = T_LONG;
		break;
	case N_FOREACH:
		t = foreach_type(in, n);
		break;
	case N_STAT:
		infer_expr(in, n->operand);
		expect(in, n->operand, T_STATS);
		for (struct node *a = n->args; a; a = a->next)
			value(in, a);
		note_variance(in, n);
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
	case N_DELETE:
		if (n->operand->kind == N_INDEX && n->operand->base->kind == N_SYMBOL)
			infer_keys(in, n->operand->base->sym, n->operand->args);
		t = T_VOID;
		break;
	case N_RETURN:
		if (n->operand) {
			if (in->fn)
				in->fn->returns_value = 1;
			enum stap_type rt = value(in, n->operand);
			set_return_type(in, in->fn, rt, n->operand);
			if (in->fn && rt == T_UNKNOWN)
				expect(in, n->operand, in->fn->ret_type);
		}
		t = T_VOID;
		break;
	case N_IF: case N_WHILE: case N_FOR:
		node_visit_children(n, infer_child, in);
		expect(in, n->cond, T_LONG);
		t = T_VOID;
		break;
	case N_TRY:
		if (n->catch_var)
			set_symbol_type(in, n->catch_var->sym, T_STRING, n->catch_var);
		node_visit_children(n, infer_child, in);
		t = T_VOID;
		break;
	case N_EXPR_STMT:
		infer_expr(in, n->operand);
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


/* Functions first, then probes (SystemTap's order, which decides where a conflict is
 * reported). */
static void infer_round(struct infer *in, const struct walk_list *probes)
{
	for (struct function_info *f = in->prog->functions; f; f = f->next) {
		if (!f->used || f->is_embedded || !f->decl->body)
			continue;
		in->fn = f;
		infer_expr(in, f->decl->body);
	}
	in->fn = NULL;
	for (int i = 0; i < probes->n; i++) {
		struct probe_info *pi = probes->v[i];
		in->fn = NULL;
		in->probe = pi;
		if (pi->body)
			infer_expr(in, pi->body);
	}
	for (struct probe_info *pi = in->prog->probes; pi; pi = pi->next) {
		if (!pi->condition)
			continue;
		in->probe = pi;
		value(in, pi->condition);
		expect(in, pi->condition, T_LONG);
	}
	in->probe = NULL;
}

static void report_untyped(const struct symbol *s)
{
	if (s->type == T_UNKNOWN && s->decl)
		diag_semantic_error(&s->decl->loc, s->decl->tok_desc, "unresolved type ");
}

/* Statistics live in globals only (SystemTap's message, at the first use). */
static void report_local(const struct symbol *s)
{
	if (s->type == T_STATS && s->decl)
		diag_semantic_error(&s->decl->loc, s->decl->tok_desc,
				    "stat locals not supported, missing global declaration? ");
	report_untyped(s);
}

/* The first probe of each body (probes sharing a body share its locals list). */
static struct walk_list distinct_bodies(struct program *prog)
{
	struct walk_list w = { arena_alloc(g_arena, (size_t)(prog->nprobes + 1) * sizeof(*w.v)), 0 };
	unsigned cap = 64;

	while (cap < (unsigned)prog->nprobes * 2)
		cap *= 2;
	struct symbol ***set = arena_alloc(g_arena, cap * sizeof(*set));
	memset(set, 0, cap * sizeof(*set));
	for (struct probe_info *pi = prog->probes; pi; pi = pi->next) {
		if (!pi->locals_head)
			continue;
		unsigned h = (unsigned)(((uintptr_t)pi->locals_head >> 4) * 2654435761u) & (cap - 1);
		while (set[h] && set[h] != pi->locals_head)
			h = (h + 1) & (cap - 1);
		if (set[h])
			continue;
		set[h] = pi->locals_head;
		w.v[w.n++] = pi;
	}
	return w;
}

void infer_types(struct session *s, struct program *prog)
{
	struct infer in = { .s = s, .prog = prog };
	struct walk_list bodies = distinct_bodies(prog);

	for (struct function_info *f = prog->functions; f; f = f->next)
		if (f->ret_type != T_UNKNOWN && !f->ret_tok)
			f->ret_tok = f->decl;
	for (int round = 0; round < 50; round++) {
		in.changed = 0;
		infer_round(&in, &bodies);
		if (!in.changed)
			break;
	}
	in.report = 1;
	infer_round(&in, &bodies);
	for (struct function_info *f = prog->functions; f; f = f->next) {
		if (!f->used)
			continue;
		if (f->ret_type == T_UNKNOWN && f->returns_value)
			diag_semantic_error(&f->decl->loc, f->decl->tok_desc, "unresolved type ");
		else if (f->ret_type == T_UNKNOWN)
			f->ret_type = T_VOID;   /* no value-returning `return`: a void function */
		for (struct symbol *p = f->params; p; p = p->next)
			report_local(p);
		for (struct symbol *l = f->locals; l; l = l->next)
			report_local(l);
	}
	for (int i = 0; i < bodies.n; i++)
		if (bodies.v[i]->locals_head)
			for (struct symbol *l = *bodies.v[i]->locals_head; l; l = l->next)
				report_local(l);
	for (struct symbol *g = prog->globals; g; g = g->next)
		if (g->used)
			report_untyped(g);
}

/* ---- reads and writes ---- */

static void mark(struct node *n, int write, int read)
{
	struct symbol *sym = NULL;

	if (n->kind == N_SYMBOL)
		sym = n->sym;
	else if (n->kind == N_INDEX && n->base->kind == N_SYMBOL)
		sym = n->base->sym;
	if (!sym)
		return;
	sym->written |= write;
	sym->read |= read;
}

/* How reads are counted: for the optimizer, or (display) as SystemTap decides which
 * globals to print when the script ends: there a delete reads the variable, and an
 * increment or operator-assignment reads it only when its value is used (not when it
 * stands as a statement). */
struct rw_scan {
	int display;
};

static void scan_rw(struct node *n, void *arg);

/* The keys of an assigned/incremented/deleted element are read; so is a target. */
static void scan_target_rw(struct node *t, void *arg)
{
	if (t->kind == N_INDEX)
		for (struct node *k = t->args; k; k = k->next)
			scan_rw(k, arg);
	else if (t->kind != N_SYMBOL)
		scan_rw(t, arg);
}

/* An assignment or increment; `reads`: whether it reads its variable. */
static void scan_update(struct node *n, int reads, void *arg)
{
	struct node *t = n->kind == N_INCDEC ? n->operand : n->lhs;

	mark(t, 1, reads);
	scan_target_rw(t, arg);
	if (n->kind == N_ASSIGN)
		scan_rw(n->rhs, arg);
}

static void scan_rw(struct node *n, void *arg)
{
	const struct rw_scan *rs = arg;

	switch (n->kind) {
	case N_SYMBOL:
		mark(n, 0, 1);
		return;
	case N_ASSIGN:
		scan_update(n, n->op != OP_ASSIGN && n->op != OP_STATS_ADD, arg);
		return;
	case N_INCDEC:
		scan_update(n, 1, arg);
		return;
	case N_EXPR_STMT:
		if (rs->display && (n->operand->kind == N_ASSIGN || n->operand->kind == N_INCDEC)) {
			scan_update(n->operand, 0, arg);
			return;
		}
		break;
	case N_DELETE:
		mark(n->operand, 1, rs->display);
		scan_target_rw(n->operand, arg);
		return;
	case N_FOREACH:
		for (struct node *k = n->args; k; k = k->next)
			mark(k, 1, 0);
		if (n->value_var)
			mark(n->value_var, 1, 0);
		scan_rw(n->base, arg);
		if (n->limit)
			scan_rw(n->limit, arg);
		if (n->body)
			scan_rw(n->body, arg);
		return;
	case N_TRY:
		if (n->catch_var)
			mark(n->catch_var, 1, 0);
		if (n->body)
			scan_rw(n->body, arg);
		if (n->handler)
			scan_rw(n->handler, arg);
		return;
	case N_INDEX:
		if (n->base->kind == N_SYMBOL)
			mark(n->base, 0, 1);
		break;
	default:
		break;
	}
	node_visit_children(n, scan_rw, arg);
}

static void clear_rw(struct symbol *list)
{
	for (; list; list = list->next) {
		list->read = 0;
		list->written = list->scope == SYM_PARAM;
	}
}

static void mark_uses(struct program *prog, int display)
{
	struct walk_list bodies = distinct_bodies(prog);
	struct rw_scan rs = { display };

	clear_rw(prog->globals);
	for (int i = 0; i < bodies.n; i++)
		clear_rw(*bodies.v[i]->locals_head);
	for (struct function_info *f = prog->functions; f; f = f->next) {
		clear_rw(f->params);
		clear_rw(f->locals);
	}
	for (int i = 0; i < bodies.n; i++)
		if (bodies.v[i]->body)          /* `probe never` bodies count too */
			scan_rw(bodies.v[i]->body, &rs);
	for (struct probe_info *pi = prog->probes; pi; pi = pi->next)
		if (pi->condition)
			scan_rw(pi->condition, &rs);
	for (struct function_info *f = prog->functions; f; f = f->next)
		if (f->used && !f->is_embedded && f->decl->body)
			scan_rw(f->decl->body, &rs);
}

/* Marks every symbol's reads and writes over the whole program. */
void mark_reads_writes(struct program *prog)
{
	mark_uses(prog, 0);
}

void mark_display_uses(struct program *prog)
{
	mark_uses(prog, 1);
}

static const char *scope_suggestions(const char *name, struct symbol *a, struct symbol *b,
				     struct symbol *globals)
{
	const char *v[256];
	int n = 0;

	for (struct symbol *lists[3] = { a, b, globals }, **l = lists; l < lists + 3; l++)
		for (struct symbol *s = *l; s && n < 256; s = s->next)
			if (s->scope != SYM_GLOBAL || (s->used && !s->is_tapset))
				v[n++] = s->name;
	return similar_names(name, v, n);
}

static void warn_locals(struct symbol *locals, struct symbol *params, struct program *prog)
{
	for (struct symbol *l = locals; l; l = l->next)
		if (l->read && !l->written && l->decl && l->decl->loc.file &&
		    !l->decl->loc.file->is_tapset)
			diag_warning(&l->decl->loc, l->decl->tok_desc,
				     "never-assigned local variable '%s'%s", l->name,
				     scope_suggestions(l->name, locals, params, prog->globals));
}

void check_assignments(struct session *s, struct program *prog)
{
	(void)s;
	mark_reads_writes(prog);
	for (struct symbol *g = prog->globals; g; g = g->next)
		if (g->used && !g->is_tapset && g->read && !g->written && g->decl &&
		    !g->decl->init_value)
			diag_warning(&g->decl->loc, g->decl->tok_desc,
				     "never-assigned global variable '%s'", g->name);
	struct walk_list bodies = distinct_bodies(prog);
	for (int i = 0; i < bodies.n; i++)
		warn_locals(*bodies.v[i]->locals_head, NULL, prog);
	for (struct function_info *f = prog->functions; f; f = f->next)
		if (f->used && !f->is_embedded)
			warn_locals(f->locals, f->params, prog);
}
