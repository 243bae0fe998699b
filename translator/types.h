/* types.h - type inference over the elaborated program (see types.c). */
#ifndef STAP_TYPES_H
#define STAP_TYPES_H

#include "elaborate.h"

void infer_types(struct session *s, struct program *prog);
/* Before optimization: "never-assigned local/global variable" warnings; sets `written`
 * and `read` of every symbol. */
void check_assignments(struct session *s, struct program *prog);
/* Sets `read` and `written` of every symbol from the program as it is now. */
void mark_reads_writes(struct program *prog);
/* The same with SystemTap's rules for printing the globals written but never read when
 * the script ends (autoprint.c): a delete reads; an increment or operator-assignment
 * standing as a statement does not; never probes do not count. */
void mark_display_uses(struct program *prog);

#endif
