// SPDX-License-Identifier: GPL-2.0
/* bare_kprobe.c - the floor for bench/probe-overhead.sh: a kprobe whose handler only
 * increments an atomic counter, nothing else.
 *
 * Placed on the kernel function named by the "func" parameter (default the getppid
 * syscall's entry); the number of hits so far is readable in
 * /sys/module/bare_kprobe/parameters/hits and is logged at unload.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/kprobes.h>
#include <linux/atomic.h>

static char *func = "__x64_sys_getppid";
module_param(func, charp, 0444);
MODULE_PARM_DESC(func, "kernel function to probe");

static atomic_long_t hits = ATOMIC_LONG_INIT(0);

static int hits_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%ld\n", atomic_long_read(&hits));
}

static const struct kernel_param_ops hits_ops = { .get = hits_get };
module_param_cb(hits, &hits_ops, NULL, 0444);
MODULE_PARM_DESC(hits, "probe hits so far (read only)");

static int bare_pre(struct kprobe *kp, struct pt_regs *regs)
{
	atomic_long_inc(&hits);
	return 0;
}

static struct kprobe bare_kp = { .pre_handler = bare_pre };

static int __init bare_init(void)
{
	int rc;

	bare_kp.symbol_name = func;
	rc = register_kprobe(&bare_kp);
	if (rc)
		pr_err("cannot probe %s: %d\n", func, rc);
	return rc;
}

static void __exit bare_exit(void)
{
	unregister_kprobe(&bare_kp);
	pr_info("%s: %ld hits\n", func, atomic_long_read(&hits));
}

module_init(bare_init);
module_exit(bare_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("bare kprobe floor for the probe-overhead benchmark");
