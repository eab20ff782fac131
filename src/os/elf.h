/*
 * elf.h - loading a static x86-64 ELF executable into a fresh guest process.
 *
 * Owns: validating the ELF file (treated as hostile input), mapping its
 * PT_LOAD segments (ET_EXEC at their addresses, static-PIE ET_DYN at
 * GUEST_PIE_BASE), setting the initial brk, and building the initial stack
 * exactly as Linux lays it out (argc, argv, envp, auxv, strings, AT_RANDOM
 * bytes, 16-byte alignment).  Does not run anything.
 */
#ifndef REWIND_OS_ELF_H
#define REWIND_OS_ELF_H

#include <stddef.h>
#include "engine/cpu.h"
#include "os/proc.h"

/* Why loading failed, beyond errno values. */
enum elf_error {
	ELF_OK = 0,
	ELF_ENOTFOUND = -1000,	/* the file does not exist (exit 127) */
	ELF_ENOEXEC,		/* not an ELF, truncated, wrong class/arch,
				   unsupported (PT_INTERP), bad headers
				   (exit 126) */
	ELF_ENOMEM,		/* segments don't fit the guest space */
	ELF_EIO,		/* reading the file failed */
};

/*
 * Load the executable at path into p (p->mem must exist and be empty) and
 * prepare c to start at its entry point: rip = entry, rsp = the initial
 * stack, other registers zero (as Linux's ELF loader leaves them, rdx = 0).
 * argv/envp are copied onto the guest stack.  On failure returns an
 * enum elf_error and writes a one-line reason (naming the file and the
 * problem) into err.
 */
int elf_load(struct proc *p, struct cpu *c, const char *path,
	     char *const argv[], char *const envp[], char *err, size_t errlen);

/* Resolve PROG like execvp: a name without '/' is searched in $PATH.
 * Returns a malloc'd path or NULL if not found. */
char *elf_find_program(const char *prog);

#endif
