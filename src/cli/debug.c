/*
 * debug.c - `rewind gdbserver` and `rewind debug`: a recorded run served
 * to gdb over the remote protocol, reverse execution included.
 *
 *   rewind gdbserver [--port N] [--host H] [--once] [-q] [-v]
 *                    [--memory-budget SIZE] [TRACE]
 *       listens on 127.0.0.1:N (N = 0 or absent: a free port, printed)
 *       and serves one gdb at a time; gdb may disconnect and connect
 *       again.  It ends when gdb kills the program (or, with --once, when
 *       the first connection ends).  Listening anywhere but the loopback
 *       needs an explicit --host, and gets a warning: the protocol has no
 *       authentication and can read any memory of the replay.
 *   rewind debug [-q] [-v] [--memory-budget SIZE] [TRACE] [-- GDB-ARGS...]
 *       starts the stub on a free port and runs gdb on the recorded
 *       executable with `target remote` set up (like `rr replay`);
 *       GDB-ARGS go to gdb after that (so `-batch -x script` works).  The
 *       exit status is gdb's.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "gdbstub/server.h"
#include "os/proc.h"
#include "replay/replay.h"
#include "replay/session.h"

struct stub_opts {
	const char *trace;
	const char *host;
	int port;
	int once;
	int verbose;
	int quiet;
	uint64_t budget;	/* bytes; 0: the session's default */
	pid_t gdb;		/* debug: stop waiting when gdb is gone */
};

/* Wait for a connection: its fd, GDB_GONE when gdb (o->gdb) exited
 * without one, or -1 with errno. */
#define GDB_GONE (-2)
static int wait_for_gdb(int lfd, const struct stub_opts *o)
{
	for (;;) {
		struct pollfd pf = { .fd = lfd, .events = POLLIN };
		int n = poll(&pf, 1, o->gdb ? 200 : -1);
		if (n > 0)
			return accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (n < 0 && errno != EINTR)
			return -1;
		siginfo_t si = { 0 };
		if (o->gdb && waitid(P_PID, (id_t)o->gdb, &si,
				     WEXITED | WNOHANG | WNOWAIT) == 0 &&
		    si.si_pid == o->gdb)
			return GDB_GONE;
	}
}

/* Serve the session on the listening socket until gdb kills the program
 * (or the first connection ends, with once). */
static int serve(struct session *s, int lfd, const struct stub_opts *o)
{
	for (;;) {
		int conn = wait_for_gdb(lfd, o);
		if (conn == GDB_GONE)
			return 0;	/* gdb went away first */
		if (conn < 0) {
			if (errno == EINTR)
				continue;
			return fail(REWIND_EXIT_INTERNAL, "gdbserver: accept: %s",
				    strerror(errno));
		}
		enum gdb_serve_end end = gdb_serve(s, conn, o->verbose);
		close(conn);
		if (end == GDB_SERVE_KILLED || o->once)
			return 0;
		if (o->verbose)
			fprintf(stderr, "rewind: gdb disconnected; waiting for "
				"the next connection\n");
	}
}

/* Opens the session and the listening socket (port 0: any free one,
 * stored back into *port): 0, or the exit status after saying why. */
static int open_stub(const char *cmd, const struct stub_opts *o, int *port,
		     struct session **s, int *lfd)
{
	char err[9000];
	struct session_opts so = { .show_output = !o->quiet,
				   .memory_budget = o->budget };
	if (session_open(o->trace, &so, s, err, sizeof(err)) < 0)
		return fail(REWIND_EXIT_INTERNAL, "%s", err);
	if (gdb_listen(o->host, *port, lfd, port, err, sizeof(err)) < 0) {
		session_close(*s);
		return fail(REWIND_EXIT_INTERNAL, "%s: %s", cmd, err);
	}
	return 0;
}

/* A memory size: a number of MiB, or with a K, M or G suffix. */
static int parse_budget(const char *cmd, const char *v, uint64_t *bytes)
{
	char *end;
	errno = 0;
	unsigned long long n = strtoull(v, &end, 10);
	int shift = 20;
	if (*end == 'K' || *end == 'k')
		shift = 10, end++;
	else if (*end == 'M' || *end == 'm')
		shift = 20, end++;
	else if (*end == 'G' || *end == 'g')
		shift = 30, end++;
	if (*v < '0' || *v > '9' || *end || errno || n > (1ULL << 50) >> shift ||
	    (n << shift) < (1ULL << 20))
		return fail(REWIND_EXIT_INTERNAL, "%s: bad memory budget '%s' "
			    "(MiB, or a size like 512M or 2G; at least 1M)",
			    cmd, v);
	*bytes = (uint64_t)n << shift;
	return 0;
}

/* -q, -v, --memory-budget SIZE and the TRACE, which gdbserver and debug
 * share (argv[*i], and the value after it): 0, or 1 after printing why
 * the argument is refused. */
static int stub_arg(const char *cmd, int argc, char **argv, int *i,
		    struct stub_opts *o)
{
	const char *a = argv[*i];
	if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0)
		o->quiet = 1;
	else if (strcmp(a, "-v") == 0)
		o->verbose = 1;
	else if (strcmp(a, "--memory-budget") == 0 && *i + 1 < argc)
		return parse_budget(cmd, argv[++*i], &o->budget) != 0;
	else if (strncmp(a, "--memory-budget=", 16) == 0)
		return parse_budget(cmd, a + 16, &o->budget) != 0;
	else
		return trace_arg(cmd, a, &o->trace);
	return 0;
}

static int parse_port(const char *v, int *port)
{
	char *end;
	long n = strtol(v, &end, 10);
	if (!*v || *end || n < 0 || n > 65535)
		return fail(REWIND_EXIT_INTERNAL, "gdbserver: bad port '%s'", v);
	*port = (int)n;
	return 0;
}

int cmd_gdbserver(int argc, char **argv)
{
	struct stub_opts o = { .host = "127.0.0.1" };
	int host_given = 0;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if ((strcmp(a, "--port") == 0 || strcmp(a, "-p") == 0) &&
		    i + 1 < argc) {
			if (parse_port(argv[++i], &o.port))
				return REWIND_EXIT_INTERNAL;
		} else if (strncmp(a, "--port=", 7) == 0) {
			if (parse_port(a + 7, &o.port))
				return REWIND_EXIT_INTERNAL;
		} else if (strcmp(a, "--host") == 0 && i + 1 < argc) {
			o.host = argv[++i];
			host_given = 1;
		} else if (strncmp(a, "--host=", 7) == 0) {
			o.host = a + 7;
			host_given = 1;
		} else if (strcmp(a, "--once") == 0) {
			o.once = 1;
		} else if (stub_arg("gdbserver", argc, argv, &i, &o)) {
			return REWIND_EXIT_INTERNAL;
		}
	}
	if (host_given && strcmp(o.host, "127.0.0.1") != 0 &&
	    strcmp(o.host, "localhost") != 0 && strcmp(o.host, "::1") != 0)
		fprintf(stderr, "rewind: warning: listening on %s: anyone who "
			"can reach it can read the replay's memory\n", o.host);
	struct session *s;
	int lfd, port = o.port;
	int rc = open_stub("gdbserver", &o, &port, &s, &lfd);
	if (rc)
		return rc;
	fprintf(stderr, "rewind: listening on %s:%d (in gdb: target remote "
		"%s:%d)\n", o.host, port, o.host, port);
	rc = serve(s, lfd, &o);
	close(lfd);
	session_close(s);
	return rc;
}

int cmd_debug(int argc, char **argv)
{
	struct stub_opts o = { .host = "127.0.0.1", .once = 1 };
	char **gdb_args = NULL;
	int ngdb = 0;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0) {
			gdb_args = argv + i + 1;
			ngdb = argc - i - 1;
			break;
		} else if (stub_arg("debug", argc, argv, &i, &o)) {
			return REWIND_EXIT_INTERNAL;
		}
	}
	struct session *s;
	int lfd, port = 0;
	int rc = open_stub("debug", &o, &port, &s, &lfd);
	if (rc)
		return rc;
	/* gdb on the executable the replay loads (for a packed trace, the
	 * copy extracted from it), connected to us. */
	const char *exe = session_replay(s)->exe;
	char target[64];
	snprintf(target, sizeof(target), "target remote 127.0.0.1:%d", port);
	char **av = calloc((size_t)ngdb + 10, sizeof(*av));
	if (!av) {
		close(lfd);
		session_close(s);
		return fail(REWIND_EXIT_INTERNAL, "out of memory");
	}
	int n = 0;
	av[n++] = "gdb";
	av[n++] = "-q";
	/* The executable is static and its debug info local: never wait
	 * for a debuginfod server (an offline machine would hang on it). */
	av[n++] = "-iex";
	av[n++] = "set debuginfod enabled off";
	av[n++] = (char *)exe;
	av[n++] = "-ex";
	av[n++] = target;
	for (int k = 0; k < ngdb; k++)
		av[n++] = gdb_args[k];
	av[n] = NULL;
	/* ^C is gdb's: it asks the stub to stop with 0x03. */
	signal(SIGINT, SIG_IGN);
	pid_t pid = fork();
	if (pid < 0) {
		free(av);
		close(lfd);
		session_close(s);
		return fail(REWIND_EXIT_INTERNAL, "debug: fork: %s",
			    strerror(errno));
	}
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		close(lfd);
		execvp("gdb", av);
		fprintf(stderr, "rewind: debug: cannot run gdb: %s (apt-get "
			"install gdb)\n", strerror(errno));
		_exit(127);
	}
	free(av);
	o.gdb = pid;
	rc = serve(s, lfd, &o);
	close(lfd);
	session_close(s);
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (rc)
		return rc;
	return exit_code_of(st);
}

/*
 * rewind index [TRACE]: replay TRACE to its end and store the snapshots
 * taken on the way in the trace, so that later sessions (debug,
 * gdbserver) start with a full timeline instead of building it.
 */
int cmd_index(int argc, char **argv)
{
	const char *trace = NULL;
	for (int i = 0; i < argc; i++)
		if (trace_arg("index", argv[i], &trace))
			return REWIND_EXIT_INTERNAL;
	struct session *s;
	char err[9000];
	struct session_opts so = { .no_index = 1, .update_trace = 1 };
	if (session_open(trace, &so, &s, err, sizeof(err)) < 0)
		return fail(REWIND_EXIT_INTERNAL, "%s", err);
	uint64_t n, bytes;
	int rc = session_index_save(s, &n, &bytes, err, sizeof(err));
	session_close(s);
	if (rc < 0)
		return fail(REWIND_EXIT_INTERNAL, "%s", err);
	fprintf(stderr, "rewind: indexed %llu snapshots (%.1f MiB of new "
		"pages before compression)\n", (unsigned long long)n,
		bytes / 1048576.0);
	return 0;
}
