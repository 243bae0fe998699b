/* fuzz.c - mutational fuzzer for pass 1 (scanner, preprocessor, grammar, printer).
 *
 *   fuzz-parser [-n COUNT] [-s SEED] [-t SECONDS] [-o CRASHFILE] SEED_FILES...
 *
 * Each round takes a seed script, applies one to six random mutations (bit flips, byte
 * insertions and deletions, splices of text from other seeds, insertions of tricky
 * tokens, duplication of a range, truncation) and parses the mutant. Built with
 * -fsanitize=address,undefined, so memory errors and undefined behaviour abort; a round
 * that takes longer than the time limit is a hang. Either way the mutant is written to
 * CRASHFILE before the process dies, for reproduction with `stap -p1 CRASHFILE`.
 *
 * A mutant that parses without errors must also print as a fixed point: print, parse the
 * printed text, print again, identical. Parse-only: no kernel, no tapsets needed.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

#include "arena.h"
#include "diag.h"
#include "parse.h"
#include "preprocess.h"

#if defined(__has_include)
#if __has_include(<sanitizer/common_interface_defs.h>)
#include <sanitizer/common_interface_defs.h>
#define HAVE_SANITIZER_CALLBACK 1
#endif
#endif

#define MAX_INPUT (64 * 1024)

static char **seeds;
static size_t *seed_len;
static int nseeds;

static char current[MAX_INPUT + 1];
static size_t current_len;
static const char *crash_file = "fuzz-crash.stp";
static FILE *report;                 /* the real stderr */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

static size_t below(size_t n)
{
	return n ? (size_t)(rnd() % n) : 0;
}

static void write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

/* Writes the current input to the crash file (async-signal-safe). */
static void save_current(void)
{
	int fd = open(crash_file, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		return;
	write_all(fd, current, current_len);
	close(fd);
}

static void on_death(void)
{
	static const char msg[] = "fuzz: the failing input is in ";

	save_current();
	write_all(2, msg, sizeof(msg) - 1);
	write_all(2, crash_file, strlen(crash_file));
	write_all(2, "\n", 1);
}

static void on_alarm(int sig)
{
	static const char msg[] = "fuzz: HANG (time limit exceeded)\n";

	(void)sig;
	write_all(2, msg, sizeof(msg) - 1);
	on_death();
	_exit(3);
}

static void on_signal(int sig)
{
	static const char msg[] = "fuzz: CRASH (fatal signal)\n";

	write_all(2, msg, sizeof(msg) - 1);
	on_death();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* ---- mutations ---- */

static const char *const interesting[] = {
	"%(", "%?", "%:", "%)", "%{", "%}", "@define m(a) %( @a + 1 %) ", "@define z %(",
	"@m(", "@z", "@1", "@2", "$1", "$2", "$9", "$#", "@#", "/*", "*/", "//", "#", "\"",
	"\\", "\\x", "\\400", "'", "{", "}", "(", ")", "[", "]", "[*]", ",", ";", ":", "?",
	"!", "=", "<<<", ">>>", "->", "$$", "$", "$var$$", "@cast(p, \"t\")", "@var(\"x\")",
	"@hist_log(s)", "@hist_linear(s, 0, 10, 1)", "@count(s)", "@entry(", "@defined(",
	"@kderef(4, ", "@nosuch", "probe ", "global ", "function ", "private ", "if ",
	"else ", "while ", "for ", "foreach ", " in ", "limit ", "return ", "delete ",
	"try ", "catch ", "next ", "break ", "string", "long", "print(", "printf(\"%d\", ",
	"printd(\",\", ", "0x", "0", "08", "99999999999999999999", "18446744073709551615",
	"-9223372036854775808", "kernel_v", "arch", "CONFIG_X", "\"*\"", " == ", " && ",
	" || ", "=~ \"x\"", "+", "-", "++", "--", "&", "\n", "\t", "\r", "\xc3\xa9", "\xff",
	"\0", " ", "probe begin {", "function f(a:long, b:string) {", "foreach ([a+, b-] in x)",
	"timer.ms(", ".return", ".*", "**", "?", "!", " if (x) ",
};

static void insert(size_t pos, const char *s, size_t n)
{
	if (current_len + n > MAX_INPUT)
		n = MAX_INPUT - current_len;
	if (pos > current_len)
		pos = current_len;
	memmove(current + pos + n, current + pos, current_len - pos);
	memcpy(current + pos, s, n);
	current_len += n;
}

static void erase(size_t pos, size_t n)
{
	if (pos >= current_len)
		return;
	if (n > current_len - pos)
		n = current_len - pos;
	memmove(current + pos, current + pos + n, current_len - pos - n);
	current_len -= n;
}

/* A position at a token-ish boundary (after a space or punctuation), or anywhere. */
static size_t boundary(const char *s, size_t len)
{
	size_t p = below(len + 1);

	if (rnd() & 1)
		return p;
	while (p < len && !strchr(" \t\n;{}(),", s[p]))
		p++;
	return p;
}

static void mutate(void)
{
	int rounds = 1 + (int)below(6);

	for (int r = 0; r < rounds; r++) {
		switch (below(9)) {
		case 0:                                 /* flip a bit */
			if (current_len)
				current[below(current_len)] ^= (char)(1u << below(8));
			break;
		case 1:                                 /* replace a byte */
			if (current_len)
				current[below(current_len)] = (char)below(256);
			break;
		case 2: {                               /* insert a random byte */
			char c = (char)below(256);
			insert(below(current_len + 1), &c, 1);
			break;
		}
		case 3:                                 /* delete a range */
			erase(below(current_len + 1), 1 + below(16));
			break;
		case 4: {                               /* splice text from another seed */
			int k = (int)below((size_t)nseeds);
			size_t from = boundary(seeds[k], seed_len[k]);
			size_t n = below(seed_len[k] - from + 1);
			if (n > 400)
				n = 400;
			insert(boundary(current, current_len), seeds[k] + from, n);
			break;
		}
		case 5:
		case 6: {                               /* insert a tricky token */
			const char *t = interesting[below(sizeof(interesting) / sizeof(*interesting))];
			size_t n = t[0] ? strlen(t) : 1;
			insert(boundary(current, current_len), t, n);
			break;
		}
		case 7: {                               /* duplicate a range */
			size_t from = below(current_len + 1);
			size_t n = below(current_len - from + 1);
			if (n > 2000)
				n = 2000;
			char *copy = malloc(n + 1);
			if (!copy)
				break;
			memcpy(copy, current + from, n);
			insert(from + n, copy, n);
			free(copy);
			break;
		}
		case 8:                                 /* truncate */
			if (rnd() % 4 == 0)
				current_len = below(current_len + 1);
			break;
		}
	}
	current[current_len] = '\0';
}

/* ---- one round ---- */

static struct session sess;

/* Parses text; returns the printed program (malloc'd) if there were no errors. */
static char *parse_and_print(const char *name, const char *text, size_t len, int *errors)
{
	g_arena = arena_new();
	diag_reset();

	struct source_file *f = NEW(struct source_file);
	char *copy = arena_alloc(g_arena, len + 1);
	memcpy(copy, text, len);
	f->name = name;
	f->text = copy;
	f->len = len;

	struct script *sc = parse_script(&sess, f);
	char *out = NULL;
	size_t outlen = 0;
	*errors = diag_error_count();
	if (*errors == 0) {
		FILE *mem = open_memstream(&out, &outlen);
		if (mem) {
			ast_print_script(mem, sc);
			fclose(mem);
		}
	}
	preprocess_reset_library();
	arena_free(g_arena);
	g_arena = NULL;
	return out;
}

static int fixed_point_failures;
static long clean_parses;

static void round_once(void)
{
	int errors;
	char *p1 = parse_and_print("fuzz.stp", current, current_len, &errors);

	if (!p1)
		return;
	clean_parses++;
	int errors2;
	char *p2 = parse_and_print("printed.stp", p1, strlen(p1), &errors2);
	if (errors2 || !p2 || strcmp(p1, p2) != 0) {
		fixed_point_failures++;
		if (fixed_point_failures <= 3) {
			fprintf(report, "fuzz: printing is not a fixed point (%s) for:\n%.*s\n"
				"---- printed:\n%s\n---- reprinted:\n%s\n",
				errors2 ? "reparse failed" : "output differs", (int)current_len,
				current, p1, p2 ? p2 : "(none)");
			save_current();
		}
	}
	free(p1);
	free(p2);
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");

	if (!f)
		return NULL;
	char *buf = malloc(MAX_INPUT + 1);
	size_t n = buf ? fread(buf, 1, MAX_INPUT, f) : 0;
	fclose(f);
	if (!buf)
		return NULL;
	buf[n] = '\0';
	*len = n;
	return buf;
}

int main(int argc, char **argv)
{
	long count = 100000;
	uint64_t seed = 1;
	int limit = 10;
	int opt;

	while ((opt = getopt(argc, argv, "n:s:t:o:")) != -1) {
		switch (opt) {
		case 'n': count = atol(optarg); break;
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 't': limit = atoi(optarg); break;
		case 'o': crash_file = optarg; break;
		default:
			fprintf(stderr, "usage: %s [-n COUNT] [-s SEED] [-t SECONDS] [-o FILE] "
				"SEEDS...\n", argv[0]);
			return 2;
		}
	}
	seeds = calloc((size_t)argc, sizeof(*seeds));
	seed_len = calloc((size_t)argc, sizeof(*seed_len));
	for (int i = optind; i < argc; i++) {
		seeds[nseeds] = read_file(argv[i], &seed_len[nseeds]);
		if (seeds[nseeds])
			nseeds++;
	}
	if (nseeds == 0) {
		fprintf(stderr, "fuzz: no seed files\n");
		return 2;
	}
	rng_state = seed * 0x9E3779B97F4A7C15ULL + 1;

	/* the parser's messages go to /dev/null; sanitizer reports still reach fd 2 */
	report = fdopen(dup(2), "w");
	setvbuf(report, NULL, _IOLBF, 0);
	stderr = fopen("/dev/null", "w");
#ifdef HAVE_SANITIZER_CALLBACK
	__sanitizer_set_death_callback(on_death);
#endif
	signal(SIGALRM, on_alarm);
	signal(SIGSEGV, on_signal);
	signal(SIGBUS, on_signal);
	signal(SIGFPE, on_signal);
	signal(SIGILL, on_signal);

	static const char *const args[] = { "1", "foo", "/bin/ls" };
	sess.args.v = (const char **)args;
	sess.args.n = 3;
	sess.arch = "x86_64";
	sess.release = "6.1.0-1-amd64";
	sess.kernel_version = "6.1.0";

	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < count; i++) {
		/* the seeds themselves first, then mutants of random seeds */
		int k = i < nseeds ? (int)i : (int)below((size_t)nseeds);

		memcpy(current, seeds[k], seed_len[k]);
		current_len = seed_len[k];
		current[current_len] = '\0';
		if (i >= nseeds)
			mutate();

		struct itimerval it = { { 0, 0 }, { limit, 0 } };
		setitimer(ITIMER_REAL, &it, NULL);
		round_once();
		struct itimerval off = { { 0, 0 }, { 0, 0 } };
		setitimer(ITIMER_REAL, &off, NULL);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;

	for (int i = 0; i < nseeds; i++)
		free(seeds[i]);
	free(seeds);
	free(seed_len);
	diag_reset();
	fclose(stderr);
	if (fixed_point_failures) {
		fprintf(report, "fuzz: %d inputs printed without a fixed point\n",
			fixed_point_failures);
		return 1;
	}
	fprintf(report, "%ld inputs from %d seeds (%ld parsed cleanly and printed as a fixed "
		"point), no crash, hang or leak, %.1f s\n", count, nseeds, clean_parses, secs);
	fclose(report);
	return 0;
}
