/* elab_util.c - helpers pass 2 shares with the rest of the translator: "did you mean"
 * suggestions (edit distance), probe-point globbing, the source text of a node or probe
 * point for messages, and deep copies of AST nodes (alias bodies are copied into each
 * probe they derive).
 */
#define _GNU_SOURCE
#include "elaborate.h"
#include "arena.h"
#include "parse.h"
#include "probes/probes.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define A(...) arena_printf(g_arena, __VA_ARGS__)

int edit_distance(const char *a, const char *b)
{
	size_t n = strlen(a), m = strlen(b);
	int row[256];

	if (m >= 255 || n >= 255)
		return 1000;
	for (size_t j = 0; j <= m; j++)
		row[j] = (int)j;
	for (size_t i = 1; i <= n; i++) {
		int diag = row[0];
		row[0] = (int)i;
		for (size_t j = 1; j <= m; j++) {
			int up = row[j];
			int best = diag + (a[i - 1] != b[j - 1]);
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			if (up + 1 < best)
				best = up + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[m];
}

struct cand {
	const char *name;
	int dist;
};

static int compare_cands(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	if (x->dist != y->dist)
		return x->dist - y->dist;
	return strcmp(x->name, y->name);
}

/* Up to five names within reach of NAME, nearest first. */
const char *similar_names(const char *name, const char *const *cands, int ncands)
{
	struct cand best[6];
	int n = 0;
	int limit = (int)strlen(name) / 3 + 1;

	if (limit > 5)
		limit = 5;
	for (int i = 0; i < ncands; i++) {
		if (!cands[i] || !strcmp(cands[i], name) || !*cands[i])
			continue;
		int dup = 0;
		for (int j = 0; j < n && !dup; j++)
			dup = !strcmp(best[j].name, cands[i]);
		if (dup)
			continue;
		int d = edit_distance(name, cands[i]);
		if (d > limit)
			continue;
		struct cand c = { cands[i], d };
		if (n < 5) {
			best[n++] = c;
		} else if (compare_cands(&c, &best[4]) < 0) {
			best[4] = c;
		} else {
			continue;
		}
		qsort(best, n, sizeof(best[0]), compare_cands);
	}
	if (!n)
		return "";
	const char *s = " (similar: ";
	for (int i = 0; i < n; i++)
		s = A("%s%s%s", s, i ? ", " : "", best[i].name);
	return A("%s)", s);
}

int pp_glob(const char *p, const char *s)
{
	if (!*p)
		return !*s;
	if (*p == '*') {
		while (*p == '*')
			p++;
		if (!*p)
			return 1;
		for (; *s; s++)
			if (pp_glob(p, s))
				return 1;
		return 0;
	}
	return *s == *p && pp_glob(p + 1, s + 1);
}

const char *node_text(const struct node *n)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	if (!f)
		return "";
	ast_print_node(f, n);
	fclose(f);
	const char *s = arena_strdup(g_arena, buf ? buf : "");
	free(buf);
	return s;
}

const char *point_text(const struct node *point)
{
	const char *s = pp_to_string(point);

	if (point->sufficient)
		s = A("%s!", s);
	else if (point->optional)
		s = A("%s?", s);
	if (point->cond)
		s = A("%s if (%s)", s, node_text(point->cond));
	return s;
}

static struct node *clone_one(const struct node *n);

static struct node *clone_list(const struct node *n)
{
	struct node *head = NULL, **tail = &head;

	for (; n; n = n->next) {
		*tail = clone_one(n);
		tail = &(*tail)->next;
	}
	return head;
}

static struct node *clone_one(const struct node *n)
{
	if (!n)
		return NULL;
	struct node *c = NEW(struct node);

	*c = *n;
	c->next = NULL;
	c->origin = n->origin ? n->origin : n;
	c->sym = NULL;
	c->fn = NULL;
	c->operand = clone_one(n->operand);
	c->lhs = clone_one(n->lhs);
	c->rhs = clone_one(n->rhs);
	c->cond = clone_one(n->cond);
	c->then_s = clone_one(n->then_s);
	c->else_s = clone_one(n->else_s);
	c->init = clone_one(n->init);
	c->incr = clone_one(n->incr);
	c->handler = clone_one(n->handler);
	c->catch_var = clone_one(n->catch_var);
	c->base = clone_one(n->base);
	c->value_var = clone_one(n->value_var);
	c->limit = clone_one(n->limit);
	c->args = clone_list(n->args);
	if (n->kind != N_PROBE && n->kind != N_ALIAS && n->kind != N_FUNCTION)
		c->body = clone_list(n->body);
	struct target_comp **tail = &c->comps;
	*tail = NULL;
	for (const struct target_comp *tc = n->comps; tc; tc = tc->next) {
		struct target_comp *x = NEW(struct target_comp);
		*x = *tc;
		x->index = clone_one(tc->index);
		x->next = NULL;
		*tail = x;
		tail = &x->next;
	}
	return c;
}

struct node *node_clone(const struct node *n, int list)
{
	return list ? clone_list(n) : clone_one(n);
}
