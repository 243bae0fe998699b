// SPDX-License-Identifier: GPL-2.0
/* stp_testmod.c - a small kernel module for the run tests of module("...") probes.
 *
 * Writing a number N to /proc/stp_testmod (`echo 7 > /proc/stp_testmod`) calls the
 * functions below once each, with arguments derived from N, so a test can check what its
 * probes read against what it wrote:
 *
 *   stp_tm_int(N)              returns 2N + 1
 *   stp_tm_long(N << 33 | 5, N % 7)   returns its first argument shifted left by the second
 *   stp_tm_rec(&rec)           rec.id = N, rec.a->b = 10N, rec.in.vals[i] = N + i,
 *                              rec.name = "rec-N" (char[16]), rec.label = "label-N"
 *                              (char *); returns rec.a->b + rec.in.vals[2] (11N + 2), and
 *                              sets rec.id to N + 100 before returning
 *   stp_tm_outer(N)            calls the always-inlined stp_tm_triple(N) (3N); returns 3N + 1
 *   stp_tm_label(N)            passes its label "found" once; returns 4N
 *   stp_tm_stmt(N)             the line tests probe; returns N + 17
 *   stp_tm_fact(N % 6)         recursive factorial (one .return per level)
 *
 * The run tests (testsuite/runok/dwarfmod_*.stp) name some lines of this file: the
 * statement line (STMT) and the line without code before it (NEAREST). Keep them where
 * they are, or update the tests.
 *
 * Built by testsuite/modules/build.sh with the target kernel's kbuild (it has debug info
 * like any module of a CONFIG_DEBUG_INFO kernel).
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/uaccess.h>

struct stp_tm_inner {
	int b;
	long vals[4];
};

struct stp_tm_rec {
	int id;
	struct stp_tm_inner *a;
	struct stp_tm_inner in;
	char name[16];
	const char *label;
};

static volatile long stp_tm_sink;

noinline int stp_tm_stmt(int n)
{
	int r = n + 10;

	/* NEAREST: this line (50) has no code; the next one does */
	stp_tm_sink = r * 3;                    /* STMT: line 51 */
	r += 7;
	stp_tm_sink = r;
	return r;
}

noinline int stp_tm_int(int x)
{
	stp_tm_sink = x;
	return 2 * x + 1;
}

noinline long stp_tm_long(long v, int shift)
{
	stp_tm_sink = v;
	return v << shift;
}

noinline int stp_tm_rec(struct stp_tm_rec *p)
{
	int r = p->a->b + (int)p->in.vals[2];

	stp_tm_sink = p->name[0];
	p->id += 100;
	return r;
}

static __always_inline int stp_tm_triple(int v)
{
	stp_tm_sink = v;
	return 3 * v;
}

noinline int stp_tm_outer(int n)
{
	return stp_tm_triple(n) + 1;
}

noinline int stp_tm_label(int n)
{
	int i, r = 0;

	for (i = 0; i < 64; i++) {
		if (i == n % 64)
			goto found;
		stp_tm_sink = i;
	}
	return -1;
found:
	r = 4 * n;
	stp_tm_sink = r;
	return r;
}

noinline long stp_tm_fact(int n)
{
	long r;

	if (n <= 1)
		return 1;
	r = n * stp_tm_fact(n - 1);
	stp_tm_sink = r;
	return r;
}

/* A chain of calls for .callees(DEPTH), called last with N: stp_tm_chain_a calls b, b
 * calls c, c runs the always-inlined stp_tm_twice(N) (2N) and calls d(N) (N + 4); c
 * returns 3N + 4, b 3N + 5, a 3N + 6. Then stp_tm_chain_b(N), _c(N) and _d(N) are called
 * directly, so d runs 4 times, c 3, b 2 and a once per write. */
static __always_inline int stp_tm_twice(int v)
{
	stp_tm_sink = v;
	return 2 * v;
}

noinline int stp_tm_chain_d(int n)
{
	stp_tm_sink = n;
	return n + 4;
}

noinline int stp_tm_chain_c(int n)
{
	int r = stp_tm_twice(n);

	r += stp_tm_chain_d(n);
	stp_tm_sink = r;
	return r;
}

noinline int stp_tm_chain_b(int n)
{
	int r = stp_tm_chain_c(n) + 1;

	stp_tm_sink = r;
	return r;
}

noinline int stp_tm_chain_a(int n)
{
	int r = stp_tm_chain_b(n) + 1;

	stp_tm_sink = r;
	return r;
}

static void stp_tm_run(int n)
{
	struct stp_tm_inner inner = { .b = 10 * n };
	struct stp_tm_rec rec = { .id = n, .a = &inner };
	char label[24];
	int i;

	for (i = 0; i < 4; i++)
		rec.in.vals[i] = n + i;
	snprintf(rec.name, sizeof(rec.name), "rec-%d", n);
	snprintf(label, sizeof(label), "label-%d", n);
	rec.label = label;

	stp_tm_int(n);
	stp_tm_long(((long)n << 33) | 5, n % 7);
	stp_tm_rec(&rec);
	stp_tm_outer(n);
	stp_tm_label(n);
	stp_tm_stmt(n);
	stp_tm_fact(n % 6);
	stp_tm_chain_a(n);
	stp_tm_chain_b(n);
	stp_tm_chain_c(n);
	stp_tm_chain_d(n);
}

static ssize_t stp_tm_write(struct file *file, const char __user *buf, size_t len,
			    loff_t *pos)
{
	int n, rc = kstrtoint_from_user(buf, len, 0, &n);

	if (rc)
		return rc;
	stp_tm_run(n);
	return len;
}

static const struct proc_ops stp_tm_ops = {
	.proc_write = stp_tm_write,
};

static struct proc_dir_entry *stp_tm_entry;

static int __init stp_tm_init(void)
{
	stp_tm_entry = proc_create("stp_testmod", 0200, NULL, &stp_tm_ops);
	return stp_tm_entry ? 0 : -ENOMEM;
}

static void __exit stp_tm_exit(void)
{
	proc_remove(stp_tm_entry);
}

module_init(stp_tm_init);
module_exit(stp_tm_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("test module for stap's module(...) probes");
