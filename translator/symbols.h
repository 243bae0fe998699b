/* symbols.h - a kernel symbol table: names, addresses, kallsyms type letters.
 *
 * Loaded from a System.map (`ADDR TYPE NAME` lines) or an ELF symbol table, with a hash on
 * names and an address-sorted index, for kprobe.function("NAME"), wildcards, and address ->
 * symbol+offset (backtraces). Names are kept exactly as in the map, including compiler
 * suffixes ("__netif_receive_skb_core.constprop.0"); sym_lookup() also accepts the plain name
 * of such a clone when no symbol has that exact name.
 *
 *   sym_load_kernel(release, build_dir, &err)  /usr/lib/debug/boot/System.map-R, /boot/
 *        System.map-R (unless it is Debian's placeholder), BUILD_DIR/System.map, then the
 *        ELF symtab of the debug vmlinux (/usr/lib/debug/boot/vmlinux-R, BUILD_DIR/vmlinux).
 *        With release == NULL only BUILD_DIR is used.
 *   sym_load_file(path, &err)    a System.map, or any ELF file (by its magic)
 *   sym_lookup(t, name)          first symbol with that name (text symbols first), or NULL
 *   sym_match(t, pat, flags, &n) every symbol matching a shell wildcard: a malloc'ed array
 *                                of pointers the caller frees; sorted by address
 *   sym_at(t, addr, &off)        the symbol containing addr (text: up to the next symbol)
 *
 * Errors use SystemTap's wording ("Kernel function symbol table missing [man
 * warning::symbols]").
 */
#ifndef STAP_SYMBOLS_H
#define STAP_SYMBOLS_H

#include <stdint.h>

struct ksym {
	const char *name;
	uint64_t addr;
	uint64_t size;          /* from the ELF symtab, or the distance to the next symbol */
	char type;              /* kallsyms letter: T t W w D d B b R r A ... */
};

struct sym_table;

enum { SYM_FUNCS = 1 };         /* sym_match flag: text symbols (T t W w) only */

struct sym_table *sym_load_kernel(const char *release, const char *build_dir, char **err);
struct sym_table *sym_load_file(const char *path, char **err);
void sym_free(struct sym_table *t);

int sym_count(const struct sym_table *t);
const char *sym_source(const struct sym_table *t);      /* the file it came from */
const struct ksym *sym_lookup(const struct sym_table *t, const char *name);
const struct ksym **sym_match(const struct sym_table *t, const char *pattern, int flags, int *n);
const struct ksym *sym_at(const struct sym_table *t, uint64_t addr, uint64_t *offset);
int sym_is_func(const struct ksym *s);

#endif
