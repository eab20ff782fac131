/*
 * exec_sse4.c - SSE4.1, SSE4.2 and POPCNT, for the x86-64-v2 model only.
 *
 * Owns these slots, which exec_install_sse4() fills in the v2 table (the v1
 * table never calls it, so there they stay op_ud):
 *   0F38, 66: 10 14 15 17 20-25 28-2B 30-35 37-41
 *   0F38, F2: F0 F1 (crc32)
 *   0F3A, 66: 08-0E 14-17 20-22 40-42 60-63
 *   0F,   F3: B8 (popcnt)
 * 0F38 00-0B and 0F3A 0F (SSSE3) belong to exec_sse3.c.  Not in the model:
 * movbe (0F38 F0/F1 without F2), pclmulqdq (0F3A 44), AES, SHA.
 *
 * Integer operations use the host's SSE4 intrinsics or plain C where the
 * operation takes an imm8 (intrinsics want a constant).  Floating point
 * (round*, dpps, dppd) runs as the host's own instruction under the guest's
 * MXCSR, as in exec_sse.c; since the imm8 is part of the instruction, every
 * imm8 value that matters has its own stub, in generated tables.  The
 * string compares (pcmp[ei]str[im]) are written in C after the SDM's
 * pseudocode; they raise no exceptions and depend on nothing but their
 * operands, so C is exact and does not need 1024 stubs.
 *
 * Legacy-SSE alignment: 16-byte memory operands must be aligned (#GP)
 * except for the pcmp*str* sources; pmovsx/pmovzx, insertps, round{ss,sd}
 * and the insert/extract forms read or write only 1-8 bytes and are never
 * checked.  A LOCK prefix makes every instruction here #UD.
 *
 * dpps/dppd are several rounded steps in one instruction; with an unmasked
 * exception they are replayed step by step (dp_replay) so that the fault
 * and the flags posted before it match hardware.
 *
 * The handlers are compiled for SSE4.2 and POPCNT (the pragmas below); only
 * they use it, and they run only for a v2 guest, which needs such a
 * host.  The installer stays baseline code.
 */
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("sse4.1,sse4.2,popcnt"))), \
			     apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("sse4.1,sse4.2,popcnt")
#endif

#include <nmmintrin.h>
#include <smmintrin.h>
#include <stdint.h>
#include <string.h>
#include "engine/cpu.h"
#include "engine/exec_sse_int.h"
#include "engine/fault.h"
#include "engine/insn.h"
#include "engine/operand.h"

#define IMM8(i) ((unsigned)(i)->imm & 0xff)

static inline union xmm u_of(__m128i v)
{
	union xmm u;
	memcpy(&u, &v, 16);
	return u;
}

static inline __m128i m_of(const union xmm *u)
{
	return _mm_loadu_si128((const __m128i *)u);
}

static inline void sse4_nolock(struct cpu *c, const struct insn *i)
{
	if (unlikely(i->prefix & P_LOCK))
		cpu_raise_ud(c);
}

/* ---- packed integer: xmm, xmm/m128 (aligned) ------------------------------ */

#define BIN(name, expr)							\
static void op_##name(struct cpu *c, const struct insn *i)		\
{									\
	sse4_nolock(c, i);						\
	__m128i b = src_xmm_a16(c, i);					\
	__m128i a = xmm_get(c, i->reg);					\
	(void)a;							\
	xmm_put(c, i->reg, (expr));					\
}

#define PS(x) _mm_castsi128_ps(x)
#define PD(x) _mm_castsi128_pd(x)
#define I_PS(x) _mm_castps_si128(x)
#define I_PD(x) _mm_castpd_si128(x)

/* The variable blends take their mask from xmm0. */
BIN(pblendvb, _mm_blendv_epi8(a, b, xmm_get(c, 0)))
BIN(blendvps, I_PS(_mm_blendv_ps(PS(a), PS(b), PS(xmm_get(c, 0)))))
BIN(blendvpd, I_PD(_mm_blendv_pd(PD(a), PD(b), PD(xmm_get(c, 0)))))
BIN(pmuldq, _mm_mul_epi32(a, b))
BIN(pcmpeqq, _mm_cmpeq_epi64(a, b))
BIN(packusdw, _mm_packus_epi32(a, b))
BIN(pminsb, _mm_min_epi8(a, b))
BIN(pminsd, _mm_min_epi32(a, b))
BIN(pminuw, _mm_min_epu16(a, b))
BIN(pminud, _mm_min_epu32(a, b))
BIN(pmaxsb, _mm_max_epi8(a, b))
BIN(pmaxsd, _mm_max_epi32(a, b))
BIN(pmaxuw, _mm_max_epu16(a, b))
BIN(pmaxud, _mm_max_epu32(a, b))
BIN(pmulld, _mm_mullo_epi32(a, b))
BIN(phminposuw, _mm_minpos_epu16(b))
BIN(pcmpgtq, _mm_cmpgt_epi64(a, b))

/* 66 0F 38 17: ptest xmm, xmm/m128.  ZF = (a & b) == 0, CF = (~a & b) == 0;
 * AF, OF, PF and SF are cleared. */
static void op_ptest(struct cpu *c, const struct insn *i)
{
	sse4_nolock(c, i);
	__m128i b = src_xmm_a16(c, i);
	__m128i a = xmm_get(c, i->reg);
	uint64_t f = 0;
	if (_mm_testz_si128(a, b))
		f |= FL_ZF;
	if (_mm_testc_si128(a, b))
		f |= FL_CF;
	c->rflags = (c->rflags & ~(uint64_t)FL_ARITH) | f;
}

/* 66 0F 38 2A: movntdqa xmm, m128 (aligned, memory only) */
static void op_movntdqa(struct cpu *c, const struct insn *i)
{
	sse4_nolock(c, i);
	sse_need_mem(c, i);
	xmm_put(c, i->reg, sse_load128(c, sse_ea_a16(c, i)));
}

/* pmovsx / pmovzx xmm, xmm/m{16,32,64}: memory supplies only the bytes the
 * extension consumes, unaligned. */
#define PMOV(name, fn, n)						\
static void op_##name(struct cpu *c, const struct insn *i)		\
{									\
	sse4_nolock(c, i);						\
	__m128i s = i->mod == 3 ? xmm_get(c, i->rm) :			\
		xmm_from64(mem_read_n(c, insn_ea(c, i), n));		\
	xmm_put(c, i->reg, fn(s));					\
}

PMOV(pmovsxbw, _mm_cvtepi8_epi16, 8)
PMOV(pmovsxbd, _mm_cvtepi8_epi32, 4)
PMOV(pmovsxbq, _mm_cvtepi8_epi64, 2)
PMOV(pmovsxwd, _mm_cvtepi16_epi32, 8)
PMOV(pmovsxwq, _mm_cvtepi16_epi64, 4)
PMOV(pmovsxdq, _mm_cvtepi32_epi64, 8)
PMOV(pmovzxbw, _mm_cvtepu8_epi16, 8)
PMOV(pmovzxbd, _mm_cvtepu8_epi32, 4)
PMOV(pmovzxbq, _mm_cvtepu8_epi64, 2)
PMOV(pmovzxwd, _mm_cvtepu16_epi32, 8)
PMOV(pmovzxwq, _mm_cvtepu16_epi64, 4)
PMOV(pmovzxdq, _mm_cvtepu32_epi64, 8)

/* ---- imm8 blends, mpsadbw ------------------------------------------------- */

/* blendps/blendpd/pblendw: element k comes from the source when imm8 bit k
 * is set (blendps uses bits 0-3, blendpd bits 0-1). */
static void op_blendps(struct cpu *c, const struct insn *i)
{
	sse4_nolock(c, i);
	union xmm b = u_of(src_xmm_a16(c, i)), *d = &c->xmm[i->reg];
	for (int k = 0; k < 4; k++)
		if (IMM8(i) & (1u << k))
			d->u32[k] = b.u32[k];
}

static void op_blendpd(struct cpu *c, const struct insn *i)
{
	sse4_nolock(c, i);
	union xmm b = u_of(src_xmm_a16(c, i)), *d = &c->xmm[i->reg];
	for (int k = 0; k < 2; k++)
		if (IMM8(i) & (1u << k))
			d->u64[k] = b.u64[k];
}

static void op_pblendw(struct cpu *c, const struct insn *i)
{
	sse4_nolock(c, i);
	union xmm b = u_of(src_xmm_a16(c, i)), *d = &c->xmm[i->reg];
	for (int k = 0; k < 8; k++)
		if (IMM8(i) & (1u << k))
			d->u16[k] = b.u16[k];
}

/* 66 0F 3A 42: mpsadbw.  Eight sums of absolute differences between the
 * source block at 4 * imm8[1:0] and the destination's bytes from
 * 4 * imm8[2] + k. */
static void op_mpsadbw(struct cpu *c, const struct insn *i)
{
	sse4_nolock(c, i);
	union xmm b = u_of(src_xmm_a16(c, i)), a = c->xmm[i->reg], r;
	unsigned ao = IMM8(i) & 4, bo = (IMM8(i) & 3) * 4;
	for (int k = 0; k < 8; k++) {
		unsigned s = 0;
		for (int m = 0; m < 4; m++) {
			int x = a.u8[ao + k + m] - b.u8[bo + m];
			s += (unsigned)(x < 0 ? -x : x);
		}
		r.u16[k] = (uint16_t)s;
	}
	c->xmm[i->reg] = r;
}

/* ---- insert / extract --------------------------------------------------------
 *
 * Register destinations of the extracts are written whole: the value
 * zero-extended to 64 bits, whatever the element size or REX.W.
 */

static void extract_store(struct cpu *c, const struct insn *i, int n,
			  uint64_t v)
{
	if (i->mod == 3)
		c->gpr[i->rm] = v;
	else
		mem_write_n(c, insn_ea(c, i), n, v);
}

/* 66 0F 3A 14: pextrb r/m8, xmm, imm8 */
static void op_pextrb(struct cpu *c, const struct insn *i)
{
	sse4_nolock(c, i);
	extract_store(c, i, 1, c->xmm[i->reg].u8[IMM8(i) & 15]);
}

/* 66 0F 3A 15: pextrw r/m16, xmm, imm8 */
static void op_pextrw(struct cpu *c, const struct insn *i)
{
	sse4_nolock(c, i);
	extract_store(c, i, 2, c->xmm[i->reg].u16[IMM8(i) & 7]);
}

/* 66 0F 3A 16: pextrd r/m32 / pextrq r/m64 (REX.W), xmm, imm8 */
static void op_pextrd(struct cpu *c, const struct insn *i)
{
	sse4_nolock(c, i);
	if (i->rex & 8)
		extract_store(c, i, 8, c->xmm[i->reg].u64[IMM8(i) & 1]);
	else
		extract_store(c, i, 4, c->xmm[i->reg].u32[IMM8(i) & 3]);
}

/* 66 0F 3A 17: extractps r/m32, xmm, imm8 */
static void op_extractps(struct cpu *c, const struct insn *i)
{
	sse4_nolock(c, i);
	extract_store(c, i, 4, c->xmm[i->reg].u32[IMM8(i) & 3]);
}

/* 66 0F 3A 20: pinsrb xmm, r32/m8, imm8 */
static void op_pinsrb(struct cpu *c, const struct insn *i)
{
	sse4_nolock(c, i);
	uint8_t v = i->mod == 3 ? (uint8_t)c->gpr[i->rm]
				: mem_read8(c, insn_ea(c, i));
	c->xmm[i->reg].u8[IMM8(i) & 15] = v;
}

/* 66 0F 3A 22: pinsrd xmm, r/m32 / pinsrq xmm, r/m64 (REX.W), imm8 */
static void op_pinsrd(struct cpu *c, const struct insn *i)
{
	sse4_nolock(c, i);
	if (i->rex & 8) {
		uint64_t v = rm_read(c, i, 8);
		c->xmm[i->reg].u64[IMM8(i) & 1] = v;
	} else {
		uint32_t v = (uint32_t)rm_read(c, i, 4);
		c->xmm[i->reg].u32[IMM8(i) & 3] = v;
	}
}

/* 66 0F 3A 21: insertps xmm, xmm/m32, imm8.  A register source supplies
 * element imm8[7:6], memory its 4 bytes; the value goes to element
 * imm8[5:4], then imm8[3:0] zeroes elements. */
static void op_insertps(struct cpu *c, const struct insn *i)
{
	sse4_nolock(c, i);
	unsigned imm = IMM8(i);
	uint32_t v = i->mod == 3 ? c->xmm[i->rm].u32[imm >> 6]
				 : mem_read32(c, insn_ea(c, i));
	union xmm d = c->xmm[i->reg];
	d.u32[(imm >> 4) & 3] = v;
	for (int k = 0; k < 4; k++)
		if (imm & (1u << k))
			d.u32[k] = 0;
	c->xmm[i->reg] = d;
}

/* ---- floating point with an imm8 ---------------------------------------------
 *
 * One stub per imm8 value that matters: stub(&d, s, csr) runs
 * "MNEM $imm, s, d" under host MXCSR csr and returns the flags raised.
 */
typedef uint32_t (*fp_stub)(__m128i *d, __m128i s, uint32_t csr);

#define FP_STUB(mn, n)							\
static uint32_t mn##_##n(__m128i *d, __m128i s, uint32_t csr)		\
{									\
	__m128i v = *d;							\
	uint32_t f = FP_ASM(#mn " $" #n ",", v, s, csr);		\
	*d = v;								\
	return f;							\
}
#define FP_STUB_REF(mn, n) mn##_##n,

/* M(mn, 0xH0) ... M(mn, 0xHf) */
#define X16(M, mn, h)							\
	M(mn, 0x##h##0) M(mn, 0x##h##1) M(mn, 0x##h##2) M(mn, 0x##h##3)	\
	M(mn, 0x##h##4) M(mn, 0x##h##5) M(mn, 0x##h##6) M(mn, 0x##h##7)	\
	M(mn, 0x##h##8) M(mn, 0x##h##9) M(mn, 0x##h##a) M(mn, 0x##h##b)	\
	M(mn, 0x##h##c) M(mn, 0x##h##d) M(mn, 0x##h##e) M(mn, 0x##h##f)
#define X256(M, mn)							\
	X16(M, mn, 0) X16(M, mn, 1) X16(M, mn, 2) X16(M, mn, 3)		\
	X16(M, mn, 4) X16(M, mn, 5) X16(M, mn, 6) X16(M, mn, 7)		\
	X16(M, mn, 8) X16(M, mn, 9) X16(M, mn, a) X16(M, mn, b)		\
	X16(M, mn, c) X16(M, mn, d) X16(M, mn, e) X16(M, mn, f)

/* round*: imm8[3:0] (rounding control, use MXCSR.RC, suppress PE); the
 * upper bits are ignored. */
X16(FP_STUB, roundps, 0)
X16(FP_STUB, roundpd, 0)
X16(FP_STUB, roundss, 0)
X16(FP_STUB, roundsd, 0)
static const fp_stub roundps_stub[16] = { X16(FP_STUB_REF, roundps, 0) };
static const fp_stub roundpd_stub[16] = { X16(FP_STUB_REF, roundpd, 0) };
static const fp_stub roundss_stub[16] = { X16(FP_STUB_REF, roundss, 0) };
static const fp_stub roundsd_stub[16] = { X16(FP_STUB_REF, roundsd, 0) };

/* dpps: all eight bits.  dppd: bits 0-1 and 4-5 only (the rest are
 * ignored), so its table is indexed by imm8 & 0x33. */
X256(FP_STUB, dpps)
static const fp_stub dpps_stub[256] = { X256(FP_STUB_REF, dpps) };
#define X4(M, mn, h) M(mn, 0x##h##0) M(mn, 0x##h##1) M(mn, 0x##h##2) \
	M(mn, 0x##h##3)
X4(FP_STUB, dppd, 0) X4(FP_STUB, dppd, 1)
X4(FP_STUB, dppd, 2) X4(FP_STUB, dppd, 3)
static const fp_stub dppd_stub[4][4] = {
	{ X4(FP_STUB_REF, dppd, 0) }, { X4(FP_STUB_REF, dppd, 1) },
	{ X4(FP_STUB_REF, dppd, 2) }, { X4(FP_STUB_REF, dppd, 3) },
};

/* FP_RUN (exec_sse_int.h) through a stub: d = op(d, s) under the guest
 * MXCSR, flags committed (faulting, d's register untouched, on an
 * unmasked one).  lanes as for FP_RUN. */
static void fp_run_stub(struct cpu *c, const struct insn *i, fp_stub fn,
			__m128i *d, __m128i s, enum fp_lanes lanes)
{
	__m128i d0 = *d;
	uint32_t f = fn(d, s, fp_host_csr(c));
	int um = lanes != FPL_NONE && !(c->mxcsr & MXCSR_UM);
	if (unlikely(f | um)) {
		if (um) {
			__m128i t = d0;
			f = fn(&t, s, fp_host_csr(c) & ~MXCSR_FZ);
			if (fp_tiny(t, lanes))
				f |= MXCSR_UE;
		}
		fp_commit_flags(c, i, f);
	}
}

/* Rounding to an integral value never produces a tiny result. */
#define FP_IMM_OP(name, fetch, table, index, lanes)			\
static void op_##name(struct cpu *c, const struct insn *i)		\
{									\
	sse4_nolock(c, i);						\
	__m128i s = fetch(c, i);					\
	__m128i d = xmm_get(c, i->reg);					\
	fp_run_stub(c, i, table[index], &d, s, lanes);			\
	xmm_put(c, i->reg, d);						\
}

FP_IMM_OP(roundps, src_xmm_a16, roundps_stub, IMM8(i) & 15, FPL_NONE)
FP_IMM_OP(roundpd, src_xmm_a16, roundpd_stub, IMM8(i) & 15, FPL_NONE)
FP_IMM_OP(roundss, src_xmm_m32, roundss_stub, IMM8(i) & 15, FPL_NONE)
FP_IMM_OP(roundsd, src_xmm_m64, roundsd_stub, IMM8(i) & 15, FPL_NONE)
/* dpps and dppd are three (two) dependent steps: the selected products,
 * then pairwise sums, then (dpps) the final sum, each rounded and each
 * posting its exception flags before the next begins.  When the host's
 * all-masked run raised nothing the guest unmasks, those flags are the
 * answer; otherwise (or with underflow unmasked, where an exact tiny
 * intermediate also counts) the steps are replayed one by one under the
 * guest MXCSR to find the one that faults and the flags posted before it.
 * Deselected products are +0.0, which raise nothing. */
/* r = x OP y (mul or add, ps or pd) under host MXCSR csr. */
static uint32_t dp_op(int add, int dbl, __m128i *r, __m128i y, uint32_t csr)
{
	__m128i v = *r;
	uint32_t f;
	switch (add * 2 + dbl) {
	case 0: f = FP_ASM("mulps", v, y, csr); break;
	case 1: f = FP_ASM("mulpd", v, y, csr); break;
	case 2: f = FP_ASM("addps", v, y, csr); break;
	default: f = FP_ASM("addpd", v, y, csr); break;
	}
	*r = v;
	return f;
}

/* One step, with FP_RUN's treatment of unmasked underflow and overflow;
 * commits its flags (or faults) and returns its result. */
static __m128i dp_step(struct cpu *c, const struct insn *i, int add, int dbl,
		       __m128i x, __m128i y)
{
	enum fp_lanes lanes = dbl ? FPL_PD : FPL_PS;
	__m128i r = x;
	uint32_t f = dp_op(add, dbl, &r, y, fp_host_csr(c));

	if (!(c->mxcsr & MXCSR_UM)) {
		__m128i t = x;
		f = dp_op(add, dbl, &t, y, fp_host_csr(c) & ~MXCSR_FZ);
		if (fp_tiny(t, lanes))
			f |= MXCSR_UE;
	}
	if (f & ~(c->mxcsr >> 7) & (MXCSR_OE | MXCSR_UE))
		f = sse_fix_pe(c, add ? FPK_ADD : FPK_MUL, lanes, x, y, f);
	fp_commit_flags(c, i, f);
	return r;
}

/* Replays a dot product step by step; faults like the hardware or returns
 * with the flags of every step committed. */
static void dp_replay(struct cpu *c, const struct insn *i, __m128i a,
		      __m128i b, unsigned imm, int dbl)
{
	union xmm ua = u_of(a), ub = u_of(b), t, x, y;
	int n = dbl ? 2 : 4;

	memset(&x, 0, sizeof x);
	memset(&y, 0, sizeof y);
	for (int k = 0; k < n; k++) {
		if (!(imm & (0x10u << k))) {
			if (dbl)
				ua.u64[k] = ub.u64[k] = 0;
			else
				ua.u32[k] = ub.u32[k] = 0;
		}
	}
	t = u_of(dp_step(c, i, 0, dbl, m_of(&ua), m_of(&ub)));
	if (dbl) {
		x.u64[0] = t.u64[0];
		y.u64[0] = t.u64[1];
		dp_step(c, i, 1, 1, m_of(&x), m_of(&y));
		return;
	}
	x.u32[0] = t.u32[0];
	x.u32[1] = t.u32[2];
	y.u32[0] = t.u32[1];
	y.u32[1] = t.u32[3];
	t = u_of(dp_step(c, i, 1, 0, m_of(&x), m_of(&y)));
	memset(&x, 0, sizeof x);
	memset(&y, 0, sizeof y);
	x.u32[0] = t.u32[0];
	y.u32[0] = t.u32[1];
	dp_step(c, i, 1, 0, m_of(&x), m_of(&y));
}

#define FP_DP(name, table, index, dbl)					\
static void op_##name(struct cpu *c, const struct insn *i)		\
{									\
	sse4_nolock(c, i);						\
	__m128i s = src_xmm_a16(c, i);					\
	__m128i d = xmm_get(c, i->reg), d0 = d;				\
	uint32_t f = table[index](&d, s, fp_host_csr(c));		\
	if (unlikely((f & ~(c->mxcsr >> 7)) ||				\
		     !(c->mxcsr & MXCSR_UM)))				\
		dp_replay(c, i, d0, s, IMM8(i), dbl);			\
	else								\
		c->mxcsr |= f;						\
	xmm_put(c, i->reg, d);						\
}

FP_DP(dpps, dpps_stub, IMM8(i), 0)
FP_DP(dppd, dppd_stub[(IMM8(i) >> 4) & 3], IMM8(i) & 3, 1)

/* ---- string compares (SSE4.2) ----------------------------------------------
 *
 * imm8[1:0]: elements (0 ub, 1 uw, 2 sb, 3 sw); [3:2]: aggregation (equal
 * any, ranges, equal each, equal ordered); [5:4]: polarity; [6]: most
 * significant index / expanded mask.  Operand a is the register (xmm1),
 * b the xmm2/m128 source (unaligned).  Elements at or past an operand's
 * length are invalid; the SDM's tables say how each aggregation treats
 * them.
 */

/* IntRes2 of the comparison (n bits). */
static unsigned pcmpstr_res(const union xmm *ua, const union xmm *ub,
			    int la, int lb, unsigned imm)
{
	int n = imm & 1 ? 8 : 16;
	int a[16], b[16];
	unsigned r = 0;

	/* Fast paths: bytes (equality ignores signedness), equal any or
	 * equal each (what the libc string functions use). */
	if ((imm & 1) == 0 && (imm & 0x0c) != 0x04 && (imm & 0x0c) != 0x0c) {
		__m128i va = _mm_loadu_si128((const __m128i *)ua);
		__m128i vb = _mm_loadu_si128((const __m128i *)ub);
		unsigned ma = (1u << la) - 1, mb = (1u << lb) - 1;
		if (imm & 0x08) {	/* equal each */
			unsigned eq = (unsigned)_mm_movemask_epi8(
				_mm_cmpeq_epi8(va, vb));
			r = (eq & ma & mb) | (~(ma | mb) & 0xffff);
		} else {		/* equal any */
			for (int k = 0; k < la; k++)
				r |= (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(
					vb, _mm_set1_epi8((char)ua->u8[k])));
			r &= mb;
		}
		goto polarity;
	}

	for (int k = 0; k < n; k++) {
		switch (imm & 3) {
		case 0: a[k] = ua->u8[k]; b[k] = ub->u8[k]; break;
		case 1: a[k] = ua->u16[k]; b[k] = ub->u16[k]; break;
		case 2: a[k] = ua->i8[k]; b[k] = ub->i8[k]; break;
		default: a[k] = ua->i16[k]; b[k] = ub->i16[k]; break;
		}
	}
	switch ((imm >> 2) & 3) {
	case 0:		/* equal any: b[j] is one of a's valid elements */
		for (int j = 0; j < lb; j++)
			for (int k = 0; k < la; k++)
				if (a[k] == b[j]) {
					r |= 1u << j;
					break;
				}
		break;
	case 1:		/* ranges: a[k] <= b[j] <= a[k+1] for an even k;
			   a range needs both bounds valid */
		for (int j = 0; j < lb; j++)
			for (int k = 0; k + 1 < la; k += 2)
				if (a[k] <= b[j] && b[j] <= a[k + 1]) {
					r |= 1u << j;
					break;
				}
		break;
	case 2:		/* equal each: two invalid elements match */
		for (int j = 0; j < n; j++)
			if (j < la && j < lb ? a[j] == b[j] :
			    j >= la && j >= lb)
				r |= 1u << j;
		break;
	default:	/* equal ordered: a occurs in b at j; invalid a
			   elements match anything, a valid one does not
			   match an invalid b element; a may run off the end */
		for (int j = 0; j < n; j++) {
			int match = 1;
			for (int k = 0; k < n - j && k < la; k++)
				if (j + k >= lb || a[k] != b[j + k]) {
					match = 0;
					break;
				}
			if (match)
				r |= 1u << j;
		}
		break;
	}
polarity:
	switch ((imm >> 4) & 3) {
	case 1:		/* negative */
		r ^= (1u << n) - 1;
		break;
	case 3:		/* masked negative: only b's valid elements */
		r ^= (1u << lb) - 1;
		break;
	}
	return r;
}

/* Implicit length: the index of the first zero element, or n. */
static int pcmpstr_ilen(const union xmm *u, int words)
{
	__m128i v = _mm_loadu_si128((const __m128i *)u);
	__m128i z = _mm_setzero_si128();
	unsigned m = (unsigned)_mm_movemask_epi8(words ? _mm_cmpeq_epi16(v, z)
						       : _mm_cmpeq_epi8(v, z));
	int k = __builtin_ctz(m | 0x10000);
	return words ? k / 2 : k;
}

/* Explicit length: |rax| or |eax| (REX.W), saturated at n. */
static int pcmpstr_elen(uint64_t v, int wide, int n)
{
	int64_t x = wide ? (int64_t)v : (int32_t)v;
	uint64_t m = x < 0 ? -(uint64_t)x : (uint64_t)x;
	return m > (uint64_t)n ? n : (int)m;
}

/* 66 0F 3A 60-63: pcmpestrm, pcmpestri, pcmpistrm, pcmpistri.  Bit 0 of
 * the opcode selects index (ecx) or mask (xmm0) output, bit 1 implicit
 * lengths.  Flags: CF = result non-zero, ZF = b shorter than n, SF = a
 * shorter than n, OF = result bit 0; AF and PF cleared. */
static void op_pcmpstr(struct cpu *c, const struct insn *i)
{
	sse4_nolock(c, i);
	union xmm b = u_of(src_xmm_u16(c, i)), a = c->xmm[i->reg];
	unsigned imm = IMM8(i);
	int n = imm & 1 ? 8 : 16, la, lb;

	if (i->op & 2) {
		la = pcmpstr_ilen(&a, imm & 1);
		lb = pcmpstr_ilen(&b, imm & 1);
	} else {
		la = pcmpstr_elen(c->gpr[R_RAX], i->rex & 8, n);
		lb = pcmpstr_elen(c->gpr[R_RDX], i->rex & 8, n);
	}
	unsigned r = pcmpstr_res(&a, &b, la, lb, imm);

	if (i->op & 1) {
		/* ecx, zero-extended to rcx */
		if (!r)
			c->gpr[R_RCX] = (uint64_t)n;
		else if (imm & 0x40)
			c->gpr[R_RCX] = (uint64_t)(31 - __builtin_clz(r));
		else
			c->gpr[R_RCX] = (uint64_t)__builtin_ctz(r);
	} else {
		union xmm m;
		memset(&m, 0, sizeof m);
		if (!(imm & 0x40))
			m.u16[0] = (uint16_t)r;
		else if (n == 16)
			for (int k = 0; k < 16; k++)
				m.u8[k] = r & (1u << k) ? 0xff : 0;
		else
			for (int k = 0; k < 8; k++)
				m.u16[k] = r & (1u << k) ? 0xffff : 0;
		c->xmm[0] = m;
	}
	c->rflags = (c->rflags & ~(uint64_t)FL_ARITH) |
		    (r ? FL_CF : 0) | (lb < n ? FL_ZF : 0) |
		    (la < n ? FL_SF : 0) | (r & 1 ? FL_OF : 0);
}

/* ---- crc32, popcnt ---------------------------------------------------------- */

/* F2 0F 38 F0/F1: crc32 r32/r64, r/m8 (F0) or r/m16/32/64 (F1, by 66 and
 * REX.W).  The accumulator is the low 32 bits of the destination, which is
 * written zero-extended. */
static void op_crc32(struct cpu *c, const struct insn *i)
{
	sse4_nolock(c, i);
	int n = i->op == 0xf0 ? 1 : i->osize;
	uint64_t s = rm_read(c, i, n);
	uint32_t crc = (uint32_t)c->gpr[i->reg];
	switch (n) {
	case 1: crc = _mm_crc32_u8(crc, (uint8_t)s); break;
	case 2: crc = _mm_crc32_u16(crc, (uint16_t)s); break;
	case 4: crc = _mm_crc32_u32(crc, (uint32_t)s); break;
	default: crc = (uint32_t)_mm_crc32_u64(crc, s); break;
	}
	c->gpr[i->reg] = crc;
}

/* F3 0F B8: popcnt r, r/m (16/32/64).  ZF = source zero; CF, PF, AF, SF
 * and OF cleared. */
static void op_popcnt(struct cpu *c, const struct insn *i)
{
	sse4_nolock(c, i);
	int n = i->osize;
	uint64_t s = rm_read(c, i, n);
	reg_write(c, i->reg, n, (uint64_t)__builtin_popcountll(s), i->rex);
	c->rflags = (c->rflags & ~(uint64_t)FL_ARITH) | (s ? 0 : FL_ZF);
}

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

/* ---- installation ------------------------------------------------------------ */

void exec_install_sse4(struct optable *t)
{
#define SET38(op, name) (t->map0f38[op][PFX_66] = op_##name)
#define SET3A(op, name) (t->map0f3a[op][PFX_66] = op_##name)
	/* SSE4.1, 0F 38 */
	SET38(0x10, pblendvb);
	SET38(0x14, blendvps);
	SET38(0x15, blendvpd);
	SET38(0x17, ptest);
	SET38(0x20, pmovsxbw);
	SET38(0x21, pmovsxbd);
	SET38(0x22, pmovsxbq);
	SET38(0x23, pmovsxwd);
	SET38(0x24, pmovsxwq);
	SET38(0x25, pmovsxdq);
	SET38(0x28, pmuldq);
	SET38(0x29, pcmpeqq);
	SET38(0x2a, movntdqa);
	SET38(0x2b, packusdw);
	SET38(0x30, pmovzxbw);
	SET38(0x31, pmovzxbd);
	SET38(0x32, pmovzxbq);
	SET38(0x33, pmovzxwd);
	SET38(0x34, pmovzxwq);
	SET38(0x35, pmovzxdq);
	SET38(0x37, pcmpgtq);		/* SSE4.2 */
	SET38(0x38, pminsb);
	SET38(0x39, pminsd);
	SET38(0x3a, pminuw);
	SET38(0x3b, pminud);
	SET38(0x3c, pmaxsb);
	SET38(0x3d, pmaxsd);
	SET38(0x3e, pmaxuw);
	SET38(0x3f, pmaxud);
	SET38(0x40, pmulld);
	SET38(0x41, phminposuw);

	/* SSE4.1, 0F 3A */
	SET3A(0x08, roundps);
	SET3A(0x09, roundpd);
	SET3A(0x0a, roundss);
	SET3A(0x0b, roundsd);
	SET3A(0x0c, blendps);
	SET3A(0x0d, blendpd);
	SET3A(0x0e, pblendw);
	SET3A(0x14, pextrb);
	SET3A(0x15, pextrw);
	SET3A(0x16, pextrd);
	SET3A(0x17, extractps);
	SET3A(0x20, pinsrb);
	SET3A(0x21, insertps);
	SET3A(0x22, pinsrd);
	SET3A(0x40, dpps);
	SET3A(0x41, dppd);
	SET3A(0x42, mpsadbw);

	/* SSE4.2 */
	for (int op = 0x60; op <= 0x63; op++)
		t->map0f3a[op][PFX_66] = op_pcmpstr;
	t->map0f38[0xf0][PFX_F2] = op_crc32;
	t->map0f38[0xf1][PFX_F2] = op_crc32;
	t->map0f[0xb8][PFX_F3] = op_popcnt;
#undef SET3A
#undef SET38
}
