/*
 * nondet.h - instructions that read the outside world.
 *
 * rdtsc, rdtscp, rdpid, rdrand and rdseed are nondeterministic inputs.  The
 * engines get their values only from here, so that the recorder can journal
 * them and replay can feed them back (DESIGN.md, determinism contract).
 */
#ifndef REWIND_OS_NONDET_H
#define REWIND_OS_NONDET_H

#include <stdint.h>
#include "engine/cpu.h"

uint64_t nondet_rdtsc(struct cpu *c);
/* Random value of width bytes; returns the carry flag (1 = valid). */
int nondet_rdrand(struct cpu *c, int width, uint64_t *out);

#endif
