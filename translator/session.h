/* session.h - one translation: the command-line options and what each pass produced.
 *
 * The driver (main.c) fills the options, then runs the pass table; each pass reads what the
 * earlier ones left here and adds its own result.
 */
#ifndef STAP_SESSION_H
#define STAP_SESSION_H

#include <stdio.h>
#include "ast.h"

struct strlist {
	const char **v;
	int n, cap;
};
void strlist_add(struct strlist *l, const char *s);

struct program;                     /* elaborated program (elaborate.h) */

struct session {
	/* ---- options ---- */
	const char *script_text;        /* -e SCRIPT */
	const char *script_path;        /* script file ("-" for stdin) */
	struct strlist args;            /* script arguments: $1 @1 ... */
	int last_pass;                  /* -pN, 1..5 (default 5) */
	int verbose[5];                 /* per-pass verbosity (-v, --vp) */
	int keep_tmp;                   /* -k */
	const char *module_name;        /* -m NAME, or stap_<hash> */
	const char *release;            /* -r RELEASE (default uname -r) */
	const char *build_dir;          /* kernel build tree for the release */
	const char *output_file;        /* -o FILE */
	const char *target_cmd;         /* -c CMD */
	long target_pid;                /* -x PID */
	struct strlist defines;         /* -D NAME=VAL */
	struct strlist kbuild_opts;     /* -B OPT */
	struct strlist include_dirs;    /* -I DIR */
	int guru;                       /* -g */
	int suppress_handler_errors;    /* --suppress-handler-errors: run-time errors counted,
					   not reported, and the script goes on */
	int skip_badvars;               /* --skip-badvars: bad $vars read as 0 (guru.c) */
	int suppress_time_limits;       /* --suppress-time-limits (-g): no MAXACTION */
	int suppress_warnings;          /* -w */
	int warnings_fatal;             /* -W */
	int unoptimized;                /* -u */
	const char *remote;             /* --remote=URL, e.g. "qemu" or "qemu:RELEASE" */
	int remote_qemu;                /* pass 5 runs in a QEMU VM */
	int disable_cache;              /* --disable-cache */

	/* ---- environment ---- */
	const char *arch;               /* "x86_64" */
	const char *kernel_version;     /* "6.1.0" (for kernel_v), from the release */
	const char *runtime_dir;        /* runtime/ sources */
	const char *tapset_dir;         /* tapset/ library */
	const char *libexec_dir;        /* staprun, stapio, stap-vm */
	const char *tmpdir;             /* pass 3/4 work directory */

	/* ---- results ---- */
	struct script *user_script;     /* pass 1 */
	struct script *library;         /* pass 2: tapset files linked in */
	struct program *prog;           /* pass 2 */
	const char *c_source;           /* pass 3: path of the generated C file */
	const char *module_path;        /* pass 4: path of the .ko */
	const char *cache_key;          /* before pass 3: the module cache key (cache.c) */
	const char *cached_source;      /* pass 3: the cache entry used, or NULL */
	const char *cached_module;      /* pass 4: the cache entry used, or NULL */
	int exit_status;                /* pass 5 */
};

#endif
