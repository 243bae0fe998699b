/* arena.h - one bump allocator per translation.
 *
 * Everything the translator builds (tokens, AST nodes, strings, types) is allocated from the
 * session's arena and freed at once when the session ends. Allocation never fails: on memory
 * exhaustion the process exits with a message.
 */
#ifndef STAP_ARENA_H
#define STAP_ARENA_H

#include <stddef.h>
#include <stdarg.h>

struct arena;

struct arena *arena_new(void);
void arena_free(struct arena *a);
void *arena_alloc(struct arena *a, size_t size);          /* zeroed, 16-byte aligned */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap);
size_t arena_bytes_used(const struct arena *a);

/* The process-wide arena of the current translation (set by the driver). */
extern struct arena *g_arena;

#define NEW(type) ((type *)arena_alloc(g_arena, sizeof(type)))

#endif
