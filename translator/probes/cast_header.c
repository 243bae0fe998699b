/* cast_header.c - @cast(p, "TYPE", "kernel<linux/a.h><net/b.h>"): a type from kernel
 * headers, for types the kernel's own DWARF does not describe (used only by modules, or
 * by no code at all).
 *
 * The headers are compiled once per header set and kernel: a one-line C file including
 * them becomes a module object through the kernel's kbuild (so with its flags and
 * configuration), with -g and -fno-eliminate-unused-debug-types so every type they
 * declare gets DWARF. The object is kept in $SYSTEMTAP_DIR/cache/typeinfo/KEY.o (KEY
 * hashes the release, the build tree's .config and the header list) and opened as a
 * DWARF context; later translations reuse it. A type the headers do not define is looked
 * up as without them (the modules after a ':', then the kernel).
 */
#include "kernel_addr.h"
#include "../arena.h"
#include "../cache.h"
#include "../util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define A(...) arena_printf(g_arena, __VA_ARGS__)

struct header_set {
	const char *spec;               /* "kernel<linux/ip.h>" as written */
	struct dw_ctx *dw;              /* NULL after a failure (reported once) */
	struct header_set *next;
};
static struct header_set *sets;

/* "kernel<a.h><b.h>[:more]" -> "#include <a.h>\n#include <b.h>\n"; NULL if malformed. */
static const char *includes(const char *spec)
{
	const char *p = spec + strlen("kernel"), *text = "";

	if (*p != '<')
		return NULL;
	while (*p == '<') {
		const char *end = strchr(p, '>');

		if (!end || end == p + 1 || memchr(p + 1, '"', (size_t)(end - p - 1)) ||
		    memchr(p + 1, '\n', (size_t)(end - p - 1)))
			return NULL;
		text = A("%s#include <%.*s>\n", text, (int)(end - p - 1), p + 1);
		p = end + 1;
	}
	return *p == '\0' || *p == ':' ? text : NULL;
}

/* Builds the object for INC into OUT through kbuild; NULL or the build's complaint. */
static const char *compile(struct session *s, const char *inc, const char *out)
{
	char dir[] = "/tmp/stap-typeinfo.XXXXXX";
	const char *log, *cmd, *err = NULL;

	if (!mkdtemp(dir))
		return "cannot create a temporary directory";
	log = A("%s/build.log", dir);
	if (write_file(A("%s/stap_types.c", dir),
		       A("#include <linux/module.h>\n%sMODULE_LICENSE(\"GPL\");\n", inc)) != 0 ||
	    write_file(A("%s/Kbuild", dir), "obj-m := stap_types.o\n"
		       "ccflags-y := -g -fno-eliminate-unused-debug-types\n") != 0) {
		remove_tree(dir);
		return "cannot write the header compilation files";
	}
	cmd = A("make -C %s M=%s modules -s > %s 2>&1", shell_quote(s->build_dir), dir,
		shell_quote(log));
	if (system(cmd) != 0 || link_or_copy(A("%s/stap_types.o", dir), out) != 0) {
		const char *first = read_first_line(log);

		err = first ? first : "kbuild failed";
	}
	remove_tree(dir);
	return err;
}

/* The cached object for a header set, built if needed; NULL after reporting an error. */
static const char *object_for(struct session *s, const struct node *where, const char *inc)
{
	struct hasher *h = hasher_new();

	hash_str(h, "typeinfo-1");
	hash_str(h, s->release);
	hash_str(h, s->build_dir);
	hash_file(h, A("%s/.config", s->build_dir));
	hash_str(h, inc);
	const char *dir = A("%s/typeinfo", cache_dir());
	const char *obj = A("%s/%s.o", dir, hasher_hex(h));
	if (file_exists(obj))
		return obj;
	if (make_dirs(dir) != 0) {
		diag_semantic_error(&where->loc, where->tok_desc, "cannot create %s", dir);
		return NULL;
	}
	int lock = cache_lock(A("%s.lock", obj));
	const char *err = file_exists(obj) ? NULL : compile(s, inc, obj);
	cache_unlock(lock);
	if (err) {
		diag_semantic_error(&where->loc, where->tok_desc,
				    "cannot compile the headers of @cast for their types: %s", err);
		return NULL;
	}
	return obj;
}

struct dw_ctx *header_cast_dwarf(struct session *s, const struct node *where, const char *module,
				 const char *type)
{
	const char *inc;
	struct header_set *hs;
	char *err = NULL;

	if (strncmp(module, "kernel<", 7) != 0 || !(inc = includes(module)))
		return NULL;
	for (hs = sets; hs && strcmp(hs->spec, module); hs = hs->next)
		;
	if (!hs) {
		hs = NEW(struct header_set);
		hs->spec = arena_strdup(g_arena, module);
		hs->next = sets;
		sets = hs;
		const char *obj = object_for(s, where, inc);
		if (obj && !(hs->dw = dw_open_file(obj, &err))) {
			diag_semantic_error(&where->loc, where->tok_desc, "%s", err ? err : obj);
			free(err);
		}
	}
	if (!hs->dw || !dw_lookup_type(hs->dw, type, NULL))
		return NULL;
	return hs->dw;
}
