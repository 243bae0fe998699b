/* run.h - pass 5: run the module (locally with staprun, or in a QEMU VM). */
#ifndef STAP_RUN_H
#define STAP_RUN_H

#include "session.h"

/* Returns the script's exit status (0 on success). */
int pass5_run(struct session *s);

#endif
