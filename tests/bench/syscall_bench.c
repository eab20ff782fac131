/*
 * syscall_bench.c - a syscall-heavy workload: small writes to /dev/null and
 * clock reads, 100000 of each per unit of scale (argv[1]).  Measures the
 * per-syscall cost of the VM, of recording and of replay.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long scale = argc > 1 ? atol(argv[1]) : 1;
	int fd = open("/dev/null", O_WRONLY);
	if (fd < 0)
		return 1;
	unsigned long sum = 0;
	for (long i = 0; i < 100000 * scale; i++) {
		struct timespec ts;
		if (write(fd, "0123456789abcdef", 16) != 16)
			return 1;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		sum += (unsigned long)ts.tv_nsec & 1;
	}
	/* The clock bits differ between runs: print only what does not. */
	printf("syscall_bench scale %ld done %d\n", scale, sum <= 100000UL * scale);
	return 0;
}
