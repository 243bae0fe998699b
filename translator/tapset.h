/* tapset.h - the tapset library: its search path, its macros, and an index so that only
 * the files a script needs are parsed.
 *
 * Search path, in order: each -I DIR, then the library directory (in-tree tapset/, or the
 * installed one; SYSTEMTAP_TAPSET replaces it), each with its linux/ and ARCH/
 * subdirectories, files in name order within a directory.
 *
 * Macros: every .stpm file on the path is read by tapset_load_macros() before the user
 * script is parsed (pass 1), so library @define macros are visible everywhere.
 *
 * Scripts: the .stp files are not all parsed. An index maps each name a file may define
 * at the top level - functions ('f'), probe aliases ('a', "syscall.open"), globals
 * ('g'); private names are left out - to the files that define it. It is built by
 * scanning the files' tokens (both arms of %( %? %: %) conditionals count, so the index
 * may promise more than a file delivers, never less) and cached in
 * ~/.systemtap/cache/tapset-index-HASH (or $SYSTEMTAP_DIR/cache), keyed by the search
 * path and every file's path, size and mtime, so a run with an unchanged library reads
 * one small file instead of lexing hundreds. Elaboration asks for names as it meets
 * them (tapset_require) and each file is parsed at most once, when first needed.
 */
#ifndef STAP_TAPSET_H
#define STAP_TAPSET_H

#include "session.h"

/* Pass 1, before the user script: loads the library's .stpm macro files. */
void tapset_load_macros(struct session *s);

struct tapset_lib;

/* Opens the library (reads or rebuilds the index). on_load is called for each library
 * file when it has been parsed, in the order files are needed; the parsed files are also
 * chained on s->library. */
struct tapset_lib *tapset_open(struct session *s, void (*on_load)(struct script *sc, void *arg),
			       void *arg);

/* Parses every not-yet-parsed file that may define NAME as KIND ('f', 'g' or 'a').
 * Returns how many files were parsed now. */
int tapset_require(struct tapset_lib *L, char kind, const char *name);

/* Every distinct name of KIND in the index, sorted (alias wildcards, "similar:" hints).
 * The array lives as long as the library. */
const char *const *tapset_names(struct tapset_lib *L, char kind, int *n);

/* Parses every file of the library (the --dump-* listings). */
void tapset_require_all(struct tapset_lib *L);

/* Number of .stp files on the search path. */
int tapset_file_count(const struct tapset_lib *L);

#endif
