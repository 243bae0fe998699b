/* insn_count.c - a QEMU TCG plugin that counts the guest instructions executed between two
 * marker no-ops, for bench/probe-overhead.sh.
 *
 * Timing under TCG is noisy (the host is shared) and weighs instructions by what they cost
 * the emulator; an instruction count is exact and repeatable. The guest program runs
 * "nopw 0x4711(%rax,%rax,1)" to start counting and "nopw 0x4712(%rax,%rax,1)" to stop;
 * each stop appends "insns COUNT" to the file named by the plugin argument out=PATH. Every
 * vCPU's instructions are counted (the bench boots one vCPU), interrupts and all.
 *
 * Built as a shared object: cc -O2 -shared -fPIC -o insn_count.so insn_count.c
 * Used as: qemu-system-x86_64 -plugin insn_count.so,out=PATH ...
 * The few plugin API functions it needs are declared here (QEMU plugin API version 1).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* ---- the part of QEMU's plugin API this plugin uses ---- */
typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
typedef struct qemu_info qemu_info_t;
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS };
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
typedef void (*tb_trans_cb)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*vcpu_udata_cb)(unsigned int vcpu_index, void *userdata);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, tb_trans_cb cb);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t i);
const void *qemu_plugin_insn_data(const struct qemu_plugin_insn *insn);
size_t qemu_plugin_insn_size(const struct qemu_plugin_insn *insn);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb, enum qemu_plugin_op op,
					      void *ptr, uint64_t imm);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn, vcpu_udata_cb cb,
					    enum qemu_plugin_cb_flags flags, void *userdata);

#define EXPORT __attribute__((visibility("default")))
EXPORT int qemu_plugin_version = 1;

/* ---- counting ---- */
enum { MARK_START = 0x11, MARK_STOP = 0x12 };
static const unsigned char marker[] = { 0x66, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x47, 0x00, 0x00 };

static uint64_t executed;               /* every instruction, added per translation block */
static uint64_t started;
static const char *out_path = "insn_count.out";

static void on_marker(unsigned int vcpu, void *which)
{
	FILE *f;

	(void)vcpu;
	if ((uintptr_t)which == MARK_START) {
		started = executed;
		return;
	}
	f = fopen(out_path, "a");
	if (f) {
		fprintf(f, "insns %llu\n", (unsigned long long)(executed - started));
		fclose(f);
	}
}

/* Which marker insn is (MARK_START / MARK_STOP), or 0. */
static int marker_kind(const struct qemu_plugin_insn *insn)
{
	const unsigned char *d = qemu_plugin_insn_data(insn);

	if (qemu_plugin_insn_size(insn) != sizeof(marker) || memcmp(d, marker, 5) ||
	    memcmp(d + 6, marker + 6, 3))
		return 0;
	return d[5] == MARK_START || d[5] == MARK_STOP ? d[5] : 0;
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t n = qemu_plugin_tb_n_insns(tb);

	(void)id;
	qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &executed, n);
	for (size_t i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
		int kind = marker_kind(insn);

		if (kind)
			qemu_plugin_register_vcpu_insn_exec_cb(insn, on_marker, QEMU_PLUGIN_CB_NO_REGS,
							      (void *)(uintptr_t)kind);
	}
}

EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc,
			       char **argv)
{
	(void)info;
	for (int i = 0; i < argc; i++)
		if (strncmp(argv[i], "out=", 4) == 0)
			out_path = argv[i] + 4;
	qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
	return 0;
}
