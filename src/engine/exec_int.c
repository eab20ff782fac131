/*
 * exec_int.c - the integer x86-64 instruction set.
 *
 * Owns these opcode slots (exec_install_int):
 *   one-byte map: everything except D8-DF (x87); string ops A4-A7, AA-AF
 *     live in exec_string.c.
 *   0F map: 00-0F, 18-1F, 20-27, 30-37, 40-4F, 80-BF except AE, C0, C1,
 *     C7, C8-CF (C3 movnti and AE belong to the SSE and x87 helpers).
 *
 * Handler shape.  Most opcodes are installed as a small "dispatcher" that
 * looks at fields the decoder fixed (operand size, register or memory
 * operand, modrm.reg for groups, a LOCK prefix), picks a handler
 * specialised for exactly that form and stores it into insn->fn, so later
 * executions of the same decoded instruction call the specialised handler
 * directly.  The choice depends only on the decoded instruction, never on
 * run-time state, so rewriting fn is invisible except for speed (turn it
 * off with EXEC_SPECIALIZE 0).
 *
 * Flags.  Flags the SDM defines are exact (the ALU ops run on the host, see
 * alu.h).  Flags the SDM leaves undefined get these fixed values, whatever
 * the host CPU does:
 *
 *   instruction           undefined flag(s)     rewind's value
 *   --------------------  --------------------  ----------------------------
 *   and or xor test       AF                    0
 *   shl/sal shr sar       AF (count != 0)       0
 *                         OF (count > 1)        the count==1 rule applied to
 *                                               the last one-bit step:
 *                                               shl: MSB(res) ^ CF;
 *                                               shr: 0 (count > 1); sar: 0
 *                         CF (8/16-bit shl/shr  the last bit shifted out of
 *                             count > width)    an infinitely zero-extended
 *                                               value: 0
 *   rol ror rcl rcr       OF (count > 1)        rol/rcl: MSB(res) ^ CF;
 *                                               ror/rcr: MSB(res) ^
 *                                               MSB-1(res) (any count)
 *   shld shrd             AF                    0
 *                         OF (count > 1)        MSB(res) ^ MSB(old dest)
 *                         16-bit count > 16     result as AMD hardware gives:
 *                                               shld shifts through the 48
 *                                               bits dest:src:src, shrd
 *                                               through src:src:dest; CF is
 *                                               the last bit shifted out of
 *                                               that 48-bit value
 *   mul imul (all forms)  SF ZF PF AF           SF/ZF/PF from the low half
 *                                               of the result (the part
 *                                               written to the destination,
 *                                               AL/AX/EAX/RAX for one-operand
 *                                               forms), AF = 0
 *   div idiv              CF OF SF ZF AF PF     unchanged
 *   bt bts btr btc        OF SF AF PF           unchanged
 *   bsf bsr               CF OF SF AF PF        unchanged
 *   bsf bsr, source 0     destination           unchanged (all 64 bits)
 *   bswap r16             result                low 16 bits become 0
 *   tzcnt/lzcnt (F3 0F    -                     execute as bsf/bsr, like a
 *   BC/BD)                                      CPU without BMI1/ABM
 *   shift/rotate by 0     -                     no flag changes; a 32-bit
 *   (after masking),                            register destination is
 *   shld/shrd by 0                              still zero-extended
 *
 * Other choices, where Linux user mode on real hardware leaves room:
 *   - cmpxchg with a register destination that compares unequal leaves the
 *     destination untouched (Intel); with a memory destination the old
 *     value is written back, so a read-only page faults either way.
 *   - mov to a segment register: DS/ES accept 0 and 0x2b (__USER_DS), SS
 *     accepts 0x2b, FS/GS accept 0 (their bases are kept); anything else
 *     raises #GP (SIGSEGV SI_KERNEL).  mov to CS is #UD.
 *   - lar/lsl see Linux's user GDT entries (0x23, 0x2b, 0x33 and the
 *     CPUNODE entry 0x7b, limit 0: CPU 0, node 0) and nothing else.
 *   - far call/jmp/ret (FF /3, FF /5, CA, CB), iret (CF), lss/lfs/lgs
 *     (0F B2/B4/B5) raise #UD: no Linux program of ours needs mode changes.
 *   - int n (CD) other than 3: #GP with error code n*8+2 (SIGSEGV
 *     SI_KERNEL), as Linux does for vectors user code may not raise; int3
 *     and CD 03: SIGTRAP SI_KERNEL; icebp (F1): SIGTRAP TRAP_BRKPT.
 *   - privileged instructions (hlt, in, out, ins, outs, cli, sti, clts,
 *     invd, wbinvd, wrmsr, rdmsr, rdpmc, mov cr/dr, lgdt & co, sgdt/sidt/
 *     smsw/sldt/str as with UMIP, swapgs, sysexit, sysret): #GP.
 *   - rdtscp: edx:eax from nondet_rdtsc, ecx (TSC_AUX) = 0.
 */
#include <signal.h>
#include <stdint.h>
#include <string.h>

#include "engine/alu.h"
#include "engine/x87_int.h"
#include "engine/cpuid.h"
#include "engine/fault.h"
#include "engine/insn.h"
#include "engine/operand.h"
#include "os/nondet.h"
#include "os/syscall.h"

#ifndef EXEC_SPECIALIZE
#define EXEC_SPECIALIZE 1
#endif

/* rdtscp is in neither model (cpuid.h): it raises #UD like the CPU
 * cpuid.c describes.  cmpxchg16b and lahf/sahf check c->level. */
#define MODEL_HAS_RDTSCP 0

/* Remember handler f for decoded instruction i and run it. */
static inline void run_special(struct cpu *c, const struct insn *i, insn_fn f)
{
#if EXEC_SPECIALIZE
	((struct insn *)i)->fn = f;
#endif
	f(c, i);
}

/* Index of operand size n (1, 2, 4, 8) in per-size tables. */
static inline int szi(int n)
{
	return __builtin_ctz((unsigned)n);
}

#define NOLOCK(c, i) do {						\
	if (unlikely((i)->prefix & P_LOCK))				\
		cpu_raise_ud(c);					\
} while (0)

static inline int64_t sext_n(uint64_t v, int n)
{
	switch (n) {
	case 1: return (int8_t)v;
	case 2: return (int16_t)v;
	case 4: return (int32_t)v;
	default: return (int64_t)v;
	}
}

/* Effective address without the segment base (lea). */
static inline uint64_t ea_noseg(const struct cpu *c, const struct insn *i)
{
	uint64_t a = (uint64_t)i->disp;
	if (i->base != REG_NONE)
		a += c->gpr[i->base];
	if (i->index != REG_NONE)
		a += c->gpr[i->index] << i->scale;
	if (i->asize == 4)
		a = (uint32_t)a;
	return a;
}

static inline void push16(struct cpu *c, uint16_t v)
{
	uint64_t sp = c->gpr[R_RSP] - 2;
	mem_write16(c, sp, v);
	c->gpr[R_RSP] = sp;
}

/* Push n bytes (2 or 8). */
static inline void push_n(struct cpu *c, int n, uint64_t v)
{
	if (n == 2)
		push16(c, (uint16_t)v);
	else
		push64(c, v);
}

static void gp_fault(struct cpu *c, const struct insn *i)
{
	NOLOCK(c, i);
	cpu_raise_gp(c);
}

static void op_nop(struct cpu *c, const struct insn *i)
{
	NOLOCK(c, i);
}

/* ------------------------------------------------------------------ */
/* Two-operand ALU: add or adc sbb and sub xor cmp test.               */

enum { F_EGR, F_EGM, F_GER, F_GEM, F_AI, F_EIR, F_EIM, F_NFORMS };

#define GEN_ALU_FORMS(X, N, WR, FLW)						\
static void X##_egr##N(struct cpu *c, const struct insn *i)		\
{									\
	uint64_t f = c->rflags;						\
	uint64_t r = alu_##X##N(reg_read(c, i->rm, N, i->rex),		\
				reg_read(c, i->reg, N, i->rex), &f);	\
	if (WR)								\
		reg_write(c, i->rm, N, r, i->rex);			\
	if (FLW)							\
		c->rflags = f;						\
}									\
static void X##_egm##N(struct cpu *c, const struct insn *i)		\
{									\
	uint64_t a = insn_ea(c, i), f = c->rflags;			\
	uint64_t r = alu_##X##N(mem_read_n(c, a, N),			\
				reg_read(c, i->reg, N, i->rex), &f);	\
	if (WR)								\
		mem_write_n(c, a, N, r);				\
	if (FLW)							\
		c->rflags = f;						\
}									\
static void X##_ger##N(struct cpu *c, const struct insn *i)		\
{									\
	uint64_t f = c->rflags;						\
	uint64_t r = alu_##X##N(reg_read(c, i->reg, N, i->rex),		\
				reg_read(c, i->rm, N, i->rex), &f);	\
	if (WR)								\
		reg_write(c, i->reg, N, r, i->rex);			\
	if (FLW)							\
		c->rflags = f;						\
}									\
static void X##_gem##N(struct cpu *c, const struct insn *i)		\
{									\
	uint64_t f = c->rflags;						\
	uint64_t r = alu_##X##N(reg_read(c, i->reg, N, i->rex),		\
				mem_read_n(c, insn_ea(c, i), N), &f);	\
	if (WR)								\
		reg_write(c, i->reg, N, r, i->rex);			\
	if (FLW)							\
		c->rflags = f;						\
}									\
static void X##_ai##N(struct cpu *c, const struct insn *i)		\
{									\
	uint64_t f = c->rflags;						\
	uint64_t r = alu_##X##N(reg_read(c, R_RAX, N, 0), i->imm, &f);	\
	if (WR)								\
		reg_write(c, R_RAX, N, r, 0);				\
	if (FLW)							\
		c->rflags = f;						\
}									\
static void X##_eir##N(struct cpu *c, const struct insn *i)		\
{									\
	uint64_t f = c->rflags;						\
	uint64_t r = alu_##X##N(reg_read(c, i->rm, N, i->rex), i->imm, &f); \
	if (WR)								\
		reg_write(c, i->rm, N, r, i->rex);			\
	if (FLW)							\
		c->rflags = f;						\
}									\
static void X##_eim##N(struct cpu *c, const struct insn *i)		\
{									\
	uint64_t a = insn_ea(c, i), f = c->rflags;			\
	uint64_t r = alu_##X##N(mem_read_n(c, a, N), i->imm, &f);	\
	if (WR)								\
		mem_write_n(c, a, N, r);				\
	if (FLW)							\
		c->rflags = f;						\
}

#define GEN_ALU_FL(X, WR, FLW)						\
	GEN_ALU_FORMS(X, 1, WR, FLW) GEN_ALU_FORMS(X, 2, WR, FLW)	\
	GEN_ALU_FORMS(X, 4, WR, FLW) GEN_ALU_FORMS(X, 8, WR, FLW)
#define GEN_ALU(X, WR) GEN_ALU_FL(X, WR, 1)

GEN_ALU(add, 1)
GEN_ALU(or, 1)
GEN_ALU(adc, 1)
GEN_ALU(sbb, 1)
GEN_ALU(and, 1)
GEN_ALU(sub, 1)
GEN_ALU(xor, 1)
GEN_ALU(cmp, 0)
GEN_ALU(test, 0)

/* The same operations without flags, for instructions whose flags no
 * later instruction can see (INSN_NOFLAGS, set by the block translator
 * from exec_flag_use()). */
#define NF_BIN(X, EXPR)							\
static inline uint8_t alu_nf_##X##1(uint8_t a, uint8_t b, uint64_t *fl)	\
{ return (uint8_t)(EXPR); }						\
static inline uint16_t alu_nf_##X##2(uint16_t a, uint16_t b, uint64_t *fl) \
{ return (uint16_t)(EXPR); }						\
static inline uint32_t alu_nf_##X##4(uint32_t a, uint32_t b, uint64_t *fl) \
{ return (uint32_t)(EXPR); }						\
static inline uint64_t alu_nf_##X##8(uint64_t a, uint64_t b, uint64_t *fl) \
{ return (uint64_t)(EXPR); }						\
GEN_ALU_FL(nf_##X, 1, 0)

NF_BIN(add, a + b)
NF_BIN(or, a | b)
NF_BIN(and, a & b)
NF_BIN(sub, a - b)
NF_BIN(xor, a ^ b)

#define ALU_FORM(X, F) { X##_##F##1, X##_##F##2, X##_##F##4, X##_##F##8 }
#define ALU_ROW(X) {							\
	ALU_FORM(X, egr), ALU_FORM(X, egm), ALU_FORM(X, ger),		\
	ALU_FORM(X, gem), ALU_FORM(X, ai), ALU_FORM(X, eir),		\
	ALU_FORM(X, eim) }

enum { AOP_CMP = 7, AOP_TEST = 8 };

static const insn_fn alu_fns[9][F_NFORMS][4] = {
	ALU_ROW(add), ALU_ROW(or), ALU_ROW(adc), ALU_ROW(sbb),
	ALU_ROW(and), ALU_ROW(sub), ALU_ROW(xor), ALU_ROW(cmp),
	ALU_ROW(test),
};
/* Flag-less variants; NULL where there is none (adc, sbb read CF; cmp
 * and test exist for their flags). */
static const insn_fn alu_nf_fns[9][F_NFORMS][4] = {
	[0] = ALU_ROW(nf_add), [1] = ALU_ROW(nf_or), [4] = ALU_ROW(nf_and),
	[5] = ALU_ROW(nf_sub), [6] = ALU_ROW(nf_xor),
};

/* 00-3D, 80-83, 84-85, A8-A9, and F6/F7 /0 /1. */
static void op_alu(struct cpu *c, const struct insn *i)
{
	int op = i->op, aop, form, n, lockable;
	int mem = i->mod != 3;
	if (op < 0x40) {
		int k = op & 7;
		aop = op >> 3;
		n = (k & 1) ? i->osize : 1;
		form = k < 2 ? (mem ? F_EGM : F_EGR) :
		       k < 4 ? (mem ? F_GEM : F_GER) : F_AI;
		lockable = k < 2 && aop != AOP_CMP;
	} else if (op == 0x84 || op == 0x85) {
		aop = AOP_TEST;
		n = op == 0x84 ? 1 : i->osize;
		form = mem ? F_EGM : F_EGR;
		lockable = 0;
	} else if (op == 0xa8 || op == 0xa9) {
		aop = AOP_TEST;
		n = op == 0xa8 ? 1 : i->osize;
		form = F_AI;
		lockable = 0;
	} else if (op >= 0x80 && op <= 0x83) {
		aop = i->reg & 7;
		n = op == 0x80 ? 1 : i->osize;
		form = mem ? F_EIM : F_EIR;
		lockable = aop != AOP_CMP;
	} else {		/* F6/F7 /0 /1 */
		aop = AOP_TEST;
		n = op == 0xf6 ? 1 : i->osize;
		form = mem ? F_EIM : F_EIR;
		lockable = 0;
	}
	insn_fn f = alu_fns[aop][form][szi(n)];
	if ((i->flags & INSN_NOFLAGS) && alu_nf_fns[aop][form][szi(n)])
		f = alu_nf_fns[aop][form][szi(n)];
	if ((i->prefix & P_LOCK) && !(lockable && mem))
		f = op_ud;
	run_special(c, i, f);
}

/* ------------------------------------------------------------------ */
/* mov                                                                  */

#define GEN_MOV(N)							\
static void mov_egr##N(struct cpu *c, const struct insn *i)		\
{									\
	reg_write(c, i->rm, N, reg_read(c, i->reg, N, i->rex), i->rex);	\
}									\
static void mov_egm##N(struct cpu *c, const struct insn *i)		\
{									\
	mem_write_n(c, insn_ea(c, i), N, reg_read(c, i->reg, N, i->rex)); \
}									\
static void mov_ger##N(struct cpu *c, const struct insn *i)		\
{									\
	reg_write(c, i->reg, N, reg_read(c, i->rm, N, i->rex), i->rex);	\
}									\
static void mov_gem##N(struct cpu *c, const struct insn *i)		\
{									\
	reg_write(c, i->reg, N, mem_read_n(c, insn_ea(c, i), N), i->rex); \
}									\
static void mov_eir##N(struct cpu *c, const struct insn *i)		\
{									\
	reg_write(c, i->rm, N, i->imm, i->rex);				\
}									\
static void mov_eim##N(struct cpu *c, const struct insn *i)		\
{									\
	mem_write_n(c, insn_ea(c, i), N, i->imm);			\
}									\
static void mov_moffs_load##N(struct cpu *c, const struct insn *i)	\
{									\
	uint64_t a = i->imm;						\
	if (i->seg == SEG_FS)						\
		a += c->fs_base;					\
	else if (i->seg == SEG_GS)					\
		a += c->gs_base;					\
	reg_write(c, R_RAX, N, mem_read_n(c, a, N), 0);			\
}									\
static void mov_moffs_store##N(struct cpu *c, const struct insn *i)	\
{									\
	uint64_t a = i->imm;						\
	if (i->seg == SEG_FS)						\
		a += c->fs_base;					\
	else if (i->seg == SEG_GS)					\
		a += c->gs_base;					\
	mem_write_n(c, a, N, reg_read(c, R_RAX, N, 0));			\
}

GEN_MOV(1)
GEN_MOV(2)
GEN_MOV(4)
GEN_MOV(8)

#define MOV_FORM(F) { mov_##F##1, mov_##F##2, mov_##F##4, mov_##F##8 }
static const insn_fn mov_fns[F_NFORMS][4] = {
	MOV_FORM(egr), MOV_FORM(egm), MOV_FORM(ger), MOV_FORM(gem),
	{ 0 }, MOV_FORM(eir), MOV_FORM(eim),
};
static const insn_fn mov_moffs_fns[2][4] = {
	MOV_FORM(moffs_load), MOV_FORM(moffs_store),
};

/* 88-8B, A0-A3, B0-BF, C6/C7 /0. */
static void op_mov(struct cpu *c, const struct insn *i)
{
	int op = i->op, mem = i->mod != 3;
	insn_fn f;
	if (op >= 0x88 && op <= 0x8b) {
		int n = (op & 1) ? i->osize : 1;
		int form = op < 0x8a ? (mem ? F_EGM : F_EGR) :
				       (mem ? F_GEM : F_GER);
		f = mov_fns[form][szi(n)];
	} else if (op >= 0xa0 && op <= 0xa3) {
		int n = (op & 1) ? i->osize : 1;
		f = mov_moffs_fns[op >= 0xa2][szi(n)];
	} else if (op >= 0xb0 && op <= 0xbf) {
		f = mov_fns[F_EIR][op < 0xb8 ? 0 : szi(i->osize)];
	} else {		/* C6, C7 */
		int n = op == 0xc6 ? 1 : i->osize;
		f = (i->reg & 7) ? op_ud : mov_fns[mem ? F_EIM : F_EIR][szi(n)];
	}
	if (i->prefix & P_LOCK)
		f = op_ud;
	run_special(c, i, f);
}

/* 8C: mov r/m, Sreg. */
static void op_mov_from_seg(struct cpu *c, const struct insn *i)
{
	NOLOCK(c, i);
	int s = i->reg & 7;
	if (s > SEG_GS)
		cpu_raise_ud(c);
	uint16_t sel = c->seg[s];
	if (i->mod == 3)
		reg_write(c, i->rm, i->osize, sel, i->rex);
	else
		mem_write16(c, insn_ea(c, i), sel);
}

/* Load segment register s with sel as Linux user code may (see top). */
static void load_seg(struct cpu *c, int s, uint16_t sel)
{
	int ok;
	switch (s) {
	case SEG_DS:
	case SEG_ES: ok = sel == 0 || sel == 0x2b; break;
	case SEG_SS: ok = sel == 0x2b; break;
	case SEG_FS:
	case SEG_GS: ok = sel == 0; break;
	default: ok = 0; break;
	}
	if (!ok)
		cpu_raise(c, SIGSEGV, SI_KERNEL, 0, TRAP_GP, sel & 0xfffc);
	c->seg[s] = sel;
}

/* 8E: mov Sreg, r/m16. */
static void op_mov_to_seg(struct cpu *c, const struct insn *i)
{
	NOLOCK(c, i);
	int s = i->reg & 7;
	if (s == SEG_CS || s > SEG_GS)
		cpu_raise_ud(c);
	load_seg(c, s, (uint16_t)rm_read(c, i, 2));
}

/* ------------------------------------------------------------------ */
/* lea, movsxd, movzx/movsx                                             */

static void lea8(struct cpu *c, const struct insn *i)
{
	c->gpr[i->reg] = ea_noseg(c, i);
}
static void lea4(struct cpu *c, const struct insn *i)
{
	c->gpr[i->reg] = (uint32_t)ea_noseg(c, i);
}
static void lea2(struct cpu *c, const struct insn *i)
{
	reg_write(c, i->reg, 2, ea_noseg(c, i), i->rex);
}

static void op_lea(struct cpu *c, const struct insn *i)
{
	insn_fn f = i->osize == 8 ? lea8 : i->osize == 4 ? lea4 : lea2;
	if (i->mod == 3 || (i->prefix & P_LOCK))
		f = op_ud;
	run_special(c, i, f);
}

static void op_movsxd(struct cpu *c, const struct insn *i)
{
	NOLOCK(c, i);
	int n = i->osize;
	uint64_t v = rm_read(c, i, n == 8 ? 4 : n);
	if (n == 8)
		v = (uint64_t)(int64_t)(int32_t)v;
	reg_write(c, i->reg, n, v, i->rex);
}

/* movzx/movsx: S source bytes, N destination bytes. */
#define GEN_MOVX(S, N)							\
static void movzx_r##S##_##N(struct cpu *c, const struct insn *i)	\
{									\
	reg_write(c, i->reg, N, reg_read(c, i->rm, S, i->rex), i->rex);	\
}									\
static void movzx_m##S##_##N(struct cpu *c, const struct insn *i)	\
{									\
	reg_write(c, i->reg, N, mem_read_n(c, insn_ea(c, i), S), i->rex); \
}									\
static void movsx_r##S##_##N(struct cpu *c, const struct insn *i)	\
{									\
	reg_write(c, i->reg, N,						\
		  (uint64_t)sext_n(reg_read(c, i->rm, S, i->rex), S), i->rex); \
}									\
static void movsx_m##S##_##N(struct cpu *c, const struct insn *i)	\
{									\
	reg_write(c, i->reg, N,						\
		  (uint64_t)sext_n(mem_read_n(c, insn_ea(c, i), S), S), i->rex); \
}

GEN_MOVX(1, 2) GEN_MOVX(1, 4) GEN_MOVX(1, 8)
GEN_MOVX(2, 2) GEN_MOVX(2, 4) GEN_MOVX(2, 8)

/* [signed][source 1 or 2][mem][dest 2, 4, 8] */
static const insn_fn movx_fns[2][2][2][3] = {
	{ { { movzx_r1_2, movzx_r1_4, movzx_r1_8 },
	    { movzx_m1_2, movzx_m1_4, movzx_m1_8 } },
	  { { movzx_r2_2, movzx_r2_4, movzx_r2_8 },
	    { movzx_m2_2, movzx_m2_4, movzx_m2_8 } } },
	{ { { movsx_r1_2, movsx_r1_4, movsx_r1_8 },
	    { movsx_m1_2, movsx_m1_4, movsx_m1_8 } },
	  { { movsx_r2_2, movsx_r2_4, movsx_r2_8 },
	    { movsx_m2_2, movsx_m2_4, movsx_m2_8 } } },
};

/* 0F B6, B7, BE, BF. */
static void op_movx(struct cpu *c, const struct insn *i)
{
	insn_fn f = movx_fns[i->op >= 0xbe][i->op & 1][i->mod != 3]
			    [szi(i->osize) - 1];
	if (i->prefix & P_LOCK)
		f = op_ud;
	run_special(c, i, f);
}

/* ------------------------------------------------------------------ */
/* Stack: push, pop, pushf, popf, enter, leave                          */

static void push_r64(struct cpu *c, const struct insn *i)
{
	push64(c, c->gpr[i->rm]);
}
static void push_r16(struct cpu *c, const struct insn *i)
{
	push16(c, (uint16_t)c->gpr[i->rm]);
}
static void pop_r64(struct cpu *c, const struct insn *i)
{
	uint64_t v = mem_read64(c, c->gpr[R_RSP]);
	c->gpr[R_RSP] += 8;
	c->gpr[i->rm] = v;	/* pop rsp: the popped value wins */
}
static void pop_r16(struct cpu *c, const struct insn *i)
{
	uint16_t v = mem_read16(c, c->gpr[R_RSP]);
	c->gpr[R_RSP] += 2;
	reg_write(c, i->rm, 2, v, 1);
}

static void op_push_reg(struct cpu *c, const struct insn *i)
{
	insn_fn f = i->osize == 2 ? push_r16 : push_r64;
	if (i->prefix & P_LOCK)
		f = op_ud;
	run_special(c, i, f);
}
static void op_pop_reg(struct cpu *c, const struct insn *i)
{
	insn_fn f = i->osize == 2 ? pop_r16 : pop_r64;
	if (i->prefix & P_LOCK)
		f = op_ud;
	run_special(c, i, f);
}

/* 68, 6A: the decoder sign-extended the immediate. */
static void op_push_imm(struct cpu *c, const struct insn *i)
{
	NOLOCK(c, i);
	push_n(c, i->osize, i->imm);
}

/* 8F /0: pop r/m.  An rsp-based address is computed after rsp has been
 * incremented (SDM); nothing is committed before the store. */
static void op_pop_rm(struct cpu *c, const struct insn *i)
{
	NOLOCK(c, i);
	if (i->reg & 7)
		cpu_raise_ud(c);
	int n = i->osize;
	uint64_t sp = c->gpr[R_RSP];
	uint64_t v = mem_read_n(c, sp, n);
	if (i->mod == 3) {
		c->gpr[R_RSP] = sp + (uint64_t)n;
		reg_write(c, i->rm, n, v, i->rex);
		return;
	}
	c->gpr[R_RSP] = sp + (uint64_t)n;
	uint64_t a = insn_ea(c, i);
	c->gpr[R_RSP] = sp;
	mem_write_n(c, a, n, v);
	c->gpr[R_RSP] = sp + (uint64_t)n;
}

static void op_pushf(struct cpu *c, const struct insn *i)
{
	NOLOCK(c, i);
	push_n(c, i->osize, cpu_rflags_read(c));
}

static void op_popf(struct cpu *c, const struct insn *i)
{
	NOLOCK(c, i);
	int n = i->osize;
	uint64_t v = mem_read_n(c, c->gpr[R_RSP], n);
	uint64_t w = n == 2 ? (FL_USER_WRITABLE & 0xffff) : FL_USER_WRITABLE;
	c->gpr[R_RSP] += (uint64_t)n;
	c->rflags = (c->rflags & ~w) | (v & w) | FL_FIXED;
}

/* C8: enter imm16, imm8. */
static void op_enter(struct cpu *c, const struct insn *i)
{
	NOLOCK(c, i);
	int n = i->osize == 2 ? 2 : 8;
	unsigned level = i->imm2 & 31;
	uint64_t size = i->imm & 0xffff;
	uint64_t sp = c->gpr[R_RSP], bp = c->gpr[R_RBP];
	/* Touch every slot the instruction reads, then check the whole frame
	 * is writable: after that nothing can fault, and the real sequence
	 * runs in hardware order (a read may see the rbp just pushed when
	 * the frames overlap). */
	for (unsigned k = 1; k < level; k++)
		(void)mem_read_n(c, bp - (uint64_t)k * n, n);
	uint64_t words = 1 + (level ? level : 0);
	mem_probe_write(c, sp - words * n, words * n);
	sp -= n;
	mem_write_n(c, sp, n, bp);
	uint64_t frame = sp;
	if (level) {
		for (unsigned k = 1; k < level; k++) {
			uint64_t v = mem_read_n(c, bp - (uint64_t)k * n, n);
			sp -= n;
			mem_write_n(c, sp, n, v);
		}
		sp -= n;
		mem_write_n(c, sp, n, frame);
	}
	if (n == 2)
		reg_write(c, R_RBP, 2, frame, 1);
	else
		c->gpr[R_RBP] = frame;
	c->gpr[R_RSP] = sp - size;
}

/* C9: leave. */
static void op_leave(struct cpu *c, const struct insn *i)
{
	NOLOCK(c, i);
	uint64_t bp = c->gpr[R_RBP];
	if (i->osize == 2) {
		uint16_t v = mem_read16(c, bp);
		c->gpr[R_RSP] = bp + 2;
		reg_write(c, R_RBP, 2, v, 1);
	} else {
		uint64_t v = mem_read64(c, bp);
		c->gpr[R_RSP] = bp + 8;
		c->gpr[R_RBP] = v;
	}
}

/* 0F A0/A8 push fs/gs, 0F A1/A9 pop fs/gs. */
static void op_push_seg(struct cpu *c, const struct insn *i)
{
	NOLOCK(c, i);
	push_n(c, i->osize, c->seg[i->op == 0xa0 ? SEG_FS : SEG_GS]);
}
static void op_pop_seg(struct cpu *c, const struct insn *i)
{
	NOLOCK(c, i);
	int n = i->osize;
	uint64_t v = mem_read_n(c, c->gpr[R_RSP], n);
	load_seg(c, i->op == 0xa1 ? SEG_FS : SEG_GS, (uint16_t)v);
	c->gpr[R_RSP] += (uint64_t)n;
}

/* ------------------------------------------------------------------ */
/* Control transfer                                                     */

#define GEN_JCC(cc)							\
static void jcc##cc(struct cpu *c, const struct insn *i)		\
{									\
	if (alu_cond(c->rflags, cc))					\
		c->rip = i->imm;					\
}									\
static void setcc##cc(struct cpu *c, const struct insn *i)		\
{									\
	NOLOCK(c, i);							\
	rm_write(c, i, 1, (uint64_t)alu_cond(c->rflags, cc));		\
}									\
static void cmovcc##cc(struct cpu *c, const struct insn *i)		\
{									\
	NOLOCK(c, i);							\
	int n = i->osize;						\
	uint64_t v = rm_read(c, i, n);	/* reads (and faults) always */	\
	if (alu_cond(c->rflags, cc))					\
		reg_write(c, i->reg, n, v, i->rex);			\
	else if (n == 4)						\
		c->gpr[i->reg] = (uint32_t)c->gpr[i->reg];		\
}

GEN_JCC(0) GEN_JCC(1) GEN_JCC(2) GEN_JCC(3)
GEN_JCC(4) GEN_JCC(5) GEN_JCC(6) GEN_JCC(7)
GEN_JCC(8) GEN_JCC(9) GEN_JCC(10) GEN_JCC(11)
GEN_JCC(12) GEN_JCC(13) GEN_JCC(14) GEN_JCC(15)

#define CC_TABLE(p) { p##0, p##1, p##2, p##3, p##4, p##5, p##6, p##7,	\
		      p##8, p##9, p##10, p##11, p##12, p##13, p##14, p##15 }
static const insn_fn jcc_fns[16] = CC_TABLE(jcc);
static const insn_fn setcc_fns[16] = CC_TABLE(setcc);
static const insn_fn cmovcc_fns[16] = CC_TABLE(cmovcc);

static void op_jcc(struct cpu *c, const struct insn *i)
{
	insn_fn f = jcc_fns[i->op & 15];
	if (i->prefix & P_LOCK)
		f = op_ud;
	run_special(c, i, f);
}

static void jmp_rel(struct cpu *c, const struct insn *i)
{
	c->rip = i->imm;
}
static void call_rel(struct cpu *c, const struct insn *i)
{
	push64(c, c->rip);
	c->rip = i->imm;
}
static void ret_near(struct cpu *c, const struct insn *i)
{
	uint64_t sp = c->gpr[R_RSP];
	uint64_t t = mem_read64(c, sp);
	c->gpr[R_RSP] = sp + 8;
	c->rip = t;
}
static void ret_near_imm(struct cpu *c, const struct insn *i)
{
	uint64_t sp = c->gpr[R_RSP];
	uint64_t t = mem_read64(c, sp);
	c->gpr[R_RSP] = sp + 8 + (i->imm & 0xffff);
	c->rip = t;
}

/* E8, E9, EB, C2, C3: 66 is ignored for near branches (as Intel does). */
static void op_branch(struct cpu *c, const struct insn *i)
{
	insn_fn f;
	switch (i->op) {
	case 0xe8: f = call_rel; break;
	case 0xc2: f = ret_near_imm; break;
	case 0xc3: f = ret_near; break;
	default: f = jmp_rel; break;
	}
	if (i->prefix & P_LOCK)
		f = op_ud;
	run_special(c, i, f);
}

/* E0-E3: loopne, loope, loop, jrcxz (ecx with 67). */
static void op_loop(struct cpu *c, const struct insn *i)
{
	NOLOCK(c, i);
	uint64_t cx = c->gpr[R_RCX];
	int taken;
	if (i->op == 0xe3) {
		taken = (i->asize == 4 ? (uint32_t)cx : cx) == 0;
	} else {
		cx--;
		if (i->asize == 4)
			cx = (uint32_t)cx;
		c->gpr[R_RCX] = cx;
		taken = cx != 0;
		if (i->op == 0xe0)
			taken = taken && !(c->rflags & FL_ZF);
		else if (i->op == 0xe1)
			taken = taken && (c->rflags & FL_ZF);
	}
	if (taken)
		c->rip = i->imm;
}

/* ------------------------------------------------------------------ */
/* Shifts and rotates                                                   */

/* op: 0 rol 1 ror 2 rcl 3 rcr 4 shl 5 shr 6 sal(=shl) 7 sar.  v is an
 * n-byte value, cnt the masked count (non-zero). */
static inline __attribute__((always_inline))
uint64_t do_shift(int op, int n, uint64_t v, unsigned cnt, uint64_t *fl)
{
	unsigned w = 8 * (unsigned)n;
	uint64_t m = alu_mask(n), msb = alu_msb(n), f = *fl, r, cf, of;
	switch (op) {
	case 0: {
		unsigned k = cnt & (w - 1);
		r = k ? ((v << k) | (v >> (w - k))) & m : v;
		cf = r & 1;
		of = !!(r & msb) ^ cf;
		*fl = (f & ~(uint64_t)(FL_CF | FL_OF)) | cf | (of << 11);
		return r;
	}
	case 1: {
		unsigned k = cnt & (w - 1);
		r = k ? ((v >> k) | (v << (w - k))) & m : v;
		cf = !!(r & msb);
		of = cf ^ !!(r & (msb >> 1));
		*fl = (f & ~(uint64_t)(FL_CF | FL_OF)) | cf | (of << 11);
		return r;
	}
	case 2: case 3: {
		unsigned k = n == 1 ? cnt % 9 : n == 2 ? cnt % 17 : cnt;
		cf = f & FL_CF;
		r = v;
		for (unsigned j = 0; j < k; j++) {
			uint64_t out;
			if (op == 2) {
				out = !!(r & msb);
				r = ((r << 1) | cf) & m;
			} else {
				out = r & 1;
				r = (r >> 1) | (cf ? msb : 0);
			}
			cf = out;
		}
		if (op == 2)
			of = !!(r & msb) ^ cf;
		else
			of = !!(r & msb) ^ !!(r & (msb >> 1));
		*fl = (f & ~(uint64_t)(FL_CF | FL_OF)) | cf | (of << 11);
		return r;
	}
	case 4: case 6:
		if (cnt < w) {
			r = (v << cnt) & m;
			cf = (v >> (w - cnt)) & 1;
		} else {
			r = 0;
			cf = cnt == w ? (v & 1) : 0;
		}
		of = !!(r & msb) ^ cf;
		break;
	case 5:
		if (cnt < w) {
			r = v >> cnt;
			cf = (v >> (cnt - 1)) & 1;
		} else {
			r = 0;
			cf = cnt == w ? !!(v & msb) : 0;
		}
		of = cnt == 1 ? !!(v & msb) : 0;
		break;
	default: {
		int64_t sv = sext_n(v, n);
		unsigned k = cnt < w ? cnt : w - 1;
		unsigned k1 = cnt - 1 < w ? cnt - 1 : w - 1;
		r = (uint64_t)(sv >> k) & m;
		cf = (uint64_t)(sv >> k1) & 1;
		of = 0;
		break;
	}
	}
	*fl = (f & ~(uint64_t)FL_ARITH) | alu_szp(r, n) | cf | (of << 11);
	return r;
}

#define GEN_SHIFT(name, OP, N, CNT)					\
static void name(struct cpu *c, const struct insn *i)			\
{									\
	unsigned cnt = (unsigned)(CNT) & (N == 8 ? 63 : 31);		\
	uint64_t f = c->rflags, r;					\
	if (i->mod == 3) {						\
		if (!cnt) {						\
			if (N == 4)					\
				c->gpr[i->rm] = (uint32_t)c->gpr[i->rm]; \
			return;						\
		}							\
		r = do_shift(OP, N, reg_read(c, i->rm, N, i->rex), cnt, &f); \
		reg_write(c, i->rm, N, r, i->rex);			\
	} else {							\
		uint64_t a = insn_ea(c, i);				\
		uint64_t v = mem_read_n(c, a, N);			\
		if (!cnt)						\
			return;						\
		r = do_shift(OP, N, v, cnt, &f);			\
		mem_write_n(c, a, N, r);				\
	}								\
	c->rflags = f;							\
}

#define GEN_SHIFT_SRC(OP, N)						\
	GEN_SHIFT(shift_i_##OP##_##N, OP, N, i->imm)			\
	GEN_SHIFT(shift_1_##OP##_##N, OP, N, 1)				\
	GEN_SHIFT(shift_c_##OP##_##N, OP, N, c->gpr[R_RCX])
#define GEN_SHIFT_N(OP)							\
	GEN_SHIFT_SRC(OP, 1) GEN_SHIFT_SRC(OP, 2)			\
	GEN_SHIFT_SRC(OP, 4) GEN_SHIFT_SRC(OP, 8)

GEN_SHIFT_N(0) GEN_SHIFT_N(1) GEN_SHIFT_N(2) GEN_SHIFT_N(3)
GEN_SHIFT_N(4) GEN_SHIFT_N(5) GEN_SHIFT_N(7)

/* shl/shr/sar without flags (INSN_NOFLAGS). */
static inline __attribute__((always_inline))
uint64_t do_shift_nf(int op, int n, uint64_t v, unsigned cnt)
{
	unsigned w = 8 * (unsigned)n;
	if (op == 7)
		return (uint64_t)(sext_n(v, n) >> (cnt < w ? cnt : w - 1)) &
		       alu_mask(n);
	if (cnt >= w)
		return 0;
	return op == 5 ? v >> cnt : (v << cnt) & alu_mask(n);
}

/* The memory form, out of line: the register forms are the hot ones and
 * stay free of the call's register saves. */
static __attribute__((noinline))
void shift_nf_mem(struct cpu *c, const struct insn *i, int op, int n,
		  unsigned cnt)
{
	uint64_t a = insn_ea(c, i);
	uint64_t v = mem_read_n(c, a, n);
	if (!cnt)
		return;
	mem_write_n(c, a, n, do_shift_nf(op, n, v, cnt));
}

#define GEN_SHIFT_NF(name, OP, N, CNT)					\
static void name(struct cpu *c, const struct insn *i)			\
{									\
	unsigned cnt = (unsigned)(CNT) & (N == 8 ? 63 : 31);		\
	if (i->mod == 3)						\
		reg_write(c, i->rm, N, do_shift_nf(OP, N,		\
			  reg_read(c, i->rm, N, i->rex), cnt), i->rex);	\
	else								\
		shift_nf_mem(c, i, OP, N, cnt);				\
}
#define GEN_SHIFT_NF_SRC(OP, N)						\
	GEN_SHIFT_NF(shnf_i_##OP##_##N, OP, N, i->imm)			\
	GEN_SHIFT_NF(shnf_1_##OP##_##N, OP, N, 1)			\
	GEN_SHIFT_NF(shnf_c_##OP##_##N, OP, N, c->gpr[R_RCX])
#define GEN_SHIFT_NF_N(OP)						\
	GEN_SHIFT_NF_SRC(OP, 1) GEN_SHIFT_NF_SRC(OP, 2)			\
	GEN_SHIFT_NF_SRC(OP, 4) GEN_SHIFT_NF_SRC(OP, 8)
GEN_SHIFT_NF_N(4) GEN_SHIFT_NF_N(5) GEN_SHIFT_NF_N(7)

#define SHNF_SIZES(S, OP) { shnf_##S##_##OP##_1, shnf_##S##_##OP##_2,	\
			    shnf_##S##_##OP##_4, shnf_##S##_##OP##_8 }
#define SHNF_OPS(S) { [4] = SHNF_SIZES(S, 4), [5] = SHNF_SIZES(S, 5),	\
		      [6] = SHNF_SIZES(S, 4), [7] = SHNF_SIZES(S, 7) }
/* [count source: imm, 1, cl][op][size]; NULL: no flag-less variant. */
static const insn_fn shift_nf_fns[3][8][4] = {
	SHNF_OPS(i), SHNF_OPS(1), SHNF_OPS(c)
};

#define SH_SIZES(S, OP) { shift_##S##_##OP##_1, shift_##S##_##OP##_2,	\
			  shift_##S##_##OP##_4, shift_##S##_##OP##_8 }
#define SH_OPS(S) { SH_SIZES(S, 0), SH_SIZES(S, 1), SH_SIZES(S, 2),	\
		    SH_SIZES(S, 3), SH_SIZES(S, 4), SH_SIZES(S, 5),	\
		    SH_SIZES(S, 4), SH_SIZES(S, 7) }
/* [count source: imm, 1, cl][op][size] */
static const insn_fn shift_fns[3][8][4] = { SH_OPS(i), SH_OPS(1), SH_OPS(c) };

/* C0, C1, D0-D3. */
static void op_shift(struct cpu *c, const struct insn *i)
{
	int op = i->op;
	int src = op < 0xd0 ? 0 : op < 0xd2 ? 1 : 2;
	int n = (op & 1) ? i->osize : 1;
	insn_fn f = shift_fns[src][i->reg & 7][szi(n)];
	if ((i->flags & INSN_NOFLAGS) && shift_nf_fns[src][i->reg & 7][szi(n)])
		f = shift_nf_fns[src][i->reg & 7][szi(n)];
	if (i->prefix & P_LOCK)
		f = op_ud;
	run_special(c, i, f);
}

/* 0F A4/A5 shld, 0F AC/AD shrd. */
static void op_shld_shrd(struct cpu *c, const struct insn *i)
{
	NOLOCK(c, i);
	int n = i->osize;
	int right = i->op >= 0xac;
	unsigned raw = (i->op & 1) ? (unsigned)c->gpr[R_RCX] : (unsigned)i->imm;
	unsigned cnt = raw & (n == 8 ? 63 : 31);
	uint64_t a = 0, d;
	if (i->mod == 3) {
		d = reg_read(c, i->rm, n, i->rex);
	} else {
		a = insn_ea(c, i);
		d = mem_read_n(c, a, n);
	}
	if (!cnt) {
		if (i->mod == 3 && n == 4)
			c->gpr[i->rm] = (uint32_t)c->gpr[i->rm];
		return;
	}
	uint64_t s = reg_read(c, i->reg, n, i->rex);
	unsigned w = 8 * (unsigned)n;
	uint64_t r, cf;
	if (n == 2) {
		uint64_t x = right ? (s << 32) | (s << 16) | d
				   : (d << 32) | (s << 16) | s;
		if (right) {
			r = (x >> cnt) & 0xffff;
			cf = (x >> (cnt - 1)) & 1;
		} else {
			r = (x << cnt >> 32) & 0xffff;
			cf = (x >> (48 - cnt)) & 1;
		}
	} else if (right) {
		r = ((d >> cnt) | (s << (w - cnt))) & alu_mask(n);
		cf = (d >> (cnt - 1)) & 1;
	} else {
		r = ((d << cnt) | (s >> (w - cnt))) & alu_mask(n);
		cf = (d >> (w - cnt)) & 1;
	}
	uint64_t of = !!((r ^ d) & alu_msb(n));
	uint64_t f = (c->rflags & ~(uint64_t)FL_ARITH) | alu_szp(r, n) | cf |
		     (of << 11);
	if (i->mod == 3)
		reg_write(c, i->rm, n, r, i->rex);
	else
		mem_write_n(c, a, n, r);
	c->rflags = f;
}

/* ------------------------------------------------------------------ */
/* inc, dec, not, neg (FE, FF /0 /1, F6/F7 /2 /3)                        */

#define GEN_UNARY(X, N, FLW)							\
static void X##_r##N(struct cpu *c, const struct insn *i)		\
{									\
	uint64_t f = c->rflags;						\
	uint64_t r = alu_##X##N(reg_read(c, i->rm, N, i->rex), &f);	\
	reg_write(c, i->rm, N, r, i->rex);				\
	if (FLW)							\
		c->rflags = f;						\
}									\
static void X##_m##N(struct cpu *c, const struct insn *i)		\
{									\
	uint64_t a = insn_ea(c, i), f = c->rflags;			\
	uint64_t r = alu_##X##N(mem_read_n(c, a, N), &f);		\
	mem_write_n(c, a, N, r);					\
	if (FLW)							\
		c->rflags = f;						\
}

#define GEN_UNARY_FL(X, FLW) GEN_UNARY(X, 1, FLW) GEN_UNARY(X, 2, FLW) \
	GEN_UNARY(X, 4, FLW) GEN_UNARY(X, 8, FLW)
#define GEN_UNARY_N(X) GEN_UNARY_FL(X, 1)
GEN_UNARY_N(inc)
GEN_UNARY_N(dec)
GEN_UNARY_N(neg)

/* Without flags (INSN_NOFLAGS). */
#define NF_UN(X, EXPR)							\
static inline uint8_t alu_nf_##X##1(uint8_t a, uint64_t *fl)		\
{ return (uint8_t)(EXPR); }						\
static inline uint16_t alu_nf_##X##2(uint16_t a, uint64_t *fl)		\
{ return (uint16_t)(EXPR); }						\
static inline uint32_t alu_nf_##X##4(uint32_t a, uint64_t *fl)		\
{ return (uint32_t)(EXPR); }						\
static inline uint64_t alu_nf_##X##8(uint64_t a, uint64_t *fl)		\
{ return (uint64_t)(EXPR); }						\
GEN_UNARY_FL(nf_##X, 0)
NF_UN(inc, a + 1)
NF_UN(dec, a - 1)
NF_UN(neg, 0 - a)

static void not_r(struct cpu *c, const struct insn *i)
{
	int n = i->op == 0xf6 ? 1 : i->osize;
	reg_write(c, i->rm, n, ~reg_read(c, i->rm, n, i->rex), i->rex);
}
static void not_m(struct cpu *c, const struct insn *i)
{
	int n = i->op == 0xf6 ? 1 : i->osize;
	uint64_t a = insn_ea(c, i);
	mem_write_n(c, a, n, ~mem_read_n(c, a, n));
}

#define UN_TAB(X) { { X##_r1, X##_r2, X##_r4, X##_r8 },			\
		    { X##_m1, X##_m2, X##_m4, X##_m8 } }
/* [inc, dec, neg][mem][size] */
static const insn_fn unary_fns[3][2][4] = {
	UN_TAB(inc), UN_TAB(dec), UN_TAB(neg),
};
static const insn_fn unary_nf_fns[3][2][4] = {
	UN_TAB(nf_inc), UN_TAB(nf_dec), UN_TAB(nf_neg),
};

/* unary_fns[k], or its flag-less variant when i's flags are dead. */
static insn_fn unary_fn(const struct insn *i, int k, int mem, int n)
{
	return (i->flags & INSN_NOFLAGS) ? unary_nf_fns[k][mem][szi(n)]
					 : unary_fns[k][mem][szi(n)];
}

/* ------------------------------------------------------------------ */
/* mul, imul, div, idiv                                                 */

static inline uint64_t mul_flags(uint64_t f, int over, uint64_t low, int n)
{
	return (f & ~(uint64_t)FL_ARITH) | (over ? (FL_CF | FL_OF) : 0) |
	       alu_szp(low, n);
}

static void grp3_mul(struct cpu *c, const struct insn *i)
{
	int n = i->op == 0xf6 ? 1 : i->osize;
	uint64_t s = rm_read(c, i, n), a = c->gpr[R_RAX], lo, hi;
	int sig = (i->reg & 7) == 5;
	switch (n) {
	case 1: {
		uint64_t p = sig ? (uint64_t)((int64_t)(int8_t)a * (int8_t)s)
				 : (uint8_t)a * (uint8_t)s;
		reg_write(c, R_RAX, 2, p, 0);
		lo = (uint8_t)p;
		c->rflags = mul_flags(c->rflags, sig ?
			(int64_t)(int16_t)p != (int8_t)p : (p >> 8 & 0xff) != 0,
			lo, 1);
		return;
	}
	case 2: case 4: {
		int w = 8 * n;
		uint64_t p = sig ? (uint64_t)(sext_n(a, n) * sext_n(s, n))
				 : (a & alu_mask(n)) * (s & alu_mask(n));
		lo = p & alu_mask(n);
		hi = (p >> w) & alu_mask(n);
		int over = sig ? (int64_t)p != sext_n(lo, n) : hi != 0;
		reg_write(c, R_RAX, n, lo, 0);
		reg_write(c, R_RDX, n, hi, 0);
		c->rflags = mul_flags(c->rflags, over, lo, n);
		return;
	}
	default: {
		int over;
		if (sig) {
			__int128 p = (__int128)(int64_t)a * (int64_t)s;
			lo = (uint64_t)p;
			hi = (uint64_t)(p >> 64);
			over = p != (__int128)(int64_t)lo;
		} else {
			unsigned __int128 p = (unsigned __int128)a * s;
			lo = (uint64_t)p;
			hi = (uint64_t)(p >> 64);
			over = hi != 0;
		}
		c->gpr[R_RAX] = lo;
		c->gpr[R_RDX] = hi;
		c->rflags = mul_flags(c->rflags, over, lo, 8);
		return;
	}
	}
}

static void grp3_div(struct cpu *c, const struct insn *i)
{
	int n = i->op == 0xf6 ? 1 : i->osize;
	uint64_t s = rm_read(c, i, n);
	int sig = (i->reg & 7) == 7;
	if ((s & alu_mask(n)) == 0)
		cpu_raise_de(c);
	if (n < 8) {
		int w = 8 * n;
		uint64_t lo, hi;
		if (n == 1) {
			lo = c->gpr[R_RAX] & 0xff;
			hi = (c->gpr[R_RAX] >> 8) & 0xff;
		} else {
			lo = c->gpr[R_RAX] & alu_mask(n);
			hi = c->gpr[R_RDX] & alu_mask(n);
		}
		uint64_t q, r;
		if (sig) {
			int64_t x = sext_n((hi << w) | lo, 2 * n);
			int64_t d = sext_n(s, n);
			int64_t qq;
			if (d == -1) {
				/* x / -1 overflows C for INT64_MIN. */
				if (x == INT64_MIN)
					cpu_raise_de(c);
				qq = -x;
			} else {
				qq = x / d;
			}
			if (qq != sext_n((uint64_t)qq, n))
				cpu_raise_de(c);
			q = (uint64_t)qq;
			r = (uint64_t)(x - qq * d);
		} else {
			uint64_t x = (hi << w) | lo, d = s & alu_mask(n);
			q = x / d;
			if (q > alu_mask(n))
				cpu_raise_de(c);
			r = x % d;
		}
		if (n == 1) {
			reg_write(c, R_RAX, 2, (q & 0xff) | ((r & 0xff) << 8), 0);
		} else {
			reg_write(c, R_RAX, n, q, 0);
			reg_write(c, R_RDX, n, r, 0);
		}
		return;
	}
	uint64_t lo = c->gpr[R_RAX], hi = c->gpr[R_RDX];
	if (sig) {
		__int128 x = (__int128)(((unsigned __int128)hi << 64) | lo);
		int64_t d = (int64_t)s;
		__int128 q;
		if (d == -1) {
			if (x == (__int128)((unsigned __int128)1 << 127))
				cpu_raise_de(c);
			q = -x;
		} else {
			q = x / d;
		}
		if (q != (__int128)(int64_t)q)
			cpu_raise_de(c);
		c->gpr[R_RAX] = (uint64_t)(int64_t)q;
		c->gpr[R_RDX] = (uint64_t)(int64_t)(x - q * d);
	} else {
		if (hi >= s)
			cpu_raise_de(c);
		/* hi < s: the host divide cannot overflow. */
		asm("divq %[d]" : "+a"(lo), "+d"(hi) : [d] "r"(s) : "cc");
		c->gpr[R_RAX] = lo;
		c->gpr[R_RDX] = hi;
	}
}

/* F6/F7. */
static void op_grp3(struct cpu *c, const struct insn *i)
{
	int r = i->reg & 7, mem = i->mod != 3;
	int n = i->op == 0xf6 ? 1 : i->osize;
	insn_fn f;
	switch (r) {
	case 0: case 1: op_alu(c, i); return;
	case 2: f = mem ? not_m : not_r; break;
	case 3: f = unary_fn(i, 2, mem, n); break;
	case 4: case 5: f = grp3_mul; break;
	default: f = grp3_div; break;
	}
	if ((i->prefix & P_LOCK) && !(mem && (r == 2 || r == 3)))
		f = op_ud;
	run_special(c, i, f);
}

/* Two- and three-operand imul: 0F AF, 69, 6B. */
static inline __attribute__((always_inline))
void imul_body(struct cpu *c, const struct insn *i, int n, int mem, int imm,
	       int flw)
{
	int64_t a = sext_n(mem ? mem_read_n(c, insn_ea(c, i), n)
			       : reg_read(c, i->rm, n, i->rex), n);
	int64_t b = imm ? (int64_t)i->imm
			: sext_n(reg_read(c, i->reg, n, i->rex), n);
	int64_t p;
	int over;
	if (n == 8) {
		over = __builtin_mul_overflow(a, b, &p);
	} else {
		if (n == 2)
			b = (int16_t)b;	/* imm16 for 69 with 66 */
		p = a * b;	/* |a|,|b| < 2^31: exact */
		over = p != sext_n((uint64_t)p, n);
	}
	reg_write(c, i->reg, n, (uint64_t)p, i->rex);
	if (flw)
		c->rflags = mul_flags(c->rflags, over, (uint64_t)p, n);
}

#define GEN_IMUL(N, MEM, IMM, FLW)					\
static void imul_##N##_##MEM##_##IMM##_##FLW(struct cpu *c,		\
					     const struct insn *i)	\
{									\
	imul_body(c, i, N, MEM, IMM, FLW);				\
}
#define GEN_IMUL_N(N)							\
	GEN_IMUL(N, 0, 0, 0) GEN_IMUL(N, 0, 0, 1) GEN_IMUL(N, 0, 1, 0)	\
	GEN_IMUL(N, 0, 1, 1) GEN_IMUL(N, 1, 0, 0) GEN_IMUL(N, 1, 0, 1)	\
	GEN_IMUL(N, 1, 1, 0) GEN_IMUL(N, 1, 1, 1)
GEN_IMUL_N(2) GEN_IMUL_N(4) GEN_IMUL_N(8)

#define IMUL_TAB(N) { { { imul_##N##_0_0_0, imul_##N##_0_0_1 },		\
			{ imul_##N##_0_1_0, imul_##N##_0_1_1 } },	\
		      { { imul_##N##_1_0_0, imul_##N##_1_0_1 },		\
			{ imul_##N##_1_1_0, imul_##N##_1_1_1 } } }
/* [size 2, 4, 8][mem][imm][with flags] */
static const insn_fn imul_fns[3][2][2][2] = {
	IMUL_TAB(2), IMUL_TAB(4), IMUL_TAB(8),
};

static void op_imul(struct cpu *c, const struct insn *i)
{
	insn_fn f = imul_fns[szi(i->osize) - 1][i->mod != 3][i->op != 0xaf]
			    [!(i->flags & INSN_NOFLAGS)];
	if (i->prefix & P_LOCK)
		f = op_ud;
	run_special(c, i, f);
}

/* ------------------------------------------------------------------ */
/* FE, FF groups                                                        */

static void call_ind(struct cpu *c, const struct insn *i)
{
	uint64_t t = rm_read(c, i, 8);
	push64(c, c->rip);
	c->rip = t;
}
static void jmp_ind(struct cpu *c, const struct insn *i)
{
	c->rip = rm_read(c, i, 8);
}
static void push_rm(struct cpu *c, const struct insn *i)
{
	int n = i->osize;
	push_n(c, n, rm_read(c, i, n));
}

static void op_grp45(struct cpu *c, const struct insn *i)
{
	int r = i->reg & 7, mem = i->mod != 3;
	int n = i->op == 0xfe ? 1 : i->osize;
	insn_fn f;
	if (r < 2)
		f = unary_fn(i, r, mem, n);
	else if (i->op == 0xfe)
		f = op_ud;
	else if (r == 2)
		f = call_ind;
	else if (r == 4)
		f = jmp_ind;
	else if (r == 6)
		f = push_rm;
	else
		f = op_ud;	/* far call/jmp, FF /7 */
	if ((i->prefix & P_LOCK) && !(mem && r < 2))
		f = op_ud;
	run_special(c, i, f);
}

/* ------------------------------------------------------------------ */
/* xchg, cmpxchg, xadd                                                  */

static void op_xchg(struct cpu *c, const struct insn *i)
{
	int n = i->op == 0x86 ? 1 : i->osize;
	uint64_t g = reg_read(c, i->reg, n, i->rex);
	if (i->mod == 3) {
		NOLOCK(c, i);
		uint64_t e = reg_read(c, i->rm, n, i->rex);
		reg_write(c, i->rm, n, g, i->rex);
		reg_write(c, i->reg, n, e, i->rex);
	} else {
		uint64_t a = insn_ea(c, i);
		uint64_t e = mem_read_n(c, a, n);
		mem_write_n(c, a, n, g);
		reg_write(c, i->reg, n, e, i->rex);
	}
}

/* 90-97: xchg rAX, r; 90 itself (no REX.B) is nop, F3 90 pause. */
static void xchg_ax(struct cpu *c, const struct insn *i)
{
	int n = i->osize;
	uint64_t a = reg_read(c, R_RAX, n, 0), b = reg_read(c, i->rm, n, 1);
	reg_write(c, R_RAX, n, b, 0);
	reg_write(c, i->rm, n, a, 1);
}
static void op_xchg_ax(struct cpu *c, const struct insn *i)
{
	insn_fn f = i->rm == 0 ? op_nop : xchg_ax;
	if (i->prefix & P_LOCK)
		f = op_ud;
	run_special(c, i, f);
}

static void op_cmpxchg(struct cpu *c, const struct insn *i)
{
	int n = i->op == 0xb0 ? 1 : i->osize;
	uint64_t src = reg_read(c, i->reg, n, i->rex);
	uint64_t acc = reg_read(c, R_RAX, n, 0), d, a = 0, f = c->rflags;
	if (i->mod == 3) {
		NOLOCK(c, i);
		d = reg_read(c, i->rm, n, i->rex);
	} else {
		a = insn_ea(c, i);
		d = mem_read_n(c, a, n);
	}
	alu_sub_n(acc, d, n, &f);
	int eq = (f & FL_ZF) != 0;
	if (i->mod == 3) {
		if (eq)
			reg_write(c, i->rm, n, src, i->rex);
	} else {
		/* The processor always writes the destination. */
		mem_write_n(c, a, n, eq ? src : d);
	}
	if (!eq)
		reg_write(c, R_RAX, n, d, 0);
	c->rflags = f;
}

static void op_xadd(struct cpu *c, const struct insn *i)
{
	int n = i->op == 0xc0 ? 1 : i->osize;
	uint64_t s = reg_read(c, i->reg, n, i->rex), f = c->rflags, d;
	if (i->mod == 3) {
		NOLOCK(c, i);
		d = reg_read(c, i->rm, n, i->rex);
		uint64_t sum = alu_add_n(d, s, n, &f);
		reg_write(c, i->reg, n, d, i->rex);
		reg_write(c, i->rm, n, sum, i->rex);
	} else {
		uint64_t a = insn_ea(c, i);
		d = mem_read_n(c, a, n);
		uint64_t sum = alu_add_n(d, s, n, &f);
		mem_write_n(c, a, n, sum);
		reg_write(c, i->reg, n, d, i->rex);
	}
	c->rflags = f;
}

/* 0F C7: /1 cmpxchg8b/16b; everything else (rdrand, rdseed, rdpid,
 * vmptrld & co) is outside the model. */
static void op_grp9(struct cpu *c, const struct insn *i)
{
	if ((i->reg & 7) != 1 || i->mod == 3)
		cpu_raise_ud(c);
	uint64_t a = insn_ea(c, i);
	if (i->rex & 8) {
		if (c->level < CPU_LEVEL_V2)
			cpu_raise_ud(c);
		if (a & 15)
			cpu_raise_gp(c);
		uint64_t lo = mem_read64(c, a), hi = mem_read64(c, a + 8);
		int eq = lo == c->gpr[R_RAX] && hi == c->gpr[R_RDX];
		mem_probe_write(c, a, 16);
		mem_write64(c, a, eq ? c->gpr[R_RBX] : lo);
		mem_write64(c, a + 8, eq ? c->gpr[R_RCX] : hi);
		if (eq) {
			c->rflags |= FL_ZF;
		} else {
			c->gpr[R_RAX] = lo;
			c->gpr[R_RDX] = hi;
			c->rflags &= ~(uint64_t)FL_ZF;
		}
	} else {
		uint64_t m = mem_read64(c, a);
		uint64_t cur = (uint32_t)c->gpr[R_RAX] |
			       (c->gpr[R_RDX] << 32);
		int eq = m == cur;
		uint64_t nv = (uint32_t)c->gpr[R_RBX] | (c->gpr[R_RCX] << 32);
		mem_write64(c, a, eq ? nv : m);
		if (eq) {
			c->rflags |= FL_ZF;
		} else {
			c->gpr[R_RAX] = (uint32_t)m;
			c->gpr[R_RDX] = m >> 32;
			c->rflags &= ~(uint64_t)FL_ZF;
		}
	}
}

/* ------------------------------------------------------------------ */
/* Bit operations: bt bts btr btc, bsf bsr, bswap                       */

/* op: 0 bt, 1 bts, 2 btr, 3 btc.  off: bit offset; reg_off: offset came
 * from a register (memory operands may then address beyond the operand). */
static void bit_op(struct cpu *c, const struct insn *i, int op, uint64_t off,
		   int reg_off)
{
	int n = i->osize;
	unsigned w = 8 * (unsigned)n;
	uint64_t v, a = 0, r;
	unsigned bit;
	if (op == 0)
		NOLOCK(c, i);
	if (i->mod == 3) {
		bit = (unsigned)off & (w - 1);
		v = reg_read(c, i->rm, n, i->rex);
	} else {
		a = insn_ea(c, i);
		if (reg_off) {
			int64_t so = sext_n(off, n);
			/* Arithmetic shift: floor division for negatives. */
			a += (uint64_t)((so >> (3 + szi(n))) * n);
			if (i->asize == 4)
				a = (uint32_t)a;
		}
		bit = (unsigned)off & (w - 1);
		v = mem_read_n(c, a, n);
	}
	uint64_t mask = 1ULL << bit;
	uint64_t cf = (v >> bit) & 1;
	switch (op) {
	case 1: r = v | mask; break;
	case 2: r = v & ~mask; break;
	case 3: r = v ^ mask; break;
	default: r = v; break;
	}
	if (op) {
		if (i->mod == 3)
			reg_write(c, i->rm, n, r, i->rex);
		else
			mem_write_n(c, a, n, r);
	}
	c->rflags = (c->rflags & ~(uint64_t)FL_CF) | cf;
}

/* 0F A3, AB, B3, BB. */
static void op_bt_reg(struct cpu *c, const struct insn *i)
{
	int op = i->op == 0xa3 ? 0 : i->op == 0xab ? 1 : i->op == 0xb3 ? 2 : 3;
	if ((i->prefix & P_LOCK) && i->mod == 3)
		cpu_raise_ud(c);
	bit_op(c, i, op, reg_read(c, i->reg, i->osize, i->rex), 1);
}

/* 0F BA /4-/7. */
static void op_bt_imm(struct cpu *c, const struct insn *i)
{
	int r = i->reg & 7;
	if (r < 4 || ((i->prefix & P_LOCK) && i->mod == 3))
		cpu_raise_ud(c);
	bit_op(c, i, r - 4, i->imm & 0xff, 0);
}

/* 0F BC/BD (and F3 0F BC/BD, which execute as bsf/bsr in the model). */
static void op_bsf_bsr(struct cpu *c, const struct insn *i)
{
	NOLOCK(c, i);
	int n = i->osize;
	uint64_t s = rm_read(c, i, n);
	if (s == 0) {
		c->rflags |= FL_ZF;
		return;
	}
	uint64_t r = i->op == 0xbc ? (uint64_t)__builtin_ctzll(s)
				   : (uint64_t)(63 - __builtin_clzll(s));
	reg_write(c, i->reg, n, r, i->rex);
	c->rflags &= ~(uint64_t)FL_ZF;
}

/* 0F C8-CF. */
static void op_bswap(struct cpu *c, const struct insn *i)
{
	NOLOCK(c, i);
	uint64_t v = c->gpr[i->rm];
	switch (i->osize) {
	case 8: c->gpr[i->rm] = __builtin_bswap64(v); break;
	case 4: c->gpr[i->rm] = __builtin_bswap32((uint32_t)v); break;
	default: c->gpr[i->rm] = v & ~0xffffULL; break;
	}
}

/* ------------------------------------------------------------------ */
/* Flags and accumulator conversions                                    */

static void op_cbw(struct cpu *c, const struct insn *i)
{
	NOLOCK(c, i);
	int n = i->osize;
	uint64_t v = (uint64_t)sext_n(c->gpr[R_RAX], n / 2);
	reg_write(c, R_RAX, n, v, 0);
}

static void op_cwd(struct cpu *c, const struct insn *i)
{
	NOLOCK(c, i);
	int n = i->osize;
	uint64_t v = sext_n(c->gpr[R_RAX], n) < 0 ? ~0ULL : 0;
	reg_write(c, R_RDX, n, v, 0);
}

#define FL_SAHF (FL_SF | FL_ZF | FL_AF | FL_PF | FL_CF)

/* lahf/sahf in 64-bit mode are x86-64-v2 (early AMD64 CPUs lack them). */
static void op_sahf(struct cpu *c, const struct insn *i)
{
	NOLOCK(c, i);
	if (c->level < CPU_LEVEL_V2)
		cpu_raise_ud(c);
	uint64_t ah = (c->gpr[R_RAX] >> 8) & 0xff;
	c->rflags = (c->rflags & ~(uint64_t)FL_SAHF) | (ah & FL_SAHF);
}

static void op_lahf(struct cpu *c, const struct insn *i)
{
	NOLOCK(c, i);
	if (c->level < CPU_LEVEL_V2)
		cpu_raise_ud(c);
	uint64_t ah = (c->rflags & FL_SAHF) | 2;
	c->gpr[R_RAX] = (c->gpr[R_RAX] & ~0xff00ULL) | (ah << 8);
}

static void op_flagop(struct cpu *c, const struct insn *i)
{
	NOLOCK(c, i);
	switch (i->op) {
	case 0xf5: c->rflags ^= FL_CF; break;
	case 0xf8: c->rflags &= ~(uint64_t)FL_CF; break;
	case 0xf9: c->rflags |= FL_CF; break;
	case 0xfc: c->rflags &= ~(uint64_t)FL_DF; break;
	default: c->rflags |= FL_DF; break;	/* FD */
	}
}

/* D7: xlat. */
static void op_xlat(struct cpu *c, const struct insn *i)
{
	NOLOCK(c, i);
	uint64_t a = c->gpr[R_RBX] + (c->gpr[R_RAX] & 0xff);
	if (i->asize == 4)
		a = (uint32_t)a;
	if (i->seg == SEG_FS)
		a += c->fs_base;
	else if (i->seg == SEG_GS)
		a += c->gs_base;
	reg_write(c, R_RAX, 1, mem_read8(c, a), 0);
}

/* ------------------------------------------------------------------ */
/* Traps, system instructions                                           */

static void op_int3(struct cpu *c, const struct insn *i)
{
	/* A trap: the run loop reports rip after the int3 (TRAP_BP). */
	NOLOCK(c, i);
	cpu_raise(c, SIGTRAP, SI_KERNEL, 0, TRAP_BP, 0);
}

static void op_int(struct cpu *c, const struct insn *i)
{
	unsigned v = (unsigned)i->imm & 0xff;
	NOLOCK(c, i);
	if (v == 3)
		op_int3(c, i);
	cpu_raise(c, SIGSEGV, SI_KERNEL, 0, TRAP_GP, (uint64_t)v * 8 + 2);
}

static void op_icebp(struct cpu *c, const struct insn *i)
{
	cpu_raise(c, SIGTRAP, TRAP_BRKPT, 0, TRAP_DB, 0);
}

static void op_syscall(struct cpu *c, const struct insn *i)
{
	NOLOCK(c, i);
	os_syscall(c);
}

static void op_cpuid(struct cpu *c, const struct insn *i)
{
	NOLOCK(c, i);
	uint32_t out[4];
	cpuid_query(c->level, (uint32_t)c->gpr[R_RAX], (uint32_t)c->gpr[R_RCX], out);
	c->gpr[R_RAX] = out[0];
	c->gpr[R_RBX] = out[1];
	c->gpr[R_RCX] = out[2];
	c->gpr[R_RDX] = out[3];
}

static void op_rdtsc(struct cpu *c, const struct insn *i)
{
	NOLOCK(c, i);
	uint64_t t = nondet_rdtsc(c);
	c->gpr[R_RAX] = (uint32_t)t;
	c->gpr[R_RDX] = t >> 32;
}

/* 0F 00: sldt, str, lldt, ltr, verr, verw -- treated as privileged (UMIP
 * makes sldt/str fault in 64-bit processes). */
static void op_grp6(struct cpu *c, const struct insn *i)
{
	if ((i->reg & 7) >= 6)
		cpu_raise_ud(c);
	cpu_raise_gp(c);
}

/* 0F 01. */
static void op_grp7(struct cpu *c, const struct insn *i)
{
	int r = i->reg & 7, rm = i->rm & 7;
	if (i->mod != 3) {
		if (r == 5)
			cpu_raise_ud(c);	/* rstorssp & co */
		cpu_raise_gp(c);	/* sgdt sidt lgdt lidt smsw lmsw invlpg */
	}
	if (r == 7 && rm == 1 && MODEL_HAS_RDTSCP && !(i->prefix & P_LOCK)) {
		uint64_t t = nondet_rdtsc(c);
		c->gpr[R_RAX] = (uint32_t)t;
		c->gpr[R_RDX] = t >> 32;
		c->gpr[R_RCX] = 0;
		return;
	}
	if (r == 4 || r == 6 || (r == 7 && rm == 0))
		cpu_raise_gp(c);	/* smsw, lmsw, swapgs */
	/* xgetbv/xsetbv (no XSAVE), monitor/mwait, clac/stac, vmcalls,
	 * xend/xtest, rdpkru/wrpkru, rdpid... are not in the model. */
	cpu_raise_ud(c);
}

/*
 * The descriptors of Linux's x86-64 GDT that user mode can inspect with
 * lar/lsl (DPL 3): __USER32_CS, __USER_DS, __USER_CS and the CPUNODE
 * entry, whose limit is (node << 12) | cpu: here always 0, the guest's
 * one CPU.  The access rights are what lar returns on the hardware
 * (bits 23:8 of the descriptor's high word, limit bits 19:16 included).
 * Kernel and system descriptors have DPL 0 and the LDT is empty, so
 * every other selector is invalid.
 */
static int gdt_user_entry(uint16_t sel, uint32_t *ar, uint32_t *limit)
{
	if (sel & 4)
		return 0;
	switch (sel >> 3) {
	case 4: *ar = 0x00cffb00; *limit = 0xffffffff; return 1;
	case 5: *ar = 0x00cff300; *limit = 0xffffffff; return 1;
	case 6: *ar = 0x00affb00; *limit = 0xffffffff; return 1;
	case 15: *ar = 0x0040f500; *limit = 0; return 1;
	default: return 0;
	}
}

/* 0F 02/03: lar, lsl: ZF = 1 and the access rights or limit for a
 * selector of the fixed GDT above, else ZF = 0 and the destination kept. */
static void op_lar_lsl(struct cpu *c, const struct insn *i)
{
	NOLOCK(c, i);
	uint32_t ar, limit;
	uint16_t sel = (uint16_t)rm_read(c, i, 2);
	if (!gdt_user_entry(sel, &ar, &limit)) {
		c->rflags &= ~(uint64_t)FL_ZF;
		return;
	}
	uint32_t v = i->op == 0x02 ? ar : limit;
	if (i->osize == 2)
		reg_write(c, i->reg, 2, i->op == 0x02 ? (v & 0xff00) : v, i->rex);
	else
		reg_write(c, i->reg, i->osize, v, i->rex);
	c->rflags |= FL_ZF;
}

/* 0F 0D: prefetch/prefetchw (register form is #UD). */
static void op_prefetch(struct cpu *c, const struct insn *i)
{
	if (i->mod == 3 || (i->prefix & P_LOCK))
		cpu_raise_ud(c);
}

static void op_ud2(struct cpu *c, const struct insn *i)
{
	cpu_raise_ud(c);
}

/* ------------------------------------------------------------------ */
/* Installation                                                         */

/* ------------------------------------------------------------------ */
/* Flag use, for the translator's dead-flag analysis (insn.h).          */

void exec_flag_use(const struct insn *i, struct flag_use *u)
{
	/* Unknown: may read every flag (or fault). */
	u->use = FL_ARITH;
	u->def = 0;
	u->nf = 0;
	if ((i->prefix & P_LOCK) || i->fn == op_ud)
		return;
	int op = i->op, r = i->reg & 7;
	int mem = i->has_modrm && i->mod != 3;
	/* A memory access may fault, and a fault shows rflags. */
	uint16_t fault = mem ? FL_ARITH : 0;
	if (i->map == MAP_1B) {
		if (op < 0x40 && (op & 7) < 6) {	/* ALU */
			int aop = op >> 3;
			u->use = fault | (aop == 2 || aop == 3 ? FL_CF : 0);
			u->def = FL_ARITH;
			u->nf = alu_nf_fns[aop][0][0] ? FL_ARITH : 0;
		} else if (op >= 0x80 && op <= 0x83 && op != 0x82) {
			u->use = fault | (r == 2 || r == 3 ? FL_CF : 0);
			u->def = FL_ARITH;
			u->nf = alu_nf_fns[r][0][0] ? FL_ARITH : 0;
		} else if (op == 0x84 || op == 0x85 || op == 0xa8 ||
			   op == 0xa9) {		/* test */
			u->use = fault;
			u->def = FL_ARITH;
		} else if ((op >= 0x88 && op <= 0x8b) || op == 0x63 ||
			   (op >= 0xb0 && op <= 0xbf) ||
			   ((op == 0xc6 || op == 0xc7) && r == 0) ||
			   op == 0x98 || op == 0x99) {	/* mov, cbw, cwd */
			u->use = fault;
		} else if (op == 0x8d && !mem) {
			return;				/* lea reg: #UD */
		} else if (op == 0x8d) {		/* lea: no access */
			u->use = 0;
		} else if (op == 0xc0 || op == 0xc1 || op == 0xd0 ||
			   op == 0xd1 || op == 0xd2 || op == 0xd3) {
			if (r < 4)
				return;			/* rotates */
			unsigned cnt = op >= 0xd2 ? 64 :	/* cl: unknown */
				       op >= 0xd0 ? 1 : (unsigned)i->imm;
			int n = (op & 1) ? i->osize : 1;
			cnt &= n == 8 ? 63 : 31;
			u->use = fault;
			/* A zero count leaves the flags alone. */
			u->def = cnt && op < 0xd2 ? FL_ARITH : 0;
			u->nf = FL_ARITH;
		} else if (op == 0xf6 || op == 0xf7) {
			if (r <= 1) {			/* test */
				u->use = fault;
				u->def = FL_ARITH;
			} else if (r == 2) {		/* not */
				u->use = fault;
			} else if (r == 3) {		/* neg */
				u->use = fault;
				u->def = u->nf = FL_ARITH;
			} else if (r <= 5) {		/* mul, imul */
				u->use = fault;
				u->def = FL_ARITH;
			}
		} else if ((op == 0xfe || op == 0xff) && r < 2) {
			u->use = fault;			/* inc, dec */
			u->def = u->nf = FL_ARITH & ~FL_CF;
		} else if (op == 0x69 || op == 0x6b) {
			u->use = fault;
			u->def = u->nf = FL_ARITH;
		}
	} else if (i->map == MAP_0F) {
		if (op == 0xaf) {			/* imul */
			u->use = fault;
			u->def = u->nf = FL_ARITH;
		} else if (op == 0xb6 || op == 0xb7 || op == 0xbe ||
			   op == 0xbf) {		/* movzx, movsx */
			if (i->pfx == PFX_NONE || i->pfx == PFX_66)
				u->use = fault;
		}
	}
}

void exec_install_int(struct optable *t)
{
	insn_fn *m = t->map1b;

	for (int op = 0; op < 0x40; op++)
		if ((op & 7) < 6)
			m[op] = op_alu;
	for (int op = 0x50; op < 0x58; op++)
		m[op] = op_push_reg;
	for (int op = 0x58; op < 0x60; op++)
		m[op] = op_pop_reg;
	m[0x63] = op_movsxd;
	m[0x68] = op_push_imm;
	m[0x69] = op_imul;
	m[0x6a] = op_push_imm;
	m[0x6b] = op_imul;
	for (int op = 0x6c; op < 0x70; op++)
		m[op] = gp_fault;	/* ins, outs */
	for (int op = 0x70; op < 0x80; op++)
		m[op] = op_jcc;
	m[0x80] = m[0x81] = m[0x83] = op_alu;
	m[0x84] = m[0x85] = op_alu;
	m[0x86] = m[0x87] = op_xchg;
	for (int op = 0x88; op < 0x8c; op++)
		m[op] = op_mov;
	m[0x8c] = op_mov_from_seg;
	m[0x8d] = op_lea;
	m[0x8e] = op_mov_to_seg;
	m[0x8f] = op_pop_rm;
	for (int op = 0x90; op < 0x98; op++)
		m[op] = op_xchg_ax;
	m[0x98] = op_cbw;
	m[0x99] = op_cwd;
	m[0x9b] = x87_fwait;	/* fwait: raises a pending x87 exception */
	m[0x9c] = op_pushf;
	m[0x9d] = op_popf;
	m[0x9e] = op_sahf;
	m[0x9f] = op_lahf;
	for (int op = 0xa0; op < 0xa4; op++)
		m[op] = op_mov;
	m[0xa8] = m[0xa9] = op_alu;
	for (int op = 0xb0; op < 0xc0; op++)
		m[op] = op_mov;
	m[0xc0] = m[0xc1] = op_shift;
	m[0xc2] = m[0xc3] = op_branch;
	m[0xc6] = m[0xc7] = op_mov;
	m[0xc8] = op_enter;
	m[0xc9] = op_leave;
	m[0xcc] = op_int3;
	m[0xcd] = op_int;
	for (int op = 0xd0; op < 0xd4; op++)
		m[op] = op_shift;
	m[0xd7] = op_xlat;
	for (int op = 0xe0; op < 0xe4; op++)
		m[op] = op_loop;
	for (int op = 0xe4; op < 0xe8; op++)
		m[op] = gp_fault;	/* in, out */
	m[0xe8] = m[0xe9] = m[0xeb] = op_branch;
	for (int op = 0xec; op < 0xf0; op++)
		m[op] = gp_fault;
	m[0xf1] = op_icebp;
	m[0xf4] = gp_fault;	/* hlt */
	m[0xf5] = op_flagop;
	m[0xf6] = m[0xf7] = op_grp3;
	m[0xf8] = m[0xf9] = op_flagop;
	m[0xfa] = m[0xfb] = gp_fault;	/* cli, sti */
	m[0xfc] = m[0xfd] = op_flagop;
	m[0xfe] = m[0xff] = op_grp45;
	/* Left as op_ud: 06 07 0E 16 17 1E 1F 27 2F 37 3F 60-62 82 9A C4 C5
	 * CA CB CE CF D4-D6 EA (invalid in 64-bit or far transfers). */

	exec_install_string(t);

	optable_set_0f_all(t, 0x00, op_grp6);
	optable_set_0f_all(t, 0x01, op_grp7);
	optable_set_0f_all(t, 0x02, op_lar_lsl);
	optable_set_0f_all(t, 0x03, op_lar_lsl);
	optable_set_0f_all(t, 0x05, op_syscall);
	optable_set_0f_all(t, 0x06, gp_fault);	/* clts */
	optable_set_0f_all(t, 0x07, gp_fault);	/* sysret */
	optable_set_0f_all(t, 0x08, gp_fault);	/* invd */
	optable_set_0f_all(t, 0x09, gp_fault);	/* wbinvd */
	optable_set_0f_all(t, 0x0b, op_ud2);
	optable_set_0f_all(t, 0x0d, op_prefetch);
	for (int op = 0x18; op < 0x20; op++)
		optable_set_0f_all(t, op, op_nop);	/* hints, endbr64 */
	for (int op = 0x20; op < 0x24; op++)
		optable_set_0f_all(t, op, gp_fault);	/* mov cr/dr */
	optable_set_0f_all(t, 0x30, gp_fault);	/* wrmsr */
	optable_set_0f_all(t, 0x31, op_rdtsc);
	optable_set_0f_all(t, 0x32, gp_fault);	/* rdmsr */
	optable_set_0f_all(t, 0x33, gp_fault);	/* rdpmc */
	optable_set_0f_all(t, 0x35, gp_fault);	/* sysexit */
	for (int cc = 0; cc < 16; cc++) {
		optable_set_0f_all(t, 0x40 + cc, cmovcc_fns[cc]);
		optable_set_0f_all(t, 0x80 + cc, op_jcc);
		optable_set_0f_all(t, 0x90 + cc, setcc_fns[cc]);
	}
	optable_set_0f_all(t, 0xa0, op_push_seg);
	optable_set_0f_all(t, 0xa1, op_pop_seg);
	optable_set_0f_all(t, 0xa2, op_cpuid);
	optable_set_0f_all(t, 0xa3, op_bt_reg);
	optable_set_0f_all(t, 0xa4, op_shld_shrd);
	optable_set_0f_all(t, 0xa5, op_shld_shrd);
	optable_set_0f_all(t, 0xa8, op_push_seg);
	optable_set_0f_all(t, 0xa9, op_pop_seg);
	optable_set_0f_all(t, 0xab, op_bt_reg);
	optable_set_0f_all(t, 0xac, op_shld_shrd);
	optable_set_0f_all(t, 0xad, op_shld_shrd);
	optable_set_0f_all(t, 0xaf, op_imul);
	optable_set_0f_all(t, 0xb0, op_cmpxchg);
	optable_set_0f_all(t, 0xb1, op_cmpxchg);
	optable_set_0f_all(t, 0xb3, op_bt_reg);
	optable_set_0f_all(t, 0xb6, op_movx);
	optable_set_0f_all(t, 0xb7, op_movx);
	optable_set_0f_all(t, 0xba, op_bt_imm);
	optable_set_0f_all(t, 0xbb, op_bt_reg);
	optable_set_0f_all(t, 0xbc, op_bsf_bsr);
	optable_set_0f_all(t, 0xbd, op_bsf_bsr);
	optable_set_0f_all(t, 0xbe, op_movx);
	optable_set_0f_all(t, 0xbf, op_movx);
	optable_set_0f_all(t, 0xc0, op_xadd);
	optable_set_0f_all(t, 0xc1, op_xadd);
	optable_set_0f_all(t, 0xc7, op_grp9);
	for (int op = 0xc8; op < 0xd0; op++)
		optable_set_0f_all(t, op, op_bswap);
	/* Left as op_ud: 0F 04 0A 0C 0E 0F 24-27 34 36 37 A6 A7 AA B2 B4
	 * B5 B8 (popcnt: not in the model) B9 (ud1). */
}
