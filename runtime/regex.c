// SPDX-License-Identifier: GPL-2.0
/* regex.c - the DFA walk behind `=~` and `!~`, and the Pike VM that finds the groups for
 * matched() after a match; the table and program designs are in regex.h. */
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

/* ---- submatches: the Pike VM over a capture program (see regex.h) ---- */

/* One list of threads: pc[i] with its slots at caps[i * nslots]. */
struct stp_rx_list {
	uint32_t *pc;
	int32_t *caps;
	int n;
};

/* A closure step: follow pc, or (pc < 0) put back slot -pc - 1's old value v. */
struct stp_rx_step {
	int32_t pc, v;
};

struct stp_rx_vm {
	const struct stp_regex_prog *prog;
	const char *s;
	int len, nslots;
	uint32_t *mark;                  /* pc -> generation of its last visit */
	uint32_t gen;
	struct stp_rx_step *stack;       /* [2 * ninsts + 2] */
	int32_t *w;                      /* the slots of the thread being followed */
};

/* Adds pc and what its empty transitions reach at position pos to l, in priority order,
 * each state once per position (the first to reach it has priority). vm->w holds the
 * slots to give the threads; it is the same again on return. */
static void stp_rx_add(struct stp_rx_vm *vm, struct stp_rx_list *l, uint32_t pc, int pos)
{
	const struct stp_regex_inst *in;
	int sp = 0;

	vm->stack[sp++] = (struct stp_rx_step){ (int32_t)pc, 0 };
	while (sp > 0) {
		struct stp_rx_step st = vm->stack[--sp];

		if (st.pc < 0) {
			vm->w[-st.pc - 1] = st.v;
			continue;
		}
		if (vm->mark[st.pc] == vm->gen)
			continue;
		vm->mark[st.pc] = vm->gen;
		in = &vm->prog->insts[st.pc];
		switch (in->op) {
		case STP_RX_SPLIT:
			vm->stack[sp++] = (struct stp_rx_step){ in->out1, 0 };
			vm->stack[sp++] = (struct stp_rx_step){ in->out, 0 };
			break;
		case STP_RX_SAVE:
			vm->stack[sp++] = (struct stp_rx_step){ -(int32_t)in->arg - 1, vm->w[in->arg] };
			vm->w[in->arg] = pos;
			vm->stack[sp++] = (struct stp_rx_step){ in->out, 0 };
			break;
		case STP_RX_BOL:
			if (pos == 0)
				vm->stack[sp++] = (struct stp_rx_step){ in->out, 0 };
			break;
		case STP_RX_EOL:
			if (pos == vm->len)
				vm->stack[sp++] = (struct stp_rx_step){ in->out, 0 };
			break;
		default:                     /* SET, MATCH: a thread */
			l->pc[l->n] = (uint32_t)st.pc;
			memcpy(l->caps + (size_t)l->n * vm->nslots, vm->w,
			       (size_t)vm->nslots * sizeof(int32_t));
			l->n++;
		}
	}
}

/* A new thread at pos, of lowest priority: slot 0 (the match's start) is pos. */
static void stp_rx_seed(struct stp_rx_vm *vm, struct stp_rx_list *l, int pos)
{
	int k;

	for (k = 0; k < vm->nslots; k++)
		vm->w[k] = -1;
	vm->w[0] = pos;
	stp_rx_add(vm, l, vm->prog->start, pos);
}

/* Steps every thread of cl over the byte at pos into nl; records matches in slots. */
static int stp_rx_step(struct stp_rx_vm *vm, struct stp_rx_list *cl, struct stp_rx_list *nl,
		       int pos, int32_t *slots, int found)
{
	const struct stp_regex_prog *prog = vm->prog;
	int i, ns = vm->nslots;

	for (i = 0; i < cl->n; i++) {
		const struct stp_regex_inst *in = &prog->insts[cl->pc[i]];
		int32_t *caps = cl->caps + (size_t)i * ns;
		unsigned char ch;

		if (found && caps[0] > slots[0])
			break;           /* started after the match found: no longer leftmost */
		if (in->op == STP_RX_MATCH) {
			/* earlier start, or the same start and longer: a better match */
			if (!found || caps[0] < slots[0] || pos > slots[1]) {
				memcpy(slots, caps, (size_t)ns * sizeof(int32_t));
				slots[1] = pos;
				found = 1;
			}
			continue;
		}
		if (pos >= vm->len)
			continue;
		ch = (unsigned char)vm->s[pos];
		if (!((prog->sets[in->arg * 32 + (ch >> 3)] >> (ch & 7)) & 1))
			continue;
		memcpy(vm->w, caps, (size_t)ns * sizeof(int32_t));
		stp_rx_add(vm, nl, in->out, pos + 1);
	}
	return found;
}

int stp_regex_capture(const struct stp_regex_prog *prog, const char *s, int32_t *slots,
		      void *scratch)
{
	struct stp_rx_vm vm = { .prog = prog, .s = s, .nslots = prog->nslots, .gen = 1 };
	struct stp_rx_list lists[2], *cl = &lists[0], *nl = &lists[1], *t;
	int32_t *p = scratch;
	int n = prog->ninsts, pos, found = 0;

	while (vm.len < MAXSTRINGLEN - 1 && s[vm.len])
		vm.len++;
	vm.mark = (uint32_t *)p;
	p += n;
	vm.stack = (struct stp_rx_step *)p;
	p += 2 * (2 * n + 2);
	vm.w = p;
	p += vm.nslots;
	for (t = lists; t < lists + 2; t++) {
		t->pc = (uint32_t *)p;
		p += n;
		t->caps = p;
		p += (size_t)n * vm.nslots;
		t->n = 0;
	}
	memset(vm.mark, 0, (size_t)n * sizeof(uint32_t));
	stp_rx_seed(&vm, cl, 0);
	for (pos = 0; pos <= vm.len; pos++) {
		vm.gen++;
		nl->n = 0;
		found = stp_rx_step(&vm, cl, nl, pos, slots, found);
		if (!found && pos < vm.len)
			stp_rx_seed(&vm, nl, pos + 1);
		if (!nl->n && found)
			break;               /* nothing can beat the match found */
		t = cl;
		cl = nl;
		nl = t;
	}
	return found;
}
