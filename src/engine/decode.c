/*
 * decode.c - the x86-64 instruction decoder (see decode.h).
 *
 * Two small attribute tables (one-byte map and 0F map) say, per opcode,
 * whether a ModRM byte follows, which immediate follows, and whether the
 * opcode defaults to 64-bit operands or ends a block.  The 0F38 map always
 * has ModRM and no immediate; the 0F3A map always has ModRM and imm8.
 */
#include <stdbool.h>
#include <string.h>

#include "engine/decode.h"

enum {
	A_MODRM = 0x001,
	A_IB    = 0x002,	/* imm8 */
	A_IW    = 0x004,	/* imm16 */
	A_IZ    = 0x008,	/* imm16 or imm32 (sign-extended) by osize */
	A_IV    = 0x010,	/* imm16/32/64 by osize (mov r, imm) */
	A_REL8  = 0x020,
	A_REL32 = 0x040,
	A_MOFFS = 0x080,	/* 64-bit (or 32-bit with 67) absolute address */
	A_ENTER = 0x100,	/* imm16 + imm8 */
	A_D64   = 0x200,	/* operand size defaults to 64 */
	A_END   = 0x400,	/* ends a block */
	A_REG   = 0x800,	/* register in the low 3 opcode bits */
	A_INV   = 0x1000,	/* invalid in 64-bit mode */
	A_F6    = 0x2000,	/* group 3: imm only for /0 and /1 */
};

static uint16_t attr1[256], attr0f[256];
static bool attr_ready;

static void set_range(uint16_t *t, int lo, int hi, uint16_t a)
{
	for (int i = lo; i <= hi; i++)
		t[i] |= a;
}

static void attr_init(void)
{
	uint16_t *t = attr1;
	/* ALU block 00-3F: x0-x3 modrm, x4 ib, x5 iz. */
	for (int base = 0; base < 0x40; base += 8) {
		set_range(t, base, base + 3, A_MODRM);
		t[base + 4] |= A_IB;
		t[base + 5] |= A_IZ;
	}
	t[0x06] = t[0x07] = t[0x0e] = t[0x16] = t[0x17] = t[0x1e] = t[0x1f] = A_INV;
	t[0x27] = t[0x2f] = t[0x37] = t[0x3f] = A_INV;
	set_range(t, 0x50, 0x5f, A_REG | A_D64);
	t[0x60] = t[0x61] = t[0x62] = A_INV;
	t[0x63] = A_MODRM;
	t[0x68] = A_IZ | A_D64;
	t[0x69] = A_MODRM | A_IZ;
	t[0x6a] = A_IB | A_D64;
	t[0x6b] = A_MODRM | A_IB;
	set_range(t, 0x70, 0x7f, A_REL8 | A_END);
	t[0x80] = A_MODRM | A_IB;
	t[0x81] = A_MODRM | A_IZ;
	t[0x82] = A_INV;
	t[0x83] = A_MODRM | A_IB;
	set_range(t, 0x84, 0x8e, A_MODRM);
	t[0x8f] = A_MODRM | A_D64;
	set_range(t, 0x90, 0x97, A_REG);
	t[0x9a] = A_INV;
	t[0x9c] = t[0x9d] = A_D64;
	set_range(t, 0xa0, 0xa3, A_MOFFS);
	t[0xa8] = A_IB;
	t[0xa9] = A_IZ;
	set_range(t, 0xb0, 0xb7, A_REG | A_IB);
	set_range(t, 0xb8, 0xbf, A_REG | A_IV);
	t[0xc0] = t[0xc1] = A_MODRM | A_IB;
	t[0xc2] = A_IW | A_D64 | A_END;
	t[0xc3] = A_D64 | A_END;
	t[0xc6] = A_MODRM | A_IB;
	t[0xc7] = A_MODRM | A_IZ;
	t[0xc8] = A_ENTER | A_D64;
	t[0xc9] = A_D64;
	t[0xca] = A_IW | A_END;
	t[0xcb] = t[0xcc] = t[0xcf] = A_END;
	t[0xcd] = A_IB | A_END;
	t[0xce] = A_INV;
	set_range(t, 0xd0, 0xd3, A_MODRM);
	t[0xd4] = t[0xd5] = t[0xd6] = A_INV;
	set_range(t, 0xd8, 0xdf, A_MODRM);
	set_range(t, 0xe0, 0xe3, A_REL8 | A_END | A_D64);
	set_range(t, 0xe4, 0xe7, A_IB);
	t[0xe8] = t[0xe9] = A_REL32 | A_END | A_D64;
	t[0xea] = A_INV;
	t[0xeb] = A_REL8 | A_END | A_D64;
	t[0xf1] = t[0xf4] = A_END;
	t[0xf6] = A_MODRM | A_IB | A_F6;
	t[0xf7] = A_MODRM | A_IZ | A_F6;
	t[0xfe] = t[0xff] = A_MODRM;

	t = attr0f;
	t[0x00] = t[0x01] = t[0x02] = t[0x03] = A_MODRM;
	t[0x05] = t[0x07] = t[0x0b] = A_END;
	t[0x0d] = A_MODRM;
	t[0x0f] = A_MODRM | A_IB;	/* 3DNow!: suffix byte */
	set_range(t, 0x10, 0x1f, A_MODRM);
	set_range(t, 0x20, 0x23, A_MODRM);
	set_range(t, 0x28, 0x2f, A_MODRM);
	t[0x34] = t[0x35] = A_END;
	set_range(t, 0x40, 0x6f, A_MODRM);
	set_range(t, 0x70, 0x73, A_MODRM | A_IB);
	set_range(t, 0x74, 0x76, A_MODRM);
	t[0x78] = t[0x79] = A_MODRM;
	set_range(t, 0x7c, 0x7f, A_MODRM);
	set_range(t, 0x80, 0x8f, A_REL32 | A_END | A_D64);
	set_range(t, 0x90, 0x9f, A_MODRM);
	t[0xa0] = t[0xa1] = t[0xa8] = t[0xa9] = A_D64;
	t[0xa3] = t[0xa5] = t[0xab] = t[0xad] = t[0xae] = t[0xaf] = A_MODRM;
	t[0xa4] = t[0xac] = A_MODRM | A_IB;
	set_range(t, 0xb0, 0xbf, A_MODRM);
	t[0xb9] |= A_END;
	t[0xba] |= A_IB;
	t[0xc0] = t[0xc1] = t[0xc3] = t[0xc7] = A_MODRM;
	t[0xc2] = t[0xc4] = t[0xc5] = t[0xc6] = A_MODRM | A_IB;
	set_range(t, 0xc8, 0xcf, A_REG);
	set_range(t, 0xd0, 0xff, A_MODRM);
	t[0xff] |= A_END;
	attr_ready = true;
}

static int64_t sext(uint64_t v, int bytes)
{
	switch (bytes) {
	case 1: return (int8_t)v;
	case 2: return (int16_t)v;
	case 4: return (int32_t)v;
	default: return (int64_t)v;
	}
}

static uint64_t read_le(const uint8_t *p, int n)
{
	uint64_t v = 0;
	for (int k = n - 1; k >= 0; k--)
		v = (v << 8) | p[k];
	return v;
}

/* Immediate bytes for opcode `op` of 0F map used by VEX/EVEX map 1. */
static int vex_map1_imm(int op)
{
	return (attr0f[op] & A_IB) ? 1 : 0;
}

int decode_insn(const struct optable *t, const uint8_t *b, size_t avail,
		uint64_t addr, struct insn *i)
{
	if (!attr_ready)
		attr_init();
	memset(i, 0, sizeof(*i));
	i->base = i->index = REG_NONE;
	i->seg = SEG_NONE;
	i->addr = addr;
	size_t lim = avail < 15 ? avail : 15;
	size_t n = 0;
	int last_rep = 0;	/* 0, 0xf2 or 0xf3: the later one wins */
	uint8_t rex = 0;

#define NEED(k) do { if (n + (k) > lim) goto need_more; } while (0)

	/* Legacy prefixes, then an optional REX right before the opcode. */
	for (;;) {
		NEED(1);
		uint8_t p = b[n];
		switch (p) {
		case 0xf0: i->prefix |= P_LOCK; break;
		case 0xf2: i->prefix |= P_REPNE; last_rep = 0xf2; break;
		case 0xf3: i->prefix |= P_REP; last_rep = 0xf3; break;
		case 0x66: i->prefix |= P_OSIZE; break;
		case 0x67: i->prefix |= P_ASIZE; break;
		case 0x64: i->seg = SEG_FS; break;
		case 0x65: i->seg = SEG_GS; break;
		case 0x26: case 0x2e: case 0x36: case 0x3e:
			/* Null segments in 64-bit mode (also branch hints);
			 * they cancel an earlier fs/gs override. */
			i->seg = SEG_NONE;
			break;
		default:
			if ((p & 0xf0) == 0x40) {
				rex = p;
				n++;
				NEED(1);
				uint8_t q = b[n];
				if (q == 0xf0 || q == 0xf2 || q == 0xf3 ||
				    q == 0x66 || q == 0x67 || q == 0x64 ||
				    q == 0x65 || q == 0x26 || q == 0x2e ||
				    q == 0x36 || q == 0x3e ||
				    (q & 0xf0) == 0x40) {
					/* A REX not right before the opcode
					 * is ignored. */
					rex = 0;
					continue;
				}
				goto opcode;
			}
			goto opcode;
		}
		n++;
	}
opcode:
	if (rex)
		i->prefix |= P_REX;
	i->rex = rex;
	int rex_w = rex & 8, rex_r = (rex & 4) << 1, rex_x = (rex & 2) << 2,
	    rex_b = (rex & 1) << 3;
	i->pfx = last_rep == 0xf3 ? PFX_F3 : last_rep == 0xf2 ? PFX_F2 :
		 (i->prefix & P_OSIZE) ? PFX_66 : PFX_NONE;
	i->asize = (i->prefix & P_ASIZE) ? 4 : 8;
	i->osize = rex_w ? 8 : (i->prefix & P_OSIZE) ? 2 : 4;

	NEED(1);
	uint8_t op = b[n++];
	uint16_t a;
	int imm_bytes = 0;
	bool vex = false, rip_relative = false, xop_imm32 = false;
	insn_fn fn = op_ud;

	if (op == 0x0f) {
		NEED(1);
		op = b[n++];
		if (op == 0x38 || op == 0x3a) {
			i->map = op == 0x38 ? MAP_0F38 : MAP_0F3A;
			NEED(1);
			op = b[n++];
			a = A_MODRM | (i->map == MAP_0F3A ? A_IB : 0);
			fn = i->map == MAP_0F38 ? t->map0f38[op][i->pfx]
						: t->map0f3a[op][i->pfx];
		} else {
			i->map = MAP_0F;
			a = attr0f[op];
			fn = t->map0f[op][i->pfx];
		}
	} else if (op == 0xc4 || op == 0xc5 || op == 0x62) {
		/* VEX / EVEX: decoded for length only; the model has no AVX. */
		int payload = op == 0xc5 ? 1 : op == 0xc4 ? 2 : 3;
		NEED(payload);
		int map = op == 0xc5 ? 1 : op == 0xc4 ? (b[n] & 0x1f) : (b[n] & 7);
		n += payload;
		NEED(1);
		op = b[n++];
		vex = true;
		i->map = MAP_VEX_EVEX;
		a = A_MODRM;
		if (map == 3)
			a |= A_IB;
		else if (map == 1 && vex_map1_imm(op))
			a |= A_IB;
		if (map == 1 && op == 0x77 && payload != 3)
			a = 0;	/* vzeroupper/vzeroall */
		fn = op_ud;
	} else if (op == 0x8f && n < lim && (b[n] & 0x1f) >= 8) {
		/* AMD XOP (map 8, 9 or 10): length only, raises #UD. */
		NEED(2);
		int map = b[n] & 0x1f;
		n += 2;
		NEED(1);
		op = b[n++];
		i->map = MAP_VEX_EVEX;
		a = A_MODRM | (map == 8 ? A_IB : 0);
		xop_imm32 = map == 10;
		fn = op_ud;
	} else {
		i->map = MAP_1B;
		a = attr1[op];
		fn = t->map1b[op];
	}
	i->op = op;
	if (a & A_INV)
		fn = op_ud;

	/* REX.W takes precedence over 66 (Intel SDM vol. 1, 3.6.1). */
	if ((a & A_D64) && i->osize == 4)
		i->osize = 8;
	if (a & A_REG)
		i->rm = (op & 7) | rex_b;

	if (a & A_MODRM) {
		NEED(1);
		uint8_t m = b[n++];
		i->has_modrm = 1;
		i->mod = m >> 6;
		i->reg = ((m >> 3) & 7) | rex_r;
		int rm = m & 7;
		/* mov to/from control and debug registers ignore mod. */
		if (i->map == MAP_0F && op >= 0x20 && op <= 0x23)
			i->mod = 3;
		if (i->mod == 3) {
			i->rm = rm | rex_b;
		} else {
			int disp_bytes = i->mod == 1 ? 1 : i->mod == 2 ? 4 : 0;
			bool riprel = false;
			if (rm == 4) {
				NEED(1);
				uint8_t sib = b[n++];
				int idx = ((sib >> 3) & 7) | rex_x;
				int base = sib & 7;
				i->scale = sib >> 6;
				if (idx != 4)
					i->index = idx;
				if (base == 5 && i->mod == 0)
					disp_bytes = 4;
				else
					i->base = base | rex_b;
			} else if (rm == 5 && i->mod == 0) {
				riprel = true;
				disp_bytes = 4;
			} else {
				i->base = rm | rex_b;
			}
			NEED(disp_bytes);
			i->disp = sext(read_le(b + n, disp_bytes), disp_bytes);
			n += disp_bytes;
			rip_relative = riprel;
		}
		/* FF /2 /4 (near call/jmp) are 64-bit only; /6 (push)
		 * defaults to 64; /2-/5 end a block. */
		if (i->map == MAP_1B && op == 0xff) {
			int r = i->reg & 7;
			if (r == 2 || r == 4)
				i->osize = 8;
			else if (r == 6 && i->osize == 4)
				i->osize = 8;
			if (r >= 2 && r <= 5)
				i->flags |= INSN_END_BLOCK;
		}
	}

	if (a & A_F6)
		imm_bytes = ((i->reg & 7) < 2) ? ((a & A_IB) ? 1 :
			    (i->osize == 2 ? 2 : 4)) : 0;
	else if (a & A_IB)
		imm_bytes = 1;
	else if (a & A_IW)
		imm_bytes = 2;
	else if (a & A_IZ)
		imm_bytes = i->osize == 2 ? 2 : 4;
	else if (a & A_IV)
		imm_bytes = i->osize;
	else if (a & A_REL8)
		imm_bytes = 1;
	else if (a & A_REL32)
		imm_bytes = 4;
	else if (a & A_MOFFS)
		imm_bytes = i->asize;
	else if (a & A_ENTER)
		imm_bytes = 3;
	if (xop_imm32)
		imm_bytes = 4;
	/* AMD SSE4a extrq/insertq (66/F2 0F 78, register forms): two
	 * imm8 (#UD here). */
	if (i->map == MAP_0F && op == 0x78 && i->mod == 3 &&
	    (i->pfx == PFX_66 || i->pfx == PFX_F2))
		imm_bytes = 2;
	NEED(imm_bytes);
	if (a & A_ENTER) {
		i->imm = read_le(b + n, 2);
		i->imm2 = b[n + 2];
	} else if (a & A_MOFFS) {
		i->imm = read_le(b + n, imm_bytes);
	} else if (imm_bytes) {
		i->imm = (uint64_t)sext(read_le(b + n, imm_bytes), imm_bytes);
	}
	n += imm_bytes;

	i->len = (uint8_t)n;
	i->next = addr + n;
	if (a & (A_REL8 | A_REL32))
		i->imm = i->next + i->imm;
	if (rip_relative) {
		i->disp = (int64_t)(i->next + (uint64_t)i->disp);
		if (i->asize == 4)
			i->disp = (uint32_t)i->disp;
	}
	if (a & A_END)
		i->flags |= INSN_END_BLOCK;
	/* A repeated string instruction may stop part way (icount limit,
	 * watchpoint) with rip back on itself, so nothing may follow it in
	 * its block. */
	if (i->map == MAP_1B && i->op >= 0xa4 && i->op <= 0xaf &&
	    i->op != 0xa8 && i->op != 0xa9 &&
	    (i->prefix & (P_REP | P_REPNE)))
		i->flags |= INSN_END_BLOCK;
	(void)vex;
	i->fn = fn;
	if (fn == op_ud)
		i->flags |= INSN_END_BLOCK;
	return (int)n;

need_more:
	return avail >= 15 ? DECODE_TOO_LONG : DECODE_NEED_MORE;
#undef NEED
}
