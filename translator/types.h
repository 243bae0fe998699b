/* types.h - type inference over the elaborated program (see types.c). */
#ifndef STAP_TYPES_H
#define STAP_TYPES_H

#include "elaborate.h"

void infer_types(struct session *s, struct program *prog);

#endif
