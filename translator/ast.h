/* ast.h - the abstract syntax tree shared by every pass.
 *
 * One tagged node struct for statements, expressions and top-level declarations. Every node
 * carries its source location; nodes copied out of a probe alias or a macro expansion point
 * at the node they came from (`origin`), so messages can say where code was expanded.
 * Sibling lists (statements of a block, arguments of a call, keys of an index, declarations
 * of a file) are chained through `next`. All nodes live in the translation's arena.
 *
 * The parser builds the tree (pass 1) without semantic checks; elaboration (pass 2) fills in
 * `type` and the `sym`/`decl` links; code generation (pass 3) reads the result.
 */
#ifndef STAP_AST_H
#define STAP_AST_H

#include <stdint.h>
#include "diag.h"

enum stap_type {
	T_UNKNOWN = 0,
	T_LONG,
	T_STRING,
	T_STATS,
	T_VOID,       /* functions without a return value */
};

enum node_kind {
	/* ---- top level (chained in struct script.decls) ---- */
	N_PROBE,         /* probe P1, P2 { body } : points, body */
	N_ALIAS,         /* probe a.b = P1, P2 { } / probe a.b += P { } : points (alias names),
			    alias_targets, body, alias_epilogue */
	N_FUNCTION,      /* function name[:type](params) { body } or %{ code %} */
	N_GLOBAL,        /* global name[...] = init */
	N_EMBED_TOP,     /* top-level %{ ... %} : text */

	/* ---- probe points ---- */
	N_PROBE_POINT,   /* comps, optional '?', sufficient '!', condition 'if (e)' */

	/* ---- statements ---- */
	N_BLOCK,         /* { stmts } : body = first statement */
	N_NULL_STMT,     /* ; */
	N_EXPR_STMT,     /* expr : operand */
	N_IF,            /* if (cond) then_s else else_s */
	N_WHILE,         /* while (cond) body */
	N_FOR,           /* for (init; cond; incr) body ; each part may be NULL; init and incr
			    are N_EXPR_STMTs, cond an expression */
	N_FOREACH,       /* foreach (value = [keys] in array[slice] +/- limit N) body :
			    value_var, args = keys, base = the array (N_SYMBOL, N_HIST, or
			    N_INDEX of the array with N_STAR keys for a slice), sort_key/
			    sort_dir, name = aggregate of a value sort (`in a @sum-`) or NULL,
			    limit, body */
	N_BREAK,
	N_CONTINUE,
	N_NEXT,
	N_RETURN,        /* return [value] : operand = value or NULL */
	N_DELETE,        /* delete target (symbol, array, element or slice) */
	N_TRY,           /* try { body } catch (var) { handler } */
	N_EMBED_STMT,    /* function body %{ ... %} : text */

	/* ---- expressions ---- */
	N_NUMBER,        /* 64-bit literal : num */
	N_STRING,        /* string literal : str (unescaped), len */
	N_SYMBOL,        /* identifier : name */
	N_ARG,           /* $1 / @1 command-line argument before substitution: argno, as_string */
	N_TARGET,        /* $var / $$vars / @var("n@f") with components : name, comps, flags;
			    name as written with its '$'s ("$var", "$$parms"), without the
			    pretty-printing suffix; for @var the string ("n@f") and module */
	N_INDEX,         /* array[k1, k2] : base (N_SYMBOL, or N_HIST for a bucket),
			    args = keys (N_STAR for '*') */
	N_STAR,          /* '*' wildcard key in a slice */
	N_CALL,          /* name(args) : name, args */
	N_PRINT,         /* print-family builtin (print, printf, sprintf, ...) : name, args */
	N_BINARY,        /* lhs op rhs : arithmetic, bitwise, shifts, '.', comparisons */
	N_LOGICAL,       /* lhs && rhs, lhs || rhs */
	N_UNARY,         /* op operand : '-', '!', '~', '+', '&' (address of target) */
	N_INCDEC,        /* ++x, --x, x++, x-- : op, operand, is_postfix */
	N_ASSIGN,        /* lhs op= rhs, including '=', '.=', '<<<' */
	N_TERNARY,       /* cond ? lhs : rhs */
	N_REGEX,         /* lhs =~ rhs / lhs !~ rhs (rhs a string literal) */
	N_IN,            /* [keys] in array : args = keys, base = array symbol */
	N_STAT,          /* @count/@sum/@min/@max/@avg/@variance(stat) : name, operand,
			    args = the optional second argument of @variance (N_NUMBER) */
	N_HIST,          /* @hist_linear(s, lo, hi, step) / @hist_log(s) : name, operand, args */
	N_CAST,          /* @cast(e, "type"[, "module"]) with comps : operand, str (type),
			    module, comps */
	N_ATOP,          /* @entry(e), @defined(e), @probewrite(v), @kderef, @uderef,
			    @kregister(n), @uregister(n), @const("x"), @enum("x"), @enumname,
			    @perf("x") : name (without '@'), args */
	N_EMBED_EXPR,    /* %{ ... %} used as an expression (guru) : text */
	N_STRINGIFY,     /* internal: result of macro stringification (reserved) */
	N_AUTOCAST,      /* target components on a value that is neither $var, @var nor
			    @cast: (p)->next, f()[2], a[1][2] (autocast) : operand, comps,
			    flags (TF_PRETTY*) */
};

/* Operators of N_BINARY, N_UNARY, N_ASSIGN, N_INCDEC, N_LOGICAL, N_REGEX. */
enum op {
	OP_NONE = 0,
	OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD,
	OP_SHL, OP_SHR, OP_USHR,                 /* <<  >>  >>> */
	OP_BAND, OP_BOR, OP_BXOR,
	OP_CONCAT,                               /* . */
	OP_LT, OP_LE, OP_GT, OP_GE, OP_EQ, OP_NE,
	OP_LAND, OP_LOR,
	OP_NEG, OP_PLUS, OP_NOT, OP_BNOT, OP_ADDR, /* unary - + ! ~ & */
	OP_INC, OP_DEC,
	OP_ASSIGN,                               /* = */
	OP_STATS_ADD,                            /* <<< */
	OP_MATCH, OP_NMATCH,                     /* =~ !~ */
	/* compound assignment uses `op` = the binary operator and kind N_ASSIGN,
	 * e.g. "x += 1" is N_ASSIGN with op OP_ADD; plain '=' is OP_ASSIGN. */
};

/* A component of a target expression: ->name, .name, [index]. */
enum comp_kind { C_ARROW, C_DOT, C_INDEX };
struct target_comp {
	enum comp_kind kind;
	const char *name;            /* C_ARROW, C_DOT */
	struct node *index;          /* C_INDEX: a number literal or expression */
	struct srcloc loc;
	struct target_comp *next;
};

/* A component of a probe point: name or name(arg), e.g. function("foo*"), timer, ms(100). */
struct pp_comp {
	const char *name;            /* may contain wildcards '*' */
	struct node *arg;            /* N_NUMBER, N_STRING, or NULL when there is no (arg) */
	struct srcloc loc;
	struct pp_comp *next;
};

/* Flags of N_TARGET and N_CAST. */
enum {
	TF_PRETTY = 1,              /* $var$  : pretty-print one level */
	TF_PRETTY_DEEP = 2,         /* $var$$ : pretty-print recursively */
	TF_AT_VAR = 4,              /* @var("name@file", "module") */
};

/* Flags of N_GLOBAL. */
enum {
	GF_WRAP = 1,                /* global x%[N] / x% */
	GF_PRIVATE = 2,             /* private global */
};

/* Flags of N_FUNCTION. */
enum {
	FF_PRIVATE = 1,
	FF_PURE = 2,                /* embedded-C pragmas seen in the body */
	FF_UNPRIVILEGED = 4,
	FF_MYPROC_UNPRIVILEGED = 8,
	FF_GURU = 16,
	FF_STABLE = 32,
	FF_UNMODIFIED_FNARGS = 64,
};

struct symbol;                   /* elaboration's resolved variable (elaborate.h) */
struct function_info;            /* elaboration's resolved function */

struct node {
	enum node_kind kind;
	enum stap_type type;         /* filled by elaboration for expressions */
	struct srcloc loc;
	const struct node *origin;   /* node this one was expanded from, or NULL */
	const char *tok_desc;        /* token as SystemTap names it in messages,
					e.g. "identifier 'foo'", "operator '+'" */
	struct node *next;           /* sibling list link */

	/* Which fields are used depends on the kind (see enum node_kind). */
	enum op op;
	const char *name;            /* symbols, calls, functions, globals, probe aliases */
	const char *str;             /* string literal value (unescaped), @cast type */
	size_t len;                  /* bytes in str (strings may hold NUL via escapes) */
	int64_t num;                 /* number literal */
	const char *text;            /* embedded C text without %{ %}; N_STRING: as written */
	const char *module;          /* @cast/@var module argument or NULL */

	struct node *operand;        /* unary, cast, stat, incdec, autocast, delete target,
					expression statement, return value */
	struct node *lhs, *rhs;      /* binary, logical, assign, regex, ternary arms */
	struct node *cond;           /* if, while, for, ternary, probe point condition */
	struct node *then_s, *else_s;
	struct node *init, *incr;    /* for */
	struct node *body;           /* blocks, loops, probes, functions, try */
	struct node *handler;        /* try/catch handler block */
	struct node *catch_var;      /* try/catch variable (N_SYMBOL) or NULL */
	struct node *args;           /* call/print arguments, index keys, function params
					(N_SYMBOL each, with decl_type), foreach keys */
	struct node *base;           /* N_INDEX / N_IN array, N_FOREACH array */
	struct node *value_var;      /* foreach (v = [k] in a) : v */
	struct node *limit;          /* foreach ... limit N */
	struct node *points;         /* probe / alias: N_PROBE_POINT list */
	struct node *alias_targets;  /* N_ALIAS: the points the alias expands to */
	struct node *init_value;     /* N_GLOBAL initializer (literal or array of them) */
	struct target_comp *comps;   /* N_TARGET / N_CAST components */
	struct pp_comp *pp;          /* N_PROBE_POINT components */

	/* foreach sorting: sort_key = 0 none, -1 the value, N>0 the Nth key; sort_dir +1/-1 */
	int sort_key, sort_dir;
	int is_postfix;              /* N_INCDEC */
	int argno;                   /* N_ARG: $N / @N */
	int as_string;               /* N_ARG: '@' (string) rather than '$' */
	int flags;                   /* TF_*, GF_*, FF_* */
	int optional, sufficient;    /* probe point '?' and '!' */
	int is_epilogue;             /* N_ALIAS: '+=' */
	int array_size;              /* N_GLOBAL [N]; 0 = default */
	int is_array;                /* N_GLOBAL declared with [..] or used as array */
	enum stap_type decl_type;    /* declared type of functions and params (":long") */
	int priority;                /* begin(N)/end(N) priority (parsed from the point) */
	int depth;                   /* expressions: nesting depth (pass 1 limits it, so
					passes may recurse over expressions safely) */

	/* Elaboration results. */
	struct symbol *sym;          /* N_SYMBOL, N_INDEX base, N_FOREACH keys... */
	struct function_info *fn;    /* N_CALL */
};

/* A parsed file: its declarations in source order. */
struct script {
	const struct source_file *file;
	struct node *decls;          /* N_PROBE, N_ALIAS, N_FUNCTION, N_GLOBAL, N_EMBED_TOP */
	struct script *next;
	int probes_derived;          /* library files: its own probes were added (elaboration) */
};

struct node *node_new(enum node_kind kind, const struct srcloc *loc);
/* Appends item to the list at *head (O(n); lists are short). Returns item. */
struct node *node_append(struct node **head, struct node *item);
/* Turns n in place into an empty node of `kind`, keeping its place (next), loc and desc. */
void node_reset(struct node *n, enum node_kind kind);
int node_list_len(const struct node *list);
const char *node_kind_name(enum node_kind kind);
const char *op_spelling(enum op op);   /* "+", "<<<", "=~", ... */

#endif
