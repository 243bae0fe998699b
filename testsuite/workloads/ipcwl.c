// ipcwl.c - a workload for the IPC syscall tests (testsuite/runok/syscall_ipc.stp).
//
// Makes a fixed sequence of System V IPC and POSIX message queue calls with fixed
// arguments, each through syscall(2) so that the C library adds nothing (no IPC_64 on
// the ctl commands), while its name (comm, execname()) is "ipc_on": prctl(PR_SET_NAME)
// renames it before the first and back to "ipcwl" after the last. Then it reports what
// it got back - the ground truth the test compares the probes' values with - on stdout
// and as the path of an access() call (which fails with ENOENT), where a probe can read
// it:
//
//   ipcwl: msq=ID sem=ID shm=ID shmaddr=0xADDR mqd=FD rcv=N mqrcv=N prio=P
//
// The sequence: msgget IPC_PRIVATE IPC_CREAT|0600, msgsnd 5 bytes of type 1, msgrcv
// IPC_NOWAIT, msgctl IPC_RMID; semget 1 semaphore, semctl SETVAL 3, semop -1
// IPC_NOWAIT, semtimedop -1 SEM_UNDO with a 0.1 s timeout, semctl IPC_RMID; shmget 4096
// bytes, shmat, shmdt, shmctl IPC_RMID; mq_open "ipcwl_q" O_RDWR|O_CREAT 0600,
// mq_timedsend 5 bytes priority 7, mq_timedreceive, mq_getsetattr, close, mq_unlink.
#define _GNU_SOURCE
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

struct wl_msg {
	long mtype;
	char mtext[64];
};

int main(void)
{
	struct wl_msg snd = { 1, "hello" }, rcv;
	struct sembuf op = { 0, -1, IPC_NOWAIT };
	struct timespec ts = { 0, 100000000 };
	struct mq_attr attr;
	char buf[8192], report[200];
	unsigned int prio = 0;
	long msq, sem, shm, mqd, got, mqgot;
	void *addr;

	prctl(PR_SET_NAME, "ipc_on", 0, 0, 0);
	msq = syscall(SYS_msgget, IPC_PRIVATE, IPC_CREAT | 0600);
	syscall(SYS_msgsnd, msq, &snd, 5L, 0);
	got = syscall(SYS_msgrcv, msq, &rcv, (long)sizeof(rcv.mtext), 0L, IPC_NOWAIT);
	syscall(SYS_msgctl, msq, IPC_RMID, NULL);

	sem = syscall(SYS_semget, IPC_PRIVATE, 1, IPC_CREAT | 0600);
	syscall(SYS_semctl, sem, 0, SETVAL, 3L);
	syscall(SYS_semop, sem, &op, 1L);
	op.sem_flg = SEM_UNDO;
	syscall(SYS_semtimedop, sem, &op, 1L, &ts);
	syscall(SYS_semctl, sem, 0, IPC_RMID, 0L);

	shm = syscall(SYS_shmget, IPC_PRIVATE, 4096L, IPC_CREAT | 0600);
	addr = (void *)syscall(SYS_shmat, shm, NULL, 0);
	syscall(SYS_shmdt, addr);
	syscall(SYS_shmctl, shm, IPC_RMID, NULL);

	mqd = syscall(SYS_mq_open, "ipcwl_q", O_RDWR | O_CREAT, 0600, NULL);
	syscall(SYS_mq_timedsend, mqd, "hello", 5L, 7, NULL);
	mqgot = syscall(SYS_mq_timedreceive, mqd, buf, (long)sizeof(buf), &prio, NULL);
	syscall(SYS_mq_getsetattr, mqd, NULL, &attr);
	syscall(SYS_close, mqd);
	syscall(SYS_mq_unlink, "ipcwl_q");
	prctl(PR_SET_NAME, "ipcwl", 0, 0, 0);

	snprintf(report, sizeof(report),
		 "ipcwl: msq=%ld sem=%ld shm=%ld shmaddr=%p mqd=%ld rcv=%ld mqrcv=%ld prio=%u",
		 msq, sem, shm, addr, mqd, got, mqgot, prio);
	puts(report);
	access(report, F_OK);
	return 0;
}
