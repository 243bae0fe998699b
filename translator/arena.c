/* arena.c - bump allocation in large chunks; see arena.h. */
#include "arena.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_SIZE (256 * 1024)

struct chunk {
	struct chunk *prev;
	size_t used, size;
	_Alignas(16) unsigned char data[];
};

struct arena {
	struct chunk *top;
	size_t total;
};

struct arena *g_arena;

static struct chunk *chunk_new(size_t min, struct chunk *prev)
{
	size_t size = min > CHUNK_SIZE ? min : CHUNK_SIZE;
	struct chunk *c = malloc(sizeof(*c) + size);

	if (!c) {
		fputs("stap: out of memory\n", stderr);
		exit(1);
	}
	c->prev = prev;
	c->used = 0;
	c->size = size;
	return c;
}

struct arena *arena_new(void)
{
	struct arena *a = calloc(1, sizeof(*a));

	if (!a) {
		fputs("stap: out of memory\n", stderr);
		exit(1);
	}
	return a;
}

void arena_free(struct arena *a)
{
	if (!a)
		return;
	while (a->top) {
		struct chunk *prev = a->top->prev;
		free(a->top);
		a->top = prev;
	}
	free(a);
}

void *arena_alloc(struct arena *a, size_t size)
{
	size = (size + 15) & ~(size_t)15;
	if (!a->top || a->top->size - a->top->used < size)
		a->top = chunk_new(size, a->top);
	void *p = a->top->data + a->top->used;
	a->top->used += size;
	a->total += size;
	memset(p, 0, size);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
	va_list ap2;

	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	char *p = arena_alloc(a, (size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	char *p = arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

size_t arena_bytes_used(const struct arena *a)
{
	return a->total;
}
