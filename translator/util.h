/* util.h - small file and process helpers for the driver and the build/run passes. */
#ifndef STAP_UTIL_H
#define STAP_UTIL_H

#include <stdio.h>

int write_file(const char *path, const char *text);            /* 0 or -1 */
int copy_file(const char *from, const char *to);              /* 0 or -1 */
void print_file(FILE *out, const char *path);                 /* best effort */
int file_exists(const char *path);
int remove_tree(const char *path);                            /* rm -rf */
const char *shell_quote(const char *s);                       /* arena string, '...' quoted */
/* Trimmed first line of a file (arena), or NULL. */
const char *read_first_line(const char *path);

#endif
