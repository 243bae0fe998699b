/* stp_runtime.h - the kernel runtime's interface, included by every generated module.
 *
 * The runtime (runtime/ and runtime/linux/) is real C compiled into the module next to
 * the translator's generated unit. The generated unit provides the probe handlers, globals
 * and the start/stop functions declared under "provided by the generated code"; the runtime
 * provides module init/exit, the transport to stapio, per-CPU contexts, output buffering,
 * error reporting and the limits. Every limit can be overridden with -D NAME=VALUE.
 */
#ifndef STP_RUNTIME_H
#define STP_RUNTIME_H

#include <linux/kernel.h>
#include <linux/types.h>
#include <linux/string.h>
#include <linux/percpu.h>
#include <linux/atomic.h>
#include <linux/ptrace.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include "transport_msgs.h"
#include "map.h"

/* ---- limits ---- */
#ifndef MAXSTRINGLEN
#define MAXSTRINGLEN 512
#endif
#ifndef MAXACTION
#define MAXACTION 1000            /* statements per probe hit */
#endif
#ifndef MAXNESTING
#define MAXNESTING 10             /* nested function calls */
#endif
#ifndef MAXERRORS
#define MAXERRORS 0               /* runtime errors tolerated before the script stops */
#endif
#ifndef MAXSKIPPED
#define MAXSKIPPED 100            /* skipped probe hits tolerated before the script stops */
#endif
#ifndef MAXTRYLOCK
#define MAXTRYLOCK 1000           /* spins on a contended lock before a hit is skipped */
#endif
#ifndef STP_PRINT_BUFSIZE
#define STP_PRINT_BUFSIZE 8192    /* per-CPU output staged during one probe hit */
#endif
#ifndef STP_RELAY_SUBBUF_SIZE
#define STP_RELAY_SUBBUF_SIZE (64 * 1024)
#endif
#ifndef STP_RELAY_N_SUBBUFS
#define STP_RELAY_N_SUBBUFS 16
#endif

typedef int64_t stp_long;

/* Session states: probes other than begin/end/error run only while RUNNING. */
enum stp_state { STP_STATE_STARTING, STP_STATE_RUNNING, STP_STATE_STOPPING, STP_STATE_STOPPED };

/* The per-CPU probe context. The generated unit embeds this as the first member of its own
 * `struct context`, whose remainder holds the locals and temporaries of probes and
 * functions, so nothing large lives on the kernel stack. */
struct stp_context {
	atomic_t busy;                  /* a probe is running on this CPU: re-entry is skipped */
	const char *probe_point;        /* pp() of the running probe */
	const char *last_error;         /* set by stp_error(); the handler unwinds */
	const char *error_location;     /* "operator '/' at FILE:L:C" of the failing code */
	long actionremaining;           /* MAXACTION budget for this hit */
	int nesting;                    /* function call depth */
	struct pt_regs *regs;           /* registers at the probe hit, or NULL */
	char error_buf[128];            /* formatted message for last_error */
};

/* One probe as the generated unit describes it. */
struct stp_probe {
	const char *pp;                 /* the probe point, as pp() reports it */
	void (*handler)(struct stp_context *c);
};

/* ---- provided by the generated code ---- */
extern const size_t stp_context_size;
extern const char stp_script_name[];
int stp_probes_start(void);             /* begin probes, then register the event probes */
void stp_probes_stop(void);             /* unregister the event probes, then end probes */
int stp_globals_init(void);
void stp_globals_free(void);

/* ---- session and probe entry (runtime/context.c) ---- */
extern atomic_t stp_session_state;
extern atomic_t stp_error_count, stp_skipped_count;
/* Runs one event probe hit (only while the session runs): takes this CPU's context (skips
 * the hit if busy), runs the handler, reports an error, flushes the output. regs may be
 * NULL where the event has none. */
void stp_run_probe(const struct stp_probe *p, struct pt_regs *regs);
/* Counts a skipped probe hit (ends the script past MAXSKIPPED). */
void stp_note_skipped(void);
/* Global locks: bounded trylocks (interrupts are off in handlers), never a deadlock. */
static inline bool stp_read_trylock(rwlock_t *l)
{
	int i;

	for (i = 0; i < MAXTRYLOCK; i++) {
		if (read_trylock(l))
			return true;
		cpu_relax();
	}
	return false;
}

static inline bool stp_write_trylock(rwlock_t *l)
{
	int i;

	for (i = 0; i < MAXTRYLOCK; i++) {
		if (write_trylock(l))
			return true;
		cpu_relax();
	}
	return false;
}

/* Runs probes in order (begin/end/error lists) in process context. */
void stp_run_probe_list(const struct stp_probe *const *list, int n);
/* Records a runtime error in the context; the handler unwinds at the next check. */
void stp_error(struct stp_context *c, const char *location, const char *fmt, ...)
	__printf(3, 4);
/* exit(): end the script after the current probe; the end probes still run. */
void stp_request_exit(void);
int stp_contexts_alloc(void);
void stp_contexts_free(void);

/* ---- output (runtime/print.c) ---- */
int stp_print_alloc(void);
void stp_print_free(void);
void stp_print_str(const char *s);
void stp_print_mem(const char *s, size_t len);
void stp_print_char(char ch);
void stp_printf(const char *fmt, ...) __printf(1, 2);
void stp_print_flush(void);

/* ---- strings (runtime/string.c) ---- */
/* Copies/appends with truncation at MAXSTRINGLEN - 1 bytes; dst always NUL-terminated. */
void stp_strcpy(char *dst, const char *src);
void stp_strcat(char *dst, const char *src);
void stp_sprintf(char *dst, const char *fmt, ...) __printf(2, 3);

/* ---- transport (runtime/linux/transport.c) ---- */
int stp_transport_init(const char *module_name);
void stp_transport_exit(void);
/* Queues a control message to stapio; safe in any context (drops if the queue is full). */
void stp_ctl_send(u32 type, const void *data, u32 len);
/* Writes bytes to the relay buffer; returns 0 or -ENOSPC (bytes counted as dropped). */
int stp_relay_write(const void *data, size_t len);
extern atomic64_t stp_dropped_bytes;
/* Called by the transport when stapio sends a command (process context). */
void stp_handle_command(u32 type, const void *data, u32 len);

/* Hot-path check emitted before each statement: bounds the work of one probe hit. */
#define STP_ACTION(c, loc) \
	do { \
		if (unlikely(--(c)->actionremaining < 0)) { \
			stp_error((c), (loc), "MAXACTION exceeded"); \
			goto out; \
		} \
	} while (0)

#endif
