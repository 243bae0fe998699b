/* options.h - the command line and the environment of a translation (see options.c). */
#ifndef STAP_OPTIONS_H
#define STAP_OPTIONS_H

#include "session.h"

/* Returns -1 to go on, or an exit status (--help, --version, usage errors). */
int options_parse(struct session *s, int argc, char **argv);
/* Paths, kernel release and build tree, module name; -1 after printing an error. */
int environment_setup(struct session *s);
int valid_module_name(const char *name);

#endif
