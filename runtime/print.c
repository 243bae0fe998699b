// SPDX-License-Identifier: GPL-2.0
/* print.c - output of probe handlers.
 *
 * Each CPU stages the output of the probe hit it is running in its own buffer; the buffer
 * goes to the relay channel in one piece when the hit ends (stp_print_flush from
 * stp_run_probe), or earlier when it fills. So the output of one hit is never interleaved
 * with another CPU's. Callers run inside stp_run_probe, with interrupts off.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "stp_runtime.h"

struct stp_print_buf {
	size_t len;
	char data[STP_PRINT_BUFSIZE];
};

static struct stp_print_buf __percpu *stp_print_bufs;

int stp_print_alloc(void)
{
	stp_print_bufs = alloc_percpu(struct stp_print_buf);
	return stp_print_bufs ? 0 : -ENOMEM;
}

void stp_print_free(void)
{
	free_percpu(stp_print_bufs);
	stp_print_bufs = NULL;
}

static struct stp_print_buf *this_buf(void)
{
	return this_cpu_ptr(stp_print_bufs);
}

void stp_print_flush(void)
{
	struct stp_print_buf *b = this_buf();

	if (b->len) {
		stp_relay_write(b->data, b->len);
		b->len = 0;
	}
}

char *stp_print_window(size_t *room)
{
	struct stp_print_buf *b = this_buf();

	*room = STP_PRINT_BUFSIZE - b->len;
	return b->data + b->len;
}

char *stp_print_window_flushed(size_t *room)
{
	stp_print_flush();
	return stp_print_window(room);
}

void stp_print_commit(size_t n)
{
	struct stp_print_buf *b = this_buf();

	b->len += n;
	if (b->len == STP_PRINT_BUFSIZE)
		stp_print_flush();
}

void stp_print_mem(const char *s, size_t len)
{
	struct stp_print_buf *b = this_buf();

	while (len) {
		size_t room = STP_PRINT_BUFSIZE - b->len;
		size_t n = len < room ? len : room;

		memcpy(b->data + b->len, s, n);
		b->len += n;
		s += n;
		len -= n;
		if (b->len == STP_PRINT_BUFSIZE)
			stp_print_flush();
	}
}

void stp_print_str(const char *s)
{
	stp_print_mem(s, strlen(s));
}

void stp_print_char(char ch)
{
	stp_print_mem(&ch, 1);
}

void stp_printf(const char *fmt, ...)
{
	struct stp_print_buf *b = this_buf();
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(b->data + b->len, STP_PRINT_BUFSIZE - b->len, fmt, ap);
	va_end(ap);
	if (b->len + n < STP_PRINT_BUFSIZE) {
		b->len += n;
		return;
	}
	/* Did not fit: flush what was there and format again into the empty buffer. */
	stp_print_flush();
	va_start(ap, fmt);
	n = vsnprintf(b->data, STP_PRINT_BUFSIZE, fmt, ap);
	va_end(ap);
	b->len = min_t(size_t, n, STP_PRINT_BUFSIZE - 1);
}
