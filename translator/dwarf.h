/* dwarf.h - the DWARF layer: functions, lines, labels, variables and target expressions.
 *
 * One `struct dw_ctx` is one opened object with DWARF: the kernel (vmlinux), one module's
 * debuginfo (.ko), or any ELF file (a test fixture .o or an executable). All three are
 * opened through libdwfl, so ET_REL objects get their relocations applied.
 *
 *   dw_open_kernel(release, build_dir, &err)   vmlinux of RELEASE: /usr/lib/debug/boot/
 *                                               vmlinux-R, /usr/lib/debug/lib/modules/R/
 *                                               vmlinux, BUILD_DIR/vmlinux. With release ==
 *                                               NULL (-r named a build tree) only
 *                                               BUILD_DIR/vmlinux is tried.
 *   dw_open_module(release, name, &err)         /usr/lib/debug/lib/modules/R/.../NAME.ko
 *                                               ('-' and '_' are the same), then
 *                                               /lib/modules/R/.../NAME.ko
 *   dw_open_file(path, &err)                    any ELF object with DWARF (a .ko file is
 *                                               named after its module: x-y.ko -> x_y)
 *   dw_close(ctx)                               frees the context and everything it returned
 *
 * Errors come back as strings in SystemTap's wording; every returned string and array is
 * owned by the context and valid until dw_close() (an open failure's *err is malloc'ed).
 * Nothing here prints, except one note on stderr when the kernel's name index is first
 * built. Indexes of files with a build-id are cached under
 * $SYSTEMTAP_DIR/cache/dwarf/BUILDID.idx (default ~/.systemtap/cache/dwarf/).
 *
 * Addresses are the object's link-time addresses (for vmlinux: the kernel virtual address
 * without KASLR, e.g. icmp_rcv = 0xffffffff818933e0). For ET_REL objects (modules) use
 * dw_addr_section() to turn one into SECTION+OFFSET.
 *
 * Probe point specifications (dw_find_functions, dw_find_statements, dw_find_labels):
 *   PATTERN[@FILE[:LINE|:N-M|:*]]
 * PATTERN and FILE are shell wildcards (fnmatch). FILE matches a path suffix at a '/'
 * boundary of the function's declaration file ("net/socket.c", "socket.c", "*.h").
 * For functions, LINE/N-M restrict the declaration line; for statements they are the lines
 * to probe (":*" = every line). Results are sorted by name, file, line, address.
 *
 * Target expressions: dw_target_expr() turns `$var->a.b[3]`, `&$var->a`, `$return` or
 * `@cast(ADDR, "struct x")->a` into C text for the generated module. The text uses only
 * what runtime/loc.h provides: STP_REGS (defined by the generated code: the probe's
 * struct pt_regs *), stp_reg_by_dwarf(regs, n), STP_KREAD(addr, type) (fault-safe read that
 * on a fault calls stp_kread_fault(&c->base, addr, location) and does `goto out`),
 * STP_MODULE_ADDR("mod", "symbol", location) (where a module's global is: its symbol in the
 * loaded module; an error and `goto out` if it is not loaded), the kernel's u8..u64/s8..s64
 * and int64_t. The text is one C expression of type int64_t.
 */
#ifndef STAP_DWARF_H
#define STAP_DWARF_H

#include <stdint.h>
#include <stddef.h>

struct dw_ctx;

struct dw_ctx *dw_open_kernel(const char *release, const char *build_dir, char **err);
struct dw_ctx *dw_open_module(const char *release, const char *name, char **err);
struct dw_ctx *dw_open_file(const char *path, char **err);
void dw_close(struct dw_ctx *dw);

const char *dw_path(const struct dw_ctx *dw);         /* the file that was opened */
const char *dw_modname(const struct dw_ctx *dw);      /* "kernel", module name, basename */
const char *dw_build_id(const struct dw_ctx *dw);     /* hex, or "" */
int dw_is_relocatable(const struct dw_ctx *dw);       /* ET_REL (module, .o) */
/* For ET_REL: the section holding ADDR and the offset in it (NULL if none/not ET_REL). */
const char *dw_addr_section(struct dw_ctx *dw, uint64_t addr, uint64_t *offset);
/* The ELF symbol containing ADDR (a function's own symbol, e.g. "foo.constprop.0") and
 * the offset into it, or NULL. For modules this is what a kprobe names ("MOD:SYMBOL"). */
const char *dw_addr_symbol(struct dw_ctx *dw, uint64_t addr, uint64_t *offset);
/* C text (unsigned long) of where the link-time address ADDR is at run time: moved by the
 * kernel's KASLR offset (&_printk minus its link-time address) when it lies in the kernel
 * image, not in the per-CPU area; unchanged in objects without _printk. */
const char *dw_kernel_addr(struct dw_ctx *dw, uint64_t addr);
/* How to find the caller's frame at PC, from the call frame information: the call frame
 * address (the stack pointer before the call that entered the function holding PC; the
 * return address is just below it) is register cfa_reg + cfa_off (x86_64 DWARF numbers:
 * 7 the stack pointer, 6 the frame pointer), and the caller's frame pointer is saved at
 * CFA + bp_off (bp_saved) or still in the register. Returns 0, or -1 when there is no CFI
 * for PC or the rules are other ones. */
struct dw_frame_rule {
	int cfa_reg;
	int64_t cfa_off;
	int bp_saved;
	int64_t bp_off;
};
int dw_frame_rule(struct dw_ctx *dw, uint64_t pc, struct dw_frame_rule *out);
/* How many symbols of the object's symbol table have this name. */
int dw_symbol_count(struct dw_ctx *dw, const char *name);
/* Builds (or loads from the cache) the name index now; returns 1 if it was built. */
int dw_ensure_index(struct dw_ctx *dw);

/* ---- modules ---- */

/* One module file of a release: its module name ('-' spelt '_') and path. */
struct dw_module {
	char *name;
	char *path;
};
/* The kernel modules of RELEASE, sorted by name: under /usr/lib/debug/lib/modules/R (the
 * -dbg package, with DWARF) first, then /lib/modules/R; one entry per name. Scanned once
 * per process; the array stays valid until a call with another release. */
int dw_module_list(const char *release, const struct dw_module **out);
/* The module name of a .ko path: its basename without ".ko", '-' -> '_' (malloc'ed). */
char *dw_module_name(const char *path);

/* ---- functions ---- */

enum {
	DW_FIND_CALL   = 1,     /* out-of-line instances (".call") */
	DW_FIND_INLINE = 2,     /* inlined instances (".inline") */
	DW_FIND_ALL    = 3,
};

/* One inlined instance of a function. */
struct dw_inline_site {
	uint64_t pc;            /* entry address of the inlined code */
	uint64_t die;           /* the DW_TAG_inlined_subroutine (scope for variables) */
	const char *caller;     /* function it was inlined into */
	int is_init;            /* in an init/exit section (freed after boot/load) */
};

/* One function: one per out-of-line copy (a CU normally has one per name; compiler clones
 * such as foo.constprop.0 are reported under the source name "foo"), or one per CU for a
 * function that only exists inlined.
 *
 * Where to probe (what SystemTap 4.8 does on this kernel, checked with stap -p3/-L): the
 * kprobe goes at entry_pc, and $variables are evaluated at prologue_pc (entry + 5 on a
 * -mfentry kernel: after the `call __fentry__`, where GCC's location lists start; the
 * registers are the same at both). Inlined copies are probed at inlines[i].pc with
 * inlines[i].die as the scope. With DW_FIND_INLINE alone, has_code/has_return are 0 and
 * only the inlined copies are meant. */
struct dw_func {
	const char *name;
	const char *file;       /* declaration file, e.g. "net/ipv4/icmp.c" */
	int line;               /* declaration line */
	const char *cu_name;    /* the compilation unit */
	int external;
	int has_code;           /* has an out-of-line instance: entry_pc.. valid */
	int is_inline_only;     /* no out-of-line instance, only inlined copies */
	int has_return;         /* a .return probe is possible (out-of-line, not noreturn) */
	int is_init;            /* the out-of-line copy is in .init.text/.exit.text (SystemTap
	                           does not probe those: the code is gone after boot) */
	uint64_t entry_pc;      /* low_pc: where SystemTap 4.8 puts kernel.function probes */
	uint64_t prologue_pc;   /* first address after the prologue (line table) */
	uint64_t high_pc;       /* end of the first range */
	uint64_t die;           /* out-of-line DIE (or the abstract DIE when inline-only) */
	int n_inlines;          /* filled when DW_FIND_INLINE was asked */
	struct dw_inline_site *inlines;
};

/* Finds functions. Returns the count (0 = none) or -1 with *err set for a bad spec. The
 * first call on an object loads or builds the name index (dw_ensure_index). Functions in
 * init/exit sections are returned with is_init set (SystemTap skips them). */
int dw_find_functions(struct dw_ctx *dw, const char *spec, int flags,
		      struct dw_func **out, char **err);

/* ---- labels and statements ---- */

struct dw_label {
	const char *name;
	const char *func;       /* function containing it */
	const char *file;
	int line;
	uint64_t pc;
	uint64_t scope_die;     /* function (or inlined instance) DIE, for variables */
};

/* Labels whose names match LABEL_PATTERN in the functions of FUNC_SPEC. */
int dw_find_labels(struct dw_ctx *dw, const char *func_spec, const char *label_pattern,
		   struct dw_label **out, char **err);

struct dw_stmt {
	const char *func;
	const char *file;
	int line;               /* the line actually probed (differs from the asked one for
	                           .nearest) */
	uint64_t pc;
	uint64_t scope_die;
};

/* Statements FUNC@FILE:LINE (the spec must have a line part). With nearest, a line that
 * has no code moves to the next line of the same function that has. Errors (no such line)
 * come back as -1 with *err "no line records for FILE:LINE [man error::dwarf]". */
int dw_find_statements(struct dw_ctx *dw, const char *spec, int nearest,
		       struct dw_stmt **out, char **err);

/* ---- variables ---- */

struct dw_var {
	const char *name;
	const char *type;       /* SystemTap -L format: "struct sk_buff*", "char const*" */
	int is_param;
	int accessible;         /* has a location (or a constant value) at the pc */
	int block_depth;        /* 0: the function's own; 1..: nested blocks holding the pc */
};

/* Parameters and locals visible at PC in SCOPE_DIE (a dw_func.die, inline site die,
 * label/statement scope_die): the function's own scope first, then the enclosing blocks
 * that contain PC, each in declaration order. */
int dw_list_vars(struct dw_ctx *dw, uint64_t scope_die, uint64_t pc, struct dw_var **out);

/* What `stap -L` lists for a function probe: the function-level variables accessible at
 * every probe address of F (its entry and each inlined instance it carries, except those
 * in init sections), in the declaration order of the first (the out-of-line copy). */
int dw_func_vars(struct dw_ctx *dw, const struct dw_func *f, struct dw_var **out);

/* ---- target expressions ---- */

enum dw_comp_kind { DW_COMP_MEMBER, DW_COMP_INDEX };

struct dw_comp {
	enum dw_comp_kind kind;
	const char *name;       /* DW_COMP_MEMBER: "->name" and ".name" are the same */
	int64_t index;          /* DW_COMP_INDEX: [index] */
	const char *index_expr; /* DW_COMP_INDEX with a run-time index: C text (int64_t) */
};

enum dw_result_kind {
	DW_RES_INT,             /* an integer (also enums, bool, bitfields) */
	DW_RES_POINTER,         /* a pointer, as an integer */
	DW_RES_STRING,          /* char array (expr = its address) or char* (expr = the
	                           pointer): wrap with a kernel string read */
	DW_RES_ADDRESS,         /* &...: the address as an integer */
};

struct dw_target {
	const char *base;       /* variable name without '$', "return", or NULL for @cast */
	const char *cast_addr;  /* @cast: C text of the address (int64_t) */
	const char *cast_type;  /* @cast: "struct x", "union y", "x_t", "int" */
	const struct dw_comp *comps;
	int ncomps;
	int addr_of;            /* &$var...: the address of the result */
	uint64_t scope_die;     /* where the probe is (dw_func.die, site die, ...) */
	uint64_t pc;            /* the probe address */
	const char *location;   /* C string literal for error messages ("\"...\"") or NULL */
	const char *store;      /* guru mode: C text (int64_t, a plain variable: it may be
	                           used twice) of a value to write there, or NULL to read */
};

struct dw_expr {
	const char *c_expr;     /* C expression of type int64_t */
	enum dw_result_kind kind;
	int size;               /* bytes of the value (1,2,4,8) for ints/pointers */
	int is_signed;
	const char *type;       /* the final type, -L format */
	int is_char_array;      /* DW_RES_STRING from a char[] (expr is its address) */
	int array_len;          /* for char arrays: the declared length (0 = unknown) */
};

/* Translates a target expression. With t->store, out->c_expr writes that value instead
 * (truncated to the type's size; a bit field is read, merged and written back) and yields
 * it: memory through STP_KWRITE_AT(addr, type, value, location) (a fault is an error and
 * `goto out`), registers through stp_reg_store_by_dwarf(STP_REGS, n, byte_offset, size,
 * value). Only integers, enums, bit fields and pointers can be written. Returns 0, or -1
 * with *err in SystemTap's wording, e.g.
 *   unable to find member 'rx_dropped' for struct net_device (alternatives: dev, ...)
 *   unable to find local 'x', [man error::dwarf] ... (alternatives: $a, $b)
 *   not accessible at this address [man error::dwarf] (pc 0x..., variable 'x')
 *   unsupported DW_OP_entry_value in location of variable 'x' ... */
int dw_target_expr(struct dw_ctx *dw, const struct dw_target *t, struct dw_expr *out,
		   char **err);

/* A type by name ("struct net_device", "union x", "enum e", "u32", "int") across all
 * compilation units. Returns its DIE offset, or 0 (then *err: "type definition 'T' not
 * found in 'kernel'"). */
uint64_t dw_lookup_type(struct dw_ctx *dw, const char *name, char **err);
/* Formats the type at a DIE offset in -L style. */
const char *dw_type_name(struct dw_ctx *dw, uint64_t type_die);

/* ---- small helpers ---- */
/* Splits "PATTERN[@FILE[:LINES]]". Returns 0 or -1. lines_kind: 0 none, 1 LINE, 2 N-M,
 * 3 '*'. The strings are owned by the context. */
struct dw_spec {
	const char *func, *file;
	int lines_kind, line_lo, line_hi;
};
int dw_parse_spec(struct dw_ctx *dw, const char *spec, struct dw_spec *out, char **err);

#endif
