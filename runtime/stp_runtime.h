/* stp_runtime.h - the kernel runtime's interface, included by every generated module.
 *
 * The runtime (runtime/ and runtime/linux/) is real C compiled into the module next to
 * the translator's generated unit. The generated unit provides the probe handlers, globals
 * and the start/stop functions declared under "provided by the generated code"; the runtime
 * provides module init/exit, the transport to stapio, per-CPU contexts, output buffering,
 * error reporting and the limits. Every limit can be overridden with -D NAME=VALUE.
 */
#ifndef STP_RUNTIME_H
#define STP_RUNTIME_H

#include <linux/kernel.h>
#include <linux/types.h>
#include <linux/string.h>
#include <linux/percpu.h>
#include <linux/atomic.h>
#include <linux/ptrace.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/preempt.h>
#include <linux/irqflags.h>
#include <linux/delay.h>
#include <asm/asm.h>

/* Kernel log lines name the module at run time, not through KBUILD_MODNAME, so the runtime's
 * objects are the same for every module and pass 4 can build them once per kernel and -D
 * set (see translator/fastbuild.c). */
#include <linux/module.h>
#undef pr_err
#undef pr_warn
#undef pr_notice
#undef pr_info
#define stp_pr(level, fmt, ...) printk(level "%s: " fmt, THIS_MODULE->name, ##__VA_ARGS__)
#define pr_err(fmt, ...) stp_pr(KERN_ERR, fmt, ##__VA_ARGS__)
#define pr_warn(fmt, ...) stp_pr(KERN_WARNING, fmt, ##__VA_ARGS__)
#define pr_notice(fmt, ...) stp_pr(KERN_NOTICE, fmt, ##__VA_ARGS__)
#define pr_info(fmt, ...) stp_pr(KERN_INFO, fmt, ##__VA_ARGS__)
#include "transport_msgs.h"
#include "map.h"
#include "format.h"

/* ---- limits ---- */
#ifndef MAXSTRINGLEN
#define MAXSTRINGLEN 512
#endif
#ifndef MAXACTION
#define MAXACTION 1000            /* statements per probe hit */
#endif
#ifndef MAXACTION_INTERRUPTIBLE
#define MAXACTION_INTERRUPTIBLE (MAXACTION * 10) /* ... of a begin, end or error probe */
#endif
#ifndef MAXNESTING
#define MAXNESTING 10             /* nested function calls */
#endif
#ifndef MAXERRORS
#define MAXERRORS 0               /* runtime errors tolerated before the script stops */
#endif
#ifndef MAXSKIPPED
#define MAXSKIPPED 100            /* skipped probe hits tolerated before the script stops */
#endif
#ifndef MAXTRYLOCK
#define MAXTRYLOCK 1000           /* attempts at a contended lock before a hit is skipped */
#endif
#ifndef TRYLOCKDELAY
#define TRYLOCKDELAY 1            /* microseconds between those attempts */
#endif
#ifndef INTERRUPTIBLE
#define INTERRUPTIBLE 1           /* 1: handlers run with interrupts on (0: masked) */
#endif
#ifndef MINSTACKSPACE
#define MINSTACKSPACE 1024        /* kernel stack bytes a probe hit needs left, else skipped */
#endif
#ifndef STP_PRINT_BUFSIZE
#define STP_PRINT_BUFSIZE 8192    /* per-CPU output staged during one probe hit */
#endif
#ifndef STP_RELAY_SUBBUF_SIZE
#define STP_RELAY_SUBBUF_SIZE (64 * 1024)
#endif
#ifndef STP_RELAY_N_SUBBUFS
#define STP_RELAY_N_SUBBUFS 16
#endif

#include "map_fast.h"

typedef int64_t stp_long;

/* Session states: probes other than begin/end/error run only while RUNNING. */
enum stp_state { STP_STATE_STARTING, STP_STATE_RUNNING, STP_STATE_STOPPING, STP_STATE_STOPPED };

struct stp_context;

/* One probe as the generated unit describes it. */
struct stp_probe {
	const char *pp;                 /* the probe point after resolution, for pp() */
	const char *pn;                 /* the probe point as the script wrote it, for pn() */
	void (*handler)(struct stp_context *c);
};

/* The per-CPU probe context. The generated unit embeds this as the first member of its own
 * `struct context`, whose remainder holds the locals and temporaries of probes and
 * functions, so nothing large lives on the kernel stack. A hit sets only the fields up to
 * probe_data; error_buf is written only on an error. */
struct stp_context {
	const char *probe_point;        /* pp() of the running probe */
	const char *probe_name;         /* pn(): its point as the script wrote it */
	const char *last_error;         /* set by stp_error(); the handler unwinds */
	const char *error_location;     /* "operator '/' at FILE:L:C" of the failing code */
	long actionremaining;           /* MAXACTION budget for this hit */
	int nesting;                    /* function call depth */
	struct pt_regs *regs;           /* registers at the probe hit, or NULL */
	void *probe_data;               /* the event's own data (a kretprobe instance's
					   values saved at entry for @entry), or NULL */
	char error_buf[MAXSTRINGLEN];   /* formatted message for last_error (error()'s
					   whole message: a catch gets all of it) */
};

/* ---- provided by the generated code ---- */
extern const size_t stp_context_size;
extern const char stp_script_name[];
int stp_probes_start(void);             /* begin probes, then register the event probes */
void stp_probes_stop(void);             /* unregister the event probes, then end probes */
int stp_globals_init(void);
void stp_globals_free(void);

/* ---- session and probe entry (runtime/context.c) ---- */
extern atomic_t stp_session_state;
extern atomic_t stp_error_count, stp_skipped_count;
/* Runs one event probe hit (only while the session runs): takes this CPU's context (skips
 * the hit if busy), runs the handler, reports an error, flushes the output. regs may be
 * NULL where the event has none. Out-of-line forms of stp_run_probe_inline() below. */
void stp_run_probe(const struct stp_probe *p, struct pt_regs *regs);
/* The same, with DATA as the hit's c->probe_data. */
void stp_run_probe_data(const struct stp_probe *p, struct pt_regs *regs, void *data);
/* Counts a skipped probe hit (ends the script past MAXSKIPPED). */
void stp_note_skipped(void);
/* Counts a hit skipped because a probe already runs on this CPU (an interrupt or a
 * function the handler calls): with INTERRUPTIBLE, not held against MAXSKIPPED. */
void stp_note_reentrant(void);
/* Counts N hits that the kernel itself skipped (kprobes hit inside a probe handler),
 * as reentrant skips. */
void stp_note_missed(unsigned long n);
/* Reports the error recorded in c (ends the script past MAXERRORS). */
void stp_report_error(struct stp_context *c);
/* last_error of a handler that abort() ends: unwinds like an error, but no try catches
 * it and it is neither reported nor counted. */
extern const char stp_abort_msg[];

/* Global locks: a count of readers, or -1 while a writer holds it. Only bounded trylocks
 * are used (a hit that waits more than MAXTRYLOCK * TRYLOCKDELAY us, 1 ms by default, is
 * skipped), so they can never deadlock, even when an interrupt or NMI probe meets a lock
 * its CPU holds; the wait is long enough for a holder that an interrupt delayed. Inline
 * and without preemption bookkeeping: handlers already run with preemption off.
 * Zero-initialised is unlocked. */
typedef struct {
	atomic_t v;
} stp_rwlock_t;

static __always_inline bool stp_read_trylock(stp_rwlock_t *l)
{
	int i, old;

	for (i = 0; i < MAXTRYLOCK; i++) {
		old = atomic_read(&l->v);
		if (likely(old >= 0) && likely(atomic_try_cmpxchg_acquire(&l->v, &old, old + 1)))
			return true;
		udelay(TRYLOCKDELAY);
	}
	return false;
}

static __always_inline void stp_read_unlock(stp_rwlock_t *l)
{
	atomic_dec_return_release(&l->v);
}

static __always_inline bool stp_write_trylock(stp_rwlock_t *l)
{
	int i, old;

	for (i = 0; i < MAXTRYLOCK; i++) {
		old = 0;
		if (likely(atomic_try_cmpxchg_acquire(&l->v, &old, -1)))
			return true;
		udelay(TRYLOCKDELAY);
	}
	return false;
}

static __always_inline void stp_write_unlock(stp_rwlock_t *l)
{
	atomic_set_release(&l->v, 0);
}

/* Runs probes in order (begin/end/error lists) in process context. */
void stp_run_probe_list(const struct stp_probe *const *list, int n);
/* Records a runtime error in the context; the handler unwinds at the next check. */
void stp_error(struct stp_context *c, const char *location, const char *fmt, ...)
	__printf(3, 4);
/* exit(): end the script after the current probe; the end probes still run. */
void stp_request_exit(void);
/* Whether the current task runs as the user who loaded the module (runtime/linux/module.c). */
bool stp_is_myproc(void);
int stp_contexts_alloc(void);
void stp_contexts_free(void);

/* ---- output (runtime/print.c) ---- */
int stp_print_alloc(void);
void stp_print_free(void);
void stp_print_str(const char *s);
void stp_print_mem(const char *s, size_t len);
void stp_print_char(char ch);
void stp_printf(const char *fmt, ...) __printf(1, 2);
void stp_print_flush(void);
/* How much output this CPU has staged: the hot path checks it inline. */
DECLARE_PER_CPU(size_t, stp_print_len);
/* printf's direct access: the free part of this CPU's buffer (after a flush), then how
 * much of it was written. */
char *stp_print_window(size_t *room);
char *stp_print_window_flushed(size_t *room);
void stp_print_commit(size_t n);

/* ---- strings (runtime/string.c) ---- */
/* Copies/appends with truncation at MAXSTRINGLEN - 1 bytes; dst always NUL-terminated. */
void stp_strcpy(char *dst, const char *src);
void stp_strcat(char *dst, const char *src);
void stp_sprintf(char *dst, const char *fmt, ...) __printf(2, 3);

/* ---- transport (runtime/linux/transport.c) ---- */
int stp_transport_init(const char *module_name);
void stp_transport_exit(void);
/* Queues a control message to stapio; safe in any context (drops if the queue is full). */
void stp_ctl_send(u32 type, const void *data, u32 len);
/* Writes bytes to the relay buffer; returns 0 or -ENOSPC (bytes counted as dropped). */
int stp_relay_write(const void *data, size_t len);
extern atomic64_t stp_dropped_bytes;
/* Called by the transport when stapio sends a command (process context). */
void stp_handle_command(u32 type, const void *data, u32 len);

/* ---- the hot path of a probe hit ---- */
DECLARE_PER_CPU(int, stp_busy);                         /* a probe runs on this CPU */
DECLARE_PER_CPU(struct stp_context *, stp_cpu_context); /* this CPU's context */

/* Less than MINSTACKSPACE bytes of kernel stack left? Task stacks are THREAD_SIZE-aligned,
 * so the stack pointer's offset in its THREAD_SIZE block is what is left; other stacks
 * (interrupts, exceptions) need not be aligned, and a hit on them runs unless
 * MINSTACKSPACE is more than any stack has (__stp_stack_low, context.c). */
bool __stp_stack_low(unsigned long sp);
static __always_inline bool stp_stack_low(void)
{
	unsigned long sp = current_stack_pointer;

	return unlikely((sp & (THREAD_SIZE - 1)) < MINSTACKSPACE) && __stp_stack_low(sp);
}

/* Runs one hit of p (whose handler is HANDLER) in this CPU's context, for event probes
 * and lifecycle probes alike. Preemption stays off throughout (PREEMPT_OFF: the caller
 * runs with it off already, as kprobe handlers do); interrupts too unless INTERRUPTIBLE. A
 * hit that comes while a probe already runs on the CPU (from an interrupt, an NMI, or
 * something the handler calls) is skipped and counted, and so is one with too little
 * stack left (stp_stack_low). Only the fields a handler reads are set: no clearing of the
 * context or its frames; nesting is 0 between hits (every call restores it), and
 * probe_data is read only by handlers that are given it. With p and HANDLER known at
 * compile time, the handler is called directly and may be inlined. */
static __always_inline void __stp_run_hit(const struct stp_probe *p,
					  void (*handler)(struct stp_context *c),
					  struct pt_regs *regs, void *data, long maxaction,
					  bool preempt_off)
{
	struct stp_context *c;
	unsigned long flags = 0;

	if (unlikely(stp_stack_low())) {
		stp_note_skipped();
		return;
	}
	if (!INTERRUPTIBLE)
		local_irq_save(flags);
	else if (!preempt_off)
		preempt_disable();
	if (unlikely(this_cpu_inc_return(stp_busy) != 1)) {
		this_cpu_dec(stp_busy);
		if (!INTERRUPTIBLE)
			local_irq_restore(flags);
		else if (!preempt_off)
			preempt_enable();
		stp_note_reentrant();
		return;
	}
	c = this_cpu_read(stp_cpu_context);
	c->probe_point = p->pp;
	c->probe_name = p->pn;
	c->last_error = NULL;
	c->actionremaining = maxaction;
	c->regs = regs;
	if (data)                       /* only handlers given data read it */
		c->probe_data = data;
	handler(c);
	if (unlikely(c->last_error))
		stp_report_error(c);
	if (this_cpu_read(stp_print_len))
		stp_print_flush();
	this_cpu_dec(stp_busy);
	if (!INTERRUPTIBLE)
		local_irq_restore(flags);
	else if (!preempt_off)
		preempt_enable();
}

static __always_inline void stp_run_hit(const struct stp_probe *p, struct pt_regs *regs,
					void *data, long maxaction)
{
	__stp_run_hit(p, p->handler, regs, data, maxaction, false);
}

/* stp_run_probe(), inlined into an event family's handler. */
static __always_inline void stp_run_probe_inline(const struct stp_probe *p,
						 struct pt_regs *regs, void *data)
{
	if (likely(atomic_read(&stp_session_state) == STP_STATE_RUNNING))
		stp_run_hit(p, regs, data, MAXACTION);
}

/* Hot-path check emitted before each statement: bounds the work of one probe hit. */
#define STP_ACTION(c, loc) \
	do { \
		if (unlikely(--(c)->actionremaining < 0)) { \
			stp_error((c), (loc), "MAXACTION exceeded"); \
			goto out; \
		} \
	} while (0)

#endif
