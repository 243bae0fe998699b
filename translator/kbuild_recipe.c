/* kbuild_recipe.c - learns, once per kernel and set of -B options, the exact commands kbuild
 * runs to build a module, so that pass 4 can run them itself (fastbuild.c).
 *
 * Learning: a two-file module (stpcal) is built with kbuild in the temporary directory, with
 * a marker in its ccflags-y. The .cmd files kbuild leaves next to each target hold every
 * command line: the compiler (and objtool after it) for an object, ld -r for the module
 * object, modpost, the compiler for NAME.mod.c, and the final link of NAME.ko. Paths, names
 * and the marker become %PLACEHOLDERS% (kbuild_recipe.h). Checking: stpcal is built again
 * in another directory with the recipe and the precompiled header; the two .ko files must
 * have the same sections with the same sizes and the same loadable contents (vermagic,
 * modinfo, symbol versions, code), or the fast path stays off for this kernel.
 *
 * The recipe is saved as cache/kbuild/KEY/recipe ("name=value" lines); a kernel whose
 * build can't be learnt gets "unsupported=REASON" there, and kbuild builds its modules.
 */
#define _GNU_SOURCE
#include "kbuild_recipe.h"
#include "arena.h"
#include "cache.h"
#include "fastbuild.h"
#include "jobs.h"
#include "util.h"

#include <fcntl.h>
#include <gelf.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#define A(...) arena_printf(g_arena, __VA_ARGS__)
#define RECIPE_VERSION "1"

/* ---- text helpers ---- */

/* s with every `from` replaced by `to`; *count (if given) gets the number replaced. */
static const char *subst(const char *s, const char *from, const char *to, int *count)
{
	const char *out = "", *p;
	int n = 0;

	while ((p = strstr(s, from))) {
		out = A("%s%.*s%s", out, (int)(p - s), s, to);
		s = p + strlen(from);
		n++;
	}
	if (count)
		*count = n;
	return A("%s%s", out, s);
}

/* One pass, so that values (a -D option, a path) are never expanded again. */
const char *recipe_expand(const char *tmpl, const char *const *vars)
{
	const char *out = "", *p;

	while ((p = strchr(tmpl, '%'))) {
		size_t len = strcspn(p + 1, "% ");
		const char *value = NULL;
		for (int i = 0; p[len + 1] == '%' && vars[i] && !value; i += 2)
			if (strlen(vars[i]) == len && !strncmp(vars[i], p + 1, len))
				value = vars[i + 1];
		out = A("%s%.*s%s", out, (int)(p - tmpl), tmpl, value ? value : "%");
		tmpl = value ? p + len + 2 : p + 1;
	}
	return A("%s%s", out, tmpl);
}

/* The command a kbuild .cmd file records ("cmd_TARGET := CMD"), with make's escapes undone. */
static const char *cmd_of(const char *dir, const char *target, const char **why)
{
	const char *path = A("%s/.%s.cmd", dir, target);
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = f ? getline(&line, &cap, f) : -1;

	if (f)
		fclose(f);
	const char *sep = n > 0 ? strstr(line, " := ") : NULL;
	if (!sep || strncmp(line, "cmd_", 4) != 0) {
		*why = A("no command in %s", path);
		free(line);
		return NULL;
	}
	const char *cmd = arena_strndup(g_arena, sep + 4, strcspn(sep + 4, "\n"));
	free(line);
	if (strchr(cmd, '%')) {
		*why = A("'%%' in the command for %s", target);
		return NULL;
	}
	return subst(subst(cmd, "$$", "$", NULL), "$(pound)", "#", NULL);
}

/* Replaces exactly one `from` (else records why the recipe can't be learnt). */
static const char *subst_once(const char *s, const char *from, const char *to, const char **why)
{
	int n;
	const char *out = subst(s, from, to, &n);

	if (n != 1 && !*why)
		*why = A("expected '%s' once in: %s", from, s);
	return out;
}

/* ---- learning ---- */

struct calibration {
	struct session *s;
	const char *dir;            /* where kbuild built stpcal */
	const char *why;            /* the first thing that did not match */
};

static const char *const cal_main =
	"/* stap's kbuild calibration module: built to learn kbuild's commands, never loaded. */\n"
	"#define pr_fmt(fmt) KBUILD_MODNAME \": \" fmt\n"
	"#include <linux/module.h>\n"
	"#include <linux/moduleparam.h>\n"
	"static unsigned int stpcal_len = 3;\n"
	"module_param(stpcal_len, uint, 0444);\n"
	"MODULE_PARM_DESC(stpcal_len, \"a length\");\n"
	"int stpcal_fill(unsigned int n);\n"
	"static int __init stpcal_init(void)\n"
	"{\n"
	"\tpr_info(\"%s %d\\n\", KBUILD_BASENAME, stpcal_fill(stpcal_len));\n"
	"\treturn 0;\n"
	"}\n"
	"static void __exit stpcal_exit(void)\n"
	"{\n"
	"}\n"
	"module_init(stpcal_init);\n"
	"module_exit(stpcal_exit);\n"
	"MODULE_LICENSE(\"GPL\");\n";

static const char *const cal_fill =
	"/* stap's kbuild calibration module, second object. */\n"
	"#include <linux/slab.h>\n"
	"#include <linux/string.h>\n"
	"int stpcal_fill(unsigned int n)\n"
	"{\n"
	"\tchar *p = kmalloc(n + 1, GFP_KERNEL);\n"
	"\tint len;\n"
	"\n"
	"\tif (!p)\n"
	"\t\treturn -ENOMEM;\n"
	"\tmemset(p, 'x', n);\n"
	"\tp[n] = 0;\n"
	"\tlen = strlen(p);\n"
	"\tkfree(p);\n"
	"\treturn len;\n"
	"}\n";

static int write_calibration(const char *dir, const char *runtime_dir)
{
	if (make_dirs(dir) != 0 ||
	    write_file(A("%s/stpcal_main.c", dir), cal_main) != 0 ||
	    write_file(A("%s/stpcal_fill.c", dir), cal_fill) != 0)
		return -1;
	return write_file(A("%s/Kbuild", dir),
			  A("obj-m := stpcal.o\n"
			    "stpcal-y := stpcal_main.o stpcal_fill.o\n"
			    "ccflags-y := -DSTP_CCFLAGS_HERE -include %s/stp_kernel.h\n",
			    runtime_dir));
}

/* " -include FILE" options of pre, removed; the files become "#include" lines (relative
 * names are in the build tree). */
static const char *strip_includes(const char *pre, const char *build_real, const char **lines)
{
	const char *kept = "", *p;

	*lines = "";
	while ((p = strstr(pre, " -include "))) {
		const char *file = p + strlen(" -include ");
		size_t len = strcspn(file, " ");
		const char *name = arena_strndup(g_arena, file, len);
		*lines = A("%s#include \"%s%s%s\"\n", *lines, name[0] == '/' ? "" : build_real,
			   name[0] == '/' ? "" : "/", name);
		kept = A("%s%.*s", kept, (int)(p - pre), pre);
		pre = file + len;
	}
	return A("%s%s", kept, pre);
}

/* A compile command from OBJ's .cmd file, split around "-c -o OBJ SRC": the flags (with
 * %CFLAGS%, %BASE% and %NAME%), the same without the forced -include files, and what
 * follows (objtool). */
struct compile_cmd {
	const char *pre, *pre_pch, *post, *includes;
};

static int learn_compile(struct calibration *c, const char *obj, const char *base,
			 const char *build_real, struct compile_cmd *out)
{
	const char *why = NULL;
	const char *cmd = cmd_of(c->dir, A("%s.o", obj), &c->why);
	const char *tail = A(" -c -o %s/%s.o %s/%s.c", c->dir, obj, c->dir, obj);
	const char *at = cmd ? strstr(cmd, tail) : NULL;

	if (!at) {
		c->why = c->why ? c->why : A("no '%s' in: %s", tail, cmd);
		return -1;
	}
	const char *pre = arena_strndup(g_arena, cmd, (size_t)(at - cmd));
	out->post = subst(at + strlen(tail), A("%s/%s.o", c->dir, obj), "%OUT%", NULL);
	pre = subst(pre, A("-Wp,-MMD,%s/.%s.o.d", c->dir, obj), "", NULL);
	pre = subst(pre, A("-DSTP_CCFLAGS_HERE -include %s/stp_kernel.h", c->s->runtime_dir),
		    "%CFLAGS%", NULL);
	pre = subst_once(pre, A("-DKBUILD_BASENAME='\"%s\"'", base),
			 "-DKBUILD_BASENAME='\"%BASE%\"'", &why);
	pre = subst_once(pre, "-DKBUILD_MODNAME='\"stpcal\"'", "-DKBUILD_MODNAME='\"%NAME%\"'",
			 &why);
	out->pre = subst(pre, "-D__KBUILD_MODNAME=kmod_stpcal", "-D__KBUILD_MODNAME=kmod_%NAME%",
			 NULL);
	out->pre_pch = strip_includes(out->pre, build_real, &out->includes);
	c->why = c->why ? c->why : why;
	return why ? -1 : 0;
}

static void learn_compiles(struct calibration *c, struct kbuild_recipe *r, const char *build_real)
{
	struct compile_cmd u, m;

	if (learn_compile(c, "stpcal_main", "stpcal_main", build_real, &u) != 0 ||
	    learn_compile(c, "stpcal.mod", "stpcal.mod", build_real, &m) != 0)
		return;
	if (!strstr(u.pre, "%CFLAGS%")) {
		c->why = "ccflags-y not found in the compile command";
		return;
	}
	r->cc = A("%s -c -o %%OUT%% %%IN%%", u.pre);
	r->cc_pch = A("%s -c -o %%OUT%% %%IN%%", u.pre_pch);
	r->cc_post = u.post;
	r->includes = u.includes;
	r->mod_cc = A("%s -c -o %%OUT%% %%IN%%%s", m.pre, m.post);
	r->mod_cc_pch = A("%s -c -o %%OUT%% %%IN%%%s", m.pre_pch, m.post);
	if (strcmp(u.includes, m.includes) != 0)
		c->why = "the module and its .mod.c force different -include files";
}

/* ld -r, modpost and the final link. */
static void learn_links(struct calibration *c, struct kbuild_recipe *r)
{
	const char *why = NULL;
	const char *link = cmd_of(c->dir, "stpcal.o", &c->why);
	const char *modpost = cmd_of(c->dir, "Module.symvers", &c->why);
	const char *ko = cmd_of(c->dir, "stpcal.ko", &c->why);

	if (!link || !modpost || !ko)
		return;
	link = subst_once(link, A("@%s/stpcal.mod", c->dir), "@%LIST%", &why);
	r->link = subst(link, A("%s/stpcal.o", c->dir), "%OUT%", NULL);
	r->modpost = subst(modpost, c->dir, "%DIR%", NULL);
	r->link_ko = subst(ko, A("%s/stpcal", c->dir), "%DIR%/%NAME%", NULL);
	c->why = c->why ? c->why : why;
}

/* Every template must be free of the calibration's directory and name. */
static void check_templates(struct calibration *c, const struct kbuild_recipe *r)
{
	const char *t[] = { r->cc, r->cc_pch, r->cc_post, r->mod_cc, r->mod_cc_pch, r->link,
			    r->modpost, r->link_ko };

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]) && !c->why; i++)
		if (strstr(t[i], c->dir) || strstr(t[i], "stpcal"))
			c->why = A("could not generalise: %s", t[i]);
}

/* ---- checking ---- */

/* One line per section other than debug info: name, type, flags, size, and a hash of the
 * contents of loaded sections (all but the build id). */
static const char *elf_summary(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	const char *out = "";
	size_t shstrndx;

	if (fd < 0)
		return NULL;
	elf_version(EV_CURRENT);
	Elf *e = elf_begin(fd, ELF_C_READ, NULL);
	if (!e || elf_getshdrstrndx(e, &shstrndx) != 0) {
		close(fd);
		return NULL;
	}
	for (Elf_Scn *scn = NULL; (scn = elf_nextscn(e, scn));) {
		GElf_Shdr sh;
		const char *name = gelf_getshdr(scn, &sh) ? elf_strptr(e, shstrndx, sh.sh_name) : NULL;
		if (!name || strstr(name, ".debug") || !strcmp(name, ".note.gnu.build-id"))
			continue;
		unsigned long long h = 0;
		Elf_Data *d = (sh.sh_flags & SHF_ALLOC) && sh.sh_type != SHT_NOBITS
				      ? elf_getdata(scn, NULL) : NULL;
		if (d && d->d_buf)
			h = XXH3_64bits(d->d_buf, d->d_size);
		out = A("%s%s %u %llx %llu %016llx\n", out, name, sh.sh_type,
			(unsigned long long)sh.sh_flags, (unsigned long long)sh.sh_size, h);
	}
	elf_end(e);
	close(fd);
	return out;
}

/* The first line where a and b differ. */
static const char *first_difference(const char *a, const char *b)
{
	while (*a && *b) {
		size_t la = strcspn(a, "\n"), lb = strcspn(b, "\n");
		if (la != lb || memcmp(a, b, la))
			return A("'%.*s' vs '%.*s'", (int)la, a, (int)lb, b);
		a += la + (a[la] == '\n');
		b += lb + (b[lb] == '\n');
	}
	return *a || *b ? "a different number of sections" : NULL;
}

/* Builds stpcal again with the recipe in DIR/stpchk and compares it with kbuild's. */
static const char *rebuild_and_compare(struct calibration *c, const struct kbuild_recipe *r,
				       const char *pch)
{
	struct session *s = c->s;
	const char *chk = A("%s/stpchk%s", s->tmpdir, pch ? "_pch" : "");
	const char *srcs[] = { A("%s/stpcal_main.c", chk), A("%s/stpcal_fill.c", chk) };
	const char *bases[] = { "stpcal_main", "stpcal_fill" };
	const char *objs[] = { A("%s/stpcal_main.o", chk), A("%s/stpcal_fill.o", chk) };
	struct fast_module m = { r, s->build_dir, chk, "stpcal", pch,
				 A("%s/stp_kernel.h", s->runtime_dir), build_jobs(s),
				 s->verbose[3] >= 2 };
	const char *log;

	if (make_dirs(chk) != 0 || write_file(srcs[0], cal_main) != 0 ||
	    write_file(srcs[1], cal_fill) != 0)
		return "cannot write the check module";
	const char *cflags = A("-I%s -Wno-declaration-after-statement%s", s->runtime_dir,
			       pch ? " -Winvalid-pch -Werror=invalid-pch" : "");
	if (fast_compile(&m, srcs, bases, 2, cflags, &log) != 0)
		return A("compiling with the recipe failed:\n%s", read_text(log));
	if (fast_finish(&m, objs, 2, &log) != 0)
		return A("linking with the recipe failed:\n%s", read_text(log));
	const char *a = elf_summary(A("%s/stpcal.ko", c->dir));
	const char *b = elf_summary(A("%s/stpcal.ko", chk));
	const char *diff = a && b ? first_difference(a, b) : "cannot read the modules";
	return diff ? A("the recipe's module differs from kbuild's: %s", diff) : NULL;
}

/* ---- loading, learning, saving ---- */

static const char *recipe_key(const struct session *s)
{
	char real[PATH_MAX];
	struct hasher *h = hasher_new();

	hash_str(h, "kbuild recipe " RECIPE_VERSION);
	hash_str(h, s->release);
	hash_str(h, realpath(s->build_dir, real) ? real : s->build_dir);
	hash_stat(h, A("%s/Makefile", s->build_dir));
	hash_file(h, A("%s/.config", s->build_dir));
	hash_kbuild_opts(h, s);
	return hasher_hex(h);
}

/* The one-line templates; "includes" and "pch" are saved apart. */
#define FIELDS(X) X(cc) X(cc_pch) X(cc_post) X(mod_cc) X(mod_cc_pch) X(link) X(modpost) \
		  X(link_ko)

/* The "#include" lines are stored on one line, with "|" for "\n". */
static int save(const struct kbuild_recipe *r, const char *why, const char *name)
{
	const char *text = why ? A("unsupported=%s\n", subst(why, "\n", " | ", NULL)) : "";
	const char *tmp = A("%s/%s.%d", r->dir, name, (int)getpid());

	if (!why) {
#define SAVE(f) text = A("%s" #f "=%s\n", text, r->f);
		FIELDS(SAVE)
#undef SAVE
		text = A("%sincludes=%s\npch=%d\n", text, subst(r->includes, "\n", "|", NULL),
			 r->pch);
	}
	if (write_file(tmp, text) != 0 || rename(tmp, A("%s/%s", r->dir, name)) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* Whether path is older than the running stap (which may know better now). */
static int older_than_stap(const char *path)
{
	struct stat a, b;

	return stat(path, &a) == 0 && stat("/proc/self/exe", &b) == 0 &&
	       a.st_mtime < b.st_mtime;
}

/* 0: loaded; 1: no recipe yet (or a verdict an older stap gave); -1: the kernel is marked
 * unsupported (*why). */
static int load(struct kbuild_recipe *r, const char **why, const char *name)
{
	const char *path = A("%s/%s", r->dir, name);
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = 0;

	if (!f)
		return 1;
	while ((n = getline(&line, &cap, f)) > 0) {
		line[strcspn(line, "\n")] = '\0';
		char *eq = strchr(line, '=');
		if (!eq)
			continue;
		*eq = '\0';
		const char *v = arena_strdup(g_arena, eq + 1);
		if (!strcmp(line, "unsupported")) {
			*why = v;
			rc = -1;
		} else if (!strcmp(line, "pch")) {
			r->pch = atoi(v);
		} else if (!strcmp(line, "includes")) {
			r->includes = subst(v, "|", "\n", NULL);
		}
#define LOAD(f) else if (!strcmp(line, #f)) r->f = v;
		FIELDS(LOAD)
#undef LOAD
	}
	free(line);
	fclose(f);
#define MISSING(f) || !r->f
	if (rc == 0 && (!r->includes FIELDS(MISSING))) {
		*why = "incomplete recipe";
		rc = 1;
	}
#undef MISSING
	return rc < 0 && older_than_stap(path) ? 1 : rc;
}

/* Runs kbuild on stpcal and learns its commands; NULL, or why it can't be used. */
static const char *learn(struct session *s, struct kbuild_recipe *r)
{
	char real[PATH_MAX];
	struct calibration c = { s, A("%s/stpcal", s->tmpdir), NULL };
	const char *build_real = realpath(s->build_dir, real) ? arena_strdup(g_arena, real)
							      : s->build_dir;

	if (write_calibration(c.dir, s->runtime_dir) != 0)
		return "cannot write the calibration module";
	const char *opts = "";
	for (int i = 0; i < s->kbuild_opts.n; i++)
		opts = A("%s %s", opts, shell_quote(s->kbuild_opts.v[i]));
	const char *log = A("%s/build.log", c.dir);
	const char *cmd = A("make -C %s M=%s modules -j%d -s%s", shell_quote(s->build_dir),
			    shell_quote(c.dir), build_jobs(s), opts);
	if (run_job(c.dir, cmd, log, s->verbose[3] >= 2) != 0)
		return A("kbuild failed on the calibration module:\n%s", read_text(log));
	learn_compiles(&c, r, build_real);
	if (!c.why)
		learn_links(&c, r);
	if (!c.why)
		check_templates(&c, r);
	if (c.why)
		return c.why;
	/* Checked as later runs will see it: saved and loaded again. */
	const char *why = NULL;
	struct kbuild_recipe loaded = { .key = r->key, .dir = r->dir };
	if (save(r, NULL, "recipe.unchecked") != 0 || load(&loaded, &why, "recipe.unchecked"))
		return why ? why : "cannot save the recipe";
	*r = loaded;
	const char *pch = fast_pch(s, r);
	why = pch ? rebuild_and_compare(&c, r, pch) : "no precompiled header";
	r->pch = !why;
	if (why && s->verbose[3] >= 2)
		fprintf(stderr, "Pass 4: not using a precompiled header: %s\n", why);
	return r->pch ? NULL : rebuild_and_compare(&c, r, NULL);
}

static int unsupported(const struct session *s, const char *why)
{
	if (s->verbose[3] >= 2)
		fprintf(stderr, "Pass 4: building with kbuild: %s\n", why);
	return -1;
}

int recipe_get(struct session *s, struct kbuild_recipe *r)
{
	const char *why = NULL;

	memset(r, 0, sizeof(*r));
	r->key = recipe_key(s);
	r->dir = A("%s/kbuild/%s", cache_dir(), r->key);
	if (make_dirs(r->dir) != 0)
		return unsupported(s, A("cannot create %s", r->dir));
	int rc = load(r, &why, "recipe");
	if (rc <= 0)
		return rc == 0 ? 0 : unsupported(s, why);
	int lock = cache_lock(A("%s/recipe.lock", r->dir));
	rc = load(r, &why, "recipe");       /* another stap may have learnt it meanwhile */
	if (rc > 0) {
		why = learn(s, r);
		if (save(r, why, "recipe") != 0 && !why)
			why = A("cannot write %s/recipe", r->dir);
		unlink(A("%s/recipe.unchecked", r->dir));
		if (!why && s->verbose[3] >= 2)
			fprintf(stderr, "Pass 4: learnt kbuild's commands into %s/recipe\n", r->dir);
		rc = why ? -1 : 0;
	}
	cache_unlock(lock);
	return rc == 0 ? 0 : unsupported(s, why);
}
