/*
 * server.h - the GDB remote stub: gdb's requests executed on a replay
 * session.
 *
 * Owns: listening for gdb (127.0.0.1 unless told otherwise), one
 * connection at a time, the packet exchange (acks, no-ack mode,
 * interrupts) and what every request does to the session: registers and
 * memory (writes go to a diversion), breakpoints and watchpoints,
 * forwards and reverse execution, stop replies, the target description,
 * auxv, the executable (qXfer:exec-file, vFile), monitor commands.
 *
 * Does not own: the protocol's bytes (packet.h) or the timeline
 * (src/replay/session.h).
 */
#ifndef REWIND_GDBSTUB_SERVER_H
#define REWIND_GDBSTUB_SERVER_H

#include <stddef.h>

struct session;

/*
 * Listen on host:port (port 0: any free port).  0 and the socket and the
 * port in *fd and *port, or -errno with one line in err.
 */
int gdb_listen(const char *host, int port, int *fd, int *port_out, char *err,
	       size_t errlen);

enum gdb_serve_end {
	GDB_SERVE_DETACHED,	/* gdb detached or went away */
	GDB_SERVE_KILLED,	/* gdb killed the program (k, vKill) */
	GDB_SERVE_FAILED,	/* the connection failed */
};

/* Serve one gdb connection on the accepted socket conn until it ends.
 * log: print every packet to stderr (debugging the stub). */
enum gdb_serve_end gdb_serve(struct session *s, int conn, int log);

#endif
