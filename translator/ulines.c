/* ulines.c - source lines of user binaries for the module (usymfileline() and friends).
 *
 * For each -d binary (and --ldd library) usymbols.c hands over, the DWARF line table is
 * read with libdw, from the binary itself or, when it has none, from its separate debug
 * file (found by its GNU build-id under /usr/lib/debug/.build-id, or by its
 * .gnu_debuglink name as gdb finds it; it must carry the same build-id). Every row in
 * an executable PT_LOAD segment is turned into a *file offset* (the key the runtime
 * looks addresses up by, wherever the file is mapped) with its line and source file
 * (the path libdw gives, directory included, joined to the compilation directory when
 * relative, as addr2line shows it); the end of each sequence becomes a
 * row with line 0, so that code without line information (a static binary's libc)
 * doesn't borrow the line before it. The rows are sorted, only those that start a new
 * (file, line) are kept, and file names are stored once. The table is emitted as
 * parallel arrays of 32-bit offsets and lines and 16-bit file indexes, bounded by
 * ULINES_MAX_ROWS per binary and ULINES_MAX_TOTAL in all: a table over the bounds is
 * left out with a warning, and its addresses then show in hex. Nothing here runs unless the script calls a function
 * that needs the tables (ulines_wanted()).
 */
#define _GNU_SOURCE
#include "ulines.h"
#include "arena.h"
#include "diag.h"
#include "elaborate.h"
#include "emit.h"

#include <elfutils/libdw.h>
#include <elfutils/libdwelf.h>
#include <elfutils/../dwarf.h>              /* not translator/dwarf.h */
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ULINES_MAX_ROWS 400000          /* ~10 bytes a row in the module */
#define ULINES_MAX_FILES 65535          /* file indexes are 16-bit */
#define ULINES_MAX_TOTAL 1000000        /* rows of all the tables of one module */

struct urow {
	uint32_t off, line, file;
	uint32_t order;                 /* reading order: the later of equal offsets wins */
};

struct ulines {
	struct urow *rows;
	unsigned n, cap;
	const char **srcs;              /* file names, each once */
	unsigned nsrcs;
	unsigned *slots;                /* hash of srcs: index + 1, 0 when empty */
	unsigned nslots;
	int overflow;
};

/* ---- which programs want the tables ---- */

int ulines_wanted(const struct program *p)
{
	for (const struct function_info *f = p ? p->functions : NULL; f; f = f->next)
		if (f->used && f->is_embedded && f->decl->body->text &&
		    strstr(f->decl->body->text, "STP_ULINE_"))
			return 1;
	return 0;
}

/* ---- building a table ---- */

static unsigned str_hash(const char *s)
{
	unsigned h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static void *checked(void *v)
{
	if (!v) {
		fprintf(stderr, "ERROR: out of memory\n");
		exit(1);
	}
	return v;
}

/* Doubles the hash of file names (and the room for them). */
static void rehash(struct ulines *t)
{
	unsigned i;

	t->nslots = t->nslots ? t->nslots * 2 : 64;
	free(t->slots);
	t->slots = checked(calloc(t->nslots, sizeof(*t->slots)));
	t->srcs = checked(realloc(t->srcs, t->nslots * sizeof(*t->srcs)));
	for (unsigned k = 0; k < t->nsrcs; k++) {
		for (i = str_hash(t->srcs[k]) & (t->nslots - 1); t->slots[i];
		     i = (i + 1) & (t->nslots - 1))
			;
		t->slots[i] = k + 1;
	}
}

/* The index of source file name in t->srcs, added the first time. */
static unsigned src_index(struct ulines *t, const char *name)
{
	unsigned i;

	if (2 * (t->nsrcs + 1) > t->nslots)
		rehash(t);
	for (i = str_hash(name) & (t->nslots - 1); t->slots[i]; i = (i + 1) & (t->nslots - 1))
		if (!strcmp(t->srcs[t->slots[i] - 1], name))
			return t->slots[i] - 1;
	t->srcs[t->nsrcs] = arena_strdup(g_arena, name);
	t->slots[i] = ++t->nsrcs;
	return t->nsrcs - 1;
}

/* The file offset of v in an executable segment (its end included for the end of a
 * sequence), or -1. */
static int64_t text_offset(const struct usegs *sg, uint64_t v, int end)
{
	for (int i = 0; i < sg->n; i++) {
		const GElf_Phdr *ph = &sg->load[i];
		if ((ph->p_flags & PF_X) && v >= ph->p_vaddr &&
		    (v < ph->p_vaddr + ph->p_filesz || (end && v == ph->p_vaddr + ph->p_filesz)))
			return (int64_t)(v - ph->p_vaddr + ph->p_offset);
	}
	return -1;
}

static void add_row(struct ulines *t, int64_t off, unsigned line, const char *src)
{
	if (off < 0 || off > UINT32_MAX)
		return;
	if (t->n >= 4 * ULINES_MAX_ROWS) {      /* enough to know it is too big */
		t->overflow = 1;
		return;
	}
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 1024;
		t->rows = checked(realloc(t->rows, (size_t)t->cap * sizeof(*t->rows)));
	}
	t->rows[t->n] = (struct urow){ (uint32_t)off, line, line ? src_index(t, src) : 0, t->n };
	t->n++;
}

/* The rows of one unit's line table. A relative source name is joined to the unit's
 * DW_AT_comp_dir, as addr2line shows it. */
static void add_unit_lines(struct ulines *t, Dwarf_Die *cudie, const struct usegs *sg)
{
	Dwarf_Attribute attr;
	const char *comp = dwarf_formstring(dwarf_attr(cudie, DW_AT_comp_dir, &attr));
	const char *joined_of = NULL;
	char joined[PATH_MAX];
	Dwarf_Lines *lines;
	size_t n;

	if (dwarf_getsrclines(cudie, &lines, &n) != 0)
		return;
	for (size_t i = 0; i < n && !t->overflow; i++) {
		Dwarf_Line *l = dwarf_onesrcline(lines, i);
		Dwarf_Addr addr;
		int line = 0;
		bool end = false;
		const char *src;

		if (!l || dwarf_lineaddr(l, &addr) || dwarf_lineendsequence(l, &end))
			continue;
		src = end ? NULL : dwarf_linesrc(l, NULL, NULL);
		if (!end && (dwarf_lineno(l, &line) || line < 0 || !src))
			line = 0;
		if (line && src[0] != '/' && comp && *comp) {
			if (src != joined_of)
				snprintf(joined, sizeof(joined), "%s/%s", comp, src);
			joined_of = src;
			src = joined;
		}
		add_row(t, text_offset(sg, addr, end), end ? 0 : (unsigned)line, src);
	}
}

/* Whether elf carries the build-id id (any file does when id is NULL). */
static int same_build_id(Elf *elf, const unsigned char *id, unsigned len)
{
	const void *got;
	ssize_t n;

	if (!id || !len)
		return 1;
	n = dwelf_elf_gnu_build_id(elf, &got);
	return n == (ssize_t)len && !memcmp(got, id, len);
}

/* Reads the line tables of every unit of the DWARF in the file at path (when it has the
 * build-id id, if given); returns its .gnu_debuglink name, or NULL. */
static const char *read_dwarf_file(struct ulines *t, const char *path, const struct usegs *sg,
				   const unsigned char *id, unsigned id_len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	Elf *elf = fd >= 0 ? elf_begin(fd, ELF_C_READ_MMAP, NULL) : NULL;
	Dwarf *dw = elf && same_build_id(elf, id, id_len) ?
		    dwarf_begin_elf(elf, DWARF_C_READ, NULL) : NULL;
	const char *link = elf ? dwelf_elf_gnu_debuglink(elf, &(GElf_Word){ 0 }) : NULL;
	Dwarf_CU *cu = NULL;
	Dwarf_Die cudie, subdie;
	uint8_t unit_type;
	Dwarf_Half version;

	link = link ? arena_strdup(g_arena, link) : NULL;
	while (dw && dwarf_get_units(dw, cu, &cu, &version, &unit_type, &cudie, &subdie) == 0) {
		if (unit_type == DW_UT_type || unit_type == DW_UT_split_type)
			continue;
		add_unit_lines(t, &cudie, sg);
	}
	if (dw)
		dwarf_end(dw);
	if (elf)
		elf_end(elf);
	if (fd >= 0)
		close(fd);
	return link;
}

static int row_order(const void *a, const void *b)
{
	const struct urow *x = a, *y = b;

	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	if (!x->line != !y->line)               /* an end (line 0) before a start */
		return !x->line ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* Sorts the rows by offset, keeps the last row at each offset (the last one read, and a
 * sequence starting where another ends wins over that end), then only rows that change
 * the (file, line). */
static void settle_rows(struct ulines *t)
{
	unsigned n = 0;

	qsort(t->rows, t->n, sizeof(*t->rows), row_order);
	for (unsigned i = 0; i < t->n; i++) {
		if (i + 1 < t->n && t->rows[i + 1].off == t->rows[i].off)
			continue;
		if (n && t->rows[n - 1].line == t->rows[i].line &&
		    t->rows[n - 1].file == t->rows[i].file)
			continue;
		if (!n && !t->rows[i].line)
			continue;               /* nothing before it to end */
		t->rows[n++] = t->rows[i];
	}
	t->n = n;
}

static void ulines_free(struct ulines *t)
{
	free(t->rows);
	free(t->srcs);
	free(t->slots);
	free(t);
}

/* Where the separate debug file of a binary may be: by its build-id
 * (/usr/lib/debug/.build-id/NN/REST.debug), then by its .gnu_debuglink name (next to it,
 * in .debug/ there, under /usr/lib/debug/ + its directory), like gdb looks. */
static int debug_candidates(const char *path, const char *link, const unsigned char *id,
			    unsigned len, const char **cand)
{
	const char *slash = strrchr(path, '/');
	int dir = slash ? (int)(slash - path) : 0, n = 0;

	if (len >= 2) {
		char *hex = arena_alloc(g_arena, 2 * (size_t)len + 1);
		for (unsigned k = 0; k < len; k++)
			sprintf(hex + 2 * k, "%02x", id[k]);
		cand[n++] = arena_printf(g_arena, "/usr/lib/debug/.build-id/%.2s/%s.debug", hex,
					 hex + 2);
	}
	if (link && *link && !strchr(link, '/')) {
		cand[n++] = arena_printf(g_arena, "%.*s/%s", dir, path, link);
		cand[n++] = arena_printf(g_arena, "%.*s/.debug/%s", dir, path, link);
		cand[n++] = arena_printf(g_arena, "/usr/lib/debug%.*s/%s", dir, path, link);
	}
	return n;
}

static unsigned total_rows;             /* of the tables read so far */

struct ulines *ulines_read(const char *path, const struct usegs *sg,
			   const unsigned char *build_id, unsigned build_id_len)
{
	struct ulines *t = calloc(1, sizeof(*t));
	const char *link, *cand[4];
	int n;

	if (!t)
		return NULL;
	elf_version(EV_CURRENT);
	link = read_dwarf_file(t, path, sg, NULL, 0);
	n = t->n ? 0 : debug_candidates(path, link, build_id, build_id_len, cand);
	for (int i = 0; i < n && !t->n; i++)
		if (strcmp(cand[i], path) && access(cand[i], R_OK) == 0)
			read_dwarf_file(t, cand[i], sg, build_id, build_id_len);
	settle_rows(t);
	if (t->overflow || t->n > ULINES_MAX_ROWS || t->nsrcs > ULINES_MAX_FILES)
		diag_warning(NULL, NULL, "line table of '%s' left out: over %u rows or %u "
			     "source files (usymfileline() shows its addresses in hex)", path,
			     ULINES_MAX_ROWS, ULINES_MAX_FILES);
	else if (t->n && total_rows + t->n > ULINES_MAX_TOTAL)
		diag_warning(NULL, NULL, "line table of '%s' left out: the tables would have "
			     "over %u rows in all (usymfileline() shows its addresses in hex)",
			     path, ULINES_MAX_TOTAL);
	else if (t->n) {
		total_rows += t->n;
		return t;
	}
	ulines_free(t);
	return NULL;
}

/* ---- the table as C ---- */

/* One array of t's rows: field 0 offsets, 1 lines, 2 file indexes; 12 a line. */
static void emit_column(struct emitter *e, const struct ulines *t, int i, int field)
{
	static const char *const decl[] = { "unsigned int stp_uline_offs",
		"unsigned int stp_uline_lines", "unsigned short stp_uline_files" };
	char buf[12 * 16 + 1];

	emit(e, "static const %s_%d[] = {", decl[field], i);
	for (unsigned k = 0; k < t->n; k += 12) {
		size_t at = 0;
		for (unsigned j = k; j < t->n && j < k + 12; j++) {
			const struct urow *r = &t->rows[j];
			at += (size_t)sprintf(buf + at, field == 0 ? "0x%x," : "%u,",
					      field == 0 ? r->off : field == 1 ? r->line : r->file);
		}
		emit(e, "%s", buf);
	}
	emit(e, "};");
}

void ulines_emit(struct emitter *e, const struct ulines *t, int i)
{
	emit(e, "/* line table: %u rows, %u source files */", t->n, t->nsrcs);
	for (int field = 0; field < 3; field++)
		emit_column(e, t, i, field);
	emit(e, "static const char *const stp_uline_srcs_%d[] = {", i);
	for (unsigned k = 0; k < t->nsrcs; k++)
		emit(e, "%s,", c_string_literal(t->srcs[k], strlen(t->srcs[k])));
	emit(e, "};");
	emit(e, "static const struct stp_uline_table stp_ulines_%d = { stp_uline_offs_%d, "
	     "stp_uline_lines_%d, stp_uline_files_%d, %u, stp_uline_srcs_%d, %u };", i, i, i, i,
	     t->n, i, t->nsrcs);
}
