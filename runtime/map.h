/* map.h - associative arrays and statistics for script globals.
 *
 * A map holds up to STP_MAX_KEYS keys (each a long or a string) and a value (a long, a
 * string, or a statistic). All entries are allocated when the module loads (the declared
 * size, or MAXMAPENTRIES), so a probe never allocates: a full map refuses new keys
 * ("Array overflow"), or, for a wrapping global (`global a%[N]`), recycles its oldest
 * entry. Entries are kept in a list, in insertion order; a sorted foreach sorts that list
 * in place (a stable merge sort, or for `limit N`, N at most 30 and not 0, SystemTap's
 * partial sort), so later unsorted iteration and ties of later sorts follow the last
 * sort, as in SystemTap. Callers serialize access with the global's lock (a sort needs it for writing).
 *
 * Statistics are per CPU: `s <<< v` and `s[k] <<< v` update this CPU's copy only (the
 * global's lock taken for reading), and reading (@count ..., foreach, print of a
 * histogram) aggregates the CPUs' copies (the lock taken for writing).
 */
#ifndef STP_MAP_H
#define STP_MAP_H

#include <linux/types.h>
#include <linux/compiler.h>

#ifndef MAXMAPENTRIES
#define MAXMAPENTRIES 2048
#endif
#define STP_MAX_KEYS 9

enum stp_vtype { STP_LONG = 1, STP_STRING = 2, STP_STAT = 3 };

/* A key tuple as the generated code builds it: n[i] for long keys, s[i] for strings. */
struct stp_key {
	int64_t n[STP_MAX_KEYS];
	const char *s[STP_MAX_KEYS];
};

/* What a statistic records; histograms are fixed per variable at translate time. */
enum stp_hist { STP_HIST_NONE, STP_HIST_LINEAR, STP_HIST_LOG };
struct stp_stat_spec {
	enum stp_hist hist;
	int64_t start, stop, interval;       /* @hist_linear(s, start, stop, interval) */
	int buckets;                         /* number of buckets, incl. under/overflow */
	int shift;                           /* @variance(s, shift): fixed-point bits */
	bool variance;                       /* @variance is used: keep its running terms */
	bool no_minmax;                      /* neither @min nor @max is read: not kept */
};
#define STP_HIST_LOG_BUCKETS 128         /* 0, negative and positive powers of two */
#define STP_HIST_LOG_BUCKET0 64

struct stp_stat {
	int64_t count, sum, min, max;
	int64_t avg_s, m2, variance_s;       /* Welford's running terms, << shift */
	int64_t buckets[];
};

struct stp_map;

struct stp_map *stp_map_new(int nkeys, const u8 *key_types, enum stp_vtype vtype,
			    const struct stp_stat_spec *spec, int max_entries, bool wrap);
void stp_map_free(struct stp_map *m);
/* The entry for key, or NULL. */
void *stp_map_find(struct stp_map *m, const struct stp_key *k);
/* The entry for key, created (zeroed) if absent; NULL if the map is full. */
void *stp_map_find_or_add(struct stp_map *m, const struct stp_key *k);
/* The first entry matching k where `wild` has no bit set (`[*, 1] in a`), or NULL. */
void *stp_map_find_matching(struct stp_map *m, const struct stp_key *k, unsigned wild);
void stp_map_delete(struct stp_map *m, const struct stp_key *k);
/* Deletes every entry whose keys match k where `wild` has no bit set (slices: a[*, 1]). */
void stp_map_delete_matching(struct stp_map *m, const struct stp_key *k, unsigned wild);
void stp_map_clear(struct stp_map *m);
int stp_map_size(const struct stp_map *m);
int stp_map_capacity(const struct stp_map *m);
/* "check size limit (N)" for a declared size, "check MAXMAPENTRIES" otherwise. */
bool stp_map_sized(const struct stp_map *m);

int64_t *stp_map_long(struct stp_map *m, void *e);
char *stp_map_str(struct stp_map *m, void *e);
struct stp_stat *stp_map_stat(struct stp_map *m, void *e);
int64_t stp_map_key_long(struct stp_map *m, void *e, int i);
const char *stp_map_key_str(struct stp_map *m, void *e, int i);
/* Does entry e match k on every key whose bit is clear in wild? */
bool stp_map_entry_matches(struct stp_map *m, void *e, const struct stp_key *k, unsigned wild);

/* The key tuple of entry e (strings point into the entry). */
void stp_map_entry_key(struct stp_map *m, void *e, struct stp_key *k);

/* Sort orders of stp_map_sort: by key N (1-based), by the value, or by one aggregate of
 * a statistics value (STP_SORT_VALUE for stats means @count). */
#define STP_SORT_NONE 0
#define STP_SORT_VALUE (-1)
#define STP_SORT_COUNT (-2)
#define STP_SORT_SUM (-3)
#define STP_SORT_MIN (-4)
#define STP_SORT_MAX (-5)
#define STP_SORT_AVG (-6)
/* Sorts the entry list in place (dir +1 ascending, -1 descending). A limit (taken as an
 * int, as SystemTap does) of 0 or above 30 sorts everything; otherwise SystemTap's partial
 * sort puts the first `limit` entries in order (a negative one only its insertion pass). */
void stp_map_sort(struct stp_map *m, int sort_by, int dir, int64_t limit);
/* Iteration in list order: the first entry, the one after e (NULL at the end). */
void *stp_map_first(struct stp_map *m);
void *stp_map_next(struct stp_map *m, void *e);

/* ---- statistics ---- */
size_t stp_stat_size(const struct stp_stat_spec *spec);
void stp_stat_add(struct stp_stat *st, const struct stp_stat_spec *spec, int64_t v);
/* Out of line: the variance (a sample after the first) and histogram parts of adding v. */
void __stp_stat_add_more(struct stp_stat *st, const struct stp_stat_spec *spec, int64_t v,
			 bool variance);
/* stp_stat_add() inlined: with a constant spec, what the statistic does not keep costs
 * nothing. */
static __always_inline void __stp_stat_add(struct stp_stat *st, const struct stp_stat_spec *spec,
					   int64_t v)
{
	bool first = st->count == 0;

	if (first) {
		st->count = 1;
		st->sum = st->min = st->max = v;
		st->avg_s = v << spec->shift;
		st->m2 = 0;
	} else {
		st->count++;
		st->sum += v;
		if (!spec->no_minmax && v > st->max)
			st->max = v;
		if (!spec->no_minmax && v < st->min)
			st->min = v;
	}
	if (spec->hist != STP_HIST_NONE || (spec->variance && !first))
		__stp_stat_add_more(st, spec, v, !first);
}
void stp_stat_clear(struct stp_stat *st, const struct stp_stat_spec *spec);
/* Folds src into dst the way SystemTap combines per-CPU copies of an array element. */
void stp_stat_merge(struct stp_stat *dst, const struct stp_stat *src,
		    const struct stp_stat_spec *spec);
int64_t stp_stat_avg(const struct stp_stat *st);
int64_t stp_stat_variance(const struct stp_stat *st, const struct stp_stat_spec *spec);
struct stp_sink;
/* Prints the histogram the way SystemTap does (value |---@@@ count), elided rows as "~". */
void stp_stat_print_hist(struct stp_sink *out, const struct stp_stat *st,
			 const struct stp_stat_spec *spec);
/* The count in bucket i (0 when st is NULL), or -1 when i is out of range. */
int64_t stp_stat_bucket(const struct stp_stat *st, const struct stp_stat_spec *spec, int64_t i);

/* A scalar statistics global: one copy per CPU. */
struct stp_pstat;
struct stp_pstat *stp_pstat_new(const struct stp_stat_spec *spec);
void stp_pstat_free(struct stp_pstat *p);
void stp_pstat_add(struct stp_pstat *p, int64_t v);
/* The CPUs' copies combined (valid until the next call; count 0 when empty). */
struct stp_stat *stp_pstat_get(struct stp_pstat *p);
void stp_pstat_clear(struct stp_pstat *p);

/* A statistics array: one map per CPU, and an aggregate map for reads. */
struct stp_pmap;
struct stp_pmap *stp_pmap_new(int nkeys, const u8 *key_types, const struct stp_stat_spec *spec,
			      int max_entries, bool wrap);
void stp_pmap_free(struct stp_pmap *p);
/* s[k] <<< v on this CPU's map; -ENOSPC when it is full. */
int stp_pmap_add(struct stp_pmap *p, const struct stp_key *k, int64_t v);
/* The element combined over the CPUs, or NULL if no CPU has it. */
struct stp_stat *stp_pmap_get(struct stp_pmap *p, const struct stp_key *k);
bool stp_pmap_exists(struct stp_pmap *p, const struct stp_key *k, unsigned wild);
void stp_pmap_delete(struct stp_pmap *p, const struct stp_key *k, unsigned wild);
void stp_pmap_clear(struct stp_pmap *p);
/* Rebuilds and returns the aggregate map (for foreach), or NULL if it overflowed. */
struct stp_map *stp_pmap_agg(struct stp_pmap *p);
int stp_pmap_capacity(const struct stp_pmap *p);
bool stp_pmap_sized(const struct stp_pmap *p);

#endif
