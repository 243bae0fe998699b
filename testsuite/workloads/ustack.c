/* ustack - a known user call chain for the user-stack tapset tests:
 * main -> uchain_a -> uchain_b -> getppid(), each with a frame pointer and never inlined,
 * so a probe on the getppid system call sees those frames, innermost first.
 *
 *   ustack [N]    makes the chain N times (default 1) and prints "pid PID" first
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* The test suite builds every workload with -O2: keep the frames regardless. */
#define FRAMED __attribute__((noinline, optimize("no-omit-frame-pointer")))

volatile long uchain_sink;

FRAMED long uchain_b(long i)
{
	long r = getppid();

	uchain_sink += i;       /* work after the call, so it is not a tail call */
	return r;
}

FRAMED long uchain_a(long i)
{
	long r = uchain_b(i);

	uchain_sink += r;
	return r;
}

FRAMED int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1;

	printf("pid %d\n", (int)getpid());
	fflush(stdout);
	for (long i = 0; i < n; i++)
		uchain_a(i);
	return 0;
}
