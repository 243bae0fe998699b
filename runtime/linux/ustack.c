// SPDX-License-Identifier: GPL-2.0
/* ustack.c - the current task's user stack and the symbols of its addresses, for the
 * ucontext tapsets (print_ubacktrace, usymname, umodname, usymfileline ...); see
 * stp_ustack.h.
 *
 * The stack is walked from the task's user registers through the frame-pointer chain
 * ([rbp] = caller's rbp, [rbp + 8] = return address), every read fault-safe and the depth
 * bounded; a frameless leaf (a libc system call wrapper) is covered by taking the word at
 * [rsp] as its return address when the instruction before it is a call. Symbols come from
 * the tables the translator emits for -d binaries: an address is turned into a file offset
 * and looked up there (and so is its source line when the binary has a line table). In
 * the main executable's text the load bias comes from mm->start_code and the file from
 * mm->exe_file, with no lock, so that works in any context (timer.profile too);
 * elsewhere the address's VMA tells, found under mmap_read_trylock where interrupts are
 * on. Nothing here sleeps or spins on a lock, and paths are put together from the
 * dentries rather than with d_path() (whose rename_lock a probed function may hold):
 * they are relative to the file's own file system.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/jhash.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/sched.h>
#include <linux/sched/task_stack.h>
#include <linux/uaccess.h>
#include "../stp_runtime.h"
#include "stp_ustack.h"

struct pt_regs *stp_user_regs(struct stp_context *c)
{
	if (c && c->regs && user_mode(c->regs))
		return c->regs;
	if (!current->mm || (current->flags & PF_KTHREAD))
		return NULL;
	return task_pt_regs(current);
}

/* The length of an indirect call (ff /2) whose ModRM byte is at p, with avail bytes from
 * there on, or 0 if it is none. */
static int __call_indirect_len(const u8 *p, int avail)
{
	u8 mod = p[0] >> 6, rm = p[0] & 7;
	int len = 2;

	if (((p[0] >> 3) & 7) != 2)
		return 0;
	if (mod == 3)
		return len;
	if (rm == 4) {                          /* a SIB byte follows */
		if (avail < 2)
			return 0;
		len++;
	}
	if (mod == 1)
		len += 1;
	else if (mod == 2 || (mod == 0 && rm == 5) || (mod == 0 && rm == 4 && (p[1] & 7) == 5))
		len += 4;
	return len;
}

/* Whether the instruction just before ra is a call, i.e. ra is a return address. */
static bool __after_call(unsigned long ra)
{
	u8 code[8];
	int k;

	if (ra < sizeof(code) || ra >= TASK_SIZE_MAX ||
	    copy_from_user_nofault(code, (const void __user *)(ra - sizeof(code)), sizeof(code)))
		return false;
	if (code[3] == 0xe8)                    /* call rel32 */
		return true;
	for (k = 2; k <= 7; k++)                /* call *r/m64, 2 to 7 bytes */
		if (code[8 - k] == 0xff && __call_indirect_len(&code[8 - k + 1], k - 1) == k)
			return true;
	return false;
}

static bool __read_word(unsigned long addr, unsigned long *val)
{
	return addr && !(addr & 7) && addr < TASK_SIZE_MAX - 8 &&
	       !copy_from_user_nofault(val, (const void __user *)addr, sizeof(*val));
}

int stp_ustack_walk_from(unsigned long ip, unsigned long sp, unsigned long fp,
			 unsigned long *pcs, int max)
{
	unsigned long ra, next;
	int n = 0;

	if (max <= 0 || !current->mm || (current->flags & PF_KTHREAD))
		return 0;
	pcs[n++] = ip;
	/* A frameless leaf: its return address is still at the top of the stack. */
	if (n < max && __read_word(sp, &ra) && __after_call(ra) &&
	    !(__read_word(fp + 8, &next) && next == ra))
		pcs[n++] = ra;
	while (n < max && __read_word(fp + 8, &ra) && __after_call(ra)) {
		pcs[n++] = ra;
		/* Callers' frames are further up the stack: anything else ends the walk. */
		if (!__read_word(fp, &next) || next <= fp)
			break;
		fp = next;
	}
	return n;
}

int stp_ustack_walk(struct stp_context *c, unsigned long *pcs, int max)
{
	struct pt_regs *regs = stp_user_regs(c);

	return regs ? stp_ustack_walk_from(regs->ip, regs->sp, regs->bp, pcs, max) : 0;
}

/* Whether the page-cache copy of file holds the build-id of f where f says (when that
 * lies within one page). */
static bool __build_id_matches(struct file *file, const struct stp_usym_file *f)
{
	unsigned long in_page = f->build_id_off & ~PAGE_MASK;
	struct page *page;
	bool same = false;
	void *p;

	if (in_page + f->build_id_len > PAGE_SIZE)
		return true;                    /* can't tell cheaply: name and size decide */
	page = find_get_page(file->f_mapping, f->build_id_off >> PAGE_SHIFT);
	if (!page)
		return false;
	p = kmap_local_page(page);
	same = !memcmp(p + in_page, f->build_id, f->build_id_len);
	kunmap_local(p);
	put_page(page);
	return same;
}

static const struct stp_usym_file *__match_file(const struct stp_usym_set *set,
						struct file *file)
{
	unsigned int i;

	for (i = 0; set && i < set->n; i++) {
		const struct stp_usym_file *f = &set->files[i];
		bool same;

		if (i_size_read(file_inode(file)) != f->file_size)
			continue;
		/* A rename frees a long name only after an RCU grace period. */
		rcu_read_lock();
		same = !strcmp(f->basename, READ_ONCE(file->f_path.dentry->d_name.name));
		rcu_read_unlock();
		if (same && (!f->build_id_len || __build_id_matches(file, f)))
			return f;
	}
	return NULL;
}

/* The symbol of f holding file offset off, by binary search; fills hit. */
static void __find_symbol(const struct stp_usym_file *f, unsigned long off,
			  struct stp_usym_hit *hit)
{
	unsigned int lo = 0, hi = f->nsyms;

	while (lo < hi) {                       /* first symbol starting after off */
		unsigned int mid = lo + (hi - lo) / 2;

		if (f->syms[mid].offset <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || off - f->syms[lo - 1].offset >= f->syms[lo - 1].size)
		return;
	hit->name = f->names + f->syms[lo - 1].name;
	hit->off = off - f->syms[lo - 1].offset;
	hit->size = f->syms[lo - 1].size;
}

/* The path of file within its file system into buf (len bytes), walking the dentries
 * without a lock: the caller holds a reference on file, which pins them; names are read
 * under RCU. A path that doesn't fit is just the file's name. */
static void __file_path(struct file *file, char *buf, size_t len)
{
	struct dentry *d = file->f_path.dentry;
	char *end = buf + len - 1, *p = end;
	int depth;

	*end = '\0';
	rcu_read_lock();
	for (depth = 0; depth < 64; depth++) {
		struct dentry *parent = READ_ONCE(d->d_parent);
		const char *name = READ_ONCE(d->d_name.name);
		size_t n = strnlen(name, NAME_MAX);

		if (d == parent)
			break;
		if ((size_t)(p - buf) < n + 1) {
			strscpy(buf, file->f_path.dentry->d_name.name, len);
			rcu_read_unlock();
			return;
		}
		p -= n;
		memcpy(p, name, n);
		*--p = '/';
		d = parent;
	}
	rcu_read_unlock();
	if (p == end && p > buf)
		*--p = '/';
	memmove(buf, p, end - p + 1);
}

/* addr in the main executable's text (mm->start_code to end_code): found through
 * mm->exe_file and the load bias start_code gives, with no lock, so in any context.
 * Returns whether addr was there. */
static bool __find_in_exe(const struct stp_usym_set *set, struct mm_struct *mm,
			  unsigned long addr, struct stp_usym_hit *hit, char *path, size_t len,
			  bool unknown_only)
{
	const struct stp_usym_file *f;
	struct file *exe;
	unsigned long v = 0;

	if (addr < READ_ONCE(mm->start_code) || addr >= READ_ONCE(mm->end_code))
		return false;
	rcu_read_lock();
	exe = rcu_dereference(mm->exe_file);
	if (exe && !get_file_rcu(exe))
		exe = NULL;
	rcu_read_unlock();
	if (!exe)
		return false;
	f = __match_file(set, exe);
	if (f && f->exec_size) {
		v = addr - (mm->start_code - f->exec_vaddr);
		if (v < f->exec_vaddr || v >= f->exec_vaddr + f->exec_size)
			f = NULL;
	}
	hit->mapped = true;
	if (f && f->exec_size) {
		hit->file = f;
		hit->file_off = v - f->exec_vaddr + f->exec_offset;
		__find_symbol(f, hit->file_off, hit);
	}
	if (path && !(hit->file && unknown_only))
		__file_path(exe, path, len);
	fput(exe);
	return true;
}

/* stp_usym_find(), the path only of a file without a table when unknown_only. */
static int __usym_find(const struct stp_usym_set *set, unsigned long addr,
		       struct stp_usym_hit *hit, char *path, size_t len, bool unknown_only)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;

	memset(hit, 0, sizeof(*hit));
	if (!path || !len)
		path = NULL;
	else
		path[0] = '\0';
	if (!mm || (current->flags & PF_KTHREAD) || addr >= TASK_SIZE_MAX || in_nmi())
		return 0;
	if (__find_in_exe(set, mm, addr, hit, path, len, unknown_only))
		return 0;
	/* Elsewhere the VMAs tell, under mmap_lock. Its unlock may wake a writer, which is
	 * safe only where interrupts are on (no runqueue lock can be held then). */
	if (irqs_disabled() || !mmap_read_trylock(mm))
		return -EBUSY;
	vma = find_vma(mm, addr);
	if (vma && vma->vm_start <= addr && vma->vm_file) {
		hit->mapped = true;
		hit->file_off = addr - vma->vm_start + ((unsigned long)vma->vm_pgoff << PAGE_SHIFT);
		hit->file = __match_file(set, vma->vm_file);
		if (hit->file)
			__find_symbol(hit->file, hit->file_off, hit);
		if (path && !(hit->file && unknown_only))
			__file_path(vma->vm_file, path, len);
	}
	mmap_read_unlock(mm);
	return 0;
}

int stp_usym_find(const struct stp_usym_set *set, unsigned long addr,
		  struct stp_usym_hit *hit, char *path, size_t len)
{
	return __usym_find(set, addr, hit, path, len, false);
}

/* SystemTap's hint for a mapped file without symbols, once per file (for the first 16). */
static void __hint_missing(const char *path)
{
	static u32 warned[16];
	static atomic_t nwarned = ATOMIC_INIT(0);
	u32 h = jhash(path, strlen(path), 0) | 1;
	char msg[320];
	int i, n = atomic_read(&nwarned);

	if (n >= ARRAY_SIZE(warned))
		return;
	for (i = 0; i < n; i++)
		if (READ_ONCE(warned[i]) == h)
			return;
	i = atomic_inc_return(&nwarned) - 1;
	if (i >= ARRAY_SIZE(warned))
		return;
	WRITE_ONCE(warned[i], h);
	n = scnprintf(msg, sizeof(msg),
		      "WARNING: Missing unwind data for a module, rerun with 'stap -d %s'\n", path);
	stp_ctl_send(STP_OOB_WARNING, msg, n);
}

/* The line holding file offset off of f (0: unknown), its source file into *src. */
static unsigned int __find_line(const struct stp_usym_file *f, unsigned long off,
				const char **src)
{
	const struct stp_uline_table *t = f->lines;
	unsigned int lo = 0, hi = t ? t->n : 0;

	if (!t || off > UINT_MAX)
		return 0;
	while (lo < hi) {                       /* first row starting after off */
		unsigned int mid = lo + (hi - lo) / 2;

		if (t->offs[mid] <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || !t->lines[lo - 1] || t->files[lo - 1] >= t->nsrcs)
		return 0;
	*src = t->srcs[t->files[lo - 1]];
	return t->lines[lo - 1];
}

/* addr as STP_ULINE_FILELINE, _FILE or _LINE render it. */
static size_t __sprint_fileline(char *buf, size_t len, unsigned long addr, const char *src,
				unsigned int line, unsigned int kind)
{
	if (kind == STP_ULINE_LINE && line)
		return scnprintf(buf, len, "%u", line);
	if (kind == STP_ULINE_FILE && src)
		return scnprintf(buf, len, "%s", src);
	if (kind == STP_ULINE_FILELINE && src)
		return line ? scnprintf(buf, len, "%s:%u", src, line) : scnprintf(buf, len, "%s", src);
	return scnprintf(buf, len, "0x%lx", addr);
}

size_t stp_usym_sprint(const struct stp_usym_set *set, char *buf, size_t len,
		       unsigned long addr, unsigned int style)
{
	unsigned int kind = style & ~STP_USYM_CALLER, line = 0;
	bool full = kind == STP_USYM_FULL || kind == STP_ULINE_FULL;
	bool framed = full || kind == STP_USYM_USYMS;
	struct stp_usym_hit h;
	const char *mod, *src = NULL;
	char path[256];
	size_t n = 0;

	__usym_find(set, addr, &h, path, sizeof(path), true);
	if (h.mapped && !h.file && path[0])
		__hint_missing(path);
	/* The line of a return address is that of the call before it. */
	if (kind >= STP_ULINE_FULL && h.file)
		line = __find_line(h.file, h.file_off - ((style & STP_USYM_CALLER) && h.file_off),
				   &src);
	if (kind >= STP_ULINE_FILELINE)
		return __sprint_fileline(buf, len, addr, src, line, kind);
	if (kind == STP_USYM_NAME)
		return h.name ? scnprintf(buf, len, "%s", h.name) : scnprintf(buf, len, "0x%lx", addr);
	mod = !h.file || kind == STP_USYM_BRIEF ? NULL :
	      kind == STP_USYM_SIMPLE ? h.file->basename : h.file->path;
	if (framed)
		n += scnprintf(buf, len, h.name || kind == STP_USYM_USYMS ? " 0x%lx : " : " ", addr);
	if (h.name)
		n += scnprintf(buf + n, len - n, "%s+0x%lx", h.name, h.off);
	else
		n += scnprintf(buf + n, len - n, "0x%lx", addr);
	if (h.name && kind != STP_USYM_SIMPLE && kind != STP_USYM_BRIEF)
		n += scnprintf(buf + n, len - n, "/0x%lx", h.size);
	if (mod && h.name && line)
		n += scnprintf(buf + n, len - n, " at %s:%u [%s]", src, line, mod);
	else if (mod && h.name)
		n += scnprintf(buf + n, len - n, " [%s]", mod);
	else if (mod && kind == STP_USYM_SIMPLE)
		n += scnprintf(buf + n, len - n, " [%s+0x%lx]", mod, h.file_off);
	else if (mod)
		n += scnprintf(buf + n, len - n, " [%s+0x%lx/0x%lx]", mod, h.file_off,
			       h.file->file_size);
	if (mod && !h.name && line)
		n += scnprintf(buf + n, len - n, " at %s:%u", src, line);
	if (kind != STP_USYM_DATA)
		n += scnprintf(buf + n, len - n, "\n");
	return n;
}

void stp_usym_print(const struct stp_usym_set *set, unsigned long addr, unsigned int style)
{
	size_t room;
	char *w = stp_print_window(&room);

	if (room < 512)
		w = stp_print_window_flushed(&room);
	stp_print_commit(stp_usym_sprint(set, w, room, addr, style));
}

void stp_usym_print_stack(const struct stp_usym_set *set, const unsigned long *pcs, int n,
			  unsigned int style)
{
	int i;

	for (i = 0; i < n; i++)
		stp_usym_print(set, pcs[i], style | (i ? STP_USYM_CALLER : 0));
}

void stp_ustack_print_from(const struct stp_usym_set *set, struct stp_context *c,
			   unsigned long ip, unsigned long sp, unsigned long fp, unsigned int style)
{
	unsigned long pcs[MAXBACKTRACE];

	if (stp_user_regs(c))
		stp_usym_print_stack(set, pcs,
				     stp_ustack_walk_from(ip, sp, fp, pcs, MAXBACKTRACE), style);
}

bool stp_usym_append(const struct stp_usym_set *set, char *dst, unsigned long addr,
		     unsigned int style)
{
	size_t used = strlen(dst), n;

	if (used >= MAXSTRINGLEN - 1)
		return false;
	n = stp_usym_sprint(set, dst + used, MAXSTRINGLEN - used, addr, style);
	if (used + n >= MAXSTRINGLEN - 1) {     /* cut cleanly: whole lines only */
		dst[used] = '\0';
		return false;
	}
	return true;
}

bool stp_uhex_append(char *dst, unsigned long addr)
{
	size_t used = strlen(dst);
	char word[24];
	int n = scnprintf(word, sizeof(word), "%s0x%lx", used ? " " : "", addr);

	if (used + n >= MAXSTRINGLEN)
		return false;
	memcpy(dst + used, word, n + 1);
	return true;
}

const char *stp_uaddr_next(const char *s, unsigned long *addr)
{
	char *end;

	s = skip_spaces(s);
	*addr = simple_strtoul(s, &end, 16);
	return end == s ? NULL : end;
}
