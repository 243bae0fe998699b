/* mutate.c - token-level mutants of SystemTap scripts, for fuzzing passes 2 and 3.
 *
 *   mutate -n COUNT -s SEED -o DIR SEED_FILES...
 *
 * Writes COUNT scripts DIR/0.stp .. DIR/COUNT-1.stp. Each is a seed script with one or
 * two token edits: a token deleted, replaced by a like token from any seed or by one of a
 * list of constructs that stress elaboration (target variables, aggregates, casts,
 * extreme numbers), or a copy of another token inserted. Working on whole tokens keeps
 * most mutants parseable, so they reach elaboration and code generation, which the
 * byte-level parser fuzzer (fuzz.c) rarely does. elab.sh runs them through a sanitized
 * translator.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct tok {
	const char *p;
	size_t n;
};

struct script {
	char *text;
	size_t len;
	struct tok *toks;
	size_t ntoks;
};

static const char *const stressors[] = {
	"$", "$$vars", "$$parms", "$$return", "$return", "@cast", "@var", "@entry", "@defined",
	"@count", "@sum", "@avg", "@hist_log", "@hist_linear", "[*]", "foreach", "delete",
	"limit", "<<<", "?", ":", "(", ")", "{", "}", "[", "]", ",", ";", "try", "catch",
	"next", "return", "break", "global", "probe", "function", "private", "string", "long",
	"-9223372036854775808", "0x7fffffffffffffff", "\"\"", "\"%s%d%\"", "\"%*.*s\"",
	"kernel.function(\"*\")", "kernel.trace(\"*\")", "->", "&", "$1", "@1", "%(", "%)",
	"%?", "%:", "=~", "!~", ".", ".=", "++", "--", "in", "if", "else", "while", "for",
};

static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static size_t below(size_t n)
{
	return n ? rnd() % n : 0;
}

/* The length of the token at p: a string or character literal, a name (with $ and @), a
 * number, a run of operator characters (at most three), or one other character. */
static size_t token_len(const char *p)
{
	size_t n = 1;

	if (*p == '"') {
		while (p[n] && p[n] != '"' && p[n] != '\n')
			n += p[n] == '\\' && p[n + 1] ? 2 : 1;
		return p[n] == '"' ? n + 1 : n;
	}
	if (isalnum((unsigned char)*p) || *p == '_' || *p == '$' || *p == '@') {
		while (isalnum((unsigned char)p[n]) || p[n] == '_' || p[n] == '$')
			n++;
		return n;
	}
	if (strchr("<>=!+-*/%&|^.~", *p))
		while (n < 3 && p[n] && strchr("<>=!+-*/%&|^.~", p[n]))
			n++;
	return n;
}

static void tokenize(struct script *s)
{
	size_t cap = 64;

	s->toks = malloc(cap * sizeof(*s->toks));
	for (const char *p = s->text; *p;) {
		if (isspace((unsigned char)*p)) {
			p++;
			continue;
		}
		if (*p == '#' || (p[0] == '/' && p[1] == '/')) {       /* a comment */
			while (*p && *p != '\n')
				p++;
			continue;
		}
		if (s->ntoks == cap)
			s->toks = realloc(s->toks, (cap *= 2) * sizeof(*s->toks));
		s->toks[s->ntoks].p = p;
		s->toks[s->ntoks].n = token_len(p);
		p += s->toks[s->ntoks++].n;
	}
}

static int read_script(const char *path, struct script *s)
{
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	memset(s, 0, sizeof(*s));
	if (getdelim(&s->text, &s->len, '\0', f) < 0)
		s->text = strdup("");
	fclose(f);
	tokenize(s);
	return 0;
}

static const char *const keywords[] = {
	"probe", "global", "private", "function", "if", "else", "while", "for", "foreach", "in",
	"delete", "return", "next", "break", "continue", "try", "catch", "limit", "string",
	"long", "%{", "%}",
};

/* A token's class: string, name, number, keyword, or -1 for punctuation (which only
 * matches itself). */
static int token_class(const struct tok *t)
{
	unsigned char c = (unsigned char)t->p[0];

	for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
		if (strlen(keywords[i]) == t->n && !memcmp(keywords[i], t->p, t->n))
			return 3;
	return c == '"' ? 0 : isdigit(c) ? 2 : isalpha(c) || c == '_' || c == '$' || c == '@' ? 1 : -1;
}

/* Some token of some seed (the replacement material), of the same class as LIKE when one
 * turns up soon: a name for a name keeps most mutants parseable. */
static struct tok any_token(struct script *all, int n, const struct tok *like)
{
	struct tok r = { ";", 1 };

	for (int tries = 0; tries < 16; tries++) {
		struct script *s = &all[below(n)];

		if (!s->ntoks)
			continue;
		r = s->toks[below(s->ntoks)];
		if (!like || (token_class(&r) == token_class(like) && token_class(like) >= 0))
			break;
		r = like ? *like : r;
	}
	return r;
}

/* Writes seed with the edits: edit[i] applies at token at[i] (sorted, distinct). */
static void write_mutant(FILE *out, struct script *seed, struct script *all, int n)
{
	size_t nedits = 1 + below(2), at[2];
	const char *pos = seed->text;

	for (size_t i = 0; i < nedits; i++)
		at[i] = below(seed->ntoks);
	for (size_t i = 0; i < seed->ntoks; i++) {
		const struct tok *t = &seed->toks[i];
		int edit = -1;

		for (size_t j = 0; j < nedits; j++)
			if (at[j] == i) {
				/* 0 delete (15%), 1 replace by a like token (50%), 2 by a
				 * stressor (15%), 3 insert another token (20%) */
				size_t r = below(100);

				edit = r < 15 ? 0 : r < 65 ? 1 : r < 80 ? 2 : 3;
			}
		fwrite(pos, 1, (size_t)(t->p - pos), out);
		pos = t->p + t->n;
		if (edit == 0)
			continue;                               /* deleted */
		if (edit == 1) {
			struct tok r = any_token(all, n, t);

			fwrite(r.p, 1, r.n, out);
		} else if (edit == 2) {
			fputs(stressors[below(sizeof(stressors) / sizeof(stressors[0]))], out);
		} else {
			if (edit == 3) {                        /* another token goes first */
				struct tok r = any_token(all, n, NULL);

				fwrite(r.p, 1, r.n, out);
				fputc(' ', out);
			}
			fwrite(t->p, 1, t->n, out);
		}
	}
	fputs(pos, out);
}

int main(int argc, char **argv)
{
	long count = 100;
	const char *dir = ".";
	struct script *all;
	int opt, n = 0;

	rng = 88172645463325252ULL;
	while ((opt = getopt(argc, argv, "n:s:o:")) != -1) {
		if (opt == 'n')
			count = atol(optarg);
		else if (opt == 's')
			rng ^= (uint64_t)atoll(optarg) * 0x9E3779B97F4A7C15ULL;
		else if (opt == 'o')
			dir = optarg;
		else
			return 2;
	}
	all = calloc((size_t)(argc - optind) + 1, sizeof(*all));
	for (int i = optind; i < argc; i++)
		if (read_script(argv[i], &all[n]) == 0 && all[n].ntoks)
			n++;
	if (!n) {
		fprintf(stderr, "mutate: no seed scripts\n");
		return 2;
	}
	for (long i = 0; i < count; i++) {
		char path[4096];
		FILE *out;

		snprintf(path, sizeof(path), "%s/%ld.stp", dir, i);
		out = fopen(path, "w");
		if (!out) {
			perror(path);
			return 1;
		}
		write_mutant(out, &all[below(n)], all, n);
		fclose(out);
	}
	return 0;
}
