/* guruwl - system calls whose results guru-mode run tests change by writing target
 * variables. What the program observed is printed and also reported as a "marker" (a
 * write(2) of the same line to file descriptor -1, which fails with EBADF and disturbs
 * nothing), so a test script sees it on the raw_syscalls tracepoint.
 *
 *   guruwl ppid [N]          makes N (default 1) getppid(2) calls, then reports "ppid=P",
 *                            what the last one returned
 *   guruwl openat FD PATH    openat(FD, PATH, O_RDONLY): prints "openat=ok" or
 *                            "openat=-ERRNO"
 *   guruwl create PATH MODE  with umask 0, creates PATH with MODE (octal) and prints
 *                            "mode=0NNN", the mode the file got
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static void report(const char *fmt, ...)
{
	char line[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fputs(line, stdout);
	if (write(-1, line, n) != -1)
		exit(99);
}

static int create(const char *path, const char *mode)
{
	struct stat st;
	int fd;

	umask(0);
	unlink(path);
	fd = open(path, O_CREAT | O_WRONLY | O_EXCL, (mode_t)strtol(mode, NULL, 8));
	if (fd < 0 || fstat(fd, &st) != 0) {
		perror(path);
		return 1;
	}
	report("mode=0%o\n", (unsigned)(st.st_mode & 07777));
	close(fd);
	unlink(path);
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	if (!strcmp(cmd, "ppid")) {
		long ppid = 0;

		for (long i = argc > 2 ? atol(argv[2]) : 1; i > 0; i--)
			ppid = syscall(SYS_getppid);
		report("ppid=%ld\n", ppid);
	} else if (!strcmp(cmd, "openat") && argc == 4) {
		long fd = syscall(SYS_openat, atoi(argv[2]), argv[3], O_RDONLY);

		if (fd < 0)
			report("openat=-%d\n", errno);
		else
			report("openat=ok\n");
	} else if (!strcmp(cmd, "create") && argc == 4) {
		return create(argv[2], argv[3]);
	} else {
		fprintf(stderr, "usage: guruwl ppid [N] | openat FD PATH | create PATH MODE\n");
		return 2;
	}
	return 0;
}
