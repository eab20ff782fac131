/*
 * timerand.c - everything a program can read that differs between runs.
 *
 * Reads the clocks (clock_gettime REALTIME and MONOTONIC, time(),
 * gettimeofday), the random sources (getrandom, AT_RANDOM from the auxv),
 * the time stamp counter (rdtsc) and its process id, and prints them in a
 * fixed format.  The values change from run to run; the format does not,
 * so tests compare the output with every number masked.  A few facts that
 * must hold whatever the values are printed as yes/no and are compared
 * exactly.
 *
 * Shows: the inputs rewind will journal when it records, so that a replay
 * sees the same values again.
 */
#include <stdint.h>
#include <stdio.h>
#include <sys/auxv.h>
#include <sys/random.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static const char *yes(int cond)
{
	return cond ? "yes" : "no";
}

int main(void)
{
	struct timespec rt, mono1, mono2;
	struct timeval tv;
	unsigned char rnd[16];

	uint64_t tsc1 = rdtsc();
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mono1);
	time_t t = time(NULL);
	gettimeofday(&tv, NULL);
	ssize_t got = getrandom(rnd, sizeof(rnd), 0);
	clock_gettime(CLOCK_MONOTONIC, &mono2);
	uint64_t tsc2 = rdtsc();

	printf("realtime    %lld.%09ld\n", (long long)rt.tv_sec, rt.tv_nsec);
	printf("monotonic   %lld.%09ld\n", (long long)mono1.tv_sec, mono1.tv_nsec);
	printf("time()      %lld\n", (long long)t);
	printf("timeofday   %lld.%06ld\n", (long long)tv.tv_sec, (long)tv.tv_usec);
	printf("rdtsc       %llu\n", (unsigned long long)tsc1);
	printf("pid         %d\n", (int)getpid());
	printf("getrandom   %zd bytes:", got);
	for (int i = 0; i < 4; i++) {
		uint32_t w;
		__builtin_memcpy(&w, rnd + 4 * i, 4);
		printf(" %u", w);
	}
	printf("\n");
	const unsigned char *at_random = (const unsigned char *)getauxval(AT_RANDOM);
	printf("AT_RANDOM   %s\n", at_random ? "present" : "missing");

	/* Facts that hold in any correct run.  time() may read the coarse
	 * clock, which lags CLOCK_REALTIME by up to a tick: it can be a
	 * second behind. */
	long long skew = (long long)t - (long long)rt.tv_sec;
	printf("time() within 2s of CLOCK_REALTIME: %s\n", yes(skew >= -1 && skew <= 2));
	printf("gettimeofday within 2s of CLOCK_REALTIME: %s\n",
	       yes(tv.tv_sec - rt.tv_sec >= 0 && tv.tv_sec - rt.tv_sec <= 2));
	printf("realtime after 2020: %s\n", yes(rt.tv_sec > 1577836800));
	printf("monotonic does not go back: %s\n",
	       yes(mono2.tv_sec > mono1.tv_sec ||
		   (mono2.tv_sec == mono1.tv_sec && mono2.tv_nsec >= mono1.tv_nsec)));
	printf("nanoseconds in range: %s\n",
	       yes(rt.tv_nsec >= 0 && rt.tv_nsec < 1000000000 &&
		   mono1.tv_nsec >= 0 && mono1.tv_nsec < 1000000000));
	printf("rdtsc increases: %s\n", yes(tsc2 > tsc1));
	printf("getrandom filled the buffer: %s\n", yes(got == (ssize_t)sizeof(rnd)));
	printf("pid positive: %s\n", yes(getpid() > 0));
	return 0;
}
