/* source.c - script and tapset files as struct source_file; see parse.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "parse.h"

struct source_file *source_from_text(const char *name, const char *text)
{
	struct source_file *f = NEW(struct source_file);
	size_t len = strlen(text);

	f->name = arena_strdup(g_arena, name);
	f->text = arena_strndup(g_arena, text, len);
	f->len = len;
	return f;
}

/* Reads path ("-" is standard input) into the arena. */
struct source_file *source_from_path(const char *path, int is_tapset)
{
	int is_stdin = strcmp(path, "-") == 0;
	FILE *fp = is_stdin ? stdin : fopen(path, "rb");

	if (!fp) {
		if (errno == ENOENT)
			diag_plain_error("Input file '%s' is missing.", path);
		else
			diag_plain_error("Input file '%s' can't be opened for reading: %s", path,
					 strerror(errno));
		return NULL;
	}

	size_t cap = 65536, len = 0;
	char *buf = malloc(cap);
	int failed = 0;

	for (;;) {
		if (!buf) {
			fputs("stap: out of memory\n", stderr);
			exit(1);
		}
		size_t n = fread(buf + len, 1, cap - len, fp);
		len += n;
		if (n == 0) {
			failed = ferror(fp);
			break;
		}
		if (len == cap) {
			cap *= 2;
			buf = realloc(buf, cap);
		}
	}
	int saved = errno;
	if (!is_stdin)
		fclose(fp);
	if (failed) {
		free(buf);
		diag_plain_error("Input file '%s' can't be read: %s", path, strerror(saved));
		return NULL;
	}

	struct source_file *f = NEW(struct source_file);
	f->name = arena_strdup(g_arena, is_stdin ? "<input>" : path);
	f->text = arena_strndup(g_arena, buf, len);
	f->len = len;
	f->is_tapset = is_tapset;
	free(buf);
	return f;
}
