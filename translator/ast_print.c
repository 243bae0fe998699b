/* ast_print.c - canonical script text for `stap -p1` and for messages; see parse.h.
 *
 * The layout follows SystemTap's parse tree dump: declarations grouped as embedded code,
 * globals, probe aliases, probes, functions; one statement per line without indentation;
 * every operand of an operator in parentheses. Unlike SystemTap's dump the output is
 * always valid input that parses back to the same tree, so printing is a fixed point:
 *
 *   - simple statements end with ';' and compound ones don't (the parser lets a simple
 *     statement absorb one ';', so no null statements appear or vanish);
 *   - types, 'private', try/catch and while loops are printed as written;
 *   - a negative number inside an expression is printed as its unsigned 64-bit value
 *     (18446744073709551615), since "-1" would read back as unary minus applied to 1;
 *     where the grammar takes a signed literal (probe point arguments, global
 *     initializers, histogram bounds...) it is printed signed;
 *   - strings are printed with C escapes for quotes, backslashes and control bytes; a
 *     literal written with escapes is printed as written (printf reads "\045d" as text).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "parse.h"

static void print_expr(FILE *out, const struct node *n);
static void print_stmt(FILE *out, const struct node *n);

/* Length of the valid UTF-8 sequence at s[0..len), or 0. */
static size_t utf8_len(const unsigned char *s, size_t len)
{
	size_t n = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;

	if (n == 0 || n > len)
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

static void print_string(FILE *out, const char *s, size_t len)
{
	fputc('"', out);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x80) {
			size_t n = utf8_len((const unsigned char *)s + i, len - i);
			if (n) {
				fwrite(s + i, 1, n, out);
				i += n - 1;
			} else {
				fprintf(out, "\\%03o", c);
			}
			continue;
		}

		switch (c) {
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		case '\t': fputs("\\t", out); break;
		case '\r': fputs("\\r", out); break;
		case '\a': fputs("\\a", out); break;
		case '\b': fputs("\\b", out); break;
		case '\f': fputs("\\f", out); break;
		case '\v': fputs("\\v", out); break;
		default:
			if (c < 0x20 || c == 0x7f)
				fprintf(out, "\\%03o", c);
			else
				fputc(c, out);
		}
	}
	fputc('"', out);
}

/* A literal with escapes as it was written: a printf format reads "\045d" differently
 * from "%d", so the dump must not decode it. */
static void print_string_node(FILE *out, const struct node *n)
{
	if (n->text && strchr(n->text, '\\'))
		fprintf(out, "\"%s\"", n->text);
	else
		print_string(out, n->str, n->len);
}

/* A literal where the grammar allows a leading '-'. */
static void print_literal(FILE *out, const struct node *n)
{
	if (!n)
		return;
	if (n->kind == N_NUMBER)
		fprintf(out, "%" PRId64, n->num);
	else if (n->kind == N_STRING)
		print_string_node(out, n);
	else
		print_expr(out, n);
}

static void print_list(FILE *out, const struct node *n, const char *sep)
{
	for (; n; n = n->next) {
		print_expr(out, n);
		if (n->next)
			fputs(sep, out);
	}
}

static void print_paren(FILE *out, const struct node *n)
{
	fputc('(', out);
	print_expr(out, n);
	fputc(')', out);
}

static void print_comps(FILE *out, const struct node *n)
{
	for (const struct target_comp *c = n->comps; c; c = c->next) {
		if (c->kind == C_INDEX) {
			fputc('[', out);
			print_expr(out, c->index);
			fputc(']', out);
		} else {
			fprintf(out, "%s%s", c->kind == C_ARROW ? "->" : ".", c->name);
		}
	}
	if (n->flags & TF_PRETTY_DEEP)
		fputs("$$", out);
	else if (n->flags & TF_PRETTY)
		fputc('$', out);
}

static void print_str_arg(FILE *out, const char *s)
{
	print_string(out, s, strlen(s));
}

static void print_expr(FILE *out, const struct node *n)
{
	if (!n)
		return;
	switch (n->kind) {
	case N_NUMBER:
		if (n->num < 0)
			fprintf(out, "%" PRIu64, (uint64_t)n->num);
		else
			fprintf(out, "%" PRId64, n->num);
		break;
	case N_STRING:
		print_string_node(out, n);
		break;
	case N_SYMBOL:
		fputs(n->name, out);
		break;
	case N_ARG:
		fprintf(out, "%c%d", n->as_string ? '@' : '$', n->argno);
		break;
	case N_TARGET:
		if (n->flags & TF_AT_VAR) {
			fputs("@var(", out);
			print_str_arg(out, n->name);
			if (n->module) {
				fputs(", ", out);
				print_str_arg(out, n->module);
			}
			fputc(')', out);
		} else {
			fputs(n->name, out);
		}
		print_comps(out, n);
		break;
	case N_CAST:
		fputs("@cast(", out);
		print_expr(out, n->operand);
		fputs(", ", out);
		print_string(out, n->str, n->len);
		if (n->module) {
			fputs(", ", out);
			print_str_arg(out, n->module);
		}
		fputc(')', out);
		print_comps(out, n);
		break;
	case N_AUTOCAST:
		print_paren(out, n->operand);
		print_comps(out, n);
		break;
	case N_INDEX:
		print_expr(out, n->base);
		fputc('[', out);
		print_list(out, n->args, ", ");
		fputc(']', out);
		break;
	case N_STAR:
		fputc('*', out);
		break;
	case N_CALL:
	case N_PRINT:
		fprintf(out, "%s(", n->name);
		print_list(out, n->args, ", ");
		fputc(')', out);
		break;
	case N_BINARY:
	case N_LOGICAL:
		print_paren(out, n->lhs);
		fprintf(out, " %s ", op_spelling(n->op));
		print_paren(out, n->rhs);
		break;
	case N_ASSIGN:
		print_paren(out, n->lhs);
		if (n->op == OP_ASSIGN || n->op == OP_STATS_ADD)
			fprintf(out, " %s ", op_spelling(n->op));
		else
			fprintf(out, " %s= ", op_spelling(n->op));
		print_paren(out, n->rhs);
		break;
	case N_UNARY:
		fputs(op_spelling(n->op), out);
		/* &$var->field reads as one target expression, as SystemTap prints it */
		if (n->op == OP_ADDR && n->operand &&
		    (n->operand->kind == N_TARGET || n->operand->kind == N_CAST))
			print_expr(out, n->operand);
		else
			print_paren(out, n->operand);
		break;
	case N_INCDEC:
		if (n->is_postfix) {
			print_paren(out, n->operand);
			fputs(op_spelling(n->op), out);
		} else {
			fputs(op_spelling(n->op), out);
			print_paren(out, n->operand);
		}
		break;
	case N_TERNARY:
		print_paren(out, n->cond);
		fputc('?', out);
		print_paren(out, n->lhs);
		fputc(':', out);
		print_paren(out, n->rhs);
		break;
	case N_REGEX:
		print_paren(out, n->lhs);
		fprintf(out, " %s ", op_spelling(n->op));
		print_expr(out, n->rhs);
		break;
	case N_IN:
		fputc('[', out);
		print_list(out, n->args, ", ");
		fputs("] in ", out);
		print_expr(out, n->base);
		break;
	case N_STAT:
		fprintf(out, "@%s(", n->name);
		print_expr(out, n->operand);
		if (n->args) {
			fputs(", ", out);
			print_literal(out, n->args);
		}
		fputc(')', out);
		break;
	case N_HIST:
		fprintf(out, "@%s(", n->name);
		print_expr(out, n->operand);
		for (const struct node *a = n->args; a; a = a->next) {
			fputs(", ", out);
			print_literal(out, a);
		}
		fputc(')', out);
		break;
	case N_ATOP:
		fprintf(out, "@%s(", n->name);
		for (const struct node *a = n->args; a; a = a->next) {
			if (a->kind == N_NUMBER)
				print_literal(out, a);
			else
				print_expr(out, a);
			if (a->next)
				fputs(", ", out);
		}
		fputc(')', out);
		break;
	case N_EMBED_EXPR:
		fprintf(out, "%%{%s%%}", n->text);
		break;
	default:
		/* a statement where an expression was expected: print it as one */
		print_stmt(out, n);
		break;
	}
}

static void print_block(FILE *out, const struct node *n)
{
	fputs("{\n", out);
	for (const struct node *s = n->body; s; s = s->next) {
		print_stmt(out, s);
		fputc('\n', out);
	}
	fputc('}', out);
}

/* foreach (v = [k1, k2+] in arr[slice]- limit N) */
static void print_foreach_head(FILE *out, const struct node *n)
{
	int i = 1;

	fputs("foreach (", out);
	if (n->value_var) {
		print_expr(out, n->value_var);
		fputs(" = ", out);
	}
	fputc('[', out);
	for (const struct node *k = n->args; k; k = k->next, i++) {
		print_expr(out, k);
		if (n->sort_key == i)
			fputc(n->sort_dir < 0 ? '-' : '+', out);
		if (k->next)
			fputs(", ", out);
	}
	fputs("] in ", out);
	print_expr(out, n->base);
	if (n->sort_key == -1) {
		if (n->name)
			fprintf(out, " @%s", n->name);
		fputc(n->sort_dir < 0 ? '-' : '+', out);
	}
	if (n->limit) {
		fputs(" limit ", out);
		print_expr(out, n->limit);
	}
	fputs(") ", out);
}

static void print_stmt(FILE *out, const struct node *n)
{
	if (!n)
		return;
	switch (n->kind) {
	case N_BLOCK:
		print_block(out, n);
		break;
	case N_NULL_STMT:
		fputc(';', out);
		break;
	case N_EXPR_STMT:
		print_expr(out, n->operand);
		fputc(';', out);
		break;
	case N_IF:
		fputs("if (", out);
		print_expr(out, n->cond);
		fputs(") ", out);
		print_stmt(out, n->then_s);
		if (n->else_s) {
			fputs("\nelse ", out);
			print_stmt(out, n->else_s);
		}
		break;
	case N_WHILE:
		fputs("while (", out);
		print_expr(out, n->cond);
		fputs(") ", out);
		print_stmt(out, n->body);
		break;
	case N_FOR:
		fputs("for (", out);
		if (n->init)
			print_expr(out, n->init->kind == N_EXPR_STMT ? n->init->operand : n->init);
		fputs("; ", out);
		print_expr(out, n->cond);
		fputs("; ", out);
		if (n->incr)
			print_expr(out, n->incr->kind == N_EXPR_STMT ? n->incr->operand : n->incr);
		fputs(") ", out);
		print_stmt(out, n->body);
		break;
	case N_FOREACH:
		print_foreach_head(out, n);
		print_stmt(out, n->body);
		break;
	case N_BREAK:
		fputs("break;", out);
		break;
	case N_CONTINUE:
		fputs("continue;", out);
		break;
	case N_NEXT:
		fputs("next;", out);
		break;
	case N_RETURN:
		fputs("return", out);
		if (n->operand) {
			fputc(' ', out);
			print_expr(out, n->operand);
		}
		fputc(';', out);
		break;
	case N_DELETE:
		fputs("delete ", out);
		print_expr(out, n->operand);
		fputc(';', out);
		break;
	case N_TRY:
		fputs("try ", out);
		print_stmt(out, n->body);
		fputs(" catch ", out);
		if (n->catch_var) {
			fputc('(', out);
			print_expr(out, n->catch_var);
			fputs(") ", out);
		}
		print_stmt(out, n->handler);
		break;
	case N_EMBED_STMT:
		fprintf(out, "%%{%s%%}", n->text);
		break;
	default:
		/* an expression where a statement was expected */
		print_expr(out, n);
		break;
	}
}

static void print_probe_point(FILE *out, const struct node *p)
{
	for (const struct pp_comp *c = p->pp; c; c = c->next) {
		fputs(c->name, out);
		if (c->arg) {
			fputc('(', out);
			print_literal(out, c->arg);
			fputc(')', out);
		}
		if (c->next)
			fputc('.', out);
	}
	if (p->sufficient)
		fputc('!', out);
	else if (p->optional)
		fputc('?', out);
	if (p->cond) {
		fputs(" if (", out);
		print_expr(out, p->cond);
		fputc(')', out);
	}
}

static const char *type_suffix(enum stap_type t)
{
	return t == T_LONG ? ":long" : t == T_STRING ? ":string" : "";
}

static void print_decl(FILE *out, const struct node *n)
{
	switch (n->kind) {
	case N_EMBED_TOP:
		fprintf(out, "%%{%s%%}\n", n->text);
		break;
	case N_GLOBAL:
		fprintf(out, "%sglobal %s", n->flags & GF_PRIVATE ? "private " : "", n->name);
		if (n->flags & GF_WRAP)
			fputc('%', out);
		if (n->array_size > 0)
			fprintf(out, "[%d]", n->array_size);
		if (n->init_value) {
			fputs(" = ", out);
			print_literal(out, n->init_value);
		}
		fputc('\n', out);
		break;
	case N_ALIAS:
		fputs("probe ", out);
		print_probe_point(out, n->points);
		fputs(n->is_epilogue ? " += " : " = ", out);
		for (const struct node *p = n->alias_targets; p; p = p->next) {
			print_probe_point(out, p);
			if (p->next)
				fputs(", ", out);
		}
		print_stmt(out, n->body);
		fputc('\n', out);
		break;
	case N_PROBE:
		fputs("probe ", out);
		for (const struct node *p = n->points; p; p = p->next) {
			print_probe_point(out, p);
			if (p->next)
				fputc(',', out);
		}
		print_stmt(out, n->body);
		fputc('\n', out);
		break;
	case N_FUNCTION:
		fprintf(out, "%sfunction %s%s (", n->flags & FF_PRIVATE ? "private " : "",
			n->name, type_suffix(n->decl_type));
		for (const struct node *a = n->args; a; a = a->next)
			fprintf(out, "%s%s%s", a->name, type_suffix(a->decl_type),
				a->next ? ", " : "");
		fputs(")\n", out);
		print_stmt(out, n->body);
		fputc('\n', out);
		break;
	default:
		print_stmt(out, n);
		fputc('\n', out);
		break;
	}
}

void ast_print_script(FILE *out, const struct script *sc)
{
	static const enum node_kind order[] = { N_EMBED_TOP, N_GLOBAL, N_ALIAS, N_PROBE,
						N_FUNCTION };

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		for (const struct node *d = sc->decls; d; d = d->next)
			if (d->kind == order[i])
				print_decl(out, d);
	/* anything else, should a later pass have added it */
	for (const struct node *d = sc->decls; d; d = d->next) {
		size_t i;
		for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
			if (d->kind == order[i])
				break;
		if (i == sizeof(order) / sizeof(order[0]))
			print_decl(out, d);
	}
}

void ast_print_node(FILE *out, const struct node *n)
{
	if (!n)
		return;
	switch (n->kind) {
	case N_PROBE: case N_ALIAS: case N_FUNCTION: case N_GLOBAL: case N_EMBED_TOP:
		print_decl(out, n);
		break;
	case N_PROBE_POINT:
		print_probe_point(out, n);
		break;
	case N_BLOCK: case N_NULL_STMT: case N_EXPR_STMT: case N_IF: case N_WHILE: case N_FOR:
	case N_FOREACH: case N_BREAK: case N_CONTINUE: case N_NEXT: case N_RETURN:
	case N_DELETE: case N_TRY: case N_EMBED_STMT:
		print_stmt(out, n);
		break;
	default:
		print_expr(out, n);
		break;
	}
}
