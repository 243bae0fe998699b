// SPDX-License-Identifier: GPL-2.0
/* profile.c - timer.profile probes: the kernel no longer lets modules hook the profiling
 * tick, so each probe gets one hrtimer per CPU, pinned to it, firing every TICK_NSEC (once
 * per jiffy, as the tick does) and handing the interrupted registers to the probe. The
 * timers follow CPU hotplug through a dynamic hotplug state whose callbacks run on the CPU
 * concerned: started on each CPU online when the module starts and on every CPU brought
 * online later, cancelled on a CPU before it goes offline (instead of moving to another
 * CPU, which would then tick twice). */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/percpu.h>
#include <linux/cpuhotplug.h>
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

/* The profiles of this module (one module, one set): the hotplug callbacks' data. */
static struct stp_profile *stp_prof;
static int stp_prof_n;
static int stp_prof_state;             /* the dynamic hotplug state, or 0 */

static int profile_cpu_online(unsigned int cpu)
{
	int i;

	for (i = 0; i < stp_prof_n; i++) {
		struct stp_profile_cpu *pc = per_cpu_ptr(stp_prof[i].cpus, cpu);

		pc->started = true;
		hrtimer_start(&pc->hr, ns_to_ktime(TICK_NSEC), HRTIMER_MODE_REL_PINNED);
	}
	return 0;
}

static int profile_cpu_offline(unsigned int cpu)
{
	int i;

	for (i = 0; i < stp_prof_n; i++) {
		struct stp_profile_cpu *pc = per_cpu_ptr(stp_prof[i].cpus, cpu);

		hrtimer_cancel(&pc->hr);
		pc->started = false;
	}
	return 0;
}

int stp_profile_start(struct stp_profile *profiles, int n)
{
	int i, cpu, rc;

	for (i = 0; i < n; i++) {
		profiles[i].cpus = alloc_percpu(struct stp_profile_cpu);
		if (!profiles[i].cpus) {
			stp_profile_stop(profiles, i);
			return -ENOMEM;
		}
		for_each_possible_cpu(cpu) {
			struct stp_profile_cpu *pc = per_cpu_ptr(profiles[i].cpus, cpu);

			pc->probe = profiles[i].probe;
			hrtimer_init(&pc->hr, CLOCK_MONOTONIC, HRTIMER_MODE_REL_PINNED);
			pc->hr.function = profile_tick;
		}
	}
	stp_prof = profiles;
	stp_prof_n = n;
	rc = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "stap/profile:online", profile_cpu_online,
			       profile_cpu_offline);
	if (rc < 0) {
		stp_profile_stop(profiles, n);
		return rc;
	}
	stp_prof_state = rc;
	return 0;
}

void stp_profile_stop(struct stp_profile *profiles, int n)
{
	int i, cpu;

	if (stp_prof_state > 0) {
		cpuhp_remove_state(stp_prof_state);
		stp_prof_state = 0;
	}
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
	stp_prof_n = 0;
}
