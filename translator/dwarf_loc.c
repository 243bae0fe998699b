/* dwarf_loc.c - variables in scope, DWARF location expressions -> C, member walks.
 *
 * A location expression is evaluated symbolically at translation time: each DWARF stack
 * entry becomes a C expression (unsigned long) over the probe's registers, and memory reads
 * become STP_KREAD() calls. The result is a register, a memory address, a computed value
 * (DW_OP_stack_value, DW_OP_implicit_value), or pieces of those (DW_OP_piece). Member,
 * index and pointer steps then move the location, and the final read produces an int64_t.
 */
#include "dwarf_int.h"

#include <gelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- symbolic locations ---- */

enum lkind { L_NONE, L_ADDR, L_REG, L_VALUE, L_PIECES };

struct piece;

struct loc {
	enum lkind kind;
	const char *expr;               /* L_ADDR: address; L_VALUE: value (unsigned long) */
	int reg;                        /* L_REG: DWARF register number */
	int64_t off;                    /* L_REG/L_VALUE/L_PIECES: byte offset into it */
	struct piece *pieces;
	int npieces;
};

struct piece {
	struct loc loc;
	int64_t size;                   /* bytes */
};

struct ev {
	struct dw_ctx *dw;
	const char *var;                /* for messages */
	Dwarf_Die *fn;                  /* the function (frame base) */
	Dwarf_Addr dpc;                 /* pc in DWARF addresses */
	const char *kread_loc;          /* C literal or NULL */
	char **err;
	Dwarf_Attribute *attr;          /* the location attribute (for DW_OP_addrx) */
};

static const char *opname(unsigned op)
{
	switch (op) {
	case DW_OP_entry_value: return "DW_OP_entry_value";
	case DW_OP_GNU_entry_value: return "DW_OP_GNU_entry_value";
	case DW_OP_implicit_pointer: return "DW_OP_implicit_pointer";
	case DW_OP_GNU_implicit_pointer: return "DW_OP_GNU_implicit_pointer";
	case DW_OP_GNU_parameter_ref: return "DW_OP_GNU_parameter_ref";
	case DW_OP_bra: return "DW_OP_bra";
	case DW_OP_skip: return "DW_OP_skip";
	case DW_OP_call2: return "DW_OP_call2";
	case DW_OP_call4: return "DW_OP_call4";
	case DW_OP_call_ref: return "DW_OP_call_ref";
	case DW_OP_form_tls_address: return "DW_OP_form_tls_address";
	case DW_OP_GNU_push_tls_address: return "DW_OP_GNU_push_tls_address";
	case DW_OP_convert: return "DW_OP_convert";
	case DW_OP_GNU_convert: return "DW_OP_GNU_convert";
	case DW_OP_regval_type: return "DW_OP_regval_type";
	case DW_OP_GNU_regval_type: return "DW_OP_GNU_regval_type";
	case DW_OP_deref_type: return "DW_OP_deref_type";
	case DW_OP_GNU_deref_type: return "DW_OP_GNU_deref_type";
	case DW_OP_const_type: return "DW_OP_const_type";
	case DW_OP_GNU_const_type: return "DW_OP_GNU_const_type";
	case DW_OP_GNU_variable_value: return "DW_OP_GNU_variable_value";
	case DW_OP_xderef: return "DW_OP_xderef";
	case DW_OP_xderef_size: return "DW_OP_xderef_size";
	case DW_OP_push_object_address: return "DW_OP_push_object_address";
	}
	return NULL;
}

static void ev_err(struct ev *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void ev_err(struct ev *e, const char *fmt, ...)
{
	va_list ap;

	if (!e->err || *e->err)
		return;
	va_start(ap, fmt);
	*e->err = arena_vprintf(e->dw->ar, fmt, ap);
	va_end(ap);
}

static const char *kread(struct ev *e, const char *addr, const char *type)
{
	if (e->kread_loc)
		return dw_printf(e->dw, "STP_KREAD_AT(%s, %s, %s)", addr, type, e->kread_loc);
	return dw_printf(e->dw, "STP_KREAD(%s, %s)", addr, type);
}

static const char *reg_expr(struct ev *e, int reg)
{
	if (reg < 0 || reg > 16) {
		ev_err(e, "unsupported register %d in location of variable '%s' [man error::dwarf]",
		       reg, e->var);
		return "0UL";
	}
	return dw_printf(e->dw, "stp_reg_by_dwarf(STP_REGS, %d)", reg);
}

static bool eval_ops(struct ev *e, const Dwarf_Op *ops, size_t n, struct loc *out, int depth);

/* A fixed address in a module (its globals and statics): where the module was loaded is
 * known only at run time, so the address is its symbol's, looked up in the loaded module,
 * plus the offset. A name the module has twice (statics of two files) can't be told apart. */
static const char *module_addr(struct ev *e, uint64_t addr)
{
	uint64_t off = 0;
	const char *sym = dw_addr_symbol(e->dw, addr, &off);

	if (!sym || dw_symbol_count(e->dw, sym) != 1) {
		ev_err(e, "unsupported: variable '%s' in module %s has no symbol of its own to be "
		       "found by at run time [man error::dwarf]", e->var, e->dw->modname);
		return NULL;
	}
	return dw_printf(e->dw, "(STP_MODULE_ADDR(\"%s\", \"%s\", %s) + 0x%llxUL)",
			 e->dw->modname, sym, e->kread_loc ? e->kread_loc : "NULL",
			 (unsigned long long)off);
}

/* ---- fixed kernel addresses and KASLR ----
 *
 * The kernel runs moved by a random offset from its link-time addresses (KASLR). The
 * offset is found at run time from a function the kernel exports, whose link-time address
 * the symbol table gives: &_printk - (link-time _printk). Only addresses inside a section
 * of the image move; per-CPU offsets (.data..percpu) and objects without such a symbol
 * (a user-space test fixture) are left as they are. */

static const char *const kaslr_anchors[] = { "_printk", "printk" };

/* Whether ADDR is in an allocated section of the image other than the per-CPU area. */
static bool in_image(struct dw_ctx *dw, uint64_t addr)
{
	Dwarf_Addr a = addr, bias;
	Elf_Scn *scn = dwfl_module_address_section(dw->mod, &a, &bias);
	Elf *elf = dwfl_module_getelf(dw->mod, &bias);
	size_t shstrndx;
	GElf_Shdr sh;
	const char *nm;

	if (!scn || !elf || !gelf_getshdr(scn, &sh) || !(sh.sh_flags & SHF_ALLOC) ||
	    elf_getshdrstrndx(elf, &shstrndx) != 0)
		return false;
	nm = elf_strptr(elf, shstrndx, sh.sh_name);
	return nm && strcmp(nm, ".data..percpu") != 0;
}

/* The KASLR offset at run time as C text (unsigned long), or NULL (a module, a fixture). */
static const char *kaslr_offset(struct dw_ctx *dw)
{
	int n;

	if (dw->kaslr_offset)
		return *dw->kaslr_offset ? dw->kaslr_offset : NULL;
	dw->kaslr_offset = "";
	if (dw->is_rel)
		return NULL;
	n = dwfl_module_getsymtab(dw->mod);
	for (size_t a = 0; a < sizeof(kaslr_anchors) / sizeof(kaslr_anchors[0]); a++)
		for (int i = 1; i < n; i++) {
			GElf_Sym sym;
			GElf_Addr addr;
			const char *nm = dwfl_module_getsym_info(dw->mod, i, &sym, &addr, NULL,
								 NULL, NULL);

			if (!nm || GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
			    GELF_ST_BIND(sym.st_info) != STB_GLOBAL || strcmp(nm, kaslr_anchors[a]))
				continue;
			dw->kaslr_offset = dw_printf(dw, "((unsigned long)&%s - 0x%llxUL)", nm,
						     (unsigned long long)addr);
			return dw->kaslr_offset;
		}
	return NULL;
}

const char *dw_kernel_addr(struct dw_ctx *dw, uint64_t addr)
{
	const char *off = in_image(dw, addr) ? kaslr_offset(dw) : NULL;

	if (!off)
		return dw_printf(dw, "0x%llxUL", (unsigned long long)addr);
	return dw_printf(dw, "(0x%llxUL + %s)", (unsigned long long)addr, off);
}

/* The CFA at the pc, as a C value. */
static const char *cfa_expr(struct ev *e, int depth)
{
	Dwarf_Addr bias;
	Dwarf_CFI *cfi = dw_get_cfi(e->dw, &bias);
	Dwarf_Frame *fr = NULL;
	Dwarf_Op *ops;
	size_t nops;
	struct loc l;
	Dwarf_Addr entry;

	if (cfi && dwarf_cfi_addrframe(cfi, e->dpc + e->dw->bias - bias, &fr) == 0 &&
	    dwarf_frame_cfa(fr, &ops, &nops) == 0 && nops > 0) {
		bool ok = eval_ops(e, ops, nops, &l, depth + 1);

		free(fr);
		if (ok && l.kind == L_ADDR)     /* a CFA rule computes a value, not a place */
			return l.expr;
		if (ok && l.kind == L_REG)
			return reg_expr(e, l.reg);
		return NULL;
	}
	free(fr);
	/* no CFI: at the function's first instruction the CFA is rsp + 8 */
	if (e->fn && dwarf_entrypc(e->fn, &entry) == 0 && entry == e->dpc)
		return dw_printf(e->dw, "(%s + 8UL)", reg_expr(e, 7));
	ev_err(e, "no call frame information for pc 0x%lx (variable '%s') [man error::dwarf]",
	       (unsigned long)(e->dpc + e->dw->bias), e->var);
	return NULL;
}

static const char *frame_base(struct ev *e, int depth)
{
	Dwarf_Attribute a;
	Dwarf_Op *ops;
	size_t n;
	struct loc l;

	if (!e->fn || !dwarf_attr_integrate(e->fn, DW_AT_frame_base, &a)) {
		ev_err(e, "no frame base for variable '%s' [man error::dwarf]", e->var);
		return NULL;
	}
	if (dwarf_getlocation_addr(&a, e->dpc, &ops, &n, 1) <= 0 || n == 0) {
		ev_err(e, "frame base of variable '%s' not accessible at this address "
		       "(pc: 0x%lx) [man error::dwarf]", e->var,
		       (unsigned long)(e->dpc + e->dw->bias));
		return NULL;
	}
	if (!eval_ops(e, ops, n, &l, depth + 1))
		return NULL;
	if (l.kind == L_REG)
		return reg_expr(e, l.reg);      /* DW_OP_regN: the frame base is the value */
	if (l.kind == L_ADDR || l.kind == L_VALUE)
		return l.expr;
	ev_err(e, "unsupported frame base for variable '%s'", e->var);
	return NULL;
}

#define PUSH(x) do { const char *pv_ = (x); if (sp >= 64) goto overflow; st[sp++] = pv_; } while (0)
#define NEED(k) do { if (sp < (k)) goto underflow; } while (0)

static bool eval_ops(struct ev *e, const Dwarf_Op *ops, size_t n, struct loc *out, int depth)
{
	struct dw_ctx *dw = e->dw;
	const char *st[64];
	int sp = 0;
	struct piece pieces[16];
	int npieces = 0;
	struct loc cur = { .kind = L_NONE };

	memset(out, 0, sizeof(*out));
	if (depth > 8) {
		ev_err(e, "location expression of '%s' too deep", e->var);
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned op = ops[i].atom;
		uint64_t a1 = ops[i].number;
		int64_t s1 = (int64_t)ops[i].number;
		const char *x, *y;
		const char *nm;

		if (op >= DW_OP_lit0 && op <= DW_OP_lit31) {
			PUSH(dw_printf(dw, "%uUL", op - DW_OP_lit0));
			continue;
		}
		if (op >= DW_OP_reg0 && op <= DW_OP_reg31) {
			cur.kind = L_REG;
			cur.reg = op - DW_OP_reg0;
			continue;
		}
		if (op >= DW_OP_breg0 && op <= DW_OP_breg31) {
			PUSH(dw_printf(dw, "(%s + (%lldL))", reg_expr(e, op - DW_OP_breg0),
				       (long long)s1));
			continue;
		}
		switch (op) {
		case DW_OP_addr:
			if (dw->is_rel) {
				if (!(x = module_addr(e, a1 + dw->bias)))
					return false;
				PUSH(x);
				break;
			}
			PUSH(dw_kernel_addr(dw, a1 + dw->bias));
			break;
		case DW_OP_addrx:
		case DW_OP_GNU_addr_index:
		case DW_OP_constx:
		case DW_OP_GNU_const_index: {
			Dwarf_Attribute r;
			Dwarf_Addr ad;

			if (!e->attr || dwarf_getlocation_attr(e->attr, &ops[i], &r) != 0 ||
			    dwarf_formaddr(&r, &ad) != 0) {
				ev_err(e, "cannot read the address of variable '%s'", e->var);
				return false;
			}
			if (dw->is_rel && (op == DW_OP_addrx || op == DW_OP_GNU_addr_index)) {
				if (!(x = module_addr(e, ad)))
					return false;
				PUSH(x);
				break;
			}
			PUSH(op == DW_OP_addrx || op == DW_OP_GNU_addr_index ? dw_kernel_addr(dw, ad)
				: dw_printf(dw, "0x%llxUL", (unsigned long long)ad));
			break;
		}
		case DW_OP_const1u: case DW_OP_const2u: case DW_OP_const4u: case DW_OP_const8u:
		case DW_OP_constu:
			PUSH(dw_printf(dw, "0x%llxUL", (unsigned long long)a1));
			break;
		case DW_OP_const1s: case DW_OP_const2s: case DW_OP_const4s: case DW_OP_const8s:
		case DW_OP_consts:
			PUSH(dw_printf(dw, "((unsigned long)(%lldL))", (long long)s1));
			break;
		case DW_OP_regx:
			cur.kind = L_REG;
			cur.reg = (int)a1;
			break;
		case DW_OP_bregx:
			PUSH(dw_printf(dw, "(%s + (%lldL))", reg_expr(e, (int)a1),
				       (long long)(int64_t)ops[i].number2));
			break;
		case DW_OP_fbreg:
			x = frame_base(e, depth);
			if (!x)
				return false;
			PUSH(dw_printf(dw, "(%s + (%lldL))", x, (long long)s1));
			break;
		case DW_OP_call_frame_cfa:
			x = cfa_expr(e, depth);
			if (!x)
				return false;
			PUSH(x);
			break;
		case DW_OP_dup:
			NEED(1);
			PUSH(st[sp - 1]);
			break;
		case DW_OP_drop:
			NEED(1);
			sp--;
			break;
		case DW_OP_over:
			NEED(2);
			PUSH(st[sp - 2]);
			break;
		case DW_OP_pick:
			if ((int)a1 >= sp)
				goto underflow;
			PUSH(st[sp - 1 - (int)a1]);
			break;
		case DW_OP_swap:
			NEED(2);
			x = st[sp - 1];
			st[sp - 1] = st[sp - 2];
			st[sp - 2] = x;
			break;
		case DW_OP_rot:
			NEED(3);
			x = st[sp - 1];
			st[sp - 1] = st[sp - 2];
			st[sp - 2] = st[sp - 3];
			st[sp - 3] = x;
			break;
		case DW_OP_deref:
			NEED(1);
			st[sp - 1] = kread(e, st[sp - 1], "u64");
			break;
		case DW_OP_deref_size: {
			static const char *t[9] = { 0, "u8", "u16", 0, "u32", 0, 0, 0, "u64" };

			NEED(1);
			if (a1 > 8 || !t[a1]) {
				ev_err(e, "unsupported DW_OP_deref_size %u in location of "
				       "variable '%s'", (unsigned)a1, e->var);
				return false;
			}
			st[sp - 1] = dw_printf(dw, "((unsigned long)%s)", kread(e, st[sp - 1], t[a1]));
			break;
		}
		case DW_OP_plus_uconst:
			NEED(1);
			st[sp - 1] = dw_printf(dw, "(%s + 0x%llxUL)", st[sp - 1], (unsigned long long)a1);
			break;
		case DW_OP_neg:
			NEED(1);
			st[sp - 1] = dw_printf(dw, "((unsigned long)-(long)%s)", st[sp - 1]);
			break;
		case DW_OP_not:
			NEED(1);
			st[sp - 1] = dw_printf(dw, "(~%s)", st[sp - 1]);
			break;
		case DW_OP_abs:
			NEED(1);
			st[sp - 1] = dw_printf(dw, "({ long __t = (long)%s; (unsigned long)"
					       "(__t < 0 ? -__t : __t); })", st[sp - 1]);
			break;
		case DW_OP_plus: case DW_OP_minus: case DW_OP_mul: case DW_OP_and:
		case DW_OP_or: case DW_OP_xor: case DW_OP_shl: case DW_OP_shr: case DW_OP_shra:
		case DW_OP_div: case DW_OP_mod:
		case DW_OP_eq: case DW_OP_ne: case DW_OP_lt: case DW_OP_gt: case DW_OP_le:
		case DW_OP_ge: {
			const char *o = NULL;
			bool sgn = false;

			NEED(2);
			y = st[--sp];
			x = st[--sp];
			switch (op) {
			case DW_OP_plus: o = "+"; break;
			case DW_OP_minus: o = "-"; break;
			case DW_OP_mul: o = "*"; break;
			case DW_OP_and: o = "&"; break;
			case DW_OP_or: o = "|"; break;
			case DW_OP_xor: o = "^"; break;
			case DW_OP_shl: o = "<<"; break;
			case DW_OP_shr: o = ">>"; break;
			case DW_OP_shra: o = ">>"; sgn = true; break;
			case DW_OP_eq: o = "=="; break;
			case DW_OP_ne: o = "!="; break;
			case DW_OP_lt: o = "<"; sgn = true; break;
			case DW_OP_gt: o = ">"; sgn = true; break;
			case DW_OP_le: o = "<="; sgn = true; break;
			case DW_OP_ge: o = ">="; sgn = true; break;
			}
			if (op == DW_OP_div || op == DW_OP_mod) {
				/* a zero divisor yields 0 rather than a trap in the kernel */
				PUSH(dw_printf(dw, "({ long __d = (long)%s; __d ? (unsigned long)"
					       "((long)%s %s __d) : 0UL; })", y, x,
					       op == DW_OP_div ? "/" : "%"));
			} else if (op == DW_OP_shra) {
				PUSH(dw_printf(dw, "((unsigned long)((long)%s >> %s))", x, y));
			} else if (sgn) {
				PUSH(dw_printf(dw, "((unsigned long)((long)%s %s (long)%s))", x, o, y));
			} else if (op >= DW_OP_eq && op <= DW_OP_ne) {
				PUSH(dw_printf(dw, "((unsigned long)(%s %s %s))", x, o, y));
			} else {
				PUSH(dw_printf(dw, "(%s %s %s)", x, o, y));
			}
			break;
		}
		case DW_OP_nop:
			break;
		case DW_OP_stack_value:
			NEED(1);
			cur.kind = L_VALUE;
			cur.expr = st[--sp];
			break;
		case DW_OP_implicit_value: {
			const unsigned char *b = (const unsigned char *)(uintptr_t)ops[i].number2;
			uint64_t v = 0;

			if (a1 > 8 || !b) {
				ev_err(e, "unsupported DW_OP_implicit_value of %u bytes for "
				       "variable '%s'", (unsigned)a1, e->var);
				return false;
			}
			for (uint64_t k = 0; k < a1; k++)
				v |= (uint64_t)b[k] << (8 * k);
			cur.kind = L_VALUE;
			cur.expr = dw_printf(dw, "0x%llxUL", (unsigned long long)v);
			break;
		}
		case DW_OP_piece:
			if (cur.kind == L_NONE && sp > 0) {
				cur.kind = L_ADDR;
				cur.expr = st[--sp];
			}
			if (npieces == 16) {
				ev_err(e, "too many pieces in location of variable '%s'", e->var);
				return false;
			}
			pieces[npieces].loc = cur;
			pieces[npieces].size = (int64_t)a1;
			npieces++;
			memset(&cur, 0, sizeof(cur));
			sp = 0;
			break;
		default:
			nm = opname(op);
			if (nm)
				ev_err(e, "unsupported %s in location of variable '%s' "
				       "[man error::dwarf]", nm, e->var);
			else
				ev_err(e, "unsupported DWARF operation 0x%x in location of variable "
				       "'%s' [man error::dwarf]", op, e->var);
			return false;
		}
	}
	if (npieces) {
		out->kind = L_PIECES;
		out->pieces = dw_alloc(dw, npieces * sizeof(struct piece));
		memcpy(out->pieces, pieces, npieces * sizeof(struct piece));
		out->npieces = npieces;
		return true;
	}
	if (cur.kind != L_NONE) {
		*out = cur;
		return true;
	}
	if (sp == 0) {
		out->kind = L_NONE;             /* empty: optimized out */
		return true;
	}
	out->kind = L_ADDR;
	out->expr = st[sp - 1];
	return true;
overflow:
	ev_err(e, "location expression of variable '%s' too complex", e->var);
	return false;
underflow:
	ev_err(e, "invalid location expression for variable '%s' [man error::dwarf]", e->var);
	return false;
}

Dwarf_CFI *dw_get_cfi(struct dw_ctx *dw, Dwarf_Addr *bias)
{
	if (!dw->cfi_tried) {
		dw->cfi_tried = true;
		dw->cfi = dwfl_module_dwarf_cfi(dw->mod, &dw->cfi_bias);
		if (!dw->cfi)
			dw->cfi = dwfl_module_eh_cfi(dw->mod, &dw->cfi_bias);
	}
	*bias = dw->cfi_bias;
	return dw->cfi;
}

/* Where the caller's frame pointer (DWARF register 6) is, from one register rule: saved at
 * CFA + *off (returns 1), kept in the register (0), or -1 for any other rule. */
static int bp_rule(Dwarf_Frame *fr, int64_t *off)
{
	Dwarf_Op mem[3], *ops;
	size_t n;

	if (dwarf_frame_register(fr, 6, mem, &ops, &n) != 0)
		return -1;
	if (n == 0)
		return 0;               /* same value, or undefined: this frame did not save it */
	if (ops[0].atom != DW_OP_call_frame_cfa || ops[n - 1].atom == DW_OP_stack_value)
		return -1;
	if (n == 1)
		*off = 0;
	else if (n == 2 && ops[1].atom == DW_OP_plus_uconst)
		*off = (int64_t)ops[1].number;
	else if (n == 3 && ops[1].atom == DW_OP_consts && ops[2].atom == DW_OP_plus)
		*off = (int64_t)ops[1].number;
	else
		return -1;
	return 1;
}

int dw_frame_rule(struct dw_ctx *dw, uint64_t pc, struct dw_frame_rule *out)
{
	Dwarf_Addr bias;
	Dwarf_CFI *cfi = dw_get_cfi(dw, &bias);
	Dwarf_Frame *fr = NULL;
	Dwarf_Op *ops;
	size_t n;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (cfi && dwarf_cfi_addrframe(cfi, pc - bias, &fr) == 0 &&
	    dwarf_frame_cfa(fr, &ops, &n) == 0 && n == 1) {
		if (ops[0].atom >= DW_OP_breg0 && ops[0].atom <= DW_OP_breg31) {
			out->cfa_reg = ops[0].atom - DW_OP_breg0;
			out->cfa_off = (int64_t)ops[0].number;
			rc = 0;
		} else if (ops[0].atom == DW_OP_bregx) {
			out->cfa_reg = (int)ops[0].number;
			out->cfa_off = (int64_t)ops[0].number2;
			rc = 0;
		}
		out->bp_saved = rc == 0 ? bp_rule(fr, &out->bp_off) : -1;
		if (out->bp_saved < 0 || (out->cfa_reg != 6 && out->cfa_reg != 7))
			rc = -1;
	}
	free(fr);
	return rc;
}

/* ---- reading values ---- */

static const char *int_type(int size, bool sgn)
{
	switch (size) {
	case 1: return sgn ? "s8" : "u8";
	case 2: return sgn ? "s16" : "u16";
	case 4: return sgn ? "s32" : "u32";
	default: return sgn ? "s64" : "u64";
	}
}

/* "not accessible at this address" for the variable being translated; returns NULL. */
static const char *inaccessible(struct ev *e)
{
	ev_err(e, "not accessible at this address (pc: 0x%lx) [man error::dwarf]: '%s'",
	       (unsigned long)(e->dpc + e->dw->bias), e->var);
	return NULL;
}

/* The location of SIZE bytes at L's offset when one piece of L holds them all (*sub);
 * false if none does or that piece is optimized out. */
static bool piece_covering(struct ev *e, const struct loc *l, int64_t size, struct loc *sub)
{
	int64_t start = 0;

	for (int i = 0; i < l->npieces; i++) {
		const struct piece *p = &l->pieces[i];

		if (l->off >= start && l->off + size <= start + p->size) {
			if (p->loc.kind == L_NONE)
				return false;
			*sub = p->loc;
			if (sub->kind == L_ADDR && l->off > start)
				sub->expr = dw_printf(e->dw, "(%s + %lld)", sub->expr,
						      (long long)(l->off - start));
			else
				sub->off += l->off - start;
			return true;
		}
		start += p->size;
	}
	return false;
}

/* The C value (int64_t) of SIZE bytes at L (+ its offset), sign- or zero-extended. */
static const char *fetch(struct ev *e, const struct loc *l, int64_t size, bool sgn)
{
	struct dw_ctx *dw = e->dw;
	const char *raw;

	if (size != 1 && size != 2 && size != 4 && size != 8) {
		ev_err(e, "unsupported value size %lld for '%s'", (long long)size, e->var);
		return NULL;
	}
	switch (l->kind) {
	case L_ADDR:
		return dw_printf(dw, "((int64_t)%s)", kread(e, l->expr, int_type(size, sgn)));
	case L_REG:
	case L_VALUE:
		raw = l->kind == L_REG ? reg_expr(e, l->reg) : l->expr;
		if (l->off + size > 8) {
			ev_err(e, "value of '%s' does not fit its location", e->var);
			return NULL;
		}
		if (l->off)
			raw = dw_printf(dw, "(%s >> %lld)", raw, (long long)(8 * l->off));
		return dw_printf(dw, "((int64_t)(%s)(%s))", int_type(size, sgn), raw);
	case L_PIECES: {
		struct loc sub;
		int64_t start = 0;

		if (piece_covering(e, l, size, &sub))
			return fetch(e, &sub, size, sgn);
		/* whole pieces in a row making up the value */
		const char *acc = NULL;
		int64_t got = 0;

		for (int i = 0; i < l->npieces && got < size; i++) {
			const struct piece *p = &l->pieces[i];

			if (start + p->size <= l->off) {
				start += p->size;
				continue;
			}
			if (start != l->off + got || p->loc.kind == L_NONE ||
			    (p->size != 1 && p->size != 2 && p->size != 4) || got + p->size > size)
				break;
			const char *part = fetch(e, &p->loc, p->size, false);
			if (!part)
				return NULL;
			part = dw_printf(dw, "((u64)%s << %lld)", part, (long long)(8 * got));
			acc = acc ? dw_printf(dw, "(%s | %s)", acc, part) : part;
			got += p->size;
			start += p->size;
		}
		if (acc && got == size)
			return dw_printf(dw, "((int64_t)(%s)(%s))", int_type(size, sgn), acc);
		ev_err(e, "not accessible at this address (pc: 0x%lx) [man error::dwarf]: "
		       "'%s' is split into pieces", (unsigned long)(e->dpc + dw->bias), e->var);
		return NULL;
	}
	default:
		break;
	}
	return inaccessible(e);
}

/* Moves L by BYTES (member or element offset). */
static bool loc_add(struct ev *e, struct loc *l, int64_t bytes, const char *dyn)
{
	if (l->kind == L_ADDR) {
		if (dyn)
			l->expr = dw_printf(e->dw, "(%s + (unsigned long)(%s) * %lldUL)", l->expr, dyn,
					    (long long)bytes);
		else if (bytes)
			l->expr = dw_printf(e->dw, "(%s + %lldUL)", l->expr, (long long)bytes);
		return true;
	}
	if (dyn) {
		ev_err(e, "cannot index '%s' with a run-time value: it is not in memory", e->var);
		return false;
	}
	if (l->kind == L_NONE) {
		inaccessible(e);
		return false;
	}
	l->off += bytes;
	return true;
}

/* ---- members ---- */

static int64_t member_offset(Dwarf_Die *m)
{
	Dwarf_Attribute a;
	Dwarf_Word v;
	Dwarf_Op *ops;
	size_t n;

	if (!dwarf_attr(m, DW_AT_data_member_location, &a))
		return 0;
	if (dwarf_formudata(&a, &v) == 0)
		return (int64_t)v;
	if (dwarf_getlocation(&a, &ops, &n) == 0 && n == 1 && ops[0].atom == DW_OP_plus_uconst)
		return (int64_t)ops[0].number;
	return 0;
}

struct memb {
	Dwarf_Die die;
	int64_t off;                    /* bytes from the start of the outer struct */
	int bit_size;                   /* 0 = not a bitfield */
	int64_t bit_pos;                /* from the start of the outer struct, LSB first */
};

static bool find_member(Dwarf_Die *st, const char *name, int64_t base, struct memb *out)
{
	Dwarf_Die c;

	if (dwarf_child(st, &c) != 0)
		return false;
	do {
		const char *n;
		Dwarf_Die t, pt;
		int64_t off;

		if (dwarf_tag(&c) != DW_TAG_member)
			continue;
		n = dwarf_diename(&c);
		off = base + member_offset(&c);
		if (n && strcmp(n, name) == 0) {
			Dwarf_Attribute a;
			Dwarf_Word w;

			out->die = c;
			out->off = off;
			out->bit_size = 0;
			if (dwarf_attr(&c, DW_AT_bit_size, &a) && dwarf_formudata(&a, &w) == 0) {
				out->bit_size = (int)w;
				if (dwarf_attr(&c, DW_AT_data_bit_offset, &a) &&
				    dwarf_formudata(&a, &w) == 0) {
					out->bit_pos = base * 8 + (int64_t)w;
				} else if (dwarf_attr(&c, DW_AT_bit_offset, &a) &&
					   dwarf_formudata(&a, &w) == 0) {
					Dwarf_Word bs;
					Dwarf_Attribute b;

					if (!(dwarf_attr(&c, DW_AT_byte_size, &b) &&
					      dwarf_formudata(&b, &bs) == 0))
						bs = dw_die_type(&c, &t) ? dw_type_size(&t) : 4;
					out->bit_pos = off * 8 + (int64_t)bs * 8 - (int64_t)w -
						       out->bit_size;
				} else {
					out->bit_pos = off * 8;
				}
			}
			return true;
		}
		if (!n && dw_die_type(&c, &t) && dw_peel(&t, &pt) &&
		    (dwarf_tag(&pt) == DW_TAG_structure_type || dwarf_tag(&pt) == DW_TAG_union_type) &&
		    find_member(&pt, name, off, out))
			return true;
	} while (dwarf_siblingof(&c, &c) == 0);
	return false;
}

static void member_names(struct dw_ctx *dw, Dwarf_Die *st, char **buf, size_t *len, size_t *cap,
			 int depth)
{
	Dwarf_Die c;

	if (depth > 8 || dwarf_child(st, &c) != 0)
		return;
	do {
		const char *n;
		Dwarf_Die t, pt;

		if (dwarf_tag(&c) != DW_TAG_member)
			continue;
		n = dwarf_diename(&c);
		if (n) {
			size_t l = strlen(n);

			if (*len + l + 3 > *cap) {
				*cap = (*len + l + 3) * 2;
				*buf = realloc(*buf, *cap);
			}
			if (*len) {
				memcpy(*buf + *len, ", ", 2);
				*len += 2;
			}
			memcpy(*buf + *len, n, l + 1);
			*len += l;
		} else if (dw_die_type(&c, &t) && dw_peel(&t, &pt)) {
			member_names(dw, &pt, buf, len, cap, depth + 1);
		}
	} while (dwarf_siblingof(&c, &c) == 0);
}

static const char *first_member(Dwarf_Die *st, int depth)
{
	Dwarf_Die c, t, pt;

	if (depth > 8 || dwarf_child(st, &c) != 0)
		return NULL;
	do {
		const char *n;

		if (dwarf_tag(&c) != DW_TAG_member)
			continue;
		n = dwarf_diename(&c);
		if (n)
			return n;
		if (dw_die_type(&c, &t) && dw_peel(&t, &pt) && (n = first_member(&pt, depth + 1)))
			return n;
	} while (dwarf_siblingof(&c, &c) == 0);
	return NULL;
}

bool dw_is_char_type(Dwarf_Die *t, bool any_byte)
{
	Dwarf_Die p;
	Dwarf_Attribute a;
	Dwarf_Word enc, sz;

	if (!dw_peel(t, &p) || dwarf_tag(&p) != DW_TAG_base_type)
		return false;
	if (!dwarf_attr(&p, DW_AT_encoding, &a) || dwarf_formudata(&a, &enc) != 0)
		return false;
	if (dwarf_aggregate_size(&p, &sz) != 0 || sz != 1)
		return false;
	return enc == DW_ATE_signed_char || enc == DW_ATE_unsigned_char ||
	       (any_byte && (enc == DW_ATE_signed || enc == DW_ATE_unsigned));
}

static bool is_signed_type(Dwarf_Die *t)
{
	Dwarf_Attribute a;
	Dwarf_Word enc;
	Dwarf_Die p = *t, sub;

	if (dwarf_tag(&p) == DW_TAG_enumeration_type) {
		/* the underlying type if given, otherwise: signed when a value is negative */
		if (dw_die_type(&p, &sub) && dw_peel(&sub, &p))
			return is_signed_type(&p);
		Dwarf_Die c;

		if (dwarf_child(t, &c) == 0) {
			do {
				Dwarf_Sword v;

				if (dwarf_tag(&c) == DW_TAG_enumerator &&
				    dwarf_attr(&c, DW_AT_const_value, &a) &&
				    (a.form == DW_FORM_sdata || a.form == DW_FORM_implicit_const) &&
				    dwarf_formsdata(&a, &v) == 0 && v < 0)
					return true;
			} while (dwarf_siblingof(&c, &c) == 0);
		}
		return false;
	}
	if (!dwarf_attr(&p, DW_AT_encoding, &a) || dwarf_formudata(&a, &enc) != 0)
		return false;
	return enc == DW_ATE_signed || enc == DW_ATE_signed_char;
}

/* The element counts of each dimension of an array type (0 = unknown). */
int dw_array_dims(Dwarf_Die *arr, int64_t *dims, int max)
{
	Dwarf_Die c;
	int n = 0;

	if (dwarf_child(arr, &c) != 0)
		return 0;
	do {
		Dwarf_Attribute a;
		Dwarf_Word w;

		if (dwarf_tag(&c) != DW_TAG_subrange_type || n == max)
			continue;
		dims[n] = 0;
		if (dwarf_attr(&c, DW_AT_count, &a) && dwarf_formudata(&a, &w) == 0)
			dims[n] = (int64_t)w;
		else if (dwarf_attr(&c, DW_AT_upper_bound, &a) && dwarf_formudata(&a, &w) == 0)
			dims[n] = (int64_t)w + 1;
		n++;
	} while (dwarf_siblingof(&c, &c) == 0);
	return n;
}

static const char *decl_where(struct dw_ctx *dw, Dwarf_Die *d)
{
	const char *f = dw_decl_file(dw, d);
	int line = dw_decl_line(d);

	if (!f)
		return "";
	return dw_printf(dw, " (%s:%d)", f, line);
}

/* ---- writing values (guru mode) ---- */

/* C that writes SIZE bytes of the int64_t VALUE at L (+ its offset) and yields VALUE. */
static const char *store(struct ev *e, const struct loc *l, int64_t size, const char *value)
{
	struct dw_ctx *dw = e->dw;

	if (size != 1 && size != 2 && size != 4 && size != 8) {
		ev_err(e, "unsupported value size %lld for '%s'", (long long)size, e->var);
		return NULL;
	}
	switch (l->kind) {
	case L_ADDR:
		return dw_printf(dw, "STP_KWRITE_AT(%s, %s, %s, %s)", l->expr, int_type(size, false),
				 value, e->kread_loc ? e->kread_loc : "NULL");
	case L_REG:
		if (l->reg < 0 || l->reg > 15 || l->reg == 7 || l->off + size > 8) {
			ev_err(e, "cannot write to '%s': unsupported register %d [man error::dwarf]",
			       e->var, l->reg);
			return NULL;
		}
		return dw_printf(dw, "stp_reg_store_by_dwarf(STP_REGS, %d, %lld, %lld, %s)", l->reg,
				 (long long)l->off, (long long)size, value);
	case L_VALUE:
		ev_err(e, "cannot write to '%s' at this address (pc: 0x%lx) [man error::dwarf]: its "
		       "value is computed, not stored", e->var, (unsigned long)(e->dpc + dw->bias));
		return NULL;
	case L_PIECES: {
		struct loc sub;

		if (piece_covering(e, l, size, &sub))
			return store(e, &sub, size, value);
		ev_err(e, "cannot write to '%s' at this address (pc: 0x%lx) [man error::dwarf]: it "
		       "is split into pieces", e->var, (unsigned long)(e->dpc + dw->bias));
		return NULL;
	}
	default:
		break;
	}
	return inaccessible(e);
}

/* A bit field: the bytes holding it read, the field's bits replaced, written back. */
static const char *store_bits(struct ev *e, const struct loc *l, int64_t bit_pos, int bit_size,
			      const char *value)
{
	int64_t first = bit_pos / 8, shift = bit_pos % 8;
	int64_t nbytes = (shift + bit_size + 7) / 8, rd = 1;
	struct loc bl = *l;

	while (rd < nbytes)
		rd *= 2;
	if (rd > 8) {
		ev_err(e, "unsupported bit field layout");
		return NULL;
	}
	if (!loc_add(e, &bl, first, NULL))
		return NULL;
	const char *raw = fetch(e, &bl, rd, false);
	unsigned long long mask = (bit_size >= 64 ? ~0ULL : (1ULL << bit_size) - 1) << shift;
	const char *merged = dw_printf(e->dw, "((int64_t)(((u64)%s & ~0x%llxULL) | "
				       "(((u64)%s << %d) & 0x%llxULL)))", raw ? raw : "0", mask,
				       value, (int)shift, mask);
	const char *w = raw ? store(e, &bl, rd, merged) : NULL;

	return w ? dw_printf(e->dw, "({ (void)%s; (int64_t)%s; })", w, value) : NULL;
}

/* The write for the final step of target_expr: integers, enums, bit fields, pointers. */
static int store_final(struct ev *e, const struct loc *l, Dwarf_Die *ft, const struct memb *bitf,
		       const char *value, struct dw_expr *out)
{
	int tag = dwarf_tag(ft);
	Dwarf_Attribute ea;
	Dwarf_Word enc;
	int64_t sz = tag == DW_TAG_pointer_type || tag == DW_TAG_reference_type ? 8
									   : dw_type_size(ft);

	if ((tag != DW_TAG_base_type && tag != DW_TAG_enumeration_type &&
	     tag != DW_TAG_pointer_type && tag != DW_TAG_reference_type) ||
	    (tag == DW_TAG_base_type && dwarf_attr(ft, DW_AT_encoding, &ea) &&
	     dwarf_formudata(&ea, &enc) == 0 &&
	     (enc == DW_ATE_float || enc == DW_ATE_complex_float))) {
		ev_err(e, "cannot write to '%s' of type %s: only integers and pointers can be "
		       "written", e->var, out->type);
		return -1;
	}
	if (sz <= 0 || sz > 8) {
		ev_err(e, "unsupported type %s of %lld bytes", out->type, (long long)sz);
		return -1;
	}
	out->c_expr = bitf->bit_size ? store_bits(e, l, bitf->bit_pos, bitf->bit_size, value)
				     : store(e, l, sz, value);
	if (!out->c_expr)
		return -1;
	out->kind = tag == DW_TAG_pointer_type || tag == DW_TAG_reference_type ? DW_RES_POINTER
										 : DW_RES_INT;
	out->size = (int)sz;
	return 0;
}

/* ---- target expressions ---- */

static const char *comp_text(struct dw_ctx *dw, const struct dw_comp *c)
{
	if (c->kind == DW_COMP_MEMBER)
		return dw_printf(dw, "->%s", c->name);
	if (c->index_expr)
		return "[...]";
	return dw_printf(dw, "[%lld]", (long long)c->index);
}

static int fail(struct dw_ctx *dw, char **err, const char *msg)
{
	if (err && !*err)
		*err = dw_strdup(dw, msg);
	return -1;
}

static const char *func_of_scope(Dwarf_Die *fn)
{
	const char *n = dw_die_name(fn);

	return n ? n : "?";
}

static int target_expr(struct dw_ctx *dw, const struct dw_target *t, struct dw_expr *out,
		       char **err)
{
	struct scope_set s;
	struct ev e = { .dw = dw, .err = err, .kread_loc = t->location };
	struct loc l = { .kind = L_NONE };
	Dwarf_Die type, var, fn;
	bool have_type = false;
	struct memb bitf = { .bit_size = 0 };
	Dwarf_Attribute a;
	int arr_dim = 0;                /* dimensions of the current array already indexed */

	memset(out, 0, sizeof(*out));
	if (err)
		*err = NULL;
	e.dpc = t->pc - dw->bias;
	e.var = t->base ? t->base : "@cast";

	if (!t->base) {
		/* @cast(ADDR, "TYPE") */
		char *terr = NULL;
		uint64_t toff = dw_lookup_type(dw, t->cast_type ? t->cast_type : "", &terr);

		if (!toff || !dwarf_offdie(dw->dbg, toff, &type))
			return fail(dw, err, terr);
		have_type = true;
		l.kind = L_ADDR;
		l.expr = dw_printf(dw, "((unsigned long)(%s))", t->cast_addr ? t->cast_addr : "0");
	} else {
		if (!dw_get_scopes(dw, t->scope_die, e.dpc, &s))
			return fail(dw, err, "invalid probe scope");
		fn = s.die[0];
		/* the function whose frame this is: for an inlined instance, the concrete
		 * (out-of-line) function around it */
		Dwarf_Die frame_fn = fn;
		if (dwarf_tag(&fn) == DW_TAG_inlined_subroutine)
			dw_concrete_func_at(dw, e.dpc, &frame_fn);
		e.fn = &frame_fn;

		if (strcmp(t->base, "return") == 0) {
			if (dwarf_tag(&fn) != DW_TAG_subprogram)
				return fail(dw, err, "cannot access $return of an inlined function");
			if (!dw_die_type(&fn, &type))
				return fail(dw, err, dw_printf(dw, "function '%s' (%s) has no return "
							       "value", func_of_scope(&fn),
							       dw_decl_file(dw, &fn)));
			have_type = true;
			l.kind = L_REG;
			l.reg = 0;                      /* rax */
			Dwarf_Die pt;
			if (dw_peel(&type, &pt) && dw_type_size(&pt) > 8)
				return fail(dw, err, "unsupported: $return of a type larger than "
					    "8 bytes");
		} else {
			if (!dw_find_var(dw, &s, t->base, &var)) {
				struct dw_var *vs;
				int n = dw_list_vars(dw, t->scope_die, t->pc, &vs);
				char *alt = NULL;
				size_t len = 0, cap = 0;

				for (int i = 0; i < n; i++) {
					size_t need = len + strlen(vs[i].name) + 4;

					if (need > cap) {
						cap = need * 2;
						alt = realloc(alt, cap);
					}
					len += sprintf(alt + len, "%s$%s", len ? ", " : "", vs[i].name);
				}
				const char *m = dw_printf(dw, "unable to find local '%s', [man error::dwarf] "
							  "dieoffset 0x%llx in %s, near pc 0x%llx in %s %s "
							  "(alternatives: %s)", t->base,
							  (unsigned long long)dwarf_dieoffset(&fn),
							  dw->modname, (unsigned long long)t->pc,
							  func_of_scope(&fn),
							  dw_decl_file(dw, &fn) ? dw_decl_file(dw, &fn) : "",
							  alt ? alt : "");
				free(alt);
				return fail(dw, err, m);
			}
			have_type = dw_die_type(&var, &type);
			if (!have_type)
				return fail(dw, err, dw_printf(dw, "variable '%s' has no type", t->base));
			if (dwarf_attr_integrate(&var, DW_AT_const_value, &a)) {
				Dwarf_Word u;
				Dwarf_Sword sv;

				l.kind = L_VALUE;
				if (a.form == DW_FORM_sdata && dwarf_formsdata(&a, &sv) == 0)
					l.expr = dw_printf(dw, "((unsigned long)(%lldL))", (long long)sv);
				else if (dwarf_formudata(&a, &u) == 0)
					l.expr = dw_printf(dw, "0x%llxUL", (unsigned long long)u);
				else
					return fail(dw, err, dw_printf(dw, "unsupported constant value "
								       "of '%s'", t->base));
			} else {
				Dwarf_Op *ops;
				size_t nops;
				int r;

				if (!dwarf_attr(&var, DW_AT_location, &a))
					return fail(dw, err, dw_printf(dw, "not accessible at this address "
						    "(pc: 0x%llx) [man error::dwarf]: '%s' was optimized "
						    "away", (unsigned long long)t->pc, t->base));
				e.attr = &a;
				r = dwarf_getlocation_addr(&a, e.dpc, &ops, &nops, 1);
				if (r <= 0 || nops == 0)
					return fail(dw, err, dw_printf(dw, "not accessible at this address "
						    "(pc: 0x%llx) [man error::dwarf]: '%s'",
						    (unsigned long long)t->pc, t->base));
				if (!eval_ops(&e, ops, nops, &l, 0))
					return -1;
				if (l.kind == L_NONE)
					return fail(dw, err, dw_printf(dw, "not accessible at this address "
						    "(pc: 0x%llx) [man error::dwarf]: '%s'",
						    (unsigned long long)t->pc, t->base));
			}
		}
	}

	/* ---- the components ---- */
	for (int i = 0; i < t->ncomps; i++) {
		const struct dw_comp *c = &t->comps[i];
		Dwarf_Die pt, inner;
		int tag;

		if (!have_type || !dw_peel(&type, &pt))
			return fail(dw, err, dw_printf(dw, "invalid access '%s' vs. void",
						       comp_text(dw, c)));
		tag = dwarf_tag(&pt);
		if (tag == DW_TAG_pointer_type || tag == DW_TAG_reference_type) {
			const char *v = fetch(&e, &l, 8, false);

			if (!v)
				return -1;
			if (!dw_die_type(&pt, &inner))
				return fail(dw, err, dw_printf(dw, "invalid access '%s' vs. void*",
							       comp_text(dw, c)));
			l = (struct loc){ .kind = L_ADDR, .expr = dw_printf(dw, "((unsigned long)%s)", v) };
			type = inner;
			if (c->kind == DW_COMP_INDEX) {
				int64_t sz = dw_type_size(&inner);

				if (sz <= 0)
					return fail(dw, err, dw_printf(dw, "cannot index a pointer to "
								       "%s", dw_type_str(dw, &inner)));
				if (!loc_add(&e, &l, c->index_expr ? sz : c->index * sz, c->index_expr))
					return -1;
				continue;
			}
			if (!dw_peel(&type, &pt))
				return fail(dw, err, dw_printf(dw, "invalid access '%s' vs. void*",
							       comp_text(dw, c)));
			tag = dwarf_tag(&pt);
		}
		/* A struct only declared in this CU (struct net_device seen from sk_buff's
		 * CU): use its definition from wherever it is defined. */
		if (dwarf_hasattr(&pt, DW_AT_declaration) && dwarf_diename(&pt)) {
			uint64_t full = dw_index_type(dw, tag, dwarf_diename(&pt));
			Dwarf_Die def;

			if (full && dwarf_offdie(dw->dbg, full, &def))
				pt = def;
		}
		if (c->kind == DW_COMP_MEMBER) {
			struct memb m;

			if (tag != DW_TAG_structure_type && tag != DW_TAG_union_type &&
			    tag != DW_TAG_class_type)
				return fail(dw, err, dw_printf(dw, "invalid access '%s' vs. %s",
							       comp_text(dw, c), dw_type_str(dw, &pt)));
			if (!find_member(&pt, c->name, 0, &m)) {
				char *names = NULL;
				size_t len = 0, cap = 0;

				member_names(dw, &pt, &names, &len, &cap, 0);
				const char *msg = dw_printf(dw, "unable to find member '%s' for %s "
							    "(alternatives: %s)", c->name,
							    dw_type_str(dw, &pt), names ? names : "");
				free(names);
				return fail(dw, err, msg);
			}
			if (!loc_add(&e, &l, m.off, NULL))
				return -1;
			if (m.bit_size) {
				if (i + 1 < t->ncomps)
					return fail(dw, err, dw_printf(dw, "invalid access '%s' vs. "
								       "bit field", comp_text(dw, &t->comps[i + 1])));
				bitf = m;
				bitf.bit_pos -= m.off * 8;      /* now relative to the location */
			}
			if (!dw_die_type(&m.die, &type))
				return fail(dw, err, "member has no type");
			continue;
		}
		/* index */
		if (tag == DW_TAG_array_type) {
			int64_t dims[8], sz, stride;
			int nd = dw_array_dims(&pt, dims, 8);

			if (!dw_die_type(&pt, &inner) || (sz = dw_type_size(&inner)) <= 0)
				return fail(dw, err, "array of unknown element size");
			/* a multi-dimensional array is one DIE: step over the dimensions */
			stride = sz;
			for (int d = arr_dim + 1; d < nd; d++)
				stride *= dims[d] > 0 ? dims[d] : 0;
			if (!loc_add(&e, &l, c->index_expr ? stride : c->index * stride, c->index_expr))
				return -1;
			if (++arr_dim >= nd) {
				type = inner;
				arr_dim = 0;
			}
			continue;
		}
		return fail(dw, err, dw_printf(dw, "invalid access '%s' vs. %s", comp_text(dw, c),
					       dw_type_str(dw, &pt)));
	}

	/* ---- the final value ---- */
	Dwarf_Die ft;
	int tag;

	out->type = dw_type_str(dw, &type);
	if (!dw_peel(&type, &ft))
		return fail(dw, err, dw_printf(dw, "cannot read a value of type %s", out->type));
	tag = dwarf_tag(&ft);
	if (t->store) {
		if (t->addr_of)
			return fail(dw, err, "cannot write to member address");
		return store_final(&e, &l, &ft, &bitf, t->store, out);
	}
	if (t->addr_of) {
		if (bitf.bit_size)
			return fail(dw, err, "cannot take the address of a bit field");
		if (l.kind != L_ADDR)
			return fail(dw, err, l.kind == L_REG || l.kind == L_PIECES
					     ? "cannot take address of object in register"
					     : "cannot take address of a computed value");
		out->c_expr = dw_printf(dw, "((int64_t)%s)", l.expr);
		out->kind = DW_RES_ADDRESS;
		out->size = 8;
		out->type = dw_printf(dw, "%s*", out->type);
		return 0;
	}
	switch (tag) {
	case DW_TAG_base_type:
	case DW_TAG_enumeration_type: {
		int64_t sz = dw_type_size(&ft);
		bool sgn = is_signed_type(&ft);
		Dwarf_Attribute ea;
		Dwarf_Word enc;

		if (tag == DW_TAG_base_type && dwarf_attr(&ft, DW_AT_encoding, &ea) &&
		    dwarf_formudata(&ea, &enc) == 0 &&
		    (enc == DW_ATE_float || enc == DW_ATE_complex_float))
			return fail(dw, err, dw_printf(dw, "unsupported floating point type %s",
						       out->type));
		if (sz <= 0 || sz > 8)
			return fail(dw, err, dw_printf(dw, "unsupported type %s of %lld bytes",
						       out->type, (long long)sz));
		if (bitf.bit_size) {
			int64_t first = bitf.bit_pos / 8, shift = bitf.bit_pos % 8;
			int64_t nbytes = (shift + bitf.bit_size + 7) / 8, rd = 1;
			struct loc bl = l;

			while (rd < nbytes)
				rd *= 2;
			if (rd > 8)
				return fail(dw, err, "unsupported bit field layout");
			if (!loc_add(&e, &bl, first, NULL))
				return -1;
			const char *raw = fetch(&e, &bl, rd, false);
			if (!raw)
				return -1;
			if (sgn)
				out->c_expr = dw_printf(dw, "((int64_t)((u64)%s << %d) >> %d)", raw,
							(int)(64 - shift - bitf.bit_size),
							64 - bitf.bit_size);
			else
				out->c_expr = dw_printf(dw, "((int64_t)(((u64)%s >> %d) & 0x%llxULL))",
							raw, (int)shift,
							(unsigned long long)(bitf.bit_size >= 64 ? ~0ULL :
							(1ULL << bitf.bit_size) - 1));
		} else {
			out->c_expr = fetch(&e, &l, sz, sgn);
			if (!out->c_expr)
				return -1;
		}
		out->kind = DW_RES_INT;
		out->size = (int)sz;
		out->is_signed = sgn;
		return 0;
	}
	case DW_TAG_pointer_type:
	case DW_TAG_reference_type: {
		Dwarf_Die inner;

		out->c_expr = fetch(&e, &l, 8, false);
		if (!out->c_expr)
			return -1;
		out->kind = dw_die_type(&ft, &inner) && dw_is_char_type(&inner, true) ? DW_RES_STRING
									 : DW_RES_POINTER;
		out->size = 8;
		return 0;
	}
	case DW_TAG_array_type: {
		Dwarf_Die inner;

		if (l.kind != L_ADDR)
			return fail(dw, err, "cannot take address of object in register");
		out->c_expr = dw_printf(dw, "((int64_t)%s)", l.expr);
		out->size = 8;
		if (dw_die_type(&ft, &inner) && dw_is_char_type(&inner, true)) {
			out->kind = DW_RES_STRING;
			out->is_char_array = 1;
			int64_t dims[8];
			int nd = dw_array_dims(&ft, dims, 8);

			if (arr_dim < nd)
				out->array_len = (int)dims[arr_dim];
		} else {
			out->kind = DW_RES_POINTER;
		}
		return 0;
	}
	case DW_TAG_structure_type:
	case DW_TAG_union_type:
	case DW_TAG_class_type: {
		const char *fm = first_member(&ft, 0);

		return fail(dw, err, dw_printf(dw, "'%s'%s is being accessed instead of a member "
					       "such as '->%s'", dw_type_str(dw, &ft),
					       decl_where(dw, &ft), fm ? fm : "?"));
	}
	case DW_TAG_subroutine_type:
		return fail(dw, err, dw_printf(dw, "cannot read a value of function type %s",
					       out->type));
	default:
		return fail(dw, err, dw_printf(dw, "unsupported type %s", out->type));
	}
}

int dw_target_expr(struct dw_ctx *dw, const struct dw_target *t, struct dw_expr *out,
		   char **err)
{
	char *e = NULL;
	int r = target_expr(dw, t, out, &e);

	if (e)          /* an error noted on the way also fails the whole expression */
		r = -1;
	if (err)
		*err = r < 0 ? (e ? e : dw_strdup(dw, "cannot translate target expression")) : NULL;
	return r;
}
