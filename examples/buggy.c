/*
 * buggy.c - memory corruption that crashes far from its cause.
 *
 * clear_counts() has an off-by-one: it clears one bucket more than the
 * histogram has, and so zeroes the pointer stored right after the array.
 * Nothing goes wrong at that moment.  The program counts, prints a
 * histogram, and only crashes later, in report(), when it follows the
 * pointer the bad write destroyed.
 *
 * Shows: the kind of bug reverse debugging is for.  The crash is
 * deterministic (same output, SIGSEGV, exit status 139 every time); with a
 * recording one can stop at the crash, `watch -l st->total` and
 * `reverse-continue` straight to the bad write in clear_counts().
 */
#include <stdio.h>

#define NBUCKETS 10		/* 0-9, 10-19, ..., 90-100 */

struct stats {
	long count[NBUCKETS];
	long *total;		/* where report() adds this class's sum */
	long sum;
};

static const int scores[] = { 55, 72, 91, 100, 38, 64, 77, 100, 83, 49,
			      66, 70, 95, 12, 88 };

/* Kept out of line, as it would be in a larger program, so that the
 * compiler does not see (and warn about) the overflow. */
__attribute__((noinline)) static void clear_counts(long *count, int n)
{
	for (int i = 0; i <= n; i++)	/* the bug: <= instead of < */
		count[i] = 0;
}

static void count_scores(struct stats *st, const int *s, int n)
{
	for (int i = 0; i < n; i++) {
		int b = s[i] / 10;
		st->count[b < NBUCKETS ? b : NBUCKETS - 1]++;
		st->sum += s[i];
	}
}

static void report(const struct stats *st)
{
	for (int b = 0; b < NBUCKETS; b++)
		printf("%3d-%-3d %.*s\n", b * 10, b == NBUCKETS - 1 ? 100 : b * 10 + 9,
		       (int)st->count[b], "##########");
	printf("class sum %ld\n", st->sum);
	fflush(stdout);
	*st->total += st->sum;	/* crashes: total was zeroed long ago */
}

int main(void)
{
	static long grand_total;
	struct stats st = { { 0 }, &grand_total, 0 };
	int n = (int)(sizeof(scores) / sizeof(scores[0]));

	printf("%d scores\n", n);
	clear_counts(st.count, NBUCKETS);
	count_scores(&st, scores, n);
	report(&st);
	printf("grand total %ld\n", grand_total);
	return 0;
}
