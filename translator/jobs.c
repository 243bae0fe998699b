/* jobs.c - runs pass 4's commands (compiler, objtool, linker, modpost) with /bin/sh -e in
 * the kernel's build tree (as kbuild does: a failing step ends its command), up to N at a
 * time, each writing its output to its own log so that parallel compilers' messages never
 * interleave. Standard input is /dev/null.
 */
#define _GNU_SOURCE
#include "jobs.h"
#include "arena.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t start(const char *cwd, const struct job *j, int verbose)
{
	if (verbose)
		fprintf(stderr, "Running %s\n", j->cmd);
	fflush(NULL);
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	int in = open("/dev/null", O_RDONLY);
	int out = open(j->log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (in < 0 || out < 0 || chdir(cwd) != 0)
		_exit(127);
	dup2(in, 0);
	dup2(out, 1);
	dup2(out, 2);
	execl("/bin/sh", "sh", "-ec", j->cmd, (char *)NULL);     /* as kbuild: set -e */
	_exit(127);
}

int run_jobs(const char *cwd, struct job *jobs, int n, int parallel, int verbose)
{
	pid_t *pids = calloc(n ? n : 1, sizeof(*pids));
	int next = 0, running = 0, failed = 0;

	if (!pids)
		return n;
	if (parallel < 1)
		parallel = 1;
	while (next < n || running > 0) {
		while (next < n && running < parallel) {
			pids[next] = start(cwd, &jobs[next], verbose);
			if (pids[next] < 0) {
				jobs[next].status = -1;
				failed++;
			} else {
				running++;
			}
			next++;
		}
		int status;
		pid_t pid = wait(&status);
		if (pid < 0)
			break;
		for (int i = 0; i < next; i++) {
			if (pids[i] != pid)
				continue;
			jobs[i].status = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
			failed += jobs[i].status != 0;
			pids[i] = 0;
			running--;
		}
	}
	free(pids);
	return failed;
}

int run_job(const char *cwd, const char *cmd, const char *log, int verbose)
{
	struct job j = { cmd, log, 0 };

	run_jobs(cwd, &j, 1, 1, verbose);
	return j.status;
}

const char *read_text(const char *path)
{
	FILE *f = fopen(path, "r");
	struct stat sb;

	if (!f)
		return "";
	if (fstat(fileno(f), &sb) != 0) {
		fclose(f);
		return "";
	}
	char *text = arena_alloc(g_arena, (size_t)sb.st_size + 1);
	size_t n = fread(text, 1, (size_t)sb.st_size, f);
	text[n] = '\0';
	fclose(f);
	return text;
}
