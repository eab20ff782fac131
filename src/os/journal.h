/*
 * journal.h - recording the guest's inputs into a trace, and feeding them
 * back on replay.
 *
 * Owns: the link between the VM boundary (syscalls, rdtsc, AT_RANDOM,
 * file mappings) and the trace file (src/trace).  While recording, every
 * syscall becomes an event (journaled calls with their result and every
 * byte the kernel wrote into guest memory; emulated calls with their
 * result, as a divergence check).  While replaying, journaled calls are
 * not executed: the journal supplies their results and memory; emulated
 * calls run inside the VM and are checked against the recording.  Any
 * mismatch stops the replay with a report (DESIGN.md, contract 5).
 *
 * Does not own: the trace format (src/trace), the syscall semantics
 * (syscall table in syscall.c), the command line (src/cli).
 */
#ifndef REWIND_OS_JOURNAL_H
#define REWIND_OS_JOURNAL_H

#include <stddef.h>
#include <stdint.h>
#include "engine/cpu.h"

struct proc;
struct trace;
struct syscall_desc;

enum journal_mode { JOURNAL_RECORD = 1, JOURNAL_REPLAY = 2 };

struct journal;

/* Start a journal on an open trace (the journal does not own it). */
int journal_create(struct trace *t, enum journal_mode mode,
		   struct journal **out);
/* Flush pending events (recording) and free the journal. */
int journal_destroy(struct journal *j);
enum journal_mode journal_mode(const struct journal *j);

/* Number of events written or consumed so far. */
uint64_t journal_position(const struct journal *j);

/*
 * Replay failure: the first divergence or trace error, as one line of
 * text naming the event index, the icount, the guest rip and what was
 * expected versus what happened.  NULL while all is well.
 */
const char *journal_failure(const struct journal *j);
/* The trace error code behind a failure caused by a bad trace (0 for a
 * divergence). */
int journal_failure_code(const struct journal *j);
/* The guest rip at the failure (for symbolizing the report), and the
 * icount of the instruction that met it. */
uint64_t journal_failure_rip(const struct journal *j);
uint64_t journal_failure_icount(const struct journal *j);

/* Replay: continue from event seq (the state of the guest having been
 * restored to a moment where it is next), forgetting any failure. */
void journal_seek(struct journal *j, uint64_t seq);
/* Replay: the number of events in the trace. */
uint64_t journal_event_count(const struct journal *j);

/*
 * Syscalls (called by os_syscall).  journal_syscall() executes or replays
 * the call described by d (NULL for an unknown number) and returns its
 * result.  On a replay failure it ends the process (the run loop stops)
 * and journal_failure() says why.
 */
int64_t journal_syscall(struct proc *p, struct cpu *c,
			const struct syscall_desc *d, uint64_t nr,
			const uint64_t a[6]);
/* The kernel (a journaled call running on the host) wrote guest memory. */
void journal_wrote(struct proc *p, uint64_t addr, uint64_t len);

/* Nondeterministic instructions and the initial state. */
uint64_t journal_rdtsc(struct proc *p, struct cpu *c, uint64_t host_value);
int journal_random_bytes(struct proc *p, uint8_t out[16]);

/* The exit event: records (or checks) the wait status and the final
 * state hash. */
void journal_exit(struct proc *p, struct cpu *c);

/* SHA-256 of the guest state: registers, x87/SSE state and the contents
 * and protections of every mapping. */
void journal_state_hash(struct proc *p, struct cpu *c, uint8_t out[32]);

#endif
