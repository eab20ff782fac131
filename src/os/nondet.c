/*
 * nondet.c - values of the instructions that read the outside world.
 *
 * They come from the host (rdtsc from the host's time stamp counter,
 * rdrand/rdseed from getrandom(2)); while recording, the journal keeps
 * rdtsc's value and replay feeds it back.  rdrand/rdseed are outside every
 * CPU model, so no guest reaches nondet_rdrand today.
 */
#include <string.h>
#include <sys/random.h>
#include <x86intrin.h>

#include "os/journal.h"
#include "os/nondet.h"
#include "os/proc.h"

uint64_t nondet_rdtsc(struct cpu *c)
{
	struct proc *p = c->proc;
	if (p && p->journal)
		return journal_rdtsc(p, c, __rdtsc());
	return __rdtsc();
}

/* width is 2, 4 or 8 bytes.  A failed getrandom reports "no value" (CF=0,
 * result 0), which is what rdrand does when its entropy runs out. */
int nondet_rdrand(struct cpu *c, int width, uint64_t *out)
{
	uint64_t v = 0;
	(void)c;
	if (width < 1 || width > 8 ||
	    getrandom(&v, (size_t)width, 0) != (ssize_t)width) {
		*out = 0;
		return 0;
	}
	*out = v;
	return 1;
}
