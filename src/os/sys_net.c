/*
 * sys_net.c - socket syscalls of the guest.
 *
 * A guest socket is a host socket (O_CLOEXEC on the host, the guest's own
 * close-on-exec flag in the fd table), so every protocol the host offers
 * works, and everything a socket returns is an outside input: each of
 * these calls is SR_JOURNALED in the syscall table, and replay feeds back
 * the results and the bytes the host kernel wrote without touching the
 * network.
 *
 * Guest buffers are checked and handed to the host kernel as mem_base +
 * addr, as in sys_fs.c.  Two things cannot pass through unchanged:
 *   - the fds in SCM_RIGHTS control messages are guest numbers on the way
 *     out and host numbers on the way in: sendmsg translates them to host
 *     fds, recvmsg installs what arrives into the guest fd table and
 *     rewrites the message with the guest numbers;
 *   - SCM_CREDENTIALS carries a pid: the guest's own (fixed) pid is sent
 *     as rewind's real one, which is what the host kernel checks.
 * Socket addresses and options are passed as bytes: their layouts are the
 * same for the guest and the host (both x86-64 Linux).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "mem/mem.h"
#include "os/sys_int.h"

/* The largest sockaddr (struct sockaddr_storage) and control buffer the
 * guest may pass; the kernel refuses more, with these errors. */
#define SOCKADDR_MAX   128
#define CONTROL_MAX    (64 * 1024)
#define MMSG_MAX       1024	/* UIO_MAXIOV, the kernel's vlen cap */

/* ============================================================ helpers */

/* An input sockaddr [addr, addr+len): a host pointer, or NULL when addr
 * is 0.  The kernel copies at most SOCKADDR_MAX bytes and refuses more. */
static int64_t addr_in(struct proc *p, uint64_t addr, uint64_t len,
		       const void **out)
{
	int64_t err = 0;
	*out = NULL;
	if (!addr)
		return 0;
	if (len > SOCKADDR_MAX)
		return -EINVAL;
	*out = guest_buf(p, addr, len, PROT_READ, &err);
	return *out ? 0 : err;
}

/*
 * An output sockaddr with an in/out length at ulen (accept, recvfrom,
 * getsockname): *len gets the guest's buffer size, *sa the host pointer
 * (NULL when the guest passed no buffer).  After the call, addr_out_done
 * writes back the length and reports what was written.
 */
static int64_t addr_out(struct proc *p, uint64_t uaddr, uint64_t ulen,
			void **sa, socklen_t *len)
{
	uint32_t n;
	int64_t err = 0;
	*sa = NULL;
	*len = 0;
	if (!uaddr || !ulen)
		return 0;
	if (guest_get(p, &n, ulen, sizeof(n)) < 0)
		return -EFAULT;
	if ((int32_t)n < 0)
		return -EINVAL;
	*sa = guest_buf(p, uaddr, n, PROT_WRITE, &err);
	if (!*sa)
		return err;
	*len = n;
	return 0;
}

static int64_t addr_out_done(struct proc *p, uint64_t uaddr, uint64_t ulen,
			     socklen_t have, socklen_t got)
{
	if (!uaddr || !ulen)
		return 0;
	sys_wrote(p, uaddr, got < have ? got : have);
	uint32_t out = (uint32_t)got;
	return guest_put(p, ulen, &out, sizeof(out));
}

/* The flags socket() and accept4() take beside the type. */
#define SOCK_FLAGS (SOCK_CLOEXEC | SOCK_NONBLOCK)

/* ====================================================== create, connect */

SYS(socket)
{
	int type = (int)a[1];
	long h = syscall(SYS_socket, (int)a[0], type | SOCK_CLOEXEC, (int)a[2]);
	if (h < 0)
		return -errno;
	return fd_install(p, (int)h, !!(type & SOCK_CLOEXEC), 0);
}

SYS(socketpair)
{
	int type = (int)a[1], hv[2];
	if (syscall(SYS_socketpair, (int)a[0], type | SOCK_CLOEXEC, (int)a[2],
		    hv) < 0)
		return -errno;
	int cloexec = !!(type & SOCK_CLOEXEC);
	int g0 = fd_install(p, hv[0], cloexec, 0);
	if (g0 < 0) {
		close(hv[1]);
		return g0;
	}
	int g1 = fd_install(p, hv[1], cloexec, 0);
	if (g1 < 0) {
		fd_close(p, g0);
		return g1;
	}
	int gv[2] = { g0, g1 };
	if (guest_put(p, a[3], gv, sizeof(gv)) < 0) {
		fd_close(p, g0);
		fd_close(p, g1);
		return -EFAULT;
	}
	return 0;
}

/* connect and bind: (fd, addr, len). */
static int64_t addr_op(struct proc *p, long nr, const uint64_t a[6])
{
	int h = fd_host(p, a[0]);
	const void *sa;
	if (h < 0)
		return h;
	int64_t err = addr_in(p, a[1], (uint32_t)a[2], &sa);
	if (err < 0)
		return err;
	return host_rc(syscall(nr, h, sa, (socklen_t)a[2]));
}

SYS(connect) { return addr_op(p, SYS_connect, a); }
SYS(bind)    { return addr_op(p, SYS_bind, a); }

/* listen and shutdown: (fd, int). */
SYS(listen)
{
	int h = fd_host(p, a[0]);
	return h < 0 ? h : host_rc(syscall(SYS_listen, h, (int)a[1]));
}

SYS(shutdown)
{
	int h = fd_host(p, a[0]);
	return h < 0 ? h : host_rc(syscall(SYS_shutdown, h, (int)a[1]));
}

static int64_t do_accept(struct proc *p, const uint64_t a[6], int flags)
{
	int h = fd_host(p, a[0]);
	void *sa;
	socklen_t len, have;
	if (h < 0)
		return h;
	if (flags & ~SOCK_FLAGS)
		return -EINVAL;
	int64_t err = addr_out(p, a[1], a[2], &sa, &len);
	if (err < 0)
		return err;
	have = len;
	long nh = syscall(SYS_accept4, h, sa, sa ? &len : NULL,
			  flags | SOCK_CLOEXEC);
	if (nh < 0)
		return -errno;
	int g = fd_install(p, (int)nh, !!(flags & SOCK_CLOEXEC), 0);
	if (g < 0)
		return g;
	if (sa && addr_out_done(p, a[1], a[2], have, len) < 0) {
		fd_close(p, g);
		return -EFAULT;
	}
	return g;
}

SYS(accept)  { return do_accept(p, a, 0); }
SYS(accept4) { return do_accept(p, a, (int)a[3]); }

/* getsockname/getpeername: (fd, addr, len*). */
static int64_t sock_name(struct proc *p, const uint64_t a[6], int peer)
{
	int h = fd_host(p, a[0]);
	void *sa;
	socklen_t len, have;
	if (h < 0)
		return h;
	int64_t err = addr_out(p, a[1], a[2], &sa, &len);
	if (err < 0)
		return err;
	if (!a[2])
		return -EFAULT;
	have = len;
	if (syscall(peer ? SYS_getpeername : SYS_getsockname, h, sa, &len) < 0)
		return -errno;
	return addr_out_done(p, a[1], a[2], have, len);
}

SYS(getsockname) { return sock_name(p, a, 0); }
SYS(getpeername) { return sock_name(p, a, 1); }

/* ============================================================= options */

SYS(setsockopt)
{
	int h = fd_host(p, a[0]);
	int64_t err = 0;
	if (h < 0)
		return h;
	uint32_t len = (uint32_t)a[4];
	if ((int32_t)len < 0)
		return -EINVAL;
	const void *v = a[3] ? guest_buf(p, a[3], len, PROT_READ, &err) : NULL;
	if (a[3] && !v)
		return err;
	return host_rc(syscall(SYS_setsockopt, h, (int)a[1], (int)a[2], v,
			       (socklen_t)len));
}

SYS(getsockopt)
{
	int h = fd_host(p, a[0]);
	void *v;
	socklen_t len, have;
	if (h < 0)
		return h;
	if (!a[4])
		return -EFAULT;
	int64_t err = addr_out(p, a[3], a[4], &v, &len);
	if (err < 0)
		return err;
	have = len;
	if (syscall(SYS_getsockopt, h, (int)a[1], (int)a[2], v, &len) < 0)
		return -errno;
	return addr_out_done(p, a[3], a[4], have, len);
}

/* ====================================================== send and receive */

SYS(sendto)
{
	int h = fd_host(p, a[0]);
	const void *sa;
	int64_t err = 0;
	uint64_t len = a[2];
	if (h < 0)
		return h;
	const void *buf = guest_buf_prefix(p, a[1], &len, PROT_READ, &err);
	if (!buf)
		return err;
	if ((err = addr_in(p, a[4], (uint32_t)a[5], &sa)) < 0)
		return err;
	return host_rc(syscall(SYS_sendto, h, buf, len, (int)a[3], sa,
			       (socklen_t)a[5]));
}

SYS(recvfrom)
{
	int h = fd_host(p, a[0]);
	void *sa;
	socklen_t alen, have;
	int64_t err = 0;
	uint64_t len = a[2];
	if (h < 0)
		return h;
	void *buf = guest_buf_prefix(p, a[1], &len, PROT_WRITE, &err);
	if (!buf)
		return err;
	if ((err = addr_out(p, a[4], a[5], &sa, &alen)) < 0)
		return err;
	have = alen;
	long r = syscall(SYS_recvfrom, h, buf, len, (int)a[3], sa,
			 sa ? &alen : NULL);
	if (r < 0)
		return -errno;
	/* MSG_TRUNC returns the datagram's real length, beyond the buffer. */
	sys_wrote(p, a[1], (uint64_t)r < len ? (uint64_t)r : len);
	if (sa && addr_out_done(p, a[4], a[5], have, alen) < 0)
		return -EFAULT;
	return r;
}

/*
 * One guest struct msghdr translated for the host.  The layout of
 * struct msghdr is the same on both sides; its pointers are not.
 */
struct msg_set {
	struct msghdr host;
	uint64_t uname, uiov, ucontrol;	/* the guest's pointers */
	struct iov_set iov;
	uint8_t *control;		/* rewind's copy of the control data */
};

static int64_t msg_import(struct proc *p, uint64_t umsg, int sending,
			  struct msg_set *m)
{
	struct msghdr g;
	int64_t err = 0;
	/* (first: msg_free must find no stale control buffer) */
	memset(&m->host, 0, sizeof(m->host));
	m->control = NULL;
	if (guest_get(p, &g, umsg, sizeof(g)) < 0)
		return -EFAULT;
	m->uname = (uint64_t)(uintptr_t)g.msg_name;
	m->uiov = (uint64_t)(uintptr_t)g.msg_iov;
	m->ucontrol = (uint64_t)(uintptr_t)g.msg_control;
	if (m->uname) {
		if ((int32_t)g.msg_namelen < 0)
			return -EINVAL;
		if (sending && g.msg_namelen > SOCKADDR_MAX)
			return -EINVAL;
		if (g.msg_namelen > SOCKADDR_MAX)
			g.msg_namelen = SOCKADDR_MAX;
		m->host.msg_name = guest_buf(p, m->uname, g.msg_namelen,
					     sending ? PROT_READ : PROT_WRITE,
					     &err);
		if (g.msg_namelen && !m->host.msg_name)
			return err;
		m->host.msg_namelen = g.msg_namelen;
	}
	err = iov_import(p, m->uiov, g.msg_iovlen,
			 sending ? PROT_READ : PROT_WRITE, &m->iov);
	if (err < 0)
		return err;
	m->host.msg_iov = m->iov.host;
	m->host.msg_iovlen = (size_t)m->iov.n;
	if (m->ucontrol && g.msg_controllen) {
		/* Linux refuses a larger one to send; a larger receive
		 * buffer is fine, and no message carries that much. */
		if (g.msg_controllen > CONTROL_MAX && sending)
			return -ENOBUFS;
		if (g.msg_controllen > CONTROL_MAX)
			g.msg_controllen = CONTROL_MAX;
		m->control = calloc(1, g.msg_controllen);
		if (!m->control)
			return -ENOMEM;
		if (sending && guest_get(p, m->control, m->ucontrol,
					 g.msg_controllen) < 0)
			return -EFAULT;
		m->host.msg_control = m->control;
		m->host.msg_controllen = g.msg_controllen;
	}
	m->host.msg_flags = g.msg_flags;
	return 0;
}

static void msg_free(struct msg_set *m)
{
	free(m->control);
	m->control = NULL;
}

/* The fds of an SCM_RIGHTS message and their count. */
static int *cmsg_fds(struct cmsghdr *cm, size_t *n)
{
	*n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
	return (int *)CMSG_DATA(cm);
}

/* Outgoing control data: guest fds to host fds, the guest pid to ours. */
static int64_t control_out(struct proc *p, struct msghdr *h)
{
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(h); cm; cm = CMSG_NXTHDR(h, cm)) {
		if (cm->cmsg_len < CMSG_LEN(0) ||
		    cm->cmsg_len > h->msg_controllen)
			return -EINVAL;
		if (cm->cmsg_level != SOL_SOCKET)
			continue;
		if (cm->cmsg_type == SCM_RIGHTS) {
			size_t n;
			int *fds = cmsg_fds(cm, &n);
			for (size_t k = 0; k < n; k++) {
				int hf = fd_host(p, (uint32_t)fds[k]);
				if (hf < 0)
					return -EBADF;
				fds[k] = hf;
			}
		} else if (cm->cmsg_type == SCM_CREDENTIALS &&
			   cm->cmsg_len >= CMSG_LEN(sizeof(struct ucred))) {
			struct ucred cr;
			memcpy(&cr, CMSG_DATA(cm), sizeof(cr));
			if (cr.pid == p->pid)
				cr.pid = getpid();
			memcpy(CMSG_DATA(cm), &cr, sizeof(cr));
		}
	}
	return 0;
}

/* Incoming control data: install received host fds as guest fds (closing
 * the ones that do not fit, as the kernel does with MSG_CTRUNC). */
static void control_in(struct proc *p, struct msghdr *h, int cloexec)
{
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(h); cm; cm = CMSG_NXTHDR(h, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		size_t n;
		int *fds = cmsg_fds(cm, &n);
		for (size_t k = 0; k < n; k++) {
			int g = fd_install(p, fds[k], cloexec, 0);
			if (g < 0) {
				/* Table full: the rest are dropped. */
				for (size_t r = k + 1; r < n; r++)
					close(fds[r]);
				cm->cmsg_len = CMSG_LEN(k * sizeof(int));
				h->msg_flags |= MSG_CTRUNC;
				break;
			}
			fds[k] = g;
		}
	}
}

/* Write back what recvmsg changed in the guest's msghdr and buffers. */
static int64_t msg_export(struct proc *p, uint64_t umsg, struct msg_set *m,
			  int64_t r)
{
	struct msghdr g;
	if (guest_get(p, &g, umsg, sizeof(g)) < 0)
		return -EFAULT;
	iov_wrote(p, &m->iov, r);
	if (m->uname && m->host.msg_name) {
		socklen_t have = g.msg_namelen < SOCKADDR_MAX ? g.msg_namelen :
				 SOCKADDR_MAX;
		sys_wrote(p, m->uname, m->host.msg_namelen < have ?
			  m->host.msg_namelen : have);
	}
	g.msg_namelen = m->uname ? m->host.msg_namelen : 0;
	if (m->control) {
		size_t n = m->host.msg_controllen;
		if (n > g.msg_controllen)
			n = g.msg_controllen;
		if (guest_put(p, m->ucontrol, m->control, n) < 0)
			return -EFAULT;
		g.msg_controllen = n;
	} else {
		g.msg_controllen = 0;
	}
	g.msg_flags = m->host.msg_flags;
	return guest_put(p, umsg, &g, sizeof(g));
}

SYS(sendmsg)
{
	int h = fd_host(p, a[0]);
	if (h < 0)
		return h;
	struct msg_set *m = malloc(sizeof(*m));
	if (!m)
		return -ENOMEM;
	int64_t r = msg_import(p, a[1], 1, m);
	if (r == 0 && m->control)
		r = control_out(p, &m->host);
	if (r == 0)
		r = host_rc(syscall(SYS_sendmsg, h, &m->host, (int)a[2]));
	msg_free(m);
	free(m);
	return r;
}

SYS(recvmsg)
{
	int h = fd_host(p, a[0]);
	int flags = (int)a[2];
	if (h < 0)
		return h;
	struct msg_set *m = malloc(sizeof(*m));
	if (!m)
		return -ENOMEM;
	int64_t r = msg_import(p, a[1], 0, m);
	if (r == 0) {
		r = host_rc(syscall(SYS_recvmsg, h, &m->host,
				    flags | MSG_CMSG_CLOEXEC));
		if (r >= 0) {
			if (m->control)
				control_in(p, &m->host,
					   !!(flags & MSG_CMSG_CLOEXEC));
			int64_t e = msg_export(p, a[1], m, r);
			if (e < 0)
				r = e;
		}
	}
	msg_free(m);
	free(m);
	return r;
}

/*
 * sendmmsg and recvmmsg: one sendmsg/recvmsg per entry, as the kernel's
 * own loop does, stopping at the first error after some success.  The
 * guest's struct mmsghdr is a msghdr followed by the unsigned msg_len.
 */
#define MMSGHDR_SIZE 64

static int64_t do_mmsg(struct proc *p, struct cpu *c, const uint64_t a[6],
		       int sending)
{
	uint32_t vlen = (uint32_t)a[2];
	int flags = (int)a[3];
	int64_t done = 0;
	if (fd_host(p, a[0]) < 0)
		return -EBADF;
	if (vlen > MMSG_MAX)
		vlen = MMSG_MAX;
	if (!sending && a[4])
		/* A timeout would need the host's clock between entries:
		 * the entries are received as if it never expired. */
		sys_log_once(p, "recvmmsg timeout",
			     "rewind: recvmmsg timeout ignored");
	for (uint32_t k = 0; k < vlen; k++) {
		uint64_t um = a[1] + (uint64_t)k * MMSGHDR_SIZE;
		uint64_t b[6] = { a[0], um, (uint64_t)(uint32_t)flags };
		int64_t r = sending ? sys_sendmsg(p, c, b) : sys_recvmsg(p, c, b);
		if (r < 0)
			return done ? done : r;
		uint32_t n = (uint32_t)r;
		if (guest_put(p, um + 56, &n, sizeof(n)) < 0)
			return done ? done : -EFAULT;
		done++;
		/* MSG_WAITFORONE: only the first receive may block. */
		if (!sending && (flags & MSG_WAITFORONE))
			flags |= MSG_DONTWAIT;
	}
	return done;
}

SYS(sendmmsg) { return do_mmsg(p, c, a, 1); }
SYS(recvmmsg) { return do_mmsg(p, c, a, 0); }
