// SPDX-License-Identifier: GPL-2.0
/* map.c - preallocated hash maps for script arrays; see map.h.
 *
 * Entries live in one vmalloc'ed pool, threaded on a free list, a hash chain, and an age
 * list (insertion order: unsorted foreach order, and the victim order of wrapping maps).
 * Links are 32-bit pool indices, -1 for none. An entry is a small header followed by the
 * keys (8 bytes per long, MAXSTRINGLEN per string) and the value. Sorting reorders the
 * age list itself (see map.h); statistics arrays are in pmap.c.
 *
 * Keys are hashed a word at a time; string keys are stored NUL-padded, so comparing one
 * is a few word compares once its length is known. Maps with one key remember the entry
 * of their last lookup and try it first (map_fast.h, which also holds the structures).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitops.h>
#include <linux/sort.h>
#include <linux/vmalloc.h>
#include <linux/slab.h>
#include "stp_runtime.h"
#include "map.h"

static struct stp_map_entry *E(const struct stp_map *m, int32_t i)
{
	return (struct stp_map_entry *)(m->pool + (size_t)i * m->esize);
}

static int32_t index_of(const struct stp_map *m, const void *e)
{
	return (int32_t)(((const char *)e - m->pool) / m->esize);
}

struct stp_map *stp_map_new(int nkeys, const u8 *key_types, enum stp_vtype vtype,
			    const struct stp_stat_spec *spec, int max_entries, bool wrap)
{
	struct stp_map *m = kzalloc(sizeof(*m), GFP_KERNEL);
	size_t off = 0;
	int i;

	if (!m)
		return NULL;
	m->nkeys = nkeys;
	m->one_key = nkeys == 1;
	for (i = 0; i < nkeys; i++) {
		m->key_types[i] = key_types[i];
		m->key_off[i] = off;
		off += key_types[i] == STP_STRING ? MAXSTRINGLEN : sizeof(int64_t);
		off = ALIGN(off, 8);
	}
	m->val_off = off;
	m->vtype = vtype;
	if (spec)
		m->spec = *spec;
	if (vtype == STP_STAT)
		off += stp_stat_size(&m->spec);
	else
		off += vtype == STP_STRING ? MAXSTRINGLEN : sizeof(int64_t);
	m->esize = ALIGN(sizeof(struct stp_map_entry) + off, 8);
	m->wrap = wrap;
	m->sized = max_entries > 0;
	m->capacity = max_entries > 0 ? max_entries : MAXMAPENTRIES;
	m->nbuckets = roundup_pow_of_two(m->capacity);
	m->heads = vmalloc(m->nbuckets * sizeof(*m->heads));
	m->pool = vzalloc((size_t)m->capacity * m->esize);
	m->order = vmalloc(m->capacity * sizeof(*m->order));
	m->scratch = vmalloc(m->capacity * sizeof(*m->scratch));
	if (!m->heads || !m->pool || !m->order || !m->scratch) {
		stp_map_free(m);
		return NULL;
	}
	stp_map_clear(m);
	return m;
}

void stp_map_free(struct stp_map *m)
{
	if (!m)
		return;
	vfree(m->heads);
	vfree(m->pool);
	vfree(m->order);
	vfree(m->scratch);
	kfree(m);
}

void stp_map_clear(struct stp_map *m)
{
	int32_t i;

	for (i = 0; i < (int32_t)m->nbuckets; i++)
		m->heads[i] = -1;
	for (i = 0; i < m->capacity; i++) {
		E(m, i)->hnext = i + 1 < m->capacity ? i + 1 : -1;
		E(m, i)->age_next = -1;         /* a foreach at a cleared entry stops there */
	}
	m->free_head = 0;
	m->age_head = m->age_tail = -1;
	m->size = 0;
	WRITE_ONCE(m->last, NULL);
}

int stp_map_size(const struct stp_map *m)
{
	return m->size;
}

int stp_map_capacity(const struct stp_map *m)
{
	return m->capacity;
}

bool stp_map_sized(const struct stp_map *m)
{
	return m->sized;
}

#define KEY_LIMIT (MAXSTRINGLEN - 1)    /* longest key string kept */
#define HASH_MUL 0x9e3779b97f4a7c15ULL

static u64 mix(u64 h, u64 w)
{
	return rol64((h ^ w) * HASH_MUL, 29);
}

/* Mixes the first KEY_LIMIT bytes of string s into h, a word at a time (reading past its
 * NUL within the word, as __stp_key_word may); *len gets their number. */
static u64 hash_str(u64 h, const char *s, u32 *len)
{
	const struct word_at_a_time wc = WORD_AT_A_TIME_CONSTANTS;
	unsigned long a, z;
	u32 i = 0, n;

	for (;;) {
		a = load_unaligned_zeropad(s + i);
		if (has_zero(a, &z, &wc)) {
			n = i + find_zero(create_zero_mask(prep_zero_mask(a, z, &wc)));
			break;
		}
		if (i + 8 > KEY_LIMIT) {
			n = KEY_LIMIT;
			break;
		}
		h = mix(h, a);
		i += 8;
	}
	n = min_t(u32, n, KEY_LIMIT);
	*len = n;
	return mix(h, a & ((1UL << (8 * (n - i))) - 1));
}

/* The hash of key k; lens[i] gets the length of string key i (as it is kept). */
static u32 hash_key(const struct stp_map *m, const struct stp_key *k, u32 *lens)
{
	u64 h = 0x5eed;
	int i;

	for (i = 0; i < m->nkeys; i++) {
		if (m->key_types[i] == STP_STRING)
			h = hash_str(h, k->s[i], &lens[i]);
		else
			h = mix(h, (u64)k->n[i]);
	}
	return (u32)((h * HASH_MUL) >> 32);
}

bool stp_map_entry_matches(struct stp_map *m, void *ev, const struct stp_key *k, unsigned wild)
{
	struct stp_map_entry *e = ev;
	int i;

	for (i = 0; i < m->nkeys; i++) {
		const char *p = e->data + m->key_off[i];

		if (wild & (1u << i))
			continue;
		if (m->key_types[i] == STP_STRING) {
			if (strncmp(p, k->s[i], MAXSTRINGLEN - 1) != 0)
				return false;
		} else if (*(const int64_t *)p != k->n[i]) {
			return false;
		}
	}
	return true;
}

/* Does the NUL-padded string `stored` hold s, of length len? */
static bool str_is(const char *stored, const char *s, u32 len)
{
	const unsigned long *w = (const unsigned long *)stored;
	u32 i;

	for (i = 0; i + 8 <= len; i += 8)
		if (*w++ != load_unaligned_zeropad(s + i))
			return false;
	return *w == (load_unaligned_zeropad(s + i) & ((1UL << (8 * (len - i))) - 1));
}

/* Does entry e hold key k, whose strings have the lengths lens? */
static bool entry_is(const struct stp_map *m, const struct stp_map_entry *e,
		     const struct stp_key *k, const u32 *lens)
{
	int i;

	for (i = 0; i < m->nkeys; i++) {
		const char *p = e->data + m->key_off[i];

		if (m->key_types[i] == STP_STRING) {
			if (!str_is(p, k->s[i], lens[i]))
				return false;
		} else if (*(const int64_t *)p != k->n[i]) {
			return false;
		}
	}
	return true;
}

/* A one-key map's last entry, if it holds k. */
static struct stp_map_entry *last_is(struct stp_map *m, const struct stp_key *k)
{
	struct stp_map_entry *e;

	if (m->key_types[0] == STP_STRING)
		return __stp_map_last_str(m, k->s[0]);
	e = READ_ONCE(m->last);
	return e && *(const int64_t *)e->data == k->n[0] ? e : NULL;
}

static struct stp_map_entry *find_hashed(struct stp_map *m, const struct stp_key *k, u32 h,
					 const u32 *lens)
{
	int32_t i;

	for (i = m->heads[h & (m->nbuckets - 1)]; i >= 0; i = E(m, i)->hnext)
		if (E(m, i)->hash == h && entry_is(m, E(m, i), k, lens))
			return E(m, i);
	return NULL;
}

void *stp_map_find(struct stp_map *m, const struct stp_key *k)
{
	u32 lens[STP_MAX_KEYS] __uninitialized;
	struct stp_map_entry *e;

	if (m->one_key && (e = last_is(m, k)))
		return e;
	e = find_hashed(m, k, hash_key(m, k, lens), lens);
	if (e && m->one_key)
		WRITE_ONCE(m->last, e);
	return e;
}

static void unlink_entry(struct stp_map *m, int32_t i)
{
	struct stp_map_entry *e = E(m, i);
	int32_t *pp = &m->heads[e->hash & (m->nbuckets - 1)];

	if (m->last == e)
		WRITE_ONCE(m->last, NULL);
	while (*pp != i)
		pp = &E(m, *pp)->hnext;
	*pp = e->hnext;
	if (e->age_prev >= 0)
		E(m, e->age_prev)->age_next = e->age_next;
	else
		m->age_head = e->age_next;
	if (e->age_next >= 0)
		E(m, e->age_next)->age_prev = e->age_prev;
	else
		m->age_tail = e->age_prev;
	e->hnext = m->free_head;
	m->free_head = i;
	m->size--;
}

/* A new entry for key k (hash h, string lengths lens), zeroed; NULL if the map is full. */
static struct stp_map_entry *insert(struct stp_map *m, const struct stp_key *k, u32 h,
				    const u32 *lens)
{
	struct stp_map_entry *e;
	int32_t i;
	int n;

	if (m->free_head < 0) {
		if (!m->wrap || m->age_head < 0)
			return NULL;
		unlink_entry(m, m->age_head);     /* a wrapping map recycles its oldest entry */
	}
	i = m->free_head;
	e = E(m, i);
	m->free_head = e->hnext;
	memset(e->data, 0, m->esize - sizeof(*e));
	e->hash = h;
	if (m->one_key && m->key_types[0] == STP_STRING) {
		e->kwords = lens[0] & ~7u;
		e->kmask = ~0UL >> (8 * (7 - (lens[0] & 7)));
	}
	for (n = 0; n < m->nkeys; n++) {
		char *p = e->data + m->key_off[n];

		if (m->key_types[n] == STP_STRING)
			memcpy(p, k->s[n], lens[n]);     /* NUL-padded by the memset */
		else
			*(int64_t *)p = k->n[n];
	}
	if (m->vtype == STP_STAT)
		stp_stat_clear((struct stp_stat *)(e->data + m->val_off), &m->spec);
	e->hnext = m->heads[h & (m->nbuckets - 1)];
	m->heads[h & (m->nbuckets - 1)] = i;
	e->age_next = -1;
	e->age_prev = m->age_tail;
	if (m->age_tail >= 0)
		E(m, m->age_tail)->age_next = i;
	else
		m->age_head = i;
	m->age_tail = i;
	m->size++;
	return e;
}

void *stp_map_find_or_add(struct stp_map *m, const struct stp_key *k)
{
	u32 lens[STP_MAX_KEYS] __uninitialized, h;
	struct stp_map_entry *e;

	if (m->one_key && (e = last_is(m, k)))
		return e;
	h = hash_key(m, k, lens);
	e = find_hashed(m, k, h, lens);
	if (!e)
		e = insert(m, k, h, lens);
	if (e && m->one_key)
		WRITE_ONCE(m->last, e);
	return e;
}

void stp_map_delete(struct stp_map *m, const struct stp_key *k)
{
	struct stp_map_entry *e = stp_map_find(m, k);

	if (e)
		unlink_entry(m, index_of(m, e));
}

void stp_map_delete_matching(struct stp_map *m, const struct stp_key *k, unsigned wild)
{
	int32_t i = m->age_head;

	while (i >= 0) {
		int32_t next = E(m, i)->age_next;

		if (stp_map_entry_matches(m, E(m, i), k, wild))
			unlink_entry(m, i);
		i = next;
	}
}

void *stp_map_find_matching(struct stp_map *m, const struct stp_key *k, unsigned wild)
{
	int32_t i;

	if (!wild)
		return stp_map_find(m, k);
	for (i = m->age_head; i >= 0; i = E(m, i)->age_next)
		if (stp_map_entry_matches(m, E(m, i), k, wild))
			return E(m, i);
	return NULL;
}

int64_t *stp_map_long(struct stp_map *m, void *e)
{
	return (int64_t *)(((struct stp_map_entry *)e)->data + m->val_off);
}

char *stp_map_str(struct stp_map *m, void *e)
{
	return ((struct stp_map_entry *)e)->data + m->val_off;
}

struct stp_stat *stp_map_stat(struct stp_map *m, void *e)
{
	return (struct stp_stat *)(((struct stp_map_entry *)e)->data + m->val_off);
}

int64_t stp_map_key_long(struct stp_map *m, void *e, int i)
{
	return *(int64_t *)(((struct stp_map_entry *)e)->data + m->key_off[i]);
}

const char *stp_map_key_str(struct stp_map *m, void *e, int i)
{
	return ((struct stp_map_entry *)e)->data + m->key_off[i];
}


void stp_map_entry_key(struct stp_map *m, void *e, struct stp_key *k)
{
	int i;

	for (i = 0; i < m->nkeys; i++) {
		if (m->key_types[i] == STP_STRING)
			k->s[i] = stp_map_key_str(m, e, i);
		else
			k->n[i] = stp_map_key_long(m, e, i);
	}
}

/* ---- iteration and in-place sorting ---- */

void *stp_map_first(struct stp_map *m)
{
	return m->age_head >= 0 ? E(m, m->age_head) : NULL;
}

void *stp_map_next(struct stp_map *m, void *e)
{
	int32_t n = ((struct stp_map_entry *)e)->age_next;

	return n >= 0 ? E(m, n) : NULL;
}

/* The age list seen as a ring through a head of index -1. */
static int32_t nx(const struct stp_map *m, int32_t i)
{
	return i < 0 ? m->age_head : E(m, i)->age_next;
}

static int32_t pv(const struct stp_map *m, int32_t i)
{
	return i < 0 ? m->age_tail : E(m, i)->age_prev;
}

static void set_next(struct stp_map *m, int32_t i, int32_t n)
{
	if (i < 0)
		m->age_head = n;
	else
		E(m, i)->age_next = n;
}

static void set_prev(struct stp_map *m, int32_t i, int32_t p)
{
	if (i < 0)
		m->age_tail = p;
	else
		E(m, i)->age_prev = p;
}

static void age_del(struct stp_map *m, int32_t i)
{
	set_next(m, pv(m, i), nx(m, i));
	set_prev(m, nx(m, i), pv(m, i));
}

/* Puts i right after `where` (-1: first). */
static void age_add_after(struct stp_map *m, int32_t i, int32_t where)
{
	int32_t n = nx(m, where);

	E(m, i)->age_prev = where;
	E(m, i)->age_next = n;
	set_next(m, where, i);
	set_prev(m, n, i);
}

struct sort_ctx {
	struct stp_map *m;
	int by, dir;
};

static int64_t stat_sort_value(const struct stp_stat *st, int by)
{
	switch (by) {
	case STP_SORT_SUM: return st->sum;
	case STP_SORT_MIN: return st->min;
	case STP_SORT_MAX: return st->max;
	case STP_SORT_AVG: return stp_stat_avg(st);
	default: return st->count;
	}
}

/* Does entry a belong strictly after entry b? (Equal entries keep their order.) */
static bool goes_after(const struct sort_ctx *c, int32_t ia, int32_t ib)
{
	struct stp_map *m = c->m;
	void *a = E(m, ia), *b = E(m, ib);
	int64_t x, y = 0;

	if (c->by > 0) {
		int k = c->by - 1;

		if (m->key_types[k] == STP_STRING)
			x = strcmp(stp_map_key_str(m, a, k), stp_map_key_str(m, b, k));
		else
			x = stp_map_key_long(m, a, k), y = stp_map_key_long(m, b, k);
	} else if (m->vtype == STP_STRING) {
		x = strcmp(stp_map_str(m, a), stp_map_str(m, b));
	} else if (m->vtype == STP_STAT) {
		x = stat_sort_value(stp_map_stat(m, a), c->by);
		y = stat_sort_value(stp_map_stat(m, b), c->by);
	} else {
		x = *stp_map_long(m, a), y = *stp_map_long(m, b);
	}
	return (x < y && c->dir < 0) || (x > y && c->dir > 0);
}

/* A stable merge sort of m->order[0, n). */
static void merge_sort(const struct sort_ctx *c, int n)
{
	int32_t *src = c->m->order, *dst = c->m->scratch, *t;
	int width, lo;

	for (width = 1; width < n; width *= 2) {
		for (lo = 0; lo < n; lo += 2 * width) {
			int mid = min(lo + width, n), hi = min(lo + 2 * width, n);
			int i = lo, j = mid, k = lo;

			while (i < mid && j < hi)
				dst[k++] = goes_after(c, src[i], src[j]) ? src[j++] : src[i++];
			while (i < mid)
				dst[k++] = src[i++];
			while (j < hi)
				dst[k++] = src[j++];
		}
		t = src, src = dst, dst = t;
	}
	if (src != c->m->order)
		memcpy(c->m->order, src, n * sizeof(*src));
}

static void sort_all(const struct sort_ctx *c)
{
	struct stp_map *m = c->m;
	int32_t i, prev = -1;
	int n = 0;

	for (i = m->age_head; i >= 0; i = E(m, i)->age_next)
		m->order[n++] = i;
	merge_sort(c, n);
	m->age_head = n ? m->order[0] : -1;
	for (i = 0; i < n; i++) {
		E(m, m->order[i])->age_prev = prev;
		E(m, m->order[i])->age_next = i + 1 < n ? m->order[i + 1] : -1;
		prev = m->order[i];
	}
	m->age_tail = prev;
}

/* The first `limit` entries in order, the rest behind them, as SystemTap's partial sort
 * leaves them: bubble passes over the first `limit` entries, then each later entry is
 * inserted into that prefix if it beats the prefix's last. */
static void sort_first(const struct sort_ctx *c, int limit)
{
	struct stp_map *m = c->m;
	int32_t a, last, tmp, b, at;
	int swaps = 1, num;

	while (swaps) {
		swaps = 0;
		num = limit;
		a = nx(m, -1);
		at = nx(m, nx(m, a));
		while (nx(m, a) != -1 && --num > 0) {
			b = nx(m, a);
			if (goes_after(c, a, b)) {
				swaps++;
				age_del(m, a);
				age_add_after(m, a, b);
			}
			a = pv(m, at);
			at = nx(m, at);
		}
	}
	last = a;
	for (a = nx(m, a); a != -1; a = tmp) {
		int32_t w = last;

		tmp = nx(m, a);
		while (w != -1 && goes_after(c, w, a))
			w = pv(m, w);
		if (w != last) {
			age_del(m, a);
			age_add_after(m, a, w);
			last = pv(m, last);
		}
	}
}

void stp_map_sort(struct stp_map *m, int sort_by, int dir, int64_t limit)
{
	struct sort_ctx c = { m, sort_by, dir < 0 ? -1 : 1 };
	int n = (int)limit;             /* SystemTap's sort takes the limit as an int */

	if (sort_by == STP_SORT_NONE || m->age_head < 0)
		return;
	if (n == 0 || n > 30)
		sort_all(&c);
	else
		sort_first(&c, n);      /* a negative limit leaves the bubble pass out */
}
