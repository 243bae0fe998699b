/* cache.c - the module cache: a module built once is reused while nothing that went into
 * it has changed.
 *
 * Key: XXH3-128 (libxxhash) of the translator version, the generated C, every runtime
 * source, the -D/-B/-m options, and the target kernel (release, .config, Module.symvers).
 * Entries live in $SYSTEMTAP_DIR/cache (default ~/.systemtap/cache) as KEY.ko and KEY.c;
 * a use refreshes an entry's time, and when the cache grows past its size limit
 * ($SYSTEMTAP_DIR/cache/cache_mb_limit, default 256 MB) the least recently used entries
 * go first. --disable-cache bypasses it.
 */
#define _GNU_SOURCE
#include "cache.h"
#include "arena.h"
#include "util.h"
#include "version.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>
#include <xxhash.h>

#define A(...) arena_printf(g_arena, __VA_ARGS__)

/* Feeds a file's bytes (or a marker for a missing file) into the hash. */
static void hash_file(XXH3_state_t *st, const char *path)
{
	FILE *f = fopen(path, "rb");
	char buf[65536];
	size_t n;

	if (!f) {
		XXH3_128bits_update(st, "-", 1);
		return;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		XXH3_128bits_update(st, buf, n);
	fclose(f);
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Every file of a directory tree, in a stable order. */
static void hash_tree(XXH3_state_t *st, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	const char *names[512];
	int n = 0;

	if (!d)
		return;
	while ((de = readdir(d)) && n < 512)
		if (de->d_name[0] != '.')
			names[n++] = arena_strdup(g_arena, de->d_name);
	closedir(d);
	qsort(names, n, sizeof(names[0]), compare_names);
	for (int i = 0; i < n; i++) {
		const char *path = A("%s/%s", dir, names[i]);
		struct stat sb;
		XXH3_128bits_update(st, names[i], strlen(names[i]) + 1);
		if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
			hash_tree(st, path);
		else
			hash_file(st, path);
	}
}

static void hash_str(XXH3_state_t *st, const char *s)
{
	XXH3_128bits_update(st, s ? s : "", s ? strlen(s) + 1 : 1);
}

const char *cache_key(struct session *s)
{
	XXH3_state_t *st = XXH3_createState();

	XXH3_128bits_reset(st);
	hash_str(st, STAP_VERSION);
	hash_file(st, s->c_source);
	hash_tree(st, s->runtime_dir);
	for (int i = 0; i < s->defines.n; i++)
		hash_str(st, s->defines.v[i]);
	hash_str(st, "-B");
	for (int i = 0; i < s->kbuild_opts.n; i++)
		hash_str(st, s->kbuild_opts.v[i]);
	hash_str(st, s->module_name);
	hash_str(st, s->release);
	hash_file(st, A("%s/.config", s->build_dir));
	hash_file(st, A("%s/Module.symvers", s->build_dir));
	XXH128_hash_t h = XXH3_128bits_digest(st);
	XXH3_freeState(st);
	return A("%016llx%016llx", (unsigned long long)h.high64, (unsigned long long)h.low64);
}

static const char *cache_dir(void)
{
	const char *base = getenv("SYSTEMTAP_DIR");
	const char *home = getenv("HOME");

	if (base && *base)
		return A("%s/cache", base);
	return A("%s/.systemtap/cache", home && *home ? home : "/tmp");
}

static int make_dirs(const char *path)
{
	char *p = arena_strdup(g_arena, path);

	for (char *q = p + 1; *q; q++) {
		if (*q != '/')
			continue;
		*q = '\0';
		if (mkdir(p, 0755) != 0 && errno != EEXIST)
			return -1;
		*q = '/';
	}
	return mkdir(p, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

int cache_fetch(struct session *s, const char *key, const char *dest)
{
	const char *entry = A("%s/%s.ko", cache_dir(), key);

	if (s->disable_cache || !file_exists(entry))
		return 0;
	if (copy_file(entry, dest) != 0)
		return 0;
	utime(entry, NULL);            /* recently used */
	s->cached_module = entry;
	return 1;
}

struct entry {
	const char *path;
	time_t used;
	off_t size;
};

static int older_first(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	return x->used < y->used ? -1 : x->used > y->used;
}

/* Removes the least recently used modules until the cache fits its limit. */
static void trim(const char *dir)
{
	const char *limit_text = read_first_line(A("%s/cache_mb_limit", dir));
	long long limit = (limit_text ? atoll(limit_text) : 256) * 1024 * 1024;
	DIR *d = opendir(dir);
	struct dirent *de;
	struct entry *v = NULL;
	size_t n = 0, cap = 0;
	long long total = 0;

	if (!d)
		return;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		struct stat sb;
		if (len < 4 || strcmp(de->d_name + len - 3, ".ko"))
			continue;
		const char *path = A("%s/%s", dir, de->d_name);
		if (stat(path, &sb) != 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			v = realloc(v, cap * sizeof(*v));
			if (!v)
				break;
		}
		v[n++] = (struct entry){ path, sb.st_mtime, sb.st_size };
		total += sb.st_size;
	}
	closedir(d);
	if (v)
		qsort(v, n, sizeof(*v), older_first);
	for (size_t i = 0; v && i < n && total > limit; i++) {
		unlink(v[i].path);
		char *c = arena_strdup(g_arena, v[i].path);
		strcpy(c + strlen(c) - 3, ".c");
		unlink(c);
		total -= v[i].size;
	}
	free(v);
}

void cache_store(struct session *s, const char *key)
{
	const char *dir = cache_dir();

	if (s->disable_cache || make_dirs(dir) != 0)
		return;
	const char *tmp = A("%s/%s.ko.%d", dir, key, (int)getpid());
	if (copy_file(s->module_path, tmp) != 0 || rename(tmp, A("%s/%s.ko", dir, key)) != 0) {
		unlink(tmp);
		return;
	}
	copy_file(s->c_source, A("%s/%s.c", dir, key));
	trim(dir);
}
