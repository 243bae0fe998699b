// SPDX-License-Identifier: GPL-2.0
/* transport.c - the module's side of the link to stapio (see transport_msgs.h).
 *
 * Output: one byte ring shared by all CPUs, read through debugfs systemtap/MODULE/trace0.
 * Writers append a whole probe-hit flush at a time under a spinlock taken with bounded
 * spinning (see bounded_lock), so a probe can never deadlock on it; a flush that does not
 * fit, or cannot get the lock in time, is dropped and counted, never waited for. (Not the
 * kernel's relay channels: their read() may copy bytes a writer has reserved but not yet
 * written.) The head index is published with
 * release semantics after the bytes are copied and the single reader publishes the tail
 * after copying them out, so the reader never sees reserved-but-unwritten bytes and needs
 * no lock. The ring holds STP_RELAY_SUBBUF_SIZE * STP_RELAY_N_SUBBUFS bytes, or
 * _stp_bufsize MB (staprun -b); the reader is woken (through irq_work, so writers may be
 * in any context) when the ring stops being empty and when it fills past
 * STP_RELAY_SUBBUF_SIZE bytes; stapio's poll timeout covers the rest.
 *
 * Control messages to stapio sit in a small ring read through systemtap/MODULE/.cmd; a
 * message can be queued from any context, and the reader is woken through irq_work.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/poll.h>
#include <linux/wait.h>
#include <linux/irq_work.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/uaccess.h>
#include <linux/spinlock.h>
#include <linux/mutex.h>
#include <linux/sched/clock.h>
#include "../stp_runtime.h"

#define CTL_SLOTS 64
#ifndef STP_RELAY_SPIN_NS
#define STP_RELAY_SPIN_NS (100 * NSEC_PER_MSEC)   /* longest wait for the output lock */
#endif
#define CTL_SLOT_PAYLOAD 512

static unsigned int _stp_bufsize;       /* MB; 0: the compiled-in default */
module_param(_stp_bufsize, uint, 0444);
MODULE_PARM_DESC(_stp_bufsize, "output buffer size in MB (staprun -b)");

struct ctl_slot {
	struct stp_msg_hdr hdr;
	char payload[CTL_SLOT_PAYLOAD];
};

static struct dentry *stp_dir_root, *stp_dir;
atomic64_t stp_dropped_bytes = ATOMIC64_INIT(0);
atomic_t stp_ctl_lost_msgs = ATOMIC_INIT(0);

/* ---- output ring ---- */

static char *ring;
static size_t ring_size;
static size_t ring_wake_level;
static u64 ring_head;                   /* bytes ever written; writers, under ring_lock */
static u64 ring_tail;                   /* bytes ever read; the reader */
static size_t ring_head_pos;            /* ring_head % ring_size, under ring_lock */
static size_t ring_tail_pos;            /* ring_tail % ring_size, the reader's */
static DEFINE_RAW_SPINLOCK(ring_lock);
static int ring_owner = -1;             /* CPU holding ring_lock, or -1 */
static DEFINE_MUTEX(ring_read_lock);
static DECLARE_WAIT_QUEUE_HEAD(ring_wait);
static struct irq_work ring_wakeup;
static atomic_t ring_open = ATOMIC_INIT(0);

/* Lock acquisition for writers, which may run in any context, NMI included. A writer
 * that interrupted the lock holder on the same CPU gives up at once (it would spin
 * forever); otherwise it spins, as the holder only copies bytes with interrupts off, but
 * never longer than STP_RELAY_SPIN_NS (in a VM the holder's virtual CPU may be off the
 * host CPU for a while); a writer that gives up drops its bytes and counts them. */
static bool bounded_lock(raw_spinlock_t *lock, int *owner, unsigned long *flags)
{
	u64 start = 0;
	int cpu, i;

	local_irq_save(*flags);
	cpu = smp_processor_id();
	for (i = 0; READ_ONCE(*owner) != cpu; i++) {
		if (raw_spin_trylock(lock)) {
			WRITE_ONCE(*owner, cpu);
			return true;
		}
		cpu_relax();
		if ((i & 255) == 255) {
			u64 now = local_clock();

			if (!start)
				start = now;
			else if (now - start > STP_RELAY_SPIN_NS)
				break;
		}
	}
	local_irq_restore(*flags);
	return false;
}

static void bounded_unlock(raw_spinlock_t *lock, int *owner, unsigned long flags)
{
	WRITE_ONCE(*owner, -1);
	raw_spin_unlock(lock);
	local_irq_restore(flags);
}

int stp_relay_write(const void *data, size_t len)
{
	unsigned long flags;
	u64 head, used;
	size_t first;

	if (!len)
		return 0;
	if (!ring || !bounded_lock(&ring_lock, &ring_owner, &flags))
		goto drop;
	head = ring_head;
	used = head - smp_load_acquire(&ring_tail);
	if (len > ring_size - used) {
		bounded_unlock(&ring_lock, &ring_owner, flags);
		goto drop;
	}
	first = min(len, ring_size - ring_head_pos);
	memcpy(ring + ring_head_pos, data, first);
	if (first < len)
		memcpy(ring, (const char *)data + first, len - first);
	ring_head_pos += len;
	if (ring_head_pos >= ring_size)
		ring_head_pos -= ring_size;
	smp_store_release(&ring_head, head + len);
	bounded_unlock(&ring_lock, &ring_owner, flags);
	/* Wake the reader when it may be asleep on an empty ring, and when a good chunk has
	 * piled up; queueing an irq_work that is already pending costs nothing. */
	if (used == 0 || (used < ring_wake_level && used + len >= ring_wake_level))
		irq_work_queue(&ring_wakeup);
	return 0;
drop:
	atomic64_add(len, &stp_dropped_bytes);
	return -ENOSPC;
}

static void ring_wakeup_fn(struct irq_work *work)
{
	wake_up_interruptible(&ring_wait);
}

static bool ring_has_data(void)
{
	return smp_load_acquire(&ring_head) != READ_ONCE(ring_tail);
}

static ssize_t trace_read(struct file *file, char __user *ubuf, size_t count, loff_t *ppos)
{
	u64 head, tail;
	size_t n, first;
	ssize_t ret;

	if (mutex_lock_interruptible(&ring_read_lock))
		return -ERESTARTSYS;
	for (;;) {
		tail = ring_tail;
		head = smp_load_acquire(&ring_head);
		if (head != tail)
			break;
		mutex_unlock(&ring_read_lock);
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		ret = wait_event_interruptible(ring_wait, ring_has_data());
		if (ret)
			return ret;
		if (mutex_lock_interruptible(&ring_read_lock))
			return -ERESTARTSYS;
	}
	n = min_t(u64, count, head - tail);
	first = min(n, ring_size - ring_tail_pos);
	ret = -EFAULT;
	if (copy_to_user(ubuf, ring + ring_tail_pos, first))
		goto out;
	if (first < n && copy_to_user(ubuf + first, ring, n - first))
		goto out;
	ring_tail_pos += n;
	if (ring_tail_pos >= ring_size)
		ring_tail_pos -= ring_size;
	/* Only now may writers reuse the space. */
	smp_store_release(&ring_tail, tail + n);
	ret = n;
out:
	mutex_unlock(&ring_read_lock);
	return ret;
}

static __poll_t trace_poll(struct file *file, poll_table *wait)
{
	poll_wait(file, &ring_wait, wait);
	return ring_has_data() ? EPOLLIN | EPOLLRDNORM : 0;
}

static int trace_open(struct inode *inode, struct file *file)
{
	if (atomic_cmpxchg(&ring_open, 0, 1) != 0)
		return -EBUSY;          /* one reader per module */
	return stream_open(inode, file);
}

static int trace_release(struct inode *inode, struct file *file)
{
	atomic_set(&ring_open, 0);
	return 0;
}

static const struct file_operations trace_fops = {
	.owner = THIS_MODULE,
	.open = trace_open,
	.release = trace_release,
	.read = trace_read,
	.poll = trace_poll,
	.llseek = no_llseek,
};

static int ring_alloc(void)
{
	if (_stp_bufsize > STP_BUFSIZE_MAX_MB) {
		pr_err(STP_PARAM_BUFSIZE "=%u: at most %u MB\n", _stp_bufsize,
		       STP_BUFSIZE_MAX_MB);
		return -EINVAL;
	}
	if (_stp_bufsize)
		ring_size = (size_t)_stp_bufsize << 20;
	else
		ring_size = (size_t)STP_RELAY_SUBBUF_SIZE * STP_RELAY_N_SUBBUFS;
	if (ring_size < PAGE_SIZE)
		ring_size = PAGE_SIZE;
	ring_wake_level = min_t(size_t, STP_RELAY_SUBBUF_SIZE, ring_size / 2);
	ring = vmalloc(ring_size);
	if (!ring) {
		pr_err("cannot allocate a %zu-byte output buffer\n", ring_size);
		return -ENOMEM;
	}
	return 0;
}

/* ---- control channel ---- */

static struct ctl_slot *ctl_ring;
static unsigned int ctl_head, ctl_tail;          /* head: next to read; tail: next to fill */
static DEFINE_RAW_SPINLOCK(ctl_lock);
static int ctl_owner = -1;
static DECLARE_WAIT_QUEUE_HEAD(ctl_wait);
static struct irq_work ctl_wakeup;
static atomic_t ctl_open = ATOMIC_INIT(0);
static atomic_t ctl_exit_pending = ATOMIC_INIT(0); /* a REQUEST_EXIT is never lost */

static void ctl_wakeup_fn(struct irq_work *work)
{
	wake_up_interruptible(&ctl_wait);
}

void stp_ctl_send(u32 type, const void *data, u32 len)
{
	unsigned long flags;
	struct ctl_slot *slot;
	bool queued = false;

	if (type == STP_REQUEST_EXIT) {
		atomic_set(&ctl_exit_pending, 1);
		goto wake;
	}
	if (!ctl_ring)
		return;
	len = min_t(u32, len, CTL_SLOT_PAYLOAD);
	if (!bounded_lock(&ctl_lock, &ctl_owner, &flags)) {
		atomic_inc(&stp_ctl_lost_msgs);
		return;
	}
	if (ctl_tail - ctl_head < CTL_SLOTS) {
		slot = &ctl_ring[ctl_tail % CTL_SLOTS];
		slot->hdr.type = type;
		slot->hdr.len = len;
		if (len)
			memcpy(slot->payload, data, len);
		ctl_tail++;
		queued = true;
	}
	bounded_unlock(&ctl_lock, &ctl_owner, flags);
	if (!queued) {
		atomic_inc(&stp_ctl_lost_msgs);
		return;
	}
wake:
	irq_work_queue(&ctl_wakeup);
}

static bool ctl_pending(void)
{
	return atomic_read(&ctl_exit_pending) || READ_ONCE(ctl_tail) != READ_ONCE(ctl_head);
}

/* Takes the next message into *out; returns false if there is none. */
static bool ctl_take(struct ctl_slot *out)
{
	unsigned long flags;
	bool got = false;

	raw_spin_lock_irqsave(&ctl_lock, flags);
	WRITE_ONCE(ctl_owner, smp_processor_id());
	if (ctl_tail != ctl_head) {
		*out = ctl_ring[ctl_head % CTL_SLOTS];
		ctl_head++;
		got = true;
	}
	WRITE_ONCE(ctl_owner, -1);
	raw_spin_unlock_irqrestore(&ctl_lock, flags);
	if (!got && atomic_xchg(&ctl_exit_pending, 0)) {
		out->hdr.type = STP_REQUEST_EXIT;
		out->hdr.len = 0;
		got = true;
	}
	return got;
}

static ssize_t cmd_read(struct file *file, char __user *ubuf, size_t count, loff_t *ppos)
{
	struct ctl_slot *msg;
	size_t n;
	ssize_t ret;

	if (count < STP_MAX_MSG)
		return -EINVAL;         /* the reader must offer STP_MAX_MSG bytes */
	msg = kmalloc(sizeof(*msg), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	while (!ctl_take(msg)) {
		if (file->f_flags & O_NONBLOCK) {
			ret = -EAGAIN;
			goto out;
		}
		ret = wait_event_interruptible(ctl_wait, ctl_pending());
		if (ret)
			goto out;
	}
	n = sizeof(msg->hdr) + msg->hdr.len;
	ret = copy_to_user(ubuf, msg, n) ? -EFAULT : n;
out:
	kfree(msg);
	return ret;
}

static ssize_t cmd_write(struct file *file, const char __user *ubuf, size_t count,
			 loff_t *ppos)
{
	struct stp_msg_hdr *hdr;
	ssize_t ret = -EINVAL;

	if (count < sizeof(*hdr) || count > STP_MAX_MSG)
		return -EINVAL;
	hdr = kmalloc(count, GFP_KERNEL);
	if (!hdr)
		return -ENOMEM;
	if (copy_from_user(hdr, ubuf, count)) {
		ret = -EFAULT;
		goto out;
	}
	if (hdr->len != count - sizeof(*hdr))
		goto out;
	stp_handle_command(hdr->type, hdr + 1, hdr->len);
	ret = count;
out:
	kfree(hdr);
	return ret;
}

static __poll_t cmd_poll(struct file *file, poll_table *wait)
{
	poll_wait(file, &ctl_wait, wait);
	return (ctl_pending() ? EPOLLIN | EPOLLRDNORM : 0) | EPOLLOUT | EPOLLWRNORM;
}

/* stream_open: no file position, and so no f_pos lock, which would make stapio's read of
 * a message wait for its other thread's write of STP_START (the begin probes) to end. */
static int cmd_open(struct inode *inode, struct file *file)
{
	if (atomic_cmpxchg(&ctl_open, 0, 1) != 0)
		return -EBUSY;          /* one stapio per module */
	return stream_open(inode, file);
}

static int cmd_release(struct inode *inode, struct file *file)
{
	atomic_set(&ctl_open, 0);
	return 0;
}

static const struct file_operations cmd_fops = {
	.owner = THIS_MODULE,
	.open = cmd_open,
	.release = cmd_release,
	.read = cmd_read,
	.write = cmd_write,
	.poll = cmd_poll,
	.llseek = no_llseek,
};

/* ---- set-up ---- */

/* The systemtap/ directory is shared by all probe modules. It is looked up or created
 * (another module may create it at the same moment) and never removed, as modules have no
 * common lock to agree on when it is empty; an empty directory costs nothing. */
static struct dentry *shared_root(void)
{
	struct dentry *d;
	int tries;

	for (tries = 0; tries < 3; tries++) {
		d = debugfs_lookup(STP_DEBUGFS_DIR, NULL);
		if (d)
			return d;       /* with a reference, dropped at exit */
		d = debugfs_create_dir(STP_DEBUGFS_DIR, NULL);
		if (!IS_ERR_OR_NULL(d))
			return dget(d);
		if (PTR_ERR(d) != -EEXIST)
			return d ? d : ERR_PTR(-ENODEV);
	}
	return ERR_PTR(-EEXIST);
}

int stp_transport_init(const char *module_name)
{
	struct dentry *f;
	int ret = -ENOMEM;

	init_irq_work(&ctl_wakeup, ctl_wakeup_fn);
	init_irq_work(&ring_wakeup, ring_wakeup_fn);
	ctl_ring = kcalloc(CTL_SLOTS, sizeof(*ctl_ring), GFP_KERNEL);
	if (!ctl_ring)
		goto fail;
	ret = ring_alloc();
	if (ret)
		goto fail;
	stp_dir_root = shared_root();
	if (IS_ERR(stp_dir_root)) {
		ret = PTR_ERR(stp_dir_root);
		pr_err("cannot create debugfs directory " STP_DEBUGFS_DIR " (%d)\n", ret);
		stp_dir_root = NULL;
		goto fail;
	}
	stp_dir = debugfs_create_dir(module_name, stp_dir_root);
	if (IS_ERR(stp_dir)) {
		ret = PTR_ERR(stp_dir);
		pr_err("cannot create debugfs directory " STP_DEBUGFS_DIR "/%s (%d)\n",
		       module_name, ret);
		stp_dir = NULL;
		goto fail;
	}
	f = debugfs_create_file(STP_CMD_FILE, 0600, stp_dir, NULL, &cmd_fops);
	if (IS_ERR(f)) {
		ret = PTR_ERR(f);
		goto fail;
	}
	f = debugfs_create_file(STP_TRACE_FILE "0", 0400, stp_dir, NULL, &trace_fops);
	if (IS_ERR(f)) {
		ret = PTR_ERR(f);
		goto fail;
	}
	return 0;
fail:
	stp_transport_exit();
	return ret;
}

void stp_transport_exit(void)
{
	/* Removing the files waits for readers and writers inside their file operations. */
	debugfs_remove_recursive(stp_dir);
	stp_dir = NULL;
	if (stp_dir_root)
		dput(stp_dir_root);
	stp_dir_root = NULL;
	irq_work_sync(&ctl_wakeup);
	irq_work_sync(&ring_wakeup);
	kfree(ctl_ring);
	ctl_ring = NULL;
	vfree(ring);
	ring = NULL;
}
