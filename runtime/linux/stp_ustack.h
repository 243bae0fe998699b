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
 * When the script looks source lines up (usymfileline() ...), a binary with DWARF line
 * information also gets a struct stp_uline_table (translator/ulines.c): the file offsets
 * where a new source line starts, ascending, each with its line and source file.
 *
 * At run time an address of the current task is taken to a file offset (through
 * mm->start_code in the main executable, through its VMA elsewhere), the file is matched
 * against the tables, and the symbol (and line) is found by binary search. The stack
 * itself is walked through frame pointers with fault-safe reads.
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

/* Row k: from file offset offs[k] up to the next row's, the code is line lines[k] of
 * srcs[files[k]]; line 0 is code without a line (the end of a sequence, a gap). */
struct stp_uline_table {
	const unsigned int *offs;       /* ascending */
	const unsigned int *lines;
	const unsigned short *files;
	unsigned int n;
	const char *const *srcs;        /* source files, as addr2line names them */
	unsigned int nsrcs;
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
	const struct stp_uline_table *lines;    /* NULL: no lines (or none wanted) */
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
 * table, and FULL drops its " 0xADDR :".
 * The STP_ULINE_ styles need the binaries' line tables: a function using one in its
 * embedded C makes the translator emit them (translator/ulines.c looks for the prefix).
 *   STP_ULINE_FULL      FULL with " at FILE:LINE" before " [PATH]" (print_ubacktrace_fileline)
 *   STP_ULINE_FILELINE  "FILE:LINE", "FILE" without a line    (usymfileline)
 *   STP_ULINE_FILE      "FILE"                                 (usymfile)
 *   STP_ULINE_LINE      "LINE" in decimal                      (usymline)
 * each "0xADDR" when unknown (STP_ULINE_FULL: as FULL). Or'ed with STP_USYM_CALLER, the
 * address is a return address and its line is that of the call before it. */
enum stp_usym_style { STP_USYM_FULL, STP_USYM_SIMPLE, STP_USYM_BRIEF, STP_USYM_DATA,
		      STP_USYM_NAME, STP_USYM_USYMS, STP_ULINE_FULL, STP_ULINE_FILELINE,
		      STP_ULINE_FILE, STP_ULINE_LINE };
#define STP_USYM_CALLER 0x100

#ifndef MAXBACKTRACE
#define MAXBACKTRACE 20                 /* frames of a user backtrace */
#endif

/* The user stack of the current task at the probe, innermost first, into pcs; returns the
 * number of frames (0 for a kernel thread). */
int stp_ustack_walk(struct stp_context *c, unsigned long *pcs, int max);
/* The same from the given instruction, stack and frame pointers of the current task. */
int stp_ustack_walk_from(unsigned long ip, unsigned long sp, unsigned long fp,
			 unsigned long *pcs, int max);
/* The user registers of the current task at the probe, or NULL. */
struct pt_regs *stp_user_regs(struct stp_context *c);
/* Looks addr up; with path (len bytes) also the mapped file's path ("" when there is
 * none). Returns 0, or -EBUSY when the address space was locked. */
int stp_usym_find(const struct stp_usym_set *set, unsigned long addr,
		  struct stp_usym_hit *hit, char *path, size_t len);
/* Renders addr in style (an enum stp_usym_style, maybe | STP_USYM_CALLER) into buf (len
 * bytes, truncated); returns the length. Warns once per file when a mapped file has no
 * symbol table (SystemTap's "rerun with -d" hint). */
size_t stp_usym_sprint(const struct stp_usym_set *set, char *buf, size_t len,
		       unsigned long addr, unsigned int style);
/* The same into this CPU's output. */
void stp_usym_print(const struct stp_usym_set *set, unsigned long addr, unsigned int style);
/* Prints the frames pcs[0..n) of a user stack, a line each in style, the frames above
 * the first as return addresses (STP_USYM_CALLER). */
void stp_usym_print_stack(const struct stp_usym_set *set, const unsigned long *pcs, int n,
			  unsigned int style);
/* The same for the stack walked from ip, sp and fp (nothing without a user context). */
void stp_ustack_print_from(const struct stp_usym_set *set, struct stp_context *c,
			   unsigned long ip, unsigned long sp, unsigned long fp, unsigned int style);
/* The same appended to dst (MAXSTRINGLEN bytes) if all of it fits; returns whether it
 * did. */
bool stp_usym_append(const struct stp_usym_set *set, char *dst, unsigned long addr,
		     unsigned int style);
/* Appends " 0xADDR" ("0xADDR" first) to dst if it fits; returns whether it did. */
bool stp_uhex_append(char *dst, unsigned long addr);
/* The next hex address of a string like ubacktrace()'s into addr; returns where the rest
 * begins, or NULL at the end. */
const char *stp_uaddr_next(const char *s, unsigned long *addr);

#endif
