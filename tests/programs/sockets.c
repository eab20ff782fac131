/*
 * sockets.c - the socket calls a single process can exercise by itself:
 * socketpair, an AF_UNIX stream server and client (abstract name), UDP and
 * TCP on loopback, sendmsg/recvmsg with an SCM_RIGHTS fd and scatter
 * buffers, sendmmsg/recvmmsg, socket options, shutdown, and the errors
 * programs meet (connect to a missing path, as glibc's nscd probe does;
 * a bad fd; not a socket).  Prints only facts that are the same on every
 * run, so native and rewind output must be identical.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

static int failures;

static void check(int ok, const char *what)
{
	printf("%s %s\n", ok ? "ok  " : "FAIL", what);
	if (!ok)
		failures++;
}

static void pair_stream(void)
{
	int sv[2];
	char buf[32] = { 0 };
	check(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0,
	      "socketpair stream");
	check(fcntl(sv[0], F_GETFD) == FD_CLOEXEC, "socketpair cloexec");
	check(write(sv[0], "ping", 4) == 4, "write to pair");
	check(read(sv[1], buf, sizeof(buf)) == 4 && !memcmp(buf, "ping", 4),
	      "read from pair");
	check(send(sv[1], "pong!", 5, 0) == 5, "send");
	check(recv(sv[0], buf, 2, MSG_PEEK) == 2 && !memcmp(buf, "po", 2),
	      "recv MSG_PEEK");
	check(recv(sv[0], buf, sizeof(buf), 0) == 5 && !memcmp(buf, "pong!", 5),
	      "recv");
	check(shutdown(sv[0], SHUT_WR) == 0, "shutdown");
	check(read(sv[1], buf, sizeof(buf)) == 0, "eof after shutdown");
	int type = 0;
	socklen_t len = sizeof(type);
	check(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &type, &len) == 0 &&
	      type == SOCK_STREAM && len == sizeof(int), "getsockopt SO_TYPE");
	int big = 65536;
	check(setsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &big, sizeof(big)) == 0,
	      "setsockopt SO_RCVBUF");
	close(sv[0]);
	close(sv[1]);
}

static void pass_fd(void)
{
	int sv[2], pfd[2];
	char data[8] = "abcdefg", a[3] = { 0 }, b[8] = { 0 };
	check(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0, "socketpair dgram");
	check(pipe(pfd) == 0, "pipe");

	union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int))]; } u;
	struct iovec out = { data, 7 };
	struct msghdr m = { .msg_iov = &out, .msg_iovlen = 1,
			    .msg_control = u.buf,
			    .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &pfd[1], sizeof(int));
	check(sendmsg(sv[0], &m, 0) == 7, "sendmsg with SCM_RIGHTS");
	close(pfd[1]);

	struct iovec in[2] = { { a, 2 }, { b, 8 } };
	memset(&u, 0, sizeof(u));
	struct msghdr r = { .msg_iov = in, .msg_iovlen = 2,
			    .msg_control = u.buf,
			    .msg_controllen = sizeof(u.buf) };
	check(recvmsg(sv[1], &r, MSG_CMSG_CLOEXEC) == 7, "recvmsg");
	check(!memcmp(a, "ab", 2) && !memcmp(b, "cdefg", 5),
	      "recvmsg scatters");
	cm = CMSG_FIRSTHDR(&r);
	int got = -1;
	if (cm && cm->cmsg_type == SCM_RIGHTS)
		memcpy(&got, CMSG_DATA(cm), sizeof(int));
	check(got >= 0 && fcntl(got, F_GETFD) == FD_CLOEXEC,
	      "received fd is open and cloexec");
	printf("received fd number %d\n", got);
	check(write(got, "x", 1) == 1, "write through received fd");
	char x = 0;
	check(read(pfd[0], &x, 1) == 1 && x == 'x', "pipe carries it");
	close(got);
	close(pfd[0]);

	/* sendmmsg/recvmmsg: three datagrams at once. */
	char m0[] = "one", m1[] = "two", m2[] = "three";
	struct iovec ov[3] = { { m0, 3 }, { m1, 3 }, { m2, 5 } };
	struct mmsghdr mm[3];
	memset(mm, 0, sizeof(mm));
	for (int k = 0; k < 3; k++) {
		mm[k].msg_hdr.msg_iov = &ov[k];
		mm[k].msg_hdr.msg_iovlen = 1;
	}
	check(sendmmsg(sv[0], mm, 3, 0) == 3, "sendmmsg");
	char rb[3][8];
	struct iovec iv[3];
	struct mmsghdr rm[3];
	memset(rm, 0, sizeof(rm));
	memset(rb, 0, sizeof(rb));
	for (int k = 0; k < 3; k++) {
		iv[k] = (struct iovec){ rb[k], 8 };
		rm[k].msg_hdr.msg_iov = &iv[k];
		rm[k].msg_hdr.msg_iovlen = 1;
	}
	check(recvmmsg(sv[1], rm, 3, MSG_DONTWAIT, NULL) == 3, "recvmmsg");
	check(rm[0].msg_len == 3 && rm[2].msg_len == 5 &&
	      !strcmp(rb[2], "three"), "recvmmsg lengths and data");
	close(sv[0]);
	close(sv[1]);
}

static void unix_server(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	/* Abstract name: no file, unique per process. */
	int n = snprintf(sa.sun_path + 1, sizeof(sa.sun_path) - 1,
			 "rewind-sockets-test-%d", (int)getpid());
	socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	check(s >= 0, "unix socket");
	check(bind(s, (struct sockaddr *)&sa, len) == 0, "bind abstract");
	check(listen(s, 4) == 0, "listen");
	int c = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	check(connect(c, (struct sockaddr *)&sa, len) == 0, "connect");
	struct sockaddr_un peer;
	socklen_t plen = sizeof(peer);
	int a = accept4(s, (struct sockaddr *)&peer, &plen, SOCK_CLOEXEC);
	check(a >= 0, "accept4");
	check(peer.sun_family == AF_UNIX, "accept4 peer family");
	struct sockaddr_un name;
	socklen_t nlen = sizeof(name);
	check(getsockname(s, (struct sockaddr *)&name, &nlen) == 0 &&
	      nlen == len && !memcmp(&name, &sa, len), "getsockname");
	nlen = sizeof(name);
	check(getpeername(c, (struct sockaddr *)&name, &nlen) == 0 &&
	      nlen == len, "getpeername");
	check(write(c, "hello", 5) == 5, "client write");
	char buf[8] = { 0 };
	check(read(a, buf, sizeof(buf)) == 5 && !strcmp(buf, "hello"),
	      "server read");
	check(read(c, buf, sizeof(buf)) == -1 && errno == EAGAIN,
	      "nonblocking read EAGAIN");
	close(a);
	close(c);
	close(s);
}

static void inet(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	check(u >= 0, "udp socket");
	if (u < 0)
		return;
	check(bind(u, (struct sockaddr *)&sa, sizeof(sa)) == 0, "udp bind");
	check(getsockname(u, (struct sockaddr *)&sa, &len) == 0 &&
	      sa.sin_port != 0, "udp port assigned");
	check(sendto(u, "dgram", 5, 0, (struct sockaddr *)&sa, sizeof(sa)) == 5,
	      "sendto self");
	struct sockaddr_in from;
	socklen_t flen = sizeof(from);
	char buf[16] = { 0 };
	check(recvfrom(u, buf, sizeof(buf), 0, (struct sockaddr *)&from,
		       &flen) == 5 && !strcmp(buf, "dgram") &&
	      from.sin_port == sa.sin_port, "recvfrom self");
	close(u);

	int t = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in ta = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	len = sizeof(ta);
	int one = 1;
	check(setsockopt(t, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0,
	      "SO_REUSEADDR");
	check(bind(t, (struct sockaddr *)&ta, sizeof(ta)) == 0 &&
	      listen(t, 1) == 0 &&
	      getsockname(t, (struct sockaddr *)&ta, &len) == 0, "tcp listen");
	int c = socket(AF_INET, SOCK_STREAM, 0);
	check(connect(c, (struct sockaddr *)&ta, sizeof(ta)) == 0,
	      "tcp connect");
	int a = accept(t, NULL, NULL);
	check(a >= 0, "tcp accept");
	check(send(a, "tcp data", 8, 0) == 8, "tcp send");
	check(recv(c, buf, 8, MSG_WAITALL) == 8, "tcp recv");
	close(a);
	close(c);
	close(t);
}

static void errors(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	strcpy(sa.sun_path, "/nonexistent-rewind-dir/socket");
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	errno = 0;
	check(connect(s, (struct sockaddr *)&sa, sizeof(sa)) == -1 &&
	      errno == ENOENT, "connect to a missing path: ENOENT");
	close(s);
	errno = 0;
	check(send(99, "x", 1, 0) == -1 && errno == EBADF, "send on bad fd");
	errno = 0;
	check(getsockname(1, NULL, NULL) == -1, "getsockname NULL");
	int fd = open("/dev/null", O_RDONLY);
	errno = 0;
	check(listen(fd, 1) == -1 && errno == ENOTSOCK, "listen on a file");
	close(fd);
	errno = 0;
	check(socket(12345, SOCK_STREAM, 0) == -1 && errno == EAFNOSUPPORT,
	      "unknown family");
	/* An unreadable msghdr: EFAULT.  (The system calls themselves:
	 * musl's wrappers copy the msghdr first and would crash.) */
	int sv[2];
	check(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0, "socketpair");
	errno = 0;
	check(syscall(SYS_sendmsg, sv[0], 16L, 0) == -1 && errno == EFAULT,
	      "sendmsg of an unmapped msghdr: EFAULT");
	errno = 0;
	check(syscall(SYS_recvmsg, sv[1], 16L, MSG_DONTWAIT) == -1 &&
	      errno == EFAULT, "recvmsg into an unmapped msghdr: EFAULT");
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	pair_stream();
	pass_fd();
	unix_server();
	inet();
	errors();
	printf("%d failures\n", failures);
	return failures != 0;
}
