/* transport_msgs.h - the control protocol between a probe module and staprun/stapio.
 *
 * Shared by the kernel runtime and the user-space tools, so it uses only fixed-size types.
 * The module creates, under debugfs, the directory systemtap/MODULE/ holding:
 *   .cmd    the control channel: each write() carries exactly one message from stapio,
 *           each read() returns exactly one message from the module (pollable; blocking
 *           unless opened O_NONBLOCK). One opener at a time (EBUSY otherwise).
 *   trace0  the output buffer: a byte ring every CPU appends whole probe-hit flushes to;
 *           read() takes bytes out in the order they were written (pollable; O_NONBLOCK
 *           gives EAGAIN when empty). One opener at a time.
 * A message is a struct stp_msg_hdr followed by `len` bytes of payload.
 *
 * Lifecycle: stapio writes STP_TZINFO and STP_START; inside that write the module runs the
 * begin probes and registers the other probes (so begin probes run in stapio's process
 * context), then answers STP_START with the status. stapio issues its writes from a
 * thread of their own and keeps reading the output meanwhile. A second STP_START (stapio
 * attaching with staprun -A to a running module) is answered with -EALREADY, followed by
 * the STP_EXIT report if the script has already stopped. The module sends
 * STP_REQUEST_EXIT when the script calls exit() (or hits too many errors); stapio then
 * writes STP_EXIT (as it also does on SIGINT/SIGTERM/SIGHUP or when the -c command
 * exits). Inside that write the module unregisters its probes, runs the end probes and
 * answers with struct stp_msg_exit once every byte of output is in trace0; stapio drains
 * trace0 and has the module removed. Commands are carried out one at a time, in order.
 *
 * Module parameters the runtime reads (set by staprun; the "_stp_" prefix is reserved,
 * staprun refuses such names on its command line):
 *   _stp_bufsize=MB   size of the output buffer (staprun -b), default
 *                     STP_RELAY_SUBBUF_SIZE * STP_RELAY_N_SUBBUFS bytes
 *   _stp_uid=UID      the user who loaded the module (may attach to it and remove it)
 */
#ifndef STP_TRANSPORT_MSGS_H
#define STP_TRANSPORT_MSGS_H

#include <linux/types.h>        /* __u32, __s32, __s64: kernel and user space alike */

#define STP_DEBUGFS_DIR   "systemtap"
#define STP_CMD_FILE      ".cmd"
#define STP_TRACE_FILE    "trace"      /* output file base name: the buffer is trace0 */
#define STP_MAX_MSG       4096         /* largest message, header included */

#define STP_PARAM_PREFIX  "_stp_"
#define STP_PARAM_BUFSIZE "_stp_bufsize"
#define STP_PARAM_UID     "_stp_uid"
#define STP_BUFSIZE_MAX_MB 4095

enum stp_msg_type {
	STP_START = 1,          /* stapio -> module: struct stp_msg_start
				   module -> stapio: struct stp_msg_status (0 or -errno) */
	STP_EXIT,               /* stapio -> module: stop; module -> stapio: struct stp_msg_exit */
	STP_REQUEST_EXIT,       /* module -> stapio: the script asked to stop */
	STP_OOB_ERROR,          /* module -> stapio: text for stderr ("ERROR: ...") */
	STP_OOB_WARNING,        /* module -> stapio: text for stderr ("WARNING: ...") */
	STP_TZINFO,             /* stapio -> module: struct stp_msg_tzinfo, before STP_START */
	STP_SYSTEM,             /* module -> stapio: a shell command to run in the
				   background (system()), NUL-terminated */
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
	__s64 dropped_bytes;    /* output lost because the output buffer was full */
	__s32 lost_msgs;        /* control messages (errors, warnings) lost: queue full */
	__s32 reserved;
};

struct stp_msg_tzinfo {
	__s64 gmtoff;           /* seconds east of UTC */
	char name[16];          /* zone abbreviation, e.g. "EST" */
};

#endif
