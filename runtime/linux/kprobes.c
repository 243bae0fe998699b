// SPDX-License-Identifier: GPL-2.0
/* kprobes.c - registration of the script's kprobes and kretprobes, and their handlers,
 * which run the probe hit with its registers (stp_run_probe_inline). Probes in modules that
 * are not loaded yet wait for them (a module notifier). */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include "stp_kprobes.h"

/* The generic pre-handler, for a table entry without its own. */
static int kprobe_hit(struct kprobe *kp, struct pt_regs *regs)
{
	struct stp_kprobe *k = container_of(kp, struct stp_kprobe, u.kp);

	return stp_kprobe_hit(kp, regs, k->probe, k->probe->handler);
}

static int kretprobe_hit(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct kretprobe *krp = get_kretprobe(ri);
	struct stp_kprobe *k;

	if (!krp)
		return 0;
	k = container_of(krp, struct stp_kprobe, u.krp);
	stp_run_probe_inline(k->probe, regs, k->entry_probe ? ri->data : NULL);
	return 0;
}

/* The entry part of a return probe with saved values; nonzero leaves the call alone. */
static int kretprobe_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct kretprobe *krp = get_kretprobe(ri);
	struct stp_kprobe *k;
	unsigned long ip = regs->ip;
	s64 *done = (s64 *)ri->data;

	if (!krp)
		return 1;
	k = container_of(krp, struct stp_kprobe, u.krp);
	*done = 0;
	regs->ip = (unsigned long)krp->kp.addr;
	stp_run_probe_inline(k->entry_probe, regs, ri->data);
	regs->ip = ip;
	return *done ? 0 : 1;
}

static void warn_registration(const struct stp_kprobe *k, int rc)
{
	char msg[256];
	int n;

	n = scnprintf(msg, sizeof(msg), "WARNING: probe %s (address 0x%lx) registration error (rc %d)\n",
		      k->probe->pp, k->symbol ? 0UL : k->addr, rc);
	stp_ctl_send(STP_OOB_WARNING, msg, n);
}

static int register_one(struct stp_kprobe *k)
{
	struct kprobe *kp = k->is_return ? &k->u.krp.kp : &k->u.kp;

	memset(&k->u, 0, sizeof(k->u));
	if (k->symbol) {
		kp->symbol_name = k->symbol;
		kp->offset = k->offset;
	} else {
		kp->addr = (kprobe_opcode_t *)k->addr;
	}
	if (!k->is_return) {
		kp->pre_handler = k->pre_handler ? k->pre_handler : kprobe_hit;
		return register_kprobe(kp);
	}
	k->u.krp.handler = kretprobe_hit;
	k->u.krp.maxactive = k->maxactive;
	if (k->entry_probe) {
		k->u.krp.entry_handler = kretprobe_entry;
		k->u.krp.data_size = k->data_size;
	}
	return register_kretprobe(&k->u.krp);
}

/* Hits the kernel skipped for us count as skipped probes, as in SystemTap: a kprobe hit
 * while a kprobe handler runs on the CPU (one on a function the handler calls, say), and
 * a kretprobe call with no free instance (maxactive). Read once unregistered. */
static void count_missed_kprobe(const struct kprobe *kp)
{
	stp_note_missed(kp->nmissed);
}

static void count_missed_kretprobe(const struct kretprobe *krp)
{
	stp_note_missed(krp->kp.nmissed + krp->nmissed);
}

static void unregister_one(struct stp_kprobe *k)
{
	if (k->is_return) {
		unregister_kretprobe(&k->u.krp);
		count_missed_kretprobe(&k->u.krp);
	} else {
		unregister_kprobe(&k->u.kp);
		count_missed_kprobe(&k->u.kp);
	}
	k->registered = false;
}

/* ---- probes in modules: registered while their module is loaded ---- */

static struct stp_kprobe *stp_kp_table;
static int stp_kp_count;
static DEFINE_MUTEX(stp_kp_mutex);     /* registration state vs. module events */
static bool stp_kp_notifier_on;

/* The length of the module part of "module:name", or 0 for a kernel symbol. */
static size_t module_part(const struct stp_kprobe *k)
{
	const char *colon = k->symbol ? strchr(k->symbol, ':') : NULL;

	return colon ? colon - k->symbol : 0;
}

static int module_event(struct notifier_block *nb, unsigned long event, void *data)
{
	struct module *mod = data;
	int i, rc;

	if (event != MODULE_STATE_COMING && event != MODULE_STATE_GOING)
		return NOTIFY_DONE;
	mutex_lock(&stp_kp_mutex);
	for (i = 0; i < stp_kp_count; i++) {
		struct stp_kprobe *k = &stp_kp_table[i];
		size_t n = module_part(k);

		if (!n || strlen(mod->name) != n || strncmp(k->symbol, mod->name, n))
			continue;
		if (event == MODULE_STATE_COMING && !k->registered) {
			rc = register_one(k);
			k->registered = rc == 0;
			if (rc)
				warn_registration(k, rc);
		} else if (event == MODULE_STATE_GOING && k->registered) {
			unregister_one(k);
		}
	}
	mutex_unlock(&stp_kp_mutex);
	return NOTIFY_DONE;
}

static struct notifier_block stp_kp_module_nb = { .notifier_call = module_event };

int stp_kprobes_register(struct stp_kprobe *probes, int n)
{
	int i, ok = 0, rc = 0;

	for (i = 0; i < n && !stp_kp_notifier_on; i++)
		if (module_part(&probes[i])) {
			stp_kp_table = probes;
			stp_kp_count = n;
			rc = register_module_notifier(&stp_kp_module_nb);
			if (rc)
				return rc;
			stp_kp_notifier_on = true;
		}
	mutex_lock(&stp_kp_mutex);
	for (i = 0; i < n; i++) {
		int r = register_one(&probes[i]);

		probes[i].registered = r == 0;
		if (r == -ENOENT && module_part(&probes[i])) {
			ok++;                   /* its module is not loaded (yet) */
		} else if (r) {
			warn_registration(&probes[i], r);
			rc = r;
		} else {
			ok++;
		}
	}
	mutex_unlock(&stp_kp_mutex);
	if (ok || !n)
		return 0;
	if (stp_kp_notifier_on) {
		unregister_module_notifier(&stp_kp_module_nb);
		stp_kp_notifier_on = false;
	}
	return rc;
}

void stp_kprobes_unregister(struct stp_kprobe *probes, int n)
{
	struct kprobe **kps = kmalloc_array(n, sizeof(*kps), GFP_KERNEL);
	struct kretprobe **krps = kmalloc_array(n, sizeof(*krps), GFP_KERNEL);
	int i, nk = 0, nr = 0;

	/* No module events from here on (this waits for one in progress). */
	if (stp_kp_notifier_on) {
		unregister_module_notifier(&stp_kp_module_nb);
		stp_kp_notifier_on = false;
	}
	mutex_lock(&stp_kp_mutex);
	for (i = 0; i < n; i++) {
		if (!probes[i].registered)
			continue;
		if (!kps || !krps) {            /* no memory for the batch: one at a time */
			unregister_one(&probes[i]);
		} else if (probes[i].is_return) {
			krps[nr++] = &probes[i].u.krp;
		} else {
			kps[nk++] = &probes[i].u.kp;
		}
		probes[i].registered = false;
	}
	/* Batches wait for running handlers once, not once per probe. */
	if (nk)
		unregister_kprobes(kps, nk);
	if (nr)
		unregister_kretprobes(krps, nr);
	for (i = 0; i < nk; i++)
		count_missed_kprobe(kps[i]);
	for (i = 0; i < nr; i++)
		count_missed_kretprobe(krps[i]);
	mutex_unlock(&stp_kp_mutex);
	kfree(kps);
	kfree(krps);
}
