// SPDX-License-Identifier: GPL-2.0
/* profile.c - timer.profile probes: the kernel no longer lets modules hook the profiling
 * tick, so each probe gets one hrtimer per online CPU, pinned to it, firing every
 * TICK_NSEC (once per jiffy, as the tick does) and handing the interrupted registers to
 * the probe. The timers are started on their CPUs through on_each_cpu(); a CPU brought
 * online later has none, and a timer of a CPU taken offline moves to another one. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/percpu.h>
#include <linux/smp.h>
#include <asm/irq_regs.h>
#include "stp_profile.h"

struct stp_profile_cpu {
	struct hrtimer hr;
	const struct stp_probe *probe;
	bool started;
};

static enum hrtimer_restart profile_tick(struct hrtimer *hr)
{
	struct stp_profile_cpu *pc = container_of(hr, struct stp_profile_cpu, hr);
	int state = atomic_read(&stp_session_state);

	stp_run_probe(pc->probe, get_irq_regs());
	if (state != STP_STATE_RUNNING && state != STP_STATE_STARTING)
		return HRTIMER_NORESTART;
	hrtimer_forward_now(hr, ns_to_ktime(TICK_NSEC));
	return HRTIMER_RESTART;
}

static void start_here(void *arg)
{
	struct stp_profile *p = arg;
	struct stp_profile_cpu *pc = this_cpu_ptr(p->cpus);

	pc->probe = p->probe;
	hrtimer_init(&pc->hr, CLOCK_MONOTONIC, HRTIMER_MODE_REL_PINNED);
	pc->hr.function = profile_tick;
	pc->started = true;
	hrtimer_start(&pc->hr, ns_to_ktime(TICK_NSEC), HRTIMER_MODE_REL_PINNED);
}

int stp_profile_start(struct stp_profile *profiles, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		profiles[i].cpus = alloc_percpu(struct stp_profile_cpu);
		if (!profiles[i].cpus) {
			stp_profile_stop(profiles, i);
			return -ENOMEM;
		}
	}
	cpus_read_lock();
	for (i = 0; i < n; i++)
		on_each_cpu(start_here, &profiles[i], 1);
	cpus_read_unlock();
	return 0;
}

void stp_profile_stop(struct stp_profile *profiles, int n)
{
	int i, cpu;

	for (i = 0; i < n; i++) {
		if (!profiles[i].cpus)
			continue;
		for_each_possible_cpu(cpu) {
			struct stp_profile_cpu *pc = per_cpu_ptr(profiles[i].cpus, cpu);

			if (pc->started)
				hrtimer_cancel(&pc->hr);
		}
		free_percpu(profiles[i].cpus);
		profiles[i].cpus = NULL;
	}
}
