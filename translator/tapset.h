/* tapset.h - the tapset library: finding and parsing the library's script files.
 *
 * Search path, in order: each -I DIR, then the library directory (in-tree tapset/, or the
 * installed one; SYSTEMTAP_TAPSET replaces it), each with its linux/ and ARCH/
 * subdirectories. Every .stp file found is parsed and returned (marked is_tapset);
 * elaboration keeps only what the script uses.
 */
#ifndef STAP_TAPSET_H
#define STAP_TAPSET_H

#include "session.h"

struct script *tapset_load(struct session *s);

#endif
