/* dwtest.c - driver for the DWARF/symbol layer (translator/dwarf*.c, symbols.c).
 *
 * Exploration:
 *   dwtest OBJ funcs SPEC [call|inline]     functions with addresses and variables
 *   dwtest OBJ L SPEC                       `stap -L` style lines
 *   dwtest OBJ labels FUNCSPEC PATTERN
 *   dwtest OBJ stmts SPEC [nearest]
 *   dwtest OBJ expr FUNCSPEC EXPR [entry|prologue]   EXPR: [&]$v->a.b[2], $return,
 *                                                    @cast(ADDR, "struct x")->a
 *   dwtest OBJ type NAME
 *   dwtest syms RELEASE|FILE NAME|PATTERN|0xADDR
 *   OBJ: -k RELEASE | -f FILE | -m RELEASE:MODULE
 * Checks (print "ok NAME" / "FAIL NAME: why" / "skip NAME: why"):
 *   dwtest fixture DIR        DIR has fx2.o (-O2), fx0.o (-O0), fxexe (-O2 -no-pie);
 *                             also writes DIR/gen.h for the run-time harness (harness.c)
 *   dwtest kernel RELEASE     facts of the real kernel
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <time.h>
#include "dwarf.h"
#include "symbols.h"

static int n_ok, n_fail;

static void ok(const char *name)
{
	printf("ok %s\n", name);
	n_ok++;
}

static void failf(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void failf(const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("FAIL %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	n_fail++;
}

#define CHECK(name, cond, ...) do { if (cond) ok(name); else failf(name, __VA_ARGS__); } while (0)

/* ---- target expression text -> struct dw_target ---- */

static int parse_target(const char *s, struct dw_target *t, struct dw_comp *comps, int max)
{
	static char buf[4][256];
	static int bi;
	const char *p = s;

	memset(t, 0, sizeof(*t));
	if (*p == '&') {
		t->addr_of = 1;
		p++;
	}
	if (*p == '$') {
		size_t n = strspn(p + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
		char *b = buf[bi++ & 3];

		snprintf(b, 256, "%.*s", (int)n, p + 1);
		t->base = b;
		p += 1 + n;
	} else if (strncmp(p, "@cast(", 6) == 0) {
		const char *q = strchr(p, '"'), *q2 = q ? strchr(q + 1, '"') : NULL;
		const char *comma = q;
		char *a = buf[bi++ & 3], *ty = buf[bi++ & 3];

		if (!q2)
			return -1;
		while (comma > p && *comma != ',')
			comma--;
		snprintf(a, 256, "%.*s", (int)(comma - (p + 6)), p + 6);
		snprintf(ty, 256, "%.*s", (int)(q2 - q - 1), q + 1);
		t->cast_addr = a;
		t->cast_type = ty;
		p = strchr(q2, ')');
		if (!p)
			return -1;
		p++;
	} else {
		return -1;
	}
	while (*p) {
		struct dw_comp *c = &comps[t->ncomps];

		if (t->ncomps == max)
			return -1;
		memset(c, 0, sizeof(*c));
		if (p[0] == '-' && p[1] == '>')
			p += 2;
		else if (p[0] == '.')
			p += 1;
		else if (p[0] == '[') {
			c->kind = DW_COMP_INDEX;
			c->index = strtoll(p + 1, (char **)&p, 0);
			if (*p != ']')
				return -1;
			p++;
			t->ncomps++;
			continue;
		} else
			return -1;
		size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
		char *b = malloc(n + 1);
		memcpy(b, p, n);
		b[n] = 0;
		c->kind = DW_COMP_MEMBER;
		c->name = b;
		p += n;
		t->ncomps++;
	}
	t->comps = comps;
	return 0;
}

/* Translates EXPR at the first function of FSPEC (entry pc, or the prologue end). */
static int xlate(struct dw_ctx *dw, const char *fspec, const char *expr, int at_prologue,
		 struct dw_expr *out, char **err)
{
	struct dw_func *fs;
	struct dw_target t;
	struct dw_comp comps[16];
	int n = dw_find_functions(dw, fspec, DW_FIND_ALL, &fs, err);

	if (n <= 0) {
		if (n == 0)
			*err = "no such function";
		return -1;
	}
	if (parse_target(expr, &t, comps, 16) < 0) {
		*err = "bad expression";
		return -1;
	}
	if (fs[0].has_code) {
		t.scope_die = fs[0].die;
		t.pc = at_prologue ? fs[0].prologue_pc : fs[0].entry_pc;
	} else if (fs[0].n_inlines) {
		t.scope_die = fs[0].inlines[0].die;
		t.pc = fs[0].inlines[0].pc;
	}
	return dw_target_expr(dw, &t, out, err);
}

static const char *kind_name(enum dw_result_kind k)
{
	switch (k) {
	case DW_RES_INT: return "int";
	case DW_RES_POINTER: return "pointer";
	case DW_RES_STRING: return "string";
	case DW_RES_ADDRESS: return "address";
	}
	return "?";
}

/* ---- exploration ---- */

static void print_vars(struct dw_ctx *dw, uint64_t die, uint64_t pc, int only_accessible)
{
	struct dw_var *v;
	int n = dw_list_vars(dw, die, pc, &v);

	for (int i = 0; i < n; i++)
		if (!only_accessible || v[i].accessible)
			printf(" $%s:%s%s", v[i].name, v[i].type,
			       only_accessible || v[i].accessible ? "" : "(n/a)");
}

static int cmd_funcs(struct dw_ctx *dw, const char *spec, const char *filt, int lstyle)
{
	struct dw_func *fs;
	char *err = NULL;
	int flags = !filt ? DW_FIND_ALL : strcmp(filt, "call") == 0 ? DW_FIND_CALL : DW_FIND_INLINE;
	int n = dw_find_functions(dw, spec, flags, &fs, &err);
	const char *prev = NULL;

	if (n < 0) {
		fprintf(stderr, "error: %s\n", err);
		return 1;
	}
	for (int i = 0; i < n; i++) {
		struct dw_func *f = &fs[i];

		if (lstyle) {
			char *pp;

			if (asprintf(&pp, "%s@%s:%d", f->name, f->file ? f->file : "", f->line) < 0)
				return 1;
			if (prev && strcmp(prev, pp) == 0) {
				free(pp);
				continue;
			}
			prev = pp;
			if (f->is_init || (!f->has_code && f->n_inlines && f->inlines[0].is_init))
				continue;
			printf("%s(\"%s\")", strcmp(dw_modname(dw), "kernel") == 0 ? "kernel.function"
			       : "function", pp);
			struct dw_var *v;
			int nv = dw_func_vars(dw, f, &v);
			for (int k = 0; k < nv; k++)
				printf(" $%s:%s", v[k].name, v[k].type);
			printf("\n");
			continue;
		}
		printf("%s@%s:%d cu=%s%s%s", f->name, f->file ? f->file : "?", f->line,
		       f->cu_name ? f->cu_name : "?", f->external ? " external" : "",
		       f->is_inline_only ? " inline-only" : "");
		if (f->has_code)
			printf(" entry=0x%llx prologue=0x%llx high=0x%llx%s",
			       (unsigned long long)f->entry_pc, (unsigned long long)f->prologue_pc,
			       (unsigned long long)f->high_pc, f->has_return ? " return" : "");
		if (f->n_inlines)
			printf(" inlines=%d", f->n_inlines);
		printf("\n");
		if (f->has_code) {
			printf("  vars@entry:");
			print_vars(dw, f->die, f->entry_pc, 0);
			printf("\n");
		}
		for (int k = 0; k < f->n_inlines && k < 5; k++) {
			printf("  inline 0x%llx in %s:", (unsigned long long)f->inlines[k].pc,
			       f->inlines[k].caller ? f->inlines[k].caller : "?");
			print_vars(dw, f->inlines[k].die, f->inlines[k].pc, 0);
			printf("\n");
		}
	}
	fprintf(stderr, "%d functions\n", n);
	return 0;
}

static struct dw_ctx *open_obj(const char *kind, const char *arg)
{
	char *err = NULL;
	struct dw_ctx *dw = NULL;

	if (strcmp(kind, "-k") == 0) {
		dw = dw_open_kernel(arg, NULL, &err);
	} else if (strcmp(kind, "-f") == 0) {
		dw = dw_open_file(arg, &err);
	} else if (strcmp(kind, "-m") == 0) {
		char rel[256];
		const char *c = strchr(arg, ':');

		if (c) {
			snprintf(rel, sizeof(rel), "%.*s", (int)(c - arg), arg);
			dw = dw_open_module(rel, c + 1, &err);
		}
	}
	if (!dw)
		fprintf(stderr, "error: %s\n", err ? err : "bad object");
	return dw;
}

static int explore(int argc, char **argv)
{
	struct dw_ctx *dw;
	const char *cmd;
	char *err = NULL;

	if (argc < 4)
		return 2;
	dw = open_obj(argv[1], argv[2]);
	if (!dw)
		return 1;
	cmd = argv[3];
	if (strcmp(cmd, "funcs") == 0 && argc >= 5)
		return cmd_funcs(dw, argv[4], argc > 5 ? argv[5] : NULL, 0);
	if (strcmp(cmd, "L") == 0 && argc >= 5)
		return cmd_funcs(dw, argv[4], NULL, 1);
	if (strcmp(cmd, "labels") == 0 && argc >= 6) {
		struct dw_label *l;
		int n = dw_find_labels(dw, argv[4], argv[5], &l, &err);

		for (int i = 0; i < n; i++)
			printf("%s in %s at %s:%d pc=0x%llx\n", l[i].name, l[i].func, l[i].file,
			       l[i].line, (unsigned long long)l[i].pc);
		if (n < 0)
			fprintf(stderr, "error: %s\n", err);
		return n < 0;
	}
	if (strcmp(cmd, "stmts") == 0 && argc >= 5) {
		struct dw_stmt *s;
		int n = dw_find_statements(dw, argv[4], argc > 5, &s, &err);

		for (int i = 0; i < n; i++)
			printf("%s@%s:%d pc=0x%llx\n", s[i].func, s[i].file, s[i].line,
			       (unsigned long long)s[i].pc);
		if (n < 0)
			fprintf(stderr, "error: %s\n", err);
		return n < 0;
	}
	if (strcmp(cmd, "expr") == 0 && argc >= 6) {
		struct dw_expr x;

		if (xlate(dw, argv[4], argv[5], argc > 6 && strcmp(argv[6], "prologue") == 0, &x,
			  &err) < 0) {
			printf("error: %s\n", err);
			return 1;
		}
		printf("kind=%s size=%d signed=%d type=%s\n%s\n", kind_name(x.kind), x.size,
		       x.is_signed, x.type, x.c_expr);
		return 0;
	}
	if (strcmp(cmd, "type") == 0 && argc >= 5) {
		uint64_t off = dw_lookup_type(dw, argv[4], &err);

		if (!off) {
			printf("error: %s\n", err);
			return 1;
		}
		printf("0x%llx %s\n", (unsigned long long)off, dw_type_name(dw, off));
		return 0;
	}
	return 2;
}

static int cmd_syms(const char *src, const char *what)
{
	char *err = NULL;
	struct sym_table *t = strchr(src, '/') ? sym_load_file(src, &err)
					       : sym_load_kernel(src, NULL, &err);

	if (!t) {
		fprintf(stderr, "error: %s\n", err);
		return 1;
	}
	if (strncmp(what, "0x", 2) == 0) {
		uint64_t off;
		const struct ksym *s = sym_at(t, strtoull(what, NULL, 16), &off);

		if (s)
			printf("%s+0x%llx/0x%llx\n", s->name, (unsigned long long)off,
			       (unsigned long long)s->size);
		return !s;
	}
	int n;
	const struct ksym **m = sym_match(t, what, 0, &n);

	for (int i = 0; i < n; i++)
		printf("%016llx %c %s size=0x%llx\n", (unsigned long long)m[i]->addr, m[i]->type,
		       m[i]->name, (unsigned long long)m[i]->size);
	free(m);
	sym_free(t);
	return n == 0;
}

/* ---- fixture checks ---- */

static struct dw_func *find1(struct dw_ctx *dw, const char *spec, int flags)
{
	struct dw_func *fs;
	char *err = NULL;
	int n = dw_find_functions(dw, spec, flags, &fs, &err);

	return n >= 1 ? &fs[0] : NULL;
}

static const char *var_type(struct dw_ctx *dw, struct dw_func *f, const char *name, int *acc)
{
	struct dw_var *v;
	int n = dw_list_vars(dw, f->die, f->prologue_pc, &v);

	for (int i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0) {
			if (acc)
				*acc = v[i].accessible;
			return v[i].type;
		}
	return NULL;
}

static void expect_type(struct dw_ctx *dw, struct dw_func *f, const char *var, const char *want)
{
	char name[128];
	const char *got = f ? var_type(dw, f, var, NULL) : NULL;

	snprintf(name, sizeof(name), "fixture type of $%s", var);
	CHECK(name, got && strcmp(got, want) == 0, "got '%s', want '%s'", got ? got : "(none)",
	      want);
}

static void expect_err(struct dw_ctx *dw, const char *fspec, const char *expr, const char *sub,
		       const char *name)
{
	struct dw_expr x;
	char *err = NULL;
	int r = xlate(dw, fspec, expr, 1, &x, &err);

	CHECK(name, r < 0 && err && strstr(err, sub), "expected error containing '%s', got %s",
	      sub, r < 0 ? err : x.c_expr);
}

/* Writes a harness line: the generated C must evaluate to the value of C expression WANT. */
static void gen_value(struct dw_ctx *dw, FILE *gen, const char *fspec, const char *expr,
		      const char *want, int at_prologue, const char *name)
{
	struct dw_expr x;
	char *err = NULL;

	if (xlate(dw, fspec, expr, at_prologue, &x, &err) < 0) {
		failf(name, "%s", err);
		return;
	}
	fprintf(gen, "\tCHECKV(\"%s\", %s, (int64_t)(%s));\n", name, x.c_expr, want);
}

static int fixture(const char *dir)
{
	char p2[4096], p0[4096], pe[4096], pg[4096];
	struct dw_ctx *d2, *d0, *de;
	char *err = NULL;
	struct dw_func *fs, *f;
	int n;

	snprintf(p2, sizeof(p2), "%s/fx2.o", dir);
	snprintf(p0, sizeof(p0), "%s/fx0.o", dir);
	snprintf(pe, sizeof(pe), "%s/fxexe", dir);
	snprintf(pg, sizeof(pg), "%s/gen.h", dir);
	d2 = dw_open_file(p2, &err);
	d0 = dw_open_file(p0, &err);
	de = dw_open_file(pe, &err);
	if (!d2 || !d0 || !de) {
		failf("fixture open", "%s", err);
		return 1;
	}
	CHECK("fixture relocatable", dw_is_relocatable(d2) && !dw_is_relocatable(de),
	      "ET_REL detection");
	{
		struct dw_ctx *k;

		err = NULL;
		k = dw_open_kernel(NULL, dir, &err);
		CHECK("open kernel: build tree only", !k && err && strstr(err, "missing x86_64 "
		      "kernel/module debuginfo [man warning::debuginfo] under '") && strstr(err, dir),
		      "%s", err ? err : "opened");
		err = NULL;
		k = dw_open_kernel("0.0-nosuch", NULL, &err);
		CHECK("open kernel: unknown release", !k && err && strcmp(err, "missing x86_64 "
		      "kernel/module debuginfo [man warning::debuginfo] under "
		      "'/lib/modules/0.0-nosuch/build'") == 0, "%s", err ? err : "opened");
		err = NULL;
		k = dw_open_module("0.0-nosuch", "af_key", &err);
		CHECK("open module: missing", !k && err && strstr(err, "missing x86_64"), "%s",
		      err ? err : "opened");
		err = NULL;
	}

	/* functions */
	n = dw_find_functions(d2, "*@fixture.c", DW_FIND_ALL, &fs, &err);
	CHECK("fixture *@fixture.c", n == 6, "got %d functions", n);
	if (n == 6) {
		const char *want[] = { "entry_point", "helper", "local_fn", "process", "stop_here",
				       "sum_bits" };
		int good = 1;

		for (int i = 0; i < 6; i++)
			good &= strcmp(fs[i].name, want[i]) == 0;
		CHECK("fixture function order", good, "got %s %s %s ...", fs[0].name, fs[1].name,
		      fs[2].name);
	}
	f = find1(d2, "process", DW_FIND_ALL);
	CHECK("fixture process decl", f && f->line == 51 && f->file && strcmp(f->file, "fixture.c") == 0
	      && f->external && f->has_code && f->has_return && !f->is_inline_only,
	      "line %d file %s", f ? f->line : 0, f && f->file ? f->file : "?");
	CHECK("fixture process prologue", f && f->prologue_pc >= f->entry_pc &&
	      f->prologue_pc < f->high_pc, "entry 0x%llx prologue 0x%llx",
	      f ? (unsigned long long)f->entry_pc : 0, f ? (unsigned long long)f->prologue_pc : 0);
	f = find1(d2, "local_fn", DW_FIND_ALL);
	CHECK("fixture static function", f && !f->external && f->has_code, "local_fn");
	f = find1(d2, "stop_here", DW_FIND_ALL);
	CHECK("fixture noreturn", f && f->has_code && !f->has_return, "stop_here has_return");
	f = find1(d2, "helper", DW_FIND_ALL);
	CHECK("fixture inline-only", f && f->is_inline_only && f->n_inlines >= 2 && !f->has_code,
	      "helper: inline_only %d inlines %d", f ? f->is_inline_only : -1,
	      f ? f->n_inlines : -1);
	if (f && f->n_inlines >= 2) {
		int callers = 0;

		for (int i = 0; i < f->n_inlines; i++)
			callers += f->inlines[i].caller && (strcmp(f->inlines[i].caller, "process") == 0 ||
							    strcmp(f->inlines[i].caller, "entry_point") == 0);
		CHECK("fixture inline callers", callers == f->n_inlines, "callers");
	}
	n = dw_find_functions(d2, "helper", DW_FIND_CALL, &fs, &err);
	CHECK("fixture .call excludes inline", n == 0, "got %d", n);
	n = dw_find_functions(d2, "*", DW_FIND_INLINE, &fs, &err);
	CHECK("fixture .inline", n == 1 && strcmp(fs[0].name, "helper") == 0, "got %d", n);
	n = dw_find_functions(d2, "s*", DW_FIND_ALL, &fs, &err);
	CHECK("fixture wildcard s*", n == 2, "got %d", n);
	n = dw_find_functions(d2, "*@fixture.c:51", DW_FIND_ALL, &fs, &err);
	CHECK("fixture @file:line", n == 1 && strcmp(fs[0].name, "process") == 0, "got %d", n);
	n = dw_find_functions(d2, "*@fixture.c:60-80", DW_FIND_ALL, &fs, &err);
	CHECK("fixture @file:N-M", n == 3, "got %d", n);
	n = dw_find_functions(d2, "*@nosuch.c", DW_FIND_ALL, &fs, &err);
	CHECK("fixture other file", n == 0, "got %d", n);
	n = dw_find_functions(d2, "process@*.c", DW_FIND_ALL, &fs, &err);
	CHECK("fixture file wildcard", n == 1, "got %d", n);

	/* variables and their type strings */
	f = find1(d2, "process", DW_FIND_ALL);
	expect_type(d2, f, "o", "outer_t*");
	expect_type(d2, f, "n", "int");
	expect_type(d2, f, "msg", "char const*");
	expect_type(d2, f, "total", "int");
	f = find1(d2, "sum_bits", DW_FIND_ALL);
	expect_type(d2, f, "f", "struct flags*");
	if (f) {
		struct dw_var *v;
		int nv = dw_list_vars(d2, f->die, f->entry_pc, &v);

		CHECK("fixture param accessible at entry", nv == 1 && v[0].is_param && v[0].accessible,
		      "nv %d", nv);
	}

	/* labels and statements (at -O0 the label is kept) */
	struct dw_label *lb;
	n = dw_find_labels(d0, "process", "over*", &lb, &err);
	CHECK("fixture label", n == 1 && strcmp(lb[0].name, "overflow") == 0 && lb[0].line == 63,
	      "got %d (line %d)", n, n > 0 ? lb[0].line : 0);
	n = dw_find_labels(d0, "process", "nosuch", &lb, &err);
	CHECK("fixture label no match", n == 0, "got %d", n);
	struct dw_stmt *st;
	n = dw_find_statements(d0, "process@fixture.c:61", 0, &st, &err);
	CHECK("fixture statement", n == 1 && st[0].line == 61, "got %d", n);
	if (n == 1) {
		f = find1(d0, "process", DW_FIND_ALL);
		CHECK("fixture statement in function", f && st[0].pc > f->entry_pc &&
		      st[0].pc < f->high_pc, "pc 0x%llx", (unsigned long long)st[0].pc);
	}
	n = dw_find_statements(d0, "process@fixture.c:50", 0, &st, &err);
	CHECK("fixture statement no line", n < 0 && err && strstr(err, "no line records"),
	      "got %d", n);
	n = dw_find_statements(d0, "process@fixture.c:55", 1, &st, &err);
	CHECK("fixture statement .nearest", n == 1 && st[0].line > 55 && st[0].line <= 58,
	      "got %d line %d", n, n > 0 ? st[0].line : 0);
	n = dw_find_statements(d0, "process@fixture.c:*", 0, &st, &err);
	CHECK("fixture statement :*", n >= 6, "got %d", n);

	/* target expressions: errors in SystemTap's words */
	expect_err(d2, "process", "$o->nosuch", "unable to find member 'nosuch' for struct outer "
		   "(alternatives: id, in, pin, as_long, bytes, x, y, fl, arr, label, col, dir, cb, grid)",
		   "fixture member alternatives");
	expect_err(d2, "process", "$o->in", "'struct inner' (fixture.c:9) is being accessed "
		   "instead of a member such as '->a'", "fixture struct value");
	expect_err(d2, "process", "$o->id->x", "invalid access '->x' vs. int", "fixture invalid access");
	expect_err(d2, "process", "$nosuch", "unable to find local 'nosuch'", "fixture no local");
	expect_err(d2, "sum_bits", "&$f->mid", "cannot take the address of a bit field",
		   "fixture & bitfield");
	expect_err(d2, "sum_bits", "&$f", "cannot take address of object in register",
		   "fixture & register");
	expect_err(d2, "process", "@cast(0, \"struct nosuch\")->a",
		   "type definition 'struct nosuch' not found in 'fx2.o'", "fixture @cast unknown type");

	/* target expressions: what they produce */
	struct dw_expr x;
	int r = xlate(d2, "sum_bits", "$f->mid", 0, &x, &err);
	CHECK("fixture bitfield kind", r == 0 && x.kind == DW_RES_INT && !x.is_signed,
	      "%s", r ? err : "kind");
	r = xlate(d2, "sum_bits", "$f->sgn", 0, &x, &err);
	CHECK("fixture signed bitfield", r == 0 && x.is_signed, "%s", r ? err : "unsigned");
	r = xlate(d2, "process", "$o->label", 0, &x, &err);
	CHECK("fixture char* is string", r == 0 && x.kind == DW_RES_STRING && !x.is_char_array,
	      "%s", r ? err : kind_name(x.kind));
	r = xlate(d2, "process", "$o->in->name", 0, &x, &err);
	CHECK("fixture char[] is string", r == 0 && x.kind == DW_RES_STRING && x.is_char_array &&
	      x.array_len == 16, "%s", r ? err : kind_name(x.kind));
	r = xlate(d2, "process", "$o->col", 0, &x, &err);
	CHECK("fixture enum", r == 0 && x.kind == DW_RES_INT && x.size == 4 &&
	      strcmp(x.type, "enum color") == 0, "%s", r ? err : x.type);
	r = xlate(d2, "process", "$o->pin", 0, &x, &err);
	CHECK("fixture pointer", r == 0 && x.kind == DW_RES_POINTER && strcmp(x.type, "struct inner*") == 0,
	      "%s", r ? err : x.type);
	r = xlate(d2, "process", "&$o->arr[2]", 0, &x, &err);
	CHECK("fixture address-of", r == 0 && x.kind == DW_RES_ADDRESS, "%s", r ? err : "kind");
	r = xlate(d2, "sum_bits", "$f", 0, &x, &err);
	CHECK("fixture param in register", r == 0 && strstr(x.c_expr, "stp_reg_by_dwarf(STP_REGS, 5)"),
	      "%s", r ? err : x.c_expr);
	r = xlate(d0, "process", "$n", 1, &x, &err);
	CHECK("fixture -O0 frame base", r == 0 && strstr(x.c_expr, "STP_KREAD") &&
	      strstr(x.c_expr, "stp_reg_by_dwarf"), "%s", r ? err : x.c_expr);
	r = xlate(d2, "process", "$return", 0, &x, &err);
	CHECK("fixture $return", r == 0 && x.kind == DW_RES_INT && x.is_signed &&
	      strstr(x.c_expr, "stp_reg_by_dwarf(STP_REGS, 0)"), "%s", r ? err : x.c_expr);
	r = xlate(de, "process", "$global_counter", 0, &x, &err);
	{
		struct sym_table *t = sym_load_file(pe, NULL);
		const struct ksym *s = t ? sym_lookup(t, "global_counter") : NULL;
		char want[64];

		snprintf(want, sizeof(want), "0x%llxUL", s ? (unsigned long long)s->addr : 0ULL);
		CHECK("fixture global via DW_OP_addr", r == 0 && s && strstr(x.c_expr, want),
		      "%s (want %s)", r ? err : x.c_expr, want);
		sym_free(t);
	}
	uint64_t toff = dw_lookup_type(d2, "outer_t", &err);
	CHECK("fixture type lookup typedef", toff && strcmp(dw_type_name(d2, toff), "outer_t") == 0,
	      "%s", toff ? dw_type_name(d2, toff) : err);
	toff = dw_lookup_type(d2, "enum delta", &err);
	CHECK("fixture type lookup enum", toff != 0, "%s", err);

	/* run-time values: the harness evaluates these with fake registers (see harness.c) */
	FILE *gen = fopen(pg, "w");
	if (!gen) {
		failf("fixture gen.h", "cannot write %s", pg);
		return 1;
	}
#define CAST "@cast((int64_t)(unsigned long)&g_outer, \"struct outer\")"
	gen_value(d2, gen, "process", CAST "->id", "g_outer.id", 0, "run id");
	gen_value(d2, gen, "process", CAST "->in->a", "g_outer.in.a", 0, "run nested member");
	gen_value(d2, gen, "process", CAST "->in->name[3]", "g_outer.in.name[3]", 0, "run char index");
	gen_value(d2, gen, "process", CAST "->pin->a", "g_outer.pin->a", 0, "run pointer member");
	gen_value(d2, gen, "process", CAST "->as_long", "g_outer.as_long", 0, "run anon union");
	gen_value(d2, gen, "process", CAST "->bytes[2]", "g_outer.bytes[2]", 0, "run anon union array");
	gen_value(d2, gen, "process", CAST "->y", "g_outer.y", 0, "run anon struct signed short");
	gen_value(d2, gen, "process", CAST "->fl->lo", "g_outer.fl.lo", 0, "run bitfield lo");
	gen_value(d2, gen, "process", CAST "->fl->mid", "g_outer.fl.mid", 0, "run bitfield mid");
	gen_value(d2, gen, "process", CAST "->fl->sgn", "g_outer.fl.sgn", 0, "run signed bitfield");
	gen_value(d2, gen, "process", CAST "->fl->wide", "g_outer.fl.wide", 0, "run after bitfields");
	gen_value(d2, gen, "process", CAST "->arr[3]", "g_outer.arr[3]", 0, "run array index");
	gen_value(d2, gen, "process", CAST "->dir", "g_outer.dir", 0, "run negative enum");
	gen_value(d2, gen, "process", CAST "->grid[1][2]->a", "g_outer.grid[1][2].a", 0,
		  "run 2-d array");
	gen_value(d2, gen, "process", "&" CAST "->grid[1][0]",
		  "(unsigned long)&g_outer.grid[1][0]", 0, "run address-of");
	gen_value(d2, gen, "process", CAST "->in->name", "(unsigned long)g_outer.in.name", 0,
		  "run char array address");
	/* registers at the entry of the -O2 functions: rdi=5 rsi=4 rdx=1 */
	gen_value(d2, gen, "process", "$n", "fake_regs[4]", 0, "run register param");
	gen_value(d2, gen, "process", "$o->arr[1]", "g_outer.arr[1]", 0, "run register pointer deref");
	fprintf(gen, "\tfake_regs[5] = (unsigned long)&g_outer.fl;\n");
	gen_value(d2, gen, "sum_bits", "$f->mid", "g_outer.fl.mid", 0, "run register bitfield");
	gen_value(d2, gen, "sum_bits", "$f->sgn", "g_outer.fl.sgn", 0, "run register signed bitfield");
	fprintf(gen, "\tfake_regs[5] = (unsigned long)&g_outer;\n");
	gen_value(d2, gen, "process", "$msg", "fake_regs[1]", 0, "run register char*");
	fclose(gen);

	dw_close(d2);
	dw_close(d0);
	dw_close(de);
	return 0;
}

/* ---- kernel checks ---- */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int kernel(const char *rel)
{
	char *err = NULL;
	struct dw_ctx *dw = dw_open_kernel(rel, NULL, &err);
	struct dw_func *fs, *f;
	int n;

	if (!dw) {
		printf("skip kernel checks: %s\n", err ? err : "no debuginfo");
		return 0;
	}
	f = find1(dw, "icmp_rcv@net/ipv4/icmp.c", DW_FIND_ALL);
	CHECK("kernel icmp_rcv decl", f && f->line == 1252 && strcmp(f->file, "net/ipv4/icmp.c") == 0,
	      "line %d", f ? f->line : 0);
	CHECK("kernel icmp_rcv address", f && f->entry_pc == 0xffffffff818933e0ULL,
	      "0x%llx", f ? (unsigned long long)f->entry_pc : 0);
	if (f) {
		struct dw_var *v;
		int nv = dw_list_vars(dw, f->die, f->entry_pc, &v);
		char buf[512] = "";

		for (int i = 0; i < nv; i++)
			if (v[i].accessible)
				snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), " $%s:%s",
					 v[i].name, v[i].type);
		CHECK("kernel icmp_rcv -L vars", strcmp(buf, " $skb:struct sk_buff* $reason:enum "
						      "skb_drop_reason") == 0, "got '%s'", buf);
	}
	f = find1(dw, "icmp_reply", DW_FIND_ALL);
	CHECK("kernel icmp_reply", f && f->line == 406 && f->entry_pc == 0xffffffff81892280ULL &&
	      !f->external, "line %d", f ? f->line : 0);
	n = dw_find_functions(dw, "*@net/socket.c", DW_FIND_ALL, &fs, &err);
	CHECK("kernel socket.c functions", n > 50, "got %d", n);

	struct dw_label *lb;
	n = dw_find_labels(dw, "__netif_receive_skb_core@net/core/dev.c", "*", &lb, &err);
	{
		const char *want[] = { "skip_taps:5492", "skip_classify:5511", "check_vlan_id:5549",
				       "drop:5607", "out:5619" };
		int found = 0;

		for (int w = 0; w < 5; w++)
			for (int i = 0; i < n; i++) {
				char b[128];

				snprintf(b, sizeof(b), "%s:%d", lb[i].name, lb[i].line);
				if (strcmp(b, want[w]) == 0) {
					found++;
					break;
				}
			}
		CHECK("kernel __netif_receive_skb_core labels", found == 5, "found %d of 5 (n=%d)",
		      found, n);
	}
	struct dw_stmt *st;
	n = dw_find_statements(dw, "__netif_receive_skb_core@net/core/dev.c:5611", 0, &st, &err);
	CHECK("kernel statement dev.c:5611", n >= 1 && st[0].pc > 0xffffffff817aeb40ULL &&
	      st[0].pc < 0xffffffff817af800ULL, "n=%d %s", n, n < 0 ? err : "");
	{
		struct dw_expr x;
		int r = xlate(dw, "__netif_receive_skb_core", "$skb->dev->rx_dropped", 0, &x, &err);

		CHECK("kernel rx_dropped alternatives", r < 0 && strstr(err, "unable to find member "
		      "'rx_dropped' for struct net_device (alternatives: ") && strstr(err, "core_stats")
		      && strstr(err, "stats"), "%s", r < 0 ? err : x.c_expr);
		r = xlate(dw, "icmp_rcv", "$skb->len", 0, &x, &err);
		CHECK("kernel $skb->len", r == 0 && x.kind == DW_RES_INT && x.size == 4,
		      "%s", r < 0 ? err : x.c_expr);
		r = xlate(dw, "icmp_rcv", "$skb->dev->name", 0, &x, &err);
		CHECK("kernel $skb->dev->name", r == 0 && x.kind == DW_RES_STRING && x.is_char_array,
		      "%s", r < 0 ? err : x.c_expr);
		r = xlate(dw, "icmp_rcv", "@cast(0, \"struct net_device\")->stats->__rx_dropped->counter", 0,
			  &x, &err);
		CHECK("kernel @cast struct net_device", r == 0, "%s", r < 0 ? err : "");
		r = xlate(dw, "icmp_rcv", "$rt", 0, &x, &err);
		CHECK("kernel not accessible", r < 0 && strstr(err, "not accessible at this address"),
		      "%s", r < 0 ? err : x.c_expr);
	}
	dw_close(dw);

	/* modules: the list of the release, one module's DWARF, its kprobe symbols */
	const struct dw_module *mods;
	int nmods = dw_module_list(rel, &mods), veth = -1;

	for (int i = 0; i < nmods; i++)
		if (!strcmp(mods[i].name, "veth"))
			veth = i;
	CHECK("module list veth (debug copy)", nmods > 100 && veth >= 0 &&
	      strncmp(mods[veth].path, "/usr/lib/debug/", 15) == 0, "n=%d %s", nmods,
	      veth >= 0 ? mods[veth].path : "no veth");
	char *mn = dw_module_name("/x/nf-conntrack.ko");
	CHECK("module name of a path", mn && strcmp(mn, "nf_conntrack") == 0, "%s", mn);
	free(mn);
	dw = dw_open_module(rel, "veth", &err);
	CHECK("open module veth", dw && strcmp(dw_modname(dw), "veth") == 0 &&
	      dw_is_relocatable(dw), "%s", dw ? dw_modname(dw) : err);
	f = dw ? find1(dw, "veth_xmit", DW_FIND_CALL) : NULL;
	if (f) {
		uint64_t so = 1, so2 = 0;
		const char *sym = dw_addr_symbol(dw, f->entry_pc, &so);
		const char *sym2 = dw_addr_symbol(dw, f->prologue_pc, &so2);

		CHECK("module veth_xmit symbol", sym && !strcmp(sym, "veth_xmit") && so == 0 &&
		      sym2 && !strcmp(sym2, "veth_xmit") && so2 == f->prologue_pc - f->entry_pc,
		      "%s+%llu", sym ? sym : "-", (unsigned long long)so);
		struct dw_expr x;
		int r = xlate(dw, "veth_xmit", "$skb->dev->name", 0, &x, &err);
		CHECK("module $skb->dev->name", r == 0 && x.is_char_array, "%s",
		      r < 0 ? err : x.c_expr);
	} else {
		failf("module veth_xmit", "not found");
	}
	dw_close(dw);

	struct sym_table *t = sym_load_kernel(rel, NULL, &err);
	if (!t) {
		failf("kernel symbols", "%s", err);
		return 0;
	}
	const struct ksym *s = sym_lookup(t, "tcp_v4_connect");
	CHECK("kernel symbol tcp_v4_connect", s && s->addr == 0xffffffff818780d0ULL && s->type == 'T',
	      "%llx", s ? (unsigned long long)s->addr : 0);
	s = sym_lookup(t, "icmp_reply");
	CHECK("kernel symbol icmp_reply", s && s->addr == 0xffffffff81892280ULL && s->type == 't', "wrong");
	s = sym_lookup(t, "__netif_receive_skb_core.constprop.0");
	CHECK("kernel symbol constprop", s && s->addr == 0xffffffff817aeb40ULL, "wrong");
	s = sym_lookup(t, "__netif_receive_skb_core");
	CHECK("kernel symbol clone by plain name", s && s->addr == 0xffffffff817aeb40ULL, "wrong");
	uint64_t off;
	s = sym_at(t, 0xffffffff818933e0ULL + 0x10, &off);
	CHECK("kernel address to symbol", s && strcmp(s->name, "icmp_rcv") == 0 && off == 0x10, "wrong");
	double t0 = now();
	int nm;
	const struct ksym **m = sym_match(t, "tcp_v4_*", SYM_FUNCS, &nm);
	CHECK("kernel symbol wildcard", nm > 5 && now() - t0 < 0.2, "got %d", nm);
	free(m);
	sym_free(t);
	return 0;
}

int main(int argc, char **argv)
{
	int r;

	if (argc >= 3 && strcmp(argv[1], "fixture") == 0) {
		r = fixture(argv[2]);
		printf("# %d passed, %d failed\n", n_ok, n_fail);
		return r || n_fail;
	}
	if (argc >= 3 && strcmp(argv[1], "kernel") == 0) {
		r = kernel(argv[2]);
		printf("# %d passed, %d failed\n", n_ok, n_fail);
		return r || n_fail;
	}
	if (argc >= 4 && strcmp(argv[1], "syms") == 0)
		return cmd_syms(argv[2], argv[3]);
	r = explore(argc, argv);
	if (r == 2)
		fprintf(stderr, "usage: see the top of testsuite/dwarf/dwtest.c\n");
	return r;
}
