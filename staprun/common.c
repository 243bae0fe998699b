/* common.c - helpers shared by staprun and stapio; see common.h. */
#define _GNU_SOURCE
#include "common.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

int verbose;
const char *progname = "staprun";

static void vreport(const char *prefix, const char *fmt, va_list ap)
{
	char buf[2048];
	int n = snprintf(buf, sizeof(buf), "%s", prefix);

	vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
	size_t len = strlen(buf);
	if (len && buf[len - 1] != '\n' && len + 1 < sizeof(buf)) {
		buf[len++] = '\n';
		buf[len] = '\0';
	}
	/* One write, so lines from several processes don't interleave. */
	if (write(STDERR_FILENO, buf, len) < 0)
		return;
}

void err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("ERROR: ", fmt, ap);
	va_end(ap);
}

void warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("WARNING: ", fmt, ap);
	va_end(ap);
}

void dbug(int level, const char *fmt, ...)
{
	va_list ap;
	char prefix[64];

	if (verbose < level)
		return;
	snprintf(prefix, sizeof(prefix), "%s: ", progname);
	va_start(ap, fmt);
	vreport(prefix, fmt, ap);
	va_end(ap);
}

int valid_module_name(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n >= 56)          /* MODULE_NAME_LEN - 1 */
		return 0;
	for (const char *p = name; *p; p++)
		if (!(*p == '_' || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9')))
			return 0;
	return 1;
}

char *module_name_from_path(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	char *name = strdup(base);

	if (!name)
		return NULL;
	size_t n = strlen(name);
	if (n > 3 && strcmp(name + n - 3, ".ko") == 0)
		name[n - 3] = '\0';
	for (char *p = name; *p; p++)   /* the kernel reports '-' as '_' */
		if (*p == '-')
			*p = '_';
	if (!valid_module_name(name)) {
		free(name);
		return NULL;
	}
	return name;
}

#define DEBUGFS_MAGIC 0x64626720

const char *debugfs_root(void)
{
	static const char root[] = "/sys/kernel/debug";
	struct statfs st;

	if (statfs(root, &st) == 0 && st.f_type == DEBUGFS_MAGIC)
		return root;
	if (mount("debugfs", root, "debugfs", 0, NULL) != 0) {
		err("could not mount debugfs on %s: %s", root, strerror(errno));
		return NULL;
	}
	return root;
}

const char *self_dir(void)
{
	static char dir[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", dir, sizeof(dir) - 1);

	if (n <= 0)
		return ".";
	dir[n] = '\0';
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	return dir;
}

int remove_module(const char *name)
{
	/* A module whose probes are still completing may be briefly busy; retry a little. */
	for (int tries = 0; tries < 50; tries++) {
		if (syscall(SYS_delete_module, name, O_NONBLOCK) == 0)
			return 0;
		if (errno != EAGAIN && errno != EBUSY)
			break;
		usleep(100 * 1000);
	}
	err("Couldn't remove module '%s': %s", name, strerror(errno));
	return -1;
}

