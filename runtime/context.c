// SPDX-License-Identifier: GPL-2.0
/* context.c - per-CPU probe contexts, probe entry and exit, runtime errors.
 *
 * Every probe hit goes through stp_run_probe(): it claims this CPU's context (a hit that
 * arrives while a probe already runs on the CPU is skipped and counted), runs the generated
 * handler with preemption off, reports the handler's error if any, and flushes the output
 * the hit produced. Errors beyond MAXERRORS and skips beyond MAXSKIPPED end the script.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/preempt.h>
#include <linux/irqflags.h>
#include "stp_runtime.h"

atomic_t stp_session_state = ATOMIC_INIT(STP_STATE_STARTING);
atomic_t stp_error_count = ATOMIC_INIT(0);
atomic_t stp_skipped_count = ATOMIC_INIT(0);

/* One context per possible CPU. Contexts hold every frame of every nesting level and can
 * be far larger than the per-CPU allocator allows, so each is vmalloc'ed. */
static struct stp_context **stp_contexts;

int stp_contexts_alloc(void)
{
	int cpu;

	stp_contexts = kcalloc(nr_cpu_ids, sizeof(*stp_contexts), GFP_KERNEL);
	if (!stp_contexts)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		stp_contexts[cpu] = vzalloc(stp_context_size);
		if (!stp_contexts[cpu])
			return -ENOMEM;
	}
	return 0;
}

void stp_contexts_free(void)
{
	int cpu;

	if (!stp_contexts)
		return;
	for_each_possible_cpu(cpu)
		vfree(stp_contexts[cpu]);
	kfree(stp_contexts);
	stp_contexts = NULL;
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

static void report_error(struct stp_context *c)
{
	char msg[256];
	int n;

	if (c->error_location)
		n = scnprintf(msg, sizeof(msg), "ERROR: %s near %s\n", c->last_error,
			      c->error_location);
	else
		n = scnprintf(msg, sizeof(msg), "ERROR: %s\n", c->last_error);
	stp_ctl_send(STP_OOB_ERROR, msg, n);
	if (atomic_inc_return(&stp_error_count) > MAXERRORS)
		stp_request_exit();
}

void stp_note_skipped(void)
{
	if (atomic_inc_return(&stp_skipped_count) > MAXSKIPPED) {
		static const char msg[] = "ERROR: Skipped too many probes, check MAXSKIPPED "
					  "or try again with stap -t for more details.\n";
		stp_ctl_send(STP_OOB_ERROR, msg, sizeof(msg) - 1);
		stp_request_exit();
	}
}

/* begin, end and error probes are run by the lifecycle code itself; event probes (kprobes,
 * timers, tracepoints) only while the session runs. */
static void run_probe(const struct stp_probe *p, struct pt_regs *regs, bool lifecycle)
{
	struct stp_context *c;
	unsigned long flags;
	int state = atomic_read(&stp_session_state);

	if (lifecycle ? state == STP_STATE_STOPPED : state != STP_STATE_RUNNING)
		return;
	local_irq_save(flags);
	c = stp_contexts[smp_processor_id()];
	if (atomic_inc_return(&c->busy) != 1) {
		atomic_dec(&c->busy);
		local_irq_restore(flags);
		stp_note_skipped();
		return;
	}
	c->probe_point = p->pp;
	c->last_error = NULL;
	c->error_location = NULL;
	c->actionremaining = MAXACTION;
	c->nesting = 0;
	c->regs = regs;

	p->handler(c);

	if (unlikely(c->last_error))
		report_error(c);
	stp_print_flush();
	atomic_dec(&c->busy);
	local_irq_restore(flags);
}

void stp_run_probe(const struct stp_probe *p, struct pt_regs *regs)
{
	run_probe(p, regs, false);
}

void stp_run_probe_list(const struct stp_probe *const *list, int n)
{
	int i;

	for (i = 0; i < n; i++)
		run_probe(list[i], NULL, true);
}
