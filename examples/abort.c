/*
 * abort.c - an assertion that fails.
 *
 * Shows: assert() prints its message to stderr and calls abort(), which
 * raises SIGABRT.  Under rewind the guest dies of the same signal (exit
 * status 134 = 128 + 6) after printing the same message.
 */
#include <assert.h>
#include <stdio.h>

static int balance(const int *moves, int n)
{
	int b = 0;
	for (int i = 0; i < n; i++)
		b += moves[i];
	return b;
}

int main(void)
{
	int moves[] = { 10, -3, -4, -5 };
	int b = balance(moves, 4);

	printf("balance is %d\n", b);
	fflush(stdout);
	assert(b >= 0 && "balance must never go negative");
	printf("not reached\n");
	return 0;
}
