// SPDX-License-Identifier: GPL-2.0
/* string.c - script strings: fixed MAXSTRINGLEN buffers, always NUL-terminated, truncated
 * rather than overflowed. */
#include "stp_runtime.h"

void stp_strcpy(char *dst, const char *src)
{
	strscpy(dst, src, MAXSTRINGLEN);
}

void stp_strcat(char *dst, const char *src)
{
	size_t used = strnlen(dst, MAXSTRINGLEN - 1);

	strscpy(dst + used, src, MAXSTRINGLEN - used);
}

void stp_sprintf(char *dst, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(dst, MAXSTRINGLEN, fmt, ap);
	va_end(ap);
}
