/* openargs - makes system calls with arguments given on the command line, so run tests can
 * check target variables against known values.
 *
 *   openargs PATH FLAGS MODE    openat(AT_FDCWD, PATH, FLAGS, MODE), then write(fd,
 *                               "stap-args\n", 10) and close(fd); FLAGS and MODE are
 *                               numbers in C syntax (0101, 0x41, 65)
 *
 * Prints "fd=N" and exits 0, or prints the error and exits 1.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: openargs PATH FLAGS MODE\n");
		return 2;
	}
	int flags = (int)strtol(argv[2], NULL, 0);
	int mode = (int)strtol(argv[3], NULL, 0);
	int fd = (int)syscall(SYS_openat, AT_FDCWD, argv[1], flags, mode);

	if (fd < 0) {
		perror("openat");
		return 1;
	}
	if (write(fd, "stap-args\n", 10) != 10)
		perror("write");
	close(fd);
	printf("fd=%d\n", fd);
	return 0;
}
