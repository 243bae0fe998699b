// SPDX-License-Identifier: GPL-2.0
/* module.c - module init/exit and the session lifecycle driven by stapio's commands.
 *
 * init sets up contexts, output buffers, globals and the transport, and nothing else: the
 * script starts when stapio sends STP_START (begin probes, then probe registration) and
 * stops on STP_EXIT (unregistration, end probes, final report). Both run inside stapio's
 * write() of the command, so begin and end probes run in stapio's process context (as
 * with SystemTap: pid() and execname() are stapio's); stapio writes commands from a
 * thread of their own and keeps draining the output those probes produce meanwhile.
 * Unloading a module that was never stopped stops it without the end probes' output
 * being read by anyone.
 *
 * _stp_uid records who loaded the module (staprun sets it); staprun reads it back from
 * /sys/module/NAME/parameters/ to decide who may attach to or remove the module.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/cred.h>
#include "../stp_runtime.h"

static unsigned int _stp_uid;
module_param(_stp_uid, uint, 0444);
MODULE_PARM_DESC(_stp_uid, "the user who loaded the module (set by staprun)");

/* myproc-unprivileged functions in unprivileged scripts: whether the current task runs as
 * the user who loaded the module. */
bool stp_is_myproc(void)
{
	return uid_eq(current_euid(), make_kuid(&init_user_ns, _stp_uid));
}

/* target(): the -x PID or the pid of the -c command, 0 if none; set by STP_START. */
int stp_target_pid;
/* stp_pid(): the stapio that sent the last STP_START (the one that started the session, or
 * one that attached to it later). */
int stp_stapio_pid;

extern atomic_t stp_ctl_lost_msgs;      /* transport.c */

enum session_phase { PHASE_NEW, PHASE_STARTED, PHASE_STOPPED };

static DEFINE_MUTEX(lifecycle_lock);
static enum session_phase phase = PHASE_NEW;
static bool probes_started;
static struct stp_msg_tzinfo stp_tz;

const struct stp_msg_tzinfo *stp_tzinfo(void)
{
	return &stp_tz;
}

static void send_exit_report(void)
{
	struct stp_msg_exit report = {
		.errors = atomic_read(&stp_error_count),
		.skipped = atomic_read(&stp_skipped_count),
		.dropped_bytes = atomic64_read(&stp_dropped_bytes),
		.lost_msgs = atomic_read(&stp_ctl_lost_msgs),
	};

	stp_ctl_send(STP_EXIT, &report, sizeof(report));
}

/* Runs the end probes (if the begin probes ran) and unregisters; under lifecycle_lock. */
static void session_stop(void)
{
	if (phase == PHASE_STOPPED)
		return;
	phase = PHASE_STOPPED;
	if (!probes_started) {
		atomic_set(&stp_session_state, STP_STATE_STOPPED);
		return;
	}
	atomic_set(&stp_session_state, STP_STATE_STOPPING);
	stp_probes_stop();
	atomic_set(&stp_session_state, STP_STATE_STOPPED);
	probes_started = false;
}

/* STP_START: begin probes, then registration; under lifecycle_lock. */
static int session_start(void)
{
	int ret;

	phase = PHASE_STARTED;
	ret = stp_probes_start();
	if (ret) {
		/* The generated code undid its own partial registration; no end probes for a
		 * script that never ran. */
		phase = PHASE_STOPPED;
		atomic_set(&stp_session_state, STP_STATE_STOPPED);
		return ret;
	}
	probes_started = true;
	/* exit() in a begin probe has already moved the state on to STOPPING. */
	atomic_cmpxchg(&stp_session_state, STP_STATE_STARTING, STP_STATE_RUNNING);
	return 0;
}

void stp_handle_command(u32 type, const void *data, u32 len)
{
	struct stp_msg_status status = { 0 };

	mutex_lock(&lifecycle_lock);
	switch (type) {
	case STP_TZINFO:
		if (len >= sizeof(stp_tz)) {
			memcpy(&stp_tz, data, sizeof(stp_tz));
			stp_tz.name[sizeof(stp_tz.name) - 1] = '\0';
		}
		break;
	case STP_START:
		WRITE_ONCE(stp_stapio_pid, task_tgid_nr(current));
		if (phase == PHASE_NEW) {
			const struct stp_msg_start *st = data;

			if (len >= sizeof(*st))
				stp_target_pid = st->target_pid;
			status.status = session_start();
			stp_ctl_send(STP_START, &status, sizeof(status));
		} else {
			/* stapio attaching to a running (or finished) session. */
			status.status = -EALREADY;
			stp_ctl_send(STP_START, &status, sizeof(status));
			if (phase == PHASE_STOPPED)
				send_exit_report();
		}
		break;
	case STP_EXIT:
		session_stop();
		/* The end probes' output is in the output buffer: the report says "done". */
		send_exit_report();
		break;
	default:
		pr_warn("unknown command %u from stapio\n", type);
	}
	mutex_unlock(&lifecycle_lock);
}

static void runtime_free(void)
{
	stp_globals_free();
	stp_print_free();
	stp_contexts_free();
}

static int __init stp_module_init(void)
{
	int ret;

	ret = stp_contexts_alloc();
	if (!ret)
		ret = stp_print_alloc();
	if (!ret)
		ret = stp_globals_init();
	if (!ret)
		ret = stp_transport_init(THIS_MODULE->name);
	if (!ret)
		return 0;
	runtime_free();
	pr_err("module initialisation failed (%d)\n", ret);
	return ret;
}

static void __exit stp_module_exit(void)
{
	mutex_lock(&lifecycle_lock);
	session_stop();
	mutex_unlock(&lifecycle_lock);
	stp_transport_exit();
	runtime_free();
}

module_init(stp_module_init);
module_exit(stp_module_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("SystemTap-compatible probe module");
