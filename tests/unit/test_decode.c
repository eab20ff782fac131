/*
 * test_decode.c - the decoder against capstone, and its operand fields.
 *
 * Capstone 4 (detail mode) is the oracle.  Every instruction of every
 * executable section of the corpus (/bin/busybox, /bin/bash-static and
 * each build/examples/NAME.{glibc,musl,v2glibc,v2musl,debug}), and of
 * deterministic random byte streams, is decoded by both, and compared:
 *
 *   - the length;
 *   - each explicit memory operand: base, index, scale (when there is an
 *     index), displacement (for rip-relative operands the absolute target,
 *     which is what struct insn holds), fs/gs override and the address
 *     size implied by the width of the base/index registers; moffs forms
 *     (A0-A3) compare capstone's displacement with our imm;
 *   - each register operand: capstone's x86_reg is mapped to a class and a
 *     number (regdesc below) and must be our ModRM reg field, our rm field
 *     (mod = 3 or an opcode-embedded register) or an implicit register of
 *     that opcode (implicit_reg()).  ah..bh must come without a REX prefix,
 *     spl..dil with one.  When rm names a register, capstone must list it;
 *   - each immediate: at the width capstone gives it, or the operand
 *     size when that is smaller (the handlers truncate; sign-extension
 *     is checked up to the operand size), relative branch targets in
 *     full, the unsigned immediates of in/out/int/ret/enter at their
 *     encoded width, enter's second immediate against imm2, the two imm8
 *     of extrq/insertq against the two bytes of imm;
 *   - the operand size: every GPR operand of width 2/4/8 and every memory
 *     operand of size 2/4/8 of an integer instruction is insn->osize.
 *
 * Where struct insn stores a form differently from capstone, or capstone 4
 * is wrong, the form is counted under an enum form_class and the summary
 * line of each binary prints the counts; form_classes[] says why each
 * class exists.  Nothing else is skipped: any other difference fails.
 * DECODE_VERBOSE=1 in the environment prints every mismatch (not only
 * the first ten per binary) and the reasons of the classes.
 */
#include <capstone/capstone.h>
#include <check.h>
#include <fcntl.h>
#include <gelf.h>
#include <glob.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/decode.h"

/* ---------------------------------------------------------------- classes */

/* Forms kept out of (part of) the comparison, or compared through a
 * translation, with the reason.  Counted per binary. */
enum form_class {
	FC_VEX,
	FC_STRING,
	FC_RM_OPCODE,
	FC_NOP90,
	FC_IMPLICIT_REG,
	FC_IMPLICIT_ONE,
	FC_XBEGIN,
	FC_SIZE_X87,
	FC_SIZE_SIMD,
	FC_SIZE_SYSTEM,
	FC_SIZE_IO,
	FC_SIZE_HINT_NOP,
	FC_SIZE_MIXED,
	FC_SIZE_CRC32,
	FC_CS_PREFIX_ORDER,
	FC_CS_REXW_66_67,
	FC_CS_MOVSXD32,
	FC_CS_3DNOW,
	FC_CS_AMD_BRANCH,
	FC_CS_UD01,
	FC_CS_VIA,
	FC_COUNT
};

static const struct form_class_desc {
	const char *name;
	const char *why;
} form_classes[FC_COUNT] = {
	[FC_VEX] = { "vex", "VEX/EVEX/XOP: decoded for length only (the "
		"model has no AVX), VEX.R/X/B and vvvv are not applied, so "
		"no operand is compared" },
	[FC_STRING] = { "string", "movs/cmps/stos/lods/scas/ins/outs: "
		"capstone lists the implicit [rsi]/[rdi] operands, struct "
		"insn holds none (the handlers use rsi/rdi); not compared" },
	[FC_RM_OPCODE] = { "rm-is-opcode", "ModRM.rm selects the "
		"instruction, it is no register (0F 01 /mod=3 but smsw/lmsw, "
		"with the implicit registers capstone lists for some, such as "
		"invlpga rax, ecx; fences 0F AE "
		"/5-/7, endbr F3 0F 1E FA/FB, xabort/xbegin C6/C7 F8, x87 "
		"D9 D0, D9 E0-FF, DA E9, DB E0-E7, DE D9, DF E0-E7); capstone "
		"4 also decodes the CET/WAITPKG forms F3 0F AE /5 (incssp), "
		"0F AE /6 with 66/F2/F3 (tpause/umwait/umonitor) as plain "
		"fences, none of which the model implements" },
	[FC_NOP90] = { "nop90", "90 without REX.B (nop, pause): capstone "
		"lists no operand, our rm is 0 (xchg eax, eax)" },
	[FC_IMPLICIT_REG] = { "implicit-reg", "a register capstone lists "
		"that the opcode implies (accumulator, cl, dx, st(0), xmm0, "
		"fs/gs of push/pop): checked against implicit_reg(), struct "
		"insn does not hold it" },
	[FC_IMPLICIT_ONE] = { "implicit-1", "D0/D1 shift by one: capstone "
		"lists the count 1 as an immediate; no immediate byte, "
		"struct insn has imm 0 (checked: capstone says 1)" },
	[FC_XBEGIN] = { "xbegin", "C7 F8 xbegin: the model has no RTM "
		"(#UD), imm keeps the raw rel32; compared as next + imm" },
	[FC_SIZE_X87] = { "size:x87", "x87: the opcode, not osize, gives "
		"the memory operand's size" },
	[FC_SIZE_SIMD] = { "size:simd", "SSE/MMX/3DNow! (0F 10-17, 28-2F, "
		"50-7F, C2, C4-C6, D0-FF, 0F0F, 0F38, 0F3A): 66 is a mandatory "
		"prefix and the opcode gives the sizes, osize is not used; "
		"also movnti (NP 0F C3) with 66/F2/F3, which is #UD" },
	[FC_SIZE_SYSTEM] = { "size:system", "system and segment forms "
		"whose sizes are fixed (0F 00, 0F 01, mov cr/dr 0F 20-23, "
		"vmread/vmwrite 0F 78/79, 8C/8E mov sreg, 0F AE and 0F C7 "
		"memory forms: save areas, cmpxchg8b/16b)" },
	[FC_SIZE_IO] = { "size:io", "in/out (E4-E7, EC-EF): REX.W is "
		"ignored, port I/O is at most 32 bits (SDM IN/OUT), and the "
		"model raises #GP for them" },
	[FC_SIZE_HINT_NOP] = { "size:hint-nop", "0F 18-1F hint nops and "
		"prefetches do not access memory; capstone 4 ignores REX.W "
		"in their size" },
	[FC_SIZE_MIXED] = { "size:mixed", "movsxd, movzx/movsx, lar/lsl, "
		"lss/lfs/lgs, lea: only the destination has size osize, so "
		"only its size is compared (lea accesses no memory and "
		"capstone sizes its operand by itself)" },
	[FC_SIZE_CRC32] = { "size:crc32", "F2 0F 38 F0/F1 crc32: REX.W "
		"sizes the destination, 66 the source" },
	[FC_CS_PREFIX_ORDER] = { "cs:prefix-order", "capstone 4 bug: a 66 "
		"prefix followed by another prefix is applied inconsistently "
		"(66 F2 50 'push rax' but F2 66 50 'push ax', 66 3E 92 'xchg "
		"eax, dx', 66 2E 41 90 'nop' but 3E 66 41 90 'xchg ax, r8w'): "
		"sizes not compared, capstone's nop accepted for REX.B 90; "
		"66 F2/F3 68 read with an imm32, and 66/F2 0F 78 (extrq/"
		"insertq) read as vmread unless the 66/F2 is the last legacy "
		"prefix: not compared at all.  The order of the prefixes does "
		"not matter (Intel SDM vol. 2A 2.1.1)" },
	[FC_CS_REXW_66_67] = { "cs:rexw-66-67", "capstone 4 bug: REX.W "
		"with 66 or 67 on the default-64-bit opcodes: 'pop/push word "
		"ptr' for 8F /0, FF /6, push imm32 (68) not sign-extended "
		"(sizes not compared, imm compared at 4 bytes); a 4-byte "
		"immediate for ret imm16 (C2) and rel16 for call/jmp (E8/E9) "
		"under 67 (not compared at all).  REX.W takes precedence over "
		"66 (SDM vol. 1 3.6.1) and 67 does not size a displacement "
		"or immediate; capstone issue #1263" },
	[FC_CS_MOVSXD32] = { "cs:movsxd32", "capstone 4 bug: 63 without "
		"REX.W is reported with a 64-bit destination; its operand "
		"size is 32 (SDM: MOVSXD r32, r/m32): size not compared" },
	[FC_CS_3DNOW] = { "cs:3dnow", "capstone 4 bug: 0F 0F with an "
		"undefined 3DNow! suffix is named 'femms' (that is 0F 0E) "
		"with no operands; the model has no 3DNow! (#UD)" },
	[FC_CS_AMD_BRANCH] = { "cs:amd-branch", "66 E8/E9/0F 8x: capstone "
		"follows AMD (rel16), the model follows Intel (66 ignored in "
		"64-bit mode); random streams only, not compared at all" },
	[FC_CS_UD01] = { "cs:ud0-ud1", "0F FF/0F B9: capstone 4 decodes "
		"ud0/ud1 without their ModRM byte; random streams only, not "
		"compared at all" },
	[FC_CS_VIA] = { "cs:via", "0F A6/A7 with a ModRM byte: capstone "
		"decodes VIA PadLock (xstore, xcrypt*, montmul, xsha*), "
		"undefined on Intel and AMD (#UD in the model, length "
		"immaterial); random streams only, not compared at all" },
};

struct check_stats {
	long insns;		/* instructions capstone and we both decoded */
	long operands;		/* capstone operands compared with ours */
	long sizes;		/* operand sizes compared with osize */
	long excluded[FC_COUNT];
	long mismatches;
};

/* ---------------------------------------------------------------- registers */

/* Capstone's x86_reg as a register class and our number: the x86 encoding
 * order (R_RAX..R_R15, SEG_ES..SEG_GS, st(i), mmN, xmmN, crN, drN). */
enum reg_class {
	RC_NONE, RC_GPR, RC_SEG, RC_CR, RC_DR, RC_MM, RC_XMM, RC_ST, RC_IP,
	RC_OTHER
};

struct regdesc {
	uint8_t cls;		/* enum reg_class */
	uint8_t num;
	uint8_t width;		/* bytes */
	int8_t rex;		/* byte registers 4-7: -1 ah..bh (no REX),
				   1 spl..dil (REX), else 0 */
};

static struct regdesc regdesc[X86_REG_ENDING];

static const x86_reg gpr_regs[4][16] = {
	{ X86_REG_AL, X86_REG_CL, X86_REG_DL, X86_REG_BL, X86_REG_SPL,
	  X86_REG_BPL, X86_REG_SIL, X86_REG_DIL, X86_REG_R8B, X86_REG_R9B,
	  X86_REG_R10B, X86_REG_R11B, X86_REG_R12B, X86_REG_R13B,
	  X86_REG_R14B, X86_REG_R15B },
	{ X86_REG_AX, X86_REG_CX, X86_REG_DX, X86_REG_BX, X86_REG_SP,
	  X86_REG_BP, X86_REG_SI, X86_REG_DI, X86_REG_R8W, X86_REG_R9W,
	  X86_REG_R10W, X86_REG_R11W, X86_REG_R12W, X86_REG_R13W,
	  X86_REG_R14W, X86_REG_R15W },
	{ X86_REG_EAX, X86_REG_ECX, X86_REG_EDX, X86_REG_EBX, X86_REG_ESP,
	  X86_REG_EBP, X86_REG_ESI, X86_REG_EDI, X86_REG_R8D, X86_REG_R9D,
	  X86_REG_R10D, X86_REG_R11D, X86_REG_R12D, X86_REG_R13D,
	  X86_REG_R14D, X86_REG_R15D },
	{ X86_REG_RAX, X86_REG_RCX, X86_REG_RDX, X86_REG_RBX, X86_REG_RSP,
	  X86_REG_RBP, X86_REG_RSI, X86_REG_RDI, X86_REG_R8, X86_REG_R9,
	  X86_REG_R10, X86_REG_R11, X86_REG_R12, X86_REG_R13, X86_REG_R14,
	  X86_REG_R15 },
};
static const x86_reg high_byte_regs[4] = {
	X86_REG_AH, X86_REG_CH, X86_REG_DH, X86_REG_BH
};
static const x86_reg seg_regs[6] = {
	X86_REG_ES, X86_REG_CS, X86_REG_SS, X86_REG_DS, X86_REG_FS, X86_REG_GS
};

static void regdesc_set(x86_reg r, int cls, int num, int width, int rex)
{
	regdesc[r] = (struct regdesc){ (uint8_t)cls, (uint8_t)num,
				       (uint8_t)width, (int8_t)rex };
}

static void regdesc_init(void)
{
	for (int r = 1; r < X86_REG_ENDING; r++)
		regdesc_set(r, RC_OTHER, 0, 0, 0);
	for (int k = 0; k < 16; k++) {
		for (int w = 0; w < 4; w++)
			regdesc_set(gpr_regs[w][k], RC_GPR, k, 1 << w,
				    w == 0 && k >= 4 && k < 8);
		regdesc_set(X86_REG_XMM0 + k, RC_XMM, k, 16, 0);
		regdesc_set(X86_REG_CR0 + k, RC_CR, k, 8, 0);
		regdesc_set(X86_REG_DR0 + k, RC_DR, k, 8, 0);
	}
	for (int k = 0; k < 4; k++)
		regdesc_set(high_byte_regs[k], RC_GPR, k + 4, 1, -1);
	for (int k = 0; k < 6; k++)
		regdesc_set(seg_regs[k], RC_SEG, k, 2, 0);
	for (int k = 0; k < 8; k++) {
		regdesc_set(X86_REG_MM0 + k, RC_MM, k, 8, 0);
		regdesc_set(X86_REG_ST0 + k, RC_ST, k, 10, 0);
	}
	regdesc_set(X86_REG_RIP, RC_IP, 0, 8, 0);
	regdesc_set(X86_REG_EIP, RC_IP, 0, 4, 0);
}

/* Does register d name our field value v (reg, or rm with REX applied)?
 * MMX, x87 and segment registers have 3-bit numbers: REX is ignored. */
static bool reg_is_field(const struct insn *in, const struct regdesc *d,
			 int v)
{
	switch (d->cls) {
	case RC_GPR:
		if ((d->rex < 0 && in->rex) || (d->rex > 0 && !in->rex))
			return false;
		return v == d->num;
	case RC_MM:
	case RC_ST:
	case RC_SEG:
		return (v & 7) == d->num;
	case RC_XMM:
	case RC_CR:
	case RC_DR:
		return v == d->num;
	default:
		return false;
	}
}

/* ---------------------------------------------------------------- forms */

static bool is_1b(const struct insn *in, int lo, int hi)
{
	return in->map == MAP_1B && in->op >= lo && in->op <= hi;
}

static bool is_0f(const struct insn *in, int lo, int hi)
{
	return in->map == MAP_0F && in->op >= lo && in->op <= hi;
}

static bool is_string_op(const struct insn *in)
{
	return is_1b(in, 0x6c, 0x6f) || is_1b(in, 0xa4, 0xa7) ||
	       is_1b(in, 0xaa, 0xaf);
}

static bool is_rel_branch(const struct insn *in)
{
	return is_1b(in, 0x70, 0x7f) || is_1b(in, 0xe0, 0xe3) ||
	       is_1b(in, 0xe8, 0xe9) || is_1b(in, 0xeb, 0xeb) ||
	       is_0f(in, 0x80, 0x8f);
}

/* The register is in the low opcode bits: our rm. */
static bool has_opcode_reg(const struct insn *in)
{
	return is_1b(in, 0x50, 0x5f) || is_1b(in, 0x90, 0x97) ||
	       is_1b(in, 0xb0, 0xbf) || is_0f(in, 0xc8, 0xcf);
}

/* mod = 3, but ModRM.rm is part of the opcode (FC_RM_OPCODE). */
static bool rm_is_opcode(const struct insn *in)
{
	int r = in->reg & 7, rm = in->rm & 7;
	if (!in->has_modrm || in->mod != 3)
		return false;
	if (in->map == MAP_0F)
		return (in->op == 0x01 && r != 4 && r != 6) ||
		       (in->op == 0xae && r >= 5) ||
		       (in->op == 0x1e && in->pfx == PFX_F3 && r == 7 &&
			(rm == 2 || rm == 3));
	if (in->map != MAP_1B)
		return false;
	switch (in->op) {
	case 0xc6: case 0xc7: return r == 7;
	case 0xd9: return (r == 2 && rm == 0) || r >= 4;
	case 0xda: return r == 5 && rm == 1;
	case 0xdb: return r == 4;
	case 0xde: return r == 3 && rm == 1;
	case 0xdf: return r == 4;
	default: return false;
	}
}

/* Is d a register capstone may list that the opcode implies? */
static bool implicit_reg(const struct insn *in, const struct regdesc *d)
{
	int op = in->op;
	if (in->map == MAP_1B) {
		if (d->cls == RC_GPR && d->num == R_RAX && d->rex >= 0 &&
		    ((op < 0x40 && ((op & 7) == 4 || (op & 7) == 5)) ||
		     (op >= 0x90 && op <= 0x97) || (op >= 0xa0 && op <= 0xa3) ||
		     op == 0xa8 || op == 0xa9 || (op >= 0xe4 && op <= 0xe7) ||
		     (op >= 0xec && op <= 0xef) ||
		     (op == 0xdf && rm_is_opcode(in))))	/* fnstsw ax */
			return true;
		if (d->cls == RC_GPR && d->num == R_RCX && d->width == 1 &&
		    (op == 0xd2 || op == 0xd3))
			return true;
		if (d->cls == RC_GPR && d->num == R_RDX && d->width == 2 &&
		    op >= 0xec && op <= 0xef)
			return true;
		return d->cls == RC_ST && d->num == 0 && op >= 0xd8 &&
		       op <= 0xdf && in->mod == 3;
	}
	if (in->map == MAP_0F) {
		if (d->cls == RC_GPR && op == 0x01 && rm_is_opcode(in))
			return true;
		if (d->cls == RC_GPR && d->num == R_RCX && d->width == 1 &&
		    (op == 0xa5 || op == 0xad))
			return true;
		return d->cls == RC_SEG &&
		       (((op == 0xa0 || op == 0xa1) && d->num == SEG_FS) ||
			((op == 0xa8 || op == 0xa9) && d->num == SEG_GS));
	}
	if (in->map == MAP_0F38)
		return d->cls == RC_XMM && d->num == 0 &&
		       (((op == 0x10 || op == 0x14 || op == 0x15) &&
			 in->pfx == PFX_66) || (op == 0xcb && in->pfx == PFX_NONE));
	return false;
}

static bool is_legacy_prefix(uint8_t p)
{
	return p == 0x66 || p == 0x67 || p == 0xf0 || p == 0xf2 ||
	       p == 0xf3 || p == 0x2e || p == 0x3e || p == 0x26 ||
	       p == 0x36 || p == 0x64 || p == 0x65;
}

/* A 66 prefix followed by another prefix other than 66, legacy or an
 * ignored REX (FC_CS_PREFIX_ORDER). */
static bool osize_prefix_then_other(const uint8_t *b, size_t n)
{
	bool seen = false;
	for (size_t k = 0; k < n; k++) {
		bool legacy = is_legacy_prefix(b[k]);
		bool rex = (b[k] & 0xf0) == 0x40;
		if (!legacy && !rex)
			return false;
		bool last_rex = rex && k + 1 < n &&
				!is_legacy_prefix(b[k + 1]) &&
				(b[k + 1] & 0xf0) != 0x40;
		if (seen && b[k] != 0x66 && !last_rex)
			return true;
		if (b[k] == 0x66)
			seen = true;
	}
	return false;
}

/* In the k prefix bytes b[0..k): a 66 followed by F2 or F3. */
static bool osize_prefix_then_rep(const uint8_t *b, size_t k)
{
	bool seen = false;
	for (size_t j = 0; j < k; j++) {
		if (seen && (b[j] == 0xf2 || b[j] == 0xf3))
			return true;
		seen |= b[j] == 0x66;
	}
	return false;
}

/* In the k prefix bytes b[0..k): the last legacy prefix is 66, F2 or F3
 * (or there is none of them). */
static bool mandatory_prefix_last(const uint8_t *b, size_t k)
{
	bool any = false;
	uint8_t last = 0;
	for (size_t j = 0; j < k; j++) {
		if ((b[j] & 0xf0) == 0x40)
			continue;
		any |= b[j] == 0x66 || b[j] == 0xf2 || b[j] == 0xf3;
		last = b[j];
	}
	return !any || last == 0x66 || last == 0xf2 || last == 0xf3;
}

/* REX.W with 66 or 67 (FC_CS_REXW_66_67). */
static bool rexw_with_66_67(const struct insn *in)
{
	return (in->rex & 8) && (in->prefix & (P_OSIZE | P_ASIZE));
}

/* Why the operand sizes of this instruction (bytes b) are not compared
 * with osize (a form_class), FC_COUNT when they are, or -1 when only the
 * first (destination) operand is (FC_SIZE_MIXED). */
static int size_class(const struct insn *in, const uint8_t *b)
{
	int op = in->op, r = in->reg & 7;
	if (in->map == MAP_1B) {
		if (op >= 0xd8 && op <= 0xdf)
			return FC_SIZE_X87;
		if (op == 0x8c || op == 0x8e)
			return FC_SIZE_SYSTEM;
		if ((op >= 0xe4 && op <= 0xe7) || (op >= 0xec && op <= 0xef))
			return FC_SIZE_IO;
		if (op == 0x63 && !(in->rex & 8))
			return FC_CS_MOVSXD32;
		if (((op == 0x8f && r == 0) || (op == 0xff && r == 6)) &&
		    rexw_with_66_67(in))
			return FC_CS_REXW_66_67;
	} else if (in->map == MAP_0F) {
		if (op <= 0x01 || (op >= 0x20 && op <= 0x23) || op == 0x78 ||
		    op == 0x79 || ((op == 0xae || op == 0xc7) && in->mod != 3))
			return FC_SIZE_SYSTEM;
		if (op >= 0x18 && op <= 0x1f)
			return FC_SIZE_HINT_NOP;
		if (op == 0x0f || (op >= 0x10 && op <= 0x17) ||
		    (op >= 0x28 && op <= 0x2f) || (op >= 0x50 && op <= 0x7f) ||
		    op == 0xc2 || (op >= 0xc4 && op <= 0xc6) || op >= 0xd0 ||
		    (op == 0xc3 && in->pfx != PFX_NONE))
			return FC_SIZE_SIMD;
	} else if (in->map == MAP_0F38 && (op == 0xf0 || op == 0xf1)) {
		if (in->pfx == PFX_F2)
			return FC_SIZE_CRC32;	/* movbe is compared */
	} else {
		return FC_SIZE_SIMD;
	}
	if ((in->prefix & P_OSIZE) && osize_prefix_then_other(b, in->len))
		return FC_CS_PREFIX_ORDER;
	if ((in->map == MAP_1B && (op == 0x63 || op == 0x8d)) ||
	    (in->map == MAP_0F && (op == 0x02 || op == 0x03 || op == 0xb2 ||
				   op == 0xb4 || op == 0xb5 || op == 0xb6 ||
				   op == 0xb7 || op == 0xbe || op == 0xbf)))
		return -1;
	return FC_COUNT;
}

/* Capstone 4 and our model disagree on the length of these, documented
 * in form_classes; they only occur in the random streams. */
static int length_disagreement(const uint8_t *b, size_t n)
{
	size_t k = 0;
	bool osize = false, asize = false;
	while (k < n && (is_legacy_prefix(b[k]) || (b[k] & 0xf0) == 0x40)) {
		osize |= b[k] == 0x66;
		asize |= b[k] == 0x67;
		k++;
	}
	if (k >= n)
		return -1;
	bool rex_w = k > 0 && (b[k - 1] & 0xf8) == 0x48;
	if (osize && (b[k] == 0xe8 || b[k] == 0xe9))
		return FC_CS_AMD_BRANCH;
	if (rex_w && (((osize || asize) && b[k] == 0xc2) ||
		      (asize && (b[k] == 0xe8 || b[k] == 0xe9))))
		return FC_CS_REXW_66_67;
	if (b[k] == 0x68 && osize_prefix_then_rep(b, k))
		return FC_CS_PREFIX_ORDER;
	if (k + 1 < n && b[k] == 0x0f) {
		if (osize && (b[k + 1] & 0xf0) == 0x80)
			return FC_CS_AMD_BRANCH;
		if (b[k + 1] == 0xff || b[k + 1] == 0xb9)
			return FC_CS_UD01;
		if (b[k + 1] == 0xa6 || b[k + 1] == 0xa7)
			return FC_CS_VIA;
		if (b[k + 1] == 0x78 && !mandatory_prefix_last(b, k))
			return FC_CS_PREFIX_ORDER;
	}
	return -1;
}

/* ---------------------------------------------------------------- compare */

static bool verbose;	/* DECODE_VERBOSE is set */

struct why {
	char text[256];
	size_t len;
};

static void why_add(struct why *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void why_add(struct why *w, const char *fmt, ...)
{
	va_list ap;
	if (w->len >= sizeof(w->text) - 1)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(w->text + w->len, sizeof(w->text) - w->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		w->len += (size_t)n;
	if (w->len > sizeof(w->text) - 1)
		w->len = sizeof(w->text) - 1;
}

static uint64_t low_bytes(uint64_t v, int bytes)
{
	return bytes >= 8 ? v : v & ((1ULL << (bytes * 8)) - 1);
}

static void check_mem(const struct insn *in, const cs_insn *ci,
		      const cs_x86_op *o, struct why *w)
{
	const x86_op_mem *m = &o->mem;
	int as = in->asize;
	int seg = m->segment == X86_REG_FS ? SEG_FS :
		  m->segment == X86_REG_GS ? SEG_GS : SEG_NONE;
	if (seg != in->seg)
		why_add(w, " seg %d/%d", seg, in->seg);
	if (is_1b(in, 0xa0, 0xa3)) {	/* moffs: the address is our imm */
		if (m->base != X86_REG_INVALID || m->index != X86_REG_INVALID ||
		    low_bytes((uint64_t)m->disp, as) != low_bytes(in->imm, as))
			why_add(w, " moffs %#llx/%#llx",
				(unsigned long long)m->disp,
				(unsigned long long)in->imm);
		return;
	}
	if (!in->has_modrm || in->mod == 3) {
		why_add(w, " memory operand, ours mod=%d", in->mod);
		return;
	}
	const struct regdesc *b = &regdesc[m->base], *x = &regdesc[m->index];
	if (m->base == X86_REG_INVALID) {
		if (in->base != REG_NONE)
			why_add(w, " base none/%d", in->base);
	} else if (b->cls == RC_IP) {
		uint64_t target = ci->address + ci->size + (uint64_t)m->disp;
		if (in->base != REG_NONE)
			why_add(w, " rip-relative, our base %d", in->base);
		if (low_bytes(target - (uint64_t)in->disp, as))
			why_add(w, " rip target %#llx/%#llx",
				(unsigned long long)target,
				(unsigned long long)in->disp);
	} else if (b->cls != RC_GPR || b->num != in->base) {
		why_add(w, " base %d/%d", b->num, in->base);
	}
	if (m->base != X86_REG_INVALID && b->width != as)
		why_add(w, " address size %d/%d", b->width, as);
	if (m->index == X86_REG_INVALID) {
		if (in->index != REG_NONE)
			why_add(w, " index none/%d", in->index);
	} else {
		if (x->cls != RC_GPR || x->num != in->index)
			why_add(w, " index %d/%d", x->num, in->index);
		if (x->width != as)
			why_add(w, " address size %d/%d", x->width, as);
		if (m->scale != 1 << in->scale)
			why_add(w, " scale %d/%d", m->scale, 1 << in->scale);
	}
	/* A 32-bit address wraps: only the low 32 bits of disp matter. */
	if (b->cls != RC_IP && low_bytes((uint64_t)m->disp - (uint64_t)in->disp, as))
		why_add(w, " disp %#llx/%#llx", (unsigned long long)m->disp,
			(unsigned long long)in->disp);
}

/* The k-th immediate capstone lists, against ours.  size_cls is the
 * instruction's size_class(). */
static void check_imm(const struct insn *in, int size_cls, int k,
		      const cs_x86_op *o, struct check_stats *st, struct why *w)
{
	uint64_t cs = (uint64_t)o->imm, ours = in->imm;
	int width = o->size ? o->size : 8;
	bool sse4a = in->map == MAP_0F && in->op == 0x78 && in->mod == 3 &&
		     (in->pfx == PFX_66 || in->pfx == PFX_F2);
	/* An integer immediate matters at the operand size (the handlers
	 * truncate); capstone 4 says 8 for every push and mis-sizes some
	 * prefix combinations (FC_CS_PREFIX_ORDER). */
	if (size_cls != FC_SIZE_X87 && size_cls != FC_SIZE_SIMD &&
	    in->osize < width)
		width = in->osize;
	if (in->map == MAP_1B && (in->op == 0xd0 || in->op == 0xd1)) {
		st->excluded[FC_IMPLICIT_ONE]++;
		if (cs != 1)
			why_add(w, " shift count %#llx", (unsigned long long)cs);
		return;
	}
	if (in->map == MAP_1B && in->op == 0xc7 && in->mod == 3 &&
	    (in->reg & 7) == 7) {
		st->excluded[FC_XBEGIN]++;
		ours = in->next + in->imm;
		width = 8;
	} else if (is_rel_branch(in)) {
		width = 8;
	} else if (is_1b(in, 0xe4, 0xe7) || is_1b(in, 0xcd, 0xcd)) {
		width = 1;	/* port, vector: unsigned imm8 */
	} else if (is_1b(in, 0xc2, 0xc2) || is_1b(in, 0xca, 0xca)) {
		width = 2;	/* ret imm16: unsigned */
	} else if (is_1b(in, 0xc8, 0xc8)) {
		width = k == 0 ? 2 : 1;	/* enter imm16, imm8 */
		if (k == 1)
			ours = in->imm2;
	} else if (is_1b(in, 0x68, 0x68) && rexw_with_66_67(in)) {
		st->excluded[FC_CS_REXW_66_67]++;
		width = 4;	/* capstone does not sign-extend */
	} else if (sse4a) {
		width = 1;	/* imm holds both imm8s, little-endian */
		ours = in->imm >> (8 * k);
	}
	if (k > (is_1b(in, 0xc8, 0xc8) || sse4a ? 1 : 0))
		why_add(w, " extra immediate %#llx", (unsigned long long)cs);
	else if (low_bytes(cs, width) != low_bytes(ours, width))
		why_add(w, " imm %#llx/%#llx (width %d)", (unsigned long long)cs,
			(unsigned long long)ours, width);
}

/* Assign capstone's register operands r[k..n) to our reg field (bit 0 of
 * used), our rm (bit 1) or the opcode's implicit registers.  When rm is a
 * register it must be used.  Sets bit k of *implicit for the ones
 * assigned to an implicit register. */
static bool assign_regs(const struct insn *in, const struct regdesc **r,
			int n, int k, unsigned used, bool rm_reg,
			unsigned *implicit)
{
	if (k == n)
		return !rm_reg || (used & 2);
	if (in->has_modrm && !(used & 1) && reg_is_field(in, r[k], in->reg) &&
	    assign_regs(in, r, n, k + 1, used | 1, rm_reg, implicit))
		return true;
	if (rm_reg && !(used & 2) && reg_is_field(in, r[k], in->rm) &&
	    assign_regs(in, r, n, k + 1, used | 2, rm_reg, implicit))
		return true;
	if (implicit_reg(in, r[k]) &&
	    assign_regs(in, r, n, k + 1, used, rm_reg, implicit)) {
		*implicit |= 1u << k;
		return true;
	}
	return false;
}

/*
 * Compare one instruction both decoders accepted with the same length.
 * Returns true when they agree; else explains in *w.
 */
static bool check_operands(const struct insn *in, const cs_insn *ci,
			   const uint8_t *b, struct check_stats *st,
			   struct why *w)
{
	const cs_x86 *x = &ci->detail->x86;
	if (in->map == MAP_VEX_EVEX) {
		st->excluded[FC_VEX]++;
		return true;
	}
	if (is_string_op(in)) {
		st->excluded[FC_STRING]++;
		return true;
	}
	if (in->map == MAP_0F && in->op == 0x0f && ci->id == X86_INS_FEMMS) {
		st->excluded[FC_CS_3DNOW]++;
		return true;
	}
	int size_cls = size_class(in, b);
	bool rm_reg = (in->has_modrm && in->mod == 3) || has_opcode_reg(in);
	if (rm_is_opcode(in)) {
		st->excluded[FC_RM_OPCODE]++;
		rm_reg = false;
	} else if (is_1b(in, 0x90, 0x90) && !(in->rex & 1)) {
		st->excluded[FC_NOP90]++;
		rm_reg = false;
	} else if (is_1b(in, 0x90, 0x90) && size_cls == FC_CS_PREFIX_ORDER &&
		   ci->id == X86_INS_NOP) {
		rm_reg = false;
	}
	const struct regdesc *regs[8];
	int reg_idx[8], nregs = 0, nimm = 0, nmem = 0;
	for (int k = 0; k < x->op_count; k++) {
		const cs_x86_op *o = &x->operands[k];
		st->operands++;
		if (o->type == X86_OP_REG) {
			reg_idx[nregs] = k;
			regs[nregs++] = &regdesc[o->reg];
		} else if (o->type == X86_OP_IMM) {
			check_imm(in, size_cls, nimm++, o, st, w);
		} else if (o->type == X86_OP_MEM) {
			if (nmem++)
				why_add(w, " second memory operand");
			else
				check_mem(in, ci, o, w);
			bool sized = o->size == 2 || o->size == 4 || o->size == 8;
			if (sized && (size_cls == FC_COUNT ||
				      (size_cls == -1 && k == 0))) {
				st->sizes++;
				if (o->size != in->osize)
					why_add(w, " memory size %d/%d",
						o->size, in->osize);
			}
		} else {
			why_add(w, " operand type %d", o->type);
		}
	}
	if (!nmem && in->has_modrm && in->mod != 3)
		why_add(w, " no memory operand, ours mod=%d", in->mod);
	unsigned implicit = 0;
	if (!assign_regs(in, regs, nregs, 0, 0, rm_reg, &implicit)) {
		why_add(w, " registers:");
		for (int k = 0; k < nregs; k++)
			why_add(w, " %d:%d/%d", regs[k]->cls, regs[k]->num,
				regs[k]->width);
		why_add(w, " ours reg %d rm %d rex %#x", in->reg, in->rm,
			in->rex);
	}
	for (int k = 0; k < nregs; k++) {
		const struct regdesc *d = regs[k];
		if (implicit & (1u << k))
			st->excluded[FC_IMPLICIT_REG]++;
		/* Of the implicit registers only the accumulator has the
		 * operand size (cl, dx, st0, xmm0, fs/gs do not). */
		if (d->cls != RC_GPR || d->width < 2 ||
		    ((implicit & (1u << k)) && d->num != R_RAX))
			continue;
		if (size_cls == FC_COUNT || (size_cls == -1 && reg_idx[k] == 0)) {
			st->sizes++;
			if (d->width != in->osize)
				why_add(w, " register size %d/%d", d->width,
					in->osize);
		}
	}
	if (size_cls >= 0 && size_cls < FC_COUNT)
		st->excluded[size_cls]++;
	else if (size_cls < 0)
		st->excluded[FC_SIZE_MIXED]++;
	return w->len == 0;
}

static void report(const char *where, uint64_t addr, const uint8_t *b,
		   int len, const cs_insn *ci, const char *what)
{
	char hex[64];
	size_t n = 0;
	for (int k = 0; k < len && k < 15; k++)
		n += (size_t)snprintf(hex + n, sizeof(hex) - n, "%02x", b[k]);
	fprintf(stderr, "  %s 0x%llx [%s] %s %s:%s\n", where,
		(unsigned long long)addr, hex, ci->mnemonic, ci->op_str, what);
}

/* Decode one instruction both ways at b[0..n), compare, count.  Returns
 * the length to advance by (capstone's), 0 if capstone rejects it. */
static int check_one(csh h, cs_insn *ci, const struct optable *t,
		     const uint8_t *b, size_t n, uint64_t addr,
		     struct check_stats *st, const char *where)
{
	const uint8_t *cp = b;
	size_t cn = n;
	uint64_t ca = addr;
	if (!cs_disasm_iter(h, &cp, &cn, &ca, ci))
		return 0;
	struct insn in;
	int len = decode_insn(t, b, n, addr, &in);
	struct why w = { .len = 0 };
	st->insns++;
	if (len != (int)ci->size) {
		snprintf(w.text, sizeof(w.text), " length capstone %d, ours %d",
			 ci->size, len);
		w.len = 1;
	} else {
		check_operands(&in, ci, b, st, &w);
	}
	if (w.len && (st->mismatches++ < 10 || verbose))
		report(where, addr, b, ci->size, ci, w.text);
	return ci->size;
}

static void print_summary(const char *name, const struct check_stats *st)
{
	char line[1024];
	size_t n = (size_t)snprintf(line, sizeof(line),
		"decode %s: %ld insns, %ld operands and %ld sizes compared, "
		"%ld mismatches; classes:", name, st->insns, st->operands,
		st->sizes, st->mismatches);
	for (int c = 0; c < FC_COUNT && n < sizeof(line); c++)
		if (st->excluded[c])
			n += (size_t)snprintf(line + n, sizeof(line) - n,
					      " %s %ld", form_classes[c].name,
					      st->excluded[c]);
	fprintf(stderr, "%s\n", line);
}

static void open_capstone(csh *h, cs_insn **ci)
{
	verbose = getenv("DECODE_VERBOSE") != NULL;
	ck_assert_int_eq(cs_open(CS_ARCH_X86, CS_MODE_64, h), CS_ERR_OK);
	ck_assert_int_eq(cs_option(*h, CS_OPT_DETAIL, CS_OPT_ON), CS_ERR_OK);
	*ci = cs_malloc(*h);
	ck_assert_ptr_nonnull(*ci);
	regdesc_init();
}

/* ---------------------------------------------------------------- corpus */

/* Every executable section of the ELF file at path, instruction by
 * instruction (bytes capstone rejects are data or padding: skipped by our
 * length).  Adds to *total; fails the test on any mismatch at the end. */
static void check_elf(csh h, cs_insn *ci, const char *path,
		      struct check_stats *total)
{
	const struct optable *t = optable_get(CPU_LEVEL_V2);
	struct check_stats st = { .insns = 0 };
	int fd = open(path, O_RDONLY);
	ck_assert_msg(fd >= 0, "%s missing (make deps installs it)", path);
	Elf *e = elf_begin(fd, ELF_C_READ, NULL);
	ck_assert_msg(e != NULL, "%s: %s", path, elf_errmsg(-1));
	Elf_Scn *s = NULL;
	while ((s = elf_nextscn(e, s))) {
		GElf_Shdr sh;
		ck_assert_ptr_nonnull(gelf_getshdr(s, &sh));
		if (!(sh.sh_flags & SHF_EXECINSTR) || sh.sh_type != SHT_PROGBITS)
			continue;
		Elf_Data *d = elf_getdata(s, NULL);
		ck_assert_ptr_nonnull(d);
		const uint8_t *p = d->d_buf;
		size_t n = d->d_size, off = 0;
		while (off < n) {
			int adv = check_one(h, ci, t, p + off, n - off,
					    sh.sh_addr + off, &st, path);
			if (!adv) {
				struct insn in;
				int len = decode_insn(t, p + off, n - off,
						      sh.sh_addr + off, &in);
				adv = len > 0 ? len : 1;
			}
			off += (size_t)adv;
		}
	}
	elf_end(e);
	close(fd);
	print_summary(path, &st);
	ck_assert_msg(st.insns > 1000, "%s: only %ld instructions", path,
		      st.insns);
	total->insns += st.insns;
	total->operands += st.operands;
	total->sizes += st.sizes;
	total->mismatches += st.mismatches;
	for (int c = 0; c < FC_COUNT; c++)
		total->excluded[c] += st.excluded[c];
}

/* build/MODE/tests/unit/test_decode -> build/examples */
static void examples_dir(char *out, size_t len)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	ck_assert_int_gt(n, 0);
	self[n] = 0;
	char *d = dirname(dirname(dirname(dirname(self))));	/* build */
	snprintf(out, len, "%s/examples", d);
}

START_TEST(test_corpus)
{
	static const char *const suffixes[] = {
		"glibc", "musl", "v2glibc", "v2musl", "debug"
	};
	ck_assert(elf_version(EV_CURRENT) != EV_NONE);
	csh h;
	cs_insn *ci;
	open_capstone(&h, &ci);
	struct check_stats total = { .insns = 0 };
	if (verbose)
		for (int c = 0; c < FC_COUNT; c++)
			fprintf(stderr, "class %s: %s\n", form_classes[c].name,
				form_classes[c].why);
	check_elf(h, ci, "/bin/busybox", &total);
	check_elf(h, ci, "/bin/bash-static", &total);
	char dir[PATH_MAX], pattern[PATH_MAX + 16];
	examples_dir(dir, sizeof(dir));
	int files = 2;
	for (size_t s = 0; s < sizeof(suffixes) / sizeof(suffixes[0]); s++) {
		snprintf(pattern, sizeof(pattern), "%s/*.%s", dir, suffixes[s]);
		glob_t g;
		int rc = glob(pattern, 0, NULL, &g);
		ck_assert_msg(rc == 0 && g.gl_pathc > 0,
			      "no %s: build the examples first (make examples)",
			      pattern);
		for (size_t k = 0; k < g.gl_pathc; k++, files++)
			check_elf(h, ci, g.gl_pathv[k], &total);
		globfree(&g);
	}
	char name[32];
	snprintf(name, sizeof(name), "corpus (%d files)", files);
	print_summary(name, &total);
	cs_free(ci, 1);
	cs_close(&h);
	ck_assert_int_gt(total.insns, 3000000);
	ck_assert_int_eq(total.mismatches, 0);
}
END_TEST

/* ---------------------------------------------------------------- random */

static uint64_t xorshift(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* Random streams: plain random bytes, and streams that start with a few
 * prefixes, REX bytes and opcode escapes, which plain random bytes rarely
 * combine (66 + REX.W, 67 + SIB forms, F2/F3 + 0F maps). */
static void check_random(int prefixed, long min_insns)
{
	static const uint8_t lead[] = {
		0x66, 0x67, 0xf2, 0xf3, 0xf0, 0x64, 0x65, 0x2e, 0x40, 0x41,
		0x44, 0x45, 0x48, 0x49, 0x4a, 0x4c, 0x4d, 0x4f, 0x0f, 0x0f,
	};
	csh h;
	cs_insn *ci;
	open_capstone(&h, &ci);
	const struct optable *t = optable_get(CPU_LEVEL_V2);
	struct check_stats st = { .insns = 0 };
	uint64_t x = prefixed ? 0x2545f4914f6cdd1dULL : 0x9e3779b97f4a7c15ULL;
	uint8_t buf[24];
	for (int it = 0; it < 300000; it++) {
		for (size_t k = 0; k < sizeof(buf); k++)
			buf[k] = (uint8_t)xorshift(&x);
		if (prefixed) {
			int n = 1 + (int)(xorshift(&x) % 4);
			for (int k = 0; k < n; k++)
				buf[k] = lead[xorshift(&x) % sizeof(lead)];
		}
		int cls = length_disagreement(buf, sizeof(buf));
		if (cls >= 0) {
			st.excluded[cls]++;
			continue;
		}
		check_one(h, ci, t, buf, sizeof(buf), 0x401000, &st,
			  prefixed ? "prefixed" : "random");
	}
	print_summary(prefixed ? "random (prefixed)" : "random", &st);
	cs_free(ci, 1);
	cs_close(&h);
	ck_assert_int_gt(st.insns, min_insns);
	ck_assert_int_eq(st.mismatches, 0);
}

START_TEST(test_random_streams)
{
	check_random(0, 200000);
}
END_TEST

START_TEST(test_random_prefixed_streams)
{
	check_random(1, 200000);
}
END_TEST

/* ---------------------------------------------------------------- by hand */

START_TEST(test_operand_fields)
{
	const struct optable *t = optable_get(CPU_LEVEL_V2);
	struct insn in;
	/* mov rax, [rip + 0x10] at 0x1000: 48 8b 05 10 00 00 00 */
	const uint8_t a[] = { 0x48, 0x8b, 0x05, 0x10, 0, 0, 0 };
	ck_assert_int_eq(decode_insn(t, a, sizeof(a), 0x1000, &in), 7);
	ck_assert_int_eq(in.base, REG_NONE);
	ck_assert_int_eq(in.index, REG_NONE);
	ck_assert_uint_eq((uint64_t)in.disp, 0x1000 + 7 + 0x10);
	ck_assert_int_eq(in.osize, 8);
	/* mov r9d, [r12 + r13*4 - 8]: 47 8b 4c ac f8 */
	const uint8_t b[] = { 0x47, 0x8b, 0x4c, 0xac, 0xf8 };
	ck_assert_int_eq(decode_insn(t, b, sizeof(b), 0, &in), 5);
	ck_assert_int_eq(in.reg, 9);
	ck_assert_int_eq(in.base, 12);
	ck_assert_int_eq(in.index, 13);
	ck_assert_int_eq(in.scale, 2);
	ck_assert_int_eq(in.disp, -8);
	ck_assert_int_eq(in.osize, 4);
	/* A REX followed by a legacy prefix is ignored: 48 66 90 is a
	 * 16-bit nop, not a 64-bit one. */
	const uint8_t c[] = { 0x48, 0x66, 0x8b, 0xc0 };
	ck_assert_int_eq(decode_insn(t, c, sizeof(c), 0, &in), 4);
	ck_assert_int_eq(in.rex, 0);
	ck_assert_int_eq(in.osize, 2);
	/* jne back: 75 fe at 0x2000 targets itself. */
	const uint8_t d[] = { 0x75, 0xfe };
	ck_assert_int_eq(decode_insn(t, d, sizeof(d), 0x2000, &in), 2);
	ck_assert_uint_eq(in.imm, 0x2000);
	ck_assert(in.flags & INSN_END_BLOCK);
	/* push imm8 sign-extends, defaults to 64-bit: 6a ff */
	const uint8_t e[] = { 0x6a, 0xff };
	ck_assert_int_eq(decode_insn(t, e, sizeof(e), 0, &in), 2);
	ck_assert_uint_eq(in.imm, ~0ULL);
	ck_assert_int_eq(in.osize, 8);
	/* movabs rax, imm64 */
	const uint8_t f[] = { 0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8 };
	ck_assert_int_eq(decode_insn(t, f, sizeof(f), 0, &in), 10);
	ck_assert_uint_eq(in.imm, 0x0807060504030201ULL);
	/* Truncated input asks for more; 15+ bytes of prefixes is #GP. */
	ck_assert_int_eq(decode_insn(t, f, 5, 0, &in), DECODE_NEED_MORE);
	uint8_t g[16];
	memset(g, 0x66, sizeof(g));
	ck_assert_int_eq(decode_insn(t, g, sizeof(g), 0, &in), DECODE_TOO_LONG);
	/* sse mandatory prefix: f3 0f 10 c1 = movss xmm0, xmm1 */
	const uint8_t h[] = { 0x66, 0xf3, 0x0f, 0x10, 0xc1 };
	ck_assert_int_eq(decode_insn(t, h, sizeof(h), 0, &in), 5);
	ck_assert_int_eq(in.pfx, PFX_F3);
	ck_assert_int_eq(in.map, MAP_0F);
	/* REX.W takes precedence over 66 for the default-64-bit opcodes
	 * too: 66 48 68 is push imm32 (7 bytes), 66 48 50 and 66 48 ff 30
	 * push 8 bytes; without REX.W, 66 50 pushes 2. */
	const uint8_t p1[] = { 0x66, 0x48, 0x68, 0xf0, 0xff, 0xff, 0xff };
	ck_assert_int_eq(decode_insn(t, p1, sizeof(p1), 0, &in), 7);
	ck_assert_int_eq(in.osize, 8);
	ck_assert_uint_eq(in.imm, ~0xfULL);
	const uint8_t p2[] = { 0x66, 0x48, 0x50 };
	ck_assert_int_eq(decode_insn(t, p2, sizeof(p2), 0, &in), 3);
	ck_assert_int_eq(in.osize, 8);
	const uint8_t p3[] = { 0x66, 0x48, 0xff, 0x30 };
	ck_assert_int_eq(decode_insn(t, p3, sizeof(p3), 0, &in), 4);
	ck_assert_int_eq(in.osize, 8);
	const uint8_t p4[] = { 0x66, 0x50 };
	ck_assert_int_eq(decode_insn(t, p4, sizeof(p4), 0, &in), 2);
	ck_assert_int_eq(in.osize, 2);
	/* AMD SSE4a extrq xmm0, 1, 2 and insertq xmm0, xmm1, 1, 2 carry two
	 * imm8; the memory forms (vmread's encoding) carry none. */
	const uint8_t s1[] = { 0x66, 0x0f, 0x78, 0xc0, 0x01, 0x02 };
	ck_assert_int_eq(decode_insn(t, s1, sizeof(s1), 0, &in), 6);
	ck_assert_uint_eq(in.imm, 0x0201);
	const uint8_t s2[] = { 0xf2, 0x0f, 0x78, 0xc1, 0x01, 0x02 };
	ck_assert_int_eq(decode_insn(t, s2, sizeof(s2), 0, &in), 6);
	const uint8_t s3[] = { 0x66, 0x0f, 0x78, 0x00 };
	ck_assert_int_eq(decode_insn(t, s3, sizeof(s3), 0, &in), 4);
}
END_TEST

static Suite *decode_suite(void)
{
	Suite *s = suite_create("decode");
	TCase *tc = tcase_create("capstone");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_corpus);
	tcase_add_test(tc, test_random_streams);
	tcase_add_test(tc, test_random_prefixed_streams);
	tcase_add_test(tc, test_operand_fields);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(decode_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
