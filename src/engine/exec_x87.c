/*
 * exec_x87.c - the x87 floating-point unit, fxsave/fxrstor and 0F AE.
 *
 * Owns: the one-byte opcodes D8-DF (every x87 instruction of the model),
 * 0F 77 (emms), 0F AE in all prefix classes (fxsave, fxrstor, ldmxcsr,
 * stmxcsr, clflush, lfence, mfence, sfence; everything else there is #UD),
 * and the state images declared in fpu.h.  MMX instructions (exec_sse.c)
 * share c->fpu; fwait (9B) lives in the integer map and should call
 * x87_fwait() (x87_int.h).
 *
 * How the arithmetic is done.  The host is x86-64, so its x87 unit IS the
 * guest's x87 unit: every numeric operation is executed by the same host
 * instruction, on 80-bit copies of the guest registers, with the guest's
 * control word loaded (precision, rounding and the exception masks).  The
 * host status word after the operation gives the exception flags and
 * condition codes.  The stack itself (TOP, tags, stack faults) is kept in
 * C, so the host only ever sees one to three freshly loaded values and its
 * own stack can never overflow.  Operands are loaded with fldt, which raises
 * nothing; the single operation that follows is the only host instruction
 * that can raise, and fnclex clears its pending exception before any other
 * waiting instruction runs, so unmasked guest exceptions never trap in the
 * host.  The host control word and an empty host stack are restored before
 * returning (the host program's own long double code is undisturbed).
 * Exact operations need no host: register moves, fxch, fchs/fabs, fld and
 * fstp of m80, and fld of m32/m64 (widening is exact; only DE and IE for a
 * signalling NaN need computing).
 *
 * Exceptions.  Flags accumulate in the guest FSW; ES and B are kept equal to
 * "some flag is set whose mask bit is clear".  With the exception masked
 * (Linux's default FCW 0x37f) the host already produced the masked response.
 * With it unmasked, invalid-operation, denormal and zero-divide suppress the
 * result (destination and stack unchanged), overflow and underflow store
 * the host's rebiased result to a register and nothing to memory, precision
 * stores the result - all as on hardware.  The #MF fault is deferred as on
 * hardware: the next waiting x87 instruction (and emms) that starts with ES
 * set raises SIGFPE with Linux's si_code, si_addr = that instruction.
 *
 * DETERMINISM GAPS (known, accepted for now):
 *   - fsin, fcos, fsincos, fptan, fpatan, f2xm1, fyl2x and fyl2xp1 run on
 *     the host and may differ in the last bit (and in C1) between Intel and
 *     AMD microarchitectures.  A trace recorded on one vendor and replayed on
 *     the other can diverge if the program uses them (libm's long double
 *     functions do: sinl, cosl, tanl, atan2l, expl, logl, powl ...).  The
 *     fix is software implementations with fixed results; not done yet.
 *   - fbld of a packed-BCD value with invalid digits (>9) is undefined
 *     on hardware and gives whatever the host gives.
 *   - fprem/fprem1 with exponent difference > 63 reduce by an
 *     implementation-defined amount per step (the final remainder after the
 *     usual loop is exact and identical everywhere).
 *   Everything else is fully defined by IEEE 754 / the x87 spec and so the
 *   same on every host; condition codes the SDM calls "undefined" keep their
 *   previous guest value instead of taking the host's.
 *
 * Model choices (documented, deterministic):
 *   - FIP/FDP/FOP are updated by every non-control instruction (FDP only by
 *     those with a memory operand), and saved always - not only with an
 *     exception pending (no AMD-style zeroing, no Intel FOP deprecation).
 *     FCS and FDS are stored as 0 (as Intel's "FCS/FDS deprecated").
 *   - FOP's modrm byte is rebuilt from the decoded form; a [disp32]
 *     absolute operand encoded through a SIB byte is recorded as rm=5.
 *   - MXCSR_MASK is 0xffff: DAZ is supported; bits 16-31 are reserved.
 *   - FCW reads back as (value & 0x1f3f) | 0x40, like the hardware.
 *   - fisttp (SSE3) exists from x86-64-v2 on (c->level) and is #UD below;
 *     xsave/xrstor and rdfsbase & co. are not in the model.
 *   - The undocumented aliases real CPUs execute are implemented: fcom2
 *     (DC D0+i), fcomp3 (DC D8+i), fcomp5 (DE D0+i), fxch4 (DD C8+i), fxch7
 *     (DF C8+i), fstp1 (D9 D8+i), fstp8/fstp9 (DF D0+i, DF D8+i), ffreep
 *     (DF C0+i); fneni, fndisi, fnsetpm (DB E0, E1, E4) are no-ops.
 */
#include <signal.h>
#include <stdint.h>
#include <string.h>

#include "engine/cpu.h"
#include "engine/fault.h"
#include "engine/fpu.h"
#include "engine/insn.h"
#include "engine/operand.h"
#include "engine/x87_int.h"

/* FSW bits. */
#define FSW_IE  0x0001
#define FSW_DE  0x0002
#define FSW_ZE  0x0004
#define FSW_OE  0x0008
#define FSW_UE  0x0010
#define FSW_PE  0x0020
#define FSW_SF  0x0040
#define FSW_ES  0x0080
#define FSW_C0  0x0100
#define FSW_C1  0x0200
#define FSW_C2  0x0400
#define FSW_TOP 0x3800
#define FSW_C3  0x4000
#define FSW_B   0x8000
#define FSW_CC  (FSW_C0 | FSW_C1 | FSW_C2 | FSW_C3)
#define FSW_EXC 0x003f

/* FCW bits. */
#define FCW_IM  0x0001
#define FCW_INIT 0x037f

/* Two-bit tags. */
enum { TAG_VALID, TAG_ZERO, TAG_SPECIAL, TAG_EMPTY };

#define MXCSR_MASK 0x0000ffffu

/* Unmasked exceptions that suppress a register result / a memory result. */
#define ABORT_REG (FSW_IE | FSW_DE | FSW_ZE)
#define ABORT_MEM (FSW_IE | FSW_DE | FSW_ZE | FSW_OE | FSW_UE)

/* ------------------------------------------------------------------------ */
/* Host execution                                                           */
/* ------------------------------------------------------------------------ */

/* One operation on the host FPU.  in[0] is loaded last (so it is ST0),
 * in[1] before it (ST1).  out[0] and out[1] are ST0 and ST1 afterwards. */
struct hostx {
	long double in[2];
	long double out[2];
	union {
		uint8_t b[16];
		uint16_t w;
		uint32_t d;
		uint64_t q;
	} m;			/* memory operand image, guest format */
	uint16_t fcw;		/* guest control word to run with */
	uint16_t sw;		/* host status word right after the op */
	uint8_t cf, zf, pf;	/* host rflags right after the op */
};

typedef void (*hx_fn)(struct hostx *h);

static const uint16_t hx_cw_masked = FCW_INIT;

#define HX_LOAD_0 ""
#define HX_LOAD_1 "fldt %[i0]\n\t"
#define HX_LOAD_2 "fldt %[i1]\n\tfldt %[i0]\n\t"

/*
 * Two variants.  When the guest's FCW equals the host's and masks every
 * exception (the usual 0x37f), nothing can trap and no FCW needs loading
 * (fldcw is slow): clear the host's sticky flags, load, operate, read the
 * status and rflags, store ST0/ST1 (stores of empty registers just write
 * the indefinite) and empty the stack with emms.
 *
 * Otherwise: fnclex before loading the guest FCW, so the host's own
 * sticky flags cannot become pending once the guest unmasks them; after
 * the operation read the status, clear whatever is pending, go back to a
 * fully masked FCW, store ST0/ST1, empty the stack and restore the host's
 * FCW.
 */
#define HX_OPERANDS									: [saved] "+m"(saved), [sw] "=m"(h->sw),				  [o0] "=m"(h->out[0]), [o1] "=m"(h->out[1]),				  [m] "+m"(h->m), [cf] "=m"(h->cf), [zf] "=m"(h->zf),			  [pf] "=m"(h->pf)							: [fcw] "m"(h->fcw), [masked] "m"(hx_cw_masked),			  [i0] "m"(h->in[0]), [i1] "m"(h->in[1])				: "cc", "st", "st(1)", "st(2)", "st(3)", "st(4)",			  "st(5)", "st(6)", "st(7)", "mm0", "mm1", "mm2", "mm3",			  "mm4", "mm5", "mm6", "mm7"

#define HX_FN(name, nload, text)					static __attribute__((noinline)) void name(struct hostx *h)		{										uint16_t saved;								__asm__ volatile("fnstcw %0" : "=m"(saved));				if (likely(h->fcw == saved && (saved & FSW_EXC) == FSW_EXC)) {			__asm__ volatile(								"fnclex\n\t"								HX_LOAD_##nload								text "\n\t"								"fnstsw %[sw]\n\t"							"setc %[cf]\n\t"							"setz %[zf]\n\t"							"setp %[pf]\n\t"							"fstpt %[o0]\n\t"							"fstpt %[o1]\n\t"							"emms"									HX_OPERANDS);							return;								}									__asm__ volatile(								"fnclex\n\t"								"fldcw %[fcw]\n\t"							HX_LOAD_##nload								text "\n\t"								"fnstsw %[sw]\n\t"							"setc %[cf]\n\t"							"setz %[zf]\n\t"							"setp %[pf]\n\t"							"fnclex\n\t"								"fldcw %[masked]\n\t"							"fstpt %[o0]\n\t"							"fstpt %[o1]\n\t"							"fninit\n\t"								"fldcw %[saved]"							HX_OPERANDS);						}

/* Register forms, ST0 op ST1, written as bytes to avoid the AT&T
 * fsub/fsubr operand-order confusion.  Index = D8 /digit semantics:
 * 0 add, 1 mul, 2 com, 3 com, 4 sub (a-b), 5 subr (b-a), 6 div, 7 divr. */
HX_FN(hx_r_add,  2, ".byte 0xd8, 0xc1")
HX_FN(hx_r_mul,  2, ".byte 0xd8, 0xc9")
HX_FN(hx_r_com,  2, ".byte 0xd8, 0xd1")
HX_FN(hx_r_sub,  2, ".byte 0xd8, 0xe1")
HX_FN(hx_r_subr, 2, ".byte 0xd8, 0xe9")
HX_FN(hx_r_div,  2, ".byte 0xd8, 0xf1")
HX_FN(hx_r_divr, 2, ".byte 0xd8, 0xf9")
HX_FN(hx_r_ucom, 2, ".byte 0xdd, 0xe1")	/* fucom st(1) */
HX_FN(hx_r_comi, 2, ".byte 0xdb, 0xf1")	/* fcomi st, st(1) */
HX_FN(hx_r_ucomi, 2, ".byte 0xdb, 0xe9")	/* fucomi st, st(1) */

static const hx_fn hx_reg_arith[8] = {
	hx_r_add, hx_r_mul, hx_r_com, hx_r_com,
	hx_r_sub, hx_r_subr, hx_r_div, hx_r_divr,
};

/* Memory forms, ST0 op m. */
#define HX_MEM_SET(p, sfx)						\
	HX_FN(hx_##p##_add,  1, "fadd" sfx " %[m]")			\
	HX_FN(hx_##p##_mul,  1, "fmul" sfx " %[m]")			\
	HX_FN(hx_##p##_com,  1, "fcom" sfx " %[m]")			\
	HX_FN(hx_##p##_sub,  1, "fsub" sfx " %[m]")			\
	HX_FN(hx_##p##_subr, 1, "fsubr" sfx " %[m]")			\
	HX_FN(hx_##p##_div,  1, "fdiv" sfx " %[m]")			\
	HX_FN(hx_##p##_divr, 1, "fdivr" sfx " %[m]")
#define HX_IMEM_SET(p, sfx)						\
	HX_FN(hx_##p##_add,  1, "fiadd" sfx " %[m]")			\
	HX_FN(hx_##p##_mul,  1, "fimul" sfx " %[m]")			\
	HX_FN(hx_##p##_com,  1, "ficom" sfx " %[m]")			\
	HX_FN(hx_##p##_sub,  1, "fisub" sfx " %[m]")			\
	HX_FN(hx_##p##_subr, 1, "fisubr" sfx " %[m]")			\
	HX_FN(hx_##p##_div,  1, "fidiv" sfx " %[m]")			\
	HX_FN(hx_##p##_divr, 1, "fidivr" sfx " %[m]")
HX_MEM_SET(f32, "s")
HX_MEM_SET(f64, "l")
HX_IMEM_SET(i32, "l")
HX_IMEM_SET(i16, "s")

#define HX_MEM_ROW(p) { hx_##p##_add, hx_##p##_mul, hx_##p##_com,	\
	hx_##p##_com, hx_##p##_sub, hx_##p##_subr, hx_##p##_div,	\
	hx_##p##_divr }

/* Memory operand formats of the arithmetic groups. */
enum { MF_F32, MF_F64, MF_I32, MF_I16 };
static const int mf_size[4] = { 4, 8, 4, 2 };
static const hx_fn hx_mem_arith[4][8] = {
	HX_MEM_ROW(f32), HX_MEM_ROW(f64), HX_MEM_ROW(i32), HX_MEM_ROW(i16),
};

/* Loads: the result is out[0]. */
HX_FN(hx_ld_i16, 0, "filds %[m]")
HX_FN(hx_ld_i32, 0, "fildl %[m]")
HX_FN(hx_ld_i64, 0, "fildll %[m]")
HX_FN(hx_ld_bcd, 0, "fbld %[m]")

/* Constants, D9 E8-EE. */
HX_FN(hx_fld1,   0, "fld1")
HX_FN(hx_fldl2t, 0, "fldl2t")
HX_FN(hx_fldl2e, 0, "fldl2e")
HX_FN(hx_fldpi,  0, "fldpi")
HX_FN(hx_fldlg2, 0, "fldlg2")
HX_FN(hx_fldln2, 0, "fldln2")
HX_FN(hx_fldz,   0, "fldz")
static const hx_fn hx_const[7] = {
	hx_fld1, hx_fldl2t, hx_fldl2e, hx_fldpi, hx_fldlg2, hx_fldln2, hx_fldz,
};

/* Stores of ST0 into m. */
HX_FN(hx_st_f32, 1, "fsts %[m]")
HX_FN(hx_st_f64, 1, "fstl %[m]")
HX_FN(hx_st_i16, 1, "fists %[m]")
HX_FN(hx_st_i32, 1, "fistl %[m]")
HX_FN(hx_st_i64, 1, "fistpll %[m]")
HX_FN(hx_st_bcd, 1, "fbstp %[m]")
/* fisttp (SSE3): truncating stores whatever the rounding control says. */
HX_FN(hx_stt_i16, 1, "fisttps %[m]")
HX_FN(hx_stt_i32, 1, "fisttpl %[m]")
HX_FN(hx_stt_i64, 1, "fisttpll %[m]")

/* One-operand operations on ST0. */
HX_FN(hx_fsqrt,   1, "fsqrt")
HX_FN(hx_frndint, 1, "frndint")
HX_FN(hx_f2xm1,   1, "f2xm1")
HX_FN(hx_fsin,    1, "fsin")
HX_FN(hx_fcos,    1, "fcos")
HX_FN(hx_ftst,    1, "ftst")
HX_FN(hx_fxam,    1, "fxam")
HX_FN(hx_fptan,   1, "fptan")
HX_FN(hx_fsincos, 1, "fsincos")
HX_FN(hx_fxtract, 1, "fxtract")

/* Two-operand operations on ST0, ST1. */
HX_FN(hx_fprem,   2, "fprem")
HX_FN(hx_fprem1,  2, "fprem1")
HX_FN(hx_fscale,  2, "fscale")
HX_FN(hx_fpatan,  2, "fpatan")
HX_FN(hx_fyl2x,   2, "fyl2x")
HX_FN(hx_fyl2xp1, 2, "fyl2xp1")

/* ------------------------------------------------------------------------ */
/* Registers, tags and the stack                                            */
/* ------------------------------------------------------------------------ */

static const struct fpreg fp_indefinite = {
	.mant = 0xc000000000000000ull, .sexp = 0xffff,
};

static inline long double fp_get(const struct fpreg *r)
{
	long double v = 0;
	memcpy(&v, r, 10);
	return v;
}

static inline void fp_put(struct fpreg *r, long double v)
{
	memcpy(r, &v, 10);
}

/* The tag hardware computes from a register's contents. */
static int fp_tag_of(const struct fpreg *r)
{
	unsigned e = r->sexp & 0x7fff;
	if (e == 0x7fff)
		return TAG_SPECIAL;
	if (e == 0)
		return r->mant ? TAG_SPECIAL : TAG_ZERO;
	return (r->mant >> 63) ? TAG_VALID : TAG_SPECIAL;
}

static int fp_is_nan(const long double *v)
{
	struct fpreg r;
	memcpy(&r, v, 10);
	return (r.sexp & 0x7fff) == 0x7fff && (r.mant << 1) != 0;
}

static inline int st_phys(const struct cpu *c, int i)
{
	return (c->fpu.top + i) & 7;
}

static inline int tag_get(const struct cpu *c, int phys)
{
	return (c->fpu.ftw >> (2 * phys)) & 3;
}

static inline void tag_set(struct cpu *c, int phys, int tag)
{
	c->fpu.ftw = (uint16_t)((c->fpu.ftw & ~(3u << (2 * phys))) |
				((unsigned)tag << (2 * phys)));
}

static inline int st_empty(const struct cpu *c, int i)
{
	return tag_get(c, st_phys(c, i)) == TAG_EMPTY;
}

static inline long double st_get(const struct cpu *c, int i)
{
	return fp_get(&c->fpu.fpr[st_phys(c, i)]);
}

static void st_set_reg(struct cpu *c, int i, const struct fpreg *v)
{
	int p = st_phys(c, i);
	c->fpu.fpr[p].mant = v->mant;
	c->fpu.fpr[p].sexp = v->sexp;
	tag_set(c, p, fp_tag_of(v));
}

static void st_set(struct cpu *c, int i, long double v)
{
	int p = st_phys(c, i);
	fp_put(&c->fpu.fpr[p], v);
	tag_set(c, p, fp_tag_of(&c->fpu.fpr[p]));
}

static void st_set_indefinite(struct cpu *c, int i)
{
	st_set_reg(c, i, &fp_indefinite);
}

static void st_push(struct cpu *c, long double v)
{
	c->fpu.top = (c->fpu.top - 1) & 7;
	st_set(c, 0, v);
}

static void st_push_indefinite(struct cpu *c)
{
	c->fpu.top = (c->fpu.top - 1) & 7;
	st_set_indefinite(c, 0);
}

static void st_pop(struct cpu *c)
{
	tag_set(c, st_phys(c, 0), TAG_EMPTY);
	c->fpu.top = (c->fpu.top + 1) & 7;
}

/* The full tag word with every non-empty tag recomputed from the contents
 * (what fnstenv/fnsave store; MMX may have left stale "valid" tags). */
static uint16_t ftw_full(const struct cpu *c)
{
	uint16_t t = 0;
	for (int p = 0; p < 8; p++) {
		int tag = tag_get(c, p);
		if (tag != TAG_EMPTY)
			tag = fp_tag_of(&c->fpu.fpr[p]);
		t |= (uint16_t)(tag << (2 * p));
	}
	return t;
}

/* Tags after a load of the tag word: empty stays empty, anything else is
 * recomputed from the registers, as the hardware only keeps the empty bit. */
static void ftw_load(struct cpu *c, uint16_t empty_mask8)
{
	uint16_t t = 0;
	for (int p = 0; p < 8; p++) {
		int tag = (empty_mask8 >> p) & 1 ? TAG_EMPTY :
			  fp_tag_of(&c->fpu.fpr[p]);
		t |= (uint16_t)(tag << (2 * p));
	}
	c->fpu.ftw = t;
}

/* ------------------------------------------------------------------------ */
/* Status word                                                              */
/* ------------------------------------------------------------------------ */

static inline uint16_t fcw_normalize(uint16_t v)
{
	return (uint16_t)((v & 0x1f3f) | 0x0040);
}

/* ES (and B, which mirrors it) summarise "a flag is set and unmasked". */
static inline void fsw_update_es(struct cpu *c)
{
	if (c->fpu.fsw & ~c->fpu.fcw & FSW_EXC)
		c->fpu.fsw |= FSW_ES | FSW_B;
	else
		c->fpu.fsw &= (uint16_t)~(FSW_ES | FSW_B);
}

static inline uint16_t fsw_read(const struct cpu *c)
{
	return (uint16_t)((c->fpu.fsw & ~FSW_TOP) | ((c->fpu.top & 7) << 11));
}

static void fsw_write(struct cpu *c, uint16_t v)
{
	c->fpu.top = (v >> 11) & 7;
	c->fpu.fsw = v & (uint16_t)~FSW_TOP;
	fsw_update_es(c);
}

/* Fold the host status of one operation into the guest FSW: exception
 * flags accumulate; the condition codes in ccmask come from the host, the
 * others keep their value (the SDM leaves them undefined; keeping them is
 * the deterministic choice).  Returns 0 when an unmasked exception in
 * abort suppresses the result; then no condition code changes either. */
static int fsw_merge(struct cpu *c, uint16_t hsw, uint16_t ccmask,
		     uint16_t abort)
{
	int ok = !(hsw & ~c->fpu.fcw & abort);
	uint16_t s = c->fpu.fsw | (hsw & FSW_EXC);
	if (ok)
		s = (uint16_t)((s & ~ccmask) | (hsw & ccmask));
	c->fpu.fsw = s;
	fsw_update_es(c);
	return ok;
}

/* Stack overflow or underflow: IE and SF, C1 says which.  Returns nonzero
 * when IE is masked and the caller must produce the masked response (the
 * indefinite), zero when the instruction must leave everything else. */
static int stack_fault(struct cpu *c, int overflow)
{
	c->fpu.fsw = (uint16_t)((c->fpu.fsw & ~FSW_C1) | FSW_IE | FSW_SF |
				(overflow ? FSW_C1 : 0));
	fsw_update_es(c);
	return c->fpu.fcw & FCW_IM;
}

/* The stack fault of an instruction that reports "incomplete" in C2
 * (fprem, fsin, fptan ...): the masked response is complete, C2 = 0. */
static int stack_fault_c2(struct cpu *c, int overflow, uint16_t ccmask)
{
	if (ccmask & FSW_C2)
		c->fpu.fsw &= (uint16_t)~FSW_C2;
	return stack_fault(c, overflow);
}

static inline void fsw_set_c1(struct cpu *c, int v)
{
	c->fpu.fsw = (uint16_t)((c->fpu.fsw & ~FSW_C1) | (v ? FSW_C1 : 0));
}

/* ------------------------------------------------------------------------ */
/* Instruction bookkeeping                                                  */
/* ------------------------------------------------------------------------ */

/* Raise the deferred #MF like Linux's math_error(): si_code from the
 * unmasked flags, si_addr the instruction that noticed.  Linux sends no
 * signal at all when no unmasked flag is set; our ES always implies one. */
static __attribute__((noreturn, cold))
void x87_raise_mf(struct cpu *c, const struct insn *i)
{
	unsigned e = c->fpu.fsw & ~c->fpu.fcw & FSW_EXC;
	int code;
	if (e & FSW_IE)
		code = FPE_FLTINV;
	else if (e & FSW_ZE)
		code = FPE_FLTDIV;
	else if (e & FSW_OE)
		code = FPE_FLTOVF;
	else if (e & (FSW_DE | FSW_UE))
		code = FPE_FLTUND;
	else
		code = FPE_FLTRES;
	cpu_raise(c, SIGFPE, code, i->addr, TRAP_MF, 0);
}

/* Every waiting instruction starts here. */
static inline void x87_wait(struct cpu *c, const struct insn *i)
{
	if (unlikely(c->fpu.fsw & FSW_ES))
		x87_raise_mf(c, i);
}

void x87_fwait(struct cpu *c, const struct insn *i)
{
	x87_wait(c, i);
}

/* The modrm byte, rebuilt from the decoded fields (see the top comment). */
static unsigned insn_modrm(const struct insn *i)
{
	unsigned rm;
	if (i->mod == 3)
		rm = i->rm & 7;
	else if (i->index != REG_NONE ||
		 (i->base != REG_NONE && (i->base & 7) == 4))
		rm = 4;
	else if (i->base == REG_NONE)
		rm = 5;
	else
		rm = i->base & 7;
	return (unsigned)(i->mod << 6) | ((i->reg & 7u) << 3) | rm;
}

/* A non-control instruction retires: remember where it was.  Called after
 * the last access that can fault. */
static void x87_note(struct cpu *c, const struct insn *i)
{
	c->fpu.fip = i->addr;
	c->fpu.fop = (uint16_t)(((i->op & 7u) << 8) | insn_modrm(i));
}

static void x87_note_mem(struct cpu *c, const struct insn *i, uint64_t ea)
{
	x87_note(c, i);
	c->fpu.fdp = ea;
}

static void mem_read_bytes(struct cpu *c, uint64_t a, void *p, unsigned n)
{
	memcpy(p, guest_ptr(c, a, n, 0), n);
}

/* A store wider than one host access must not be half done when its
 * second page faults. */
static void mem_write_bytes(struct cpu *c, uint64_t a, const void *p,
			    unsigned n)
{
	if ((a & (GUEST_PAGE_SIZE - 1)) + n > GUEST_PAGE_SIZE)
		mem_probe_write(c, a, n);
	memcpy(guest_ptr(c, a, n, 1), p, n);
}

/* ------------------------------------------------------------------------ */
/* Operation patterns                                                       */
/* ------------------------------------------------------------------------ */

/* ST(d) = fn(ST0-image in h) and pop if asked; the operands are set. */
static void arith_finish(struct cpu *c, struct hostx *h, int d, int pop)
{
	if (!fsw_merge(c, h->sw, FSW_C1, ABORT_REG))
		return;
	st_set(c, d, h->out[0]);
	if (pop)
		st_pop(c);
}

/* ST(d) = ST(d) op ST(s) (digit in D8 semantics), then pop if asked. */
static void arith_reg(struct cpu *c, int digit, int d, int s, int pop)
{
	if (st_empty(c, d) || st_empty(c, s)) {
		if (stack_fault(c, 0)) {
			st_set_indefinite(c, d);
			if (pop)
				st_pop(c);
		}
		return;
	}
	struct hostx h;
	h.fcw = c->fpu.fcw;
	h.in[0] = st_get(c, d);
	h.in[1] = st_get(c, s);
	hx_reg_arith[digit](&h);
	arith_finish(c, &h, d, pop);
}

/* Comparisons.  fn compares ST0 (h->in[0], set here) with h->in[1] or the
 * memory image; comi selects rflags (fcomi) instead of C0/C2/C3. */
static void compare(struct cpu *c, hx_fn fn, struct hostx *h, int empty,
		    int comi, int npop)
{
	if (empty) {
		if (!stack_fault(c, 0))
			return;
		if (comi)
			c->rflags = (c->rflags & ~(uint64_t)FL_ARITH) |
				    FL_ZF | FL_PF | FL_CF;
		else
			c->fpu.fsw |= FSW_C0 | FSW_C2 | FSW_C3;
	} else {
		h->fcw = c->fpu.fcw;
		h->in[0] = st_get(c, 0);
		fn(h);
		if (!fsw_merge(c, h->sw, comi ? FSW_C1 : FSW_CC, ABORT_REG))
			return;
		if (comi)
			c->rflags = (c->rflags & ~(uint64_t)FL_ARITH) |
				    (h->cf ? FL_CF : 0) | (h->zf ? FL_ZF : 0) |
				    (h->pf ? FL_PF : 0);
	}
	while (npop-- > 0)
		st_pop(c);
}

static void compare_reg(struct cpu *c, hx_fn fn, int s, int comi, int npop)
{
	struct hostx h;
	int empty = st_empty(c, 0) || st_empty(c, s);
	if (!empty)
		h.in[1] = st_get(c, s);
	compare(c, fn, &h, empty, comi, npop);
}

/* D8, DC, DA, DE with a memory operand: ST0 = ST0 op m. */
static void arith_mem(struct cpu *c, const struct insn *i, int fmt)
{
	int digit = i->reg & 7;
	uint64_t ea = insn_ea(c, i);
	struct hostx h;
	x87_wait(c, i);
	mem_read_bytes(c, ea, h.m.b, (unsigned)mf_size[fmt]);
	x87_note_mem(c, i, ea);
	hx_fn fn = hx_mem_arith[fmt][digit];
	if (digit == 2 || digit == 3) {
		compare(c, fn, &h, st_empty(c, 0), 0, digit == 3);
		return;
	}
	if (st_empty(c, 0)) {
		if (stack_fault(c, 0))
			st_set_indefinite(c, 0);
		return;
	}
	h.fcw = c->fpu.fcw;
	h.in[0] = st_get(c, 0);
	fn(&h);
	arith_finish(c, &h, 0, 0);
}

/* Push the result of a host load or constant (h->m already holds the
 * operand). */
static void load_push(struct cpu *c, hx_fn fn, struct hostx *h)
{
	if (!st_empty(c, 7)) {
		if (stack_fault(c, 1))
			st_push_indefinite(c);
		return;
	}
	h->fcw = c->fpu.fcw;
	fn(h);
	if (!fsw_merge(c, h->sw, FSW_C1, ABORT_REG))
		return;
	st_push(c, h->out[0]);
}

static void load_mem(struct cpu *c, const struct insn *i, hx_fn fn,
		     unsigned n)
{
	uint64_t ea = insn_ea(c, i);
	struct hostx h;
	x87_wait(c, i);
	mem_read_bytes(c, ea, h.m.b, n);
	x87_note_mem(c, i, ea);
	load_push(c, fn, &h);
}

/* fld m32/m64 without the host: the widening is exact, so only the flags
 * need care - DE for a denormal, IE for a signalling NaN (which loads
 * quieted). */
static void load_float(struct cpu *c, const struct insn *i, unsigned n)
{
	uint64_t ea = insn_ea(c, i);
	uint64_t v;
	x87_wait(c, i);
	if (n == 4)
		v = mem_read32(c, ea);
	else
		v = mem_read64(c, ea);
	x87_note_mem(c, i, ea);
	unsigned fbits = n == 4 ? 23 : 52, ebits = n == 4 ? 8 : 11;
	int ebias = n == 4 ? 127 : 1023;
	uint64_t frac = v & ((1ull << fbits) - 1);
	unsigned exp = (unsigned)(v >> fbits) & ((1u << ebits) - 1);
	uint16_t sign = (v >> (fbits + ebits)) & 1 ? 0x8000 : 0;
	struct fpreg r = { 0 };
	uint16_t hsw = 0;
	if (exp == (1u << ebits) - 1) {
		r.sexp = sign | 0x7fff;
		r.mant = (1ull << 63) | (frac << (63 - fbits));
		if (frac && !(frac >> (fbits - 1))) {
			hsw = FSW_IE;
			r.mant |= 1ull << 62;
		}
	} else if (exp == 0) {
		r.sexp = sign;
		if (frac) {
			/* Denormal: normalize into the wider exponent range. */
			int sh = __builtin_clzll(frac);
			r.mant = frac << sh;
			r.sexp = sign | (uint16_t)(16383 - ebias + 1 +
						   (int)(63 - fbits) - sh);
			hsw = FSW_DE;
		}
	} else {
		r.sexp = sign | (uint16_t)(exp - (unsigned)ebias + 16383);
		r.mant = (1ull << 63) | (frac << (63 - fbits));
	}
	if (!st_empty(c, 7)) {
		if (stack_fault(c, 1))
			st_push_indefinite(c);
		return;
	}
	if (!fsw_merge(c, hsw, FSW_C1, ABORT_REG))
		return;
	c->fpu.top = (c->fpu.top - 1) & 7;
	st_set_reg(c, 0, &r);
}

/* fld m80: an exact copy, raises nothing but stack overflow. */
static void load_m80(struct cpu *c, const struct insn *i)
{
	uint64_t ea = insn_ea(c, i);
	struct fpreg v;
	x87_wait(c, i);
	mem_read_bytes(c, ea, &v, 10);
	x87_note_mem(c, i, ea);
	if (!st_empty(c, 7)) {
		if (stack_fault(c, 1))
			st_push_indefinite(c);
		return;
	}
	fsw_set_c1(c, 0);
	c->fpu.top = (c->fpu.top - 1) & 7;
	st_set_reg(c, 0, &v);
}

/* Store ST0 to memory through a host store (fst, fist, fbstp); pop if
 * asked.  The memory write comes before any change of guest state. */
static void store_mem(struct cpu *c, const struct insn *i, hx_fn fn,
		      unsigned n, int pop)
{
	uint64_t ea = insn_ea(c, i);
	struct hostx h;
	x87_wait(c, i);
	int underflow = st_empty(c, 0);
	if (underflow && !(c->fpu.fcw & FCW_IM)) {
		/* Unmasked: nothing is stored, nothing popped. */
		x87_note_mem(c, i, ea);
		stack_fault(c, 0);
		return;
	}
	h.fcw = c->fpu.fcw;
	if (underflow)
		memcpy(&h.in[0], &fp_indefinite, 10);
	else
		h.in[0] = st_get(c, 0);
	memset(&h.m, 0, sizeof h.m);
	fn(&h);
	int ok = !(h.sw & ~c->fpu.fcw & ABORT_MEM);
	if (ok)
		mem_write_bytes(c, ea, h.m.b, n);
	x87_note_mem(c, i, ea);
	if (underflow)
		stack_fault(c, 0);
	fsw_merge(c, h.sw, FSW_C1, ok ? 0 : ABORT_MEM);
	if (ok && pop)
		st_pop(c);
}

/* fisttp m16/m32/m64 (DF /1, DB /1, DD /1): SSE3, so #UD below v2.  Like
 * fistp, with truncation. */
static void fisttp(struct cpu *c, const struct insn *i, hx_fn fn, unsigned n)
{
	if (c->level < CPU_LEVEL_V2)
		cpu_raise_ud(c);
	store_mem(c, i, fn, n, 1);
}

/* fstp m80: an exact copy. */
static void store_m80(struct cpu *c, const struct insn *i)
{
	uint64_t ea = insn_ea(c, i);
	x87_wait(c, i);
	if (st_empty(c, 0)) {
		if (!(c->fpu.fcw & FCW_IM)) {
			x87_note_mem(c, i, ea);
			stack_fault(c, 0);
			return;
		}
		mem_write_bytes(c, ea, &fp_indefinite, 10);
		x87_note_mem(c, i, ea);
		stack_fault(c, 0);
		st_pop(c);
		return;
	}
	mem_write_bytes(c, ea, &c->fpu.fpr[st_phys(c, 0)], 10);
	x87_note_mem(c, i, ea);
	fsw_set_c1(c, 0);
	st_pop(c);
}

/* fst/fstp ST(d). */
static void store_reg(struct cpu *c, int d, int pop)
{
	if (st_empty(c, 0)) {
		if (!stack_fault(c, 0))
			return;
		st_set_indefinite(c, d);
	} else {
		struct fpreg v = c->fpu.fpr[st_phys(c, 0)];
		st_set_reg(c, d, &v);
		fsw_set_c1(c, 0);
	}
	if (pop)
		st_pop(c);
}

/* One-operand operation replacing ST0 (fsqrt, frndint, f2xm1, fsin, fcos).
 * fsin/fcos with an out-of-range operand set C2 and leave ST0 as it was,
 * which the host's ST0 already reflects. */
static void unary(struct cpu *c, hx_fn fn, uint16_t ccmask)
{
	if (st_empty(c, 0)) {
		if (stack_fault_c2(c, 0, ccmask))
			st_set_indefinite(c, 0);
		return;
	}
	struct hostx h;
	h.fcw = c->fpu.fcw;
	h.in[0] = st_get(c, 0);
	fn(&h);
	if (!fsw_merge(c, h.sw, ccmask, ABORT_REG))
		return;
	st_set(c, 0, h.out[0]);
}

/* fptan, fsincos, fxtract: ST0 = out[1], then push out[0].  For fptan and
 * fsincos C2 = 1 (operand out of range) means nothing changes. */
static void unary_push(struct cpu *c, hx_fn fn, uint16_t ccmask)
{
	int under = st_empty(c, 0);
	if (under || !st_empty(c, 7)) {
		if (stack_fault_c2(c, !under, ccmask)) {
			st_set_indefinite(c, 0);
			st_push_indefinite(c);
		}
		return;
	}
	struct hostx h;
	h.fcw = c->fpu.fcw;
	h.in[0] = st_get(c, 0);
	fn(&h);
	if (!fsw_merge(c, h.sw, ccmask, ABORT_REG))
		return;
	if ((ccmask & FSW_C2) && (h.sw & FSW_C2))
		return;
	st_set(c, 0, h.out[1]);
	st_push(c, h.out[0]);
}

/* Two-operand operations.  pop = 0: ST0 = fn(ST0, ST1) (fprem, fprem1,
 * fscale); pop = 1: ST1 = fn(ST1, ST0), pop (fpatan, fyl2x, fyl2xp1).
 * For fprem a NaN result (a NaN operand, or an invalid operation) comes
 * with no quotient: C0 and C3 keep their value, as on hardware. */
static void binary(struct cpu *c, hx_fn fn, uint16_t ccmask, int pop)
{
	if (st_empty(c, 0) || st_empty(c, 1)) {
		if (stack_fault_c2(c, 0, ccmask)) {
			st_set_indefinite(c, pop);
			if (pop)
				st_pop(c);
		}
		return;
	}
	struct hostx h;
	h.fcw = c->fpu.fcw;
	h.in[0] = st_get(c, 0);
	h.in[1] = st_get(c, 1);
	fn(&h);
	if (fp_is_nan(&h.out[0]))
		ccmask &= (uint16_t)~(FSW_C0 | FSW_C3);
	if (!fsw_merge(c, h.sw, ccmask, ABORT_REG))
		return;
	st_set(c, pop, h.out[0]);
	if (pop)
		st_pop(c);
}

static void op_fxch(struct cpu *c, int s)
{
	if (st_empty(c, 0) || st_empty(c, s)) {
		if (!stack_fault(c, 0))
			return;
		if (st_empty(c, 0))
			st_set_indefinite(c, 0);
		if (st_empty(c, s))
			st_set_indefinite(c, s);
	} else {
		fsw_set_c1(c, 0);
	}
	int a = st_phys(c, 0), b = st_phys(c, s);
	struct fpreg t = c->fpu.fpr[a];
	int ta = tag_get(c, a);
	c->fpu.fpr[a].mant = c->fpu.fpr[b].mant;
	c->fpu.fpr[a].sexp = c->fpu.fpr[b].sexp;
	tag_set(c, a, tag_get(c, b));
	c->fpu.fpr[b].mant = t.mant;
	c->fpu.fpr[b].sexp = t.sexp;
	tag_set(c, b, ta);
}

/* fld st(i): an empty source is reported before a full stack. */
static void op_fld_st(struct cpu *c, int s)
{
	if (st_empty(c, s) || !st_empty(c, 7)) {
		if (stack_fault(c, !st_empty(c, s)))
			st_push_indefinite(c);
		return;
	}
	struct fpreg v = c->fpu.fpr[st_phys(c, s)];
	fsw_set_c1(c, 0);
	c->fpu.top = (c->fpu.top - 1) & 7;
	st_set_reg(c, 0, &v);
}

/* fcmovcc: ST0 = ST(s) when cond. */
static void op_fcmov(struct cpu *c, int s, int cond)
{
	if (st_empty(c, 0) || st_empty(c, s)) {
		if (stack_fault(c, 0))
			st_set_indefinite(c, 0);
		return;
	}
	if (cond) {
		struct fpreg v = c->fpu.fpr[st_phys(c, s)];
		st_set_reg(c, 0, &v);
	}
}

static void op_fchs_fabs(struct cpu *c, int abs)
{
	if (st_empty(c, 0)) {
		if (stack_fault(c, 0))
			st_set_indefinite(c, 0);
		return;
	}
	struct fpreg *r = &c->fpu.fpr[st_phys(c, 0)];
	if (abs)
		r->sexp &= 0x7fff;
	else
		r->sexp ^= 0x8000;
	fsw_set_c1(c, 0);
}

static void op_fxam(struct cpu *c)
{
	struct fpreg *r = &c->fpu.fpr[st_phys(c, 0)];
	if (st_empty(c, 0)) {
		/* Empty: C3 C2 C0 = 101, C1 = sign of whatever is there. */
		c->fpu.fsw = (uint16_t)((c->fpu.fsw & ~FSW_CC) | FSW_C3 |
					FSW_C0 |
					((r->sexp & 0x8000) ? FSW_C1 : 0));
		return;
	}
	struct hostx h;
	h.fcw = c->fpu.fcw;
	h.in[0] = st_get(c, 0);
	hx_fxam(&h);
	fsw_merge(c, h.sw, FSW_CC, 0);
}

/* ------------------------------------------------------------------------ */
/* Environment and state images                                             */
/* ------------------------------------------------------------------------ */

static inline void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static inline void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static inline void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static inline uint16_t get16(const uint8_t *p)
{
	uint16_t v;
	memcpy(&v, p, 2);
	return v;
}
static inline uint32_t get32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}
static inline uint64_t get64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

/* fnstenv image: 28 bytes (32-bit protected mode format, also what 64-bit
 * mode stores with or without REX.W) or 14 bytes with a 66 prefix.  The
 * reserved upper halves read as ones, as on hardware.  Returns the size. */
static unsigned env_store(const struct cpu *c, uint8_t *p, int osize)
{
	uint16_t fcw = c->fpu.fcw, fsw = fsw_read(c), ftw = ftw_full(c);
	if (osize == 2) {
		put16(p + 0, fcw);
		put16(p + 2, fsw);
		put16(p + 4, ftw);
		put16(p + 6, (uint16_t)c->fpu.fip);
		put16(p + 8, 0);			/* FCS */
		put16(p + 10, (uint16_t)c->fpu.fdp);
		put16(p + 12, 0);			/* FDS */
		return 14;
	}
	put32(p + 0, 0xffff0000u | fcw);
	put32(p + 4, 0xffff0000u | fsw);
	put32(p + 8, 0xffff0000u | ftw);
	put32(p + 12, (uint32_t)c->fpu.fip);
	put32(p + 16, (uint32_t)(c->fpu.fop & 0x7ff) << 16);	/* FCS = 0 */
	put32(p + 20, (uint32_t)c->fpu.fdp);
	put32(p + 24, 0xffff0000u);				/* FDS = 0 */
	return 28;
}

/* Load an environment image; the registers must already hold their new
 * contents (frstor loads them first) because tags are recomputed. */
static void env_load(struct cpu *c, const uint8_t *p, int osize)
{
	uint16_t ftw;
	c->fpu.fcw = fcw_normalize(get16(p));
	if (osize == 2) {
		fsw_write(c, get16(p + 2));
		ftw = get16(p + 4);
		c->fpu.fip = get16(p + 6);
		c->fpu.fdp = get16(p + 10);
	} else {
		fsw_write(c, get16(p + 4));
		ftw = get16(p + 8);
		c->fpu.fip = get32(p + 12);
		c->fpu.fop = (uint16_t)((get32(p + 16) >> 16) & 0x7ff);
		c->fpu.fdp = get32(p + 20);
	}
	uint16_t empty = 0;
	for (int r = 0; r < 8; r++)
		if (((ftw >> (2 * r)) & 3) == TAG_EMPTY)
			empty |= (uint16_t)(1u << r);
	ftw_load(c, empty);
}

void fpu_init(struct cpu *c)
{
	c->fpu.fcw = FCW_INIT;
	c->fpu.fsw = 0;
	c->fpu.top = 0;
	c->fpu.ftw = 0xffff;
	c->fpu.fop = 0;
	c->fpu.fip = 0;
	c->fpu.fdp = 0;
}

/* The 64-bit FXSAVE layout; wide = 0 gives the format of fxsave without
 * REX.W (32-bit FIP/FDP with FCS/FDS, stored as 0). */
static void fxsave_image(const struct cpu *c, uint8_t img[512], int wide)
{
	memset(img, 0, 512);
	put16(img + 0, c->fpu.fcw);
	put16(img + 2, fsw_read(c));
	uint8_t aftw = 0;
	for (int p = 0; p < 8; p++)
		if (tag_get(c, p) != TAG_EMPTY)
			aftw |= (uint8_t)(1u << p);
	img[4] = aftw;
	put16(img + 6, c->fpu.fop & 0x7ff);
	if (wide) {
		put64(img + 8, c->fpu.fip);
		put64(img + 16, c->fpu.fdp);
	} else {
		put32(img + 8, (uint32_t)c->fpu.fip);
		put32(img + 16, (uint32_t)c->fpu.fdp);
	}
	put32(img + 24, c->mxcsr);
	put32(img + 28, MXCSR_MASK);
	for (int i = 0; i < 8; i++) {
		const struct fpreg *r = &c->fpu.fpr[(c->fpu.top + i) & 7];
		put64(img + 32 + 16 * i, r->mant);
		put16(img + 40 + 16 * i, r->sexp);
	}
	memcpy(img + 160, c->xmm, 256);
}

static int fxrstor_image(struct cpu *c, const uint8_t img[512], int wide)
{
	uint32_t mxcsr = get32(img + 24);
	if (mxcsr & ~MXCSR_MASK)
		return -1;
	c->fpu.fcw = fcw_normalize(get16(img + 0));
	fsw_write(c, get16(img + 2));
	c->fpu.fop = get16(img + 6) & 0x7ff;
	if (wide) {
		c->fpu.fip = get64(img + 8);
		c->fpu.fdp = get64(img + 16);
	} else {
		c->fpu.fip = get32(img + 8);
		c->fpu.fdp = get32(img + 16);
	}
	c->mxcsr = mxcsr;
	for (int i = 0; i < 8; i++) {
		struct fpreg *r = &c->fpu.fpr[(c->fpu.top + i) & 7];
		r->mant = get64(img + 32 + 16 * i);
		r->sexp = get16(img + 40 + 16 * i);
	}
	ftw_load(c, (uint16_t)(~img[4] & 0xff));
	memcpy(c->xmm, img + 160, 256);
	return 0;
}

void fpu_fxsave(const struct cpu *c, uint8_t img[512])
{
	fxsave_image(c, img, 1);
}

int fpu_fxrstor(struct cpu *c, const uint8_t img[512])
{
	return fxrstor_image(c, img, 1);
}

/* ------------------------------------------------------------------------ */
/* Control instructions                                                     */
/* ------------------------------------------------------------------------ */

static void op_fldenv(struct cpu *c, const struct insn *i)
{
	uint8_t env[28];
	unsigned n = i->osize == 2 ? 14 : 28;
	uint64_t ea = insn_ea(c, i);
	x87_wait(c, i);
	mem_read_bytes(c, ea, env, n);
	env_load(c, env, i->osize);
}

static void op_fnstenv(struct cpu *c, const struct insn *i)
{
	uint8_t env[28];
	uint64_t ea = insn_ea(c, i);
	unsigned n = env_store(c, env, i->osize);
	mem_write_bytes(c, ea, env, n);
	/* fnstenv masks every exception after saving (so a handler can run
	 * x87 code); ES clears with them. */
	c->fpu.fcw |= FSW_EXC;
	fsw_update_es(c);
}

static void op_frstor(struct cpu *c, const struct insn *i)
{
	uint8_t img[108];
	unsigned envn = i->osize == 2 ? 14 : 28;
	uint64_t ea = insn_ea(c, i);
	x87_wait(c, i);
	mem_read_bytes(c, ea, img, envn + 80);
	/* TOP first, so that ST(i) lands in the right physical register. */
	uint16_t fsw = envn == 14 ? get16(img + 2) : get16(img + 4);
	int top = (fsw >> 11) & 7;
	for (int k = 0; k < 8; k++) {
		struct fpreg *r = &c->fpu.fpr[(top + k) & 7];
		r->mant = get64(img + envn + 10 * k);
		r->sexp = get16(img + envn + 10 * k + 8);
	}
	env_load(c, img, i->osize);
}

static void op_fnsave(struct cpu *c, const struct insn *i)
{
	uint8_t img[108];
	uint64_t ea = insn_ea(c, i);
	unsigned n = env_store(c, img, i->osize);
	for (int k = 0; k < 8; k++) {
		const struct fpreg *r = &c->fpu.fpr[st_phys(c, k)];
		put64(img + n + 10 * k, r->mant);
		put16(img + n + 10 * k + 8, r->sexp);
	}
	mem_write_bytes(c, ea, img, n + 80);
	fpu_init(c);
}

static void op_fldcw(struct cpu *c, const struct insn *i)
{
	uint64_t ea = insn_ea(c, i);
	x87_wait(c, i);
	uint16_t v = mem_read16(c, ea);
	c->fpu.fcw = fcw_normalize(v);
	fsw_update_es(c);
}

static void op_fnstcw(struct cpu *c, const struct insn *i)
{
	mem_write16(c, insn_ea(c, i), c->fpu.fcw);
}

static void op_fnclex(struct cpu *c)
{
	c->fpu.fsw &= (uint16_t)~(FSW_EXC | FSW_SF | FSW_ES | FSW_B);
}

/* ------------------------------------------------------------------------ */
/* Opcode handlers                                                          */
/* ------------------------------------------------------------------------ */

/* D8: arithmetic with m32real or ST(i) as source, ST0 destination. */
static void op_d8(struct cpu *c, const struct insn *i)
{
	if (i->mod != 3) {
		arith_mem(c, i, MF_F32);
		return;
	}
	int digit = i->reg & 7, s = i->rm & 7;
	x87_wait(c, i);
	x87_note(c, i);
	if (digit == 2 || digit == 3)
		compare_reg(c, hx_r_com, s, 0, digit == 3);
	else
		arith_reg(c, digit, 0, s, 0);
}

/* D9: loads/stores of m32real, environment, control word; register and
 * special forms. */
static void op_d9(struct cpu *c, const struct insn *i)
{
	int digit = i->reg & 7;
	if (i->mod != 3) {
		switch (digit) {
		case 0: load_float(c, i, 4); return;
		case 2: store_mem(c, i, hx_st_f32, 4, 0); return;
		case 3: store_mem(c, i, hx_st_f32, 4, 1); return;
		case 4: op_fldenv(c, i); return;
		case 5: op_fldcw(c, i); return;
		case 6: op_fnstenv(c, i); return;
		case 7: op_fnstcw(c, i); return;
		default: cpu_raise_ud(c);
		}
	}
	int s = i->rm & 7;
	/* Reject the holes before anything else happens. */
	switch (digit) {
	case 2: if (s != 0) cpu_raise_ud(c); break;
	case 4: if (s == 2 || s == 3 || s >= 6) cpu_raise_ud(c); break;
	case 5: if (s == 7) cpu_raise_ud(c); break;
	default: break;
	}
	x87_wait(c, i);
	x87_note(c, i);
	switch (digit) {
	case 0: op_fld_st(c, s); return;
	case 1: op_fxch(c, s); return;
	case 2: return;					/* fnop */
	case 3: store_reg(c, s, 1); return;		/* fstp1 alias */
	case 4:
		switch (s) {
		case 0: op_fchs_fabs(c, 0); return;
		case 1: op_fchs_fabs(c, 1); return;
		case 4: {
			struct hostx h;
			compare(c, hx_ftst, &h, st_empty(c, 0), 0, 0);
			return;
		}
		default: op_fxam(c); return;
		}
	case 5: {
		struct hostx h;
		load_push(c, hx_const[s], &h);
		return;
	}
	case 6:
		switch (s) {
		case 0: unary(c, hx_f2xm1, FSW_C1); return;
		case 1: binary(c, hx_fyl2x, FSW_C1, 1); return;
		case 2: unary_push(c, hx_fptan, FSW_C1 | FSW_C2); return;
		case 3: binary(c, hx_fpatan, FSW_C1, 1); return;
		case 4: unary_push(c, hx_fxtract, FSW_C1); return;
		case 5: binary(c, hx_fprem1, FSW_CC, 0); return;
		case 6:
			c->fpu.top = (c->fpu.top - 1) & 7;
			fsw_set_c1(c, 0);
			return;
		default:
			c->fpu.top = (c->fpu.top + 1) & 7;
			fsw_set_c1(c, 0);
			return;
		}
	default:
		switch (s) {
		case 0: binary(c, hx_fprem, FSW_CC, 0); return;
		case 1: binary(c, hx_fyl2xp1, FSW_C1, 1); return;
		case 2: unary(c, hx_fsqrt, FSW_C1); return;
		case 3: unary_push(c, hx_fsincos, FSW_C1 | FSW_C2); return;
		case 4: unary(c, hx_frndint, FSW_C1); return;
		case 5: binary(c, hx_fscale, FSW_C1, 0); return;
		case 6: unary(c, hx_fsin, FSW_C1 | FSW_C2); return;
		default: unary(c, hx_fcos, FSW_C1 | FSW_C2); return;
		}
	}
}

/* DA: m32int arithmetic; fcmovb/e/be/u; fucompp. */
static void op_da(struct cpu *c, const struct insn *i)
{
	if (i->mod != 3) {
		arith_mem(c, i, MF_I32);
		return;
	}
	int digit = i->reg & 7, s = i->rm & 7;
	uint64_t f = c->rflags;
	if (digit == 5 && s == 1) {
		x87_wait(c, i);
		x87_note(c, i);
		compare_reg(c, hx_r_ucom, 1, 0, 2);
		return;
	}
	if (digit >= 4)
		cpu_raise_ud(c);
	x87_wait(c, i);
	x87_note(c, i);
	int cond;
	switch (digit) {
	case 0: cond = !!(f & FL_CF); break;
	case 1: cond = !!(f & FL_ZF); break;
	case 2: cond = !!(f & (FL_CF | FL_ZF)); break;
	default: cond = !!(f & FL_PF); break;
	}
	op_fcmov(c, s, cond);
}

/* DB: m32int loads/stores, m80 load/store; fcmovn*, fnclex, fninit,
 * fucomi, fcomi. */
static void op_db(struct cpu *c, const struct insn *i)
{
	int digit = i->reg & 7;
	if (i->mod != 3) {
		switch (digit) {
		case 0: load_mem(c, i, hx_ld_i32, 4); return;
		case 1: fisttp(c, i, hx_stt_i32, 4); return;
		case 2: store_mem(c, i, hx_st_i32, 4, 0); return;
		case 3: store_mem(c, i, hx_st_i32, 4, 1); return;
		case 5: load_m80(c, i); return;
		case 7: store_m80(c, i); return;
		default: cpu_raise_ud(c);
		}
	}
	int s = i->rm & 7;
	uint64_t f = c->rflags;
	int cond;
	switch (digit) {
	case 0: cond = !(f & FL_CF); break;
	case 1: cond = !(f & FL_ZF); break;
	case 2: cond = !(f & (FL_CF | FL_ZF)); break;
	case 3: cond = !(f & FL_PF); break;
	case 4:
		switch (s) {
		case 0: case 1: case 4: return;	/* fneni, fndisi, fnsetpm */
		case 2: op_fnclex(c); return;
		case 3: fpu_init(c); return;
		default: cpu_raise_ud(c);
		}
	case 5:
	case 6:
		x87_wait(c, i);
		x87_note(c, i);
		compare_reg(c, digit == 5 ? hx_r_ucomi : hx_r_comi, s, 1, 0);
		return;
	default:
		cpu_raise_ud(c);
	}
	x87_wait(c, i);
	x87_note(c, i);
	op_fcmov(c, s, cond);
}

/* DC: m64real arithmetic; register forms with ST(i) as destination. */
static void op_dc(struct cpu *c, const struct insn *i)
{
	if (i->mod != 3) {
		arith_mem(c, i, MF_F64);
		return;
	}
	int digit = i->reg & 7, s = i->rm & 7;
	x87_wait(c, i);
	x87_note(c, i);
	if (digit == 2 || digit == 3) {		/* fcom2, fcomp3 aliases */
		compare_reg(c, hx_r_com, s, 0, digit == 3);
		return;
	}
	/* With ST(i) as destination the encodings of sub/subr and div/divr
	 * are swapped relative to D8: DC E8+i is fsub st(i), st. */
	static const int swap[8] = { 0, 1, 2, 3, 5, 4, 7, 6 };
	arith_reg(c, swap[digit], s, 0, 0);
}

/* DD: m64real loads/stores, frstor, fnsave, fnstsw m16; ffree, fst,
 * fstp, fucom, fucomp. */
static void op_dd(struct cpu *c, const struct insn *i)
{
	int digit = i->reg & 7;
	if (i->mod != 3) {
		switch (digit) {
		case 0: load_float(c, i, 8); return;
		case 1: fisttp(c, i, hx_stt_i64, 8); return;
		case 2: store_mem(c, i, hx_st_f64, 8, 0); return;
		case 3: store_mem(c, i, hx_st_f64, 8, 1); return;
		case 4: op_frstor(c, i); return;
		case 6: op_fnsave(c, i); return;
		case 7: mem_write16(c, insn_ea(c, i), fsw_read(c)); return;
		default: cpu_raise_ud(c);	/* 5: reserved */
		}
	}
	int s = i->rm & 7;
	if (digit >= 6)
		cpu_raise_ud(c);
	x87_wait(c, i);
	x87_note(c, i);
	switch (digit) {
	case 0: tag_set(c, st_phys(c, s), TAG_EMPTY); return;	/* ffree */
	case 1: op_fxch(c, s); return;				/* fxch4 */
	case 2: store_reg(c, s, 0); return;
	case 3: store_reg(c, s, 1); return;
	case 4: compare_reg(c, hx_r_ucom, s, 0, 0); return;
	default: compare_reg(c, hx_r_ucom, s, 0, 1); return;
	}
}

/* DE: m16int arithmetic; the popping register forms and fcompp. */
static void op_de(struct cpu *c, const struct insn *i)
{
	if (i->mod != 3) {
		arith_mem(c, i, MF_I16);
		return;
	}
	int digit = i->reg & 7, s = i->rm & 7;
	if (digit == 3 && s != 1)
		cpu_raise_ud(c);
	x87_wait(c, i);
	x87_note(c, i);
	if (digit == 2) {			/* fcomp5 alias */
		compare_reg(c, hx_r_com, s, 0, 1);
		return;
	}
	if (digit == 3) {			/* fcompp */
		compare_reg(c, hx_r_com, 1, 0, 2);
		return;
	}
	static const int swap[8] = { 0, 1, 2, 3, 5, 4, 7, 6 };
	arith_reg(c, swap[digit], s, 0, 1);
}

/* DF: m16int and m64int loads/stores, BCD; ffreep, fnstsw ax, fucomip,
 * fcomip and aliases. */
static void op_df(struct cpu *c, const struct insn *i)
{
	int digit = i->reg & 7;
	if (i->mod != 3) {
		switch (digit) {
		case 0: load_mem(c, i, hx_ld_i16, 2); return;
		case 1: fisttp(c, i, hx_stt_i16, 2); return;
		case 2: store_mem(c, i, hx_st_i16, 2, 0); return;
		case 3: store_mem(c, i, hx_st_i16, 2, 1); return;
		case 4: load_mem(c, i, hx_ld_bcd, 10); return;
		case 5: load_mem(c, i, hx_ld_i64, 8); return;
		case 6: store_mem(c, i, hx_st_bcd, 10, 1); return;
		case 7: store_mem(c, i, hx_st_i64, 8, 1); return;
		default: cpu_raise_ud(c);
		}
	}
	int s = i->rm & 7;
	if (digit == 4) {
		if (s != 0)
			cpu_raise_ud(c);
		reg_write(c, R_RAX, 2, fsw_read(c), 0);	/* fnstsw ax */
		return;
	}
	if (digit == 7)
		cpu_raise_ud(c);
	x87_wait(c, i);
	x87_note(c, i);
	switch (digit) {
	case 0:					/* ffreep */
		tag_set(c, st_phys(c, s), TAG_EMPTY);
		st_pop(c);
		/* Like every pop that does not underflow, it clears C1
		 * (the host agrees; ffree alone leaves C1). */
		c->fpu.fsw &= (uint16_t)~0x0200;
		return;
	case 1: op_fxch(c, s); return;		/* fxch7 */
	case 2:					/* fstp8 */
	case 3: store_reg(c, s, 1); return;	/* fstp9 */
	case 5: compare_reg(c, hx_r_ucomi, s, 1, 1); return;
	default: compare_reg(c, hx_r_comi, s, 1, 1); return;
	}
}

/* 0F 77: emms. */
static void op_emms(struct cpu *c, const struct insn *i)
{
	x87_wait(c, i);
	/* Like every MMX instruction, emms also sets TOP to 0 (SDM vol. 1
	 * table 9-2; the host agrees). */
	c->fpu.ftw = 0xffff;
	c->fpu.top = 0;
}

static void op_fxsave(struct cpu *c, const struct insn *i)
{
	uint8_t img[512];
	uint64_t ea = insn_ea(c, i);
	if (ea & 15)
		cpu_raise_gp(c);
	fxsave_image(c, img, i->rex & 8);
	/* Bytes 416-511 (reserved, then available to software) are left
	 * alone, as the hardware does. */
	mem_write_bytes(c, ea, img, 416);
}

static void op_fxrstor(struct cpu *c, const struct insn *i)
{
	uint8_t img[512];
	uint64_t ea = insn_ea(c, i);
	if (ea & 15)
		cpu_raise_gp(c);
	mem_read_bytes(c, ea, img, 512);
	if (fxrstor_image(c, img, i->rex & 8) < 0)
		cpu_raise_gp(c);
}

/* 0F AE: the memory forms fxsave, fxrstor, ldmxcsr, stmxcsr, clflush; the
 * register forms lfence, mfence, sfence.  Only without a mandatory prefix:
 * F3 forms (rdfsbase ...), 66 forms (clflushopt, clwb ...) and xsave/xrstor
 * are outside the model. */
static void op_0fae(struct cpu *c, const struct insn *i)
{
	int digit = i->reg & 7;
	if (i->pfx != PFX_NONE)
		cpu_raise_ud(c);
	if (i->mod == 3) {
		/* Fences: one guest thread runs at a time and every access is
		 * performed in program order, so there is nothing to do. */
		if (digit >= 5)
			return;
		cpu_raise_ud(c);
	}
	uint64_t ea;
	switch (digit) {
	case 0: op_fxsave(c, i); return;
	case 1: op_fxrstor(c, i); return;
	case 2: {
		uint32_t v = mem_read32(c, insn_ea(c, i));
		if (v & ~MXCSR_MASK)
			cpu_raise_gp(c);
		c->mxcsr = v;
		return;
	}
	case 3: mem_write32(c, insn_ea(c, i), c->mxcsr); return;
	case 7:
		/* clflush faults like a one-byte load; the data is kept. */
		ea = insn_ea(c, i);
		(void)mem_read8(c, ea);
		return;
	default:
		cpu_raise_ud(c);	/* 4: xsave, 5: xrstor, 6: xsaveopt */
	}
}

void exec_install_x87(struct optable *t)
{
	t->map1b[0xd8] = op_d8;
	t->map1b[0xd9] = op_d9;
	t->map1b[0xda] = op_da;
	t->map1b[0xdb] = op_db;
	t->map1b[0xdc] = op_dc;
	t->map1b[0xdd] = op_dd;
	t->map1b[0xde] = op_de;
	t->map1b[0xdf] = op_df;
	t->map0f[0x77][PFX_NONE] = op_emms;
	optable_set_0f_all(t, 0xae, op_0fae);
}
