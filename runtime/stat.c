// SPDX-License-Identifier: GPL-2.0
/* stat.c - statistics (`s <<< v`): count, sum, min, max, average, variance, and the
 * logarithmic and linear histograms, with SystemTap's ASCII histogram printing. */
#include <linux/bitops.h>
#include <linux/math64.h>
#include "stp_runtime.h"
#include "map.h"

#define HIST_WIDTH 50          /* columns of '@' for the fullest bucket */
#define HIST_ELISION 2         /* zero rows kept on each side of an elided run */

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

/* Linear buckets: 0 is underflow, 1..n-2 the intervals, n-1 overflow. */
static int linear_bucket(int64_t v, const struct stp_stat_spec *spec)
{
	if (v < spec->start)
		return 0;
	if (v > spec->stop)
		return spec->buckets - 1;
	return 1 + (int)div64_s64(v - spec->start, spec->interval);
}

void stp_stat_add(struct stp_stat *st, const struct stp_stat_spec *spec, int64_t v)
{
	if (st->count == 0 || v < st->min)
		st->min = v;
	if (st->count == 0 || v > st->max)
		st->max = v;
	st->count++;
	st->sum += v;
	st->sumsq += v * v;
	if (spec->hist == STP_HIST_LOG)
		st->buckets[log_bucket(v)]++;
	else if (spec->hist == STP_HIST_LINEAR)
		st->buckets[linear_bucket(v, spec)]++;
}

int64_t stp_stat_avg(const struct stp_stat *st)
{
	return st->count ? div64_s64(st->sum, st->count) : 0;
}

int64_t stp_stat_variance(const struct stp_stat *st)
{
	/* The sample variance, (n * sum(x^2) - sum(x)^2) / (n * (n - 1)), in integers. */
	if (st->count < 2)
		return 0;
	return div64_s64(st->count * st->sumsq - st->sum * st->sum, st->count * (st->count - 1));
}

static void bucket_label(char *buf, size_t size, int i, const struct stp_stat_spec *spec)
{
	if (spec->hist == STP_HIST_LOG) {
		snprintf(buf, size, "%lld", (long long)log_label(i));
	} else if (i == 0) {
		snprintf(buf, size, "<%lld", (long long)spec->start);
	} else if (i == spec->buckets - 1) {
		snprintf(buf, size, ">%lld", (long long)spec->stop);
	} else {
		snprintf(buf, size, "%lld", (long long)(spec->start + (int64_t)(i - 1) * spec->interval));
	}
}

static void print_row(const char *label, int width, int64_t count, int64_t peak)
{
	char bar[HIST_WIDTH + 1];
	int n = peak ? (int)div64_s64(count * HIST_WIDTH, peak) : 0;

	if (count && !n)
		n = 1;
	memset(bar, '@', n);
	memset(bar + n, ' ', HIST_WIDTH - n);
	bar[HIST_WIDTH] = '\0';
	stp_printf("%*s |%s %lld\n", width, label, bar, (long long)count);
}

void stp_stat_print_hist(const struct stp_stat *st, const struct stp_stat_spec *spec)
{
	int n = spec->hist == STP_HIST_LOG ? STP_HIST_LOG_BUCKETS : spec->buckets;
	int first = -1, last = -1, width = 5, i;
	int64_t peak = 0;
	char label[32];

	for (i = 0; i < n; i++) {
		if (!st->buckets[i])
			continue;
		if (first < 0)
			first = i;
		last = i;
		peak = max(peak, st->buckets[i]);
	}
	if (first < 0)
		return;
	/* One empty row on each side of the data, as far as there are buckets. */
	first = max(first - 1, 0);
	last = min(last + 1, n - 1);
	if (spec->hist == STP_HIST_LINEAR) {
		/* Under/overflow rows only appear when they hold values. */
		if (first == 0 && !st->buckets[0])
			first = 1;
		if (last == n - 1 && !st->buckets[n - 1])
			last = n - 2;
	}
	for (i = first; i <= last; i++) {
		bucket_label(label, sizeof(label), i, spec);
		width = max(width, (int)strlen(label));
	}
	stp_printf("%*s |", width, "value");
	for (i = 0; i < HIST_WIDTH; i++)
		stp_print_char('-');
	stp_print_str(" count\n");
	for (i = first; i <= last; i++) {
		int run = 0;

		while (i + run <= last && !st->buckets[i + run])
			run++;
		/* A long run of empty rows is shown as its ends around a "~". */
		if (run > 2 * HIST_ELISION + 1) {
			int k;

			for (k = 0; k < HIST_ELISION; k++) {
				bucket_label(label, sizeof(label), i + k, spec);
				print_row(label, width, 0, peak);
			}
			stp_printf("%*s ~\n", width, "");
			for (k = run - HIST_ELISION; k < run; k++) {
				bucket_label(label, sizeof(label), i + k, spec);
				print_row(label, width, 0, peak);
			}
			i += run - 1;
			continue;
		}
		bucket_label(label, sizeof(label), i, spec);
		print_row(label, width, st->buckets[i], peak);
	}
	stp_print_char('\n');
}
