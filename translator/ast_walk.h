/* ast_walk.h - visit the children of a node (statements, expressions) in source order.
 * Declarations (probe, function) are not descended into: callers walk their bodies. */
#ifndef STAP_AST_WALK_H
#define STAP_AST_WALK_H

#include "ast.h"

typedef void (*node_visit_fn)(struct node *child, void *arg);
void node_visit_children(struct node *n, node_visit_fn fn, void *arg);

#endif
