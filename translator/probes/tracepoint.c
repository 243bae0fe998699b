/* tracepoint.c - kernel tracepoints: kernel.trace("NAME"), NAME = "[SYSTEM:]EVENT".
 *
 * SYSTEM and EVENT are shell wildcards; without "SYSTEM:" the event name alone is matched,
 * in any system. pp() is kernel.trace("SYSTEM:EVENT"), as SystemTap prints it.
 *
 * What the target kernel has (vmlinux only, not modules), found at translation time:
 *
 *   the tracepoints   every function __traceiter_NAME in the kernel's DWARF. The kernel
 *                     defines one per tracepoint (DEFINE_TRACE_FN in linux/tracepoint.h)
 *                     with the prototype (void *__data, ARGS...), so its parameters after
 *                     __data are the tracepoint's arguments, with their names and types.
 *   the system        TRACE_SYSTEM of the header that declares the event. The kernel keeps
 *                     it in data only: the event's `struct trace_event_call event_NAME`
 *                     points (->class) at a `struct trace_event_class event_class_TEMPLATE`,
 *                     whose ->system points at `str__SYSTEM__trace_system_name`, a char
 *                     array holding the name. We follow these pointers in the vmlinux ELF
 *                     file itself (symbol table + section contents; vmlinux is linked at
 *                     fixed addresses, so the pointers are plain link-time addresses),
 *                     without hard-coding member offsets: the class pointer is the word of
 *                     event_NAME that holds the address of an event_class_* symbol, the
 *                     system pointer the word of that class that holds the address of a
 *                     str__*__trace_system_name symbol. Tracepoints without a trace event
 *                     (DECLARE_TRACE only, e.g. sched's pelt_cfs_tp) take the system of the
 *                     other tracepoints declared in the same header (the DWARF declaration
 *                     file of __traceiter_NAME), and failing that the header's base name.
 *
 * At run time (runtime/linux/tracepoints.c) each probe registers a callback on the
 * tracepoint found by name (for_each_kernel_tracepoint). The callback takes the data pointer
 * and NARGS unsigned longs - on x86_64 every tracepoint argument is an integer, pointer or
 * small struct passed in one register or stack slot - and publishes them to the handler as
 * an array (stp_tp_args_current()). Target variables read that array:
 *
 *   $name            the argument, cut to its type's size and sign-extended as its type says;
 *                    a char pointer is its address, as in SystemTap (kernel_string($name)
 *                    reads the string); so is a char array member ($p->comm)
 *   $name->a->b[2]   @cast(ARG, "POINTEE")->a->b[2] through the DWARF layer (dw_target_expr)
 *   &$name->a        its address
 *   $$parms, $$vars  "name=0x... name=0x..." (every argument %#llx, as SystemTap's %#p/%#x)
 *   $name$, $name$$  pretty-printed (dwarf_pretty.h): a pointer to a struct shows the struct,
 *   $$parms$ ...     numbers in decimal, char pointers as quoted strings
 *   @var("x[@f]")    a kernel global (dwarf_vars.c)
 *   $$name           the tracepoint's name
 *   @defined($...)   1 if the expression resolves for this tracepoint, else 0
 */
#include "probes.h"
#include "../arena.h"
#include "../dwarf.h"
#include "../translate.h"
#include "kprobe.h"
#include "dwarf_vars.h"

#include <fcntl.h>
#include <fnmatch.h>
#include <gelf.h>
#include <libelf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define A(...) arena_printf(g_arena, __VA_ARGS__)

/* Keep in step with runtime/linux/stp_tracepoints.h. */
#define TP_MAXARGS 12

extern const struct probe_family tracepoint_family;

struct tp_arg {
	const char *name;
	const char *type;               /* -L format: "struct sk_buff*", "enum x", "pte_t" */
	int classified;                 /* cls / cls_err filled */
	struct dw_expr cls;             /* what the DWARF layer makes of the bare argument */
	const char *cls_err;            /* ... or why it can't read it (e.g. a struct value) */
};

/* One tracepoint of the kernel; also the family data of its probes. */
struct tp_info {
	const char *name;               /* "kfree_skb" */
	const char *system;             /* "skb", or NULL until found */
	const char *header;             /* declaration file of __traceiter_NAME */
	uint64_t die, pc;               /* __traceiter_NAME: scope and entry of its parameters */
	int args_loaded;
	int nargs;
	struct tp_arg *args;
};

static struct {
	int loaded, failed;
	struct dw_ctx *dw;
	struct tp_info *tps;            /* sorted by name */
	int n;
} cat;

#define ITER_PREFIX "__traceiter_"

/* ---- the system names, from the vmlinux ELF file ---- */

struct esym {
	uint64_t addr, size;
	const char *name;
};

struct elf_view {
	Elf *elf;
	const char *raw;                /* the mapped file */
	size_t rawsize;
	struct { uint64_t addr, size, off; } *secs;
	size_t nsecs;
};

/* The file bytes at a link-time address (len of them in one PROGBITS section), or NULL. */
static const char *elf_at(const struct elf_view *v, uint64_t addr, uint64_t len)
{
	for (size_t i = 0; i < v->nsecs; i++)
		if (addr >= v->secs[i].addr && addr - v->secs[i].addr + len <= v->secs[i].size &&
		    v->secs[i].off + (addr - v->secs[i].addr) + len <= v->rawsize)
			return v->raw + v->secs[i].off + (addr - v->secs[i].addr);
	return NULL;
}

static int esym_by_addr(const void *a, const void *b)
{
	const struct esym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static const struct esym *find_addr(const struct esym *v, size_t n, uint64_t addr)
{
	struct esym key = { .addr = addr };

	return n ? bsearch(&key, v, n, sizeof(*v), esym_by_addr) : NULL;
}

static int tp_by_name(const void *a, const void *b)
{
	return strcmp(((const struct tp_info *)a)->name, ((const struct tp_info *)b)->name);
}

static struct tp_info *find_tp(const char *name)
{
	struct tp_info key = { .name = name };

	return cat.n ? bsearch(&key, cat.tps, cat.n, sizeof(*cat.tps), tp_by_name) : NULL;
}

/* The first 8-byte word of [addr, addr+size) whose value is the address of a symbol in
 * targets, or NULL. */
static const struct esym *points_to(const struct elf_view *v, uint64_t addr, uint64_t size,
				    const struct esym *targets, size_t ntargets)
{
	if (size > 4096)
		size = 4096;
	const char *p = elf_at(v, addr, size);

	if (!p)
		return NULL;
	for (uint64_t off = 0; off + 8 <= size; off += 8) {
		uint64_t w;

		memcpy(&w, p + off, 8);
		const struct esym *t = find_addr(targets, ntargets, w);
		if (t)
			return t;
	}
	return NULL;
}

static void push(struct esym **v, size_t *n, size_t *cap, struct esym e)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 256;
		*v = realloc(*v, *cap * sizeof(**v));
	}
	(*v)[(*n)++] = e;
}

/* Fills cat.tps[].system through event_NAME -> event_class_* -> str__*__trace_system_name. */
static void systems_from_elf(const char *path)
{
	struct elf_view v = { 0 };
	struct esym *classes = NULL, *strs = NULL, *events = NULL;
	size_t ncl = 0, ccl = 0, nst = 0, cst = 0, nev = 0, cev = 0;
	int fd = open(path, O_RDONLY);
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (fd < 0)
		return;
	elf_version(EV_CURRENT);
	v.elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!v.elf || elf_getshdrstrndx(v.elf, &shstrndx) != 0)
		goto done;
	v.raw = elf_rawfile(v.elf, &v.rawsize);
	if (!v.raw)
		goto done;
	size_t nscn = 0;
	elf_getshdrnum(v.elf, &nscn);
	v.secs = calloc(nscn ? nscn : 1, sizeof(*v.secs));
	while ((scn = elf_nextscn(v.elf, scn))) {
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_PROGBITS && (sh.sh_flags & SHF_ALLOC) && sh.sh_addr) {
			v.secs[v.nsecs].addr = sh.sh_addr;
			v.secs[v.nsecs].size = sh.sh_size;
			v.secs[v.nsecs].off = sh.sh_offset;
			v.nsecs++;
		}
		if (sh.sh_type != SHT_SYMTAB)
			continue;
		Elf_Data *d = elf_getdata(scn, NULL);
		size_t nsyms = sh.sh_entsize ? sh.sh_size / sh.sh_entsize : 0;
		for (size_t i = 0; d && i < nsyms; i++) {
			GElf_Sym sym;
			const char *name;

			if (!gelf_getsym(d, (int)i, &sym) || GELF_ST_TYPE(sym.st_info) != STT_OBJECT ||
			    !(name = elf_strptr(v.elf, sh.sh_link, sym.st_name)))
				continue;
			struct esym e = { sym.st_value, sym.st_size, name };
			size_t len = strlen(name);
			static const char suffix[] = "__trace_system_name";
			if (!strncmp(name, "event_class_", 12))
				push(&classes, &ncl, &ccl, e);
			else if (!strncmp(name, "str__", 5) && len > 5 + sizeof(suffix) - 1 &&
				 !strcmp(name + len - (sizeof(suffix) - 1), suffix))
				push(&strs, &nst, &cst, e);
			else if (!strncmp(name, "event_", 6) && find_tp(name + 6))
				push(&events, &nev, &cev, e);
		}
	}
	if (ncl)
		qsort(classes, ncl, sizeof(*classes), esym_by_addr);
	if (nst)
		qsort(strs, nst, sizeof(*strs), esym_by_addr);
	for (size_t i = 0; i < nev; i++) {
		struct tp_info *tp = find_tp(events[i].name + 6);
		const struct esym *cl, *st;
		const char *text;

		if (!tp || tp->system)
			continue;
		cl = points_to(&v, events[i].addr, events[i].size ? events[i].size : 256, classes, ncl);
		st = cl ? points_to(&v, cl->addr, cl->size ? cl->size : 128, strs, nst) : NULL;
		text = st && st->size ? elf_at(&v, st->addr, st->size) : NULL;
		if (text && memchr(text, '\0', st->size) && text[0])
			tp->system = arena_strdup(g_arena, text);
	}
done:
	free(classes);
	free(strs);
	free(events);
	free(v.secs);
	if (v.elf)
		elf_end(v.elf);
	close(fd);
}

/* Tracepoints without an event: the system of their header's other tracepoints, else the
 * header's base name ("include/trace/events/sched.h" -> "sched"). */
static void systems_from_headers(void)
{
	for (int i = 0; i < cat.n; i++) {
		struct tp_info *tp = &cat.tps[i];

		if (tp->system)
			continue;
		for (int j = 0; j < cat.n && !tp->system; j++)
			if (cat.tps[j].system && tp->header && cat.tps[j].header &&
			    !strcmp(cat.tps[j].header, tp->header))
				tp->system = cat.tps[j].system;
	}
	for (int i = 0; i < cat.n; i++) {
		struct tp_info *tp = &cat.tps[i];

		if (tp->system)
			continue;
		const char *h = tp->header ? tp->header : "unknown";
		const char *base = strrchr(h, '/') ? strrchr(h, '/') + 1 : h;
		size_t len = strlen(base);
		if (len > 2 && !strcmp(base + len - 2, ".h"))
			len -= 2;
		tp->system = arena_strndup(g_arena, base, len);
	}
}

/* The kernel's tracepoints, loaded once. Returns 0, or -1 after reporting an error. */
static int load_catalog(struct session *s, const struct node *where)
{
	char *err = NULL;
	struct dw_func *funcs;

	if (cat.loaded)
		return cat.failed ? -1 : 0;
	cat.loaded = 1;
	cat.dw = kernel_dwarf(s, where);
	if (!cat.dw) {
		cat.failed = 1;
		return -1;
	}
	int n = dw_find_functions(cat.dw, ITER_PREFIX "*", DW_FIND_CALL, &funcs, &err);
	cat.tps = arena_alloc(g_arena, (size_t)(n > 0 ? n : 1) * sizeof(*cat.tps));
	for (int i = 0; i < n; i++) {
		const struct dw_func *f = &funcs[i];

		if (!f->has_code || f->is_init || strncmp(f->name, ITER_PREFIX, strlen(ITER_PREFIX)))
			continue;
		struct tp_info *tp = &cat.tps[cat.n];
		tp->name = arena_strdup(g_arena, f->name + strlen(ITER_PREFIX));
		tp->header = f->file ? arena_strdup(g_arena, f->file) : NULL;
		tp->die = f->die;
		tp->pc = f->entry_pc;
		cat.n++;
	}
	qsort(cat.tps, cat.n, sizeof(*cat.tps), tp_by_name);
	/* one per name (a copy per CU would be a second out-of-line instance) */
	int out = 0;
	for (int i = 0; i < cat.n; i++)
		if (!out || strcmp(cat.tps[out - 1].name, cat.tps[i].name))
			cat.tps[out++] = cat.tps[i];
	cat.n = out;
	systems_from_elf(dw_path(cat.dw));
	systems_from_headers();
	return 0;
}

static void load_args(struct tp_info *tp)
{
	struct dw_var *vars;
	int n, k = 0, seen_data = 0;

	if (tp->args_loaded)
		return;
	tp->args_loaded = 1;
	n = dw_list_vars(cat.dw, tp->die, tp->pc, &vars);
	tp->args = arena_alloc(g_arena, (size_t)(n > 0 ? n : 1) * sizeof(*tp->args));
	for (int i = 0; i < n; i++) {
		if (!vars[i].is_param || vars[i].block_depth != 0)
			continue;
		if (!seen_data) {               /* void *__data: the registration's data */
			seen_data = 1;
			continue;
		}
		tp->args[k].name = arena_strdup(g_arena, vars[i].name);
		tp->args[k].type = arena_strdup(g_arena, vars[i].type);
		k++;
	}
	tp->nargs = k;
}

/* What the DWARF layer makes of the bare argument: kind, size, sign (or why not). */
static void classify(struct tp_info *tp, struct tp_arg *a)
{
	struct dw_target t = { .base = a->name, .scope_die = tp->die, .pc = tp->pc };
	char *err = NULL;

	if (a->classified)
		return;
	a->classified = 1;
	if (dw_target_expr(cat.dw, &t, &a->cls, &err) != 0)
		a->cls_err = err ? err : "cannot read this argument";
}

/* ---- probe points ---- */

static int match(const struct node *point)
{
	const struct pp_comp *c = point->pp;

	return c && !strcmp(c->name, "kernel") && c->next && !strcmp(c->next->name, "trace");
}

static int resolve(struct session *s, const struct node *point, struct probe_info *proto,
		   void (*add)(struct probe_info *, const char *, void *, int))
{
	const struct pp_comp *tr = point->pp->next;

	if (!tr->arg || tr->arg->kind != N_STRING || tr->next) {
		diag_semantic_error(&tr->loc, point->tok_desc,
				    "probe point mismatch: expected kernel.trace(\"[SYSTEM:]NAME\")");
		return -1;
	}
	if (load_catalog(s, point) != 0)
		return -1;

	const char *spec = tr->arg->str, *colon = strchr(spec, ':');
	const char *sys_pat = colon ? arena_strndup(g_arena, spec, (size_t)(colon - spec)) : NULL;
	const char *name_pat = colon ? colon + 1 : spec;
	int found = 0;

	for (int i = 0; i < cat.n; i++) {
		struct tp_info *tp = &cat.tps[i];

		if (fnmatch(name_pat, tp->name, 0) != 0 ||
		    (sys_pat && fnmatch(sys_pat, tp->system, 0) != 0))
			continue;
		load_args(tp);
		if (tp->nargs > TP_MAXARGS) {
			diag_semantic_error(&point->loc, point->tok_desc,
					    "tracepoint %s:%s has %d arguments, more than the %d supported",
					    tp->system, tp->name, tp->nargs, TP_MAXARGS);
			return -1;
		}
		proto->family = &tracepoint_family;
		add(proto, A("kernel.trace(\"%s:%s\")", tp->system, tp->name), tp, 0);
		found++;
	}
	if (found || point->optional)
		return 0;
	diag_semantic_error(&point->loc, point->tok_desc,
			    "while resolving probe point: no match for kernel.trace(\"%s\")", spec);
	return -1;
}

/* ---- code ---- */

static void emit_decls(struct emitter *e, struct program *p)
{
	emit(e, "#include \"linux/stp_tracepoints.h\"");
	emit(e, "static struct stp_tracepoint stp_tracepoints[] = {");
	for (struct probe_info *pi = p->probes; pi; pi = pi->next) {
		if (pi->family != &tracepoint_family)
			continue;
		const struct tp_info *tp = pi->family_data;
		emit(e, "{ .probe = &stp_probe_%d, .name = %s, .nargs = %d },", pi->index,
		     c_string_literal(tp->name, strlen(tp->name)), tp->nargs);
	}
	emit(e, "};");
}

static void emit_start(struct emitter *e, struct program *p, const char *fail_label)
{
	emit_register_array(e, p, &tracepoint_family, "tracepoints", "stp_tracepoints", fail_label);
}

static void emit_stop(struct emitter *e, struct program *p)
{
	emit_unregister_array(e, p, &tracepoint_family, "tracepoints", "stp_tracepoints");
}

/* ---- target variables ---- */

/* The i-th argument of the running hit, an lvalue of type const unsigned long. The
 * accessor is declared here because the generated unit includes stp_tracepoints.h only
 * after the handlers. */
static const char *arg_lvalue(int i)
{
	return A("(({ extern const unsigned long *stp_tp_args_current(void); "
		 "stp_tp_args_current(); })[%d])", i);
}

/* The argument as the script sees a number: cut to its size, sign-extended if signed. */
static const char *arg_value(const struct tp_arg *a, int i)
{
	const char *v = arg_lvalue(i);

	if (!a->cls_err && a->cls.kind == DW_RES_INT && a->cls.size < 8) {
		static const char *const uns[] = { "", "u8", "u16", "", "u32" };
		static const char *const sgn[] = { "", "s8", "s16", "", "s32" };
		int sz = a->cls.size;

		if (sz == 1 || sz == 2 || sz == 4)
			return A("((int64_t)(%s)%s)", a->cls.is_signed ? sgn[sz] : uns[sz], v);
	}
	return A("((int64_t)%s)", v);
}

/* A string "$a, $b, ..., $$name, $$parms, $$vars" for error messages. */
static const char *alternatives(const struct tp_info *tp)
{
	const char *s = "";

	for (int i = 0; i < tp->nargs; i++)
		s = A("%s$%s, ", s, tp->args[i].name);
	return A("%s$$name, $$parms, $$vars", s);
}

struct tp_result {
	enum stap_type type;
	const char *c;                  /* C text, or NULL in pass 2 */
	const char *err;                /* why it failed (then type is T_UNKNOWN) */
	const struct srcloc *err_loc;   /* where, if not at the node */
	const char *err_what;
};

/* The type string of a pointer's target ("struct sk_buff const*" -> "struct sk_buff"), or
 * NULL when the type is not spelled as a pointer. */
static const char *pointee(const char *type)
{
	size_t len = strlen(type);

	if (!len || type[len - 1] != '*' || strstr(type, "(*)"))
		return NULL;
	char *p = arena_strndup(g_arena, type, len - 1);
	for (;;) {
		size_t l = strlen(p);

		while (l && p[l - 1] == ' ')
			p[--l] = 0;
		if (l > 6 && !strcmp(p + l - 6, " const"))
			p[l - 6] = 0;
		else if (l > 9 && !strcmp(p + l - 9, " volatile"))
			p[l - 9] = 0;
		else
			break;
	}
	return p;
}

static const char *strip_qualifiers(const char *type)
{
	char *p = arena_strdup(g_arena, type);

	for (;;) {
		size_t l = strlen(p);

		if (l > 6 && !strcmp(p + l - 6, " const"))
			p[l - 6] = 0;
		else if (l > 9 && !strcmp(p + l - 9, " volatile"))
			p[l - 9] = 0;
		else
			break;
	}
	return p;
}

/* An error naming a member is reported at that member's operator. */
static void point_at_member(const struct node *n, struct tp_result *r)
{
	const char *q = strstr(r->err, "member '");

	if (!q)
		return;
	q += 8;
	for (struct target_comp *c = n->comps; c; c = c->next)
		if (c->kind != C_INDEX && !strncmp(q, c->name, strlen(c->name)) &&
		    q[strlen(c->name)] == '\'') {
			r->err_loc = &c->loc;
			r->err_what = c->kind == C_ARROW ? "operator '->'" : "operator '.'";
			return;
		}
}

/* The plan for $name$ / $name->a$: the pointee (or the struct passed by value) through
 * @cast, a scalar argument from its slot. Returns 0, or -1 with r->err. */
static int pretty_plan(struct gen *g, struct tp_info *tp, struct node *n, struct tp_arg *a,
		       int idx, int deep, struct dw_pp *p, struct tp_result *r)
{
	struct dw_target t = { .location = g ? gen_location(n) : NULL };
	const char *target = pointee(a->type);
	char *err = NULL;
	int nc;

	classify(tp, a);
	t.comps = dwarf_target_comps(g, n, &nc);
	t.ncomps = nc;
	if (a->cls_err && strstr(a->cls_err, "is being accessed instead of a member")) {
		t.cast_type = strip_qualifiers(a->type);
		t.cast_addr = A("((int64_t)(unsigned long)&%s)", arg_lvalue(idx));
	} else if (a->cls_err) {
		r->err = a->cls_err;
		return -1;
	} else if (!nc && (a->cls.kind != DW_RES_POINTER || !target || !strcmp(target, "void") ||
			   target[strlen(target) - 1] == '*' || !dw_lookup_type(cat.dw, target, NULL))) {
		/* a number, a string or an address: the argument itself */
		enum dw_pp_kind k = a->cls.kind == DW_RES_STRING ? DW_PP_STRING
				  : a->cls.kind == DW_RES_POINTER ? DW_PP_HEX
				  : a->cls.is_signed ? DW_PP_SIGNED : DW_PP_UNSIGNED;
		p->items = arena_alloc(g_arena, sizeof(*p->items));
		p->items[0] = (struct dw_pp_item){ .kind = k, .c_expr = arg_value(a, idx) };
		p->n = p->cap = 1;
		return 0;
	} else if (a->cls.kind != DW_RES_POINTER || !target) {
		r->err = A("tracepoint variable '%s' may not be used as a structure", n->name);
		return -1;
	} else {
		t.cast_type = target;
		t.cast_addr = arg_value(a, idx);
	}
	if (dw_pretty(cat.dw, &t, deep, p, &err) != 0) {
		r->err = err ? err : "cannot pretty-print this argument";
		point_at_member(n, r);
		return -1;
	}
	return 0;
}

static void translate_pretty(struct gen *g, struct tp_info *tp, struct node *n, struct tp_arg *a,
			     int idx, int addr_of, struct tp_result *r)
{
	if (addr_of) {
		r->err = "cannot take address of pretty-printed variable";
		return;
	}
	struct dw_pp p = { 0 };
	if (pretty_plan(g, tp, n, a, idx, (n->flags & TF_PRETTY_DEEP) != 0, &p, r) != 0)
		return;
	r->type = T_STRING;
	if (g) {
		struct ppbuild *b = dwvars_begin(g);
		dwvars_plan(b, &p, 1);
		r->c = dwvars_end(b);
	}
}

/* $name[comps] and &$name[comps]: g is NULL in pass 2 (types only). */
static void translate_var(struct gen *g, struct tp_info *tp, struct node *n, int addr_of,
			  struct tp_result *r)
{
	const char *name = n->name + 1;
	struct tp_arg *a = NULL;
	int idx = -1;

	for (int i = 0; i < tp->nargs; i++)
		if (!strcmp(tp->args[i].name, name)) {
			a = &tp->args[i];
			idx = i;
		}
	if (!a) {
		r->err = A("unable to find tracepoint variable '%s' (alternatives: %s)", n->name,
			   alternatives(tp));
		return;
	}
	if (n->flags & (TF_PRETTY | TF_PRETTY_DEEP)) {
		translate_pretty(g, tp, n, a, idx, addr_of, r);
		return;
	}
	classify(tp, a);

	if (!n->comps) {
		if (addr_of) {
			r->err = A("cannot take the address of tracepoint argument '%s'", n->name);
			return;
		}
		if (a->cls_err) {
			r->err = a->cls_err;
			return;
		}
		r->type = T_LONG;
		if (g)
			r->c = arg_value(a, idx);
		return;
	}

	/* Components: @cast(ARG, "POINTEE")->... for pointers, @cast(&ARG, "TYPE")... for a
	 * struct passed by value (it sits in the argument's slot). */
	struct dw_target t = { .addr_of = addr_of, .location = g ? gen_location(n) : NULL };
	int nc;
	struct dw_comp *comps = dwarf_target_comps(g, n, &nc);
	t.comps = comps;
	t.ncomps = nc;

	const struct target_comp *first = n->comps;
	const char *first_op = first->kind == C_INDEX ? "operator '['"
			     : first->kind == C_ARROW ? "operator '->'" : "operator '.'";
	const char *target = pointee(a->type);
	if (a->cls_err && strstr(a->cls_err, "is being accessed instead of a member")) {
		/* a struct/union passed by value: it sits in the argument's slot */
		t.cast_type = strip_qualifiers(a->type);
		t.cast_addr = A("((int64_t)(unsigned long)&%s)", arg_lvalue(idx));
	} else if (a->cls_err) {
		r->err = a->cls_err;
		return;
	} else if (a->cls.kind != DW_RES_POINTER || !target || !strcmp(target, "void") ||
		   target[strlen(target) - 1] == '*') {
		r->err = A("tracepoint variable '%s' may not be used as %s", n->name,
			   first->kind == C_INDEX ? "an array" : "a structure");
		r->err_loc = &first->loc;
		r->err_what = first_op;
		return;
	} else if (first->kind == C_INDEX) {
		r->err = A("indexing the pointer argument '%s' is not supported in tracepoint "
			   "probes, only members (%s->member)", n->name, n->name);
		r->err_loc = &first->loc;
		r->err_what = first_op;
		return;
	} else {
		t.cast_type = target;
		t.cast_addr = arg_value(a, idx);
	}

	struct dw_expr e;
	char *err = NULL;
	if (dw_target_expr(cat.dw, &t, &e, &err) != 0) {
		r->err = err ? err : "cannot resolve target expression";
		point_at_member(n, r);
		return;
	}
	r->type = T_LONG;
	if (g)
		r->c = A("((int64_t)(%s))", e.c_expr);
}

/* $$parms$ / $$parms$$: "a=1 skb={.len=84, ...}" */
static void translate_parms_pretty(struct gen *g, struct tp_info *tp, struct node *n,
				   struct tp_result *r)
{
	struct ppbuild *b = g ? dwvars_begin(g) : NULL;

	r->type = T_STRING;
	for (int i = 0; i < tp->nargs; i++) {
		struct node v = { .kind = N_TARGET, .loc = n->loc, .tok_desc = n->tok_desc,
				  .name = A("$%s", tp->args[i].name) };
		struct dw_pp p = { 0 };
		struct tp_result ar = { 0 };

		if (pretty_plan(g, tp, &v, &tp->args[i], i, (n->flags & TF_PRETTY_DEEP) != 0, &p,
				&ar) != 0) {
			p.n = 0;
			dw_pp_text(cat.dw, &p, "?");
		}
		if (b) {
			dwvars_text(b, A("%s%s=", i ? " " : "", tp->args[i].name));
			dwvars_plan(b, &p, 1);
		}
	}
	if (g)
		r->c = dwvars_end(b);
}

/* $$parms / $$vars: "a=0x1 b=0xffff..." */
static void translate_parms(struct gen *g, struct tp_info *tp, struct node *n,
			    struct tp_result *r)
{
	if (n->flags & (TF_PRETTY | TF_PRETTY_DEEP)) {
		translate_parms_pretty(g, tp, n, r);
		return;
	}
	r->type = T_STRING;
	if (!g)
		return;
	if (!tp->nargs) {
		r->c = "((const char *)\"\")";
		return;
	}
	const char *fmt = "", *args = "";
	for (int i = 0; i < tp->nargs; i++) {
		classify(tp, &tp->args[i]);
		fmt = A("%s%s%s=%%#llx", fmt, i ? " " : "", tp->args[i].name);
		args = A("%s, (unsigned long long)%s", args, arg_value(&tp->args[i], i));
	}
	const char *t = gen_temp(g, T_STRING);
	r->c = A("({ stp_sprintf(%s, %s%s); (const char *)%s; })", t,
		 c_string_literal(fmt, strlen(fmt)), args, t);
}

static void translate(struct gen *g, const struct probe_info *pi, struct node *n,
		      struct tp_result *r)
{
	struct tp_info *tp = pi->family_data;
	int addr_of = 0;

	memset(r, 0, sizeof(*r));
	r->type = T_UNKNOWN;
	if (n->kind == N_UNARY && n->op == OP_ADDR) {
		addr_of = 1;
		n = n->operand;
	}
	if (n->kind == N_ATOP && !strcmp(n->name, "defined")) {
		struct tp_result inner;

		if (!n->args) {
			r->err = "@defined needs an argument";
			return;
		}
		translate(NULL, pi, n->args, &inner);
		r->type = T_LONG;
		r->c = inner.err ? "((int64_t)0)" : "((int64_t)1)";
		return;
	}
	if (n->kind == N_ATOP) {
		r->err = A("@%s is not available in tracepoint probes", n->name);
		return;
	}
	if (n->kind != N_TARGET) {
		r->err = "this target expression is not supported in tracepoint probes";
		return;
	}
	if (n->name[0] == '$' && n->name[1] == '$') {
		const char *what = n->name + 2;

		if (addr_of || n->comps) {
			r->err = A("invalid use of %s", n->name);
			return;
		}
		if (!strcmp(what, "name")) {
			r->type = T_STRING;
			r->c = A("((const char *)%s)", c_string_literal(tp->name, strlen(tp->name)));
			return;
		}
		if (!strcmp(what, "parms") || !strcmp(what, "vars")) {
			translate_parms(g, tp, n, r);
			return;
		}
		r->err = A("unable to find tracepoint variable '%s' (alternatives: %s)", n->name,
			   alternatives(tp));
		return;
	}
	translate_var(g, tp, n, addr_of, r);
}

static void report(const struct node *n, const struct tp_result *r)
{
	const struct node *at = n;

	if (n->kind == N_UNARY && n->operand)
		at = n->operand;
	if (r->err_loc)
		diag_semantic_error(r->err_loc, r->err_what ? r->err_what : at->tok_desc, "%s", r->err);
	else
		diag_semantic_error(&at->loc, at->tok_desc, "%s", r->err);
}

static int is_atvar(const struct node *n)
{
	if (n->kind == N_UNARY && n->op == OP_ADDR)
		n = n->operand;
	return n->kind == N_TARGET && (n->flags & TF_AT_VAR);
}

/* A target expression's type (pass 2: g == NULL) or C text (pass 3); errors are reported
 * and leave T_UNKNOWN / NULL. */
static struct tp_result target(struct session *s, struct gen *g, const struct probe_info *pi,
			       struct node *n)
{
	struct tp_result r = { .type = T_UNKNOWN };

	if (is_atvar(n)) {
		if (g)
			r.c = dwvars_gen_target(g, NULL, n);
		else
			r.type = dwvars_target_type(s, NULL, n);
		return r;
	}
	translate(g, pi, n, &r);
	if (r.err) {
		report(n, &r);
		return (struct tp_result){ .type = T_UNKNOWN };
	}
	return r;
}

static enum stap_type target_type(struct session *s, const struct probe_info *pi, struct node *n)
{
	return target(s, NULL, pi, n).type;
}

static const char *gen_target(struct gen *g, const struct probe_info *pi, struct node *n)
{
	return target(g->s, g, pi, n).c;
}

static void list_vars(struct session *s, const struct probe_info *pi, FILE *out)
{
	struct tp_info *tp = pi->family_data;

	load_args(tp);
	for (int i = 0; i < tp->nargs; i++)
		fprintf(out, " $%s:%s", tp->args[i].name, tp->args[i].type);
}

const struct probe_family tracepoint_family = {
	.name = "kernel.trace",
	.match = match,
	.resolve = resolve,
	.emit_decls = emit_decls,
	.emit_start = emit_start,
	.emit_stop = emit_stop,
	.gen_target = gen_target,
	.target_type = target_type,
	.list_vars = list_vars,
	.order = 25,
};
