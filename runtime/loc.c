// SPDX-License-Identifier: GPL-2.0
/* loc.c - run-time support of target variables (see loc.h). */
#include "loc.h"

void stp_kread_fault(struct stp_context *ctx, unsigned long addr, const char *location)
{
	stp_error(ctx, location, "read fault [man error::fault] at 0x%lx", addr);
}
