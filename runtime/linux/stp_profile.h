/* stp_profile.h - timer.profile / timer.profile.tick: a probe on every CPU's tick. */
#ifndef STP_PROFILE_H
#define STP_PROFILE_H

#include <linux/hrtimer.h>
#include "../stp_runtime.h"

struct stp_profile_cpu;

struct stp_profile {
	const struct stp_probe *probe;
	struct stp_profile_cpu __percpu *cpus;
};

/* Starts a pinned hrtimer with the tick's period (TICK_NSEC) on each online CPU, and on
 * each CPU brought online later (one taken offline stops ticking). */
int stp_profile_start(struct stp_profile *profiles, int n);
void stp_profile_stop(struct stp_profile *profiles, int n);

#endif
