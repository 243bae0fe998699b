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

/* The buffer of each CPU, and (a per-CPU variable, one load away) how much it holds. */
struct stp_print_buf {
	char data[STP_PRINT_BUFSIZE];
};

static struct stp_print_buf __percpu *stp_print_bufs;
DEFINE_PER_CPU(size_t, stp_print_len);

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

static char *this_buf(void)
{
	return this_cpu_ptr(stp_print_bufs)->data;
}

void stp_print_flush(void)
{
	size_t len = __this_cpu_read(stp_print_len);

	if (len) {
		stp_relay_write(this_buf(), len);
		__this_cpu_write(stp_print_len, 0);
	}
}

char *stp_print_window(size_t *room)
{
	size_t len = __this_cpu_read(stp_print_len);

	*room = STP_PRINT_BUFSIZE - len;
	return this_buf() + len;
}

char *stp_print_window_flushed(size_t *room)
{
	stp_print_flush();
	return stp_print_window(room);
}

void stp_print_commit(size_t n)
{
	if (__this_cpu_add_return(stp_print_len, n) == STP_PRINT_BUFSIZE)
		stp_print_flush();
}

void stp_print_mem(const char *s, size_t len)
{
	char *b = this_buf();

	while (len) {
		size_t used = __this_cpu_read(stp_print_len);
		size_t n = min(len, STP_PRINT_BUFSIZE - used);

		memcpy(b + used, s, n);
		s += n;
		len -= n;
		if (__this_cpu_add_return(stp_print_len, n) == STP_PRINT_BUFSIZE)
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
	char *b = this_buf();
	size_t used = __this_cpu_read(stp_print_len);
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(b + used, STP_PRINT_BUFSIZE - used, fmt, ap);
	va_end(ap);
	if (used + n < STP_PRINT_BUFSIZE) {
		__this_cpu_write(stp_print_len, used + n);
		return;
	}
	/* Did not fit: flush what was there and format again into the empty buffer. */
	stp_print_flush();
	va_start(ap, fmt);
	n = vsnprintf(b, STP_PRINT_BUFSIZE, fmt, ap);
	va_end(ap);
	__this_cpu_write(stp_print_len, min_t(size_t, n, STP_PRINT_BUFSIZE - 1));
}
