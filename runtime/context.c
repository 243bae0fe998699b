// SPDX-License-Identifier: GPL-2.0
/* context.c - per-CPU probe contexts, probe entry and exit, runtime errors.
 *
 * Every probe hit goes through stp_run_hit() (stp_runtime.h, inlined into the event
 * families' handlers): it claims this CPU's context (a hit that arrives while a probe
 * already runs on the CPU is skipped and counted), runs the generated handler with
 * preemption off (and interrupts off unless INTERRUPTIBLE), reports the handler's error if
 * any, and flushes the output the hit produced. This file holds the contexts and the cold
 * paths: errors beyond MAXERRORS and skips beyond MAXSKIPPED end the script. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/preempt.h>
#include <linux/irqflags.h>
#include <linux/sched/task_stack.h>
#include "stp_runtime.h"

atomic_t stp_session_state = ATOMIC_INIT(STP_STATE_STARTING);
atomic_t stp_error_count = ATOMIC_INIT(0);
atomic_t stp_skipped_count = ATOMIC_INIT(0);

/* Skips held against MAXSKIPPED: all but the reentrant ones while INTERRUPTIBLE. */
static atomic_t skipped_limited = ATOMIC_INIT(0);

/* One context per possible CPU. Contexts hold every frame of every nesting level and can
 * be far larger than the per-CPU allocator allows, so each is vmalloc'ed; a per-CPU
 * pointer finds it in one load. stp_busy is the CPU's reentrancy guard. */
DEFINE_PER_CPU(struct stp_context *, stp_cpu_context);
DEFINE_PER_CPU(int, stp_busy);

int stp_contexts_alloc(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		per_cpu(stp_cpu_context, cpu) = vzalloc(stp_context_size);
		if (!per_cpu(stp_cpu_context, cpu))
			return -ENOMEM;
	}
	return 0;
}

void stp_contexts_free(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		vfree(per_cpu(stp_cpu_context, cpu));
		per_cpu(stp_cpu_context, cpu) = NULL;
	}
}

void stp_request_exit(void)
{
	int old = atomic_cmpxchg(&stp_session_state, STP_STATE_RUNNING, STP_STATE_STOPPING);

	/* exit() from a begin probe (STARTING) also ends the script once the start is done. */
	if (old == STP_STATE_STARTING)
		atomic_cmpxchg(&stp_session_state, STP_STATE_STARTING, STP_STATE_STOPPING);
	if (old == STP_STATE_RUNNING || old == STP_STATE_STARTING)
		stp_ctl_send(STP_REQUEST_EXIT, NULL, 0);
}

void stp_error(struct stp_context *c, const char *location, const char *fmt, ...)
{
	va_list ap;

	if (c->last_error)
		return;
	va_start(ap, fmt);
	vsnprintf(c->error_buf, sizeof(c->error_buf), fmt, ap);
	va_end(ap);
	c->last_error = c->error_buf;
	c->error_location = location;
}

const char stp_abort_msg[] = "abort";

void stp_report_error(struct stp_context *c)
{
	char msg[MAXSTRINGLEN + 128];
	int n;

	if (c->last_error == stp_abort_msg)
		return;

	if (c->error_location && *c->error_location)   /* "": error() gives no place */
		n = scnprintf(msg, sizeof(msg), "ERROR: %s near %s\n", c->last_error,
			      c->error_location);
	else
		n = scnprintf(msg, sizeof(msg), "ERROR: %s\n", c->last_error);
	stp_ctl_send(STP_OOB_ERROR, msg, n);
	if (atomic_inc_return(&stp_error_count) > MAXERRORS)
		stp_request_exit();
}

/* Is sp on the current task's stack (where its offset said too little is left)? */
bool __stp_stack_low(unsigned long sp)
{
	return MINSTACKSPACE >= THREAD_SIZE ||
	       sp - (unsigned long)task_stack_page(current) < THREAD_SIZE;
}

void stp_note_skipped(void)
{
	atomic_inc(&stp_skipped_count);
	if (atomic_inc_return(&skipped_limited) > MAXSKIPPED) {
		static const char msg[] = "ERROR: Skipped too many probes, check MAXSKIPPED "
					  "or try again with stap -t for more details.\n";
		stp_ctl_send(STP_OOB_ERROR, msg, sizeof(msg) - 1);
		stp_request_exit();
	}
}

void stp_note_reentrant(void)
{
	if (INTERRUPTIBLE)
		atomic_inc(&stp_skipped_count);
	else
		stp_note_skipped();
}

void stp_note_missed(unsigned long n)
{
	atomic_add((int)min_t(unsigned long, n, INT_MAX), &stp_skipped_count);
}

/* Event probes (kprobes, timers, tracepoints) run only while the session runs. */
void stp_run_probe(const struct stp_probe *p, struct pt_regs *regs)
{
	stp_run_probe_inline(p, regs, NULL);
}

void stp_run_probe_data(const struct stp_probe *p, struct pt_regs *regs, void *data)
{
	stp_run_probe_inline(p, regs, data);
}

/* begin, end and error probes are run by the lifecycle code itself, in process context,
 * with the larger MAXACTION_INTERRUPTIBLE budget. As in SystemTap, the probes of a list
 * stop running once the session leaves the state the list started in (exit() in a begin
 * probe skips the later begin probes) or has had more than MAXERRORS errors (an error in
 * an end probe skips the later end probes); error probes all run. */
void stp_run_probe_list(const struct stp_probe *const *list, int n)
{
	int state = atomic_read(&stp_session_state);
	bool erring = atomic_read(&stp_error_count) > MAXERRORS;
	int i;

	for (i = 0; i < n; i++) {
		if (atomic_read(&stp_session_state) != state || state == STP_STATE_STOPPED)
			break;
		if (!erring && atomic_read(&stp_error_count) > MAXERRORS)
			break;
		stp_run_hit(list[i], NULL, NULL, MAXACTION_INTERRUPTIBLE);
	}
}
