/*
 * signals_overflow.c - unbounded recursion with a SIGSEGV handler but no
 * alternate stack: Linux cannot write the signal frame on the exhausted
 * stack, so the process is killed by SIGSEGV (a shell sees 139) without
 * the handler ever running.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <string.h>
#include <unistd.h>

static void say(const char *s)
{
	ssize_t r = write(1, s, strlen(s));
	(void)r;
}

static void on_segv(int sig)
{
	(void)sig;
	say("handler ran (wrong)\n");
	_exit(3);
}

static volatile int stop_never;

static unsigned long recurse(unsigned long n)
{
	volatile char pad[256];
	pad[0] = (char)n;
	if (stop_never)
		return n;
	return recurse(n + 1) + pad[0];
}

int main(void)
{
	signal(SIGSEGV, on_segv);
	say("recursing\n");
	recurse(0);
	say("not reached\n");
	return 0;
}
