/*
 * timetravel.c - a program to travel through: a global counter written
 * by one function a known number of times between stretches of other
 * work, a buffer filled by read(2) (a write by the kernel), a rep stosb
 * over a watched range, a handled signal, and a few million
 * instructions in all.  The time travel tests put breakpoints on bump(),
 * watchpoints on `counter`, `buffer` and `filled`, and check every stop
 * against a forward run.  Run natively it just prints its checksums.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define BUMPS 40

volatile uint64_t counter;
volatile uint64_t noise;
char buffer[64];
char filled[256];
volatile int got_signal;

__attribute__((noinline)) void bump(uint64_t by)
{
	counter += by;
}

__attribute__((noinline)) uint64_t churn(uint64_t n)
{
	uint64_t x = n * 2654435761u + 1;
	for (uint64_t k = 0; k < 20000 + n * 500; k++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		noise += x & 0xff;
	}
	return x;
}

static void on_usr1(int sig)
{
	got_signal = sig;
}

int main(void)
{
	uint64_t sum = 0;
	signal(SIGUSR1, on_usr1);
	for (int i = 0; i < BUMPS; i++) {
		sum += churn((uint64_t)i);
		bump((uint64_t)i + 1);
		if (i == BUMPS / 2) {
			int fd = open("/proc/self/exe", O_RDONLY);
			if (fd >= 0) {
				if (read(fd, buffer, sizeof(buffer)) < 4)
					return 2;
				close(fd);
			}
			/* rep stosb (memset of a constant size) */
			void *d = filled;
			size_t cnt = sizeof(filled);
			__asm__ volatile("rep stosb"
					 : "+D"(d), "+c"(cnt)
					 : "a"(0x5a)
					 : "memory");
			raise(SIGUSR1);
		}
	}
	printf("counter %llu sum %llu noise %llu elf %.3s signal %d fill %d\n",
	       (unsigned long long)counter, (unsigned long long)sum,
	       (unsigned long long)noise, buffer + 1, got_signal, filled[255]);
	return 0;
}
