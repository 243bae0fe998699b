/* regex.c - POSIX extended regular expressions to DFA tables (see regex.h and, for the
 * table design and the matcher, runtime/regex.h).
 *
 * pattern --parse--> syntax tree --Thompson--> NFA --subsets (search)--> DFA --Moore--> min
 *
 * The NFA has four kinds of states: a byte set with one successor, a split (two empty
 * edges), the assertions `^` and `$` (empty edges that hold only at the string's start /
 * end), and the match state. Repetition {m,n} is expanded by copying its operand, so
 * REGEX_MAX_NFA bounds the expansion.
 *
 * The subset construction builds the DFA of searching: the NFA start is added to every
 * state after a byte (the `.*` in front), `^` edges are passed only in the start state's
 * closure, `$` edges only when computing accept[] (the string ends there). A closure that
 * reaches the match state without `$` means a match has been found whatever follows: all
 * such subsets are one absorbing state. Byte equivalence classes (bytes that every byte
 * set of the NFA treats alike) keep the rows short.
 *
 * Moore's partition refinement then merges equivalent states; afterwards the state that
 * accepts everything (a match was found) and the one that accepts nothing (no match is
 * possible any more) are the only states whose edges all loop back, and are numbered
 * last, without rows, so the runtime stops on them. (When refinement would take too long,
 * only the states that cannot reach acceptance are merged, which keeps those properties.)
 *
 * Translate-time cost is bounded: REGEX_MAX_NFA states, REGEX_MAX_BUILD_STATES subsets,
 * and REGEX_MAX_WORK steps of closure and of refinement (a fraction of a second).
 *
 * Everything here is translate-time C with ordinary allocation; the recursion of the
 * parser and of the NFA construction is bounded by REGEX_MAX_DEPTH.
 *
 * Capture programs (for matched()): the same parse, with each group's A_GROUP node built
 * as "save the position in slot 2g", the group, "save in slot 2g+1" (NS_SAVE states that
 * the DFA construction never sees), written out as instructions for runtime/regex.c's
 * Pike VM. Splits keep their order of preference: the left alternative first, one more
 * repetition before leaving a loop.
 */
#include "regex.h"
#include "translate.h"
#include "arena.h"

#include <stdlib.h>
#include <string.h>

#define A(...) arena_printf(g_arena, __VA_ARGS__)

/* ------------------------------------------------------------------------------------ */
/* Byte sets                                                                             */

struct byteset {
	uint8_t bits[32];
};

static void bs_add(struct byteset *s, int b)
{
	s->bits[b >> 3] |= (uint8_t)(1u << (b & 7));
}

static int bs_has(const struct byteset *s, int b)
{
	return (s->bits[b >> 3] >> (b & 7)) & 1;
}

static void bs_add_range(struct byteset *s, int lo, int hi)
{
	for (int b = lo; b <= hi; b++)
		bs_add(s, b);
}

static void bs_invert(struct byteset *s)
{
	for (int i = 0; i < 32; i++)
		s->bits[i] = (uint8_t)~s->bits[i];
}

/* The POSIX classes in the C locale (ASCII; bytes >= 0x80 are in none). */
static int class_set(const char *name, size_t len, struct byteset *s)
{
	static const char *const names[] = { "alpha", "digit", "alnum", "upper", "lower",
					     "space", "blank", "punct", "xdigit", "cntrl",
					     "print", "graph" };
	int which = -1;

	for (int i = 0; i < (int)(sizeof(names) / sizeof(names[0])); i++)
		if (strlen(names[i]) == len && !memcmp(names[i], name, len))
			which = i;
	if (which < 0)
		return -1;
	for (int b = 0; b < 128; b++) {
		int upper = b >= 'A' && b <= 'Z', lower = b >= 'a' && b <= 'z';
		int digit = b >= '0' && b <= '9';
		int graph = b >= 0x21 && b <= 0x7e;
		int in;
		switch (which) {
		case 0: in = upper || lower; break;
		case 1: in = digit; break;
		case 2: in = upper || lower || digit; break;
		case 3: in = upper; break;
		case 4: in = lower; break;
		case 5: in = b == ' ' || (b >= '\t' && b <= '\r'); break;
		case 6: in = b == ' ' || b == '\t'; break;
		case 7: in = graph && !upper && !lower && !digit; break;
		case 8: in = digit || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F'); break;
		case 9: in = b < 0x20 || b == 0x7f; break;
		case 10: in = b >= 0x20 && b <= 0x7e; break;
		default: in = graph; break;
		}
		if (in)
			bs_add(s, b);
	}
	return 0;
}

/* ------------------------------------------------------------------------------------ */
/* Parsing: the syntax tree                                                              */

enum ast_kind { A_SET, A_CAT, A_ALT, A_REP, A_BOL, A_EOL, A_EMPTY, A_GROUP };

struct ast {
	enum ast_kind kind;
	int set;                     /* A_SET: index into the compiler's byte sets */
	int min, max;                /* A_REP: max -1 = unbounded */
	int group;                   /* A_GROUP: its number (1 = the first '(') */
	struct ast *kids, *last;     /* A_CAT, A_ALT: children; A_REP, A_GROUP: the operand */
	int nkids;
	int height;                  /* levels of the tree from here down (1: a leaf) */
	struct ast *next;            /* sibling */
};

struct rx {
	const unsigned char *p, *end;
	const char *err;
	int depth;

	/* trees and byte sets (freed together at the end) */
	struct ast **asts;
	int nasts, capasts;
	struct byteset *sets;
	int nsets, capsets;

	/* NFA */
	struct nstate *nfa;
	int nnfa, capnfa;
	int has_eol;                 /* some `$`: accept[] needs its own closure */
	int ngroups;                 /* parenthesized groups */
	int captures;                /* build NS_SAVE states for the groups (matched()) */
};

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q) {
		fprintf(stderr, "stap: out of memory\n");
		exit(1);
	}
	return q;
}

static void fail(struct rx *R, const char *msg)
{
	if (!R->err)
		R->err = msg;
}

static struct ast *ast_new(struct rx *R, enum ast_kind kind)
{
	struct ast *a = calloc(1, sizeof(*a));
	if (!a) {
		fprintf(stderr, "stap: out of memory\n");
		exit(1);
	}
	if (R->nasts == R->capasts) {
		R->capasts = R->capasts ? R->capasts * 2 : 64;
		R->asts = xrealloc(R->asts, (size_t)R->capasts * sizeof(*R->asts));
	}
	R->asts[R->nasts++] = a;
	a->kind = kind;
	a->height = 1;
	return a;
}

static void ast_add(struct ast *parent, struct ast *kid)
{
	if (parent->last)
		parent->last->next = kid;
	else
		parent->kids = kid;
	parent->last = kid;
	parent->nkids++;
	if (parent->height < kid->height + 1)
		parent->height = kid->height + 1;
}

static struct ast *set_node(struct rx *R, const struct byteset *s)
{
	struct ast *a = ast_new(R, A_SET);

	if (R->nsets == R->capsets) {
		R->capsets = R->capsets ? R->capsets * 2 : 32;
		R->sets = xrealloc(R->sets, (size_t)R->capsets * sizeof(*R->sets));
	}
	R->sets[R->nsets] = *s;
	a->set = R->nsets++;
	return a;
}

static struct ast *byte_node(struct rx *R, int b)
{
	struct byteset s = { { 0 } };

	bs_add(&s, b);
	return set_node(R, &s);
}

static int peek(struct rx *R)
{
	return R->p < R->end ? *R->p : -1;
}

static struct ast *parse_alt(struct rx *R);

/* One element of a bracket expression at R->p: a byte (returned; with EQUIV added for
 * [=c=], which cannot end a range), or a class added to *s (returns -2), or an error (-1). */
#define EQUIV 0x100
static int bracket_element(struct rx *R, struct byteset *s)
{
	const unsigned char *p = R->p;

	if (p[0] == '[' && p + 1 < R->end && (p[1] == ':' || p[1] == '.' || p[1] == '=')) {
		unsigned char kind = p[1];
		const unsigned char *q = p + 2;
		while (q + 1 < R->end && !(q[0] == kind && q[1] == ']'))
			q++;
		if (q + 1 >= R->end) {
			fail(R, kind == ':' ? "unterminated '[:' in a bracket expression"
			     : kind == '.' ? "unterminated '[.' in a bracket expression"
			     : "unterminated '[=' in a bracket expression");
			return -1;
		}
		const char *name = (const char *)p + 2;
		size_t len = (size_t)(q - (p + 2));
		R->p = q + 2;
		if (kind == ':') {
			if (class_set(name, len, s) != 0) {
				fail(R, A("invalid character class '[:%.*s:]'", (int)len, name));
				return -1;
			}
			return -2;
		}
		if (len != 1) {
			fail(R, A("unsupported collating element '[%c%.*s%c]'", kind, (int)len, name,
				  kind));
			return -1;
		}
		return (unsigned char)name[0] | (kind == '=' ? EQUIV : 0);
	}
	R->p++;
	return p[0];
}

/* A bracket expression; R->p is just past the '['. */
static struct ast *parse_bracket(struct rx *R)
{
	struct byteset s = { { 0 } };
	int negate = 0, first = 1;

	if (peek(R) == '^') {
		negate = 1;
		R->p++;
	}
	for (;;) {
		if (R->p >= R->end) {
			fail(R, "unmatched '['");
			return NULL;
		}
		if (*R->p == ']' && !first) {
			R->p++;
			break;
		}
		first = 0;
		int lo = bracket_element(R, &s);
		if (lo == -1)
			return NULL;
		if (R->p + 1 < R->end && R->p[0] == '-' && R->p[1] != ']') {
			if (lo == -2 || lo & EQUIV) {
				fail(R, "invalid range: a class cannot be an end point");
				return NULL;
			}
			R->p++;
			if (R->p[0] == '[' && R->p + 1 < R->end && R->p[1] == ':') {
				fail(R, "invalid range: a class cannot be an end point");
				return NULL;
			}
			int hi = bracket_element(R, &s);
			if (hi == -1)
				return NULL;
			if (hi & EQUIV) {
				fail(R, "invalid range: a class cannot be an end point");
				return NULL;
			}
			if (hi < lo) {
				fail(R, A("invalid range end '%c-%c'", lo, hi));
				return NULL;
			}
			bs_add_range(&s, lo, hi);
			if (R->p + 1 < R->end && R->p[0] == '-' && R->p[1] != ']') {
				fail(R, "invalid range: a range end cannot start another range");
				return NULL;
			}
		} else if (lo >= 0) {
			bs_add(&s, lo & 0xff);
		}
	}
	if (negate) {
		bs_invert(&s);
		s.bits[0] &= (uint8_t)~1u;     /* NUL ends the string; it is never matched */
	}
	return set_node(R, &s);
}

static struct ast *parse_escape(struct rx *R)
{
	struct byteset s = { { 0 } };

	R->p++;                              /* the backslash */
	int c = peek(R);
	if (c < 0) {
		fail(R, "trailing backslash");
		return NULL;
	}
	R->p++;
	switch (c) {
	case '1': case '2': case '3': case '4': case '5': case '6': case '7': case '8': case '9':
		fail(R, A("back-references such as '\\%c' are not supported", c));
		return NULL;
	case 'b': case 'B': case '<': case '>': case '`': case '\'':
		fail(R, A("unsupported escape '\\%c'", c));
		return NULL;
	case 'w': case 'W':
		class_set("alnum", 5, &s);
		bs_add(&s, '_');
		if (c == 'W') {
			bs_invert(&s);
			s.bits[0] &= (uint8_t)~1u;
		}
		return set_node(R, &s);
	case 's': case 'S':
		class_set("space", 5, &s);
		if (c == 'S') {
			bs_invert(&s);
			s.bits[0] &= (uint8_t)~1u;
		}
		return set_node(R, &s);
	default:
		return byte_node(R, c);        /* \. \\ \* \( ... and any other byte stands for itself */
	}
}

static struct ast *parse_atom(struct rx *R)
{
	int c = peek(R);
	struct byteset s = { { 0 } };

	switch (c) {
	case '(': {
		if (++R->depth > REGEX_MAX_DEPTH) {
			fail(R, "parentheses nested too deeply");
			return NULL;
		}
		R->p++;
		int group = ++R->ngroups;          /* numbered by their '(' */
		struct ast *a = parse_alt(R);
		if (!a)
			return NULL;
		if (peek(R) != ')') {
			fail(R, "unmatched '('");
			return NULL;
		}
		R->p++;
		R->depth--;
		/* the group adds no level: REGEX_MAX_HEIGHT counts operators, as before */
		struct ast *g = ast_new(R, A_GROUP);
		g->group = group;
		g->kids = g->last = a;
		g->nkids = 1;
		g->height = a->height;
		return g;
	}
	case '*': case '+': case '?': case '{':
		fail(R, A("'%c' has nothing to repeat", c));
		return NULL;
	case '[':
		R->p++;
		return parse_bracket(R);
	case '.':
		bs_add_range(&s, 1, 255);
		R->p++;
		return set_node(R, &s);
	case '^':
		R->p++;
		return ast_new(R, A_BOL);
	case '$':
		R->p++;
		return ast_new(R, A_EOL);
	case '\\':
		return parse_escape(R);
	default:
		R->p++;
		return byte_node(R, c);
	}
}

/* A decimal count at R->p, or -1 when there are no digits; -2 (after failing) if too big. */
static int parse_count(struct rx *R)
{
	int n = -1;

	while (R->p < R->end && *R->p >= '0' && *R->p <= '9') {
		n = (n < 0 ? 0 : n) * 10 + (*R->p++ - '0');
		if (n > REGEX_MAX_COUNT) {
			fail(R, A("repetition count above %d", REGEX_MAX_COUNT));
			return -2;
		}
	}
	return n;
}

/* {m}, {m,}, {m,n}, {,n}; R->p is at the '{'. */
static int parse_interval(struct rx *R, int *min, int *max)
{
	R->p++;
	int m = parse_count(R), n;
	if (m == -2)
		return -1;
	if (peek(R) == ',') {
		R->p++;
		n = parse_count(R);
		if (n == -2)
			return -1;
		if (m < 0)                       /* {,n} and {,} as glibc takes them */
			m = 0;
	} else {
		n = m;
	}
	if (peek(R) != '}') {
		fail(R, "unmatched '{' (a repetition is '{m}', '{m,}' or '{m,n}')");
		return -1;
	}
	R->p++;
	if (m < 0) {
		fail(R, "invalid repetition count '{}'");
		return -1;
	}
	if (n >= 0 && n < m) {
		fail(R, A("invalid repetition count '{%d,%d}': the minimum is larger", m, n));
		return -1;
	}
	*min = m;
	*max = n;
	return 0;
}

static struct ast *parse_repeat(struct rx *R)
{
	int anchor = peek(R) == '^' || peek(R) == '$';  /* bare, not in a group like (^)* */
	struct ast *a = parse_atom(R);

	while (a) {
		int c = peek(R), min, max;
		if (c == '*') {
			min = 0, max = -1;
			R->p++;
		} else if (c == '+') {
			min = 1, max = -1;
			R->p++;
		} else if (c == '?') {
			min = 0, max = 1;
			R->p++;
		} else if (c == '{') {
			if (parse_interval(R, &min, &max) != 0)
				return NULL;
		} else {
			break;
		}
		if (anchor) {
			fail(R, A("'%c' has nothing to repeat (an anchor is not repeatable)", c));
			return NULL;
		}
		struct ast *r = ast_new(R, A_REP);
		r->min = min;
		r->max = max;
		ast_add(r, a);
		a = r;
		if (a->height > REGEX_MAX_HEIGHT) {    /* the NFA construction recurses over it */
			fail(R, "regex nested too deeply (parentheses and repetition operators)");
			return NULL;
		}
	}
	return a;
}

static struct ast *parse_cat(struct rx *R)
{
	struct ast *cat = ast_new(R, A_CAT);

	while (R->p < R->end && *R->p != '|' && *R->p != ')') {
		struct ast *a = parse_repeat(R);
		if (!a)
			return NULL;
		ast_add(cat, a);
	}
	if (cat->nkids == 0)
		cat->kind = A_EMPTY;
	return cat->nkids == 1 ? cat->kids : cat;
}

static struct ast *parse_alt(struct rx *R)
{
	struct ast *first = parse_cat(R);

	if (!first || peek(R) != '|')
		return first;
	struct ast *alt = ast_new(R, A_ALT);
	ast_add(alt, first);
	while (peek(R) == '|') {
		R->p++;
		struct ast *a = parse_cat(R);
		if (!a)
			return NULL;
		ast_add(alt, a);
	}
	return alt;
}

/* ------------------------------------------------------------------------------------ */
/* NFA                                                                                   */

enum nkind { NS_SET, NS_SPLIT, NS_BOL, NS_EOL, NS_MATCH, NS_SAVE };

struct nstate {
	enum nkind kind;
	int out, out1;               /* successors (out1: NS_SPLIT only) */
	int set;                     /* NS_SET: byte set index; NS_SAVE: the capture slot */
};

static int nfa_new(struct rx *R, enum nkind kind, int out, int out1)
{
	if (R->nnfa >= REGEX_MAX_NFA) {
		fail(R, A("regex too large (more than %d NFA states; repetition copies its operand)",
			  REGEX_MAX_NFA));
		return out;
	}
	if (R->nnfa == R->capnfa) {
		R->capnfa = R->capnfa ? R->capnfa * 2 : 64;
		R->nfa = xrealloc(R->nfa, (size_t)R->capnfa * sizeof(*R->nfa));
	}
	struct nstate *s = &R->nfa[R->nnfa];
	s->kind = kind;
	s->out = out;
	s->out1 = out1;
	s->set = -1;
	return R->nnfa++;
}

/* Builds the NFA of a, continuing to next; returns a's entry state. */
static int nfa_build(struct rx *R, const struct ast *a, int next)
{
	if (R->err)
		return next;
	switch (a->kind) {
	case A_EMPTY:
		return next;
	case A_SET: {
		int s = nfa_new(R, NS_SET, next, -1);
		if (!R->err)
			R->nfa[s].set = a->set;
		return s;
	}
	case A_BOL:
		return nfa_new(R, NS_BOL, next, -1);
	case A_EOL:
		R->has_eol = 1;
		return nfa_new(R, NS_EOL, next, -1);
	case A_GROUP: {
		/* with captures: save the position into slot 2g on entry and 2g+1 on exit */
		if (!R->captures)
			return nfa_build(R, a->kids, next);
		int close = nfa_new(R, NS_SAVE, next, -1);
		if (R->err)
			return next;
		R->nfa[close].set = 2 * a->group + 1;
		int open = nfa_new(R, NS_SAVE, nfa_build(R, a->kids, close), -1);
		if (!R->err)
			R->nfa[open].set = 2 * a->group;
		return open;
	}
	case A_CAT: {
		/* Built back to front: each child continues into the one after it. */
		const struct ast **kids = malloc((size_t)a->nkids * sizeof(*kids));
		int i = 0, cur = next;
		if (!kids) {
			fprintf(stderr, "stap: out of memory\n");
			exit(1);
		}
		for (const struct ast *k = a->kids; k; k = k->next)
			kids[i++] = k;
		while (i-- > 0 && !R->err)
			cur = nfa_build(R, kids[i], cur);
		free(kids);
		return cur;
	}
	case A_ALT: {
		int cur = -1;
		for (const struct ast *k = a->kids; k && !R->err; k = k->next) {
			int entry = nfa_build(R, k, next);
			cur = cur < 0 ? entry : nfa_new(R, NS_SPLIT, cur, entry);
		}
		return cur;
	}
	case A_REP: {
		const struct ast *x = a->kids;
		int cur = next, copies = a->min;
		if (a->max < 0) {
			/* x{m,}: m-1 copies, then x+ (x looping back through a split), or x* for m = 0 */
			int loop = nfa_new(R, NS_SPLIT, -1, next);
			if (R->err)
				return next;
			int body = nfa_build(R, x, loop);
			R->nfa[loop].out = body;
			if (a->min == 0)
				return loop;
			cur = body;
			copies = a->min - 1;
		} else {
			/* x{m,n}: m copies, then n-m optional ones, each able to skip to the end */
			for (int i = a->min; i < a->max && !R->err; i++)
				cur = nfa_new(R, NS_SPLIT, nfa_build(R, x, cur), next);
		}
		for (int i = 0; i < copies && !R->err; i++)
			cur = nfa_build(R, x, cur);
		return cur;
	}
	}
	return next;
}

/* ------------------------------------------------------------------------------------ */
/* Subset construction                                                                   */

struct closure {
	int *stack;
	int *mark;                   /* NFA state -> stamp of the last visit */
	int stamp;
	long work;                   /* NFA states visited so far (REGEX_MAX_WORK) */
};

/* The NFA states reachable from seeds through empty edges (`^` only when bol, `$` only when
 * eol): appends the byte-set states to out (returns their count), sets *matched if the
 * match state is reached. */
static int closure(const struct rx *R, struct closure *C, const int *seeds, int nseeds, int bol,
		   int eol, int *out, int *matched)
{
	int sp = 0, n = 0;

	C->stamp++;
	*matched = 0;
	for (int i = 0; i < nseeds; i++) {
		if (C->mark[seeds[i]] != C->stamp) {
			C->mark[seeds[i]] = C->stamp;
			C->stack[sp++] = seeds[i];
		}
	}
	while (sp > 0) {
		int s = C->stack[--sp];
		C->work++;
		const struct nstate *ns = &R->nfa[s];
		int succ[2], nsucc = 0;
		switch (ns->kind) {
		case NS_SET:
			if (out)
				out[n] = s;
			n++;
			break;
		case NS_MATCH:
			*matched = 1;
			break;
		case NS_SPLIT:
			succ[nsucc++] = ns->out;
			succ[nsucc++] = ns->out1;
			break;
		case NS_SAVE:                    /* only in capture programs */
			succ[nsucc++] = ns->out;
			break;
		case NS_BOL:
			if (bol)
				succ[nsucc++] = ns->out;
			break;
		case NS_EOL:
			if (eol)
				succ[nsucc++] = ns->out;
			break;
		}
		for (int i = 0; i < nsucc; i++) {
			if (C->mark[succ[i]] != C->stamp) {
				C->mark[succ[i]] = C->stamp;
				C->stack[sp++] = succ[i];
			}
		}
	}
	return n;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

/* A DFA state under construction: a sorted set of NFA byte-set states, plus accept. */
struct dstate {
	int off, len;                /* in the pool */
	int accept;                  /* 1: the string may end here; 2: the absorbing match state */
	unsigned hash;
	int chain;                   /* next state in the hash bucket */
};

struct dfa_build {
	struct dstate *st;
	int n, cap;
	int *pool;
	size_t npool, cappool;
	int *buckets;                /* hash -> first state, -1 */
	int nbuckets;
	int *trans;                  /* [n * nclasses] */
	int nclasses;
};

static unsigned hash_set(const int *v, int n, int accept)
{
	unsigned h = 2166136261u ^ (unsigned)accept;
	for (int i = 0; i < n; i++)
		h = (h ^ (unsigned)v[i]) * 16777619u;
	return h;
}

/* The state for (set, accept), created if new; -1 past the build limit. */
static int dstate_get(struct dfa_build *D, const int *set, int n, int accept)
{
	unsigned h = hash_set(set, n, accept);
	int b = (int)(h % (unsigned)D->nbuckets);

	for (int i = D->buckets[b]; i >= 0; i = D->st[i].chain) {
		const struct dstate *s = &D->st[i];
		if (s->hash == h && s->len == n && s->accept == accept &&
		    (n == 0 || !memcmp(D->pool + s->off, set, (size_t)n * sizeof(int))))
			return i;
	}
	if (D->n >= REGEX_MAX_BUILD_STATES)
		return -1;
	if (D->n == D->cap) {
		D->cap = D->cap ? D->cap * 2 : 64;
		D->st = xrealloc(D->st, (size_t)D->cap * sizeof(*D->st));
		D->trans = xrealloc(D->trans, (size_t)D->cap * (size_t)D->nclasses * sizeof(int));
	}
	if (D->npool + (size_t)n > D->cappool) {
		while (D->npool + (size_t)n > D->cappool)
			D->cappool = D->cappool ? D->cappool * 2 : 1024;
		D->pool = xrealloc(D->pool, D->cappool * sizeof(int));
	}
	struct dstate *s = &D->st[D->n];
	s->off = (int)D->npool;
	s->len = n;
	s->accept = accept;
	s->hash = h;
	s->chain = D->buckets[b];
	if (n > 0)
		memcpy(D->pool + D->npool, set, (size_t)n * sizeof(int));
	D->npool += (size_t)n;
	D->buckets[b] = D->n;
	return D->n++;
}

/* The DFA state entered from seeds (bol: at the string's start). */
static int dstate_from(const struct rx *R, struct closure *C, struct dfa_build *D,
		       const int *seeds, int nseeds, int bol, int *scratch)
{
	int matched, matched_at_end;
	int n = closure(R, C, seeds, nseeds, bol, 0, scratch, &matched);

	if (matched)
		return dstate_get(D, NULL, 0, 2);
	matched_at_end = 0;
	if (R->has_eol)
		closure(R, C, seeds, nseeds, bol, 1, NULL, &matched_at_end);
	qsort(scratch, (size_t)n, sizeof(int), cmp_int);
	C->work += 16L * n;                      /* sorting, hashing, comparing the set */
	return dstate_get(D, scratch, n, matched_at_end);
}

/* Byte equivalence classes of the byte sets the NFA uses. NUL ends every string and is
 * never looked up: it joins the class of byte 1 rather than costing a column. */
static int byte_classes(const struct rx *R, uint8_t classes[256])
{
	int cls[256] = { 0 }, ncls = 1;

	for (int s = 0; s < R->nnfa; s++) {
		if (R->nfa[s].kind != NS_SET)
			continue;
		const struct byteset *set = &R->sets[R->nfa[s].set];
		int split[256], renum[512], n = 0;
		for (int k = 0; k < ncls; k++)
			split[k] = -1;
		/* bytes of class k inside the set move to a new class split[k] */
		for (int b = 1; b < 256; b++) {
			if (!bs_has(set, b))
				continue;
			if (split[cls[b]] < 0)
				split[cls[b]] = ncls + n++;
			cls[b] = split[cls[b]];
		}
		/* renumber densely in order of first appearance */
		for (int k = 0; k < ncls + n; k++)
			renum[k] = -1;
		n = 0;
		for (int b = 1; b < 256; b++) {
			if (renum[cls[b]] < 0)
				renum[cls[b]] = n++;
			cls[b] = renum[cls[b]];
		}
		ncls = n;
	}
	cls[0] = cls[1];
	for (int b = 0; b < 256; b++)
		classes[b] = (uint8_t)cls[b];
	return ncls;
}

/* ------------------------------------------------------------------------------------ */
/* Minimization (Moore) and the final tables                                             */

/* Without minimizing: each state its own block, except that all states from which no
 * accepting state can be reached become one (dead) block. Returns the number of blocks. */
static int partition_dead(const struct dfa_build *D, int *block)
{
	int n = D->n, K = D->nclasses, nblocks = 0, dead = -1;
	int *alive = calloc((size_t)n, sizeof(int)), *queue = malloc((size_t)n * sizeof(int));
	int *first = malloc(((size_t)n + 1) * sizeof(int));
	int *from = malloc((size_t)n * K * sizeof(int));
	int head = 0, tail = 0;

	if (!alive || !queue || !first || !from) {
		fprintf(stderr, "stap: out of memory\n");
		exit(1);
	}
	/* reverse edges, grouped by target */
	for (int s = 0; s <= n; s++)
		first[s] = 0;
	for (size_t e = 0; e < (size_t)n * K; e++)
		first[D->trans[e] + 1]++;
	for (int s = 0; s < n; s++)
		first[s + 1] += first[s];
	int *fill = calloc((size_t)n, sizeof(int));
	if (!fill) {
		fprintf(stderr, "stap: out of memory\n");
		exit(1);
	}
	for (size_t e = 0; e < (size_t)n * K; e++) {
		int t = D->trans[e];
		from[first[t] + fill[t]++] = (int)(e / (size_t)K);
	}
	for (int s = 0; s < n; s++)
		if (D->st[s].accept) {
			alive[s] = 1;
			queue[tail++] = s;
		}
	while (head < tail) {
		int t = queue[head++];
		for (int i = first[t]; i < first[t + 1]; i++)
			if (!alive[from[i]]) {
				alive[from[i]] = 1;
				queue[tail++] = from[i];
			}
	}
	for (int s = 0; s < n; s++) {
		if (alive[s])
			block[s] = nblocks++;
		else
			block[s] = dead < 0 ? (dead = nblocks++) : dead;
	}
	free(alive);
	free(queue);
	free(first);
	free(from);
	free(fill);
	return nblocks;
}

/* Moore's refinement of block[] (initially by accept) until stable; returns the number of
 * blocks. A refinement round costs n * K; past REGEX_MAX_WORK in all (long chains of
 * states need as many rounds as states) the DFA is left unminimized but for merging its
 * dead states. */
static int minimize(const struct dfa_build *D, int *block)
{
	int n = D->n, K = D->nclasses, nblocks = 0;
	int *nb = malloc((size_t)n * sizeof(int));
	int *table = malloc((size_t)n * 2 * sizeof(int));     /* open addressing: state or -1 */
	int tsize = n * 2;
	long work = 0;

	if (!nb || !table) {
		fprintf(stderr, "stap: out of memory\n");
		exit(1);
	}
	for (int s = 0; s < n; s++)
		block[s] = D->st[s].accept ? 1 : 0;
	int prev = -1;
	for (;;) {
		work += (long)n * K;
		if (work > REGEX_MAX_WORK) {
			nblocks = partition_dead(D, block);
			break;
		}
		for (int i = 0; i < tsize; i++)
			table[i] = -1;
		nblocks = 0;
		for (int s = 0; s < n; s++) {
			const int *row = D->trans + (size_t)s * K;
			unsigned h = 2166136261u ^ (unsigned)block[s];
			for (int c = 0; c < K; c++)
				h = (h ^ (unsigned)block[row[c]]) * 16777619u;
			int slot = (int)(h % (unsigned)tsize);
			for (;;) {
				int t = table[slot];
				if (t < 0) {
					table[slot] = s;
					nb[s] = nblocks++;
					break;
				}
				const int *trow = D->trans + (size_t)t * K;
				int same = block[t] == block[s];
				for (int c = 0; same && c < K; c++)
					same = block[trow[c]] == block[row[c]];
				if (same) {
					nb[s] = nb[t];
					break;
				}
				slot = (slot + 1) % tsize;
			}
		}
		memcpy(block, nb, (size_t)n * sizeof(int));
		if (nblocks == prev)
			break;
		prev = nblocks;
	}
	free(nb);
	free(table);
	return nblocks;
}

/* Parses R's pattern and builds its NFA; returns the start state, or -1 with R->err set. */
static int rx_parse_build(struct rx *R)
{
	struct ast *tree = parse_alt(R);

	if (tree && R->p < R->end && *R->p == ')')
		fail(R, "unmatched ')'");
	if (R->err)
		return -1;
	int match = nfa_new(R, NS_MATCH, -1, -1);
	int start = nfa_build(R, tree, match);
	return R->err ? -1 : start;
}

static void rx_free(struct rx *R)
{
	for (int i = 0; i < R->nasts; i++)
		free(R->asts[i]);
	free(R->asts);
	free(R->sets);
	free(R->nfa);
}

struct regex_dfa *regex_compile(const char *pattern, size_t len, const char **err)
{
	struct rx R = { .p = (const unsigned char *)pattern,
			.end = (const unsigned char *)pattern + len };
	struct regex_dfa *dfa = NULL;
	struct closure C = { 0 };
	struct dfa_build D = { 0 };
	int *scratch = NULL, *seeds = NULL, *block = NULL;

	*err = NULL;
	int start = rx_parse_build(&R);
	if (start < 0)
		goto done;

	uint8_t classes[256];
	int K = byte_classes(&R, classes), reps[256];
	for (int k = 0; k < K; k++) {                  /* a byte of each class, never NUL */
		int b = 1;
		while (classes[b] != k)
			b++;
		reps[k] = b;
	}

	C.stack = malloc((size_t)R.nnfa * 2 * sizeof(int));
	C.mark = calloc((size_t)R.nnfa, sizeof(int));
	scratch = malloc((size_t)R.nnfa * sizeof(int));
	seeds = malloc(((size_t)R.nnfa + 1) * sizeof(int));
	D.nclasses = K;
	D.nbuckets = 4099;
	D.buckets = malloc((size_t)D.nbuckets * sizeof(int));
	if (!C.stack || !C.mark || !scratch || !seeds || !D.buckets) {
		fprintf(stderr, "stap: out of memory\n");
		exit(1);
	}
	for (int i = 0; i < D.nbuckets; i++)
		D.buckets[i] = -1;

	const char *too_complex = A("regex too complex (its DFA needs more than %d states)",
				    REGEX_MAX_STATES);
	int dstart = dstate_from(&R, &C, &D, &start, 1, 1, scratch);
	for (int i = 0; i < D.n; i++) {
		int *row = D.trans + (size_t)i * K;
		if (D.st[i].accept == 2) {                 /* a match: absorbing */
			for (int k = 0; k < K; k++)
				row[k] = i;
			continue;
		}
		for (int k = 0; k < K; k++) {
			int nseeds = 0;
			for (int j = 0; j < D.st[i].len; j++) {
				const struct nstate *ns = &R.nfa[D.pool[D.st[i].off + j]];
				if (bs_has(&R.sets[ns->set], reps[k]))
					seeds[nseeds++] = ns->out;
			}
			seeds[nseeds++] = start;           /* search: a match may start at every byte */
			int t = dstate_from(&R, &C, &D, seeds, nseeds, 0, scratch);
			if (t < 0 || C.work > REGEX_MAX_WORK) {
				fail(&R, too_complex);
				goto done;
			}
			row = D.trans + (size_t)i * K;     /* D.trans may have moved */
			row[k] = t;
		}
	}

	block = malloc((size_t)D.n * sizeof(int));
	if (!block) {
		fprintf(stderr, "stap: out of memory\n");
		exit(1);
	}
	int nblocks = minimize(&D, block);
	if (nblocks > REGEX_MAX_STATES) {
		fail(&R, too_complex);
		goto done;
	}

	/* One representative per block; blocks whose edges all loop back are terminal. */
	int *rep = malloc((size_t)nblocks * sizeof(int)), *num = malloc((size_t)nblocks * sizeof(int));
	int *terminal = calloc((size_t)nblocks, sizeof(int));
	if (!rep || !num || !terminal) {
		fprintf(stderr, "stap: out of memory\n");
		exit(1);
	}
	for (int s = D.n - 1; s >= 0; s--)
		rep[block[s]] = s;
	for (int b = 0; b < nblocks; b++) {
		terminal[b] = 1;
		for (int k = 0; k < K && terminal[b]; k++)
			terminal[b] = block[D.trans[(size_t)rep[b] * K + k]] == b;
	}
	/* Live blocks first, the start block (if live) as 0; then the terminal ones. */
	int nlive = 0, next = 0;
	for (int b = 0; b < nblocks; b++)
		num[b] = -1;
	if (!terminal[block[dstart]])
		num[block[dstart]] = next++;
	for (int b = 0; b < nblocks; b++)
		if (!terminal[b] && num[b] < 0)
			num[b] = next++;
	nlive = next;
	for (int b = 0; b < nblocks; b++)
		if (terminal[b])
			num[b] = next++;

	dfa = arena_alloc(g_arena, sizeof(*dfa));
	dfa->nclasses = K;
	memcpy(dfa->classes, classes, sizeof(classes));
	dfa->nstates = nblocks;
	dfa->nlive = nlive;
	dfa->start = num[block[dstart]];
	dfa->trans = arena_alloc(g_arena, ((size_t)nlive * K + 1) * sizeof(uint16_t));
	dfa->accept = arena_alloc(g_arena, (size_t)nblocks + 1);
	for (int b = 0; b < nblocks; b++) {
		int s = rep[b], i = num[b];
		dfa->accept[i] = D.st[s].accept ? 1 : 0;
		if (i >= nlive)
			continue;
		for (int k = 0; k < K; k++)
			dfa->trans[(size_t)i * K + k] = (uint16_t)num[block[D.trans[(size_t)s * K + k]]];
	}
	free(rep);
	free(num);
	free(terminal);

done:
	if (R.err) {
		*err = R.err;
		dfa = NULL;
	}
	rx_free(&R);
	free(C.stack);
	free(C.mark);
	free(scratch);
	free(seeds);
	free(block);
	free(D.st);
	free(D.pool);
	free(D.buckets);
	free(D.trans);
	return dfa;
}

/* ------------------------------------------------------------------------------------ */
/* Capture programs (matched(), ngroups())                                               */

struct regex_prog *regex_compile_prog(const char *pattern, size_t len, const char **err)
{
	struct rx R = { .p = (const unsigned char *)pattern,
			.end = (const unsigned char *)pattern + len, .captures = 1 };
	struct regex_prog *prog = NULL;

	*err = NULL;
	int start = rx_parse_build(&R);
	if (start < 0)
		goto done;
	int nslots = 2 * (R.ngroups + 1);
	if (R.ngroups > REGEX_MAX_GROUPS) {
		fail(&R, A("too many groups for matched() (%d, at most %d)", R.ngroups,
			   REGEX_MAX_GROUPS));
		goto done;
	}
	if (R.nsets > REGEX_MAX_PROG_SETS) {            /* numbered in 16 bits at run time */
		fail(&R, A("regex too long for matched() (more than %d characters and bracket "
			   "expressions)", REGEX_MAX_PROG_SETS));
		goto done;
	}
	if (REGEX_PROG_SCRATCH(R.nnfa, nslots) > REGEX_MAX_PROG_SCRATCH) {
		fail(&R, A("regex too complex for matched() (%d NFA states with %d groups need "
			   "more than %d bytes of scratch space per CPU)", R.nnfa, R.ngroups,
			   REGEX_MAX_PROG_SCRATCH));
		goto done;
	}
	prog = arena_alloc(g_arena, sizeof(*prog));
	prog->ninsts = R.nnfa;
	prog->nsets = R.nsets;
	prog->nslots = nslots;
	prog->start = start;
	prog->insts = arena_alloc(g_arena, (size_t)R.nnfa * sizeof(*prog->insts));
	for (int i = 0; i < R.nnfa; i++) {
		const struct nstate *ns = &R.nfa[i];
		prog->insts[i] = (struct regex_inst){ .op = (int)ns->kind, .out = ns->out,
						      .out1 = ns->out1, .arg = ns->set };
	}
	prog->sets = arena_alloc(g_arena, (size_t)R.nsets * 32 + 1);
	for (int i = 0; i < R.nsets; i++)
		memcpy(prog->sets + (size_t)i * 32, R.sets[i].bits, 32);
done:
	if (R.err) {
		*err = R.err;
		prog = NULL;
	}
	rx_free(&R);
	return prog;
}

/* ------------------------------------------------------------------------------------ */
/* Translator interface                                                                  */

struct rx_entry {
	const char *pattern;
	size_t len;
	struct regex_dfa *dfa;       /* NULL if it did not compile */
	const char *err;
	struct regex_prog *prog;     /* the capture program, once an =~ needed it */
	int id;                      /* stp_re_ID in the generated unit; -1 until used */
	struct rx_entry *next, *next_used;
};

/* The patterns of the current translation (they live in its arena). */
static struct arena *cache_arena;
static struct rx_entry *cache, *used_head, **used_tail = &used_head;
static int nused;
static int prog_max_insts, prog_max_slots;  /* the largest capture program used */

static struct rx_entry *lookup(struct node *n)
{
	const struct node *lit = n->rhs;

	if (cache_arena != g_arena) {
		cache_arena = g_arena;
		cache = NULL;
		used_head = NULL;
		used_tail = &used_head;
		nused = 0;
		prog_max_insts = prog_max_slots = 0;
	}
	for (struct rx_entry *e = cache; e; e = e->next)
		if (e->len == lit->len && !memcmp(e->pattern, lit->str, lit->len))
			return e;
	struct rx_entry *e = NEW(struct rx_entry);
	e->pattern = lit->str;
	e->len = lit->len;
	e->id = -1;
	e->dfa = regex_compile(lit->str, lit->len, &e->err);
	e->next = cache;
	cache = e;
	return e;
}

static struct rx_entry *check(struct node *n)
{
	if (!n->rhs || n->rhs->kind != N_STRING) {
		diag_semantic_error(&n->loc, n->tok_desc, "a regex must be a string literal");
		return NULL;
	}
	struct rx_entry *e = lookup(n);
	if (!e->dfa) {
		diag_semantic_error(&n->rhs->loc, n->rhs->tok_desc, "regex compilation error: %s",
				    e->err);
		return NULL;
	}
	return e;
}

int regex_check(struct node *n)
{
	return check(n) ? 0 : -1;
}

int regex_captures_wanted(const struct program *p)
{
	for (const struct function_info *f = p ? p->functions : NULL; f; f = f->next)
		if (f->used && f->is_tapset &&
		    (!strcmp(f->name, "matched") || !strcmp(f->name, "ngroups")))
			return 1;
	return 0;
}

/* The capture program of e, compiled the first time; NULL after reporting an error. */
static struct regex_prog *need_prog(struct rx_entry *e, struct node *n)
{
	const char *err;

	if (!e->prog) {
		e->prog = regex_compile_prog(e->pattern, e->len, &err);
		if (!e->prog) {
			diag_semantic_error(&n->rhs->loc, n->rhs->tok_desc,
					    "regex compilation error: %s", err);
			return NULL;
		}
	}
	if (prog_max_insts < e->prog->ninsts)
		prog_max_insts = e->prog->ninsts;
	if (prog_max_slots < e->prog->nslots)
		prog_max_slots = e->prog->nslots;
	return e->prog;
}

const char *regex_gen_match(struct gen *g, struct node *n)
{
	struct rx_entry *e = check(n);
	int captures = regex_captures_wanted(g->prog);

	if (!e || (captures && !need_prog(e, n)))
		return "((int64_t)0)";
	if (e->id < 0) {
		e->id = nused++;
		*used_tail = e;
		used_tail = &e->next_used;
	}
	/* With matched() in the script, every =~ records its outcome in the context. */
	if (captures)
		return A("((int64_t)%sstp_regex_record(&c->regex_last, &stp_re_%d, %s, "
			 "c->regex_scratch))", n->op == OP_NMATCH ? "!" : "", e->id,
			 gen_str(g, n->lhs));
	return A("((int64_t)%sstp_regex_match(&stp_re_%d, %s))", n->op == OP_NMATCH ? "!" : "",
		 e->id, gen_str(g, n->lhs));
}

void regex_emit_context_fields(struct emitter *e, const struct program *p)
{
	if (!regex_captures_wanted(p))
		return;
	emit(e, "struct stp_regex_last regex_last;");
	emit(e, "unsigned long regex_scratch[(STP_REGEX_SCRATCH(%d, %d) + sizeof(long) - 1) / "
	     "sizeof(long)];", prog_max_insts, prog_max_slots);
}

/* Writes n numbers as the body of a C array initializer, 16 a line. */
static void emit_numbers(struct emitter *e, const char *decl, const unsigned *v, size_t n)
{
	char line[256];

	emit(e, "%s = {", decl);
	for (size_t i = 0; i < n; i += 16) {
		size_t used = 0;
		for (size_t j = i; j < n && j < i + 16; j++)
			used += (size_t)snprintf(line + used, sizeof(line) - used, "%u,%s", v[j],
						 j + 1 < n && j + 1 < i + 16 ? " " : "");
		emit(e, "%s", line);
	}
	emit(e, "};");
}

/* The tables of a capture program: stp_re_ID_prog. */
static void emit_prog(struct emitter *e, int id, const struct regex_prog *p)
{
	emit(e, "static const struct stp_regex_inst stp_re_%d_insts[%d] = {", id, p->ninsts);
	for (int i = 0; i < p->ninsts; i++) {
		const struct regex_inst *in = &p->insts[i];
		emit(e, "{ %d, %u, %u, %u },", in->op, in->arg < 0 ? 0u : (unsigned)in->arg,
		     in->out < 0 ? 0xffffu : (unsigned)in->out,
		     in->out1 < 0 ? 0xffffu : (unsigned)in->out1);
	}
	emit(e, "};");
	unsigned *v = malloc(((size_t)p->nsets * 32 + 1) * sizeof(unsigned));
	if (!v) {
		fprintf(stderr, "stap: out of memory\n");
		exit(1);
	}
	for (size_t i = 0; i < (size_t)p->nsets * 32; i++)
		v[i] = p->sets[i];
	v[p->nsets * 32] = 0;                        /* no empty array */
	emit_numbers(e, A("static const uint8_t stp_re_%d_sets[%d]", id, p->nsets * 32 + 1), v,
		     (size_t)p->nsets * 32 + 1);
	free(v);
	emit(e, "static const struct stp_regex_prog stp_re_%d_prog = { stp_re_%d_insts, "
	     "stp_re_%d_sets, %d, %d, %d };", id, id, id, p->ninsts, p->nslots, p->start);
}

void regex_emit_tables(struct emitter *e, const struct program *p)
{
	int used = cache_arena == g_arena && used_head;

	if (used || regex_captures_wanted(p))
		emit(e, "#include \"regex.h\"");
	if (!used)
		return;
	for (struct rx_entry *r = used_head; r; r = r->next_used) {
		const struct regex_dfa *d = r->dfa;
		size_t ntrans = (size_t)d->nlive * d->nclasses;
		size_t nv = ntrans > 256 ? ntrans : 256;
		if ((size_t)d->nstates > nv)
			nv = (size_t)d->nstates;
		size_t K = (size_t)d->nclasses;
		int wide = ((size_t)d->nstates - 1) * K > 0xffff;   /* offsets need 32 bits */
		unsigned *v = malloc((nv + 1) * sizeof(unsigned));
		if (!v) {
			fprintf(stderr, "stap: out of memory\n");
			exit(1);
		}
		emit(e, "/* regex %d: %d states (%d live), %d byte classes */", r->id, d->nstates,
		     d->nlive, d->nclasses);
		for (int b = 0; b < 256; b++)
			v[b] = d->classes[b];
		emit_numbers(e, A("static const uint8_t stp_re_%d_classes[256]", r->id), v, 256);
		for (size_t i = 0; i < ntrans; i++)
			v[i] = (unsigned)(d->trans[i] * K);          /* states as row offsets */
		if (ntrans == 0)
			v[ntrans++] = 0;                     /* no live state: no empty array */
		emit_numbers(e, A("static const uint%d_t stp_re_%d_trans[%zu]", wide ? 32 : 16, r->id,
				  ntrans), v, ntrans);
		for (int s = 0; s < d->nstates; s++)
			v[s] = d->accept[s];
		emit_numbers(e, A("static const uint8_t stp_re_%d_accept[%d]", r->id, d->nstates), v,
			     (size_t)d->nstates);
		free(v);
		if (r->prog)
			emit_prog(e, r->id, r->prog);
		emit(e, "static const struct stp_regex stp_re_%d = {", r->id);
		emit(e, ".pattern = %s,", c_string_literal(r->pattern, r->len));
		emit(e, ".classes = stp_re_%d_classes,", r->id);
		emit(e, ".trans%d = stp_re_%d_trans,", wide ? 32 : 16, r->id);
		emit(e, ".accept = stp_re_%d_accept,", r->id);
		emit(e, ".nclasses = %d,", d->nclasses);
		emit(e, ".live_end = %zu,", (size_t)d->nlive * K);
		emit(e, ".start = %zu,", (size_t)d->start * K);
		if (r->prog)
			emit(e, ".prog = &stp_re_%d_prog,", r->id);
		emit(e, "};");
	}
}
