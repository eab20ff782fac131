/*
 * filter.c - a stdin to stdout filter.
 *
 *   printf 'hello world\nbye\n' | build/rewind run -- build/examples/filter.musl
 *
 * Copies standard input to standard output in upper case, then prints the
 * number of lines, words and bytes to standard error, like `wc`.
 *
 * Shows: reading a pipe or file until end of input, buffered output, and
 * that what the guest reads from stdin is exactly what it was given.
 */
#include <ctype.h>
#include <stdio.h>

int main(void)
{
	long lines = 0, words = 0, bytes = 0;
	int c, in_word = 0;

	while ((c = getchar()) != EOF) {
		bytes++;
		if (c == '\n')
			lines++;
		if (isspace(c)) {
			in_word = 0;
		} else if (!in_word) {
			in_word = 1;
			words++;
		}
		putchar(toupper(c));
	}
	if (ferror(stdin)) {
		perror("filter: read");
		return 1;
	}
	fflush(stdout);
	fprintf(stderr, "%ld lines, %ld words, %ld bytes\n", lines, words, bytes);
	return 0;
}
