/* ulines.h - source lines of user binaries for the module (usymfileline() and friends).
 *
 *   ulines_wanted(p)         whether the program calls a function that needs line tables
 *                            (one whose embedded C names an STP_ULINE_ style)
 *   ulines_read(...)         the address -> (source file, line) table of one -d binary,
 *                            from its .debug_line or its separate debug file
 *                            (/usr/lib/debug/.build-id/..), rows keyed by file offset;
 *                            NULL when it has none (or the table is over the limit, with
 *                            a warning)
 *   ulines_emit(e, t, i)     pass 3: the table as C (struct stp_uline_table,
 *                            runtime/linux/stp_ustack.h) named stp_ulines_I
 */
#ifndef STAP_ULINES_H
#define STAP_ULINES_H

#include <gelf.h>
#include <stdint.h>

struct emitter;
struct program;
struct ulines;

/* The PT_LOAD segments of a binary: virtual addresses to file offsets. */
struct usegs {
	GElf_Phdr load[32];
	int n;
};

int ulines_wanted(const struct program *p);
struct ulines *ulines_read(const char *path, const struct usegs *sg,
			   const unsigned char *build_id, unsigned build_id_len);
void ulines_emit(struct emitter *e, const struct ulines *t, int i);

#endif
