// SPDX-License-Identifier: GPL-2.0
/* kprobes.c - registration of the script's kprobes and kretprobes, and their handlers,
 * which hand the probe hit with its registers to stp_run_probe(). */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include "stp_kprobes.h"

static int kprobe_hit(struct kprobe *kp, struct pt_regs *regs)
{
	struct stp_kprobe *k = container_of(kp, struct stp_kprobe, u.kp);
	unsigned long ip = regs->ip;

	/* The breakpoint left ip past the probed instruction: show the script the probe
	 * address itself, as SystemTap does, and put ip back for the kernel. */
	regs->ip = (unsigned long)kp->addr;
	stp_run_probe(k->probe, regs);
	regs->ip = ip;
	return 0;
}

static int kretprobe_hit(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct kretprobe *krp = get_kretprobe(ri);
	struct stp_kprobe *k;

	if (!krp)
		return 0;
	k = container_of(krp, struct stp_kprobe, u.krp);
	stp_run_probe(k->probe, regs);
	return 0;
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
		kp->pre_handler = kprobe_hit;
		return register_kprobe(kp);
	}
	k->u.krp.handler = kretprobe_hit;
	k->u.krp.maxactive = k->maxactive;
	return register_kretprobe(&k->u.krp);
}

int stp_kprobes_register(struct stp_kprobe *probes, int n)
{
	int i, ok = 0, rc = 0;

	for (i = 0; i < n; i++) {
		int r = register_one(&probes[i]);

		probes[i].registered = r == 0;
		if (r) {
			warn_registration(&probes[i], r);
			rc = r;
		} else {
			ok++;
		}
	}
	return ok || !n ? 0 : rc;
}

void stp_kprobes_unregister(struct stp_kprobe *probes, int n)
{
	struct kprobe **kps = kmalloc_array(n, sizeof(*kps), GFP_KERNEL);
	struct kretprobe **krps = kmalloc_array(n, sizeof(*krps), GFP_KERNEL);
	int i, nk = 0, nr = 0;

	for (i = 0; i < n; i++) {
		if (!probes[i].registered)
			continue;
		if (!kps || !krps) {            /* no memory for the batch: one at a time */
			if (probes[i].is_return)
				unregister_kretprobe(&probes[i].u.krp);
			else
				unregister_kprobe(&probes[i].u.kp);
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
	kfree(kps);
	kfree(krps);
}
