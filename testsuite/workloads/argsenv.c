/* argsenv - a process with arguments and an environment the run test chose, for the
 * cmdline_*() and env_var() tests: it hands each argument, then the value of STP_TEST_VAR,
 * to access() (so a probe can compare what the tapset read from the process's memory with
 * the strings the process itself passes to the kernel), then calls getppid() once, where
 * the test's probe reads the command line.
 *
 *   STP_TEST_VAR=value argsenv [ARG...]
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <unistd.h>
#include <sys/syscall.h>

int main(int argc, char **argv)
{
	const char *v = getenv("STP_TEST_VAR");

	for (int i = 1; i < argc; i++)
		syscall(SYS_access, argv[i], F_OK);
	syscall(SYS_access, v ? v : "(unset)", F_OK);
	syscall(SYS_getppid);
	return 0;
}
