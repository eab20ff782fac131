/*
 * hello.c - the smallest thing to try under rewind.
 *
 * Shows: argv and the environment reach the guest unchanged, stdout and
 * stderr are the real ones, and the exit status is the program's own.
 *
 *   build/rewind run -- build/examples/hello.glibc one "two words" 3
 *
 * prints its arguments, the value of $GREETING (or a default), and exits
 * with the number given as the last argument (0 when it is not a number).
 */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	const char *greeting = getenv("GREETING");
	char *end;
	long code = 0;

	printf("hello from %s\n", argv[0]);
	printf("argc = %d\n", argc);
	for (int i = 1; i < argc; i++)
		printf("argv[%d] = \"%s\"\n", i, argv[i]);
	printf("GREETING = %s\n", greeting ? greeting : "(not set)");

	if (argc > 1) {
		code = strtol(argv[argc - 1], &end, 10);
		if (*end != '\0' || end == argv[argc - 1])
			code = 0;
	}
	fprintf(stderr, "exiting with status %ld\n", code);
	return (int)(code & 0xff);
}
