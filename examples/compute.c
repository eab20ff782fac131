/*
 * compute.c - integer work: a prime sieve, Collatz sequences, hashing and a
 * little 128-bit arithmetic.
 *
 * Shows: a CPU-bound program gives bit-identical results under rewind.
 * Every section prints a checksum; compare the output of a native run with
 * `build/rewind run -- build/examples/compute.glibc`.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIEVE_MAX 200000

static unsigned sieve_count(uint64_t *sum)
{
	static unsigned char composite[SIEVE_MAX + 1];
	unsigned count = 0;

	memset(composite, 0, sizeof(composite));
	*sum = 0;
	for (unsigned i = 2; i <= SIEVE_MAX; i++) {
		if (composite[i])
			continue;
		count++;
		*sum += i;
		for (unsigned j = i * 2; j <= SIEVE_MAX; j += i)
			composite[j] = 1;
	}
	return count;
}

/* The start below LIMIT with the longest Collatz sequence. */
static uint64_t collatz_longest(uint64_t limit, unsigned *steps_out)
{
	uint64_t best = 1;
	unsigned best_steps = 0;

	for (uint64_t n = 1; n < limit; n++) {
		uint64_t x = n;
		unsigned steps = 0;
		while (x != 1) {
			x = (x & 1) ? 3 * x + 1 : x / 2;
			steps++;
		}
		if (steps > best_steps) {
			best_steps = steps;
			best = n;
		}
	}
	*steps_out = best_steps;
	return best;
}

static uint64_t fnv1a(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static uint32_t crc32(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	uint32_t crc = 0xffffffffu;

	for (size_t i = 0; i < len; i++) {
		crc ^= p[i];
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
	}
	return ~crc;
}

/* xorshift64*: a deterministic pseudo-random stream. */
static uint64_t rng_state = 88172645463325252ULL;
static uint64_t rng_next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

static uint64_t gcd(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

int main(void)
{
	uint64_t sum;
	unsigned count = sieve_count(&sum);
	printf("primes below %d: %u, sum %llu\n", SIEVE_MAX, count,
	       (unsigned long long)sum);

	unsigned steps;
	uint64_t start = collatz_longest(100000, &steps);
	printf("longest collatz below 100000: %llu (%u steps)\n",
	       (unsigned long long)start, steps);

	static unsigned char data[1 << 16];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)rng_next();
	printf("fnv1a(64 KiB) = %016llx\n",
	       (unsigned long long)fnv1a(data, sizeof(data)));
	printf("crc32(64 KiB) = %08x\n", crc32(data, sizeof(data)));

	/* Signed division, 128-bit products, shifts and rotates. */
	int64_t sdiv = 0;
	unsigned __int128 wide = 0;
	uint64_t g = 0, rot = 0x0123456789abcdefULL;
	for (int i = 0; i < 20000; i++) {
		int64_t a = (int64_t)rng_next(), b = (int64_t)(rng_next() >> 40) + 1;
		if (i & 1)
			b = -b;
		sdiv += a / b + a % b;
		wide += (unsigned __int128)rng_next() * rng_next();
		g += gcd(rng_next() >> 20, (rng_next() >> 20) + 1);
		rot = (rot << 13 | rot >> 51) ^ (uint64_t)i;
	}
	printf("signed div/mod sum = %lld\n", (long long)sdiv);
	printf("128-bit sum = %016llx%016llx\n",
	       (unsigned long long)(wide >> 64), (unsigned long long)wide);
	printf("gcd sum = %llu, rotate = %016llx\n", (unsigned long long)g,
	       (unsigned long long)rot);
	printf("popcount/clz/ctz = %d %d %d\n", __builtin_popcountll(rot),
	       __builtin_clzll(rot | 1), __builtin_ctzll(rot | (1ULL << 63)));
	return 0;
}
