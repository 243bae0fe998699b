// SPDX-License-Identifier: GPL-2.0
/* regex.c - the DFA walk behind `=~` and `!~`; the table design is in regex.h. */
#ifdef __KERNEL__
#include "stp_runtime.h"
#else
#include <stddef.h>
#ifndef MAXSTRINGLEN
#define MAXSTRINGLEN 512
#endif
#endif
#include "regex.h"

/* One step per byte until the string ends or a terminal state (found / impossible). */
#define STP_REGEX_WALK(trans) \
	do { \
		for (i = 0; state < live_end && i < MAXSTRINGLEN; i++) { \
			unsigned char ch = (unsigned char)s[i]; \
			if (!ch) \
				break; \
			state = (trans)[state + classes[ch]]; \
		} \
	} while (0)

int stp_regex_match(const struct stp_regex *re, const char *s)
{
	const uint8_t *classes = re->classes;
	const uint16_t *trans16 = re->trans16;
	const uint32_t *trans32 = re->trans32;
	uint32_t state = re->start, live_end = re->live_end;
	size_t i;

	if (trans16)
		STP_REGEX_WALK(trans16);
	else
		STP_REGEX_WALK(trans32);
	return re->accept[state / re->nclasses];
}
