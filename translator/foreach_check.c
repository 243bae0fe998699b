/* foreach_check.c - no array may change while a foreach walks it.
 *
 * After optimization, each foreach over a global array is checked: its body (nested loops
 * included) and its limit must not assign, increment, add to (<<<) or delete an element of
 * that array, directly ("variable 'a' modified during 'foreach' iteration", at the array's
 * name) or in the body of a function it calls ("function call modifies var 'a' during
 * 'foreach' iteration", at the call; as in SystemTap, functions called from there are not
 * looked into). Deleting the whole array is allowed; so is reading it, in nested loops too. Only
 * the first error of each kind is shown (SystemTap counts the others as "similar").
 */
#include "elaborate.h"
#include "ast_walk.h"


/* The array an element write (assignment, ++/--, element delete) changes, or NULL. */
static const struct symbol *element_written(const struct node *n)
{
	const struct node *t = NULL;

	if (n->kind == N_ASSIGN)
		t = n->lhs;
	else if (n->kind == N_INCDEC)
		t = n->operand;
	else if (n->kind == N_DELETE)
		t = n->operand;
	if (!t || t->kind != N_INDEX || t->base->kind != N_SYMBOL)
		return NULL;
	return t->base->sym;
}

/* Does a function body write an element of arr itself? (Like SystemTap, the functions
 * it calls in turn are not looked into.) */
struct body_search {
	const struct symbol *arr;
	int found;
};

static void search_node(struct node *n, void *arg)
{
	struct body_search *bs = arg;

	if (bs->found)
		return;
	if (element_written(n) == bs->arr) {
		bs->found = 1;
		return;
	}
	node_visit_children(n, search_node, arg);
}

static int call_modifies(const struct node *call, const struct symbol *arr)
{
	const struct function_info *set = call->fn->first_overload ? call->fn->first_overload
								   : call->fn;
	struct body_search bs = { arr, 0 };

	for (const struct function_info *m = set; m && !bs.found; m = m->next_overload)
		if (!m->is_embedded && m->decl->body)
			search_node(m->decl->body, &bs);
	return bs.found;
}

/* Checks a loop body against the array being walked. */
static void check_body(struct node *n, void *arg)
{
	const struct symbol *arr = arg;

	if (element_written(n) == arr) {
		const struct node *t = n->kind == N_ASSIGN ? n->lhs : n->operand;
		diag_semantic_error_site("foreach-write", &t->base->loc, t->base->tok_desc,
					 "variable '%s' modified during 'foreach' iteration",
					 arr->name);
	} else if (n->kind == N_CALL && n->fn && call_modifies(n, arr)) {
		diag_semantic_error_site("foreach-call", &n->loc, n->tok_desc,
					 "function call modifies var '%s' during 'foreach' iteration",
					 arr->name);
	}
	node_visit_children(n, check_body, arg);
}

static void find_loops(struct node *n, void *arg)
{
	(void)arg;
	if (n->kind == N_FOREACH && n->body) {
		const struct node *b = n->base;
		if (b->kind == N_INDEX)
			b = b->base;                     /* a slice a[*, k] */
		if (b->kind == N_SYMBOL && b->sym && b->sym->scope == SYM_GLOBAL) {
			if (n->limit)
				check_body(n->limit, (void *)b->sym);
			check_body(n->body, (void *)b->sym);
		}
	}
	node_visit_children(n, find_loops, arg);
}

void check_foreach_writes(struct program *p)
{
	const struct node *last = NULL;

	for (struct probe_info *pi = p->probes; pi; pi = pi->next) {
		if (pi->body && pi->body != last)
			find_loops(pi->body, NULL);
		last = pi->body;
	}
	for (struct function_info *f = p->functions; f; f = f->next)
		if (f->used && !f->is_embedded && f->decl->body)
			find_loops(f->decl->body, NULL);
}
