/* fileline - a user call chain built with line information, for the tests of
 * usymfileline() and print_ubacktrace_fileline(): main -> fl_mid -> fl_leaf, each with a
 * frame pointer and never inlined. fl_leaf makes a write(-1, MSG, LEN) system call itself
 * (an inline "syscall", so the address the kernel was entered from lies in this file)
 * and MSG tells the probe the ground truth, each line taken with __LINE__:
 *   "file=SOURCE leaf=LINE mid=LINE main=LINE"
 * the source file as the compiler was given it, the line of the system call, and those of
 * the calls to fl_leaf (in fl_mid) and to fl_mid (in main). The write fails (EBADF).
 *
 *   fileline [N]    makes the chain N times (default 1)
 */
/* gcc-flags: -g */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>

/* The test suite builds every workload with -O2: keep the frames regardless. */
#define FRAMED __attribute__((noinline, optimize("no-omit-frame-pointer")))

volatile long fl_sink;

FRAMED long fl_leaf(long main_line, long mid_line)
{
	char msg[512];
	long ret, n;

	n = snprintf(msg, sizeof(msg), "file=%s leaf=%d mid=%ld main=%ld", __FILE__, __LINE__ + 1, mid_line, main_line);
	asm volatile("syscall\n\tnop" : "=a"(ret) : "0"(1L), "D"(-1L), "S"(msg), "d"(n) : "rcx", "r11", "memory");
	fl_sink += ret;
	return ret;
}

FRAMED long fl_mid(long main_line)
{
	long r = fl_leaf(main_line, __LINE__);

	fl_sink += r;   /* work after the call, so it is not a tail call */
	return r;
}

FRAMED int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1;

	for (long i = 0; i < n; i++)
		fl_sink += fl_mid(__LINE__);
	return 0;
}
