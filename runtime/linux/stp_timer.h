/* timer.h - timer.s/ms/us/ns/hz/jiffies(N)[.randomize(M)] probes on hrtimers. */
#ifndef STP_TIMER_H
#define STP_TIMER_H

#include <linux/hrtimer.h>
#include "../stp_runtime.h"

struct stp_timer {
	const struct stp_probe *probe;
	u64 period_ns;
	u64 randomize_ns;       /* each period is period_ns +/- up to randomize_ns */
	struct hrtimer hr;
};

int stp_timers_start(struct stp_timer *timers, int n);
void stp_timers_stop(struct stp_timer *timers, int n);

#endif
