/* blacklist.c - kernel functions that kernel.function/statement probes refuse.
 *
 * Two sources, both checked at translation time so a script fails (or a wildcard skips
 * the function) instead of the kernel refusing the kprobe at load time:
 *
 *   the kernel's own kprobes blacklist   addresses in the text ranges the kernel never
 *                                        lets kprobes into (__kprobes_text, noinstr,
 *                                        entry and irqentry text, cpuidle text; bounds from
 *                                        the symbol table), and the functions listed with
 *                                        NOKPROBE_SYMBOL(): the array between
 *                                        __start_kprobe_blacklist and __stop_kprobe_
 *                                        blacklist, read from the vmlinux file itself
 *   names SystemTap refuses              code the probe machinery itself runs through
 *                                        (atomics, raw spinlocks, notifier chains) and
 *                                        the trap/NMI/oops paths
 *
 * Messages, as SystemTap words them: "function NAME is in blocklisted section" for the
 * ranges, "function NAME is blocklisted" otherwise; only for a point that names one
 * function and is not optional - wildcards and '?' skip such functions quietly.
 */
#include "kernel_addr.h"
#include "../arena.h"
#include "../dwarf.h"
#include "../symbols.h"

#include <fcntl.h>
#include <fnmatch.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const refused_names[] = {
	"atomic_*", "arch_atomic*", "_raw_*", "__raw_*",
	"notifier_call_chain", "atomic_notifier_call_chain",
	"do_int3", "do_debug", "default_do_nmi", "do_nmi", "unknown_nmi_error",
	"io_check_error", "mem_parity_error", "oops_begin", "oops_end", "__die",
	"sync_regs", "__do_softirq", "do_page_fault", "native_load_gs_index",
};

static const char *const ranges[][2] = {
	{ "__kprobes_text_start", "__kprobes_text_end" },
	{ "__noinstr_text_start", "__noinstr_text_end" },
	{ "__entry_text_start", "__entry_text_end" },
	{ "__irqentry_text_start", "__irqentry_text_end" },
	{ "__cpuidle_text_start", "__cpuidle_text_end" },
};
#define NRANGES (sizeof(ranges) / sizeof(ranges[0]))

static struct {
	int loaded;
	unsigned long long lo[NRANGES], hi[NRANGES];
	unsigned long long *nokprobe;   /* sorted */
	size_t n;
} bl;

static int cmp_addr(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a, y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

/* The NOKPROBE_SYMBOL() addresses: 8-byte words in the file's data at [lo, hi). */
static void read_nokprobe(const char *path, unsigned long long lo, unsigned long long hi)
{
	int fd = open(path, O_RDONLY);
	Elf *elf;
	Elf_Scn *scn = NULL;

	if (fd < 0)
		return;
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	while (elf && (scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS || lo < sh.sh_addr ||
		    hi > sh.sh_addr + sh.sh_size || !(d = elf_getdata(scn, NULL)) ||
		    !d->d_buf || d->d_size < hi - sh.sh_addr)
			continue;
		bl.n = (size_t)(hi - lo) / 8;
		bl.nokprobe = malloc((bl.n + 1) * sizeof(*bl.nokprobe));
		memcpy(bl.nokprobe, (const char *)d->d_buf + (lo - sh.sh_addr), bl.n * 8);
		qsort(bl.nokprobe, bl.n, sizeof(*bl.nokprobe), cmp_addr);
		break;
	}
	if (elf)
		elf_end(elf);
	close(fd);
}

static void load(struct session *s, struct dw_ctx *dw)
{
	struct sym_table *t = kernel_symbols(s);

	bl.loaded = 1;
	if (!t)
		return;
	for (size_t i = 0; i < NRANGES; i++) {
		const struct ksym *a = sym_lookup(t, ranges[i][0]), *b = sym_lookup(t, ranges[i][1]);

		if (a && b && a->addr < b->addr) {
			bl.lo[i] = a->addr;
			bl.hi[i] = b->addr;
		}
	}
	const struct ksym *a = sym_lookup(t, "__start_kprobe_blacklist");
	const struct ksym *b = sym_lookup(t, "__stop_kprobe_blacklist");
	if (a && b && a->addr < b->addr && b->addr - a->addr < (1 << 20))
		read_nokprobe(dw_path(dw), a->addr, b->addr);
}

/* 1: blocklisted, 2: in a blocklisted section, 0: fine. */
static int verdict(const char *name, unsigned long long pc, unsigned long long func_pc)
{
	for (size_t i = 0; i < NRANGES; i++)
		if (pc >= bl.lo[i] && pc < bl.hi[i])
			return 2;
	if (bl.n && (bsearch(&func_pc, bl.nokprobe, bl.n, sizeof(*bl.nokprobe), cmp_addr) ||
		     bsearch(&pc, bl.nokprobe, bl.n, sizeof(*bl.nokprobe), cmp_addr)))
		return 1;
	for (size_t i = 0; i < sizeof(refused_names) / sizeof(refused_names[0]); i++)
		if (name && fnmatch(refused_names[i], name, 0) == 0)
			return 1;
	return 0;
}

/* Whether NAME was warned about already (then it is not again: a function and its inlined
 * copies are one function to the script). */
static int warned(const char *name)
{
	static const char *seen[64];
	static int n;

	for (int i = 0; i < n; i++)
		if (name && !strcmp(seen[i], name))
			return 1;
	if (name && n < 64)
		seen[n++] = arena_strdup(g_arena, name);
	return 0;
}

/* Whether the point names exactly one function (no wildcard in its first argument). */
static int names_one(const struct node *point)
{
	const struct pp_comp *c = point->pp ? point->pp->next : NULL;

	return c && c->arg && (c->arg->kind != N_STRING || !strpbrk(c->arg->str, "*?["));
}

int kprobe_blacklisted(struct session *s, const struct node *point, struct dw_ctx *dw,
		       unsigned long long pc, const char *name)
{
	struct sym_table *t;
	uint64_t off = 0;
	const struct ksym *k;

	if (dw_is_relocatable(dw))
		return 0;               /* module code: the kernel's list covers vmlinux */
	if (!bl.loaded)
		load(s, dw);
	t = kernel_symbols(s);
	k = t ? sym_at(t, pc, &off) : NULL;
	if (!name)
		name = k ? k->name : NULL;
	int v = verdict(name, pc, k ? pc - off : pc);
	if (!v)
		return 0;
	if (names_one(point) && !point->optional && !warned(name)) {
		diag_warning(&point->loc, point->tok_desc,
			     v == 2 ? "function %s is in blocklisted section" : "function %s is blocklisted",
			     name ? name : "?");
	}
	return 1;
}
