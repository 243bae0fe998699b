/* tapset.c - the tapset library's search path, macros and name index; see tapset.h. */
#define _GNU_SOURCE
#include "tapset.h"
#include "arena.h"
#include "parse.h"
#include "preprocess.h"
#include "parser.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define INDEX_FORMAT 2

/* ---- the search path ---- */

struct tapset_file {
	const char *path;
	long long size, mtime_ns;
	int parsed;
};

struct entry {
	const char *name;
	char kind;
	int file;
	struct entry *next;               /* same hash bucket */
};

struct tapset_lib {
	struct session *s;
	struct tapset_file *files;
	int nfiles, capfiles;
	const char **dirs;
	int ndirs;
	struct entry **buckets;
	unsigned nbuckets;
	int nentries;
	char *cache_text;                 /* the cache file, names point into it */
	const char **names[3];            /* sorted distinct names per kind (lazily) */
	int nnames[3];
	void (*on_load)(struct script *sc, void *arg);
	void *arg;
	struct script **library_tail;
};

static int has_suffix(const char *name, const char *suffix)
{
	size_t n = strlen(name), m = strlen(suffix);
	return n > m && strcmp(name + n - m, suffix) == 0;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The directories of the search path, in order. */
static const char **search_dirs(struct session *s, int *n)
{
	int roots = s->include_dirs.n + 1;
	const char **v = arena_alloc(g_arena, (size_t)roots * 3 * sizeof(*v));
	int k = 0;

	for (int i = 0; i < roots; i++) {
		const char *root = i < s->include_dirs.n ? s->include_dirs.v[i] : s->tapset_dir;
		if (!root)
			continue;
		v[k++] = root;
		v[k++] = arena_printf(g_arena, "%s/linux", root);
		v[k++] = arena_printf(g_arena, "%s/%s", root, s->arch ? s->arch : "x86_64");
	}
	*n = k;
	return v;
}

/* Calls fn(path, st) for each file of DIR ending in SUFFIX, in name order. */
static void each_file(const char *dir, const char *suffix,
		      void (*fn)(const char *path, const struct stat *st, void *arg), void *arg)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || !has_suffix(de->d_name, suffix))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			names = realloc(names, cap * sizeof(*names));
			if (!names)
				abort();
		}
		names[n++] = strdup(de->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), compare_names);
	for (size_t i = 0; i < n; i++) {
		char *path = arena_printf(g_arena, "%s/%s", dir, names[i]);
		struct stat st;
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
			fn(path, &st, arg);
		free(names[i]);
	}
	free(names);
}

/* ---- macros ---- */

static void load_macro_file(const char *path, const struct stat *st, void *arg)
{
	struct source_file *f = source_from_path(path, 1);

	(void)st;
	if (f)
		preprocess_load_macros(arg, f);
}

void tapset_load_macros(struct session *s)
{
	int n;
	const char **dirs = search_dirs(s, &n);

	for (int i = 0; i < n; i++)
		each_file(dirs[i], ".stpm", load_macro_file, s);
}

/* ---- the index ---- */

static unsigned hash_name(const char *name, char kind)
{
	unsigned h = 2166136261u ^ (unsigned char)kind;
	for (const char *p = name; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return h;
}

static void index_add(struct tapset_lib *L, char kind, const char *name, int file)
{
	if (L->nentries * 2 >= (int)L->nbuckets) {
		unsigned nb = L->nbuckets ? L->nbuckets * 2 : 1024;
		struct entry **b = calloc(nb, sizeof(*b));
		if (!b)
			abort();
		for (unsigned i = 0; i < L->nbuckets; i++) {
			for (struct entry *e = L->buckets[i], *next; e; e = next) {
				next = e->next;
				unsigned h = hash_name(e->name, e->kind) & (nb - 1);
				e->next = b[h];
				b[h] = e;
			}
		}
		free(L->buckets);
		L->buckets = b;
		L->nbuckets = nb;
	}
	unsigned h = hash_name(name, kind) & (L->nbuckets - 1);
	for (struct entry *e = L->buckets[h]; e; e = e->next)
		if (e->kind == kind && e->file == file && !strcmp(e->name, name))
			return;
	struct entry *e = NEW(struct entry);
	e->name = name;
	e->kind = kind;
	e->file = file;
	e->next = L->buckets[h];
	L->buckets[h] = e;
	L->nentries++;
}

static void add_file(const char *path, const struct stat *st, void *arg)
{
	struct tapset_lib *L = arg;

	if (L->nfiles == L->capfiles) {
		L->capfiles = L->capfiles ? L->capfiles * 2 : 256;
		struct tapset_file *v = arena_alloc(g_arena, (size_t)L->capfiles * sizeof(*v));
		if (L->nfiles)
			memcpy(v, L->files, (size_t)L->nfiles * sizeof(*v));
		L->files = v;
	}
	struct tapset_file *f = &L->files[L->nfiles++];
	memset(f, 0, sizeof(*f));
	f->path = path;
	f->size = (long long)st->st_size;
	f->mtime_ns = (long long)st->st_mtim.tv_sec * 1000000000LL + st->st_mtim.tv_nsec;
}

static uint64_t fnv(uint64_t h, const void *data, size_t n)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h;
}

/* What the cached index depends on: this program, the search path, each file's
 * identity. */
static uint64_t index_key(const struct tapset_lib *L)
{
	uint64_t h = 1469598103934665603ULL;
	int format = INDEX_FORMAT;
	struct stat st;

	h = fnv(h, &format, sizeof(format));
	if (stat("/proc/self/exe", &st) == 0) {
		h = fnv(h, &st.st_size, sizeof(st.st_size));
		h = fnv(h, &st.st_mtim, sizeof(st.st_mtim));
	}
	for (int i = 0; i < L->ndirs; i++)
		h = fnv(h, L->dirs[i], strlen(L->dirs[i]) + 1);
	for (int i = 0; i < L->nfiles; i++) {
		h = fnv(h, L->files[i].path, strlen(L->files[i].path) + 1);
		h = fnv(h, &L->files[i].size, sizeof(L->files[i].size));
		h = fnv(h, &L->files[i].mtime_ns, sizeof(L->files[i].mtime_ns));
	}
	return h;
}

static const char *cache_path(const struct tapset_lib *L)
{
	const char *dir = getenv("SYSTEMTAP_DIR");
	const char *home = getenv("HOME");
	uint64_t h = 1469598103934665603ULL;

	for (int i = 0; i < L->ndirs; i++)
		h = fnv(h, L->dirs[i], strlen(L->dirs[i]) + 1);
	if (dir && *dir)
		return arena_printf(g_arena, "%s/cache/tapset-index-%016llx", dir,
				    (unsigned long long)h);
	if (home && *home)
		return arena_printf(g_arena, "%s/.systemtap/cache/tapset-index-%016llx", home,
				    (unsigned long long)h);
	return NULL;
}

/* A token that can be a component of a probe alias name or a function name. */
static int is_word(const struct token *t)
{
	unsigned char c = t->text ? (unsigned char)t->text[0] : 0;
	return t->type != STRING && t->type != NUMBER && t->type != EMBEDDED &&
	       (c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
}

/* Scans one file's tokens for the names it defines at the top level. */
static void scan_file(struct tapset_lib *L, int file)
{
	struct source_file *f = source_from_path(L->files[file].path, 1);
	if (!f)
		return;
	struct lexer *lx = lexer_new(f);
	struct token t;
	enum { TOP, AFTER_FUNCTION, GLOBAL_NAME, GLOBAL_REST, PROBE_NAME } state = TOP;
	int is_private = 0, after_private = 0, depth = 0;
	char alias[512];
	size_t alen = 0;

	while (lexer_next(lx, &t) != 0) {
		if (t.type != PRIVATE && t.type != FUNCTION && t.type != GLOBAL)
			after_private = 0;
		/* Declarations never nest: a keyword that starts one resets the depth. */
		if (t.type == PROBE || t.type == FUNCTION || t.type == GLOBAL ||
		    (t.type == PRIVATE && state != PROBE_NAME)) {
			depth = 0;
			if (t.type == PRIVATE) {
				is_private = 1;
				state = GLOBAL_NAME;       /* "private x" is a global */
				after_private = 1;
				continue;
			}
			if (!after_private)
				is_private = 0;
			after_private = 0;
			if (t.type == FUNCTION)
				state = AFTER_FUNCTION;
			else if (t.type == GLOBAL)
				state = GLOBAL_NAME;
			else {
				state = PROBE_NAME;
				alen = 0;
				is_private = 0;
			}
			continue;
		}
		switch (state) {
		case AFTER_FUNCTION:
			if (t.type == IDENT && !is_private)
				index_add(L, 'f', t.text, file);
			state = TOP;
			is_private = 0;
			continue;
		case GLOBAL_NAME:
			if (t.type == IDENT) {
				if (!is_private)
					index_add(L, 'g', t.text, file);
				state = GLOBAL_REST;
				continue;
			}
			state = TOP;
			is_private = 0;
			break;
		case GLOBAL_REST:
			if (t.type == ',') {
				state = GLOBAL_NAME;
				continue;
			}
			if (t.type == '[' || t.type == ']' || t.type == '%' || t.type == '=' ||
			    t.type == '-' || t.type == NUMBER || t.type == STRING || t.type == ';')
				continue;
			state = TOP;
			is_private = 0;
			break;
		case PROBE_NAME:
			if (is_word(&t) || t.type == '.') {
				size_t n = strlen(t.text);
				if (alen + n + 1 < sizeof(alias)) {
					memcpy(alias + alen, t.text, n);
					alen += n;
				}
				continue;
			}
			if ((t.type == '=' || t.type == ADD_ASSIGN) && alen) {
				alias[alen] = '\0';
				index_add(L, 'a', arena_strndup(g_arena, alias, alen), file);
			}
			state = TOP;
			break;
		case TOP:
			break;
		}
		if (t.type == '{')
			depth++;
		else if (t.type == '}' && depth > 0)
			depth--;
	}
	lexer_free(lx);
}

static int read_cache(struct tapset_lib *L, const char *path, uint64_t key)
{
	FILE *fp = path ? fopen(path, "rb") : NULL;
	if (!fp)
		return -1;
	struct stat st;
	if (fstat(fileno(fp), &st) != 0 || st.st_size <= 0) {
		fclose(fp);
		return -1;
	}
	char *text = malloc((size_t)st.st_size + 1);
	if (!text || fread(text, 1, (size_t)st.st_size, fp) != (size_t)st.st_size) {
		free(text);
		fclose(fp);
		return -1;
	}
	fclose(fp);
	text[st.st_size] = '\0';

	char header[64];
	snprintf(header, sizeof(header), "stap-tapset-index %d %016llx\n", INDEX_FORMAT,
		 (unsigned long long)key);
	if (strncmp(text, header, strlen(header)) != 0) {
		free(text);
		return -1;
	}
	int file = -1;
	for (char *line = text + strlen(header), *next; *line; line = next) {
		next = strchr(line, '\n');
		if (!next) {
			free(text);
			return -1;                /* truncated */
		}
		*next++ = '\0';
		if (line[0] == '@') {
			file = atoi(line + 2);
			if (file < 0 || file >= L->nfiles) {
				free(text);
				return -1;
			}
		} else if ((line[0] == 'f' || line[0] == 'g' || line[0] == 'a') && line[1] == ' ' &&
			   file >= 0) {
			index_add(L, line[0], line + 2, file);
		}
	}
	L->cache_text = text;             /* names point into it */
	return 0;
}

static void mkdirs(const char *path)
{
	char *p = arena_strdup(g_arena, path);
	for (char *s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
}

static void write_cache(struct tapset_lib *L, const char *path, uint64_t key)
{
	if (!path)
		return;
	mkdirs(path);
	char *tmp = arena_printf(g_arena, "%s.%d.tmp", path, (int)getpid());
	FILE *fp = fopen(tmp, "w");
	if (!fp)
		return;
	fprintf(fp, "stap-tapset-index %d %016llx\n", INDEX_FORMAT, (unsigned long long)key);
	/* Grouped by file, so a reader sees "@ N" then that file's names. */
	for (int f = 0; f < L->nfiles; f++) {
		fprintf(fp, "@ %d\n", f);
		for (unsigned b = 0; b < L->nbuckets; b++)
			for (struct entry *e = L->buckets[b]; e; e = e->next)
				if (e->file == f)
					fprintf(fp, "%c %s\n", e->kind, e->name);
	}
	if (fclose(fp) != 0 || rename(tmp, path) != 0)
		unlink(tmp);
}

struct tapset_lib *tapset_open(struct session *s, void (*on_load)(struct script *sc, void *arg),
			       void *arg)
{
	struct tapset_lib *L = NEW(struct tapset_lib);

	L->s = s;
	L->on_load = on_load;
	L->arg = arg;
	L->library_tail = &s->library;
	while (*L->library_tail)
		L->library_tail = &(*L->library_tail)->next;
	L->dirs = search_dirs(s, &L->ndirs);
	for (int i = 0; i < L->ndirs; i++)
		each_file(L->dirs[i], ".stp", add_file, L);

	uint64_t key = index_key(L);
	const char *cache = cache_path(L);
	if (read_cache(L, cache, key) != 0) {
		for (int i = 0; i < L->nfiles; i++)
			scan_file(L, i);
		write_cache(L, cache, key);
	}
	return L;
}

static void parse_file(struct tapset_lib *L, int file)
{
	struct tapset_file *tf = &L->files[file];

	if (tf->parsed)
		return;
	tf->parsed = 1;
	struct source_file *f = source_from_path(tf->path, 1);
	if (!f)
		return;
	struct script *sc = parse_script(L->s, f);
	*L->library_tail = sc;
	L->library_tail = &sc->next;
	if (L->on_load)
		L->on_load(sc, L->arg);
}

int tapset_require(struct tapset_lib *L, char kind, const char *name)
{
	int files[64], n = 0, parsed = 0;

	if (!L->nbuckets)
		return 0;
	unsigned h = hash_name(name, kind) & (L->nbuckets - 1);
	for (struct entry *e = L->buckets[h]; e && n < 64; e = e->next)
		if (e->kind == kind && !strcmp(e->name, name) && !L->files[e->file].parsed)
			files[n++] = e->file;
	/* In search-path order, whatever order the index gave. */
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && files[j - 1] > files[j]; j--) {
			int t = files[j];
			files[j] = files[j - 1];
			files[j - 1] = t;
		}
	for (int i = 0; i < n; i++) {
		if (!L->files[files[i]].parsed) {
			parse_file(L, files[i]);
			parsed++;
		}
	}
	return parsed;
}

const char *const *tapset_names(struct tapset_lib *L, char kind, int *n)
{
	int k = kind == 'f' ? 0 : kind == 'g' ? 1 : 2;

	if (!L->names[k]) {
		const char **v = arena_alloc(g_arena, (size_t)(L->nentries + 1) * sizeof(*v));
		int m = 0;
		for (unsigned b = 0; b < L->nbuckets; b++)
			for (struct entry *e = L->buckets[b]; e; e = e->next)
				if (e->kind == kind)
					v[m++] = e->name;
		qsort(v, m, sizeof(*v), compare_names);
		int d = 0;
		for (int i = 0; i < m; i++)
			if (!d || strcmp(v[d - 1], v[i]))
				v[d++] = v[i];
		L->names[k] = v;
		L->nnames[k] = d;
	}
	*n = L->nnames[k];
	return L->names[k];
}

void tapset_require_all(struct tapset_lib *L)
{
	for (int i = 0; i < L->nfiles; i++)
		parse_file(L, i);
}

int tapset_file_count(const struct tapset_lib *L)
{
	return L->nfiles;
}
