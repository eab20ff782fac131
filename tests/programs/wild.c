/*
 * wild.c - writes and reads through wild pointers, catching each SIGSEGV.
 *
 * Checks that every bad access faults with the si_code and si_addr Linux
 * gives (NULL page, kernel half, non-canonical, read-only text, far
 * unmapped addresses including ones where a host process keeps its own
 * heap and libraries), that execution continues after each, and that the
 * program's own memory is intact afterwards.  Under rewind this shows the
 * VM unharmed: a guest access never reaches the VM's own memory.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static sigjmp_buf env;
static volatile uintptr_t last_addr;
static volatile int last_code;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	last_addr = (uintptr_t)si->si_addr;
	last_code = si->si_code;
	siglongjmp(env, 1);
}

static unsigned char keep[4096];

static unsigned checksum(void)
{
	unsigned s = 0;
	for (size_t i = 0; i < sizeof(keep); i++)
		s = s * 31 + keep[i];
	return s;
}

static void probe(const char *what, uintptr_t addr, int write)
{
	if (sigsetjmp(env, 1) == 0) {
		volatile unsigned char *p = (volatile unsigned char *)addr;
		if (write)
			*p = 0x5a;
		else
			(void)*p;
		printf("%-28s %s: no fault\n", what, write ? "write" : "read ");
		return;
	}
	printf("%-28s %s: SIGSEGV code=%d addr=%s\n", what,
	       write ? "write" : "read ", last_code,
	       last_addr == addr ? "exact" : last_addr == 0 ? "0" : "other");
}

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &sa, NULL);
	for (size_t i = 0; i < sizeof(keep); i++)
		keep[i] = (unsigned char)(i * 7);
	unsigned before = checksum();

	static const struct { const char *what; uintptr_t addr; } targets[] = {
		{ "NULL", 0 },
		{ "NULL+0x10", 0x10 },
		{ "page below 64K", 0xfff0 },
		{ "far unmapped", 0x150000000000ULL },
		{ "kernel half", 0xffff800000000000ULL },
		{ "kernel text", 0xffffffff81000000ULL },
		{ "top of address space", 0xfffffffffffff000ULL },
		{ "non-canonical", 0x8000000000000000ULL },
		{ "non-canonical low", 0x0000800000000000ULL },
	};
	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		probe(targets[i].what, targets[i].addr, 0);
		probe(targets[i].what, targets[i].addr, 1);
	}
	/* Our own code is mapped read-only: a write faults with ACCERR. */
	probe("own text", (uintptr_t)&probe, 1);
	/* Many pseudo-random far addresses, all unmapped. */
	uint64_t x = 88172645463325252ULL;
	int faults = 0;
	for (int i = 0; i < 2000; i++) {
		x ^= x << 13; x ^= x >> 7; x ^= x << 17;
		uintptr_t a = 0x100000000000ULL + (x % 0x100000000000ULL);
		if (sigsetjmp(env, 1) == 0) {
			*(volatile uint64_t *)a = x;
		} else if (last_addr == a && last_code == SEGV_MAPERR) {
			faults++;
		}
	}
	printf("random far writes faulted exactly: %d of 2000\n", faults);
	printf("own memory %s\n", checksum() == before ? "intact" : "CHANGED");
	return 0;
}
