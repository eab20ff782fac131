/*
 * alu.h - shared integer ALU helpers: arithmetic with exact x86 flags,
 * condition codes, and small flag utilities.
 *
 * Owns: the computation of result and rflags for the integer ALU
 * operations, used by exec_int.c and exec_string.c (and available to other
 * engines so that they cannot disagree with the interpreter).  It does not
 * own operand access (operand.h) or the opcode table (exec_int.c).
 *
 * Every helper takes the current rflags in *fl and leaves the new rflags
 * there; the caller commits them after every memory access that can fault
 * (insn.h handler contract).  Defined flags come from the host instruction
 * itself (add, sub, adc, sbb, and, or, xor, inc, dec, neg executed with
 * inline asm, flags read back with lahf and seto); flags the architecture leaves
 * undefined are never taken from the host: each helper sets them by the
 * fixed rule documented at the top of exec_int.c.
 */
#ifndef REWIND_ENGINE_ALU_H
#define REWIND_ENGINE_ALU_H

#include <stdint.h>
#include "engine/cpu.h"

/* The host's arithmetic flags right after the instruction: lahf copies
 * SF, ZF, AF, PF and CF into AH at their rflags bit positions (7, 6, 4,
 * 2, 0) and seto gives OF.  (Far cheaper than pushfq: the ALU helpers are
 * the interpreter's hottest code.) */
#define ALU_READ_FLAGS "\n\tlahf\n\tseto %[of]"
#define ALU_FLAG_OUTS [ax] "=a"(ax), [of] "=r"(of)

static inline uint64_t alu_host_flags(uint64_t ax, uint8_t of)
{
	return ((ax >> 8) & (FL_SF | FL_ZF | FL_AF | FL_PF | FL_CF)) |
	       ((uint64_t)of << 11);	/* seto: 0 or 1; OF is bit 11 */
}

/* Arithmetic flags defined by add/sub/adc/sbb/cmp/neg. */
#define ALU_ALL FL_ARITH
/* and/or/xor/test: CF=OF=0 and SZP defined by the host; AF is undefined
 * and we clear it. */
#define ALU_LOGIC (FL_ARITH & ~FL_AF)
/* inc/dec keep CF. */
#define ALU_INCDEC (FL_ARITH & ~FL_CF)

/* Merge host flags hf into *fl: the bits in take come from the host, the
 * other arithmetic bits not in keep are cleared. */
static inline uint64_t alu_merge(uint64_t fl, uint64_t hf, uint64_t take,
				 uint64_t keep)
{
	return (fl & ~(FL_ARITH & ~keep)) | (hf & take);
}

#define ALU_BIN(name, mnem, T, cin, take, keep)				\
static inline T alu_##name(T a, T b, uint64_t *fl)			\
{									\
	uint64_t ax;							\
	uint8_t of;							\
	asm(cin mnem " %[b],%[a]" ALU_READ_FLAGS			\
	    : [a] "+r"(a), ALU_FLAG_OUTS				\
	    : [b] "r"(b), [cf] "r"(*fl) : "cc");			\
	*fl = alu_merge(*fl, alu_host_flags(ax, of), take, keep);	\
	return a;							\
}

#define ALU_UN(name, mnem, T, take, keep)				\
static inline T alu_##name(T a, uint64_t *fl)				\
{									\
	uint64_t ax;							\
	uint8_t of;							\
	asm(mnem " %[a]" ALU_READ_FLAGS					\
	    : [a] "+r"(a), ALU_FLAG_OUTS : : "cc");			\
	*fl = alu_merge(*fl, alu_host_flags(ax, of), take, keep);	\
	return a;							\
}

#define ALU_CIN "btl $0,%k[cf]\n\t"

#define ALU_SIZES(name, mnem, cin, take, keep)				\
	ALU_BIN(name##1, mnem, uint8_t, cin, take, keep)		\
	ALU_BIN(name##2, mnem, uint16_t, cin, take, keep)		\
	ALU_BIN(name##4, mnem, uint32_t, cin, take, keep)		\
	ALU_BIN(name##8, mnem, uint64_t, cin, take, keep)

ALU_SIZES(add, "add", "", ALU_ALL, 0)
ALU_SIZES(or, "or", "", ALU_LOGIC, 0)
ALU_SIZES(adc, "adc", ALU_CIN, ALU_ALL, 0)
ALU_SIZES(sbb, "sbb", ALU_CIN, ALU_ALL, 0)
ALU_SIZES(and, "and", "", ALU_LOGIC, 0)
ALU_SIZES(sub, "sub", "", ALU_ALL, 0)
ALU_SIZES(xor, "xor", "", ALU_LOGIC, 0)
/* cmp and test compute the same flags as sub and and. */
ALU_SIZES(cmp, "sub", "", ALU_ALL, 0)
ALU_SIZES(test, "and", "", ALU_LOGIC, 0)

#define ALU_UN_SIZES(name, mnem, take, keep)				\
	ALU_UN(name##1, mnem, uint8_t, take, keep)			\
	ALU_UN(name##2, mnem, uint16_t, take, keep)			\
	ALU_UN(name##4, mnem, uint32_t, take, keep)			\
	ALU_UN(name##8, mnem, uint64_t, take, keep)

ALU_UN_SIZES(inc, "inc", ALU_INCDEC, FL_CF)
ALU_UN_SIZES(dec, "dec", ALU_INCDEC, FL_CF)
ALU_UN_SIZES(neg, "neg", ALU_ALL, 0)

/* Size-generic entry points (n constant after inlining). */
static inline uint64_t alu_sub_n(uint64_t a, uint64_t b, int n, uint64_t *fl)
{
	switch (n) {
	case 1: return alu_sub1((uint8_t)a, (uint8_t)b, fl);
	case 2: return alu_sub2((uint16_t)a, (uint16_t)b, fl);
	case 4: return alu_sub4((uint32_t)a, (uint32_t)b, fl);
	default: return alu_sub8(a, b, fl);
	}
}
static inline uint64_t alu_add_n(uint64_t a, uint64_t b, int n, uint64_t *fl)
{
	switch (n) {
	case 1: return alu_add1((uint8_t)a, (uint8_t)b, fl);
	case 2: return alu_add2((uint16_t)a, (uint16_t)b, fl);
	case 4: return alu_add4((uint32_t)a, (uint32_t)b, fl);
	default: return alu_add8(a, b, fl);
	}
}

/* Mask of an n-byte value and its sign bit. */
static inline uint64_t alu_mask(int n)
{
	return n == 8 ? ~0ULL : (1ULL << (8 * n)) - 1;
}
static inline uint64_t alu_msb(int n)
{
	return 1ULL << (8 * n - 1);
}

/* SF, ZF and PF of an n-byte result (other bits zero). */
static inline uint64_t alu_szp(uint64_t r, int n)
{
	r &= alu_mask(n);
	uint64_t f = 0;
	if (r & alu_msb(n))
		f |= FL_SF;
	if (r == 0)
		f |= FL_ZF;
	if (!__builtin_parity((unsigned)(r & 0xff)))
		f |= FL_PF;
	return f;
}

/* Condition code cc (0-15, the low nibble of jcc/setcc/cmovcc). */
static inline int alu_cond(uint64_t f, int cc)
{
	int r;
	switch (cc >> 1) {
	case 0: r = (f & FL_OF) != 0; break;
	case 1: r = (f & FL_CF) != 0; break;
	case 2: r = (f & FL_ZF) != 0; break;
	case 3: r = (f & (FL_CF | FL_ZF)) != 0; break;
	case 4: r = (f & FL_SF) != 0; break;
	case 5: r = (f & FL_PF) != 0; break;
	case 6: r = !(f & FL_SF) != !(f & FL_OF); break;
	default:
		r = (f & FL_ZF) || (!(f & FL_SF) != !(f & FL_OF));
		break;
	}
	return r ^ (cc & 1);
}

/* exec_string.c: installs the string instructions (A4-A7, AA-AF, and
 * 6C-6F as #GP) into the one-byte map; called by exec_install_int(). */
struct optable;
void exec_install_string(struct optable *t);

#endif
