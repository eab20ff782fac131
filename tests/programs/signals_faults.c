/*
 * signals_faults.c - synchronous faults become the signals Linux delivers.
 *
 * Checks, for SA_SIGINFO handlers: SIGSEGV on an unmapped read and write
 * (SEGV_MAPERR, si_addr, trapno 14, the page-fault error code, cr2), on a
 * read-only page (SEGV_ACCERR), on a kernel-half address (MAPERR with the
 * protection bit in err) and on a non-canonical address (SI_KERNEL, no
 * address, trapno 13, cr2 left from the last page fault); SIGILL from ud2
 * (ILL_ILLOPN at the instruction); SIGFPE from an integer divide by zero
 * (FPE_INTDIV at the instruction); SIGTRAP from int3 (SI_KERNEL, rip after
 * the int3).  The saved rip must be the faulting instruction (after int3),
 * the saved rflags must carry RF for faults and not for the int3 trap, DF
 * set before a fault must be saved and restored, and a handler resumes the
 * program by editing uc_mcontext's rip.  trapno/err/cr2 of a later raise()
 * frame are the previous fault's, as Linux keeps them per thread.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

uintptr_t fault_at, resume_at, ro_page;
static const char *volatile what;

/* Run setup, then insn with fault_at/resume_at naming it and the next
 * instruction; flags are ZF|PF from the xor, DF as the caller left it. */
#define FAULT2(setup, insn)						\
	__asm__ volatile("lea 1f(%%rip), %%rax\n\t"			\
			 "mov %%rax, fault_at(%%rip)\n\t"		\
			 "lea 2f(%%rip), %%rax\n\t"			\
			 "mov %%rax, resume_at(%%rip)\n\t"		\
			 setup "\n\t"					\
			 "xor %%eax, %%eax\n"				\
			 "1:\t" insn "\n2:"				\
			 ::: "rax", "rcx", "rdx", "memory")
#define FAULT(insn) FAULT2("", insn)

static const char *name(uintptr_t a)
{
	static char buf[4][32];
	static int n;
	char *b = buf[n++ & 3];
	if (a == 0)
		return "0";
	if (a == fault_at)
		return "insn";
	if (a == resume_at)
		return "next";
	if (a == ro_page)
		return "ro_page";
	snprintf(b, 32, "%#lx", (unsigned long)a);
	return b;
}

static void handler(int sig, siginfo_t *si, void *uv)
{
	ucontext_t *uc = uv;
	greg_t *g = uc->uc_mcontext.gregs;
	unsigned long fl;

	__asm__ volatile("pushf; pop %0" : "=r"(fl));
	printf("%-12s sig=%d code=%d addr=%s rip=%s trapno=%lld err=%lld "
	       "cr2=%s efl=%#llx entry_df=%lu ss_flags=%d\n",
	       what, sig, si->si_code,
	       sig == SIGUSR1 ? "-" : name((uintptr_t)si->si_addr),
	       sig == SIGUSR1 ? "-" : name((uintptr_t)g[REG_RIP]),
	       g[REG_TRAPNO], g[REG_ERR],
	       name((uintptr_t)g[REG_CR2]), g[REG_EFL] & ~0x8d5LL,
	       (fl >> 10) & 1, uc->uc_stack.ss_flags);
	/* Only the faults have known arithmetic flags (from the xor); at a
	 * raise() they may depend on stack addresses, which ASLR varies. */
	if (sig != SIGUSR1)
		printf("%-12s arith flags zf=%lld pf=%lld\n", what,
		       (g[REG_EFL] >> 6) & 1, (g[REG_EFL] >> 2) & 1);
	if (sig != SIGUSR1)
		g[REG_RIP] = (greg_t)resume_at;
}

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO;
	int sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGUSR1 };
	for (unsigned i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);

	void *pg = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
			-1, 0);
	if (pg == MAP_FAILED)
		return 1;
	ro_page = (uintptr_t)pg;
	/* Touch it: a write to a never-touched page is a not-present fault
	 * (err without the protection bit), to a mapped one a protection
	 * fault. */
	(void)*(volatile char *)pg;

	what = "raise-first";
	raise(SIGUSR1);

	what = "write-null";
	FAULT("movl $1, 0x10");
	what = "read-null";
	FAULT("movl 0x20, %%eax");
	what = "write-ro";
	FAULT2("mov ro_page(%%rip), %%rcx", "movl $1, (%%rcx)");
	what = "raise";
	raise(SIGUSR1);
	what = "kernel-half";
	FAULT2("movabs $0xffff880000001000, %%rcx", "mov (%%rcx), %%eax");
	what = "noncanon";
	FAULT2("movabs $0x8000000000001000, %%rcx", "mov (%%rcx), %%eax");
	what = "ud2";
	FAULT("ud2");
	what = "div0";
	FAULT2("xor %%ecx, %%ecx\n\txor %%edx, %%edx", "divl %%ecx");
	what = "int3";
	FAULT("int3");
	what = "raise-after";
	raise(SIGUSR1);
	what = "df-set";
	__asm__ volatile("std");
	FAULT("movl $1, 0x30");
	unsigned long fl;
	__asm__ volatile("pushf; pop %0; cld" : "=r"(fl));
	printf("after df-set: df=%lu\n", (fl >> 10) & 1);
	printf("done\n");
	return 0;
}
