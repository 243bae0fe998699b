// SPDX-License-Identifier: GPL-2.0
/* timer.c - interval timer probes. Each timer probe owns an hrtimer that re-arms itself
 * until the session stops; the handler runs in the timer's interrupt context with the
 * interrupted registers. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/random.h>
#include <asm/irq_regs.h>
#include "stp_timer.h"

static ktime_t next_period(const struct stp_timer *t)
{
	u64 ns = t->period_ns;

	if (t->randomize_ns) {
		u64 span = 2 * t->randomize_ns + 1;

		ns = ns - t->randomize_ns + get_random_u32_below(span > U32_MAX ? U32_MAX : span);
	}
	return ns_to_ktime(max_t(u64, ns, 1000));
}

static enum hrtimer_restart timer_fired(struct hrtimer *hr)
{
	struct stp_timer *t = container_of(hr, struct stp_timer, hr);

	stp_run_probe(t->probe, get_irq_regs());
	if (atomic_read(&stp_session_state) != STP_STATE_RUNNING &&
	    atomic_read(&stp_session_state) != STP_STATE_STARTING)
		return HRTIMER_NORESTART;
	hrtimer_forward_now(hr, next_period(t));
	return HRTIMER_RESTART;
}

int stp_timers_start(struct stp_timer *timers, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		hrtimer_init(&timers[i].hr, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
		timers[i].hr.function = timer_fired;
		hrtimer_start(&timers[i].hr, next_period(&timers[i]), HRTIMER_MODE_REL);
	}
	return 0;
}

void stp_timers_stop(struct stp_timer *timers, int n)
{
	int i;

	for (i = 0; i < n; i++)
		hrtimer_cancel(&timers[i].hr);
}
