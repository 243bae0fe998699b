/* stp_tracepoints.h - kernel.trace("NAME") probes: callbacks on the kernel's tracepoints.
 *
 * Each probe is one callback registered on the tracepoint named NAME (looked up with
 * for_each_kernel_tracepoint). The callback receives the tracepoint's NARGS arguments as
 * unsigned longs (x86_64 passes each in one register or stack slot) and makes them
 * visible to the probe handler, for the duration of the hit, through
 * stp_tp_args_current(): the generated code reads argument i as stp_tp_args_current()[i]
 * and narrows it to its type itself.
 */
#ifndef STP_TRACEPOINTS_H
#define STP_TRACEPOINTS_H

#include <linux/tracepoint.h>
#include "../stp_runtime.h"

/* Keep in step with TP_MAXARGS in translator/probes/tracepoint.c. */
#define STP_TP_MAXARGS 12

struct stp_tracepoint {
	const struct stp_probe *probe;
	const char *name;           /* the tracepoint, as struct tracepoint.name has it */
	int nargs;                  /* its arguments after the data pointer, 0..STP_TP_MAXARGS */
	struct tracepoint *tp;      /* found at registration */
	bool registered;
};

/* Registers every probe; one whose tracepoint is missing or refused is reported as a
 * warning and left out. Fails (-errno) only if none could be registered. */
int stp_tracepoints_register(struct stp_tracepoint *tps, int n);
/* Unregisters them and waits until no callback runs any more. */
void stp_tracepoints_unregister(struct stp_tracepoint *tps, int n);

/* The arguments of the tracepoint hit being handled on this CPU (in probe handlers). */
const unsigned long *stp_tp_args_current(void);

#endif
