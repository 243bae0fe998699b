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

/* Where DWARF register N is saved in REGS (NULL for numbers the translator never emits). */
static inline unsigned long *stp_reg_slot(struct pt_regs *regs, int n)
{
	switch (n) {
	case 0: return &regs->ax;
	case 1: return &regs->dx;
	case 2: return &regs->cx;
	case 3: return &regs->bx;
	case 4: return &regs->si;
	case 5: return &regs->di;
	case 6: return &regs->bp;
	case 7: return &regs->sp;
	case 8: return &regs->r8;
	case 9: return &regs->r9;
	case 10: return &regs->r10;
	case 11: return &regs->r11;
	case 12: return &regs->r12;
	case 13: return &regs->r13;
	case 14: return &regs->r14;
	case 15: return &regs->r15;
	case 16: return &regs->ip;
	}
	return NULL;
}

/* The value of DWARF register N in REGS (0 for numbers the translator never emits). */
static inline unsigned long stp_reg_by_dwarf(const struct pt_regs *regs, int n)
{
	const unsigned long *slot = stp_reg_slot((struct pt_regs *)regs, n);

	return slot ? *slot : 0;
}

/* Guru mode ($var = v): replaces SIZE bytes at byte OFF of DWARF register N in REGS with
 * the low bytes of VAL; the probed code sees the new value when the probe returns.
 * Evaluates to VAL. */
static inline int64_t stp_reg_store_by_dwarf(struct pt_regs *regs, int n, int off, int size,
					     int64_t val)
{
	unsigned long *slot = stp_reg_slot(regs, n);
	unsigned long mask = size >= 8 ? ~0UL : ((1UL << (8 * size)) - 1) << (8 * off);

	if (slot)
		*slot = (*slot & ~mask) | (((unsigned long)val << (8 * off)) & mask);
	return val;
}

/* Records "read fault [man error::fault] at 0x..." for the running probe (runtime/loc.c).
 * LOCATION is the script position for the message, or NULL. */
void stp_kread_fault(struct stp_context *ctx, unsigned long addr, const char *location);

/* Reads a TYPE at kernel address ADDR without faulting; on a bad address records the error
 * and leaves the handler through its `out` label. A GNU statement expression. With
 * SKIP nonzero a bad address reads as zeroes instead. */
#define __STP_KREAD(addr, type, location, skip)                                        \
	({                                                                              \
		type __stp_val;                                                         \
		unsigned long __stp_addr = (unsigned long)(addr);                       \
		if (unlikely(copy_from_kernel_nofault(&__stp_val,                      \
						      (const void *)__stp_addr,         \
						      sizeof(type)))) {                 \
			memset(&__stp_val, 0, sizeof(__stp_val));                       \
			if (!(skip)) {                                                  \
				stp_kread_fault(&c->base, __stp_addr, (location));      \
				goto out;                                               \
			}                                                               \
		}                                                                       \
		__stp_val;                                                              \
	})

/* Target variables (the translator's text): with -DSTP_SKIP_BADVARS (stap --skip-badvars)
 * a value that can't be read is 0 rather than an error. */
#ifdef STP_SKIP_BADVARS
#define STP_KREAD_AT(addr, type, location) __STP_KREAD(addr, type, location, 1)
#else
#define STP_KREAD_AT(addr, type, location) __STP_KREAD(addr, type, location, 0)
#endif
#define STP_KREAD(addr, type) __STP_KREAD(addr, type, NULL, 0)

/* Writes the low SIZE (1, 2, 4, 8) bytes of VAL at kernel address ADDR without faulting.
 * The addresses copy_from_kernel_nofault() refuses (user space, non-canonical) and
 * unmapped or read-only pages give -EFAULT. For guru mode: target variable writes and
 * kwrite() in embedded C. */
static inline int stp_kwrite_nofault(unsigned long addr, u64 val, int size)
{
	if (addr < TASK_SIZE_MAX + PAGE_SIZE ||
	    !__is_canonical_address(addr, boot_cpu_data.x86_virt_bits))
		return -EFAULT;
	pagefault_disable();
	switch (size) {
	case 1: { u8 v = val; __put_kernel_nofault((void *)addr, &v, u8, fault); break; }
	case 2: { u16 v = val; __put_kernel_nofault((void *)addr, &v, u16, fault); break; }
	case 4: { u32 v = val; __put_kernel_nofault((void *)addr, &v, u32, fault); break; }
	default: __put_kernel_nofault((void *)addr, &val, u64, fault); break;
	}
	pagefault_enable();
	return 0;
fault:
	pagefault_enable();
	return -EFAULT;
}

/* Writes VALUE as a TYPE at kernel address ADDR (see stp_kwrite_nofault); on a bad address
 * records "write fault [man error::fault] at 0x..." and leaves the handler through its
 * `out` label. A GNU statement expression yielding VALUE (int64_t). */
#define STP_KWRITE_AT(addr, type, value, location)                                      \
	({                                                                              \
		unsigned long __stp_waddr = (unsigned long)(addr);                      \
		int64_t __stp_wval = (int64_t)(value);                                  \
		if (unlikely(stp_kwrite_nofault(__stp_waddr, (u64)__stp_wval,            \
						sizeof(type)))) {                       \
			stp_error(&c->base, (location),                                \
				  "write fault [man error::fault] at 0x%lx", __stp_waddr);      \
			goto out;                                                       \
		}                                                                       \
		__stp_wval;                                                             \
	})

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

/* The address of SYMBOL in the loaded module MODULE, or 0 if it is not loaded or has no
 * such symbol (runtime/linux/modsym.c). */
unsigned long stp_module_symbol(const char *module, const char *symbol);
/* The same for a module's global in target-variable text: not loaded is a run-time error
 * that leaves the handler through `out`. */
#define STP_MODULE_ADDR(module, symbol, location)                                      \
	({                                                                              \
		unsigned long __stp_maddr = stp_module_symbol((module), (symbol));      \
		if (unlikely(!__stp_maddr)) {                                           \
			stp_error(&c->base, (location),                                \
				  "module %s is not loaded (looking for %s)", (module),  \
				  (symbol));                                            \
			goto out;                                                       \
		}                                                                       \
		__stp_maddr;                                                            \
	})

#endif
