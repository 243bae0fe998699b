/* common.h - helpers shared by staprun (module loading) and stapio (the I/O loop). */
#ifndef STAPRUN_COMMON_H
#define STAPRUN_COMMON_H

#include <stddef.h>

extern int verbose;
extern const char *progname;

void err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));   /* "ERROR: ..." */
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));  /* "WARNING: ..." */
void dbug(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "path/to/stap_abc.ko" -> "stap_abc"; NULL if the name is not a valid module name. */
char *module_name_from_path(const char *path);
int valid_module_name(const char *name);

/* delete_module(name), retrying briefly while the module is busy; 0 or -1 (reported). */
int remove_module(const char *name);

/* Makes sure debugfs is mounted and returns its mount point (static storage). */
const char *debugfs_root(void);

/* Directory holding this executable (static storage), to find companion programs. */
const char *self_dir(void);

#endif
