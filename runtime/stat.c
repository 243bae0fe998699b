// SPDX-License-Identifier: GPL-2.0
/* stat.c - statistics (`s <<< v`): count, sum, min, max, average, variance, and the
 * logarithmic and linear histograms, with SystemTap's ASCII histogram printing; scalar
 * statistics globals with one copy per CPU (arrays of them are in pmap.c). The
 * arithmetic follows SystemTap's exactly (integer Welford variance, bucket bounds, row
 * margins, elision and bar scaling), so results print the same. */
#include <linux/bitops.h>
#include <linux/math64.h>
#include <linux/vmalloc.h>
#include "stp_runtime.h"
#include "map.h"

#ifndef HIST_WIDTH
#define HIST_WIDTH 50          /* columns of '@' for the fullest bucket */
#endif

size_t stp_stat_size(const struct stp_stat_spec *spec)
{
	int n = 0;

	if (spec->hist == STP_HIST_LOG)
		n = STP_HIST_LOG_BUCKETS;
	else if (spec->hist == STP_HIST_LINEAR)
		n = spec->buckets;
	return sizeof(struct stp_stat) + (size_t)n * sizeof(int64_t);
}

void stp_stat_clear(struct stp_stat *st, const struct stp_stat_spec *spec)
{
	memset(st, 0, stp_stat_size(spec));
}

/* Log buckets: index 64 holds 0; 64 + k holds [2^(k-1), 2^k); 64 - k the negatives. */
static int log_bucket(int64_t v)
{
	if (v == 0)
		return 64;
	if (v > 0)
		return 64 + fls64((u64)v);
	if (v == S64_MIN)
		return 0;
	return 64 - fls64((u64)-v);
}

static int64_t log_label(int i)
{
	if (i == 64)
		return 0;
	if (i > 64)
		return (int64_t)1 << (i - 65);
	return -((int64_t)1 << (63 - i));
}

/* Linear buckets: 0 is underflow, 1.. the intervals from start, the last one overflow
 * (the interval holding `stop` is a regular bucket). As in SystemTap, v - start wraps
 * around: a value more than 2^63 away from start lands in the other end's bucket. */
static int linear_bucket(int64_t v, const struct stp_stat_spec *spec)
{
	int64_t d = (int64_t)((u64)v - (u64)spec->start), i;

	if (d < 0)
		return 0;
	i = 1 + div64_u64((u64)d, spec->interval);
	return i >= spec->buckets - 1 ? spec->buckets - 1 : (int)i;
}

/* Welford's running mean and squared deviations, in integers scaled by 2^shift, with a
 * 32-bit delta: the same rounding as SystemTap's, so @variance agrees with it. */
static void add_variance(struct stp_stat *st, const struct stp_stat_spec *spec, int64_t v)
{
	int delta = (int)((v << spec->shift) - st->avg_s);

	st->avg_s += div64_s64(delta, st->count);
	st->m2 += delta * ((v << spec->shift) - st->avg_s);
	st->variance_s = div64_s64(st->m2, st->count - 1);
}

void __stp_stat_add_more(struct stp_stat *st, const struct stp_stat_spec *spec, int64_t v,
			 bool variance)
{
	if (variance && spec->variance)
		add_variance(st, spec, v);
	if (spec->hist == STP_HIST_LOG)
		st->buckets[log_bucket(v)]++;
	else if (spec->hist == STP_HIST_LINEAR)
		st->buckets[linear_bucket(v, spec)]++;
}

void stp_stat_add(struct stp_stat *st, const struct stp_stat_spec *spec, int64_t v)
{
	__stp_stat_add(st, spec, v);
}

static int64_t div_or_zero(int64_t a, int64_t b)
{
	return b ? div64_s64(a, b) : 0;
}

int64_t stp_stat_avg(const struct stp_stat *st)
{
	return div_or_zero(st->sum, st->count);
}

int64_t stp_stat_variance(const struct stp_stat *st, const struct stp_stat_spec *spec)
{
	return st->variance_s >> (2 * spec->shift);
}

static int nbuckets(const struct stp_stat_spec *spec)
{
	if (spec->hist == STP_HIST_LOG)
		return STP_HIST_LOG_BUCKETS;
	return spec->hist == STP_HIST_LINEAR ? spec->buckets : 0;
}

static int64_t sq(int64_t x)
{
	return x * x;
}

void stp_stat_merge(struct stp_stat *dst, const struct stp_stat *src,
		    const struct stp_stat_spec *spec)
{
	int i, n = nbuckets(spec);

	if (dst->count > 0 && src->count > 0) {
		int64_t c1 = dst->count, a1 = dst->avg_s, v1 = dst->variance_s;

		dst->count += src->count;
		dst->sum += src->sum;
		dst->min = min(dst->min, src->min);
		dst->max = max(dst->max, src->max);
		if (spec->variance) {
			/* The total variance of the two parts. */
			dst->avg_s = div64_s64(dst->sum << spec->shift, dst->count);
			dst->variance_s = div_or_zero(c1 * sq(a1 - dst->avg_s) + (c1 - 1) * v1 +
						      src->count * sq(src->avg_s - dst->avg_s) +
						      (src->count - 1) * src->variance_s,
						      dst->count - 1);
		}
		for (i = 0; i < n; i++)
			dst->buckets[i] += src->buckets[i];
		return;
	}
	memcpy(dst, src, stp_stat_size(spec));
}

/* A scalar's CPUs combined in one step, as SystemTap does for scalars. */
static void combine_cpus(struct stp_stat *agg, struct stp_stat *const *cpu, int ncpu,
			 const struct stp_stat_spec *spec)
{
	int64_t s = 0;
	int i, j, n = nbuckets(spec);

	stp_stat_clear(agg, spec);
	for (i = 0; i < ncpu; i++) {
		const struct stp_stat *c = cpu[i];

		if (!c->count)
			continue;
		if (agg->count == 0) {
			agg->min = c->min;
			agg->max = c->max;
		}
		agg->count += c->count;
		agg->sum += c->sum;
		agg->min = min(agg->min, c->min);
		agg->max = max(agg->max, c->max);
		for (j = 0; j < n; j++)
			agg->buckets[j] += c->buckets[j];
	}
	agg->avg_s = div_or_zero(agg->sum << spec->shift, agg->count);
	for (i = 0; i < ncpu; i++)
		if (cpu[i]->count)
			s += cpu[i]->count * sq(cpu[i]->avg_s - agg->avg_s) +
			     (cpu[i]->count - 1) * cpu[i]->variance_s;
	agg->variance_s = div_or_zero(s, agg->count - 1);
}

/* ---- scalar statistics: one copy per possible CPU, then the aggregate ---- */

struct stp_pstat {
	struct stp_stat_spec spec;
	size_t stride;
	int ncpu;
	struct stp_stat **cpu;          /* ncpu copies, then the aggregate */
	char *data;
};

struct stp_pstat *stp_pstat_new(const struct stp_stat_spec *spec)
{
	struct stp_pstat *p = kzalloc(sizeof(*p), GFP_KERNEL);
	int i;

	if (!p)
		return NULL;
	p->spec = *spec;
	p->stride = ALIGN(stp_stat_size(spec), 64);
	p->ncpu = nr_cpu_ids;
	p->cpu = kcalloc(p->ncpu + 1, sizeof(*p->cpu), GFP_KERNEL);
	p->data = vzalloc(p->stride * (p->ncpu + 1));
	if (!p->cpu || !p->data) {
		stp_pstat_free(p);
		return NULL;
	}
	for (i = 0; i <= p->ncpu; i++)
		p->cpu[i] = (struct stp_stat *)(p->data + i * p->stride);
	return p;
}

void stp_pstat_free(struct stp_pstat *p)
{
	if (!p)
		return;
	vfree(p->data);
	kfree(p->cpu);
	kfree(p);
}

void stp_pstat_add(struct stp_pstat *p, int64_t v)
{
	stp_stat_add(p->cpu[smp_processor_id()], &p->spec, v);
}

struct stp_stat *stp_pstat_get(struct stp_pstat *p)
{
	struct stp_stat *agg = p->cpu[p->ncpu];

	combine_cpus(agg, p->cpu, p->ncpu, &p->spec);
	return agg;
}

void stp_pstat_clear(struct stp_pstat *p)
{
	memset(p->data, 0, p->stride * (p->ncpu + 1));
}

int64_t stp_stat_bucket(const struct stp_stat *st, const struct stp_stat_spec *spec, int64_t i)
{
	if (i < 0 || i >= nbuckets(spec))
		return -1;
	return st ? st->buckets[i] : 0;
}

#ifndef HIST_ELISION
#define HIST_ELISION 2          /* empty rows kept next to a non-empty one; <0: no elision */
#endif

/* Characters of v in decimal. */
static int digits(int64_t v)
{
	u64 u = v < 0 ? -(u64)v : (u64)v;
	int n = v < 0 ? 2 : 1;

	while (u >= 10) {
		u /= 10;
		n++;
	}
	return n;
}

/* The value a row is labelled with, and its '<'/'>' prefix. */
static int64_t row_value(int i, const struct stp_stat_spec *spec, const char **prefix)
{
	*prefix = "";
	if (spec->hist == STP_HIST_LOG)
		return log_label(i);
	if (i == 0) {
		*prefix = "<";
		return spec->start;
	}
	if (i == spec->buckets - 1) {
		*prefix = ">";
		return spec->start + (int64_t)(i - 2) * spec->interval;
	}
	return spec->start + (int64_t)(i - 1) * spec->interval;
}

/* Is row i one of a run of empty rows far enough from data to be left out? */
static bool elided(const struct stp_stat *st, int i, int lo, int hi, int n)
{
	int k, from, to, reach = min_t(long, HIST_ELISION, n);

	if ((long)HIST_ELISION < 0)
		return false;
	from = max(lo, i - reach);
	to = min(hi, i + reach);
	for (k = from; k <= to; k++)
		if (st->buckets[k])
			return false;
	return true;
}

struct hist_layout {
	int lo, hi;                     /* rows shown */
	int label_w, count_w;
	int64_t scale;
};

static void hist_layout(const struct stp_stat *st, const struct stp_stat_spec *spec,
			struct hist_layout *h)
{
	int n = nbuckets(spec), i, under = 0, over = 0;
	int64_t peak = 0;

	h->lo = -1;
	h->hi = 0;
	for (i = 0; i < n; i++) {
		if (st->buckets[i] > 0) {
			if (h->lo < 0)
				h->lo = i;
			h->hi = i;
		}
		peak = max(peak, st->buckets[i]);
	}
	/* Two rows of margin; a log histogram does not reach below 0 without negatives. */
	for (i = 0; i < 2; i++) {
		if (h->lo > 0 && (spec->hist != STP_HIST_LOG || h->lo != STP_HIST_LOG_BUCKET0))
			h->lo--;
		if (h->hi < n - 1)
			h->hi++;
	}
	if (spec->hist == STP_HIST_LINEAR) {
		if (h->lo == 0 && !st->buckets[0])
			h->lo++;
		if (h->hi == n - 1 && !st->buckets[n - 1])
			h->hi--;
		under = h->lo == 0;
		over = h->hi == n - 1;
		h->label_w = max(digits(spec->start) + under,
				 digits(spec->start + spec->interval * h->hi) + over);
	} else {
		h->label_w = max(digits(log_label(h->hi)), digits(log_label(h->lo)));
	}
	h->label_w = max(h->label_w, 5);
	h->count_w = digits(peak);
	h->scale = peak <= HIST_WIDTH ? 1 : div64_s64(peak + HIST_WIDTH - 1, HIST_WIDTH);
}

void stp_stat_print_hist(struct stp_sink *out, const struct stp_stat *st,
			 const struct stp_stat_spec *spec)
{
	struct hist_layout h;
	bool eliding = false;
	int i;

	hist_layout(st, spec, &h);
	stp_sink_printf(out, "%*s |", h.label_w, "value");
	stp_sink_pad(out, '-', HIST_WIDTH);
	stp_sink_write(out, " count\n", 7);
	for (i = h.lo; i <= h.hi; i++) {
		const char *prefix;
		int64_t v = row_value(i, spec, &prefix);
		int bar = (int)div64_s64(st->buckets[i], h.scale);

		if (elided(st, i, h.lo, h.hi, nbuckets(spec))) {
			eliding = true;
			continue;
		}
		if (eliding)
			stp_sink_printf(out, "%*s ~\n", h.label_w, "");
		eliding = false;
		stp_sink_printf(out, "%*s%lld |", h.label_w - digits(v), prefix, (long long)v);
		stp_sink_pad(out, '@', bar);
		stp_sink_printf(out, "%*lld\n", HIST_WIDTH - bar + 1 + h.count_w,
				(long long)st->buckets[i]);
	}
	stp_sink_write(out, "\n", 1);
}
