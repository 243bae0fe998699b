/* stp_ustack.h - user-space stacks and symbols: the interface between the translator's
 * symbol tables, the runtime (ustack.c) and the ucontext tapsets.
 *
 * For each user binary named with -d (or found by --ldd) the translator emits a
 * struct stp_usym_file: the binary's function symbols sorted by *file offset* (so the same
 * table serves executables, PIE executables and shared libraries wherever they are
 * mapped), and what identifies the file when it is mapped: its base name, its size and,
 * when it has one, its GNU build-id and where that lies in the file. The generated unit
 * always defines stp_usyms (empty without -d).
 *
 * At run time an address of the current task is taken to a file offset (through
 * mm->start_code in the main executable, through its VMA elsewhere), the file is matched
 * against the tables, and the symbol is found by binary search. The stack itself is walked through frame pointers with fault-safe reads.
 */
#ifndef STP_USTACK_H
#define STP_USTACK_H

#include <linux/types.h>

struct stp_context;

struct stp_usym {
	unsigned long offset;           /* file offset of the function's first byte */
	unsigned int size;
	unsigned int name;              /* offset in the file's names */
};

struct stp_usym_file {
	const char *path;               /* as stap resolved it: what [MODULE] shows */
	const char *basename;           /* the mapped file's name must be this */
	const struct stp_usym *syms;    /* sorted by offset */
	unsigned int nsyms;
	const char *names;
	unsigned long file_size;        /* the mapped file's size must be this */
	unsigned long exec_vaddr;       /* its lowest executable PT_LOAD segment: where the */
	unsigned long exec_offset;      /* main executable's text (mm->start_code) begins */
	unsigned long exec_size;
	unsigned long build_id_off;     /* file offset of the build-id bytes */
	unsigned int build_id_len;      /* 0: the file has none */
	const unsigned char *build_id;
};

struct stp_usym_set {
	const struct stp_usym_file *files;
	unsigned int n;
};

/* Provided by the generated unit. */
extern const struct stp_usym_set stp_usyms;

/* What an address of the current task is. */
struct stp_usym_hit {
	bool mapped;                    /* inside a file-backed mapping */
	const struct stp_usym_file *file;       /* its symbol table, or NULL */
	const char *name;               /* the function, or NULL */
	unsigned long off, size;        /* address - function start, function size */
	unsigned long file_off;         /* the address's offset in the file */
};

/* How stp_usym_sprint() renders an address (SystemTap's layouts):
 *   FULL    " 0xADDR : NAME+0xOFF/0xSIZE [PATH]\n"  (print_ubacktrace)
 *   SIMPLE  "NAME+0xOFF [BASENAME]\n"               (sprint_ubacktrace)
 *   BRIEF   "NAME+0xOFF\n"                          (print_ubacktrace_brief)
 *   DATA    "NAME+0xOFF/0xSIZE [PATH]"              (usymdata)
 *   NAME    "NAME"                                  (usymname)
 *   USYMS   " 0xADDR : " DATA "\n"                  (print_usyms, sprint_usyms)
 * Without a symbol, NAME+0xOFF... is "0xADDR", followed by " [PATH+0xOFF/0xSIZE]" (the
 * offset in the file and its size; " [BASENAME+0xOFF]" for SIMPLE) when the file has a
 * table, and FULL drops its " 0xADDR :". */
enum stp_usym_style { STP_USYM_FULL, STP_USYM_SIMPLE, STP_USYM_BRIEF, STP_USYM_DATA,
		      STP_USYM_NAME, STP_USYM_USYMS };

#ifndef MAXBACKTRACE
#define MAXBACKTRACE 20                 /* frames of a user backtrace */
#endif

/* The user stack of the current task at the probe, innermost first, into pcs; returns the
 * number of frames (0 for a kernel thread). */
int stp_ustack_walk(struct stp_context *c, unsigned long *pcs, int max);
/* The user registers of the current task at the probe, or NULL. */
struct pt_regs *stp_user_regs(struct stp_context *c);
/* Looks addr up; with path (len bytes) also the mapped file's path ("" when there is
 * none). Returns 0, or -EBUSY when the address space was locked. */
int stp_usym_find(const struct stp_usym_set *set, unsigned long addr,
		  struct stp_usym_hit *hit, char *path, size_t len);
/* Renders addr in style into buf (len bytes, truncated); returns the length. Warns once
 * per file when a mapped file has no symbol table (SystemTap's "rerun with -d" hint). */
size_t stp_usym_sprint(const struct stp_usym_set *set, char *buf, size_t len,
		       unsigned long addr, enum stp_usym_style style);
/* The same into this CPU's output. */
void stp_usym_print(const struct stp_usym_set *set, unsigned long addr,
		    enum stp_usym_style style);
/* The same appended to dst (MAXSTRINGLEN bytes) if all of it fits; returns whether it
 * did. */
bool stp_usym_append(const struct stp_usym_set *set, char *dst, unsigned long addr,
		     enum stp_usym_style style);
/* Appends " 0xADDR" ("0xADDR" first) to dst if it fits; returns whether it did. */
bool stp_uhex_append(char *dst, unsigned long addr);
/* The next hex address of a string like ubacktrace()'s into addr; returns where the rest
 * begins, or NULL at the end. */
const char *stp_uaddr_next(const char *s, unsigned long *addr);

#endif
