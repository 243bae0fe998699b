/* run.c - pass 5: runs the module with staprun, here or in a throwaway QEMU VM.
 *
 * Local: staprun [-v] [-w] [-o FILE] [-c CMD] [-x PID] MODULE.ko, where this kernel can
 * load modules. --remote=qemu: stap-vm boots the target release's kernel with staprun,
 * stapio and the module in an initramfs and runs the same command line in there; the
 * script's output comes back on stdout (or into -o FILE on this machine). SIGINT/SIGTERM
 * are passed on to the child, which stops the script gracefully. The exit status is the
 * script's.
 */
#define _GNU_SOURCE
#include "run.h"
#include "arena.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define A(...) arena_printf(g_arena, __VA_ARGS__)

static volatile pid_t child_pid;

/* A terminal's ^C reaches the whole process group, the child included; only a signal
 * sent to stap alone with kill() needs passing on. */
static void forward_signal(int sig, siginfo_t *info, void *ctx)
{
	(void)ctx;
	if (child_pid > 0 && info->si_code == SI_USER)
		kill(child_pid, sig);
}

/* Runs argv, passing SIGINT/SIGTERM/SIGHUP on; returns its exit status. */
static int run_child(char *const argv[], const char *stdout_file)
{
	struct sigaction sa = { .sa_sigaction = forward_signal, .sa_flags = SA_SIGINFO };
	struct sigaction old_int, old_term, old_hup;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		diag_plain_error("ERROR: fork: %s", strerror(errno));
		return 1;
	}
	if (pid == 0) {
		if (stdout_file) {
			int fd = open(stdout_file, O_WRONLY | O_CREAT | O_TRUNC, 0666);
			if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0) {
				fprintf(stderr, "ERROR: cannot open %s: %s\n", stdout_file, strerror(errno));
				_exit(1);
			}
		}
		execv(argv[0], argv);
		fprintf(stderr, "ERROR: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(1);
	}
	child_pid = pid;
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	child_pid = 0;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

/* staprun's options for this session, as a NULL-terminated argv tail. */
static const char **staprun_options(struct session *s, const char **argv, int *n,
				    int output_in_vm)
{
	/* staprun's own chatter starts at -vv, as with SystemTap. */
	for (int i = 1; i < s->verbose[4] && i < 4; i++)
		argv[(*n)++] = "-v";
	if (s->suppress_warnings)
		argv[(*n)++] = "-w";
	if (s->output_file && output_in_vm) {
		argv[(*n)++] = "-o";
		argv[(*n)++] = s->output_file;
	}
	if (s->target_cmd) {
		argv[(*n)++] = "-c";
		argv[(*n)++] = s->target_cmd;
	}
	if (s->target_pid) {
		argv[(*n)++] = "-x";
		argv[(*n)++] = A("%ld", s->target_pid);
	}
	return argv;
}

static int run_local(struct session *s)
{
	if (!file_exists("/proc/modules")) {
		diag_plain_error("ERROR: this kernel (%s) cannot load modules (it was built without "
				 "CONFIG_MODULES); run the script in a QEMU VM instead with "
				 "--remote=qemu (see stap(1))", s->release);
		return 1;
	}
	const char *argv[16];
	int n = 0;
	argv[n++] = A("%s/staprun", s->libexec_dir);
	staprun_options(s, argv, &n, 1);
	argv[n++] = s->module_path;
	argv[n] = NULL;
	return run_child((char *const *)argv, NULL);
}

static int run_qemu(struct session *s)
{
	const char *opts[16];
	int n = 0;
	staprun_options(s, opts, &n, 0);
	const char *cmdline = "./staprun";
	for (int i = 0; i < n; i++)
		cmdline = A("%s %s", cmdline, shell_quote(opts[i]));
	const char *ko = strrchr(s->module_path, '/') + 1;
	const char *job = A("%s/vm-job.sh", s->tmpdir);
	if (write_file(job, A("exec %s %s\n", cmdline, shell_quote(ko))) != 0) {
		diag_plain_error("ERROR: cannot write %s", job);
		return 1;
	}
	const char *argv[24];
	int k = 0;
	argv[k++] = A("%s/stap-vm", s->libexec_dir);
	argv[k++] = "-r";
	argv[k++] = s->release;
	if (s->verbose[4] >= 2)
		argv[k++] = "-v";
	argv[k++] = "-f";
	argv[k++] = A("%s/staprun", s->libexec_dir);
	argv[k++] = "-f";
	argv[k++] = A("%s/stapio", s->libexec_dir);
	argv[k++] = "-f";
	argv[k++] = s->module_path;
	argv[k++] = job;
	argv[k] = NULL;
	return run_child((char *const *)argv, s->output_file);
}

int pass5_run(struct session *s)
{
	s->exit_status = s->remote_qemu ? run_qemu(s) : run_local(s);
	return s->exit_status;
}
