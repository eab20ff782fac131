/*
 * proc.h - the guest process: everything of the Linux ABI that is not CPU
 * state or memory.
 *
 * Owns: the guest's address space handle, its thread (one, for now), the
 * guest fd table, signal dispositions and masks, brk, the identity it
 * presents (pid, uid, ...), and how it ended.  src/os is the only place host
 * syscalls happen on the guest's behalf.
 */
#ifndef REWIND_OS_PROC_H
#define REWIND_OS_PROC_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include "engine/cpu.h"

struct mem;

#define GUEST_NSIG 64		/* signals 1..64 */
#define GUEST_MAX_FDS 1024
#define GUEST_NLIMITS 16		/* RLIMIT_* */

/* The kernel's struct sigaction for rt_sigaction (not glibc's). */
struct guest_sigaction {
	uint64_t handler;	/* SIG_DFL 0, SIG_IGN 1, or an address */
	uint64_t flags;
	uint64_t restorer;
	uint64_t mask;
};

/* One guest file descriptor. */
struct guest_fd {
	int host;		/* host fd, or -1 when the slot is free */
	int cloexec;
};

struct proc {
	struct mem *mem;
	struct cpu *cpu;	/* the only thread, for now */

	/* Identity the guest sees (fixed, deterministic). */
	int pid, ppid, uid, gid;
	uint32_t umask;

	/* brk: start (end of the executable's data) and current break. */
	uint64_t brk_start, brk_cur;

	/* Executable facts for auxv, /proc/self/exe and the loader. */
	char *exe_path;		/* as given on the command line, resolved */
	uint64_t entry, phdr, phnum, load_bias;
	uint64_t auxv_addr, auxv_len;	/* the auxv on the guest stack */

	struct guest_fd fds[GUEST_MAX_FDS];

	/* Signals. */
	struct guest_sigaction sigact[GUEST_NSIG + 1];
	uint64_t sigmask;		/* blocked, bit (sig - 1) */
	uint64_t sigpending;		/* pending, bit (sig - 1) */
	siginfo_t pending_info[GUEST_NSIG + 1];
	uint64_t altstack_sp, altstack_size;
	int altstack_flags;
	/* Linux's thread.trap_nr, error_code and cr2: set by each fault that
	 * becomes a signal and shown in the sigcontext of every later frame. */
	uint64_t trap_nr, trap_err, trap_cr2;
	uint64_t clear_child_tid;

	/* Small kernel-side facts the guest sets and reads back (sys_misc.c):
	 * kept here, not in statics, so that a snapshot of the process holds
	 * all of them. */
	uint64_t robust_head;
	uint64_t rlim[GUEST_NLIMITS][2];	/* soft, hard */
	char comm[16];			/* PR_SET_NAME */
	int comm_ready;
	int dumpable, pdeathsig, no_new_privs;

	/* How the process ended: a wait(2) status. */
	int exited;
	int wait_status;

	/* Recording or replaying (src/os/journal.h), else NULL. */
	struct journal *journal;
	/* Replay: the executable path as the recording gave it (AT_EXECFN),
	 * when the file loaded now lives elsewhere; else NULL. */
	const char *load_as;
	int replay_quiet;	/* replay: don't show the guest's output */
	/* In a diversion (src/replay/session.h): no journal, and syscalls
	 * must not touch the outside world (syscall.c). */
	int diverted;

	/* Log unknown syscalls and other unsupported behaviour once each. */
	int verbose;
};

/* Exit statuses of the rewind command (DESIGN.md). */
#define REWIND_EXIT_INTERNAL 125
#define REWIND_EXIT_NOEXEC   126
#define REWIND_EXIT_NOTFOUND 127

/* Create a process with the standard fds 0-2 and default dispositions.
 * Returns 0 or -errno. */
int proc_create(struct proc **out);
void proc_destroy(struct proc *p);

/* How to start a guest: the file to load and what the program sees. */
struct proc_launch {
	const char *path;		/* the executable to load */
	char *const *argv, *const *envp;
	int cpu_level;			/* enum cpu_level */
	int verbose;			/* log unsupported behaviour */
	int replay_quiet;		/* replay: don't show guest output */
	const char *load_as;		/* AT_EXECFN and /proc/self/exe name
					   when not path (replay), or NULL */
	int uid, gid;			/* the identity, when have_ids */
	int have_ids;
	struct journal *journal;	/* record/replay journal, or NULL */
};

/*
 * Create the guest process and load the executable: the process stands
 * at icount 0, ready to run.  On failure returns an enum elf_error (see
 * elf.h) or -errno with a one-line reason in err, and *out is NULL.  The
 * journal, when given, is attached (the AT_RANDOM bytes are its first
 * event) but stays the caller's.
 */
int proc_launch(const struct proc_launch *l, struct proc **out, char *err,
		size_t errlen);

/* Set the resource limits every guest starts with (sys_misc.c). */
void proc_rlimit_init(struct proc *p);

/* Mark the process as exited with a wait(2) status and ask the run loop
 * to stop. */
void proc_exit(struct proc *p, int wait_status);

/* The shell-style exit code for a wait status: the code, or 128+signal. */
int proc_exit_code(const struct proc *p);
/* The same for any wait(2) status (of a child such as gdb). */
int exit_code_of(int wait_status);

#endif
