/* diag.c - prints diagnostics in SystemTap's layout; see diag.h. */
#include "diag.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int error_count;
static int no_warnings, warnings_fatal;
static int verbose;
static int speculating, speculated_errors;
static int suppressed_errors, suppressed_warnings;

/* Messages already printed, to print each distinct message once. */
static const char *error_site;         /* the check raising the current error, or NULL */
static char **seen;
static size_t nseen, capseen;

static int already_seen(const char *msg)
{
	for (size_t i = 0; i < nseen; i++)
		if (strcmp(seen[i], msg) == 0)
			return 1;
	if (nseen == capseen) {
		capseen = capseen ? capseen * 2 : 16;
		seen = realloc(seen, capseen * sizeof(*seen));
		if (!seen)
			abort();
	}
	seen[nseen++] = strdup(msg);
	return 0;
}

/* Appends "<indent>source: LINE\n<pad>^\n" for loc to buf. */
static void append_source(char *buf, size_t size, const struct srcloc *loc, int indent)
{
	if (!loc || !loc->file || loc->line <= 0 || !loc->file->text)
		return;
	const char *p = loc->file->text;
	for (int l = 1; l < loc->line && *p; l++) {
		p = strchr(p, '\n');
		if (!p)
			return;
		p++;
	}
	size_t len = strcspn(p, "\n");
	size_t used = strlen(buf);
	int n = snprintf(buf + used, size - used, "%*ssource: %.*s\n", indent, "", (int)len, p);
	if (n < 0 || (size_t)n >= size - used)
		return;
	used += (size_t)n;
	/* The caret line keeps the source line's tabs so the caret lines up under them. */
	size_t pad = (size_t)indent + strlen("source: ");
	for (size_t i = 0; i < pad && used + 2 < size; i++)
		buf[used++] = ' ';
	for (int c = 1; c < loc->col && (size_t)(c - 1) < len && used + 2 < size; c++)
		buf[used++] = p[c - 1] == '\t' ? '\t' : ' ';
	if (used + 2 < size) {
		buf[used++] = '^';
		buf[used++] = '\n';
	}
	buf[used] = '\0';
}

/* "FILE:LINE:COL". In semantic errors and warnings (short_repeats), as SystemTap prints
 * them, the file's name is left out (":LINE:COL") when it is the file of the location of
 * such a message formatted before, in this message or an earlier one: a chained "first
 * inferred here" location, the second location of an error, the next of several warnings
 * about one script. Parse errors always name the file. */
static const struct source_file *last_file;   /* of the last location format_at() shortened */

static void format_at(char *buf, size_t size, const struct srcloc *loc, bool short_repeats)
{
	if (loc && loc->file && loc->line > 0) {
		bool same = short_repeats && loc->file == last_file;

		snprintf(buf, size, "%s:%d:%d", same ? "" : loc->file->name, loc->line, loc->col);
		if (short_repeats)
			last_file = loc->file;
	} else {
		snprintf(buf, size, "<unknown>");
	}
}

static void emit(const char *msg)
{
	if (already_seen(msg))
		return;
	fputs(msg, stderr);
	fflush(stderr);
}

static void print_suppressed(void)
{
	if (suppressed_errors)
		fprintf(stderr, "Number of similar error messages suppressed: %d.\n", suppressed_errors);
	if (suppressed_warnings)
		fprintf(stderr, "Number of similar warning messages suppressed: %d.\n",
			suppressed_warnings);
	if (suppressed_errors || suppressed_warnings)
		fprintf(stderr, "Rerun with -v to see them.\n");
}

/* Prints msg unless key was seen; counts what is held back. */
static void emit_counted(const char *key, const char *msg, int *counter)
{
	static int registered;

	if (already_seen(key)) {
		if (!registered) {
			registered = 1;
			atexit(print_suppressed);
		}
		(*counter)++;
		return;
	}
	fputs(msg, stderr);
	fflush(stderr);
}

/* label: "saw" (the token that does not fit) or " at" (the construct that is wrong). */
static void parse_error_v(const struct srcloc *loc, const char *label, const char *what,
			  const char *fmt, va_list ap)
{
	char body[1024], at[512], msg[4096];

	vsnprintf(body, sizeof(body), fmt, ap);
	format_at(at, sizeof(at), loc, false);
	if (what)
		snprintf(msg, sizeof(msg), "parse error: %s\n        %s: %s at %s\n", body, label,
			 what, at);
	else
		snprintf(msg, sizeof(msg), "parse error: %s\n         at: %s\n", body, at);
	append_source(msg, sizeof(msg), loc, 5);
	strncat(msg, "\n", sizeof(msg) - strlen(msg) - 1);
	error_count++;
	emit(msg);
}

void diag_parse_error(const struct srcloc *loc, const char *what, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	parse_error_v(loc, "saw", what, fmt, ap);
	va_end(ap);
}

void diag_parse_error_at(const struct srcloc *loc, const char *what, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	parse_error_v(loc, " at", what, fmt, ap);
	va_end(ap);
}

static void located_message(const char *kind, const struct srcloc *loc, const char *what,
			    const struct srcloc *loc2, const char *what2, const char *fmt, va_list ap)
{
	char body[2048], at[512], msg[8192], key[2200];

	vsnprintf(body, sizeof(body), fmt, ap);
	if (loc && loc->file && loc->line > 0) {
		format_at(at, sizeof(at), loc, true);
		if (what)
			snprintf(msg, sizeof(msg), "%s: %s: %s at %s\n", kind, body, what, at);
		else
			snprintf(msg, sizeof(msg), "%s: %s at %s\n", kind, body, at);
		/* SystemTap indents the source line under errors by 8, under warnings by 1. */
		append_source(msg, sizeof(msg), loc, strcmp(kind, "semantic error") == 0 ? 8 : 1);
	} else {
		snprintf(msg, sizeof(msg), "%s: %s\n", kind, body);
	}
	if (loc2 && loc2->file && loc2->line > 0) {
		size_t used = strlen(msg);
		format_at(at, sizeof(at), loc2, true);
		snprintf(msg + used, sizeof(msg) - used, "%s at %s\n", what2 ? what2 : "", at);
		append_source(msg, sizeof(msg), loc2, 8);
	}
	if (strcmp(kind, "WARNING") != 0)
		strncat(msg, "\n", sizeof(msg) - strlen(msg) - 1);
	if (strcmp(kind, "WARNING") == 0) {
		/* Warnings are "similar" when their words agree, wherever they are. */
		snprintf(key, sizeof(key), "W:%s", body);
		emit_counted(verbose ? msg : key, msg, &suppressed_warnings);
	} else if (error_site && !verbose) {
		/* Errors of one check are "similar", wherever they are (SystemTap's rule). */
		snprintf(key, sizeof(key), "S:%s", error_site);
		emit_counted(key, msg, &suppressed_errors);
	} else {
		emit_counted(msg, msg, &suppressed_errors);
	}
}

static void semantic_error_v(const struct srcloc *loc, const char *what, const struct srcloc *loc2,
			     const char *what2, const char *fmt, va_list ap)
{
	if (speculating) {
		speculated_errors++;
		return;
	}
	error_count++;
	located_message("semantic error", loc, what, loc2, what2, fmt, ap);
}

void diag_semantic_error(const struct srcloc *loc, const char *what, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	semantic_error_v(loc, what, NULL, NULL, fmt, ap);
	va_end(ap);
}

void diag_semantic_error_site(const char *site, const struct srcloc *loc, const char *what,
			      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	error_site = site;
	semantic_error_v(loc, what, NULL, NULL, fmt, ap);
	error_site = NULL;
	va_end(ap);
}

void diag_semantic_error2(const struct srcloc *loc, const char *what, const struct srcloc *loc2,
			  const char *what2, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	semantic_error_v(loc, what, loc2, what2, fmt, ap);
	va_end(ap);
}

void diag_warning(const struct srcloc *loc, const char *what, const char *fmt, ...)
{
	va_list ap;

	if (speculating || (no_warnings && !warnings_fatal))
		return;
	va_start(ap, fmt);
	if (warnings_fatal) {
		error_count++;
		located_message("ERROR", loc, what, NULL, NULL, fmt, ap);
	} else {
		located_message("WARNING", loc, what, NULL, NULL, fmt, ap);
	}
	va_end(ap);
}

void diag_plain_error(const char *fmt, ...)
{
	char msg[4096];
	va_list ap;

	if (speculating) {
		speculated_errors++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	error_count++;
	fputs(msg, stderr);
	if (msg[0] && msg[strlen(msg) - 1] != '\n')
		fputc('\n', stderr);
}

int diag_error_count(void)
{
	return error_count;
}

void diag_reset(void)
{
	error_count = 0;
	last_file = NULL;
	for (size_t i = 0; i < nseen; i++)
		free(seen[i]);
	nseen = 0;
}

void diag_set_flags(int suppress_warnings, int warnings_are_errors)
{
	no_warnings = suppress_warnings;
	warnings_fatal = warnings_are_errors;
}

void diag_set_verbose(int v)
{
	verbose = v;
}

/* Speculation nests: the outermost begin saves the count, each end reports the errors
 * swallowed since its own begin. */
static int spec_stack[64];

void diag_speculate_begin(void)
{
	if (speculating < 64)
		spec_stack[speculating] = speculated_errors;
	speculating++;
}

int diag_speculate_end(void)
{
	speculating--;
	int n = speculated_errors - (speculating < 64 ? spec_stack[speculating] : 0);
	if (!speculating)
		speculated_errors = 0;
	return n;
}
