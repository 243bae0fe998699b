/* kprobe.h - what kprobe-based families (kprobe.*, kernel.function/statement) resolve a
 * probe to; the kprobe family emits the runtime table for all of them. */
#ifndef STAP_PROBES_KPROBE_H
#define STAP_PROBES_KPROBE_H

#include "probes.h"

struct kprobe_data {
	const char *symbol;        /* "name" / "module:name", or NULL for an absolute address */
	unsigned long long offset; /* from symbol */
	unsigned long long addr;   /* absolute address */
	int is_return;
	int maxactive;             /* .maxactive(N), 0 = default */
};

extern const struct probe_family kprobe_family;
struct sym_table;
/* The target kernel's symbol table, loaded once per translation (NULL + a warning if
 * it can't be found). */
struct sym_table *kernel_symbols(struct session *s);

#endif
