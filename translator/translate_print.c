/* translate_print.c - the print family: print, println, printd, printdln, printf and their
 * sprint* forms.
 *
 * printf formats are parsed here, at translate time: each SystemTap conversion is checked
 * against its argument's type and rewritten for the kernel's vsnprintf (%d on a 64-bit
 * script long becomes %lld, %p becomes 0x%016llx, ...). Arguments are evaluated left to
 * right before anything is printed.
 */
#include "translate.h"
#include "arena.h"

#include <string.h>

#define A(...) arena_printf(g_arena, __VA_ARGS__)

struct fmt_out {
	const char *cfmt;       /* format for vsnprintf */
	const char *args;       /* ", a0, a1..." */
};

/* Appends the converted form of one conversion spec [start, end) to the C format. */
static const char *convert_spec(const char *flags_width, char conv)
{
	switch (conv) {
	case 'd': case 'i': return A("%%%slld", flags_width);
	case 'u': return A("%%%sllu", flags_width);
	case 'x': return A("%%%sllx", flags_width);
	case 'X': return A("%%%sllX", flags_width);
	case 'o': return A("%%%sllo", flags_width);
	case 'c': return A("%%%sc", flags_width);
	case 's': return A("%%%ss", flags_width);
	default: return NULL;
	}
}

/* Parses fmt; checks the arguments; returns the C format and argument list, or NULL. */
static int convert_format(struct gen *g, struct node *call, const char *fmt, size_t len,
			  struct node *args, const char **arg_vals, int nargs, struct fmt_out *out)
{
	const char *cfmt = "";
	const char *cargs = "";
	int argi = 0;

	for (size_t i = 0; i < len; i++) {
		if (fmt[i] != '%') {
			cfmt = A("%s%c", cfmt, fmt[i]);
			continue;
		}
		size_t start = ++i;
		if (i < len && fmt[i] == '%') {
			cfmt = A("%s%%%%", cfmt);
			continue;
		}
		while (i < len && strchr("-+ #0", fmt[i]))
			i++;
		int stars = 0;
		while (i < len && (strchr("0123456789.", fmt[i]) || fmt[i] == '*')) {
			if (fmt[i] == '*')
				stars++;
			i++;
		}
		/* Length modifiers are accepted and ignored: script values are 64-bit. */
		while (i < len && strchr("hlLzjt", fmt[i]))
			i++;
		if (i >= len) {
			diag_semantic_error(&call->loc, call->tok_desc,
					    "invalid or missing conversion specifier in format");
			return -1;
		}
		const char *fw = arena_strndup(g_arena, fmt + start, i - start);
		/* Strip length modifiers from the copied flags/width. */
		char *clean = arena_strdup(g_arena, fw);
		char *w = clean;
		for (const char *r = fw; *r; r++)
			if (!strchr("hlLzjt", *r))
				*w++ = *r;
		*w = '\0';
		char conv = fmt[i];
		for (int s = 0; s < stars; s++) {
			if (argi >= nargs)
				goto too_few;
			cargs = A("%s, (int)%s", cargs, arg_vals[argi++]);
		}
		if (argi >= nargs)
			goto too_few;
		struct node *arg = args;
		for (int k = 0; k < argi; k++)
			arg = arg->next;
		const char *spec;
		if (conv == 'p') {
			spec = *clean ? A("0x%%%sllx", clean) : "0x%016llx";
		} else {
			spec = convert_spec(clean, conv);
		}
		if (!spec) {
			diag_semantic_error(&call->loc, call->tok_desc,
					    "unsupported format conversion '%%%c'", conv);
			return -1;
		}
		int wants_string = conv == 's';
		if (arg->type == T_VOID) {
			cfmt = A("%s%s", cfmt, spec);
			cargs = A("%s, %s", cargs, wants_string ? A("_s%d", argi) : arg_vals[argi]);
			argi++;
			continue;
		}
		if (wants_string != (arg->type == T_STRING)) {
			diag_semantic_error(&arg->loc, arg->tok_desc,
					    "format '%%%c' expects a %s argument", conv,
					    wants_string ? "string" : "long");
			return -1;
		}
		cfmt = A("%s%s", cfmt, spec);
		cargs = A("%s, %s%s", cargs, conv == 'c' ? "(int)" : "", arg_vals[argi++]);
	}
	if (argi != nargs) {
		diag_semantic_error(&call->loc, call->tok_desc,
				    "too many arguments to print format (%d, format uses %d)",
				    nargs, argi);
		return -1;
	}
	out->cfmt = cfmt;
	out->args = cargs;
	return 0;
too_few:
	diag_semantic_error(&call->loc, call->tok_desc, "not enough arguments to print format");
	return -1;
}

/* Builds a format that prints each argument with its default conversion, joined by the
 * delimiter (printd) or nothing (print), plus a newline for the *ln forms. */
static const char *default_format(struct node *args, const char *delim, int newline)
{
	const char *f = "";

	for (struct node *a = args; a; a = a->next) {
		if (a != args && delim)
			f = A("%s%s", f, delim);
		f = A("%s%s", f, a->type == T_STRING ? "%s" : "%d");
	}
	return newline ? A("%s\n", f) : f;
}

const char *gen_print(struct gen *g, struct node *n)
{
	const char *name = n->name;
	int to_string = strncmp(name, "sprint", 6) == 0;
	const char *base = to_string ? name + 1 : name;   /* "print..." */
	int newline = strstr(base, "ln") != NULL;
	struct node *args = n->args;
	const char *fmt;
	size_t fmt_len;

	if (strncmp(base, "printf", 6) == 0) {
		if (!args || args->kind != N_STRING) {
			diag_semantic_error(&n->loc, n->tok_desc,
					    "print format must be a literal string");
			return "(void)0";
		}
		fmt = args->str;
		fmt_len = args->len;
		args = args->next;
	} else if (strncmp(base, "printd", 6) == 0) {
		if (!args || args->kind != N_STRING) {
			diag_semantic_error(&n->loc, n->tok_desc,
					    "print delimiter must be a literal string");
			return "(void)0";
		}
		fmt = default_format(args->next, args->str, newline);
		fmt_len = strlen(fmt);
		args = args->next;
	} else {
		fmt = default_format(args, NULL, newline);
		fmt_len = strlen(fmt);
	}

	/* print(@hist_log(s)): the histogram is printed where it stands. */
	if (args && args->kind == N_HIST && !args->next && !to_string && strncmp(base, "printf", 6))
		return newline ? A("({ %s; stp_print_char('\\n'); })", gen_hist_print(g, args))
			       : gen_hist_print(g, args);

	/* Evaluate the arguments in order into locals of one statement expression. */
	int nargs = node_list_len(args);
	const char **vals = arena_alloc(g_arena, (size_t)(nargs + 1) * sizeof(*vals));
	const char *decls = "";
	int i = 0;
	for (struct node *a = args; a; a = a->next, i++) {
		if (a->type == T_VOID || (a->kind == N_CALL && a->fn && a->fn->ret_type == T_VOID)) {
			/* A function without a value (print_regs()) runs here and prints as 0,
			 * or as "" under %s. */
			decls = A("%s %s; int64_t _p%d = 0; const char *_s%d = \"\";", decls,
				  gen_void(g, a), i, i);
			a->type = T_VOID;
			vals[i] = A("(long long)_p%d", i);
			continue;
		} else if (a->type == T_STRING)
			decls = A("%s const char *_p%d = %s;", decls, i, gen_str(g, a));
		else
			decls = A("%s int64_t _p%d = %s;", decls, i, gen_long(g, a));
		vals[i] = A(a->type == T_STRING ? "_p%d" : "(long long)_p%d", i);
	}
	struct fmt_out out;
	if (convert_format(g, n, fmt, fmt_len, args, vals, nargs, &out) != 0)
		return "(void)0";
	const char *cfmt = c_string_literal(out.cfmt, strlen(out.cfmt));
	if (to_string) {
		const char *t = gen_temp(g, T_STRING);
		return A("({%s stp_sprintf(%s, %s%s); (const char *)%s; })", decls, t, cfmt, out.args,
			 t);
	}
	if (nargs == 0 && !strchr(out.cfmt, '%'))
		return A("stp_print_str(%s)", cfmt);
	return A("({%s stp_printf(%s%s); })", decls, cfmt, out.args);
}
