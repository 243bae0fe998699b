/* getppid - makes N getppid() system calls (default 1), for run tests that probe the
 * syscall's kernel function a known number of times.
 *
 *   getppid [N]
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <unistd.h>
#include <sys/syscall.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1;

	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	return 0;
}
