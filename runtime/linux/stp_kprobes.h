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
	bool registered;
	union {
		struct kprobe kp;
		struct kretprobe krp;
	} u;
};

/* Registers every probe; one that the kernel refuses is reported as a warning and left
 * out. Fails (-errno) only if none could be registered. */
int stp_kprobes_register(struct stp_kprobe *probes, int n);
void stp_kprobes_unregister(struct stp_kprobe *probes, int n);

#endif
