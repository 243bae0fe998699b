// SPDX-License-Identifier: GPL-2.0
/* format.c - printf/sprintf of script values (see format.h) and output sinks.
 *
 * As in SystemTap, printf's output is measured (each width and precision clamped to the
 * print buffer's size), that many bytes of the CPU's buffer are reserved (at most a whole
 * buffer, flushing what is there when it does not fit), and the output is formatted into
 * exactly that window with each width and precision clamped to the room left in it;
 * whatever falls past the window's end is dropped. When the output fits in the room the
 * buffer has, no clamp applies and one pass straight into the buffer does it all. sprintf formats into a MAXSTRINGLEN window the
 * same way and keeps the first MAXSTRINGLEN - 1 bytes.
 */
#include <linux/uaccess.h>
#include <linux/ctype.h>
#include "stp_runtime.h"
#include "loc.h"
#include "format.h"

struct out {
	char *p, *end;          /* window [p, end) */
	size_t need;            /* bytes the output takes, written or not */
	bool measure;           /* sizing pass: nothing is written or read */
	unsigned long fault;    /* address of a failed %m/%M read, or 0 */
	bool faulted;
};

static void put(struct out *o, char ch)
{
	if (!o->measure && o->p < o->end)
		*o->p++ = ch;
	o->need++;
}

static void put_n(struct out *o, char ch, int n)
{
	while (n-- > 0)
		put(o, ch);
}

static void put_mem(struct out *o, const char *s, size_t n)
{
	size_t fit = o->measure ? 0 : min_t(size_t, n, o->end - o->p);

	if (fit)
		memcpy(o->p, s, fit);
	o->p += fit;
	o->need += n;
}

/* Integers: sign, 0/0x prefix for '#', precision as minimum digits, width padding. */
static void put_number(struct out *o, u64 num, int base, int width, int prec, int flags)
{
	const char *digits = (flags & STP_FMT_LARGE) ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[66], sign = 0;
	int i = 0;

	if (flags & STP_FMT_LEFT)
		flags &= ~STP_FMT_ZEROPAD;
	if (flags & STP_FMT_SIGN) {
		if ((s64)num < 0) {
			sign = '-';
			num = -(s64)num;
			width--;
		} else if (flags & STP_FMT_PLUS) {
			sign = '+';
			width--;
		} else if (flags & STP_FMT_SPACE) {
			sign = ' ';
			width--;
		}
	}
	if (flags & STP_FMT_SPECIAL)
		width -= base == 16 ? 2 : base == 8 ? 1 : 0;
	if (num == 0)
		tmp[i++] = '0';
	while (num) {
		tmp[i++] = digits[num % base];
		num /= base;
	}
	if (i > prec)
		prec = i;
	width -= prec;
	if (!(flags & (STP_FMT_ZEROPAD | STP_FMT_LEFT)))
		put_n(o, ' ', width), width = 0;
	if (sign)
		put(o, sign);
	if ((flags & STP_FMT_SPECIAL) && (base == 8 || base == 16)) {
		put(o, '0');
		if (base == 16)
			put(o, (flags & STP_FMT_LARGE) ? 'X' : 'x');
	}
	if (!(flags & STP_FMT_LEFT))
		put_n(o, (flags & STP_FMT_ZEROPAD) ? '0' : ' ', width), width = 0;
	put_n(o, '0', prec - i);
	while (i-- > 0)
		put(o, tmp[i]);
	put_n(o, ' ', width);
}

/* %c; with '#', non-printable characters, quote and backslash as C escapes. */
static void put_char(struct out *o, char ch, int width, int flags)
{
	static const char plain[] = "\a\b\f\n\r\t\v'\\", esc[] = "abfnrtv'\\";
	const char *e = ch ? strchr(plain, ch) : NULL;
	bool quote = (flags & STP_FMT_SPECIAL) &&
		     (!(isprint(ch) && isascii(ch)) || ch == '\'' || ch == '\\');
	int size = quote ? (e ? 2 : 4) : 1;

	if (!(flags & STP_FMT_LEFT))
		put_n(o, ' ', width - size), width = size;
	if (!quote) {
		put(o, ch);
	} else if (e) {
		put(o, '\\');
		put(o, esc[e - plain]);
	} else {
		put(o, '\\');
		put(o, '0' + ((ch >> 6) & 3));
		put(o, '0' + ((ch >> 3) & 7));
		put(o, '0' + (ch & 7));
	}
	put_n(o, ' ', width - size);
}

/* Reads n bytes at addr into buf, of user memory (%#m, %#M) or else kernel memory;
 * records the fault. */
static bool read_mem(struct out *o, char *buf, unsigned long addr, size_t n, bool user)
{
	if (o->measure) {
		memset(buf, 0, n);
		return true;
	}
	if (user ? copy_from_user_nofault(buf, (const void __user *)addr, n) == 0 :
		   copy_from_kernel_nofault(buf, (const void *)addr, n) == 0)
		return true;
	o->fault = addr;
	o->faulted = true;
	return false;
}

/* %s, %m, %M: a '0' flag appends a NUL byte, as SystemTap does. */
static void put_memory(struct out *o, char conv, const union stp_fmt_arg *a, int width,
		       int prec, int flags)
{
	static const char hex[] = "0123456789abcdef";
	size_t len, shown, i;

	if (conv == STP_CONV_STR)
		len = strnlen(a->s, prec < 0 ? SIZE_MAX : (size_t)prec);
	else
		len = prec > 0 ? prec : 1;
	shown = conv == STP_CONV_MEMHEX ? 2 * len : len;
	if (!(flags & STP_FMT_LEFT))
		put_n(o, ' ', width - (int)shown), width = 0;
	if (conv == STP_CONV_STR) {
		put_mem(o, a->s, len);
	} else {
		unsigned long addr = (unsigned long)a->n;
		char chunk[64];

		for (i = 0; i < len && !o->faulted; i += sizeof(chunk)) {
			size_t n = min_t(size_t, sizeof(chunk), len - i), k;

			if (!read_mem(o, chunk, addr + i, n, flags & STP_FMT_SPECIAL))
				return;
			if (conv == STP_CONV_MEM) {
				put_mem(o, chunk, n);
				continue;
			}
			for (k = 0; k < n; k++) {
				put(o, hex[(u8)chunk[k] >> 4]);
				put(o, hex[chunk[k] & 15]);
			}
		}
	}
	put_n(o, ' ', width - (int)shown);
	if (flags & STP_FMT_ZEROPAD)
		put(o, '\0');
}

static int binary_size(int n)
{
	return n == 1 || n == 2 || n == 4 || n == 8 ? n : -1;
}

/* %b: the low `prec` bytes of the value (little endian), NUL-padded to width. */
static void put_binary(struct out *o, int64_t num, int width, int prec, int flags)
{
	prec = binary_size(prec);
	if (width < 0) {
		if (prec < 0)
			prec = 8;
		width = prec;
	} else if (prec < 0) {
		prec = binary_size(width);
		if (prec < 0)
			prec = 8;
	}
	if (!(flags & STP_FMT_LEFT))
		put_n(o, '\0', width - prec), width = prec;
	if (o->measure || o->end - o->p >= prec)  /* the value's bytes whole, or not at all */
		put_mem(o, (const char *)&num, prec);
	put_n(o, '\0', width - prec);
}

/* A width or precision: at most a print buffer when measuring, else the room left. */
static int clamp_dim(const struct out *o, int v)
{
	long room = o->measure ? STP_PRINT_BUFSIZE : o->end - o->p;

	if (v < 0)
		return 0;
	return v > room ? (int)room : v;
}

static void run(struct out *o, const struct stp_fmt_spec *f, const union stp_fmt_arg *a)
{
	for (; f->conv != STP_CONV_END && !o->faulted; f++) {
		int width = f->width, prec = f->prec;

		if (f->conv == STP_CONV_LIT) {
			put_mem(o, f->text, f->len);
			continue;
		}
		if (width == STP_FMT_DYNAMIC)
			width = clamp_dim(o, (a++)->n);
		else if (width >= 0)
			width = clamp_dim(o, width);
		if (prec == STP_FMT_DYNAMIC)
			prec = clamp_dim(o, (a++)->n);
		else if (prec >= 0)
			prec = clamp_dim(o, prec);
		switch (f->conv) {
		case STP_CONV_NUM:
			put_number(o, (u64)a->n, f->base, width, prec, f->flags);
			break;
		case STP_CONV_CHAR:
			put_char(o, (char)a->n, width, f->flags);
			break;
		case STP_CONV_BIN:
			put_binary(o, a->n, width, prec, f->flags);
			break;
		default:
			put_memory(o, f->conv, a, width, prec, f->flags);
			break;
		}
		a++;
	}
}

static void format_into(struct out *o, char *buf, size_t size, const struct stp_fmt_spec *f,
			const union stp_fmt_arg *a)
{
	memset(o, 0, sizeof(*o));
	o->p = buf;
	o->end = buf + size;
	o->measure = !buf;
	run(o, f, a);
}

int stp_fmt_print(struct stp_context *c, const char *location, const struct stp_fmt_spec *f,
		  const union stp_fmt_arg *a)
{
	size_t room, n;
	char *p = stp_print_window(&room);
	struct out o;

	/* Mostly it fits where the buffer stands, and then no width was cut: one pass. */
	format_into(&o, p, room, f, a);
	if (!o.faulted && o.need > room) {
		format_into(&o, NULL, 0, f, a);
		n = min_t(size_t, o.need, STP_PRINT_BUFSIZE);
		if (room < n)
			p = stp_print_window_flushed(&room);
		format_into(&o, p, n, f, a);
	}
	if (o.faulted) {
		stp_kread_fault(c, o.fault, location);
		return -EFAULT;
	}
	stp_print_commit(o.p - p);
	return 0;
}

int stp_fmt_string(struct stp_context *c, const char *location, char *dst,
		   const struct stp_fmt_spec *f, const union stp_fmt_arg *a)
{
	struct out o;

	format_into(&o, dst, MAXSTRINGLEN, f, a);
	dst[min_t(size_t, o.p - dst, MAXSTRINGLEN - 1)] = '\0';
	if (o.faulted) {
		dst[0] = '\0';
		stp_kread_fault(c, o.fault, location);
		return -EFAULT;
	}
	return 0;
}

/* ---- sinks ---- */

void stp_sink_write(struct stp_sink *s, const char *p, size_t n)
{
	size_t fit;

	if (!s->buf) {
		stp_print_mem(p, n);
		return;
	}
	if (s->len + 1 >= s->size)
		return;
	fit = min(n, s->size - 1 - s->len);
	memcpy(s->buf + s->len, p, fit);
	s->len += fit;
	s->buf[s->len] = '\0';
}

void stp_sink_pad(struct stp_sink *s, char ch, int n)
{
	char run[64];

	memset(run, ch, sizeof(run));
	while (n > 0) {
		int k = min_t(int, n, sizeof(run));

		stp_sink_write(s, run, k);
		n -= k;
	}
}

void stp_sink_printf(struct stp_sink *s, const char *fmt, ...)
{
	char line[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vscnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	stp_sink_write(s, line, n);
}
