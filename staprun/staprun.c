/* staprun.c - loads a probe module, hands it to stapio for the run, unloads it.
 *
 * staprun [-v] [-w] [-o FILE] [-c CMD] [-x PID] MODULE.ko [name=value ...]
 * staprun -d MODULE           remove a loaded module
 *
 * staprun loads the module, then execs stapio with the same options (so the process keeps
 * its pid and its signals); stapio runs the session, relays the output, removes the module
 * and exits with the script's status (0, or 1 when the script hit errors).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common.h"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: staprun [options] MODULE [module-options]\n"
		"       staprun -d MODULE\n"
		"Options:\n"
		"  -v          increase verbosity\n"
		"  -w          suppress warnings\n"
		"  -o FILE     write the script's output to FILE\n"
		"  -c CMD      run CMD (via /bin/sh) while the script runs; stop when it exits\n"
		"  -x PID      set target() to PID\n"
		"  -d MODULE   remove MODULE and exit\n"
		"  -h          show this help\n");
}

static int load_module(const char *path, const char *params)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		err("Couldn't open '%s': %s", path, strerror(errno));
		return -1;
	}
	long ret = syscall(SYS_finit_module, fd, params, 0);
	int e = errno;
	close(fd);
	if (ret == 0)
		return 0;
	switch (e) {
	case EEXIST:
		err("Couldn't insert module '%s': a module of that name is already loaded", path);
		break;
	case ENOSYS:
		err("Couldn't insert module '%s': this kernel cannot load modules", path);
		break;
	case ENOEXEC:
		err("Couldn't insert module '%s': Invalid module format "
		    "(was it built for this kernel?)", path);
		break;
	case EPERM:
		err("Couldn't insert module '%s': Operation not permitted "
		    "(are you root? is module signing enforced?)", path);
		break;
	default:
		err("Couldn't insert module '%s': %s", path, strerror(e));
	}
	return -1;
}

/* Joins name=value arguments into the module parameter string. */
static char *join_params(int argc, char **argv)
{
	size_t len = 1;

	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	char *s = calloc(1, len);
	if (!s)
		return NULL;
	for (int i = 0; i < argc; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

/* Replaces this process with stapio, which runs the session and removes the module when
 * it ends. One process from here on, so a signal sent to staprun's pid reaches stapio. */
static void exec_stapio(char **argv)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/stapio", self_dir());
	if (access(path, X_OK) != 0)
		snprintf(path, sizeof(path), "%s/../libexec/stap/stapio", self_dir());
	execv(path, argv);
	err("Couldn't run %s: %s", path, strerror(errno));
}

int main(int argc, char **argv)
{
	const char *remove_name = NULL;
	int opt;

	progname = "staprun";
	/* stapio gets the same options; remember where they start and end. */
	while ((opt = getopt(argc, argv, "+vwo:c:x:d:h")) != -1) {
		switch (opt) {
		case 'v': verbose++; break;
		case 'w': case 'o': case 'c': case 'x': break;
		case 'd': remove_name = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 1;
		}
	}
	if (remove_name) {
		char *name = module_name_from_path(remove_name);
		if (!name) {
			err("invalid module name '%s'", remove_name);
			return 1;
		}
		return remove_module(name) ? 1 : 0;
	}
	if (optind >= argc) {
		usage(stderr);
		return 1;
	}
	const char *path = argv[optind];
	char *name = module_name_from_path(path);
	if (!name) {
		err("invalid module name in '%s'", path);
		return 1;
	}
	char *params = join_params(argc - optind - 1, argv + optind + 1);
	if (!params || load_module(path, params) != 0)
		return 1;
	dbug(1, "module %s loaded", name);

	/* stapio OPTIONS... MODULE_NAME */
	char **sargv = calloc((size_t)optind + 2, sizeof(char *));
	if (!sargv)
		return 1;
	sargv[0] = "stapio";
	for (int i = 1; i < optind; i++)
		sargv[i] = argv[i];
	sargv[optind] = name;
	exec_stapio(sargv);
	remove_module(name);
	return 1;
}
