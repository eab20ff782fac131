/*
 * sys_fs.c - file, fd and directory syscalls of the guest.
 *
 * Guest fd numbers are virtual: p->fds[g].host names the host fd behind
 * guest fd g.  Every host fd opened for the guest is O_CLOEXEC on the host;
 * the guest's own close-on-exec flag lives in the table.  New guest fds take
 * the lowest free number, as in Linux.  rewind's own fds never appear in the
 * table, so the guest cannot see or close them.
 *
 * Guest buffers are checked with mem_check and then handed to the host
 * kernel as mem_base + addr (zero copy).  Small fixed-size results (stat,
 * termios, ...) go through a local copy so that, as in Linux, a bad output
 * pointer is noticed only after the call succeeded.  Every write to guest
 * memory is reported with sys_wrote().
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <unistd.h>

#include "mem/mem.h"
#include "os/sys_int.h"

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif
#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* Sizes of the kernel structures the guest passes (x86-64 ABI). */
#define KSTAT_SIZE      144	/* struct stat */
#define KSTATX_SIZE     256	/* struct statx */
#define KSTATFS_SIZE    120	/* struct statfs */
#define KFLOCK_SIZE     32	/* struct flock */
#define KTERMIOS_SIZE   36	/* the kernel's struct termios, not glibc's */
#define KTERMIOS2_SIZE  44	/* struct termios2 */
#define KEPOLL_EV_SIZE  12	/* struct epoll_event (packed) */
#define KPOLLFD_SIZE    8	/* struct pollfd */

/* AT_FDCWD as a raw syscall argument. */
#define CWD ((uint64_t)AT_FDCWD)

/* ================================================================ fds */

int fd_host(const struct proc *p, uint64_t gfd)
{
	int fd = (int)(uint32_t)gfd;

	if (fd < 0 || fd >= GUEST_MAX_FDS || p->fds[fd].host < 0)
		return -EBADF;
	return p->fds[fd].host;
}

int fd_install(struct proc *p, int host, int cloexec, int min)
{
	int lim = fd_limit(p);

	if (min < 0 || min >= lim) {
		close(host);
		return -EINVAL;
	}
	for (int g = min; g < lim; g++) {
		if (p->fds[g].host < 0) {
			p->fds[g].host = host;
			p->fds[g].cloexec = !!cloexec;
			return g;
		}
	}
	close(host);
	return -EMFILE;
}

/*
 * Host fds 0-2 are shared with rewind.  When the guest lets go of one, the
 * host fd is pointed at /dev/null instead of being closed, so that the
 * other end sees the close (EOF on a pipe) while the number stays taken:
 * a later host open() can never land on 0-2 and be mistaken for rewind's
 * own stdio.
 */
static int host_close(int host)
{
	if (host > 2)
		return close(host) < 0 ? -errno : 0;
	int nul = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (nul < 0)
		return 0;
	dup2(nul, host);
	close(nul);
	return 0;
}

int fd_close(struct proc *p, int gfd)
{
	if (gfd < 0 || gfd >= GUEST_MAX_FDS || p->fds[gfd].host < 0)
		return -EBADF;
	int host = p->fds[gfd].host;
	p->fds[gfd].host = -1;
	p->fds[gfd].cloexec = 0;
	int r = host_close(host);
	/* Linux releases the fd even when close reports an error; EINTR
	 * must not make the guest retry on a number that is now free. */
	return r == -EINTR ? 0 : r;
}

int fd_guest_of_host(const struct proc *p, int host)
{
	for (int g = 0; g < GUEST_MAX_FDS; g++)
		if (p->fds[g].host == host)
			return g;
	return -1;
}

/* A host duplicate of host fd h, O_CLOEXEC, above rewind's stdio. */
static int host_dup(int h)
{
	int r = fcntl(h, F_DUPFD_CLOEXEC, 3);
	return r < 0 ? -errno : r;
}

/* ======================================================= guest memory */

void *guest_buf(struct proc *p, uint64_t addr, uint64_t len, int prot,
		int64_t *err)
{
	uint8_t *base = mem_base(p->mem);

	if (len == 0)
		return base + (addr < GUEST_LIMIT ? addr : 0);
	if (mem_check(p->mem, addr, len, prot) < 0) {
		*err = -EFAULT;
		return NULL;
	}
	return base + addr;
}

void *guest_buf_prefix(struct proc *p, uint64_t addr, uint64_t *len, int prot,
		       int64_t *err)
{
	uint64_t want = *len, ok = 0;

	if (want == 0 || mem_check(p->mem, addr, want, prot) == 0)
		return guest_buf(p, addr, want, prot, err);
	/* Walk the mappings to find how far the buffer is accessible. */
	while (ok < want) {
		const struct mem_region *r = mem_find(p->mem, addr + ok);
		if (!r || r->end <= addr + ok)
			break;
		int have = r->prot;
		if (have & (PROT_WRITE | PROT_EXEC))
			have |= PROT_READ;	/* as mem_check: x86 pages */
		if ((have & prot) != prot)
			break;
		ok = r->end - addr;
	}
	if (ok > want)
		ok = want;
	if (ok == 0 || mem_check(p->mem, addr, ok, prot) < 0) {
		*err = -EFAULT;
		return NULL;
	}
	*len = ok;
	return mem_base(p->mem) + addr;
}

int guest_put(struct proc *p, uint64_t addr, const void *src, uint64_t len)
{
	if (len == 0)
		return 0;
	if (mem_copy_out(p->mem, addr, src, len) < 0)
		return -EFAULT;
	sys_wrote(p, addr, len);
	return 0;
}

int guest_get(struct proc *p, void *dst, uint64_t addr, uint64_t len)
{
	if (len == 0)
		return 0;
	return mem_copy_in(p->mem, dst, addr, len) < 0 ? -EFAULT : 0;
}

/* ============================================================== paths */

/* Parse a decimal fd number ending at '\0' or '/'; -1 if not one. */
static int parse_fdnum(const char *s, const char **end)
{
	long v = 0;
	const char *q = s;

	if (*q < '0' || *q > '9')
		return -1;
	while (*q >= '0' && *q <= '9') {
		v = v * 10 + (*q - '0');
		if (v > INT_MAX)
			return -1;
		q++;
	}
	if (*q != '\0' && *q != '/')
		return -1;
	*end = q;
	return (int)v;
}

/* "/proc/self/fd/<host>REST" for guest fd g (a path that does not exist
 * when g is not open, so the guest never reaches rewind's fds). */
static const char *fd_path(const struct proc *p, int g, const char *rest,
			   char *buf)
{
	int h = g >= 0 ? fd_host(p, (uint64_t)g) : -1;
	snprintf(buf, GUEST_PATH_MAX, "/proc/self/fd/%d%s", h < 0 ? -1 : h,
		 rest);
	return buf;
}

const char *guest_path(struct proc *p, uint64_t addr, int follow, char *buf,
		       int64_t *err)
{
	int64_t n = mem_strlen(p->mem, addr, GUEST_PATH_MAX - 1);
	if (n < 0) {
		*err = n;
		return NULL;
	}
	const char *s = (const char *)mem_base(p->mem) + addr;
	const char *rest, *end;
	int fd;

	if (strncmp(s, "/dev/", 5) == 0) {
		const char *d = s + 5;
		if (strcmp(d, "stdin") == 0)
			return fd_path(p, 0, "", buf);
		if (strcmp(d, "stdout") == 0)
			return fd_path(p, 1, "", buf);
		if (strcmp(d, "stderr") == 0)
			return fd_path(p, 2, "", buf);
		if (strncmp(d, "fd/", 3) == 0 &&
		    (fd = parse_fdnum(d + 3, &end)) >= 0)
			return fd_path(p, fd, end, buf);
		return s;
	}
	if (strncmp(s, "/proc/", 6) != 0)
		return s;

	/* /proc/self, /proc/thread-self or /proc/<guest pid>. */
	const char *comp = s + 6;
	const char *self = "/proc/self";
	if (strncmp(comp, "self", 4) == 0 &&
	    (comp[4] == '/' || comp[4] == '\0')) {
		rest = comp + 4;
	} else if (strncmp(comp, "thread-self", 11) == 0 &&
		   (comp[11] == '/' || comp[11] == '\0')) {
		rest = comp + 11;
		self = "/proc/thread-self";
	} else if ((fd = parse_fdnum(comp, &end)) >= 0 && fd == p->pid) {
		rest = end;
	} else {
		return s;
	}

	if (strcmp(rest, "/exe") == 0 && follow == PATH_FOLLOW && p->exe_path)
		return p->exe_path;
	if (strncmp(rest, "/fd/", 4) == 0 &&
	    (fd = parse_fdnum(rest + 4, &end)) >= 0)
		return fd_path(p, fd, end, buf);
	/* "/proc/1000" is a directory, where "/proc/self" is a symlink. */
	snprintf(buf, GUEST_PATH_MAX, "%s%s", self,
		 rest[0] == '\0' && comp[0] >= '0' && comp[0] <= '9' ? "/."
								   : rest);
	return buf;
}

int guest_dirfd(const struct proc *p, uint64_t dirfd, const char *path)
{
	int d = (int)(uint32_t)dirfd;

	if ((path && path[0] == '/') || d == AT_FDCWD)
		return AT_FDCWD;
	return fd_host(p, dirfd);
}

/* guest_dirfd's failure value (AT_FDCWD is negative too). */
static inline int dirfd_bad(int d)
{
	return d < 0 && d != AT_FDCWD;
}

int path_is_self_maps(const char *path)
{
	return strcmp(path, "/proc/self/maps") == 0 ||
	       strcmp(path, "/proc/thread-self/maps") == 0;
}

static int path_is_self_exe(const char *path)
{
	return strcmp(path, "/proc/self/exe") == 0 ||
	       strcmp(path, "/proc/thread-self/exe") == 0;
}

/* ================================================ /proc/self/maps */

/* Append to a growing buffer; returns 0 or -ENOMEM. */
struct strbuf {
	char *s;
	size_t len, cap;
};

static int sb_printf(struct strbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int sb_printf(struct strbuf *b, const char *fmt, ...)
{
	va_list ap;
	for (;;) {
		va_start(ap, fmt);
		int n = vsnprintf(b->s ? b->s + b->len : NULL,
				  b->s ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			return -ENOMEM;
		if (b->s && b->len + (size_t)n < b->cap) {
			b->len += (size_t)n;
			return 0;
		}
		size_t cap = b->cap ? b->cap * 2 : 4096;
		while (cap < b->len + (size_t)n + 1)
			cap *= 2;
		char *s = realloc(b->s, cap);
		if (!s)
			return -ENOMEM;
		b->s = s;
		b->cap = cap;
	}
}

/* A read-only guest fd on a memfd holding text: how the guest sees files
 * whose host version would describe rewind or the host machine. */
static int64_t open_memfd(struct proc *p, const char *name, const char *text,
			  size_t len, int flags)
{
	if ((flags & O_ACCMODE) != O_RDONLY)
		return -EACCES;
	int h = memfd_create(name, MFD_CLOEXEC);
	if (h < 0)
		return -errno;
	size_t off = 0;
	while (off < len) {
		ssize_t w = write(h, text + off, len - off);
		if (w <= 0) {
			close(h);
			return -EIO;
		}
		off += (size_t)w;
	}
	lseek(h, 0, SEEK_SET);
	return fd_install(p, h, !!(flags & O_CLOEXEC), 0);
}

/* Host files replaced by fixed text: the guest has one CPU. */
static const struct {
	const char *path, *text;
} synth_files[] = {
	{ "/sys/devices/system/cpu/online", "0\n" },
	{ "/sys/devices/system/cpu/possible", "0\n" },
	{ "/sys/devices/system/cpu/present", "0\n" },
};

/* The fixed text for path, or NULL. */
static const char *synth_text(const char *path)
{
	for (size_t i = 0; i < sizeof(synth_files) / sizeof(synth_files[0]);
	     i++)
		if (strcmp(path, synth_files[i].path) == 0)
			return synth_files[i].text;
	return NULL;
}

/*
 * The guest's /proc/self/maps, built from the mapping table in Linux's
 * format (fs/proc/task_mmu.c: show_map_vma): the name is padded to column
 * 73, and a line without a name ends in "inode ".
 */
static int64_t open_self_maps(struct proc *p, int flags)
{
	if ((flags & O_ACCMODE) != O_RDONLY)
		return -EACCES;
	struct strbuf b = { 0 };
	size_t n = mem_region_count(p->mem);
	struct stat exe;
	int have_exe = p->exe_path && stat(p->exe_path, &exe) == 0;
	int r = 0;
	for (size_t i = 0; i < n && r == 0; i++) {
		const struct mem_region *m = mem_region_at(p->mem, i);
		int len0 = (int)b.len;
		r = sb_printf(&b,
			      "%08llx-%08llx %c%c%c%c %08llx %02x:%02x %llu ",
			      (unsigned long long)m->start,
			      (unsigned long long)m->end,
			      m->prot & PROT_READ ? 'r' : '-',
			      m->prot & PROT_WRITE ? 'w' : '-',
			      m->prot & PROT_EXEC ? 'x' : '-',
			      m->flags & MAP_SHARED ? 's' : 'p',
			      (unsigned long long)m->offset,
			      major((dev_t)m->dev), minor((dev_t)m->dev),
			      (unsigned long long)m->ino);
		const char *name = m->name;
		int namelen = (int)strnlen(m->name, sizeof(m->name));
		if (have_exe && m->ino && m->ino == exe.st_ino &&
		    m->dev == exe.st_dev) {
			name = p->exe_path;	/* the full path, as Linux */
			namelen = (int)strlen(name);
		}
		if (r == 0 && namelen) {
			int col = (int)b.len - len0;
			r = sb_printf(&b, "%*s%.*s", col < 73 ? 73 - col : 0,
				      "", namelen, name);
		}
		if (r == 0)
			r = sb_printf(&b, "\n");
	}
	if (r < 0) {
		free(b.s);
		return r;
	}
	int64_t g = open_memfd(p, "maps", b.s, b.len, flags);
	free(b.s);
	return g;
}

/* ======================================================== read/write */

SYS(read)
{
	int h = fd_host(p, a[0]);
	if (h < 0)
		return h;
	uint64_t len = a[2];
	int64_t err;
	void *b = guest_buf_prefix(p, a[1], &len, PROT_WRITE, &err);
	if (!b)
		return err;
	int64_t r = host_rc(syscall(SYS_read, h, b, len));
	if (r > 0)
		sys_wrote(p, a[1], (uint64_t)r);
	return r;
}

SYS(write)
{
	int h = fd_host(p, a[0]);
	if (h < 0)
		return h;
	uint64_t len = a[2];
	int64_t err;
	void *b = guest_buf_prefix(p, a[1], &len, PROT_READ, &err);
	if (!b)
		return err;
	return host_rc(syscall(SYS_write, h, b, len));
}

SYS(pread64)
{
	int h = fd_host(p, a[0]);
	if (h < 0)
		return h;
	uint64_t len = a[2];
	int64_t err;
	void *b = guest_buf_prefix(p, a[1], &len, PROT_WRITE, &err);
	if (!b)
		return err;
	int64_t r = host_rc(syscall(SYS_pread64, h, b, len, a[3]));
	if (r > 0)
		sys_wrote(p, a[1], (uint64_t)r);
	return r;
}

SYS(pwrite64)
{
	int h = fd_host(p, a[0]);
	if (h < 0)
		return h;
	uint64_t len = a[2];
	int64_t err;
	void *b = guest_buf_prefix(p, a[1], &len, PROT_READ, &err);
	if (!b)
		return err;
	return host_rc(syscall(SYS_pwrite64, h, b, len, a[3]));
}

/*
 * Translate a guest iovec array.  As in Linux, buffers are transferred in
 * order until the first inaccessible byte: the vector is cut there, and
 * only a fault before any byte is -EFAULT.
 */
int64_t iov_import(struct proc *p, uint64_t uiov, uint64_t cnt, int prot,
		   struct iov_set *v)
{
	uint64_t giov[2 * GUEST_IOV_MAX];
	uint64_t total = 0;
	int64_t err = 0;

	v->n = 0;
	if (cnt > GUEST_IOV_MAX)
		return -EINVAL;
	if (guest_get(p, giov, uiov, cnt * 16) < 0)
		return -EFAULT;
	for (uint64_t i = 0; i < cnt; i++) {
		if ((int64_t)giov[2 * i + 1] < 0)
			return -EINVAL;
		total += giov[2 * i + 1];
		if ((int64_t)total < 0)
			return -EINVAL;
	}
	for (uint64_t i = 0; i < cnt; i++) {
		uint64_t addr = giov[2 * i], len = giov[2 * i + 1];
		void *b = guest_buf_prefix(p, addr, &len, prot, &err);
		if (!b) {
			if (v->n == 0 || total == 0)
				return -EFAULT;
			break;
		}
		v->host[v->n].iov_base = b;
		v->host[v->n].iov_len = len;
		v->guest[v->n] = addr;
		v->n++;
		if (len < giov[2 * i + 1])
			break;
	}
	return 0;
}

void iov_wrote(struct proc *p, const struct iov_set *v, int64_t r)
{
	for (int i = 0; i < v->n && r > 0; i++) {
		uint64_t n = v->host[i].iov_len;
		if (n > (uint64_t)r)
			n = (uint64_t)r;
		sys_wrote(p, v->guest[i], n);
		r -= (int64_t)n;
	}
}

/* The common body of readv/writev/preadv/pwritev/preadv2/pwritev2. */
static int64_t do_rw_vec(struct proc *p, long nr, int writing,
			 const uint64_t a[6])
{
	int h = fd_host(p, a[0]);
	if (h < 0)
		return h;
	struct iov_set *v = malloc(sizeof(*v));
	if (!v)
		return -ENOMEM;
	int64_t r = iov_import(p, a[1], a[2], writing ? PROT_READ : PROT_WRITE,
			       v);
	if (r == 0) {
		r = host_rc(syscall(nr, h, v->host, v->n, a[3], a[4], a[5]));
		if (!writing && r > 0)
			iov_wrote(p, v, r);
	}
	free(v);
	return r;
}

SYS(readv)    { return do_rw_vec(p, SYS_readv, 0, a); }
SYS(writev)   { return do_rw_vec(p, SYS_writev, 1, a); }
SYS(preadv)   { return do_rw_vec(p, SYS_preadv, 0, a); }
SYS(pwritev)  { return do_rw_vec(p, SYS_pwritev, 1, a); }
SYS(preadv2)  { return do_rw_vec(p, SYS_preadv2, 0, a); }
SYS(pwritev2) { return do_rw_vec(p, SYS_pwritev2, 1, a); }

/* ============================================================== open */

static int64_t do_open(struct proc *p, uint64_t dirfd, uint64_t upath,
		       int flags, int mode)
{
	char buf[GUEST_PATH_MAX];
	int64_t err;
	const char *path = guest_path(p, upath,
				      flags & O_NOFOLLOW ? PATH_NOFOLLOW
							 : PATH_FOLLOW,
				      buf, &err);
	if (!path)
		return err;
	int d = guest_dirfd(p, dirfd, path);
	if (dirfd_bad(d))
		return d;
	if (path_is_self_maps(path))
		return open_self_maps(p, flags);
	const char *text = synth_text(path);
	if (text)
		return open_memfd(p, "synth", text, strlen(text), flags);
	long h = syscall(SYS_openat, d, path, flags | O_CLOEXEC, mode);
	if (h < 0)
		return -errno;
	return fd_install(p, (int)h, !!(flags & O_CLOEXEC), 0);
}

SYS(open)   { return do_open(p, CWD, a[0], (int)a[1], (int)a[2]); }
SYS(openat) { return do_open(p, a[0], a[1], (int)a[2], (int)a[3]); }
SYS(creat)
{
	return do_open(p, (uint64_t)AT_FDCWD, a[0],
		       O_CREAT | O_WRONLY | O_TRUNC, (int)a[1]);
}

SYS(openat2)
{
	uint8_t how[4096];
	uint64_t size = a[3];
	char buf[GUEST_PATH_MAX];
	int64_t err;

	if (size < 24)
		return -EINVAL;
	if (size > sizeof(how))
		return -E2BIG;
	if (guest_get(p, how, a[2], size) < 0)
		return -EFAULT;
	uint64_t flags;
	memcpy(&flags, how, 8);
	const char *path = guest_path(p, a[1],
				      flags & O_NOFOLLOW ? PATH_NOFOLLOW
							 : PATH_FOLLOW,
				      buf, &err);
	if (!path)
		return err;
	int d = guest_dirfd(p, a[0], path);
	if (dirfd_bad(d))
		return d;
	if (path_is_self_maps(path))
		return open_self_maps(p, (int)flags);
	const char *text = synth_text(path);
	if (text)
		return open_memfd(p, "synth", text, strlen(text), (int)flags);
	uint64_t hflags = flags | O_CLOEXEC;
	memcpy(how, &hflags, 8);
	long h = syscall(SYS_openat2, d, path, how, size);
	if (h < 0)
		return -errno;
	return fd_install(p, (int)h, !!(flags & O_CLOEXEC), 0);
}

SYS(close)
{
	return fd_close(p, (int)(uint32_t)a[0]);
}

SYS(close_range)
{
	uint32_t first = (uint32_t)a[0], last = (uint32_t)a[1];
	uint64_t flags = a[2];

	if (flags & ~(uint64_t)(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC))
		return -EINVAL;
	if (first > last)
		return -EINVAL;
	for (uint32_t g = first; g <= last && g < GUEST_MAX_FDS; g++) {
		if (p->fds[g].host < 0)
			continue;
		if (flags & CLOSE_RANGE_CLOEXEC)
			p->fds[g].cloexec = 1;
		else
			fd_close(p, (int)g);
	}
	return 0;
}

SYS(lseek)
{
	int h = fd_host(p, a[0]);
	if (h < 0)
		return h;
	return host_rc(syscall(SYS_lseek, h, a[1], a[2]));
}

/* ============================================================== stat */

/* fstatat-style stat of (dirfd, path) with a local result copied out. */
static int64_t do_stat(struct proc *p, uint64_t dirfd, uint64_t upath,
		       uint64_t ubuf, int flags)
{
	char buf[GUEST_PATH_MAX];
	uint8_t st[KSTAT_SIZE];
	int64_t err;
	const char *path;

	if (upath == 0 && (flags & AT_EMPTY_PATH))
		path = "";
	else if (!(path = guest_path(p, upath,
				     flags & AT_SYMLINK_NOFOLLOW
					     ? PATH_NOFOLLOW : PATH_FOLLOW,
				     buf, &err)))
		return err;
	int d = guest_dirfd(p, dirfd, path);
	if (dirfd_bad(d))
		return d;
	long r = syscall(SYS_newfstatat, d, path, st, flags);
	if (r < 0)
		return -errno;
	return guest_put(p, ubuf, st, sizeof(st));
}

SYS(stat)  { return do_stat(p, (uint64_t)AT_FDCWD, a[0], a[1], 0); }
SYS(lstat)
{
	return do_stat(p, (uint64_t)AT_FDCWD, a[0], a[1], AT_SYMLINK_NOFOLLOW);
}
SYS(newfstatat) { return do_stat(p, a[0], a[1], a[2], (int)a[3]); }

SYS(fstat)
{
	uint8_t st[KSTAT_SIZE];
	int h = fd_host(p, a[0]);
	if (h < 0)
		return h;
	if (syscall(SYS_fstat, h, st) < 0)
		return -errno;
	return guest_put(p, a[1], st, sizeof(st));
}

SYS(statx)
{
	char buf[GUEST_PATH_MAX];
	uint8_t stx[KSTATX_SIZE];
	int flags = (int)a[2];
	int64_t err;
	const char *path;

	if (a[1] == 0 && (flags & AT_EMPTY_PATH))
		path = "";
	else if (!(path = guest_path(p, a[1],
				     flags & AT_SYMLINK_NOFOLLOW
					     ? PATH_NOFOLLOW : PATH_FOLLOW,
				     buf, &err)))
		return err;
	int d = guest_dirfd(p, a[0], path);
	if (dirfd_bad(d))
		return d;
	if (syscall(SYS_statx, d, path, flags, (unsigned)a[3], stx) < 0)
		return -errno;
	return guest_put(p, a[4], stx, sizeof(stx));
}

SYS(statfs)
{
	char buf[GUEST_PATH_MAX];
	uint8_t st[KSTATFS_SIZE];
	int64_t err;
	const char *path = guest_path(p, a[0], PATH_FOLLOW, buf, &err);
	if (!path)
		return err;
	if (syscall(SYS_statfs, path, st) < 0)
		return -errno;
	return guest_put(p, a[1], st, sizeof(st));
}

SYS(fstatfs)
{
	uint8_t st[KSTATFS_SIZE];
	int h = fd_host(p, a[0]);
	if (h < 0)
		return h;
	if (syscall(SYS_fstatfs, h, st) < 0)
		return -errno;
	return guest_put(p, a[1], st, sizeof(st));
}

/* ====================================================== path-only ops */

/*
 * One-path operations relative to a dirfd: resolve the guest path, the
 * host dirfd, then run the host syscall nr with (dirfd, path, x, y).
 */
static int64_t path_at_op(struct proc *p, long nr, uint64_t dirfd,
			  uint64_t upath, int follow, uint64_t x, uint64_t y)
{
	char buf[GUEST_PATH_MAX];
	int64_t err;
	const char *path = guest_path(p, upath, follow, buf, &err);
	if (!path)
		return err;
	int d = guest_dirfd(p, dirfd, path);
	if (dirfd_bad(d))
		return d;
	return host_rc(syscall(nr, d, path, x, y));
}

SYS(access)
{
	return path_at_op(p, SYS_faccessat, CWD, a[0], PATH_FOLLOW, a[1], 0);
}
SYS(faccessat)
{
	return path_at_op(p, SYS_faccessat, a[0], a[1], PATH_FOLLOW, a[2], 0);
}
SYS(faccessat2)
{
	return path_at_op(p, SYS_faccessat2, a[0], a[1],
			  a[3] & AT_SYMLINK_NOFOLLOW ? PATH_NOFOLLOW
						     : PATH_FOLLOW,
			  a[2], a[3]);
}
SYS(mkdir)
{
	return path_at_op(p, SYS_mkdirat, CWD, a[0], PATH_NOFOLLOW, a[1], 0);
}
SYS(mkdirat)
{
	return path_at_op(p, SYS_mkdirat, a[0], a[1], PATH_NOFOLLOW, a[2], 0);
}
SYS(mknod)
{
	return path_at_op(p, SYS_mknodat, CWD, a[0], PATH_NOFOLLOW, a[1], a[2]);
}
SYS(mknodat)
{
	return path_at_op(p, SYS_mknodat, a[0], a[1], PATH_NOFOLLOW, a[2],
			  a[3]);
}
SYS(rmdir)
{
	return path_at_op(p, SYS_unlinkat, CWD, a[0], PATH_NOFOLLOW,
			  AT_REMOVEDIR, 0);
}
SYS(unlink)
{
	return path_at_op(p, SYS_unlinkat, CWD, a[0], PATH_NOFOLLOW, 0, 0);
}
SYS(unlinkat)
{
	return path_at_op(p, SYS_unlinkat, a[0], a[1], PATH_NOFOLLOW, a[2], 0);
}
SYS(chmod)
{
	return path_at_op(p, SYS_fchmodat, CWD, a[0], PATH_FOLLOW, a[1], 0);
}
SYS(fchmodat)
{
	return path_at_op(p, SYS_fchmodat, a[0], a[1], PATH_FOLLOW, a[2], 0);
}
SYS(fchmodat2)
{
	return path_at_op(p, SYS_fchmodat2, a[0], a[1],
			  a[3] & AT_SYMLINK_NOFOLLOW ? PATH_NOFOLLOW
						     : PATH_FOLLOW,
			  a[2], a[3]);
}

/* chown family: fchownat(dirfd, path, uid, gid, flags). */
static int64_t do_chown(struct proc *p, uint64_t dirfd, uint64_t upath,
			uint64_t uid, uint64_t gid, int flags)
{
	char buf[GUEST_PATH_MAX];
	int64_t err;
	const char *path;

	if (upath == 0 && (flags & AT_EMPTY_PATH))
		path = "";
	else if (!(path = guest_path(p, upath,
				     flags & AT_SYMLINK_NOFOLLOW
					     ? PATH_NOFOLLOW : PATH_FOLLOW,
				     buf, &err)))
		return err;
	int d = guest_dirfd(p, dirfd, path);
	if (dirfd_bad(d))
		return d;
	return host_rc(syscall(SYS_fchownat, d, path, uid, gid, flags));
}

SYS(chown)  { return do_chown(p, CWD, a[0], a[1], a[2], 0); }
SYS(lchown) { return do_chown(p, CWD, a[0], a[1], a[2], AT_SYMLINK_NOFOLLOW); }
SYS(fchownat) { return do_chown(p, a[0], a[1], a[2], a[3], (int)a[4]); }

SYS(fchown)
{
	int h = fd_host(p, a[0]);
	if (h < 0)
		return h;
	return host_rc(syscall(SYS_fchown, h, a[1], a[2]));
}

SYS(fchmod)
{
	int h = fd_host(p, a[0]);
	if (h < 0)
		return h;
	return host_rc(syscall(SYS_fchmod, h, a[1]));
}

SYS(truncate)
{
	char buf[GUEST_PATH_MAX];
	int64_t err;
	const char *path = guest_path(p, a[0], PATH_FOLLOW, buf, &err);
	if (!path)
		return err;
	return host_rc(syscall(SYS_truncate, path, a[1]));
}

SYS(chdir)
{
	char buf[GUEST_PATH_MAX];
	int64_t err;
	const char *path = guest_path(p, a[0], PATH_FOLLOW, buf, &err);
	if (!path)
		return err;
	return host_rc(syscall(SYS_chdir, path));
}

SYS(fchdir)
{
	int h = fd_host(p, a[0]);
	if (h < 0)
		return h;
	return host_rc(syscall(SYS_fchdir, h));
}

SYS(getcwd)
{
	char buf[GUEST_PATH_MAX];
	long r = syscall(SYS_getcwd, buf, sizeof(buf));
	if (r < 0)
		return -errno;
	if ((uint64_t)r > a[1])
		return -ERANGE;
	int e = guest_put(p, a[0], buf, (uint64_t)r);
	return e < 0 ? e : r;
}

/* =================================================== two-path ops */

/* renameat2/linkat: (olddirfd, oldpath, newdirfd, newpath, flags). */
static int64_t two_path_op(struct proc *p, long nr, uint64_t odir,
			   uint64_t uold, uint64_t ndir, uint64_t unew,
			   int follow_old, uint64_t flags)
{
	char b1[GUEST_PATH_MAX], b2[GUEST_PATH_MAX];
	int64_t err;
	const char *o, *n;

	if (uold == 0 && nr == SYS_linkat && (flags & AT_EMPTY_PATH))
		o = "";
	else if (!(o = guest_path(p, uold, follow_old, b1, &err)))
		return err;
	if (!(n = guest_path(p, unew, PATH_NOFOLLOW, b2, &err)))
		return err;
	int od = guest_dirfd(p, odir, o);
	if (dirfd_bad(od))
		return od;
	int nd = guest_dirfd(p, ndir, n);
	if (dirfd_bad(nd))
		return nd;
	return host_rc(syscall(nr, od, o, nd, n, flags));
}

SYS(rename)
{
	return two_path_op(p, SYS_renameat2, CWD, a[0], CWD, a[1],
			   PATH_NOFOLLOW, 0);
}
SYS(renameat)
{
	return two_path_op(p, SYS_renameat2, a[0], a[1], a[2], a[3],
			   PATH_NOFOLLOW, 0);
}
SYS(renameat2)
{
	return two_path_op(p, SYS_renameat2, a[0], a[1], a[2], a[3],
			   PATH_NOFOLLOW, a[4]);
}
SYS(link)
{
	return two_path_op(p, SYS_linkat, CWD, a[0], CWD, a[1],
			   PATH_NOFOLLOW, 0);
}
SYS(linkat)
{
	return two_path_op(p, SYS_linkat, a[0], a[1], a[2], a[3],
			   a[4] & AT_SYMLINK_FOLLOW ? PATH_FOLLOW
						    : PATH_NOFOLLOW,
			   a[4]);
}

/* symlinkat(target, newdirfd, linkpath): the target is stored as text and
 * never translated. */
static int64_t do_symlink(struct proc *p, uint64_t utarget, uint64_t ndir,
			  uint64_t ulink)
{
	char buf[GUEST_PATH_MAX];
	int64_t err;
	int64_t n = mem_strlen(p->mem, utarget, GUEST_PATH_MAX - 1);
	if (n < 0)
		return n;
	const char *target = (const char *)mem_base(p->mem) + utarget;
	const char *lp = guest_path(p, ulink, PATH_NOFOLLOW, buf, &err);
	if (!lp)
		return err;
	int d = guest_dirfd(p, ndir, lp);
	if (dirfd_bad(d))
		return d;
	return host_rc(syscall(SYS_symlinkat, target, d, lp));
}

SYS(symlink)   { return do_symlink(p, a[0], CWD, a[1]); }
SYS(symlinkat) { return do_symlink(p, a[0], a[1], a[2]); }

static int64_t do_readlink(struct proc *p, struct cpu *c, uint64_t dirfd,
			   uint64_t upath, uint64_t ubuf, uint64_t size)
{
	char pbuf[GUEST_PATH_MAX], out[GUEST_PATH_MAX];
	int64_t err;
	long r;

	if ((int)size <= 0)
		return -EINVAL;
	const char *path = guest_path(p, upath, PATH_NOFOLLOW, pbuf, &err);
	if (!path)
		return err;
	int d = guest_dirfd(p, dirfd, path);
	if (dirfd_bad(d))
		return d;
	if (path_is_self_exe(path) && p->exe_path) {
		/* The guest's executable, not rewind's. */
		r = (long)strlen(p->exe_path);
		if (r > (long)sizeof(out))
			r = sizeof(out);
		memcpy(out, p->exe_path, (size_t)r);
	} else if (strcmp(path, "/proc/self") == 0) {
		/* The guest's pid, not the host's. */
		r = snprintf(out, sizeof(out), "%d", p->pid);
	} else if (strcmp(path, "/proc/thread-self") == 0) {
		r = snprintf(out, sizeof(out), "%d/task/%d", p->pid, c->tid);
	} else {
		r = syscall(SYS_readlinkat, d, path, out, sizeof(out));
		if (r < 0)
			return -errno;
	}
	if ((uint64_t)r > (uint32_t)size)
		r = (long)(uint32_t)size;
	int e = guest_put(p, ubuf, out, (uint64_t)r);
	return e < 0 ? e : r;
}

SYS(readlink)   { return do_readlink(p, c, CWD, a[0], a[1], a[2]); }
SYS(readlinkat) { return do_readlink(p, c, a[0], a[1], a[2], a[3]); }

/* ========================================================= directories */

/* 1 when host fd h is a directory listing of rewind's own fds
 * (/proc/self/fd or /proc/thread-self/fd opened by the guest). */
static int is_fd_dir(int h)
{
	char lnk[64], target[64], want[64];
	snprintf(lnk, sizeof(lnk), "/proc/self/fd/%d", h);
	ssize_t n = readlink(lnk, target, sizeof(target) - 1);
	if (n <= 0)
		return 0;
	target[n] = 0;
	snprintf(want, sizeof(want), "/proc/%d/fd", (int)getpid());
	if (strcmp(target, want) == 0)
		return 1;
	snprintf(want, sizeof(want), "/proc/%d/task/%d/fd", (int)getpid(),
		 (int)gettid());
	return strcmp(target, want) == 0;
}

/*
 * getdents on /proc/self/fd: the host lists rewind's fds by host number.
 * Keep only the guest's, renamed to their guest numbers.  Names of up to
 * four digits all take a 24-byte record, and guest fds have at most four,
 * so the result never outgrows what the host returned.
 */
static int64_t fd_dir_rewrite(struct proc *p, int is64, uint8_t *buf,
			      int64_t n)
{
	int64_t in = 0, out = 0;
	size_t name_off = is64 ? 19 : 18;	/* d_name in each layout */

	while (in < n) {
		uint16_t reclen;
		memcpy(&reclen, buf + in + 16, 2);
		if (reclen == 0 || in + reclen > n)
			break;
		const char *name = (const char *)buf + in + name_off;
		const char *end;
		int hfd = parse_fdnum(name, &end);
		int g = hfd >= 0 && *end == 0 ? fd_guest_of_host(p, hfd) : -2;
		if (g == -1) {		/* one of rewind's own */
			in += reclen;
			continue;
		}
		uint8_t rec[280];
		if (reclen > sizeof(rec))
			break;
		memcpy(rec, buf + in, reclen);
		uint16_t newlen = reclen;
		if (g >= 0) {
			/* ino, off, reclen, [type], name (+ type last for
			 * the old layout). */
			char gname[8];
			int len = snprintf(gname, sizeof(gname), "%d", g);
			newlen = (uint16_t)((name_off + (size_t)len + 2 + 7) &
					    ~(size_t)7);
			uint8_t type = is64 ? rec[18] : rec[reclen - 1];
			memset(rec + name_off, 0, newlen - name_off);
			memcpy(rec + name_off, gname, (size_t)len);
			if (!is64)
				rec[newlen - 1] = type;
			memcpy(rec + 16, &newlen, 2);
		}
		if (out + newlen > in + reclen)
			break;		/* cannot happen, see above */
		memmove(buf + out, rec, newlen);
		out += newlen;
		in += reclen;
	}
	return out;
}

static int64_t do_getdents(struct proc *p, long nr, const uint64_t a[6])
{
	int h = fd_host(p, a[0]);
	if (h < 0)
		return h;
	uint64_t len = (uint32_t)a[2];
	int64_t err;
	uint8_t *b = guest_buf_prefix(p, a[1], &len, PROT_WRITE, &err);
	if (!b)
		return err;
	int64_t r = host_rc(syscall(nr, h, b, len));
	if (r > 0 && is_fd_dir(h)) {
		/* An empty result would read as the end of the listing:
		 * go on until something of the guest's is left. */
		while (r > 0 && (r = fd_dir_rewrite(p, nr == SYS_getdents64,
						    b, r)) == 0)
			r = host_rc(syscall(nr, h, b, len));
	}
	if (r > 0)
		sys_wrote(p, a[1], (uint64_t)r);
	return r;
}

SYS(getdents)   { return do_getdents(p, SYS_getdents, a); }
SYS(getdents64) { return do_getdents(p, SYS_getdents64, a); }

/* ================================================================ dup */

SYS(dup)
{
	int h = fd_host(p, a[0]);
	if (h < 0)
		return h;
	int h2 = host_dup(h);
	if (h2 < 0)
		return h2;
	return fd_install(p, h2, 0, 0);
}

/* Make guest fd newfd a duplicate of guest fd oldfd (which differ). */
static int64_t dup_onto(struct proc *p, uint64_t oldfd, uint64_t newfd,
			int cloexec)
{
	int g = (int)(uint32_t)newfd;
	int h = fd_host(p, oldfd);
	if (h < 0)
		return h;
	if (g < 0 || g >= fd_limit(p))
		return -EBADF;
	int h2 = host_dup(h);
	if (h2 < 0)
		return h2;
	if (p->fds[g].host >= 0)
		fd_close(p, g);		/* silently, like dup2 */
	p->fds[g].host = h2;
	p->fds[g].cloexec = cloexec;
	return g;
}

SYS(dup2)
{
	if ((uint32_t)a[0] == (uint32_t)a[1]) {
		int h = fd_host(p, a[0]);
		return h < 0 ? h : (int64_t)(uint32_t)a[1];
	}
	return dup_onto(p, a[0], a[1], 0);
}

SYS(dup3)
{
	if (a[2] & ~(uint64_t)O_CLOEXEC)
		return -EINVAL;
	if ((uint32_t)a[0] == (uint32_t)a[1])
		return -EINVAL;
	if ((int)(uint32_t)a[1] >= fd_limit(p))
		return -EBADF;
	return dup_onto(p, a[0], a[1], !!(a[2] & O_CLOEXEC));
}

static int64_t do_pipe2(struct proc *p, uint64_t ufds, int flags)
{
	int hf[2];
	if (syscall(SYS_pipe2, hf, flags | O_CLOEXEC) < 0)
		return -errno;
	int cloexec = !!(flags & O_CLOEXEC);
	int g0 = fd_install(p, hf[0], cloexec, 0);
	if (g0 < 0) {
		close(hf[1]);
		return g0;
	}
	int g1 = fd_install(p, hf[1], cloexec, 0);
	if (g1 < 0) {
		fd_close(p, g0);
		return g1;
	}
	int gf[2] = { g0, g1 };
	if (guest_put(p, ufds, gf, sizeof(gf)) < 0) {
		fd_close(p, g0);
		fd_close(p, g1);
		return -EFAULT;
	}
	return 0;
}

SYS(pipe)  { return do_pipe2(p, a[0], 0); }
SYS(pipe2) { return do_pipe2(p, a[0], (int)a[1]); }

/* ============================================================== fcntl */

SYS(fcntl)
{
	int g = (int)(uint32_t)a[0];
	int cmd = (int)a[1];
	int h = fd_host(p, a[0]);
	uint8_t fl[KFLOCK_SIZE];
	long r;

	if (h < 0)
		return h;
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC: {
		if (a[2] >= (uint64_t)fd_limit(p))
			return -EINVAL;
		int h2 = host_dup(h);
		if (h2 < 0)
			return h2;
		return fd_install(p, h2, cmd == F_DUPFD_CLOEXEC, (int)a[2]);
	}
	case F_GETFD:
		return p->fds[g].cloexec ? FD_CLOEXEC : 0;
	case F_SETFD:
		p->fds[g].cloexec = !!(a[2] & FD_CLOEXEC);
		return 0;
	case F_GETFL:
	case F_SETFL:
	case F_GETPIPE_SZ:
	case F_SETPIPE_SZ:
	case F_ADD_SEALS:
	case F_GET_SEALS:
	case F_GETLEASE:
		return host_rc(syscall(SYS_fcntl, h, cmd, a[2]));
	case F_GETLK:
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_GETLK:
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
		if (guest_get(p, fl, a[2], sizeof(fl)) < 0)
			return -EFAULT;
		r = syscall(SYS_fcntl, h, cmd, fl);
		if (r < 0)
			return -errno;
		if (cmd == F_GETLK || cmd == F_OFD_GETLK)
			return guest_put(p, a[2], fl, sizeof(fl));
		return r;
	case F_GETOWN:
	case F_GETSIG:
		return 0;
	default:
		/* F_SETOWN, F_SETSIG, F_SETLEASE, F_NOTIFY would make the
		 * host send signals to rewind itself. */
		sys_log_once(p, "fcntl", "rewind: unsupported fcntl command %d",
			     cmd);
		return -EINVAL;
	}
}

/* ============================================================== ioctl */

enum { IO_NONE, IO_IN, IO_OUT };

struct ioctl_desc {
	uint32_t req;
	uint8_t dir;
	uint8_t size;
};

/* The ioctls passed through, with the size of their argument. */
static const struct ioctl_desc ioctl_table[] = {
	{ 0x5401, IO_OUT, KTERMIOS_SIZE },	/* TCGETS */
	{ 0x5402, IO_IN, KTERMIOS_SIZE },	/* TCSETS */
	{ 0x5403, IO_IN, KTERMIOS_SIZE },	/* TCSETSW */
	{ 0x5404, IO_IN, KTERMIOS_SIZE },	/* TCSETSF */
	{ 0x5409, IO_NONE, 0 },			/* TCSBRK */
	{ 0x540A, IO_NONE, 0 },			/* TCXONC */
	{ 0x540B, IO_NONE, 0 },			/* TCFLSH */
	{ 0x5411, IO_OUT, 4 },			/* TIOCOUTQ */
	{ 0x5413, IO_OUT, 8 },			/* TIOCGWINSZ */
	{ 0x5414, IO_IN, 8 },			/* TIOCSWINSZ */
	{ 0x541B, IO_OUT, 4 },			/* FIONREAD */
	{ 0x5421, IO_IN, 4 },			/* FIONBIO */
	{ 0x802c542a, IO_OUT, KTERMIOS2_SIZE },	/* TCGETS2 */
	{ 0x402c542b, IO_IN, KTERMIOS2_SIZE },	/* TCSETS2 */
	{ 0x402c542c, IO_IN, KTERMIOS2_SIZE },	/* TCSETSW2 */
	{ 0x402c542d, IO_IN, KTERMIOS2_SIZE },	/* TCSETSF2 */
};

#define TIOCGPGRP_NR 0x540F
#define TIOCSPGRP_NR 0x5410
#define TIOCGSID_NR  0x5429
#define FIONCLEX_NR  0x5450
#define FIOCLEX_NR   0x5451

SYS(ioctl)
{
	int h = fd_host(p, a[0]);
	uint32_t req = (uint32_t)a[1];
	uint8_t arg[64];
	int v;

	if (h < 0)
		return h;
	switch (req) {
	case FIOCLEX_NR:
	case FIONCLEX_NR:
		p->fds[(uint32_t)a[0]].cloexec = req == FIOCLEX_NR;
		return 0;
	case TIOCGPGRP_NR:
	case TIOCGSID_NR:
		/* The host's process group is an outside fact: the guest
		 * sees its own pid when rewind's group owns the terminal. */
		if (syscall(SYS_ioctl, h, req, &v) < 0)
			return -errno;
		v = v == getpgrp() ? p->pid : p->pid + 1;
		return guest_put(p, a[2], &v, sizeof(v));
	case TIOCSPGRP_NR:
		if (guest_get(p, &v, a[2], sizeof(v)) < 0)
			return -EFAULT;
		if (v != p->pid)
			return -EPERM;
		v = getpgrp();
		return host_rc(syscall(SYS_ioctl, h, req, &v));
	}
	for (size_t i = 0; i < sizeof(ioctl_table) / sizeof(ioctl_table[0]);
	     i++) {
		const struct ioctl_desc *d = &ioctl_table[i];
		if (d->req != req)
			continue;
		if (d->dir == IO_NONE)
			return host_rc(syscall(SYS_ioctl, h, req, a[2]));
		if (d->dir == IO_IN) {
			if (guest_get(p, arg, a[2], d->size) < 0)
				return -EFAULT;
			return host_rc(syscall(SYS_ioctl, h, req, arg));
		}
		long r = syscall(SYS_ioctl, h, req, arg);
		if (r < 0)
			return -errno;
		int e = guest_put(p, a[2], arg, d->size);
		return e < 0 ? e : r;
	}
	if (p->verbose) {
		char key[32];
		snprintf(key, sizeof(key), "ioctl %#x", req);
		sys_log_once(p, key, "rewind: unsupported ioctl %#x", req);
	}
	return -ENOTTY;
}

/* ================================================= simple fd-only ops */

/* Run host syscall nr on the host fd of a[0], other args unchanged. */
static int64_t fd_op(struct proc *p, long nr, const uint64_t a[6])
{
	int h = fd_host(p, a[0]);
	if (h < 0)
		return h;
	return host_rc(syscall(nr, h, a[1], a[2], a[3], a[4], a[5]));
}

SYS(flock)      { return fd_op(p, SYS_flock, a); }
SYS(fsync)      { return fd_op(p, SYS_fsync, a); }
SYS(fdatasync)  { return fd_op(p, SYS_fdatasync, a); }
SYS(syncfs)     { return fd_op(p, SYS_syncfs, a); }
SYS(ftruncate)  { return fd_op(p, SYS_ftruncate, a); }
SYS(fallocate)  { return fd_op(p, SYS_fallocate, a); }
SYS(fadvise64)  { return fd_op(p, SYS_fadvise64, a); }
SYS(readahead)  { return fd_op(p, SYS_readahead, a); }

SYS(sync)
{
	sync();
	return 0;
}

SYS(umask)
{
	uint32_t old = (uint32_t)umask((mode_t)(a[0] & 0777));
	p->umask = (uint32_t)(a[0] & 0777);
	return old;
}

/* ============================================================= times */

/* utimensat(dirfd, path or NULL, times[2] or NULL, flags). */
SYS(utimensat)
{
	char buf[GUEST_PATH_MAX];
	uint8_t ts[32];
	int64_t err;
	const char *path = NULL;
	int flags = (int)a[3];

	if (a[1] && !(path = guest_path(p, a[1],
					flags & AT_SYMLINK_NOFOLLOW
						? PATH_NOFOLLOW : PATH_FOLLOW,
					buf, &err)))
		return err;
	if (a[2] && guest_get(p, ts, a[2], sizeof(ts)) < 0)
		return -EFAULT;
	int d = guest_dirfd(p, a[0], path);
	if (dirfd_bad(d))
		return d;
	return host_rc(syscall(SYS_utimensat, d, path, a[2] ? ts : NULL,
			       flags));
}

static int64_t do_futimesat(struct proc *p, uint64_t dirfd, uint64_t upath,
			    uint64_t utv)
{
	char buf[GUEST_PATH_MAX];
	uint8_t tv[32];
	int64_t err;
	const char *path = NULL;

	if (upath && !(path = guest_path(p, upath, PATH_FOLLOW, buf, &err)))
		return err;
	if (utv && guest_get(p, tv, utv, sizeof(tv)) < 0)
		return -EFAULT;
	int d = guest_dirfd(p, dirfd, path);
	if (dirfd_bad(d))
		return d;
	return host_rc(syscall(SYS_futimesat, d, path, utv ? tv : NULL));
}

SYS(futimesat) { return do_futimesat(p, a[0], a[1], a[2]); }
SYS(utimes)    { return do_futimesat(p, CWD, a[0], a[1]); }

SYS(utime)
{
	char buf[GUEST_PATH_MAX];
	uint8_t ut[16];
	int64_t err;
	const char *path = guest_path(p, a[0], PATH_FOLLOW, buf, &err);
	if (!path)
		return err;
	if (a[1] && guest_get(p, ut, a[1], sizeof(ut)) < 0)
		return -EFAULT;
	return host_rc(syscall(SYS_utime, path, a[1] ? ut : NULL));
}

/* ============================================================ xattrs */

/* getxattr/lgetxattr(path, name, value, size) and listxattr/llistxattr
 * (path, list, size). */
static int64_t xattr_path_op(struct proc *p, long nr, int follow,
			     const uint64_t a[6], int has_name)
{
	char buf[GUEST_PATH_MAX];
	int64_t err;
	const char *name = NULL;
	const char *path = guest_path(p, a[0], follow, buf, &err);
	if (!path)
		return err;
	if (has_name) {
		int64_t n = mem_strlen(p->mem, a[1], 255);
		if (n < 0)
			return n == -ENAMETOOLONG ? -ERANGE : n;
		name = (const char *)mem_base(p->mem) + a[1];
	}
	uint64_t uout = has_name ? a[2] : a[1];
	uint64_t size = has_name ? a[3] : a[2];
	void *out = guest_buf(p, uout, size, PROT_WRITE, &err);
	if (!out)
		return err;
	int64_t r = has_name ? host_rc(syscall(nr, path, name, out, size))
			     : host_rc(syscall(nr, path, out, size));
	if (r > 0 && size)
		sys_wrote(p, uout, (uint64_t)r);
	return r;
}

SYS(getxattr)   { return xattr_path_op(p, SYS_getxattr, PATH_FOLLOW, a, 1); }
SYS(lgetxattr)
{
	return xattr_path_op(p, SYS_lgetxattr, PATH_NOFOLLOW, a, 1);
}
SYS(listxattr)  { return xattr_path_op(p, SYS_listxattr, PATH_FOLLOW, a, 0); }
SYS(llistxattr)
{
	return xattr_path_op(p, SYS_llistxattr, PATH_NOFOLLOW, a, 0);
}

SYS(fgetxattr)
{
	int64_t err;
	int h = fd_host(p, a[0]);
	if (h < 0)
		return h;
	int64_t n = mem_strlen(p->mem, a[1], 255);
	if (n < 0)
		return n == -ENAMETOOLONG ? -ERANGE : n;
	void *out = guest_buf(p, a[2], a[3], PROT_WRITE, &err);
	if (!out)
		return err;
	int64_t r = host_rc(syscall(SYS_fgetxattr, h,
				    mem_base(p->mem) + a[1], out, a[3]));
	if (r > 0 && a[3])
		sys_wrote(p, a[2], (uint64_t)r);
	return r;
}

SYS(flistxattr)
{
	int64_t err;
	int h = fd_host(p, a[0]);
	if (h < 0)
		return h;
	void *out = guest_buf(p, a[1], a[2], PROT_WRITE, &err);
	if (!out)
		return err;
	int64_t r = host_rc(syscall(SYS_flistxattr, h, out, a[2]));
	if (r > 0 && a[2])
		sys_wrote(p, a[1], (uint64_t)r);
	return r;
}

/* ============================================ fd-to-fd data transfer */

/* An optional in/out loff_t: read it, and write it back afterwards. */
static int off_get(struct proc *p, uint64_t u, int64_t *off, int64_t **pp)
{
	*pp = NULL;
	if (!u)
		return 0;
	if (guest_get(p, off, u, 8) < 0)
		return -EFAULT;
	*pp = off;
	return 0;
}

SYS(sendfile)
{
	int ho = fd_host(p, a[0]), hi = fd_host(p, a[1]);
	int64_t off, *offp;
	if (ho < 0 || hi < 0)
		return -EBADF;
	if (off_get(p, a[2], &off, &offp) < 0)
		return -EFAULT;
	int64_t r = host_rc(syscall(SYS_sendfile, ho, hi, offp, a[3]));
	if (offp && r >= 0 && guest_put(p, a[2], &off, 8) < 0)
		return -EFAULT;
	return r;
}

/* copy_file_range and splice: (in, off_in*, out, off_out*, len, flags). */
static int64_t do_copy(struct proc *p, long nr, const uint64_t a[6])
{
	int hi = fd_host(p, a[0]), ho = fd_host(p, a[2]);
	int64_t oi, oo, *oip, *oop;
	if (hi < 0 || ho < 0)
		return -EBADF;
	if (off_get(p, a[1], &oi, &oip) < 0 || off_get(p, a[3], &oo, &oop) < 0)
		return -EFAULT;
	int64_t r = host_rc(syscall(nr, hi, oip, ho, oop, a[4], a[5]));
	if (r >= 0 && ((oip && guest_put(p, a[1], &oi, 8) < 0) ||
		       (oop && guest_put(p, a[3], &oo, 8) < 0)))
		return -EFAULT;
	return r;
}

SYS(copy_file_range) { return do_copy(p, SYS_copy_file_range, a); }
SYS(splice)          { return do_copy(p, SYS_splice, a); }

SYS(tee)
{
	int hi = fd_host(p, a[0]), ho = fd_host(p, a[1]);
	if (hi < 0 || ho < 0)
		return -EBADF;
	return host_rc(syscall(SYS_tee, hi, ho, a[2], a[3]));
}

/* ============================================= fds of special kinds */

SYS(memfd_create)
{
	int64_t n = mem_strlen(p->mem, a[0], 249);
	if (n < 0)
		return n == -ENAMETOOLONG ? -EINVAL : n;
	const char *name = (const char *)mem_base(p->mem) + a[0];
	long h = syscall(SYS_memfd_create, name, (unsigned)a[1] | MFD_CLOEXEC);
	if (h < 0)
		return -errno;
	return fd_install(p, (int)h, !!(a[1] & MFD_CLOEXEC), 0);
}

SYS(eventfd2)
{
	long h = syscall(SYS_eventfd2, (unsigned)a[0],
			 (int)a[1] | EFD_CLOEXEC);
	if (h < 0)
		return -errno;
	return fd_install(p, (int)h, !!(a[1] & EFD_CLOEXEC), 0);
}

SYS(eventfd)
{
	uint64_t b[6] = { a[0], 0 };
	return sys_eventfd2(p, c, b);
}

/* ========================================================= poll/select */

/*
 * poll and ppoll: translate guest fds to host fds.  A guest fd that is not
 * open gets POLLNVAL, as in Linux, without the host seeing a number that
 * might be one of rewind's own; its presence makes the call non-blocking.
 */
static int64_t do_poll(struct proc *p, uint64_t ufds, uint64_t nfds,
		       int timeout_ms, uint64_t uts, int is_ppoll)
{
	int64_t err;
	uint8_t ts[16];

	if (nfds > (uint64_t)fd_limit(p))
		return -EINVAL;
	struct pollfd *gp = guest_buf(p, ufds, nfds * KPOLLFD_SIZE,
				      PROT_READ | PROT_WRITE, &err);
	if (!gp)
		return err;
	if (uts && guest_get(p, ts, uts, sizeof(ts)) < 0)
		return -EFAULT;
	struct pollfd *hp = calloc(nfds ? nfds : 1, sizeof(*hp));
	if (!hp)
		return -ENOMEM;
	int nval = 0;
	for (uint64_t i = 0; i < nfds; i++) {
		hp[i].events = gp[i].events;
		if (gp[i].fd < 0) {
			hp[i].fd = -1;
		} else if ((hp[i].fd = fd_host(p, (uint64_t)gp[i].fd)) < 0) {
			hp[i].fd = -1;
			nval++;
		}
	}
	static const uint8_t zero_ts[16];
	long r;
	if (is_ppoll)
		r = syscall(SYS_ppoll, hp, nfds,
			    nval ? (const void *)zero_ts
				 : (uts ? (const void *)ts : NULL),
			    NULL, 8);
	else
		r = syscall(SYS_poll, hp, nfds, nval ? 0 : timeout_ms);
	if (r < 0) {
		free(hp);
		return -errno;
	}
	int64_t count = 0;
	for (uint64_t i = 0; i < nfds; i++) {
		short rev = hp[i].revents;
		if (gp[i].fd >= 0 && hp[i].fd < 0)
			rev = POLLNVAL;
		gp[i].revents = rev;
		count += rev != 0;
	}
	free(hp);
	if (nfds)
		sys_wrote(p, ufds, nfds * KPOLLFD_SIZE);
	/* ppoll reports the time left, like the raw syscall does. */
	if (is_ppoll && uts && !nval)
		guest_put(p, uts, ts, sizeof(ts));
	return count;
}

SYS(poll)
{
	return do_poll(p, a[0], a[1], (int)a[2], 0, 0);
}

SYS(ppoll)
{
	/* The signal mask is checked but not applied: guest signals are
	 * delivered by the VM between instructions, never during a host
	 * call, so nothing can interrupt the wait on the guest's behalf. */
	if (a[3]) {
		uint64_t m;
		if (a[4] != 8)
			return -EINVAL;
		if (guest_get(p, &m, a[3], 8) < 0)
			return -EFAULT;
	}
	return do_poll(p, a[0], a[1], -1, a[2], 1);
}

/*
 * select and pselect6.  The guest's fd_sets are bitmaps of guest fds; the
 * host gets bitmaps of the matching host fds, sized for the highest one.
 * Like Linux, a set bit naming a closed fd is -EBADF.
 */
static int64_t do_select(struct proc *p, uint64_t nfds_arg, const uint64_t u[3],
			 uint64_t uto, int to_size, int is_pselect)
{
	int n = (int)nfds_arg;

	if (n < 0)
		return -EINVAL;
	if (n > fd_limit(p))
		n = fd_limit(p);
	size_t gbytes = (size_t)((n + 63) / 64) * 8;
	uint64_t gset[3][GUEST_MAX_FDS / 64];
	int hmax = -1;
	int hfd[GUEST_MAX_FDS];
	uint8_t to[16];

	memset(gset, 0, sizeof(gset));
	for (int s = 0; s < 3; s++)
		if (u[s] && guest_get(p, gset[s], u[s], gbytes) < 0)
			return -EFAULT;
	if (uto && guest_get(p, to, uto, (uint64_t)to_size) < 0)
		return -EFAULT;
	for (int g = 0; g < n; g++) {
		hfd[g] = -1;
		int any = 0;
		for (int s = 0; s < 3; s++)
			any |= (int)(gset[s][g / 64] >> (g % 64)) & 1;
		if (!any)
			continue;
		if ((hfd[g] = fd_host(p, (uint64_t)g)) < 0)
			return -EBADF;
		if (hfd[g] > hmax)
			hmax = hfd[g];
	}
	size_t hwords = (size_t)(hmax + 1 + 63) / 64;
	uint64_t *hset = calloc(3 * (hwords ? hwords : 1), 8);
	if (!hset)
		return -ENOMEM;
	for (int g = 0; g < n; g++) {
		if (hfd[g] < 0)
			continue;
		for (int s = 0; s < 3; s++)
			if ((gset[s][g / 64] >> (g % 64)) & 1)
				hset[s * hwords + hfd[g] / 64] |=
					1ULL << (hfd[g] % 64);
	}
	void *hp[3];
	for (int s = 0; s < 3; s++)
		hp[s] = u[s] ? hset + s * hwords : NULL;
	long r;
	if (is_pselect) {
		/* The signal mask is not applied; see ppoll. */
		r = syscall(SYS_pselect6, hmax + 1, hp[0], hp[1], hp[2],
			    uto ? to : NULL, NULL);
	} else {
		r = syscall(SYS_select, hmax + 1, hp[0], hp[1], hp[2],
			    uto ? to : NULL);
	}
	if (r < 0) {
		free(hset);
		return -errno;
	}
	int64_t count = 0;
	int fault = 0;
	for (int s = 0; s < 3; s++) {
		if (!u[s])
			continue;
		memset(gset[s], 0, sizeof(gset[s]));
		for (int g = 0; g < n; g++) {
			if (hfd[g] >= 0 && ((hset[s * hwords + hfd[g] / 64] >>
					     (hfd[g] % 64)) & 1)) {
				gset[s][g / 64] |= 1ULL << (g % 64);
				count++;
			}
		}
		if (guest_put(p, u[s], gset[s], gbytes) < 0)
			fault = 1;
	}
	free(hset);
	/* Like the raw syscall, report the time left. */
	if (uto)
		guest_put(p, uto, to, (uint64_t)to_size);
	return fault ? -EFAULT : count;
}

SYS(select)
{
	uint64_t u[3] = { a[1], a[2], a[3] };
	return do_select(p, a[0], u, a[4], 16, 0);
}

SYS(pselect6)
{
	uint64_t u[3] = { a[1], a[2], a[3] };
	if (a[5]) {
		uint64_t sig[2], m;
		if (guest_get(p, sig, a[5], sizeof(sig)) < 0)
			return -EFAULT;
		if (sig[0]) {
			if (sig[1] != 8)
				return -EINVAL;
			if (guest_get(p, &m, sig[0], 8) < 0)
				return -EFAULT;
		}
	}
	return do_select(p, a[0], u, a[4], 16, 1);
}

/* ============================================================== epoll */

SYS(epoll_create1)
{
	if (a[0] & ~(uint64_t)EPOLL_CLOEXEC)
		return -EINVAL;
	long h = syscall(SYS_epoll_create1, EPOLL_CLOEXEC);
	if (h < 0)
		return -errno;
	return fd_install(p, (int)h, !!(a[0] & EPOLL_CLOEXEC), 0);
}

SYS(epoll_create)
{
	uint64_t b[6] = { 0 };
	if ((int)a[0] <= 0)
		return -EINVAL;
	return sys_epoll_create1(p, c, b);
}

/* The event's data is the guest's own cookie and passes through as is. */
SYS(epoll_ctl)
{
	uint8_t ev[KEPOLL_EV_SIZE];
	int he = fd_host(p, a[0]), hf = fd_host(p, a[2]);
	if (he < 0 || hf < 0)
		return -EBADF;
	int op = (int)a[1];
	if (op != EPOLL_CTL_DEL && guest_get(p, ev, a[3], sizeof(ev)) < 0)
		return -EFAULT;
	return host_rc(syscall(SYS_epoll_ctl, he, op, hf,
			       op != EPOLL_CTL_DEL ? ev : NULL));
}

static int64_t do_epoll_wait(struct proc *p, const uint64_t a[6],
			     const void *hts, int timeout_ms, int is_pwait2)
{
	int64_t err;
	int h = fd_host(p, a[0]);
	if (h < 0)
		return h;
	int maxev = (int)a[2];
	if (maxev <= 0 || maxev > INT_MAX / KEPOLL_EV_SIZE)
		return -EINVAL;
	void *ev = guest_buf(p, a[1], (uint64_t)maxev * KEPOLL_EV_SIZE,
			     PROT_WRITE, &err);
	if (!ev)
		return err;
	long r = is_pwait2
		? syscall(SYS_epoll_pwait2, h, ev, maxev, hts, NULL, 8)
		: syscall(SYS_epoll_wait, h, ev, maxev, timeout_ms);
	if (r < 0)
		return -errno;
	if (r > 0)
		sys_wrote(p, a[1], (uint64_t)r * KEPOLL_EV_SIZE);
	return r;
}

SYS(epoll_wait)
{
	return do_epoll_wait(p, a, NULL, (int)a[3], 0);
}

SYS(epoll_pwait)
{
	/* The signal mask is not applied; see ppoll. */
	if (a[4]) {
		uint64_t m;
		if (a[5] != 8)
			return -EINVAL;
		if (guest_get(p, &m, a[4], 8) < 0)
			return -EFAULT;
	}
	return do_epoll_wait(p, a, NULL, (int)a[3], 0);
}

SYS(epoll_pwait2)
{
	uint8_t ts[16];
	if (a[4]) {
		uint64_t m;
		if (a[5] != 8)
			return -EINVAL;
		if (guest_get(p, &m, a[4], 8) < 0)
			return -EFAULT;
	}
	if (a[3] && guest_get(p, ts, a[3], sizeof(ts)) < 0)
		return -EFAULT;
	return do_epoll_wait(p, a, a[3] ? ts : NULL, -1, 1);
}
