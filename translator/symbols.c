/* symbols.c - kernel symbol tables (see symbols.h). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "symbols.h"

#include <ctype.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <gelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct sym_table {
	struct ksym *syms;              /* in file order */
	int n, cap;
	char *strs;                     /* names (one block) */
	size_t slen, scap;
	int *by_addr;                   /* indices sorted by address */
	int *hash;                      /* open addressing: index + 1, first of its name */
	int *next_same;                 /* next symbol with the same name, or -1 */
	size_t nhash;
	char *source;
};

static char *msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *msg(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p) {
		fputs("stap: out of memory\n", stderr);
		exit(1);
	}
	return p;
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

int sym_is_func(const struct ksym *s)
{
	return s->type == 'T' || s->type == 't' || s->type == 'W' || s->type == 'w';
}

/* Names are stored as offsets while loading (the block moves), then turned to pointers. */
static void add(struct sym_table *t, uint64_t addr, char type, const char *name, size_t len,
		uint64_t size)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 65536;
		t->syms = xrealloc(t->syms, t->cap * sizeof(*t->syms));
	}
	if (t->slen + len + 1 > t->scap) {
		t->scap = (t->slen + len + 1) * 2 + 65536;
		t->strs = xrealloc(t->strs, t->scap);
	}
	memcpy(t->strs + t->slen, name, len);
	t->strs[t->slen + len] = 0;
	t->syms[t->n].name = (const char *)(uintptr_t)t->slen;
	t->syms[t->n].addr = addr;
	t->syms[t->n].size = size;
	t->syms[t->n].type = type;
	t->n++;
	t->slen += len + 1;
}

static const struct sym_table *g_sort;

static int cmp_addr(const void *a, const void *b)
{
	const struct ksym *x = &g_sort->syms[*(const int *)a], *y = &g_sort->syms[*(const int *)b];

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return *(const int *)a - *(const int *)b;
}

static void finish(struct sym_table *t, int sizes_known)
{
	for (int i = 0; i < t->n; i++)
		t->syms[i].name = t->strs + (uintptr_t)t->syms[i].name;
	t->by_addr = xrealloc(NULL, (t->n + 1) * sizeof(int));
	for (int i = 0; i < t->n; i++)
		t->by_addr[i] = i;
	g_sort = t;
	qsort(t->by_addr, t->n, sizeof(int), cmp_addr);
	if (!sizes_known) {
		/* a text symbol runs to the next higher address */
		for (int i = 0; i < t->n; i++) {
			struct ksym *s = &t->syms[t->by_addr[i]];

			s->size = 0;
			for (int j = i + 1; j < t->n; j++)
				if (t->syms[t->by_addr[j]].addr > s->addr) {
					s->size = t->syms[t->by_addr[j]].addr - s->addr;
					break;
				}
		}
	}
	t->nhash = 1;
	while (t->nhash < (size_t)t->n * 2 + 16)
		t->nhash *= 2;
	t->hash = calloc(t->nhash, sizeof(int));
	t->next_same = xrealloc(NULL, (t->n + 1) * sizeof(int));
	if (!t->hash) {
		fputs("stap: out of memory\n", stderr);
		exit(1);
	}
	for (int i = t->n - 1; i >= 0; i--) {
		size_t k = hash_str(t->syms[i].name) & (t->nhash - 1);

		t->next_same[i] = -1;
		while (t->hash[k] && strcmp(t->syms[t->hash[k] - 1].name, t->syms[i].name) != 0)
			k = (k + 1) & (t->nhash - 1);
		if (t->hash[k])
			t->next_same[i] = t->hash[k] - 1;
		t->hash[k] = i + 1;             /* walking backwards: the first one ends up here */
	}
}

static struct sym_table *load_map(const char *path, char **err)
{
	FILE *f = fopen(path, "r");
	struct sym_table *t;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	if (!f) {
		if (err)
			*err = msg("cannot open '%s'", path);
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	while ((len = getline(&line, &cap, f)) > 0) {
		char *p = line, *e;
		uint64_t addr = strtoull(p, &e, 16);
		char type;
		size_t nl;

		if (e == p || *e != ' ')
			continue;
		p = e + 1;
		type = *p++;
		if (*p != ' ')
			continue;
		p++;
		nl = strcspn(p, " \t\r\n");
		if (!nl)
			continue;
		add(t, addr, type, p, nl, 0);
	}
	free(line);
	fclose(f);
	if (t->n == 0 || (t->n == 1 && t->syms[0].addr == ~0ULL)) {
		/* empty, or Debian's one-line placeholder */
		free(t->syms);
		free(t->strs);
		free(t);
		if (err)
			*err = msg("'%s' has no symbols", path);
		return NULL;
	}
	finish(t, 0);
	t->source = strdup(path);
	return t;
}

static char elf_letter(GElf_Sym *s, GElf_Shdr *sh)
{
	int bind = GELF_ST_BIND(s->st_info), type = GELF_ST_TYPE(s->st_info);
	char c;

	if (s->st_shndx == SHN_ABS)
		c = 'a';
	else if (type == STT_FUNC || (sh && (sh->sh_flags & SHF_EXECINSTR)))
		c = 't';
	else if (sh && sh->sh_type == SHT_NOBITS)
		c = 'b';
	else if (sh && !(sh->sh_flags & SHF_WRITE))
		c = 'r';
	else
		c = 'd';
	if (bind == STB_WEAK)
		return c == 't' ? 'W' : 'V';
	return bind == STB_GLOBAL ? (char)toupper(c) : c;
}

static struct sym_table *load_elf(const char *path, char **err)
{
	int fd = open(path, O_RDONLY);
	Elf *e;
	Elf_Scn *scn = NULL;
	struct sym_table *t = NULL;

	if (fd < 0) {
		if (err)
			*err = msg("cannot open '%s'", path);
		return NULL;
	}
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	while (e && (scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;
		size_t cnt;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || !sh.sh_entsize)
			continue;
		d = elf_getdata(scn, NULL);
		if (!d)
			continue;
		t = calloc(1, sizeof(*t));
		cnt = sh.sh_size / sh.sh_entsize;
		for (size_t i = 1; i < cnt; i++) {
			GElf_Sym s;
			GElf_Shdr ssh, *psh = NULL;
			const char *name;
			int type;

			if (!gelf_getsym(d, i, &s))
				continue;
			type = GELF_ST_TYPE(s.st_info);
			if (type == STT_SECTION || type == STT_FILE || s.st_shndx == SHN_UNDEF)
				continue;
			name = elf_strptr(e, sh.sh_link, s.st_name);
			if (!name || !*name)
				continue;
			if (s.st_shndx < SHN_LORESERVE) {
				Elf_Scn *ss = elf_getscn(e, s.st_shndx);

				if (ss && gelf_getshdr(ss, &ssh))
					psh = &ssh;
			}
			add(t, s.st_value, elf_letter(&s, psh), name, strlen(name), s.st_size);
		}
		break;
	}
	if (e)
		elf_end(e);
	close(fd);
	if (!t || t->n == 0) {
		if (t) {
			free(t->syms);
			free(t->strs);
			free(t);
		}
		if (err)
			*err = msg("no symbol table in '%s'", path);
		return NULL;
	}
	finish(t, 1);
	/* symbols without an ELF size (assembly) run to the next symbol */
	for (int i = 0; i < t->n; i++) {
		struct ksym *s = &t->syms[t->by_addr[i]];

		if (s->size || !sym_is_func(s))
			continue;
		for (int j = i + 1; j < t->n; j++)
			if (t->syms[t->by_addr[j]].addr > s->addr) {
				s->size = t->syms[t->by_addr[j]].addr - s->addr;
				break;
			}
	}
	t->source = strdup(path);
	return t;
}

struct sym_table *sym_load_file(const char *path, char **err)
{
	unsigned char magic[4] = { 0 };
	int fd = open(path, O_RDONLY);

	if (err)
		*err = NULL;
	if (fd < 0) {
		if (err)
			*err = msg("cannot open '%s'", path);
		return NULL;
	}
	if (read(fd, magic, 4) != 4)
		magic[0] = 0;
	close(fd);
	if (memcmp(magic, ELFMAG, SELFMAG) == 0)
		return load_elf(path, err);
	return load_map(path, err);
}

static int exists(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

struct sym_table *sym_load_kernel(const char *release, const char *build_dir, char **err)
{
	char *cand[6];
	int n = 0;
	struct sym_table *t = NULL;

	if (err)
		*err = NULL;
	if (release) {
		cand[n++] = msg("/usr/lib/debug/boot/System.map-%s", release);
		cand[n++] = msg("/boot/System.map-%s", release);
	}
	if (build_dir)
		cand[n++] = msg("%s/System.map", build_dir);
	else if (release)
		cand[n++] = msg("/lib/modules/%s/build/System.map", release);
	if (release)
		cand[n++] = msg("/usr/lib/debug/boot/vmlinux-%s", release);
	if (build_dir)
		cand[n++] = msg("%s/vmlinux", build_dir);
	for (int i = 0; i < n; i++) {
		if (!t && cand[i] && exists(cand[i]))
			t = sym_load_file(cand[i], NULL);
		free(cand[i]);
	}
	if (!t && err)
		*err = msg("Kernel function symbol table missing [man warning::symbols]");
	return t;
}

void sym_free(struct sym_table *t)
{
	if (!t)
		return;
	free(t->syms);
	free(t->strs);
	free(t->by_addr);
	free(t->hash);
	free(t->next_same);
	free(t->source);
	free(t);
}

int sym_count(const struct sym_table *t)
{
	return t ? t->n : 0;
}

const char *sym_source(const struct sym_table *t)
{
	return t ? t->source : NULL;
}

static int first_index(const struct sym_table *t, const char *name)
{
	size_t k = hash_str(name) & (t->nhash - 1);

	while (t->hash[k]) {
		if (strcmp(t->syms[t->hash[k] - 1].name, name) == 0)
			return t->hash[k] - 1;
		k = (k + 1) & (t->nhash - 1);
	}
	return -1;
}

const struct ksym *sym_lookup(const struct sym_table *t, const char *name)
{
	int i, best = -1;

	if (!t)
		return NULL;
	for (i = first_index(t, name); i >= 0; i = t->next_same[i])
		if (best < 0 || (sym_is_func(&t->syms[i]) && !sym_is_func(&t->syms[best])))
			best = i;
	if (best >= 0)
		return &t->syms[best];
	/* "foo" for a compiler clone "foo.constprop.0" / "foo.isra.0" / "foo.part.0" */
	size_t nl = strlen(name);
	for (int j = 0; j < t->n; j++) {
		const struct ksym *s = &t->syms[t->by_addr[j]];

		if (sym_is_func(s) && strncmp(s->name, name, nl) == 0 && s->name[nl] == '.' &&
		    !strstr(s->name + nl, ".cold"))
			return s;
	}
	return NULL;
}

const struct ksym **sym_match(const struct sym_table *t, const char *pattern, int flags, int *n)
{
	const struct ksym **out = NULL;
	int cnt = 0, cap = 0;

	*n = 0;
	if (!t)
		return NULL;
	if (!strpbrk(pattern, "*?[\\")) {
		for (int i = first_index(t, pattern); i >= 0; i = t->next_same[i]) {
			if ((flags & SYM_FUNCS) && !sym_is_func(&t->syms[i]))
				continue;
			if (cnt == cap) {
				cap = cap ? cap * 2 : 8;
				out = xrealloc(out, cap * sizeof(*out));
			}
			out[cnt++] = &t->syms[i];
		}
	} else {
		for (int j = 0; j < t->n; j++) {
			const struct ksym *s = &t->syms[t->by_addr[j]];

			if ((flags & SYM_FUNCS) && !sym_is_func(s))
				continue;
			if (fnmatch(pattern, s->name, 0) != 0)
				continue;
			if (cnt == cap) {
				cap = cap ? cap * 2 : 64;
				out = xrealloc(out, cap * sizeof(*out));
			}
			out[cnt++] = s;
		}
	}
	*n = cnt;
	return out;
}

const struct ksym *sym_at(const struct sym_table *t, uint64_t addr, uint64_t *offset)
{
	int lo = 0, hi, best = -1;

	if (!t || !t->n)
		return NULL;
	hi = t->n - 1;
	while (lo <= hi) {              /* last symbol with address <= addr */
		int mid = (lo + hi) / 2;

		if (t->syms[t->by_addr[mid]].addr <= addr) {
			best = mid;
			lo = mid + 1;
		} else {
			hi = mid - 1;
		}
	}
	if (best < 0)
		return NULL;
	/* among symbols at that address prefer a function */
	int pick = best;
	uint64_t a = t->syms[t->by_addr[best]].addr;
	for (int j = best; j >= 0 && t->syms[t->by_addr[j]].addr == a; j--)
		if (sym_is_func(&t->syms[t->by_addr[j]])) {
			pick = j;
			break;
		}
	const struct ksym *s = &t->syms[t->by_addr[pick]];
	if (s->size && addr >= s->addr + s->size)
		return NULL;
	if (offset)
		*offset = addr - s->addr;
	return s;
}
