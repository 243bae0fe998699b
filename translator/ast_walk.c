/* ast_walk.c - generic traversal of a node's children, so passes that only care about a
 * few node kinds don't each repeat the whole list of child fields. */
#include "ast_walk.h"

static void visit_list(struct node *list, node_visit_fn fn, void *arg)
{
	for (struct node *n = list; n; n = n->next)
		fn(n, arg);
}

void node_visit_children(struct node *n, node_visit_fn fn, void *arg)
{
	if (!n)
		return;
	struct node *single[] = {
		n->operand, n->lhs, n->rhs, n->cond, n->then_s, n->else_s, n->init, n->incr,
		n->catch_var, n->base, n->value_var, n->limit,
	};
	for (size_t i = 0; i < sizeof(single) / sizeof(single[0]); i++)
		if (single[i])
			fn(single[i], arg);
	visit_list(n->args, fn, arg);
	if (n->kind != N_PROBE && n->kind != N_ALIAS && n->kind != N_FUNCTION) {
		visit_list(n->body, fn, arg);
		if (n->handler)
			fn(n->handler, arg);
	}
	for (struct target_comp *c = n->comps; c; c = c->next)
		if (c->index)
			fn(c->index, arg);
}
