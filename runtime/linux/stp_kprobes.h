/* stp_kprobes.h - kprobe.function / kernel.function probes: kprobes and kretprobes placed
 * by symbol name (+ offset) or address. */
#ifndef STP_KPROBES_H
#define STP_KPROBES_H

#include <linux/kprobes.h>
#include "../stp_runtime.h"

struct stp_kprobe {
	const struct stp_probe *probe;
	const char *symbol;         /* "name" or "module:name", or NULL to use addr */
	unsigned long offset;       /* from symbol */
	unsigned long addr;         /* absolute address when symbol is NULL */
	bool is_return;
	int maxactive;              /* kretprobe instances; 0 = the kernel's default */
	/* A return probe that saves values at entry (@entry, $var in .return): entry_probe
	 * runs at the call with c->probe_data pointing at data_size bytes kept for that call,
	 * whose first s64 it sets to 1 when it completed; the return handler then gets the
	 * same bytes. A call whose entry part did not complete is not followed. */
	const struct stp_probe *entry_probe;
	size_t data_size;
	/* The probe's own pre-handler (STP_KPROBE_HANDLER), or NULL for the generic one. */
	int (*pre_handler)(struct kprobe *kp, struct pt_regs *regs);
	bool registered;
	union {
		struct kprobe kp;
		struct kretprobe krp;
	} u;
};

/* A kprobe hit: PROBE (whose handler is HANDLER) runs with the registers, ip showing the
 * probed address (the breakpoint left it past the probed instruction; SystemTap shows the
 * address itself) and put back for the kernel afterwards. Kprobe handlers run with
 * preemption off. */
static __always_inline int stp_kprobe_hit(struct kprobe *kp, struct pt_regs *regs,
					  const struct stp_probe *probe,
					  void (*handler)(struct stp_context *c))
{
	unsigned long ip = regs->ip;

	if (unlikely(atomic_read(&stp_session_state) != STP_STATE_RUNNING))
		return 0;
	regs->ip = (unsigned long)kp->addr;
	__stp_run_hit(probe, handler, regs, NULL, MAXACTION, true);
	regs->ip = ip;
	return 0;
}

/* Defines NAME, the pre-handler of PROBE alone, whose handler is the function HANDLER:
 * called directly (and usually inlined), not through a function pointer. notrace: no
 * ftrace call site in the hot path. */
#define STP_KPROBE_HANDLER(name, probe, handler)                               \
	static notrace int name(struct kprobe *kp, struct pt_regs *regs)       \
	{                                                                      \
		return stp_kprobe_hit(kp, regs, &(probe), handler);            \
	}

/* Registers every probe; one that the kernel refuses is reported as a warning and left
 * out. A probe in a module ("module:name") that is not loaded is registered when the
 * module is loaded, and unregistered when it goes away (as often as that happens). Fails
 * (-errno) only if nothing could be registered or deferred. */
int stp_kprobes_register(struct stp_kprobe *probes, int n);
void stp_kprobes_unregister(struct stp_kprobe *probes, int n);

#endif
