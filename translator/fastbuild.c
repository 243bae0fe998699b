/* fastbuild.c - pass 4 without make: kbuild's own commands (kbuild_recipe.c), run directly.
 *
 * Per kernel (and -B options), under $SYSTEMTAP_DIR/cache/kbuild/KEY/:
 *   recipe              the commands kbuild runs, learnt once (kbuild_recipe.c)
 *   pch-HASH.h(.gch)    the kernel's forced -include files and runtime/stp_kernel.h,
 *                       precompiled by GCC with the recipe's flags
 *   runtime-HASH.o      runtime/ and runtime/linux/ compiled with the recipe and the -D
 *                       options, linked into one object (ld -r); HASH covers the runtime's
 *                       sources, the -D options and the compiler (runtime-HASH.o.failed
 *                       says why it could not be built, and kbuild builds the modules)
 * Per script, in the temporary directory: the generated unit is compiled with the recipe
 * (objtool after it, as kbuild does), linked with runtime-HASH.o into NAME.o, modpost writes
 * NAME.mod.c (vermagic, symbol CRCs from Module.symvers, dependencies), which is compiled
 * and linked into NAME.ko with the kernel's module linker script.
 *
 * With the precompiled header, the compiler sees fixed KBUILD_MODNAME/KBUILD_BASENAME
 * values on its command line (a precompiled header is only valid for the macros it was
 * built with) and the real ones from a short prologue ahead of the source, after a
 * "#line 1" that keeps its messages on the original file and lines.
 *
 * The runtime is prebuilt under a marker module name and must not contain it afterwards
 * (its log lines name the module at run time, see stp_runtime.h); anything unexpected
 * (no recipe, a failed runtime build, a failing link step) returns -1 and kbuild builds
 * the module. STAP_KBUILD=1 always uses kbuild.
 */
#define _GNU_SOURCE
#include "fastbuild.h"
#include "arena.h"
#include "cache.h"
#include "diag.h"
#include "jobs.h"
#include "util.h"

#include <dirent.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utime.h>

#define A(...) arena_printf(g_arena, __VA_ARGS__)

/* The module name the precompiled header is built for, and the prebuilt runtime's. */
#define PCH_NAME "stap_pch"
#define RUNTIME_MARKER "stap_prebuilt_runtime"

/* ---- options ---- */

int build_jobs(const struct session *s)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	for (int i = 0; i < s->kbuild_opts.n; i++) {
		const char *o = s->kbuild_opts.v[i];
		if (!strncmp(o, "-j", 2) && o[2])
			n = atol(o + 2);
		else if (!strncmp(o, "--jobs=", 7))
			n = atol(o + 7);
	}
	return n > 0 ? (int)n : 1;
}

const char *module_ccflags(const struct session *s)
{
	const char *flags = A("-I%s -Wno-declaration-after-statement", shell_quote(s->runtime_dir));

	for (int i = 0; i < s->defines.n; i++)
		flags = A("%s -D%s", flags, shell_quote(s->defines.v[i]));
	return flags;
}

/* Tapsets' embedded C brings whole files of static helpers, so unused ones are no news. */
const char *unit_cflags(void)
{
	const char *v = getenv("STAP_WERROR");
	int werror = v && *v && strcmp(v, "0") != 0;

	return werror ? "-Wno-unused-function -Werror" : "-Wno-unused-function";
}

/* The compiler the recipe runs (its first word), found in PATH: its size and time. */
static void hash_compiler(struct hasher *h, const struct kbuild_recipe *r)
{
	const char *cc = arena_strndup(g_arena, r->cc, strcspn(r->cc, " "));
	const char *path = getenv("PATH");

	hash_str(h, cc);
	while (path && *path && !strchr(cc, '/')) {
		size_t n = strcspn(path, ":");
		const char *cand = A("%.*s/%s", (int)n, path, cc);
		if (access(cand, X_OK) == 0) {
			hash_stat(h, cand);
			return;
		}
		path += n + (path[n] == ':');
	}
	hash_stat(h, cc);
}

/* ---- compiling ---- */

/* DIR/pch/BASENAME(src): the real KBUILD_* names, then src from its line 1. Same base name,
 * so the object's file symbol is the same as kbuild's. */
static const char *write_prologue(const struct fast_module *m, const char *src,
				  const char *base)
{
	const char *text = read_text(src);
	const char *dir = A("%s/pch", m->dir);
	const char *path = A("%s/%s", dir, strrchr(src, '/') ? strrchr(src, '/') + 1 : src);
	const char *prologue = A("#undef KBUILD_BASENAME\n#undef KBUILD_MODNAME\n"
				 "#undef __KBUILD_MODNAME\n#define KBUILD_BASENAME \"%s\"\n"
				 "#define KBUILD_MODNAME \"%s\"\n#define __KBUILD_MODNAME kmod_%s\n"
				 "#line 1 \"%s\"\n", base, m->name, m->name, src);

	if (make_dirs(dir) != 0 || write_file(path, A("%s%s", prologue, text)) != 0)
		return NULL;
	return path;
}

/* The command compiling src (as BASE) into out: the module's unit or runtime object, or
 * (mod) its NAME.mod.c. */
static const char *compile_cmd(const struct fast_module *m, int mod, const char *src,
			       const char *base, const char *cflags, const char *out)
{
	if (m->pch) {
		const char *in = write_prologue(m, src, base);
		if (!in)
			return NULL;
		const char *v[] = { "NAME", PCH_NAME, "BASE", PCH_NAME, "CFLAGS", cflags,
				    "OUT", out, "IN", A("-include %s %s", m->pch, in), NULL };
		return recipe_expand(mod ? m->r->mod_cc_pch : m->r->cc_pch, v);
	}
	const char *flags = m->kernel_h && !mod ? A("%s -include %s", cflags, m->kernel_h)
						: cflags;
	const char *v[] = { "NAME", m->name, "BASE", base, "CFLAGS", flags, "OUT", out,
			    "IN", src, NULL };
	return recipe_expand(mod ? m->r->mod_cc : m->r->cc, v);
}

int fast_compile(const struct fast_module *m, const char *const *srcs,
		 const char *const *bases, int n, const char *cflags, const char **log)
{
	struct job *jobs = arena_alloc(g_arena, (size_t)n * sizeof(*jobs));

	for (int i = 0; i < n; i++) {
		const char *out = A("%s/%s.o", m->dir, bases[i]);
		const char *cmd = compile_cmd(m, 0, srcs[i], bases[i], cflags, out);
		const char *v[] = { "OUT", out, NULL };
		jobs[i].cmd = cmd ? A("%s%s", cmd, recipe_expand(m->r->cc_post, v)) : "false";
		jobs[i].log = A("%s/%s.log", m->dir, bases[i]);
	}
	if (run_jobs(m->build_dir, jobs, n, m->jobs, m->verbose) == 0)
		return 0;
	for (int i = 0; i < n; i++)
		if (jobs[i].status != 0) {
			*log = jobs[i].log;
			break;
		}
	return -1;
}

/* Runs one step; on failure *log names its output. */
static int step(const struct fast_module *m, const char *cmd, const char *what,
		const char **log)
{
	const char *path = A("%s/%s.%s.log", m->dir, m->name, what);

	if (run_job(m->build_dir, cmd, path, m->verbose) == 0)
		return 0;
	*log = path;
	return -1;
}

int fast_finish(const struct fast_module *m, const char *const *objs, int n, const char **log)
{
	const char *base = A("%s/%s", m->dir, m->name);
	const char *list = "";

	*log = A("%s.mod", base);
	for (int i = 0; i < n; i++) {
		/* modpost reads each object's .cmd file for the CRCs of its exports (none). */
		const char *slash = strrchr(objs[i], '/');
		const char *cmd = A("%.*s/.%s.cmd", (int)(slash - objs[i]), objs[i], slash + 1);
		if (write_file(cmd, A("cmd_%s := stap\n", objs[i])) != 0)
			return FAST_OTHER;
		list = A("%s%s\n", list, objs[i]);
	}
	if (write_file(A("%s.mod", base), list) != 0 ||
	    write_file(A("%s/modules.order", m->dir), A("%s.ko\n", base)) != 0)
		return FAST_OTHER;
	const char *link_v[] = { "OUT", A("%s.o", base), "LIST", A("%s.mod", base), NULL };
	if (step(m, recipe_expand(m->r->link, link_v), "link", log) != 0)
		return FAST_OTHER;
	const char *dir_v[] = { "DIR", m->dir, "NAME", m->name, NULL };
	if (step(m, recipe_expand(m->r->modpost, dir_v), "modpost", log) != 0)
		return FAST_MODPOST;
	const char *mod_cc = compile_cmd(m, 1, A("%s.mod.c", base), A("%s.mod", m->name), "",
					 A("%s.mod.o", base));
	if (!mod_cc || step(m, mod_cc, "mod", log) != 0)
		return FAST_OTHER;
	if (step(m, recipe_expand(m->r->link_ko, dir_v), "ko", log) != 0)
		return FAST_OTHER;
	return 0;
}

/* ---- the precompiled header ---- */

const char *fast_pch(struct session *s, const struct kbuild_recipe *r)
{
	struct hasher *h = hasher_new();
	const char *kernel_h = A("%s/stp_kernel.h", s->runtime_dir);

	hash_str(h, "pch 1");
	hash_str(h, r->key);
	hash_str(h, r->cc_pch);
	hash_str(h, r->includes);
	hash_file(h, kernel_h);
	hash_compiler(h, r);
	const char *hdr = A("%s/pch-%.16s.h", r->dir, hasher_hex(h));
	const char *gch = A("%s.gch", hdr);
	if (file_exists(gch)) {
		utime(gch, NULL);
		return hdr;
	}
	int lock = cache_lock(A("%s/pch.lock", r->dir));
	const char *tmp = A("%s.%d", gch, (int)getpid());
	const char *log = A("%s/pch.log", s->tmpdir);
	const char *text = A("/* Precompiled by stap for every generated unit (fastbuild.c). */\n"
			     "%s#include \"%s\"\n", r->includes, kernel_h);
	const char *v[] = { "NAME", PCH_NAME, "BASE", PCH_NAME,
			    "CFLAGS", A("-I%s -Wno-declaration-after-statement",
					shell_quote(s->runtime_dir)),
			    "OUT", tmp, "IN", A("-x c-header %s", hdr), NULL };
	int ok = file_exists(gch) ||
		 (write_file(hdr, text) == 0 &&
		  run_job(s->build_dir, recipe_expand(r->cc_pch, v), log, s->verbose[3] >= 2) == 0 &&
		  rename(tmp, gch) == 0);
	if (!ok) {
		if (s->verbose[3] >= 2)
			print_file(stderr, log);
		unlink(tmp);
	}
	cache_unlock(lock);
	return ok ? hdr : NULL;
}

/* ---- the prebuilt runtime ---- */

/* Whether a loaded section of an ELF object contains needle. */
static int elf_alloc_contains(const char *path, const char *needle)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int found = 0;

	if (fd < 0)
		return 0;
	elf_version(EV_CURRENT);
	Elf *e = elf_begin(fd, ELF_C_READ, NULL);
	for (Elf_Scn *scn = NULL; e && !found && (scn = elf_nextscn(e, scn));) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || !(sh.sh_flags & SHF_ALLOC) ||
		    sh.sh_type == SHT_NOBITS)
			continue;
		Elf_Data *d = elf_getdata(scn, NULL);
		found = d && d->d_buf && memmem(d->d_buf, d->d_size, needle, strlen(needle));
	}
	if (e)
		elf_end(e);
	close(fd);
	return found;
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The runtime's C files in dir (sorted) into srcs/bases from index n; the new count. */
static int runtime_sources(const char *dir, const char *prefix, const char **srcs,
			   const char **bases, int n, int max)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int first = n;

	while (d && (de = readdir(d)) && n < max) {
		size_t len = strlen(de->d_name);
		if (len < 3 || strcmp(de->d_name + len - 2, ".c") != 0)
			continue;
		srcs[n++] = A("%s/%s", dir, de->d_name);
	}
	if (d)
		closedir(d);
	qsort(srcs + first, n - first, sizeof(*srcs), compare_strings);
	for (int i = first; i < n; i++) {
		const char *file = strrchr(srcs[i], '/') + 1;
		bases[i] = A("stp_rt_%s%.*s", prefix, (int)strlen(file) - 2, file);
	}
	return n;
}

/* Compiles and links the runtime into out (a temporary name first). NULL, or why not. */
static const char *build_runtime(struct session *s, const struct kbuild_recipe *r,
				 const char *out)
{
	const char *dir = A("%s/runtime.%d", s->tmpdir, (int)getpid());
	const char *srcs[128], *bases[128], *log;
	struct fast_module m = { r, s->build_dir, dir, RUNTIME_MARKER, NULL, NULL,
				 build_jobs(s), s->verbose[3] >= 2 };
	int n = runtime_sources(s->runtime_dir, "", srcs, bases, 0, 128);

	n = runtime_sources(A("%s/linux", s->runtime_dir), "linux_", srcs, bases, n, 128);
	if (make_dirs(dir) != 0)
		return "cannot create a directory for the runtime";
	if (fast_compile(&m, srcs, bases, n, module_ccflags(s), &log) != 0)
		return A("the runtime does not compile:\n%s", read_text(log));
	const char *objs = "";
	for (int i = 0; i < n; i++)
		objs = A("%s%s/%s.o\n", objs, dir, bases[i]);
	const char *tmp = A("%s.%d", out, (int)getpid());
	const char *v[] = { "OUT", tmp, "LIST", A("%s/objs", dir), NULL };
	if (write_file(A("%s/objs", dir), objs) != 0 ||
	    run_job(s->build_dir, recipe_expand(r->link, v), A("%s/link.log", dir),
		    m.verbose) != 0)
		return A("cannot link the runtime:\n%s", read_text(A("%s/link.log", dir)));
	if (elf_alloc_contains(tmp, RUNTIME_MARKER)) {
		unlink(tmp);
		return "the runtime embeds KBUILD_MODNAME (use THIS_MODULE->name)";
	}
	return rename(tmp, out) == 0 ? NULL : "cannot store the runtime";
}

/* The runtime object for s's -D options, built now if missing; NULL if it can't be. */
static const char *fast_runtime(struct session *s, const struct kbuild_recipe *r)
{
	struct hasher *h = hasher_new();

	hash_str(h, "runtime 1");
	hash_str(h, r->key);
	hash_str(h, r->cc);
	hash_tree(h, s->runtime_dir);
	hash_str(h, module_ccflags(s));
	hash_compiler(h, r);
	const char *out = A("%s/runtime-%.16s.o", r->dir, hasher_hex(h));
	if (file_exists(out)) {
		utime(out, NULL);
		return out;
	}
	/* The same sources and options fail the same way: kbuild, without trying again. */
	const char *failed = A("%s.failed", out);
	const char *why = file_exists(failed) ? read_text(failed) : NULL;
	if (!why) {
		int lock = cache_lock(A("%s/runtime.lock", r->dir));
		why = file_exists(out) ? NULL : build_runtime(s, r, out);
		cache_unlock(lock);
		if (why)
			write_file(failed, why);
	}
	if (why && s->verbose[3] >= 1)
		fprintf(stderr, "Pass 4: building with kbuild: %s\n",
			s->verbose[3] >= 2 ? why : arena_strndup(g_arena, why, strcspn(why, "\n")));
	return why ? NULL : out;
}

/* ---- a module ---- */

static int kbuild_forced(const struct session *s)
{
	const char *v = getenv("STAP_KBUILD");

	if (!v || !*v || !strcmp(v, "0"))
		return 0;
	if (s->verbose[3] >= 2)
		fprintf(stderr, "Pass 4: building with kbuild: STAP_KBUILD=%s\n", v);
	return 1;
}

/* Compiler errors, as kbuild would show them. */
static int failed(const char *log)
{
	print_file(stderr, log);
	diag_plain_error("WARNING: kbuild exited with status: 2");
	return 1;
}

int fast_build(struct session *s)
{
	struct kbuild_recipe r;
	const char *log;

	/* Exported symbols need genksyms, which only kbuild runs. */
	if (kbuild_forced(s) || strstr(read_text(s->c_source), "EXPORT_SYMBOL") ||
	    recipe_get(s, &r) != 0)
		return -1;
	const char *runtime = fast_runtime(s, &r);
	if (!runtime)
		return -1;
	struct fast_module m = { &r, s->build_dir, s->tmpdir, s->module_name,
				 r.pch ? fast_pch(s, &r) : NULL,
				 A("%s/stp_kernel.h", s->runtime_dir), build_jobs(s),
				 s->verbose[3] >= 2 };
	const char *src = s->c_source, *base = "stap_src";
	const char *cflags = A("%s %s", module_ccflags(s), unit_cflags());
	int rc = fast_compile(&m, &src, &base, 1, cflags, &log);
	const char *text = rc != 0 ? read_text(log) : "";
	if (m.pch && (strstr(text, "PCH") || strstr(text, ".gch") || strstr(text, "precompiled"))) {
		m.pch = NULL;               /* a header GCC would not use: compile without */
		rc = fast_compile(&m, &src, &base, 1, cflags, &log);
	}
	if (rc != 0)
		return failed(log);
	const char *objs[] = { A("%s/stap_src.o", s->tmpdir), A("%s/stp_runtime.o", s->tmpdir) };
	if (link_or_copy(runtime, objs[1]) != 0)
		return -1;
	rc = fast_finish(&m, objs, 2, &log);
	if (rc == FAST_MODPOST)
		return failed(log);
	if (rc != 0 && s->verbose[3] >= 2)
		fprintf(stderr, "Pass 4: building with kbuild: %s", read_text(log));
	return rc == 0 ? 0 : -1;
}
