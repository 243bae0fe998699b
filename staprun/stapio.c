/* stapio.c - runs a loaded probe module's session and relays its output.
 *
 * stapio [-v] [-w] [-o FILE] [-c CMD] [-x PID] MODULE_NAME   (exec'd by staprun)
 *
 * Opens the module's control channel and relay buffer in debugfs, starts the script,
 * copies output to stdout (or -o FILE) and module messages to stderr, and stops the script
 * when the module asks (exit()), on SIGINT/SIGTERM/SIGHUP, or when the -c command exits.
 * After the module's final report every remaining byte of output is drained. A second
 * SIGINT gives up waiting. Then the module is removed. Exit status: 0, or 1 if the script
 * hit errors.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "transport_msgs.h"

#define POLL_MS 100            /* relay wakes readers per sub-buffer; poll for the rest */

static int ctl_fd = -1, relay_fd = -1, out_fd = STDOUT_FILENO;
static int no_warnings;
static volatile sig_atomic_t stop_signals;
static volatile sig_atomic_t child_exited;
static int sig_pipe[2] = { -1, -1 };
static pid_t target_child;
static int release_pipe[2] = { -1, -1 };

static void on_signal(int sig)
{
	int saved = errno;

	if (sig == SIGCHLD) {
		child_exited = 1;
	} else {
		stop_signals++;
	}
	if (write(sig_pipe[1], "x", 1) < 0) {
		/* the pipe is non-blocking; a full pipe already wakes the loop */
	}
	errno = saved;
}

static int send_msg(uint32_t type, const void *data, uint32_t len)
{
	char buf[STP_MAX_MSG];
	struct stp_msg_hdr *hdr = (struct stp_msg_hdr *)buf;

	if (sizeof(*hdr) + len > sizeof(buf))
		return -1;
	hdr->type = type;
	hdr->len = len;
	if (len)
		memcpy(buf + sizeof(*hdr), data, len);
	if (write(ctl_fd, buf, sizeof(*hdr) + len) < 0) {
		err("control channel write failed: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Copies everything the relay buffer holds right now to the output. */
static void drain_relay(void)
{
	static char buf[65536];

	for (;;) {
		ssize_t n = read(relay_fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		if (write_all(out_fd, buf, (size_t)n) < 0) {
			err("writing output: %s", strerror(errno));
			return;
		}
	}
}

static int open_module_files(const char *modname)
{
	const char *root = debugfs_root();
	char path[512];

	if (!root)
		return -1;
	snprintf(path, sizeof(path), "%s/%s/%s/%s", root, STP_DEBUGFS_DIR, modname, STP_CMD_FILE);
	ctl_fd = open(path, O_RDWR | O_CLOEXEC);
	if (ctl_fd < 0) {
		err("Couldn't open control channel '%s': %s", path, strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/%s/%s/%s0", root, STP_DEBUGFS_DIR, modname,
		 STP_TRACE_FILE);
	relay_fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (relay_fd < 0) {
		err("Couldn't open relay buffer '%s': %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static void send_tzinfo(void)
{
	struct stp_msg_tzinfo tz = { 0 };
	time_t now = time(NULL);
	struct tm tm;

	tzset();
	if (localtime_r(&now, &tm)) {
		tz.gmtoff = tm.tm_gmtoff;
		snprintf(tz.name, sizeof(tz.name), "%s", tm.tm_zone ? tm.tm_zone : "");
	}
	send_msg(STP_TZINFO, &tz, sizeof(tz));
}

/* Forks the -c command; it waits on release_pipe until the script has started. */
static int spawn_target(const char *cmd)
{
	if (pipe2(release_pipe, O_CLOEXEC) < 0)
		return -1;
	target_child = fork();
	if (target_child < 0)
		return -1;
	if (target_child == 0) {
		char c;
		close(release_pipe[1]);
		if (read(release_pipe[0], &c, 1) != 1)
			_exit(1);               /* the script never started */
		signal(SIGINT, SIG_DFL);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(release_pipe[0]);
	return 0;
}

struct session_result {
	int started, stopping, done, status;
	struct stp_msg_exit report;
};

static void handle_msg(struct session_result *r, const char *buf, ssize_t n)
{
	const struct stp_msg_hdr *hdr = (const void *)buf;
	const char *payload = buf + sizeof(*hdr);

	if (n < (ssize_t)sizeof(*hdr))
		return;
	switch (hdr->type) {
	case STP_START: {
		const struct stp_msg_status *st = (const void *)payload;
		if (hdr->len >= sizeof(*st) && st->status != 0) {
			err("the probe module failed to start: %s", strerror(-st->status));
			r->status = 1;
			r->done = 1;
			return;
		}
		r->started = 1;
		if (release_pipe[1] >= 0) {
			if (write(release_pipe[1], "g", 1) < 0)
				err("couldn't start the target command");
			close(release_pipe[1]);
			release_pipe[1] = -1;
		}
		break;
	}
	case STP_REQUEST_EXIT:
		if (!r->stopping) {
			r->stopping = 1;
			send_msg(STP_EXIT, NULL, 0);
		}
		break;
	case STP_OOB_ERROR:
		if (write(STDERR_FILENO, payload, hdr->len) < 0)
			break;
		break;
	case STP_OOB_WARNING:
		if (!no_warnings && write(STDERR_FILENO, payload, hdr->len) < 0)
			break;
		break;
	case STP_EXIT:
		if (hdr->len >= sizeof(r->report))
			memcpy(&r->report, payload, sizeof(r->report));
		r->done = 1;
		break;
	}
}

static void request_stop(struct session_result *r)
{
	if (!r->stopping) {
		r->stopping = 1;
		send_msg(STP_EXIT, NULL, 0);
	}
}

static int run_session(long target_pid)
{
	struct session_result r = { 0 };
	struct stp_msg_start start = { .target_pid = (int32_t)target_pid };
	char buf[STP_MAX_MSG];

	send_tzinfo();
	if (send_msg(STP_START, &start, sizeof(start)) < 0)
		return 1;
	while (!r.done) {
		struct pollfd pfd[2] = {
			{ .fd = ctl_fd, .events = POLLIN },
			{ .fd = sig_pipe[0], .events = POLLIN },
		};
		int n = poll(pfd, 2, POLL_MS);
		if (n < 0 && errno != EINTR) {
			err("poll: %s", strerror(errno));
			break;
		}
		if (pfd[1].revents & POLLIN) {
			while (read(sig_pipe[0], buf, sizeof(buf)) > 0)
				;
		}
		if (stop_signals >= 2 && r.stopping) {
			err("second interrupt: not waiting for the probe module");
			r.status = 1;
			break;
		}
		if (stop_signals)
			request_stop(&r);
		if (child_exited && target_child > 0) {
			int st;
			if (waitpid(target_child, &st, WNOHANG) == target_child) {
				target_child = 0;
				request_stop(&r);
			}
		}
		if (pfd[0].revents & POLLIN) {
			ssize_t m = read(ctl_fd, buf, sizeof(buf));
			if (m > 0)
				handle_msg(&r, buf, m);
		}
		drain_relay();
	}
	drain_relay();
	if (r.report.dropped_bytes)
		warn("There were %lld bytes of output lost (the transport buffer was full).",
		     (long long)r.report.dropped_bytes);
	if (r.report.errors || r.report.skipped)
		warn("Number of errors: %d, skipped probes: %d", r.report.errors,
		     r.report.skipped);
	if (r.report.errors)
		r.status = 1;
	return r.status;
}

int main(int argc, char **argv)
{
	const char *outfile = NULL, *cmd = NULL;
	long target_pid = 0;
	int opt;

	progname = "stapio";
	while ((opt = getopt(argc, argv, "+vwo:c:x:")) != -1) {
		switch (opt) {
		case 'v': verbose++; break;
		case 'w': no_warnings = 1; break;
		case 'o': outfile = optarg; break;
		case 'c': cmd = optarg; break;
		case 'x': target_pid = strtol(optarg, NULL, 10); break;
		default: return 1;
		}
	}
	if (optind != argc - 1) {
		err("usage: stapio [options] MODULE_NAME");
		return 1;
	}
	if (outfile) {
		out_fd = open(outfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
		if (out_fd < 0) {
			err("Couldn't open output file '%s': %s", outfile, strerror(errno));
			return 1;
		}
	}
	if (pipe2(sig_pipe, O_NONBLOCK | O_CLOEXEC) < 0)
		return 1;
	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (open_module_files(argv[optind]) < 0) {
		remove_module(argv[optind]);
		return 1;
	}
	if (cmd) {
		if (spawn_target(cmd) < 0) {
			err("couldn't start '%s': %s", cmd, strerror(errno));
			return 1;
		}
		target_pid = target_child;
	}
	int status = run_session(target_pid);
	if (target_child > 0) {
		kill(target_child, SIGTERM);
		waitpid(target_child, NULL, 0);
	}
	close(ctl_fd);
	close(relay_fd);
	if (remove_module(argv[optind]) != 0 && status == 0)
		status = 1;
	dbug(1, "module %s removed, exit status %d", argv[optind], status);
	return status;
}
