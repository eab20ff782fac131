/*
 * signals_abort.c - abort() ends the process with SIGABRT (a shell sees
 * 134) even though a SIGABRT handler is installed and returns, and even
 * with SIGABRT blocked: the C library unblocks it, runs the handler once,
 * then restores SIG_DFL and raises it again.  Output goes through write()
 * so nothing waits in a stdio buffer.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void say(const char *s)
{
	ssize_t r = write(1, s, strlen(s));
	(void)r;
}

static void on_abrt(int sig)
{
	(void)sig;
	say("SIGABRT handler ran\n");
}

int main(void)
{
	sigset_t s;
	signal(SIGABRT, on_abrt);
	sigemptyset(&s);
	sigaddset(&s, SIGABRT);
	sigprocmask(SIG_BLOCK, &s, NULL);
	say("calling abort\n");
	abort();
	say("abort returned\n");
	return 0;
}
