/*
 * x87_int.h - engine-internal entry points of the x87 unit (exec_x87.c)
 * for handlers that live in other exec_*.c files.
 */
#ifndef REWIND_ENGINE_X87_INT_H
#define REWIND_ENGINE_X87_INT_H

#include "engine/cpu.h"
#include "engine/insn.h"

/* fwait (9B): raise the deferred x87 #MF (SIGFPE with Linux's si_code,
 * si_addr = i->addr) when an unmasked exception is pending; otherwise a
 * no-op.  MMX instructions check the same condition on hardware. */
void x87_fwait(struct cpu *c, const struct insn *i);

#endif
