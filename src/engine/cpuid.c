/*
 * cpuid.c - the guest CPU model (see cpuid.h).
 *
 * The model is x86-64-v1 ("baseline").  Software keys behaviour off the
 * vendor (glibc's cache-size tuning reads leaf 4 on Intel), so the vendor
 * is the ordinary "GenuineIntel" and leaf 4 describes one fixed cache
 * hierarchy.  Nothing here depends on the host.
 */
#include <cpuid.h>
#include <string.h>

#include "engine/cpu.h"
#include "engine/cpuid.h"

/* Leaf 1 EDX: FPU TSC CX8 CMOV MMX FXSR SSE SSE2, plus PSE/MSR/PAE/MCE/
 * APIC/SEP/MTRR/PGE/MCA/PAT/CLFSH that say nothing about the ISA. */
#define L1_EDX ((1u << 0) | (1u << 3) | (1u << 4) | (1u << 5) | (1u << 6) | \
		(1u << 7) | (1u << 8) | (1u << 9) | (1u << 11) | (1u << 12) | \
		(1u << 13) | (1u << 14) | (1u << 15) | (1u << 16) | \
		(1u << 19) | (1u << 23) | (1u << 24) | (1u << 25) | (1u << 26))
/* Leaf 1 ECX: nothing beyond SSE2 in v1 (bit 31 "hypervisor" stays
 * clear); v2 adds SSE3 (0), SSSE3 (9), CX16 (13), SSE4.1 (19), SSE4.2 (20)
 * and POPCNT (23). */
#define L1_ECX_V1 0u
#define L1_ECX_V2 ((1u << 0) | (1u << 9) | (1u << 13) | (1u << 19) | \
		   (1u << 20) | (1u << 23))
/* Leaf 0x80000001 EDX: SYSCALL, NX, LM; ECX: LAHF/SAHF in 64-bit mode
 * (v2 only). */
#define X1_EDX ((1u << 11) | (1u << 20) | (1u << 29))
#define X1_ECX_V2 (1u << 0)

static void put_str(uint32_t out[4], const char *s12, int order[3])
{
	for (int i = 0; i < 3; i++)
		memcpy(&out[order[i]], s12 + 4 * i, 4);
}

int cpuid_parse_level(const char *name)
{
	if (!strcmp(name, "x86-64-v1") || !strcmp(name, "v1"))
		return CPU_LEVEL_V1;
	if (!strcmp(name, "x86-64-v2") || !strcmp(name, "v2"))
		return CPU_LEVEL_V2;
	return 0;
}

void cpuid_query(int level, uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
	char brand[48] = "rewind virtual x86-64-v1 CPU";
	if (level >= CPU_LEVEL_V2)
		brand[23] = '2';
	memset(out, 0, 4 * sizeof(uint32_t));
	switch (leaf) {
	case 0: {
		int order[3] = { 1, 3, 2 };	/* ebx, edx, ecx */
		out[0] = 4;
		put_str(out, "GenuineIntel", order);
		break;
	}
	case 1:
		/* Family 6, model 0x0f (a Core 2 era part): old enough that
		 * no software expects features we lack. */
		out[0] = 0x000006f1;
		out[1] = (8u << 8) | (1u << 16);	/* clflush 64 bytes, 1 lp */
		out[2] = level >= CPU_LEVEL_V2 ? L1_ECX_V2 : L1_ECX_V1;
		out[3] = L1_EDX;
		break;
	case 2:
		/* al = 1 (call once); descriptor 0xff: "see leaf 4". */
		out[0] = 0x0000ff01;
		break;
	case 4: {
		/* Deterministic cache parameters: L1d 32K 8-way, L1i 32K
		 * 8-way, L2 256K 4-way, L3 8M 16-way; 64-byte lines. */
		static const struct { uint32_t type_level, ways, sets; } cache[4] = {
			{ 0x21, 8, 64 }, { 0x22, 8, 64 }, { 0x43, 4, 1024 },
			{ 0x63, 16, 8192 },
		};
		if (subleaf < 4) {
			out[0] = cache[subleaf].type_level;
			out[1] = ((cache[subleaf].ways - 1) << 22) | 63;
			out[2] = cache[subleaf].sets - 1;
			out[3] = subleaf == 3 ? 2 : 0;	/* L3 inclusive */
		}
		break;
	}
	case 0x80000000:
		out[0] = 0x80000008;
		break;
	case 0x80000001:
		out[2] = level >= CPU_LEVEL_V2 ? X1_ECX_V2 : 0;
		out[3] = X1_EDX;
		break;
	case 0x80000002: case 0x80000003: case 0x80000004:
		memcpy(out, brand + 16 * (leaf - 0x80000002), 16);
		break;
	case 0x80000006:
		out[2] = (256u << 16) | (6u << 12) | 64;	/* L2 256K */
		break;
	case 0x80000008:
		out[0] = 0x3030;	/* 48-bit physical and virtual */
		break;
	default:
		/* Leaves above the maximum return the highest basic leaf's
		 * data on Intel; an all-zero answer is what a careful
		 * model reports and what software handles. */
		break;
	}
}

int cpuid_host_supports(int level)
{
	/* The ALU handlers read flags with lahf (alu.h), which the first
	 * AMD64 and EM64T CPUs lacked in 64-bit mode. */
	unsigned a, b, c, d;
	if (!__get_cpuid(0x80000001, &a, &b, &c, &d) || !(c & 1))
		return 0;
	if (level < 2)
		return 1;
	return __builtin_cpu_supports("sse3") &&
	       __builtin_cpu_supports("ssse3") &&
	       __builtin_cpu_supports("sse4.1") &&
	       __builtin_cpu_supports("sse4.2") &&
	       __builtin_cpu_supports("popcnt");
}
