/*
 * insn.h - the decoded form of one guest instruction, and the dispatch table.
 *
 * The decoder (decode.c) turns bytes into a struct insn once; the interpreter
 * caches decoded instructions per block and calls insn->fn for each.  A
 * future JIT reads the same struct.  Handlers live in the exec_*.c files;
 * each of those owns a documented part of the opcode space and installs its
 * handlers into struct optable in exec_install_*() (called in order from
 * optable_init()).
 *
 * Handler contract (important for faults, see fault.h):
 *   - On entry c->rip already holds the address of the next instruction
 *     (i->next); branches overwrite it.
 *   - A handler performs every guest memory access that can fault BEFORE it
 *     changes any register or flag, so that a fault leaves the architectural
 *     state exactly as it was before the instruction (rep string ops commit
 *     per iteration, as hardware does).
 */
#ifndef REWIND_ENGINE_INSN_H
#define REWIND_ENGINE_INSN_H

#include <stdint.h>
#include "engine/cpu.h"

struct insn;
typedef void (*insn_fn)(struct cpu *c, const struct insn *i);

/* Opcode maps. */
enum { MAP_1B, MAP_0F, MAP_0F38, MAP_0F3A, MAP_VEX_EVEX };

/* Mandatory-prefix classes for maps 0F, 0F38, 0F3A (index into optable). */
enum { PFX_NONE, PFX_66, PFX_F3, PFX_F2 };

/* Prefix bits in insn->prefix. */
#define P_LOCK  0x01
#define P_REP   0x02	/* F3 */
#define P_REPNE 0x04	/* F2 */
#define P_OSIZE 0x08	/* 66 */
#define P_ASIZE 0x10	/* 67 */
#define P_REX   0x20	/* any REX prefix present (matters for byte regs) */

/* Register "none" for base/index. */
#define REG_NONE 0xff

struct insn {
	insn_fn fn;
	uint64_t addr;		/* address of this instruction */
	uint64_t next;		/* address of the next one (addr + len) */
	int64_t disp;		/* displacement; for rip-relative operands the
				   absolute address with base = REG_NONE */
	uint64_t imm;		/* immediate (sign-extended as the opcode says),
				   branch target for relative branches */
	uint16_t imm2;		/* second immediate (enter's imm8) */
	uint8_t len;
	uint8_t map;		/* MAP_* */
	uint8_t op;		/* opcode byte within its map */
	uint8_t prefix;		/* P_* */
	uint8_t pfx;		/* PFX_* mandatory prefix class */
	uint8_t rex;		/* the REX byte (0x40-0x4f) or 0 */
	uint8_t osize;		/* operand size in bytes: 2, 4 or 8 */
	uint8_t asize;		/* address size in bytes: 4 or 8 */
	uint8_t has_modrm;
	uint8_t mod;		/* modrm.mod (3 = register operand) */
	uint8_t reg;		/* modrm.reg with REX.R applied (0-15) */
	uint8_t rm;		/* modrm.rm with REX.B applied (0-15) when
				   mod == 3; also opcode-embedded register
				   (e.g. 50+r, B8+r) with REX.B applied */
	uint8_t base;		/* memory base register or REG_NONE */
	uint8_t index;		/* memory index register or REG_NONE */
	uint8_t scale;		/* shift count 0-3 */
	uint8_t seg;		/* SEG_FS / SEG_GS override, else SEG_NONE */
	uint8_t flags;		/* INSN_* (decoder's notes for the run loop) */
};

#define INSN_END_BLOCK 0x01	/* may change rip non-sequentially */
#define INSN_BREAK     0x04	/* a debugger breakpoint is at this address
				   (set when decoded, see debug.h) */
#define INSN_NOFLAGS   0x02	/* set by the block translator: no later
				   instruction can observe the arithmetic
				   flags this one writes, so its handler may
				   leave rflags alone */

/* How an instruction uses the arithmetic flags (FL_ARITH bits), for the
 * block translator's dead-flag analysis (exec_flag_use, exec_int.c).
 * `use`: flags that must be exact when it starts (all of them when it may
 * fault, since a fault shows rflags to the guest); `def`: flags it always
 * overwrites; `nf`: flags it may write, when a handler variant without
 * flags exists (INSN_NOFLAGS may be set if none of these is live after
 * it), else 0.  Unknown instructions use all flags. */
struct flag_use {
	uint16_t use, def, nf;
};
void exec_flag_use(const struct insn *i, struct flag_use *u);

/* The dispatch table: every slot holds a handler (op_ud when undefined). */
struct optable {
	insn_fn map1b[256];
	insn_fn map0f[256][4];
	insn_fn map0f38[256][4];
	insn_fn map0f3a[256][4];
};

/* The dispatch table of CPU model `level` (enum cpu_level), built on first
 * use.  Returns NULL for an unknown level. */
const struct optable *optable_get(int level);

/* The handler for undefined or unimplemented opcodes: raises SIGILL. */
void op_ud(struct cpu *c, const struct insn *i);

/* Installers, called in this order by optable_get().  Each sets only the
 * slots its file owns (see the comment at the top of each exec_*.c). */
void exec_install_int(struct optable *t);	/* exec_int.c: integer ISA */
void exec_install_sse(struct optable *t);	/* exec_sse.c: SSE/SSE2 */
void exec_install_x87(struct optable *t);	/* exec_x87.c: x87, fxsave */
/* v2 only: */
void exec_install_sse3(struct optable *t);	/* exec_sse3.c: SSE3, SSSE3 */
void exec_install_sse4(struct optable *t);	/* exec_sse4.c: SSE4.1, SSE4.2,
						   POPCNT */

/* Fill all four prefix slots of a 0F-map opcode with one handler (for
 * integer opcodes where 66 only changes the operand size). */
static inline void optable_set_0f_all(struct optable *t, int op, insn_fn fn)
{
	for (int p = 0; p < 4; p++)
		t->map0f[op][p] = fn;
}

#endif
