/*
 * sigpipe.c - writing to a pipe without readers: SIGPIPE to a handler,
 * EPIPE when ignored, and death by SIGPIPE (exit 141) by default.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t got;

static void on_pipe(int sig)
{
	(void)sig;
	got++;
}

int main(void)
{
	int fd[2];
	if (pipe(fd))
		return 1;
	close(fd[0]);
	signal(SIGPIPE, on_pipe);
	long r = write(fd[1], "x", 1);
	printf("handled: r=%ld errno=%s handler ran %d\n", r, strerror(errno),
	       (int)got);
	signal(SIGPIPE, SIG_IGN);
	r = write(fd[1], "x", 1);
	printf("ignored: r=%ld errno=%s\n", r, strerror(errno));
	fflush(stdout);
	signal(SIGPIPE, SIG_DFL);
	r = write(fd[1], "x", 1);
	printf("not reached: %ld\n", r);
	return 0;
}
