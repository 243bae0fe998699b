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

#endif
