/* build.c - pass 4: the generated C and the runtime to a kernel module, with kbuild.
 *
 * In: session->c_source in session->tmpdir. Out: session->module_path (TMPDIR/NAME.ko);
 * with -p4 the module is also copied into the current directory and its name printed.
 * The runtime's sources are compiled in place through one-line wrapper files, so the
 * installed runtime directory is never written to. -D and -B options go to kbuild.
 */
#define _GNU_SOURCE
#include "build.h"
#include "cache.h"
#include "arena.h"
#include "util.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define A(...) arena_printf(g_arena, __VA_ARGS__)

/* Writes a wrapper TMPDIR/stp_rt_NAME.c for each runtime source in dir; returns the list of
 * objects ("stp_rt_a.o stp_rt_b.o "). */
static const char *runtime_objects(struct session *s, const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	const char *objs = "";

	if (!d)
		return objs;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		if (n < 3 || strcmp(de->d_name + n - 2, ".c") != 0)
			continue;
		const char *base = arena_strndup(g_arena, de->d_name, n - 2);
		const char *wrapper = A("%s/stp_rt_%s%s.c", s->tmpdir, prefix, base);
		if (write_file(wrapper, A("#include \"%s/%s\"\n", dir, de->d_name)) != 0)
			continue;
		objs = A("%sstp_rt_%s%s.o ", objs, prefix, base);
	}
	closedir(d);
	return objs;
}

static int write_kbuild(struct session *s)
{
	const char *objs = A("stap_src.o %s%s",
			     runtime_objects(s, s->runtime_dir, ""),
			     runtime_objects(s, A("%s/linux", s->runtime_dir), "linux_"));
	const char *defines = "";

	for (int i = 0; i < s->defines.n; i++)
		defines = A("%s -D%s", defines, shell_quote(s->defines.v[i]));
	const char *kbuild = A("obj-m := %s.o\n"
			       "%s-y := %s\n"
			       "ccflags-y := -I%s -Wno-declaration-after-statement%s\n",
			       s->module_name, s->module_name, objs, s->runtime_dir, defines);
	return write_file(A("%s/Kbuild", s->tmpdir), kbuild);
}

/* -p4: the module goes into the current directory, and its name to stdout. */
static int deliver(struct session *s)
{
	if (s->last_pass != 4)
		return 0;
	const char *dest = A("%s.ko", s->module_name);
	if (copy_file(s->module_path, dest) != 0) {
		diag_plain_error("ERROR: cannot copy the module to %s", dest);
		return 1;
	}
	printf("%s\n", dest);
	return 0;
}

int pass4_build(struct session *s)
{
	const char *key = cache_key(s);

	if (!s->module_name)
		s->module_name = A("stap_%.24s", key);
	s->module_path = A("%s/%s.ko", s->tmpdir, s->module_name);
	if (cache_fetch(s, key, s->module_path))
		return deliver(s);
	if (write_kbuild(s) != 0) {
		diag_plain_error("ERROR: cannot write the Kbuild file in %s", s->tmpdir);
		return 1;
	}
	const char *opts = "";
	for (int i = 0; i < s->kbuild_opts.n; i++)
		opts = A("%s %s", opts, shell_quote(s->kbuild_opts.v[i]));
	long jobs = sysconf(_SC_NPROCESSORS_ONLN);
	const char *log = A("%s/build.log", s->tmpdir);
	const char *cmd = A("make -C %s M=%s modules -j%ld%s%s > %s 2>&1",
			    shell_quote(s->build_dir), shell_quote(s->tmpdir), jobs > 0 ? jobs : 1,
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
	cache_store(s, key);
	return deliver(s);
}
