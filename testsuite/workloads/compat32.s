# compat32.s - a 32-bit (i386) workload for the compat syscall tests
# (testsuite/runok/syscall_compat.stp), built by testsuite/lib/vm-batch with
# `as --32` and `ld -m elf_i386`: no C library, every call is `int $0x80` with the
# i386 numbers, so the kernel enters through its ia32 entry points (__ia32_sys_*,
# __ia32_compat_sys_*).
#
# While it makes its calls its name (comm) is "c32_on" (prctl PR_SET_NAME before, back
# to "compat32" after), so a probe tells them apart without any state. The sequence:
# getppid; getpid; getuid (getuid16: the 16-bit uid call); signal SIGUSR1 SIG_IGN;
# sigprocmask SIG_BLOCK [SIGUSR2]; open /tmp/c32_test O_WRONLY|O_CREAT|O_TRUNC 0640,
# write 13 bytes, close; open it O_RDONLY, read 64, lseek to 6 (SEEK_SET), _llseek to
# 6, close; chown it to -1, -1 (chown16); openat AT_FDCWD of a missing path (ENOENT);
# mmap2 8192 anonymous bytes, munmap them; nanosleep 1 ms (an old_timespec32);
# rt_sigaction SIGUSR2 with a compat_sigaction; execve of the missing path with a
# 32-bit argv (ENOENT); kill(pid, 0) with the pid getpid returned; exit(0). The values it got back are passed on as arguments
# (the fds to write/read/close, the address to munmap, the pid to kill), which is what
# the test checks against the .return probes.

	.set	SYS_exit, 1
	.set	SYS_read, 3
	.set	SYS_write, 4
	.set	SYS_open, 5
	.set	SYS_close, 6
	.set	SYS_lseek, 19
	.set	SYS_getpid, 20
	.set	SYS_getuid, 24
	.set	SYS_signal, 48
	.set	SYS_sigprocmask, 126
	.set	SYS_llseek, 140
	.set	SYS_chown, 182
	.set	SYS_nanosleep, 162
	.set	SYS_rt_sigaction, 174
	.set	SYS_execve, 11
	.set	SYS_kill, 37
	.set	SYS_getppid, 64
	.set	SYS_munmap, 91
	.set	SYS_prctl, 172
	.set	SYS_mmap2, 192
	.set	SYS_openat, 295
	.set	PR_SET_NAME, 15

	.data
path:	.asciz	"/tmp/c32_test"
missing: .asciz	"/nonexistent/c32"
msg:	.ascii	"hello compat\n"
	.set	msglen, . - msg
on:	.asciz	"c32_on"
off:	.asciz	"compat32"
sigmask: .long	0x800			# SIGUSR2
ts:	.long	0, 1000000		# an old_timespec32: 1 ms
act:	.long	0x1234, 0x10000000, 0	# compat_sigaction: handler, SA_RESTART, restorer
	.long	0x2, 0			# mask [SIGINT]
arg0:	.asciz	"c32"
arg1:	.asciz	"arg"
argv:	.long	arg0, arg1, 0
envp:	.long	0

	.bss
	.lcomm	buf, 64
	.lcomm	pid, 4
	.lcomm	result, 8

	.text
	.globl	_start
# sys NR: eax = NR, int $0x80 (the arguments already in ebx, ecx, edx, esi, edi, ebp)
	.macro	sys nr
	movl	$\nr, %eax
	int	$0x80
	.endm

_start:
	movl	$PR_SET_NAME, %ebx
	movl	$on, %ecx
	sys	SYS_prctl
	sys	SYS_getppid
	sys	SYS_getpid
	movl	%eax, pid
	sys	SYS_getuid		# getuid16 here: the 16-bit uid call
	movl	$10, %ebx		# SIGUSR1
	movl	$1, %ecx		# SIG_IGN
	sys	SYS_signal
	xorl	%ebx, %ebx		# SIG_BLOCK
	movl	$sigmask, %ecx
	xorl	%edx, %edx
	sys	SYS_sigprocmask

	movl	$path, %ebx
	movl	$0x241, %ecx		# O_WRONLY|O_CREAT|O_TRUNC
	movl	$0640, %edx
	sys	SYS_open
	movl	%eax, %esi		# the fd, kept in esi
	movl	%esi, %ebx
	movl	$msg, %ecx
	movl	$msglen, %edx
	sys	SYS_write
	movl	%esi, %ebx
	sys	SYS_close

	movl	$path, %ebx
	xorl	%ecx, %ecx		# O_RDONLY
	sys	SYS_open
	movl	%eax, %esi
	movl	%esi, %ebx
	movl	$buf, %ecx
	movl	$64, %edx
	sys	SYS_read
	movl	%esi, %ebx
	movl	$6, %ecx
	xorl	%edx, %edx		# SEEK_SET
	sys	SYS_lseek
	movl	%esi, %ebx
	xorl	%ecx, %ecx		# offset high
	movl	$6, %edx		# offset low
	pushl	%esi
	movl	$result, %esi
	xorl	%edi, %edi		# SEEK_SET
	sys	SYS_llseek
	popl	%esi
	movl	%esi, %ebx
	sys	SYS_close
	movl	$path, %ebx
	movl	$-1, %ecx
	movl	$-1, %edx
	sys	SYS_chown

	movl	$-100, %ebx		# AT_FDCWD
	movl	$missing, %ecx
	xorl	%edx, %edx
	sys	SYS_openat

	xorl	%ebx, %ebx
	movl	$8192, %ecx
	movl	$3, %edx		# PROT_READ|PROT_WRITE
	movl	$0x22, %esi		# MAP_PRIVATE|MAP_ANONYMOUS
	movl	$-1, %edi
	pushl	%ebp
	xorl	%ebp, %ebp
	sys	SYS_mmap2
	popl	%ebp
	movl	%eax, %ebx
	movl	$8192, %ecx
	sys	SYS_munmap

	movl	$ts, %ebx
	xorl	%ecx, %ecx
	sys	SYS_nanosleep
	movl	$12, %ebx		# SIGUSR2
	movl	$act, %ecx
	xorl	%edx, %edx
	movl	$8, %esi
	sys	SYS_rt_sigaction
	movl	$missing, %ebx
	movl	$argv, %ecx
	movl	$envp, %edx
	sys	SYS_execve

	movl	pid, %ebx
	xorl	%ecx, %ecx
	sys	SYS_kill

	movl	$PR_SET_NAME, %ebx
	movl	$off, %ecx
	sys	SYS_prctl
	xorl	%ebx, %ebx
	sys	SYS_exit
