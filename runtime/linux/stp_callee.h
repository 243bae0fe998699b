/* stp_callee.h - the check of kernel.function("F").callee(s) probes: does this hit come
 * from F, through the chain of calls the probe was placed for?
 *
 * The translator gives each probe the return addresses that may sit on the stack, level
 * by level from the innermost frame out to F: level 0 holds the return addresses into the
 * probed code's caller, level 1 those into the caller's caller, and so on. Finding each
 * one is a small unwind with rules from the DWARF call frame information:
 *
 *   start        the frame of the probed code at the probed address: its call frame
 *                address (CFA) is the stack or frame pointer plus an offset, its return
 *                address is at CFA - 8 (at a function's entry: sp + 8, the return address
 *                at sp), and its caller's frame pointer is saved at CFA + bp_off or was not
 *                touched
 *   each return  the same rule for the caller at that call, where the stack pointer was
 *                the return address's slot + 8
 *
 * Addresses are link-time ones: the image (vmlinux, or one section of a module) is moved
 * as a whole, so the distance from the probe's own link-time address to where it runs
 * (regs->ip, the probed address) moves them all.
 */
#ifndef STP_CALLEE_H
#define STP_CALLEE_H

#include <linux/limits.h>
#include <linux/types.h>
#include <linux/uaccess.h>
#include <asm/ptrace.h>

enum { STP_CFA_NONE, STP_CFA_SP, STP_CFA_BP };
#define STP_CALLEE_BP_SAME LONG_MIN     /* the frame did not save the frame pointer */

struct stp_callee_rule {
	unsigned char cfa;      /* STP_CFA_*: NONE = no CFI there, stop checking (accept) */
	long cfa_off;
	long bp_off;            /* or STP_CALLEE_BP_SAME */
};

struct stp_callee_ret {
	unsigned long ret;      /* link-time return address */
	struct stp_callee_rule caller;  /* the caller's frame at that call */
};

/* One frame up: from the stack and frame pointers in a function to its return address's
 * slot, and *bp to its caller's frame pointer. 1: done, 0: no rule, -1: a read fault. */
static inline int stp_callee_up(const struct stp_callee_rule *r, unsigned long sp,
				unsigned long *bp, unsigned long *slot)
{
	unsigned long cfa;

	if (r->cfa == STP_CFA_NONE)
		return 0;
	cfa = (r->cfa == STP_CFA_SP ? sp : *bp) + r->cfa_off;
	*slot = cfa - 8;
	if (r->bp_off != STP_CALLEE_BP_SAME &&
	    copy_from_kernel_nofault(bp, (const void *)(cfa + r->bp_off), sizeof(*bp)))
		return -1;
	return 1;
}

/* Whether the stack of this hit holds one return address of each level, in order. */
static inline bool stp_callee_chain_ok(const struct pt_regs *regs, unsigned long link_pc,
				       const struct stp_callee_rule *start,
				       const struct stp_callee_ret *rets,
				       const unsigned short *counts, int levels)
{
	unsigned long delta = regs->ip - link_pc;
	unsigned long bp = regs->bp, slot, ret;
	int l, i, r = stp_callee_up(start, regs->sp, &bp, &slot);

	for (l = 0; r > 0 && l < levels; l++) {
		if (copy_from_kernel_nofault(&ret, (const void *)slot, sizeof(ret)))
			return false;
		for (i = 0; i < counts[l] && rets[i].ret + delta != ret; i++)
			;
		if (i == counts[l])
			return false;
		if (l + 1 < levels)
			r = stp_callee_up(&rets[i].caller, slot + 8, &bp, &slot);
		rets += counts[l];
	}
	return r >= 0;
}

#endif
