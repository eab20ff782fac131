/*
 * fpu.h - x87/SSE state images (implemented in exec_x87.c).
 *
 * The 512-byte FXSAVE image is the exchange format for fxsave/fxrstor, the
 * fpstate of a signal frame and, later, snapshots and the gdb stub.
 */
#ifndef REWIND_ENGINE_FPU_H
#define REWIND_ENGINE_FPU_H

#include <stdint.h>
#include "engine/cpu.h"

/* Write the FXSAVE image (64-bit format) of c into img. */
void fpu_fxsave(const struct cpu *c, uint8_t img[512]);
/* Load an FXSAVE image; returns -1 (and changes nothing) if the MXCSR in it
 * has reserved bits set, as fxrstor would #GP. */
int fpu_fxrstor(struct cpu *c, const uint8_t img[512]);
/* finit: fcw 0x37f, fsw 0, all tags empty, top 0. */
void fpu_init(struct cpu *c);

#endif
