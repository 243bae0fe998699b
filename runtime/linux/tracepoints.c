// SPDX-License-Identifier: GPL-2.0
/* tracepoints.c - registration of kernel.trace probes and their callbacks.
 *
 * The kernel calls a tracepoint's probes as void probe(void *data, ARGS...). We register
 * one of stp_tp_cb0..stp_tp_cb12 (by argument count) with data = the stp_tracepoint. The
 * callback copies nothing: it puts its own arguments in an array on its stack, publishes a
 * pointer to it in a per-CPU slot for the handler (stp_tp_args_current()), runs the probe,
 * and puts the slot's previous value back. Saving and restoring makes nested hits on one
 * CPU (a tracepoint hit from an interrupt or NMI, or from code the handler itself calls,
 * such as a wakeup) see their own arguments; a nested hit is skipped by stp_run_probe()
 * anyway while a handler runs, so the running handler always reads its own hit's array.
 * Tracepoint probes run with preemption disabled.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/percpu.h>
#include "stp_tracepoints.h"

static DEFINE_PER_CPU(const unsigned long *, stp_tp_argv);

const unsigned long *stp_tp_args_current(void)
{
	return this_cpu_read(stp_tp_argv);
}

static __always_inline void tp_hit(void *data, const unsigned long *args)
{
	const struct stp_tracepoint *t = data;
	const unsigned long *saved = this_cpu_read(stp_tp_argv);

	this_cpu_write(stp_tp_argv, args);
	stp_run_probe(t->probe, NULL);
	this_cpu_write(stp_tp_argv, saved);
}

/* Parameter lists and argument lists of 1..12 unsigned longs. */
#define P1 unsigned long a0
#define P2 P1, unsigned long a1
#define P3 P2, unsigned long a2
#define P4 P3, unsigned long a3
#define P5 P4, unsigned long a4
#define P6 P5, unsigned long a5
#define P7 P6, unsigned long a6
#define P8 P7, unsigned long a7
#define P9 P8, unsigned long a8
#define P10 P9, unsigned long a9
#define P11 P10, unsigned long a10
#define P12 P11, unsigned long a11
#define V1 a0
#define V2 V1, a1
#define V3 V2, a2
#define V4 V3, a3
#define V5 V4, a4
#define V6 V5, a5
#define V7 V6, a6
#define V8 V7, a7
#define V9 V8, a8
#define V10 V9, a9
#define V11 V10, a10
#define V12 V11, a11

#define TP_CALLBACK(n)                                                  \
	static void stp_tp_cb##n(void *data, P##n)                      \
	{                                                               \
		const unsigned long args[n] = { V##n };                 \
		tp_hit(data, args);                                     \
	}

static void stp_tp_cb0(void *data)
{
	tp_hit(data, NULL);
}
TP_CALLBACK(1)
TP_CALLBACK(2)
TP_CALLBACK(3)
TP_CALLBACK(4)
TP_CALLBACK(5)
TP_CALLBACK(6)
TP_CALLBACK(7)
TP_CALLBACK(8)
TP_CALLBACK(9)
TP_CALLBACK(10)
TP_CALLBACK(11)
TP_CALLBACK(12)

static void *const stp_tp_callbacks[STP_TP_MAXARGS + 1] = {
	stp_tp_cb0, stp_tp_cb1, stp_tp_cb2, stp_tp_cb3, stp_tp_cb4, stp_tp_cb5, stp_tp_cb6,
	stp_tp_cb7, stp_tp_cb8, stp_tp_cb9, stp_tp_cb10, stp_tp_cb11, stp_tp_cb12,
};

struct tp_lookup {
	struct stp_tracepoint *tps;
	int n;
};

static void find_tracepoint(struct tracepoint *tp, void *priv)
{
	struct tp_lookup *l = priv;
	int i;

	for (i = 0; i < l->n; i++)
		if (!l->tps[i].tp && !strcmp(tp->name, l->tps[i].name))
			l->tps[i].tp = tp;
}

static void warn_registration(const struct stp_tracepoint *t, int rc)
{
	char msg[256];
	int n;

	n = scnprintf(msg, sizeof(msg), "WARNING: probe %s registration error (rc %d)%s\n",
		      t->probe->pp, rc, rc == -ENOENT ? ": no such tracepoint in this kernel" : "");
	stp_ctl_send(STP_OOB_WARNING, msg, n);
}

int stp_tracepoints_register(struct stp_tracepoint *tps, int n)
{
	struct tp_lookup l = { .tps = tps, .n = n };
	int i, ok = 0, rc = 0;

	for (i = 0; i < n; i++) {
		tps[i].tp = NULL;
		tps[i].registered = false;
	}
	for_each_kernel_tracepoint(find_tracepoint, &l);
	for (i = 0; i < n; i++) {
		int r;

		if (!tps[i].tp)
			r = -ENOENT;
		else if (tps[i].nargs < 0 || tps[i].nargs > STP_TP_MAXARGS)
			r = -EINVAL;
		else
			r = tracepoint_probe_register(tps[i].tp, stp_tp_callbacks[tps[i].nargs],
						      &tps[i]);
		tps[i].registered = r == 0;
		if (r) {
			warn_registration(&tps[i], r);
			rc = r;
		} else {
			ok++;
		}
	}
	return ok || !n ? 0 : rc;
}

void stp_tracepoints_unregister(struct stp_tracepoint *tps, int n)
{
	bool any = false;
	int i;

	for (i = 0; i < n; i++) {
		if (!tps[i].registered)
			continue;
		tracepoint_probe_unregister(tps[i].tp, stp_tp_callbacks[tps[i].nargs], &tps[i]);
		tps[i].registered = false;
		any = true;
	}
	/* Once for all: no callback may still run when the module goes. */
	if (any)
		tracepoint_synchronize_unregister();
}
