/* harness.c - runs the C text the dwarf layer generated for fixture.c (gen.h, written by
 * `dwtest fixture`) in user space: STP_KREAD reads memory directly, STP_REGS is an array of
 * fake registers. Each CHECKV compares the generated expression with the C compiler's own
 * view of the same data and prints ok/FAIL. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

/* the fixture's types, as declared there */
#define main fixture_main_unused
#include "fixture.c"
#undef main

static unsigned long fake_regs[17];
#define STP_REGS fake_regs
static unsigned long stp_reg_by_dwarf(const unsigned long *regs, int n)
{
	return regs[n];
}
#define STP_KREAD_AT(addr, type, loc) (*(const type *)(unsigned long)(addr))
#define STP_KREAD(addr, type) STP_KREAD_AT(addr, type, 0)

static int fails;

#define CHECKV(name, expr, want)                                                        \
	do {                                                                            \
		int64_t got_ = (expr), want_ = (want);                                  \
		if (got_ == want_)                                                      \
			printf("ok %s\n", name);                                        \
		else {                                                                  \
			printf("FAIL %s: got %lld, want %lld\n", name, (long long)got_,   \
			       (long long)want_);                                       \
			fails++;                                                        \
		}                                                                       \
	} while (0)

static struct inner other = { 42, "other" };

int main(void)
{
	memset(&g_outer, 0, sizeof(g_outer));
	g_outer.id = 1234;
	g_outer.in.a = -77;
	strcpy(g_outer.in.name, "inner-name");
	g_outer.pin = &other;
	g_outer.as_long = 0x1122334455667788L;
	g_outer.y = -5;
	g_outer.x = 9;
	g_outer.fl.lo = 5;
	g_outer.fl.mid = 27;
	g_outer.fl.sgn = -3;
	g_outer.fl.wide = 0xdeadbeefUL;
	for (int i = 0; i < 4; i++)
		g_outer.arr[i] = 100 + i;
	g_outer.label = "lbl";
	g_outer.col = BLUE;
	g_outer.dir = D_DOWN;
	g_outer.grid[1][2].a = 612;
	fake_regs[1] = (unsigned long)"message";
	fake_regs[4] = 7;
	fake_regs[5] = (unsigned long)&g_outer;
#include "gen.h"
	return fails != 0;
}
