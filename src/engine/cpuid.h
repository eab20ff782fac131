/*
 * cpuid.h - the guest CPU model.
 *
 * One fixed, documented model, identical in every engine and on every host
 * (DESIGN.md): x86-64 baseline (v1): SSE, SSE2, x87, CMOV, CX8, FXSR, MMX,
 * SYSCALL, NX, LM.  No SSE3+, no AVX, no RDRAND, so libcs pick baseline
 * paths.  Instructions outside the model raise SIGILL.
 */
#ifndef REWIND_ENGINE_CPUID_H
#define REWIND_ENGINE_CPUID_H

#include <stdint.h>

/* Fill out[0..3] = eax, ebx, ecx, edx for leaf/subleaf. */
void cpuid_query(uint32_t leaf, uint32_t subleaf, uint32_t out[4]);

#endif
