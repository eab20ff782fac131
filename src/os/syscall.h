/*
 * syscall.h - the guest's system call interface.
 *
 * Owns: the declarative syscall table (number, name, argument kinds, how
 * each call is recorded and replayed) and the entry point the engines call
 * when the guest executes `syscall`.  Every host syscall made for the guest
 * happens in src/os.
 */
#ifndef REWIND_OS_SYSCALL_H
#define REWIND_OS_SYSCALL_H

#include <stdint.h>
#include "engine/cpu.h"

struct proc;

/* Argument kinds, for dump and the future recorder. */
enum sc_arg {
	SA_NONE, SA_INT, SA_UINT, SA_HEX, SA_FD, SA_PATH, SA_PTR, SA_BUF_IN,
	SA_BUF_OUT, SA_SIZE, SA_FLAGS, SA_SIG, SA_PID,
};

/* How a call is treated by record/replay (issue "record and replay"). */
enum sc_replay {
	SR_EMULATED,	/* computed inside the VM (mm, signals, identity) */
	SR_JOURNALED,	/* executed on the host when recording; result and
			   written guest memory journaled, fed back on replay */
	SR_EXIT,	/* ends the thread or process */
};

struct syscall_desc {
	const char *name;
	int64_t (*fn)(struct proc *p, struct cpu *c, const uint64_t a[6]);
	uint8_t nargs;
	uint8_t args[6];	/* enum sc_arg */
	uint8_t replay;		/* enum sc_replay */
};

/* Run the call (d may be NULL for an unknown nr: -ENOSYS, logged once);
 * no journaling.  os_syscall and the journal use it. */
int64_t syscall_execute(struct proc *p, struct cpu *c,
			const struct syscall_desc *d, uint64_t nr,
			const uint64_t a[6]);

/* The table entry for nr, or NULL when nr is out of range or unknown. */
const struct syscall_desc *syscall_lookup(uint64_t nr);

/* Execute the syscall in c (rax = number, rdi, rsi, rdx, r10, r8, r9), put
 * the result in rax and clobber rcx/r11 as the kernel does.  May end the
 * process or queue a signal; sets c->attention when the run loop must look. */
void os_syscall(struct cpu *c);

#endif
