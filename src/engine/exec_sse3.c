/*
 * exec_sse3.c - SSE3 and SSSE3, for the x86-64-v2 model and above.
 *
 * Owns these slots, installed only into the v2 dispatch table (under v1
 * they stay op_ud, so those encodings raise SIGILL):
 *   SSE3, 0F map:  F3 12 movsldup, F2 12 movddup, F3 16 movshdup,
 *                  66/F2 7C haddpd/haddps, 66/F2 7D hsubpd/hsubps,
 *                  66/F2 D0 addsubpd/addsubps, F2 F0 lddqu.
 *   SSSE3, 0F38 map 00-0B and 1C-1E, 0F3A map 0F (palignr), each in the
 *                  no-prefix MMX form and the 66 xmm form.
 * fisttp (the SSE3 x87 store) lives with the rest of x87 in exec_x87.c and
 * checks c->level there; monitor/mwait are #UD in user mode (exec_int.c).
 *
 * Everything is computed by the host's own SSE3/SSSE3 instructions, so
 * results are bit-exact with hardware: the floating point ones through
 * exec_sse_int.h's FP_ASM under the guest MXCSR, the integer ones through
 * intrinsics.  The MMX forms follow exec_sse.c: computed in the low half
 * of an xmm value (never with host MMX instructions, which would disturb
 * the host x87 state), with mmx_check() first and mmx_enter() once the
 * instruction can no longer fault.
 *
 * Legacy alignment: the 128-bit memory operands of movsldup, movshdup,
 * haddp*, hsubp*, addsubp* and the 66 SSSE3 forms must be 16-byte aligned
 * (#GP otherwise); movddup (m64), lddqu and the MMX forms (m64) need not be.
 */
#include <stdint.h>
#include <string.h>
#include "engine/cpu.h"
#include "engine/exec_sse_int.h"
#include "engine/fault.h"
#include "engine/insn.h"
#include "engine/operand.h"

#include <pmmintrin.h>
#include <tmmintrin.h>

/* The build's default -march lacks SSE3/SSSE3: every function that uses
 * their intrinsics carries this attribute (GCC and clang both understand
 * it; a target pragma would be GCC-only).  The rest of the file, the
 * installer included, stays plain x86-64 code. */
#define TARGET_SSSE3 __attribute__((target("sse3,ssse3")))

#define IMM8(i) ((unsigned)(i)->imm & 0xff)

/* ---- SSE3 moves ------------------------------------------------------------ */

/* F3 0F 12: movsldup xmm, xmm/m128 */
TARGET_SSSE3
static void op_movsldup(struct cpu *c, const struct insn *i)
{
	__m128 s = _mm_castsi128_ps(src_xmm_a16(c, i));
	xmm_put(c, i->reg, _mm_castps_si128(_mm_moveldup_ps(s)));
}

/* F3 0F 16: movshdup xmm, xmm/m128 */
TARGET_SSSE3
static void op_movshdup(struct cpu *c, const struct insn *i)
{
	__m128 s = _mm_castsi128_ps(src_xmm_a16(c, i));
	xmm_put(c, i->reg, _mm_castps_si128(_mm_movehdup_ps(s)));
}

/* F2 0F 12: movddup xmm, xmm/m64 */
static void op_movddup(struct cpu *c, const struct insn *i)
{
	__m128i s = src_xmm_m64(c, i);
	xmm_put(c, i->reg, _mm_unpacklo_epi64(s, s));
}

/* F2 0F F0: lddqu xmm, m128 (no alignment requirement) */
static void op_lddqu(struct cpu *c, const struct insn *i)
{
	sse_need_mem(c, i);
	xmm_put(c, i->reg, sse_load128(c, insn_ea(c, i)));
}

/* ---- SSE3 floating point ----------------------------------------------------
 *
 * FP_RUN (exec_sse_int.h) cannot be used as is: its slow path for unmasked
 * OE/UE redoes the operation lane by lane as one add or sub of a[k] and
 * b[k], and these instructions pair their inputs differently.  Each gets a
 * function that rearranges the inputs into that form (hadd: a[2k] + a[2k+1]
 * is lane k of addps(even lanes, odd lanes)) and asks sse_fix_pe for PE.
 */

typedef uint32_t (*sse3_fix_fn)(const struct cpu *c, __m128i a, __m128i b,
				uint32_t f);

/* PE of two partial operations, each computed by sse_fix_pe over the whole
 * vector with the other operation's lanes zeroed (0 op 0 is exact). */
static uint32_t fix_two(const struct cpu *c, enum fp_lanes lanes,
			enum fp_kind k1, __m128i a1, __m128i b1,
			enum fp_kind k2, __m128i a2, __m128i b2, uint32_t f)
{
	uint32_t pe = (sse_fix_pe(c, k1, lanes, a1, b1, f) |
		       sse_fix_pe(c, k2, lanes, a2, b2, f)) & MXCSR_PE;
	return (f & ~MXCSR_PE) | pe;
}

/* haddps/hsubps: [a0, a2, b0, b2] op [a1, a3, b1, b3]. */
static uint32_t fix_hps(const struct cpu *c, enum fp_kind kind, __m128i a,
			__m128i b, uint32_t f)
{
	__m128 x = _mm_castsi128_ps(a), y = _mm_castsi128_ps(b);
	__m128i ev = _mm_castps_si128(_mm_shuffle_ps(x, y, 0x88));
	__m128i od = _mm_castps_si128(_mm_shuffle_ps(x, y, 0xdd));
	return sse_fix_pe(c, kind, FPL_PS, ev, od, f);
}

static uint32_t fix_haddps(const struct cpu *c, __m128i a, __m128i b,
			   uint32_t f)
{
	return fix_hps(c, FPK_ADD, a, b, f);
}

static uint32_t fix_hsubps(const struct cpu *c, __m128i a, __m128i b,
			   uint32_t f)
{
	return fix_hps(c, FPK_SUB, a, b, f);
}

/* haddpd/hsubpd: [a0, b0] op [a1, b1]. */
static uint32_t fix_haddpd(const struct cpu *c, __m128i a, __m128i b,
			   uint32_t f)
{
	return sse_fix_pe(c, FPK_ADD, FPL_PD, _mm_unpacklo_epi64(a, b),
			  _mm_unpackhi_epi64(a, b), f);
}

static uint32_t fix_hsubpd(const struct cpu *c, __m128i a, __m128i b,
			   uint32_t f)
{
	return sse_fix_pe(c, FPK_SUB, FPL_PD, _mm_unpacklo_epi64(a, b),
			  _mm_unpackhi_epi64(a, b), f);
}

/* addsubps: lanes 0 and 2 subtract, 1 and 3 add. */
static uint32_t fix_addsubps(const struct cpu *c, __m128i a, __m128i b,
			     uint32_t f)
{
	__m128i ev = _mm_set_epi32(0, -1, 0, -1);
	__m128i od = _mm_set_epi32(-1, 0, -1, 0);
	return fix_two(c, FPL_PS,
		       FPK_SUB, _mm_and_si128(a, ev), _mm_and_si128(b, ev),
		       FPK_ADD, _mm_and_si128(a, od), _mm_and_si128(b, od), f);
}

/* addsubpd: lane 0 subtracts, lane 1 adds. */
static uint32_t fix_addsubpd(const struct cpu *c, __m128i a, __m128i b,
			     uint32_t f)
{
	__m128i lo = _mm_set_epi64x(0, -1), hi = _mm_set_epi64x(-1, 0);
	return fix_two(c, FPL_PD,
		       FPK_SUB, _mm_and_si128(a, lo), _mm_and_si128(b, lo),
		       FPK_ADD, _mm_and_si128(a, hi), _mm_and_si128(b, hi), f);
}

/* xmm(reg) = MNEM(xmm(reg), xmm/m128 aligned) under the guest MXCSR: as
 * FP_RUN, with fix computing PE for the unmasked OE/UE slow path. */
#define SSE3_FP(name, mnem, lanes)					\
static void op_##name(struct cpu *c, const struct insn *i)		\
{									\
	__m128i s = src_xmm_a16(c, i);					\
	__m128i d = xmm_get(c, i->reg), d0 = d;				\
	uint32_t f = FP_ASM(mnem, d, s, fp_host_csr(c));		\
	int um = !(c->mxcsr & MXCSR_UM);				\
	if (unlikely(f | um)) {						\
		if (um) {						\
			/* Unmasked underflow: every tiny result counts,\
			 * as seen without FZ. */			\
			__m128i t = d0;					\
			f = FP_ASM(mnem, t, s, fp_host_csr(c) & ~MXCSR_FZ);\
			if (fp_tiny(t, lanes))				\
				f |= MXCSR_UE;				\
		}							\
		if (f & ~(c->mxcsr >> 7) & (MXCSR_OE | MXCSR_UE))	\
			f = fix_##name(c, d0, s, f);			\
		fp_commit_flags(c, i, f);				\
	}								\
	xmm_put(c, i->reg, d);						\
}

SSE3_FP(addsubps, "addsubps", FPL_PS)
SSE3_FP(addsubpd, "addsubpd", FPL_PD)
SSE3_FP(haddps, "haddps", FPL_PS)
SSE3_FP(haddpd, "haddpd", FPL_PD)
SSE3_FP(hsubps, "hsubps", FPL_PS)
SSE3_FP(hsubpd, "hsubpd", FPL_PD)

/* ---- SSSE3 ----------------------------------------------------------------- */

/* SSSE3_OP(name, expr): int_name(a, b) = expr (a the destination, b the
 * source) and its two forms, op_name_x (66: xmm, xmm/m128 aligned) and
 * op_name_m (mm, mm/m64).  The MMX form computes in the low quadword, which
 * is right for element-wise operations. */
#define SSSE3_X(name)							\
TARGET_SSSE3								\
static void op_##name##_x(struct cpu *c, const struct insn *i)		\
{									\
	__m128i b = src_xmm_a16(c, i);					\
	xmm_put(c, i->reg, int_##name(xmm_get(c, i->reg), b));		\
}
#define SSSE3_OP(name, expr)						\
TARGET_SSSE3								\
static inline __m128i int_##name(__m128i a, __m128i b)			\
{									\
	return (expr);							\
}									\
SSSE3_X(name)								\
TARGET_SSSE3								\
static void op_##name##_m(struct cpu *c, const struct insn *i)		\
{									\
	mmx_binop(c, i, int_##name);					\
}

/* Horizontal operations pair neighbouring elements of a, then of b.  For
 * the MMX form, with x = a in the low and b in the high quadword, the low
 * quadword of op(x, x) is op(a, b). */
#define SSSE3_HOP(name, fn)						\
TARGET_SSSE3								\
static inline __m128i int_##name(__m128i a, __m128i b)			\
{									\
	return fn(a, b);						\
}									\
SSSE3_X(name)								\
TARGET_SSSE3								\
static void op_##name##_m(struct cpu *c, const struct insn *i)		\
{									\
	mmx_check(c, i);						\
	uint64_t b = src_mm(c, i);					\
	int r = i->reg & 7;						\
	__m128i x = _mm_set_epi64x((long long)b, (long long)mm_get(c, r));\
	mmx_enter(c);							\
	mm_put(c, r, xmm_low64(fn(x, x)));				\
}

/* pshufb: the MMX form indexes 8 bytes with bits 2:0; clearing bit 3 of
 * each index (bit 7 still zeroes) keeps the 16-byte shuffle in the low
 * quadword. */
TARGET_SSSE3
static inline __m128i int_pshufb(__m128i a, __m128i b)
{
	return _mm_shuffle_epi8(a, b);
}
SSSE3_X(pshufb)

TARGET_SSSE3
static void op_pshufb_m(struct cpu *c, const struct insn *i)
{
	mmx_check(c, i);
	uint64_t b = src_mm(c, i) & 0x8787878787878787ull;
	int r = i->reg & 7;
	__m128i v = _mm_shuffle_epi8(xmm_from64(mm_get(c, r)), xmm_from64(b));
	mmx_enter(c);
	mm_put(c, r, xmm_low64(v));
}

SSSE3_HOP(phaddw, _mm_hadd_epi16)
SSSE3_HOP(phaddd, _mm_hadd_epi32)
SSSE3_HOP(phaddsw, _mm_hadds_epi16)
SSSE3_HOP(phsubw, _mm_hsub_epi16)
SSSE3_HOP(phsubd, _mm_hsub_epi32)
SSSE3_HOP(phsubsw, _mm_hsubs_epi16)
SSSE3_OP(pmaddubsw, _mm_maddubs_epi16(a, b))
SSSE3_OP(psignb, _mm_sign_epi8(a, b))
SSSE3_OP(psignw, _mm_sign_epi16(a, b))
SSSE3_OP(psignd, _mm_sign_epi32(a, b))
SSSE3_OP(pmulhrsw, _mm_mulhrs_epi16(a, b))
SSSE3_OP(pabsb, ((void)a, _mm_abs_epi8(b)))
SSSE3_OP(pabsw, ((void)a, _mm_abs_epi16(b)))
SSSE3_OP(pabsd, ((void)a, _mm_abs_epi32(b)))

/* palignr: the concatenation dest:src (dest high) shifted right by imm8
 * bytes; the immediate is not a compile-time constant, so shift in C.
 * Bytes shifted in from beyond the concatenation are zero (imm8 up to
 * 255). */
static void align_bytes(uint8_t *out, const uint8_t *cat, unsigned n,
			unsigned len)
{
	for (unsigned k = 0; k < len; k++)
		out[k] = n + k < 2 * len ? cat[n + k] : 0;
}

/* 66 0F 3A 0F: palignr xmm, xmm/m128, imm8 */
static void op_palignr_x(struct cpu *c, const struct insn *i)
{
	uint8_t cat[48];
	unsigned n = IMM8(i);
	__m128i s = src_xmm_a16(c, i);
	if (n >= 32) {
		_mm_storeu_si128((__m128i *)&c->xmm[i->reg],
				 _mm_setzero_si128());
		return;
	}
	_mm_storeu_si128((__m128i *)&cat[0], s);
	memcpy(&cat[16], &c->xmm[i->reg], 16);
	memset(&cat[32], 0, 16);
	memcpy(&c->xmm[i->reg], &cat[n], 16);
}

/* 0F 3A 0F: palignr mm, mm/m64, imm8 */
static void op_palignr_m(struct cpu *c, const struct insn *i)
{
	mmx_check(c, i);
	uint64_t s = src_mm(c, i), r;
	int d = i->reg & 7;
	uint64_t dv = mm_get(c, d);
	uint8_t cat[16];
	memcpy(&cat[0], &s, 8);
	memcpy(&cat[8], &dv, 8);
	align_bytes((uint8_t *)&r, cat, IMM8(i), 8);
	mmx_enter(c);
	mm_put(c, d, r);
}

/* ---- installation ----------------------------------------------------------- */

void exec_install_sse3(struct optable *t)
{
#define SET(op, pfx, fn) (t->map0f[op][PFX_##pfx] = (fn))
#define SET38(op, name) do { t->map0f38[op][PFX_NONE] = op_##name##_m; \
			     t->map0f38[op][PFX_66] = op_##name##_x; } while (0)

	/* SSE3 */
	SET(0x12, F3, op_movsldup);
	SET(0x12, F2, op_movddup);
	SET(0x16, F3, op_movshdup);
	SET(0x7c, 66, op_haddpd);
	SET(0x7c, F2, op_haddps);
	SET(0x7d, 66, op_hsubpd);
	SET(0x7d, F2, op_hsubps);
	SET(0xd0, 66, op_addsubpd);
	SET(0xd0, F2, op_addsubps);
	SET(0xf0, F2, op_lddqu);

	/* SSSE3 */
	SET38(0x00, pshufb);
	SET38(0x01, phaddw);
	SET38(0x02, phaddd);
	SET38(0x03, phaddsw);
	SET38(0x04, pmaddubsw);
	SET38(0x05, phsubw);
	SET38(0x06, phsubd);
	SET38(0x07, phsubsw);
	SET38(0x08, psignb);
	SET38(0x09, psignw);
	SET38(0x0a, psignd);
	SET38(0x0b, pmulhrsw);
	SET38(0x1c, pabsb);
	SET38(0x1d, pabsw);
	SET38(0x1e, pabsd);
	t->map0f3a[0x0f][PFX_NONE] = op_palignr_m;
	t->map0f3a[0x0f][PFX_66] = op_palignr_x;
#undef SET38
#undef SET
}
