/* common.h - helpers shared by staprun (module loading) and stapio (the I/O loop). */
#ifndef STAPRUN_COMMON_H
#define STAPRUN_COMMON_H

#include <stddef.h>
#include <sys/types.h>

#define STAP_VERSION "5.0"

extern int verbose;
extern const char *progname;

/* -C WHEN: color "ERROR:"/"WARNING:" on a terminal. */
enum color_mode { COLOR_AUTO, COLOR_NEVER, COLOR_ALWAYS };
int set_color_mode(const char *when);          /* 0, or -1 for a bad WHEN */

void err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));   /* "ERROR: ..." */
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));  /* "WARNING: ..." */
void dbug(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Writes a message that already carries its "ERROR: "/"WARNING: " prefix to stderr. */
void emit_message(const char *text, size_t len);

/* Reads SYSTEMTAP_VERBOSE into verbose. */
void verbose_from_env(void);

/* "path/to/stap_abc.ko" -> "stap_abc"; NULL if the name is not a valid module name. */
char *module_name_from_path(const char *path);
int valid_module_name(const char *name);

/* delete_module(name), retrying briefly while the module is busy; 0 or -1 (reported
 * unless quiet). */
int remove_module(const char *name, int quiet);

/* Makes sure debugfs is mounted and returns its mount point (static storage). */
const char *debugfs_root(void);

/* "ROOT/systemtap/NAME/FILE" into buf. */
void module_file_path(char *buf, size_t size, const char *root, const char *name,
		      const char *file);

/* Directory holding this executable (static storage), to find companion programs. */
const char *self_dir(void);

/* Parses a decimal number in [min, max]; 0, or -1 when text is not one. */
int parse_long(const char *text, long min, long max, long *out);

#endif
