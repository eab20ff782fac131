/*
 * crash.c - a write through a wild pointer.
 *
 * Shows: a guest fault becomes a guest signal.  The program prints a line,
 * then stores through a pointer it computed wrongly; Linux kills it with
 * SIGSEGV, and so does rewind, so both report exit status 139 (128 + 11)
 * and nothing of the VM itself is touched.
 */
#include <stdio.h>
#include <stdlib.h>

struct record {
	int id;
	struct record *next;
};

static int total(struct record *r)
{
	int sum = 0;
	for (; r; r = r->next)
		sum += r->id;
	return sum;
}

int main(int argc, char **argv)
{
	(void)argv;
	struct record c = { 3, NULL }, b = { 2, &c }, a = { 1, &b };

	printf("sum of ids: %d\n", total(&a));
	fflush(stdout);

	/* The bug: an integer used as a pointer.  With no arguments it is 0,
	 * so this is the classic NULL dereference. */
	struct record *wild = (struct record *)(long)(argc - 1);
	wild->id = 42;

	printf("not reached\n");
	return 0;
}
