/* emit.c - the indenting writer for generated C; see emit.h. */
#include "emit.h"
#include "arena.h"

#include <stdarg.h>
#include <string.h>

void emit(struct emitter *e, const char *fmt, ...)
{
	va_list ap;

	/* Generated lines can be long (a printf with many arguments is one statement
	 * expression), so the line is formatted at whatever length it has. */
	va_start(ap, fmt);
	char *line = arena_vprintf(g_arena, fmt, ap);
	va_end(ap);
	size_t len = strlen(line);
	if (line[0] == '}' && e->depth > 0)
		e->depth--;
	int is_label = len > 1 && line[len - 1] == ':' && !strchr(line, ' ');
	int depth = is_label ? (e->depth > 0 ? e->depth - 1 : 0) : e->depth;
	for (int i = 0; i < depth; i++)
		fputc('\t', e->out);
	fputs(line, e->out);
	fputc('\n', e->out);
	if (len && line[len - 1] == '{')
		e->depth++;
}

void emit_raw(struct emitter *e, const char *text)
{
	fputs(text, e->out);
	if (text[0] && text[strlen(text) - 1] != '\n')
		fputc('\n', e->out);
}

const char *emit_fresh(struct emitter *e, const char *prefix)
{
	return arena_printf(g_arena, "%s_%d", prefix, e->tmp_counter++);
}

const char *c_string_literal(const char *s, size_t len)
{
	char *out = arena_alloc(g_arena, len * 4 + 3);
	char *p = out;

	*p++ = '"';
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		switch (ch) {
		case '\n': *p++ = '\\'; *p++ = 'n'; break;
		case '\t': *p++ = '\\'; *p++ = 't'; break;
		case '\\': *p++ = '\\'; *p++ = '\\'; break;
		case '"': *p++ = '\\'; *p++ = '"'; break;
		case '?': *p++ = '\\'; *p++ = '?'; break;     /* no trigraphs */
		default:
			if (ch < 0x20 || ch >= 0x7f)
				p += sprintf(p, "\\%03o", ch);
			else
				*p++ = (char)ch;
		}
	}
	*p++ = '"';
	*p = '\0';
	return out;
}
