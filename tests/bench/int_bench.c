/*
 * int_bench.c - integer ALU loops: arithmetic, shifts, multiplies,
 * divisions, compares and branches on registers and a small array.
 *
 * Usage: int_bench [SCALE]   (work grows linearly with SCALE, default 1)
 * Prints a checksum, so that a run under rewind can be checked too.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	long scale = argc > 1 ? atol(argv[1]) : 1;
	uint64_t x = 1, acc = 0;
	uint32_t table[256];

	for (int i = 0; i < 256; i++)
		table[i] = (uint32_t)i * 2654435761u;
	for (long r = 0; r < scale * 100; r++) {
		for (uint32_t i = 0; i < 1000000; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			acc += (x & 0xff) * table[(x >> 8) & 0xff];
			if ((x & 3) == 0)
				acc ^= acc >> 3;
			else
				acc += i;
			if ((i & 63) == 0)
				acc += x / ((i | 1) + 0u);
			table[i & 0xff] += (uint32_t)acc;
		}
	}
	printf("int_bench scale %ld checksum %016llx\n", scale,
	       (unsigned long long)acc);
	return 0;
}
