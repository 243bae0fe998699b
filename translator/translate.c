/* translate.c - pass 3: writes the generated C unit (layout described in translate.h).
 *
 * Bodies are generated first, each into memory, because generating a body discovers the
 * temporaries its frame needs; the file is then assembled: includes and embedded C,
 * globals, frame structs and the context, the functions, the probe handlers, the probe
 * families' tables, and the start/stop/init functions the runtime calls.
 */
#define _GNU_SOURCE
#include "translate.h"
#include "arena.h"
#include "guru.h"
#include "probes/probes.h"
#include "version.h"
#include "regex.h"
#include "usymbols.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#define A(...) arena_printf(g_arena, __VA_ARGS__)

/* A body generated into memory, with the frame it needs. */
struct body {
	const char *frame_name;          /* "p3" / "f2" */
	const char *text;
	char *frame_fields;              /* field declarations, one per line */
	int handler_index;               /* probes: 1 + index when this body is emitted */
	uint64_t hash;                   /* probes: of what share_same_handler compares */
};

static char *memstream_text(FILE *f, char **buf)
{
	fclose(f);
	return *buf;
}

static const char *frame_fields_for(struct gen *g, struct symbol *vars, int params,
				    enum stap_type ret)
{
	const char *fields = "";

	for (struct symbol *s = vars; s; s = s->next) {
		const char *name = gen_var(g, s) + 3;      /* skip "l->" */
		if (g->fn && gen_arg_by_pointer(g->fn, s))  /* unmodified-fnargs (guru.c) */
			fields = A("%s\tconst char *%s;\n", fields, name);
		else
			fields = A("%s\t%s\n", fields, gen_decl(s->type, name));
	}
	for (struct temp *t = g->temps; t; t = t->next)
		fields = A("%s\t%s\n", fields, gen_decl(t->type, t->name));
	if (ret == T_LONG || ret == T_STRING)
		fields = A("%s\t%s\n", fields, gen_decl(ret, "__retvalue"));
	(void)params;
	return *fields ? fields : "\tchar unused;\n";
}

/* Zeroes declared locals at entry (SystemTap locals start as 0 / ""). */
static void init_locals(struct gen *g, struct symbol *locals)
{
	for (struct symbol *s = locals; s; s = s->next) {
		if (s->type == T_STRING)
			emit(g->e, "%s[0] = '\\0';", gen_var(g, s));
		else
			emit(g->e, "%s = 0;", gen_var(g, s));
	}
}

static void gen_embedded_body(struct gen *g, struct function_info *f)
{
	/* The embedded-C API: STAP_ARG_x, STAP_RETVALUE, STAP_RETURN, STAP_ERROR, CONTEXT... */
	for (struct symbol *p = f->params; p; p = p->next)
		emit(g->e, "#define STAP_ARG_%s (l->%s)", p->name, p->name);
	emit(g->e, "#define STAP_RETVALUE (l->__retvalue)");
	if (f->ret_type == T_STRING)
		emit(g->e, "#define STAP_RETURN(v) do { strscpy(STAP_RETVALUE, (v), MAXSTRINGLEN); goto out; } while (0)");
	else
		emit(g->e, "#define STAP_RETURN(v) do { STAP_RETVALUE = (v); goto out; } while (0)");
	emit(g->e, "{");
	gen_embedded_checks(g, f);              /* myproc-unprivileged (guru.c) */
	emit_raw(g->e, f->decl->body->text);
	emit(g->e, "}");
	emit(g->e, "goto out;");
	emit(g->e, "out:");
	emit(g->e, ";");
	for (struct symbol *p = f->params; p; p = p->next)
		emit(g->e, "#undef STAP_ARG_%s", p->name);
	emit(g->e, "#undef STAP_RETVALUE");
	emit(g->e, "#undef STAP_RETURN");
}

static struct body gen_function(struct session *s, struct function_info *f)
{
	struct body b = { .frame_name = A("f%d", f->index) };
	char *buf = NULL;
	size_t size = 0;
	FILE *mem = open_memstream(&buf, &size);
	struct emitter e = { .out = mem };
	struct gen g = { .s = s, .prog = s->prog, .e = &e, .fn = f };

	/* Embedded-C functions are mostly a few lines: inlining them keeps calls cheap. */
	emit(&e, "static %svoid fn_%d_%s(struct context *c)", f->is_embedded ? "inline " : "",
	     f->index, f->name);
	emit(&e, "{");
	emit(&e, "struct frame_f%d *l = &c->frames[c->base.nesting].f%d;", f->index, f->index);
	emit(&e, "(void)l;");
	if (f->is_embedded) {
		if (f->ret_type == T_STRING)
			emit(&e, "l->__retvalue[0] = '\\0';");
		else if (f->ret_type == T_LONG)
			emit(&e, "l->__retvalue = 0;");
		gen_embedded_body(&g, f);
	} else {
		init_locals(&g, f->locals);
		if (f->ret_type == T_STRING)
			emit(&e, "l->__retvalue[0] = '\\0';");
		else if (f->ret_type == T_LONG)
			emit(&e, "l->__retvalue = 0;");
		if (f->decl->body)
			gen_stmt(&g, f->decl->body);
		emit(&e, "out:");
		emit(&e, ";");
	}
	emit(&e, "}");
	b.text = memstream_text(mem, &buf);
	struct symbol *all = NULL, **tail = &all;
	for (struct symbol *p = f->params; p; p = p->next) {
		*tail = NEW(struct symbol);
		**tail = *p;
		(*tail)->next = NULL;
		tail = &(*tail)->next;
	}
	*tail = f->locals;
	b.frame_fields = (char *)frame_fields_for(&g, all, 1, f->ret_type);
	return b;
}

static struct body gen_probe_body(struct session *s, struct probe_info *pi)
{
	struct body b = { .frame_name = A("p%d", pi->index) };
	char *buf = NULL;
	size_t size = 0;
	FILE *mem = open_memstream(&buf, &size);
	struct emitter e = { .out = mem };
	struct gen g = { .s = s, .prog = s->prog, .e = &e, .probe = pi };
	struct symbol *locals = pi->locals_head ? *pi->locals_head : NULL;

	emit(&e, "static __always_inline notrace void probe_%d(struct stp_context *base)", pi->index);
	emit(&e, "{");
	emit(&e, "struct context *c = container_of(base, struct context, base);");
	emit(&e, "struct frame_p%d *l = &c->frames[0].p%d;", pi->index, pi->index);
	emit(&e, "(void)l;");
	gen_lock_globals(&g, pi->body, pi->condition);
	init_locals(&g, locals);
	/* probe POINT if (COND): the hit does nothing while COND (on globals) is false. */
	if (pi->condition)
		emit(&e, "if (!(%s)) goto out;", gen_long(&g, pi->condition));
	if (pi->body)
		gen_stmt(&g, pi->body);
	emit(&e, "goto out;");
	emit(&e, "out:");
	emit(&e, ";");
	gen_handler_errors(&g);                 /* --suppress-handler-errors (guru.c) */
	gen_unlock_globals(&g);
	emit(&e, "}");
	b.text = memstream_text(mem, &buf);
	b.frame_fields = (char *)frame_fields_for(&g, locals, 0, T_VOID);
	return b;
}

static void emit_globals(struct emitter *e, struct gen *g)
{
	for (struct symbol *s = g->prog->globals; s; s = s->next) {
		if (!s->used)
			continue;
		if (!gen_array_global_decl(e, g, s))
			emit(e, "static %s", gen_decl(s->type, gen_var(g, s)));
		if (gen_global_has_lock(g, s))
			emit(e, "static stp_rwlock_t %s_lock;", gen_var(g, s));
	}
}

static void emit_globals_init(struct emitter *e, struct gen *g)
{
	emit(e, "int stp_globals_init(void)");
	emit(e, "{");
	for (struct symbol *s = g->prog->globals; s; s = s->next)
		if (s->used && (s->is_array || s->type == T_STATS))
			gen_array_global_init(e, g, s);
	for (struct foreach_site *f = g->prog->foreach_sites; f; f = f->next) {
		emit(e, "fe_%d_buf = __alloc_percpu(stp_map_capacity(%s) * sizeof(void *), 8);", f->id, f->map);
		emit(e, "if (!fe_%d_buf)", f->id);
		emit(e, "\treturn -ENOMEM;");
	}
	for (struct symbol *s = g->prog->globals; s; s = s->next) {
		const struct node *init = s->decl ? s->decl->init_value : NULL;
		if (!s->used || !init || s->is_array)
			continue;
		if (init->kind == N_STRING)
			emit(e, "stp_strcpy(%s, %s);", gen_var(g, s), c_string_literal(init->str, init->len));
		else if (init->kind == N_NUMBER)
			emit(e, "%s = %s;", gen_var(g, s), gen_long(g, (struct node *)init));
	}
	emit(e, "return 0;");
	emit(e, "}");
	emit(e, "void stp_globals_free(void)");
	emit(e, "{");
	for (struct foreach_site *f = g->prog->foreach_sites; f; f = f->next)
		emit(e, "free_percpu(fe_%d_buf);", f->id);
	for (struct symbol *s = g->prog->globals; s; s = s->next)
		if (s->used && (s->is_array || s->type == T_STATS))
			gen_array_global_free(e, g, s);
	emit(e, "}");
}

const char *probe_names_init(const struct probe_info *pi)
{
	const char *pn = pi->pn ? pi->pn : pi->pp;

	return arena_printf(g_arena, ".pp = %s, .pn = %s", c_string_literal(pi->pp, strlen(pi->pp)),
			    c_string_literal(pn, strlen(pn)));
}

static int family_order(const void *a, const void *b)
{
	const struct probe_family *fa = *(const struct probe_family *const *)a;
	const struct probe_family *fb = *(const struct probe_family *const *)b;
	return fa->order - fb->order;
}

static void emit_start_stop(struct emitter *e, struct program *p)
{
	const struct probe_family *used[64];
	int n = 0;

	for (int i = 0; probe_families[i] && n < 64; i++)
		if (probe_has_family(p, probe_families[i]))
			used[n++] = probe_families[i];
	qsort(used, n, sizeof(used[0]), family_order);
	for (int i = 0; i < n; i++)
		used[i]->emit_decls(e, p);

	/* Families start in order; if family i fails, the event families started before it
	 * are stopped again (fail_i stops family i-1 and falls through to fail_{i-1}). The
	 * lifecycle family (order 0, begin probes) has nothing to undo. */
	/* stp_families_started: how many families stp_probes_stop() must stop (exit() in a
	 * begin probe leaves the event families unstarted). */
	emit(e, "static int stp_families_started;");
	emit(e, "int stp_probes_start(void)");
	emit(e, "{");
	emit(e, "int rc = 0;");
	for (int i = 0; i < n; i++) {
		used[i]->emit_start(e, p, A("fail_%d", i));
		emit(e, "stp_families_started = %d;", i + 1);
		if (used[i]->order == 0)
			emit(e, "if (atomic_read(&stp_session_state) != STP_STATE_STARTING) return 0;");
	}
	emit(e, "return 0;");
	for (int i = n - 1; i >= 0; i--) {
		emit(e, "fail_%d: __attribute__((unused));", i);
		if (i > 0 && used[i - 1]->order > 0)
			used[i - 1]->emit_stop(e, p);
	}
	emit(e, "return rc;");
	emit(e, "}");
	emit(e, "void stp_probes_stop(void)");
	emit(e, "{");
	for (int i = n - 1; i >= 0; i--) {
		emit(e, "if (stp_families_started > %d) {", i);
		used[i]->emit_stop(e, p);
		emit(e, "}");
	}
	emit(e, "}");
}

static void write_unit(struct session *s, FILE *out, struct body *bodies, int nbodies)
{
	struct emitter e = { .out = out };
	struct gen g = { .s = s, .prog = s->prog, .e = &e };
	struct program *p = s->prog;

	emit(&e, "/* Generated by stap %s from %s. */", STAP_VERSION,
	     s->script_path ? s->script_path : "<input>");
	emit(&e, "#ifndef MAXNESTING");
	emit(&e, "#define MAXNESTING %d", gen_nesting_depth(p));
	emit(&e, "#endif");
	emit(&e, "#include \"stp_runtime.h\"");
	emit(&e, "#include \"loc.h\"");
	emit(&e, "#define STP_REGS (c->base.regs)");
	for (struct node *em = p->embeds; em; em = em->next)
		emit_raw(&e, em->text);
	emit_raw(&e, "\n");
	regex_emit_tables(&e, p);
	usymbols_emit(&e, p);                   /* -d user binaries' symbols (and lines) */
	emit(&e, "const char stp_script_name[] = %s;",
	     c_string_literal(s->script_path ? s->script_path : "<input>",
			      strlen(s->script_path ? s->script_path : "<input>")));
	emit_globals(&e, &g);
	for (struct foreach_site *f = p->foreach_sites; f; f = f->next)
		emit(&e, "static void __percpu *fe_%d_buf;", f->id);
	emit_raw(&e, "\n");
	for (int i = 0; i < nbodies; i++) {
		emit(&e, "struct frame_%s {", bodies[i].frame_name);
		fputs(bodies[i].frame_fields, out);
		emit(&e, "};");
	}
	emit(&e, "union stp_frame {");
	emit(&e, "char none;");
	for (int i = 0; i < nbodies; i++)
		emit(&e, "struct frame_%s %s;", bodies[i].frame_name, bodies[i].frame_name);
	emit(&e, "};");
	emit(&e, "struct context {");
	emit(&e, "struct stp_context base;");
	emit(&e, "union stp_frame frames[MAXNESTING + 1];");
	regex_emit_context_fields(&e, p);        /* matched()'s last match, when used */
	emit(&e, "};");
	emit(&e, "const size_t stp_context_size = sizeof(struct context);");
	/* The embedded-C API shared by every function body. */
	emit(&e, "#define CONTEXT (&c->base)");
	emit(&e, "#define THIS l");
	emit(&e, "#define STAP_ERROR(...) do { stp_error(CONTEXT, NULL, __VA_ARGS__); goto out; } while (0)");
	emit(&e, "#define STAP_PRINTF(...) stp_printf(__VA_ARGS__)");
	/* Guru helpers: fault-safe reads/writes of kernel memory inside embedded C (scalars
	 * of 1, 2, 4 or 8 bytes). A bad address is a script error that leaves the function;
	 * CATCH_DEREF_FAULT() is kept for SystemTap's habit of ending bodies with it. */
	emit(&e, "#define kread(ptr) ({ __typeof__(*(ptr)) __kr; const void *__kp = (ptr); "
	     "if (unlikely(copy_from_kernel_nofault((void *)&__kr, __kp, sizeof(__kr)))) { "
	     "stp_error(CONTEXT, NULL, \"kernel read fault at 0x%%lx [man error::fault]\", "
	     "(unsigned long)__kp); goto out; } __kr; })");
	emit(&e, "#define kwrite(ptr, value) do { __typeof__(*(ptr)) __kv = (value); "
	     "unsigned long __kp = (unsigned long)(ptr); "
	     "if (unlikely(stp_kwrite_nofault(__kp, (u64)__kv, sizeof(__kv)))) { "
	     "stp_error(CONTEXT, NULL, \"kernel write fault at 0x%%lx [man error::fault]\", "
	     "__kp); goto out; } } while (0)");
	emit(&e, "#define CATCH_DEREF_FAULT() do { if (unlikely(CONTEXT->last_error)) goto out; } while (0)");
	emit_raw(&e, "\n");
	for (struct function_info *f = p->functions; f; f = f->next)
		if (f->used)
			emit(&e, "static void fn_%d_%s(struct context *c);", f->index, f->name);
	for (int i = 0; i < nbodies; i++)
		fputs(bodies[i].text, out);
	for (struct probe_info *pi = p->probes; pi; pi = pi->next)
		emit(&e, "static const struct stp_probe stp_probe_%d = { %s, .handler = probe_%d };",
		     pi->index, probe_names_init(pi), pi->index);
	emit_start_stop(&e, p);
	emit_globals_init(&e, &g);
}

/* The part of a probe body that does not name the probe: all after its frame line. */
static const char *body_after_frame(const char *text)
{
	const char *at = strstr(text, "*l = &c->frames[0].p");
	const char *nl = at ? strchr(at, '\n') : NULL;

	return nl ? nl : text;
}

/* Probes whose handlers are the same code but for their own name (a syscall alias's x64 and
 * ia32 entry points, one body on many functions) share the first such handler: the later
 * one becomes a #define, and its frame struct, of the same fields, stays in the union for
 * code that names it. */
static void share_same_handler(struct body *bodies, int first, int i, int index)
{
	const char *tail = body_after_frame(bodies[i].text);

	bodies[i].hash = XXH3_64bits(tail, strlen(tail)) ^
			 XXH3_64bits(bodies[i].frame_fields, strlen(bodies[i].frame_fields));
	for (int j = first; j < i; j++) {
		if (!bodies[j].handler_index || bodies[j].hash != bodies[i].hash ||
		    strcmp(bodies[j].frame_fields, bodies[i].frame_fields) != 0 ||
		    strcmp(body_after_frame(bodies[j].text), tail) != 0)
			continue;
		free((void *)bodies[i].text);
		bodies[i].text = strdup(A("#define probe_%d probe_%d\n", index,
				  bodies[j].handler_index - 1));
		return;
	}
	bodies[i].handler_index = index + 1;
}

int pass3_translate(struct session *s)
{
	struct program *p = s->prog;
	int n = 0;

	for (struct function_info *f = p->functions; f; f = f->next)
		n += f->used;
	struct body *bodies = arena_alloc(g_arena, (size_t)(n + p->nprobes + 1) * sizeof(*bodies));
	n = 0;
	for (struct function_info *f = p->functions; f; f = f->next)
		if (f->used)
			bodies[n++] = gen_function(s, f);
	int first_probe = n;
	for (struct probe_info *pi = p->probes; pi; pi = pi->next) {
		bodies[n] = gen_probe_body(s, pi);
		share_same_handler(bodies, first_probe, n, pi->index);
		n++;
	}
	if (diag_error_count())
		return 1;

	s->c_source = A("%s/stap_src.c", s->tmpdir);
	FILE *out = fopen(s->c_source, "w");
	if (!out) {
		diag_plain_error("ERROR: cannot write %s", s->c_source);
		return 1;
	}
	write_unit(s, out, bodies, n);
	for (int i = 0; i < n; i++)
		free((void *)bodies[i].text);
	if (fclose(out) != 0) {
		diag_plain_error("ERROR: cannot write %s", s->c_source);
		return 1;
	}
	return diag_error_count() ? 1 : 0;
}
