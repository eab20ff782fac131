/*
 * cpu.h - the guest CPU state shared by every engine.
 *
 * Owns: the architectural state of one guest thread (general registers, rip,
 * rflags, segment bases, x87/MMX, SSE) and the small amount of run-time
 * bookkeeping the engines need (icount, the fault landing pad).  It does not
 * own guest memory (src/mem) or the Linux process state (src/os).
 *
 * The layout of the x87 and SSE parts follows the FXSAVE image so that
 * fxsave/fxrstor, signal frames and the gdb stub can copy them directly.
 */
#ifndef REWIND_ENGINE_CPU_H
#define REWIND_ENGINE_CPU_H

#include <setjmp.h>
#include <stdint.h>

/* General register numbers, in the x86 encoding order. */
enum {
	R_RAX, R_RCX, R_RDX, R_RBX, R_RSP, R_RBP, R_RSI, R_RDI,
	R_R8, R_R9, R_R10, R_R11, R_R12, R_R13, R_R14, R_R15,
};

/* Segment register numbers, in the x86 encoding order. */
enum { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_NONE = 7 };

/* rflags bits. */
#define FL_CF   0x0001u
#define FL_PF   0x0004u
#define FL_AF   0x0010u
#define FL_ZF   0x0040u
#define FL_SF   0x0080u
#define FL_TF   0x0100u
#define FL_IF   0x0200u
#define FL_DF   0x0400u
#define FL_OF   0x0800u
#define FL_AC   0x40000u
#define FL_ID   0x200000u
#define FL_ARITH (FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_OF)
/* Bits user code can change with popf (IOPL/IF/VM/RF are not among them). */
#define FL_USER_WRITABLE (FL_ARITH | FL_TF | FL_DF | FL_AC | FL_ID)
/* Bit 1 always reads as one; IF is always set for user code. */
#define FL_FIXED (0x0002u | FL_IF)

union xmm {
	uint8_t  u8[16];
	uint16_t u16[8];
	uint32_t u32[4];
	uint64_t u64[2];
	int8_t   i8[16];
	int16_t  i16[8];
	int32_t  i32[4];
	int64_t  i64[2];
	float    f32[4];
	double   f64[2];
};

/* One x87 data register as stored by FXSAVE: 64-bit significand, sign and
 * 15-bit exponent, then padding.  MMX register mmN aliases fpr[N].mant. */
struct fpreg {
	uint64_t mant;
	uint16_t sexp;
	uint16_t pad[3];
};

/* x87 unit.  fpr[] is indexed by physical register number; ST(i) is
 * fpr[(top + i) & 7].  ftw is the full two-bit-per-register tag word. */
struct x87 {
	struct fpreg fpr[8];
	uint16_t fcw;		/* control word, 0x037f after finit */
	uint16_t fsw;		/* status word without TOP (bits 11-13) */
	uint16_t ftw;		/* full tag word: 0 valid, 1 zero, 2 special, 3 empty */
	uint16_t fop;
	uint8_t  top;
	uint64_t fip, fdp;
};

/* Why the engine stopped running guest code and returned to its caller. */
enum cpu_exit {
	CPU_EXIT_NONE = 0,
	CPU_EXIT_SYSCALL_DONE,	/* not used as a stop; reserved */
	CPU_EXIT_PROCESS,	/* the process exited; see os state for status */
	CPU_EXIT_ICOUNT,	/* reached the requested icount limit */
};

/* The CPU model level the guest sees (cpuid.h): x86-64 psABI levels. */
enum cpu_level { CPU_LEVEL_V1 = 1, CPU_LEVEL_V2 = 2 };

struct insn;
struct proc;
struct cpu_debug;
struct mem;

/* A guest fault raised by an instruction, waiting to become a signal. */
struct cpu_fault {
	int sig;		/* SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP */
	int code;		/* si_code */
	uint64_t addr;		/* si_addr */
	int trapno;		/* x86 vector, for the signal frame */
	uint64_t err;		/* error code, for the signal frame */
};

struct cpu {
	uint64_t gpr[16];
	uint64_t rip;		/* during a handler: address of the NEXT insn */
	uint64_t rflags;
	uint64_t fs_base, gs_base;
	uint16_t seg[6];

	union xmm xmm[16];
	uint32_t mxcsr;
	struct x87 fpu;

	/* Retired guest instructions since the start of the process. */
	uint64_t icount;

	/* The fault in `fault` was raised but its signal not delivered yet
	 * (a debugger stopped before the delivery): the next run delivers
	 * it.  Part of the moment, so snapshots keep it. */
	int fault_pending;

	/* Host address of guest address 0 (see src/mem/mem.h). */
	uint8_t *mem_base;

	/* Set by anything that needs the run loop to leave the current block
	 * after the current instruction (a syscall, a pending signal, exit). */
	volatile int attention;

	/* The instruction being executed; a fault reports it. */
	const struct insn *cur;

	/* Landing pad for guest faults raised anywhere inside an instruction
	 * (see engine/fault.h).  Valid only while the run loop is active. */
	sigjmp_buf fault_jmp;
	int in_guest;

	struct cpu_fault fault;	/* the fault being delivered */
	struct proc *proc;	/* the process this thread belongs to, or NULL
				   (unit tests run bare cpus) */
	struct mem *mem;	/* the address space */
	void *engine_data;	/* the engine's private state (code cache) */
	int tid;
	uint8_t level;		/* enum cpu_level: CPUID and valid opcodes */

	/* The run in progress ends when icount reaches this (engine_ops
	 * run() sets it; a watchpoint hit lowers it, see debug.h). */
	uint64_t icount_limit;
	/* Watchpoint filter: a data access [a, a+n) can touch a watched
	 * range only if a < watch_hi && a + n > watch_lo.  watch_hi == 0
	 * when nothing is watched. */
	uint64_t watch_lo, watch_hi;
	/* Breakpoints, watchpoints and signal stops (debug.h), or NULL. */
	struct cpu_debug *dbg;
	/* Whose breakpoints decoded instructions are marked with
	 * (INSN_BREAK), whatever dbg is attached for the run at hand: code
	 * decoded while seeking is reused when stopping. */
	const struct cpu_debug *breaks;
};

/* ST(i) access helpers. */
static inline struct fpreg *cpu_st(struct cpu *c, int i)
{
	return &c->fpu.fpr[(c->fpu.top + i) & 7];
}

static inline uint64_t cpu_rflags_read(const struct cpu *c)
{
	return (c->rflags & FL_USER_WRITABLE) | FL_FIXED;
}

#endif
