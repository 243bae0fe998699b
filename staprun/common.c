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

#include "transport_msgs.h"

int verbose;
const char *progname = "staprun";
static enum color_mode color_mode = COLOR_AUTO;

int set_color_mode(const char *when)
{
	if (strcmp(when, "auto") == 0)
		color_mode = COLOR_AUTO;
	else if (strcmp(when, "never") == 0)
		color_mode = COLOR_NEVER;
	else if (strcmp(when, "always") == 0)
		color_mode = COLOR_ALWAYS;
	else
		return -1;
	return 0;
}

static int use_color(void)
{
	static int tty = -1;

	if (color_mode == COLOR_NEVER)
		return 0;
	if (color_mode == COLOR_ALWAYS)
		return 1;
	if (tty < 0) {
		const char *term = getenv("TERM");
		tty = isatty(STDERR_FILENO) && term && strcmp(term, "dumb") != 0;
	}
	return tty;
}

/* Writes text to stderr in one write() (so lines from several processes don't
 * interleave), coloring a leading "ERROR:" (bold red) or "WARNING:" (bold magenta). */
void emit_message(const char *text, size_t len)
{
	char buf[4096 + 64];
	const char *color = NULL;
	size_t plen = 0, n = 0;

	if (use_color()) {
		if (len >= 6 && memcmp(text, "ERROR:", 6) == 0)
			color = "\033[01;31m", plen = 6;
		else if (len >= 8 && memcmp(text, "WARNING:", 8) == 0)
			color = "\033[01;35m", plen = 8;
	}
	if (color && len + 32 < sizeof(buf)) {
		n = (size_t)snprintf(buf, sizeof(buf), "%s%.*s\033[0m", color, (int)plen, text);
		memcpy(buf + n, text + plen, len - plen);
		n += len - plen;
		text = buf;
		len = n;
	}
	while (len) {
		ssize_t w = write(STDERR_FILENO, text, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		text += w;
		len -= (size_t)w;
	}
}

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
	emit_message(buf, len);
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
	snprintf(prefix, sizeof(prefix), "%s[%d]: ", progname, (int)getpid());
	va_start(ap, fmt);
	vreport(prefix, fmt, ap);
	va_end(ap);
}

void verbose_from_env(void)
{
	const char *v = getenv("SYSTEMTAP_VERBOSE");
	long n;

	if (v && parse_long(v, 0, 100, &n) == 0)
		verbose = (int)n;
}

int parse_long(const char *text, long min, long max, long *out)
{
	char *end;
	long v;

	if (!text || !*text)
		return -1;
	errno = 0;
	v = strtol(text, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
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

void module_file_path(char *buf, size_t size, const char *root, const char *name,
		      const char *file)
{
	snprintf(buf, size, "%s/%s/%s%s%s", root, STP_DEBUGFS_DIR, name, file ? "/" : "",
		 file ? file : "");
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

int remove_module(const char *name, int quiet)
{
	int e = 0;

	/* A module whose files are being closed may be briefly busy; retry a little. */
	for (int tries = 0; tries < 30; tries++) {
		if (syscall(SYS_delete_module, name, O_NONBLOCK) == 0)
			return 0;
		e = errno;
		if (e != EAGAIN && e != EBUSY)
			break;
		usleep(100 * 1000);
	}
	if (quiet)
		return -1;
	switch (e) {
	case ENOENT:
		err("Couldn't remove module '%s': it is not loaded", name);
		break;
	case EAGAIN:
	case EBUSY:
		err("Couldn't remove module '%s': it is in use (is a stapio attached to it?)",
		    name);
		break;
	case EPERM:
		err("Couldn't remove module '%s': Operation not permitted", name);
		break;
	default:
		err("Couldn't remove module '%s': %s", name, strerror(e));
	}
	return -1;
}
