/* format.h - printf/sprintf of script values, and output sinks.
 *
 * The translator parses each printf format at translate time into a table of
 * struct stp_fmt_spec (literal runs and conversions, terminated by STP_CONV_END) and
 * passes the arguments as an array of union stp_fmt_arg, one per consumed value
 * (a `*` width or precision consumes a long of its own, before the value). The
 * conversions follow SystemTap's: %d %i %u %o %x %X %p (== %#x) on 64-bit values,
 * %c (with '#': C escapes), %s, %m (raw memory, precision bytes; with '#' user
 * memory), %M (hex of memory), %b (the value's bytes, width/precision 1, 2, 4 or 8),
 * one flag of "-+ #0" per conversion. Output is cut at the buffer's end, never overflowed.
 */
#ifndef STP_FORMAT_H
#define STP_FORMAT_H

#include <linux/types.h>

enum stp_conv {
	STP_CONV_END = 0,
	STP_CONV_LIT,           /* text, len */
	STP_CONV_NUM,           /* base 8, 10, 16 */
	STP_CONV_CHAR,
	STP_CONV_STR,
	STP_CONV_MEM,           /* %m */
	STP_CONV_MEMHEX,        /* %M */
	STP_CONV_BIN,           /* %b */
};

/* Flags, as SystemTap numbers them. */
#define STP_FMT_ZEROPAD 1
#define STP_FMT_SIGN    2
#define STP_FMT_PLUS    4
#define STP_FMT_SPACE   8
#define STP_FMT_LEFT    16
#define STP_FMT_SPECIAL 32
#define STP_FMT_LARGE   64

#define STP_FMT_DYNAMIC (-2)    /* width/precision taken from the next argument */

struct stp_fmt_spec {
	u8 conv, base, flags;
	int width, prec;        /* -1 unspecified, STP_FMT_DYNAMIC from an argument */
	const char *text;       /* STP_CONV_LIT */
	unsigned len;
};

union stp_fmt_arg {
	int64_t n;
	const char *s;
};

struct stp_context;

/* printf: formats into this CPU's output buffer. Returns 0, or -EFAULT after recording
 * a read fault of %m/%M (nothing is printed then). */
int stp_fmt_print(struct stp_context *c, const char *location, const struct stp_fmt_spec *f,
		  const union stp_fmt_arg *a);
/* sprintf: formats into dst (MAXSTRINGLEN bytes, NUL-terminated, cut if longer). */
int stp_fmt_string(struct stp_context *c, const char *location, char *dst,
		   const struct stp_fmt_spec *f, const union stp_fmt_arg *a);

/* A destination for multi-line output (histograms): the print buffer (buf == NULL) or a
 * string of size bytes that is cut, always NUL-terminated. */
struct stp_sink {
	char *buf;
	size_t size, len;
};
void stp_sink_write(struct stp_sink *s, const char *p, size_t n);
void stp_sink_printf(struct stp_sink *s, const char *fmt, ...) __printf(2, 3);
void stp_sink_pad(struct stp_sink *s, char ch, int n);

#endif
