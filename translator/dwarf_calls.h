/* dwarf_calls.h - addresses to functions and statements, and what a function calls.
 *
 *   dw_func_at_addr(dw, addr, ...)   the out-of-line function whose code holds ADDR
 *   dw_stmt_start(dw, addr)          the first address of the line-table row holding ADDR
 *   dw_callees(dw, func_die, ...)    the functions FUNC_DIE calls, as DWARF records them:
 *                                    inlined copies in its code (DW_TAG_inlined_subroutine)
 *                                    and direct calls (DW_TAG_call_site / GNU_call_site
 *                                    with a known origin; not tail calls, not calls through
 *                                    pointers). Calls made by code inlined into it belong to
 *                                    the inlined function, not to it.
 */
#ifndef STAP_DWARF_CALLS_H
#define STAP_DWARF_CALLS_H

#include "dwarf.h"

/* Returns 0 and the function's name, declaration file and DIE, or -1. */
int dw_func_at_addr(struct dw_ctx *dw, uint64_t addr, const char **name, const char **file,
		    uint64_t *die);
/* 0 when no line-table row holds ADDR. */
uint64_t dw_stmt_start(struct dw_ctx *dw, uint64_t addr);

struct dw_callee {
	const char *name;       /* the called function */
	const char *file;       /* its declaration file and line */
	int line;
	int inlined;            /* an inlined copy (else a call) */
	uint64_t pc;            /* inlined: its entry; call: the return address */
	uint64_t die;           /* inlined: the DW_TAG_inlined_subroutine (its scope) */
	uint64_t origin;        /* the callee's DIE as the caller refers to it (its
				   definition, or a declaration of an external one) */
};

/* The callees of FUNC_DIE (a subprogram or an inlined instance), in DIE order. */
int dw_callees(struct dw_ctx *dw, uint64_t func_die, struct dw_callee **out);

#endif
