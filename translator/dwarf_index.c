/* dwarf_index.c - the name index: function name -> DIEs, type name -> DIE.
 *
 * Built once per object by walking only the top-level DIEs of every compilation unit (about
 * 0.3 s for the 2,200 CUs of a distribution vmlinux), then, for objects with a build-id,
 * written to $SYSTEMTAP_DIR/cache/dwarf/BUILDID.idx and mapped directly by later runs.
 *
 * File layout (native endianness; the file is only ever read on the machine that wrote it):
 *   struct ixhdr
 *   struct ixf funcs[nfunc]     sorted by (name, die)
 *   struct ixt types[ntype]     sorted by (name, tag); one per (tag, name), the first
 *                               complete definition in CU order
 *   uint32_t files[nfile]       string offsets of the distinct declaration files
 *   char strings[strsize]
 */
#include "dwarf_int.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define IX_MAGIC "STPDWIX1"
#define IX_VERSION 3

struct ixhdr {
	char magic[8];
	uint32_t version, nfunc, ntype, nfile, strsize, pad;
	uint64_t ncu, total_size;
	char build_id[48];
};

struct ixf {
	uint32_t name, file, line, flags;
	uint64_t die, cu;
};

struct ixt {
	uint32_t name, tag;
	uint64_t die;
};

struct dw_index {
	void *mem;
	size_t size;
	bool mapped;
	const struct ixhdr *h;
	const struct ixf *funcs;
	const struct ixt *types;
	const uint32_t *files;
	const char *strs;
	signed char *file_memo;          /* per query: -1 unknown, 0 no, 1 match */
};

void dw_index_free(struct dw_ctx *dw)
{
	struct dw_index *ix = dw->idx;

	if (!ix)
		return;
	if (ix->mapped)
		munmap(ix->mem, ix->size);
	else
		free(ix->mem);
	free(ix->file_memo);
	free(ix);
	dw->idx = NULL;
}

/* ---- building ---- */

struct strtab {
	char *buf;
	size_t len, cap;
	uint32_t *slots;                 /* open addressing: offset + 1, 0 = empty */
	size_t nslots, used;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

static void oom(void)
{
	fputs("stap: out of memory\n", stderr);
	exit(1);
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p)
		oom();
	return p;
}

static uint32_t intern(struct strtab *t, const char *s)
{
	size_t mask, i;

	if (t->used * 2 >= t->nslots) {
		size_t n = t->nslots ? t->nslots * 2 : 1 << 16;
		uint32_t *slots = calloc(n, sizeof(uint32_t));

		if (!slots)
			oom();
		for (size_t k = 0; k < t->nslots; k++) {
			if (!t->slots[k])
				continue;
			size_t j = hash_str(t->buf + t->slots[k] - 1) & (n - 1);
			while (slots[j])
				j = (j + 1) & (n - 1);
			slots[j] = t->slots[k];
		}
		free(t->slots);
		t->slots = slots;
		t->nslots = n;
	}
	mask = t->nslots - 1;
	for (i = hash_str(s) & mask; t->slots[i]; i = (i + 1) & mask)
		if (strcmp(t->buf + t->slots[i] - 1, s) == 0)
			return t->slots[i] - 1;
	size_t n = strlen(s) + 1;
	if (t->len + n > t->cap) {
		t->cap = (t->len + n) * 2 + 4096;
		t->buf = xrealloc(t->buf, t->cap);
	}
	memcpy(t->buf + t->len, s, n);
	t->slots[i] = (uint32_t)t->len + 1;
	t->used++;
	t->len += n;
	return (uint32_t)t->len - n;
}

struct builder {
	struct strtab st;
	struct ixf *funcs;
	size_t nfunc, capf;
	struct ixt *types;
	size_t ntype, capt;
	uint64_t *typeseen;              /* (name << 8 | tag) + 1 set, open addressing */
	size_t nseen, capseen;
	uint32_t *files;                 /* string offset -> file index via small map */
	size_t nfile, capfile;
	uint32_t *filemap;               /* string offset + 1 -> index + 1 (hash) */
	size_t capfilemap;
};

static const char *g_sort_strs;

static int cmp_ixf(const void *a, const void *b)
{
	const struct ixf *x = a, *y = b;
	int c = strcmp(g_sort_strs + x->name, g_sort_strs + y->name);

	if (c)
		return c;
	return x->die < y->die ? -1 : x->die > y->die;
}

static int cmp_ixt(const void *a, const void *b)
{
	const struct ixt *x = a, *y = b;
	int c = strcmp(g_sort_strs + x->name, g_sort_strs + y->name);

	if (c)
		return c;
	return (int)x->tag - (int)y->tag;
}

static bool type_seen(struct builder *b, uint32_t name, int tag)
{
	uint64_t key = ((uint64_t)name << 8 | (unsigned)tag) + 1;
	size_t mask, i;

	if (b->nseen * 2 >= b->capseen) {
		size_t n = b->capseen ? b->capseen * 2 : 1 << 16;
		uint64_t *s = calloc(n, sizeof(uint64_t));

		if (!s)
			oom();
		for (size_t k = 0; k < b->capseen; k++) {
			if (!b->typeseen[k])
				continue;
			size_t j = (b->typeseen[k] * 0x9E3779B97F4A7C15ULL >> 20) & (n - 1);
			while (s[j])
				j = (j + 1) & (n - 1);
			s[j] = b->typeseen[k];
		}
		free(b->typeseen);
		b->typeseen = s;
		b->capseen = n;
	}
	mask = b->capseen - 1;
	for (i = (key * 0x9E3779B97F4A7C15ULL >> 20) & mask; b->typeseen[i]; i = (i + 1) & mask)
		if (b->typeseen[i] == key)
			return true;
	b->typeseen[i] = key;
	b->nseen++;
	return false;
}

static uint32_t file_index(struct builder *b, uint32_t stroff)
{
	size_t mask, i;

	if (b->nfile * 2 >= b->capfilemap) {
		size_t n = b->capfilemap ? b->capfilemap * 2 : 4096;
		uint32_t *m = calloc(n, sizeof(uint32_t));

		if (!m)
			oom();
		for (size_t k = 0; k < b->nfile; k++) {
			size_t j = (b->files[k] * 2654435761u) & (n - 1);
			while (m[j])
				j = (j + 1) & (n - 1);
			m[j] = k + 1;
		}
		free(b->filemap);
		b->filemap = m;
		b->capfilemap = n;
	}
	mask = b->capfilemap - 1;
	for (i = (stroff * 2654435761u) & mask; b->filemap[i]; i = (i + 1) & mask)
		if (b->files[b->filemap[i] - 1] == stroff)
			return b->filemap[i] - 1;
	if (b->nfile == b->capfile) {
		b->capfile = b->capfile ? b->capfile * 2 : 1024;
		b->files = xrealloc(b->files, b->capfile * sizeof(uint32_t));
	}
	b->files[b->nfile] = stroff;
	b->filemap[i] = b->nfile + 1;
	return b->nfile++;
}

static bool flag_attr(Dwarf_Die *die, int at, bool integrate)
{
	Dwarf_Attribute a;
	bool v = false;

	if (integrate ? dwarf_attr_integrate(die, at, &a) : dwarf_attr(die, at, &a))
		dwarf_formflag(&a, &v);
	return v;
}

static void add_func(struct dw_ctx *dw, struct builder *b, struct dw_cu *cu, Dwarf_Die *die)
{
	Dwarf_Attribute a;
	Dwarf_Word inl = 0;
	const char *name, *file;
	unsigned flags = 0;
	struct ixf *f;

	if (dwarf_hasattr(die, DW_AT_declaration))
		return;
	name = dw_die_name(die);
	if (!name)
		return;
	if (dwarf_hasattr(die, DW_AT_low_pc) || dwarf_hasattr(die, DW_AT_ranges) ||
	    dwarf_hasattr(die, DW_AT_entry_pc))
		flags |= IX_HAS_CODE;
	if (dwarf_attr(die, DW_AT_inline, &a) && dwarf_formudata(&a, &inl) == 0 &&
	    (inl == DW_INL_inlined || inl == DW_INL_declared_inlined))
		flags |= IX_INLINE;
	if (!flags)
		return;
	if (flag_attr(die, DW_AT_external, true))
		flags |= IX_EXTERNAL;
	if (flag_attr(die, DW_AT_noreturn, true))
		flags |= IX_NORETURN;
	file = NULL;
	if (dwarf_attr(die, DW_AT_decl_file, &a)) {
		Dwarf_Word idx;

		if (dwarf_formudata(&a, &idx) == 0)
			file = dw_file_by_index(dw, cu, (int)idx);
	} else {
		file = dw_decl_file(dw, die);
	}
	if (b->nfunc == b->capf) {
		b->capf = b->capf ? b->capf * 2 : 65536;
		b->funcs = xrealloc(b->funcs, b->capf * sizeof(*b->funcs));
	}
	f = &b->funcs[b->nfunc++];
	f->name = intern(&b->st, name);
	f->file = file_index(b, intern(&b->st, file ? file : ""));
	f->line = dw_decl_line(die);
	f->flags = flags;
	f->die = dwarf_dieoffset(die);
	f->cu = cu->off;
}

static void add_type(struct builder *b, Dwarf_Die *die, int tag)
{
	const char *name = dwarf_diename(die);
	uint32_t n;

	if (!name || dwarf_hasattr(die, DW_AT_declaration))
		return;
	n = intern(&b->st, name);
	if (type_seen(b, n, tag))
		return;
	if (b->ntype == b->capt) {
		b->capt = b->capt ? b->capt * 2 : 65536;
		b->types = xrealloc(b->types, b->capt * sizeof(*b->types));
	}
	b->types[b->ntype].name = n;
	b->types[b->ntype].tag = tag;
	b->types[b->ntype].die = dwarf_dieoffset(die);
	b->ntype++;
}

/* Builds the index image in memory (malloc'ed, the same layout as the file). */
/* Copies n bytes to p (src may be NULL when n is 0); returns the end. */
static char *append_bytes(char *p, const void *src, size_t n)
{
	if (n)
		memcpy(p, src, n);
	return p + n;
}

static void *build_image(struct dw_ctx *dw, size_t *size_out)
{
	struct builder b;
	struct ixhdr h;
	char *img, *p;
	size_t size;

	memset(&b, 0, sizeof(b));
	intern(&b.st, "");
	for (int i = 0; i < dw->ncu; i++) {
		struct dw_cu *cu = &dw->cus[i];
		Dwarf_Die cudie, c;

		if (!dwarf_offdie(dw->dbg, cu->off, &cudie) || dwarf_child(&cudie, &c) != 0)
			continue;
		do {
			int tag = dwarf_tag(&c);

			switch (tag) {
			case DW_TAG_subprogram:
				add_func(dw, &b, cu, &c);
				break;
			case DW_TAG_structure_type:
			case DW_TAG_union_type:
			case DW_TAG_enumeration_type:
			case DW_TAG_typedef:
			case DW_TAG_base_type:
				add_type(&b, &c, tag);
				break;
			}
		} while (dwarf_siblingof(&c, &c) == 0);
		if ((i & 63) == 63 && i + 1 < dw->ncu)
			dw_drop_pages(dw, dw->cus[i + 1].off - 64);
	}
	g_sort_strs = b.st.buf;
	if (b.nfunc > 1)
		qsort(b.funcs, b.nfunc, sizeof(*b.funcs), cmp_ixf);
	if (b.ntype > 1)
		qsort(b.types, b.ntype, sizeof(*b.types), cmp_ixt);

	size = sizeof(h) + b.nfunc * sizeof(struct ixf) + b.ntype * sizeof(struct ixt) +
	       b.nfile * sizeof(uint32_t) + b.st.len;
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, IX_MAGIC, 8);
	h.version = IX_VERSION;
	h.nfunc = b.nfunc;
	h.ntype = b.ntype;
	h.nfile = b.nfile;
	h.strsize = b.st.len;
	h.ncu = dw->ncu;
	h.total_size = size;
	snprintf(h.build_id, sizeof(h.build_id), "%s", dw->build_id);
	img = p = xrealloc(NULL, size);
	memcpy(p, &h, sizeof(h));
	p += sizeof(h);
	p = append_bytes(p, b.funcs, b.nfunc * sizeof(struct ixf));
	p = append_bytes(p, b.types, b.ntype * sizeof(struct ixt));
	p = append_bytes(p, b.files, b.nfile * sizeof(uint32_t));
	append_bytes(p, b.st.buf, b.st.len);
	free(b.st.buf);
	free(b.st.slots);
	free(b.funcs);
	free(b.types);
	free(b.typeseen);
	free(b.files);
	free(b.filemap);
	*size_out = size;
	return img;
}

static bool attach(struct dw_ctx *dw, void *mem, size_t size, bool mapped)
{
	struct dw_index *ix;
	const struct ixhdr *h = mem;
	const char *p;

	if (size < sizeof(*h) || memcmp(h->magic, IX_MAGIC, 8) != 0 ||
	    h->version != IX_VERSION || h->total_size != size || h->ncu != (uint64_t)dw->ncu ||
	    strcmp(h->build_id, dw->build_id) != 0)
		return false;
	if (sizeof(*h) + (uint64_t)h->nfunc * sizeof(struct ixf) +
	    (uint64_t)h->ntype * sizeof(struct ixt) + (uint64_t)h->nfile * 4 + h->strsize != size)
		return false;
	ix = calloc(1, sizeof(*ix));
	ix->mem = mem;
	ix->size = size;
	ix->mapped = mapped;
	ix->h = h;
	p = (const char *)mem + sizeof(*h);
	ix->funcs = (const struct ixf *)p;
	p += h->nfunc * sizeof(struct ixf);
	ix->types = (const struct ixt *)p;
	p += h->ntype * sizeof(struct ixt);
	ix->files = (const uint32_t *)p;
	p += h->nfile * sizeof(uint32_t);
	ix->strs = p;
	ix->file_memo = malloc(h->nfile + 1);
	dw->idx = ix;
	return true;
}

static const char *cache_dir(char *buf, size_t n)
{
	const char *sd = getenv("SYSTEMTAP_DIR"), *home = getenv("HOME");

	if (sd && *sd)
		snprintf(buf, n, "%s/cache/dwarf", sd);
	else if (home && *home)
		snprintf(buf, n, "%s/.systemtap/cache/dwarf", home);
	else
		return NULL;
	return buf;
}

static void mkdirs(const char *path)
{
	char tmp[4096];

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p == '/') {
			*p = 0;
			mkdir(tmp, 0755);
			*p = '/';
		}
	}
	mkdir(tmp, 0755);
}

int dw_ensure_index(struct dw_ctx *dw)
{
	char dir[4096], path[4200], tmp[4300];
	size_t size;
	void *img;
	int fd;
	bool cacheable = dw->build_id[0] && cache_dir(dir, sizeof(dir));

	if (dw->idx)
		return 0;
	if (cacheable) {
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s.idx", dir, dw->build_id);
		fd = open(path, O_RDONLY);
		if (fd >= 0 && fstat(fd, &st) == 0 && st.st_size > 0) {
			void *m = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);

			close(fd);
			if (m != MAP_FAILED) {
				if (attach(dw, m, st.st_size, true))
					return 0;
				munmap(m, st.st_size);
			}
		} else if (fd >= 0) {
			close(fd);
		}
		/* Only the kernel takes long enough to be worth a note (a module's index is
		 * built in milliseconds). */
		if (strcmp(dw->modname, "kernel") == 0)
			fprintf(stderr, "Indexing kernel debuginfo for %s (once per kernel)...\n",
				dw->release ? dw->release : dw->path);
	}
	img = build_image(dw, &size);
	if (cacheable) {
		mkdirs(dir);
		snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int)getpid());
		fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0) {
			size_t done = 0;
			ssize_t w = 0;

			while (done < size && (w = write(fd, (char *)img + done, size - done)) > 0)
				done += w;
			if (close(fd) == 0 && done == size)
				rename(tmp, path);
			else
				unlink(tmp);
		}
	}
	if (!attach(dw, img, size, false))
		free(img);
	return 1;
}

/* ---- lookups ---- */

static size_t lower_bound(struct dw_index *ix, const char *key, size_t keylen)
{
	size_t lo = 0, hi = ix->h->nfunc;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = keylen ? strncmp(ix->strs + ix->funcs[mid].name, key, keylen)
			       : strcmp(ix->strs + ix->funcs[mid].name, key);

		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void dw_index_funcs(struct dw_ctx *dw, const char *name_pat, const char *file_pat,
		    void (*fn)(void *arg, const struct dw_ixfunc *f), void *arg)
{
	struct dw_index *ix;
	size_t i, end, plen = 0;
	bool exact, any_name;

	dw_ensure_index(dw);
	ix = dw->idx;
	if (!ix)
		return;
	memset(ix->file_memo, -1, ix->h->nfile + 1);
	any_name = !name_pat || strcmp(name_pat, "*") == 0;
	exact = !any_name && !dw_has_wildcard(name_pat) && !strchr(name_pat, '\\');
	if (any_name) {
		i = 0;
		end = ix->h->nfunc;
	} else if (exact) {
		i = lower_bound(ix, name_pat, 0);
		end = ix->h->nfunc;
	} else {
		plen = strcspn(name_pat, "*?[\\");
		i = plen ? lower_bound(ix, name_pat, plen) : 0;
		end = ix->h->nfunc;
	}
	for (; i < end; i++) {
		const struct ixf *e = &ix->funcs[i];
		const char *name = ix->strs + e->name;
		struct dw_ixfunc out;

		if (exact) {
			if (strcmp(name, name_pat) != 0)
				break;
		} else if (!any_name) {
			if (plen && strncmp(name, name_pat, plen) != 0)
				break;
			if (fnmatch(name_pat, name, 0) != 0)
				continue;
		}
		if (file_pat) {
			signed char *m = &ix->file_memo[e->file];

			if (*m < 0)
				*m = dw_file_matches(ix->strs + ix->files[e->file], file_pat);
			if (!*m)
				continue;
		}
		out.name = name;
		out.file = ix->strs + ix->files[e->file];
		if (!*out.file)
			out.file = NULL;
		out.die = e->die;
		out.cu = e->cu;
		out.line = e->line;
		out.flags = e->flags;
		fn(arg, &out);
	}
}

uint64_t dw_index_type(struct dw_ctx *dw, int tag, const char *name)
{
	struct dw_index *ix;
	size_t lo = 0, hi;

	dw_ensure_index(dw);
	ix = dw->idx;
	if (!ix)
		return 0;
	hi = ix->h->ntype;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (strcmp(ix->strs + ix->types[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < ix->h->ntype && strcmp(ix->strs + ix->types[lo].name, name) == 0; lo++)
		if (!tag || (int)ix->types[lo].tag == tag)
			return ix->types[lo].die;
	return 0;
}
