// SPDX-License-Identifier: GPL-2.0
/* transport.c - the module's side of the link to stapio (see transport_msgs.h).
 *
 * Output goes into one global relay buffer, debugfs systemtap/MODULE/trace0, written under
 * a spinlock that is only ever try-locked (bounded spinning), so a probe can never deadlock
 * on it; when the buffer is full the bytes are dropped and counted, never waited for.
 * Control messages to stapio sit in a small ring read through systemtap/MODULE/.cmd; a
 * message can be queued from any context, and the reader is woken through irq_work.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/debugfs.h>
#include <linux/relay.h>
#include <linux/fs.h>
#include <linux/poll.h>
#include <linux/wait.h>
#include <linux/irq_work.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/spinlock.h>
#include "../stp_runtime.h"

#define CTL_SLOTS 64
#define CTL_SLOT_PAYLOAD 512

struct ctl_slot {
	struct stp_msg_hdr hdr;
	char payload[CTL_SLOT_PAYLOAD];
};

static struct dentry *stp_dir_root, *stp_dir, *stp_cmd_file;
static struct rchan *stp_chan;
static DEFINE_RAW_SPINLOCK(stp_relay_lock);
atomic64_t stp_dropped_bytes = ATOMIC64_INIT(0);

static struct ctl_slot *ctl_ring;
static unsigned int ctl_head, ctl_tail;          /* head: next to read; tail: next to fill */
static DEFINE_RAW_SPINLOCK(ctl_lock);
static DECLARE_WAIT_QUEUE_HEAD(ctl_wait);
static struct irq_work ctl_wakeup;
static atomic_t ctl_open = ATOMIC_INIT(0);
static atomic_t ctl_exit_pending = ATOMIC_INIT(0); /* a REQUEST_EXIT is never lost */

/* ---- relay ---- */

static struct dentry *create_buf_file(const char *filename, struct dentry *parent,
				      umode_t mode, struct rchan_buf *buf, int *is_global)
{
	*is_global = 1;
	return debugfs_create_file(filename, mode, parent, buf, &relay_file_operations);
}

static int remove_buf_file(struct dentry *dentry)
{
	debugfs_remove(dentry);
	return 0;
}

static int subbuf_start(struct rchan_buf *buf, void *subbuf, void *prev_subbuf,
			size_t prev_padding)
{
	return !relay_buf_full(buf);     /* no overwrite: a full buffer drops new output */
}

static const struct rchan_callbacks relay_callbacks = {
	.subbuf_start = subbuf_start,
	.create_buf_file = create_buf_file,
	.remove_buf_file = remove_buf_file,
};

static bool relay_trylock(unsigned long *flags)
{
	int i;

	local_irq_save(*flags);
	for (i = 0; i < MAXTRYLOCK; i++) {
		if (raw_spin_trylock(&stp_relay_lock))
			return true;
		cpu_relax();
	}
	local_irq_restore(*flags);
	return false;
}

int stp_relay_write(const void *data, size_t len)
{
	unsigned long flags;
	void *dst;

	if (!stp_chan || !relay_trylock(&flags)) {
		atomic64_add(len, &stp_dropped_bytes);
		return -ENOSPC;
	}
	dst = relay_reserve(stp_chan, len);
	if (dst)
		memcpy(dst, data, len);
	raw_spin_unlock(&stp_relay_lock);
	local_irq_restore(flags);
	if (!dst) {
		atomic64_add(len, &stp_dropped_bytes);
		return -ENOSPC;
	}
	return 0;
}

/* ---- control channel ---- */

static void ctl_wakeup_fn(struct irq_work *work)
{
	wake_up_interruptible(&ctl_wait);
}

void stp_ctl_send(u32 type, const void *data, u32 len)
{
	unsigned long flags;
	struct ctl_slot *slot;
	int i;

	if (type == STP_REQUEST_EXIT) {
		atomic_set(&ctl_exit_pending, 1);
		goto wake;
	}
	if (!ctl_ring)
		return;
	len = min_t(u32, len, CTL_SLOT_PAYLOAD);
	local_irq_save(flags);
	for (i = 0; i < MAXTRYLOCK && !raw_spin_trylock(&ctl_lock); i++)
		cpu_relax();
	if (i == MAXTRYLOCK) {
		local_irq_restore(flags);
		return;
	}
	if (ctl_tail - ctl_head < CTL_SLOTS) {
		slot = &ctl_ring[ctl_tail % CTL_SLOTS];
		slot->hdr.type = type;
		slot->hdr.len = len;
		if (len)
			memcpy(slot->payload, data, len);
		ctl_tail++;
	}
	raw_spin_unlock(&ctl_lock);
	local_irq_restore(flags);
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
	if (ctl_tail != ctl_head) {
		*out = ctl_ring[ctl_head % CTL_SLOTS];
		ctl_head++;
		got = true;
	}
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
	ret = -EINVAL;
	if (count < n)
		goto out;           /* the reader must offer STP_MAX_MSG bytes */
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
	return ctl_pending() ? EPOLLIN | EPOLLRDNORM : 0;
}

static int cmd_open(struct inode *inode, struct file *file)
{
	if (atomic_cmpxchg(&ctl_open, 0, 1) != 0)
		return -EBUSY;          /* one stapio per module */
	return nonseekable_open(inode, file);
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

int stp_transport_init(const char *module_name)
{
	int ret = -ENOMEM;

	init_irq_work(&ctl_wakeup, ctl_wakeup_fn);
	ctl_ring = kcalloc(CTL_SLOTS, sizeof(*ctl_ring), GFP_KERNEL);
	if (!ctl_ring)
		goto fail;
	stp_dir_root = debugfs_lookup(STP_DEBUGFS_DIR, NULL);
	if (!stp_dir_root)
		stp_dir_root = debugfs_create_dir(STP_DEBUGFS_DIR, NULL);
	else
		dput(stp_dir_root);     /* debugfs_lookup took a reference we don't keep */
	if (IS_ERR_OR_NULL(stp_dir_root)) {
		ret = stp_dir_root ? PTR_ERR(stp_dir_root) : -ENODEV;
		pr_err("cannot create debugfs directory " STP_DEBUGFS_DIR " (%d)\n", ret);
		stp_dir_root = NULL;
		goto fail;
	}
	stp_dir = debugfs_create_dir(module_name, stp_dir_root);
	if (IS_ERR(stp_dir)) {
		ret = PTR_ERR(stp_dir);
		stp_dir = NULL;
		goto fail;
	}
	stp_cmd_file = debugfs_create_file(STP_CMD_FILE, 0600, stp_dir, NULL, &cmd_fops);
	stp_chan = relay_open(STP_TRACE_FILE, stp_dir, STP_RELAY_SUBBUF_SIZE,
			      STP_RELAY_N_SUBBUFS, &relay_callbacks, NULL);
	if (!stp_chan) {
		pr_err("cannot open the relay channel\n");
		goto fail;
	}
	return 0;
fail:
	stp_transport_exit();
	return ret;
}

void stp_transport_exit(void)
{
	if (stp_chan)
		relay_close(stp_chan);
	stp_chan = NULL;
	debugfs_remove_recursive(stp_dir);
	stp_dir = NULL;
	/* The shared systemtap/ directory is removed by the last module that leaves it empty. */
	if (stp_dir_root && simple_empty(stp_dir_root))
		debugfs_remove(stp_dir_root);
	stp_dir_root = NULL;
	irq_work_sync(&ctl_wakeup);
	kfree(ctl_ring);
	ctl_ring = NULL;
}
