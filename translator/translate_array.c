/* translate_array.c - associative arrays, statistics and foreach to C.
 *
 * A global array is a `struct stp_map *` (runtime/map.h) created when the module loads; a
 * statistics array is a `struct stp_pmap *` (one map per CPU) and a scalar statistics
 * global a `struct stp_pstat *` (one copy per CPU). Element accesses build a key tuple
 * (struct stp_key) in a statement expression and look the entry up; reading an absent
 * element gives 0 or "", writing one creates it, and a full array is SystemTap's
 * "Array overflow" error. foreach sorts the map's entry list in place (as SystemTap
 * does, so ties keep the order of the previous sort) and walks it; over a statistics
 * array it walks the aggregate of the CPUs' maps.
 */
#include "translate.h"
#include "arena.h"

#include <string.h>

#define A(...) arena_printf(g_arena, __VA_ARGS__)

static const char *vtype_name(enum stap_type t)
{
	return t == T_STRING ? "STP_STRING" : t == T_STATS ? "STP_STAT" : "STP_LONG";
}

static int is_pmap(const struct symbol *sym)
{
	return sym->is_array && sym->type == T_STATS;
}

const char *gen_stat_spec(const struct symbol *sym)
{
	return A("g_%d_%s_spec", sym->index, sym->name);
}

/* What the code reads of each statistics global: @variance (and the bit shift asked
 * for), @min/@max (as values or foreach orders); a statistic keeps only what is read.
 * Filled while the bodies are generated, read when the globals are declared. */
struct stat_use {
	const struct symbol *sym;
	int variance, minmax;
	long long shift;
	struct stat_use *next;
};
static struct stat_use *stat_uses;
static int minmax_all;                   /* @min/@max of a statistic with no global */

static struct stat_use *stat_use_of(const struct symbol *sym, int create)
{
	for (struct stat_use *v = stat_uses; v; v = v->next)
		if (v->sym == sym)
			return v;
	if (!create)
		return NULL;
	struct stat_use *v = NEW(struct stat_use);
	v->sym = sym;
	v->next = stat_uses;
	stat_uses = v;
	return v;
}

static void note_variance(const struct symbol *sym, const struct node *stat)
{
	long long shift = stat->args && stat->args->kind == N_NUMBER ? stat->args->num : 0;

	if (shift < 0 || shift > 62) {
		diag_semantic_error(&stat->args->loc, stat->args->tok_desc,
				    "bit shift of @variance must be between 0 and 62");
		shift = 0;
	}
	struct stat_use *v = stat_use_of(sym, 1);
	if (!v->variance || shift > v->shift)
		v->shift = shift;
	v->variance = 1;
}

static void note_minmax(const struct symbol *sym)
{
	if (sym)
		stat_use_of(sym, 1)->minmax = 1;
	else
		minmax_all = 1;
}

/* C statements declaring `struct stp_key _k` filled from the keys; *wild gets a bit per
 * '*' key. */
static const char *gen_key(struct gen *g, struct node *keys, unsigned *wild)
{
	const char *code = "struct stp_key _k __uninitialized;";
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

/* A string key used as soon as it is computed: a call's result is used where the callee
 * left it, without a copy (see gen_call). */
static const char *gen_key_str(struct gen *g, struct node *k)
{
	g->borrow_call = k;
	const char *s = gen_str(g, k);
	g->borrow_call = NULL;
	return s;
}

/* SystemTap's message for a full array, located at the array's name. */
static const char *array_full(const struct node *base, const struct symbol *sym)
{
	int size = sym->decl && sym->decl->kind == N_GLOBAL ? sym->decl->array_size : 0;
	const char *what = size > 0 ? A("check size limit (%d)", size) : "check MAXMAPENTRIES";

	return A("{ stp_error(&c->base, %s, \"Array overflow, %s\"); goto out; }",
		 gen_location(base), what);
}

static const char *empty_aggregate(const struct node *n)
{
	return A("{ stp_error(&c->base, %s, \"empty aggregate\"); goto out; }", gen_location(n));
}

static const char *gen_hist_bucket(struct gen *g, struct node *n);

/* arr[keys] as an rvalue; @hist_*(s)[i] is a histogram bucket. */
const char *gen_index_read(struct gen *g, struct node *n)
{
	if (n->base->kind == N_HIST)
		return gen_hist_bucket(g, n);
	struct symbol *sym = n->base->sym;
	const char *m = gen_var(g, sym);
	const char *key = gen_key(g, n->args, NULL);

	if (sym->type == T_STRING)
		return A("({ %s void *_e = stp_map_find(%s, &_k); _e ? (const char *)stp_map_str(%s, _e) : \"\"; })",
			 key, m, m);
	return A("({ %s void *_e = stp_map_find(%s, &_k); _e ? *stp_map_long(%s, _e) : 0; })", key,
		 m, m);
}

/* s <<< v and s[k] <<< v: this CPU's copy only. */
const char *gen_stat_add(struct gen *g, struct node *n)
{
	struct node *lhs = n->lhs;
	const char *v = gen_long(g, n->rhs);

	if (lhs->kind == N_SYMBOL)
		return A("({ int64_t _v = %s; stp_pstat_add(%s, _v); _v; })", v, gen_var(g, lhs->sym));
	struct symbol *sym = lhs->base->sym;
	struct node *k = lhs->args;
	if (k && !k->next && k->kind != N_STAR)       /* one key: the inlined fast path */
		return A("({ int64_t _v = %s; if (unlikely(stp_pmap_add_%s(%s, &%s, %s, _v))) %s _v; })",
			 v, k->type == T_STRING ? "str" : "long", gen_var(g, sym),
			 gen_stat_spec(sym), k->type == T_STRING ? gen_key_str(g, k) : gen_long(g, k),
			 array_full(lhs->base, sym));
	return A("({ int64_t _v = %s; %s if (unlikely(stp_pmap_add(%s, &_k, _v))) %s _v; })", v,
		 gen_key(g, lhs->args, NULL), gen_var(g, sym), array_full(lhs->base, sym));
}

/* arr[keys] OP= value (including '=', '.=' and '<<<'); value is the expression's result. */
const char *gen_index_assign(struct gen *g, struct node *n)
{
	struct node *idx = n->lhs;
	struct symbol *sym = idx->base->sym;

	if (n->op == OP_STATS_ADD)
		return gen_stat_add(g, n);
	const char *m = gen_var(g, sym);
	const char *find = A("%s void *_e = stp_map_find_or_add(%s, &_k); if (unlikely(!_e)) %s",
			     gen_key(g, idx->args, NULL), m, array_full(idx->base, sym));
	if (sym->type == T_STRING) {
		const char *t = gen_temp(g, T_STRING);
		const char *store = n->op == OP_CONCAT ? "stp_strcat" : "stp_strcpy";
		return A("({ stp_strcpy(%s, %s); %s %s(stp_map_str(%s, _e), %s); (const char *)stp_map_str(%s, _e); })",
			 t, gen_str(g, n->rhs), find, store, m, t, m);
	}
	const char *value = n->op == OP_ASSIGN ? "_b" : gen_arith(g, n, "(*_p)", "_b");
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
		 gen_key(g, idx->args, NULL), m, array_full(idx->base, sym),
		 n->is_postfix ? A("(*stp_map_long(%s, _e))%s", m, op)
			       : A("%s(*stp_map_long(%s, _e))", op, m));
}

/* [keys] in arr, with '*' wildcards. */
const char *gen_in(struct gen *g, struct node *n)
{
	unsigned wild;
	const char *key = gen_key(g, n->args, &wild);
	const struct symbol *sym = n->base->sym;

	if (is_pmap(sym))
		return A("({ %s (int64_t)stp_pmap_exists(%s, &_k, %uu); })", key, gen_var(g, sym), wild);
	return A("({ %s (int64_t)(stp_map_find_matching(%s, &_k, %uu) != NULL); })", key,
		 gen_var(g, sym), wild);
}

/* The struct stp_stat * of a statistics operand (scalar or element), combined over the
 * CPUs, or NULL if the element is absent. */
static const char *gen_stat_ptr(struct gen *g, struct node *operand)
{
	if (operand->kind == N_SYMBOL)
		return A("stp_pstat_get(%s)", gen_var(g, operand->sym));
	if (operand->kind == N_INDEX && operand->base->kind == N_SYMBOL)
		return A("({ %s stp_pmap_get(%s, &_k); })", gen_key(g, operand->args, NULL),
			 gen_var(g, operand->base->sym));
	gen_unsupported(operand, "this statistics operand");
	return "NULL";
}

static const struct symbol *stat_symbol(const struct node *operand)
{
	const struct node *base = operand->kind == N_INDEX ? operand->base : operand;

	return base->kind == N_SYMBOL ? base->sym : NULL;
}

/* @count(s) @sum(s) @min(s) @max(s) @avg(s) @variance(s): all but @count and @sum are
 * errors on an empty aggregate, as in SystemTap. */
const char *gen_stat_op(struct gen *g, struct node *n)
{
	const char *st = gen_stat_ptr(g, n->operand);
	const struct symbol *sym = stat_symbol(n->operand);
	const char *value;

	if (strcmp(n->name, "count") == 0)
		return A("({ struct stp_stat *_s = %s; _s ? _s->count : 0; })", st);
	if (strcmp(n->name, "sum") == 0)
		return A("({ struct stp_stat *_s = %s; _s ? _s->sum : 0; })", st);
	if (strcmp(n->name, "min") == 0 || strcmp(n->name, "max") == 0) {
		note_minmax(sym);
		value = n->name[1] == 'i' ? "_s->min" : "_s->max";
	}
	else if (strcmp(n->name, "avg") == 0)
		value = "stp_stat_avg(_s)";
	else {
		if (sym)
			note_variance(sym, n);
		value = sym ? A("stp_stat_variance(_s, &%s)", gen_stat_spec(sym)) : "0";
	}
	return A("({ struct stp_stat *_s = %s; if (unlikely(!_s || !_s->count)) %s %s; })", st,
		 empty_aggregate(n), value);
}

/* print(@hist_log(s)) and friends, into the output (dst NULL) or the string dst; an empty
 * aggregate is an error located, as in SystemTap, at the call `at` printing it. */
const char *gen_hist_print(struct gen *g, struct node *n, const char *dst, const struct node *at)
{
	const struct symbol *sym = stat_symbol(n->operand);

	if (!sym)
		return "(void)0";
	return A("({ struct stp_stat *_s = %s; struct stp_sink _o = { %s, MAXSTRINGLEN, 0 }; "
		 "if (unlikely(!_s || !_s->count)) %s %s stp_stat_print_hist(&_o, _s, &%s); })",
		 gen_stat_ptr(g, n->operand), dst ? dst : "NULL", empty_aggregate(at),
		 dst ? A("%s[0] = '\\0';", dst) : "", gen_stat_spec(sym));
}

/* @hist_*(s)[i]: the count in bucket i. */
static const char *gen_hist_bucket(struct gen *g, struct node *n)
{
	struct node *h = n->base;
	const struct symbol *sym = stat_symbol(h->operand);

	if (!sym || !n->args)
		return "0";
	return A("({ int64_t _i = %s; struct stp_stat *_s = %s; int64_t _b; "
		 "if (unlikely(!_s || !_s->count)) %s _b = stp_stat_bucket(_s, &%s, _i); "
		 "if (unlikely(_b < 0)) { stp_error(&c->base, %s, \"histogram index out of range\"); goto out; } _b; })",
		 gen_long(g, n->args), gen_stat_ptr(g, h->operand), empty_aggregate(h),
		 gen_stat_spec(sym), gen_location(h));
}

/* delete arr, delete arr[k], delete arr[*, k], delete stats. */
void gen_delete_array(struct gen *g, struct node *n)
{
	struct node *t = n->operand;

	if (t->kind == N_SYMBOL && t->sym->is_array) {
		emit(g->e, "stp_%s_clear(%s);", is_pmap(t->sym) ? "pmap" : "map", gen_var(g, t->sym));
	} else if (t->kind == N_SYMBOL && t->sym->type == T_STATS) {
		emit(g->e, "stp_pstat_clear(%s);", gen_var(g, t->sym));
	} else if (t->kind == N_INDEX && t->base->kind == N_SYMBOL) {
		unsigned wild;
		const char *key = gen_key(g, t->args, &wild);
		const char *m = gen_var(g, t->base->sym);
		if (is_pmap(t->base->sym))
			emit(g->e, "({ %s stp_pmap_delete(%s, &_k, %uu); });", key, m, wild);
		else if (wild)
			emit(g->e, "({ %s stp_map_delete_matching(%s, &_k, %uu); });", key, m, wild);
		else
			emit(g->e, "({ %s stp_map_delete(%s, &_k); });", key, m);
	} else {
		gen_unsupported(n, "delete of this operand");
	}
}

/* The runtime's sort order for a foreach. */
static const char *sort_order(const struct node *n, const struct symbol *sym)
{
	if (n->sort_key > 0)
		return A("%d", n->sort_key);
	if (n->sort_key == 0)
		return "STP_SORT_NONE";
	if (sym->type != T_STATS || !n->name || !strcmp(n->name, "count") ||
	    !strcmp(n->name, "variance"))
		return sym->type == T_STATS ? "STP_SORT_COUNT" : "STP_SORT_VALUE";
	if (!strcmp(n->name, "sum"))
		return "STP_SORT_SUM";
	if (!strcmp(n->name, "min") || !strcmp(n->name, "max"))
		note_minmax(sym);
	if (!strcmp(n->name, "min"))
		return "STP_SORT_MIN";
	if (!strcmp(n->name, "max"))
		return "STP_SORT_MAX";
	return "STP_SORT_AVG";
}

/* Loads the key variables (and the value variable) from entry _e of map _m. */
static void load_loop_vars(struct gen *g, struct node *n, const struct symbol *sym)
{
	int i = 0;

	for (struct node *k = n->args; k; k = k->next, i++) {
		if (k->sym->type == T_STRING)
			emit(g->e, "stp_strcpy(%s, stp_map_key_str(_m, _e, %d));", gen_var(g, k->sym), i);
		else
			emit(g->e, "%s = stp_map_key_long(_m, _e, %d);", gen_var(g, k->sym), i);
	}
	if (!n->value_var)
		return;
	if (sym->type == T_STRING)
		emit(g->e, "stp_strcpy(%s, stp_map_str(_m, _e));", gen_var(g, n->value_var->sym));
	else
		emit(g->e, "%s = *stp_map_long(_m, _e);", gen_var(g, n->value_var->sym));
}

static void gen_loop_body(struct gen *g, struct node *n)
{
	emit(g->e, "STP_ACTION(&c->base, %s);", gen_location(n));
	g->loop_depth++;
	gen_stmt(g, n->body);
	g->loop_depth--;
}

/* foreach ([b] in @hist_*(s)): every bucket index, and its count as the value (all 0 for
 * an empty aggregate: SystemTap walks the buckets without checking). */
static void gen_foreach_hist(struct gen *g, struct node *n)
{
	struct node *h = n->base;
	const struct symbol *sym = stat_symbol(h->operand);

	if (!sym || !n->args) {
		gen_unsupported(n, "foreach over this histogram");
		return;
	}
	emit(g->e, "{");
	emit(g->e, "struct stp_stat *_s = %s;", gen_stat_ptr(g, h->operand));
	emit(g->e, "int64_t _i, _b;");
	emit(g->e, "for (_i = 0; (_b = stp_stat_bucket(_s, &%s, _i)) >= 0; _i++) {", gen_stat_spec(sym));
	emit(g->e, "%s = _i;", gen_var(g, n->args->sym));
	if (n->value_var)
		emit(g->e, "%s = _b;", gen_var(g, n->value_var->sym));
	gen_loop_body(g, n);
	emit(g->e, "}");
	emit(g->e, "}");
}

/* foreach ([k1, k2] in arr[slice] +/- limit N) body */
void gen_foreach(struct gen *g, struct node *n)
{
	if (n->base->kind == N_HIST) {
		gen_foreach_hist(g, n);
		return;
	}
	struct node *base = n->base->kind == N_INDEX ? n->base->base : n->base;
	struct symbol *sym = base->sym;

	if (base->kind != N_SYMBOL || !sym) {
		gen_unsupported(n, "foreach over this operand");
		return;
	}
	const char *m = gen_var(g, sym);
	emit(g->e, "{");
	if (is_pmap(sym)) {
		emit(g->e, "struct stp_map *_m = stp_pmap_agg(%s);", m);
		emit(g->e, "if (unlikely(!_m)) { stp_error(&c->base, %s, \"aggregation overflow in global(s___global_%s)\"); goto out; }",
		     gen_location(n), sym->name);
	} else {
		emit(g->e, "struct stp_map *_m = %s;", m);
	}
	emit(g->e, "void *_e;");
	emit(g->e, "int64_t _lim = %s%s;", n->limit ? gen_long(g, n->limit) : "0",
	     n->limit ? ", _done = 0" : "");
	emit(g->e, "stp_map_sort(_m, %s, %d, _lim);", sort_order(n, sym), n->sort_dir < 0 ? -1 : 1);
	unsigned wild = 0;
	if (n->base->kind == N_INDEX)
		emit(g->e, "%s", gen_key(g, n->base->args, &wild));
	/* As in SystemTap, the next entry is the one after this one once the body has run:
	 * a nested sorted foreach over the same array changes what that is, and after
	 * `delete arr` there is none. */
	emit(g->e, "for (_e = stp_map_first(_m); _e; _e = stp_map_next(_m, _e)) {");
	/* As in SystemTap, `limit` counts the entries visited, slice or not (and a limit
	 * of 0 or less visits none). */
	if (n->limit)
		emit(g->e, "if (_done++ >= _lim) break;");
	if (n->base->kind == N_INDEX)
		emit(g->e, "if (!stp_map_entry_matches(_m, _e, &_k, %uu)) continue;", wild);
	load_loop_vars(g, n, sym);
	gen_loop_body(g, n);
	emit(g->e, "}");
	emit(g->e, "}");
}

/* ---- declarations, creation and release of array and statistics globals ---- */

static const char *hist_spec_init(const struct symbol *sym)
{
	const struct node *h = sym->hist;

	if (!h)
		return ".hist = STP_HIST_NONE";
	if (strcmp(h->name, "hist_log") == 0)
		return ".hist = STP_HIST_LOG";
	int64_t lo = h->args->num, hi = h->args->next->num, step = h->args->next->next->num;
	return A(".hist = STP_HIST_LINEAR, .start = %lldLL, .stop = %lldLL, .interval = %lldLL, .buckets = %lld",
		 (long long)lo, (long long)hi, (long long)step,
		 (long long)((hi - lo) / (step ? step : 1) + 3));
}

int gen_array_global_decl(struct emitter *e, struct gen *g, const struct symbol *s)
{
	if (is_pmap(s))
		emit(e, "static struct stp_pmap *%s;", gen_var(g, s));
	else if (s->is_array)
		emit(e, "static struct stp_map *%s;", gen_var(g, s));
	else if (s->type == T_STATS)
		emit(e, "static struct stp_pstat *%s;", gen_var(g, s));
	else
		return 0;
	if (s->type == T_STATS) {
		const struct stat_use *v = stat_use_of(s, 0);
		int variance = v && v->variance, minmax = minmax_all || (v && v->minmax);
		emit(e, "static const struct stp_stat_spec %s = { %s, .shift = %lld, .variance = %s%s };",
		     gen_stat_spec(s), hist_spec_init(s), variance ? v->shift : 0LL,
		     variance ? "true" : "false", minmax ? "" : ", .no_minmax = true");
	}
	return 1;
}

void gen_array_global_init(struct emitter *e, struct gen *g, const struct symbol *s)
{
	const char *v = gen_var(g, s);

	if (s->is_array) {
		const char *types = "";
		for (int i = 0; i < s->nkeys; i++)
			types = A("%s%s%s", types, i ? ", " : "", vtype_name(s->key_types[i]));
		int size = s->decl && s->decl->kind == N_GLOBAL ? s->decl->array_size : 0;
		const char *wrap = s->decl && (s->decl->flags & GF_WRAP) ? "true" : "false";
		if (is_pmap(s))
			emit(e, "%s = stp_pmap_new(%d, (const u8[]){ %s }, &%s, %d, %s);", v, s->nkeys,
			     *types ? types : "0", gen_stat_spec(s), size, wrap);
		else
			emit(e, "%s = stp_map_new(%d, (const u8[]){ %s }, %s, NULL, %d, %s);", v,
			     s->nkeys, *types ? types : "0", vtype_name(s->type), size, wrap);
	} else {
		emit(e, "%s = stp_pstat_new(&%s);", v, gen_stat_spec(s));
	}
	emit(e, "if (!%s)", v);
	emit(e, "\treturn -ENOMEM;");
}

void gen_array_global_free(struct emitter *e, struct gen *g, const struct symbol *s)
{
	if (is_pmap(s))
		emit(e, "stp_pmap_free(%s);", gen_var(g, s));
	else if (s->is_array)
		emit(e, "stp_map_free(%s);", gen_var(g, s));
	else
		emit(e, "stp_pstat_free(%s);", gen_var(g, s));
}
