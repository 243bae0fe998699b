// aiowl.c - a workload for the aio, io_uring, key, bpf and perf syscall tests
// (testsuite/runok/syscall_aio.stp, syscall_keys.stp).
//
// Makes a fixed sequence of calls with fixed arguments, each through syscall(2), while
// its name (comm, execname()) is "aio_on": prctl(PR_SET_NAME) renames it before the
// first and back to "aiowl" after the last. Then it reports what it got back - the
// ground truth the tests compare the probes' values with - on stdout and as the path of
// an access() call (which fails with ENOENT), where a probe can read it:
//
//   aiowl: ctx=CTX fd=FD sub=N ev=N res=N ring=FD key=SERIAL rd=N perf=FD
//
// The sequence: io_setup 8 (ctx), an O_CREAT open of /tmp/aio_test (fd), io_submit one
// IOCB_CMD_PWRITE of 6 bytes at offset 0 (sub), io_getevents 1..4 with a 1 s timeout
// (ev, the event's res), io_destroy, close; io_uring_setup 4 (ring), io_uring_enter
// with nothing to do, io_uring_register IORING_UNREGISTER_BUFFERS (ENXIO: none), close;
// add_key "user" "aiowl:key" "secret" to the process keyring (key), keyctl KEYCTL_READ
// into 64 bytes (rd), request_key of it again, keyctl KEYCTL_REVOKE; bpf
// BPF_PROG_GET_NEXT_ID with a short attr; perf_event_open of the software task clock
// for itself (perf), close.
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <linux/bpf.h>
#include <linux/io_uring.h>
#include <linux/keyctl.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(void)
{
	static const char data[] = "aio ok";
	struct iocb cb, *cbs[1] = { &cb };
	struct io_event ev[4];
	struct timespec ts = { 1, 0 };
	struct io_uring_params params;
	struct perf_event_attr pa;
	union bpf_attr attr;
	aio_context_t ctx = 0;
	char buf[64], report[200];
	long fd, sub, got, ring, key, rd, perf;

	prctl(PR_SET_NAME, "aio_on", 0, 0, 0);
	syscall(SYS_io_setup, 8, &ctx);
	fd = syscall(SYS_openat, AT_FDCWD, "/tmp/aio_test", O_RDWR | O_CREAT | O_TRUNC, 0600);
	memset(&cb, 0, sizeof(cb));
	cb.aio_fildes = fd;
	cb.aio_lio_opcode = IOCB_CMD_PWRITE;
	cb.aio_buf = (unsigned long)data;
	cb.aio_nbytes = strlen(data);
	sub = syscall(SYS_io_submit, ctx, 1L, cbs);
	memset(ev, 0, sizeof(ev));
	got = syscall(SYS_io_getevents, ctx, 1L, 4L, ev, &ts);
	syscall(SYS_io_destroy, ctx);
	syscall(SYS_close, fd);

	memset(&params, 0, sizeof(params));
	ring = syscall(SYS_io_uring_setup, 4, &params);
	syscall(SYS_io_uring_enter, ring, 0, 0, 0, NULL, 0L);
	syscall(SYS_io_uring_register, ring, IORING_UNREGISTER_BUFFERS, NULL, 0);
	syscall(SYS_close, ring);

	key = syscall(SYS_add_key, "user", "aiowl:key", "secret", 6L, KEY_SPEC_PROCESS_KEYRING);
	rd = syscall(SYS_keyctl, KEYCTL_READ, key, buf, (long)sizeof(buf), 0L);
	syscall(SYS_request_key, "user", "aiowl:key", NULL, 0);
	syscall(SYS_keyctl, KEYCTL_REVOKE, key, 0L, 0L, 0L);

	memset(&attr, 0, sizeof(attr));
	syscall(SYS_bpf, BPF_PROG_GET_NEXT_ID, &attr, 8);
	memset(&pa, 0, sizeof(pa));
	pa.type = PERF_TYPE_SOFTWARE;
	pa.size = sizeof(pa);
	pa.config = PERF_COUNT_SW_TASK_CLOCK;
	pa.disabled = 1;
	perf = syscall(SYS_perf_event_open, &pa, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	syscall(SYS_close, perf);
	prctl(PR_SET_NAME, "aiowl", 0, 0, 0);

	snprintf(report, sizeof(report),
		 "aiowl: ctx=%llu fd=%ld sub=%ld ev=%ld res=%lld ring=%ld key=%ld rd=%ld perf=%ld",
		 (unsigned long long)ctx, fd, sub, got, (long long)ev[0].res, ring, key, rd, perf);
	puts(report);
	access(report, F_OK);
	return 0;
}
