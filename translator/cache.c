/* cache.c - the module cache: a module built once is reused while nothing that went into
 * it has changed, and passes 3 and 4 are skipped.
 *
 * Key: XXH3-128 (libxxhash), computed after pass 2, of the translator (its version, and its
 * executable's size, time and inode), the script (name, text, arguments), the tapset and
 * runtime trees, the command line but for the options that only change how stap runs (so
 * -D, -B, -I, -g, -u, -m, the privilege level and any option added later count), the
 * STAP_WERROR setting, and the target kernel (release, build tree, .config,
 * Module.symvers and the build id of its vmlinux). Entries live in $SYSTEMTAP_DIR/cache
 * (default ~/.systemtap/cache) as KEY.c and KEY.ko; a use refreshes an entry's time, and
 * when the cache grows past its size limit ($SYSTEMTAP_DIR/cache/cache_mb_limit, default
 * 256 MB) the least recently used entries go first: modules, and the prebuilt runtimes and
 * precompiled headers that pass 4 keeps under cache/kbuild (see fastbuild.c).
 * --disable-cache bypasses the module cache (not the per-kernel build data).
 */
#define _GNU_SOURCE
#include "cache.h"
#include "arena.h"
#include "diag.h"
#include "elaborate.h"
#include "usymbols.h"
#include "util.h"
#include "version.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>
#include <xxhash.h>

#define A(...) arena_printf(g_arena, __VA_ARGS__)

/* ---- hashing ---- */

struct hasher {
	XXH3_state_t *st;
};

struct hasher *hasher_new(void)
{
	struct hasher *h = NEW(struct hasher);

	h->st = XXH3_createState();
	XXH3_128bits_reset(h->st);
	return h;
}

void hash_str(struct hasher *h, const char *s)
{
	XXH3_128bits_update(h->st, s ? s : "", s ? strlen(s) + 1 : 1);
}

static void hash_bytes(struct hasher *h, const void *p, size_t n)
{
	XXH3_128bits_update(h->st, &n, sizeof(n));
	XXH3_128bits_update(h->st, p, n);
}

/* ---- file digests, kept between runs ----
 *
 * Hashing the tapset and runtime trees and the kernel's .config and Module.symvers for
 * every key would read megabytes on each run, a cache hit included. So each file enters a
 * key as its own XXH3-128 digest, and the digests are kept in cache/file-digests, each
 * valid while the file's size, modification and change times and inode stay the same. A
 * file changed less than two seconds ago is not kept: a second change within the
 * timestamps' granularity would go unseen. Written (whole, then renamed) at exit when
 * something new was learnt. */

struct file_digest {
	char *path;
	long long size, mtime, ctime;          /* times in ns */
	unsigned long long ino;
	XXH128_hash_t d;
	int next;                              /* hash chain: index, or -1 */
};

#define DIGEST_BUCKETS 1024
static struct {
	struct file_digest *v;
	size_t n, cap;
	int head[DIGEST_BUCKETS];              /* by path: index + 1, 0 for none */
	char *file;                            /* cache/file-digests, or NULL */
	int loaded, dirty;
} digests;

static unsigned path_bucket(const char *path)
{
	return (unsigned)XXH3_64bits(path, strlen(path)) % DIGEST_BUCKETS;
}

static long long ns(const struct timespec *t)
{
	return t->tv_sec * 1000000000LL + t->tv_nsec;
}

static void digests_add(const char *path, const struct stat *sb, XXH128_hash_t d)
{
	if (digests.n == digests.cap) {
		size_t cap = digests.cap ? 2 * digests.cap : 256;
		struct file_digest *v = realloc(digests.v, cap * sizeof(*v));
		if (!v)
			return;
		digests.v = v;
		digests.cap = cap;
	}
	unsigned b = path_bucket(path);
	digests.v[digests.n] = (struct file_digest){ strdup(path), sb->st_size,
		ns(&sb->st_mtim), ns(&sb->st_ctim), sb->st_ino, d, digests.head[b] - 1 };
	digests.head[b] = (int)++digests.n;
}

/* The entry of path, or NULL. */
static struct file_digest *digest_of(const char *path)
{
	for (int i = digests.head[path_bucket(path)] - 1; i >= 0; i = digests.v[i].next)
		if (!strcmp(digests.v[i].path, path))
			return &digests.v[i];
	return NULL;
}

static void digests_save(void)
{
	char *tmp = NULL;
	FILE *f;

	if (!digests.dirty || !digests.file || asprintf(&tmp, "%s.%d", digests.file, (int)getpid()) < 0)
		return;
	f = fopen(tmp, "w");
	for (size_t i = 0; f && i < digests.n; i++) {
		const struct file_digest *e = &digests.v[i];
		fprintf(f, "%016llx%016llx %lld %lld %lld %llu %s\n", (unsigned long long)e->d.high64,
			(unsigned long long)e->d.low64, e->size, e->mtime, e->ctime, e->ino, e->path);
	}
	if (f && fclose(f) == 0)
		rename(tmp, digests.file);
	else
		unlink(tmp);
	free(tmp);
}

static void digests_load(void)
{
	const char *dir = cache_dir();
	char line[PATH_MAX + 128];
	FILE *f;

	digests.loaded = 1;
	if (make_dirs(dir) != 0 || asprintf(&digests.file, "%s/file-digests", dir) < 0) {
		digests.file = NULL;
		return;
	}
	atexit(digests_save);
	f = fopen(digests.file, "r");
	while (f && fgets(line, sizeof(line), f)) {
		unsigned long long hi, lo;
		struct stat sb = { 0 };
		long long mt, ct;
		int off = 0;
		if (sscanf(line, "%16llx%16llx %lld %lld %lld %llu %n", &hi, &lo, (long long *)&sb.st_size,
			   &mt, &ct, (unsigned long long *)&sb.st_ino, &off) < 6 || !off)
			continue;
		line[strcspn(line, "\n")] = '\0';
		sb.st_mtim = (struct timespec){ mt / 1000000000, mt % 1000000000 };
		sb.st_ctim = (struct timespec){ ct / 1000000000, ct % 1000000000 };
		digests_add(line + off, &sb, (XXH128_hash_t){ .low64 = lo, .high64 = hi });
	}
	if (f)
		fclose(f);
}

/* The kept digest of path, if sb still describes the file it was taken of. */
static const struct file_digest *digest_kept(const char *path, const struct stat *sb)
{
	const struct file_digest *e;

	if (!digests.loaded)
		digests_load();
	e = digest_of(path);
	return e && e->size == sb->st_size && e->mtime == ns(&sb->st_mtim) &&
	       e->ctime == ns(&sb->st_ctim) && e->ino == sb->st_ino ? e : NULL;
}

/* The digest of a file's contents; -1 if it can't be read. */
static int digest_read(const char *path, XXH128_hash_t *d)
{
	FILE *f = fopen(path, "rb");
	XXH3_state_t *st;
	char buf[65536];
	size_t n;

	if (!f)
		return -1;
	st = XXH3_createState();
	XXH3_128bits_reset(st);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		XXH3_128bits_update(st, buf, n);
	*d = XXH3_128bits_digest(st);
	XXH3_freeState(st);
	fclose(f);
	return 0;
}

/* hash_file() of a file whose stat() gave sb. */
static void hash_file_stat(struct hasher *h, const char *path, const struct stat *sb)
{
	const struct file_digest *kept = digest_kept(path, sb);
	struct file_digest *stale;
	XXH128_hash_t d;

	if (kept) {
		d = kept->d;
	} else if (digest_read(path, &d) != 0) {
		XXH3_128bits_update(h->st, "-", 1);
		return;
	} else if (sb->st_mtime < time(NULL) - 2 && sb->st_ctime < time(NULL) - 2 &&
		   !strchr(path, '\n')) {
		if ((stale = digest_of(path))) {
			*stale = (struct file_digest){ stale->path, sb->st_size, ns(&sb->st_mtim),
				ns(&sb->st_ctim), sb->st_ino, d, stale->next };
		} else {
			digests_add(path, sb, d);
		}
		digests.dirty = 1;
	}
	XXH3_128bits_update(h->st, &d, sizeof(d));
}

void hash_file(struct hasher *h, const char *path)
{
	struct stat sb;

	if (stat(path, &sb) != 0)
		XXH3_128bits_update(h->st, "-", 1);
	else
		hash_file_stat(h, path, &sb);
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void hash_tree(struct hasher *h, const char *dir)
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
		hash_str(h, names[i]);
		if (stat(path, &sb) != 0)
			XXH3_128bits_update(h->st, "-", 1);
		else if (S_ISDIR(sb.st_mode))
			hash_tree(h, path);
		else
			hash_file_stat(h, path, &sb);
	}
}

void hash_stat(struct hasher *h, const char *path)
{
	struct stat sb;

	if (stat(path, &sb) != 0) {
		hash_str(h, "-");
		return;
	}
	hash_str(h, A("%lld %lld.%09ld %llu", (long long)sb.st_size, (long long)sb.st_mtim.tv_sec,
		      sb.st_mtim.tv_nsec, (unsigned long long)sb.st_ino));
}

/* make's parallelism does not change what it builds. */
static int is_jobs_option(const char *o)
{
	return !strncmp(o, "-j", 2) || !strncmp(o, "--jobs", 6);
}

void hash_kbuild_opts(struct hasher *h, const struct session *s)
{
	hash_str(h, "-B");
	for (int i = 0; i < s->kbuild_opts.n; i++)
		if (!is_jobs_option(s->kbuild_opts.v[i]))
			hash_str(h, s->kbuild_opts.v[i]);
}

const char *hasher_hex(struct hasher *h)
{
	XXH128_hash_t d = XXH3_128bits_digest(h->st);

	XXH3_freeState(h->st);
	return A("%016llx%016llx", (unsigned long long)d.high64, (unsigned long long)d.low64);
}

/* ---- the key ---- */

/* The GNU build id of an ELF file (hex), or NULL. Only the headers and the note are read. */
static const char *build_id(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	const char *id = NULL;

	if (fd < 0)
		return NULL;
	elf_version(EV_CURRENT);
	Elf *e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	for (Elf_Scn *scn = NULL; e && !id && (scn = elf_nextscn(e, scn));) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
			continue;
		Elf_Data *data = elf_getdata(scn, NULL);
		GElf_Nhdr nh;
		size_t off = 0, name_off, desc_off;
		while (data && !id && (off = gelf_getnote(data, off, &nh, &name_off, &desc_off)))
			if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
			    !memcmp((char *)data->d_buf + name_off, "GNU", 4)) {
				const unsigned char *p = (unsigned char *)data->d_buf + desc_off;
				char *hex = arena_alloc(g_arena, 2 * nh.n_descsz + 1);
				for (size_t i = 0; i < nh.n_descsz; i++)
					sprintf(hex + 2 * i, "%02x", p[i]);
				id = hex;
			}
	}
	if (e)
		elf_end(e);
	close(fd);
	return id;
}

/* The target kernel: release, build tree, configuration, exports and image. */
static void hash_kernel(struct hasher *h, const struct session *s)
{
	char real[PATH_MAX];
	const char *id = NULL;
	const char *vmlinux[] = { A("/usr/lib/debug/boot/vmlinux-%s", s->release),
				  A("/usr/lib/debug/lib/modules/%s/vmlinux", s->release),
				  A("%s/vmlinux", s->build_dir) };

	hash_str(h, s->release);
	hash_str(h, realpath(s->build_dir, real) ? real : s->build_dir);
	hash_file(h, A("%s/.config", s->build_dir));
	hash_file(h, A("%s/Module.symvers", s->build_dir));
	for (size_t i = 0; i < sizeof(vmlinux) / sizeof(vmlinux[0]) && !id; i++)
		id = build_id(vmlinux[i]);
	hash_str(h, id);
	if (!id)
		hash_stat(h, A("/boot/vmlinuz-%s", s->release));
}

/* stap's command line (from /proc, so that options added later count too), without what
 * only changes how stap runs: -v, -k, -p, -o, -c, -x, --vp, --remote, --disable-cache and
 * make's -B -jN. */
static void hash_command_line(struct hasher *h)
{
	FILE *f = fopen("/proc/self/cmdline", "rb");
	char buf[65536];
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	const char *argv[1024];
	int argc = 0;

	if (f)
		fclose(f);
	buf[n] = '\0';
	for (size_t i = 0; i < n && argc < 1024; i += strlen(buf + i) + 1)
		argv[argc++] = buf + i;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--")) {
			for (; i < argc; i++)
				hash_str(h, argv[i]);
		} else if (!strcmp(a, "--vp") || !strcmp(a, "--remote")) {
			i++;
		} else if (!strncmp(a, "--vp=", 5) || !strncmp(a, "--remote=", 9) ||
			   !strcmp(a, "--disable-cache") || (a[0] == '-' && a[1] &&
			   strspn(a + 1, "vk") == strlen(a + 1))) {
			continue;
		} else if (a[0] == '-' && a[1] && strchr("peIDBrmocxlL", a[1])) {
			const char *arg = a[2] ? a + 2 : i + 1 < argc ? argv[++i] : "";
			if (!strchr("pocx", a[1]) && !(a[1] == 'B' && is_jobs_option(arg))) {
				hash_str(h, a);
				hash_str(h, arg);
			}
		} else {
			hash_str(h, a);
		}
	}
}

static const char *module_key(const struct session *s)
{
	struct hasher *h = hasher_new();
	const struct source_file *f = s->user_script ? s->user_script->file : NULL;

	hash_str(h, "module-key 2 " STAP_VERSION);
	hash_stat(h, "/proc/self/exe");          /* a rebuilt translator has a new time */
	hash_command_line(h);
	hash_str(h, f ? f->name : s->script_path);
	if (f)
		hash_bytes(h, f->text, f->len);
	for (int i = 0; i < s->args.n; i++)
		hash_str(h, s->args.v[i]);
	hash_str(h, "-D");
	for (int i = 0; i < s->defines.n; i++)
		hash_str(h, s->defines.v[i]);
	hash_kbuild_opts(h, s);
	usymbols_hash(h);                       /* the -d binaries themselves */
	hash_str(h, "-I");
	for (int i = 0; i < s->include_dirs.n; i++) {
		hash_str(h, s->include_dirs.v[i]);
		hash_tree(h, s->include_dirs.v[i]);
	}
	hash_str(h, A("g%d u%d priv%d werror%s", s->guru, s->unoptimized, elab_opts.privilege,
		      getenv("STAP_WERROR") ? getenv("STAP_WERROR") : ""));
	hash_str(h, s->module_name);
	hash_tree(h, s->tapset_dir);
	hash_tree(h, s->runtime_dir);
	hash_kernel(h, s);
	return hasher_hex(h);
}

/* ---- the cache directory ---- */

const char *cache_dir(void)
{
	const char *base = getenv("SYSTEMTAP_DIR");
	const char *home = getenv("HOME");

	if (base && *base)
		return A("%s/cache", base);
	return A("%s/.systemtap/cache", home && *home ? home : "/tmp");
}

int make_dirs(const char *path)
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

int cache_lock(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

	if (fd >= 0 && flock(fd, LOCK_EX) != 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

void cache_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

int link_or_copy(const char *from, const char *to)
{
	unlink(to);
	return link(from, to) == 0 ? 0 : copy_file(from, to);
}

/* ---- the module cache ---- */

int cache_lookup(struct session *s)
{
	s->cache_key = module_key(s);
	if (!s->module_name)
		s->module_name = A("stap_%.24s", s->cache_key);
	if (s->disable_cache)
		return 0;
	const char *c = A("%s/%s.c", cache_dir(), s->cache_key);
	const char *ko = A("%s/%s.ko", cache_dir(), s->cache_key);
	if (!file_exists(c) || !file_exists(ko))
		return 0;
	utime(ko, NULL);               /* recently used */
	s->c_source = c;
	s->cached_source = c;
	s->cached_module = ko;
	return 1;
}

int cache_use_tmpdir(struct session *s)
{
	const char *local = A("%s/stap_src.c", s->tmpdir);

	if (copy_file(s->cached_source, local) != 0) {
		diag_plain_error("ERROR: cannot copy %s", s->cached_source);
		return 1;
	}
	s->c_source = local;
	return 0;
}

void cache_store(struct session *s)
{
	const char *dir = cache_dir();
	const char *key = s->cache_key;

	if (s->disable_cache || !key || make_dirs(dir) != 0)
		return;
	const char *tmp = A("%s/%s.ko.%d", dir, key, (int)getpid());
	const char *ctmp = A("%s/%s.c.%d", dir, key, (int)getpid());
	/* The C first: an entry counts once its .ko is there. */
	if (copy_file(s->c_source, ctmp) != 0 || rename(ctmp, A("%s/%s.c", dir, key)) != 0 ||
	    copy_file(s->module_path, tmp) != 0 || rename(tmp, A("%s/%s.ko", dir, key)) != 0) {
		unlink(ctmp);
		unlink(tmp);
		return;
	}
	cache_trim();
}

struct entry {
	const char *path;
	const char *partner;            /* removed with it (the .c of a .ko, the .h of a .gch) */
	time_t used;
	off_t size;
};

struct entries {
	struct entry *v;
	size_t n, cap;
	long long total;
};

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n > k && !strcmp(s + n - k, suffix);
}

static void add_entry(struct entries *es, const char *path, const char *partner)
{
	struct stat sb;

	if (stat(path, &sb) != 0)
		return;
	if (es->n == es->cap) {
		es->cap = es->cap ? es->cap * 2 : 64;
		es->v = realloc(es->v, es->cap * sizeof(*es->v));
		if (!es->v) {
			es->n = es->cap = 0;
			return;
		}
	}
	es->v[es->n++] = (struct entry){ path, partner, sb.st_mtime, sb.st_size };
	es->total += sb.st_size;
}

/* Entries of one directory: FILE.SUFFIX, with FILE.PARTNER_SUFFIX removed alongside. */
static void collect(struct entries *es, const char *dir, const char *prefix, const char *suffix,
		    const char *partner_suffix)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, prefix, strlen(prefix)) || !has_suffix(de->d_name, suffix))
			continue;
		const char *path = A("%s/%s", dir, de->d_name);
		size_t stem = strlen(path) - strlen(suffix);
		add_entry(es, path, partner_suffix ? A("%.*s%s", (int)stem, path, partner_suffix) : NULL);
	}
	closedir(d);
}

static int older_first(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	return x->used < y->used ? -1 : x->used > y->used;
}

void cache_trim(void)
{
	const char *dir = cache_dir();
	const char *limit_text = read_first_line(A("%s/cache_mb_limit", dir));
	long long limit = (limit_text ? atoll(limit_text) : 256) * 1024 * 1024;
	struct entries es = { 0 };
	DIR *d = opendir(A("%s/kbuild", dir));
	struct dirent *de;

	collect(&es, dir, "", ".ko", ".c");
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		const char *sub = A("%s/kbuild/%s", dir, de->d_name);
		collect(&es, sub, "runtime-", ".o", NULL);
		collect(&es, sub, "runtime-", ".failed", NULL);
		collect(&es, sub, "pch-", ".h.gch", ".h");
	}
	if (d)
		closedir(d);
	if (es.v)
		qsort(es.v, es.n, sizeof(*es.v), older_first);
	for (size_t i = 0; i < es.n && es.total > limit; i++) {
		unlink(es.v[i].path);
		if (es.v[i].partner)
			unlink(es.v[i].partner);
		es.total -= es.v[i].size;
	}
	free(es.v);
}
