/* translate_print.c - the print family: print, println, printd, printdln, printf and their
 * sprint* forms.
 *
 * Every form becomes one table of format components (translator/print_format.c; the
 * print/printd forms build theirs from the argument types: %d for longs, %s for strings;
 * print/println of one literal string is literal text, as in SystemTap) emitted as a
 * static array in place, and an array of argument values evaluated left to right before
 * anything is printed. runtime/format.c does the formatting; printf writes
 * into the CPU's output buffer, sprintf into a string temporary. print(@hist_*(s))
 * prints the histogram where it stands (sprint returns it as a string).
 */
#include "translate.h"
#include "arena.h"
#include "print_format.h"

#include <string.h>

#define A(...) arena_printf(g_arena, __VA_ARGS__)

static struct fmt_comp *comp(struct fmt_comp ***tail, int literal)
{
	struct fmt_comp *c = arena_alloc(g_arena, sizeof(*c));

	memset(c, 0, sizeof(*c));
	c->is_literal = literal;
	c->width = c->prec = FMT_UNSPEC;
	**tail = c;
	*tail = &c->next;
	return c;
}

static void lit(struct fmt_comp ***tail, const char *s, size_t len)
{
	struct fmt_comp *c = comp(tail, 1);

	c->text = s;
	c->len = len;
}

/* print/println/printd/printdln: each argument with its default conversion. */
static struct fmt_comp *default_format(struct node *args, const struct node *delim, int newline)
{
	struct fmt_comp *head = NULL, **tail = &head;

	for (struct node *a = args; a; a = a->next) {
		if (a != args && delim && delim->len)
			lit(&tail, delim->str, delim->len);
		struct fmt_comp *c = comp(&tail, 0);
		c->conv = a->type == T_STRING ? 's' : 'd';
		c->flags = a->type == T_STRING ? 0 : FMT_SIGN;
	}
	if (newline)
		lit(&tail, "\n", 1);
	return head;
}

/* print("...") and println("..."): SystemTap prints the literal and the newline as one C
 * string, so a NUL in the literal ends it all there. */
static struct fmt_comp *literal_format(const struct node *s, int newline)
{
	struct fmt_comp *head = NULL, **tail = &head;
	char *t = arena_alloc(g_arena, s->len + 2);

	memcpy(t, s->str, s->len);
	memcpy(t + s->len, "\n", 2);
	lit(&tail, t, s->len + newline);
	return head;
}

/* A literal run ends at a NUL in it, as SystemTap copies each run as a C string. */
static const char *spec_init(const struct fmt_comp *c)
{
	if (c->is_literal) {
		size_t n = strnlen(c->text, c->len);

		return A("{ .conv = STP_CONV_LIT, .text = %s, .len = %zu }",
			 c_string_literal(c->text, n), n);
	}
	const char *conv;
	int base = 10;
	switch (c->conv) {
	case 'c': conv = "STP_CONV_CHAR"; break;
	case 's': conv = "STP_CONV_STR"; break;
	case 'm': conv = "STP_CONV_MEM"; break;
	case 'M': conv = "STP_CONV_MEMHEX"; break;
	case 'b': conv = "STP_CONV_BIN"; break;
	case 'o': conv = "STP_CONV_NUM"; base = 8; break;
	case 'x': case 'X': case 'p': conv = "STP_CONV_NUM"; base = 16; break;
	default: conv = "STP_CONV_NUM"; break;
	}
	return A("{ .conv = %s, .base = %d, .flags = %d, .width = %d, .prec = %d }", conv, base,
		 c->flags, c->width, c->prec);
}

static const char *spec_table(const struct fmt_comp *comps)
{
	const char *t = "static const struct stp_fmt_spec _ff[] = {";

	for (const struct fmt_comp *c = comps; c; c = c->next)
		t = A("%s %s,", t, spec_init(c));
	return A("%s { .conv = STP_CONV_END } };", t);
}

/* The format of a printf-family call, or NULL after an error. */
static struct fmt_comp *call_format(struct node *n, struct node **args)
{
	const char *base = n->name[0] == 's' ? n->name + 1 : n->name;   /* "print..." */
	int newline = strstr(base, "ln") != NULL;
	const char *err;

	if (strncmp(base, "printf", 6) == 0) {
		struct node *f = *args;
		if (!f || f->kind != N_STRING) {
			diag_semantic_error(&n->loc, n->tok_desc, "print format must be a literal string");
			return NULL;
		}
		*args = f->next;
		struct fmt_comp *c = fmt_parse(f->str, f->len, f->text, &err);
		if (err)
			diag_parse_error(&f->loc, f->tok_desc, "%s", err);
		else if (fmt_nargs(c) != node_list_len(*args))
			diag_semantic_error(&n->loc, n->tok_desc,
					    "Wrong number of args to formatted print operator");
		return err ? NULL : c;
	}
	if (strncmp(base, "printd", 6) == 0) {
		struct node *d = *args;
		if (!d || d->kind != N_STRING) {
			diag_semantic_error(&n->loc, n->tok_desc, "print delimiter must be a literal string");
			return NULL;
		}
		*args = d->next;
		return default_format(*args, d, newline);
	}
	if (n->name[0] == 'p' && *args && !(*args)->next && (*args)->kind == N_STRING) {
		struct node *s = *args;

		*args = NULL;
		return literal_format(s, newline);
	}
	return default_format(*args, NULL, newline);
}

/* Assignments of the argument values into _fa[], in order. */
static const char *gen_args(struct gen *g, struct node *args, struct fmt_comp *comps)
{
	const char *code = "";
	int i = 0;

	for (struct node *a = args; a; a = a->next, i++) {
		int want_str = fmt_arg_is_string(comps, i);
		if (a->type == T_VOID || (a->kind == N_CALL && a->fn && a->fn->ret_type == T_VOID)) {
			/* A function without a value (print_regs()) runs here and prints as 0,
			 * or as "" under %s. */
			code = A("%s %s; _fa[%d].%s;", code, gen_void(g, a), i,
				 want_str ? "s = \"\"" : "n = 0");
		} else if (a->type == T_STRING) {
			code = A("%s _fa[%d].s = %s;", code, i, gen_str(g, a));
		} else {
			code = A("%s _fa[%d].n = %s;", code, i, gen_long(g, a));
		}
	}
	return code;
}

const char *gen_print(struct gen *g, struct node *n)
{
	int to_string = n->name[0] == 's';
	struct node *args = n->args;

	/* print(@hist_log(s)): the histogram is printed where it stands; println and
	 * sprintln add no newline to it, as in SystemTap. */
	if (args && args->kind == N_HIST && !args->next && !strstr(n->name, "printf")) {
		if (to_string) {
			const char *t = gen_temp(g, T_STRING);
			return A("({ %s; (const char *)%s; })", gen_hist_print(g, args, t, n), t);
		}
		return gen_hist_print(g, args, NULL, n);
	}
	struct fmt_comp *comps = call_format(n, &args);
	if (!comps && !to_string && !diag_error_count())
		return "(void)0";            /* println() with nothing: only "\n" is a comp */
	if (diag_error_count())
		return to_string ? "\"\"" : "(void)0";
	int nargs = node_list_len(args);
	const char *code = A("%s union stp_fmt_arg _fa[%d]; %s", spec_table(comps),
			     nargs ? nargs : 1, gen_args(g, args, comps));
	if (to_string) {
		const char *t = gen_temp(g, T_STRING);
		return A("({ %s if (unlikely(stp_fmt_string(&c->base, %s, %s, _ff, _fa))) goto out; "
			 "(const char *)%s; })", code, gen_location(n), t, t);
	}
	return A("({ %s if (unlikely(stp_fmt_print(&c->base, %s, _ff, _fa))) goto out; })", code,
		 gen_location(n));
}
