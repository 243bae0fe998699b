/* build.c - pass 4: the generated C and the runtime to a kernel module.
 *
 * In: session->c_source in session->tmpdir (or a module cache hit, see cache.c). Out:
 * session->module_path (TMPDIR/NAME.ko); with -p4 the module is also copied into the current
 * directory and its name printed. The fast path (fastbuild.c) runs kbuild's own commands
 * against a prebuilt runtime; when it can't, or with STAP_KBUILD=1, kbuild builds the whole
 * module, the runtime's sources compiled in place through one-line wrapper files so that the
 * installed runtime directory is never written to. Both honour -D (ccflags-y), -B (make's
 * options, which the fast path's recipe was learnt with) and -B -jN (parallel jobs); with
 * STAP_WERROR=1 warnings in the generated unit are errors.
 */
#define _GNU_SOURCE
#include "build.h"
#include "arena.h"
#include "cache.h"
#include "diag.h"
#include "fastbuild.h"
#include "util.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define A(...) arena_printf(g_arena, __VA_ARGS__)

static int c_file(const struct dirent *de)
{
	size_t n = strlen(de->d_name);
	return n > 2 && !strcmp(de->d_name + n - 2, ".c");
}

/* Writes a wrapper TMPDIR/stp_rt_NAME.c for each runtime source in dir; returns the list of
 * objects ("stp_rt_a.o stp_rt_b.o "), sorted as the fast path links them. */
static const char *runtime_objects(struct session *s, const char *dir, const char *prefix)
{
	struct dirent **names;
	int n = scandir(dir, &names, c_file, alphasort);
	const char *objs = "";

	for (int i = 0; i < n; i++) {
		const char *file = names[i]->d_name;
		const char *base = arena_strndup(g_arena, file, strlen(file) - 2);
		const char *wrapper = A("%s/stp_rt_%s%s.c", s->tmpdir, prefix, base);
		if (write_file(wrapper, A("#include \"%s/%s\"\n", dir, file)) == 0)
			objs = A("%sstp_rt_%s%s.o ", objs, prefix, base);
		free(names[i]);
	}
	if (n >= 0)
		free(names);
	return objs;
}

static int write_kbuild(struct session *s)
{
	const char *objs = A("stap_src.o %s%s",
			     runtime_objects(s, s->runtime_dir, ""),
			     runtime_objects(s, A("%s/linux", s->runtime_dir), "linux_"));
	const char *kbuild = A("obj-m := %s.o\n"
			       "%s-y := %s\n"
			       "ccflags-y := %s\n"
			       "CFLAGS_stap_src.o := -include %s/stp_kernel.h %s\n",
			       s->module_name, s->module_name, objs, module_ccflags(s),
			       s->runtime_dir, unit_cflags());
	return write_file(A("%s/Kbuild", s->tmpdir), kbuild);
}

static int kbuild(struct session *s)
{
	if (write_kbuild(s) != 0) {
		diag_plain_error("ERROR: cannot write the Kbuild file in %s", s->tmpdir);
		return 1;
	}
	const char *opts = "";
	for (int i = 0; i < s->kbuild_opts.n; i++)
		opts = A("%s %s", opts, shell_quote(s->kbuild_opts.v[i]));
	const char *log = A("%s/build.log", s->tmpdir);
	const char *cmd = A("make -C %s M=%s modules -j%d%s%s > %s 2>&1",
			    shell_quote(s->build_dir), shell_quote(s->tmpdir), build_jobs(s),
			    s->verbose[3] >= 2 ? " V=1" : " -s", opts, shell_quote(log));
	if (s->verbose[3] >= 2)
		fprintf(stderr, "Running %s\n", cmd);
	int rc = system(cmd);
	if (s->verbose[3] >= 2 || rc != 0)
		print_file(stderr, log);
	if (rc != 0) {
		diag_plain_error("WARNING: kbuild exited with status: %d", rc > 255 ? rc >> 8 : rc);
		return 1;
	}
	if (access(s->module_path, R_OK) != 0) {
		diag_plain_error("ERROR: kbuild did not produce %s", s->module_path);
		return 1;
	}
	return 0;
}

/* -p4: the module goes into the current directory, and its name to stdout. */
static int deliver(struct session *s)
{
	if (s->last_pass != 4)
		return 0;
	const char *dest = A("%s.ko", s->module_name);
	/* A new file, not the old one truncated: ext4 would write that back at once. */
	unlink(dest);
	if (copy_file(s->module_path, dest) != 0) {
		diag_plain_error("ERROR: cannot copy the module to %s", dest);
		return 1;
	}
	printf("%s\n", dest);
	return 0;
}

int pass4_build(struct session *s)
{
	if (s->cached_module && !s->tmpdir) {   /* -p4 on a cache hit: no directory made */
		s->module_path = s->cached_module;
		return deliver(s);
	}
	s->module_path = A("%s/%s.ko", s->tmpdir, s->module_name);
	if (s->cached_module) {
		if (link_or_copy(s->cached_module, s->module_path) != 0) {
			diag_plain_error("ERROR: cannot copy %s", s->cached_module);
			return 1;
		}
		return deliver(s);
	}
	int rc = fast_build(s);
	if (rc < 0)
		rc = kbuild(s);
	if (rc != 0)
		return rc;
	cache_store(s);
	return deliver(s);
}
