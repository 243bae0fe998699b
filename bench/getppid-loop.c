/* getppid-loop.c - the probe-overhead workload: N getppid() system calls in a tight loop.
 *
 * Usage: getppid-loop N   prints "ns NANOSECONDS calls N" for the loop alone
 * (CLOCK_MONOTONIC), so process start and exit are not part of the figure. Then makes one
 * getpgid(0) call, a marker a probe can see to tell that the loop has ended. The loop is
 * also bracketed by two marker no-ops that bench/insn-count (a QEMU plugin) counts guest
 * instructions between. Built static for the VM by bench/probe-overhead.sh.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

/* nopw 0x4711(%rax,%rax,1) and nopw 0x4712(...): no-ops that bench/insn-count knows. */
#define INSN_COUNT_START ".byte 0x66, 0x0f, 0x1f, 0x84, 0x00, 0x11, 0x47, 0x00, 0x00"
#define INSN_COUNT_STOP ".byte 0x66, 0x0f, 0x1f, 0x84, 0x00, 0x12, 0x47, 0x00, 0x00"

static long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000000;
	long long t0 = now_ns();

	asm volatile(INSN_COUNT_START);
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	asm volatile(INSN_COUNT_STOP);
	long long t1 = now_ns();

	syscall(SYS_getpgid, 0);
	printf("ns %lld calls %ld\n", t1 - t0, n);
	return 0;
}
