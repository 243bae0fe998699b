// miscwl.c - a workload for the rarer syscall tests (testsuite/runok/syscall_misc.stp).
//
// Makes a fixed sequence of calls with fixed arguments, each through syscall(2), while
// its name (comm, execname()) is "misc_on": prctl(PR_SET_NAME) renames it before the
// first and back to "miscwl" after the last. Then it reports what it got back - the
// ground truth the test compares the probes' values with - on stdout and as the path of
// an access() call (which fails with ENOENT), where a probe can read it:
//
//   miscwl: pid=PID pidfd=FD how=FD ioprio=V vm=N syslog=N
//
// The sequence: setxattr "user.wl" "v1" XATTR_CREATE and getxattr of /tmp/miscwl_x
// (whatever /tmp's file system says), pidfd_open of itself, pidfd_send_signal 0, close;
// openat2 of "miscwl_x" relative to /tmp with RESOLVE_BENEATH (how), close;
// sched_setattr nice 5, ioprio_set best-effort 4 and ioprio_get (ioprio);
// process_vm_readv of 8 bytes of its own memory (vm); utime 1 and 2 s after the epoch;
// syslog SIZE_BUFFER (syslog); mount of a tmpfs on /tmp/miscwl_m (MS_NOSUID, "size=1m")
// and umount2 MNT_DETACH; swapoff and delete_module O_NONBLOCK of names that don't exist.
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/ioprio.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <linux/sched/types.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <utime.h>

int main(void)
{
	static const char src[8] = "vm data";
	struct open_how how = { .flags = O_RDONLY | O_CLOEXEC, .resolve = RESOLVE_BENEATH };
	struct sched_attr sa = { .size = sizeof(sa), .sched_policy = SCHED_NORMAL, .sched_nice = 5 };
	struct utimbuf ut = { 1, 2 };
	char dst[8], val[16], report[200];
	struct iovec local = { dst, sizeof(dst) }, remote = { (void *)src, sizeof(src) };
	long pid, pidfd, dirfd, fd, prio, vm, logsz;

	close(open("/tmp/miscwl_x", O_WRONLY | O_CREAT | O_TRUNC, 0644));
	mkdir("/tmp/miscwl_m", 0755);
	prctl(PR_SET_NAME, "misc_on", 0, 0, 0);
	syscall(SYS_setxattr, "/tmp/miscwl_x", "user.wl", "v1", 2L, XATTR_CREATE);
	syscall(SYS_getxattr, "/tmp/miscwl_x", "user.wl", val, (long)sizeof(val));
	pid = syscall(SYS_getpid);
	pidfd = syscall(SYS_pidfd_open, pid, 0);
	syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0);
	syscall(SYS_close, pidfd);
	dirfd = open("/tmp", O_RDONLY | O_DIRECTORY);
	fd = syscall(SYS_openat2, dirfd, "miscwl_x", &how, sizeof(how));
	syscall(SYS_close, fd);
	syscall(SYS_sched_setattr, 0, &sa, 0);
	syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, IOPRIO_PRIO_VALUE(IOPRIO_CLASS_BE, 4));
	prio = syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, 0);
	vm = syscall(SYS_process_vm_readv, pid, &local, 1L, &remote, 1L, 0L);
	syscall(SYS_utime, "/tmp/miscwl_x", &ut);
	logsz = syscall(SYS_syslog, 10, NULL, 0);
	syscall(SYS_mount, "none", "/tmp/miscwl_m", "tmpfs", (long)MS_NOSUID, "size=1m");
	syscall(SYS_umount2, "/tmp/miscwl_m", MNT_DETACH);
	syscall(SYS_swapoff, "/nonexistent/swap");
	syscall(SYS_delete_module, "miscwl_nomod", O_NONBLOCK);
	prctl(PR_SET_NAME, "miscwl", 0, 0, 0);

	snprintf(report, sizeof(report), "miscwl: pid=%ld pidfd=%ld how=%ld ioprio=%ld vm=%ld syslog=%ld",
		 pid, pidfd, fd, prio, vm, logsz);
	puts(report);
	access(report, F_OK);
	return 0;
}
