/* emit.h - a small indenting writer for generated C.
 *
 * emit(e, "if (x) {") prints one line at the current depth; a line ending in '{' indents
 * the following lines and a line starting with '}' dedents first. Labels ("out:") are
 * printed at the function's outer level.
 */
#ifndef STAP_EMIT_H
#define STAP_EMIT_H

#include <stdio.h>

struct emitter {
	FILE *out;
	int depth;
	int tmp_counter;              /* fresh C identifiers: emit_fresh() */
};

void emit(struct emitter *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Writes text verbatim (embedded C blocks). */
void emit_raw(struct emitter *e, const char *text);
/* Returns a fresh identifier "prefix_N" (arena string). */
const char *emit_fresh(struct emitter *e, const char *prefix);
/* A C string literal for bytes s[0..len) (arena string), e.g. "a\n\"b\"". */
const char *c_string_literal(const char *s, size_t len);

#endif
