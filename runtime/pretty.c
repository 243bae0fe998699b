// SPDX-License-Identifier: GPL-2.0
/* pretty.c - appends one pretty-printed value to a script string: what the translator's
 * plans for $var$, $var$$ and $$vars (translator/dwarf_pretty.h) are made of. Numbers in
 * decimal or hex, characters and strings quoted with C escapes. Strings are read from
 * kernel memory, or else user memory (a __user pointer of the probed task), a small chunk
 * at a time and never across a page that was not already read; when neither read works
 * the pointer itself is shown in hex. Nothing here sleeps or faults. */
#include <linux/uaccess.h>
#include "stp_runtime.h"

enum { PP_SIGNED, PP_UNSIGNED, PP_HEX, PP_CHAR, PP_STRING };   /* dw_pp_kind */

struct sink {
	char *p;
	size_t room;                    /* bytes left before the terminating NUL */
};

static void put(struct sink *s, const char *t, size_t n)
{
	if (n > s->room)
		n = s->room;
	memcpy(s->p, t, n);
	s->p += n;
	s->room -= n;
	*s->p = '\0';
}

/* One character as it appears between quotes Q. */
static void put_escaped(struct sink *s, unsigned char ch, char q)
{
	static const char esc[] = "\a\b\f\n\r\t\v";
	static const char letters[] = "abfnrtv";
	const char *e = ch ? strchr(esc, ch) : NULL;
	char buf[5];

	if (e) {
		buf[0] = '\\';
		buf[1] = letters[e - esc];
		put(s, buf, 2);
	} else if (ch == '\\' || ch == q) {
		buf[0] = '\\';
		buf[1] = ch;
		put(s, buf, 2);
	} else if (ch >= 0x20 && ch < 0x7f) {
		buf[0] = ch;
		put(s, buf, 1);
	} else {
		snprintf(buf, sizeof(buf), "\\%03o", ch);
		put(s, buf, 4);
	}
}

static int read_bytes(void *dst, unsigned long addr, size_t n, bool user)
{
	if (user)
		return copy_from_user_nofault(dst, (const void __user *)addr, n) ? -EFAULT : 0;
	return copy_from_kernel_nofault(dst, (const void *)addr, n) ? -EFAULT : 0;
}

/* "text" read at ADDR, at most LIMIT bytes; "text"... when cut. */
static void put_string(struct sink *s, unsigned long addr, size_t limit)
{
	char chunk[32];
	size_t done = 0;
	bool user = false;

	while (done < limit) {
		size_t room = PAGE_SIZE - ((addr + done) & (PAGE_SIZE - 1));
		size_t n = min3(room, limit - done, sizeof(chunk));
		size_t i;

		if (read_bytes(chunk, addr + done, n, user)) {
			if (done == 0 && !user) {
				user = true;    /* not kernel memory: try the task's */
				continue;
			}
			if (done == 0) {
				char buf[24];

				put(s, buf, snprintf(buf, sizeof(buf), "0x%lx", addr));
				return;
			}
			break;                  /* readable up to here */
		}
		if (done == 0)
			put(s, "\"", 1);
		for (i = 0; i < n; i++) {
			if (chunk[i] == '\0') {
				put(s, "\"", 1);
				return;
			}
			put_escaped(s, chunk[i], '"');
		}
		done += n;
	}
	if (done == 0)
		put(s, "\"", 1);
	put(s, "\"...", 4);
}

void stp_pp_value(char *dst, int kind, int64_t v, long maxlen)
{
	size_t used = strnlen(dst, MAXSTRINGLEN - 1);
	struct sink s = { .p = dst + used, .room = MAXSTRINGLEN - 1 - used };
	char buf[32];

	switch (kind) {
	case PP_SIGNED:
		put(&s, buf, snprintf(buf, sizeof(buf), "%lld", (long long)v));
		break;
	case PP_UNSIGNED:
		put(&s, buf, snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v));
		break;
	case PP_HEX:
		put(&s, buf, snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)v));
		break;
	case PP_CHAR:
		put(&s, "'", 1);
		put_escaped(&s, (unsigned char)v, '\'');
		put(&s, "'", 1);
		break;
	case PP_STRING:
		put_string(&s, (unsigned long)v,
			   maxlen > 0 && maxlen < MAXSTRINGLEN ? maxlen : MAXSTRINGLEN - 1);
		break;
	}
}
