/* preprocess.c - the token layer between the scanner and the grammar; see preprocess.h.
 *
 * Three levels, each reading from the one below:
 *
 *   raw_next    tokens as written: from the file's scanner, or from a token list pushed
 *               on the source stack (a macro body, a macro argument, an argument's tokens)
 *   exp_next    expansion: $N @N $# @# arguments, @define definitions, macro calls and
 *               macro parameters
 *   cond_next   %( cond %? then %: else %) conditionals (skipped branches are read raw,
 *               so nothing in them is expanded or reported)
 *   pp_next     delivery to the parser: reports errors attached to tokens, joins
 *               adjacent string literals
 */
#define _GNU_SOURCE
#include "preprocess.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "arena.h"
#include "parser.h"
#include "version.h"

#define MAX_MACRO_DEPTH 100          /* nested macro expansions */
#define MAX_EXPANSION 500000L        /* tokens produced by macro expansion per file */

struct macro {
	const char *name;                /* without '@' */
	const char **params;
	int nparams;
	struct token *body;
	const struct source_file *file;
	const struct token *name_tok;
	struct macro *next;
};

/* Macros of the tapset library (.stpm files), visible in every file. */
static struct macro *library_macros;

struct source {
	struct lexer *lx;                /* the file's scanner (bottom of the stack only) */
	struct token *list;              /* or: next token of a list */
	struct macro *macro;             /* a macro body: its parameters are substituted */
	struct token **args;             /* ... with these expanded arguments */
	int expanded;                    /* a macro argument: already expanded */
	struct source *up;
};

struct cond_frame {
	const struct token *tok;         /* the '%(' */
	int in_else;
	struct cond_frame *up;
};

#define MAX_PENDING 8

struct pp {
	struct session *s;
	const struct source_file *file;
	struct source *top;
	struct cond_frame *conds;
	struct macro *macros;            /* defined in this file */
	int library_mode;                /* reading a .stpm: definitions go to the library */
	int depth;
	long budget;
	int budget_reported;
	struct token *eof;               /* the scanner's end-of-input token, once seen */
	struct token *pending[MAX_PENDING];  /* pushed back at the expansion level */
	int npending;
	struct token *peeked;            /* pushed back at the delivery level */
};

static void pp_error(const struct token *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void pp_error(const struct token *t, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* SystemTap's preprocessor names the offending token with "at:", not "saw:". */
	diag_parse_error_at(&t->loc, token_desc(t), "%s", msg);
}

static struct token *tok_copy(const struct token *t)
{
	struct token *c = NEW(struct token);

	*c = *t;
	c->next = NULL;
	return c;
}

/* ---------------------------------------------------------------------------------- */
/* Sources                                                                             */

static void push_list(struct pp *pp, struct token *list, struct macro *m, struct token **args,
		      int expanded)
{
	if (!list)
		return;
	struct source *s = NEW(struct source);

	s->list = list;
	s->macro = m;
	s->args = args;
	s->expanded = expanded;
	s->up = pp->top;
	pp->top = s;
	if (m)
		pp->depth++;
}

static struct token *raw_next(struct pp *pp)
{
	for (;;) {
		struct source *s = pp->top;

		if (s->lx) {
			if (pp->eof)
				return pp->eof;
			struct token *t = NEW(struct token);
			if (lexer_next(s->lx, t) == 0)
				pp->eof = t;
			return t;
		}
		if (s->list) {
			struct token *t = s->list;
			s->list = t->next;
			return t;
		}
		if (s->macro)
			pp->depth--;
		pp->top = s->up;
	}
}

static void push_back(struct pp *pp, struct token *t)
{
	if (pp->npending < MAX_PENDING)
		pp->pending[pp->npending++] = t;
}

/* A token for skipping: pushed-back tokens first, then raw ones. */
static struct token *skip_next(struct pp *pp)
{
	if (pp->npending)
		return pp->pending[--pp->npending];
	return raw_next(pp);
}

/* ---------------------------------------------------------------------------------- */
/* Macros                                                                              */

static int is_at_token(const struct token *t)
{
	return t->text && t->text[0] == '@' && t->type != ARG && t->type != ARGCOUNT &&
	       t->type != STRING && t->type != EMBEDDED;
}

static struct macro *find_in(struct macro *list, const char *name)
{
	for (; list; list = list->next)
		if (strcmp(list->name, name) == 0)
			return list;
	return NULL;
}

static struct macro *find_macro(struct pp *pp, const char *name)
{
	struct macro *m = pp->library_mode ? NULL : find_in(pp->macros, name);

	return m ? m : find_in(library_macros, name);
}

/* Skips raw tokens to the '%)' closing an already opened '%(' (depth 1). */
static void skip_to_pp_end(struct pp *pp)
{
	int depth = 1;

	for (;;) {
		struct token *t = skip_next(pp);

		if (t->type == 0) {
			push_back(pp, t);
			return;
		}
		if (t->type == PP_IF)
			depth++;
		else if (t->type == PP_END && --depth == 0)
			return;
	}
}

/* A macro or parameter name: an identifier, or a keyword spelled like one. */
static int is_name(const struct token *t)
{
	const char *p = t->text;

	if (t->type == STRING || t->type == NUMBER || t->type == EMBEDDED || !p ||
	    !((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_'))
		return 0;
	for (; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_' ||
		      (*p >= '0' && *p <= '9')))
			return 0;
	return 1;
}

/* After an error in a @define header: drop the rest of the definition, i.e. up to the end
 * of its %( body %), but not past a top-level keyword. */
static void define_recover(struct pp *pp, struct token *bad)
{
	for (struct token *t = bad;; t = skip_next(pp)) {
		if (t->type == PP_IF) {
			skip_to_pp_end(pp);
			return;
		}
		if (t->type == 0 || t->type == PROBE || t->type == GLOBAL ||
		    t->type == FUNCTION || t->type == PRIVATE || t->type == AT_DEFINE) {
			push_back(pp, t);
			return;
		}
	}
}

/* @define NAME %( body %)   or   @define NAME(p1, p2) %( body %)   (body read raw) */
static void define_macro(struct pp *pp, const struct token *deftok)
{
	struct token *name = skip_next(pp);
	const char *params[64];
	int nparams = 0;

	(void)deftok;
	if (!is_name(name)) {
		pp_error(name, "expected identifier");
		define_recover(pp, name);
		return;
	}
	struct token *t = skip_next(pp);
	if (t->type == '(') {
		for (;;) {
			struct token *p = skip_next(pp);

			if (!is_name(p)) {
				pp_error(p, "expected identifier");
				define_recover(pp, p);
				return;
			}
			for (int i = 0; i < nparams; i++)
				if (strcmp(params[i], p->text) == 0)
					pp_error(p, "duplicate parameter '%s' of macro '@%s'",
						 p->text, name->text);
			if (nparams < 64)
				params[nparams++] = p->text;
			else
				pp_error(p, "too many parameters for macro '@%s'", name->text);
			struct token *sep = skip_next(pp);
			if (sep->type == ')')
				break;
			if (sep->type != ',') {
				pp_error(sep, "expected ',' or ')'");
				define_recover(pp, sep);
				return;
			}
		}
		t = skip_next(pp);
	}
	if (t->type != PP_IF) {
		pp_error(t, "expected '%%(' or '('");
		define_recover(pp, t);
		return;
	}

	/* the body, up to the matching '%)' */
	struct token *body = NULL, **tail = &body;
	int depth = 1;
	for (;;) {
		struct token *b = skip_next(pp);

		if (b->type == 0) {
			pp_error(name, "incomplete macro definition - missing '%%)'");
			push_back(pp, b);
			return;
		}
		if (b->type == PP_IF)
			depth++;
		else if (b->type == PP_END && --depth == 0)
			break;
		*tail = tok_copy(b);
		tail = &(*tail)->next;
	}

	struct macro **list = pp->library_mode ? &library_macros : &pp->macros;
	for (struct macro *old = *list; old; old = old->next) {
		if (strcmp(old->name, name->text) == 0 && old->file == name->loc.file) {
			pp_error(name, "attempt to redefine macro '@%s' in the same file",
				 name->text);
			pp_error(old->name_tok, "macro '@%s' first defined here", name->text);
			return;
		}
	}
	struct macro *m = NEW(struct macro);
	m->name = name->text;
	m->nparams = nparams;
	m->params = arena_alloc(g_arena, sizeof(const char *) * (size_t)(nparams ? nparams : 1));
	memcpy(m->params, params, sizeof(const char *) * (size_t)nparams);
	m->body = body;
	m->file = name->loc.file;
	m->name_tok = name;
	m->next = *list;
	*list = m;
}

static struct token *exp_next(struct pp *pp);

/* A token standing for a construct whose error was reported: the parser drops the
 * declaration around it without a second message. */
static struct token *error_token(const struct token *at)
{
	struct token *e = tok_copy(at);

	e->type = LEXERR;
	e->err = NULL;
	return e;
}

/* @name or @name(arg, ...): arguments are split at top-level commas and expanded now.
 * Returns NULL when the body was pushed, or an error token to deliver. */
static struct token *invoke_macro(struct pp *pp, struct macro *m, const struct token *call)
{
	struct token **args = NULL;
	long cost = 1;

	if (m->nparams > 0) {
		struct token *open = exp_next(pp);
		struct token **tail;
		int nargs = 1, depth = 0;

		if (open->type != '(') {
			pp_error(open, "expected '('");
			push_back(pp, open);
			return error_token(call);
		}
		args = arena_alloc(g_arena, sizeof(struct token *) * (size_t)m->nparams);
		tail = &args[0];
		for (;;) {
			struct token *a = exp_next(pp);

			if (a->type == 0) {
				pp_error(call, "incomplete macro invocation of '@%s'", m->name);
				push_back(pp, a);
				return error_token(call);
			}
			if (a->type == '(' || a->type == '[' || a->type == '{') {
				depth++;
			} else if (a->type == ')' || a->type == ']' || a->type == '}') {
				if (depth == 0) {
					if (a->type != ')') {
						pp_error(a, "expected ')'");
						push_back(pp, a);
						return error_token(call);
					}
					if (nargs < m->nparams) {
						pp_error(a, "too few parameters for macro '@%s' "
							 "(expected %d)", m->name, m->nparams);
						return error_token(call);
					}
					break;
				}
				depth--;
			} else if (a->type == ',' && depth == 0) {
				if (nargs == m->nparams) {
					pp_error(a, "too many parameters for macro '@%s' "
						 "(expected %d)", m->name, m->nparams);
					/* drop the rest of the call */
					for (int d = 0;;) {
						struct token *r = exp_next(pp);
						if (r->type == 0) {
							push_back(pp, r);
							break;
						}
						if (r->type == '(')
							d++;
						else if (r->type == ')' && d-- == 0)
							break;
					}
					return error_token(call);
				}
				tail = &args[nargs++];
				continue;
			}
			*tail = tok_copy(a);
			tail = &(*tail)->next;
			cost++;
		}
	}
	if (pp->depth >= MAX_MACRO_DEPTH) {
		pp_error(call, "macro expansion too deep (recursive macro '@%s'?)", m->name);
		return error_token(call);
	}
	for (const struct token *b = m->body; b; b = b->next)
		cost++;
	pp->budget -= cost;
	if (pp->budget < 0) {
		if (!pp->budget_reported)
			pp_error(call, "macro expansion too large");
		pp->budget_reported = 1;
		return error_token(call);
	}
	push_list(pp, m->body, m, args, 0);
	return NULL;
}

/* ---------------------------------------------------------------------------------- */
/* Command-line arguments                                                              */

static struct token *arg_error(const struct token *t, const char *msg)
{
	struct token *e = tok_copy(t);

	e->type = LEXERR;
	e->err = msg;
	e->err_at_form = 1;
	return e;
}

/* $N / @N / $# / @#: returns a token to deliver, or NULL after pushing the tokens of $N. */
static struct token *substitute_arg(struct pp *pp, const struct token *t)
{
	int nargs = pp->s ? pp->s->args.n : 0;

	if (t->flags & TKF_FROM_ARG)
		return arg_error(t, "invalid nested substitution of command line arguments");
	if (t->type == ARGCOUNT) {
		struct token *c = tok_copy(t);

		if (t->text[0] == '$') {
			c->type = NUMBER;
			c->num = nargs;
			c->text = arena_printf(g_arena, "%d", nargs);
		} else {
			c->type = STRING;
			c->str = c->text = arena_printf(g_arena, "%d", nargs);
			c->len = c->text_len = strlen(c->str);
		}
		c->text_len = strlen(c->text);
		return c;
	}

	long n = 0;
	for (const char *p = t->text + 1; *p && n <= 1000000; p++)
		n = n * 10 + (*p - '0');
	if (n < 1 || n > nargs)
		return arg_error(t, arena_printf(g_arena,
				 "command line argument out of range [1-%d]", nargs));
	const char *arg = pp->s->args.v[n - 1];
	if (t->text[0] == '@') {
		struct token *c = tok_copy(t);

		c->type = STRING;
		c->flags |= TKF_FROM_ARG;
		c->str = c->text = arg;
		c->len = c->text_len = strlen(arg);
		return c;
	}
	/* $N: the argument's text, scanned as script tokens at the place of $N */
	struct lexer *lx = lexer_new_text(t->loc.file, arg, strlen(arg), &t->loc);
	struct token *list = NULL, **tail = &list;
	for (;;) {
		struct token *a = NEW(struct token);

		if (lexer_next(lx, a) == 0)
			break;
		a->flags |= TKF_FROM_ARG;
		*tail = a;
		tail = &a->next;
	}
	lexer_free(lx);
	push_list(pp, list, NULL, NULL, 0);
	return NULL;
}

/* ---------------------------------------------------------------------------------- */
/* Expansion level                                                                     */

static struct token *exp_next(struct pp *pp)
{
	for (;;) {
		if (pp->npending)
			return pp->pending[--pp->npending];
		struct token *t = raw_next(pp);
		struct source *src = pp->top;

		if (src->expanded)
			return t;
		if (t->type == ARG || t->type == ARGCOUNT) {
			struct token *r = substitute_arg(pp, t);
			if (r)
				return r;
			continue;
		}
		if (t->type == AT_DEFINE) {
			define_macro(pp, t);
			continue;
		}
		if (is_at_token(t)) {
			if (src->macro) {
				int i;
				for (i = 0; i < src->macro->nparams; i++)
					if (strcmp(src->macro->params[i], t->text + 1) == 0)
						break;
				if (i < src->macro->nparams) {
					push_list(pp, src->args[i], NULL, NULL, 1);
					continue;
				}
			}
			struct macro *m = t->type == AT_IDENT ? find_macro(pp, t->text + 1) : NULL;
			if (m) {
				struct token *e = invoke_macro(pp, m, t);
				if (e)
					return e;
				continue;
			}
		}
		return t;
	}
}

/* ---------------------------------------------------------------------------------- */
/* Conditions                                                                          */

static const char *config_value(struct pp *pp, const char *name);

static const char *kernel_release(struct pp *pp)
{
	static struct utsname u;
	static int have;

	if (pp->s && pp->s->release)
		return pp->s->release;
	if (!have)
		have = uname(&u) == 0 ? 1 : -1;
	return have > 0 ? u.release : "";
}

static const char *kernel_version(struct pp *pp)
{
	if (pp->s && pp->s->kernel_version)
		return pp->s->kernel_version;
	const char *r = kernel_release(pp);
	return arena_strndup(g_arena, r, strspn(r, "0123456789."));
}

static const char *arch_name(struct pp *pp)
{
	static struct utsname u;
	static int have;

	if (pp->s && pp->s->arch)
		return pp->s->arch;
	if (!have)
		have = uname(&u) == 0 ? 1 : -1;
	return have > 0 ? u.machine : "";
}

static int cmp_result(int op, long long c)
{
	switch (op) {
	case '<': return c < 0;
	case '>': return c > 0;
	case LE: return c <= 0;
	case GE: return c >= 0;
	case EQ: return c == 0;
	default: return c != 0;
	}
}

static int is_cmp_op(int type)
{
	return type == '<' || type == '>' || type == LE || type == GE || type == EQ || type == NE;
}

/* One comparison: NAME OP LITERAL or LITERAL OP LITERAL. Returns 0/1, or -1 after an
 * error (the offending token is pushed back). */
static int eval_term(struct pp *pp)
{
	enum { VERSION, EQ_ONLY, NUM, STR, CONFIG } kind;
	struct token *l = exp_next(pp);
	const char *sval = NULL;
	long long nval = 0;

	if (l->type == IDENT && (!strcmp(l->text, "kernel_v") || !strcmp(l->text, "kernel_vr") ||
				 !strcmp(l->text, "systemtap_v"))) {
		kind = VERSION;
		sval = l->text[0] == 's' ? STAP_VERSION
		     : strcmp(l->text, "kernel_v") == 0 ? kernel_version(pp) : kernel_release(pp);
	} else if (l->type == IDENT && !strcmp(l->text, "arch")) {
		kind = EQ_ONLY;
		sval = arch_name(pp);
	} else if (l->type == IDENT && !strcmp(l->text, "runtime")) {
		kind = EQ_ONLY;
		sval = "kernel";
	} else if (l->type == IDENT && !strcmp(l->text, "systemtap_privilege")) {
		kind = EQ_ONLY;
		sval = "stapdev";
	} else if (l->type == IDENT && !strcmp(l->text, "guru_mode")) {
		kind = NUM;
		nval = pp->s ? pp->s->guru : 0;
	} else if (l->type == IDENT && !strncmp(l->text, "CONFIG_", 7)) {
		kind = CONFIG;
		sval = config_value(pp, l->text);
	} else if (l->type == NUMBER && !l->err) {
		kind = NUM;
		nval = l->num;
	} else if (l->type == STRING && !l->err) {
		kind = STR;
		sval = l->str;
	} else {
		pp_error(l, "expected 'arch', 'kernel_v', 'kernel_vr', 'systemtap_v',\n"
			 "             'runtime', 'systemtap_privilege', 'CONFIG_...', or\n"
			 "             comparison between strings or integers");
		push_back(pp, l);
		return -1;
	}

	struct token *op = exp_next(pp);
	if (!is_cmp_op(op->type)) {
		pp_error(op, "expected comparison operator");
		push_back(pp, op);
		return -1;
	}
	if (kind == EQ_ONLY && op->type != EQ && op->type != NE) {
		pp_error(op, "expected '==' or '!='");
		push_back(pp, op);
		return -1;
	}

	struct token *r = exp_next(pp);
	switch (kind) {
	case VERSION:
	case EQ_ONLY:
		if (r->type != STRING)
			break;
		if (op->type == EQ || op->type == NE)
			return cmp_result(op->type, fnmatch(r->str, sval, 0) != 0);
		return cmp_result(op->type, strverscmp(sval, r->str));
	case NUM:
		if (r->type != NUMBER)
			break;
		return cmp_result(op->type, nval < r->num ? -1 : nval > r->num);
	case STR:
		if (r->type != STRING)
			break;
		return cmp_result(op->type, strcmp(sval, r->str));
	case CONFIG:
		if (r->type == NUMBER) {
			long long v = strtoll(sval, NULL, 0);
			return cmp_result(op->type, v < r->num ? -1 : v > r->num);
		}
		if (r->type != STRING)
			break;
		if (op->type == EQ || op->type == NE)
			return cmp_result(op->type, fnmatch(r->str, sval, 0) != 0);
		return cmp_result(op->type, strcmp(sval, r->str));
	}
	pp_error(r, kind == VERSION || kind == EQ_ONLY ? "expected string literal"
		    : kind == NUM ? "expected number literal as right value"
		    : kind == STR ? "expected string literal as right value"
		    : "expected string or number literal");
	push_back(pp, r);
	return -1;
}

/* cond := and ('||' and)* ; and := term ('&&' term)*
 * One level of the chain: operands from `operand`, joined by `op` (ANDAND or OROR). */
static int eval_chain(struct pp *pp, int (*operand)(struct pp *), int op)
{
	int v = operand(pp);

	while (v >= 0) {
		struct token *t = exp_next(pp);

		if (t->type != op) {
			push_back(pp, t);
			break;
		}
		int w = operand(pp);
		v = w < 0 ? -1 : op == ANDAND ? v && w : v || w;
	}
	return v;
}

static int eval_and(struct pp *pp)
{
	return eval_chain(pp, eval_term, ANDAND);
}

static int eval_or(struct pp *pp)
{
	return eval_chain(pp, eval_and, OROR);
}

/* Skips a branch (raw) up to the '%:' (if stop_at_else) or '%)' of the innermost open
 * conditional; returns that token, or the end of input (pushed back). A second '%:'
 * while skipping an else branch is an error. */
static struct token *skip_branch(struct pp *pp, int stop_at_else)
{
	int depth = 0;

	for (;;) {
		struct token *t = skip_next(pp);

		if (t->type == 0) {
			push_back(pp, t);
			return t;
		}
		if (t->type == PP_IF) {
			depth++;
		} else if (t->type == PP_END) {
			if (depth == 0)
				return t;
			depth--;
		} else if (t->type == PP_ELSE && depth == 0) {
			if (stop_at_else)
				return t;
			pp_error(t, "unexpected '%%:' in the else branch of a conditional");
		}
	}
}

static void cond_begin(struct pp *pp, struct token *iftok)
{
	int v = eval_or(pp);

	if (v >= 0) {
		struct token *t = exp_next(pp);

		if (t->type != PP_THEN) {
			pp_error(iftok, "expected '%%?' marker for conditional");
			push_back(pp, t);
			v = -1;
		}
	}
	if (v < 0) {
		/* resume at the '%?' and take the condition as false */
		for (int depth = 0;;) {
			struct token *t = skip_next(pp);

			if (t->type == 0) {
				push_back(pp, t);
				return;
			}
			if (t->type == PP_IF)
				depth++;
			else if (t->type == PP_END && depth-- == 0)
				return;
			else if (t->type == PP_THEN && depth == 0)
				break;
		}
		v = 0;
	}

	struct cond_frame *f = NEW(struct cond_frame);
	f->tok = iftok;
	f->up = pp->conds;
	pp->conds = f;
	if (!v) {
		struct token *t = skip_branch(pp, 1);

		if (t->type == PP_ELSE)
			f->in_else = 1;
		else if (t->type == PP_END)
			pp->conds = f->up;
	}
}

static struct token *cond_next(struct pp *pp)
{
	for (;;) {
		struct token *t = exp_next(pp);

		switch (t->type) {
		case PP_IF:
			cond_begin(pp, t);
			continue;
		case PP_THEN:
			pp_error(t, "incomplete conditional - missing '%%('");
			continue;
		case PP_ELSE:
			if (!pp->conds)
				pp_error(t, "incomplete conditional - missing '%%('");
			else if (pp->conds->in_else)
				pp_error(t, "unexpected '%%:' in the else branch of a conditional");
			else if (skip_branch(pp, 0)->type == PP_END)
				pp->conds = pp->conds->up;
			continue;
		case PP_END:
			if (!pp->conds)
				pp_error(t, "incomplete conditional - missing '%%('");
			else
				pp->conds = pp->conds->up;
			continue;
		case 0:
			for (; pp->conds; pp->conds = pp->conds->up)
				pp_error(pp->conds->tok, "incomplete conditional at end of file");
			return t;
		default:
			return t;
		}
	}
}

/* ---------------------------------------------------------------------------------- */
/* Delivery                                                                            */

/* Reports an error attached to a token; returns the token to hand on. */
static struct token *deliver(struct token *t)
{
	if (!t->err)
		return t;
	if (t->err_at_form)             /* SystemTap: "at: junk '' at FILE:LINE:COL" */
		diag_parse_error_at(&t->loc, "junk ''", "%s", t->err);
	else
		diag_parse_error(&t->loc, token_desc(t), "%s", t->err);
	t = tok_copy(t);
	t->err = NULL;
	if (t->type == NUMBER)
		t->num = 0;
	return t;
}

struct token *pp_next(struct pp *pp)
{
	struct token *t;

	if (pp->peeked) {
		t = pp->peeked;
		pp->peeked = NULL;
	} else {
		t = deliver(cond_next(pp));
	}
	if (t->type != STRING)
		return t;

	/* "a" "b" is "ab" */
	for (;;) {
		struct token *n = deliver(cond_next(pp));

		if (n->type != STRING) {
			pp->peeked = n;
			return t;
		}
		struct token *j = tok_copy(t);
		char *s = arena_alloc(g_arena, t->len + n->len + 1);
		memcpy(s, t->str, t->len);
		memcpy(s + t->len, n->str, n->len);
		j->str = s;
		j->len = t->len + n->len;
		j->text = arena_printf(g_arena, "%s%s", t->text, n->text);
		j->text_len = t->text_len + n->text_len;
		j->end_line = n->end_line;
		j->end_col = n->end_col;
		t = j;
	}
}

struct pp *pp_new(struct session *s, const struct source_file *f)
{
	struct pp *pp = NEW(struct pp);
	struct source *bottom = NEW(struct source);

	pp->s = s;
	pp->file = f;
	bottom->lx = lexer_new(f);
	pp->top = bottom;
	pp->budget = MAX_EXPANSION;
	return pp;
}

void pp_free(struct pp *pp)
{
	struct source *s = pp->top;

	while (s->up)
		s = s->up;
	lexer_free(s->lx);
	s->lx = NULL;
}

void preprocess_load_macros(struct session *s, const struct source_file *f)
{
	struct pp *pp = pp_new(s, f);
	int reported = 0;

	pp->library_mode = 1;
	for (;;) {
		struct token *t = pp_next(pp);

		if (t->type == 0)
			break;
		if (!reported && t->type != LEXERR)
			diag_parse_error(&t->loc, token_desc(t), "expected '@define'");
		reported = 1;
	}
	pp_free(pp);
}

void preprocess_reset_library(void)
{
	library_macros = NULL;
}

/* ---------------------------------------------------------------------------------- */
/* Kernel configuration (CONFIG_* in conditions)                                        */

struct config_entry {
	char *name, *value;
};

static struct {
	char *build_dir;
	struct config_entry *v;
	size_t n;
} config;

static void config_load(const char *build_dir)
{
	for (size_t i = 0; i < config.n; i++) {
		free(config.v[i].name);
		free(config.v[i].value);
	}
	free(config.v);
	free(config.build_dir);
	config.v = NULL;
	config.n = 0;
	config.build_dir = strdup(build_dir);

	char *path = malloc(strlen(build_dir) + 16);
	if (!path)
		return;
	sprintf(path, "%s/.config", build_dir);
	FILE *fp = fopen(path, "r");
	free(path);
	if (!fp)
		return;
	char line[4096];
	size_t cap = 0;
	while (fgets(line, sizeof(line), fp)) {
		char *eq = strchr(line, '=');

		if (strncmp(line, "CONFIG_", 7) != 0 || !eq)
			continue;
		*eq = '\0';
		char *val = eq + 1;
		val[strcspn(val, "\r\n")] = '\0';
		size_t vl = strlen(val);
		if (vl >= 2 && val[0] == '"' && val[vl - 1] == '"') {
			val[vl - 1] = '\0';
			val++;
		}
		if (config.n == cap) {
			cap = cap ? cap * 2 : 1024;
			struct config_entry *nv = realloc(config.v, cap * sizeof(*nv));
			if (!nv)
				break;
			config.v = nv;
		}
		config.v[config.n].name = strdup(line);
		config.v[config.n].value = strdup(val);
		config.n++;
	}
	fclose(fp);
}

static const char *config_value(struct pp *pp, const char *name)
{
	const char *dir = pp->s ? pp->s->build_dir : NULL;

	if (!dir)
		return "";
	if (!config.build_dir || strcmp(config.build_dir, dir) != 0)
		config_load(dir);
	for (size_t i = 0; i < config.n; i++)
		if (config.v[i].name && strcmp(config.v[i].name, name) == 0)
			return config.v[i].value ? config.v[i].value : "";
	return "";
}
