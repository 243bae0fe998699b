// SPDX-License-Identifier: GPL-2.0
/* pmap.c - statistics arrays (`s[k] <<< v`): one preallocated map per possible CPU, so
 * adding a sample only touches this CPU's map, and an aggregate map rebuilt for reads.
 *
 * An element read (@count(s[k]), print(@hist_log(s[k]))) combines that key's entries of
 * every CPU into a scratch statistic; foreach rebuilds the aggregate map from every CPU's
 * entries, in CPU order and each CPU's list order, then sorts and walks it. Readers hold
 * the global's lock for writing (the aggregate and scratch are shared); writers hold it
 * for reading (each CPU's map has one writer, the CPU itself, with interrupts off).
 * Adding to an array with one key is inlined into the handler (map_fast.h), and only its
 * misses come here.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/percpu.h>
#include "stp_runtime.h"
#include "map.h"

struct stp_pmap *stp_pmap_new(int nkeys, const u8 *key_types, const struct stp_stat_spec *spec,
			      int max_entries, bool wrap)
{
	struct stp_pmap *p = kzalloc(sizeof(*p), GFP_KERNEL);
	int i;

	if (!p)
		return NULL;
	p->ncpu = nr_cpu_ids;
	p->spec = *spec;
	p->cpu = kcalloc(p->ncpu, sizeof(*p->cpu), GFP_KERNEL);
	p->scratch = kzalloc(stp_stat_size(spec), GFP_KERNEL);
	p->pcpu = alloc_percpu(struct stp_map *);
	p->agg = stp_map_new(nkeys, key_types, STP_STAT, spec, max_entries, wrap);
	if (!p->cpu || !p->pcpu || !p->scratch || !p->agg)
		goto fail;
	for (i = 0; i < p->ncpu; i++) {
		if (!cpu_possible(i))
			continue;
		p->cpu[i] = stp_map_new(nkeys, key_types, STP_STAT, spec, max_entries, wrap);
		if (!p->cpu[i])
			goto fail;
		*per_cpu_ptr(p->pcpu, i) = p->cpu[i];
	}
	return p;
fail:
	stp_pmap_free(p);
	return NULL;
}

void stp_pmap_free(struct stp_pmap *p)
{
	int i;

	if (!p)
		return;
	for (i = 0; p->cpu && i < p->ncpu; i++)
		stp_map_free(p->cpu[i]);
	kfree(p->cpu);
	free_percpu(p->pcpu);
	stp_map_free(p->agg);
	kfree(p->scratch);
	kfree(p);
}

int stp_pmap_add(struct stp_pmap *p, const struct stp_key *k, int64_t v)
{
	struct stp_map *m = p->cpu[smp_processor_id()];
	void *e = stp_map_find_or_add(m, k);

	if (!e)
		return -ENOSPC;
	stp_stat_add(stp_map_stat(m, e), &p->spec, v);
	return 0;
}

/* The hash lookups behind stp_pmap_add_str() and stp_pmap_add_long() (map_fast.h). */
static struct stp_stat *slot(struct stp_pmap *p, const struct stp_key *k)
{
	struct stp_map *m = this_cpu_read(*p->pcpu);
	void *e = stp_map_find_or_add(m, k);

	return e ? stp_map_stat(m, e) : NULL;
}

struct stp_stat *__stp_pmap_slot_str(struct stp_pmap *p, const char *s)
{
	struct stp_key k __uninitialized;

	k.s[0] = s;
	return slot(p, &k);
}

struct stp_stat *__stp_pmap_slot_long(struct stp_pmap *p, int64_t n)
{
	struct stp_key k __uninitialized;

	k.n[0] = n;
	return slot(p, &k);
}

struct stp_stat *stp_pmap_get(struct stp_pmap *p, const struct stp_key *k)
{
	bool found = false;
	int i;

	stp_stat_clear(p->scratch, &p->spec);
	for (i = 0; i < p->ncpu; i++) {
		void *e = p->cpu[i] ? stp_map_find(p->cpu[i], k) : NULL;

		if (!e)
			continue;
		stp_stat_merge(p->scratch, stp_map_stat(p->cpu[i], e), &p->spec);
		found = true;
	}
	return found ? p->scratch : NULL;
}

bool stp_pmap_exists(struct stp_pmap *p, const struct stp_key *k, unsigned wild)
{
	int i;

	for (i = 0; i < p->ncpu; i++)
		if (p->cpu[i] && stp_map_find_matching(p->cpu[i], k, wild))
			return true;
	return false;
}

void stp_pmap_delete(struct stp_pmap *p, const struct stp_key *k, unsigned wild)
{
	int i;

	for (i = 0; i < p->ncpu; i++) {
		if (!p->cpu[i])
			continue;
		if (wild)
			stp_map_delete_matching(p->cpu[i], k, wild);
		else
			stp_map_delete(p->cpu[i], k);
	}
}

void stp_pmap_clear(struct stp_pmap *p)
{
	int i;

	for (i = 0; i < p->ncpu; i++)
		if (p->cpu[i])
			stp_map_clear(p->cpu[i]);
	stp_map_clear(p->agg);
}

struct stp_map *stp_pmap_agg(struct stp_pmap *p)
{
	struct stp_key k;
	int i;

	stp_map_clear(p->agg);
	for (i = 0; i < p->ncpu; i++) {
		struct stp_map *m = p->cpu[i];
		void *e;

		for (e = m ? stp_map_first(m) : NULL; e; e = stp_map_next(m, e)) {
			void *a;

			stp_map_entry_key(m, e, &k);
			a = stp_map_find_or_add(p->agg, &k);
			if (!a)
				return NULL;
			stp_stat_merge(stp_map_stat(p->agg, a), stp_map_stat(m, e), &p->spec);
		}
	}
	return p->agg;
}

int stp_pmap_capacity(const struct stp_pmap *p)
{
	return stp_map_capacity(p->agg);
}

bool stp_pmap_sized(const struct stp_pmap *p)
{
	return stp_map_sized(p->agg);
}
