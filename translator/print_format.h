/* print_format.h - SystemTap printf formats, parsed once for checking (passes 1 and 2)
 * and for code generation (pass 3); and where histograms may stand.
 *
 * A format is a list of literal runs and conversions. A conversion is '%', at most one
 * flag of "0+- #", a width (digits or '*'), a precision ('.' then digits or '*'), an
 * optional 'l', and one of b c s m M d i o u p x X; "%%" is a literal '%'. Each '*'
 * consumes a long argument before the converted value; %s takes a string, every other
 * conversion a long.
 *
 * As in SystemTap, whose format parser reads a literal before its escapes are decoded,
 * a character written as an escape (\045, \x25) is always literal text: "\045d" prints
 * "%d", and "%\x64" is no conversion. And as SystemTap copies each literal run as a C
 * string, a NUL in a run (\0) ends that run: printf("a\0b%d", 1) prints "a1".
 */
#ifndef STAP_PRINT_FORMAT_H
#define STAP_PRINT_FORMAT_H

#include <stddef.h>

/* Flags: the runtime's STP_FMT_* values (runtime/format.h). */
enum {
	FMT_ZEROPAD = 1, FMT_SIGN = 2, FMT_PLUS = 4, FMT_SPACE = 8, FMT_LEFT = 16,
	FMT_SPECIAL = 32, FMT_LARGE = 64,
};
#define FMT_UNSPEC (-1)
#define FMT_DYNAMIC (-2)

struct fmt_comp {
	int is_literal;
	const char *text;            /* literal run (with "%%" already one '%') */
	size_t len;
	char conv;                   /* b c s m M d i o u p x X */
	int flags, width, prec;      /* width/prec: FMT_UNSPEC, FMT_DYNAMIC or a value */
	struct fmt_comp *next;
};

/* Parses fmt (len decoded bytes; raw, when not NULL, is the literal as written, with its
 * escapes); returns the components, or NULL with *err set ("invalid or missing
 * conversion specifier", "trailing incomplete print format conversion"). An empty
 * format gives an empty list and no error. */
struct fmt_comp *fmt_parse(const char *fmt, size_t len, const char *raw, const char **err);
/* How many arguments the format consumes. */
int fmt_nargs(const struct fmt_comp *c);
/* Does the n-th argument (0-based) have to be a string? */
int fmt_arg_is_string(const struct fmt_comp *c, int n);

struct node;
/* Pass 1: a histogram (@hist_log, @hist_linear) may only be the one argument of print,
 * println, sprint or sprintln, a bucket's array ([N]) or a foreach's array; anywhere
 * else it is SystemTap's parse error "base histogram operator where expression
 * expected". Walks the bodies of a file's declarations. */
void fmt_check_hist_uses(struct node *decls);

#endif
