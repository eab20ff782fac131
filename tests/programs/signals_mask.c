/*
 * signals_mask.c - sending signals to oneself, masks and dispositions.
 *
 * Checks: kill/tgkill/tkill siginfo (SI_USER vs SI_TKILL, si_pid, si_uid);
 * signal 0 as an existence check; -ESRCH for other pids and tids, -EINVAL
 * for bad signal numbers; rt_sigaction refusing SIGKILL/SIGSTOP and a bad
 * sigsetsize, and dropping unknown flag bits; a blocked signal stays
 * pending (rt_sigpending), is delivered before sigprocmask returns when
 * unblocked, and only once; several pending signals unblocked together are
 * delivered lowest first, each later frame nested on the previous
 * handler's entry so the highest runs first; sa_mask and the automatic
 * blocking of the running signal; SA_NODEFER letting a handler interrupt
 * itself; SA_RESETHAND going back to SIG_DFL; SIG_IGN discarding, and
 * setting SIG_IGN dropping an already pending signal; SIGKILL/SIGSTOP
 * never blocked; the mask seen inside a handler and restored after it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static char log_buf[4096];
static size_t log_len;

static void note(const char *s)
{
	size_t n = strlen(s);
	if (log_len + n + 1 < sizeof(log_buf)) {
		memcpy(log_buf + log_len, s, n);
		log_len += n;
		log_buf[log_len++] = ' ';
		log_buf[log_len] = 0;
	}
}

static void flush_log(const char *title)
{
	printf("%s: %s\n", title, log_buf);
	log_len = 0;
	log_buf[0] = 0;
}

static int blocked_now(int sig)
{
	sigset_t cur;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	return sigismember(&cur, sig);
}

static void info_handler(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	printf("sig %d code %d pid_ok %d uid_ok %d self_blocked %d\n", sig,
	       si->si_code, si->si_pid == getpid(), si->si_uid == getuid(),
	       blocked_now(sig));
}

static int depth;
static void nest_handler(int sig)
{
	char b[32];
	snprintf(b, sizeof(b), "in%d", sig);
	note(b);
	if (sig == SIGUSR1 && depth++ < 2)
		raise(SIGUSR1);
	snprintf(b, sizeof(b), "out%d", sig);
	note(b);
}

static void plain_handler(int sig)
{
	char b[32];
	snprintf(b, sizeof(b), "h%d", sig);
	note(b);
}

static void set(int sig, void (*h)(int), int flags, int masked)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = h;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	if (masked)
		sigaddset(&sa.sa_mask, masked);
	sigaction(sig, &sa, NULL);
}

int main(void)
{
	struct sigaction sa;
	sigset_t s, old, pend;
	long r;
	int e;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = info_handler;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);

	/* siginfo of the different senders */
	kill(getpid(), SIGUSR1);
	syscall(SYS_tgkill, getpid(), (int)syscall(SYS_gettid), SIGUSR1);
	syscall(SYS_tkill, (int)syscall(SYS_gettid), SIGUSR1);
	raise(SIGUSR1);

	/* errors */
	errno = 0;
	r = (long)(kill(getpid(), 0));
	e = errno;
	printf("kill sig0 %ld errno %d\n", r, e);
	errno = 0;
	r = (long)(kill(getpid(), 65));
	e = errno;
	printf("kill badsig %ld errno %d\n", r, e);
	errno = 0;
	r = (long)(kill(getpid(), -1));
	e = errno;
	printf("kill neg %ld errno %d\n", r, e);
	errno = 0;
	r = (long)(kill(0x3ffffff0, SIGUSR1));
	e = errno;
	printf("kill other %ld errno %d\n", r, e);
	errno = 0;
	r = (long)(syscall(SYS_tgkill, getpid(), 0x3ffffff0, SIGUSR1));
	e = errno;
	printf("tgkill other tid %ld errno %d\n", r, e);
	errno = 0;
	r = (long)(syscall(SYS_tgkill, getpid(), 0, SIGUSR1));
	e = errno;
	printf("tgkill zero tid %ld errno %d\n", r, e);
	errno = 0;
	r = (long)(syscall(SYS_tkill, (int)syscall(SYS_gettid), 99));
	e = errno;
	printf("tkill badsig %ld errno %d\n", r, e);

	uint64_t kact[4] = { (uint64_t)(uintptr_t)SIG_IGN, 0, 0, 0 }, kold[4];
	errno = 0;
	r = (long)(syscall(SYS_rt_sigaction, SIGKILL, kact, NULL, 8));
	e = errno;
	printf("sigaction SIGKILL %ld errno %d\n", r, e);
	errno = 0;
	r = (long)(syscall(SYS_rt_sigaction, SIGSTOP, kact, NULL, 8));
	e = errno;
	printf("sigaction SIGSTOP %ld errno %d\n", r, e);
	errno = 0;
	r = (long)(syscall(SYS_rt_sigaction, SIGKILL, NULL, kold, 8));
	e = errno;
	printf("query SIGKILL %ld errno %d handler %llu\n", r, e, (unsigned long long)kold[0]);
	errno = 0;
	r = (long)(syscall(SYS_rt_sigaction, SIGUSR2, kact, NULL, 4));
	e = errno;
	printf("sigaction size4 %ld errno %d\n", r, e);
	errno = 0;
	r = (long)(syscall(SYS_rt_sigaction, 0, NULL, kold, 8));
	e = errno;
	printf("sigaction sig0 %ld errno %d\n", r, e);
	errno = 0;
	r = (long)(syscall(SYS_rt_sigaction, 65, NULL, kold, 8));
	e = errno;
	printf("sigaction sig65 %ld errno %d\n", r, e);
	errno = 0;
	r = (long)(syscall(SYS_rt_sigaction, SIGUSR2, (void *)8, NULL, 8));
	e = errno;
	printf("sigaction efault %ld errno %d\n", r, e);
	kact[1] = 0x00f00000 | 0x10000000 | 0x400;	/* junk | SA_RESTART */
	kact[3] = ~0ULL;
	syscall(SYS_rt_sigaction, SIGUSR2, kact, NULL, 8);
	syscall(SYS_rt_sigaction, SIGUSR2, NULL, kold, 8);
	printf("flags kept %#llx mask %#llx\n", (unsigned long long)kold[1],
	       (unsigned long long)kold[3]);
	errno = 0;
	r = (long)(syscall(SYS_rt_sigprocmask, 7, kact, NULL, 8));
	e = errno;
	printf("sigprocmask badhow %ld errno %d\n", r, e);
	errno = 0;
	r = (long)(syscall(SYS_rt_sigprocmask, 7, NULL, kold, 8));
	e = errno;
	printf("sigprocmask badhow noset %ld errno %d\n", r, e);
	errno = 0;
	r = (long)(syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, kold, 16));
	e = errno;
	printf("sigprocmask size %ld errno %d\n", r, e);
	errno = 0;
	r = (long)(syscall(SYS_rt_sigpending, kold, 16));
	e = errno;
	printf("sigpending size %ld errno %d\n", r, e);

	/* SIGKILL and SIGSTOP cannot be blocked */
	sigfillset(&s);
	sigprocmask(SIG_SETMASK, &s, &old);
	sigprocmask(SIG_SETMASK, &old, &s);
	printf("fill: kill %d stop %d usr1 %d rtmax %d\n",
	       sigismember(&s, SIGKILL), sigismember(&s, SIGSTOP),
	       sigismember(&s, SIGUSR1), sigismember(&s, SIGRTMAX));

	/* blocked -> pending -> delivered once on unblock */
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	sigprocmask(SIG_BLOCK, &s, &old);
	raise(SIGUSR1);
	raise(SIGUSR1);
	sigpending(&pend);
	printf("pending usr1 %d usr2 %d\n", sigismember(&pend, SIGUSR1),
	       sigismember(&pend, SIGUSR2));
	printf("unblock...\n");
	sigprocmask(SIG_SETMASK, &old, NULL);
	printf("unblocked\n");
	sigpending(&pend);
	printf("pending usr1 %d\n", sigismember(&pend, SIGUSR1));

	/* several at once: lowest first, nested */
	set(SIGUSR1, plain_handler, 0, 0);
	set(SIGUSR2, plain_handler, 0, 0);
	set(SIGHUP, plain_handler, 0, 0);
	set(SIGRTMIN + 1, plain_handler, 0, 0);
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	sigaddset(&s, SIGUSR2);
	sigaddset(&s, SIGHUP);
	sigaddset(&s, SIGRTMIN + 1);
	sigprocmask(SIG_BLOCK, &s, &old);
	raise(SIGRTMIN + 1);
	raise(SIGUSR2);
	raise(SIGHUP);
	raise(SIGUSR1);
	sigprocmask(SIG_SETMASK, &old, NULL);
	flush_log("order");

	/* same, with SIGHUP's sa_mask holding back SIGUSR2 */
	set(SIGHUP, plain_handler, 0, SIGUSR2);
	sigprocmask(SIG_BLOCK, &s, &old);
	raise(SIGUSR2);
	raise(SIGHUP);
	sigprocmask(SIG_SETMASK, &old, NULL);
	flush_log("sa_mask");

	/* a handler raising its own signal: deferred without SA_NODEFER */
	depth = 0;
	set(SIGUSR1, nest_handler, 0, 0);
	raise(SIGUSR1);
	flush_log("defer");
	depth = 0;
	set(SIGUSR1, nest_handler, SA_NODEFER, 0);
	raise(SIGUSR1);
	flush_log("nodefer");

	/* SA_RESETHAND */
	set(SIGUSR2, plain_handler, SA_RESETHAND, 0);
	raise(SIGUSR2);
	sigaction(SIGUSR2, NULL, &sa);
	flush_log("resethand");
	printf("after resethand: dfl %d\n", sa.sa_handler == SIG_DFL);

	/* SIG_IGN */
	signal(SIGUSR2, SIG_IGN);
	raise(SIGUSR2);
	printf("ignored usr2 survived\n");
	sigprocmask(SIG_BLOCK, &s, &old);
	signal(SIGUSR2, plain_handler);
	raise(SIGUSR2);
	sigpending(&pend);
	printf("pending usr2 %d\n", sigismember(&pend, SIGUSR2));
	signal(SIGUSR2, SIG_IGN);
	sigpending(&pend);
	printf("pending usr2 after SIG_IGN %d\n", sigismember(&pend, SIGUSR2));
	signal(SIGUSR2, plain_handler);
	sigprocmask(SIG_SETMASK, &old, NULL);
	flush_log("ign");

	/* ignored while blocked stays pending until unblocked, then dropped */
	signal(SIGCHLD, SIG_DFL);
	raise(SIGCHLD);
	raise(SIGURG);
	raise(SIGWINCH);
	printf("default-ignore signals survived\n");
	return 0;
}
