/*
 * debug.h - the stop conditions engines check for a debugger:
 * breakpoints, watchpoints and signals.
 *
 * Owns: the breakpoint addresses and watched ranges of one cpu, and how a
 * hit is reported.  A cpu without a struct cpu_debug (c->dbg == NULL) runs
 * at full speed and checks nothing.  With one attached:
 *
 *   - stop mode: the engine returns ENGINE_STOP_DEBUG at the first hit,
 *     with d->hit describing it.  A breakpoint stops before the instruction
 *     at its address executes; a watchpoint stops after the accessing
 *     instruction (after the one iteration, for a rep string instruction,
 *     since each iteration counts as one instruction); a signal stops
 *     before it is delivered, with rip on the faulting instruction for a
 *     fault.
 *   - log mode (d->log set): every hit is passed to d->log and execution
 *     goes on.  Reverse execution scans an interval of the past this way
 *     and keeps the last hit.
 *
 * Moments are icounts (engine.h): a breakpoint or signal hit at icount t
 * is "before instruction t executes"; a watchpoint hit at icount t is
 * "instruction t made the access" (so the stop lands at t + 1 going
 * forwards, and at t going backwards).
 *
 * Does not own: what a hit means to the user or which hit to report (that
 * is src/replay's), or the code cache: after changing breakpoints the
 * caller drops decoded code at the address (engine_ops.invalidate), since
 * engines mark breakpoint instructions when they decode them, from the
 * set in c->breaks (the owner's, attached or not: code decoded in a run
 * without stop conditions is reused in one with them).
 */
#ifndef REWIND_ENGINE_DEBUG_H
#define REWIND_ENGINE_DEBUG_H

#include <stddef.h>
#include <stdint.h>
#include "engine/cpu.h"

enum debug_kind {
	DBG_NONE,
	DBG_BREAK,		/* an instruction address */
	DBG_WATCH_WRITE,	/* a write to a watched range */
	DBG_WATCH_READ,		/* a read */
	DBG_WATCH_ACCESS,	/* either */
	DBG_SIGNAL,		/* a signal about to be delivered */
	DBG_CANCEL,		/* log mode: forget hits at this icount (the
				   instruction faulted before completing) */
	DBG_DELIVERED,		/* a signal was delivered (stop_after_signal) */
};

struct debug_hit {
	enum debug_kind kind;
	uint64_t icount;	/* the moment, see above */
	uint64_t addr;		/* breakpoint address, or the start of the
				   watched range that was touched */
	uint64_t access;	/* watch: the address accessed */
	uint64_t rip;		/* the instruction (break, watch, fault) */
	int write;		/* watch: the access was a write */
	int sig;		/* DBG_SIGNAL */
};

struct debug_watch {
	uint64_t addr, len;
	enum debug_kind kind;	/* DBG_WATCH_* */
};

struct cpu_debug {
	uint64_t *bp;			/* sorted, unique */
	size_t nbp, capbp;
	struct debug_watch *w;
	size_t nw, capw;
	int stop_signals;		/* signals are stop conditions, */
	uint64_t pass_signals;		/* but not these: bit sig - 1 */
	/* Resuming from a stop: the breakpoint at exactly this icount and
	 * address, or the signal at this icount, does not stop again
	 * (UINT64_MAX: none).  The address matters: a signal handler's first
	 * instruction has the icount of the instruction interrupted. */
	uint64_t skip_break, skip_break_addr, skip_signal;
	/* Stop right after a signal is delivered, before the handler's first
	 * instruction (a single step from a signal stop). */
	int stop_after_signal;
	/* Log mode, when log is set. */
	void (*log)(void *ctx, const struct debug_hit *h);
	void *log_ctx;
	/* Stop mode: the hit that stopped the engine. */
	struct debug_hit hit;
	int have_hit;
};

/* An empty debug state (no stops, skips cleared). */
void debug_init(struct cpu_debug *d);
void debug_free(struct cpu_debug *d);

/* Attach d to c (NULL detaches) and set c's watch filter from it. */
void debug_attach(struct cpu *c, struct cpu_debug *d);

/* Breakpoints: 0, or -ENOMEM; removing an absent one is -ENOENT. */
int debug_break_add(struct cpu_debug *d, uint64_t addr);
int debug_break_del(struct cpu_debug *d, uint64_t addr);
int debug_is_break(const struct cpu_debug *d, uint64_t addr);

/* Watchpoints on [addr, addr + len), len >= 1.  The cpu's filter is
 * recomputed when d is attached to c (pass c, or NULL).  -EINVAL for an
 * empty or wrapping range, -ENOENT when removing an absent one. */
int debug_watch_add(struct cpu_debug *d, struct cpu *c, uint64_t addr,
		    uint64_t len, enum debug_kind kind);
int debug_watch_del(struct cpu_debug *d, struct cpu *c, uint64_t addr,
		    uint64_t len, enum debug_kind kind);

/* ---------------------------------------------- called by the engines */

/*
 * The slow path of a guest access [a, a+n) that passed the cpu's filter
 * (a < c->watch_hi && a + n > c->watch_lo).  Records or logs the hit; in
 * stop mode lowers c->icount_limit so that the run ends after this
 * instruction.
 */
void debug_watch_access(struct cpu *c, uint64_t a, uint64_t n, int write);

/* The instruction at addr, at icount now, has a breakpoint: 1 when the
 * engine must stop before it (stop mode), 0 to go on. */
int debug_break_hit(struct cpu *c, uint64_t addr, uint64_t now);

/* Signal sig is about to be delivered at the current icount: 1 when the
 * engine must stop before delivering it. */
int debug_signal_hit(struct cpu *c, int sig);

/* The current instruction faulted: hits it logged do not count. */
void debug_fault(struct cpu *c);

/* A signal was just delivered: 1 when the engine must stop now
 * (stop_after_signal). */
int debug_signal_delivered(struct cpu *c);

#endif
