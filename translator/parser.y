/* parser.y - pass 1 grammar: the SystemTap script language to the AST of ast.h.
 *
 * Tokens come from the preprocessor (preprocess.c), which has already evaluated %( %)
 * conditionals, expanded @define macros and $1/@1 arguments and joined adjacent string
 * literals. Each action builds one node; the only checks here are the syntactic ones that
 * SystemTap itself makes while parsing (return outside a function, a second foreach sort
 * directive, array sizes, components after a pretty-printed value), and a limit on how
 * deeply expressions nest (MAX_EXPR_DEPTH), so that later passes can recurse safely.
 *
 * The expression grammar follows SystemTap's precedence ladder, lowest first:
 *
 *   assignment (= += ... <<<, right)     a = b = c
 *   ternary ?: (right)                   the middle is a full expression
 *   || && | ^ &                          left, via %left
 *   in                                   [k1, k2] in arr, k in arr (not chainable)
 *   comparison < <= > >= == !=  (left)   and =~ !~ "re" (not combinable with comparisons)
 *   << >> >>>   .   + -   * / %          left, via %left
 *   unary - + ! ~ &                      prefix, any depth
 *   ++ -- (prefix/postfix)               on a postfix value only
 *   postfix value                        calls, indexes, ->field, [i], $/$$ suffixes
 *
 * Statements need no separator, so an expression ends wherever the next token can't
 * continue it; where a token could either continue the expression or start the next
 * statement (- + & [ ( ++ -- $ and literals after return), bison's default shift makes the
 * expression greedy, as SystemTap's recursive-descent parser is. Those are the conflicts
 * counted by %expect below, together with the optional ';' after simple statements.
 *
 * Errors: yyreport_syntax_error() turns bison's (LAC-exact) expected-token set into
 * SystemTap-style messages ("expected literal string or number", "expected ')'").
 * Recovery is at the top level only: the offending declaration is dropped and parsing
 * resumes at the next 'probe', 'global', 'function', 'private' or '%{'.
 */

%code requires {
#include "ast.h"
#include "session.h"
struct token;
struct parser;
struct nlist { struct node *head, *tail; };
struct plist { struct pp_comp *head, *tail; };
struct fe_vars;                 /* foreach header under construction */
struct fe_sortspec;             /* foreach sort on the array: '+', '-', @sum- ... */
}

%code {
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "arena.h"
#include "parse.h"
#include "preprocess.h"
#include "print_format.h"

struct parser {
	struct session *s;
	const struct source_file *file;
	struct pp *pp;
	struct token *last;          /* token most recently handed to bison */
	char open[64];               /* what each open '(' / '[' belongs to (bracket_kind) */
	int nopen;
	int in_function;             /* parsing a function body (return allowed) */
	struct nlist decls;
};

struct fe_vars {
	struct node *value;          /* foreach (value = [keys] ...) or NULL */
	struct nlist keys;
	int nkeys;
	int sort_key, sort_dir;      /* see struct node */
	struct token *sort_tok;      /* the directive, for "multiple sort directives" */
};

struct fe_sortspec {
	struct token *tok;           /* the '+' or '-' */
	const char *aggr;            /* "sum" for @sum-, or NULL */
};

static int yylex(YYSTYPE *lval, YYLTYPE *lloc, struct parser *P);
static void yyerror(YYLTYPE *loc, struct parser *P, const char *msg);

static struct node *mk(enum node_kind k, const struct token *t);
static struct node *mk_bin(enum node_kind k, enum op op, struct node *l, const struct token *t,
			   struct node *r);
static struct node *mk_unary(enum op op, const struct token *t, struct node *e);
static struct node *mk_number(const struct token *t, int negate);
static struct node *mk_string(const struct token *t);
static struct node *mk_symbol(const struct token *t);
static struct node *mk_target(struct parser *P, const struct token *t);
static struct target_comp *mk_field(const struct token *t, int *pretty);
static struct target_comp *mk_index_comp(const struct token *t, struct node *e);
static struct node *add_comp(struct parser *P, struct node *base, const struct token *t,
			     struct target_comp *c, int pretty);
static struct node *add_pretty(struct parser *P, struct node *base, const struct token *t);
static struct nlist nl1(struct node *n);
static struct nlist nladd(struct nlist l, struct node *n);
static void perr(struct parser *P, const struct token *t, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void fmt_check_token(struct parser *P, const struct token *fmt, const struct token *next);
static struct token *pp_name_join(struct parser *P, struct token *a, struct token *b);
static struct node *mk_probe_point(struct plist comps, struct token *mark, struct node *cond);
static struct fe_vars *fe_new(void);
static void fe_add_key(struct parser *P, struct fe_vars *fe, struct token *id,
		       struct token *sort);
static int fn_flags(const char *text);
static enum op assign_op(const struct token *t);
static struct node *nest(struct parser *P, struct node *n);
static enum op cmp_op_of(const struct token *t);
}

%define api.pure full
%define parse.error custom
%define parse.lac full
%locations
%param {struct parser *P}

%union {
	struct token *tok;
	struct node *node;
	struct nlist list;
	struct plist ppl;
	struct pp_comp *ppc;
	struct fe_vars *fe;
	struct fe_sortspec *srt;
	int ival;
}

/* Literals and names. */
%token <tok> IDENT "identifier" TARGET "target symbol" DOLLARS "'$'"
%token <tok> NUMBER "number" STRING "literal string" EMBEDDED "embedded code"
/* Keywords. */
%token <tok> PROBE "probe" GLOBAL "global" FUNCTION "function" PRIVATE "private"
%token <tok> IF "if" ELSE "else" WHILE "while" FOR "for" FOREACH "foreach" IN "in"
%token <tok> LIMIT "limit" RETURN "return" DELETE "delete" BREAK "break"
%token <tok> CONTINUE "continue" NEXT "next" TRY "try" CATCH "catch"
%token <tok> KW_STRING "string" KW_LONG "long"
/* Print-family builtins: print/sprint, println/sprintln, printf/sprintf,
 * printd/printdln/sprintd/sprintdln. */
%token <tok> PRINT "print" PRINTLN "println" PRINTF "printf" PRINTD "printd"
/* @-operators. AT_EXPR1: @entry @defined; AT_NUM1: @kregister @uregister;
 * AT_STR1: @const @perf; AT_DEREF: @kderef @uderef; AT_ENUM: @enum @enumname;
 * AT_IDENT: an unknown @name that is not a macro. */
%token <tok> AT_CAST "@cast" AT_VAR "@var" AT_STAT "@count" AT_VARIANCE "@variance"
%token <tok> AT_HIST_LINEAR "@hist_linear" AT_HIST_LOG "@hist_log" AT_EXPR1 "@entry"
%token <tok> AT_NUM1 "@kregister" AT_STR1 "@const" AT_DEREF "@kderef"
%token <tok> AT_PROBEWRITE "@probewrite" AT_ENUM "@enum" AT_IDENT "@-operator"
/* Consumed by the preprocessor; never reach the grammar. */
%token <tok> AT_DEFINE "@define" ARG "$1" ARGCOUNT "$#"
%token <tok> PP_IF "%(" PP_THEN "%?" PP_ELSE "%:" PP_END "%)"
/* Stray characters, and tokens whose error the token layer already reported. */
%token <tok> JUNK "junk" LEXERR "invalid token"
/* Operators. */
%token <tok> ',' ';' ':' '{' '}' '(' ')' '[' ']' '?' '!' '=' '.' '*' '+' '-' '/' '%'
%token <tok> '<' '>' '&' '|' '^' '~'
%token <tok> SHL "<<" SHR ">>" USHR ">>>" LE "<=" GE ">=" EQ "==" NE "!="
%token <tok> MATCH "=~" NMATCH "!~" ANDAND "&&" OROR "||" INC "++" DEC "--"
%token <tok> ARROW "->" STATS_ADD "<<<"
%token <tok> ADD_ASSIGN "+=" SUB_ASSIGN "-=" MUL_ASSIGN "*=" DIV_ASSIGN "/="
%token <tok> MOD_ASSIGN "%=" SHL_ASSIGN "<<=" SHR_ASSIGN ">>=" AND_ASSIGN "&="
%token <tok> XOR_ASSIGN "^=" OR_ASSIGN "|=" CONCAT_ASSIGN ".="

%precedence THEN
%precedence ELSE
%left OROR
%left ANDAND
%left '|'
%left '^'
%left '&'
%left SHL SHR USHR
%left '.'
%left '+' '-'
%left '*' '/' '%'

/* Greedy expression statements; see the header comment. */
%expect 46

%type <node> probe_decl alias_decl function_decl embedded_top fn_head fn_body
%type <node> probe_point pp_cond pp_literal global_item global_init signed_number param
%type <node> block stmt simple_stmt foreach_head opt_expr fe_limit_opt fe_array
%type <node> expr ternary logic in_expr cmp cmp_chain arith unary crement postfix compable
%type <node> atom call print_call at_expr hist key in_key
%type <list> decl global_decl stmts probe_points global_list opt_params param_list args
%type <list> keys in_keys
%type <ppl> pp_spec
%type <ppc> pp_comp
%type <tok> pp_name pp_first pp_word field_name pp_mark fe_sort assign_op cmp_op
%type <tok> probe_kw global_kw function_kw private_kw
%type <ival> opt_type type_name
%type <fe> fe_vars fe_keys fe_keylist
%type <srt> fe_arr_sort

%start script

%%

script:
	  %empty
	| script decl
		{ if ($2.head) {
			if (P->decls.tail) P->decls.tail->next = $2.head;
			else P->decls.head = $2.head;
			P->decls.tail = $2.tail;
		  } }
	;

/* A declaration; after a syntax error everything up to the next top-level keyword is
 * dropped (the keywords below reset bison's error state with yyerrok). */
decl:
	  probe_decl             { $$ = nl1($1); }
	| alias_decl             { $$ = nl1($1); }
	| global_decl
	| function_decl          { $$ = nl1($1); }
	| embedded_top           { $$ = nl1($1); }
	| error                  { $$.head = $$.tail = NULL; }
	;

probe_kw:    PROBE           { yyerrok; P->in_function = 0; $$ = $1; } ;
global_kw:   GLOBAL          { yyerrok; $$ = $1; } ;
function_kw: FUNCTION        { yyerrok; $$ = $1; } ;
private_kw:  PRIVATE         { yyerrok; $$ = $1; } ;

embedded_top:
	  EMBEDDED               { yyerrok; $$ = mk(N_EMBED_TOP, $1); $$->text = $1->text; }
	;

/* ---- probes ---- */

/* probe P1, P2 { body } */
probe_decl:
	  probe_kw probe_points block
		{ $$ = mk(N_PROBE, $1); $$->points = $2.head; $$->body = $3; }
	;

/* probe NAME = P1, P2 { body }   and the epilogue form   probe NAME += P { body } */
alias_decl:
	  probe_kw pp_spec '=' probe_points block
		{ $$ = mk(N_ALIAS, $1);
		  $$->points = mk_probe_point($2, NULL, NULL);
		  $$->alias_targets = $4.head; $$->body = $5; }
	| probe_kw pp_spec ADD_ASSIGN probe_points block
		{ $$ = mk(N_ALIAS, $1);
		  $$->points = mk_probe_point($2, NULL, NULL);
		  $$->alias_targets = $4.head; $$->body = $5; $$->is_epilogue = 1; }
	;

probe_points:
	  probe_point                    { $$ = nl1($1); }
	| probe_points ',' probe_point   { $$ = nladd($1, $3); }
	;

/* kernel.function("f").return ?   /   timer.ms(5) !   /   syscall.* if (cond) */
probe_point:
	  pp_spec pp_mark pp_cond        { $$ = mk_probe_point($1, $2, $3); }
	;

pp_mark:
	  %empty                 { $$ = NULL; }
	| '?'
	| '!'
	;

pp_cond:
	  %empty                 { $$ = NULL; }
	| IF '(' expr ')'        { $$ = $3; }
	;

pp_spec:
	  pp_comp                { $$.head = $$.tail = $1; }
	| pp_spec '.' pp_comp    { $$ = $1; $$.tail->next = $3; $$.tail = $3; }
	;

pp_comp:
	  pp_name
		{ $$ = NEW(struct pp_comp); $$->name = $1->text; $$->loc = $1->loc; }
	| pp_name '(' pp_literal ')'
		{ $$ = NEW(struct pp_comp); $$->name = $1->text; $$->loc = $1->loc;
		  $$->arg = $3; }
	;

/* A component name: words and '*' wildcards written without spaces between them
 * (a*b, *, foo*, **). Keywords are names here (kernel.function("f").return); 'if' only
 * where a component starts, as after a name it begins the condition. */
pp_name:
	  pp_first
	| pp_name '*'            { $$ = pp_name_join(P, $1, $2); }
	| pp_name pp_word        { $$ = pp_name_join(P, $1, $2); }
	;

pp_first: pp_word | IF | '*' ;

pp_word:
	  IDENT | PROBE | GLOBAL | FUNCTION | PRIVATE | ELSE | WHILE | FOR | FOREACH | IN
	| LIMIT | RETURN | DELETE | BREAK | CONTINUE | NEXT | TRY | CATCH | KW_STRING
	| KW_LONG | PRINT | PRINTLN | PRINTF | PRINTD
	;

pp_literal:
	  STRING                 { $$ = mk_string($1); }
	| signed_number
	;

signed_number:
	  NUMBER                 { $$ = mk_number($1, 0); }
	| '-' NUMBER             { $$ = mk_number($2, 1); $$->loc = $1->loc; }
	;

/* ---- globals ---- */

/* global a, b = 1, c[100], d%[10], e%    private global x    private x */
global_decl:
	  global_kw global_list opt_top_semi      { $$ = $2; }
	| private_kw global_kw global_list opt_top_semi
		{ $$ = $3; for (struct node *g = $3.head; g; g = g->next) g->flags |= GF_PRIVATE; }
	| private_kw global_list opt_top_semi
		{ $$ = $2; for (struct node *g = $2.head; g; g = g->next) g->flags |= GF_PRIVATE; }
	;

opt_top_semi: %empty | ';' ;

global_list:
	  global_item                    { $$ = nl1($1); }
	| global_list ',' global_item    { $$ = nladd($1, $3); }
	;

global_item:
	  IDENT                          { $$ = mk(N_GLOBAL, $1); $$->name = $1->text; }
	| IDENT '=' global_init
		{ $$ = mk(N_GLOBAL, $1); $$->name = $1->text; $$->init_value = $3; }
	| IDENT '[' signed_number ']'
		{ $$ = mk(N_GLOBAL, $1); $$->name = $1->text; $$->is_array = 1;
		  if ($3->num < 1 || $3->num > 0x7fffffff)
			diag_parse_error(&$3->loc, $3->tok_desc, "array size out of range");
		  else
			$$->array_size = (int)$3->num; }
	| IDENT '%'
		{ $$ = mk(N_GLOBAL, $1); $$->name = $1->text; $$->is_array = 1;
		  $$->flags = GF_WRAP; }
	| IDENT '%' '[' signed_number ']'
		{ $$ = mk(N_GLOBAL, $1); $$->name = $1->text; $$->is_array = 1;
		  $$->flags = GF_WRAP;
		  if ($4->num < 1 || $4->num > 0x7fffffff)
			diag_parse_error(&$4->loc, $4->tok_desc, "array size out of range");
		  else
			$$->array_size = (int)$4->num; }
	| IDENT '[' signed_number ']' '=' global_init
		{ $$ = mk(N_GLOBAL, $1); $$->name = $1->text; $$->is_array = 1;
		  perr(P, $5, "only scalar globals can be initialized"); }
	;

global_init:
	  STRING                 { $$ = mk_string($1); }
	| signed_number
	;

/* ---- functions ---- */

/* function name[:type](a[:type], b) { body }   or with an embedded-C body %{ ... %} */
function_decl:
	  function_kw fn_head fn_body
		{ $$ = $2; $$->body = $3;
		  if ($3->kind == N_EMBED_STMT) $$->flags |= fn_flags($3->text); }
	| private_kw function_kw fn_head fn_body
		{ $$ = $3; $$->body = $4; $$->flags |= FF_PRIVATE;
		  if ($4->kind == N_EMBED_STMT) $$->flags |= fn_flags($4->text); }
	;

/* Reduced before the body is read, so 'return' inside it knows its context. */
fn_head:
	  IDENT opt_type '(' opt_params ')'
		{ $$ = mk(N_FUNCTION, $1); $$->name = $1->text; $$->decl_type = $2;
		  $$->args = $4.head; P->in_function = 1; }
	;

opt_type:
	  %empty                 { $$ = T_UNKNOWN; }
	| ':' type_name          { $$ = $2; }
	;

type_name:
	  KW_STRING              { $$ = T_STRING; }
	| KW_LONG                { $$ = T_LONG; }
	;

/* A trailing comma is accepted, as SystemTap does. */
opt_params:
	  %empty                 { $$.head = $$.tail = NULL; }
	| param_list
	| param_list ','
	;

param_list:
	  param                  { $$ = nl1($1); }
	| param_list ',' param   { $$ = nladd($1, $3); }
	;

param:
	  IDENT opt_type         { $$ = mk_symbol($1); $$->decl_type = $2; }
	;

fn_body:
	  block
	| EMBEDDED               { $$ = mk(N_EMBED_STMT, $1); $$->text = $1->text; }
	;

/* ---- statements ---- */

block:
	  '{' stmts '}'          { $$ = mk(N_BLOCK, $1); $$->body = $2.head; }
	;

stmts:
	  %empty                 { $$.head = $$.tail = NULL; }
	| stmts stmt             { $$ = nladd($1, $2); }
	;

stmt:
	  block
	| ';'                    { $$ = mk(N_NULL_STMT, $1); }
	| IF '(' expr ')' stmt %prec THEN
		{ $$ = mk(N_IF, $1); $$->cond = $3; $$->then_s = $5; }
	| IF '(' expr ')' stmt ELSE stmt
		{ $$ = mk(N_IF, $1); $$->cond = $3; $$->then_s = $5; $$->else_s = $7; }
	| WHILE '(' expr ')' stmt
		{ $$ = mk(N_WHILE, $1); $$->cond = $3; $$->body = $5; }
	| FOR '(' opt_expr ';' opt_expr ';' opt_expr ')' stmt
		{ $$ = mk(N_FOR, $1); $$->init = $3; $$->cond = $5 ? $5->operand : NULL;
		  $$->incr = $7; $$->body = $9; }
	| foreach_head stmt      { $$ = $1; $$->body = $2; }
	| TRY block CATCH block
		{ $$ = mk(N_TRY, $1); $$->body = $2; $$->handler = $4; }
	| TRY block CATCH '(' IDENT ')' block
		{ $$ = mk(N_TRY, $1); $$->body = $2; $$->catch_var = mk_symbol($5);
		  $$->handler = $7; }
	| simple_stmt opt_semi
	;

/* Simple statements absorb one following ';' (SystemTap prints them with it). */
opt_semi: %empty | ';' ;

simple_stmt:
	  expr                   { $$ = mk(N_EXPR_STMT, NULL); $$->loc = $1->loc;
				   $$->tok_desc = $1->tok_desc; $$->operand = $1; }
	| BREAK                  { $$ = mk(N_BREAK, $1); }
	| CONTINUE               { $$ = mk(N_CONTINUE, $1); }
	| NEXT                   { $$ = mk(N_NEXT, $1); }
	| RETURN
		{ $$ = mk(N_RETURN, $1);
		  if (!P->in_function) perr(P, $1, "found 'return' not in function context"); }
	| RETURN expr
		{ $$ = mk(N_RETURN, $1); $$->operand = $2;
		  if (!P->in_function) perr(P, $1, "found 'return' not in function context"); }
	| DELETE expr            { $$ = mk(N_DELETE, $1); $$->operand = $2; }
	;

/* for-loop parts; init and incr are kept as expression statements */
opt_expr:
	  %empty                 { $$ = NULL; }
	| expr                   { $$ = mk(N_EXPR_STMT, NULL); $$->loc = $1->loc;
				   $$->tok_desc = $1->tok_desc; $$->operand = $1; }
	;

/* foreach ([k1, k2] in arr- limit 5)   foreach (v = [k] in arr[*, "x"]+)
 * foreach (k in arr)   foreach ([a+, b] in arr)   foreach (v- = k in @hist_log(s))
 * foreach ([k] in stats @sum-)  (sort on an aggregate of the values)
 * At most one sort directive ('+' or '-') in the whole header. A slice makes the array
 * an N_INDEX whose keys may be N_STAR; an aggregate sort is kept in `name`. */
foreach_head:
	  FOREACH '(' fe_vars IN fe_array fe_arr_sort fe_limit_opt ')'
		{ $$ = mk(N_FOREACH, $1); $$->value_var = $3->value; $$->args = $3->keys.head;
		  $$->base = $5;
		  if ($6) {
			if ($3->sort_tok) {
				perr(P, $6->tok, "multiple sort directives");
			} else {
				$3->sort_key = -1;
				$3->sort_dir = *$6->tok->text == '-' ? -1 : 1;
				$$->name = $6->aggr;
			}
		  }
		  $$->sort_key = $3->sort_key; $$->sort_dir = $3->sort_dir;
		  $$->limit = $7; }
	;

fe_array:
	  IDENT                  { $$ = mk_symbol($1); }
	| IDENT '[' keys ']'
		{ $$ = mk(N_INDEX, $1); $$->base = mk_symbol($1); $$->args = $3.head; }
	| hist
	;

fe_arr_sort:
	  %empty                 { $$ = NULL; }
	| '+'                    { $$ = NEW(struct fe_sortspec); $$->tok = $1; }
	| '-'                    { $$ = NEW(struct fe_sortspec); $$->tok = $1; }
	| AT_STAT '+'
		{ $$ = NEW(struct fe_sortspec); $$->tok = $2; $$->aggr = $1->text + 1; }
	| AT_STAT '-'
		{ $$ = NEW(struct fe_sortspec); $$->tok = $2; $$->aggr = $1->text + 1; }
	| AT_VARIANCE '+'        /* accepted, sorting as @count (as SystemTap does) */
		{ $$ = NEW(struct fe_sortspec); $$->tok = $2; $$->aggr = $1->text + 1; }
	| AT_VARIANCE '-'
		{ $$ = NEW(struct fe_sortspec); $$->tok = $2; $$->aggr = $1->text + 1; }
	;

fe_limit_opt:
	  %empty                 { $$ = NULL; }
	| LIMIT expr             { $$ = $2; }
	;

fe_vars:
	  fe_keys
	| IDENT fe_sort '=' fe_keys
		{ $$ = $4; $$->value = mk_symbol($1);
		  if ($2) {
			/* the value's directive comes first in the text */
			if ($$->sort_tok) perr(P, $$->sort_tok, "multiple sort directives");
			$$->sort_tok = $2; $$->sort_key = -1;
			$$->sort_dir = *$2->text == '-' ? -1 : 1;
		  } }
	;

fe_keys:
	  IDENT fe_sort          { $$ = fe_new(); fe_add_key(P, $$, $1, $2); }
	| '[' fe_keylist ']'     { $$ = $2; }
	;

fe_keylist:
	  IDENT fe_sort                  { $$ = fe_new(); fe_add_key(P, $$, $1, $2); }
	| fe_keylist ',' IDENT fe_sort   { $$ = $1; fe_add_key(P, $$, $3, $4); }
	;

fe_sort:
	  %empty                 { $$ = NULL; }
	| '+'
	| '-'
	;

/* ---- expressions ---- */

/* lhs = rhs, lhs += rhs, ..., stat <<< value; right-associative */
expr:
	  ternary
	| ternary assign_op expr
		{ $$ = nest(P, mk_bin(N_ASSIGN, assign_op($2), $1, $2, $3)); }
	;

assign_op:
	  '=' | ADD_ASSIGN | SUB_ASSIGN | MUL_ASSIGN | DIV_ASSIGN | MOD_ASSIGN | SHL_ASSIGN
	| SHR_ASSIGN | AND_ASSIGN | XOR_ASSIGN | OR_ASSIGN | CONCAT_ASSIGN | STATS_ADD
	;

/* cond ? expr : ternary */
ternary:
	  logic
	| logic '?' expr ':' ternary
		{ $$ = mk(N_TERNARY, $2); $$->cond = $1; $$->lhs = $3; $$->rhs = $5;
		  $$ = nest(P, $$); }
	;

logic:
	  in_expr
	| logic OROR logic       { $$ = nest(P, mk_bin(N_LOGICAL, OP_LOR, $1, $2, $3)); }
	| logic ANDAND logic     { $$ = nest(P, mk_bin(N_LOGICAL, OP_LAND, $1, $2, $3)); }
	| logic '|' logic        { $$ = nest(P, mk_bin(N_BINARY, OP_BOR, $1, $2, $3)); }
	| logic '^' logic        { $$ = nest(P, mk_bin(N_BINARY, OP_BXOR, $1, $2, $3)); }
	| logic '&' logic        { $$ = nest(P, mk_bin(N_BINARY, OP_BAND, $1, $2, $3)); }
	;

/* k in arr   [k1, *, k3] in arr : the keys are comparison-level expressions */
in_expr:
	  cmp
	| cmp IN IDENT
		{ $$ = mk(N_IN, $2); $$->args = $1; $$->base = mk_symbol($3);
		  $$ = nest(P, $$); }
	| '[' in_keys ']' IN IDENT
		{ $$ = mk(N_IN, $4); $$->args = $2.head; $$->base = mk_symbol($5);
		  $$ = nest(P, $$); }
	;

in_keys:
	  in_key                 { $$ = nl1($1); }
	| in_keys ',' in_key     { $$ = nladd($1, $3); }
	;

in_key:
	  cmp
	| '*'                    { $$ = mk(N_STAR, $1); $$ = nest(P, $$); }
	;

/* a < b < c chains left; a regex match takes a shift-level operand and a literal and
 * can't be chained with comparisons (a == b =~ "x" is an error, as in SystemTap). */
cmp:
	  arith
	| cmp_chain
	| arith MATCH STRING
		{ $$ = nest(P, mk_bin(N_REGEX, OP_MATCH, $1, $2, mk_string($3))); }
	| arith NMATCH STRING
		{ $$ = nest(P, mk_bin(N_REGEX, OP_NMATCH, $1, $2, mk_string($3))); }
	;

cmp_chain:
	  arith cmp_op arith
		{ $$ = nest(P, mk_bin(N_BINARY, cmp_op_of($2), $1, $2, $3)); }
	| cmp_chain cmp_op arith
		{ $$ = nest(P, mk_bin(N_BINARY, cmp_op_of($2), $1, $2, $3)); }
	;

cmp_op: '<' | '>' | LE | GE | EQ | NE ;

arith:
	  unary
	| arith SHL arith        { $$ = nest(P, mk_bin(N_BINARY, OP_SHL, $1, $2, $3)); }
	| arith SHR arith        { $$ = nest(P, mk_bin(N_BINARY, OP_SHR, $1, $2, $3)); }
	| arith USHR arith       { $$ = nest(P, mk_bin(N_BINARY, OP_USHR, $1, $2, $3)); }
	| arith '.' arith        { $$ = nest(P, mk_bin(N_BINARY, OP_CONCAT, $1, $2, $3)); }
	| arith '+' arith        { $$ = nest(P, mk_bin(N_BINARY, OP_ADD, $1, $2, $3)); }
	| arith '-' arith        { $$ = nest(P, mk_bin(N_BINARY, OP_SUB, $1, $2, $3)); }
	| arith '*' arith        { $$ = nest(P, mk_bin(N_BINARY, OP_MUL, $1, $2, $3)); }
	| arith '/' arith        { $$ = nest(P, mk_bin(N_BINARY, OP_DIV, $1, $2, $3)); }
	| arith '%' arith        { $$ = nest(P, mk_bin(N_BINARY, OP_MOD, $1, $2, $3)); }
	;

/* -x +x !x ~x &x, nesting freely; -5 is unary minus applied to 5 */
unary:
	  crement
	| '-' unary              { $$ = nest(P, mk_unary(OP_NEG, $1, $2)); }
	| '+' unary              { $$ = nest(P, mk_unary(OP_PLUS, $1, $2)); }
	| '!' unary              { $$ = nest(P, mk_unary(OP_NOT, $1, $2)); }
	| '~' unary              { $$ = nest(P, mk_unary(OP_BNOT, $1, $2)); }
	| '&' unary              { $$ = nest(P, mk_unary(OP_ADDR, $1, $2)); }
	;

/* ++x --x x++ x-- ; the operand is a postfix value (so ++x++ is not one expression) */
crement:
	  postfix
	| INC postfix            { $$ = mk(N_INCDEC, $1); $$->op = OP_INC; $$->operand = $2;
		  $$ = nest(P, $$); }
	| DEC postfix            { $$ = mk(N_INCDEC, $1); $$->op = OP_DEC; $$->operand = $2;
		  $$ = nest(P, $$); }
	| postfix INC
		{ $$ = mk(N_INCDEC, $2); $$->op = OP_INC; $$->operand = $1; $$->is_postfix = 1;
		  $$ = nest(P, $$); }
	| postfix DEC
		{ $$ = mk(N_INCDEC, $2); $$->op = OP_DEC; $$->operand = $1; $$->is_postfix = 1;
		  $$ = nest(P, $$); }
	;

/* A value. A plain name is a variable; name[k1, k2] indexes an array (keys may be '*');
 * a histogram may be indexed by bucket. Any other value - and a name followed by '->' -
 * takes target components ->field and [index] and a pretty-printing '$'/'$$' suffix:
 * on $var, @var(...) and @cast(...) they extend that node, on anything else the value is
 * wrapped in an N_AUTOCAST. */
postfix:
	  IDENT                  { $$ = mk_symbol($1); }
	| hist
	| compable
	;

compable:
	  IDENT '[' keys ']'
		{ $$ = mk(N_INDEX, $1); $$->base = mk_symbol($1); $$->args = $3.head;
		  $$ = nest(P, $$); }
	| hist '[' expr ']'                 /* one bucket number */
		{ $$ = mk(N_INDEX, $2); $$->base = $1; $$->args = $3;
		  $$ = nest(P, $$); }
	| IDENT ARROW field_name
		{ int pretty = 0;
		  struct target_comp *c = mk_field($3, &pretty);
		  c->loc = $2->loc;
		  $$ = add_comp(P, mk_symbol($1), $2, c, pretty); $$ = nest(P, $$); }
	| atom
	| compable ARROW field_name
		{ int pretty = 0;
		  struct target_comp *c = mk_field($3, &pretty);
		  c->loc = $2->loc;
		  $$ = add_comp(P, $1, $2, c, pretty); $$ = nest(P, $$); }
	| compable '[' expr ']'
		{ $$ = add_comp(P, $1, $2, mk_index_comp($2, $3), 0); $$ = nest(P, $$); }
	| compable DOLLARS       { $$ = add_pretty(P, $1, $2); $$ = nest(P, $$); }
	;

/* After '->' any word is a field name, keywords included ($p->next). */
field_name: pp_word | IF ;

keys:
	  key                    { $$ = nl1($1); }
	| keys ',' key           { $$ = nladd($1, $3); }
	;

key:
	  expr
	| '*'                    { $$ = mk(N_STAR, $1); $$ = nest(P, $$); }
	;

atom:
	  NUMBER                 { $$ = mk_number($1, 0); }
	| STRING                 { $$ = mk_string($1); }
	| '(' expr ')'           { $$ = $2; }
	| TARGET                 { $$ = mk_target(P, $1); }
	| DOLLARS                { $$ = mk_target(P, $1); }
	| EMBEDDED               { $$ = mk(N_EMBED_EXPR, $1); $$->text = $1->text;
		  $$ = nest(P, $$); }
	| call
	| print_call
	| at_expr
	;

call:
	  IDENT '(' ')'          { $$ = mk(N_CALL, $1); $$->name = $1->text;
		  $$ = nest(P, $$); }
	| IDENT '(' args ')'     { $$ = mk(N_CALL, $1); $$->name = $1->text; $$->args = $3.head;
		  $$ = nest(P, $$); }
	;

args:
	  expr                   { $$ = nl1($1); }
	| args ',' expr          { $$ = nladd($1, $3); }
	;

/* print(a, ...) at least one value; println() may be empty; printf("fmt", ...) needs a
 * literal format; printd("delim", a, b, ...) a literal delimiter and two values. */
print_call:
	  PRINT '(' args ')'
		{ $$ = mk(N_PRINT, $1); $$->name = $1->text; $$->args = $3.head;
		  $$ = nest(P, $$); }
	| PRINTLN '(' ')'        { $$ = mk(N_PRINT, $1); $$->name = $1->text;
		  $$ = nest(P, $$); }
	| PRINTLN '(' args ')'
		{ $$ = mk(N_PRINT, $1); $$->name = $1->text; $$->args = $3.head;
		  $$ = nest(P, $$); }
	| PRINTF '(' STRING ')'
		{ $$ = mk(N_PRINT, $1); $$->name = $1->text; $$->args = mk_string($3);
		  fmt_check_token(P, $3, $4); $$ = nest(P, $$); }
	| PRINTF '(' STRING ',' args ')'
		{ $$ = mk(N_PRINT, $1); $$->name = $1->text; $$->args = mk_string($3);
		  fmt_check_token(P, $3, $4); $$->args->next = $5.head; $$ = nest(P, $$); }
	| PRINTD '(' STRING printd_sep expr printd_sep args ')'
		{ $$ = mk(N_PRINT, $1); $$->name = $1->text; $$->args = mk_string($3);
		  $$->args->next = $5; $5->next = $7.head; $$ = nest(P, $$); }
	;

/* Before each of printd's two required values SystemTap takes a ')' for a ',', so
 * printd(",", 1) fails at the token after the ')' (and printd(",", 1) 2) is a call). */
printd_sep: ',' | ')' ;

at_expr:
	  AT_VAR '(' STRING ')'
		{ $$ = mk(N_TARGET, $1); $$->name = $3->str; $$->flags = TF_AT_VAR;
		  $$ = nest(P, $$); }
	| AT_VAR '(' STRING ',' STRING ')'
		{ $$ = mk(N_TARGET, $1); $$->name = $3->str; $$->module = $5->str;
		  $$->flags = TF_AT_VAR; $$ = nest(P, $$); }
	| AT_CAST '(' expr ',' STRING ')'
		{ $$ = mk(N_CAST, $1); $$->operand = $3; $$->str = $5->str; $$->len = $5->len;
		  $$ = nest(P, $$); }
	| AT_CAST '(' expr ',' STRING ',' STRING ')'
		{ $$ = mk(N_CAST, $1); $$->operand = $3; $$->str = $5->str; $$->len = $5->len;
		  $$->module = $7->str; $$ = nest(P, $$); }
	| AT_STAT '(' expr ')'
		{ $$ = mk(N_STAT, $1); $$->name = $1->text + 1; $$->operand = $3;
		  $$ = nest(P, $$); }
	| AT_VARIANCE '(' expr ')'
		{ $$ = mk(N_STAT, $1); $$->name = $1->text + 1; $$->operand = $3;
		  $$ = nest(P, $$); }
	| AT_VARIANCE '(' expr ',' signed_number ')'
		{ $$ = mk(N_STAT, $1); $$->name = $1->text + 1; $$->operand = $3;
		  $$->args = $5; $$ = nest(P, $$); }
	| AT_EXPR1 '(' expr ')'
		{ $$ = mk(N_ATOP, $1); $$->name = $1->text + 1; $$->args = $3;
		  $$ = nest(P, $$); }
	| AT_NUM1 '(' signed_number ')'
		{ $$ = mk(N_ATOP, $1); $$->name = $1->text + 1; $$->args = $3;
		  $$ = nest(P, $$); }
	| AT_STR1 '(' STRING ')'
		{ $$ = mk(N_ATOP, $1); $$->name = $1->text + 1; $$->args = mk_string($3);
		  $$ = nest(P, $$); }
	| AT_DEREF '(' signed_number ',' expr ')'
		{ $$ = mk(N_ATOP, $1); $$->name = $1->text + 1; $$->args = $3; $3->next = $5;
		  $$ = nest(P, $$); }
	| AT_PROBEWRITE '(' IDENT ')'
		{ $$ = mk(N_ATOP, $1); $$->name = $1->text + 1; $$->args = mk_symbol($3);
		  $$ = nest(P, $$); }
	| AT_PROBEWRITE '(' TARGET ')'
		{ $$ = mk(N_ATOP, $1); $$->name = $1->text + 1; $$->args = mk_target(P, $3);
		  $$ = nest(P, $$); }
	| AT_ENUM '(' args ')'
		{ $$ = mk(N_ATOP, $1); $$->name = $1->text + 1; $$->args = $3.head;
		  $$ = nest(P, $$); }
	;

/* @hist_linear(s, lo, hi, step) with literal bounds; @hist_log(s) */
hist:
	  AT_HIST_LINEAR '(' expr ',' signed_number ',' signed_number ',' signed_number ')'
		{ $$ = mk(N_HIST, $1); $$->name = $1->text + 1; $$->operand = $3;
		  $$->args = $5; $5->next = $7; $7->next = $9; $$ = nest(P, $$); }
	| AT_HIST_LOG '(' expr ')'
		{ $$ = mk(N_HIST, $1); $$->name = $1->text + 1; $$->operand = $3;
		  $$ = nest(P, $$); }
	;

%%

/* ------------------------------------------------------------------------------------ */
/* Node construction                                                                    */

static struct node *mk(enum node_kind k, const struct token *t)
{
	struct node *n = node_new(k, t ? &t->loc : NULL);

	if (t)
		n->tok_desc = token_desc(t);
	return n;
}

static struct node *mk_bin(enum node_kind k, enum op op, struct node *l, const struct token *t,
			   struct node *r)
{
	struct node *n = mk(k, t);

	n->op = op;
	n->lhs = l;
	n->rhs = r;
	return n;
}

static struct node *mk_unary(enum op op, const struct token *t, struct node *e)
{
	struct node *n = mk(N_UNARY, t);

	n->op = op;
	n->operand = e;
	return n;
}

static struct node *mk_number(const struct token *t, int negate)
{
	struct node *n = mk(N_NUMBER, t);

	n->num = negate ? (int64_t)(0 - (uint64_t)t->num) : t->num;
	return n;
}

static struct node *mk_string(const struct token *t)
{
	struct node *n = mk(N_STRING, t);

	n->str = t->str;
	n->len = t->len;
	n->text = (t->flags & TKF_FROM_ARG) ? NULL : t->text;   /* as written, for printf */
	return n;
}

static struct node *mk_symbol(const struct token *t)
{
	struct node *n = mk(N_SYMBOL, t);

	n->name = t->text;
	return n;
}

/* $var, $var$, $var$$, $$vars, $$parms$, $ ... : the name keeps its leading '$'s, a run of
 * trailing '$'s (after some other character) is the pretty-printing suffix. */
static struct node *mk_target(struct parser *P, const struct token *t)
{
	struct node *n = mk(N_TARGET, t);
	size_t len = t->text_len, dollars = 0;

	(void)P;
	while (dollars < len && t->text[len - 1 - dollars] == '$')
		dollars++;
	if (dollars && dollars < len) {
		n->name = arena_strndup(g_arena, t->text, len - dollars);
		n->flags = dollars == 1 ? TF_PRETTY : TF_PRETTY_DEEP;
	} else {
		n->name = t->text;
	}
	return n;
}

static struct target_comp *mk_field(const struct token *t, int *pretty)
{
	struct target_comp *c = NEW(struct target_comp);
	size_t len = t->text_len, dollars = 0;

	while (dollars < len && t->text[len - 1 - dollars] == '$')
		dollars++;
	c->kind = C_ARROW;
	c->name = dollars ? arena_strndup(g_arena, t->text, len - dollars) : t->text;
	*pretty = dollars == 0 ? 0 : dollars == 1 ? TF_PRETTY : TF_PRETTY_DEEP;
	return c;
}

static struct target_comp *mk_index_comp(const struct token *t, struct node *e)
{
	struct target_comp *c = NEW(struct target_comp);

	c->kind = C_INDEX;
	c->index = e;
	c->loc = t->loc;
	return c;
}

static int takes_comps(const struct node *n)
{
	return n->kind == N_TARGET || n->kind == N_CAST || n->kind == N_AUTOCAST;
}

static struct node *add_comp(struct parser *P, struct node *base, const struct token *t,
			     struct target_comp *c, int pretty)
{
	if (!takes_comps(base)) {
		struct node *a = node_new(N_AUTOCAST, &base->loc);

		a->tok_desc = base->tok_desc;
		a->operand = base;
		base = a;
	}
	if (base->flags & (TF_PRETTY | TF_PRETTY_DEEP))
		perr(P, t, "-> and [ are not accepted for a pretty-printing variable");
	struct target_comp **pc = &base->comps;
	while (*pc)
		pc = &(*pc)->next;
	*pc = c;
	base->flags |= pretty;
	return base;
}

static struct node *add_pretty(struct parser *P, struct node *base, const struct token *t)
{
	if (!takes_comps(base)) {
		struct node *a = node_new(N_AUTOCAST, &base->loc);

		a->tok_desc = base->tok_desc;
		a->operand = base;
		base = a;
	}
	if (base->flags & (TF_PRETTY | TF_PRETTY_DEEP))
		perr(P, t, "-> and [ are not accepted for a pretty-printing variable");
	base->flags |= t->text_len == 1 ? TF_PRETTY : TF_PRETTY_DEEP;
	return base;
}

static struct nlist nl1(struct node *n)
{
	struct nlist l = { n, n };

	return l;
}

static struct nlist nladd(struct nlist l, struct node *n)
{
	if (!l.head)
		return nl1(n);
	l.tail->next = n;
	l.tail = n;
	return l;
}

/* A printf format is checked as it is parsed; SystemTap reports a bad one at the token
 * after it. */
static void fmt_check_token(struct parser *P, const struct token *fmt, const struct token *next)
{
	const char *err;

	if (!fmt_parse(fmt->str, fmt->len, (fmt->flags & TKF_FROM_ARG) ? NULL : fmt->text, &err) &&
	    err)
		perr(P, next, "%s", err);
}

static void perr(struct parser *P, const struct token *t, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	(void)P;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag_parse_error(&t->loc, token_desc(t), "%s", msg);
}

/* Joins the parts of a wildcard component name; they must touch (no space between). */
static struct token *pp_name_join(struct parser *P, struct token *a, struct token *b)
{
	if (b->loc.line != a->end_line || b->loc.col != a->end_col)
		perr(P, b, "expected one of ', { } = +='");     /* SystemTap's words */
	struct token *j = NEW(struct token);

	*j = *a;
	j->text = arena_printf(g_arena, "%s%s", a->text, b->text);
	j->text_len = a->text_len + b->text_len;
	j->end_line = b->end_line;
	j->end_col = b->end_col;
	return j;
}

static struct node *mk_probe_point(struct plist comps, struct token *mark, struct node *cond)
{
	struct node *n = node_new(N_PROBE_POINT, &comps.head->loc);

	n->tok_desc = arena_printf(g_arena, "identifier '%s'", comps.head->name);
	n->pp = comps.head;
	if (mark && *mark->text == '?')
		n->optional = 1;
	if (mark && *mark->text == '!')
		n->optional = n->sufficient = 1;
	n->cond = cond;
	/* begin(N) / end(N) / error(N): the priority */
	if (!comps.head->next && comps.head->arg && comps.head->arg->kind == N_NUMBER &&
	    (!strcmp(comps.head->name, "begin") || !strcmp(comps.head->name, "end") ||
	     !strcmp(comps.head->name, "error")))
		n->priority = (int)comps.head->arg->num;
	return n;
}

static struct fe_vars *fe_new(void)
{
	return NEW(struct fe_vars);
}

static void fe_add_key(struct parser *P, struct fe_vars *fe, struct token *id,
		       struct token *sort)
{
	fe->keys = nladd(fe->keys, mk_symbol(id));
	fe->nkeys++;
	if (!sort)
		return;
	if (fe->sort_tok) {
		perr(P, sort, "multiple sort directives");
		return;
	}
	fe->sort_tok = sort;
	fe->sort_key = fe->nkeys;
	fe->sort_dir = *sort->text == '-' ? -1 : 1;
}

static int fn_flags(const char *text)
{
	static const struct { const char *pragma; int flag; } pragmas[] = {
		{ "/* pure */", FF_PURE },
		{ "/* unprivileged */", FF_UNPRIVILEGED },
		{ "/* myproc-unprivileged */", FF_MYPROC_UNPRIVILEGED },
		{ "/* guru */", FF_GURU },
		{ "/* stable */", FF_STABLE },
		{ "/* unmodified-fnargs */", FF_UNMODIFIED_FNARGS },
	};
	int flags = 0;

	for (size_t i = 0; i < sizeof(pragmas) / sizeof(pragmas[0]); i++)
		if (strstr(text, pragmas[i].pragma))
			flags |= pragmas[i].flag;
	return flags;
}

static enum op assign_op(const struct token *t)
{
	switch (t->type) {
	case '=': return OP_ASSIGN;
	case ADD_ASSIGN: return OP_ADD;
	case SUB_ASSIGN: return OP_SUB;
	case MUL_ASSIGN: return OP_MUL;
	case DIV_ASSIGN: return OP_DIV;
	case MOD_ASSIGN: return OP_MOD;
	case SHL_ASSIGN: return OP_SHL;
	case SHR_ASSIGN: return OP_SHR;
	case AND_ASSIGN: return OP_BAND;
	case XOR_ASSIGN: return OP_BXOR;
	case OR_ASSIGN: return OP_BOR;
	case CONCAT_ASSIGN: return OP_CONCAT;
	default: return OP_STATS_ADD;
	}
}

#define MAX_EXPR_DEPTH 1000

static int child_depth(const struct node *n)
{
	return n ? n->depth : 0;
}

/* Sets n->depth from its operands; an expression nested more than MAX_EXPR_DEPTH deep is
 * an error (it would exhaust the stack of the passes that recurse over expressions). */
static struct node *nest(struct parser *P, struct node *n)
{
	int d = 0;

	(void)P;
	d = child_depth(n->lhs);
	if (child_depth(n->rhs) > d) d = child_depth(n->rhs);
	if (child_depth(n->operand) > d) d = child_depth(n->operand);
	if (child_depth(n->cond) > d) d = child_depth(n->cond);
	if (child_depth(n->base) > d) d = child_depth(n->base);
	for (const struct node *a = n->args; a; a = a->next)
		if (a->depth > d)
			d = a->depth;
	for (const struct target_comp *c = n->comps; c; c = c->next)
		if (c->index && c->index->depth > d)
			d = c->index->depth;
	n->depth = d + 1;
	if (n->depth == MAX_EXPR_DEPTH + 1)
		diag_parse_error(&n->loc, n->tok_desc, "expression too deeply nested");
	return n;
}

static enum op cmp_op_of(const struct token *t)
{
	switch (t->type) {
	case '<': return OP_LT;
	case '>': return OP_GT;
	case LE: return OP_LE;
	case GE: return OP_GE;
	case EQ: return OP_EQ;
	default: return OP_NE;
	}
}

/* ------------------------------------------------------------------------------------ */
/* Scanner interface and error messages                                                 */

/* An opening bracket after the token before it: 'p' the arguments of a print-family call,
 * 'c' of a function call (or declaration), 'i' an array index, 'g' anything else. */
static char bracket_kind(int open, const struct token *prev)
{
	int p = prev ? prev->type : 0;

	if (open == '[')
		return p == IDENT ? 'i' : 'g';
	return p >= PRINT && p <= PRINTD ? 'p' : p == IDENT ? 'c' : 'g';
}

static int yylex(YYSTYPE *lval, YYLTYPE *lloc, struct parser *P)
{
	struct token *t = pp_next(P->pp);

	if (t->type == '(' || t->type == '[') {
		if (P->nopen < (int)sizeof(P->open))
			P->open[P->nopen] = bracket_kind(t->type, P->last);
		P->nopen++;
	} else if ((t->type == ')' || t->type == ']') && P->nopen > 0) {
		P->nopen--;
	}
	P->last = t;
	lval->tok = t;
	lloc->first_line = lloc->last_line = t->loc.line;
	lloc->first_column = t->loc.col;
	lloc->last_column = t->end_col;
	return t->type;
}

/* Only called when bison's stack is exhausted ("memory exhausted"). */
static void yyerror(YYLTYPE *loc, struct parser *P, const char *msg)
{
	(void)loc;
	if (strcmp(msg, "memory exhausted") == 0)
		msg = "nested too deeply (parser stack exhausted)";
	diag_parse_error(P->last ? &P->last->loc : NULL, P->last ? token_desc(P->last) : NULL,
			 "%s", msg);
}

/* The name of a token kind in "expected ..." lists: 'x' for punctuation, operators and
 * keywords, a description for the others ("identifier", "number"). */
static const char *sym_name(yysymbol_kind_t sym)
{
	const char *name = yysymbol_name(sym);

	if (name[0] == '\'' || sym == YYSYMBOL_DOLLARS)
		return name;                        /* char literals are quoted already */
	if ((sym >= YYSYMBOL_PROBE && sym <= YYSYMBOL_PRINTD) ||
	    (sym >= YYSYMBOL_AT_CAST && sym <= YYSYMBOL_AT_ENUM) ||
	    (sym >= YYSYMBOL_AT_DEFINE && sym <= YYSYMBOL_PP_END) ||
	    (sym >= YYSYMBOL_SHL && sym <= YYSYMBOL_CONCAT_ASSIGN))
		return arena_printf(g_arena, "'%s'", name);
	return name;
}

const char *token_kind_name(int kind)
{
	return sym_name(YYTRANSLATE(kind));
}

static int is_keyword_sym(yysymbol_kind_t s)
{
	return s >= YYSYMBOL_PROBE && s <= YYSYMBOL_PRINTD;
}

/* Tokens that only continue an expression (binary operators and postfix forms). */
static int is_continuation_sym(yysymbol_kind_t s)
{
	const char *name = yysymbol_name(s);

	if (s >= YYSYMBOL_SHL && s <= YYSYMBOL_CONCAT_ASSIGN)
		return 1;
	if (s == YYSYMBOL_IN || s == YYSYMBOL_DOLLARS)
		return 1;
	return strlen(name) == 3 && name[0] == '\'' && strchr("([.*+-/%<>&|^=?!~", name[1]);
}

/* SystemTap-style wording for what bison expected:
 *   where a statement may start: "expected statement" at a token no expression starts
 *     with (no_expr: a keyword, the end, a junk byte) or "expected literal string or
 *     number" (at anything else, as an expression failed);
 *   where an expression must start: "expected literal string or number";
 *   in a probe point name: "expected identifier or '*' or '{'"; after '->': "expected
 *     identifier or keyword"; after a whole probe point: "expected one of ', { } = +='";
 *   at the top level: "expected 'probe', 'global', 'private', 'function', or '%{'";
 *   otherwise the list of tokens, leaving out operators that would merely continue an
 *     expression and the keywords that could continue a probe point name. */
static const char *expected_message(int no_expr, const yysymbol_kind_t *exp, int n)
{
	int has_while = 0, has_number = 0, has_string = 0, has_ident = 0, has_probe = 0;
	int has_star = 0, has_ops = 0, nkeywords = 0, only_names = 1, has_comma = 0, has_brace = 0;

	for (int i = 0; i < n; i++) {
		has_while |= exp[i] == YYSYMBOL_WHILE;
		has_number |= exp[i] == YYSYMBOL_NUMBER;
		has_string |= exp[i] == YYSYMBOL_STRING;
		has_ident |= exp[i] == YYSYMBOL_IDENT;
		has_probe |= exp[i] == YYSYMBOL_PROBE;
		has_ops += exp[i] >= YYSYMBOL_SHL && exp[i] <= YYSYMBOL_CONCAT_ASSIGN;
		int star = !strcmp(yysymbol_name(exp[i]), "'*'");
		has_comma |= !strcmp(yysymbol_name(exp[i]), "','");
		has_brace |= !strcmp(yysymbol_name(exp[i]), "'{'");
		has_star |= star;
		nkeywords += is_keyword_sym(exp[i]);
		if (!star && !is_keyword_sym(exp[i]) && exp[i] != YYSYMBOL_IDENT)
			only_names = 0;
	}
	int names_ctx = has_ident && nkeywords >= 8 && !has_number;

	if (has_while && has_number)
		return no_expr ? "expected statement" : "expected literal string or number";
	if (has_number && has_string)
		return "expected literal string or number";
	if (has_probe && nkeywords < 8)
		return "expected 'probe', 'global', 'private', 'function', or '%{'";
	/* Probe points, in the words of SystemTap's own probe-point parser: a component name
	 * is missing, or something other than a separator follows a whole point (only
	 * there may both ',' and '{' come next). */
	if (names_ctx && only_names)
		return has_star ? "expected identifier or '*' or '{'" : "expected identifier or keyword";
	if (has_comma && has_brace && !has_number)
		return "expected one of ', { } = +='";
	if (n == 2 && !strcmp(yysymbol_name(exp[0]), "'+'") && !strcmp(yysymbol_name(exp[1]), "'-'"))
		return "expected sort directive";      /* foreach (k in s @sum ...) */

	const char *names[YYNTOKENS];
	int k = 0;
	for (int pass = 0; pass < 2 && k == 0; pass++) {
		for (int i = 0; i < n; i++) {
			if (pass == 0 && ((has_ops >= 3 && is_continuation_sym(exp[i])) ||
					  (names_ctx && (is_keyword_sym(exp[i]) ||
							 exp[i] == YYSYMBOL_IDENT))))
				continue;
			names[k++] = sym_name(exp[i]);
		}
	}
	if (k == 0)
		return "syntax error";
	if (k == 1)
		return arena_printf(g_arena, "expected %s", names[0]);
	if (k == 2)
		return arena_printf(g_arena, "expected %s or %s", names[0], names[1]);
	size_t cap = 32;
	for (int i = 0; i < k; i++)
		cap += strlen(names[i]) + 4;
	char *buf = arena_alloc(g_arena, cap);
	strcpy(buf, "expected one of ");
	for (int i = 0; i < k; i++) {
		strcat(buf, names[i]);
		strcat(buf, i + 2 < k ? ", " : i + 1 < k ? " or " : "");
	}
	return buf;
}

/* Inside a bracketed list SystemTap words the message after the list: "expected one of
 * ', )'" in print arguments, "') ,'" in call arguments, "'] ,'" in an index; the lists of
 * parameters and of foreach keys say just "expected ',' or ')'" (or ']'). */
static const char *list_message(const struct parser *P, const char *msg)
{
	int top = P->nopen - 1;

	if (P->last->type == '(' || P->last->type == '[')
		top--;                              /* the bracket in error is not open yet */
	char kind = top >= 0 && top < (int)sizeof(P->open) ? P->open[top] : 'g';

	if (P->last->type == 0)
		return msg;                         /* at the end of the file */

	if (!strcmp(msg, "expected ',' or ')'") && kind == 'p')
		return "expected one of ', )'";
	if (!strcmp(msg, "expected ',' or ')'") && kind == 'c')
		return "expected one of ') ,'";
	if (!strcmp(msg, "expected ',' or ']'") && kind == 'i')
		return "expected one of '] ,'";
	if (!strcmp(msg, "expected one of ',', ':' or ')'"))
		return "expected ',' or ')'";       /* function f(a b) */
	if (!strcmp(msg, "expected one of ',', ']', '+' or '-'"))
		return "expected ',' or ']'";       /* foreach ([a b] in x) */
	return msg;
}

static int yyreport_syntax_error(const yypcontext_t *ctx, struct parser *P)
{
	struct token *t = P->last;
	yysymbol_kind_t look = yypcontext_token(ctx);
	yysymbol_kind_t exp[YYNTOKENS];

	if (!t || look == YYSYMBOL_LEXERR)
		return 0;                           /* already reported by the token layer */
	if (look == YYSYMBOL_AT_IDENT) {
		diag_parse_error(&t->loc, token_desc(t), "unknown operator %s", t->text);
		return 0;
	}
	/* A stray character gets what was expected there, as in SystemTap: a byte no token
	 * starts with (junk, unlike an operator character such as '`') starts no expression. */
	int no_expr = look == YYSYMBOL_YYEOF || is_keyword_sym(look) ||
		      (look == YYSYMBOL_JUNK && !strncmp(token_desc(t), "junk", 4));
	int n = yypcontext_expected_tokens(ctx, exp, YYNTOKENS);
	diag_parse_error(&t->loc, token_desc(t), "%s",
			 list_message(P, expected_message(no_expr, exp, n < 0 ? 0 : n)));
	return 0;
}

/* ------------------------------------------------------------------------------------ */

struct script *parse_script(struct session *s, const struct source_file *f)
{
	struct parser P = { .s = s, .file = f };
	struct script *sc = NEW(struct script);

	sc->file = f;
	P.pp = pp_new(s, f);
	yyparse(&P);
	pp_free(P.pp);
	sc->decls = P.decls.head;
	fmt_check_hist_uses(sc->decls);
	return sc;
}
