/* fixture.c - a small program whose DWARF the dwarf layer tests read (testsuite/dwarf).
 * Line numbers matter: dwtest.c names some of them (search for "LINE:"). */
#include <stddef.h>

typedef unsigned int u32_t;
enum color { RED, GREEN = 5, BLUE };
enum delta { D_DOWN = -1, D_UP = 1 };

struct inner {
	int a;
	char name[16];
};

struct flags {
	unsigned int lo : 3;
	unsigned int mid : 5;
	int sgn : 4;
	unsigned long wide;
};

struct outer {
	int id;
	struct inner in;
	struct inner *pin;
	union {                         /* anonymous union */
		long as_long;
		unsigned char bytes[8];
	};
	struct {                        /* anonymous struct */
		short x, y;
	};
	struct flags fl;
	u32_t arr[4];
	const char *label;
	enum color col;
	enum delta dir;
	int (*cb)(struct outer *, int);
	struct inner grid[2][3];
};
typedef struct outer outer_t;

struct outer g_outer;
int global_counter;

static inline __attribute__((always_inline)) int helper(const struct outer *o, int k)
{
	int t = o->id * k;              /* LINE: helper body */
	return t + (int)o->arr[k & 3];
}

__attribute__((noinline)) int process(outer_t *o, int n, const char *msg)
{
	int total = 0;
	int i;

	for (i = 0; i < n; i++) {
		total += helper(o, i);
		if (total > 1000)
			goto overflow;
	}
	global_counter += total;        /* LINE: after loop */
	return total;
overflow:
	global_counter = -1;
	return -1;
}

__attribute__((noinline)) long sum_bits(struct flags *f)
{
	return f->lo + f->mid + f->sgn;
}

__attribute__((noinline)) static int local_fn(int x)
{
	__asm__ volatile("" ::: "memory");
	return x * 3;
}

__attribute__((noreturn, noinline)) void stop_here(int code)
{
	for (;;)
		__asm__ volatile("" ::: "memory");
}

int entry_point(struct outer *o)
{
	if (!o)
		stop_here(1);
	return process(o, 4, "hi") + local_fn(o->id) + (int)sum_bits(&o->fl) + helper(o, 2);
}
