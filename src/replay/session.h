/*
 * session.h - a replay session: a recorded run that can be visited at any
 * moment, forwards and backwards.  The gdb stub and the REPL drive it.
 *
 * Owns: the replaying process, the timeline of snapshots taken along it
 * (spaced so that re-executing from the nearest one to any moment is
 * short, thinned to stay under a memory budget), the stop conditions
 * (breakpoints, watchpoints, signals), and throwaway branches
 * ("diversions") in which registers and memory can be written and code
 * run without changing the recorded timeline.
 *
 * Moments are icounts (instructions retired since the start).  Being "at
 * icount t" means instruction t is the next to execute.  The history runs
 * from 0 to the end: just before the exiting instruction (exit_group), or
 * the signal stop before a fatal signal is delivered, or where the trace
 * ends when the recorder was killed.  Going forwards past the end lets
 * the process exit with its recorded status.
 *
 * Stops, as gdb expects them: going forwards, a breakpoint stops before
 * the instruction at its address, a watchpoint after the accessing
 * instruction, a signal before its delivery; going backwards, the stop is
 * at the last hit strictly before the current moment, just before the
 * instruction that hit (for a watchpoint, the write that produced the
 * current value), or at the start of the trace.
 *
 * Does not own: the protocol in front of it (src/gdbstub), the trace
 * (src/trace), the engines (src/engine).
 */
#ifndef REWIND_REPLAY_SESSION_H
#define REWIND_REPLAY_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "engine/debug.h"

struct session;
struct cpu;
struct replay;

struct session_opts {
	const char *engine;		/* NULL: the default */
	uint64_t memory_budget;		/* bytes for snapshots; 0: one
					   eighth of the machine's memory */
	uint64_t interval;		/* instructions between snapshots;
					   0: adapt to the engine's speed */
	int show_output;		/* print the recorded output when the
					   replay first passes it */
	int no_index;			/* ignore a snapshot index in the
					   trace (`rewind index`) */
	int update_trace;		/* open the trace for writing an index
					   (session_index_save) */
};

/* Open the trace (NULL: the latest recording) and stand at icount 0.
 * 0, or a negative code with one line in err. */
int session_open(const char *trace, const struct session_opts *o,
		 struct session **out, char *err, size_t errlen);
void session_close(struct session *s);

/* ------------------------------------------------------------ where */

struct session_pos {
	uint64_t icount;
	uint64_t event;		/* journal position: events consumed */
	int tid;
	int diverted;		/* in a throwaway branch */
	int exited;		/* ran past the end: the process is gone */
};

void session_position(const struct session *s, struct session_pos *pos);
/* The last moment of the history, once known (1), else 0. */
int session_end(const struct session *s, uint64_t *icount);
/* The replay (trace path, executable, argv) behind the session. */
const struct replay *session_replay(const struct session *s);
/* The guest's registers at the current moment (read only). */
const struct cpu *session_cpu(const struct session *s);
/* The initial auxiliary vector (as Linux's /proc/PID/auxv). */
const void *session_auxv(const struct session *s, size_t *len);
/* The replay failure that stopped the session, or NULL. */
const char *session_error(const struct session *s);

/* ------------------------------------------------------------ stops */

int session_break_insert(struct session *s, uint64_t addr);
int session_break_remove(struct session *s, uint64_t addr);
/* kind: DBG_WATCH_WRITE, DBG_WATCH_READ or DBG_WATCH_ACCESS; any length
 * >= 1.  Returns 0 or -errno. */
int session_watch_insert(struct session *s, enum debug_kind kind,
			 uint64_t addr, uint64_t len);
int session_watch_remove(struct session *s, enum debug_kind kind,
			 uint64_t addr, uint64_t len);
/* Signals that are no stop condition in either direction (gdb's
 * QPassSignals): bit sig - 1 of mask, for Linux signal numbers 1-64;
 * replaces the previous set. */
void session_pass_signals(struct session *s, uint64_t mask);

enum session_stop_reason {
	SESSION_STOP_NONE,
	SESSION_STOP_STEP,	/* a step (or a seek) completed */
	SESSION_STOP_BREAK,	/* breakpoint at addr */
	SESSION_STOP_WATCH,	/* watchpoint: kind, addr = the data address
				   accessed (within the watched range) */
	SESSION_STOP_SIGNAL,	/* sig is about to be delivered */
	SESSION_STOP_START,	/* the start of the history, going back */
	SESSION_STOP_END,	/* the end of the history, going forwards */
	SESSION_STOP_EXITED,	/* ran past the end: wait_status */
	SESSION_STOP_INTERRUPT,	/* the interrupt callback said so */
	SESSION_STOP_ERROR,	/* replay failed: session_error() */
};

struct session_stop {
	enum session_stop_reason reason;
	enum debug_kind watch_kind;
	uint64_t addr;
	int sig;
	int wait_status;
	uint64_t icount;	/* where the session now stands */
};

/* Called between stretches of execution (a few hundred ms apart at
 * most); returning non-zero interrupts the run (gdb's ^C). */
void session_set_interrupt(struct session *s, int (*poll)(void *ctx),
			   void *ctx);

/* Run until a stop condition, forwards or backwards (reverse != 0). */
int session_continue(struct session *s, int reverse, struct session_stop *st);
/* Execute one instruction (one iteration of a rep string instruction),
 * forwards or backwards. */
int session_step(struct session *s, int reverse, struct session_stop *st);
/* Go to icount t of the history directly (no stop conditions): STEP, or
 * END when t lies beyond the end, which is where the session then is. */
int session_seek(struct session *s, uint64_t t, struct session_stop *st);
/* All three return 0, or a negative code when the session cannot go on
 * (st->reason is then SESSION_STOP_ERROR). */

/* ------------------------------------------------------------ memory */

/* Read guest memory: the number of bytes read, up to the first byte that
 * is not mapped (protection is ignored, as for a debugger). */
size_t session_read_memory(struct session *s, uint64_t addr, void *buf,
			   size_t len);

/* ------------------------------------------------------- diversions */

/*
 * Writing registers or memory enters a diversion: a throwaway copy of
 * the current moment (the recorded timeline is kept aside).  In a
 * diversion the guest runs without the journal (its syscalls touch
 * nothing outside: see syscall.c) so that gdb can call functions.  The
 * diversion ends, and the session is back at the moment it left, when a
 * reverse command arrives, or a forward one while the registers are
 * back to what they were at that moment (gdb restores them after an
 * inferior call), or with session_leave_diversion().
 */
struct cpu *session_cpu_for_write(struct session *s);
/* Bytes written, up to the first that is not mapped. */
size_t session_write_memory(struct session *s, uint64_t addr,
			    const void *buf, size_t len);
int session_leave_diversion(struct session *s);

/* ------------------------------------------------------------ index */

/*
 * Run to the end of the history (taking snapshots at the current
 * spacing) and store every snapshot in the trace: records and pages as
 * blobs, their list under the meta key "snapshots".  Later sessions start
 * with them.  Needs opts.update_trace.  0, or a negative code with one
 * line in err.  *count and *bytes: snapshots and page bytes written.
 */
int session_index_save(struct session *s, uint64_t *count, uint64_t *bytes,
		       char *err, size_t errlen);

/* ------------------------------------------------------------ state */

struct session_stats {
	uint64_t snapshots;
	uint64_t snapshot_bytes;	/* pages, tree nodes and records */
	uint64_t peak_bytes;
	uint64_t budget;
	uint64_t pages;			/* distinct stored pages */
	uint64_t interval;		/* current snapshot spacing */
	uint64_t thinned;		/* snapshots dropped for the budget */
	uint64_t executed;		/* instructions executed in total */
	uint64_t loaded;		/* snapshots read from the index */
};

void session_get_stats(const struct session *s, struct session_stats *st);

/* Hash of the guest state (registers and memory, as the recorder's
 * final state check): for tests that compare two ways of reaching one
 * moment. */
void session_state_hash(struct session *s, uint8_t out[32]);

#endif
