/*
 * syscall.c - the guest's syscall table and the entry point engines call.
 *
 * The table is indexed by x86-64 syscall number and is the single source of
 * truth for how each call is handled: its name, its implementation, its
 * arguments and how record/replay treats it.  Argument kinds:
 *   SA_PATH     a NUL-terminated guest string (paths, and xattr/memfd names)
 *   SA_BUF_IN   guest memory the call only reads
 *   SA_BUF_OUT  guest memory the call writes, at or through the pointer
 *               (in/out structs such as pollfd arrays, fd_sets and offsets
 *               too; for readv-style iovec arrays, the buffers they
 *               describe).  The exact ranges written are reported at run
 *               time through sys_wrote(), which is where the recorder
 *               journals them.
 *   SA_PTR      an address the call keeps or uses as an identity (futex
 *               words, set_tid_address)
 * Replay classes: SR_EMULATED calls are computed inside the VM (memory
 * management, signals, pid/tid, limits, uname, futexes, every -ENOSYS
 * row); SR_JOURNALED calls run on the host and their result and written
 * memory are inputs; SR_EXIT ends the process.
 *
 * A row with a NULL function is a syscall rewind knows by name but does not
 * implement: it returns -ENOSYS and is reported once per number on stderr.
 * On purpose this covers SysV IPC, clone/fork/vfork/execve (no
 * threads or child processes yet), timers that would raise signals
 * (timer_create, timerfd, signalfd), inotify/fanotify, io_uring/aio,
 * namespaces, mounts, modules, ptrace and bpf.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/syscall.h>

#include "os/journal.h"
#include "os/proc.h"
#include "os/sys.h"
#include "os/sys_int.h"
#include "os/syscall.h"

#define SC(nr, name, replay, n, ...) \
	[nr] = { #name, sys_##name, n, { __VA_ARGS__ }, replay }
#define SC0(nr, name, replay) \
	[nr] = { #name, sys_##name, 0, { 0 }, replay }
#define NOSYS(nr, name, n) \
	[nr] = { #name, NULL, n, { 0 }, SR_EMULATED }

static const struct syscall_desc syscall_table[] = {
	SC(0, read, SR_JOURNALED, 3, SA_FD, SA_BUF_OUT, SA_SIZE),
	SC(1, write, SR_JOURNALED, 3, SA_FD, SA_BUF_IN, SA_SIZE),
	SC(2, open, SR_JOURNALED, 3, SA_PATH, SA_FLAGS, SA_UINT),
	SC(3, close, SR_JOURNALED, 1, SA_FD),
	SC(4, stat, SR_JOURNALED, 2, SA_PATH, SA_BUF_OUT),
	SC(5, fstat, SR_JOURNALED, 2, SA_FD, SA_BUF_OUT),
	SC(6, lstat, SR_JOURNALED, 2, SA_PATH, SA_BUF_OUT),
	SC(7, poll, SR_JOURNALED, 3, SA_BUF_OUT, SA_UINT, SA_INT),
	SC(8, lseek, SR_JOURNALED, 3, SA_FD, SA_INT, SA_INT),
	SC(9, mmap, SR_EMULATED, 6, SA_HEX, SA_SIZE, SA_FLAGS, SA_FLAGS, SA_FD,
	   SA_HEX),
	SC(10, mprotect, SR_EMULATED, 3, SA_HEX, SA_SIZE, SA_FLAGS),
	SC(11, munmap, SR_EMULATED, 2, SA_HEX, SA_SIZE),
	SC(12, brk, SR_EMULATED, 1, SA_HEX),
	SC(13, rt_sigaction, SR_EMULATED, 4, SA_SIG, SA_BUF_IN, SA_BUF_OUT,
	   SA_SIZE),
	SC(14, rt_sigprocmask, SR_EMULATED, 4, SA_INT, SA_BUF_IN, SA_BUF_OUT,
	   SA_SIZE),
	SC0(15, rt_sigreturn, SR_EMULATED),
	SC(16, ioctl, SR_JOURNALED, 3, SA_FD, SA_HEX, SA_HEX),
	SC(17, pread64, SR_JOURNALED, 4, SA_FD, SA_BUF_OUT, SA_SIZE, SA_INT),
	SC(18, pwrite64, SR_JOURNALED, 4, SA_FD, SA_BUF_IN, SA_SIZE, SA_INT),
	SC(19, readv, SR_JOURNALED, 3, SA_FD, SA_BUF_OUT, SA_INT),
	SC(20, writev, SR_JOURNALED, 3, SA_FD, SA_BUF_IN, SA_INT),
	SC(21, access, SR_JOURNALED, 2, SA_PATH, SA_INT),
	SC(22, pipe, SR_JOURNALED, 1, SA_BUF_OUT),
	SC(23, select, SR_JOURNALED, 5, SA_INT, SA_BUF_OUT, SA_BUF_OUT,
	   SA_BUF_OUT, SA_BUF_OUT),
	SC0(24, sched_yield, SR_EMULATED),
	SC(25, mremap, SR_EMULATED, 5, SA_HEX, SA_SIZE, SA_SIZE, SA_FLAGS,
	   SA_HEX),
	SC(26, msync, SR_JOURNALED, 3, SA_HEX, SA_SIZE, SA_FLAGS),
	SC(27, mincore, SR_EMULATED, 3, SA_HEX, SA_SIZE, SA_BUF_OUT),
	SC(28, madvise, SR_EMULATED, 3, SA_HEX, SA_SIZE, SA_INT),
	NOSYS(29, shmget, 3),
	NOSYS(30, shmat, 3),
	NOSYS(31, shmctl, 3),
	SC(32, dup, SR_JOURNALED, 1, SA_FD),
	SC(33, dup2, SR_JOURNALED, 2, SA_FD, SA_FD),
	SC0(34, pause, SR_EMULATED),
	SC(35, nanosleep, SR_JOURNALED, 2, SA_BUF_IN, SA_BUF_OUT),
	SC(36, getitimer, SR_EMULATED, 2, SA_INT, SA_BUF_OUT),
	SC(37, alarm, SR_EMULATED, 1, SA_UINT),
	SC(38, setitimer, SR_EMULATED, 3, SA_INT, SA_BUF_IN, SA_BUF_OUT),
	SC0(39, getpid, SR_EMULATED),
	SC(40, sendfile, SR_JOURNALED, 4, SA_FD, SA_FD, SA_BUF_OUT, SA_SIZE),
	SC(41, socket, SR_JOURNALED, 3, SA_INT, SA_HEX, SA_INT),
	SC(42, connect, SR_JOURNALED, 3, SA_FD, SA_BUF_IN, SA_SIZE),
	SC(43, accept, SR_JOURNALED, 3, SA_FD, SA_BUF_OUT, SA_BUF_OUT),
	SC(44, sendto, SR_JOURNALED, 6, SA_FD, SA_BUF_IN, SA_SIZE, SA_FLAGS,
	   SA_BUF_IN, SA_SIZE),
	SC(45, recvfrom, SR_JOURNALED, 6, SA_FD, SA_BUF_OUT, SA_SIZE, SA_FLAGS,
	   SA_BUF_OUT, SA_BUF_OUT),
	SC(46, sendmsg, SR_JOURNALED, 3, SA_FD, SA_BUF_IN, SA_FLAGS),
	SC(47, recvmsg, SR_JOURNALED, 3, SA_FD, SA_BUF_OUT, SA_FLAGS),
	SC(48, shutdown, SR_JOURNALED, 2, SA_FD, SA_INT),
	SC(49, bind, SR_JOURNALED, 3, SA_FD, SA_BUF_IN, SA_SIZE),
	SC(50, listen, SR_JOURNALED, 2, SA_FD, SA_INT),
	SC(51, getsockname, SR_JOURNALED, 3, SA_FD, SA_BUF_OUT, SA_BUF_OUT),
	SC(52, getpeername, SR_JOURNALED, 3, SA_FD, SA_BUF_OUT, SA_BUF_OUT),
	SC(53, socketpair, SR_JOURNALED, 4, SA_INT, SA_HEX, SA_INT, SA_BUF_OUT),
	SC(54, setsockopt, SR_JOURNALED, 5, SA_FD, SA_INT, SA_INT, SA_BUF_IN,
	   SA_SIZE),
	SC(55, getsockopt, SR_JOURNALED, 5, SA_FD, SA_INT, SA_INT, SA_BUF_OUT,
	   SA_BUF_OUT),
	NOSYS(56, clone, 5),
	NOSYS(57, fork, 0),
	NOSYS(58, vfork, 0),
	NOSYS(59, execve, 3),
	SC(60, exit, SR_EXIT, 1, SA_INT),
	SC(61, wait4, SR_EMULATED, 4, SA_PID, SA_BUF_OUT, SA_INT, SA_BUF_OUT),
	SC(62, kill, SR_EMULATED, 2, SA_PID, SA_SIG),
	SC(63, uname, SR_EMULATED, 1, SA_BUF_OUT),
	NOSYS(64, semget, 3),
	NOSYS(65, semop, 3),
	NOSYS(66, semctl, 4),
	NOSYS(67, shmdt, 1),
	NOSYS(68, msgget, 2),
	NOSYS(69, msgsnd, 4),
	NOSYS(70, msgrcv, 5),
	NOSYS(71, msgctl, 3),
	SC(72, fcntl, SR_JOURNALED, 3, SA_FD, SA_INT, SA_HEX),
	SC(73, flock, SR_JOURNALED, 2, SA_FD, SA_INT),
	SC(74, fsync, SR_JOURNALED, 1, SA_FD),
	SC(75, fdatasync, SR_JOURNALED, 1, SA_FD),
	SC(76, truncate, SR_JOURNALED, 2, SA_PATH, SA_INT),
	SC(77, ftruncate, SR_JOURNALED, 2, SA_FD, SA_INT),
	SC(78, getdents, SR_JOURNALED, 3, SA_FD, SA_BUF_OUT, SA_SIZE),
	SC(79, getcwd, SR_JOURNALED, 2, SA_BUF_OUT, SA_SIZE),
	SC(80, chdir, SR_JOURNALED, 1, SA_PATH),
	SC(81, fchdir, SR_JOURNALED, 1, SA_FD),
	SC(82, rename, SR_JOURNALED, 2, SA_PATH, SA_PATH),
	SC(83, mkdir, SR_JOURNALED, 2, SA_PATH, SA_UINT),
	SC(84, rmdir, SR_JOURNALED, 1, SA_PATH),
	SC(85, creat, SR_JOURNALED, 2, SA_PATH, SA_UINT),
	SC(86, link, SR_JOURNALED, 2, SA_PATH, SA_PATH),
	SC(87, unlink, SR_JOURNALED, 1, SA_PATH),
	SC(88, symlink, SR_JOURNALED, 2, SA_PATH, SA_PATH),
	SC(89, readlink, SR_JOURNALED, 3, SA_PATH, SA_BUF_OUT, SA_SIZE),
	SC(90, chmod, SR_JOURNALED, 2, SA_PATH, SA_UINT),
	SC(91, fchmod, SR_JOURNALED, 2, SA_FD, SA_UINT),
	SC(92, chown, SR_JOURNALED, 3, SA_PATH, SA_UINT, SA_UINT),
	SC(93, fchown, SR_JOURNALED, 3, SA_FD, SA_UINT, SA_UINT),
	SC(94, lchown, SR_JOURNALED, 3, SA_PATH, SA_UINT, SA_UINT),
	SC(95, umask, SR_JOURNALED, 1, SA_UINT),
	SC(96, gettimeofday, SR_JOURNALED, 2, SA_BUF_OUT, SA_BUF_OUT),
	SC(97, getrlimit, SR_EMULATED, 2, SA_INT, SA_BUF_OUT),
	SC(98, getrusage, SR_JOURNALED, 2, SA_INT, SA_BUF_OUT),
	SC(99, sysinfo, SR_JOURNALED, 1, SA_BUF_OUT),
	SC(100, times, SR_JOURNALED, 1, SA_BUF_OUT),
	NOSYS(101, ptrace, 4),
	SC0(102, getuid, SR_JOURNALED),
	NOSYS(103, syslog, 3),
	SC0(104, getgid, SR_JOURNALED),
	SC(105, setuid, SR_EMULATED, 1, SA_UINT),
	SC(106, setgid, SR_EMULATED, 1, SA_UINT),
	SC0(107, geteuid, SR_JOURNALED),
	SC0(108, getegid, SR_JOURNALED),
	SC(109, setpgid, SR_EMULATED, 2, SA_PID, SA_PID),
	SC0(110, getppid, SR_EMULATED),
	SC0(111, getpgrp, SR_EMULATED),
	SC0(112, setsid, SR_EMULATED),
	SC(113, setreuid, SR_EMULATED, 2, SA_UINT, SA_UINT),
	SC(114, setregid, SR_EMULATED, 2, SA_UINT, SA_UINT),
	SC(115, getgroups, SR_JOURNALED, 2, SA_INT, SA_BUF_OUT),
	SC(116, setgroups, SR_EMULATED, 2, SA_INT, SA_BUF_IN),
	SC(117, setresuid, SR_EMULATED, 3, SA_UINT, SA_UINT, SA_UINT),
	SC(118, getresuid, SR_JOURNALED, 3, SA_BUF_OUT, SA_BUF_OUT, SA_BUF_OUT),
	SC(119, setresgid, SR_EMULATED, 3, SA_UINT, SA_UINT, SA_UINT),
	SC(120, getresgid, SR_JOURNALED, 3, SA_BUF_OUT, SA_BUF_OUT, SA_BUF_OUT),
	SC(121, getpgid, SR_EMULATED, 1, SA_PID),
	SC(122, setfsuid, SR_EMULATED, 1, SA_UINT),
	SC(123, setfsgid, SR_EMULATED, 1, SA_UINT),
	SC(124, getsid, SR_EMULATED, 1, SA_PID),
	SC(125, capget, SR_EMULATED, 2, SA_BUF_OUT, SA_BUF_OUT),
	SC(126, capset, SR_EMULATED, 2, SA_BUF_IN, SA_BUF_IN),
	SC(127, rt_sigpending, SR_EMULATED, 2, SA_BUF_OUT, SA_SIZE),
	SC(128, rt_sigtimedwait, SR_EMULATED, 4, SA_BUF_IN, SA_BUF_OUT,
	   SA_BUF_IN, SA_SIZE),
	NOSYS(129, rt_sigqueueinfo, 3),
	SC(130, rt_sigsuspend, SR_EMULATED, 2, SA_BUF_IN, SA_SIZE),
	SC(131, sigaltstack, SR_EMULATED, 2, SA_BUF_IN, SA_BUF_OUT),
	SC(132, utime, SR_JOURNALED, 2, SA_PATH, SA_BUF_IN),
	SC(133, mknod, SR_JOURNALED, 3, SA_PATH, SA_UINT, SA_UINT),
	NOSYS(134, uselib, 1),
	SC(135, personality, SR_EMULATED, 1, SA_UINT),
	NOSYS(136, ustat, 2),
	SC(137, statfs, SR_JOURNALED, 2, SA_PATH, SA_BUF_OUT),
	SC(138, fstatfs, SR_JOURNALED, 2, SA_FD, SA_BUF_OUT),
	NOSYS(139, sysfs, 3),
	SC(140, getpriority, SR_EMULATED, 2, SA_INT, SA_INT),
	SC(141, setpriority, SR_EMULATED, 3, SA_INT, SA_INT, SA_INT),
	SC(142, sched_setparam, SR_EMULATED, 2, SA_PID, SA_BUF_IN),
	SC(143, sched_getparam, SR_EMULATED, 2, SA_PID, SA_BUF_OUT),
	SC(144, sched_setscheduler, SR_EMULATED, 3, SA_PID, SA_INT, SA_BUF_IN),
	SC(145, sched_getscheduler, SR_EMULATED, 1, SA_PID),
	SC(146, sched_get_priority_max, SR_EMULATED, 1, SA_INT),
	SC(147, sched_get_priority_min, SR_EMULATED, 1, SA_INT),
	SC(148, sched_rr_get_interval, SR_EMULATED, 2, SA_PID, SA_BUF_OUT),
	SC(149, mlock, SR_EMULATED, 2, SA_HEX, SA_SIZE),
	SC(150, munlock, SR_EMULATED, 2, SA_HEX, SA_SIZE),
	SC(151, mlockall, SR_EMULATED, 1, SA_FLAGS),
	SC0(152, munlockall, SR_EMULATED),
	NOSYS(153, vhangup, 0),
	NOSYS(154, modify_ldt, 3),
	NOSYS(155, pivot_root, 2),
	NOSYS(156, _sysctl, 1),
	SC(157, prctl, SR_EMULATED, 5, SA_INT, SA_HEX, SA_HEX, SA_HEX, SA_HEX),
	SC(158, arch_prctl, SR_EMULATED, 2, SA_INT, SA_HEX),
	NOSYS(159, adjtimex, 1),
	SC(160, setrlimit, SR_EMULATED, 2, SA_INT, SA_BUF_IN),
	NOSYS(161, chroot, 1),
	SC0(162, sync, SR_JOURNALED),
	NOSYS(163, acct, 1),
	NOSYS(164, settimeofday, 2),
	NOSYS(165, mount, 5),
	NOSYS(166, umount2, 2),
	NOSYS(167, swapon, 2),
	NOSYS(168, swapoff, 1),
	NOSYS(169, reboot, 4),
	SC(170, sethostname, SR_EMULATED, 2, SA_BUF_IN, SA_SIZE),
	SC(171, setdomainname, SR_EMULATED, 2, SA_BUF_IN, SA_SIZE),
	NOSYS(172, iopl, 1),
	NOSYS(173, ioperm, 3),
	NOSYS(174, create_module, 2),
	NOSYS(175, init_module, 3),
	NOSYS(176, delete_module, 2),
	NOSYS(177, get_kernel_syms, 1),
	NOSYS(178, query_module, 5),
	NOSYS(179, quotactl, 4),
	NOSYS(180, nfsservctl, 3),
	NOSYS(181, getpmsg, 5),
	NOSYS(182, putpmsg, 5),
	NOSYS(183, afs_syscall, 5),
	NOSYS(184, tuxcall, 3),
	NOSYS(185, security, 3),
	SC0(186, gettid, SR_EMULATED),
	SC(187, readahead, SR_JOURNALED, 3, SA_FD, SA_INT, SA_SIZE),
	NOSYS(188, setxattr, 5),
	NOSYS(189, lsetxattr, 5),
	NOSYS(190, fsetxattr, 5),
	SC(191, getxattr, SR_JOURNALED, 4, SA_PATH, SA_PATH, SA_BUF_OUT,
	   SA_SIZE),
	SC(192, lgetxattr, SR_JOURNALED, 4, SA_PATH, SA_PATH, SA_BUF_OUT,
	   SA_SIZE),
	SC(193, fgetxattr, SR_JOURNALED, 4, SA_FD, SA_PATH, SA_BUF_OUT,
	   SA_SIZE),
	SC(194, listxattr, SR_JOURNALED, 3, SA_PATH, SA_BUF_OUT, SA_SIZE),
	SC(195, llistxattr, SR_JOURNALED, 3, SA_PATH, SA_BUF_OUT, SA_SIZE),
	SC(196, flistxattr, SR_JOURNALED, 3, SA_FD, SA_BUF_OUT, SA_SIZE),
	NOSYS(197, removexattr, 2),
	NOSYS(198, lremovexattr, 2),
	NOSYS(199, fremovexattr, 2),
	SC(200, tkill, SR_EMULATED, 2, SA_PID, SA_SIG),
	SC(201, time, SR_JOURNALED, 1, SA_BUF_OUT),
	SC(202, futex, SR_EMULATED, 6, SA_PTR, SA_INT, SA_UINT, SA_PTR, SA_PTR,
	   SA_UINT),
	SC(203, sched_setaffinity, SR_EMULATED, 3, SA_PID, SA_SIZE, SA_BUF_IN),
	SC(204, sched_getaffinity, SR_EMULATED, 3, SA_PID, SA_SIZE, SA_BUF_OUT),
	NOSYS(205, set_thread_area, 1),
	NOSYS(206, io_setup, 2),
	NOSYS(207, io_destroy, 1),
	NOSYS(208, io_getevents, 5),
	NOSYS(209, io_submit, 3),
	NOSYS(210, io_cancel, 3),
	NOSYS(211, get_thread_area, 1),
	NOSYS(212, lookup_dcookie, 3),
	SC(213, epoll_create, SR_JOURNALED, 1, SA_INT),
	NOSYS(214, epoll_ctl_old, 4),
	NOSYS(215, epoll_wait_old, 4),
	NOSYS(216, remap_file_pages, 5),
	SC(217, getdents64, SR_JOURNALED, 3, SA_FD, SA_BUF_OUT, SA_SIZE),
	SC(218, set_tid_address, SR_EMULATED, 1, SA_PTR),
	SC0(219, restart_syscall, SR_EMULATED),
	NOSYS(220, semtimedop, 4),
	SC(221, fadvise64, SR_JOURNALED, 4, SA_FD, SA_INT, SA_INT, SA_INT),
	NOSYS(222, timer_create, 3),
	NOSYS(223, timer_settime, 4),
	NOSYS(224, timer_gettime, 2),
	NOSYS(225, timer_getoverrun, 1),
	NOSYS(226, timer_delete, 1),
	NOSYS(227, clock_settime, 2),
	SC(228, clock_gettime, SR_JOURNALED, 2, SA_INT, SA_BUF_OUT),
	SC(229, clock_getres, SR_JOURNALED, 2, SA_INT, SA_BUF_OUT),
	SC(230, clock_nanosleep, SR_JOURNALED, 4, SA_INT, SA_FLAGS, SA_BUF_IN,
	   SA_BUF_OUT),
	SC(231, exit_group, SR_EXIT, 1, SA_INT),
	SC(232, epoll_wait, SR_JOURNALED, 4, SA_FD, SA_BUF_OUT, SA_INT, SA_INT),
	SC(233, epoll_ctl, SR_JOURNALED, 4, SA_FD, SA_INT, SA_FD, SA_BUF_IN),
	SC(234, tgkill, SR_EMULATED, 3, SA_PID, SA_PID, SA_SIG),
	SC(235, utimes, SR_JOURNALED, 2, SA_PATH, SA_BUF_IN),
	NOSYS(236, vserver, 5),
	NOSYS(237, mbind, 6),
	NOSYS(238, set_mempolicy, 3),
	NOSYS(239, get_mempolicy, 5),
	NOSYS(240, mq_open, 4),
	NOSYS(241, mq_unlink, 1),
	NOSYS(242, mq_timedsend, 5),
	NOSYS(243, mq_timedreceive, 5),
	NOSYS(244, mq_notify, 2),
	NOSYS(245, mq_getsetattr, 3),
	NOSYS(246, kexec_load, 4),
	SC(247, waitid, SR_EMULATED, 5, SA_INT, SA_PID, SA_BUF_OUT, SA_FLAGS,
	   SA_BUF_OUT),
	NOSYS(248, add_key, 5),
	NOSYS(249, request_key, 4),
	NOSYS(250, keyctl, 5),
	NOSYS(251, ioprio_set, 3),
	NOSYS(252, ioprio_get, 2),
	NOSYS(253, inotify_init, 0),
	NOSYS(254, inotify_add_watch, 3),
	NOSYS(255, inotify_rm_watch, 2),
	NOSYS(256, migrate_pages, 4),
	SC(257, openat, SR_JOURNALED, 4, SA_FD, SA_PATH, SA_FLAGS, SA_UINT),
	SC(258, mkdirat, SR_JOURNALED, 3, SA_FD, SA_PATH, SA_UINT),
	SC(259, mknodat, SR_JOURNALED, 4, SA_FD, SA_PATH, SA_UINT, SA_UINT),
	SC(260, fchownat, SR_JOURNALED, 5, SA_FD, SA_PATH, SA_UINT, SA_UINT,
	   SA_FLAGS),
	SC(261, futimesat, SR_JOURNALED, 3, SA_FD, SA_PATH, SA_BUF_IN),
	SC(262, newfstatat, SR_JOURNALED, 4, SA_FD, SA_PATH, SA_BUF_OUT,
	   SA_FLAGS),
	SC(263, unlinkat, SR_JOURNALED, 3, SA_FD, SA_PATH, SA_FLAGS),
	SC(264, renameat, SR_JOURNALED, 4, SA_FD, SA_PATH, SA_FD, SA_PATH),
	SC(265, linkat, SR_JOURNALED, 5, SA_FD, SA_PATH, SA_FD, SA_PATH,
	   SA_FLAGS),
	SC(266, symlinkat, SR_JOURNALED, 3, SA_PATH, SA_FD, SA_PATH),
	SC(267, readlinkat, SR_JOURNALED, 4, SA_FD, SA_PATH, SA_BUF_OUT,
	   SA_SIZE),
	SC(268, fchmodat, SR_JOURNALED, 3, SA_FD, SA_PATH, SA_UINT),
	SC(269, faccessat, SR_JOURNALED, 3, SA_FD, SA_PATH, SA_INT),
	SC(270, pselect6, SR_JOURNALED, 6, SA_INT, SA_BUF_OUT, SA_BUF_OUT,
	   SA_BUF_OUT, SA_BUF_OUT, SA_BUF_IN),
	SC(271, ppoll, SR_JOURNALED, 5, SA_BUF_OUT, SA_UINT, SA_BUF_OUT,
	   SA_BUF_IN, SA_SIZE),
	NOSYS(272, unshare, 1),
	SC(273, set_robust_list, SR_EMULATED, 2, SA_PTR, SA_SIZE),
	SC(274, get_robust_list, SR_EMULATED, 3, SA_PID, SA_BUF_OUT,
	   SA_BUF_OUT),
	SC(275, splice, SR_JOURNALED, 6, SA_FD, SA_BUF_OUT, SA_FD, SA_BUF_OUT,
	   SA_SIZE, SA_FLAGS),
	SC(276, tee, SR_JOURNALED, 4, SA_FD, SA_FD, SA_SIZE, SA_FLAGS),
	NOSYS(277, sync_file_range, 4),
	NOSYS(278, vmsplice, 4),
	NOSYS(279, move_pages, 6),
	SC(280, utimensat, SR_JOURNALED, 4, SA_FD, SA_PATH, SA_BUF_IN,
	   SA_FLAGS),
	SC(281, epoll_pwait, SR_JOURNALED, 6, SA_FD, SA_BUF_OUT, SA_INT,
	   SA_INT, SA_BUF_IN, SA_SIZE),
	NOSYS(282, signalfd, 3),
	NOSYS(283, timerfd_create, 2),
	SC(284, eventfd, SR_JOURNALED, 1, SA_UINT),
	SC(285, fallocate, SR_JOURNALED, 4, SA_FD, SA_INT, SA_INT, SA_INT),
	NOSYS(286, timerfd_settime, 4),
	NOSYS(287, timerfd_gettime, 2),
	SC(288, accept4, SR_JOURNALED, 4, SA_FD, SA_BUF_OUT, SA_BUF_OUT, SA_FLAGS),
	NOSYS(289, signalfd4, 4),
	SC(290, eventfd2, SR_JOURNALED, 2, SA_UINT, SA_FLAGS),
	SC(291, epoll_create1, SR_JOURNALED, 1, SA_FLAGS),
	SC(292, dup3, SR_JOURNALED, 3, SA_FD, SA_FD, SA_FLAGS),
	SC(293, pipe2, SR_JOURNALED, 2, SA_BUF_OUT, SA_FLAGS),
	NOSYS(294, inotify_init1, 1),
	SC(295, preadv, SR_JOURNALED, 5, SA_FD, SA_BUF_OUT, SA_INT, SA_INT,
	   SA_INT),
	SC(296, pwritev, SR_JOURNALED, 5, SA_FD, SA_BUF_IN, SA_INT, SA_INT,
	   SA_INT),
	NOSYS(297, rt_tgsigqueueinfo, 4),
	NOSYS(298, perf_event_open, 5),
	SC(299, recvmmsg, SR_JOURNALED, 5, SA_FD, SA_BUF_OUT, SA_UINT, SA_FLAGS,
	   SA_BUF_IN),
	NOSYS(300, fanotify_init, 2),
	NOSYS(301, fanotify_mark, 5),
	SC(302, prlimit64, SR_EMULATED, 4, SA_PID, SA_INT, SA_BUF_IN,
	   SA_BUF_OUT),
	NOSYS(303, name_to_handle_at, 5),
	NOSYS(304, open_by_handle_at, 3),
	NOSYS(305, clock_adjtime, 2),
	SC(306, syncfs, SR_JOURNALED, 1, SA_FD),
	SC(307, sendmmsg, SR_JOURNALED, 4, SA_FD, SA_BUF_OUT, SA_UINT, SA_FLAGS),
	NOSYS(308, setns, 2),
	SC(309, getcpu, SR_EMULATED, 3, SA_BUF_OUT, SA_BUF_OUT, SA_PTR),
	NOSYS(310, process_vm_readv, 6),
	NOSYS(311, process_vm_writev, 6),
	NOSYS(312, kcmp, 5),
	NOSYS(313, finit_module, 3),
	NOSYS(314, sched_setattr, 3),
	NOSYS(315, sched_getattr, 4),
	SC(316, renameat2, SR_JOURNALED, 5, SA_FD, SA_PATH, SA_FD, SA_PATH,
	   SA_FLAGS),
	NOSYS(317, seccomp, 3),
	SC(318, getrandom, SR_JOURNALED, 3, SA_BUF_OUT, SA_SIZE, SA_FLAGS),
	SC(319, memfd_create, SR_JOURNALED, 2, SA_PATH, SA_FLAGS),
	NOSYS(320, kexec_file_load, 5),
	NOSYS(321, bpf, 3),
	NOSYS(322, execveat, 5),
	NOSYS(323, userfaultfd, 1),
	SC(324, membarrier, SR_EMULATED, 3, SA_INT, SA_FLAGS, SA_INT),
	SC(325, mlock2, SR_EMULATED, 3, SA_HEX, SA_SIZE, SA_FLAGS),
	SC(326, copy_file_range, SR_JOURNALED, 6, SA_FD, SA_BUF_OUT, SA_FD,
	   SA_BUF_OUT, SA_SIZE, SA_FLAGS),
	SC(327, preadv2, SR_JOURNALED, 6, SA_FD, SA_BUF_OUT, SA_INT, SA_INT,
	   SA_INT, SA_FLAGS),
	SC(328, pwritev2, SR_JOURNALED, 6, SA_FD, SA_BUF_IN, SA_INT, SA_INT,
	   SA_INT, SA_FLAGS),
	NOSYS(329, pkey_mprotect, 4),
	NOSYS(330, pkey_alloc, 2),
	NOSYS(331, pkey_free, 1),
	SC(332, statx, SR_JOURNALED, 5, SA_FD, SA_PATH, SA_FLAGS, SA_UINT,
	   SA_BUF_OUT),
	NOSYS(333, io_pgetevents, 6),
	SC(334, rseq, SR_EMULATED, 4, SA_PTR, SA_UINT, SA_FLAGS, SA_UINT),
	NOSYS(424, pidfd_send_signal, 4),
	NOSYS(425, io_uring_setup, 2),
	NOSYS(426, io_uring_enter, 6),
	NOSYS(427, io_uring_register, 4),
	NOSYS(428, open_tree, 3),
	NOSYS(429, move_mount, 5),
	NOSYS(430, fsopen, 2),
	NOSYS(431, fsconfig, 5),
	NOSYS(432, fsmount, 3),
	NOSYS(433, fspick, 3),
	NOSYS(434, pidfd_open, 2),
	NOSYS(435, clone3, 2),
	SC(436, close_range, SR_JOURNALED, 3, SA_FD, SA_FD, SA_FLAGS),
	SC(437, openat2, SR_JOURNALED, 4, SA_FD, SA_PATH, SA_BUF_IN, SA_SIZE),
	NOSYS(438, pidfd_getfd, 3),
	SC(439, faccessat2, SR_JOURNALED, 4, SA_FD, SA_PATH, SA_INT, SA_FLAGS),
	NOSYS(440, process_madvise, 5),
	SC(441, epoll_pwait2, SR_JOURNALED, 6, SA_FD, SA_BUF_OUT, SA_INT,
	   SA_BUF_IN, SA_BUF_IN, SA_SIZE),
	NOSYS(442, mount_setattr, 5),
	NOSYS(443, quotactl_fd, 4),
	NOSYS(444, landlock_create_ruleset, 3),
	NOSYS(445, landlock_add_rule, 4),
	NOSYS(446, landlock_restrict_self, 2),
	NOSYS(447, memfd_secret, 1),
	NOSYS(448, process_mrelease, 2),
	NOSYS(449, futex_waitv, 5),
	NOSYS(450, set_mempolicy_home_node, 4),
	NOSYS(451, cachestat, 4),
	SC(452, fchmodat2, SR_JOURNALED, 4, SA_FD, SA_PATH, SA_UINT, SA_FLAGS),
	NOSYS(453, map_shadow_stack, 3),
	NOSYS(454, futex_wake, 4),
	NOSYS(455, futex_wait, 6),
	NOSYS(456, futex_requeue, 4),
	NOSYS(457, statmount, 4),
	NOSYS(458, listmount, 4),
	NOSYS(459, lsm_get_self_attr, 4),
	NOSYS(460, lsm_set_self_attr, 4),
	NOSYS(461, lsm_list_modules, 3),
	NOSYS(462, mseal, 3),
	NOSYS(463, setxattrat, 6),
	NOSYS(464, getxattrat, 6),
	NOSYS(465, listxattrat, 5),
	NOSYS(466, removexattrat, 4),
	NOSYS(467, open_tree_attr, 5),
};

#define NSYSCALLS (sizeof(syscall_table) / sizeof(syscall_table[0]))

const struct syscall_desc *syscall_lookup(uint64_t nr)
{
	if (nr >= NSYSCALLS || !syscall_table[nr].name)
		return NULL;
	return &syscall_table[nr];
}

/* ------------------------------------------------------------ logging */

/* Keys already reported by sys_log_once, as 64-bit FNV-1a hashes. */
#define LOG_KEYS_MAX 256
static uint64_t log_keys[LOG_KEYS_MAX];
static size_t log_nkeys;

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	while (*s)
		h = (h ^ (uint8_t)*s++) * 0x100000001b3ULL;
	return h;
}

void sys_log_once(struct proc *p, const char *key, const char *fmt, ...)
{
	uint64_t h = fnv1a(key);
	va_list ap;

	for (size_t i = 0; i < log_nkeys; i++)
		if (log_keys[i] == h)
			return;
	if (log_nkeys == LOG_KEYS_MAX)
		return;		/* enough has been said */
	log_keys[log_nkeys++] = h;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void log_unsupported(struct proc *p, uint64_t nr,
			    const struct syscall_desc *d)
{
	char key[40];
	snprintf(key, sizeof(key), "syscall %llu", (unsigned long long)nr);
	sys_log_once(p, key, "rewind: unsupported syscall %llu (%s)",
		     (unsigned long long)nr, d ? d->name : "unknown");
}

/* ------------------------------------------------------------- hooks */

void sys_wrote(struct proc *p, uint64_t addr, uint64_t len)
{
	if (p->journal)
		journal_wrote(p, addr, len);
}

/* ------------------------------------------------------------- entry */

/* REWIND_STRACE=1 in rewind's environment logs every guest syscall to
 * stderr: a debugging aid for rewind itself. */
static int strace_on(void)
{
	static int on = -1;
	if (on < 0) {
		const char *e = getenv("REWIND_STRACE");
		on = e && *e && strcmp(e, "0") != 0;
	}
	return on;
}

int64_t syscall_execute(struct proc *p, struct cpu *c,
			const struct syscall_desc *d, uint64_t nr,
			const uint64_t a[6])
{
	if (d && d->fn)
		return d->fn(p, c, a);
	log_unsupported(p, nr, d);
	return -ENOSYS;
}

/*
 * A syscall in a diversion, a throwaway branch of a replay in which the
 * debugger runs guest code (gdb's `print f(x)`).  Nothing may reach the
 * outside world: emulated calls run inside the VM as always; a write to
 * an fd reports success without writing; every other call that would
 * run on the host fails with ENOSYS.
 */
static int64_t diversion_syscall(struct proc *p, struct cpu *c,
				 const struct syscall_desc *d, uint64_t nr,
				 const uint64_t a[6])
{
	if (d && d->replay != SR_JOURNALED)
		return syscall_execute(p, c, d, nr, a);
	if (nr == SYS_write)
		return (int64_t)a[2];
	return -ENOSYS;
}

void os_syscall(struct cpu *c)
{
	struct proc *p = c->proc;
	uint64_t nr = c->gpr[R_RAX];
	const uint64_t a[6] = {
		c->gpr[R_RDI], c->gpr[R_RSI], c->gpr[R_RDX],
		c->gpr[R_R10], c->gpr[R_R8], c->gpr[R_R9],
	};
	const struct syscall_desc *d = syscall_lookup(nr);
	int64_t r;

	/* What the syscall instruction does to rcx and r11, before the call:
	 * rt_sigreturn then overwrites them with the values it restores. */
	c->gpr[R_RCX] = c->rip;
	c->gpr[R_R11] = cpu_rflags_read(c);

	if (p->diverted)
		r = diversion_syscall(p, c, d, nr, a);
	else if (p->journal)
		r = journal_syscall(p, c, d, nr, a);
	else
		r = syscall_execute(p, c, d, nr, a);
	if (strace_on())
		fprintf(stderr,
			"[rewind] %s(%#llx, %#llx, %#llx, %#llx) = %lld\n",
			d ? d->name : "?", (unsigned long long)a[0],
			(unsigned long long)a[1], (unsigned long long)a[2],
			(unsigned long long)a[3], (long long)r);
	/* Writing to a pipe nobody reads raises SIGPIPE in the writer, as
	 * the kernel's pipe_write does (the host's own SIGPIPE is ignored
	 * by rewind, so the guest's disposition decides). */
	if (r == -EPIPE && (nr == SYS_write || nr == SYS_writev ||
			    nr == SYS_pwritev || nr == SYS_pwritev2 ||
			    nr == SYS_sendfile || nr == SYS_splice ||
			    nr == SYS_vmsplice || nr == SYS_tee))
		signal_send_self(p, c, SIGPIPE, SI_USER);
	/* rt_sigreturn restored every register, rax included. */
	if (!d || d->fn != sys_rt_sigreturn)
		c->gpr[R_RAX] = (uint64_t)r;
	/* A syscall may end the process, change memory or rip, or make a
	 * signal deliverable: the run loop always takes a look. */
	c->attention = 1;
}
