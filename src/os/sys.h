/*
 * sys.h - implementations of guest syscalls, shared between the files of
 * src/os and referenced by the table in syscall.c.
 *
 * Every function takes the process, the calling thread and the six raw
 * arguments, and returns the raw result (>= 0, or -errno).
 */
#ifndef REWIND_OS_SYS_H
#define REWIND_OS_SYS_H

#include <stdint.h>
#include "engine/cpu.h"
#include "os/proc.h"

#define SYS(name) int64_t sys_##name(struct proc *p, struct cpu *c, \
				     const uint64_t a[6])

/* signal.c */
SYS(rt_sigaction);
SYS(rt_sigprocmask);
SYS(rt_sigreturn);
SYS(rt_sigpending);
SYS(sigaltstack);
SYS(kill);
SYS(tgkill);
SYS(tkill);
SYS(rt_sigsuspend);
SYS(rt_sigtimedwait);
SYS(pause);

/*
 * Signal delivery (signal.c), called by the run loop:
 *  - signal_deliver_fault: c->fault holds a synchronous fault raised by an
 *    instruction (rip = the faulting instruction); deliver it to the guest
 *    handler or apply the default action (which may end the process).
 *  - signal_deliver_pending: deliver the lowest unblocked pending signal,
 *    if any; returns 1 if one was delivered or the process ended.
 *  - signal_queue: make sig pending with the given siginfo (si_signo,
 *    si_code, si_pid, si_uid, ... filled by the caller or defaulted).
 */
void signal_deliver_fault(struct proc *p, struct cpu *c);
int signal_deliver_pending(struct proc *p, struct cpu *c);
void signal_queue(struct proc *p, int sig, const siginfo_t *info);
/* The signal signal_deliver_pending would deliver next, or 0. */
int signal_next_pending(const struct proc *p);
/* Send sig from the guest to itself with si_code code (SI_USER, SI_TKILL)
 * and the guest's own pid and uid, as kill/tkill do. */
void signal_send_self(struct proc *p, struct cpu *c, int sig, int code);

#endif
