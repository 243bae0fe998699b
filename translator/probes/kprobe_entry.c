/* kprobe_entry.c - values a return probe takes at the function's entry:
 *   @entry(EXPR)             in any .return probe (kernel.function, module(...).function,
 *                            kprobe.function): EXPR evaluated when the function is called
 *   $var, $var->a[2], &$var  in a DWARF .return probe: the values at entry, and so are
 *   $$parms, $$vars, $var$   the strings that list them (only $return, $$return and
 *                            @cast(...) are read at the return)
 *
 * Each such value gets a slot in the kretprobe instance's data area, which the kernel
 * keeps for one call: the return probe's entry part (a kretprobe entry_handler, emitted
 * here as stp_entry_N) evaluates the expressions into the slots, and the return handler
 * reads them back through c->probe_data. Slot layout: one s64 "entry part completed"
 * flag, then 8 bytes per number and MAXSTRINGLEN per string, in order of first use;
 * equal expressions share a slot. The C text of EXPR is generated in the return probe's
 * own frame (its temporaries), and the entry part runs with that frame, its registers
 * and the globals EXPR reads locked.
 */
#include "kprobe.h"
#include "../arena.h"
#include "../ast_walk.h"
#include "../translate.h"

#include <string.h>

#define A(...) arena_printf(g_arena, __VA_ARGS__)

struct entry_slot {
	const char *text;          /* C text of the value, evaluated at entry */
	int is_string;
	const char *offset;        /* C expression: byte offset in the data area */
	struct entry_slot *next;
};

struct kprobe_entry {
	struct entry_slot *slots, **tail;
	int nlong, nstr;
	struct node *exprs;        /* for the lock scan: the expressions, chained */
};

static int in_entry;           /* generating/typing an expression evaluated at entry */

int kprobe_in_entry(void)
{
	return in_entry;
}

static int is_entry_op(const struct node *n)
{
	return n->kind == N_ATOP && !strcmp(n->name, "entry");
}

/* $var... of a DWARF return probe, outside @entry: saved at entry implicitly. */
static int is_implicit(const struct probe_info *pi, const struct node *n)
{
	const struct kprobe_data *d = pi->family_data;

	if (in_entry || !d || !d->is_return || !d->dw)
		return 0;
	if (n->kind == N_UNARY && n->op == OP_ADDR)
		n = n->operand;
	/* $return (and $$return) are the return's; $$parms, $$vars, $$locals, $var$ are
	 * values of the entry like the variables they list */
	return n->kind == N_TARGET && strcmp(n->name, "$return") != 0 &&
	       strncmp(n->name, "$$return", 8) != 0;
}

/* A local variable in EXPR: meaningless at entry (the handler has not run yet). */
static void find_local(struct node *n, void *arg)
{
	struct node **found = arg;

	if (*found)
		return;
	if (n->kind == N_SYMBOL && n->sym && n->sym->scope != SYM_GLOBAL) {
		*found = n;
		return;
	}
	node_visit_children(n, find_local, arg);
}

/* $return inside @entry(...): there is no return value yet. */
static int is_entry_return(const struct node *n)
{
	if (!in_entry || n->kind != N_TARGET || strcmp(n->name, "$return") != 0)
		return 0;
	diag_semantic_error(&n->loc, n->tok_desc,
			    "$return is not available in @entry: the function has not returned");
	return 1;
}

static int check_entry_op(const struct probe_info *pi, struct node *n)
{
	const struct kprobe_data *d = pi->family_data;
	struct node *local = NULL;

	if (!d || !d->is_return || in_entry) {
		diag_semantic_error(&n->loc, n->tok_desc,
				    in_entry ? "@entry cannot be nested"
					     : "@entry is only valid in .return probes");
		return -1;
	}
	if (!n->args) {
		diag_semantic_error(&n->loc, n->tok_desc, "@entry needs an expression");
		return -1;
	}
	find_local(n->args, &local);
	if (local) {
		diag_semantic_error(&local->loc, local->tok_desc,
				    "@entry cannot use local variable '%s': it is evaluated "
				    "when the function is called, before the handler runs",
				    local->name);
		return -1;
	}
	return 0;
}

static int is_target_expr(const struct node *n)
{
	if (n->kind == N_UNARY && n->op == OP_ADDR)
		n = n->operand;
	return n->kind == N_TARGET || n->kind == N_CAST || n->kind == N_AUTOCAST;
}

int kprobe_entry_type(struct session *s, const struct probe_info *pi, struct node *n,
		      enum stap_type *type)
{
	if (is_entry_return(n)) {
		*type = T_UNKNOWN;
		return 1;
	}
	if (!is_entry_op(n))
		return 0;
	if (check_entry_op(pi, n) != 0) {
		*type = T_UNKNOWN;
		return 1;
	}
	if (is_target_expr(n->args) && pi->family->target_type) {
		in_entry++;
		*type = pi->family->target_type(s, pi, n->args);
		in_entry--;
	} else {
		*type = n->args->type;
	}
	return 1;
}

/* The slot for TEXT (a new one unless an equal expression has one). */
static struct entry_slot *slot_for(struct kprobe_data *d, const char *text, int is_string,
				   struct node *expr)
{
	struct kprobe_entry *en = d->entry;

	if (!en) {
		en = d->entry = NEW(struct kprobe_entry);
		en->tail = &en->slots;
	}
	for (struct entry_slot *s = en->slots; s; s = s->next)
		if (s->is_string == is_string && !strcmp(s->text, text))
			return s;
	struct entry_slot *s = NEW(struct entry_slot);
	s->text = text;
	s->is_string = is_string;
	s->offset = A("(8 + 8 * %d + MAXSTRINGLEN * %d)", en->nlong, en->nstr);
	if (is_string)
		en->nstr++;
	else
		en->nlong++;
	*en->tail = s;
	en->tail = &s->next;
	if (!en->exprs) {
		en->exprs = expr;
	} else {
		struct node *both = NEW(struct node);
		both->kind = N_LOGICAL;
		both->lhs = en->exprs;
		both->rhs = expr;
		en->exprs = both;
	}
	return s;
}

int kprobe_entry_gen(struct gen *g, const struct probe_info *pi, struct node *n,
		     const char **out)
{
	struct node *expr;

	if (is_entry_return(n)) {
		*out = NULL;
		return 1;
	}
	if (is_entry_op(n)) {
		if (check_entry_op(pi, n) != 0) {
			*out = NULL;
			return 1;
		}
		expr = n->args;
	} else if (is_implicit(pi, n)) {
		/* SystemTap's note: $p->x in a .return probe is the value at entry, not now
		 * (given here, where @entry(...) around it is known). */
		if ((n->kind == N_UNARY ? n->operand : n)->comps)
			diag_warning(&n->loc, n->tok_desc,
				     "confusing usage, value is captured as @entry(%s) in .return "
				     "probe [man stapprobes] RETURN PROBES", node_text(n));
		expr = n;
	} else {
		return 0;
	}
	int is_string = expr->type == T_STRING;
	in_entry++;
	const char *text = is_string ? gen_str(g, expr) : gen_long(g, expr);
	in_entry--;
	struct entry_slot *s = slot_for(pi->family_data, text, is_string, expr);
	if (is_string)
		*out = A("((const char *)((char *)c->base.probe_data + %s))", s->offset);
	else
		*out = A("(*(int64_t *)((char *)c->base.probe_data + %s))", s->offset);
	return 1;
}

/* The entry part of one return probe. */
static void emit_entry(struct emitter *e, struct program *p, struct probe_info *pi)
{
	struct kprobe_data *d = pi->family_data;
	struct gen g = { .prog = p, .e = e, .probe = pi };

	emit(e, "static void stp_entry_%d(struct stp_context *base)", pi->index);
	emit(e, "{");
	emit(e, "struct context *c = container_of(base, struct context, base);");
	emit(e, "struct frame_p%d *l = &c->frames[0].p%d;", pi->index, pi->index);
	emit(e, "char *saved = c->base.probe_data;");
	emit(e, "(void)l;");
	gen_lock_globals(&g, d->entry->exprs, NULL);
	for (struct entry_slot *s = d->entry->slots; s; s = s->next) {
		if (s->is_string)
			emit(e, "stp_strcpy(saved + %s, %s);", s->offset, s->text);
		else
			emit(e, "*(int64_t *)(saved + %s) = %s;", s->offset, s->text);
	}
	emit(e, "*(s64 *)saved = 1;");
	emit(e, "goto out;");
	emit(e, "out:");
	emit(e, ";");
	gen_unlock_globals(&g);
	emit(e, "}");
	emit(e, "static const struct stp_probe stp_entry_probe_%d = { %s, .handler = stp_entry_%d };",
	     pi->index, probe_names_init(pi), pi->index);
}

void kprobe_emit_entries(struct emitter *e, struct program *p)
{
	for (struct probe_info *pi = p->probes; pi; pi = pi->next) {
		const struct kprobe_data *d = pi->family_data;

		if (pi->family == &kprobe_family && d->entry)
			emit_entry(e, p, pi);
	}
}

const char *kprobe_entry_fields(const struct probe_info *pi)
{
	const struct kprobe_data *d = pi->family_data;

	if (!d->entry)
		return "";
	return A(" .entry_probe = &stp_entry_probe_%d, .data_size = 8 + 8 * %d + MAXSTRINGLEN * %d,",
		 pi->index, d->entry->nlong, d->entry->nstr);
}
