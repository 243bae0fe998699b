/* transport_msgs.h - the control protocol between a probe module and staprun/stapio.
 *
 * Shared by the kernel runtime and the user-space tools, so it uses only fixed-size types.
 * The module creates, under debugfs, the directory systemtap/MODULE/ holding:
 *   .cmd    the control channel: each write() carries exactly one message from stapio,
 *           each read() returns exactly one message from the module (blocking, pollable);
 *   trace0  the relay buffer with the script's output (read with read(), pollable).
 * A message is a struct stp_msg_hdr followed by `len` bytes of payload.
 *
 * Lifecycle: stapio writes STP_START; the module runs the begin probes, registers the
 * other probes and answers STP_START. The module sends STP_REQUEST_EXIT when the script
 * calls exit() (or hits too many errors); stapio then writes STP_EXIT (as it also does on
 * SIGINT/SIGTERM). The module unregisters its probes, runs the end probes, flushes all
 * output into the relay buffer and answers STP_EXIT; stapio drains trace0 and unloads.
 */
#ifndef STP_TRANSPORT_MSGS_H
#define STP_TRANSPORT_MSGS_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdint.h>
typedef uint32_t __u32;
typedef int32_t __s32;
typedef int64_t __s64;
#endif

#define STP_DEBUGFS_DIR   "systemtap"
#define STP_CMD_FILE      ".cmd"
#define STP_TRACE_FILE    "trace"      /* relay base name: the global buffer is trace0 */
#define STP_MAX_MSG       4096         /* largest message, header included */

enum stp_msg_type {
	STP_START = 1,          /* stapio -> module: struct stp_msg_start
				   module -> stapio: struct stp_msg_status (0 or -errno) */
	STP_EXIT,               /* stapio -> module: stop; module -> stapio: struct stp_msg_exit */
	STP_REQUEST_EXIT,       /* module -> stapio: the script asked to stop */
	STP_OOB_ERROR,          /* module -> stapio: text for stderr ("ERROR: ...") */
	STP_OOB_WARNING,        /* module -> stapio: text for stderr ("WARNING: ...") */
	STP_TZINFO,             /* stapio -> module: struct stp_msg_tzinfo, before STP_START */
};

struct stp_msg_hdr {
	__u32 type;
	__u32 len;              /* payload bytes after the header */
};

struct stp_msg_start {
	__s32 target_pid;       /* -x / -c pid, or 0 */
	__s32 reserved;
};

struct stp_msg_status {
	__s32 status;
	__s32 reserved;
};

struct stp_msg_exit {
	__s32 errors;           /* runtime errors the script hit */
	__s32 skipped;          /* probe hits skipped (reentrancy, locks, ...) */
	__s64 dropped_bytes;    /* output lost because the relay buffer was full */
};

struct stp_msg_tzinfo {
	__s64 gmtoff;           /* seconds east of UTC */
	char name[16];          /* zone abbreviation, e.g. "EST" */
};

#endif
