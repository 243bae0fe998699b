/* dwarf.c - opening debuginfo, compilation units, source file tables, probe specs.
 *
 * See dwarf.h for the API. Everything is opened through libdwfl ("offline" reporting), which
 * applies the relocations of ET_REL objects (modules, .o fixtures) to their DWARF. Source
 * file tables are read straight from the .debug_line headers (only the header: parsing the
 * whole line program of 2,000 kernel CUs just to name files costs 200 MB), with libdw's
 * dwarf_getsrcfiles() as the fallback for anything the small reader does not know.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "dwarf_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <gelf.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- allocation: everything lives in the context's arena ---- */

void *dw_alloc(struct dw_ctx *dw, size_t n)
{
	return arena_alloc(dw->ar, n ? n : 1);
}

char *dw_strdup(struct dw_ctx *dw, const char *s)
{
	return s ? arena_strdup(dw->ar, s) : NULL;
}

char *dw_printf(struct dw_ctx *dw, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = arena_vprintf(dw->ar, fmt, ap);
	va_end(ap);
	return s;
}

/* Error strings handed back before a context exists (open failures) are malloc'ed. */
static char *err_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *err_printf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

/* ---- opening ---- */

static char *debuginfo_path;
static const Dwfl_Callbacks offline_callbacks = {
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.section_address = dwfl_offline_section_address,
	.debuginfo_path = &debuginfo_path,
};

static bool file_exists(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static int load_cus(struct dw_ctx *dw)
{
	Dwarf_Off off = 0, next;
	size_t hsize;
	int cap = 0;

	while (dwarf_nextcu(dw->dbg, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		if (dw->ncu == cap) {
			cap = cap ? cap * 2 : 256;
			struct dw_cu *n = dw_alloc(dw, cap * sizeof(*n));
			if (dw->ncu)
				memcpy(n, dw->cus, dw->ncu * sizeof(*n));
			dw->cus = n;
		}
		memset(&dw->cus[dw->ncu], 0, sizeof(dw->cus[0]));
		dw->cus[dw->ncu++].off = off + hsize;
		off = next;
	}
	return dw->ncu;
}

/* Opens PATH (a file that has DWARF itself) as module MODNAME. */
static struct dw_ctx *open_path(const char *path, const char *modname, const char *release,
				char **err)
{
	struct dw_ctx *dw = calloc(1, sizeof(*dw));
	const unsigned char *bits;
	GElf_Addr vaddr;
	GElf_Ehdr ehdr;
	int n;

	dw->ar = arena_new();
	dw->path = arena_strdup(dw->ar, path);
	dw->modname = arena_strdup(dw->ar, modname);
	dw->release = release ? arena_strdup(dw->ar, release) : NULL;
	dw->dwfl = dwfl_begin(&offline_callbacks);
	if (!dw->dwfl)
		goto fail;
	dwfl_report_begin(dw->dwfl);
	dw->mod = dwfl_report_offline(dw->dwfl, modname, path, -1);
	dwfl_report_end(dw->dwfl, NULL, NULL);
	if (!dw->mod)
		goto fail;
	dw->dbg = dwfl_module_getdwarf(dw->mod, &dw->bias);
	if (!dw->dbg)
		goto fail;
	dw->elf = dwarf_getelf(dw->dbg);
	if (dw->elf && gelf_getehdr(dw->elf, &ehdr))
		dw->is_rel = ehdr.e_type == ET_REL;
	n = dwfl_module_build_id(dw->mod, &bits, &vaddr);
	for (int i = 0; i < n && i < 20; i++)
		sprintf(dw->build_id + 2 * i, "%02x", bits[i]);
	if (load_cus(dw) == 0)
		goto fail;
	return dw;
fail:
	if (err && !*err)
		*err = err_printf("no DWARF debuginfo in '%s': %s", path, dwfl_errmsg(-1));
	dw_close(dw);
	return NULL;
}

static bool has_debug_info(const char *path)
{
	int fd = open(path, O_RDONLY);
	Elf *e;
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	bool found = false;

	if (fd < 0)
		return false;
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (e && elf_getshdrstrndx(e, &shstrndx) == 0) {
		while (!found && (scn = elf_nextscn(e, scn))) {
			GElf_Shdr sh;
			const char *nm;

			if (gelf_getshdr(scn, &sh) && (nm = elf_strptr(e, shstrndx, sh.sh_name)) &&
			    (strcmp(nm, ".debug_info") == 0 || strcmp(nm, ".zdebug_info") == 0) &&
			    sh.sh_type != SHT_NOBITS)
				found = true;
		}
	}
	if (e)
		elf_end(e);
	close(fd);
	return found;
}

static char *missing_debuginfo(const char *build_dir)
{
	return err_printf("missing x86_64 kernel/module debuginfo [man warning::debuginfo] "
			  "under '%s'", build_dir);
}

struct dw_ctx *dw_open_kernel(const char *release, const char *build_dir, char **err)
{
	char *cand[3] = { NULL, NULL, NULL }, *bd = NULL;
	struct dw_ctx *dw = NULL;
	int n = 0;
	bool found = false;

	if (err)
		*err = NULL;
	if (!build_dir && release) {
		bd = err_printf("/lib/modules/%s/build", release);
		build_dir = bd;
	}
	if (release) {
		cand[n++] = err_printf("/usr/lib/debug/boot/vmlinux-%s", release);
		cand[n++] = err_printf("/usr/lib/debug/lib/modules/%s/vmlinux", release);
	}
	if (build_dir)
		cand[n++] = err_printf("%s/vmlinux", build_dir);
	for (int i = 0; i < n && !found; i++) {
		if (!cand[i] || !file_exists(cand[i]) || !has_debug_info(cand[i]))
			continue;
		found = true;
		dw = open_path(cand[i], "kernel", release, err);
	}
	if (!found && err)
		*err = missing_debuginfo(build_dir ? build_dir : "?");
	for (int i = 0; i < n; i++)
		free(cand[i]);
	free(bd);
	return dw;
}

/* ---- modules ---- */

char *dw_module_name(const char *path)
{
	const char *base = strrchr(path, '/');
	char *name = strdup(base ? base + 1 : path), *dot;

	if (!name)
		return NULL;
	dot = strstr(name, ".ko");
	if (dot && (!dot[3] || dot[3] == '.'))
		*dot = 0;
	for (char *p = name; *p; p++)
		if (*p == '-')
			*p = '_';
	return name;
}

/* The modules of one release, found once per process (a few thousand files). */
static struct modlist {
	char *release;
	struct dw_module *v;
	int n, cap;
} modlist;

static bool is_ko(const char *name)
{
	size_t n = strlen(name);

	return n > 3 && strcmp(name + n - 3, ".ko") == 0;
}

static void add_module(const char *path)
{
	char *name = dw_module_name(path);

	if (!name)
		return;
	for (int i = 0; i < modlist.n; i++)
		if (strcmp(modlist.v[i].name, name) == 0) {   /* a debug copy came first */
			free(name);
			return;
		}
	if (modlist.n == modlist.cap) {
		modlist.cap = modlist.cap ? modlist.cap * 2 : 1024;
		modlist.v = realloc(modlist.v, modlist.cap * sizeof(*modlist.v));
		if (!modlist.v)
			abort();
	}
	modlist.v[modlist.n].name = name;
	modlist.v[modlist.n++].path = strdup(path);
}

static void scan_modules(const char *dir, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char sub[PATH_MAX];

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || (depth == 0 && strcmp(de->d_name, "build") == 0) ||
		    (depth == 0 && strcmp(de->d_name, "source") == 0))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name);
		if (is_ko(de->d_name) && (de->d_type == DT_REG || de->d_type == DT_UNKNOWN ||
					  de->d_type == DT_LNK))
			add_module(sub);
		else if ((de->d_type == DT_DIR || de->d_type == DT_UNKNOWN) && depth < 12)
			scan_modules(sub, depth + 1);
	}
	closedir(d);
}

static int cmp_module(const void *a, const void *b)
{
	return strcmp(((const struct dw_module *)a)->name, ((const struct dw_module *)b)->name);
}

int dw_module_list(const char *release, const struct dw_module **out)
{
	char dir[PATH_MAX];

	*out = NULL;
	if (!release)
		return 0;
	if (!modlist.release || strcmp(modlist.release, release) != 0) {
		for (int i = 0; i < modlist.n; i++) {
			free(modlist.v[i].name);
			free(modlist.v[i].path);
		}
		free(modlist.release);
		modlist.n = 0;
		modlist.release = strdup(release);
		/* debug copies first: they are the ones with DWARF */
		snprintf(dir, sizeof(dir), "/usr/lib/debug/lib/modules/%s", release);
		scan_modules(dir, 0);
		snprintf(dir, sizeof(dir), "/lib/modules/%s", release);
		scan_modules(dir, 0);
		if (modlist.n > 1)
			qsort(modlist.v, modlist.n, sizeof(*modlist.v), cmp_module);
	}
	*out = modlist.v;
	return modlist.n;
}

struct dw_ctx *dw_open_module(const char *release, const char *name, char **err)
{
	const struct dw_module *mods;
	int n = dw_module_list(release, &mods);
	char *want = dw_module_name(name);
	char bd[PATH_MAX];

	if (err)
		*err = NULL;
	for (int i = 0; want && i < n; i++) {
		if (strcmp(mods[i].name, want) != 0)
			continue;
		free(want);
		if (has_debug_info(mods[i].path))
			return open_path(mods[i].path, mods[i].name, release, err);
		break;
	}
	free(want);
	snprintf(bd, sizeof(bd), "/lib/modules/%s/build", release);
	if (err)
		*err = missing_debuginfo(bd);
	return NULL;
}

struct dw_ctx *dw_open_file(const char *path, char **err)
{
	const char *base = strrchr(path, '/');
	struct dw_ctx *dw;
	char *name;

	if (err)
		*err = NULL;
	if (!file_exists(path)) {
		if (err)
			*err = err_printf("cannot open '%s': %s", path, strerror(errno));
		return NULL;
	}
	/* a kernel module is known by its module name, anything else by its file name */
	base = base ? base + 1 : path;
	name = is_ko(base) ? dw_module_name(base) : strdup(base);
	dw = open_path(path, name ? name : base, NULL, err);
	free(name);
	return dw;
}

void dw_index_free(struct dw_ctx *dw);

void dw_close(struct dw_ctx *dw)
{
	if (!dw)
		return;
	dw_index_free(dw);
	if (dw->dwfl)
		dwfl_end(dw->dwfl);
	arena_free(dw->ar);
	free(dw);
}

const char *dw_path(const struct dw_ctx *dw) { return dw->path; }
const char *dw_modname(const struct dw_ctx *dw) { return dw->modname; }
const char *dw_build_id(const struct dw_ctx *dw) { return dw->build_id; }
int dw_is_relocatable(const struct dw_ctx *dw) { return dw->is_rel; }

const char *dw_addr_section(struct dw_ctx *dw, uint64_t addr, uint64_t *offset)
{
	Dwarf_Addr a = addr;
	GElf_Word shndx;
	int i;
	const char *nm;

	if (!dw->is_rel)
		return NULL;
	i = dwfl_module_relocate_address(dw->mod, &a);
	if (i < 0)
		return NULL;
	nm = dwfl_module_relocation_info(dw->mod, i, &shndx);
	if (offset)
		*offset = a;
	return nm;
}

const char *dw_addr_symbol(struct dw_ctx *dw, uint64_t addr, uint64_t *offset)
{
	GElf_Off off = 0;
	GElf_Sym sym;
	const char *name = dwfl_module_addrinfo(dw->mod, addr, &off, &sym, NULL, NULL, NULL);

	if (!name || !*name)
		return NULL;
	if (offset)
		*offset = off;
	return dw_strdup(dw, name);
}

int dw_symbol_count(struct dw_ctx *dw, const char *name)
{
	int n = dwfl_module_getsymtab(dw->mod), count = 0;

	for (int i = 1; i < n; i++) {
		GElf_Sym sym;
		GElf_Addr addr;
		const char *nm = dwfl_module_getsym_info(dw->mod, i, &sym, &addr, NULL, NULL, NULL);

		if (nm && GELF_ST_TYPE(sym.st_info) != STT_SECTION && !strcmp(nm, name))
			count++;
	}
	return count;
}

static bool init_name(const char *nm)
{
	return strncmp(nm, ".init", 5) == 0 || strncmp(nm, ".exit", 5) == 0;
}

bool dw_addr_is_init(struct dw_ctx *dw, uint64_t addr)
{
	if (dw->is_rel) {
		const char *nm = dw_addr_section(dw, addr, NULL);

		return nm && init_name(nm);
	}
	if (!dw->init_loaded) {
		size_t shstrndx;
		Elf_Scn *scn = NULL;
		int cap = 0;

		dw->init_loaded = true;
		if (!dw->elf || elf_getshdrstrndx(dw->elf, &shstrndx) != 0)
			return false;
		while ((scn = elf_nextscn(dw->elf, scn))) {
			GElf_Shdr sh;
			const char *nm;

			if (!gelf_getshdr(scn, &sh) || !(sh.sh_flags & SHF_ALLOC) ||
			    !(nm = elf_strptr(dw->elf, shstrndx, sh.sh_name)) || !init_name(nm))
				continue;
			if (dw->ninit == cap) {
				cap = cap ? cap * 2 : 8;
				void *n = dw_alloc(dw, cap * sizeof(*dw->init_secs));
				if (dw->ninit)
					memcpy(n, dw->init_secs, dw->ninit * sizeof(*dw->init_secs));
				dw->init_secs = n;
			}
			dw->init_secs[dw->ninit].lo = sh.sh_addr + dw->bias;
			dw->init_secs[dw->ninit].hi = sh.sh_addr + sh.sh_size + dw->bias;
			dw->ninit++;
		}
	}
	for (int i = 0; i < dw->ninit; i++)
		if (addr >= dw->init_secs[i].lo && addr < dw->init_secs[i].hi)
			return true;
	return false;
}

/* Gives the kernel back the pages of .debug_info below UPTO (a walk over all CUs would
 * otherwise keep the whole 150 MB section resident). Only for sections that are still the
 * read-only file mapping: never for relocated (ET_REL) data, nor copies. */
void dw_drop_pages(struct dw_ctx *dw, uint64_t upto_off)
{
	static const char *secs[] = { ".debug_info" };
	size_t shstrndx, rawsize;
	char *raw;
	Elf_Scn *scn = NULL;
	long pg = sysconf(_SC_PAGESIZE);

	if (dw->is_rel || !dw->elf || elf_getshdrstrndx(dw->elf, &shstrndx) != 0)
		return;
	raw = elf_rawfile(dw->elf, &rawsize);
	if (!raw)
		return;
	while ((scn = elf_nextscn(dw->elf, scn))) {
		GElf_Shdr sh;
		const char *nm;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || !(nm = elf_strptr(dw->elf, shstrndx, sh.sh_name)))
			continue;
		if (strcmp(nm, secs[0]) != 0 || (sh.sh_flags & SHF_COMPRESSED))
			continue;
		d = elf_rawdata(scn, NULL);
		if (!d || !d->d_buf || (char *)d->d_buf < raw ||
		    (char *)d->d_buf + d->d_size > raw + rawsize)
			return;
		uintptr_t lo = ((uintptr_t)d->d_buf + pg - 1) & ~(uintptr_t)(pg - 1);
		uintptr_t hi = ((uintptr_t)d->d_buf + (upto_off < d->d_size ? upto_off : d->d_size))
			       & ~(uintptr_t)(pg - 1);
		if (hi > lo)
			madvise((void *)lo, hi - lo, MADV_DONTNEED);
		return;
	}
}

/* ---- compilation units ---- */

struct dw_cu *dw_cu_of_off(struct dw_ctx *dw, uint64_t cu_off)
{
	int lo = 0, hi = dw->ncu - 1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2;

		if (dw->cus[mid].off == cu_off)
			return &dw->cus[mid];
		if (dw->cus[mid].off < cu_off)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return NULL;
}

struct dw_cu *dw_cu_of_die(struct dw_ctx *dw, Dwarf_Die *die)
{
	Dwarf_Die cudie;

	if (!dwarf_diecu(die, &cudie, NULL, NULL))
		return NULL;
	return dw_cu_of_off(dw, dwarf_dieoffset(&cudie));
}

void dw_cu_info(struct dw_ctx *dw, struct dw_cu *cu)
{
	Dwarf_Die die;
	Dwarf_Attribute a;

	if (cu->info_loaded)
		return;
	cu->info_loaded = true;
	if (!dwarf_offdie(dw->dbg, cu->off, &die))
		return;
	cu->name = dw_strdup(dw, dwarf_diename(&die));
	cu->comp_dir = dw_strdup(dw, dwarf_formstring(dwarf_attr(&die, DW_AT_comp_dir, &a)));
}

/* ---- source file tables ---- */

/* Display form of a source path: relative to the compilation directory, no "./". */
static const char *display_path(struct dw_ctx *dw, struct dw_cu *cu, const char *dir,
				const char *name)
{
	char buf[PATH_MAX];
	const char *p;
	size_t n;

	if (!name)
		return NULL;
	if (name[0] == '/' || !dir || !*dir)
		snprintf(buf, sizeof(buf), "%s", name);
	else
		snprintf(buf, sizeof(buf), "%s/%s", dir, name);
	p = buf;
	if (cu->comp_dir && (n = strlen(cu->comp_dir)) && strncmp(p, cu->comp_dir, n) == 0 &&
	    p[n] == '/')
		p += n + 1;
	while (p[0] == '.' && p[1] == '/')
		p += 2;
	return dw_strdup(dw, p);
}

struct rd {
	const unsigned char *p, *end;
	bool bad;
};

static uint64_t rd_uleb(struct rd *r)
{
	uint64_t v = 0;
	int shift = 0;

	while (r->p < r->end) {
		unsigned char b = *r->p++;

		if (shift < 64)
			v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
		if (!(b & 0x80))
			return v;
	}
	r->bad = true;
	return 0;
}

static uint64_t rd_n(struct rd *r, int n)
{
	uint64_t v = 0;

	if (r->end - r->p < n) {
		r->bad = true;
		r->p = r->end;
		return 0;
	}
	for (int i = 0; i < n; i++)
		v |= (uint64_t)r->p[i] << (8 * i);
	r->p += n;
	return v;
}

static const char *rd_cstr(struct rd *r)
{
	const char *s = (const char *)r->p;
	const unsigned char *z = memchr(r->p, 0, r->end - r->p);

	if (!z) {
		r->bad = true;
		return NULL;
	}
	r->p = z + 1;
	return s;
}

static struct sec find_sec(struct dw_ctx *dw, const char *want)
{
	struct sec s = { NULL, 0 };
	size_t shstrndx;
	Elf_Scn *scn = NULL;

	if (!dw->elf || elf_getshdrstrndx(dw->elf, &shstrndx) != 0)
		return s;
	while ((scn = elf_nextscn(dw->elf, scn))) {
		GElf_Shdr sh;
		const char *nm;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || !(nm = elf_strptr(dw->elf, shstrndx, sh.sh_name)))
			continue;
		if (strcmp(nm, want) != 0)
			continue;
		if (sh.sh_flags & SHF_COMPRESSED)
			return s;
		d = elf_getdata(scn, NULL);
		if (d && d->d_buf) {
			s.buf = d->d_buf;
			s.size = d->d_size;
		}
		return s;
	}
	return s;
}

/* Reads one attribute value of a DWARF 5 entry format: strings or numbers. */
static bool rd_form(struct rd *r, unsigned form, int offsz, struct sec *str,
		    struct sec *lstr, const char **s, uint64_t *u)
{
	uint64_t o;

	*s = NULL;
	*u = 0;
	switch (form) {
	case DW_FORM_string: *s = rd_cstr(r); break;
	case DW_FORM_line_strp:
	case DW_FORM_strp: {
		struct sec *sec = form == DW_FORM_strp ? str : lstr;

		o = rd_n(r, offsz);
		if (!sec->buf || o >= sec->size || !memchr(sec->buf + o, 0, sec->size - o))
			return false;
		*s = (const char *)sec->buf + o;
		break;
	}
	case DW_FORM_udata: *u = rd_uleb(r); break;
	case DW_FORM_data1: *u = rd_n(r, 1); break;
	case DW_FORM_data2: *u = rd_n(r, 2); break;
	case DW_FORM_data4: *u = rd_n(r, 4); break;
	case DW_FORM_data8: *u = rd_n(r, 8); break;
	case DW_FORM_data16: rd_n(r, 8); rd_n(r, 8); break;
	case DW_FORM_block: o = rd_uleb(r);
		if ((uint64_t)(r->end - r->p) < o)
			return false;
		r->p += o;
		break;
	default:
		return false;
	}
	return !r->bad;
}

/* Parses the file table of the line program header at OFF. Returns false when it can't. */
static bool read_file_table(struct dw_ctx *dw, struct dw_cu *cu, uint64_t off)
{
	struct sec line, str, lstr;
	struct rd r;
	uint64_t len;
	int offsz = 4, version;
	const char **dirs = NULL;
	uint64_t ndirs = 0, nfiles = 0;

	if (!dw->secs_loaded) {
		dw->sec_line = find_sec(dw, ".debug_line");
		dw->sec_str = find_sec(dw, ".debug_str");
		dw->sec_lstr = find_sec(dw, ".debug_line_str");
		dw->secs_loaded = true;
	}
	line = dw->sec_line;
	str = dw->sec_str;
	lstr = dw->sec_lstr;
	if (!line.buf || off >= line.size)
		return false;
	r.p = line.buf + off;
	r.end = line.buf + line.size;
	r.bad = false;
	len = rd_n(&r, 4);
	if (len == 0xffffffff) {
		offsz = 8;
		len = rd_n(&r, 8);
	}
	if (r.bad || len > (uint64_t)(r.end - r.p))
		return false;
	r.end = r.p + len;
	version = rd_n(&r, 2);
	if (version < 2 || version > 5)
		return false;
	if (version >= 5)
		rd_n(&r, 2);                    /* address_size, seg_sel_size */
	rd_n(&r, offsz);                        /* header_length */
	rd_n(&r, version >= 4 ? 5 : 4);         /* min_inst_len [max_ops] default_is_stmt
						   line_base line_range */
	unsigned opcode_base = rd_n(&r, 1);
	if (opcode_base == 0 || (uint64_t)(r.end - r.p) < opcode_base - 1)
		return false;
	r.p += opcode_base - 1;
	if (version >= 5) {
		for (int pass = 0; pass < 2; pass++) {
			unsigned fmt_n = rd_n(&r, 1), ct[16], fm[16];
			uint64_t cnt;

			if (fmt_n > 16)
				return false;
			for (unsigned i = 0; i < fmt_n; i++) {
				ct[i] = rd_uleb(&r);
				fm[i] = rd_uleb(&r);
			}
			cnt = rd_uleb(&r);
			if (r.bad || cnt > 1000000)
				return false;
			const char **names = dw_alloc(dw, (cnt + 1) * sizeof(char *));
			uint64_t *dirix = pass ? dw_alloc(dw, (cnt + 1) * sizeof(uint64_t)) : NULL;
			for (uint64_t k = 0; k < cnt; k++) {
				for (unsigned i = 0; i < fmt_n; i++) {
					const char *s;
					uint64_t u;

					if (!rd_form(&r, fm[i], offsz, &str, &lstr, &s, &u))
						return false;
					if (ct[i] == DW_LNCT_path)
						names[k] = s;
					else if (ct[i] == DW_LNCT_directory_index && dirix)
						dirix[k] = u;
				}
			}
			if (!pass) {
				dirs = names;
				ndirs = cnt;
				continue;
			}
			nfiles = cnt;
			cu->files = dw_alloc(dw, (nfiles + 1) * sizeof(char *));
			for (uint64_t k = 0; k < nfiles; k++) {
				const char *d = dirix[k] < ndirs && dirix[k] ? dirs[dirix[k]] : NULL;

				cu->files[k] = display_path(dw, cu, d, names[k]);
			}
			cu->nfiles = nfiles;
		}
		return !r.bad;
	}
	/* DWARF 2-4: include_directories then file_names, each list ends with "" */
	const char *dtab[4096];
	ndirs = 1;
	dtab[0] = NULL;
	for (;;) {
		const char *s = rd_cstr(&r);

		if (r.bad)
			return false;
		if (!*s)
			break;
		if (ndirs < 4096)
			dtab[ndirs++] = s;
	}
	int cap = 64;
	cu->files = dw_alloc(dw, cap * sizeof(char *));
	cu->files[0] = cu->name;
	nfiles = 1;
	for (;;) {
		const char *s = rd_cstr(&r);
		uint64_t d;

		if (r.bad)
			return false;
		if (!*s)
			break;
		d = rd_uleb(&r);
		rd_uleb(&r);
		rd_uleb(&r);
		if ((int)nfiles == cap) {
			const char **n = dw_alloc(dw, 2 * cap * sizeof(char *));
			memcpy(n, cu->files, cap * sizeof(char *));
			cu->files = n;
			cap *= 2;
		}
		cu->files[nfiles++] = display_path(dw, cu, d && d < ndirs ? dtab[d] : NULL, s);
	}
	cu->nfiles = nfiles;
	return !r.bad;
}

static void load_files(struct dw_ctx *dw, struct dw_cu *cu)
{
	Dwarf_Die die;
	Dwarf_Attribute a;
	Dwarf_Word off;

	if (cu->files_loaded)
		return;
	cu->files_loaded = true;
	dw_cu_info(dw, cu);
	if (!dwarf_offdie(dw->dbg, cu->off, &die))
		return;
	if (dwarf_attr(&die, DW_AT_stmt_list, &a) && dwarf_formudata(&a, &off) == 0 &&
	    read_file_table(dw, cu, off))
		return;
	/* fallback: libdw */
	Dwarf_Files *files;
	size_t n;

	cu->nfiles = 0;
	if (dwarf_getsrcfiles(&die, &files, &n) != 0)
		return;
	cu->files = dw_alloc(dw, (n + 1) * sizeof(char *));
	for (size_t i = 0; i < n; i++)
		cu->files[i] = display_path(dw, cu, NULL, dwarf_filesrc(files, i, NULL, NULL));
	cu->nfiles = n;
}

const char *dw_file_by_index(struct dw_ctx *dw, struct dw_cu *cu, int idx)
{
	load_files(dw, cu);
	if (idx < 0 || idx >= cu->nfiles)
		return NULL;
	return cu->files[idx];
}

const char *dw_decl_file(struct dw_ctx *dw, Dwarf_Die *die)
{
	Dwarf_Attribute a;
	Dwarf_Word idx;
	Dwarf_Die org;
	struct dw_cu *cu;

	if (!dwarf_attr_integrate(die, DW_AT_decl_file, &a) || dwarf_formudata(&a, &idx) != 0)
		return NULL;
	/* the attribute may come from an abstract origin in another unit */
	if (!dwarf_attr(die, DW_AT_decl_file, &a)) {
		Dwarf_Attribute oa;

		if ((dwarf_attr(die, DW_AT_abstract_origin, &oa) ||
		     dwarf_attr(die, DW_AT_specification, &oa)) && dwarf_formref_die(&oa, &org))
			return dw_decl_file(dw, &org);
	}
	cu = dw_cu_of_die(dw, die);
	return cu ? dw_file_by_index(dw, cu, (int)idx) : NULL;
}

int dw_decl_line(Dwarf_Die *die)
{
	Dwarf_Attribute a;
	Dwarf_Word v;

	if (dwarf_attr_integrate(die, DW_AT_decl_line, &a) && dwarf_formudata(&a, &v) == 0)
		return (int)v;
	return 0;
}

const char *dw_die_name(Dwarf_Die *die)
{
	Dwarf_Attribute a;

	return dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name, &a));
}

/* ---- matching ---- */

bool dw_has_wildcard(const char *s)
{
	return s && strpbrk(s, "*?[") != NULL;
}

bool dw_file_matches(const char *path, const char *pattern)
{
	const char *p;

	if (!pattern)
		return true;
	if (!path)
		return false;
	if (fnmatch(pattern, path, 0) == 0)
		return true;
	for (p = strchr(path, '/'); p; p = strchr(p + 1, '/'))
		if (fnmatch(pattern, p + 1, 0) == 0)
			return true;
	return false;
}

int dw_parse_spec(struct dw_ctx *dw, const char *spec, struct dw_spec *out, char **err)
{
	const char *at = strchr(spec, '@');
	char *file, *colon;

	memset(out, 0, sizeof(*out));
	if (!at) {
		out->func = dw_strdup(dw, spec);
		return *spec ? 0 : -1;
	}
	out->func = arena_strndup(dw->ar, spec, at - spec);
	file = dw_strdup(dw, at + 1);
	colon = strrchr(file, ':');
	if (colon) {
		char *e;

		*colon = 0;
		if (strcmp(colon + 1, "*") == 0) {
			out->lines_kind = 3;
		} else {
			long lo = strtol(colon + 1, &e, 10), hi = lo;

			if (e == colon + 1)
				goto bad;
			if (*e == '-') {
				char *e2;

				hi = strtol(e + 1, &e2, 10);
				if (e2 == e + 1 || hi < lo)
					goto bad;
				e = e2;
				out->lines_kind = 2;
			} else {
				out->lines_kind = 1;
			}
			if (*e)
				goto bad;
			out->line_lo = (int)lo;
			out->line_hi = (int)hi;
		}
	}
	out->file = file;
	if (!*out->func || !*file)
		goto bad;
	return 0;
bad:
	if (err)
		*err = dw_printf(dw, "invalid probe point specification '%s'", spec);
	return -1;
}
