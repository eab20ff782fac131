/*
 * snapshot.h - the complete state of a replaying guest at one moment.
 *
 * Owns: capturing and restoring everything replay depends on: the cpu's
 * architectural state and icount, the process state (fd table, signal
 * dispositions, masks and pending signals, brk, identity, limits, ...),
 * the mappings with their protections, and every page's contents (as a
 * pagetree of stored pages).  The journal position is the session's to
 * save and set, next to the snapshot.
 *
 * Snapshots are incremental: a capture starts from the snapshot memory
 * was last synchronised with (the "base": the last one captured or
 * restored) and stores only the pages src/mem noted as changed since
 * then; a restore writes only the pages that differ between the base
 * (plus what changed since) and the target.  Both leave change tracking
 * reset, the new snapshot (or the target) being the base from then on.
 *
 * Does not own: when snapshots are taken or dropped (session.c, which
 * also keeps them under the memory budget), the page contents
 * (src/gc/pagestore.h).
 */
#ifndef REWIND_REPLAY_SNAPSHOT_H
#define REWIND_REPLAY_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "engine/cpu.h"
#include "mem/mem.h"
#include "replay/pagetree.h"

struct proc;

struct snapshot {
	uint64_t icount;
	uint64_t event;			/* journal position (the session's) */
	struct cpu cpu;			/* architectural part valid */
	struct proc *proc;		/* a copy of the process state */
	struct mem_region *regions;
	size_t nreg;
	uint64_t brk_start, brk_cur;
	struct pagetree pages;
	uint64_t bytes;			/* memory of this record, pages aside */
};

/*
 * Capture p's state.  base: the snapshot memory was last synchronised
 * with (NULL only for the first capture, which reads every mapped page
 * and starts change tracking).  0 or -ENOMEM.
 */
int snapshot_capture(struct ptstore *st, const struct snapshot *base,
		     struct proc *p, struct snapshot **out);

/* Make p's state equal to target; base as for capture (NULL: memory is
 * unknown, every page is written).  0, or -errno (then p is unusable). */
int snapshot_restore(struct ptstore *st, const struct snapshot *base,
		     const struct snapshot *target, struct proc *p);

void snapshot_free(struct ptstore *st, struct snapshot *s);

#endif
