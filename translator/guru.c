/* guru.c - guru mode (-g) and the switches that go with it (interface in guru.h).
 *
 * Without -g a script may not contain embedded C, write target variables, probe absolute
 * addresses or call functions whose embedded C is marked guru; with -g all of those are
 * the user's responsibility. This file holds the rules that are not a probe family's or
 * the DWARF layer's own: the option macros, the checks of pass 2 for writes and guru
 * functions, --skip-badvars' substitution, and the C of pass 3 for `$var = value`,
 * suppressed handler errors, myproc-unprivileged functions and unmodified-fnargs.
 */
#include "guru.h"
#include "arena.h"
#include "diag.h"
#include "translate.h"
#include "probes/probes.h"
#include "probes/dwarf_vars.h"

#include <stdio.h>
#include <string.h>

#define A(...) arena_printf(g_arena, __VA_ARGS__)

/* ---- options ---- */

/* Whether -D NAME or -D NAME=VALUE was given. */
static int has_define(const struct session *s, const char *name)
{
	size_t n = strlen(name);

	for (int i = 0; i < s->defines.n; i++)
		if (!strncmp(s->defines.v[i], name, n) &&
		    (s->defines.v[i][n] == '\0' || s->defines.v[i][n] == '='))
			return 1;
	return 0;
}

static void define_once(struct session *s, const char *name, const char *value)
{
	if (!has_define(s, name))
		strlist_add(&s->defines, value ? A("%s=%s", name, value) : name);
}

int guru_options(struct session *s)
{
	s->suppress_handler_errors |= has_define(s, "STAP_SUPPRESS_HANDLER_ERRORS");
	s->skip_badvars |= has_define(s, "STP_SKIP_BADVARS");
	s->suppress_time_limits |= has_define(s, "STAP_SUPPRESS_TIME_LIMITS_ENABLE");
	if (s->suppress_time_limits && !s->guru) {
		fprintf(stderr, "ERROR --suppress-time-limits requires guru mode (-g)\n");
		return 1;
	}
	if (s->suppress_handler_errors) {
		define_once(s, "STAP_SUPPRESS_HANDLER_ERRORS", NULL);
		define_once(s, "MAXSKIPPED", "2147483647");    /* no limit */
	}
	if (s->skip_badvars)
		define_once(s, "STP_SKIP_BADVARS", NULL);       /* loc.h: faulting reads give 0 */
	if (s->suppress_time_limits) {
		define_once(s, "STAP_SUPPRESS_TIME_LIMITS_ENABLE", NULL);
		define_once(s, "MAXACTION", "4611686018427387904L");              /* 2^62 */
		define_once(s, "MAXACTION_INTERRUPTIBLE", "4611686018427387904L");
	}
	return 0;
}

/* ---- pass 2 ---- */

static int is_target(const struct node *n)
{
	return n && (n->kind == N_TARGET || n->kind == N_CAST || n->kind == N_AUTOCAST);
}

static int is_return_probe(const struct probe_info *pi)
{
	for (const struct pp_comp *c = pi && pi->point ? pi->point->pp : NULL; c; c = c->next)
		if (!strcmp(c->name, "return"))
			return 1;
	return 0;
}

void guru_check_write(struct session *s, const struct probe_info *pi, const struct node *op,
		      const struct node *lhs)
{
	if (!is_target(lhs))
		return;
	if (!s->guru) {
		diag_semantic_error(&lhs->loc, lhs->tok_desc,
				    lhs->kind == N_CAST
				    ? "write to @cast context variable not permitted; need stap -g"
				    : "write to target variable not permitted; need stap -g");
		return;
	}
	if (lhs->kind == N_TARGET && lhs->name[0] == '$' && lhs->name[1] == '$' &&
	    !(lhs->flags & TF_AT_VAR)) {
		diag_semantic_error(&lhs->loc, lhs->tok_desc, "cannot write to context variable");
		return;
	}
	if (lhs->flags & (TF_PRETTY | TF_PRETTY_DEEP)) {
		diag_semantic_error(&lhs->loc, lhs->tok_desc,
				    "cannot write to pretty-printed variable");
		return;
	}
	if (op->kind == N_INCDEC || op->op != OP_ASSIGN) {
		diag_semantic_error(&op->loc, op->tok_desc, "Only the following assign operator is "
				    "implemented on target variables:  =");
		return;
	}
	if (lhs->kind == N_TARGET && !(lhs->flags & TF_AT_VAR) && strcmp(lhs->name, "$return") &&
	    is_return_probe(pi))
		diag_semantic_error(&lhs->loc, lhs->tok_desc,
				    "write to target variable not permitted in .return probes");
}

void guru_check_call(struct session *s, const struct node *call)
{
	const struct function_info *f = call->fn;

	if (s->guru || !f || !(f->flags & FF_GURU) || !call->loc.file || call->loc.file->is_tapset)
		return;
	diag_semantic_error(&call->loc, call->tok_desc,
			    "function may not be used unless -g is specified");
}

void guru_skip_badvar(struct node *n)
{
	diag_warning(&n->loc, n->tok_desc, "Bad $context variable being substituted with literal 0");
	node_reset(n, N_NUMBER);
	n->num = 0;
	n->type = T_LONG;
}

/* ---- pass 3 ---- */

/* C writing the int64_t variable named value into target n, or NULL after an error. */
static const char *gen_store(struct gen *g, struct node *n, const char *value)
{
	const struct probe_family *f = g->probe ? g->probe->family : NULL;

	if (n->kind == N_CAST)
		return dwarf_gen_cast_store(g, n, value);
	if (n->kind == N_TARGET && (n->flags & TF_AT_VAR) && (!f || !f->gen_target_store))
		return dwvars_gen_target_store(g, g->probe, n, value);
	if (n->kind == N_TARGET && f && f->gen_target_store)
		return f->gen_target_store(g, g->probe, n, value);
	diag_semantic_error(&n->loc, n->tok_desc, "cannot write to this target expression%s%s",
			    g->probe ? " in probe " : "", g->probe ? g->probe->pp : "");
	return NULL;
}

const char *gen_embed_expr(const struct node *n)
{
	return n->type == T_STRING ? A("((const char *)(%s))", n->text)
				   : A("((int64_t)(%s))", n->text);
}

const char *gen_target_assign(struct gen *g, struct node *n)
{
	const char *value = gen_long(g, n->rhs);
	const char *store = gen_store(g, n->lhs, "_tv");

	if (!store)
		return "0";
	/* The value first, then the address (its reads may fault), then the write. */
	return A("({ int64_t _tv = %s; (void)%s; _tv; })", value, store);
}

void gen_handler_errors(struct gen *g)
{
	if (!g->s->suppress_handler_errors)
		return;
	/* (abort() is no error: it goes on to end the script.) */
	emit(g->e, "if (unlikely(c->base.last_error) && c->base.last_error != stp_abort_msg) {");
	emit(g->e, "atomic_inc(&stp_error_count);");
	emit(g->e, "c->base.last_error = NULL;");
	emit(g->e, "c->base.error_location = NULL;");
	emit(g->e, "}");
}

void gen_embedded_checks(struct gen *g, const struct function_info *f)
{
	if (elab_opts.privilege != PRIV_STAPUSR || !(f->flags & FF_MYPROC_UNPRIVILEGED) ||
	    (f->flags & FF_UNPRIVILEGED))
		return;
	emit(g->e, "if (unlikely(!stp_is_myproc())) {");
	emit(g->e, "stp_error(CONTEXT, NULL, \"function %s: process %%d does not belong to the "
	     "unprivileged user\", (int)current->tgid);", f->name);
	emit(g->e, "goto out;");
	emit(g->e, "}");
}

int gen_arg_by_pointer(const struct function_info *f, const struct symbol *p)
{
	return f->is_embedded && (f->flags & FF_UNMODIFIED_FNARGS) && p->scope == SYM_PARAM &&
	       p->type == T_STRING;
}
