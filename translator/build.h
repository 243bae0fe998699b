/* build.h - pass 4: kbuild turns the generated C and the runtime into NAME.ko. */
#ifndef STAP_BUILD_H
#define STAP_BUILD_H

#include "session.h"

int pass4_build(struct session *s);

#endif
