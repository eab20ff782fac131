/*
 * signals_frame.c - the register state at handler entry and the shape of
 * the rt_sigframe, as Linux x86-64 builds them.
 *
 * An assembly entry stub records the raw registers before any C code runs:
 * rdi = signo, rsi = &siginfo, rdx = &ucontext, rax = 0, rsp + 8 16-byte
 * aligned, DF clear, [rsp] = sa_restorer (read back with the raw
 * rt_sigaction), the ucontext 8 bytes above rsp and the siginfo 304 bytes
 * after the ucontext, the frame below the interrupted rsp minus the
 * 128-byte red zone, a 64-byte aligned fpstate above the frame.  It also
 * checks that the handler starts with a fresh FPU (default MXCSR and x87
 * control word, zeroed xmm0) and that the interrupted code's x87/SSE state
 * and every general register survive the handler (restored by
 * rt_sigreturn), and that a handler's change to uc_mcontext registers
 * becomes the interrupted code's state.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

uint64_t entry_rdi, entry_rsi, entry_rdx, entry_rax, entry_rsp, entry_fl;
uint64_t entry_ret;

void stub(void);
void c_handler(int sig, siginfo_t *si, void *uv);
__asm__(".text\n"
	".globl stub\n"
	"stub:\n\t"
	"mov %rdi, entry_rdi(%rip)\n\t"
	"mov %rsi, entry_rsi(%rip)\n\t"
	"mov %rdx, entry_rdx(%rip)\n\t"
	"mov %rax, entry_rax(%rip)\n\t"
	"mov %rsp, entry_rsp(%rip)\n\t"
	"mov (%rsp), %rax\n\t"
	"mov %rax, entry_ret(%rip)\n\t"
	"pushf\n\t"
	"pop %rax\n\t"
	"mov %rax, entry_fl(%rip)\n\t"
	"jmp c_handler\n");

struct ksigaction {
	uint64_t handler, flags, restorer, mask;
};

static uint64_t restorer;
static unsigned mxcsr_in, fcw_in;
static uint64_t xmm0_in[2];
static int modify;

void c_handler(int sig, siginfo_t *si, void *uv)
{
	ucontext_t *uc = uv;
	uint64_t fp = (uint64_t)uc->uc_mcontext.fpregs;
	uint64_t frame_rsp = (uint64_t)uc->uc_mcontext.gregs[REG_RSP];
	uint64_t xmm[2];
	unsigned short fcw;
	unsigned mx;

	__asm__ volatile("stmxcsr %0" : "=m"(mx));
	__asm__ volatile("fnstcw %0" : "=m"(fcw));
	__asm__ volatile("movdqu %%xmm0, %0" : "=m"(xmm));
	mxcsr_in = mx;
	fcw_in = fcw;
	memcpy(xmm0_in, xmm, sizeof(xmm));

	printf("rdi==sig %d, rsi==si %d, rdx==uc %d, rax %llu\n",
	       entry_rdi == (uint64_t)sig, entry_rsi == (uint64_t)si,
	       entry_rdx == (uint64_t)uv, (unsigned long long)entry_rax);
	printf("(rsp+8)%%16 %llu, df %llu, tf %llu, [rsp]==restorer %d\n",
	       (unsigned long long)((entry_rsp + 8) % 16),
	       (unsigned long long)(entry_fl >> 10) & 1,
	       (unsigned long long)(entry_fl >> 8) & 1,
	       entry_ret == restorer);
	printf("uc-rsp %lld, si-uc %lld, below red zone %d\n",
	       (long long)((uint64_t)uv - entry_rsp),
	       (long long)((uint64_t)si - (uint64_t)uv),
	       (uint64_t)si + 128 <= frame_rsp - 128);
	printf("fpstate%%64 %llu, fpstate above siginfo %d, below red zone %d\n",
	       (unsigned long long)(fp % 64), fp >= (uint64_t)si + 128,
	       fp < frame_rsp - 128);
	printf("oldmask==uc_sigmask %d\n",
	       (unsigned long)uc->uc_mcontext.gregs[REG_OLDMASK] ==
	       *(unsigned long *)&uc->uc_sigmask);
	if (modify) {
		uc->uc_mcontext.gregs[REG_RBX] = 0x1234;
		uc->uc_mcontext.gregs[REG_R12] = 0x5678;
		/* Set CF and clear ZF in the saved flags. */
		uc->uc_mcontext.gregs[REG_EFL] =
			(uc->uc_mcontext.gregs[REG_EFL] | 1) & ~0x40;
	}
}

int main(void)
{
	struct ksigaction ka = { 0 }, old;
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = (void (*)(int, siginfo_t *, void *))stub;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);
	syscall(SYS_rt_sigaction, SIGUSR1, NULL, &old, 8);
	restorer = old.restorer;
	printf("flags has SA_RESTORER %d, SA_SIGINFO %d\n",
	       (old.flags & 0x04000000) != 0, (old.flags & 4) != 0);
	(void)ka;

	/* Non-default FPU state in the interrupted code. */
	unsigned mx = 0x3f80 | (1u << 13);	/* round down */
	unsigned short fcw = 0x027f;		/* 53-bit precision */
	double v = 1.5;
	__asm__ volatile("ldmxcsr %0" :: "m"(mx));
	__asm__ volatile("fldcw %0" :: "m"(fcw));
	__asm__ volatile("movsd %0, %%xmm0" :: "m"(v) : "xmm0");
	raise(SIGUSR1);
	unsigned mx2;
	unsigned short fcw2;
	double v2;
	__asm__ volatile("stmxcsr %0" : "=m"(mx2));
	__asm__ volatile("fnstcw %0" : "=m"(fcw2));
	printf("handler saw mxcsr %#x fcw %#x xmm0 %#llx:%#llx\n", mxcsr_in,
	       fcw_in, (unsigned long long)xmm0_in[0],
	       (unsigned long long)xmm0_in[1]);
	printf("after: mxcsr %#x fcw %#x\n", mx2, fcw2);
	mx = 0x1f80;
	fcw = 0x037f;
	__asm__ volatile("ldmxcsr %0" :: "m"(mx));
	__asm__ volatile("fldcw %0" :: "m"(fcw));

	/* Registers survive a handler; a handler's edits become real. */
	uint64_t r[6];
	__asm__ volatile(
		"mov $0x1111, %%rbx\n\tmov $0x2222, %%r12\n\t"
		"mov $0x3333, %%r13\n\t"
		"mov $62, %%eax\n\t"		/* kill(getpid(), SIGUSR1) */
		"mov %[pid], %%edi\n\t"
		"mov $10, %%esi\n\t"
		"cmp %%eax, %%eax\n\t"		/* ZF=1, CF=0 */
		"syscall\n\t"
		"setc %%cl\n\tsetz %%dl\n\t"
		"movzbl %%cl, %%ecx\n\tmovzbl %%dl, %%edx\n\t"
		"mov %%rbx, 0(%[r])\n\tmov %%r12, 8(%[r])\n\t"
		"mov %%r13, 16(%[r])\n\tmov %%rax, 24(%[r])\n\t"
		"mov %%rcx, 32(%[r])\n\tmov %%rdx, 40(%[r])\n\t"
		:: [r] "r"(r), [pid] "r"(getpid())
		: "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "r11", "r12", "r13",
		  "memory");
	printf("plain: rbx %#llx r12 %#llx r13 %#llx rax %lld cf %llu zf %llu\n",
	       (unsigned long long)r[0], (unsigned long long)r[1],
	       (unsigned long long)r[2], (long long)r[3],
	       (unsigned long long)r[4], (unsigned long long)r[5]);
	modify = 1;
	__asm__ volatile(
		"mov $0x1111, %%rbx\n\tmov $0x2222, %%r12\n\t"
		"mov $0x3333, %%r13\n\t"
		"mov $62, %%eax\n\t"
		"mov %[pid], %%edi\n\t"
		"mov $10, %%esi\n\t"
		"cmp %%eax, %%eax\n\t"
		"syscall\n\t"
		"setc %%cl\n\tsetz %%dl\n\t"
		"movzbl %%cl, %%ecx\n\tmovzbl %%dl, %%edx\n\t"
		"mov %%rbx, 0(%[r])\n\tmov %%r12, 8(%[r])\n\t"
		"mov %%r13, 16(%[r])\n\tmov %%rax, 24(%[r])\n\t"
		"mov %%rcx, 32(%[r])\n\tmov %%rdx, 40(%[r])\n\t"
		:: [r] "r"(r), [pid] "r"(getpid())
		: "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "r11", "r12", "r13",
		  "memory");
	printf("edited: rbx %#llx r12 %#llx r13 %#llx rax %lld cf %llu zf %llu\n",
	       (unsigned long long)r[0], (unsigned long long)r[1],
	       (unsigned long long)r[2], (long long)r[3],
	       (unsigned long long)r[4], (unsigned long long)r[5]);
	(void)v2;
	return 0;
}
