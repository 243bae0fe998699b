/* loc.h - what the C text for target variables ($var, @cast) needs at run time.
 *
 * translator/dwarf_loc.c turns `$skb->dev->name` and friends into one C expression of type
 * int64_t, made only of the names below, the kernel's u8..u64/s8..s64 types and
 * constants. The generated unit must provide:
 *   STP_REGS        the probe's `struct pt_regs *` (a macro; NULL-free in probe handlers)
 *   c               the handler's `struct context *`, whose `base` is the stp_context
 *   out:            the handler's exit label (a fault jumps there, like other errors)
 *
 * x86_64 only: DWARF register numbers 0..16 are rax rdx rcx rbx rsi rdi rbp rsp r8..r15 rip.
 */
#ifndef STP_LOC_H
#define STP_LOC_H

#include <linux/types.h>
#include <linux/ptrace.h>
#include <linux/uaccess.h>
#include "stp_runtime.h"

#ifndef CONFIG_X86_64
#error "runtime/loc.h: only x86_64 register numbering is implemented"
#endif

/* The value of DWARF register N in REGS (0 for numbers the translator never emits). */
static inline unsigned long stp_reg_by_dwarf(const struct pt_regs *regs, int n)
{
	switch (n) {
	case 0: return regs->ax;
	case 1: return regs->dx;
	case 2: return regs->cx;
	case 3: return regs->bx;
	case 4: return regs->si;
	case 5: return regs->di;
	case 6: return regs->bp;
	case 7: return regs->sp;
	case 8: return regs->r8;
	case 9: return regs->r9;
	case 10: return regs->r10;
	case 11: return regs->r11;
	case 12: return regs->r12;
	case 13: return regs->r13;
	case 14: return regs->r14;
	case 15: return regs->r15;
	case 16: return regs->ip;
	}
	return 0;
}

/* Records "read fault [man error::fault] at 0x..." for the running probe (runtime/loc.c).
 * LOCATION is the script position for the message, or NULL. */
void stp_kread_fault(struct stp_context *ctx, unsigned long addr, const char *location);

/* Reads a TYPE at kernel address ADDR without faulting; on a bad address records the error
 * and leaves the handler through its `out` label. A GNU statement expression. */
#define STP_KREAD_AT(addr, type, location)                                              \
	({                                                                              \
		type __stp_val;                                                         \
		unsigned long __stp_addr = (unsigned long)(addr);                       \
		if (unlikely(copy_from_kernel_nofault(&__stp_val,                      \
						      (const void *)__stp_addr,         \
						      sizeof(type)))) {                 \
			stp_kread_fault(&c->base, __stp_addr, (location));              \
			goto out;                                                       \
		}                                                                       \
		__stp_val;                                                              \
	})

#define STP_KREAD(addr, type) STP_KREAD_AT(addr, type, NULL)

/* Copies the NUL-terminated kernel string at ADDR into DST (MAXSTRINGLEN bytes, cut if
 * longer) without faulting; on a bad address records "kernel string copy fault" and
 * leaves the handler through `out`. Evaluates to DST. */
int stp_kread_string(char *dst, unsigned long addr, size_t len);
#define STP_KSTRING_AT(dst, addr, location)                                             \
	({                                                                              \
		unsigned long __stp_saddr = (unsigned long)(addr);                      \
		if (unlikely(stp_kread_string((dst), __stp_saddr, MAXSTRINGLEN) < 0)) { \
			stp_error(&c->base, (location),                                \
				  "kernel string copy fault at 0x%lx [man error::fault]", \
				  __stp_saddr);                                         \
			goto out;                                                       \
		}                                                                       \
		(const char *)(dst);                                                    \
	})

#endif
