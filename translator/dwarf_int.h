/* dwarf_int.h - internals shared by dwarf*.c (not for the rest of the translator). */
#ifndef STAP_DWARF_INT_H
#define STAP_DWARF_INT_H

#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
/* elfutils' <dwarf.h> (the DW_* constants). Plain <dwarf.h> would find translator/dwarf.h
 * first (-Itranslator); the libdw headers always sit in elfutils/ next to it. */
#include <elfutils/../dwarf.h>
#include <stdbool.h>
#include "dwarf.h"
#include "arena.h"

/* One compilation unit: its DIE offset, and what was worked out about it on demand. */
struct dw_cu {
	uint64_t off;                   /* offset of the CU DIE */
	const char *name, *comp_dir;    /* NULL until cu_info() */
	const char **files;             /* decl_file index -> display path (lazy) */
	int nfiles;
	bool files_loaded, info_loaded;
	/* inlined instances in this CU, sorted by origin (lazy) */
	struct dw_inl *inl;
	int ninl;
	bool inl_loaded;
};

struct dw_inl {
	uint64_t origin;                /* abstract subprogram DIE */
	uint64_t die;                   /* the inlined_subroutine DIE */
	uint64_t pc;
	const char *caller;
};

struct sec { const unsigned char *buf; size_t size; };

/* The on-disk/in-memory name index (dwarf_index.c). */
struct dw_index;

struct dw_ctx {
	struct arena *ar;
	Dwfl *dwfl;
	Dwfl_Module *mod;
	Dwarf *dbg;
	Dwarf_Addr bias;
	Elf *elf;                       /* the ELF the DWARF comes from */
	const char *path, *modname, *release;
	char build_id[41];
	bool is_rel;
	struct dw_cu *cus;              /* sorted by offset */
	int ncu;
	struct dw_index *idx;
	Dwarf_CFI *cfi;
	Dwarf_Addr cfi_bias;
	bool cfi_tried;
	struct sec sec_line, sec_str, sec_lstr;  /* raw sections for the file tables */
	struct { uint64_t lo, hi; } *init_secs;  /* address ranges of .init / .exit code */
	int ninit;
	bool init_loaded;
	bool secs_loaded;
	const char *kaslr_offset;       /* dwarf_loc.c kaslr_offset(): NULL = not asked, "" = none */
};

/* dwarf.c */
char *dw_strdup(struct dw_ctx *dw, const char *s);
char *dw_printf(struct dw_ctx *dw, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void *dw_alloc(struct dw_ctx *dw, size_t n);
struct dw_cu *dw_cu_of_off(struct dw_ctx *dw, uint64_t cu_off);
struct dw_cu *dw_cu_of_die(struct dw_ctx *dw, Dwarf_Die *die);
void dw_cu_info(struct dw_ctx *dw, struct dw_cu *cu);
/* decl file of a DIE (following abstract_origin/specification), display form */
const char *dw_decl_file(struct dw_ctx *dw, Dwarf_Die *die);
int dw_decl_line(Dwarf_Die *die);
const char *dw_file_by_index(struct dw_ctx *dw, struct dw_cu *cu, int idx);
bool dw_file_matches(const char *path, const char *pattern);
bool dw_has_wildcard(const char *s);
const char *dw_die_name(Dwarf_Die *die);   /* integrates abstract_origin/specification */
void dw_drop_pages(struct dw_ctx *dw, uint64_t upto_off);
bool dw_addr_is_init(struct dw_ctx *dw, uint64_t addr);

/* dwarf_index.c */
/* Function entries of the index. */
enum { IX_HAS_CODE = 1, IX_INLINE = 2, IX_EXTERNAL = 4, IX_NORETURN = 8 };
struct dw_ixfunc {
	const char *name, *file;
	uint64_t die, cu;
	int line;
	unsigned flags;
};
/* Calls fn for every function entry whose name matches name_pat and whose file matches
 * file_pat (either may be NULL = any). */
void dw_index_funcs(struct dw_ctx *dw, const char *name_pat, const char *file_pat,
		    void (*fn)(void *arg, const struct dw_ixfunc *f), void *arg);
/* First type DIE with this tag (0 = any of struct/union/enum/typedef/base) and name. */
uint64_t dw_index_type(struct dw_ctx *dw, int tag, const char *name);

/* dwarf_types.c */
const char *dw_type_str(struct dw_ctx *dw, Dwarf_Die *type);   /* NULL type -> "void" */
/* Strips typedefs and cv-qualifiers. Returns false at void. */
bool dw_peel(Dwarf_Die *type, Dwarf_Die *out);
/* Whether a type is a one-byte character (char, signed/unsigned char; with ANY_BYTE also
 * one-byte integers such as u8), after typedefs and qualifiers. */
bool dw_is_char_type(Dwarf_Die *t, bool any_byte);
bool dw_die_type(Dwarf_Die *die, Dwarf_Die *out);
int64_t dw_type_size(Dwarf_Die *type);

/* dwarf_vars.c */
struct scope_set {
	Dwarf_Die die[32];              /* [0] = function/inline instance, then inner blocks */
	int n;
};
/* The function instance SCOPE plus the lexical blocks inside it that contain DPC. */
bool dw_get_scopes(struct dw_ctx *dw, uint64_t scope, Dwarf_Addr dpc, struct scope_set *s);
/* Variable NAME: inner blocks first, then the function, then the CU's globals. */
bool dw_find_var(struct dw_ctx *dw, struct scope_set *s, const char *name, Dwarf_Die *out);
/* The out-of-line function whose code holds DPC. */
bool dw_concrete_func_at(struct dw_ctx *dw, Dwarf_Addr dpc, Dwarf_Die *out);

/* dwarf_loc.c */
Dwarf_CFI *dw_get_cfi(struct dw_ctx *dw, Dwarf_Addr *bias);
/* The element counts of each dimension of an array type (0 = unknown). */
int dw_array_dims(Dwarf_Die *arr, int64_t *dims, int max);

#endif
