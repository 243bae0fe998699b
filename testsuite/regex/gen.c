/* gen.c - translate-time half of the regex test (see run.sh).
 *
 * Linked with translator/regex.c (and the arena, emitter and diagnostics it uses), it does
 * what pass 2 and pass 3 do for each pattern of cases.h and of a set of random patterns:
 * regex_check() on an N_REGEX node (bad patterns must fail with the expected message, in
 * the translator's layout), regex_gen_match() for `=~` and `!~`, then regex_emit_tables().
 * Also compiled: patterns for the 32-bit table and the unminimized chain, and random
 * "token soup" patterns whose accept/reject decisions harness.c compares with glibc.
 * Then the same with captures wanted (a program that calls matched()): the capture cases of
 * capture_cases.h and the random patterns again, as functions of (c, s) recording their
 * groups in c->regex_last.
 * It writes OUTDIR/gen.h (the tables and one function per expression) for harness.c, and
 * prints "ok ..." / "FAIL ..." for the translate-time checks.
 *
 * usage: gen OUTDIR NRANDOM SEED
 */
#define _GNU_SOURCE
#include "regex.h"
#include "translate.h"
#include "arena.h"
#include "cases.h"
#include "capture_cases.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The subject of every generated expression is the C variable `s`. */
const char *gen_str(struct gen *g, struct node *n)
{
	(void)g;
	(void)n;
	return "s";
}

static struct source_file file = { .name = "t.stp" };

/* An N_REGEX node for `s =~ "pattern"` as the parser would build it. */
static struct node *regex_node(const char *pattern, enum op op)
{
	struct node *n = NEW(struct node), *lhs = NEW(struct node), *lit = NEW(struct node);
	const char *text = arena_printf(g_arena, "probe begin { if (s %s \"%s\") exit() }",
					op == OP_MATCH ? "=~" : "!~", pattern);

	file.text = text;
	file.len = strlen(text);
	lhs->kind = N_SYMBOL;
	lhs->type = T_STRING;
	lit->kind = N_STRING;
	lit->str = pattern;
	lit->len = strlen(pattern);
	lit->loc = (struct srcloc){ &file, 1, 24 };
	lit->tok_desc = arena_printf(g_arena, "string '%s'", pattern);
	n->kind = N_REGEX;
	n->op = op;
	n->lhs = lhs;
	n->rhs = lit;
	n->type = T_LONG;
	n->loc = (struct srcloc){ &file, 1, 21 };
	n->tok_desc = op == OP_MATCH ? "operator '=~'" : "operator '!~'";
	return n;
}

/* regex_check(n) with stderr captured into buf. The diagnostics print a message once: for
 * a pattern rejected before, buf gets the bare reason from regex_compile(). */
static int check_captured(struct node *n, char *buf, size_t size)
{
	char path[] = "/tmp/rxgen.XXXXXX";
	int fd = mkstemp(path), saved = dup(2);

	fflush(stderr);
	dup2(fd, 2);
	diag_reset();                   /* each case as a run of its own: the file is named */
	int rc = regex_check(n);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	ssize_t got = pread(fd, buf, size - 1, 0);
	buf[got > 0 ? got : 0] = '\0';
	close(fd);
	unlink(path);
	if (rc != 0 && !buf[0]) {
		const char *err;
		regex_compile(n->rhs->str, n->rhs->len, &err);
		snprintf(buf, size, "(again) %s", err ? err : "?");
	}
	return rc;
}

/* ---- random patterns: well-formed ERE over a small alphabet ---- */

static unsigned long long rng;

static unsigned rnd(unsigned n)
{
	rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)(rng >> 33) % n;
}

static void gen_re(char *out, size_t *len, int depth);

static void gen_atom(char *out, size_t *len, int depth)
{
	static const char *const atoms[] = { "a", "b", "c", ".", "[ab]", "[^a]", "[a-b]",
					     "[[:alpha:]]", "[^[:alpha:]]", "\\.", "x", "^", "$",
					     "[bc]", "\\w" };
	unsigned r = rnd(depth < 3 ? 18 : 15);

	if (r >= 15) {
		out[(*len)++] = '(';
		gen_re(out, len, depth + 1);
		out[(*len)++] = ')';
		return;
	}
	*len += (size_t)sprintf(out + *len, "%s", atoms[r]);
	if (r == 11 || r == 12)                 /* anchors are not repeatable */
		return;
	switch (rnd(12)) {
	case 0: case 1: out[(*len)++] = '*'; break;
	case 2: out[(*len)++] = '+'; break;
	case 3: out[(*len)++] = '?'; break;
	case 4: {
		unsigned m = rnd(3), n = m + rnd(3);
		switch (rnd(3)) {
		case 0: *len += (size_t)sprintf(out + *len, "{%u}", m); break;
		case 1: *len += (size_t)sprintf(out + *len, "{%u,}", m); break;
		default: *len += (size_t)sprintf(out + *len, "{%u,%u}", m, n); break;
		}
		break;
	}
	default: break;
	}
}

static void gen_re(char *out, size_t *len, int depth)
{
	unsigned nalt = rnd(5) == 0 ? 2 + rnd(2) : 1;

	for (unsigned i = 0; i < nalt; i++) {
		if (i)
			out[(*len)++] = '|';
		unsigned n = 1 + rnd(4);
		for (unsigned j = 0; j < n; j++)
			gen_atom(out, len, depth);
	}
	out[*len] = '\0';
}

/* The capture half: cap_N(c, s) for each capture case and rcap_N(c, s) for each random
 * pattern whose capture program is within the limits (the others are NULL). */
static struct function_info matched_fn = { .name = "matched", .used = 1, .is_tapset = 1 };
static struct program capture_prog = { .functions = &matched_fn };

static void gen_captures(struct emitter *e, const char *const *pats, int npats, int *fail)
{
	struct gen g = { .e = e, .prog = &capture_prog };
	const char *err;

	for (int i = 0; i < NCAPCASES; i++) {
		struct node *n = regex_node(cap_cases[i].pattern, OP_MATCH);
		if (regex_check(n) != 0 || !regex_compile_prog(n->rhs->str, n->rhs->len, &err)) {
			printf("FAIL capture case %d /%s/ did not compile\n", i, cap_cases[i].pattern);
			(*fail)++;
			emit(e, "#define CAP_%d NULL", i);
			continue;
		}
		emit(e, "static int64_t cap_%d(struct context *c, const char *s) { return %s; }", i,
		     regex_gen_match(&g, n));
		emit(e, "#define CAP_%d cap_%d", i, i);
	}
	emit(e, "static int64_t (*const cap_fn[])(struct context *, const char *) = {");
	for (int i = 0; i < NCAPCASES; i++)
		emit(e, "CAP_%d,", i);
	emit(e, "};");
	for (int i = 0; i < npats; i++) {
		if (!regex_compile_prog(pats[i], strlen(pats[i]), &err)) {
			emit(e, "#define RCAP_%d NULL", i);
			continue;
		}
		emit(e, "static int64_t rcap_%d(struct context *c, const char *s) { return %s; }", i,
		     regex_gen_match(&g, regex_node(pats[i], OP_MATCH)));
		emit(e, "#define RCAP_%d rcap_%d", i, i);
	}
	emit(e, "static int64_t (*const rcap_fn[])(struct context *, const char *) = {");
	for (int i = 0; i < npats; i++)
		emit(e, "RCAP_%d,", i);
	emit(e, "NULL };");
}

/* A pattern for harness.c: NAME_pattern, NAME_m() and NAME_RE (its struct stp_regex). */
static void special(struct emitter *e, struct gen *g, const char *name, const char *p, int *fail)
{
	char err[4096];
	struct node *n = regex_node(p, OP_MATCH);

	if (check_captured(n, err, sizeof(err)) != 0) {
		printf("FAIL %s pattern: %s\n", name, err);
		(*fail)++;
		emit(e, "#define %s_RE (*(const struct stp_regex *)0)", name);
		emit(e, "static int64_t %s_m(const char *s) { (void)s; return -1; }", name);
	} else {
		const char *expr = regex_gen_match(g, n);
		int id = -1;
		sscanf(strstr(expr, "stp_re_"), "stp_re_%d", &id);
		emit(e, "#define %s_RE stp_re_%d", name, id);
		emit(e, "static int64_t %s_m(const char *s) { return %s; }", name, expr);
	}
	emit(e, "static const char %s_pattern[] = %s;", name, c_string_literal(p, strlen(p)));
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: gen OUTDIR NRANDOM SEED\n");
		return 2;
	}
	int nrandom = atoi(argv[2]);
	rng = strtoull(argv[3], NULL, 0);
	g_arena = arena_new();

	char *buf = NULL;
	size_t size = 0;
	FILE *body = open_memstream(&buf, &size);
	struct emitter e = { .out = body };
	struct gen g = { .e = &e };
	int pass = 0, fail = 0;

	/* cases.h: per case, the C functions for =~ and !~ (or NULL for an error case) */
	for (int i = 0; i < NCASES; i++) {
		const struct rx_case *c = &cases[i];
		char err[4096];
		struct node *n = regex_node(c->pattern, OP_MATCH);
		int rc = check_captured(n, err, sizeof(err));
		if (c->expected == ERR) {
			const char *want = arena_printf(g_arena,
				"semantic error: regex compilation error: %s", c->subject);
			const char *where = arena_printf(g_arena, ": string '%s' at t.stp:1:24\n",
							 c->pattern);
			if (rc == 0)
				printf("FAIL compile error %d /%s/: compiled\n", i, c->pattern), fail++;
			else if (strncmp(err, want, strlen(want)) != 0 || !strstr(err, where) ||
				 !strstr(err, "source: probe begin"))
				printf("FAIL compile error %d /%s/: message: %s\n", i, c->pattern, err),
					fail++;
			else
				printf("ok compile error %d /%s/: %.*s\n", i, c->pattern,
				       (int)strcspn(err, "\n"), err), pass++;
			emit(&e, "#define CASE_M_%d NULL", i);
			emit(&e, "#define CASE_N_%d NULL", i);
			continue;
		}
		if (rc != 0) {
			printf("FAIL compile %d /%s/: %s\n", i, c->pattern, err);
			fail++;
			emit(&e, "#define CASE_M_%d NULL", i);
			emit(&e, "#define CASE_N_%d NULL", i);
			continue;
		}
		emit(&e, "static int64_t case_m_%d(const char *s) { return %s; }", i,
		     regex_gen_match(&g, n));
		emit(&e, "static int64_t case_n_%d(const char *s) { return %s; }", i,
		     regex_gen_match(&g, regex_node(c->pattern, OP_NMATCH)));
		emit(&e, "#define CASE_M_%d case_m_%d", i, i);
		emit(&e, "#define CASE_N_%d case_n_%d", i, i);
	}
	emit(&e, "static int64_t (*const case_match[])(const char *) = {");
	for (int i = 0; i < NCASES; i++)
		emit(&e, "CASE_M_%d,", i);
	emit(&e, "};");
	emit(&e, "static int64_t (*const case_nomatch[])(const char *) = {");
	for (int i = 0; i < NCASES; i++)
		emit(&e, "CASE_N_%d,", i);
	emit(&e, "};");

	/* a literal of the bytes 1..255 and "abcd": 255 byte classes (NUL joins one) and 260
	 * states, so the row offsets need the 32-bit table */
	char all[600], *w = all;
	for (int b = 1; b < 256; b++) {
		if (strchr(".[]()*+?{}|^$\\", b))
			*w++ = '\\';
		*w++ = (char)b;
	}
	*w = '\0';
	special(&e, &g, "wide", arena_printf(g_arena, "%sabcd", all), &fail);
	/* the same bytes twice: a chain of 511 states with 255 classes is too long for Moore's
	 * refinement within REGEX_MAX_WORK, so only its dead states are merged */
	special(&e, &g, "chain", arena_printf(g_arena, "^(%s){2}$", all), &fail);

	/* random patterns (those over the limits are left out, and counted) */
	int skipped = 0, nr = 0;
	const char **pats = calloc((size_t)nrandom + 1, sizeof(*pats));
	for (int i = 0; i < nrandom; i++) {
		char pat[1024];
		size_t len = 0;
		gen_re(pat, &len, 0);
		const char *p = arena_strdup(g_arena, pat);
		char err[4096];
		struct node *n = regex_node(p, OP_MATCH);
		if (check_captured(n, err, sizeof(err)) != 0) {
			if (!strstr(err, "too complex") && !strstr(err, "too large")) {
				printf("FAIL random /%s/ did not compile: %s\n", p, err);
				fail++;
			}
			skipped++;
			continue;
		}
		emit(&e, "static int64_t rand_%d(const char *s) { return %s; }", nr,
		     regex_gen_match(&g, n));
		pats[nr++] = p;
	}
	emit(&e, "static const struct { const char *pattern; int64_t (*fn)(const char *); } "
		 "rand_cases[] = {");
	for (int i = 0; i < nr; i++)
		emit(&e, "{ %s, rand_%d },", c_string_literal(pats[i], strlen(pats[i])), i);
	emit(&e, "{ 0, 0 }");
	emit(&e, "};");
	emit(&e, "#define NRAND %d", nr);
	gen_captures(&e, pats, nr, &fail);
	free(pats);
	printf("ok random patterns generated: %d (%d over the limits)\n", nr, skipped);
	pass++;

	/* "soup": random strings of ERE tokens, mostly ill-formed, to compare what is accepted
	 * with glibc (harness.c); a rejected one carries the first line of its message */
	static const char *const tokens[] = { "a", "b", "c", "-", "]", "[", "^", "$", "(", ")",
		"|", "*", "+", "?", "{", "}", ",", "0", "1", "2", "\\", ".", ":", "[:alpha:]",
		"[:digit:]", "[.a.]", "[=b=]", "[:", "\\w", "\\." };
	int nsoup = nrandom * 5, ntok = (int)(sizeof(tokens) / sizeof(tokens[0]));
	const char **soup = calloc((size_t)nsoup + 1, sizeof(*soup));
	const char **soup_err = calloc((size_t)nsoup + 1, sizeof(*soup_err));
	for (int i = 0; i < nsoup; i++) {
		char pat[256] = "", err[4096];
		for (unsigned j = 0, len = 1 + rnd(8); j < len; j++)
			strcat(pat, tokens[rnd((unsigned)ntok)]);
		soup[i] = arena_strdup(g_arena, pat);
		struct node *n = regex_node(soup[i], OP_MATCH);
		if (check_captured(n, err, sizeof(err)) != 0) {
			err[strcspn(err, "\n")] = '\0';
			soup_err[i] = arena_strdup(g_arena, err);
			continue;
		}
		emit(&e, "static int64_t soup_%d(const char *s) { return %s; }", i,
		     regex_gen_match(&g, n));
	}
	emit(&e, "static const struct { const char *pattern; int64_t (*fn)(const char *); "
		 "const char *error; } soup_cases[] = {");
	for (int i = 0; i < nsoup; i++) {
		if (soup_err[i])
			emit(&e, "{ %s, 0, %s },", c_string_literal(soup[i], strlen(soup[i])),
			     c_string_literal(soup_err[i], strlen(soup_err[i])));
		else
			emit(&e, "{ %s, soup_%d, 0 },", c_string_literal(soup[i], strlen(soup[i])), i);
	}
	emit(&e, "{ 0, 0, 0 }");
	emit(&e, "};");
	emit(&e, "#define NSOUP %d", nsoup);
	free(soup);
	free(soup_err);
	fclose(body);

	/* gen.h: the tables first (as translate.c writes them before the handlers) */
	FILE *out = fopen(arena_printf(g_arena, "%s/gen.h", argv[1]), "w");
	if (!out) {
		perror("gen.h");
		return 1;
	}
	struct emitter te = { .out = out };
	regex_emit_tables(&te, &capture_prog);
	emit(&te, "struct context {");
	regex_emit_context_fields(&te, &capture_prog);
	emit(&te, "};");
	fputs(buf, out);
	fclose(out);
	free(buf);
	fprintf(stderr, "gen: %d passed, %d failed\n", pass, fail);
	return fail ? 1 : 0;
}
