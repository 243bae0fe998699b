/* cache.h - reuse of built modules across runs (see cache.c). */
#ifndef STAP_CACHE_H
#define STAP_CACHE_H

#include "session.h"

/* The key of the module pass 4 would build now (hex, arena string). */
const char *cache_key(struct session *s);
/* Copies the cached module for key to dest; 1 on a hit, 0 otherwise. */
int cache_fetch(struct session *s, const char *key, const char *dest);
/* Saves the freshly built module under key, then trims the cache to its size limit. */
void cache_store(struct session *s, const char *key);

#endif
