/*
 * signals_wait.c - waiting for signals: sigsuspend, sigtimedwait,
 * sigwaitinfo, and siglongjmp out of a handler.
 *
 * Checks: sigsuspend with a mask that lets a pending signal through runs
 * its handler, returns -1/EINTR, and leaves the original mask in place;
 * the handler sees sigsuspend's mask plus its own signal; the frame saves
 * rax = -EINTR (seen by the handler in uc_mcontext); sigtimedwait takes a
 * blocked pending signal (lowest synchronous first) with its siginfo
 * without running the handler, returns EAGAIN after a zero or short
 * timeout and EINVAL for a bad timeout; sigsetjmp/siglongjmp out of a
 * handler restores the signal mask with savemask 1 and leaves the
 * handler's mask with savemask 0.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

static volatile int handled;
static long saved_rax;
static int usr2_blocked_in_handler, usr1_blocked_in_handler;

static void handler(int sig, siginfo_t *si, void *uv)
{
	ucontext_t *uc = uv;
	sigset_t cur;
	(void)si;
	handled = sig;
	saved_rax = (long)uc->uc_mcontext.gregs[REG_RAX];
	sigprocmask(SIG_BLOCK, NULL, &cur);
	usr1_blocked_in_handler = sigismember(&cur, SIGUSR1);
	usr2_blocked_in_handler = sigismember(&cur, SIGUSR2);
}

static sigjmp_buf jb;
static void jump_handler(int sig)
{
	siglongjmp(jb, sig);
}

static int blocked(int sig)
{
	sigset_t cur;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	return sigismember(&cur, sig);
}

int main(void)
{
	struct sigaction sa;
	sigset_t block, waitmask, old;
	siginfo_t si;
	struct timespec ts;
	int r, e;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGUSR2);
	sigprocmask(SIG_BLOCK, &block, &old);
	raise(SIGUSR1);
	printf("pending, handled %d\n", handled);

	sigemptyset(&waitmask);
	sigaddset(&waitmask, SIGUSR2);
	errno = 0;
	r = sigsuspend(&waitmask);
	e = errno;
	printf("sigsuspend %d errno %d handled %d saved_rax %ld "
	       "in handler usr1 %d usr2 %d\n", r, e, handled, saved_rax,
	       usr1_blocked_in_handler, usr2_blocked_in_handler);
	printf("after: usr1 blocked %d usr2 blocked %d\n", blocked(SIGUSR1),
	       blocked(SIGUSR2));

	/* sigtimedwait takes the signal without running the handler */
	handled = 0;
	raise(SIGUSR2);
	raise(SIGUSR1);
	ts.tv_sec = 0;
	ts.tv_nsec = 0;
	r = sigtimedwait(&block, &si, &ts);
	printf("sigtimedwait %d code %d pid_ok %d handled %d\n", r,
	       si.si_code, si.si_pid == getpid(), handled);
	r = sigwaitinfo(&block, &si);
	printf("sigwaitinfo %d code %d\n", r, si.si_code);
	errno = 0;
	r = sigtimedwait(&block, &si, &ts);
	e = errno;
	printf("empty, zero timeout %d errno %d\n", r, e);
	ts.tv_nsec = 20 * 1000 * 1000;
	errno = 0;
	r = sigtimedwait(&block, &si, &ts);
	e = errno;
	printf("empty, 20ms timeout %d errno %d\n", r, e);
	ts.tv_nsec = 2000000000;
	errno = 0;
	r = sigtimedwait(&block, &si, &ts);
	e = errno;
	printf("bad timeout %d errno %d\n", r, e);
	sigprocmask(SIG_SETMASK, &old, NULL);

	/* siglongjmp out of a handler */
	signal(SIGUSR1, jump_handler);
	r = sigsetjmp(jb, 1);
	if (r == 0)
		raise(SIGUSR1);
	printf("savemask 1: jumped %d, usr1 blocked %d\n", r, blocked(SIGUSR1));
	r = sigsetjmp(jb, 0);
	if (r == 0)
		raise(SIGUSR1);
	printf("savemask 0: jumped %d, usr1 blocked %d\n", r, blocked(SIGUSR1));
	return 0;
}
