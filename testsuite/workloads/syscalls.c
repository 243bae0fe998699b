// syscalls.c - a workload for the syscall tapset tests (testsuite/runok/syscall_*.stp).
//
// Makes a fixed sequence of syscalls with fixed arguments, each through syscall(2) so
// that the C library adds or changes nothing, while its name (comm, execname()) is
// "sc_on": prctl(PR_SET_NAME) renames it before the first and back to "syscalls" after
// the last, so a probe tells them apart from everything else without any state. Then it
// reports what it got back - the ground truth the tests compare the probes' values
// with - on stdout and as the path of an access() call (which fails with ENOENT), where
// a probe can read it:
//
//   syscalls: pid=PID fd=FD fd2=FD2 map=0xADDR sock=SFD pipe=P0,P1
//
// The sequence (see main() for the exact arguments): getpid; openat O_CREAT of
// /tmp/sc_test, write 15 bytes, close; openat it again, read, lseek, pread64, close; open
// of a missing path (ENOENT); nanosleep 1 ms; mmap 8192 anonymous bytes and munmap them;
// kill(pid, 0) and kill of a missing pid (ESRCH); an AF_INET TCP socket connecting to
// 127.0.0.1 port 9 (ECONNREFUSED), close; pipe2, dup2 onto 10, three closes;
// rt_sigprocmask; clock_gettime; uname; getuid; umask.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

static const char msg[] = "hello syscalls\n";

int main(void)
{
	char buf[64], report[160];
	struct timespec ts = { 0, 1000000 };
	struct sockaddr_in sin;
	struct utsname u;
	unsigned long set = (1UL << (SIGUSR1 - 1)) | (1UL << (SIGUSR2 - 1));
	int fds[2];
	long pid, fd, fd2, sock;
	void *map;

	prctl(PR_SET_NAME, "sc_on", 0, 0, 0);
	pid = syscall(SYS_getpid);

	fd = syscall(SYS_openat, AT_FDCWD, "/tmp/sc_test", O_WRONLY | O_CREAT | O_TRUNC, 0640);
	syscall(SYS_write, fd, msg, strlen(msg));
	syscall(SYS_close, fd);

	fd2 = syscall(SYS_openat, AT_FDCWD, "/tmp/sc_test", O_RDONLY | O_CLOEXEC);
	syscall(SYS_read, fd2, buf, sizeof(buf));
	syscall(SYS_lseek, fd2, 6L, SEEK_SET);
	syscall(SYS_pread64, fd2, buf, 8L, 6L);
	syscall(SYS_close, fd2);
	syscall(SYS_open, "/nonexistent/sc", O_RDONLY);

	syscall(SYS_nanosleep, &ts, NULL);
	map = (void *)syscall(SYS_mmap, NULL, 8192L, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0L);
	syscall(SYS_munmap, map, 8192L);
	syscall(SYS_kill, pid, 0);
	syscall(SYS_kill, 999999, SIGTERM);

	sock = syscall(SYS_socket, AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(9);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	syscall(SYS_connect, sock, &sin, sizeof(sin));
	syscall(SYS_close, sock);

	syscall(SYS_pipe2, fds, O_CLOEXEC);
	syscall(SYS_dup2, fds[1], 10);
	syscall(SYS_close, 10);
	syscall(SYS_close, fds[0]);
	syscall(SYS_close, fds[1]);

	syscall(SYS_rt_sigprocmask, SIG_BLOCK, &set, NULL, 8);
	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
	syscall(SYS_uname, &u);
	syscall(SYS_getuid);
	syscall(SYS_umask, 022);
	prctl(PR_SET_NAME, "syscalls", 0, 0, 0);

	snprintf(report, sizeof(report), "syscalls: pid=%ld fd=%ld fd2=%ld map=%p sock=%ld pipe=%d,%d",
		 pid, fd, fd2, map, sock, fds[0], fds[1]);
	puts(report);
	fflush(stdout);
	syscall(SYS_access, report, F_OK);
	return 0;
}
