/* print_format.c - parsing SystemTap printf formats, and where a histogram may stand
 * (see print_format.h). */
#include "print_format.h"
#include "arena.h"
#include "ast_walk.h"
#include "diag.h"
#include "preprocess.h"

#include <ctype.h>
#include <string.h>

static int flag_of(char ch)
{
	switch (ch) {
	case '0': return FMT_ZEROPAD;
	case '+': return FMT_PLUS;
	case '-': return FMT_LEFT;
	case ' ': return FMT_SPACE;
	case '#': return FMT_SPECIAL;
	default: return 0;
	}
}

/* Digits or '*' at fmt[*i]; FMT_UNSPEC when neither. */
static int dimension(const char *fmt, size_t len, size_t *i)
{
	int v = 0;

	if (*i < len && fmt[*i] == '*') {
		++*i;
		return FMT_DYNAMIC;
	}
	if (*i >= len || !isdigit((unsigned char)fmt[*i]))
		return FMT_UNSPEC;
	while (*i < len && isdigit((unsigned char)fmt[*i])) {
		if (v < 100000000)
			v = v * 10 + (fmt[*i] - '0');
		++*i;
	}
	return v;
}

/* The flags a conversion adds to the one written. */
static int conv_flags(char conv)
{
	switch (conv) {
	case 'd': case 'i': return FMT_SIGN;
	case 'X': return FMT_LARGE;
	case 'p': return FMT_SPECIAL;
	default: return 0;
	}
}

static struct fmt_comp *new_comp(struct fmt_comp ***tail)
{
	struct fmt_comp *c = arena_alloc(g_arena, sizeof(*c));

	memset(c, 0, sizeof(*c));
	**tail = c;
	*tail = &c->next;
	return c;
}

/* fmt as the format parser sees it: each byte that an escape spelled in raw made becomes
 * '\1', which is no '%' and nothing a conversion may contain. */
static const char *parser_view(const char *fmt, size_t len, const char *raw)
{
	size_t rlen = raw ? strlen(raw) : 0;
	char *dec, *view;
	unsigned char *esc;
	const char *err;

	if (!raw || !memchr(raw, '\\', rlen))
		return fmt;
	dec = arena_alloc(g_arena, rlen + 1);
	esc = arena_alloc(g_arena, rlen + 1);
	if (lex_unescape(raw, rlen, dec, esc, &err) != len || memcmp(dec, fmt, len) != 0)
		return fmt;             /* not the spelling of fmt (cannot happen) */
	view = arena_strndup(g_arena, fmt, len);
	for (size_t i = 0; i < len; i++)
		if (esc[i])
			view[i] = '\1';
	return view;
}

/* Appends literal text, merging with a literal just before it. */
static void literal(struct fmt_comp **last, struct fmt_comp ***tail, const char *s, size_t n)
{
	struct fmt_comp *c = *last;

	if (c && c->is_literal) {
		char *t = arena_alloc(g_arena, c->len + n + 1);
		memcpy(t, c->text, c->len);
		memcpy(t + c->len, s, n);
		t[c->len + n] = '\0';
		c->text = t;
		c->len += n;
		return;
	}
	c = new_comp(tail);
	c->is_literal = 1;
	c->text = arena_strndup(g_arena, s, n);
	c->len = n;
	*last = c;
}

struct fmt_comp *fmt_parse(const char *text, size_t len, const char *raw, const char **err)
{
	struct fmt_comp *head = NULL, **tail = &head, *last = NULL;
	const char *fmt = parser_view(text, len, raw);
	size_t i = 0;

	*err = NULL;
	while (i < len) {
		if (fmt[i] != '%') {
			size_t j = i;
			while (j < len && fmt[j] != '%')
				j++;
			literal(&last, &tail, text + i, j - i);
			i = j;
			continue;
		}
		if (i + 1 >= len) {
			*err = "invalid or missing conversion specifier";   /* "100%" */
			return NULL;
		}
		if (fmt[i + 1] == '%') {
			literal(&last, &tail, "%", 1);
			i += 2;
			continue;
		}
		i++;
		int flags = flag_of(fmt[i]);
		if (flags)
			i++;
		int width = dimension(fmt, len, &i), prec = FMT_UNSPEC;
		if (i < len && fmt[i] == '.') {
			i++;
			prec = dimension(fmt, len, &i);
		}
		if (i < len && fmt[i] == 'l')
			i++;
		if (i >= len) {
			/* "%" followed only by flags/width/precision. */
			if (flags || width != FMT_UNSPEC || prec != FMT_UNSPEC) {
				*err = "trailing incomplete print format conversion";
				return NULL;
			}
			break;
		}
		if (!strchr("bcsmMdiouxXp", fmt[i]) || fmt[i] == '\0') {
			*err = "invalid or missing conversion specifier";
			return NULL;
		}
		struct fmt_comp *c = new_comp(&tail);
		c->conv = fmt[i++];
		c->flags = flags | conv_flags(c->conv);
		c->width = width;
		c->prec = prec;
		last = c;
	}
	return head;
}

int fmt_nargs(const struct fmt_comp *c)
{
	int n = 0;

	for (; c; c = c->next) {
		if (c->is_literal)
			continue;
		n += 1 + (c->width == FMT_DYNAMIC) + (c->prec == FMT_DYNAMIC);
	}
	return n;
}

int fmt_arg_is_string(const struct fmt_comp *c, int n)
{
	for (; c; c = c->next) {
		if (c->is_literal)
			continue;
		n -= (c->width == FMT_DYNAMIC) + (c->prec == FMT_DYNAMIC);
		if (n < 0)
			return 0;
		if (n == 0)
			return c->conv == 's';
		n--;
	}
	return 0;
}

/* ---- histograms: printed, indexed or walked, nothing else ---- */

static int hist_allowed(const struct node *parent, const struct node *h)
{
	switch (parent->kind) {
	case N_PRINT:           /* print(@hist_log(s)), println, sprint, sprintln */
		return parent->args == h && !h->next && !strstr(parent->name, "printf") &&
		       !strstr(parent->name, "printd");
	case N_INDEX:           /* @hist_log(s)[bucket] */
	case N_FOREACH:         /* foreach (b in @hist_log(s)) */
		return parent->base == h;
	default:
		return 0;
	}
}

static void hist_child(struct node *c, void *parent)
{
	if (c->kind == N_HIST && !hist_allowed(parent, c))
		diag_parse_error_at(&c->loc, c->tok_desc,
				    "base histogram operator where expression expected");
	node_visit_children(c, hist_child, c);
}

void fmt_check_hist_uses(struct node *decls)
{
	for (struct node *d = decls; d; d = d->next)
		if (d->body)
			node_visit_children(d->body, hist_child, d->body);
}
