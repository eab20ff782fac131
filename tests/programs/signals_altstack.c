/*
 * signals_altstack.c - sigaltstack and a stack overflow caught on it.
 *
 * Checks: the initial state (SS_DISABLE), -ENOMEM below MINSIGSTKSZ,
 * -EINVAL for bad flags, the frame's uc_stack (the raw settings), that an
 * SA_ONSTACK handler runs on the altstack and sees SS_ONSTACK, -EPERM when
 * changing the altstack while on it, that a handler without SA_ONSTACK
 * stays on the normal stack, SS_AUTODISARM (the altstack disarmed while the
 * handler runs, rearmed by rt_sigreturn), and that unbounded recursion is
 * caught by a SIGSEGV handler on the altstack, which siglongjmps out; the
 * altstack is usable again afterwards.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31)
#endif
#define ALT_SIZE (64 * 1024)
static char *alt;
static sigjmp_buf jb;

static int on_alt(void *p)
{
	return (char *)p >= alt && (char *)p < alt + ALT_SIZE;
}

static void usr_handler(int sig, siginfo_t *si, void *uv)
{
	ucontext_t *uc = uv;
	stack_t cur, ns;
	int local;
	(void)si;
	sigaltstack(NULL, &cur);
	memset(&ns, 0, sizeof(ns));
	ns.ss_flags = SS_DISABLE;
	errno = 0;
	int r = sigaltstack(&ns, NULL);
	int e = errno;
	printf("sig %d on_alt %d frame ss_flags %d ss_size_ok %d ss_sp_ok %d "
	       "now flags %d change %d errno %d\n",
	       sig, on_alt(&local), uc->uc_stack.ss_flags,
	       uc->uc_stack.ss_size == ALT_SIZE, uc->uc_stack.ss_sp == alt,
	       cur.ss_flags, r, e);
	if (r == 0) {
		/* Changed from outside the altstack: put it back. */
		ns.ss_sp = alt;
		ns.ss_size = ALT_SIZE;
		ns.ss_flags = 0;
		sigaltstack(&ns, NULL);
	}
}

static volatile unsigned long depth;
static volatile int stop_never;

static void segv_handler(int sig, siginfo_t *si, void *uv)
{
	int local;
	(void)uv;
	printf("segv sig %d code %d on_alt %d deep %d\n", sig, si->si_code,
	       on_alt(&local), depth > 1000);
	siglongjmp(jb, 1);
}

static unsigned long recurse(unsigned long n)
{
	volatile char pad[512];
	pad[0] = (char)n;
	depth = n;
	if (stop_never)
		return n;
	return recurse(n + 1) + pad[0];
}

int main(void)
{
	stack_t ss, old;
	struct sigaction sa;
	int r, e;

	sigaltstack(NULL, &old);
	printf("initial flags %d size %zu\n", old.ss_flags, old.ss_size);

	alt = malloc(ALT_SIZE);
	ss.ss_sp = alt;
	ss.ss_size = 1024;
	ss.ss_flags = 0;
	errno = 0;
	r = sigaltstack(&ss, NULL);
	e = errno;
	printf("small %d errno %d\n", r, e);
	ss.ss_size = ALT_SIZE;
	ss.ss_flags = 4;
	errno = 0;
	r = sigaltstack(&ss, NULL);
	e = errno;
	printf("bad flags %d errno %d\n", r, e);
	ss.ss_flags = 0;
	printf("set %d\n", sigaltstack(&ss, NULL));
	sigaltstack(NULL, &old);
	printf("query flags %d size_ok %d\n", old.ss_flags,
	       old.ss_size == ALT_SIZE);

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = usr_handler;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR2, &sa, NULL);
	raise(SIGUSR1);
	raise(SIGUSR2);

	/* SS_AUTODISARM */
	ss.ss_flags = SS_AUTODISARM;
	printf("autodisarm set %d\n", sigaltstack(&ss, NULL));
	raise(SIGUSR1);
	sigaltstack(NULL, &old);
	printf("after autodisarm flags %#x\n", (unsigned)old.ss_flags);
	ss.ss_flags = 0;
	sigaltstack(&ss, NULL);

	sa.sa_sigaction = segv_handler;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigaction(SIGSEGV, &sa, NULL);
	for (int i = 0; i < 2; i++) {
		if (sigsetjmp(jb, 1) == 0)
			recurse(0);
		sigaltstack(NULL, &old);
		printf("back %d, altstack flags %d\n", i, old.ss_flags);
	}
	raise(SIGUSR1);
	return 0;
}
