/* harness.c - run-time half of the regex test (see run.sh).
 *
 * Compiled with gen.h (the tables and expressions gen.c produced through the translator's
 * regex.c) and runtime/regex.c in user space. Runs the =~ and !~ expressions of every
 * case of cases.h against the expected result and against glibc's
 * regcomp/regexec(REG_EXTENDED | REG_NOSUB), then the random patterns against glibc only,
 * the MAXSTRINGLEN bound, and a speed check. Prints "ok ..." / "FAIL ...".
 * Submatches: the capture cases against their expected groups and glibc's pmatch[], and
 * the random patterns' whole matches against glibc's (check_captures()).
 */
#define _GNU_SOURCE
#include <regex.h>                  /* glibc's */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "regex.h"                  /* runtime/regex.h (-iquote) */
#include "cases.h"
#include "capture_cases.h"
#include "gen.h"

static int pass, fail;

static void ok(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void bad(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void ok(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("ok ", stdout);
	vprintf(fmt, ap);
	putchar('\n');
	va_end(ap);
	pass++;
}

static void bad(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("FAIL ", stdout);
	vprintf(fmt, ap);
	putchar('\n');
	va_end(ap);
	fail++;
}

/* glibc's answer: 1, 0, or -1 if it does not compile the pattern. */
static int glibc_match(const char *pattern, const char *s)
{
	regex_t re;

	if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
		return -1;
	int r = regexec(&re, s, 0, NULL, 0) == 0;
	regfree(&re);
	return r;
}

/* A printable form of s for messages. */
static const char *show(const char *s)
{
	static char buf[4][256];
	static int which;
	char *out = buf[which++ & 3];
	size_t n = 0;

	for (; *s && n < 200; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 0x20 && c < 0x7f && c != '\\')
			out[n++] = (char)c;
		else
			n += (size_t)sprintf(out + n, "\\x%02x", c);
	}
	out[n] = '\0';
	return out;
}

static int find_case(const char *pattern)
{
	for (int i = 0; i < NCASES; i++)
		if (!strcmp(cases[i].pattern, pattern) && case_match[i])
			return i;
	fprintf(stderr, "no case /%s/\n", pattern);
	exit(2);
}

/* "(s,e)..." of the first n slot pairs, "" when not matched. */
static const char *show_slots(char *buf, size_t size, int matched, const int32_t *slots,
			      int n)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; matched && i < n; i++)
		used += (size_t)snprintf(buf + used, size - used, "(%d,%d)", slots[2 * i],
					 slots[2 * i + 1]);
	return buf;
}

/* glibc's groups of pattern in s in the same form ("" if no match, NULL if no pattern). */
static const char *glibc_groups(char *buf, size_t size, const char *pattern, const char *s,
				int ngroups)
{
	regex_t re;
	regmatch_t pm[64];
	int32_t slots[128];

	if (regcomp(&re, pattern, REG_EXTENDED) != 0)
		return NULL;
	int m = regexec(&re, s, 64, pm, 0) == 0;
	regfree(&re);
	for (int i = 0; i < ngroups && i < 64; i++) {
		slots[2 * i] = (int32_t)pm[i].rm_so;
		slots[2 * i + 1] = (int32_t)pm[i].rm_eo;
	}
	return show_slots(buf, size, m, slots, ngroups);
}

static void check_captures(const char (*subjects)[16], int nsub)
{
	static struct context ctx;
	char got[1024], want[1024];

	for (int i = 0; i < NCAPCASES; i++) {
		const struct cap_case *k = &cap_cases[i];
		if (!cap_fn[i]) {
			bad("capture %d /%s/: did not compile", i, show(k->pattern));
			continue;
		}
		int m = (int)cap_fn[i](&ctx, k->subject);
		const struct stp_regex_last *l = &ctx.regex_last;
		show_slots(got, sizeof(got), m && l->result, l->slots, l->nslots / 2);
		const char *g = glibc_groups(want, sizeof(want), k->pattern, k->subject,
					     m ? l->nslots / 2 : 1);
		size_t whole = strcspn(got, ")");
		if (strcmp(got, k->groups) != 0 || m != (k->groups[0] != '\0'))
			bad("capture %d \"%s\" =~ /%s/: %s, expected %s", i, show(k->subject),
			    show(k->pattern), got, k->groups);
		else if (!g || strncmp(got, g, whole) != 0 || (k->glibc == SAME && strcmp(got, g)))
			bad("capture %d \"%s\" =~ /%s/: %s, glibc says %s", i, show(k->subject),
			    show(k->pattern), got, g ? g : "(no pattern)");
		else
			ok("capture %d \"%s\" =~ /%s/: %s%s", i, show(k->subject), show(k->pattern),
			   got, k->glibc == SAME ? ", as glibc" : "");
	}
	/* random patterns: the whole match as glibc's; groups compared for information */
	long checks = 0, bad_whole = 0, same_groups = 0;
	int nprog = 0;
	for (int i = 0; i < NRAND; i++) {
		if (!rcap_fn[i])
			continue;
		nprog++;
		for (int j = 0; j < nsub; j++) {
			int m = (int)rcap_fn[i](&ctx, subjects[j]);
			int ng = m ? ctx.regex_last.nslots / 2 : 1;
			show_slots(got, sizeof(got), m, ctx.regex_last.slots, ng);
			const char *g = glibc_groups(want, sizeof(want), rand_cases[i].pattern,
						     subjects[j], ng);
			size_t whole = m ? strcspn(got, ")") + 1 : 0;
			checks++;
			if (!g || strncmp(got, g, whole) != 0 || (!m && *g)) {
				if (++bad_whole <= 10)
					bad("capture random \"%s\" =~ /%s/: %s, glibc says %s",
					    show(subjects[j]), show(rand_cases[i].pattern), got,
					    g ? g : "(no pattern)");
			} else if (!strcmp(got, g)) {
				same_groups++;
			}
		}
	}
	if (!bad_whole)
		ok("capture random: %d patterns x %d strings: the whole match agrees with glibc in "
		   "all %ld, every group in %ld", nprog, nsub, checks, same_groups);
	else
		bad("capture random: %ld of %ld whole matches differ from glibc", bad_whole, checks);

	/* cost: the capture pass over a MAXSTRINGLEN string (runs only after a DFA match) */
	static char big[MAXSTRINGLEN];
	for (int i = 0; i < MAXSTRINGLEN - 1; i++)
		big[i] = "abc=12; "[i % 8];
	struct timespec t0, t1;
	long iters = 2000, hits = 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < iters; i++)
		hits += cap_fn[11](&ctx, big);           /* (.*)-(.*): no '-', DFA says no */
	for (long i = 0; i < iters; i++)
		hits += cap_fn[1](&ctx, big);            /* ([a-z]+)=([0-9]+): early match */
	big[MAXSTRINGLEN - 2] = '-';
	for (long i = 0; i < iters; i++)
		hits += cap_fn[11](&ctx, big);           /* (.*)-(.*): walks the whole string */
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double us = ((double)(t1.tv_sec - t0.tv_sec) * 1e6 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e3) /
		    (3.0 * (double)iters);
	if (hits == 2 * iters && us < 200.0)
		ok("capture speed: %.2f us per =~ with groups on %d bytes", us, MAXSTRINGLEN - 1);
	else
		bad("capture speed: %.2f us per =~, %ld hits", us, hits);
}

int main(void)
{
	/* ---- the table ---- */
	for (int i = 0; i < NCASES; i++) {
		const struct rx_case *c = &cases[i];
		int g = c->glibc == SAME ? glibc_match(c->pattern, c->expected == ERR ? "" : c->subject)
					: -2;
		if (c->expected == ERR) {
			if (g >= 0)
				bad("%d /%s/: glibc compiles it, we reject it (not marked DIFF)", i,
				    show(c->pattern));
			else
				ok("%d /%s/ rejected%s", i, show(c->pattern),
				   g == -1 ? ", as by glibc" : "");
			continue;
		}
		if (!case_match[i]) {
			bad("%d /%s/: did not compile", i, show(c->pattern));
			continue;
		}
		int m = (int)case_match[i](c->subject), n = (int)case_nomatch[i](c->subject);
		if (m != c->expected)
			bad("%d \"%s\" =~ /%s/ is %d, expected %d", i, show(c->subject),
			    show(c->pattern), m, c->expected);
		else if (n != !m)
			bad("%d \"%s\" !~ /%s/ is %d, =~ is %d", i, show(c->subject),
			    show(c->pattern), n, m);
		else if (g != -2 && g != m)
			bad("%d \"%s\" =~ /%s/ is %d, glibc says %d", i, show(c->subject),
			    show(c->pattern), m, g);
		else
			ok("%d \"%s\" =~ /%s/ is %d%s", i, show(c->subject), show(c->pattern), m,
			   g == -2 ? "" : ", as glibc");
	}

	/* ---- random patterns against glibc, on every string over {a,b,c,x,.,-, ,\xe9} up
	 * to length 3 plus longer pseudo-random ones ---- */
	static const char alphabet[] = "abcx.- \xe9";
	char subjects[700][16];
	int nsub = 0;
	subjects[nsub++][0] = '\0';
	for (int len = 1; len <= 3; len++) {
		int total = 1;
		for (int i = 0; i < len; i++)
			total *= 8;
		for (int v = 0; v < total; v++) {
			int x = v;
			for (int i = 0; i < len; i++, x /= 8)
				subjects[nsub][i] = alphabet[x % 8];
			subjects[nsub++][len] = '\0';
		}
	}
	unsigned long long r = 12345;
	while (nsub < 700) {
		r = r * 6364136223846793005ULL + 1442695040888963407ULL;
		int len = 4 + (int)((r >> 40) % 11);
		for (int i = 0; i < len; i++) {
			r = r * 6364136223846793005ULL + 1442695040888963407ULL;
			subjects[nsub][i] = "aaabbbcx.-"[(r >> 33) % 10];
		}
		subjects[nsub++][len] = '\0';
	}
	long checks = 0, mismatches = 0;
	for (int i = 0; i < NRAND; i++) {
		regex_t re;
		if (regcomp(&re, rand_cases[i].pattern, REG_EXTENDED | REG_NOSUB) != 0) {
			bad("random /%s/: glibc does not compile it", show(rand_cases[i].pattern));
			continue;
		}
		for (int j = 0; j < nsub; j++) {
			int g = regexec(&re, subjects[j], 0, NULL, 0) == 0;
			int m = (int)rand_cases[i].fn(subjects[j]);
			checks++;
			if (g != m && ++mismatches <= 20)
				bad("random \"%s\" =~ /%s/ is %d, glibc says %d", show(subjects[j]),
				    show(rand_cases[i].pattern), m, g);
		}
		regfree(&re);
	}
	if (!mismatches)
		ok("random: %d patterns x %d strings = %ld matches agree with glibc", NRAND, nsub,
		   checks);
	else
		bad("random: %ld of %ld matches differ from glibc", mismatches, checks);
	check_captures((const char (*)[16])subjects, nsub);

	/* ---- token soup: the same patterns accepted as by glibc, but for the documented
	 * differences; where both accept, the same answers ---- */
	static const char *const deliberate[] = { "unmatched ')'", "unsupported escape",
						  "back-references", "too complex", "too large",
						  "repetition count above" };
	static const char *const soup_subjects[] = { "", "a", "b", "ab", "ba", "-", "]", "a]",
		"[", "^", "$", "(", ")", "|", "*", "+a", "{1}", "a{1}", "abc", "aab", "1", "2,",
		"\\", ".", ":", "c-a", "bb", "x", "a_b", "0,1" };
	int nsubj = (int)(sizeof(soup_subjects) / sizeof(soup_subjects[0]));
	long both = 0, both_reject = 0, deliberate_n = 0, soup_bad = 0;
	for (int i = 0; i < NSOUP; i++) {
		regex_t re;
		int gok = regcomp(&re, soup_cases[i].pattern, REG_EXTENDED | REG_NOSUB) == 0;
		if (!soup_cases[i].fn) {
			int known = 0;
			for (size_t k = 0; k < sizeof(deliberate) / sizeof(deliberate[0]); k++)
				known |= strstr(soup_cases[i].error, deliberate[k]) != NULL;
			if (gok && known)
				deliberate_n++;
			else if (gok && ++soup_bad <= 10)
				bad("soup /%s/: glibc compiles it, we say: %s", show(soup_cases[i].pattern),
				    soup_cases[i].error);
		} else if (!gok) {
			if (++soup_bad <= 10)
				bad("soup /%s/: we compile it, glibc does not", show(soup_cases[i].pattern));
		} else {
			both++;
			for (int j = 0; j < nsubj; j++) {
				int m = (int)soup_cases[i].fn(soup_subjects[j]);
				int g = regexec(&re, soup_subjects[j], 0, NULL, 0) == 0;
				if (m != g && ++soup_bad <= 10)
					bad("soup \"%s\" =~ /%s/ is %d, glibc says %d", show(soup_subjects[j]),
					    show(soup_cases[i].pattern), m, g);
			}
		}
		if (!soup_cases[i].fn && !gok)
			both_reject++;
		if (gok)
			regfree(&re);
	}
	if (!soup_bad)
		ok("soup: %d token strings: %ld compiled by both and agree on %d strings, %ld "
		   "rejected by both, %ld rejected on purpose (lone ')', \\b, back-references)",
		   NSOUP, both, nsubj, both_reject, deliberate_n);
	else
		bad("soup: %ld disagreements with glibc", soup_bad);

	/* ---- the MAXSTRINGLEN bound: bytes past it are never looked at ---- */
	static char big[MAXSTRINGLEN + 100];
	memset(big, 'a', MAXSTRINGLEN - 1);
	big[MAXSTRINGLEN - 1] = '\0';
	int all_a = find_case("^a{2,}$"), abc = find_case("abc");
	if (case_match[all_a](big) == 1 && glibc_match("^a{2,}$", big) == 1)
		ok("%d-byte string, /^a{2,}$/ walks to its end", MAXSTRINGLEN - 1);
	else
		bad("%d-byte string, /^a{2,}$/ does not match", MAXSTRINGLEN - 1);
	memset(big, 'a', sizeof(big) - 1);
	memcpy(big + MAXSTRINGLEN + 10, "abc", 3);
	big[sizeof(big) - 1] = '\0';
	if (case_match[abc](big) == 0)
		ok("no byte past MAXSTRINGLEN (%d) is read", MAXSTRINGLEN);
	else
		bad("a match past MAXSTRINGLEN (%d)", MAXSTRINGLEN);

	/* ---- a table with 32-bit offsets ---- */
	char all[520];
	for (int b = 1; b < 256; b++)
		all[b - 1] = (char)b;
	memcpy(all + 255, "abcd", 5);
	int w1 = (int)wide_m(all), g1 = glibc_match(wide_pattern, all);
	all[199] = 'x';
	int w0 = (int)wide_m(all), g0 = glibc_match(wide_pattern, all);
	if (wide_RE.trans32 && !wide_RE.trans16 && wide_RE.nclasses == 255 && w1 == 1 && g1 == 1 &&
	    w0 == 0 && g0 == 0)
		ok("32-bit table (%u classes, %u live states): bytes 1..255 and abcd match, a changed "
		   "byte not", wide_RE.nclasses, wide_RE.live_end / wide_RE.nclasses);
	else
		bad("32-bit table: trans32 %p, classes %u, results %d %d, glibc %d %d",
		    (const void *)wide_RE.trans32, wide_RE.nclasses, w1, w0, g1, g0);

	/* ---- a long chain (left unminimized) ---- */
	for (int b = 1; b < 256; b++)
		all[b - 1] = all[b + 254] = (char)b;
	all[510] = '\0';
	int c1 = (int)chain_m(all), cg1 = glibc_match(chain_pattern, all);
	all[300] = 'x';
	int c0 = (int)chain_m(all), cg0 = glibc_match(chain_pattern, all);
	all[300] = (char)46;
	all[509] = '\0';
	int c2 = (int)chain_m(all), cg2 = glibc_match(chain_pattern, all);
	if (c1 == 1 && cg1 == 1 && c0 == 0 && cg0 == 0 && c2 == 0 && cg2 == 0)
		ok("chain of %u live states, %u classes: the 510 bytes match, changed or short not",
		   chain_RE.live_end / chain_RE.nclasses, chain_RE.nclasses);
	else
		bad("chain: results %d %d %d, glibc %d %d %d", c1, c0, c2, cg1, cg0, cg2);

	/* ---- speed: one table step per byte ---- */
	int hard = find_case("^(a|b)*a(a|b){3}$");
	char s[MAXSTRINGLEN];
	for (int i = 0; i < MAXSTRINGLEN - 1; i++)
		s[i] = "ab"[(i * 7 + i / 3) % 2];
	s[MAXSTRINGLEN - 1] = '\0';
	struct timespec t0, t1;
	long iters = 20000, hits = 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < iters; i++) {
		s[i % 50] ^= (char)(i & 1 ? 3 : 0);       /* keep the compiler from hoisting */
		hits += case_match[hard](s);
		s[i % 50] ^= (char)(i & 1 ? 3 : 0);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double ns = ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) /
		    ((double)iters * (MAXSTRINGLEN - 1));
	if (ns < 10.0)
		ok("speed: %.2f ns per byte (%ld matches of %d bytes, %ld hits)", ns, iters,
		   MAXSTRINGLEN - 1, hits);
	else
		bad("speed: %.2f ns per byte", ns);

	printf("%d passed, %d failed\n", pass, fail);
	return fail ? 1 : 0;
}
