/*
 * exec_sse.c - SSE, SSE2 and MMX instructions.
 *
 * Owns these slots of the 0F map (all four mandatory-prefix classes):
 * 10-17, 28-2F, 50-7F except 77 (emms, exec_x87.c), C2-C6, D0-FF.  In
 * 60-7F, C4, C5 and D0-FF the class PFX_NONE is the MMX form, which works on
 * mm0-7 (the significands of the x87 registers), first raises a pending
 * x87 #MF like a waiting x87 instruction, and switches the x87 unit into
 * MMX mode (TOP = 0, all tags valid) once it can no longer fault.  0F AE
 * (ldmxcsr/stmxcsr/fences) belongs to exec_x87.c.
 *
 * This file is the x86-64-v1 part.  The SSE3, SSSE3 and SSE4 encodings in
 * these slots (movsldup, movddup, movshdup, haddps/pd, hsubps/pd,
 * addsubps/pd, lddqu) and the 0F38/0F3A maps are left to exec_sse3.c and
 * exec_sse4.c, whose installers run only for the x86-64-v2 table, so in
 * the v1 model they stay op_ud.
 *
 * Floating point runs as the host's own SSE instruction under the guest's
 * MXCSR (see exec_sse_int.h), so results, integer-indefinite conversions and
 * exception flags match hardware bit for bit.  Integer SIMD uses SSE2
 * intrinsics, with MMX forms computed in the low half of an xmm value.
 *
 * Known determinism gap: rcpps/rcpss/rsqrtps/rsqrtss return an
 * implementation-specific approximation (Intel and AMD differ), and the
 * guest gets the host's value.  A trace recorded on one vendor can diverge
 * when replayed on the other if the program depends on those bits.
 */
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include "engine/cpu.h"
#include "engine/exec_sse_int.h"
#include "engine/fault.h"
#include "engine/insn.h"
#include "engine/operand.h"

#define IMM8(i) ((unsigned)(i)->imm & 0xff)

static inline union xmm xmm_u(__m128i v)
{
	union xmm u;
	memcpy(&u, &v, 16);
	return u;
}

/* ---- #XM ------------------------------------------------------------------ */

/* The host ran the operation with everything masked, so f holds every flag
 * any element raised.  Hardware reports no post-computation exception (OE,
 * UE, PE) once an unmasked pre-computation one (IE, DE, ZE) is found, and
 * leaves the destination alone.  si_code follows Linux's
 * fpu__exception_code(), which looks at all set and unmasked flags in
 * MXCSR, sticky ones included.
 */
void sse_raise_xm(struct cpu *c, const struct insn *i, uint32_t f)
{
	uint32_t unmasked = f & ~(c->mxcsr >> 7) & MXCSR_FLAGS;
	int code;

	if (unmasked & (MXCSR_IE | MXCSR_DE | MXCSR_ZE))
		f &= MXCSR_IE | MXCSR_DE | MXCSR_ZE;
	c->mxcsr |= f;
	uint32_t err = c->mxcsr & ~(c->mxcsr >> 7);
	if (err & MXCSR_IE)
		code = FPE_FLTINV;
	else if (err & MXCSR_ZE)
		code = FPE_FLTDIV;
	else if (err & MXCSR_OE)
		code = FPE_FLTOVF;
	else if (err & (MXCSR_DE | MXCSR_UE))
		code = FPE_FLTUND;
	else
		code = FPE_FLTRES;
	cpu_raise(c, SIGFPE, code, i->addr, TRAP_XM, 0);
}

/* ---- PE under unmasked overflow/underflow ---------------------------------
 *
 * A lane's value as sign * m * 2^e with an integer significand m (0 for
 * zero; DAZ flushes denormal inputs).  Returns 0 for infinities and NaNs,
 * which never overflow or underflow.
 */
struct fp_parts {
	int neg, e;
	uint64_t m;
};

static int fp_split(uint64_t bits, int dbl, int daz, struct fp_parts *p)
{
	int mbits = dbl ? 52 : 23, ebits = dbl ? 11 : 8;
	int bias = (1 << (ebits - 1)) - 1;
	uint64_t frac = bits & ((1ull << mbits) - 1);
	int be = (int)((bits >> mbits) & ((1u << ebits) - 1));

	p->neg = (int)(bits >> (mbits + ebits)) & 1;
	if (be == (1 << ebits) - 1)
		return 0;
	if (be == 0) {
		p->m = daz ? 0 : frac;
		p->e = 1 - bias - mbits;
	} else {
		p->m = frac | (1ull << mbits);
		p->e = be - bias - mbits;
	}
	return 1;
}

/* Significant bits of x once trailing zeros are dropped (0 for x == 0). */
static int sig_bits(unsigned __int128 x)
{
	if (!x)
		return 0;
	uint64_t hi = (uint64_t)(x >> 64), lo = (uint64_t)x;
	int top = hi ? 128 - __builtin_clzll(hi) : 64 - __builtin_clzll(lo);
	int tz = lo ? __builtin_ctzll(lo) : 64 + __builtin_ctzll(hi);
	return top - tz;
}

/* Is the exact result of a KIND b representable with `bits` significant
 * bits and an unbounded exponent? */
static int fp_exact_unbounded(enum fp_kind kind, struct fp_parts a,
			      struct fp_parts b, int bits)
{
	switch (kind) {
	case FPK_MUL:
		return sig_bits((unsigned __int128)a.m * b.m) <= bits;
	case FPK_DIV:
		if (!a.m || !b.m)
			return 1;
		a.m >>= __builtin_ctzll(a.m);
		b.m >>= __builtin_ctzll(b.m);
		return a.m % b.m == 0 && sig_bits(a.m / b.m) <= bits;
	case FPK_ADD:
	case FPK_SUB: {
		if (kind == FPK_SUB)
			b.neg ^= 1;
		if (!a.m || !b.m)
			return sig_bits(a.m | b.m) <= bits;
		if (a.e < b.e) {
			struct fp_parts t = a;
			a = b;
			b = t;
		}
		/* Significands are at most 53 bits: beyond a 64-bit gap the
		 * sum spans more than 53 bits and is inexact. */
		if (a.e - b.e > 64)
			return 0;
		unsigned __int128 x = (unsigned __int128)a.m << (a.e - b.e);
		unsigned __int128 y = b.m;
		return sig_bits(a.neg == b.neg ? x + y :
				x > y ? x - y : y - x) <= bits;
	}
	case FPK_CVT:
		return sig_bits(b.m) <= bits;
	default:
		return 1;
	}
}

/* One lane of the operation, in the low lane, under host MXCSR csr. */
static uint32_t fp_lane_flags(enum fp_kind kind, int dbl, __m128i a,
			      __m128i b, uint32_t csr)
{
	switch (kind * 2 + dbl) {
	case FPK_ADD * 2: return FP_ASM("addss", a, b, csr);
	case FPK_ADD * 2 + 1: return FP_ASM("addsd", a, b, csr);
	case FPK_SUB * 2: return FP_ASM("subss", a, b, csr);
	case FPK_SUB * 2 + 1: return FP_ASM("subsd", a, b, csr);
	case FPK_MUL * 2: return FP_ASM("mulss", a, b, csr);
	case FPK_MUL * 2 + 1: return FP_ASM("mulsd", a, b, csr);
	case FPK_DIV * 2: return FP_ASM("divss", a, b, csr);
	case FPK_DIV * 2 + 1: return FP_ASM("divsd", a, b, csr);
	case FPK_CVT * 2 + 1: return FP_ASM("cvtsd2ss", a, b, csr);
	}
	return 0;
}

uint32_t sse_fix_pe(const struct cpu *c, enum fp_kind kind,
		    enum fp_lanes lanes, __m128i a, __m128i b, uint32_t f)
{
	uint32_t unmasked = ~(c->mxcsr >> 7) & MXCSR_FLAGS;
	uint32_t csr = fp_host_csr(c), pe = 0;
	int dbl = kind == FPK_CVT || lanes == FPL_PD || lanes == FPL_SD;
	int bits = kind == FPK_CVT || !dbl ? 24 : 53;
	int n = lanes == FPL_PS ? (kind == FPK_CVT ? 2 : 4) :
		lanes == FPL_PD ? 2 : 1;
	int daz = !!(c->mxcsr & 0x40);
	union xmm ua = xmm_u(a), ub = xmm_u(b);

	/* Unmasked pre-computation exceptions suppress PE altogether. */
	if (f & unmasked & (MXCSR_IE | MXCSR_DE | MXCSR_ZE))
		return f;
	if (unmasked & MXCSR_UE)
		csr &= ~MXCSR_FZ;
	for (int k = 0; k < n; k++) {
		uint64_t va = dbl ? ua.u64[k] : ua.u32[k];
		uint64_t vb = dbl ? ub.u64[k] : ub.u32[k];
		uint32_t fl = fp_lane_flags(kind, dbl, xmm_from64(va),
					    xmm_from64(vb), csr);
		struct fp_parts pa = { 0, 0, 0 }, pb;
		if (!(fl & unmasked & (MXCSR_OE | MXCSR_UE))) {
			pe |= fl & MXCSR_PE;
			continue;
		}
		if ((kind != FPK_CVT && !fp_split(va, dbl, daz, &pa)) ||
		    !fp_split(vb, dbl, daz, &pb))
			continue;
		if (!fp_exact_unbounded(kind, pa, pb, bits))
			pe = MXCSR_PE;
	}
	return (f & ~MXCSR_PE) | pe;
}

/* ---- moves ---------------------------------------------------------------- */

/* movups/movupd/movdqu xmm, xmm/m128 */
static void op_movu_load(struct cpu *c, const struct insn *i)
{
	xmm_put(c, i->reg, src_xmm_u16(c, i));
}

/* movaps/movapd/movdqa xmm, xmm/m128 */
static void op_mova_load(struct cpu *c, const struct insn *i)
{
	xmm_put(c, i->reg, src_xmm_a16(c, i));
}

/* movups/movupd/movdqu xmm/m128, xmm */
static void op_movu_store(struct cpu *c, const struct insn *i)
{
	if (i->mod == 3)
		xmm_put(c, i->rm, xmm_get(c, i->reg));
	else
		sse_store128(c, insn_ea(c, i), xmm_get(c, i->reg));
}

/* movaps/movapd/movdqa xmm/m128, xmm */
static void op_mova_store(struct cpu *c, const struct insn *i)
{
	if (i->mod == 3)
		xmm_put(c, i->rm, xmm_get(c, i->reg));
	else
		sse_store128(c, sse_ea_a16(c, i), xmm_get(c, i->reg));
}

/* movntps/movntpd/movntdq m128, xmm */
static void op_movnt_store(struct cpu *c, const struct insn *i)
{
	sse_need_mem(c, i);
	sse_store128(c, sse_ea_a16(c, i), xmm_get(c, i->reg));
}

/* movss xmm, xmm/m32: a register source merges, memory zero-extends. */
static void op_movss_load(struct cpu *c, const struct insn *i)
{
	if (i->mod == 3)
		c->xmm[i->reg].u32[0] = c->xmm[i->rm].u32[0];
	else
		xmm_put(c, i->reg, _mm_cvtsi32_si128(
				(int)mem_read32(c, insn_ea(c, i))));
}

static void op_movss_store(struct cpu *c, const struct insn *i)
{
	if (i->mod == 3)
		c->xmm[i->rm].u32[0] = c->xmm[i->reg].u32[0];
	else
		mem_write32(c, insn_ea(c, i), c->xmm[i->reg].u32[0]);
}

/* movsd xmm, xmm/m64 */
static void op_movsd_load(struct cpu *c, const struct insn *i)
{
	if (i->mod == 3)
		c->xmm[i->reg].u64[0] = c->xmm[i->rm].u64[0];
	else
		xmm_put(c, i->reg, xmm_from64(mem_read64(c, insn_ea(c, i))));
}

/* movsd xmm/m64, xmm; also movlps/movlpd m64, xmm (0F 13, memory only) */
static void op_movsd_store(struct cpu *c, const struct insn *i)
{
	if (i->mod == 3)
		c->xmm[i->rm].u64[0] = c->xmm[i->reg].u64[0];
	else
		mem_write64(c, insn_ea(c, i), c->xmm[i->reg].u64[0]);
}

/* 0F 12: movlps xmm, m64 / movhlps xmm, xmm */
static void op_movlps_load(struct cpu *c, const struct insn *i)
{
	if (i->mod == 3)
		c->xmm[i->reg].u64[0] = c->xmm[i->rm].u64[1];
	else
		c->xmm[i->reg].u64[0] = mem_read64(c, insn_ea(c, i));
}

/* 66 0F 12: movlpd xmm, m64 */
static void op_movlpd_load(struct cpu *c, const struct insn *i)
{
	sse_need_mem(c, i);
	c->xmm[i->reg].u64[0] = mem_read64(c, insn_ea(c, i));
}

/* 0F 13 / 66 0F 13: movlps/movlpd m64, xmm */
static void op_movlp_store(struct cpu *c, const struct insn *i)
{
	sse_need_mem(c, i);
	mem_write64(c, insn_ea(c, i), c->xmm[i->reg].u64[0]);
}

/* 0F 16: movhps xmm, m64 / movlhps xmm, xmm */
static void op_movhps_load(struct cpu *c, const struct insn *i)
{
	if (i->mod == 3)
		c->xmm[i->reg].u64[1] = c->xmm[i->rm].u64[0];
	else
		c->xmm[i->reg].u64[1] = mem_read64(c, insn_ea(c, i));
}

/* 66 0F 16: movhpd xmm, m64 */
static void op_movhpd_load(struct cpu *c, const struct insn *i)
{
	sse_need_mem(c, i);
	c->xmm[i->reg].u64[1] = mem_read64(c, insn_ea(c, i));
}

/* 0F 17 / 66 0F 17: movhps/movhpd m64, xmm */
static void op_movhp_store(struct cpu *c, const struct insn *i)
{
	sse_need_mem(c, i);
	mem_write64(c, insn_ea(c, i), c->xmm[i->reg].u64[1]);
}

/* 66 0F 6E: movd/movq xmm, r/m32/64 */
static void op_movd_xmm_load(struct cpu *c, const struct insn *i)
{
	uint64_t v = rm_read(c, i, i->rex & 8 ? 8 : 4);
	xmm_put(c, i->reg, xmm_from64(v));
}

/* 66 0F 7E: movd/movq r/m32/64, xmm */
static void op_movd_xmm_store(struct cpu *c, const struct insn *i)
{
	rm_write(c, i, i->rex & 8 ? 8 : 4, c->xmm[i->reg].u64[0]);
}

/* F3 0F 7E: movq xmm, xmm/m64 (zero-extends) */
static void op_movq_xmm_load(struct cpu *c, const struct insn *i)
{
	xmm_put(c, i->reg, xmm_from64(xmm_low64(src_xmm_m64(c, i))));
}

/* 66 0F D6: movq xmm/m64, xmm (a register destination is zero-extended) */
static void op_movq_xmm_store(struct cpu *c, const struct insn *i)
{
	if (i->mod == 3)
		xmm_put(c, i->rm, xmm_from64(c->xmm[i->reg].u64[0]));
	else
		mem_write64(c, insn_ea(c, i), c->xmm[i->reg].u64[0]);
}

/* 0F 6E: movd/movq mm, r/m32/64 */
static void op_movd_mm_load(struct cpu *c, const struct insn *i)
{
	mmx_check(c, i);
	uint64_t v = rm_read(c, i, i->rex & 8 ? 8 : 4);
	mmx_enter(c);
	mm_put(c, i->reg & 7, v);
}

/* 0F 7E: movd/movq r/m32/64, mm */
static void op_movd_mm_store(struct cpu *c, const struct insn *i)
{
	mmx_check(c, i);
	rm_write(c, i, i->rex & 8 ? 8 : 4, mm_get(c, i->reg & 7));
	mmx_enter(c);
}

/* 0F 6F: movq mm, mm/m64 */
static void op_movq_mm_load(struct cpu *c, const struct insn *i)
{
	mmx_check(c, i);
	uint64_t v = src_mm(c, i);
	mmx_enter(c);
	mm_put(c, i->reg & 7, v);
}

/* 0F 7F: movq mm/m64, mm */
static void op_movq_mm_store(struct cpu *c, const struct insn *i)
{
	mmx_check(c, i);
	uint64_t v = mm_get(c, i->reg & 7);
	if (i->mod == 3) {
		mmx_enter(c);
		mm_put(c, i->rm & 7, v);
	} else {
		mem_write64(c, insn_ea(c, i), v);
		mmx_enter(c);
	}
}

/* 0F E7: movntq m64, mm */
static void op_movntq(struct cpu *c, const struct insn *i)
{
	sse_need_mem(c, i);
	mmx_check(c, i);
	mem_write64(c, insn_ea(c, i), mm_get(c, i->reg & 7));
	mmx_enter(c);
}

/* 0F C3: movnti m32/64, r32/64 */
static void op_movnti(struct cpu *c, const struct insn *i)
{
	sse_need_mem(c, i);
	mem_write_n(c, insn_ea(c, i), i->rex & 8 ? 8 : 4, c->gpr[i->reg]);
}

/* F3 0F D6: movq2dq xmm, mm */
static void op_movq2dq(struct cpu *c, const struct insn *i)
{
	sse_need_reg(c, i);
	mmx_check(c, i);
	xmm_put(c, i->reg, xmm_from64(mm_get(c, i->rm & 7)));
	mmx_enter(c);
}

/* F2 0F D6: movdq2q mm, xmm */
static void op_movdq2q(struct cpu *c, const struct insn *i)
{
	sse_need_reg(c, i);
	mmx_check(c, i);
	uint64_t v = c->xmm[i->rm].u64[0];
	mmx_enter(c);
	mm_put(c, i->reg & 7, v);
}

/* Byte-masked stores to DS:rDI (maskmovq, maskmovdqu).  Only the span of
 * selected bytes is checked, then written byte by byte, so a fault leaves
 * memory untouched. */
static void masked_store(struct cpu *c, const struct insn *i,
			 const uint8_t *data, unsigned mask, int n)
{
	uint64_t a = c->gpr[R_RDI];
	if (i->asize == 4)
		a = (uint32_t)a;
	if (i->seg == SEG_FS)
		a += c->fs_base;
	else if (i->seg == SEG_GS)
		a += c->gs_base;
	if (!mask)
		return;
	int lo = __builtin_ctz(mask), hi = 31 - __builtin_clz(mask);
	mem_probe_write(c, a + lo, (uint64_t)(hi - lo + 1));
	for (int k = lo; k <= hi && k < n; k++)
		if (mask & (1u << k))
			mem_write8(c, a + k, data[k]);
}

/* 66 0F F7: maskmovdqu xmm, xmm */
static void op_maskmovdqu(struct cpu *c, const struct insn *i)
{
	sse_need_reg(c, i);
	union xmm d = c->xmm[i->reg];
	unsigned mask = (unsigned)_mm_movemask_epi8(xmm_get(c, i->rm));
	masked_store(c, i, d.u8, mask, 16);
}

/* 0F F7: maskmovq mm, mm */
static void op_maskmovq(struct cpu *c, const struct insn *i)
{
	sse_need_reg(c, i);
	mmx_check(c, i);
	uint64_t d = mm_get(c, i->reg & 7);
	unsigned mask = (unsigned)_mm_movemask_epi8(
			xmm_from64(mm_get(c, i->rm & 7))) & 0xff;
	uint8_t b[8];
	memcpy(b, &d, 8);
	masked_store(c, i, b, mask, 8);
	mmx_enter(c);
}

/* ---- masks and word insert/extract ---------------------------------------- */

/* 66 0F D7: pmovmskb r32, xmm */
static void op_pmovmskb_x(struct cpu *c, const struct insn *i)
{
	sse_need_reg(c, i);
	c->gpr[i->reg] = (uint32_t)_mm_movemask_epi8(xmm_get(c, i->rm));
}

/* 0F D7: pmovmskb r32, mm */
static void op_pmovmskb_m(struct cpu *c, const struct insn *i)
{
	sse_need_reg(c, i);
	mmx_check(c, i);
	c->gpr[i->reg] = (uint32_t)_mm_movemask_epi8(
				xmm_from64(mm_get(c, i->rm & 7))) & 0xff;
	mmx_enter(c);
}

/* 0F 50: movmskps r32, xmm */
static void op_movmskps(struct cpu *c, const struct insn *i)
{
	sse_need_reg(c, i);
	c->gpr[i->reg] = (uint32_t)_mm_movemask_ps(
				_mm_castsi128_ps(xmm_get(c, i->rm)));
}

/* 66 0F 50: movmskpd r32, xmm */
static void op_movmskpd(struct cpu *c, const struct insn *i)
{
	sse_need_reg(c, i);
	c->gpr[i->reg] = (uint32_t)_mm_movemask_pd(
				_mm_castsi128_pd(xmm_get(c, i->rm)));
}

/* pinsrw xmm/mm, r32/m16, imm8 */
static uint16_t pinsrw_src(struct cpu *c, const struct insn *i)
{
	if (i->mod == 3)
		return (uint16_t)c->gpr[i->rm];
	return mem_read16(c, insn_ea(c, i));
}

static void op_pinsrw_x(struct cpu *c, const struct insn *i)
{
	uint16_t v = pinsrw_src(c, i);
	c->xmm[i->reg].u16[IMM8(i) & 7] = v;
}

static void op_pinsrw_m(struct cpu *c, const struct insn *i)
{
	mmx_check(c, i);
	uint16_t v = pinsrw_src(c, i);
	int sh = (IMM8(i) & 3) * 16;
	uint64_t m = mm_get(c, i->reg & 7);
	m = (m & ~(0xffffULL << sh)) | ((uint64_t)v << sh);
	mmx_enter(c);
	mm_put(c, i->reg & 7, m);
}

/* pextrw r32, xmm/mm, imm8 */
static void op_pextrw_x(struct cpu *c, const struct insn *i)
{
	sse_need_reg(c, i);
	c->gpr[i->reg] = c->xmm[i->rm].u16[IMM8(i) & 7];
}

static void op_pextrw_m(struct cpu *c, const struct insn *i)
{
	sse_need_reg(c, i);
	mmx_check(c, i);
	c->gpr[i->reg] = (uint16_t)(mm_get(c, i->rm & 7) >>
				    ((IMM8(i) & 3) * 16));
	mmx_enter(c);
}

/* ---- shuffles --------------------------------------------------------------- */

/* 0F C6: shufps */
static void op_shufps(struct cpu *c, const struct insn *i)
{
	union xmm b = xmm_u(src_xmm_a16(c, i));
	union xmm a = c->xmm[i->reg], r;
	unsigned m = IMM8(i);
	r.u32[0] = a.u32[m & 3];
	r.u32[1] = a.u32[(m >> 2) & 3];
	r.u32[2] = b.u32[(m >> 4) & 3];
	r.u32[3] = b.u32[(m >> 6) & 3];
	c->xmm[i->reg] = r;
}

/* 66 0F C6: shufpd */
static void op_shufpd(struct cpu *c, const struct insn *i)
{
	union xmm b = xmm_u(src_xmm_a16(c, i));
	union xmm a = c->xmm[i->reg], r;
	unsigned m = IMM8(i);
	r.u64[0] = a.u64[m & 1];
	r.u64[1] = b.u64[(m >> 1) & 1];
	c->xmm[i->reg] = r;
}

/* 66 0F 70: pshufd */
static void op_pshufd(struct cpu *c, const struct insn *i)
{
	union xmm b = xmm_u(src_xmm_a16(c, i)), r;
	unsigned m = IMM8(i);
	for (int k = 0; k < 4; k++)
		r.u32[k] = b.u32[(m >> (2 * k)) & 3];
	c->xmm[i->reg] = r;
}

/* F3 0F 70: pshufhw */
static void op_pshufhw(struct cpu *c, const struct insn *i)
{
	union xmm b = xmm_u(src_xmm_a16(c, i)), r;
	unsigned m = IMM8(i);
	r.u64[0] = b.u64[0];
	for (int k = 0; k < 4; k++)
		r.u16[4 + k] = b.u16[4 + ((m >> (2 * k)) & 3)];
	c->xmm[i->reg] = r;
}

/* F2 0F 70: pshuflw */
static void op_pshuflw(struct cpu *c, const struct insn *i)
{
	union xmm b = xmm_u(src_xmm_a16(c, i)), r;
	unsigned m = IMM8(i);
	for (int k = 0; k < 4; k++)
		r.u16[k] = b.u16[(m >> (2 * k)) & 3];
	r.u64[1] = b.u64[1];
	c->xmm[i->reg] = r;
}

/* 0F 70: pshufw mm, mm/m64, imm8 */
static void op_pshufw(struct cpu *c, const struct insn *i)
{
	mmx_check(c, i);
	uint64_t b = src_mm(c, i), r = 0;
	unsigned m = IMM8(i);
	for (int k = 0; k < 4; k++)
		r |= ((b >> (16 * ((m >> (2 * k)) & 3))) & 0xffff) << (16 * k);
	mmx_enter(c);
	mm_put(c, i->reg & 7, r);
}

/* ---- packed integer -----------------------------------------------------------
 *
 * INT_OP(name, expr) defines int_name(a, b) = expr over __m128i and two
 * handlers: op_name_x (66 prefix, xmm, xmm/m128 aligned) and op_name_m (no
 * prefix, mm, mm/m64; INT_OP_X omits it), the latter valid for element-wise operations whose
 * result in the low 64 bits depends only on the low 64 bits of a and b.
 */
#define INT_OP_X(name, expr)						\
static inline __m128i int_##name(__m128i a, __m128i b)			\
{									\
	return (expr);							\
}									\
static void op_##name##_x(struct cpu *c, const struct insn *i)		\
{									\
	__m128i b = src_xmm_a16(c, i);					\
	xmm_put(c, i->reg, int_##name(xmm_get(c, i->reg), b));		\
}
#define INT_OP(name, expr)						\
INT_OP_X(name, expr)							\
static void op_##name##_m(struct cpu *c, const struct insn *i)		\
{									\
	mmx_binop(c, i, int_##name);					\
}

INT_OP(paddb, _mm_add_epi8(a, b))
INT_OP(paddw, _mm_add_epi16(a, b))
INT_OP(paddd, _mm_add_epi32(a, b))
INT_OP(paddq, _mm_add_epi64(a, b))
INT_OP(psubb, _mm_sub_epi8(a, b))
INT_OP(psubw, _mm_sub_epi16(a, b))
INT_OP(psubd, _mm_sub_epi32(a, b))
INT_OP(psubq, _mm_sub_epi64(a, b))
INT_OP(paddsb, _mm_adds_epi8(a, b))
INT_OP(paddsw, _mm_adds_epi16(a, b))
INT_OP(paddusb, _mm_adds_epu8(a, b))
INT_OP(paddusw, _mm_adds_epu16(a, b))
INT_OP(psubsb, _mm_subs_epi8(a, b))
INT_OP(psubsw, _mm_subs_epi16(a, b))
INT_OP(psubusb, _mm_subs_epu8(a, b))
INT_OP(psubusw, _mm_subs_epu16(a, b))
INT_OP(pmullw, _mm_mullo_epi16(a, b))
INT_OP(pmulhw, _mm_mulhi_epi16(a, b))
INT_OP(pmulhuw, _mm_mulhi_epu16(a, b))
INT_OP(pmuludq, _mm_mul_epu32(a, b))
INT_OP(pmaddwd, _mm_madd_epi16(a, b))
INT_OP(pavgb, _mm_avg_epu8(a, b))
INT_OP(pavgw, _mm_avg_epu16(a, b))
INT_OP(pminub, _mm_min_epu8(a, b))
INT_OP(pmaxub, _mm_max_epu8(a, b))
INT_OP(pminsw, _mm_min_epi16(a, b))
INT_OP(pmaxsw, _mm_max_epi16(a, b))
INT_OP(psadbw, _mm_sad_epu8(a, b))
INT_OP(pcmpeqb, _mm_cmpeq_epi8(a, b))
INT_OP(pcmpeqw, _mm_cmpeq_epi16(a, b))
INT_OP(pcmpeqd, _mm_cmpeq_epi32(a, b))
INT_OP(pcmpgtb, _mm_cmpgt_epi8(a, b))
INT_OP(pcmpgtw, _mm_cmpgt_epi16(a, b))
INT_OP(pcmpgtd, _mm_cmpgt_epi32(a, b))
INT_OP(pand, _mm_and_si128(a, b))
INT_OP(pandn, _mm_andnot_si128(a, b))
INT_OP(por, _mm_or_si128(a, b))
INT_OP(pxor, _mm_xor_si128(a, b))
/* Shifts by register: the count is the whole low quadword of b. */
INT_OP(psllw, _mm_sll_epi16(a, b))
INT_OP(pslld, _mm_sll_epi32(a, b))
INT_OP(psllq, _mm_sll_epi64(a, b))
INT_OP(psrlw, _mm_srl_epi16(a, b))
INT_OP(psrld, _mm_srl_epi32(a, b))
INT_OP(psrlq, _mm_srl_epi64(a, b))
INT_OP(psraw, _mm_sra_epi16(a, b))
INT_OP(psrad, _mm_sra_epi32(a, b))
/* Unpacks and packs (xmm forms; MMX forms below). */
INT_OP_X(punpcklbw, _mm_unpacklo_epi8(a, b))
INT_OP_X(punpcklwd, _mm_unpacklo_epi16(a, b))
INT_OP_X(punpckldq, _mm_unpacklo_epi32(a, b))
INT_OP_X(punpckhbw, _mm_unpackhi_epi8(a, b))
INT_OP_X(punpckhwd, _mm_unpackhi_epi16(a, b))
INT_OP_X(punpckhdq, _mm_unpackhi_epi32(a, b))
INT_OP_X(punpcklqdq, _mm_unpacklo_epi64(a, b))
INT_OP_X(punpckhqdq, _mm_unpackhi_epi64(a, b))
INT_OP_X(packsswb, _mm_packs_epi16(a, b))
INT_OP_X(packssdw, _mm_packs_epi32(a, b))
INT_OP_X(packuswb, _mm_packus_epi16(a, b))
/* Bitwise ps/pd forms are the same operations. */
INT_OP_X(andnps, _mm_andnot_si128(a, b))

/* MMX punpckl*: mm, mm/m32; the low halves interleave. */
#define MMX_UNPACKL(name, fn)						\
static void op_##name##_mmx(struct cpu *c, const struct insn *i)	\
{									\
	mmx_check(c, i);						\
	uint64_t b = src_mm_m32(c, i);					\
	int r = i->reg & 7;						\
	__m128i v = fn(xmm_from64(mm_get(c, r)), xmm_from64(b));	\
	mmx_enter(c);							\
	mm_put(c, r, xmm_low64(v));					\
}
/* MMX punpckh*: the high halves interleave, which is the upper quadword of
 * the 128-bit low interleave. */
#define MMX_UNPACKH(name, fn)						\
static void op_##name##_mmx(struct cpu *c, const struct insn *i)	\
{									\
	mmx_check(c, i);						\
	uint64_t b = src_mm(c, i);					\
	int r = i->reg & 7;						\
	__m128i v = fn(xmm_from64(mm_get(c, r)), xmm_from64(b));	\
	mmx_enter(c);							\
	mm_put(c, r, xmm_low64(_mm_unpackhi_epi64(v, v)));		\
}
/* MMX packs: with a in the low and b in the high quadword, the low
 * quadword of pack(x, x) is pack(a, b). */
#define MMX_PACK(name, fn)						\
static void op_##name##_mmx(struct cpu *c, const struct insn *i)	\
{									\
	mmx_check(c, i);						\
	uint64_t b = src_mm(c, i);					\
	int r = i->reg & 7;						\
	__m128i x = _mm_set_epi64x((long long)b, (long long)mm_get(c, r));\
	mmx_enter(c);							\
	mm_put(c, r, xmm_low64(fn(x, x)));				\
}

MMX_UNPACKL(punpcklbw, _mm_unpacklo_epi8)
MMX_UNPACKL(punpcklwd, _mm_unpacklo_epi16)
MMX_UNPACKL(punpckldq, _mm_unpacklo_epi32)
MMX_UNPACKH(punpckhbw, _mm_unpacklo_epi8)
MMX_UNPACKH(punpckhwd, _mm_unpacklo_epi16)
MMX_UNPACKH(punpckhdq, _mm_unpacklo_epi32)
MMX_PACK(packsswb, _mm_packs_epi16)
MMX_PACK(packssdw, _mm_packs_epi32)
MMX_PACK(packuswb, _mm_packus_epi16)

/* Byte shifts of a whole xmm register (pslldq/psrldq); n > 15 clears.
 * Hot in libc's string functions: the intrinsics need a constant count,
 * so switch over the sixteen, staying in registers (a round trip through
 * memory costs a store-forwarding stall). */
#define BYTE_SHIFT_CASES(fn)						\
	case 0: return v; case 1: return fn(v, 1);			\
	case 2: return fn(v, 2); case 3: return fn(v, 3);		\
	case 4: return fn(v, 4); case 5: return fn(v, 5);		\
	case 6: return fn(v, 6); case 7: return fn(v, 7);		\
	case 8: return fn(v, 8); case 9: return fn(v, 9);		\
	case 10: return fn(v, 10); case 11: return fn(v, 11);		\
	case 12: return fn(v, 12); case 13: return fn(v, 13);		\
	case 14: return fn(v, 14); case 15: return fn(v, 15);		\
	default: return _mm_setzero_si128();

static __m128i xmm_byte_shl(__m128i v, unsigned n)
{
	switch (n) { BYTE_SHIFT_CASES(_mm_slli_si128) }
}

static __m128i xmm_byte_shr(__m128i v, unsigned n)
{
	switch (n) { BYTE_SHIFT_CASES(_mm_srli_si128) }
}

/* Shift groups 0F 71/72/73 /r, imm8: the operation is modrm.reg, the
 * register is rm.  Returns 0 when the /r is undefined. */
static int shift_imm(__m128i *v, int op, unsigned group, unsigned cnt,
		     int xmm)
{
	__m128i n = _mm_cvtsi32_si128((int)cnt);
	switch (op << 3 | group) {
	case 0x71 << 3 | 2: *v = _mm_srl_epi16(*v, n); return 1;
	case 0x71 << 3 | 4: *v = _mm_sra_epi16(*v, n); return 1;
	case 0x71 << 3 | 6: *v = _mm_sll_epi16(*v, n); return 1;
	case 0x72 << 3 | 2: *v = _mm_srl_epi32(*v, n); return 1;
	case 0x72 << 3 | 4: *v = _mm_sra_epi32(*v, n); return 1;
	case 0x72 << 3 | 6: *v = _mm_sll_epi32(*v, n); return 1;
	case 0x73 << 3 | 2: *v = _mm_srl_epi64(*v, n); return 1;
	case 0x73 << 3 | 6: *v = _mm_sll_epi64(*v, n); return 1;
	case 0x73 << 3 | 3:
		if (!xmm)
			return 0;
		*v = xmm_byte_shr(*v, cnt);
		return 1;
	case 0x73 << 3 | 7:
		if (!xmm)
			return 0;
		*v = xmm_byte_shl(*v, cnt);
		return 1;
	}
	return 0;
}

static void op_shift_imm_x(struct cpu *c, const struct insn *i)
{
	sse_need_reg(c, i);
	__m128i v = xmm_get(c, i->rm);
	if (!shift_imm(&v, i->op, i->reg & 7, IMM8(i), 1))
		cpu_raise_ud(c);
	xmm_put(c, i->rm, v);
}

static void op_shift_imm_m(struct cpu *c, const struct insn *i)
{
	sse_need_reg(c, i);
	mmx_check(c, i);
	__m128i v = xmm_from64(mm_get(c, i->rm & 7));
	if (!shift_imm(&v, i->op, i->reg & 7, IMM8(i), 0))
		cpu_raise_ud(c);
	mmx_enter(c);
	mm_put(c, i->rm & 7, xmm_low64(v));
}

/* ---- floating point arithmetic -------------------------------------------- */

/* FP_OP(name, fetch, "insn", kind, lanes): xmm(reg) = insn(xmm(reg),
 * operand); kind and lanes as for FP_RUN. */
#define FP_OP(name, fetch, mnem, kind, lanes)				\
static void name(struct cpu *c, const struct insn *i)			\
{									\
	__m128i s = fetch(c, i);					\
	__m128i d = xmm_get(c, i->reg);					\
	FP_RUN(c, i, mnem, d, s, kind, lanes);				\
	xmm_put(c, i->reg, d);						\
}

/* The four forms of an arithmetic opcode. */
#define FP_ARITH(op, kind)						\
	FP_OP(op_##op##ps, src_xmm_a16, #op "ps", kind,			\
	      kind ? FPL_PS : FPL_NONE)					\
	FP_OP(op_##op##pd, src_xmm_a16, #op "pd", kind,			\
	      kind ? FPL_PD : FPL_NONE)					\
	FP_OP(op_##op##ss, src_xmm_m32, #op "ss", kind,			\
	      kind ? FPL_SS : FPL_NONE)					\
	FP_OP(op_##op##sd, src_xmm_m64, #op "sd", kind,			\
	      kind ? FPL_SD : FPL_NONE)

FP_ARITH(add, FPK_ADD)
FP_ARITH(sub, FPK_SUB)
FP_ARITH(mul, FPK_MUL)
FP_ARITH(div, FPK_DIV)
/* min, max and sqrt cannot overflow or underflow. */
FP_ARITH(min, FPK_NONE)
FP_ARITH(max, FPK_NONE)
FP_ARITH(sqrt, FPK_NONE)
/* Host approximations: see the determinism note at the top.  They raise
 * no exceptions. */
FP_OP(op_rcpps, src_xmm_a16, "rcpps", FPK_NONE, FPL_NONE)
FP_OP(op_rcpss, src_xmm_m32, "rcpss", FPK_NONE, FPL_NONE)
FP_OP(op_rsqrtps, src_xmm_a16, "rsqrtps", FPK_NONE, FPL_NONE)
FP_OP(op_rsqrtss, src_xmm_m32, "rsqrtss", FPK_NONE, FPL_NONE)
/* Conversions between xmm forms. */
FP_OP(op_cvtps2pd, src_xmm_m64, "cvtps2pd", FPK_NONE, FPL_NONE)
FP_OP(op_cvtpd2ps, src_xmm_a16, "cvtpd2ps", FPK_CVT, FPL_PS)
FP_OP(op_cvtss2sd, src_xmm_m32, "cvtss2sd", FPK_NONE, FPL_NONE)
FP_OP(op_cvtsd2ss, src_xmm_m64, "cvtsd2ss", FPK_CVT, FPL_SS)
FP_OP(op_cvtdq2ps, src_xmm_a16, "cvtdq2ps", FPK_NONE, FPL_NONE)
FP_OP(op_cvtps2dq, src_xmm_a16, "cvtps2dq", FPK_NONE, FPL_NONE)
FP_OP(op_cvttps2dq, src_xmm_a16, "cvttps2dq", FPK_NONE, FPL_NONE)
FP_OP(op_cvtdq2pd, src_xmm_m64, "cvtdq2pd", FPK_NONE, FPL_NONE)
FP_OP(op_cvtpd2dq, src_xmm_a16, "cvtpd2dq", FPK_NONE, FPL_NONE)
FP_OP(op_cvttpd2dq, src_xmm_a16, "cvttpd2dq", FPK_NONE, FPL_NONE)

/* Bitwise ps/pd: no exceptions, same bits as the integer forms. */
static void op_andps(struct cpu *c, const struct insn *i)
{
	op_pand_x(c, i);
}
static void op_orps(struct cpu *c, const struct insn *i)
{
	op_por_x(c, i);
}
static void op_xorps(struct cpu *c, const struct insn *i)
{
	op_pxor_x(c, i);
}

/* unpck{l,h}{ps,pd}: bit shuffles, no exceptions. */
#define op_unpcklps op_punpckldq_x
#define op_unpckhps op_punpckhdq_x
#define op_unpcklpd op_punpcklqdq_x
#define op_unpckhpd op_punpckhqdq_x

/* cmpps/cmppd/cmpss/cmpsd xmm, xmm/m, imm8: only imm8[2:0] counts in the
 * legacy encoding; the predicate must be an assembler constant. */
#define FP_CMP_CASE(n, mnem)						\
	case n: f = FP_ASM(mnem " $" #n ",", d, s, g); break;
#define FP_CMP(name, fetch, mnem)					\
static void name(struct cpu *c, const struct insn *i)			\
{									\
	__m128i s = fetch(c, i);					\
	__m128i d = xmm_get(c, i->reg);					\
	uint32_t f = 0, g = fp_host_csr(c);				\
	switch (IMM8(i) & 7) {						\
	FP_CMP_CASE(0, mnem) FP_CMP_CASE(1, mnem)			\
	FP_CMP_CASE(2, mnem) FP_CMP_CASE(3, mnem)			\
	FP_CMP_CASE(4, mnem) FP_CMP_CASE(5, mnem)			\
	FP_CMP_CASE(6, mnem) FP_CMP_CASE(7, mnem)			\
	}								\
	fp_commit_flags(c, i, f);					\
	xmm_put(c, i->reg, d);						\
}

FP_CMP(op_cmpps, src_xmm_a16, "cmpps")
FP_CMP(op_cmppd, src_xmm_a16, "cmppd")
FP_CMP(op_cmpss, src_xmm_m32, "cmpss")
FP_CMP(op_cmpsd, src_xmm_m64, "cmpsd")

/* comiss/ucomiss/comisd/ucomisd: ZF, PF, CF from the host compare; OF, SF
 * and AF cleared. */
#define FP_COMI(name, fetch, mnem)					\
static void name(struct cpu *c, const struct insn *i)			\
{									\
	__m128i s = fetch(c, i);					\
	__m128i d = xmm_get(c, i->reg);					\
	uint32_t host, f, g = fp_host_csr(c);				\
	uint8_t zf, pf, cf;						\
	__asm__ volatile("stmxcsr %[h]\n\t"				\
			 "ldmxcsr %[g]\n\t"				\
			 mnem " %[src], %[dst]\n\t"			\
			 "stmxcsr %[f]\n\t"				\
			 "ldmxcsr %[h]"					\
			 : "=@ccz" (zf), "=@ccp" (pf), "=@ccc" (cf),	\
			   [h] "=m" (host), [f] "=m" (f)		\
			 : [dst] "x" (d), [src] "x" (s), [g] "m" (g));	\
	fp_commit_flags(c, i, f & MXCSR_FLAGS);				\
	c->rflags = (c->rflags & ~(uint64_t)FL_ARITH) |			\
		    (zf ? FL_ZF : 0) | (pf ? FL_PF : 0) | (cf ? FL_CF : 0);\
}

FP_COMI(op_comiss, src_xmm_m32, "comiss")
FP_COMI(op_ucomiss, src_xmm_m32, "ucomiss")
FP_COMI(op_comisd, src_xmm_m64, "comisd")
FP_COMI(op_ucomisd, src_xmm_m64, "ucomisd")

/* cvt{t,}ss2si / cvt{t,}sd2si r32/64, xmm/m: integer indefinite on
 * overflow or NaN comes from the host instruction. */
#define FP_TO_GPR(name, fetch, mnem)					\
static void name(struct cpu *c, const struct insn *i)			\
{									\
	__m128i s = fetch(c, i);					\
	uint32_t host, f, g = fp_host_csr(c);				\
	uint64_t r;							\
	if (i->rex & 8) {						\
		__asm__ volatile("stmxcsr %[h]\n\t"			\
				 "ldmxcsr %[g]\n\t"			\
				 mnem " %[src], %q[r]\n\t"		\
				 "stmxcsr %[f]\n\t"			\
				 "ldmxcsr %[h]"				\
				 : [r] "=r" (r), [h] "=m" (host),	\
				   [f] "=m" (f)				\
				 : [src] "x" (s), [g] "m" (g));		\
	} else {							\
		uint32_t r32;						\
		__asm__ volatile("stmxcsr %[h]\n\t"			\
				 "ldmxcsr %[g]\n\t"			\
				 mnem " %[src], %k[r]\n\t"		\
				 "stmxcsr %[f]\n\t"			\
				 "ldmxcsr %[h]"				\
				 : [r] "=r" (r32), [h] "=m" (host),	\
				   [f] "=m" (f)				\
				 : [src] "x" (s), [g] "m" (g));		\
		r = r32;						\
	}								\
	fp_commit_flags(c, i, f & MXCSR_FLAGS);				\
	c->gpr[i->reg] = r;						\
}

FP_TO_GPR(op_cvtss2si, src_xmm_m32, "cvtss2si")
FP_TO_GPR(op_cvttss2si, src_xmm_m32, "cvttss2si")
FP_TO_GPR(op_cvtsd2si, src_xmm_m64, "cvtsd2si")
FP_TO_GPR(op_cvttsd2si, src_xmm_m64, "cvttsd2si")

/* cvtsi2ss / cvtsi2sd xmm, r/m32/64 (REX.W selects 64-bit) */
#define FP_FROM_GPR(name, mnem)						\
static void name(struct cpu *c, const struct insn *i)			\
{									\
	__m128i d = xmm_get(c, i->reg);					\
	uint32_t host, f, g = fp_host_csr(c);				\
	if (i->rex & 8) {						\
		uint64_t s = rm_read(c, i, 8);				\
		__asm__ volatile("stmxcsr %[h]\n\t"			\
				 "ldmxcsr %[g]\n\t"			\
				 mnem "q %q[src], %[dst]\n\t"		\
				 "stmxcsr %[f]\n\t"			\
				 "ldmxcsr %[h]"				\
				 : [dst] "+x" (d), [h] "=m" (host),	\
				   [f] "=m" (f)				\
				 : [src] "r" (s), [g] "m" (g));		\
	} else {							\
		uint32_t s = (uint32_t)rm_read(c, i, 4);		\
		__asm__ volatile("stmxcsr %[h]\n\t"			\
				 "ldmxcsr %[g]\n\t"			\
				 mnem "l %k[src], %[dst]\n\t"		\
				 "stmxcsr %[f]\n\t"			\
				 "ldmxcsr %[h]"				\
				 : [dst] "+x" (d), [h] "=m" (host),	\
				   [f] "=m" (f)				\
				 : [src] "r" (s), [g] "m" (g));		\
	}								\
	fp_commit_flags(c, i, f & MXCSR_FLAGS);				\
	xmm_put(c, i->reg, d);						\
}

FP_FROM_GPR(op_cvtsi2ss, "cvtsi2ss")
FP_FROM_GPR(op_cvtsi2sd, "cvtsi2sd")

/* MMX conversions.  The host's own cvt*pi forms would touch the host x87
 * state, so they run as the xmm forms on the relevant low elements with the
 * others zero (which convert exactly and raise nothing). */

/* mm/m64 source of cvtpi2ps/cvtpi2pd; only a register source is an MMX
 * instruction (x87 transition), memory is not. */
static uint64_t cvtpi_src(struct cpu *c, const struct insn *i, int *mmx)
{
	*mmx = i->mod == 3;
	if (*mmx)
		mmx_check(c, i);
	return src_mm(c, i);
}

/* 0F 2A: cvtpi2ps xmm, mm/m64 (upper half of xmm kept) */
static void op_cvtpi2ps(struct cpu *c, const struct insn *i)
{
	int mmx;
	__m128i s = xmm_from64(cvtpi_src(c, i, &mmx));
	__m128i r = _mm_setzero_si128();
	if (mmx)	/* the transition precedes a possible #XM */
		mmx_enter(c);
	FP_RUN(c, i, "cvtdq2ps", r, s, FPK_NONE, FPL_NONE);
	c->xmm[i->reg].u64[0] = xmm_low64(r);
}

/* 66 0F 2A: cvtpi2pd xmm, mm/m64 (exact) */
static void op_cvtpi2pd(struct cpu *c, const struct insn *i)
{
	int mmx;
	__m128i s = xmm_from64(cvtpi_src(c, i, &mmx));
	__m128i r = _mm_setzero_si128();
	if (mmx)	/* the transition precedes a possible #XM */
		mmx_enter(c);
	FP_RUN(c, i, "cvtdq2pd", r, s, FPK_NONE, FPL_NONE);
	xmm_put(c, i->reg, r);
}

/* cvt{t,}ps2pi mm, xmm/m64 and cvt{t,}pd2pi mm, xmm/m128 */
#define FP_TO_MMX(name, fetch, mnem, keep_low)				\
static void name(struct cpu *c, const struct insn *i)			\
{									\
	mmx_check(c, i);						\
	__m128i s = fetch(c, i);					\
	if (keep_low)							\
		s = _mm_move_epi64(s);					\
	__m128i r = _mm_setzero_si128();				\
	/* The x87-to-MMX transition happens even when the conversion	\
	 * then raises an unmasked #XM (as the host CPU does). */	\
	mmx_enter(c);							\
	FP_RUN(c, i, mnem, r, s, FPK_NONE, FPL_NONE);			\
	mm_put(c, i->reg & 7, xmm_low64(r));				\
}

FP_TO_MMX(op_cvtps2pi, src_xmm_m64, "cvtps2dq", 1)
FP_TO_MMX(op_cvttps2pi, src_xmm_m64, "cvttps2dq", 1)
FP_TO_MMX(op_cvtpd2pi, src_xmm_a16, "cvtpd2dq", 0)
FP_TO_MMX(op_cvttpd2pi, src_xmm_a16, "cvttpd2dq", 0)

/* ---- installation ----------------------------------------------------------- */

void exec_install_sse(struct optable *t)
{
#define SET(op, pfx, fn) (t->map0f[op][PFX_##pfx] = (fn))
/* Packed integer op with MMX (no prefix) and SSE2 (66) forms. */
#define SET_INT(op, name) do { SET(op, NONE, op_##name##_m); \
			   SET(op, 66, op_##name##_x); } while (0)
#define SET_FP4(op, name) do { SET(op, NONE, op_##name##ps); \
			   SET(op, 66, op_##name##pd); \
			   SET(op, F3, op_##name##ss); \
			   SET(op, F2, op_##name##sd); } while (0)

	/* 0F 10-17: moves and unpacks */
	SET(0x10, NONE, op_movu_load);
	SET(0x10, 66, op_movu_load);
	SET(0x10, F3, op_movss_load);
	SET(0x10, F2, op_movsd_load);
	SET(0x11, NONE, op_movu_store);
	SET(0x11, 66, op_movu_store);
	SET(0x11, F3, op_movss_store);
	SET(0x11, F2, op_movsd_store);
	SET(0x12, NONE, op_movlps_load);	/* F3 movsldup, F2 movddup: SSE3 */
	SET(0x12, 66, op_movlpd_load);
	SET(0x13, NONE, op_movlp_store);
	SET(0x13, 66, op_movlp_store);
	SET(0x14, NONE, op_unpcklps);
	SET(0x14, 66, op_unpcklpd);
	SET(0x15, NONE, op_unpckhps);
	SET(0x15, 66, op_unpckhpd);
	SET(0x16, NONE, op_movhps_load);	/* F3 movshdup: SSE3 */
	SET(0x16, 66, op_movhpd_load);
	SET(0x17, NONE, op_movhp_store);
	SET(0x17, 66, op_movhp_store);

	/* 0F 28-2F: aligned moves, conversions, compares */
	SET(0x28, NONE, op_mova_load);
	SET(0x28, 66, op_mova_load);
	SET(0x29, NONE, op_mova_store);
	SET(0x29, 66, op_mova_store);
	SET(0x2a, NONE, op_cvtpi2ps);
	SET(0x2a, 66, op_cvtpi2pd);
	SET(0x2a, F3, op_cvtsi2ss);
	SET(0x2a, F2, op_cvtsi2sd);
	SET(0x2b, NONE, op_movnt_store);	/* F3/F2 movntss/sd: SSE4a */
	SET(0x2b, 66, op_movnt_store);
	SET(0x2c, NONE, op_cvttps2pi);
	SET(0x2c, 66, op_cvttpd2pi);
	SET(0x2c, F3, op_cvttss2si);
	SET(0x2c, F2, op_cvttsd2si);
	SET(0x2d, NONE, op_cvtps2pi);
	SET(0x2d, 66, op_cvtpd2pi);
	SET(0x2d, F3, op_cvtss2si);
	SET(0x2d, F2, op_cvtsd2si);
	SET(0x2e, NONE, op_ucomiss);
	SET(0x2e, 66, op_ucomisd);
	SET(0x2f, NONE, op_comiss);
	SET(0x2f, 66, op_comisd);

	/* 0F 50-5F: floating point */
	SET(0x50, NONE, op_movmskps);
	SET(0x50, 66, op_movmskpd);
	SET_FP4(0x51, sqrt);
	SET(0x52, NONE, op_rsqrtps);
	SET(0x52, F3, op_rsqrtss);
	SET(0x53, NONE, op_rcpps);
	SET(0x53, F3, op_rcpss);
	SET(0x54, NONE, op_andps);
	SET(0x54, 66, op_andps);
	SET(0x55, NONE, op_andnps_x);
	SET(0x55, 66, op_andnps_x);
	SET(0x56, NONE, op_orps);
	SET(0x56, 66, op_orps);
	SET(0x57, NONE, op_xorps);
	SET(0x57, 66, op_xorps);
	SET_FP4(0x58, add);
	SET_FP4(0x59, mul);
	SET(0x5a, NONE, op_cvtps2pd);
	SET(0x5a, 66, op_cvtpd2ps);
	SET(0x5a, F3, op_cvtss2sd);
	SET(0x5a, F2, op_cvtsd2ss);
	SET(0x5b, NONE, op_cvtdq2ps);
	SET(0x5b, 66, op_cvtps2dq);
	SET(0x5b, F3, op_cvttps2dq);
	SET_FP4(0x5c, sub);
	SET_FP4(0x5d, min);
	SET_FP4(0x5e, div);
	SET_FP4(0x5f, max);

	/* 0F 60-7F: packed integer, MMX and SSE2 */
	SET(0x60, NONE, op_punpcklbw_mmx);
	SET(0x60, 66, op_punpcklbw_x);
	SET(0x61, NONE, op_punpcklwd_mmx);
	SET(0x61, 66, op_punpcklwd_x);
	SET(0x62, NONE, op_punpckldq_mmx);
	SET(0x62, 66, op_punpckldq_x);
	SET(0x63, NONE, op_packsswb_mmx);
	SET(0x63, 66, op_packsswb_x);
	SET_INT(0x64, pcmpgtb);
	SET_INT(0x65, pcmpgtw);
	SET_INT(0x66, pcmpgtd);
	SET(0x67, NONE, op_packuswb_mmx);
	SET(0x67, 66, op_packuswb_x);
	SET(0x68, NONE, op_punpckhbw_mmx);
	SET(0x68, 66, op_punpckhbw_x);
	SET(0x69, NONE, op_punpckhwd_mmx);
	SET(0x69, 66, op_punpckhwd_x);
	SET(0x6a, NONE, op_punpckhdq_mmx);
	SET(0x6a, 66, op_punpckhdq_x);
	SET(0x6b, NONE, op_packssdw_mmx);
	SET(0x6b, 66, op_packssdw_x);
	SET(0x6c, 66, op_punpcklqdq_x);
	SET(0x6d, 66, op_punpckhqdq_x);
	SET(0x6e, NONE, op_movd_mm_load);
	SET(0x6e, 66, op_movd_xmm_load);
	SET(0x6f, NONE, op_movq_mm_load);
	SET(0x6f, 66, op_mova_load);		/* movdqa */
	SET(0x6f, F3, op_movu_load);		/* movdqu */
	SET(0x70, NONE, op_pshufw);
	SET(0x70, 66, op_pshufd);
	SET(0x70, F3, op_pshufhw);
	SET(0x70, F2, op_pshuflw);
	for (int op = 0x71; op <= 0x73; op++) {
		SET(op, NONE, op_shift_imm_m);
		SET(op, 66, op_shift_imm_x);
	}
	SET_INT(0x74, pcmpeqb);
	SET_INT(0x75, pcmpeqw);
	SET_INT(0x76, pcmpeqd);
	/* 77 emms: exec_x87.c.  78-7D: VMX, SSE4a, SSE3: undefined here. */
	SET(0x7e, NONE, op_movd_mm_store);
	SET(0x7e, 66, op_movd_xmm_store);
	SET(0x7e, F3, op_movq_xmm_load);
	SET(0x7f, NONE, op_movq_mm_store);
	SET(0x7f, 66, op_mova_store);		/* movdqa */
	SET(0x7f, F3, op_movu_store);		/* movdqu */

	/* 0F C2-C6 */
	SET_FP4(0xc2, cmp);
	SET(0xc3, NONE, op_movnti);
	SET(0xc4, NONE, op_pinsrw_m);
	SET(0xc4, 66, op_pinsrw_x);
	SET(0xc5, NONE, op_pextrw_m);
	SET(0xc5, 66, op_pextrw_x);
	SET(0xc6, NONE, op_shufps);
	SET(0xc6, 66, op_shufpd);

	/* 0F D0-FF.  D0 addsubps/pd, F0 lddqu: SSE3.  FF: ud0 (exec_int). */
	SET_INT(0xd1, psrlw);
	SET_INT(0xd2, psrld);
	SET_INT(0xd3, psrlq);
	SET_INT(0xd4, paddq);
	SET_INT(0xd5, pmullw);
	SET(0xd6, 66, op_movq_xmm_store);
	SET(0xd6, F3, op_movq2dq);
	SET(0xd6, F2, op_movdq2q);
	SET(0xd7, NONE, op_pmovmskb_m);
	SET(0xd7, 66, op_pmovmskb_x);
	SET_INT(0xd8, psubusb);
	SET_INT(0xd9, psubusw);
	SET_INT(0xda, pminub);
	SET_INT(0xdb, pand);
	SET_INT(0xdc, paddusb);
	SET_INT(0xdd, paddusw);
	SET_INT(0xde, pmaxub);
	SET_INT(0xdf, pandn);
	SET_INT(0xe0, pavgb);
	SET_INT(0xe1, psraw);
	SET_INT(0xe2, psrad);
	SET_INT(0xe3, pavgw);
	SET_INT(0xe4, pmulhuw);
	SET_INT(0xe5, pmulhw);
	SET(0xe6, 66, op_cvttpd2dq);
	SET(0xe6, F3, op_cvtdq2pd);
	SET(0xe6, F2, op_cvtpd2dq);
	SET(0xe7, NONE, op_movntq);
	SET(0xe7, 66, op_movnt_store);		/* movntdq */
	SET_INT(0xe8, psubsb);
	SET_INT(0xe9, psubsw);
	SET_INT(0xea, pminsw);
	SET_INT(0xeb, por);
	SET_INT(0xec, paddsb);
	SET_INT(0xed, paddsw);
	SET_INT(0xee, pmaxsw);
	SET_INT(0xef, pxor);
	SET_INT(0xf1, psllw);
	SET_INT(0xf2, pslld);
	SET_INT(0xf3, psllq);
	SET_INT(0xf4, pmuludq);
	SET_INT(0xf5, pmaddwd);
	SET_INT(0xf6, psadbw);
	SET(0xf7, NONE, op_maskmovq);
	SET(0xf7, 66, op_maskmovdqu);
	SET_INT(0xf8, psubb);
	SET_INT(0xf9, psubw);
	SET_INT(0xfa, psubd);
	SET_INT(0xfb, psubq);
	SET_INT(0xfc, paddb);
	SET_INT(0xfd, paddw);
	SET_INT(0xfe, paddd);
#undef SET_FP4
#undef SET_INT
#undef SET
}
