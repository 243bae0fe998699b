/* jobs.h - running shell commands for pass 4, several at a time (see jobs.c). */
#ifndef STAP_JOBS_H
#define STAP_JOBS_H

struct job {
	const char *cmd;        /* run with /bin/sh -ec */
	const char *log;        /* its stdout and stderr (truncated first) */
	int status;             /* filled in: 0 on success */
};

/* Runs the jobs in directory cwd, at most `parallel` at once; with verbose, each command is
 * echoed to stderr first. Returns the number of jobs that failed. */
int run_jobs(const char *cwd, struct job *jobs, int n, int parallel, int verbose);
/* One command; its status (0 on success). */
int run_job(const char *cwd, const char *cmd, const char *log, int verbose);
/* A log's text (arena), "" if it can't be read. */
const char *read_text(const char *path);

#endif
