/*
 * exec_sse_int.h - helpers shared by the SIMD handler files (exec_sse.c and,
 * later, the SSE3/SSSE3/SSE4 files behind --cpu).
 *
 * Owns: access to the xmm and mm registers, the MMX <-> x87 state
 * transition, fetching SIMD source operands with legacy-SSE alignment rules,
 * and running one host SSE instruction under the guest's MXCSR so that
 * floating point results and exception flags are bit-exact with hardware.
 * Not for other files: nothing here is part of the engine's contract.
 */
#ifndef REWIND_ENGINE_EXEC_SSE_INT_H
#define REWIND_ENGINE_EXEC_SSE_INT_H

#include <emmintrin.h>
#include <signal.h>
#include <stdint.h>
#include "engine/cpu.h"
#include "engine/fault.h"
#include "engine/insn.h"
#include "engine/operand.h"
#include "engine/x87_int.h"

/* MXCSR fields. */
#define MXCSR_IE    0x0001u	/* invalid operation */
#define MXCSR_DE    0x0002u	/* denormal operand */
#define MXCSR_ZE    0x0004u	/* divide by zero */
#define MXCSR_OE    0x0008u	/* overflow */
#define MXCSR_UE    0x0010u	/* underflow */
#define MXCSR_PE    0x0020u	/* precision */
#define MXCSR_FLAGS 0x003fu
#define MXCSR_MASKS 0x1f80u	/* all exceptions masked */
#define MXCSR_UM    0x0800u	/* underflow masked */
#define MXCSR_FZ    0x8000u	/* flush to zero */

/* ---- register access ---------------------------------------------------- */

/* union xmm is only 8-byte aligned inside struct cpu: use unaligned moves. */
static inline __m128i xmm_get(const struct cpu *c, int r)
{
	return _mm_loadu_si128((const __m128i *)&c->xmm[r]);
}

static inline void xmm_put(struct cpu *c, int r, __m128i v)
{
	_mm_storeu_si128((__m128i *)&c->xmm[r], v);
}

static inline __m128i xmm_from64(uint64_t v)
{
	return _mm_cvtsi64_si128((long long)v);
}

static inline uint64_t xmm_low64(__m128i v)
{
	return (uint64_t)_mm_cvtsi128_si64(v);
}

/* MMX register n is the significand of physical x87 register n. */
static inline uint64_t mm_get(const struct cpu *c, int r)
{
	return c->fpu.fpr[r].mant;
}

/* An MMX write also sets bits 64-79 of the x87 register to ones. */
static inline void mm_put(struct cpu *c, int r, uint64_t v)
{
	c->fpu.fpr[r].mant = v;
	c->fpu.fpr[r].sexp = 0xffff;
}

/* MMX instructions fault like waiting x87 instructions when an unmasked
 * x87 exception is pending (FSW.ES); call first, before any other fault. */
static inline void mmx_check(struct cpu *c, const struct insn *i)
{
	if (unlikely(c->fpu.fsw & 0x80))
		x87_fwait(c, i);
}

/* Every MMX instruction (except emms) switches the x87 unit into MMX mode:
 * TOP = 0 and all tags valid.  Handlers call this once the instruction can
 * no longer fault. */
static inline void mmx_enter(struct cpu *c)
{
	c->fpu.top = 0;
	c->fpu.ftw = 0;
}

/* ---- source operands ------------------------------------------------------ */

/* Legacy-SSE 16-byte memory operands must be 16-byte aligned; otherwise
 * #GP, which Linux turns into SIGSEGV/SI_KERNEL.  The alignment check comes
 * before any page fault, as on hardware. */
static inline uint64_t sse_ea_a16(struct cpu *c, const struct insn *i)
{
	uint64_t a = insn_ea(c, i);
	if (unlikely(a & 15))
		cpu_raise_gp(c);
	return a;
}

static inline __m128i sse_load128(struct cpu *c, uint64_t a)
{
	return _mm_loadu_si128((const __m128i *)guest_ptr(c, a, 16, 0));
}

/* One 16-byte host store: it either faults before writing or completes. */
static inline void sse_store128(struct cpu *c, uint64_t a, __m128i v)
{
	_mm_storeu_si128((__m128i *)guest_ptr(c, a, 16, 1), v);
}

/* xmm/m128, aligned. */
static inline __m128i src_xmm_a16(struct cpu *c, const struct insn *i)
{
	if (i->mod == 3)
		return xmm_get(c, i->rm);
	return sse_load128(c, sse_ea_a16(c, i));
}

/* xmm/m128, no alignment requirement. */
static inline __m128i src_xmm_u16(struct cpu *c, const struct insn *i)
{
	if (i->mod == 3)
		return xmm_get(c, i->rm);
	return sse_load128(c, insn_ea(c, i));
}

/* xmm/m64: the whole register, or 8 bytes of memory zero-extended. */
static inline __m128i src_xmm_m64(struct cpu *c, const struct insn *i)
{
	if (i->mod == 3)
		return xmm_get(c, i->rm);
	return xmm_from64(mem_read64(c, insn_ea(c, i)));
}

/* xmm/m32: the whole register, or 4 bytes of memory zero-extended. */
static inline __m128i src_xmm_m32(struct cpu *c, const struct insn *i)
{
	if (i->mod == 3)
		return xmm_get(c, i->rm);
	return _mm_cvtsi32_si128((int)mem_read32(c, insn_ea(c, i)));
}

/* mm/m64 (MMX registers ignore REX.B). */
static inline uint64_t src_mm(struct cpu *c, const struct insn *i)
{
	if (i->mod == 3)
		return mm_get(c, i->rm & 7);
	return mem_read64(c, insn_ea(c, i));
}

/*
 * The MMX form of an element-wise packed-integer operation:
 * mm(reg) = op(mm(reg), mm/m64), computed in the low quadword of an xmm
 * value.  A pending x87 #MF is raised first; MMX mode is entered once
 * nothing can fault any more.  Always inlined, so op becomes a direct call.
 */
static inline __attribute__((always_inline))
void mmx_binop(struct cpu *c, const struct insn *i,
	       __m128i (*op)(__m128i, __m128i))
{
	mmx_check(c, i);
	uint64_t b = src_mm(c, i);
	int r = i->reg & 7;
	__m128i v = op(xmm_from64(mm_get(c, r)), xmm_from64(b));
	mmx_enter(c);
	mm_put(c, r, xmm_low64(v));
}

/* mm/m32 (punpckl* on MMX read only 4 bytes of memory). */
static inline uint64_t src_mm_m32(struct cpu *c, const struct insn *i)
{
	if (i->mod == 3)
		return mm_get(c, i->rm & 7);
	return mem_read32(c, insn_ea(c, i));
}

static inline void sse_need_reg(struct cpu *c, const struct insn *i)
{
	if (i->mod != 3)
		cpu_raise_ud(c);
}

static inline void sse_need_mem(struct cpu *c, const struct insn *i)
{
	if (i->mod == 3)
		cpu_raise_ud(c);
}

/* ---- floating point under the guest MXCSR --------------------------------
 *
 * Each floating point instruction runs as the same host instruction, with
 * the host MXCSR switched to the guest's rounding mode, FZ and DAZ, all
 * exceptions masked and the flags cleared.  The flags the host raised are
 * then checked against the guest's masks (fp_commit_flags).  The switch, the
 * operation and the flag read sit in one volatile asm so the compiler can
 * neither fold nor move the operation out of the guest's mode.
 */

static inline uint32_t fp_host_csr(const struct cpu *c)
{
	return (c->mxcsr & 0xffc0u) | MXCSR_MASKS;
}

/* d = INSN(d, s); evaluates to the exception flags raised. */
#define FP_ASM(mnem, d, s, csr) ({					\
	uint32_t fp_host_, fp_flags_, fp_csr_ = (csr);			\
	__asm__ volatile("stmxcsr %[h]\n\t"				\
			 "ldmxcsr %[g]\n\t"				\
			 mnem " %[src], %[dst]\n\t"			\
			 "stmxcsr %[f]\n\t"				\
			 "ldmxcsr %[h]"					\
			 : [dst] "+x" (d), [h] "=m" (fp_host_),		\
			   [f] "=m" (fp_flags_)				\
			 : [src] "x" (s), [g] "m" (fp_csr_));		\
	fp_flags_ & MXCSR_FLAGS; })

/* Raise #XM for an unmasked SIMD exception (exec_sse.c). */
__attribute__((noreturn, cold))
void sse_raise_xm(struct cpu *c, const struct insn *i, uint32_t flags);

/* Record the flags an operation raised; if any is unmasked, the
 * instruction faults with SIGFPE and its destination is left unchanged, so
 * call this before writing the result. */
static inline void fp_commit_flags(struct cpu *c, const struct insn *i,
				   uint32_t f)
{
	if (likely(f == 0))
		return;
	if (unlikely(f & ~(c->mxcsr >> 7) & MXCSR_FLAGS))
		sse_raise_xm(c, i, f);
	c->mxcsr |= f;
}

/* What a floating point operation computes, for the rare slow paths that
 * must redo it lane by lane (see sse_fix_pe). */
enum fp_kind { FPK_NONE, FPK_ADD, FPK_SUB, FPK_MUL, FPK_DIV, FPK_CVT };

/* Which lanes of a result can underflow (FPL_NONE: the operation never
 * produces a tiny result of its own, e.g. compares, min/max, sqrt,
 * conversions to integer or to a wider format). */
enum fp_lanes { FPL_NONE, FPL_PS, FPL_PD, FPL_SS, FPL_SD };

/* Does a result lane hold a denormal? */
static inline int fp_tiny(__m128i v, enum fp_lanes lanes)
{
	union xmm u;
	int n = lanes == FPL_PS ? 4 : lanes == FPL_PD ? 2 : 1;

	_mm_storeu_si128((__m128i *)&u, v);
	for (int k = 0; k < n; k++) {
		if (lanes == FPL_PS || lanes == FPL_SS) {
			if (!(u.u32[k] & 0x7f800000u) && (u.u32[k] & 0x7fffffu))
				return 1;
		} else if (!(u.u64[k] & 0x7ff0000000000000ull) &&
			   (u.u64[k] & 0xfffffffffffffull)) {
			return 1;
		}
	}
	return 0;
}

/* With OE or UE unmasked, hardware reports PE for an overflowing or tiny
 * lane only if its result rounded to an unbounded exponent is inexact;
 * returns f with PE recomputed that way (exec_sse.c). */
uint32_t sse_fix_pe(const struct cpu *c, enum fp_kind kind,
		    enum fp_lanes lanes, __m128i a, __m128i b, uint32_t f);

/* d = MNEM(d, s) under the guest MXCSR, committing the exception flags
 * (and faulting, leaving d's register alone, on an unmasked one).  kind and
 * lanes describe the operation for the unmasked-OE/UE slow paths.
 *
 * Masked underflow is signalled only for inexact tiny results, unmasked
 * underflow for every tiny result.  When the guest unmasks underflow the
 * operation is re-run without FZ and a denormal result lane adds UE, which
 * is what the hardware would have reported. */
#define FP_RUN(c, i, mnem, d, s, kind, lanes) do {			\
	__m128i fp_d0_ = (d);						\
	uint32_t fp_f_ = FP_ASM(mnem, d, s, fp_host_csr(c));		\
	int fp_um_ = (lanes) != FPL_NONE && !((c)->mxcsr & MXCSR_UM);	\
	if (unlikely(fp_f_ | fp_um_)) {					\
		if (fp_um_) {						\
			__m128i fp_t_ = fp_d0_;				\
			fp_f_ = FP_ASM(mnem, fp_t_, s,			\
				       fp_host_csr(c) & ~MXCSR_FZ);	\
			if (fp_tiny(fp_t_, lanes))			\
				fp_f_ |= MXCSR_UE;			\
		}							\
		if ((kind) != FPK_NONE &&				\
		    (fp_f_ & ~((c)->mxcsr >> 7) &			\
		     (MXCSR_OE | MXCSR_UE)))				\
			fp_f_ = sse_fix_pe(c, kind, lanes, fp_d0_, s,	\
					   fp_f_);			\
		fp_commit_flags(c, i, fp_f_);				\
	}								\
} while (0)

#endif
