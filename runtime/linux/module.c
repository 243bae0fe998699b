// SPDX-License-Identifier: GPL-2.0
/* module.c - module init/exit and the session lifecycle driven by stapio's commands.
 *
 * init sets up contexts, output buffers, globals and the transport, and nothing else: the
 * script starts when stapio sends STP_START (begin probes, then probe registration) and
 * stops on STP_EXIT (unregistration, end probes, final report). Unloading a module that
 * was never stopped stops it without the end probes' output being read by anyone.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/mutex.h>
#include "../stp_runtime.h"

static DEFINE_MUTEX(lifecycle_lock);
static bool probes_started;
static struct stp_msg_tzinfo stp_tz;

const struct stp_msg_tzinfo *stp_tzinfo(void)
{
	return &stp_tz;
}

static int session_start(void)
{
	int ret;

	atomic_set(&stp_session_state, STP_STATE_STARTING);
	ret = stp_probes_start();
	if (ret)
		return ret;
	probes_started = true;
	/* exit() in a begin probe has already moved the state on to STOPPING. */
	atomic_cmpxchg(&stp_session_state, STP_STATE_STARTING, STP_STATE_RUNNING);
	return 0;
}

static void session_stop(void)
{
	if (!probes_started)
		return;
	atomic_set(&stp_session_state, STP_STATE_STOPPING);
	stp_probes_stop();
	atomic_set(&stp_session_state, STP_STATE_STOPPED);
	probes_started = false;
}

static void send_exit_report(void)
{
	struct stp_msg_exit report = {
		.errors = atomic_read(&stp_error_count),
		.skipped = atomic_read(&stp_skipped_count),
		.dropped_bytes = atomic64_read(&stp_dropped_bytes),
	};

	stp_ctl_send(STP_EXIT, &report, sizeof(report));
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
		if (!probes_started && atomic_read(&stp_session_state) == STP_STATE_STARTING)
			status.status = session_start();
		else
			status.status = -EALREADY;
		stp_ctl_send(STP_START, &status, sizeof(status));
		break;
	case STP_EXIT:
		session_stop();
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
	if (ret) {
		runtime_free();
		pr_err("module initialisation failed (%d)\n", ret);
	}
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
