/*
 * fuzz_elf.c - libFuzzer target for the ELF loader (src/os/elf.c).
 *
 * Each input is written to a memfd and loaded with elf_load into a fresh
 * process (its own guest address space), which is then destroyed without
 * running anything.  The loader must return an error or succeed for any
 * bytes: ASan/UBSan catch out-of-bounds reads, overflows and leaks, and we
 * abort on the two contract violations the sanitizers cannot see:
 *   - an error without a message, or a message that is not one line;
 *   - success with rip outside an executable mapping or a misaligned rsp.
 *
 *   make fuzz-elf FUZZ_SECONDS=600     (tests/fuzz/fuzz.mk)
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mem/mem.h"
#include "os/elf.h"
#include "os/proc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fuzz_fd = -1;
static char fuzz_path[64];

static void fuzz_open(void)
{
	fuzz_fd = memfd_create("fuzz-elf", MFD_CLOEXEC);
	if (fuzz_fd < 0) {
		perror("memfd_create");
		abort();
	}
	/* elf_load wants an executable file, like execve. */
	if (fchmod(fuzz_fd, 0755) < 0) {
		perror("fchmod");
		abort();
	}
	snprintf(fuzz_path, sizeof(fuzz_path), "/proc/self/fd/%d", fuzz_fd);
}

static void fuzz_write(const uint8_t *data, size_t size)
{
	size_t off = 0;

	if (ftruncate(fuzz_fd, 0) < 0)
		abort();
	while (off < size) {
		ssize_t n = pwrite(fuzz_fd, data + off, size - off,
				   (off_t)off);
		if (n <= 0)
			abort();
		off += (size_t)n;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *const argv[] = { "fuzzed", "arg1", NULL };
	static char *const envp[] = { "HOME=/", "LANG=C", NULL };
	struct proc *p;
	const struct mem_region *r;
	char err[512];
	int rc;

	if (fuzz_fd < 0)
		fuzz_open();
	fuzz_write(data, size);
	if (proc_create(&p) < 0)
		abort();
	memset(err, 'x', sizeof(err));
	rc = elf_load(p, p->cpu, fuzz_path, argv, envp, err, sizeof(err));
	if (rc != 0) {
		if (!memchr(err, 0, sizeof(err)) || err[0] == 0 ||
		    strchr(err, '\n')) {
			fprintf(stderr, "elf_load %d: bad message\n", rc);
			abort();
		}
	} else {
		r = mem_find(p->mem, p->cpu->rip);
		if (!r || !(r->prot & PROT_EXEC) ||
		    (p->cpu->gpr[R_RSP] & 15) != 0) {
			fprintf(stderr, "elf_load: bad initial state rip %#llx "
				"rsp %#llx\n",
				(unsigned long long)p->cpu->rip,
				(unsigned long long)p->cpu->gpr[R_RSP]);
			abort();
		}
	}
	proc_destroy(p);
	return 0;
}
