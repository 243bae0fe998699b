/* kbuild_recipe.h - the commands kbuild runs for a module, learnt once per kernel (see
 * kbuild_recipe.c). Templates hold %NAME% (module), %BASE% (object's base name), %CFLAGS%
 * (the module's ccflags-y), %OUT%, %IN%, %LIST% (a file listing objects) and %DIR%; they run
 * with /bin/sh in the kernel's build tree. */
#ifndef STAP_KBUILD_RECIPE_H
#define STAP_KBUILD_RECIPE_H

#include "session.h"

struct kbuild_recipe {
	const char *key;           /* kernel, -B options: names cache/kbuild/KEY */
	const char *dir;           /* cache/kbuild/KEY */
	const char *cc;            /* compile a C file: ... -c -o %OUT% %IN% */
	const char *cc_pch;        /* the same without the -include options */
	const char *cc_post;       /* after compiling (objtool), or "" */
	const char *includes;      /* the -include files, "#include" lines for a header */
	const char *mod_cc;        /* compile NAME.mod.c */
	const char *mod_cc_pch;
	const char *link;          /* ld -r: %OUT% from the objects listed in %LIST% */
	const char *modpost;       /* modpost for %DIR%/modules.order */
	const char *link_ko;       /* %DIR%/%NAME%.ko from %DIR%/%NAME%.o and .mod.o */
	int pch;                   /* the precompiled header was checked and is used */
};

/* The recipe for s's kernel and -B options: loaded from the cache, or learnt now from a
 * kbuild run of a small module in s->tmpdir and checked by building it again with the
 * recipe. 0 on success; -1 when the fast path can't be used (the reason with -v). */
int recipe_get(struct session *s, struct kbuild_recipe *r);

/* tmpl with each %VAR% replaced: vars is { "NAME", value, ..., NULL }. */
const char *recipe_expand(const char *tmpl, const char *const *vars);

#endif
