/* usymbols.c - symbol tables of user binaries for the module (-d FILE, --ldd).
 *
 * Each user binary named with -d (a path: it has a '/') is read with libelf: its function
 * symbols (the .symtab, else the .dynsym), each placed at its *file offset* through the
 * PT_LOAD segment holding it, so that one table serves the file wherever it is mapped
 * (PIE executables and shared libraries included); its size and GNU build-id, which
 * identify it when it is mapped; and, for --ldd, the libraries it needs (DT_NEEDED,
 * searched like the dynamic linker does: DT_RUNPATH/DT_RPATH with $ORIGIN, ld.so.conf and
 * the default directories) and its interpreter, each of which is added in turn.
 * usymbols_emit() writes the tables as the C runtime/linux/stp_ustack.h describes, with
 * each binary's source-line table (ulines.c) when the script looks lines up.
 * A binary that can't be read is SystemTap's warning, not an error: backtraces then show
 * its addresses in hex.
 */
#define _GNU_SOURCE
#include "usymbols.h"
#include "arena.h"
#include "cache.h"
#include "diag.h"
#include "emit.h"
#include "session.h"
#include "ulines.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <glob.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define A(...) arena_printf(g_arena, __VA_ARGS__)

struct usym {
	uint64_t off, size;
	size_t name;                    /* offset in names */
	int rank;                       /* GLOBAL 0, WEAK 1, LOCAL 2: which name an address shows */
};

struct ufile {
	const char *path, *base;
	uint64_t size;
	unsigned char build_id[64];
	unsigned build_id_len;
	uint64_t build_id_off;
	uint64_t exec_vaddr, exec_offset, exec_size;    /* the lowest executable PT_LOAD */
	struct usym *syms;
	int nsyms, cap;
	char *names;
	size_t nlen, ncap;
	struct strlist needed;          /* DT_NEEDED */
	const char *runpath, *interp;
	struct usegs segs;
	struct ulines *lines;           /* source lines, when the script wants them */
};

static struct strlist d_args;           /* -d paths, as given */
static int ldd;

void usymbols_option_d(const char *arg)
{
	/* A bare name is a kernel module: kallsyms has its symbols at run time. */
	if (strchr(arg, '/'))
		strlist_add(&d_args, arg);
}

void usymbols_option_ldd(void)
{
	ldd = 1;
}

void usymbols_hash(struct hasher *h)
{
	hash_str(h, ldd ? "usyms ldd" : "usyms");
	for (int i = 0; i < d_args.n; i++) {
		hash_str(h, d_args.v[i]);
		hash_stat(h, d_args.v[i]);
	}
}

/* ---- reading a binary ---- */

/* The file offset of virtual address v, or -1 when no PT_LOAD holds it in the file. */
static int64_t file_offset(const struct usegs *sg, uint64_t v)
{
	for (int i = 0; i < sg->n; i++)
		if (v >= sg->load[i].p_vaddr && v < sg->load[i].p_vaddr + sg->load[i].p_filesz)
			return (int64_t)(v - sg->load[i].p_vaddr + sg->load[i].p_offset);
	return -1;
}

static void add_sym(struct ufile *f, uint64_t off, uint64_t size, const char *name, int rank)
{
	size_t len = strlen(name) + 1;

	if (f->nsyms == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 256;
		f->syms = realloc(f->syms, (size_t)f->cap * sizeof(*f->syms));
	}
	if (f->nlen + len > f->ncap) {
		f->ncap = (f->ncap + len) * 2;
		f->names = realloc(f->names, f->ncap);
	}
	if (!f->syms || !f->names) {
		fprintf(stderr, "ERROR: out of memory\n");
		exit(1);
	}
	memcpy(f->names + f->nlen, name, len);
	f->syms[f->nsyms++] = (struct usym){ off, size, f->nlen, rank };
	f->nlen += len;
}

/* The function symbols of one symbol table section. */
static void read_symtab(Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh, const struct usegs *sg,
			struct ufile *f)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	size_t n = sh->sh_entsize ? sh->sh_size / sh->sh_entsize : 0;
	GElf_Sym sym;

	for (size_t i = 1; d && i < n; i++) {
		if (!gelf_getsym(d, (int)i, &sym) || sym.st_shndx == SHN_UNDEF || !sym.st_value)
			continue;
		int type = GELF_ST_TYPE(sym.st_info), bind = GELF_ST_BIND(sym.st_info);
		const char *name = elf_strptr(elf, sh->sh_link, sym.st_name);
		int64_t off = file_offset(sg, sym.st_value);
		if ((type != STT_FUNC && type != STT_GNU_IFUNC) || !name || !*name || off < 0)
			continue;
		add_sym(f, (uint64_t)off, sym.st_size, name,
			bind == STB_GLOBAL ? 0 : bind == STB_WEAK ? 1 : 2);
	}
}

static void read_dynamic(Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh, struct ufile *f)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	size_t n = sh->sh_entsize ? sh->sh_size / sh->sh_entsize : 0;
	GElf_Dyn dyn;

	for (size_t i = 0; d && i < n && gelf_getdyn(d, (int)i, &dyn); i++) {
		const char *s = elf_strptr(elf, sh->sh_link, dyn.d_un.d_val);
		if (dyn.d_tag == DT_NEEDED && s)
			strlist_add(&f->needed, arena_strdup(g_arena, s));
		else if ((dyn.d_tag == DT_RUNPATH || (dyn.d_tag == DT_RPATH && !f->runpath)) && s)
			f->runpath = arena_strdup(g_arena, s);
	}
}

static void read_build_id(Elf *elf, const GElf_Phdr *ph, struct ufile *f)
{
	Elf_Data *d = elf_getdata_rawchunk(elf, (int64_t)ph->p_offset, ph->p_filesz, ELF_T_NHDR);
	size_t off = 0, name_off, desc_off, next;
	GElf_Nhdr nh;

	while (d && (next = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0) {
		if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 && nh.n_descsz > 0 &&
		    nh.n_descsz <= sizeof(f->build_id) &&
		    !memcmp((char *)d->d_buf + name_off, "GNU", 4)) {
			memcpy(f->build_id, (char *)d->d_buf + desc_off, nh.n_descsz);
			f->build_id_len = nh.n_descsz;
			f->build_id_off = ph->p_offset + desc_off;
			return;
		}
		off = next;
	}
}

static const char *read_program_headers(Elf *elf, struct usegs *sg, struct ufile *f)
{
	size_t n;
	GElf_Phdr ph;

	if (elf_getphdrnum(elf, &n) != 0)
		return "no program headers";
	for (size_t i = 0; i < n && gelf_getphdr(elf, (int)i, &ph); i++) {
		if (ph.p_type == PT_LOAD && sg->n < 32)
			sg->load[sg->n++] = ph;
		if (ph.p_type == PT_LOAD && (ph.p_flags & PF_X) &&
		    (!f->exec_size || ph.p_vaddr < f->exec_vaddr)) {
			f->exec_vaddr = ph.p_vaddr;
			f->exec_offset = ph.p_offset;
			f->exec_size = ph.p_filesz;
		}
		else if (ph.p_type == PT_NOTE && !f->build_id_len)
			read_build_id(elf, &ph, f);
		else if (ph.p_type == PT_INTERP) {
			size_t size;
			char *raw = elf_rawfile(elf, &size);
			if (raw && ph.p_offset + ph.p_filesz <= size && ph.p_filesz > 1)
				f->interp = arena_strndup(g_arena, raw + ph.p_offset, ph.p_filesz - 1);
		}
	}
	return sg->n ? NULL : "no loadable segments";
}

/* Symbols, dynamic section and build-id of an open ELF file. */
static const char *read_elf(Elf *elf, struct ufile *f)
{
	GElf_Ehdr eh;
	struct usegs *sg = &f->segs;
	Elf_Scn *scn = NULL, *symtab = NULL, *dynsym = NULL;
	GElf_Shdr sh, symtab_sh, dynsym_sh;
	const char *why;

	if (elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh))
		return "not an ELF file";
	if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_machine != EM_X86_64)
		return "not an x86_64 ELF file";
	if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN)
		return "not an executable or shared library";
	if ((why = read_program_headers(elf, sg, f)))
		return why;
	while ((scn = elf_nextscn(elf, scn)) && gelf_getshdr(scn, &sh)) {
		if (sh.sh_type == SHT_SYMTAB)
			symtab = scn, symtab_sh = sh;
		else if (sh.sh_type == SHT_DYNSYM)
			dynsym = scn, dynsym_sh = sh;
		else if (sh.sh_type == SHT_DYNAMIC)
			read_dynamic(elf, scn, &sh, f);
	}
	if (symtab)
		read_symtab(elf, symtab, &symtab_sh, sg, f);
	else if (dynsym)
		read_symtab(elf, dynsym, &dynsym_sh, sg, f);
	return NULL;
}

static int sym_order(const void *a, const void *b, void *names)
{
	const struct usym *x = a, *y = b;
	const char *nx = (const char *)names + x->name, *ny = (const char *)names + y->name;

	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank - y->rank;
	/* Of two aliases, the one without the leading underscores, then by name. */
	size_t ux = strspn(nx, "_"), uy = strspn(ny, "_");
	return ux != uy ? (ux < uy ? -1 : 1) : strcmp(nx, ny);
}

/* Sorts by offset, one symbol per offset, and gives sizeless symbols the gap to the next. */
static void settle_symbols(struct ufile *f)
{
	int n = 0;

	if (f->nsyms)
		qsort_r(f->syms, (size_t)f->nsyms, sizeof(*f->syms), sym_order, f->names);
	for (int i = 0; i < f->nsyms; i++)
		if (n == 0 || f->syms[n - 1].off != f->syms[i].off)
			f->syms[n++] = f->syms[i];
	f->nsyms = n;
	for (int i = 0; i < n; i++) {
		if (!f->syms[i].size && i + 1 < n)
			f->syms[i].size = f->syms[i + 1].off - f->syms[i].off;
		if (f->syms[i].size > UINT_MAX)
			f->syms[i].size = UINT_MAX;
	}
}

/* The binary at real path `path`, read; NULL with *why set when it can't be. */
static struct ufile *load_file(const char *path, const char **why)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;

	if (fd < 0 || fstat(fd, &st) != 0) {
		*why = strerror(errno);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	elf_version(EV_CURRENT);
	Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	struct ufile *f = NEW(struct ufile);
	f->path = path;
	f->base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	f->size = (uint64_t)st.st_size;
	*why = elf ? read_elf(elf, f) : "not an ELF file";
	if (elf)
		elf_end(elf);
	close(fd);
	if (*why)
		return NULL;
	settle_symbols(f);
	return f;
}

/* ---- the set of binaries ---- */

static struct ufile **files;
static int nfiles, loaded;

static int have_file(const char *real)
{
	for (int i = 0; i < nfiles; i++)
		if (!strcmp(files[i]->path, real))
			return 1;
	return 0;
}

/* Adds the binary at `path`; quiet when it is a library candidate that isn't there. */
static struct ufile *add_file(const char *path, int quiet)
{
	char real[PATH_MAX];
	const char *why;

	if (!realpath(path, real)) {
		if (!quiet)
			diag_warning(NULL, NULL, "missing unwind/symbol data for module '%s'", path);
		return NULL;
	}
	if (have_file(real))
		return NULL;
	struct ufile *f = load_file(arena_strdup(g_arena, real), &why);
	if (!f) {
		if (!quiet)
			diag_warning(NULL, NULL, "missing unwind/symbol data for module '%s'", path);
		return NULL;
	}
	files = realloc(files, (size_t)(nfiles + 1) * sizeof(*files));
	files[nfiles++] = f;
	return f;
}

/* The directories of /etc/ld.so.conf (and the files it includes) into dirs. */
static void ld_so_conf(const char *conf, struct strlist *dirs, int depth)
{
	FILE *in = depth < 4 ? fopen(conf, "r") : NULL;
	char line[PATH_MAX];

	while (in && fgets(line, sizeof(line), in)) {
		char *p = line + strspn(line, " \t");
		p[strcspn(p, "#\r\n")] = '\0';
		for (char *e = p + strlen(p); e > p && (e[-1] == ' ' || e[-1] == '\t'); )
			*--e = '\0';
		if (!strncmp(p, "include", 7) && (p[7] == ' ' || p[7] == '\t')) {
			glob_t g;
			p += 8 + strspn(p + 8, " \t");
			if (glob(p, 0, NULL, &g) == 0)
				for (size_t i = 0; i < g.gl_pathc; i++)
					ld_so_conf(g.gl_pathv[i], dirs, depth + 1);
			globfree(&g);
		} else if (*p == '/') {
			strlist_add(dirs, arena_strdup(g_arena, p));
		}
	}
	if (in)
		fclose(in);
}

/* The library `name` needed by f, found like the dynamic linker would; NULL if not. */
static const char *find_library(const struct ufile *f, const char *name)
{
	static struct strlist sys;
	static int sys_read;
	struct strlist dirs = { 0 };

	if (strchr(name, '/'))
		return name;
	if (!sys_read) {
		ld_so_conf("/etc/ld.so.conf", &sys, 0);
		static const char *const defaults[] = { "/lib/x86_64-linux-gnu",
			"/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib" };
		for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
			strlist_add(&sys, defaults[i]);
		sys_read = 1;
	}
	const char *origin = arena_strndup(g_arena, f->path, (size_t)(f->base - f->path - 1));
	for (const char *p = f->runpath; p && *p; ) {
		size_t n = strcspn(p, ":");
		const char *dir = arena_strndup(g_arena, p, n);
		if (!strncmp(dir, "$ORIGIN", 7) || !strncmp(dir, "${ORIGIN}", 9))
			dir = A("%s%s", origin, dir + (dir[1] == '{' ? 9 : 7));
		strlist_add(&dirs, dir);
		p += n + (p[n] == ':');
	}
	for (int i = 0; i < sys.n; i++)
		strlist_add(&dirs, sys.v[i]);
	for (int i = 0; i < dirs.n; i++) {
		const char *cand = A("%s/%s", dirs.v[i], name);
		if (access(cand, R_OK) == 0)
			return cand;
	}
	return NULL;
}

/* Reads every -d binary, then with --ldd what they need, breadth first. */
static void load_all(void)
{
	if (loaded++)
		return;
	for (int i = 0; i < d_args.n; i++)
		add_file(d_args.v[i], 0);
	for (int i = 0; ldd && i < nfiles; i++) {
		struct ufile *f = files[i];
		if (f->interp)
			add_file(f->interp, 1);
		for (int j = 0; j < f->needed.n; j++) {
			const char *lib = find_library(f, f->needed.v[j]);
			if (lib)
				add_file(lib, 1);
			else
				diag_warning(NULL, NULL, "cannot find library '%s' needed by '%s' (--ldd)",
					     f->needed.v[j], f->path);
		}
	}
}

/* ---- the tables as C ---- */

static void emit_file(struct emitter *e, const struct ufile *f, int i)
{
	if (f->lines)
		ulines_emit(e, f->lines, i);
	if (f->nsyms) {
		/* The names are emitted in symbol order: each one's offset in that string. */
		size_t at = 0;
		emit(e, "static const struct stp_usym stp_usym_syms_%d[] = {", i);
		for (int k = 0; k < f->nsyms; k++) {
			emit(e, "{ 0x%llxUL, 0x%llx, %zu },", (unsigned long long)f->syms[k].off,
			     (unsigned long long)f->syms[k].size, at);
			at += strlen(f->names + f->syms[k].name) + 1;
		}
		emit(e, "};");
		emit(e, "static const char stp_usym_names_%d[] =", i);
		for (int k = 0; k < f->nsyms; k++) {
			const char *nm = f->names + f->syms[k].name;
			const char *lit = c_string_literal(nm, strlen(nm));
			emit(e, "\t%.*s\\0\"%s", (int)strlen(lit) - 1, lit, k + 1 < f->nsyms ? "" : ";");
		}
	}
	if (f->build_id_len) {
		char *hex = arena_alloc(g_arena, f->build_id_len * 6 + 1), *p = hex;
		for (unsigned k = 0; k < f->build_id_len; k++)
			p += sprintf(p, "0x%02x,", f->build_id[k]);
		emit(e, "static const unsigned char stp_usym_bid_%d[] = { %s };", i, hex);
	}
}

static void emit_file_entry(struct emitter *e, const struct ufile *f, int i)
{
	emit(e, "{");
	emit(e, ".path = %s, .basename = %s,", c_string_literal(f->path, strlen(f->path)),
	     c_string_literal(f->base, strlen(f->base)));
	if (f->nsyms)
		emit(e, ".syms = stp_usym_syms_%d, .nsyms = %d, .names = stp_usym_names_%d,", i,
		     f->nsyms, i);
	emit(e, ".file_size = %lluUL,", (unsigned long long)f->size);
	emit(e, ".exec_vaddr = 0x%llxUL, .exec_offset = 0x%llxUL, .exec_size = 0x%llxUL,",
	     (unsigned long long)f->exec_vaddr, (unsigned long long)f->exec_offset,
	     (unsigned long long)f->exec_size);
	if (f->build_id_len)
		emit(e, ".build_id_off = 0x%llxUL, .build_id_len = %u, .build_id = stp_usym_bid_%d,",
		     (unsigned long long)f->build_id_off, f->build_id_len, i);
	if (f->lines)
		emit(e, ".lines = &stp_ulines_%d,", i);
	emit(e, "},");
}

void usymbols_emit(struct emitter *e, const struct program *p)
{
	int want_lines = ulines_wanted(p);

	load_all();
	emit(e, "#include \"linux/stp_ustack.h\"");
	if (!nfiles) {
		emit(e, "const struct stp_usym_set stp_usyms = { NULL, 0 };");
		return;
	}
	for (int i = 0; i < nfiles; i++) {
		if (want_lines && !files[i]->lines)
			files[i]->lines = ulines_read(files[i]->path, &files[i]->segs,
						      files[i]->build_id, files[i]->build_id_len);
		emit_file(e, files[i], i);
	}
	emit(e, "static const struct stp_usym_file stp_usym_files[] = {");
	for (int i = 0; i < nfiles; i++)
		emit_file_entry(e, files[i], i);
	emit(e, "};");
	emit(e, "const struct stp_usym_set stp_usyms = { stp_usym_files, %d };", nfiles);
}
