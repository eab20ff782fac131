/*
 * operand.h - reading and writing instruction operands.
 *
 * Inline helpers every handler uses: effective addresses, guest memory loads
 * and stores of 1-16 bytes (faulting like the hardware would), and general
 * register access by operand size with x86's partial-register rules.
 */
#ifndef REWIND_ENGINE_OPERAND_H
#define REWIND_ENGINE_OPERAND_H

#include <stdint.h>
#include <string.h>
#include "engine/cpu.h"
#include "engine/debug.h"
#include "engine/fault.h"
#include "engine/insn.h"
#include "mem/layout.h"

#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/* Effective address of the memory operand of i (valid when i->mod != 3). */
static inline uint64_t insn_ea(const struct cpu *c, const struct insn *i)
{
	uint64_t a = (uint64_t)i->disp;
	if (i->base != REG_NONE)
		a += c->gpr[i->base];
	if (i->index != REG_NONE)
		a += c->gpr[i->index] << i->scale;
	if (i->asize == 4)
		a = (uint32_t)a;
	if (i->seg == SEG_FS)
		a += c->fs_base;
	else if (i->seg == SEG_GS)
		a += c->gs_base;
	return a;
}

/* Host pointer for an access of n bytes at guest address a.  Addresses at
 * or above GUEST_LIMIT fault here; an access that starts below the limit
 * and runs past it lands in the guard pages and faults in the host, which
 * src/mem translates back.  Permission faults also come from the host.
 * An access that may touch a watched range goes to the debugger's slow
 * path (debug.h); with no watchpoint that costs one compare. */
static inline uint8_t *guest_ptr(struct cpu *c, uint64_t a, uint64_t n,
				 int write)
{
	if (unlikely(a >= GUEST_LIMIT))
		cpu_raise_bad_address(c, a, write);
	if (unlikely(a < c->watch_hi) && a + n > c->watch_lo)
		debug_watch_access(c, a, n, write);
	return c->mem_base + a;
}

static inline uint8_t mem_read8(struct cpu *c, uint64_t a)
{
	return *guest_ptr(c, a, 1, 0);
}
static inline uint16_t mem_read16(struct cpu *c, uint64_t a)
{
	uint16_t v;
	memcpy(&v, guest_ptr(c, a, 2, 0), 2);
	return v;
}
static inline uint32_t mem_read32(struct cpu *c, uint64_t a)
{
	uint32_t v;
	memcpy(&v, guest_ptr(c, a, 4, 0), 4);
	return v;
}
static inline uint64_t mem_read64(struct cpu *c, uint64_t a)
{
	uint64_t v;
	memcpy(&v, guest_ptr(c, a, 8, 0), 8);
	return v;
}
static inline void mem_read128(struct cpu *c, uint64_t a, union xmm *out)
{
	memcpy(out, guest_ptr(c, a, 16, 0), 16);
}
static inline void mem_write8(struct cpu *c, uint64_t a, uint8_t v)
{
	*guest_ptr(c, a, 1, 1) = v;
}
static inline void mem_write16(struct cpu *c, uint64_t a, uint16_t v)
{
	memcpy(guest_ptr(c, a, 2, 1), &v, 2);
}
static inline void mem_write32(struct cpu *c, uint64_t a, uint32_t v)
{
	memcpy(guest_ptr(c, a, 4, 1), &v, 4);
}
static inline void mem_write64(struct cpu *c, uint64_t a, uint64_t v)
{
	memcpy(guest_ptr(c, a, 8, 1), &v, 8);
}
static inline void mem_write128(struct cpu *c, uint64_t a, const union xmm *v)
{
	memcpy(guest_ptr(c, a, 16, 1), v, 16);
}

/* Read/write n bytes (1, 2, 4 or 8), zero-extended. */
static inline uint64_t mem_read_n(struct cpu *c, uint64_t a, int n)
{
	switch (n) {
	case 1: return mem_read8(c, a);
	case 2: return mem_read16(c, a);
	case 4: return mem_read32(c, a);
	default: return mem_read64(c, a);
	}
}
static inline void mem_write_n(struct cpu *c, uint64_t a, int n, uint64_t v)
{
	switch (n) {
	case 1: mem_write8(c, a, (uint8_t)v); break;
	case 2: mem_write16(c, a, (uint16_t)v); break;
	case 4: mem_write32(c, a, (uint32_t)v); break;
	default: mem_write64(c, a, v); break;
	}
}

/* Check that [a, a+n) can be written, faulting as the first failing byte
 * would, before any of it is written (for multi-part stores). */
void mem_probe_write(struct cpu *c, uint64_t a, uint64_t n);

/* General register r read at operand size n (1, 2, 4, 8).  For n == 1
 * without a REX prefix, registers 4-7 are AH, CH, DH, BH. */
static inline uint64_t reg_read(const struct cpu *c, int r, int n, int rex)
{
	switch (n) {
	case 1:
		if (!rex && r >= 4 && r < 8)
			return (uint8_t)(c->gpr[r - 4] >> 8);
		return (uint8_t)c->gpr[r];
	case 2: return (uint16_t)c->gpr[r];
	case 4: return (uint32_t)c->gpr[r];
	default: return c->gpr[r];
	}
}

/* Write with x86 rules: 8 and 16-bit writes merge, 32-bit writes
 * zero-extend to 64 bits. */
static inline void reg_write(struct cpu *c, int r, int n, uint64_t v, int rex)
{
	switch (n) {
	case 1:
		if (!rex && r >= 4 && r < 8)
			c->gpr[r - 4] = (c->gpr[r - 4] & ~0xff00ULL) |
					((v & 0xff) << 8);
		else
			c->gpr[r] = (c->gpr[r] & ~0xffULL) | (v & 0xff);
		break;
	case 2: c->gpr[r] = (c->gpr[r] & ~0xffffULL) | (v & 0xffff); break;
	case 4: c->gpr[r] = (uint32_t)v; break;
	default: c->gpr[r] = v; break;
	}
}

/* The r/m operand of i at size n: register or memory. */
static inline uint64_t rm_read(struct cpu *c, const struct insn *i, int n)
{
	if (i->mod == 3)
		return reg_read(c, i->rm, n, i->rex);
	return mem_read_n(c, insn_ea(c, i), n);
}
static inline void rm_write(struct cpu *c, const struct insn *i, int n,
			    uint64_t v)
{
	if (i->mod == 3)
		reg_write(c, i->rm, n, v, i->rex);
	else
		mem_write_n(c, insn_ea(c, i), n, v);
}

/* Stack helpers (64-bit stack; 16-bit pushes with a 66 prefix). */
static inline void push64(struct cpu *c, uint64_t v)
{
	uint64_t sp = c->gpr[R_RSP] - 8;
	mem_write64(c, sp, v);
	c->gpr[R_RSP] = sp;
}
static inline uint64_t pop64(struct cpu *c)
{
	uint64_t v = mem_read64(c, c->gpr[R_RSP]);
	c->gpr[R_RSP] += 8;
	return v;
}

#endif
