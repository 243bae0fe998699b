/* map_fast.h - the parts of maps that probe handlers inline: the layout of maps and their
 * entries, and `s[k] <<< v` on a statistics array with one key.
 *
 * A map with one key (a string or a long) remembers the entry its last lookup found; a
 * lookup first compares its key with that entry's, so a probe that keeps seeing the same
 * key (s[execname()] <<< 1 from one busy process) does no hashing. Strings are stored
 * NUL-padded to their 8-byte-aligned slot, with the length of a one-string key in the
 * entry, so that comparison is a few word compares. Misses take the hash lookup in map.c
 * (which updates the cache); statistics arrays are in pmap.c, statistics in stat.c.
 */
#ifndef STP_MAP_FAST_H
#define STP_MAP_FAST_H

#include <linux/compiler.h>
#include <linux/percpu.h>
#include <asm/word-at-a-time.h>

struct stp_map_entry {
	int32_t hnext;                  /* hash chain, or free list */
	int32_t age_prev, age_next;     /* insertion order */
	u32 hash;
	u32 kwords;                     /* one-string-key map: the key's bytes in whole */
	unsigned long kmask;            /* words, and the bytes up to its NUL in the next */
	char data[];                    /* keys, then value */
};

struct stp_map {
	int nkeys;
	u8 key_types[STP_MAX_KEYS];
	size_t key_off[STP_MAX_KEYS];
	size_t val_off, esize;
	enum stp_vtype vtype;
	struct stp_stat_spec spec;
	bool wrap, sized;
	bool one_key;                   /* one key: lookups go through `last` */
	int capacity, size;
	int32_t *order, *scratch;       /* sort buffers, capacity entries each */
	u32 nbuckets;                   /* power of two */
	int32_t *heads;
	int32_t free_head, age_head, age_tail;
	struct stp_map_entry *last;     /* the last lookup's entry (one_key), or NULL */
	char *pool;
};

struct stp_pmap {
	int ncpu;
	struct stp_map **cpu;           /* one per possible CPU */
	struct stp_map * __percpu *pcpu; /* the same, found from the CPU in one load */
	struct stp_map *agg;
	struct stp_stat_spec spec;
	struct stp_stat *scratch;
};

/* Offset of the value in an entry of a one-key map (the key is the first field). */
#define STP_VAL_OFF_STR ALIGN(MAXSTRINGLEN, 8)
#define STP_VAL_OFF_LONG 8

/* The entry of one-string-key map m found by its last lookup, if its key is s: its
 * whole words, then the bytes of the last one up to the NUL (which s must have too).
 * Words of s are read with load_unaligned_zeropad(), which may read past the NUL within
 * the word but never faults on a page that is not there; a word of s holding its NUL
 * differs from a whole word of the key, so no word past that one is read. */
static __always_inline struct stp_map_entry *__stp_map_last_str(struct stp_map *m,
								const char *s)
{
	struct stp_map_entry *e = READ_ONCE(m->last);
	const unsigned long *w, *end;

	if (unlikely(!e))
		return NULL;
	w = (const unsigned long *)e->data;
	for (end = (const unsigned long *)(e->data + e->kwords); w < end; w++, s += 8)
		if (*w != load_unaligned_zeropad(s))
			return NULL;
	return likely(*w == (load_unaligned_zeropad(s) & e->kmask)) ? e : NULL;
}

/* Out of line: the statistic of key s (or n) in this CPU's map of p, created if absent
 * (NULL when the map is full), by hash lookup. */
struct stp_stat *__stp_pmap_slot_str(struct stp_pmap *p, const char *s);
struct stp_stat *__stp_pmap_slot_long(struct stp_pmap *p, int64_t n);

/* s[k] <<< v for a statistics array whose one key is a string; spec is the array's own
 * (constant) description, so unused parts of the statistic cost nothing. -ENOSPC when
 * this CPU's map is full. */
static __always_inline int stp_pmap_add_str(struct stp_pmap *p, const struct stp_stat_spec *spec,
					    const char *s, int64_t v)
{
	struct stp_map_entry *e = __stp_map_last_str(this_cpu_read(*p->pcpu), s);
	struct stp_stat *st;

	if (likely(e))
		st = (struct stp_stat *)(e->data + STP_VAL_OFF_STR);
	else if (unlikely(!(st = __stp_pmap_slot_str(p, s))))
		return -ENOSPC;
	__stp_stat_add(st, spec, v);
	return 0;
}

/* The same for a statistics array whose one key is a long. */
static __always_inline int stp_pmap_add_long(struct stp_pmap *p, const struct stp_stat_spec *spec,
					     int64_t n, int64_t v)
{
	struct stp_map_entry *e = READ_ONCE(this_cpu_read(*p->pcpu)->last);
	struct stp_stat *st;

	if (likely(e) && likely(*(const int64_t *)e->data == n))
		st = (struct stp_stat *)(e->data + STP_VAL_OFF_LONG);
	else if (unlikely(!(st = __stp_pmap_slot_long(p, n))))
		return -ENOSPC;
	__stp_stat_add(st, spec, v);
	return 0;
}

#endif
