/*
 * sys_int.h - internals shared by the syscall files of src/os (syscall.c,
 * sys_fs.c, sys_misc.c).  Not part of any other module's contract.
 *
 * Holds: the guest fd table helpers (guest fd numbers are virtual; each
 * names a host fd that rewind opened with O_CLOEXEC), the guest pointer
 * helpers (check with mem_check, then hand the host kernel mem_base + addr
 * directly: zero copy), guest path translation (/proc/self/exe and friends)
 * and the prototypes of every syscall implemented in sys_fs.c and
 * sys_misc.c, referenced by the table in syscall.c.
 */
#ifndef REWIND_OS_SYS_INT_H
#define REWIND_OS_SYS_INT_H

#include <errno.h>
#include <stdint.h>
#include <sys/uio.h>
#include "os/sys.h"

/* ------------------------------------------------------------- results */

/* A raw host syscall result (-1 with errno) as a guest result (-errno). */
static inline int64_t host_rc(long r)
{
	return r < 0 ? -(int64_t)errno : (int64_t)r;
}

/* ------------------------------------------------------------ fd table */

/* The host fd behind guest fd gfd, or -EBADF.  Like the kernel, only the
 * low 32 bits of the argument count. */
int fd_host(const struct proc *p, uint64_t gfd);
/* Give host fd `host` the lowest free guest number >= min; returns it, or
 * -EMFILE (closing host) when the table is full or min is out of range
 * (-EINVAL).  The host fd must already be O_CLOEXEC on the host. */
int fd_install(struct proc *p, int host, int cloexec, int min);
/* Release guest fd gfd and its host fd; 0 or -EBADF. */
int fd_close(struct proc *p, int gfd);
/* The guest fd whose host fd is host, or -1. */
int fd_guest_of_host(const struct proc *p, int host);
/* The guest's current RLIMIT_NOFILE soft limit (sys_misc.c). */
int fd_limit(const struct proc *p);

/* --------------------------------------------------------- guest memory */

/*
 * Host pointer for the guest buffer [addr, addr+len) accessible with prot
 * (PROT_READ for data the kernel reads, PROT_WRITE for data it writes), or
 * NULL with *err = -EFAULT.  len == 0 always succeeds.
 */
void *guest_buf(struct proc *p, uint64_t addr, uint64_t len, int prot,
		int64_t *err);
/*
 * Like guest_buf, for read()/write()-like calls where Linux transfers the
 * accessible prefix of a partly bad buffer: *len is cut to the longest
 * accessible prefix; NULL (-EFAULT) only when not even the first byte is.
 */
void *guest_buf_prefix(struct proc *p, uint64_t addr, uint64_t *len, int prot,
		       int64_t *err);
/* Copy to guest memory (mem_copy_out) and note the write; 0 or -EFAULT. */
int guest_put(struct proc *p, uint64_t addr, const void *src, uint64_t len);
/* Copy from guest memory; 0 or -EFAULT. */
int guest_get(struct proc *p, void *dst, uint64_t addr, uint64_t len);
/*
 * Note that the host kernel (or rewind) wrote [addr, addr+len) of guest
 * memory on the guest's behalf.  Every syscall that writes guest memory
 * calls this after the write: it is the one place the recorder will hook
 * to journal written memory.
 */
void sys_wrote(struct proc *p, uint64_t addr, uint64_t len);

/* A guest iovec array translated for the host. */
#define GUEST_IOV_MAX 1024

struct iov_set {
	struct iovec host[GUEST_IOV_MAX];
	uint64_t guest[GUEST_IOV_MAX];	/* guest base of each host iov */
	int n;
};

/*
 * Translate the guest iovec array at uiov (cnt entries) into v, each
 * buffer checked for prot.  As in Linux, buffers are transferred in order
 * until the first inaccessible byte: the vector is cut there, and only a
 * fault before any byte is -EFAULT.  Returns 0 or -errno.
 */
int64_t iov_import(struct proc *p, uint64_t uiov, uint64_t cnt, int prot,
		   struct iov_set *v);
/* Report r bytes written by the host into the buffers of v, in order. */
void iov_wrote(struct proc *p, const struct iov_set *v, int64_t r);

/* ---------------------------------------------------------------- paths */

#define GUEST_PATH_MAX 4096

/* How a path is used, for translation of /proc/self/exe: FOLLOW resolves
 * it to the guest executable; NOFOLLOW leaves the (host) symlink. */
enum { PATH_FOLLOW, PATH_NOFOLLOW };

/*
 * The host path to use for the guest path at addr: the guest string itself
 * (zero copy), or a rewritten one in buf (GUEST_PATH_MAX bytes) for
 * /proc/self/exe, /proc/<guest pid>/..., /proc/self/fd/N, /dev/fd/N and
 * /dev/std{in,out,err}.  NULL with *err = -EFAULT / -ENAMETOOLONG.
 */
const char *guest_path(struct proc *p, uint64_t addr, int follow, char *buf,
		       int64_t *err);
/* The host dirfd for an *at() call's guest dirfd, given the host path:
 * AT_FDCWD passes, absolute paths ignore dirfd like Linux, else -EBADF. */
int guest_dirfd(const struct proc *p, uint64_t dirfd, const char *path);
/* 1 when path (a host path after guest_path) names the guest's
 * /proc/self/maps, which sys_fs.c synthesizes. */
int path_is_self_maps(const char *path);

/* Log a message about unsupported guest behaviour once per key. */
void sys_log_once(struct proc *p, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ------------------------------------------------ syscalls: sys_fs.c */

SYS(read); SYS(write); SYS(pread64); SYS(pwrite64);
SYS(readv); SYS(writev); SYS(preadv); SYS(pwritev);
SYS(preadv2); SYS(pwritev2);
SYS(open); SYS(openat); SYS(openat2); SYS(creat); SYS(close);
SYS(close_range); SYS(lseek);
SYS(stat); SYS(fstat); SYS(lstat); SYS(newfstatat); SYS(statx);
SYS(statfs); SYS(fstatfs);
SYS(access); SYS(faccessat); SYS(faccessat2);
SYS(getdents); SYS(getdents64);
SYS(mkdir); SYS(mkdirat); SYS(rmdir); SYS(unlink); SYS(unlinkat);
SYS(rename); SYS(renameat); SYS(renameat2);
SYS(readlink); SYS(readlinkat);
SYS(link); SYS(linkat); SYS(symlink); SYS(symlinkat);
SYS(mknod); SYS(mknodat);
SYS(getcwd); SYS(chdir); SYS(fchdir);
SYS(dup); SYS(dup2); SYS(dup3); SYS(pipe); SYS(pipe2);
SYS(fcntl); SYS(ioctl); SYS(flock);
SYS(fsync); SYS(fdatasync); SYS(syncfs); SYS(sync);
SYS(ftruncate); SYS(truncate); SYS(fallocate); SYS(fadvise64);
SYS(readahead);
SYS(utimensat); SYS(futimesat); SYS(utimes); SYS(utime);
SYS(chmod); SYS(fchmod); SYS(fchmodat); SYS(fchmodat2);
SYS(chown); SYS(fchown); SYS(lchown); SYS(fchownat);
SYS(umask);
SYS(getxattr); SYS(lgetxattr); SYS(fgetxattr);
SYS(listxattr); SYS(llistxattr); SYS(flistxattr);
SYS(sendfile); SYS(copy_file_range); SYS(splice); SYS(tee);
SYS(memfd_create); SYS(eventfd); SYS(eventfd2);
SYS(poll); SYS(ppoll); SYS(select); SYS(pselect6);
SYS(epoll_create); SYS(epoll_create1); SYS(epoll_ctl);
SYS(epoll_wait); SYS(epoll_pwait); SYS(epoll_pwait2);

/* ----------------------------------------------- syscalls: sys_net.c */

SYS(socket); SYS(socketpair); SYS(connect); SYS(bind); SYS(listen);
SYS(shutdown); SYS(accept); SYS(accept4);
SYS(getsockname); SYS(getpeername); SYS(setsockopt); SYS(getsockopt);
SYS(sendto); SYS(recvfrom); SYS(sendmsg); SYS(recvmsg);
SYS(sendmmsg); SYS(recvmmsg);

/* ---------------------------------------------- syscalls: sys_misc.c */

SYS(mmap); SYS(munmap); SYS(mprotect); SYS(mremap); SYS(brk);
SYS(madvise); SYS(msync); SYS(mincore);
SYS(mlock); SYS(munlock); SYS(mlockall); SYS(munlockall); SYS(mlock2);
SYS(arch_prctl); SYS(set_tid_address); SYS(set_robust_list);
SYS(get_robust_list); SYS(rseq);
SYS(prlimit64); SYS(getrlimit); SYS(setrlimit);
SYS(uname); SYS(sethostname); SYS(setdomainname);
SYS(getpid); SYS(getppid); SYS(gettid);
SYS(getuid); SYS(geteuid); SYS(getgid); SYS(getegid);
SYS(getresuid); SYS(getresgid); SYS(getgroups);
SYS(setuid); SYS(setgid); SYS(setreuid); SYS(setregid);
SYS(setresuid); SYS(setresgid); SYS(setfsuid); SYS(setfsgid);
SYS(setgroups);
SYS(getpgrp); SYS(getpgid); SYS(setpgid); SYS(getsid); SYS(setsid);
SYS(sched_getaffinity); SYS(sched_setaffinity); SYS(sched_yield);
SYS(sched_getparam); SYS(sched_setparam); SYS(sched_getscheduler);
SYS(sched_setscheduler); SYS(sched_get_priority_max);
SYS(sched_get_priority_min); SYS(sched_rr_get_interval);
SYS(getpriority); SYS(setpriority);
SYS(clock_gettime); SYS(clock_getres); SYS(gettimeofday); SYS(time);
SYS(nanosleep); SYS(clock_nanosleep);
SYS(getrandom); SYS(sysinfo); SYS(times); SYS(getrusage);
SYS(exit); SYS(exit_group);
SYS(futex);
SYS(getcpu); SYS(personality); SYS(prctl); SYS(capget); SYS(capset);
SYS(getitimer); SYS(setitimer); SYS(alarm);
SYS(wait4); SYS(waitid);
SYS(membarrier);
SYS(restart_syscall);

#endif
