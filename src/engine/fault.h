/*
 * fault.h - raising guest faults from inside an instruction.
 *
 * A handler that detects a fault (bad address, divide error, undefined
 * opcode, ...) calls cpu_raise(), which records the fault in c->fault and
 * jumps to the run loop's landing pad; the instruction does not retire and
 * the run loop turns the fault into a guest signal (src/os/signal.c).  Host
 * SIGSEGV/SIGBUS raised by an access to guest memory arrive at the same pad
 * (src/mem/mem.c).  Guest faults are never host errors.
 */
#ifndef REWIND_ENGINE_FAULT_H
#define REWIND_ENGINE_FAULT_H

#include <stdint.h>
#include "engine/cpu.h"

/* x86 exception vectors, for trapno in the signal frame. */
enum {
	TRAP_DE = 0, TRAP_DB = 1, TRAP_BP = 3, TRAP_UD = 6, TRAP_NM = 7,
	TRAP_GP = 13, TRAP_PF = 14, TRAP_MF = 16, TRAP_AC = 17, TRAP_XM = 19,
};

/* Record a fault and unwind to the run loop.  Never returns. */
__attribute__((noreturn, cold))
void cpu_raise(struct cpu *c, int sig, int code, uint64_t addr, int trapno,
	       uint64_t err);

/* Convenience wrappers with Linux's si_code and trap numbers. */
__attribute__((noreturn, cold)) void cpu_raise_ud(struct cpu *c);
__attribute__((noreturn, cold)) void cpu_raise_de(struct cpu *c);
__attribute__((noreturn, cold)) void cpu_raise_gp(struct cpu *c);
/* A #PF-style SIGSEGV for guest address a (MAPERR or ACCERR decided from
 * the mapping table), or SIGSEGV SI_KERNEL for a non-canonical address. */
__attribute__((noreturn, cold))
void cpu_raise_bad_address(struct cpu *c, uint64_t a, int write);

#endif
