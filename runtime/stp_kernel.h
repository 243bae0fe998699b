/* stp_kernel.h - the kernel headers every generated unit sees first.
 *
 * Pass 4 compiles the generated C with `-include stp_kernel.h` (kbuild and fast path alike),
 * and the fast path precompiles this header once per kernel (a GCC precompiled header), so
 * that a script's unit parses only its own code and the runtime's small headers. List here
 * the heavy headers that the runtime's interfaces and the tapsets' embedded C commonly use;
 * nothing here may depend on -D options or the module's name.
 */
#ifndef STP_KERNEL_H
#define STP_KERNEL_H

#include <linux/kernel.h>
#include <linux/types.h>
#include <linux/string.h>
#include <linux/percpu.h>
#include <linux/atomic.h>
#include <linux/ptrace.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/kprobes.h>
#include <linux/tracepoint.h>
#include <linux/hrtimer.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/timekeeping.h>
#include <linux/kallsyms.h>

#endif
