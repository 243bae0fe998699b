/* fastbuild.h - pass 4 without make: the generated unit compiled with kbuild's own commands
 * and linked to a prebuilt runtime (see fastbuild.c). */
#ifndef STAP_FASTBUILD_H
#define STAP_FASTBUILD_H

#include "kbuild_recipe.h"
#include "session.h"

/* Builds s->module_path. 0 on success; 1 when the C doesn't build (errors printed); -1 when
 * the fast path can't be used and kbuild should build the module instead. */
int fast_build(struct session *s);

/* ---- the parts, also used to check a newly learnt recipe ---- */

/* One module being built in dir. */
struct fast_module {
	const struct kbuild_recipe *r;
	const char *build_dir;      /* the kernel's build tree: commands run there */
	const char *dir;            /* objects, logs and NAME.ko go here */
	const char *name;           /* module name */
	const char *pch;            /* precompiled header to -include, or NULL */
	const char *kernel_h;       /* else stp_kernel.h to -include, or NULL (runtime) */
	int jobs;                   /* parallel compilers */
	int verbose;                /* echo commands, show logs */
};

/* Compiles srcs[i] into DIR/bases[i].o with cflags (kbuild's ccflags-y), in parallel.
 * 0, or -1 with *log naming the first failed compiler's output. */
int fast_compile(const struct fast_module *m, const char *const *srcs,
		 const char *const *bases, int n, const char *cflags, const char **log);
/* Links objs (listed in DIR/NAME.mod, as kbuild does; each gets the .OBJ.cmd file modpost
 * reads) into DIR/NAME.o, runs modpost and builds DIR/NAME.ko. 0, or the step that
 * failed (FAST_MODPOST or FAST_OTHER) with *log naming its output. */
enum { FAST_MODPOST = 1, FAST_OTHER = 2 };
int fast_finish(const struct fast_module *m, const char *const *objs, int n, const char **log);
/* The precompiled kernel header for r (built now if missing), or NULL. */
const char *fast_pch(struct session *s, const struct kbuild_recipe *r);
/* ccflags-y for the module's objects: the runtime's include path and the -D options. */
const char *module_ccflags(const struct session *s);
/* Extra flags for the generated unit: -Werror when STAP_WERROR is set (and not 0). */
const char *unit_cflags(void);
/* Parallel jobs for pass 4: -B -jN (or --jobs=N), else the number of CPUs. */
int build_jobs(const struct session *s);

#endif
