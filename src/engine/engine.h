/*
 * engine.h - the interface every execution engine implements.
 *
 * The interpreter (interp.c) is the reference; the JIT and the KVM backend
 * will implement the same ops on the same struct cpu, memory and syscall
 * layer.  An engine runs one guest thread until something the caller must
 * see happens.
 */
#ifndef REWIND_ENGINE_ENGINE_H
#define REWIND_ENGINE_ENGINE_H

#include <stdint.h>
#include "engine/cpu.h"

enum engine_stop {
	ENGINE_STOP_EXIT,	/* the process exited (c->proc->exited) */
	ENGINE_STOP_ICOUNT,	/* c->icount reached the limit */
	ENGINE_STOP_FAULT,	/* a fault, when no process owns the cpu
				   (unit tests); c->fault says which */
	ENGINE_STOP_DEBUG,	/* a stop condition of c->dbg was hit
				   (debug.h); c->dbg->hit says which */
};

struct engine_ops {
	const char *name;
	/* Run c until the process exits or c->icount reaches icount_limit
	 * (UINT64_MAX for no limit).  Faults become guest signals when
	 * c->proc is set. */
	enum engine_stop (*run)(struct cpu *c, uint64_t icount_limit);
	/* Forget decoded code in [addr, addr + len). */
	void (*invalidate)(struct cpu *c, uint64_t addr, uint64_t len);
	/* Free the engine's state for c (c->engine_data). */
	void (*release)(struct cpu *c);
};

extern const struct engine_ops interp_engine;

/* The exact icount of the instruction being executed (or of the next one
 * between instructions): c->icount is only brought up to date per block. */
uint64_t engine_icount(const struct cpu *c);

/* The engine called name, or NULL. */
const struct engine_ops *engine_find(const char *name);

/* Reset c to the state of a fresh thread: registers zero, x87 after finit,
 * MXCSR 0x1f80, rflags 0x202.  mem_base is kept. */
void cpu_reset(struct cpu *c);

#endif
