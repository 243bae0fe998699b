/* kact - kernel activity with known answers, for the run tests of the scheduler, process,
 * signal, memory, vfs and block tapsets.
 *
 *   kact fork | sched | kill | vm | file | exec | noop | irq | blk DEVICE
 *
 * Each command does one kind of work and then reports what it knows (the pid fork
 * returned, the address it touched, the inode it read...) as a "marker": a write(2) to
 * file descriptor -1 of one line "COMMAND VALUE...". The write fails with EBADF before it
 * reaches the VFS, so it disturbs nothing; a test script sees it on the raw_syscalls
 * tracepoint (id 1, first argument -1) and compares the tapset's values with these.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096L

static void marker(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (write(-1, line, n) != -1)
		_exit(99);
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

/* fork a child that exits with status 7; marker "fork CHILD STATUS". */
static int do_fork(void)
{
	int status;
	pid_t child = fork();

	if (child < 0)
		die("fork");
	if (child == 0)
		_exit(7);
	if (waitpid(child, &status, 0) != child)
		die("waitpid");
	marker("fork %d %d", child, status);
	return 0;
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("sched_setaffinity");
}

/* nice 5, sleep 20 ms on cpu 0, move to cpu 1; marker "sched PID NICE CPU". */
static int do_sched(void)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };

	if (nice(5) == -1)
		die("nice");
	pin(0);
	nanosleep(&ts, NULL);
	pin(1);
	marker("sched %d %d %d", getpid(), 5, sched_getcpu());
	return 0;
}

static volatile sig_atomic_t got;
static void on_signal(int sig)
{
	got = sig;
}

/* A child that waits for SIGUSR1 (with SIGUSR2 blocked); the parent sends it with kill(),
 * then sends itself SIGUSR2 with tgkill(). Marker "kill CHILD PARENT STATUS". */
static int do_kill(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t usr2, none;
	int ready[2], status;
	pid_t child;
	char c;

	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	sigemptyset(&none);
	if (pipe(ready))
		die("pipe");
	child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		sigaction(SIGUSR1, &sa, NULL);
		sigprocmask(SIG_BLOCK, &usr2, NULL);
		if (write(ready[1], "r", 1) != 1)
			_exit(2);
		while (!got)
			sigsuspend(&usr2);
		_exit(got == SIGUSR1 ? 0 : 3);
	}
	if (read(ready[0], &c, 1) != 1)
		die("read");
	usleep(100 * 1000);	/* until the child sleeps in sigsuspend() */
	if (kill(child, SIGUSR1))
		die("kill");
	if (waitpid(child, &status, 0) != child)
		die("waitpid");
	sigaction(SIGUSR2, &sa, NULL);
	syscall(SYS_tgkill, getpid(), gettid(), SIGUSR2);
	marker("kill %d %d %d", child, getpid(), status);
	return 0;
}

/* Writes 8 pages of a fresh anonymous mapping, forks a child that writes its first page
 * (a copy on write), unmaps it, grows the heap by 64 KiB and sets a 1000-byte extended
 * attribute (a 1000-byte kmalloc). Marker "vm ADDR LEN BRK BRKLEN". */
static int do_vm(void)
{
	long len = 8 * PAGE, i;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned long cur, start, end;
	char value[1000];
	pid_t child;

	if (p == MAP_FAILED)
		die("mmap");
	for (i = 0; i < len; i += PAGE)
		p[i] = 1;
	child = fork();
	if (child == 0) {
		p[0] = 2;
		_exit(0);
	}
	if (child < 0 || waitpid(child, NULL, 0) != child)
		die("fork");
	if (munmap(p, len))
		die("munmap");
	cur = (unsigned long)sbrk(0);
	start = (cur + PAGE - 1) & ~(PAGE - 1);
	end = (cur + 65536 + PAGE - 1) & ~(PAGE - 1);
	if (sbrk(65536) == (void *)-1)
		die("sbrk");
	memset(value, 'x', sizeof(value));
	close(open("/tmp/kact.x", O_CREAT | O_WRONLY, 0644));
	setxattr("/tmp/kact.x", "user.kact", value, sizeof(value), 0);
	marker("vm %lu %ld %lu %lu", (unsigned long)p, len, start, end - start);
	return 0;
}

/* Writes 1000 bytes to /tmp/kact.dat (and fails to read from the write-only descriptor),
 * opens it again, reads it whole (asking for 4096 bytes) and reads 50 bytes at offset
 * 100. Marker "file INO KDEV UDEV FDS": KDEV the device as the kernel encodes it
 * (major << 20 | minor), UDEV as stat() gives it, FDS the open descriptors then. */
static int do_file(void)
{
	char buf[4096];
	struct stat st;
	int fd, fds = 0;
	DIR *d;

	memset(buf, 'k', 1000);
	fd = open("/tmp/kact.dat", O_CREAT | O_TRUNC | O_WRONLY, 0644);
	if (fd < 0 || write(fd, buf, 1000) != 1000 || read(fd, buf, 10) != -1)
		die("write");
	close(fd);
	fd = open("/tmp/kact.dat", O_RDONLY);
	if (fd < 0 || fstat(fd, &st))
		die("open");
	if (read(fd, buf, sizeof(buf)) != 1000 || pread(fd, buf, 50, 100) != 50)
		die("read");
	d = opendir("/proc/self/fd");
	while (d && readdir(d))
		fds++;
	fds -= 3;	/* ".", ".." and the directory's own descriptor */
	closedir(d);
	marker("file %lu %u %lu %d", (unsigned long)st.st_ino,
	       major(st.st_dev) << 20 | minor(st.st_dev), (unsigned long)st.st_dev, fds);
	close(fd);
	return 0;
}

/* A child that execs "/work/kact noop a1"; marker "exec CHILD STATUS". */
static int do_exec(void)
{
	int status;
	pid_t child = fork();

	if (child < 0)
		die("fork");
	if (child == 0) {
		/* On the stack: the child's copy of the program's read-only data is not
		 * mapped until touched, and a probe can't fault it in. */
		char path[] = "/work/kact", a0[] = "kact", a1[] = "noop", a2[] = "a1";

		execl(path, a0, a1, a2, (char *)NULL);
		_exit(127);
	}
	if (waitpid(child, &status, 0) != child)
		die("waitpid");
	marker("exec %d %d", child, status);
	return 0;
}

/* Direct I/O on a block device: writes then reads 4096 bytes at byte 8192 (sector 16).
 * Marker "blk MAJOR MINOR". */
static int do_blk(const char *dev)
{
	struct stat st;
	void *buf;
	int fd = open(dev, O_RDWR | O_DIRECT);

	if (fd < 0 || fstat(fd, &st))
		die(dev);
	if (posix_memalign(&buf, PAGE, PAGE))
		die("posix_memalign");
	memset(buf, 0x5a, PAGE);
	if (pwrite(fd, buf, PAGE, 2 * PAGE) != PAGE || pread(fd, buf, PAGE, 2 * PAGE) != PAGE)
		die("direct I/O");
	marker("blk %u %u", major(st.st_rdev), minor(st.st_rdev));
	close(fd);
	return 0;
}

/* The interrupt count of the /proc/interrupts line that ends with NAME, summed over the
 * CPUs, and its irq number into *irq; -1 when there is none. */
static long irq_count(const char *name, int *irq)
{
	char line[512];
	long total = -1;
	FILE *f = fopen("/proc/interrupts", "r");

	while (f && fgets(line, sizeof(line), f)) {
		char *end = line + strcspn(line, "\n"), *p;
		size_t n = strlen(name);

		*end = '\0';
		if (end - line < (long)n || strcmp(end - n, name) || (end - n)[-1] != ' ')
			continue;
		*irq = strtol(line, &p, 10);
		for (total = 0, p++; ; ) {
			char *q;
			long v = strtol(p, &q, 10);

			if (q == p)
				break;
			total += v;
			p = q;
		}
	}
	if (f)
		fclose(f);
	return total;
}

/* Writes a line to the serial port ttyS0 and waits until it is sent, which takes its
 * transmit interrupts. Marker "irq IRQ DELTA": the port's irq number and how many
 * interrupts /proc/interrupts counted for it meanwhile. */
static int do_irq(void)
{
	int irq = -1, fd = open("/dev/ttyS0", O_WRONLY | O_NOCTTY);
	long before = irq_count("ttyS0", &irq);

	if (fd < 0 || before < 0)
		die("ttyS0");
	if (write(fd, "kact irq\r\n", 10) != 10 || tcdrain(fd))
		die("write ttyS0");
	close(fd);
	marker("irq %d %ld", irq, irq_count("ttyS0", &irq) - before);
	return 0;
}

static int do_noop(void)
{
	return 0;
}

static const struct {
	const char *name;
	int (*run)(void);
} commands[] = {
	{ "fork", do_fork }, { "sched", do_sched }, { "kill", do_kill }, { "vm", do_vm },
	{ "file", do_file }, { "exec", do_exec }, { "noop", do_noop }, { "irq", do_irq },
};

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(cmd, commands[i].name))
			return commands[i].run();
	if (!strcmp(cmd, "blk") && argc > 2)
		return do_blk(argv[2]);
	fprintf(stderr, "usage: kact fork|sched|kill|vm|file|exec|noop|irq|blk DEVICE\n");
	return 2;
}
