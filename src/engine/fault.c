/*
 * fault.c - raising guest faults (see fault.h).
 */
#include <signal.h>
#include <sys/mman.h>

#include "engine/fault.h"
#include "engine/insn.h"
#include "engine/operand.h"
#include "mem/layout.h"

void cpu_raise(struct cpu *c, int sig, int code, uint64_t addr, int trapno,
	       uint64_t err)
{
	c->fault.sig = sig;
	c->fault.code = code;
	c->fault.addr = addr;
	c->fault.trapno = trapno;
	c->fault.err = err;
	siglongjmp(c->fault_jmp, 1);
}

void cpu_raise_ud(struct cpu *c)
{
	uint64_t at = c->cur ? c->cur->addr : c->rip;
	cpu_raise(c, SIGILL, ILL_ILLOPN, at, TRAP_UD, 0);
}

void cpu_raise_de(struct cpu *c)
{
	uint64_t at = c->cur ? c->cur->addr : c->rip;
	cpu_raise(c, SIGFPE, FPE_INTDIV, at, TRAP_DE, 0);
}

void cpu_raise_gp(struct cpu *c)
{
	/* Linux reports a general protection fault as SIGSEGV with
	 * si_code SI_KERNEL and no address. */
	cpu_raise(c, SIGSEGV, SI_KERNEL, 0, TRAP_GP, 0);
}

void cpu_raise_bad_address(struct cpu *c, uint64_t a, int write)
{
	/* Non-canonical addresses raise #GP, not a page fault. */
	int64_t s = (int64_t)a;
	if ((s >> 47) != 0 && (s >> 47) != -1)
		cpu_raise_gp(c);
	/* Canonical but above what the guest can map (including the kernel
	 * half): an ordinary not-present page fault. */
	cpu_raise(c, SIGSEGV, SEGV_MAPERR, a, TRAP_PF, 4 | (write ? 2 : 0));
}

void mem_probe_write(struct cpu *c, uint64_t a, uint64_t n)
{
	if (n == 0)
		return;
	uint64_t end = a + n - 1;
	for (uint64_t pg = a & GUEST_PAGE_MASK;; pg += GUEST_PAGE_SIZE) {
		uint64_t at = pg < a ? a : pg;
		/* Not guest_ptr: a probe is not an access a watchpoint
		 * should see (the store that follows is). */
		if (at >= GUEST_LIMIT)
			cpu_raise_bad_address(c, at, 1);
		volatile uint8_t *p = c->mem_base + at;
		/* Rewriting the byte it holds faults exactly like a store
		 * would and changes nothing. */
		*p = *p;
		if (pg >= (end & GUEST_PAGE_MASK))
			break;
	}
}
