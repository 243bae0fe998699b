/* translate_array.c - associative arrays, statistics and foreach to C.
 *
 * A global array is a `struct stp_map *` (runtime/map.h) created when the module loads; a
 * scalar statistics global is a `struct stp_stat *`. Element accesses build a key tuple
 * (struct stp_key) in a statement expression and look the entry up; reading an absent
 * element gives 0 or "", writing one creates it, and a full array is a runtime error.
 * foreach takes a sorted snapshot of the entries into a per-CPU buffer of the site.
 */
#include "translate.h"
#include "arena.h"

#include <string.h>

#define A(...) arena_printf(g_arena, __VA_ARGS__)

static const char *vtype_name(enum stap_type t)
{
	return t == T_STRING ? "STP_STRING" : t == T_STATS ? "STP_STAT" : "STP_LONG";
}

const char *gen_stat_spec(const struct symbol *sym)
{
	return A("g_%d_%s_spec", sym->index, sym->name);
}

/* C statements declaring `struct stp_key _k` filled from the keys; *wild gets a bit per
 * '*' key. */
static const char *gen_key(struct gen *g, struct node *keys, unsigned *wild)
{
	const char *code = "struct stp_key _k;";
	int i = 0;

	if (wild)
		*wild = 0;
	for (struct node *k = keys; k; k = k->next, i++) {
		if (k->kind == N_STAR) {
			if (wild)
				*wild |= 1u << i;
			else
				gen_unsupported(k, "'*' outside an array slice");
			code = A("%s _k.n[%d] = 0; _k.s[%d] = \"\";", code, i, i);
		} else if (k->type == T_STRING) {
			code = A("%s _k.s[%d] = %s;", code, i, gen_str(g, k));
		} else {
			code = A("%s _k.n[%d] = %s;", code, i, gen_long(g, k));
		}
	}
	return code;
}

static const char *array_full(const struct node *n, const struct symbol *sym)
{
	return A("{ stp_error(&c->base, %s, \"Array overflow, check MAXMAPENTRIES or the size of %s\"); goto out; }",
		 gen_location(n), sym->name);
}

/* arr[keys] as an rvalue. */
const char *gen_index_read(struct gen *g, struct node *n)
{
	struct symbol *sym = n->base->sym;
	const char *m = gen_var(g, sym);
	const char *key = gen_key(g, n->args, NULL);

	if (sym->type == T_STRING)
		return A("({ %s void *_e = stp_map_find(%s, &_k); _e ? (const char *)stp_map_str(%s, _e) : \"\"; })",
			 key, m, m);
	return A("({ %s void *_e = stp_map_find(%s, &_k); _e ? *stp_map_long(%s, _e) : 0; })", key,
		 m, m);
}

/* arr[keys] OP= value (including '=', '.=' and '<<<'); value is the expression's result. */
const char *gen_index_assign(struct gen *g, struct node *n)
{
	struct node *idx = n->lhs;
	struct symbol *sym = idx->base->sym;
	const char *m = gen_var(g, sym);
	const char *key = gen_key(g, idx->args, NULL);
	const char *find = A("%s void *_e = stp_map_find_or_add(%s, &_k); if (unlikely(!_e)) %s",
			     key, m, array_full(n, sym));

	if (n->op == OP_STATS_ADD)
		return A("({ int64_t _v = %s; %s stp_stat_add(stp_map_stat(%s, _e), &%s, _v); _v; })",
			 gen_long(g, n->rhs), find, m, gen_stat_spec(sym));
	if (sym->type == T_STRING) {
		const char *t = gen_temp(g, T_STRING);
		const char *store = n->op == OP_CONCAT ? "stp_strcat" : "stp_strcpy";
		return A("({ stp_strcpy(%s, %s); %s %s(stp_map_str(%s, _e), %s); (const char *)stp_map_str(%s, _e); })",
			 t, gen_str(g, n->rhs), find, store, m, t, m);
	}
	const char *value = "_b";
	if (n->op != OP_ASSIGN) {
		value = gen_arith(g, n, "(*_p)", "_b");
	}
	return A("({ int64_t _b = %s; %s int64_t *_p = stp_map_long(%s, _e); *_p = %s; })",
		 gen_long(g, n->rhs), find, m, value);
}

/* ++arr[k], arr[k]-- ... */
const char *gen_index_incdec(struct gen *g, struct node *n)
{
	struct node *idx = n->operand;
	struct symbol *sym = idx->base->sym;
	const char *m = gen_var(g, sym);
	const char *op = n->op == OP_INC ? "++" : "--";

	return A("({ %s void *_e = stp_map_find_or_add(%s, &_k); if (unlikely(!_e)) %s %s; })",
		 gen_key(g, idx->args, NULL), m, array_full(n, sym),
		 n->is_postfix ? A("(*stp_map_long(%s, _e))%s", m, op)
			       : A("%s(*stp_map_long(%s, _e))", op, m));
}

/* [keys] in arr, with '*' wildcards. */
const char *gen_in(struct gen *g, struct node *n)
{
	unsigned wild;
	const char *key = gen_key(g, n->args, &wild);

	return A("({ %s (int64_t)(stp_map_find_matching(%s, &_k, %uu) != NULL); })", key,
		 gen_var(g, n->base->sym), wild);
}

/* The struct stp_stat * of a statistics operand (scalar or element), or NULL if the
 * element is absent. */
static const char *gen_stat_ptr(struct gen *g, struct node *operand)
{
	if (operand->kind == N_SYMBOL)
		return gen_var(g, operand->sym);
	if (operand->kind == N_INDEX && operand->base->kind == N_SYMBOL) {
		const char *m = gen_var(g, operand->base->sym);
		return A("({ %s void *_e = stp_map_find(%s, &_k); _e ? stp_map_stat(%s, _e) : NULL; })",
			 gen_key(g, operand->args, NULL), m, m);
	}
	gen_unsupported(operand, "this statistics operand");
	return "NULL";
}

/* @count(s) @sum(s) @min(s) @max(s) @avg(s) @variance(s): all but @count are errors on
 * an empty aggregate, as in SystemTap. */
const char *gen_stat_op(struct gen *g, struct node *n)
{
	const char *st = gen_stat_ptr(g, n->operand);
	const char *value;

	if (strcmp(n->name, "count") == 0)
		return A("({ struct stp_stat *_s = %s; _s ? _s->count : 0; })", st);
	if (strcmp(n->name, "sum") == 0)
		value = "_s->sum";
	else if (strcmp(n->name, "min") == 0)
		value = "_s->min";
	else if (strcmp(n->name, "max") == 0)
		value = "_s->max";
	else if (strcmp(n->name, "avg") == 0)
		value = "stp_stat_avg(_s)";
	else
		value = "stp_stat_variance(_s)";
	return A("({ struct stp_stat *_s = %s; if (unlikely(!_s || !_s->count)) { "
		 "stp_error(&c->base, %s, \"empty aggregate\"); goto out; } %s; })",
		 st, gen_location(n), value);
}

/* print(@hist_log(s)) and friends. */
const char *gen_hist_print(struct gen *g, struct node *n)
{
	struct node *operand = n->operand;
	struct node *base = operand->kind == N_INDEX ? operand->base : operand;

	return A("({ struct stp_stat *_s = %s; if (_s) stp_stat_print_hist(_s, &%s); })",
		 gen_stat_ptr(g, operand), gen_stat_spec(base->sym));
}

/* delete arr, delete arr[k], delete arr[*, k], delete stats. */
void gen_delete_array(struct gen *g, struct node *n)
{
	struct node *t = n->operand;

	if (t->kind == N_SYMBOL && t->sym->is_array) {
		emit(g->e, "stp_map_clear(%s);", gen_var(g, t->sym));
	} else if (t->kind == N_SYMBOL && t->sym->type == T_STATS) {
		emit(g->e, "stp_stat_clear(%s, &%s);", gen_var(g, t->sym), gen_stat_spec(t->sym));
	} else if (t->kind == N_INDEX && t->base->kind == N_SYMBOL) {
		unsigned wild;
		const char *key = gen_key(g, t->args, &wild);
		if (wild)
			emit(g->e, "({ %s stp_map_delete_matching(%s, &_k, %uu); });", key,
			     gen_var(g, t->base->sym), wild);
		else
			emit(g->e, "({ %s stp_map_delete(%s, &_k); });", key, gen_var(g, t->base->sym));
	} else {
		gen_unsupported(n, "delete of this operand");
	}
}

static const char *stat_field_index(const char *aggr)
{
	if (!aggr || !strcmp(aggr, "count"))
		return "0";
	if (!strcmp(aggr, "sum"))
		return "1";
	if (!strcmp(aggr, "min"))
		return "2";
	if (!strcmp(aggr, "max"))
		return "3";
	return "4";
}

/* foreach ([k1, k2] in arr[slice] +/- limit N) body */
void gen_foreach(struct gen *g, struct node *n)
{
	struct node *base = n->base->kind == N_INDEX ? n->base->base : n->base;
	struct symbol *sym = base->sym;

	if (base->kind != N_SYMBOL || !sym) {
		gen_unsupported(n, "foreach over this operand");
		return;
	}
	const char *m = gen_var(g, sym);
	struct foreach_site *site = NEW(struct foreach_site);
	site->id = g->prog->nforeach++;
	site->map = m;
	site->next = g->prog->foreach_sites;
	g->prog->foreach_sites = site;
	const char *buf = A("fe_%d_buf", site->id);

	emit(g->e, "{");
	emit(g->e, "void **_ev = (void **)per_cpu_ptr(%s, smp_processor_id());", buf);
	emit(g->e, "int _n = stp_map_sorted(%s, _ev, %d, %d, %s, %s), _i;", m, n->sort_key,
	     n->sort_dir ? n->sort_dir : 1, n->limit ? gen_long(g, n->limit) : "-1",
	     stat_field_index(n->name));
	if (n->base->kind == N_INDEX) {
		unsigned wild;
		emit(g->e, "%s", gen_key(g, n->base->args, &wild));
		emit(g->e, "const unsigned _wild = %uu;", wild);
	}
	emit(g->e, "for (_i = 0; _i < _n; _i++) {");
	emit(g->e, "void *_e = _ev[_i];");
	emit(g->e, "STP_ACTION(&c->base, %s);", gen_location(n));
	if (n->base->kind == N_INDEX)
		emit(g->e, "if (!stp_map_entry_matches(%s, _e, &_k, _wild)) continue;", m);
	int i = 0;
	for (struct node *k = n->args; k; k = k->next, i++) {
		if (k->sym->type == T_STRING)
			emit(g->e, "stp_strcpy(%s, stp_map_key_str(%s, _e, %d));", gen_var(g, k->sym), m, i);
		else
			emit(g->e, "%s = stp_map_key_long(%s, _e, %d);", gen_var(g, k->sym), m, i);
	}
	if (n->value_var) {
		if (sym->type == T_STRING)
			emit(g->e, "stp_strcpy(%s, stp_map_str(%s, _e));", gen_var(g, n->value_var->sym), m);
		else
			emit(g->e, "%s = *stp_map_long(%s, _e);", gen_var(g, n->value_var->sym), m);
	}
	g->loop_depth++;
	gen_stmt(g, n->body);
	g->loop_depth--;
	emit(g->e, "}");
	emit(g->e, "}");
}

/* ---- declarations, creation and release of array and statistics globals ---- */

static const char *hist_spec_init(const struct symbol *sym)
{
	const struct node *h = sym->hist;

	if (!h)
		return "{ .hist = STP_HIST_NONE }";
	if (strcmp(h->name, "hist_log") == 0)
		return "{ .hist = STP_HIST_LOG }";
	int64_t lo = h->args->num, hi = h->args->next->num, step = h->args->next->next->num;
	return A("{ .hist = STP_HIST_LINEAR, .start = %lldLL, .stop = %lldLL, .interval = %lldLL, .buckets = %lld }",
		 (long long)lo, (long long)hi, (long long)step,
		 (long long)((hi - lo) / (step ? step : 1) + 3));
}

int gen_array_global_decl(struct emitter *e, struct gen *g, const struct symbol *s)
{
	if (s->is_array)
		emit(e, "static struct stp_map *%s;", gen_var(g, s));
	else if (s->type == T_STATS)
		emit(e, "static struct stp_stat *%s;", gen_var(g, s));
	else
		return 0;
	if (s->type == T_STATS)
		emit(e, "static const struct stp_stat_spec %s = %s;", gen_stat_spec(s), hist_spec_init(s));
	return 1;
}

void gen_array_global_init(struct emitter *e, struct gen *g, const struct symbol *s)
{
	const char *v = gen_var(g, s);

	if (s->is_array) {
		const char *types = "";
		for (int i = 0; i < s->nkeys; i++)
			types = A("%s%s%s", types, i ? ", " : "", vtype_name(s->key_types[i]));
		emit(e, "%s = stp_map_new(%d, (const u8[]){ %s }, %s, %s, %d, %s);", v, s->nkeys,
		     *types ? types : "0", vtype_name(s->type),
		     s->type == T_STATS ? A("&%s", gen_stat_spec(s)) : "NULL",
		     s->decl ? s->decl->array_size : 0,
		     s->decl && (s->decl->flags & GF_WRAP) ? "true" : "false");
	} else {
		emit(e, "%s = kzalloc(stp_stat_size(&%s), GFP_KERNEL);", v, gen_stat_spec(s));
	}
	emit(e, "if (!%s)", v);
	emit(e, "\treturn -ENOMEM;");
}

void gen_array_global_free(struct emitter *e, struct gen *g, const struct symbol *s)
{
	if (s->is_array)
		emit(e, "stp_map_free(%s);", gen_var(g, s));
	else
		emit(e, "kfree(%s);", gen_var(g, s));
}
