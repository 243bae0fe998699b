// SPDX-License-Identifier: GPL-2.0
/* loc.c - run-time support of target variables (see loc.h). */
#include "loc.h"

void stp_kread_fault(struct stp_context *ctx, unsigned long addr, const char *location)
{
	stp_error(ctx, location, "read fault [man error::fault] at 0x%lx", addr);
}

/* strncpy_from_kernel_nofault is not exported to modules: copy page by page with
 * copy_from_kernel_nofault, never reading past the page that holds the NUL. */
int stp_kread_string(char *dst, unsigned long addr, size_t len)
{
	size_t done = 0;

	while (done + 1 < len) {
		size_t room = PAGE_SIZE - ((addr + done) & (PAGE_SIZE - 1));
		size_t chunk = min3(room, len - 1 - done, (size_t)64);
		char *nul;

		if (copy_from_kernel_nofault(dst + done, (const void *)(addr + done), chunk)) {
			dst[0] = '\0';
			return -EFAULT;
		}
		nul = memchr(dst + done, '\0', chunk);
		if (nul)
			return 0;
		done += chunk;
	}
	dst[len - 1] = '\0';
	return 0;
}
