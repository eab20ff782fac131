/*
 * sys_misc.c - the guest's non-file syscalls: memory management (through
 * the mem_* API), thread setup (arch_prctl, set_tid_address, robust lists,
 * rseq), identity, resource limits, scheduling, time, randomness, futexes,
 * prctl and friends.
 *
 * What the guest sees of the machine is fixed here wherever Linux lets us
 * choose, so that output never depends on the host:
 *  - pid = tgid = tid = 1000, ppid = 999 (set in proc_create); the process
 *    is its own process group and session leader;
 *  - uname: Linux rewind 6.1.0 #1 SMP x86_64, domain "(none)";
 *  - one CPU (sched_getaffinity, getcpu);
 *  - fixed resource limits (proc_rlimit_init below), RLIMIT_NOFILE = 1024 =
 *    GUEST_MAX_FDS; limits are stored and reported but only NOFILE is
 *    enforced;
 *  - no capabilities (capget reports none, capset is -EPERM).
 * uid/gid, time, sysinfo, rusage and random bytes are the host's: they are
 * inputs, marked SR_JOURNALED in the syscall table.
 *
 * Single-threaded futexes: FUTEX_WAKE wakes nobody (0).  FUTEX_WAIT with
 * *uaddr != val is -EAGAIN; with a timeout it sleeps that long on the host
 * and returns -ETIMEDOUT.  A wait without a timeout can never end (there is
 * no other thread to wake it): rewind reports a guest deadlock and ends the
 * guest as if killed by SIGKILL instead of hanging forever.
 */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>
#include <linux/futex.h>

#include "mem/mem.h"
#include "os/sys_int.h"

/* ======================================================== memory */

SYS(mmap)
{
	int flags = (int)a[3];
	int h = -1;

	/* Linux checks the offset, then the fd, then everything else. */
	if (a[5] & (GUEST_PAGE_SIZE - 1))
		return -EINVAL;
	if (!(flags & MAP_ANONYMOUS)) {
		h = fd_host(p, a[4]);
		if (h < 0)
			return -EBADF;
	}
	return mem_map(p->mem, a[0], a[1], (int)a[2], flags, h, a[5]);
}

SYS(munmap)   { return mem_unmap(p->mem, a[0], a[1]); }
SYS(mprotect) { return mem_protect(p->mem, a[0], a[1], (int)a[2]); }
SYS(madvise)  { return mem_advise(p->mem, a[0], a[1], (int)a[2]); }

SYS(mremap)
{
	return mem_remap(p->mem, a[0], a[1], a[2], (int)a[3], a[4]);
}

SYS(brk)
{
	uint64_t r = mem_brk(p->mem, a[0]);
	p->brk_cur = r;
	return (int64_t)r;
}

/* 0 when every page of [addr, addr+len) is mapped, else -ENOMEM. */
static int range_mapped(struct proc *p, uint64_t addr, uint64_t len)
{
	uint64_t end = addr + len;
	if (end < addr || end > GUEST_LIMIT)
		return -ENOMEM;
	while (addr < end) {
		const struct mem_region *r = mem_find(p->mem, addr);
		if (!r || r->end <= addr)
			return -ENOMEM;
		addr = r->end;
	}
	return 0;
}

SYS(msync)
{
	uint64_t addr = a[0], len = (a[1] + GUEST_PAGE_SIZE - 1) &
				    GUEST_PAGE_MASK;
	int flags = (int)a[2];

	if (addr & (GUEST_PAGE_SIZE - 1))
		return -EINVAL;
	if (flags & ~(MS_ASYNC | MS_SYNC | MS_INVALIDATE))
		return -EINVAL;
	if ((flags & MS_ASYNC) && (flags & MS_SYNC))
		return -EINVAL;
	if (len == 0)
		return 0;
	int r = range_mapped(p, addr, len);
	if (r < 0)
		return r;
	return host_rc(msync(mem_base(p->mem) + addr, len, flags));
}

/* Residency is a host fact; the guest is told every page is resident. */
SYS(mincore)
{
	uint64_t addr = a[0];
	uint64_t pages = (a[1] + GUEST_PAGE_SIZE - 1) / GUEST_PAGE_SIZE;
	int64_t err;

	if (addr & (GUEST_PAGE_SIZE - 1))
		return -EINVAL;
	int r = range_mapped(p, addr, pages * GUEST_PAGE_SIZE);
	if (r < 0)
		return r;
	uint8_t *vec = guest_buf(p, a[2], pages, PROT_WRITE, &err);
	if (!vec)
		return err;
	memset(vec, 1, pages);
	sys_wrote(p, a[2], pages);
	return 0;
}

/* Locking pages is accepted and has no effect. */
SYS(mlock)      { return 0; }
SYS(munlock)    { return 0; }
SYS(mlock2)     { return a[2] & ~1ULL ? -EINVAL : 0; }
SYS(munlockall) { return 0; }
SYS(mlockall)
{
	return (a[0] == 0 || (a[0] & ~7ULL)) ? -EINVAL : 0;
}

/* ================================================== thread setup */

#define ARCH_SET_GS_NR   0x1001
#define ARCH_SET_FS_NR   0x1002
#define ARCH_GET_FS_NR   0x1003
#define ARCH_GET_GS_NR   0x1004
#define ARCH_GET_CPUID_NR 0x1011
#define ARCH_SET_CPUID_NR 0x1012
/* Linux's TASK_SIZE_MAX: the highest user address + 1 page. */
#define USER_ADDR_LIMIT  0x00007ffffffff000ULL

SYS(arch_prctl)
{
	switch (a[0]) {
	case ARCH_SET_FS_NR:
	case ARCH_SET_GS_NR:
		if (a[1] >= USER_ADDR_LIMIT)
			return -EPERM;
		if (a[0] == ARCH_SET_FS_NR)
			c->fs_base = a[1];
		else
			c->gs_base = a[1];
		return 0;
	case ARCH_GET_FS_NR:
		return guest_put(p, a[1], &c->fs_base, 8);
	case ARCH_GET_GS_NR:
		return guest_put(p, a[1], &c->gs_base, 8);
	case ARCH_GET_CPUID_NR:
		return 1;		/* cpuid is enabled */
	case ARCH_SET_CPUID_NR:
		return -ENODEV;		/* as without CPUID faulting */
	default:
		return -EINVAL;
	}
}

SYS(set_tid_address)
{
	p->clear_child_tid = a[0];
	return c->tid;
}

/* The robust list matters only when a thread dies holding a lock that
 * another thread waits for; with one thread it is only remembered. */
SYS(set_robust_list)
{
	if (a[1] != 24)		/* sizeof(struct robust_list_head) */
		return -EINVAL;
	p->robust_head = a[0];
	return 0;
}

SYS(get_robust_list)
{
	uint64_t len = 24;
	if (a[0] != 0 && (int)a[0] != p->pid && (int)a[0] != c->tid)
		return -ESRCH;
	if (guest_put(p, a[1], &p->robust_head, 8) < 0 ||
	    guest_put(p, a[2], &len, 8) < 0)
		return -EFAULT;
	return 0;
}

/* rseq is refused so that libcs fall back to plain code (glibc and musl
 * handle -ENOSYS); it is expected, so it is not logged. */
SYS(rseq) { return -ENOSYS; }

/* ======================================================= rlimits */

#define INF RLIM64_INFINITY

/* The limits every guest starts with (Debian defaults, fixed). */
void proc_rlimit_init(struct proc *p)
{
	static const uint64_t def[GUEST_NLIMITS][2] = {
		[RLIMIT_CPU]        = { INF, INF },
		[RLIMIT_FSIZE]      = { INF, INF },
		[RLIMIT_DATA]       = { INF, INF },
		[RLIMIT_STACK]      = { 8ULL << 20, INF },
		[RLIMIT_CORE]       = { 0, INF },
		[RLIMIT_RSS]        = { INF, INF },
		[RLIMIT_NPROC]      = { 63459, 63459 },
		[RLIMIT_NOFILE]     = { GUEST_MAX_FDS, GUEST_MAX_FDS },
		[RLIMIT_MEMLOCK]    = { 8ULL << 20, 8ULL << 20 },
		[RLIMIT_AS]         = { INF, INF },
		[RLIMIT_LOCKS]      = { INF, INF },
		[RLIMIT_SIGPENDING] = { 63459, 63459 },
		[RLIMIT_MSGQUEUE]   = { 819200, 819200 },
		[RLIMIT_NICE]       = { 0, 0 },
		[RLIMIT_RTPRIO]     = { 0, 0 },
		[RLIMIT_RTTIME]     = { INF, INF },
	};
	memcpy(p->rlim, def, sizeof(p->rlim));
}

int fd_limit(const struct proc *p)
{
	return p->rlim[RLIMIT_NOFILE][0] > GUEST_MAX_FDS
		? GUEST_MAX_FDS : (int)p->rlim[RLIMIT_NOFILE][0];
}

/* prlimit for the guest itself: new limit from unew (0 = none), old one to
 * uold (0 = none).  Hard limits can only go down, NOFILE not above the
 * fd table. */
static int64_t do_prlimit(struct proc *p, uint64_t res, uint64_t unew,
			  uint64_t uold)
{
	uint64_t nl[2], old[2];

	if (res >= GUEST_NLIMITS)
		return -EINVAL;
	if (unew) {
		if (guest_get(p, nl, unew, sizeof(nl)) < 0)
			return -EFAULT;
		if (nl[0] > nl[1])
			return -EINVAL;
		if (nl[1] > p->rlim[res][1])
			return -EPERM;
		if (res == RLIMIT_NOFILE && nl[1] > GUEST_MAX_FDS)
			return -EPERM;
	}
	memcpy(old, p->rlim[res], sizeof(old));
	if (unew)
		memcpy(p->rlim[res], nl, sizeof(nl));
	if (uold && guest_put(p, uold, old, sizeof(old)) < 0)
		return -EFAULT;
	return 0;
}

SYS(prlimit64)
{
	if (a[0] != 0 && (int)a[0] != p->pid)
		return -ESRCH;
	return do_prlimit(p, a[1], a[2], a[3]);
}

SYS(getrlimit) { return do_prlimit(p, a[0], 0, a[1]); }
SYS(setrlimit) { return do_prlimit(p, a[0], a[1], 0); }

/* ======================================================== uname */

SYS(uname)
{
	char u[6][65];
	memset(u, 0, sizeof(u));
	strcpy(u[0], "Linux");
	strcpy(u[1], "rewind");
	strcpy(u[2], "6.1.0");
	strcpy(u[3], "#1 SMP");
	strcpy(u[4], "x86_64");
	strcpy(u[5], "(none)");
	return guest_put(p, a[0], u, sizeof(u));
}

SYS(sethostname)   { return -EPERM; }
SYS(setdomainname) { return -EPERM; }

/* ===================================================== identity */

SYS(getpid)  { return p->pid; }
SYS(getppid) { return p->ppid; }
SYS(gettid)  { return c->tid; }
SYS(getuid)  { return p->uid; }
SYS(geteuid) { return p->uid; }
SYS(getgid)  { return p->gid; }
SYS(getegid) { return p->gid; }

static int64_t put_three(struct proc *p, const uint64_t a[6], uint32_t v)
{
	for (int i = 0; i < 3; i++)
		if (guest_put(p, a[i], &v, 4) < 0)
			return -EFAULT;
	return 0;
}

SYS(getresuid) { return put_three(p, a, (uint32_t)p->uid); }
SYS(getresgid) { return put_three(p, a, (uint32_t)p->gid); }

SYS(getgroups)
{
	int size = (int)a[0];
	if (size < 0)
		return -EINVAL;
	int n = getgroups(0, NULL);
	if (n < 0)
		return -errno;
	if (size == 0)
		return n;
	if (size < n)
		return -EINVAL;
	gid_t g[n ? n : 1];
	n = getgroups(n, g);
	if (n < 0)
		return -errno;
	int e = guest_put(p, a[1], g, (uint64_t)n * 4);
	return e < 0 ? e : n;
}

/*
 * The guest cannot change its credentials: setting an id to the value it
 * already has (or -1, "unchanged") succeeds, anything else is -EPERM as
 * for an unprivileged process.
 */
static int same_id(uint64_t v, int cur)
{
	return (uint32_t)v == (uint32_t)-1 || (uint32_t)v == (uint32_t)cur;
}

SYS(setuid) { return same_id(a[0], p->uid) ? 0 : -EPERM; }
SYS(setgid) { return same_id(a[0], p->gid) ? 0 : -EPERM; }
SYS(setreuid)
{
	return same_id(a[0], p->uid) && same_id(a[1], p->uid) ? 0 : -EPERM;
}
SYS(setregid)
{
	return same_id(a[0], p->gid) && same_id(a[1], p->gid) ? 0 : -EPERM;
}
SYS(setresuid)
{
	return same_id(a[0], p->uid) && same_id(a[1], p->uid) &&
	       same_id(a[2], p->uid) ? 0 : -EPERM;
}
SYS(setresgid)
{
	return same_id(a[0], p->gid) && same_id(a[1], p->gid) &&
	       same_id(a[2], p->gid) ? 0 : -EPERM;
}
/* setfsuid/setfsgid return the previous value whatever happens. */
SYS(setfsuid)  { return p->uid; }
SYS(setfsgid)  { return p->gid; }
SYS(setgroups) { return -EPERM; }

static int is_self(const struct proc *p, uint64_t pid)
{
	return (int)pid == 0 || (int)pid == p->pid;
}

SYS(getpgrp) { return p->pid; }
SYS(getpgid) { return is_self(p, a[0]) ? p->pid : -ESRCH; }
SYS(getsid)  { return is_self(p, a[0]) ? p->pid : -ESRCH; }
SYS(setsid)  { return -EPERM; }	/* already a process group leader */
SYS(setpgid)
{
	if (!is_self(p, a[0]))
		return -ESRCH;
	if ((int)a[1] < 0)
		return -EINVAL;
	return is_self(p, a[1]) ? 0 : -EPERM;
}

/* ==================================================== scheduling */

SYS(sched_getaffinity)
{
	uint64_t mask = 1;	/* CPU 0 only */
	uint64_t len = (uint32_t)a[1];

	if (!is_self(p, a[0]) && (int)a[0] != c->tid)
		return -ESRCH;
	if (len * 8 < 1 || (len & 7))
		return -EINVAL;
	int e = guest_put(p, a[2], &mask, 8);
	return e < 0 ? e : 8;
}

SYS(sched_setaffinity)
{
	uint64_t mask = 0;
	uint64_t len = (uint32_t)a[1];

	if (!is_self(p, a[0]) && (int)a[0] != c->tid)
		return -ESRCH;
	if (guest_get(p, &mask, a[2], len < 8 ? len : 8) < 0)
		return -EFAULT;
	return (mask & 1) ? 0 : -EINVAL;
}

SYS(sched_yield) { return 0; }

SYS(sched_getparam)
{
	int prio = 0;
	if (!is_self(p, a[0]))
		return -ESRCH;
	return guest_put(p, a[1], &prio, 4);
}

SYS(sched_setparam)
{
	int prio;
	if (guest_get(p, &prio, a[1], 4) < 0)
		return -EFAULT;
	if (!is_self(p, a[0]))
		return -ESRCH;
	return prio == 0 ? 0 : -EINVAL;
}

SYS(sched_getscheduler)
{
	return is_self(p, a[0]) ? SCHED_OTHER : -ESRCH;
}

SYS(sched_setscheduler)
{
	int prio;
	int policy = (int)a[1] & ~SCHED_RESET_ON_FORK;
	if (guest_get(p, &prio, a[2], 4) < 0)
		return -EFAULT;
	if (!is_self(p, a[0]))
		return -ESRCH;
	switch (policy) {
	case SCHED_OTHER:
	case SCHED_BATCH:
	case SCHED_IDLE:
		return prio == 0 ? 0 : -EINVAL;
	case SCHED_FIFO:
	case SCHED_RR:
		return -EPERM;
	default:
		return -EINVAL;
	}
}

SYS(sched_get_priority_max)
{
	switch ((int)a[0]) {
	case SCHED_FIFO: case SCHED_RR: return 99;
	case SCHED_OTHER: case SCHED_BATCH: case SCHED_IDLE: return 0;
	default: return -EINVAL;
	}
}

SYS(sched_get_priority_min)
{
	switch ((int)a[0]) {
	case SCHED_FIFO: case SCHED_RR: return 1;
	case SCHED_OTHER: case SCHED_BATCH: case SCHED_IDLE: return 0;
	default: return -EINVAL;
	}
}

SYS(sched_rr_get_interval)
{
	int64_t ts[2] = { 0, 100000000 };	/* RR_TIMESLICE, 100 ms */
	if (!is_self(p, a[0]))
		return -ESRCH;
	return guest_put(p, a[1], ts, sizeof(ts));
}

/* getpriority returns 20 - nice; the guest always has nice 0. */
SYS(getpriority) { return 20; }
SYS(setpriority) { return (int)a[2] < 0 ? -EACCES : 0; }

SYS(getcpu)
{
	uint32_t zero = 0;
	if (a[0] && guest_put(p, a[0], &zero, 4) < 0)
		return -EFAULT;
	if (a[1] && guest_put(p, a[1], &zero, 4) < 0)
		return -EFAULT;
	return 0;
}

/* ========================================================== time */

SYS(clock_gettime)
{
	struct timespec ts;
	if (syscall(SYS_clock_gettime, (clockid_t)a[0], &ts) < 0)
		return -errno;
	return guest_put(p, a[1], &ts, sizeof(ts));
}

SYS(clock_getres)
{
	struct timespec ts;
	if (syscall(SYS_clock_getres, (clockid_t)a[0], &ts) < 0)
		return -errno;
	if (a[1])
		return guest_put(p, a[1], &ts, sizeof(ts));
	return 0;
}

SYS(gettimeofday)
{
	struct timeval tv;
	uint8_t tz[8] = { 0 };	/* struct timezone: always UTC, no DST */
	if (syscall(SYS_gettimeofday, &tv, NULL) < 0)
		return -errno;
	if (a[0] && guest_put(p, a[0], &tv, sizeof(tv)) < 0)
		return -EFAULT;
	if (a[1] && guest_put(p, a[1], tz, sizeof(tz)) < 0)
		return -EFAULT;
	return 0;
}

SYS(time)
{
	int64_t t = (int64_t)syscall(SYS_time, NULL);
	if (a[0] && guest_put(p, a[0], &t, 8) < 0)
		return -EFAULT;
	return t;
}

/* Valid timespec (as the kernel's timespec64_valid). */
static int ts_valid(const struct timespec *ts)
{
	return ts->tv_sec >= 0 && ts->tv_nsec >= 0 && ts->tv_nsec < 1000000000L;
}

SYS(nanosleep)
{
	struct timespec req, rem;
	if (guest_get(p, &req, a[0], sizeof(req)) < 0)
		return -EFAULT;
	if (!ts_valid(&req))
		return -EINVAL;
	if (syscall(SYS_nanosleep, &req, &rem) < 0) {
		int e = errno;
		if (e == EINTR && a[1] && guest_put(p, a[1], &rem,
						    sizeof(rem)) < 0)
			return -EFAULT;
		return -e;
	}
	return 0;
}

SYS(clock_nanosleep)
{
	struct timespec req, rem;
	int flags = (int)a[1];
	if (guest_get(p, &req, a[2], sizeof(req)) < 0)
		return -EFAULT;
	if (syscall(SYS_clock_nanosleep, (clockid_t)a[0], flags, &req,
		    &rem) == 0)
		return 0;
	int e = errno;
	if (e == EINTR && !(flags & TIMER_ABSTIME) && a[3] &&
	    guest_put(p, a[3], &rem, sizeof(rem)) < 0)
		return -EFAULT;
	return -e;
}

/* ============================================== host facts (inputs) */

SYS(getrandom)
{
	uint64_t len = a[1];
	int64_t err;
	if (a[2] & ~(uint64_t)(GRND_NONBLOCK | GRND_RANDOM | 0x4 /*INSECURE*/))
		return -EINVAL;
	void *b = guest_buf_prefix(p, a[0], &len, PROT_WRITE, &err);
	if (!b)
		return err;
	int64_t r = host_rc(syscall(SYS_getrandom, b, len, (unsigned)a[2]));
	if (r > 0)
		sys_wrote(p, a[0], (uint64_t)r);
	return r;
}

SYS(sysinfo)
{
	struct sysinfo si;
	if (sysinfo(&si) < 0)
		return -errno;
	si.procs = 1;		/* the guest is alone */
	return guest_put(p, a[0], &si, sizeof(si));
}

SYS(times)
{
	struct tms t;
	long r = syscall(SYS_times, &t);	/* cannot fail with a local */
	if (a[0] && guest_put(p, a[0], &t, sizeof(t)) < 0)
		return -EFAULT;
	return r;
}

SYS(getrusage)
{
	struct rusage ru;
	int who = (int)a[0];
	if (who != RUSAGE_SELF && who != RUSAGE_CHILDREN &&
	    who != RUSAGE_THREAD)
		return -EINVAL;
	if (getrusage(who == RUSAGE_THREAD ? RUSAGE_SELF : who, &ru) < 0)
		return -errno;
	return guest_put(p, a[1], &ru, sizeof(ru));
}

/* ========================================================== exit */

/* With one thread, exit and exit_group both end the process. */
SYS(exit)
{
	proc_exit(p, (int)((a[0] & 0xff) << 8));
	return 0;
}

SYS(exit_group)
{
	proc_exit(p, (int)((a[0] & 0xff) << 8));
	return 0;
}

SYS(wait4)  { return -ECHILD; }	/* the guest never has children */
SYS(waitid) { return -ECHILD; }

SYS(restart_syscall) { return -EINTR; }

/* ========================================================= futex */

/* Sleep for a futex timeout: relative, or absolute on clock. */
static int64_t futex_sleep(struct proc *p, uint64_t uts, int absolute,
			   clockid_t clock)
{
	struct timespec ts;
	if (guest_get(p, &ts, uts, sizeof(ts)) < 0)
		return -EFAULT;
	if (!ts_valid(&ts))
		return -EINVAL;
	if (syscall(SYS_clock_nanosleep, absolute ? clock : CLOCK_MONOTONIC,
		    absolute ? TIMER_ABSTIME : 0, &ts, NULL) < 0 &&
	    errno == EINTR)
		return -EINTR;
	return -ETIMEDOUT;
}

/* A wait nothing can end: report it and stop the guest. */
static int64_t futex_deadlock(struct proc *p, uint64_t uaddr)
{
	if ((p->sigpending & ~p->sigmask) != 0)
		return -EINTR;
	fprintf(stderr, "rewind: guest deadlock: futex wait on %#llx with no "
		"other thread to wake it; ending the guest as if killed by "
		"SIGKILL\n", (unsigned long long)uaddr);
	proc_exit(p, SIGKILL);
	return -EINTR;
}

#define FUTEX_TID_MASK_NR 0x3fffffff

/* FUTEX_WAKE_OP's operation on *uaddr2 (the wake part wakes nobody). */
static int64_t futex_wake_op(struct proc *p, uint64_t uaddr2, uint32_t v3)
{
	int op = (v3 >> 28) & 0xf;
	int cmp = (v3 >> 24) & 0xf;
	/* oparg: bits 12-23, sign-extended. */
	int32_t oparg = (int32_t)(v3 << 8) >> 20;
	uint32_t old, val;

	if (op & FUTEX_OP_OPARG_SHIFT) {
		oparg = (int32_t)(1U << (oparg & 31));
		op &= ~FUTEX_OP_OPARG_SHIFT;
	}
	if (op > FUTEX_OP_XOR || cmp > FUTEX_OP_CMP_GE)
		return -ENOSYS;
	if (uaddr2 & 3)
		return -EINVAL;
	if (guest_get(p, &old, uaddr2, 4) < 0)
		return -EFAULT;
	switch (op) {
	case FUTEX_OP_SET:  val = (uint32_t)oparg; break;
	case FUTEX_OP_ADD:  val = old + (uint32_t)oparg; break;
	case FUTEX_OP_OR:   val = old | (uint32_t)oparg; break;
	case FUTEX_OP_ANDN: val = old & ~(uint32_t)oparg; break;
	default:            val = old ^ (uint32_t)oparg; break;
	}
	if (guest_put(p, uaddr2, &val, 4) < 0)
		return -EFAULT;
	return 0;
}

SYS(futex)
{
	uint64_t uaddr = a[0];
	int op = (int)a[1];
	int cmd = op & FUTEX_CMD_MASK;
	uint32_t val = (uint32_t)a[2], v3 = (uint32_t)a[5], cur;
	clockid_t clock = (op & FUTEX_CLOCK_REALTIME) ? CLOCK_REALTIME
						      : CLOCK_MONOTONIC;

	if (uaddr & 3)
		return -EINVAL;
	switch (cmd) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
	case FUTEX_WAIT_REQUEUE_PI:
		if (cmd == FUTEX_WAIT_BITSET && v3 == 0)
			return -EINVAL;
		if (guest_get(p, &cur, uaddr, 4) < 0)
			return -EFAULT;
		if (cur != val)
			return -EAGAIN;
		if (a[3])
			return futex_sleep(p, a[3], cmd != FUTEX_WAIT, clock);
		return futex_deadlock(p, uaddr);
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET:
		if (cmd == FUTEX_WAKE_BITSET && v3 == 0)
			return -EINVAL;
		return 0;
	case FUTEX_REQUEUE:
		return 0;
	case FUTEX_CMP_REQUEUE:
	case FUTEX_CMP_REQUEUE_PI:
		if (guest_get(p, &cur, uaddr, 4) < 0)
			return -EFAULT;
		return cur == v3 ? 0 : -EAGAIN;
	case FUTEX_WAKE_OP:
		return futex_wake_op(p, a[4], v3);
	case FUTEX_LOCK_PI:
	case FUTEX_LOCK_PI2:
	case FUTEX_TRYLOCK_PI:
		if (guest_get(p, &cur, uaddr, 4) < 0)
			return -EFAULT;
		if ((cur & FUTEX_TID_MASK_NR) == 0) {
			cur = (cur & ~(uint32_t)FUTEX_TID_MASK_NR) |
			      (uint32_t)c->tid;
			return guest_put(p, uaddr, &cur, 4);
		}
		if ((int)(cur & FUTEX_TID_MASK_NR) == c->tid)
			return -EDEADLK;
		return -ESRCH;		/* the owner does not exist */
	case FUTEX_UNLOCK_PI:
		if (guest_get(p, &cur, uaddr, 4) < 0)
			return -EFAULT;
		if ((int)(cur & FUTEX_TID_MASK_NR) != c->tid)
			return -EPERM;
		cur = 0;
		return guest_put(p, uaddr, &cur, 4);
	default:
		return -ENOSYS;
	}
}

/* ======================================================== prctl */

/* The thread name starts as the executable's base name, like Linux. */
static void comm_init(struct proc *p)
{
	if (p->comm_ready)
		return;
	const char *s = p->exe_path ? p->exe_path : "";
	const char *slash = strrchr(s, '/');
	snprintf(p->comm, sizeof(p->comm), "%s", slash ? slash + 1 : s);
	p->comm_ready = 1;
}

#define PR_SET_VMA_NR 0x53564d41

SYS(prctl)
{
	int opt = (int)a[0];
	int v;
	switch (opt) {
	case PR_SET_NAME: {
		char name[16] = { 0 };
		comm_init(p);
		for (int i = 0; i < 15; i++) {
			if (guest_get(p, &name[i], a[1] + (uint64_t)i, 1) < 0) {
				if (i == 0)
					return -EFAULT;
				break;
			}
			if (!name[i])
				break;
		}
		memcpy(p->comm, name, sizeof(p->comm));
		return 0;
	}
	case PR_GET_NAME:
		comm_init(p);
		return guest_put(p, a[1], p->comm, sizeof(p->comm));
	case PR_GET_DUMPABLE:
		return p->dumpable;
	case PR_SET_DUMPABLE:
		if (a[1] > 1)
			return -EINVAL;
		p->dumpable = (int)a[1];
		return 0;
	case PR_SET_PDEATHSIG:
		if (a[1] > GUEST_NSIG)
			return -EINVAL;
		p->pdeathsig = (int)a[1];
		return 0;
	case PR_GET_PDEATHSIG:
		v = p->pdeathsig;
		return guest_put(p, a[1], &v, 4);
	case PR_SET_NO_NEW_PRIVS:
		if (a[1] != 1 || a[2] || a[3] || a[4])
			return -EINVAL;
		p->no_new_privs = 1;
		return 0;
	case PR_GET_NO_NEW_PRIVS:
		if (a[1] || a[2] || a[3] || a[4])
			return -EINVAL;
		return p->no_new_privs;
	case PR_CAPBSET_READ:
		return a[1] <= 40 ? 1 : -EINVAL;
	case PR_GET_SECUREBITS:
		return 0;
	case PR_GET_TIMERSLACK:
		return 50000;
	case PR_SET_TIMERSLACK:
		return 0;
	case PR_GET_CHILD_SUBREAPER:
		v = 0;
		return guest_put(p, a[1], &v, 4);
	case PR_SET_CHILD_SUBREAPER:
		return 0;
	case PR_GET_THP_DISABLE:
		return 0;
	case PR_SET_VMA_NR:		/* as without CONFIG_ANON_VMA_NAME */
		return -EINVAL;
	default: {
		char key[32];
		snprintf(key, sizeof(key), "prctl %d", opt);
		if (p->verbose)
			sys_log_once(p, key, "rewind: unsupported prctl %d",
				     opt);
		return -EINVAL;
	}
	}
}

SYS(personality)
{
	static uint32_t persona;	/* PER_LINUX */
	uint32_t old = persona;
	if ((uint32_t)a[0] != 0xffffffffu)
		persona = (uint32_t)a[0];
	return old;
}

/* ================================================== capabilities */

#define CAP_V1 0x19980330u
#define CAP_V2 0x20071026u
#define CAP_V3 0x20080522u

SYS(capget)
{
	uint32_t hdr[2];
	if (guest_get(p, hdr, a[0], sizeof(hdr)) < 0)
		return -EFAULT;
	int n = hdr[0] == CAP_V1 ? 1 : (hdr[0] == CAP_V2 || hdr[0] == CAP_V3)
				      ? 2 : 0;
	if (n == 0) {
		uint32_t v3 = CAP_V3;
		if (guest_put(p, a[0], &v3, 4) < 0)
			return -EFAULT;
		return a[1] ? -EINVAL : 0;
	}
	if (!a[1])
		return 0;
	if ((int)hdr[1] < 0)
		return -EINVAL;
	if (!is_self(p, hdr[1]))
		return -ESRCH;
	uint32_t data[6] = { 0 };	/* no capabilities */
	return guest_put(p, a[1], data, (uint64_t)n * 12);
}

SYS(capset) { return -EPERM; }

/* ======================================================= timers */

/* Interval timers would deliver SIGALRM/SIGVTALRM/SIGPROF: not yet.
 * Reading them and disarming them works; arming one is -ENOSYS. */
SYS(getitimer)
{
	uint8_t zero[32] = { 0 };
	if (a[0] > 2)
		return -EINVAL;
	return guest_put(p, a[1], zero, sizeof(zero));
}

SYS(setitimer)
{
	int64_t nv[4] = { 0 };
	uint8_t zero[32] = { 0 };
	if (a[0] > 2)
		return -EINVAL;
	if (a[1] && guest_get(p, nv, a[1], sizeof(nv)) < 0)
		return -EFAULT;
	if (nv[2] || nv[3]) {
		sys_log_once(p, "setitimer",
			     "rewind: interval timers are not supported "
			     "(setitimer)");
		return -ENOSYS;
	}
	if (a[2] && guest_put(p, a[2], zero, sizeof(zero)) < 0)
		return -EFAULT;
	return 0;
}

SYS(alarm)
{
	if (a[0] == 0)
		return 0;
	sys_log_once(p, "alarm", "rewind: alarm signals are not supported");
	return -ENOSYS;
}

SYS(membarrier)
{
	/* MEMBARRIER_CMD_QUERY: no commands supported (one thread needs
	 * none); everything else is invalid. */
	if (a[0] == 0 && a[1] == 0)
		return 0;
	return -EINVAL;
}
