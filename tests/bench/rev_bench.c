/*
 * rev_bench.c - phases of integer work separated by calls to
 * checkpoint(), for measuring reverse execution: a breakpoint on
 * checkpoint() set at the end is hit last about 10^8 instructions back
 * (at BENCH_SCALE 1), and going back to it is compared with executing
 * those instructions forwards.
 *
 * Usage: rev_bench [SCALE]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

volatile uint64_t sink;

__attribute__((noinline)) void checkpoint(int phase)
{
	sink += (uint64_t)phase;
}

/* About 10^8 instructions per phase at scale 1. */
static uint64_t phase_work(uint64_t seed, long scale)
{
	uint64_t x = seed | 1, acc = 0;
	for (long i = 0; i < scale * 12500000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		acc += x & 0xffff;
	}
	return acc;
}

int main(int argc, char **argv)
{
	long scale = argc > 1 ? atol(argv[1]) : 1;
	uint64_t sum = 0;
	for (int phase = 0; phase < 4; phase++) {
		checkpoint(phase);
		sum += phase_work((uint64_t)phase * 7919, scale);
	}
	printf("rev_bench scale %ld sum %016llx\n", scale,
	       (unsigned long long)sum);
	return 0;
}
