/*
 * cpuid.h - the guest CPU model.
 *
 * Fixed, documented models, identical in every engine and on every host
 * (DESIGN.md), named after the x86-64 psABI levels:
 *   v1: x87, MMX, SSE, SSE2, CMOV, CX8, FXSR, SYSCALL, NX, LM.
 *   v2: v1 + SSE3, SSSE3, SSE4.1, SSE4.2, POPCNT, CMPXCHG16B, LAHF/SAHF.
 * No AVX, no RDRAND/RDSEED, no RDTSCP.  Instructions outside the selected
 * model raise SIGILL.
 */
#ifndef REWIND_ENGINE_CPUID_H
#define REWIND_ENGINE_CPUID_H

#include <stdint.h>

/* Fill out[0..3] = eax, ebx, ecx, edx for leaf/subleaf. */
void cpuid_query(int level, uint32_t leaf, uint32_t subleaf, uint32_t out[4]);

/* Parse "x86-64-v1"/"x86-64-v2" (also "v1"/"v2"); returns the level or 0. */
int cpuid_parse_level(const char *name);

/* 1 when the host CPU can run the handlers of model `level` (all of them
 * use lahf in 64-bit mode; the v2 handlers execute SSE4.2 and POPCNT
 * instructions on the host). */
int cpuid_host_supports(int level);

#endif
