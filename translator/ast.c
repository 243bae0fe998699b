/* ast.c - node construction and naming helpers; see ast.h. */
#include "ast.h"
#include "arena.h"

#include <string.h>

struct node *node_new(enum node_kind kind, const struct srcloc *loc)
{
	struct node *n = NEW(struct node);

	n->kind = kind;
	if (loc)
		n->loc = *loc;
	return n;
}

void node_reset(struct node *n, enum node_kind kind)
{
	struct node *next = n->next;
	struct srcloc loc = n->loc;
	const char *desc = n->tok_desc;

	memset(n, 0, sizeof(*n));
	n->kind = kind;
	n->loc = loc;
	n->tok_desc = desc;
	n->next = next;
}

struct node *node_append(struct node **head, struct node *item)
{
	while (*head)
		head = &(*head)->next;
	*head = item;
	return item;
}

int node_list_len(const struct node *list)
{
	int n = 0;

	for (; list; list = list->next)
		n++;
	return n;
}

const char *node_kind_name(enum node_kind kind)
{
	static const char *const names[] = {
		[N_PROBE] = "probe", [N_ALIAS] = "probe alias", [N_FUNCTION] = "function",
		[N_GLOBAL] = "global", [N_EMBED_TOP] = "embedded-code",
		[N_PROBE_POINT] = "probe point", [N_BLOCK] = "block",
		[N_NULL_STMT] = "null statement", [N_EXPR_STMT] = "expression statement",
		[N_IF] = "if", [N_WHILE] = "while", [N_FOR] = "for", [N_FOREACH] = "foreach",
		[N_BREAK] = "break", [N_CONTINUE] = "continue", [N_NEXT] = "next",
		[N_RETURN] = "return", [N_DELETE] = "delete", [N_TRY] = "try",
		[N_EMBED_STMT] = "embedded-code", [N_NUMBER] = "number", [N_STRING] = "string",
		[N_SYMBOL] = "identifier", [N_ARG] = "argument", [N_TARGET] = "target symbol",
		[N_INDEX] = "array index", [N_STAR] = "wildcard", [N_CALL] = "function call",
		[N_PRINT] = "print format", [N_BINARY] = "binary operator",
		[N_LOGICAL] = "logical operator", [N_UNARY] = "unary operator",
		[N_INCDEC] = "increment", [N_ASSIGN] = "assignment", [N_TERNARY] = "ternary",
		[N_REGEX] = "regex match", [N_IN] = "array membership", [N_STAT] = "stat op",
		[N_HIST] = "histogram", [N_CAST] = "@cast", [N_ATOP] = "@-operator",
		[N_EMBED_EXPR] = "embedded-expr", [N_STRINGIFY] = "stringify",
		[N_AUTOCAST] = "autocast",
	};
	return (unsigned)kind < sizeof(names) / sizeof(names[0]) && names[kind] ? names[kind] : "?";
}

const char *op_spelling(enum op op)
{
	static const char *const s[] = {
		[OP_NONE] = "", [OP_ADD] = "+", [OP_SUB] = "-", [OP_MUL] = "*", [OP_DIV] = "/",
		[OP_MOD] = "%", [OP_SHL] = "<<", [OP_SHR] = ">>", [OP_USHR] = ">>>",
		[OP_BAND] = "&", [OP_BOR] = "|", [OP_BXOR] = "^", [OP_CONCAT] = ".",
		[OP_LT] = "<", [OP_LE] = "<=", [OP_GT] = ">", [OP_GE] = ">=", [OP_EQ] = "==",
		[OP_NE] = "!=", [OP_LAND] = "&&", [OP_LOR] = "||", [OP_NEG] = "-", [OP_PLUS] = "+",
		[OP_NOT] = "!", [OP_BNOT] = "~", [OP_ADDR] = "&", [OP_INC] = "++", [OP_DEC] = "--",
		[OP_ASSIGN] = "=", [OP_STATS_ADD] = "<<<", [OP_MATCH] = "=~", [OP_NMATCH] = "!~",
	};
	return (unsigned)op < sizeof(s) / sizeof(s[0]) && s[op] ? s[op] : "?";
}
