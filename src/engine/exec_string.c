/*
 * exec_string.c - string instructions: movs, cmps, stos, lods, scas (A4-A7,
 * AA-AF) with rep/repe/repne, every operand size, both directions, and the
 * 67 address-size prefix; ins/outs (6C-6F) are privileged (#GP).
 *
 * Semantics (SDM, "REP/REPE/REPZ/REPNE/REPNZ"):
 *   - The source is [seg:rSI] (fs/gs override allowed), the destination
 *     [rDI] (es, base 0, no override).  With 67 the registers are esi,
 *     edi, ecx and their updates zero-extend into the 64-bit registers.
 *   - F2 on movs/stos/lods repeats like F3 (as hardware does); on
 *     cmps/scas F3 is repe and F2 repne, the later prefix winning.
 *   - A repeated instruction runs its whole loop in one handler call,
 *     committing rCX/rSI/rDI (and flags, for cmps/scas) after every
 *     iteration, so a fault leaves them at the faulting iteration exactly as
 *     hardware does, and restarting the instruction continues the loop.
 *
 * Instruction count: every iteration is one retired instruction, and a rep
 * with rCX = 0 counts one.  The run loop counts one for the handler; this
 * file adds the rest as iterations complete (icount goes up by one per
 * completed iteration and down by one at the normal end), so a fault after
 * k completed iterations has counted exactly k.
 *
 * A repeated instruction never runs past c->icount_limit: it stops before
 * the iteration that would reach it, with rip back on itself and the
 * registers as they stand, and resumes from there like hardware after an
 * interrupt.  So an icount names every iteration boundary exactly.
 *
 * Fast paths: rep movs and rep stos with DF = 0 and 64-bit addressing copy
 * or fill in chunks that never cross a page boundary of the source or the
 * destination.  Before each chunk the first source byte is read and the
 * first destination byte probed for writing through the normal guest
 * access path, so the chunk itself cannot fault and a fault is reported at
 * the exact iteration and address.  Overlapping forward moves are chunked
 * to the distance between the pointers, which reproduces the byte-wise
 * pattern replication of real rep movs.
 */
#include <signal.h>
#include <stdint.h>
#include <string.h>

#include "engine/alu.h"
#include "engine/engine.h"
#include "engine/fault.h"
#include "engine/insn.h"
#include "engine/operand.h"

enum { S_MOVS, S_CMPS, S_STOS, S_LODS, S_SCAS };

static inline uint64_t seg_base(const struct cpu *c, const struct insn *i)
{
	if (i->seg == SEG_FS)
		return c->fs_base;
	if (i->seg == SEG_GS)
		return c->gs_base;
	return 0;
}

static inline uint64_t areg(const struct cpu *c, const struct insn *i, int r)
{
	return i->asize == 4 ? (uint32_t)c->gpr[r] : c->gpr[r];
}

static inline void areg_set(struct cpu *c, const struct insn *i, int r,
			    uint64_t v)
{
	c->gpr[r] = i->asize == 4 ? (uint32_t)v : v;
}

static inline int64_t step(const struct cpu *c, int n)
{
	return (c->rflags & FL_DF) ? -n : n;
}

/* One iteration of kind k with element size n; commits its registers.
 * Every load and store happens before any commit. */
static inline void string_once(struct cpu *c, const struct insn *i, int k,
			       int n)
{
	int64_t d = step(c, n);
	switch (k) {
	case S_MOVS: {
		uint64_t s = seg_base(c, i) + areg(c, i, R_RSI);
		uint64_t v = mem_read_n(c, s, n);
		mem_write_n(c, areg(c, i, R_RDI), n, v);
		areg_set(c, i, R_RSI, c->gpr[R_RSI] + (uint64_t)d);
		areg_set(c, i, R_RDI, c->gpr[R_RDI] + (uint64_t)d);
		break;
	}
	case S_CMPS: {
		uint64_t s = seg_base(c, i) + areg(c, i, R_RSI);
		uint64_t a = mem_read_n(c, s, n);
		uint64_t b = mem_read_n(c, areg(c, i, R_RDI), n);
		uint64_t f = c->rflags;
		alu_sub_n(a, b, n, &f);
		areg_set(c, i, R_RSI, c->gpr[R_RSI] + (uint64_t)d);
		areg_set(c, i, R_RDI, c->gpr[R_RDI] + (uint64_t)d);
		c->rflags = f;
		break;
	}
	case S_STOS:
		mem_write_n(c, areg(c, i, R_RDI), n, c->gpr[R_RAX]);
		areg_set(c, i, R_RDI, c->gpr[R_RDI] + (uint64_t)d);
		break;
	case S_LODS: {
		uint64_t s = seg_base(c, i) + areg(c, i, R_RSI);
		uint64_t v = mem_read_n(c, s, n);
		reg_write(c, R_RAX, n, v, 0);
		areg_set(c, i, R_RSI, c->gpr[R_RSI] + (uint64_t)d);
		break;
	}
	default: {
		uint64_t b = mem_read_n(c, areg(c, i, R_RDI), n);
		uint64_t f = c->rflags;
		alu_sub_n(c->gpr[R_RAX], b, n, &f);
		areg_set(c, i, R_RDI, c->gpr[R_RDI] + (uint64_t)d);
		c->rflags = f;
		break;
	}
	}
}

static inline uint64_t page_room(uint64_t a)
{
	return GUEST_PAGE_SIZE - (a & (GUEST_PAGE_SIZE - 1));
}

/* rep movs, DF = 0, 64-bit addressing: returns iterations done, at most
 * budget. */
static uint64_t rep_movs_fast(struct cpu *c, const struct insn *i, int n,
			      uint64_t budget)
{
	uint64_t base = seg_base(c, i), cnt = c->gpr[R_RCX], done = 0;
	while (cnt && done < budget) {
		uint64_t s = base + c->gpr[R_RSI], d = c->gpr[R_RDI];
		uint64_t room = page_room(s) < page_room(d) ? page_room(s)
							   : page_room(d);
		uint64_t k = room / (uint64_t)n;
		if (k > cnt)
			k = cnt;
		if (k > budget - done)
			k = budget - done;
		if (d > s && d - s < k * (uint64_t)n)
			k = (d - s) / (uint64_t)n;
		if (k < 2 || s >= GUEST_LIMIT || d >= GUEST_LIMIT) {
			string_once(c, i, S_MOVS, n);
			k = 1;
		} else {
			(void)mem_read8(c, s);
			mem_probe_write(c, d, 1);
			uint64_t bytes = k * (uint64_t)n;
			/* d < s or no overlap: memmove equals a forward
			 * element-by-element copy. */
			memmove(c->mem_base + d, c->mem_base + s, bytes);
			c->gpr[R_RSI] += bytes;
			c->gpr[R_RDI] += bytes;
		}
		cnt -= k;
		c->gpr[R_RCX] = cnt;
		c->icount += k;
		done += k;
	}
	return done;
}

/* rep stos, DF = 0, 64-bit addressing: returns iterations done, at most
 * budget. */
static uint64_t rep_stos_fast(struct cpu *c, const struct insn *i, int n,
			      uint64_t budget)
{
	uint64_t cnt = c->gpr[R_RCX], done = 0, v = c->gpr[R_RAX];
	uint8_t pat[8];
	memcpy(pat, &v, 8);
	int uniform = 1;
	for (int b = 1; b < n; b++)
		uniform &= pat[b] == pat[0];
	while (cnt && done < budget) {
		uint64_t d = c->gpr[R_RDI];
		uint64_t k = page_room(d) / (uint64_t)n;
		if (k > cnt)
			k = cnt;
		if (k > budget - done)
			k = budget - done;
		if (k < 2 || d >= GUEST_LIMIT) {
			string_once(c, i, S_STOS, n);
			k = 1;
		} else {
			mem_probe_write(c, d, 1);
			uint8_t *p = c->mem_base + d;
			uint64_t bytes = k * (uint64_t)n;
			if (uniform) {
				memset(p, pat[0], bytes);
			} else {
				for (uint64_t off = 0; off < bytes; off += n)
					memcpy(p + off, pat, n);
			}
			c->gpr[R_RDI] += bytes;
		}
		cnt -= k;
		c->gpr[R_RCX] = cnt;
		c->icount += k;
		done += k;
	}
	return done;
}

/* The general repeated loop.  mode: 0 rep, 1 repe, 2 repne.  Stops
 * before an iteration that would reach c->icount_limit (which a
 * watchpoint hit may lower while the loop runs), start being the icount
 * of the first iteration.  *ended: the instruction is complete. */
static uint64_t rep_loop(struct cpu *c, const struct insn *i, int k, int n,
			 int mode, uint64_t start, int *ended)
{
	uint64_t cnt = areg(c, i, R_RCX), done = 0;
	*ended = 1;
	while (cnt) {
		if (start + done >= c->icount_limit) {
			*ended = 0;
			break;
		}
		string_once(c, i, k, n);
		cnt--;
		areg_set(c, i, R_RCX, cnt);
		c->icount++;
		done++;
		if (mode == 1 && !(c->rflags & FL_ZF))
			break;
		if (mode == 2 && (c->rflags & FL_ZF))
			break;
	}
	return done;
}

static void string_op(struct cpu *c, const struct insn *i, int k)
{
	if (unlikely(i->prefix & P_LOCK))
		cpu_raise_ud(c);
	int n = (i->op & 1) ? i->osize : 1;
	if (!(i->prefix & (P_REP | P_REPNE))) {
		string_once(c, i, k, n);
		return;
	}
	uint64_t done, start = engine_icount(c);
	/* The fast paths copy whole chunks past the watch filter, so they
	 * run only when nothing is watched. */
	int fast = i->asize == 8 && !(c->rflags & FL_DF) && !c->watch_hi;
	int ended = 1;
	if (k == S_MOVS && fast) {
		done = rep_movs_fast(c, i, n, c->icount_limit - start);
		ended = areg(c, i, R_RCX) == 0;
	} else if (k == S_STOS && fast) {
		done = rep_stos_fast(c, i, n, c->icount_limit - start);
		ended = areg(c, i, R_RCX) == 0;
	} else {
		int mode = 0;
		if (k == S_CMPS || k == S_SCAS)
			mode = i->pfx == PFX_F2 ? 2 : 1;
		done = rep_loop(c, i, k, n, mode, start, &ended);
	}
	/* Stopped part way by the icount limit: the instruction resumes
	 * where it stands, as after an interrupt (it ends its block, see
	 * decode.c, so nothing after it runs now). */
	if (!ended)
		c->rip = i->addr;
	/* The run loop counts this instruction once more. */
	if (done)
		c->icount--;
}

static void op_movs(struct cpu *c, const struct insn *i)
{
	string_op(c, i, S_MOVS);
}
static void op_cmps(struct cpu *c, const struct insn *i)
{
	string_op(c, i, S_CMPS);
}
static void op_stos(struct cpu *c, const struct insn *i)
{
	string_op(c, i, S_STOS);
}
static void op_lods(struct cpu *c, const struct insn *i)
{
	string_op(c, i, S_LODS);
}
static void op_scas(struct cpu *c, const struct insn *i)
{
	string_op(c, i, S_SCAS);
}

static void op_ins_outs(struct cpu *c, const struct insn *i)
{
	cpu_raise_gp(c);
}

void exec_install_string(struct optable *t)
{
	t->map1b[0xa4] = t->map1b[0xa5] = op_movs;
	t->map1b[0xa6] = t->map1b[0xa7] = op_cmps;
	t->map1b[0xaa] = t->map1b[0xab] = op_stos;
	t->map1b[0xac] = t->map1b[0xad] = op_lods;
	t->map1b[0xae] = t->map1b[0xaf] = op_scas;
	for (int op = 0x6c; op < 0x70; op++)
		t->map1b[op] = op_ins_outs;
}
