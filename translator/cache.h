/* cache.h - reuse of generated C and built modules across runs, and the hashing and
 * directory helpers the pass-4 build caches share (see cache.c). */
#ifndef STAP_CACHE_H
#define STAP_CACHE_H

#include "session.h"

/* ---- hashing (XXH3-128, hex digests) ---- */
struct hasher;
struct hasher *hasher_new(void);
void hash_str(struct hasher *h, const char *s);          /* NULL hashes like "" */
void hash_file(struct hasher *h, const char *path);      /* contents, or a marker if missing */
void hash_tree(struct hasher *h, const char *dir);       /* names and contents, sorted */
void hash_stat(struct hasher *h, const char *path);      /* size, mtime, inode */
/* The -B options that change what is built (not make's -j/--jobs). */
void hash_kbuild_opts(struct hasher *h, const struct session *s);
const char *hasher_hex(struct hasher *h);                /* digest (arena); frees h */

/* ---- the cache directory ---- */
const char *cache_dir(void);                   /* $SYSTEMTAP_DIR/cache or ~/.systemtap/cache */
int make_dirs(const char *path);               /* mkdir -p; 0 or -1 */
/* An exclusive lock on the file at path, waiting for it (one process builds what others
 * reuse); returns a descriptor for cache_unlock, or -1. */
int cache_lock(const char *path);
void cache_unlock(int fd);
/* Hard-links from to to (or copies when it can't); 0 or -1. */
int link_or_copy(const char *from, const char *to);

/* ---- the module cache ---- */
/* Before pass 3: computes s->cache_key from everything passes 3 and 4 depend on, names the
 * module stap_KEY unless -m did, and on a hit points s->cached_source and s->cached_module at
 * the entry (s->c_source too). 1 on a hit. */
int cache_lookup(struct session *s);
/* After a hit: copies the cached C into the temporary directory as s->c_source (for -k). */
int cache_use_tmpdir(struct session *s);
/* Saves the freshly built module and its C under s->cache_key, then trims the cache. */
void cache_store(struct session *s);
/* Removes the least recently used entries (modules, prebuilt runtimes, precompiled
 * headers) until the cache fits its size limit. */
void cache_trim(void);

#endif
