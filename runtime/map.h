/* map.h - associative arrays and statistics for script globals.
 *
 * A map holds up to STP_MAX_KEYS keys (each a long or a string) and a value (a long, a
 * string, or a statistic). All entries are allocated when the module loads (the declared
 * size, or MAXMAPENTRIES), so a probe never allocates: a full map refuses new keys
 * ("Array full"), or, for a wrapping global (`global a%[N]`), recycles its oldest entry.
 * Callers serialize access with the global's lock.
 */
#ifndef STP_MAP_H
#define STP_MAP_H

#include <linux/types.h>

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
};
#define STP_HIST_LOG_BUCKETS 128         /* 0, negative and positive powers of two */

struct stp_stat {
	int64_t count, sum, min, max;
	int64_t sumsq;                       /* sum of squares, for @variance */
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

int64_t *stp_map_long(struct stp_map *m, void *e);
char *stp_map_str(struct stp_map *m, void *e);
struct stp_stat *stp_map_stat(struct stp_map *m, void *e);
int64_t stp_map_key_long(struct stp_map *m, void *e, int i);
const char *stp_map_key_str(struct stp_map *m, void *e, int i);
/* Does entry e match k on every key whose bit is clear in wild? */
bool stp_map_entry_matches(struct stp_map *m, void *e, const struct stp_key *k, unsigned wild);

/* foreach: fills out[] (room for stp_map_capacity entries) with the entries, sorted by
 * sort_by (0: unsorted, -1: the value (@count for stats... see stp_map_sorted), N: key N)
 * in direction dir (+1 / -1); keeps at most limit (<0: all). Returns the count. For stat
 * values, stat_field selects what the value sort compares (0 count, 1 sum, 2 min, 3 max,
 * 4 avg). */
int stp_map_sorted(struct stp_map *m, void **out, int sort_by, int dir, int64_t limit,
		   int stat_field);

/* ---- statistics (a scalar stats global is a struct stp_stat of its own) ---- */
size_t stp_stat_size(const struct stp_stat_spec *spec);
void stp_stat_add(struct stp_stat *st, const struct stp_stat_spec *spec, int64_t v);
void stp_stat_clear(struct stp_stat *st, const struct stp_stat_spec *spec);
int64_t stp_stat_avg(const struct stp_stat *st);
int64_t stp_stat_variance(const struct stp_stat *st);
/* Prints the histogram the way SystemTap does (value |---@@@ count), elided rows as "~". */
void stp_stat_print_hist(const struct stp_stat *st, const struct stp_stat_spec *spec);

#endif
