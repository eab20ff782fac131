/*
 * signals_badframe.c - signal frames that cannot be written or read back.
 *
 * Checks Linux's force_sigsegv and signal_fault paths: a SIGUSR1 arriving
 * while rsp points at unmapped memory cannot get its frame, so SIGSEGV
 * (SI_KERNEL, no address) is forced and handled on the altstack; a handler
 * installed without SA_RESTORER (raw rt_sigaction) is never entered and a
 * SIGSEGV is forced instead; rt_sigreturn from a frame whose fpstate is
 * misaligned or holds reserved MXCSR bits, whose memory is unreadable, or
 * whose cs is not the 64-bit user selector (or ss, with
 * UC_STRICT_RESTORE_SS) raises SIGSEGV; a frame with fpstate 0 is accepted
 * and resets the FPU, a good fpstate is loaded.  A
 * SIGSEGV handler on the altstack reports each case and siglongjmps back.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

static sigjmp_buf jb;
static char *alt;
uint64_t saved_rsp;
static volatile int usr1_ran;

static void segv(int sig, siginfo_t *si, void *uv)
{
	char local;
	(void)uv;
	printf("  SIGSEGV code %d addr %p on_alt %d\n", si->si_code,
	       si->si_addr, &local >= alt && &local < alt + 65536);
	(void)sig;
	siglongjmp(jb, 1);
}

static void usr1(int sig)
{
	(void)sig;
	usr1_ran = 1;
}

static uint8_t landing_stack[16384] __attribute__((aligned(16)));

static void landing(void)
{
	unsigned mx;
	__asm__ volatile("stmxcsr %0" : "=m"(mx));
	printf("  landed, mxcsr %#x\n", mx);
	siglongjmp(jb, 1);
}

struct ksigaction {
	uint64_t handler, flags, restorer, mask;
};

/* rt_sigreturn with rsp = frame + 8. */
static void sigreturn_from(void *frame)
{
	__asm__ volatile("mov %%rsp, saved_rsp(%%rip)\n\t"
			 "lea 8(%0), %%rsp\n\t"
			 "mov $15, %%eax\n\t"
			 "syscall\n\t"
			 "mov saved_rsp(%%rip), %%rsp"
			 :: "r"(frame) : "rax", "rcx", "r11", "memory");
}

int main(void)
{
	unsigned mx;
	struct sigaction sa;
	stack_t ss;

	alt = malloc(65536);
	ss.ss_sp = alt;
	ss.ss_size = 65536;
	ss.ss_flags = 0;
	sigaltstack(&ss, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = segv;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigaction(SIGSEGV, &sa, NULL);
	signal(SIGUSR1, usr1);

	printf("signal with rsp unmapped:\n");
	if (sigsetjmp(jb, 1) == 0) {
		int pid = getpid();
		__asm__ volatile("mov %%rsp, saved_rsp(%%rip)\n\t"
				 "mov $0x1000, %%rsp\n\t"
				 "mov $62, %%eax\n\t"
				 "mov %0, %%edi\n\t"
				 "mov $10, %%esi\n\t"
				 "syscall\n\t"
				 "mov saved_rsp(%%rip), %%rsp"
				 :: "r"(pid)
				 : "rax", "rdi", "rsi", "rcx", "r11", "memory");
		printf("  not reached\n");
	}
	printf("  usr1 ran %d\n", usr1_ran);

	printf("handler without SA_RESTORER:\n");
	struct ksigaction ka = { (uint64_t)(uintptr_t)usr1, 0, 0, 0 };
	syscall(SYS_rt_sigaction, SIGUSR2, &ka, NULL, 8);
	if (sigsetjmp(jb, 1) == 0) {
		raise(SIGUSR2);
		printf("  not reached\n");
	}
	printf("  usr1 ran %d\n", usr1_ran);

	/* rt_sigreturn frames: valid except for the one thing each case
	 * breaks.  A good frame "returns" to landing() on landing_stack. */
	static uint8_t frame[1024] __attribute__((aligned(64)));
	static uint8_t fx[512] __attribute__((aligned(64)));
	static ucontext_t *uc;
	uc = (ucontext_t *)(frame + 8);
	static const char *const cases[] = {
		"fpstate 0 (FPU reset)", "good fpstate", "misaligned fpstate",
		"bad mxcsr in fpstate", "unreadable frame", "cs 0",
		"cs 0x2b", "strict ss 0", "lax ss 0",
	};
	static int i;	/* static: survives the siglongjmps */
	for (i = 0; i < (int)(sizeof(cases) / sizeof(cases[0])); i++) {
		printf("rt_sigreturn, %s:\n", cases[i]);
		if (sigsetjmp(jb, 1))
			continue;
		unsigned mx = 0x3f80;
		__asm__ volatile("ldmxcsr %0" :: "m"(mx));
		memset(frame, 0, sizeof(frame));
		memset(fx, 0, sizeof(fx));
		uint32_t fx_mxcsr = 0x1f80 | (2u << 13);	/* round up */
		memcpy(fx + 24, &fx_mxcsr, 4);
		fx[0] = 0x7f;
		fx[1] = 0x03;
		uc->uc_flags = 6;	/* what a 64-bit frame without xstate has */
		uc->uc_mcontext.fpregs = (void *)fx;
		uc->uc_mcontext.gregs[REG_RIP] = (greg_t)(uintptr_t)landing;
		uc->uc_mcontext.gregs[REG_RSP] = (greg_t)(uintptr_t)
			(landing_stack + sizeof(landing_stack) - 8);
		uc->uc_mcontext.gregs[REG_EFL] = 0x202;
		uc->uc_mcontext.gregs[REG_CSGSFS] = 0x33 | (0x2bLL << 48);
		void *f = frame;
		switch (i) {
		case 0: uc->uc_mcontext.fpregs = NULL; break;
		case 1: break;
		case 2: uc->uc_mcontext.fpregs = (void *)(fx + 8); break;
		case 3: fx_mxcsr = 0xffffffff; memcpy(fx + 24, &fx_mxcsr, 4);
			break;
		case 4: f = (void *)0x2000; break;
		case 5: uc->uc_mcontext.gregs[REG_CSGSFS] = 0x2bLL << 48; break;
		case 6: uc->uc_mcontext.gregs[REG_CSGSFS] = 0x2b | (0x2bLL << 48);
			break;
		case 7: uc->uc_mcontext.gregs[REG_CSGSFS] = 0x33; break;
		case 8: uc->uc_mcontext.gregs[REG_CSGSFS] = 0x33;
			uc->uc_flags = 2; break;
		}
		sigreturn_from(f);
		printf("  not reached\n");
	}
	mx = 0x1f80;
	__asm__ volatile("ldmxcsr %0" :: "m"(mx));
	printf("done\n");
	return 0;
}
