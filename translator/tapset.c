/* tapset.c - finds and parses the tapset library; see tapset.h. */
#define _GNU_SOURCE
#include "tapset.h"
#include "arena.h"
#include "parse.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

static int has_suffix(const char *name, const char *suffix)
{
	size_t n = strlen(name), m = strlen(suffix);
	return n > m && strcmp(name + n - m, suffix) == 0;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Parses the .stp files of DIR in name order, appending the scripts to *tail. */
static void load_dir(struct session *s, const char *dir, struct script ***tail)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	const char **names = NULL;
	size_t n = 0, cap = 0;

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (!has_suffix(de->d_name, ".stp"))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			names = realloc(names, cap * sizeof(*names));
			if (!names)
				abort();
		}
		names[n++] = arena_strdup(g_arena, de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), compare_names);
	for (size_t i = 0; i < n; i++) {
		char *path = arena_printf(g_arena, "%s/%s", dir, names[i]);
		struct source_file *f = source_from_path(path, 1);
		if (!f)
			continue;
		struct script *sc = parse_script(s, f);
		**tail = sc;
		*tail = &sc->next;
	}
	free(names);
}

static void load_tree(struct session *s, const char *root, struct script ***tail)
{
	load_dir(s, root, tail);
	load_dir(s, arena_printf(g_arena, "%s/linux", root), tail);
	load_dir(s, arena_printf(g_arena, "%s/%s", root, s->arch), tail);
}

struct script *tapset_load(struct session *s)
{
	struct script *head = NULL, **tail = &head;

	for (int i = 0; i < s->include_dirs.n; i++)
		load_tree(s, s->include_dirs.v[i], &tail);
	load_tree(s, s->tapset_dir, &tail);
	return head;
}
