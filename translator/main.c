/* main.c - the stap driver: options, the environment, and the table of passes.
 *
 *   pass 1  parse      script text -> AST                     (parse.h)
 *   pass 2  elaborate  AST + tapsets -> resolved, typed program (elaborate.h)
 *   pass 3  translate  program -> C                           (translate.h)
 *   pass 4  build      C + runtime -> NAME.ko, kbuild's way   (build.h)
 *   pass 5  run        staprun, here or in a QEMU VM          (run.h)
 *
 * -pN stops after pass N and prints that pass's result. Passes 3 and 4 are skipped when the
 * module cache has the program (cache.c). With -v each pass reports its time and memory on
 * stderr in SystemTap's words.
 */
#define _GNU_SOURCE
#include "arena.h"
#include "build.h"
#include "cache.h"
#include "diag.h"
#include "elaborate.h"
#include "options.h"
#include "parse.h"
#include "run.h"
#include "session.h"
#include "tapset.h"
#include "translate.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define A(...) arena_printf(g_arena, __VA_ARGS__)

/* ---- pass bodies ---- */

static int pass1(struct session *s)
{
	tapset_load_macros(s);
	struct source_file *f = s->script_text ? source_from_text("<input>", s->script_text)
					       : source_from_path(s->script_path, 0);
	if (!f)
		return 1;
	s->user_script = parse_script(s, f);
	return diag_error_count() ? 1 : 0;
}

static const char *pass1_summary(struct session *s)
{
	/* The library is parsed during elaboration; count its files for SystemTap's wording. */
	int n = 0;
	for (struct script *lib = s->library; lib; lib = lib->next)
		n++;
	return A("parsed user script and %d library script%s", n, n == 1 ? "" : "s");
}

static const char *pass2_summary(struct session *s)
{
	int nfun = 0, nglob = 0;

	for (struct function_info *f = s->prog->functions; f; f = f->next)
		nfun += f->used;
	for (struct symbol *g = s->prog->globals; g; g = g->next)
		nglob += g->used;
	return A("analyzed script: %d probe%s, %d function%s, %d embed%s, %d global%s",
		 s->prog->nprobes, s->prog->nprobes == 1 ? "" : "s", nfun, nfun == 1 ? "" : "s",
		 s->prog->nembeds, s->prog->nembeds == 1 ? "" : "s", nglob, nglob == 1 ? "" : "s");
}

static int make_tmpdir(struct session *s);

/* Pass 3 is skipped when the module cache already has this program (cache.c). The
 * temporary directory is made only when something is to be built or run: a cache hit
 * with -p3 or -p4 needs none. */
static int pass3(struct session *s)
{
	if (cache_lookup(s) && !s->keep_tmp)
		return 0;
	if (make_tmpdir(s) != 0)
		return 1;
	if (s->cached_source)
		return cache_use_tmpdir(s);
	return pass3_translate(s);
}

static int pass4(struct session *s)
{
	if (s->last_pass > 4 && make_tmpdir(s) != 0)
		return 1;
	return pass4_build(s);
}

static const char *pass3_summary(struct session *s)
{
	if (s->cached_source)
		return A("using cached %s", s->cached_source);
	return A("translated to C into \"%s\"", s->c_source);
}

static const char *pass4_summary(struct session *s)
{
	if (s->cached_module)
		return A("using cached %s", s->cached_module);
	return A("compiled C into \"%s.ko\"", s->module_name);
}

static const char *pass5_summary(struct session *s)
{
	return "run completed";
}

/* What -pN prints on stdout after the last pass. */
static void pass1_output(struct session *s)
{
	ast_print_script(stdout, s->user_script);
}

static void pass2_output(struct session *s)
{
	program_print(stdout, s->prog);
}

static void pass3_output(struct session *s)
{
	print_file(stdout, s->c_source);
}

struct pass {
	int number;
	int (*run)(struct session *s);
	const char *(*summary)(struct session *s);
	void (*output)(struct session *s);       /* with -pN, N = this pass */
	const char *failure;                      /* "Pass N: ... failed." */
	const char *man;                          /* "[man error::passN]" */
};

static const struct pass passes[] = {
	{ 1, pass1, pass1_summary, pass1_output, "parse failed", "error::pass1" },
	{ 2, pass2_elaborate, pass2_summary, pass2_output, "analysis failed", "error::pass2" },
	{ 3, pass3, pass3_summary, pass3_output, "translation failed", "error::pass3" },
	{ 4, pass4, pass4_summary, NULL, "compilation failed", "error::pass4" },
	{ 5, pass5_run, pass5_summary, NULL, "run failed", "error::pass5" },
};

/* ---- -v reporting ---- */

struct stamp {
	struct timespec real;
	struct rusage ru;               /* this process and its children (kbuild, staprun) */
};

static void add_timeval(struct timeval *a, const struct timeval *b)
{
	a->tv_sec += b->tv_sec;
	a->tv_usec += b->tv_usec;
}

static void take_stamp(struct stamp *st)
{
	struct rusage children;

	clock_gettime(CLOCK_MONOTONIC, &st->real);
	getrusage(RUSAGE_SELF, &st->ru);
	getrusage(RUSAGE_CHILDREN, &children);
	add_timeval(&st->ru.ru_utime, &children.ru_utime);
	add_timeval(&st->ru.ru_stime, &children.ru_stime);
}

static long ms_between(const struct timeval *a, const struct timeval *b)
{
	return (b->tv_sec - a->tv_sec) * 1000 + (b->tv_usec - a->tv_usec) / 1000;
}

static const char *usage_line(const struct stamp *t0, int with_memory)
{
	struct stamp t1;
	long pages[7] = { 0 };
	long kb = sysconf(_SC_PAGESIZE) / 1024;

	take_stamp(&t1);
	FILE *f = fopen("/proc/self/statm", "r");
	if (f) {
		if (fscanf(f, "%ld %ld %ld %ld %ld %ld", &pages[0], &pages[1], &pages[2], &pages[3],
			   &pages[4], &pages[5]) != 6)
			pages[0] = 0;
		fclose(f);
	}
	long real = (t1.real.tv_sec - t0->real.tv_sec) * 1000 +
		    (t1.real.tv_nsec - t0->real.tv_nsec) / 1000000;
	const char *mem = with_memory ? A(" using %ldvirt/%ldres/%ldshr/%lddata kb,",
					  pages[0] * kb, pages[1] * kb, pages[2] * kb,
					  pages[5] * kb) : "";
	return A("%s in %ldusr/%ldsys/%ldreal ms.", mem,
		 ms_between(&t0->ru.ru_utime, &t1.ru.ru_utime),
		 ms_between(&t0->ru.ru_stime, &t1.ru.ru_stime), real);
}

/* ---- the pass loop ---- */

static int run_passes(struct session *s)
{
	for (size_t i = 0; i < sizeof(passes) / sizeof(passes[0]); i++) {
		const struct pass *p = &passes[i];
		struct stamp t0;

		if (p->number > s->last_pass)
			break;
		if (p->number == 5 && s->verbose[4])
			fprintf(stderr, "Pass 5: starting run.\n");
		take_stamp(&t0);
		int rc = p->run(s);
		if (rc != 0) {
			if (p->number == 1 && diag_error_count())
				fprintf(stderr, "%d parse error%s.\n", diag_error_count(),
					diag_error_count() == 1 ? "" : "s");
			fprintf(stderr, "Pass %d: %s.  [man %s]\n", p->number, p->failure, p->man);
			return p->number == 5 ? rc : 1;
		}
		/* A cache hit is reported plainly: "Pass 3: using cached FILE". */
		int cached = (p->number == 3 && s->cached_source) ||
			     (p->number == 4 && s->cached_module);
		if (s->verbose[p->number - 1])
			fprintf(stderr, "Pass %d: %s%s\n", p->number, p->summary(s),
				cached ? "" : usage_line(&t0, p->number != 4 && p->number != 5));
		if (p->number == s->last_pass && p->output)
			p->output(s);
	}
	return 0;
}

static int make_tmpdir(struct session *s)
{
	const char *base = getenv("TMPDIR");
	char *dir = A("%s/stapXXXXXX", base && *base ? base : "/tmp");

	if (s->tmpdir)
		return 0;
	if (!mkdtemp(dir)) {
		diag_plain_error("ERROR: cannot create a temporary directory in %s",
				 base && *base ? base : "/tmp");
		return -1;
	}
	s->tmpdir = dir;
	return 0;
}

int main(int argc, char **argv)
{
	struct session sess = { 0 };
	int status;

	g_arena = arena_new();
	status = options_parse(&sess, argc, argv);
	if (status >= 0)
		return status;           /* --help, --version, or a usage error */
	diag_set_flags(sess.suppress_warnings, sess.warnings_fatal);
	if (environment_setup(&sess) != 0)
		return 1;
	status = run_passes(&sess);

	if (sess.tmpdir) {
		if (sess.keep_tmp)
			fprintf(stderr, "Keeping temporary directory \"%s\"\n", sess.tmpdir);
		else
			remove_tree(sess.tmpdir);
	}
	fflush(stdout);
	arena_free(g_arena);
	return status;
}
