/* stapio.c - runs a loaded probe module's session and relays its output.
 *
 * stapio [-v] [-w] [-C WHEN] [-o FILE [-S SIZE[,N]]] [-c CMD | -x PID] [-T MS] [-D]
 *        [-L | -A] [-F CTLFD,OUTFD] MODULE_NAME              (exec'd by staprun)
 *
 * stapio runs with the invoking user's privileges only: staprun hands it the module's
 * control channel and output buffer as open descriptors (-F). It starts the script
 * (STP_START), copies the output to stdout or the -o file(s) and the module's messages
 * to stderr, and stops the script (STP_EXIT) when the module asks (exit()), on
 * SIGINT/SIGTERM/SIGHUP, when the -c command exits, or when the output can no longer be
 * written. After the module's final report every remaining byte of output is drained.
 * A second stop signal gives up waiting. Then stapio runs "staprun -d MODULE" (staprun
 * may be setuid root; stapio is not) to remove the module, and exits with the script's
 * status: 0, or 1 if the script hit errors or could not run.
 *
 * -L starts the script and exits, leaving it running detached (output waits in the
 * module's buffer); -A attaches to such a module; SIGQUIT detaches. -D runs in the
 * background. -S switches output files at line boundaries; SIGUSR2 switches by hand.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "transport_msgs.h"

#define FAST_POLL_MS 10         /* while output is flowing */
#define READ_CHUNK (128 << 10)
#define PENDING_MAX (1 << 20)   /* longest line held back to keep -S files line-whole */

static const char *modname;
static int ctl_fd = -1, relay_fd = -1;
static int no_warnings, load_only, attach, daemonize;
static long poll_ms = 200;
static volatile sig_atomic_t stop_signals, quit_signal, switch_signal, child_exited;
static int sig_pipe[2] = { -1, -1 };
static pid_t target_child;
static int release_pipe[2] = { -1, -1 };

/* ------------------------------------------------------------------ output */

static struct {
	int fd;
	const char *tmpl;               /* -o FILE, or NULL for stdout */
	long long limit;                /* -S size in bytes, 0: no switching by size */
	long max_files;                 /* -S N, 0: keep all */
	long seq;                       /* current FILE.seq, -1: plain FILE */
	long long size;                 /* bytes in the current file */
	int broken;                     /* a write failed: discard the rest */
	char *pending;                  /* -S: the unfinished last line */
	size_t pending_len;
} out = { .fd = STDOUT_FILENO, .seq = -1 };

static void file_name(char *buf, size_t size, long seq)
{
	char expanded[PATH_MAX - 32];
	const char *base = out.tmpl;

	if (strchr(base, '%')) {
		time_t now = time(NULL);
		struct tm tm;
		localtime_r(&now, &tm);
		if (strftime(expanded, sizeof(expanded), base, &tm) > 0)
			base = expanded;
	}
	if (seq < 0)
		snprintf(buf, size, "%s", base);
	else
		snprintf(buf, size, "%s.%ld", base, seq);
}

static int open_output(long seq)
{
	char path[PATH_MAX];

	file_name(path, sizeof(path), seq);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0) {
		err("Couldn't open output file '%s': %s", path, strerror(errno));
		return -1;
	}
	if (out.fd >= 0 && out.fd != STDOUT_FILENO)
		close(out.fd);
	out.fd = fd;
	out.seq = seq;
	out.size = 0;
	dbug(2, "output to %s", path);
	/* Keep at most max_files numbered files: remove the oldest. */
	if (seq >= 0 && out.max_files > 0 && seq >= out.max_files) {
		file_name(path, sizeof(path), seq - out.max_files);
		if (unlink(path) == 0)
			dbug(2, "removed %s", path);
	}
	return 0;
}

static void switch_output(void)
{
	if (!out.tmpl || out.broken)
		return;
	/* FILE -> FILE.1 -> FILE.2 ...; with -S, FILE.0 -> FILE.1 ... */
	if (open_output(out.seq < 0 ? 1 : out.seq + 1) != 0)
		out.broken = 1;
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

static void put(const char *p, size_t n)
{
	if (out.broken || !n)
		return;
	if (write_all(out.fd, p, n) < 0) {
		err("Couldn't write the output: %s", strerror(errno));
		out.broken = 1;
		return;
	}
	out.size += (long long)n;
}

/* Writes complete lines, switching files so that none exceeds the -S size. */
static void put_lines(const char *p, size_t n)
{
	while (n && !out.broken) {
		long long room = out.limit - out.size;
		if ((long long)n <= room) {
			put(p, n);
			return;
		}
		size_t chunk = 0;
		for (size_t i = room > 0 ? (size_t)room : 0; i > 0; i--)
			if (p[i - 1] == '\n') {
				chunk = i;
				break;
			}
		if (!chunk) {
			if (out.size > 0) {
				switch_output();
				continue;
			}
			chunk = (size_t)room;   /* one line longer than a whole file */
		}
		put(p, chunk);
		p += chunk;
		n -= chunk;
		switch_output();
	}
}

static void output(const char *p, size_t n)
{
	if (!out.limit) {
		put(p, n);
		return;
	}
	/* Hold back the unfinished last line so that files switch at line ends. */
	size_t last_nl = n;
	while (last_nl > 0 && p[last_nl - 1] != '\n')
		last_nl--;
	if (last_nl == 0) {
		if (out.pending_len + n > PENDING_MAX) {
			put_lines(out.pending, out.pending_len);
			out.pending_len = 0;
			put_lines(p, n);
			return;
		}
		memcpy(out.pending + out.pending_len, p, n);
		out.pending_len += n;
		return;
	}
	if (out.pending_len) {
		/* The held-back piece and the rest of its line go out together. */
		size_t first_nl = 0;
		while (p[first_nl] != '\n')
			first_nl++;
		if (out.pending_len + first_nl + 1 <= PENDING_MAX) {
			memcpy(out.pending + out.pending_len, p, first_nl + 1);
			put_lines(out.pending, out.pending_len + first_nl + 1);
		} else {
			put_lines(out.pending, out.pending_len);
			put_lines(p, first_nl + 1);
		}
		out.pending_len = 0;
		p += first_nl + 1;
		n -= first_nl + 1;
		last_nl -= first_nl + 1;
	}
	put_lines(p, last_nl);
	if (n > last_nl) {
		memcpy(out.pending, p + last_nl, n - last_nl);
		out.pending_len = n - last_nl;
	}
}

static void output_flush(void)
{
	if (out.pending_len)
		put_lines(out.pending, out.pending_len);
	out.pending_len = 0;
}

/* Copies everything the output buffer holds right now; returns the bytes copied. */
static size_t drain_output(void)
{
	static char *buf;
	size_t total = 0;

	if (!buf && !(buf = malloc(READ_CHUNK)))
		return 0;
	for (;;) {
		ssize_t n = read(relay_fd, buf, READ_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return total;
		total += (size_t)n;
		output(buf, (size_t)n);
	}
}

/* ------------------------------------------------------------------ control channel */

/* Commands go through a pipe to a thread of their own that writes them to the control
 * channel: the module runs the begin probes inside the write of STP_START and the end
 * probes inside that of STP_EXIT, and meanwhile the main thread goes on draining the
 * output they produce (and handling signals and messages). */
static int cmd_pipe[2] = { -1, -1 };
static pthread_t cmd_thread;
static int cmd_thread_started;
static volatile int cmd_errno;          /* set by the command thread when a write fails */
/* Commands sent but not yet carried out. While the module runs begin or end probes for
 * one, interrupts may be off on the CPU they run on, which delays the output buffer's
 * wake-ups: the main loop polls fast then. */
static volatile int cmd_pending;

static int read_full(int fd, void *p, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, (char *)p + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

static void *cmd_writer(void *arg)
{
	char buf[STP_MAX_MSG];
	struct stp_msg_hdr hdr;

	(void)arg;
	while (read_full(cmd_pipe[0], &hdr, sizeof(hdr)) == 0) {
		if (hdr.len > sizeof(buf) - sizeof(hdr))
			break;
		memcpy(buf, &hdr, sizeof(hdr));
		if (hdr.len && read_full(cmd_pipe[0], buf + sizeof(hdr), hdr.len) != 0)
			break;
		while (write(ctl_fd, buf, sizeof(hdr) + hdr.len) < 0) {
			if (errno == EINTR)
				continue;
			cmd_errno = errno;
			if (write(sig_pipe[1], "c", 1) < 0) {
				/* the main loop polls anyway */
			}
			return NULL;
		}
		__atomic_sub_fetch(&cmd_pending, 1, __ATOMIC_SEQ_CST);
	}
	return NULL;
}

static int start_cmd_thread(void)
{
	sigset_t all, old;
	int ret;

	if (pipe2(cmd_pipe, O_CLOEXEC) < 0)
		return -1;
	/* Signals are the main thread's business. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = pthread_create(&cmd_thread, NULL, cmd_writer, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret != 0) {
		errno = ret;
		return -1;
	}
	cmd_thread_started = 1;
	return 0;
}

/* Waits until every command sent has been carried out by the module. */
static void stop_cmd_thread(void)
{
	if (cmd_pipe[1] >= 0)
		close(cmd_pipe[1]);
	cmd_pipe[1] = -1;
	if (cmd_thread_started)
		pthread_join(cmd_thread, NULL);
	cmd_thread_started = 0;
}

static int send_msg(uint32_t type, const void *data, uint32_t len)
{
	char buf[STP_MAX_MSG];
	struct stp_msg_hdr *hdr = (struct stp_msg_hdr *)buf;

	if (sizeof(*hdr) + len > sizeof(buf) || cmd_pipe[1] < 0)
		return -1;
	hdr->type = type;
	hdr->len = len;
	if (len)
		memcpy(buf + sizeof(*hdr), data, len);
	/* One write of at most PIPE_BUF bytes: atomic. */
	__atomic_add_fetch(&cmd_pending, 1, __ATOMIC_SEQ_CST);
	for (;;) {
		if (write(cmd_pipe[1], buf, sizeof(*hdr) + len) >= 0)
			return 0;
		if (errno != EINTR)
			break;
	}
	err("control channel: %s", strerror(errno));
	return -1;
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

/* ------------------------------------------------------------------ the -c command */

static void on_signal(int sig)
{
	int saved = errno;

	switch (sig) {
	case SIGCHLD: child_exited = 1; break;
	case SIGQUIT: quit_signal = 1; break;
	case SIGUSR2: switch_signal = 1; break;
	default: stop_signals++; break;
	}
	if (write(sig_pipe[1], "x", 1) < 0) {
		/* the pipe is non-blocking; a full pipe already wakes the loop */
	}
	errno = saved;
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
		sigset_t none;

		/* Not the module's files: they would keep it from being removed. */
		close(ctl_fd);
		close(relay_fd);
		close(release_pipe[1]);
		if (read(release_pipe[0], &c, 1) != 1)
			_exit(1);               /* the script never started */
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		signal(SIGUSR2, SIG_DFL);
		signal(SIGCHLD, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(release_pipe[0]);
	return 0;
}

static void release_target(int go)
{
	if (release_pipe[1] < 0)
		return;
	if (go && write(release_pipe[1], "g", 1) != 1)
		err("couldn't start the -c command");
	close(release_pipe[1]);
	release_pipe[1] = -1;
}

static void reap_target(void)
{
	int st;

	if (target_child <= 0)
		return;
	if (waitpid(target_child, &st, WNOHANG) == 0) {
		kill(target_child, SIGTERM);
		for (int i = 0; i < 100; i++) {
			if (waitpid(target_child, &st, WNOHANG) != 0)
				goto done;
			usleep(10 * 1000);
		}
		kill(target_child, SIGKILL);
		waitpid(target_child, &st, 0);
	}
done:
	target_child = 0;
}

/* ------------------------------------------------------------------ the session */

struct session {
	int started, stopping, done, forced, detach, status;
	int have_report;
	struct stp_msg_exit report;
};

/* system(): the commands the script asked for, run by /bin/sh in the background with
 * stapio's standard streams, once the output received before them is out; the session
 * waits for them before it ends. */
#define MAX_SYSTEM 64
static char *system_queue[MAX_SYSTEM];
static int nqueued;
static pid_t system_children[MAX_SYSTEM];
static int nsystem;

static void queue_system(const char *cmd, size_t len)
{
	char *copy;

	if (nqueued == MAX_SYSTEM || !(copy = malloc(len + 1)))
		return;
	memcpy(copy, cmd, len);
	copy[len] = '\0';
	system_queue[nqueued++] = copy;
}

static void reap_system(int wait)
{
	int i = 0;

	while (i < nsystem) {
		if (waitpid(system_children[i], NULL, wait ? 0 : WNOHANG) == 0) {
			i++;
			continue;
		}
		system_children[i] = system_children[--nsystem];
	}
}

static void run_system(void)
{
	for (int i = 0; i < nqueued; i++) {
		pid_t pid;

		reap_system(nsystem == MAX_SYSTEM);
		pid = fork();
		if (pid == 0) {
			signal(SIGCHLD, SIG_DFL);
			execl("/bin/sh", "sh", "-c", system_queue[i], (char *)NULL);
			_exit(127);
		}
		if (pid < 0)
			err("system(): fork: %s", strerror(errno));
		else
			system_children[nsystem++] = pid;
		free(system_queue[i]);
	}
	nqueued = 0;
}

static void request_stop(struct session *s)
{
	if (!s->stopping) {
		s->stopping = 1;
		dbug(2, "stopping the script");
		if (send_msg(STP_EXIT, NULL, 0) != 0) {
			s->status = 1;
			s->done = 1;
		}
	}
}

static void handle_msg(struct session *s, const char *buf, ssize_t n)
{
	const struct stp_msg_hdr *hdr = (const void *)buf;
	const char *payload = buf + sizeof(*hdr);

	if (n < (ssize_t)sizeof(*hdr) || hdr->len > (size_t)n - sizeof(*hdr))
		return;
	switch (hdr->type) {
	case STP_START: {
		const struct stp_msg_status *st = (const void *)payload;
		int status = hdr->len >= sizeof(*st) ? st->status : 0;
		if (status == -EALREADY && attach) {
			status = 0;
		} else if (status != 0) {
			err("the probe module failed to start: %s", strerror(-status));
			s->status = 1;
			s->done = 1;
			release_target(0);
			return;
		}
		dbug(2, "script started");
		s->started = 1;
		release_target(!s->stopping);
		break;
	}
	case STP_REQUEST_EXIT:
		dbug(2, "the script asked to stop");
		request_stop(s);
		break;
	case STP_OOB_ERROR:
		emit_message(payload, hdr->len);
		break;
	case STP_OOB_WARNING:
		if (!no_warnings)
			emit_message(payload, hdr->len);
		break;
	case STP_SYSTEM:
		queue_system(payload, strnlen(payload, hdr->len));
		break;
	case STP_EXIT:
		if (hdr->len >= sizeof(s->report) - 2 * sizeof(__s32)) {
			memcpy(&s->report, payload,
			       hdr->len < sizeof(s->report) ? hdr->len : sizeof(s->report));
			s->have_report = 1;
		}
		dbug(2, "the script has stopped");
		s->done = 1;
		break;
	}
}

static void read_messages(struct session *s)
{
	char buf[STP_MAX_MSG];

	while (!s->done) {
		ssize_t m = read(ctl_fd, buf, sizeof(buf));
		if (m < 0 && errno == EINTR)
			continue;
		if (m <= 0) {
			if (m < 0 && errno != EAGAIN) {
				err("control channel read failed: %s", strerror(errno));
				s->status = 1;
				s->done = 1;
			}
			return;
		}
		handle_msg(s, buf, m);
	}
}

static void run_session(struct session *s, long target_pid)
{
	struct stp_msg_start start = { .target_pid = (__s32)target_pid };
	int flowing = 0;

	if (start_cmd_thread() != 0) {
		err("cannot start a thread: %s", strerror(errno));
		s->status = 1;
		return;
	}
	send_tzinfo();
	if (send_msg(STP_START, &start, sizeof(start)) < 0) {
		s->status = 1;
		return;
	}
	while (!s->done) {
		struct pollfd pfd[3] = {
			{ .fd = ctl_fd, .events = POLLIN },
			{ .fd = sig_pipe[0], .events = POLLIN },
			{ .fd = load_only && !s->stopping ? -1 : relay_fd, .events = POLLIN },
		};
		int fast = flowing || __atomic_load_n(&cmd_pending, __ATOMIC_SEQ_CST) > 0;
		int timeout = fast && poll_ms > FAST_POLL_MS ? FAST_POLL_MS : (int)poll_ms;
		if (poll(pfd, 3, timeout) < 0 && errno != EINTR) {
			err("poll: %s", strerror(errno));
			s->status = 1;
			break;
		}
		if (pfd[1].revents & POLLIN) {
			char junk[64];
			while (read(sig_pipe[0], junk, sizeof(junk)) > 0)
				;
		}
		if (stop_signals >= 2 && s->stopping) {
			err("second interrupt: not waiting for the probe module any longer");
			s->forced = 1;
			s->status = 1;
			break;
		}
		if (stop_signals)
			request_stop(s);
		if (quit_signal && !s->stopping && s->started && !load_only) {
			s->detach = 1;
			break;
		}
		if (switch_signal) {
			switch_signal = 0;
			output_flush();
			switch_output();
		}
		if (child_exited && target_child > 0) {
			int st;
			child_exited = 0;
			if (waitpid(target_child, &st, WNOHANG) == target_child) {
				dbug(2, "the -c command exited");
				target_child = 0;
				request_stop(s);
			}
		}
		if (cmd_errno) {
			err("control channel write failed: %s", strerror(cmd_errno));
			s->status = 1;
			break;
		}
		read_messages(s);
		if (load_only && !s->stopping) {
			/* -L: once started, leave the output in the buffer for "staprun -A";
			 * a script that ends at once is run like without -L. */
			if (s->started) {
				s->detach = 1;
				break;
			}
			continue;
		}
		flowing = drain_output() > 0;
		if (nqueued && !flowing) {      /* once the output before them is out */
			output_flush();
			run_system();
		}
		reap_system(0);
		if (out.broken)
			request_stop(s);
		if (s->done)
			break;
	}
	if (!s->detach)
		drain_output();
	output_flush();
	run_system();
	reap_system(1);
}

static void report(struct session *s)
{
	if (!s->have_report)
		return;
	if (s->report.dropped_bytes && !no_warnings)
		warn("There were %lld bytes of output lost: the output buffer was full "
		     "(staprun -b BUFFER_SIZE makes it larger).",
		     (long long)s->report.dropped_bytes);
	if (s->report.lost_msgs && !no_warnings)
		warn("%d error or warning messages from the module were lost.",
		     s->report.lost_msgs);
	if ((s->report.errors || s->report.skipped) && !no_warnings)
		warn("Number of errors: %d, skipped probes: %d", s->report.errors,
		     s->report.skipped);
	if (s->report.errors)
		s->status = 1;
}

/* ------------------------------------------------------------------ set-up, clean-up */

/* Runs "staprun -d MODULE" (setuid root maybe) and waits; 0 when the module is gone. */
static int unload(void)
{
	char path[PATH_MAX];
	const char *argv[12];
	int n = 0, st;

	snprintf(path, sizeof(path), "%s/staprun", self_dir());
	if (access(path, X_OK) != 0)
		snprintf(path, sizeof(path), "%s/../../bin/staprun", self_dir());
	argv[n++] = "staprun";
	for (int i = 0; i < verbose && i < 5; i++)
		argv[n++] = "-v";
	argv[n++] = "-d";
	argv[n++] = modname;
	argv[n] = NULL;
	signal(SIGCHLD, SIG_DFL);
	pid_t pid = fork();
	if (pid < 0) {
		err("fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		sigset_t none;
		/* Removal must not be cut short by the ^C that ended the script. */
		signal(SIGINT, SIG_IGN);
		signal(SIGTERM, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		signal(SIGQUIT, SIG_IGN);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		execv(path, (char *const *)argv);
		/* No staprun: remove it ourselves, which works when we are root. */
		_exit(remove_module(modname, 0) ? 1 : 0);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static int open_by_name(void)
{
	char path[512];
	const char *root = debugfs_root();

	if (!root)
		return -1;
	module_file_path(path, sizeof(path), root, modname, STP_CMD_FILE);
	ctl_fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (ctl_fd < 0) {
		err("Couldn't open control channel '%s': %s", path, strerror(errno));
		return -1;
	}
	module_file_path(path, sizeof(path), root, modname, STP_TRACE_FILE "0");
	relay_fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (relay_fd < 0) {
		err("Couldn't open output buffer '%s': %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int take_fds(const char *spec)
{
	long c, r;
	char buf[32], *comma;

	snprintf(buf, sizeof(buf), "%s", spec);
	comma = strchr(buf, ',');
	if (!comma)
		return -1;
	*comma = '\0';
	if (parse_long(buf, 3, INT_MAX, &c) || parse_long(comma + 1, 3, INT_MAX, &r))
		return -1;
	ctl_fd = (int)c;
	relay_fd = (int)r;
	if (fcntl(ctl_fd, F_SETFD, FD_CLOEXEC) < 0 || fcntl(relay_fd, F_SETFD, FD_CLOEXEC) < 0)
		return -1;
	fcntl(ctl_fd, F_SETFL, fcntl(ctl_fd, F_GETFL) | O_NONBLOCK);
	fcntl(relay_fd, F_SETFL, fcntl(relay_fd, F_GETFL) | O_NONBLOCK);
	return 0;
}

/* -D: the parent prints the daemon's pid and leaves. */
static int go_background(void)
{
	pid_t pid;
	int null;

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		err("fork: %s", strerror(errno));
		return -1;
	}
	if (pid > 0) {
		printf("%d\n", (int)pid);
		fflush(stdout);
		_exit(0);
	}
	setsid();
	null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		if (out.fd != STDOUT_FILENO)
			dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		if (null > STDERR_FILENO)
			close(null);
	}
	return 0;
}

static int parse_switch(const char *spec)
{
	long size, n = 0;
	char buf[32], *comma;

	snprintf(buf, sizeof(buf), "%s", spec);
	comma = strchr(buf, ',');
	if (comma)
		*comma = '\0';
	if (parse_long(buf, 1, INT_MAX / 2, &size) ||
	    (comma && parse_long(comma + 1, 1, INT_MAX, &n)))
		return -1;
	out.limit = (long long)size << 20;
	out.max_files = n;
	out.pending = malloc(PENDING_MAX);
	return out.pending ? 0 : -1;
}

int main(int argc, char **argv)
{
	const char *cmd = NULL, *fds = NULL, *switch_spec = NULL;
	long target_pid = 0;
	struct session s = { 0 };
	int c;

	progname = "stapio";
	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("Usage: stapio [-v] [-w] [-C WHEN] [-o FILE [-S SIZE[,N]]] [-c CMD | -x PID] "
		       "[-T MS] [-D]\n"
		       "              [-L | -A] [-F CTLFD,OUTFD] MODULE_NAME\n"
		       "stapio runs a probe module's session for staprun, which starts it after "
		       "loading\nthe module; its options are staprun's (see staprun(8)). -F takes "
		       "the module's\ncontrol and output descriptors from staprun.\n");
		return 0;
	}
	verbose_from_env();
	while ((c = getopt(argc, argv, "+vwC:o:S:c:x:T:DLAF:")) != -1) {
		switch (c) {
		case 'v': verbose++; break;
		case 'w': no_warnings = 1; break;
		case 'C':
			if (set_color_mode(optarg) != 0) {
				err("-C wants auto, never or always");
				return 1;
			}
			break;
		case 'o': out.tmpl = optarg; break;
		case 'S': switch_spec = optarg; break;
		case 'c': cmd = optarg; break;
		case 'x':
			if (parse_long(optarg, 1, INT_MAX, &target_pid) != 0) {
				err("-x wants a process id");
				return 1;
			}
			break;
		case 'T':
			if (parse_long(optarg, 1, INT_MAX, &poll_ms) != 0) {
				err("-T wants a timeout in ms");
				return 1;
			}
			break;
		case 'D': daemonize = 1; break;
		case 'L': load_only = 1; break;
		case 'A': attach = 1; break;
		case 'F': fds = optarg; break;
		default: return 1;
		}
	}
	if (optind != argc - 1 || !valid_module_name(argv[optind])) {
		err("usage: stapio [options] MODULE_NAME (stapio is run by staprun)");
		return 1;
	}
	modname = argv[optind];
	if (fds ? take_fds(fds) : open_by_name()) {
		if (fds)
			err("stapio: bad -F descriptors '%s'", fds);
		goto unload_now;
	}
	if (switch_spec && (!out.tmpl || parse_switch(switch_spec) != 0)) {
		err("-S wants SIZE[,N] and -o FILE");
		goto unload_now;
	}
	if (out.tmpl && !load_only && open_output(switch_spec ? 0 : -1) != 0)
		goto unload_now;
	if (daemonize && go_background() != 0)
		goto unload_now;

	if (pipe2(sig_pipe, O_NONBLOCK | O_CLOEXEC) < 0)
		goto unload_now;
	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (cmd) {
		if (spawn_target(cmd) < 0) {
			err("couldn't start '%s': %s", cmd, strerror(errno));
			goto unload_now;
		}
		target_pid = target_child;
	}
	/* staprun held these signals while loading; they may arrive now. */
	sigset_t held;
	sigemptyset(&held);
	sigaddset(&held, SIGINT);
	sigaddset(&held, SIGTERM);
	sigaddset(&held, SIGHUP);
	sigaddset(&held, SIGQUIT);
	sigprocmask(SIG_UNBLOCK, &held, NULL);

	run_session(&s, target_pid);
	/* Lets a command under way finish (an end probe can't be cut short anyway): its
	 * write keeps the module busy until then. */
	stop_cmd_thread();
	report(&s);
	release_target(0);
	close(ctl_fd);
	close(relay_fd);
	if (out.fd != STDOUT_FILENO)
		close(out.fd);
	if (s.detach) {
		if (load_only) {
			printf("%s\n", modname);
			fflush(stdout);
		} else {
			fprintf(stderr, "Detached from module %s; \"staprun -A %s\" attaches again.\n",
				modname, modname);
		}
		dbug(1, "detached from module %s", modname);
		return 0;
	}
	reap_target();
	if (unload() != 0)
		s.status = 1;
	dbug(1, "module %s removed, exit status %d", modname, s.status);
	return s.status;

unload_now:
	if (ctl_fd >= 0)
		close(ctl_fd);
	if (relay_fd >= 0)
		close(relay_fd);
	unload();
	return 1;
}
