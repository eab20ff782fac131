/*
 * signal.c - guest signals: dispositions, masks, the alternate stack,
 * signals a guest sends itself, and delivery through Linux's x86-64
 * rt_sigframe.
 *
 * Everything here reproduces what Linux 6.x does for a 64-bit task on a
 * CPU with FXSR but without XSAVE (the guest CPU model, DESIGN.md): the
 * kernel functions being mirrored are named at each step (get_signal,
 * get_sigframe, x64_setup_rt_frame, signal_delivered, restore_sigcontext,
 * force_sig_info_to_task, do_sigaltstack, ...).  Guest memory is only
 * touched through mem_copy_in/mem_copy_out, so a bad guest pointer is an
 * -EFAULT or a guest SIGSEGV, never a host fault.
 *
 * Simplifications, all deterministic:
 *  - One pending instance per signal: real-time signals (32..64) sent
 *    while already pending are dropped instead of queued.
 *  - Stop signals (SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU) with the default
 *    action are ignored: nothing outside can continue a stopped guest.
 *  - Nothing outside the guest sends it signals, and there are no timers,
 *    so a guest that waits for a signal none of its own actions can raise
 *    (pause, sigsuspend, sigtimedwait without timeout) would hang forever;
 *    it is ended as if killed by SIGKILL, with one line on stderr.
 *  - SA_RESTART is kept and read back but changes nothing: the only
 *    guest syscalls a signal can interrupt here are pause, sigsuspend and
 *    sigtimedwait, which Linux never restarts after a handler either.
 *  - rt_sigreturn accepts only the flat 64-bit selectors in the
 *    sigcontext (cs 0x33; ss 0x2b under UC_STRICT_RESTORE_SS); anything
 *    else raises SIGSEGV as Linux's faulting iret would, so 32-bit code is
 *    not supported.  RF is not modelled except that a fault's frame shows
 *    it set, as the hardware pushes it.
 */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "engine/cpu.h"
#include "engine/fault.h"
#include "engine/fpu.h"
#include "mem/mem.h"
#include "os/proc.h"
#include "os/sys.h"
#include "os/sys_int.h"

/* ----------------------------------------------------- kernel constants */

/* The kernel's values, spelled out so that host headers cannot differ. */
#define K_SIG_DFL	0
#define K_SIG_IGN	1

#define K_SA_NOCLDSTOP	0x00000001ULL
#define K_SA_NOCLDWAIT	0x00000002ULL
#define K_SA_SIGINFO	0x00000004ULL
#define K_SA_EXPOSE_TAGBITS 0x00000800ULL
#define K_SA_RESTORER	0x04000000ULL
#define K_SA_ONSTACK	0x08000000ULL
#define K_SA_RESTART	0x10000000ULL
#define K_SA_NODEFER	0x40000000ULL
#define K_SA_RESETHAND	0x80000000ULL
/* Flags rt_sigaction keeps (UAPI_SA_FLAGS); the rest read back as 0. */
#define K_SA_UAPI	(K_SA_NOCLDSTOP | K_SA_NOCLDWAIT | K_SA_SIGINFO | \
			 K_SA_ONSTACK | K_SA_RESTART | K_SA_NODEFER | \
			 K_SA_RESETHAND | K_SA_EXPOSE_TAGBITS | K_SA_RESTORER)

#define K_SIG_BLOCK	0
#define K_SIG_UNBLOCK	1
#define K_SIG_SETMASK	2

#define K_SS_ONSTACK	1
#define K_SS_DISABLE	2
#define K_SS_AUTODISARM	(1U << 31)
#define K_MINSIGSTKSZ	2048

#define K_SI_USER	0
#define K_SI_KERNEL	0x80
#define K_SI_TKILL	(-6)

/* ucontext.uc_flags: without XSAVE Linux leaves out UC_FP_XSTATE. */
#define K_UC_FP_XSTATE		0x1
#define K_UC_SIGCONTEXT_SS	0x2
#define K_UC_STRICT_RESTORE_SS	0x4

#define K_FP_XSTATE_MAGIC1	0x46505853U
#define K_FP_XSTATE_MAGIC2_SIZE	4
#define K_XFEATURE_MASK_FPSSE	0x3

#define K_USER_CS	0x33
#define K_USER_DS	0x2b

/* The rflags bits rt_sigreturn takes from the frame (FIX_EFLAGS, minus RF
 * which the VM does not model).  ID is not among them. */
#define K_FIX_EFLAGS	(FL_AC | FL_OF | FL_DF | FL_TF | FL_SF | FL_ZF | \
			 FL_AF | FL_PF | FL_CF)
#define K_FL_RF		0x10000ULL

/* User addresses end here (TASK_SIZE_MAX); page faults above it report
 * the protection bit in the error code. */
#define K_TASK_SIZE_MAX	((1ULL << 47) - 4096)

#define X86_PF_PROT	0x1
#define X86_PF_USER	0x4

/* ------------------------------------------------------- signal sets */

#define SIGBIT(s)	(1ULL << ((s) - 1))

#define KERNEL_ONLY_MASK (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))
/* Dequeued before all others (next_signal). */
#define SYNCHRONOUS_MASK (SIGBIT(SIGSEGV) | SIGBIT(SIGBUS) | SIGBIT(SIGILL) | \
			  SIGBIT(SIGTRAP) | SIGBIT(SIGFPE) | SIGBIT(SIGSYS))
#define DEFAULT_IGNORE_MASK (SIGBIT(SIGCONT) | SIGBIT(SIGCHLD) | \
			     SIGBIT(SIGWINCH) | SIGBIT(SIGURG))
#define DEFAULT_STOP_MASK (SIGBIT(SIGSTOP) | SIGBIT(SIGTSTP) | \
			   SIGBIT(SIGTTIN) | SIGBIT(SIGTTOU))
#define DEFAULT_COREDUMP_MASK (SIGBIT(SIGQUIT) | SIGBIT(SIGILL) | \
			       SIGBIT(SIGTRAP) | SIGBIT(SIGABRT) | \
			       SIGBIT(SIGFPE) | SIGBIT(SIGSEGV) | \
			       SIGBIT(SIGBUS) | SIGBIT(SIGSYS) | \
			       SIGBIT(SIGXCPU) | SIGBIT(SIGXFSZ))

/* wait(2) status flag of a process that dumped core. */
#define WAIT_CORE_FLAG	0x80

static int sig_valid(int sig)
{
	return sig >= 1 && sig <= GUEST_NSIG;
}

/* ------------------------------------------------ the frame, as Linux */

struct k_stack {			/* stack_t */
	uint64_t ss_sp;
	int32_t ss_flags;
	int32_t pad;
	uint64_t ss_size;
};

struct k_sigcontext {			/* struct sigcontext_64 */
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp;
	uint64_t rip, eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2;
	uint64_t fpstate;
	uint64_t reserved1[8];
};

struct k_ucontext {			/* struct ucontext */
	uint64_t uc_flags;
	uint64_t uc_link;
	struct k_stack uc_stack;
	struct k_sigcontext uc_mcontext;
	uint64_t uc_sigmask;
};

struct k_rt_sigframe {
	uint64_t pretcode;		/* sa_restorer: the handler returns here */
	struct k_ucontext uc;
	siginfo_t info;
};

/* _fpx_sw_bytes, in the software-reserved tail of the fxsave image. */
struct k_fpx_sw_bytes {
	uint32_t magic1;
	uint32_t extended_size;
	uint64_t xfeatures;
	uint32_t xstate_size;
	uint32_t padding[7];
};

_Static_assert(sizeof(struct k_stack) == 24, "stack_t");
_Static_assert(sizeof(struct k_sigcontext) == 256, "sigcontext_64");
_Static_assert(sizeof(struct k_ucontext) == 304, "ucontext");
_Static_assert(sizeof(siginfo_t) == 128, "siginfo");
_Static_assert(sizeof(struct k_rt_sigframe) == 440, "rt_sigframe");
_Static_assert(offsetof(struct k_rt_sigframe, info) == 312, "siginfo at 312");
_Static_assert(sizeof(struct k_fpx_sw_bytes) == 48, "sw bytes");

/* The part of the sigcontext rt_sigreturn reads (CONTEXT_COPY_SIZE). */
#define K_CONTEXT_COPY_SIZE offsetof(struct k_sigcontext, reserved1)

#define FXSAVE_SIZE	512
#define FXSAVE_SW_OFFSET 464

/* -------------------------------------------------- the altstack state */

/* __on_sig_stack: sp is inside (ss_sp, ss_sp + ss_size]. */
static int sp_in_altstack(const struct proc *p, uint64_t sp)
{
	return sp > p->altstack_sp && sp - p->altstack_sp <= p->altstack_size;
}

/* on_sig_stack: with SS_AUTODISARM the task never counts as on it. */
static int on_sig_stack(const struct proc *p, uint64_t sp)
{
	if ((uint32_t)p->altstack_flags & K_SS_AUTODISARM)
		return 0;
	return sp_in_altstack(p, sp);
}

/* sas_ss_flags */
static int sas_ss_flags(const struct proc *p, uint64_t sp)
{
	if (!p->altstack_size)
		return K_SS_DISABLE;
	return on_sig_stack(p, sp) ? K_SS_ONSTACK : 0;
}

static void altstack_reset(struct proc *p)
{
	p->altstack_sp = 0;
	p->altstack_size = 0;
	p->altstack_flags = K_SS_DISABLE;
}

/*
 * do_sigaltstack for a new setting ss, with sp the user stack pointer
 * at the time: 0, -EPERM while running on the altstack, -EINVAL for a bad
 * mode, -ENOMEM below MINSIGSTKSZ.
 */
static int altstack_set(struct proc *p, const struct k_stack *ss, uint64_t sp)
{
	uint32_t flags = (uint32_t)ss->ss_flags;
	uint32_t mode = flags & ~K_SS_AUTODISARM;
	uint64_t ss_sp = ss->ss_sp, ss_size = ss->ss_size;

	if (on_sig_stack(p, sp))
		return -EPERM;
	if (mode != K_SS_DISABLE && mode != K_SS_ONSTACK && mode != 0)
		return -EINVAL;
	if (p->altstack_sp == ss_sp && p->altstack_size == ss_size &&
	    (uint32_t)p->altstack_flags == flags)
		return 0;
	if (mode == K_SS_DISABLE) {
		ss_size = 0;
		ss_sp = 0;
	} else if (ss_size < K_MINSIGSTKSZ) {
		return -ENOMEM;
	}
	p->altstack_sp = ss_sp;
	p->altstack_size = ss_size;
	p->altstack_flags = (int)flags;
	return 0;
}

/* ---------------------------------------------------- pending signals */

static int handler_ignored(const struct proc *p, int sig)
{
	uint64_t h = p->sigact[sig].handler;
	return h == K_SIG_IGN ||
	       (h == K_SIG_DFL && (DEFAULT_IGNORE_MASK & SIGBIT(sig)));
}

/* next_signal: the synchronous (fault) signals first, then the lowest. */
static int next_signal(uint64_t pending, uint64_t blocked)
{
	uint64_t m = pending & ~blocked;
	if (!m)
		return 0;
	if (m & SYNCHRONOUS_MASK)
		m &= SYNCHRONOUS_MASK;
	return __builtin_ctzll(m) + 1;
}

static int signal_deliverable(const struct proc *p)
{
	return (p->sigpending & ~p->sigmask) != 0;
}

static void want_attention(struct proc *p, struct cpu *c)
{
	if (!c)
		c = p->cpu;
	if (c && signal_deliverable(p))
		c->attention = 1;
}

/* Make sig pending (prepare_signal + __send_signal_locked for one
 * thread).  A signal that is ignored and not blocked is discarded; a
 * signal already pending keeps its first siginfo (legacy_queue). */
static void send_signal(struct proc *p, struct cpu *c, int sig,
			const siginfo_t *info)
{
	uint64_t bit = SIGBIT(sig);

	/* A stop signal cancels a pending SIGCONT and vice versa. */
	if (bit & DEFAULT_STOP_MASK)
		p->sigpending &= ~SIGBIT(SIGCONT);
	else if (sig == SIGCONT)
		p->sigpending &= ~DEFAULT_STOP_MASK;

	if (!(p->sigmask & bit) && handler_ignored(p, sig))
		return;
	if (p->sigpending & bit)
		return;
	p->sigpending |= bit;
	p->pending_info[sig] = *info;
	want_attention(p, c);
}

/* force_sig_info_to_task (HANDLER_CURRENT): a signal the task cannot
 * refuse.  If it is blocked or ignored, it is unblocked and its action
 * reset to SIG_DFL. */
static void force_signal(struct proc *p, struct cpu *c, const siginfo_t *info)
{
	int sig = info->si_signo;
	struct guest_sigaction *ka = &p->sigact[sig];
	int blocked = (p->sigmask & SIGBIT(sig)) != 0;

	if (blocked || ka->handler == K_SIG_IGN) {
		ka->handler = K_SIG_DFL;
		if (blocked)
			p->sigmask &= ~SIGBIT(sig);
	}
	send_signal(p, c, sig, info);
}

/* force_sig(sig): no address, si_code SI_KERNEL. */
static void force_signal_kernel(struct proc *p, struct cpu *c, int sig)
{
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_signo = sig;
	si.si_code = K_SI_KERNEL;
	force_signal(p, c, &si);
}

/* The default action that ends the process: a wait status "killed by
 * sig", with the core flag for the signals whose default dumps core. */
static void kill_process(struct proc *p, int sig)
{
	int status = sig;
	if (DEFAULT_COREDUMP_MASK & SIGBIT(sig))
		status |= WAIT_CORE_FLAG;
	proc_exit(p, status);
}

void signal_queue(struct proc *p, int sig, const siginfo_t *info)
{
	siginfo_t si;

	if (!sig_valid(sig) || p->exited)
		return;
	if (info) {
		si = *info;
		if (!si.si_signo)
			si.si_signo = sig;
	} else {
		memset(&si, 0, sizeof(si));
		si.si_signo = sig;
		si.si_code = K_SI_KERNEL;
	}
	send_signal(p, NULL, sig, &si);
}

/* ------------------------------------------------------------ delivery */

/* The x87/SSE state a handler starts with (fpu__clear_user_states): what
 * finit and a reset MXCSR give, with every register zero. */
static void fpu_reset_user_state(struct cpu *c)
{
	uint8_t img[FXSAVE_SIZE];
	uint16_t fcw = 0x037f;
	uint32_t mxcsr = 0x1f80;

	memset(img, 0, sizeof(img));
	memcpy(img + 0, &fcw, 2);
	memcpy(img + 24, &mxcsr, 4);
	fpu_fxrstor(c, img);
}

/*
 * get_sigframe + x64_setup_rt_frame: write the fxsave image and the
 * rt_sigframe for sig on the guest stack (or the altstack), then point the
 * registers at the handler.  rflags_extra holds bits the hardware pushed
 * that the VM does not keep in c->rflags (RF, for faults).  Returns 0, or
 * -EFAULT when the frame cannot be written; then nothing but guest memory
 * of the frame area may have changed, as in Linux.
 */
static int setup_rt_frame(struct proc *p, struct cpu *c, int sig,
			  const struct guest_sigaction *ka,
			  const siginfo_t *info, uint64_t saved_mask,
			  uint64_t rflags_extra)
{
	uint64_t sp = c->gpr[R_RSP];
	int nested_altstack = on_sig_stack(p, sp);
	int entering_altstack = 0;

	/* x86-64 insists on a restorer. */
	if (!(ka->flags & K_SA_RESTORER))
		return -EFAULT;

	sp -= 128;			/* the red zone */
	if ((ka->flags & K_SA_ONSTACK) && sas_ss_flags(p, sp) == 0) {
		sp = p->altstack_sp + p->altstack_size;
		entering_altstack = 1;
	}

	/* fpu__alloc_mathframe: the fxsave image, 64-byte aligned. */
	uint64_t fp = (sp - FXSAVE_SIZE) & ~63ULL;
	/* align_sigframe: rsp + 8 is 16-byte aligned at handler entry, as
	 * after a call. */
	uint64_t frame = ((fp - sizeof(struct k_rt_sigframe)) & ~15ULL) - 8;

	/* Overflowing the altstack must not run into whatever lies below. */
	if ((nested_altstack || entering_altstack) &&
	    !sp_in_altstack(p, frame))
		return -EFAULT;

	/* copy_fpstate_to_sigframe: fxsave, then save_xstate_epilog's
	 * software bytes, which Linux 6.x writes even without XSAVE (but no
	 * FP_XSTATE_MAGIC2 after the image, and uc_flags says no xstate). */
	uint8_t img[FXSAVE_SIZE];
	struct k_fpx_sw_bytes sw;
	fpu_fxsave(c, img);
	memset(&sw, 0, sizeof(sw));
	sw.magic1 = K_FP_XSTATE_MAGIC1;
	sw.extended_size = FXSAVE_SIZE + K_FP_XSTATE_MAGIC2_SIZE;
	sw.xfeatures = K_XFEATURE_MASK_FPSSE;
	sw.xstate_size = FXSAVE_SIZE;
	memcpy(img + FXSAVE_SW_OFFSET, &sw, sizeof(sw));
	if (mem_copy_out(p->mem, fp, img, sizeof(img)) < 0)
		return -EFAULT;

	struct k_rt_sigframe f;
	memset(&f, 0, sizeof(f));
	f.pretcode = ka->restorer;
	f.uc.uc_flags = K_UC_SIGCONTEXT_SS | K_UC_STRICT_RESTORE_SS;
	f.uc.uc_link = 0;
	/* unsafe_save_altstack: the raw flags, not sas_ss_flags(). */
	f.uc.uc_stack.ss_sp = p->altstack_sp;
	f.uc.uc_stack.ss_flags = p->altstack_flags;
	f.uc.uc_stack.ss_size = p->altstack_size;

	struct k_sigcontext *sc = &f.uc.uc_mcontext;
	sc->r8 = c->gpr[R_R8];
	sc->r9 = c->gpr[R_R9];
	sc->r10 = c->gpr[R_R10];
	sc->r11 = c->gpr[R_R11];
	sc->r12 = c->gpr[R_R12];
	sc->r13 = c->gpr[R_R13];
	sc->r14 = c->gpr[R_R14];
	sc->r15 = c->gpr[R_R15];
	sc->rdi = c->gpr[R_RDI];
	sc->rsi = c->gpr[R_RSI];
	sc->rbp = c->gpr[R_RBP];
	sc->rbx = c->gpr[R_RBX];
	sc->rdx = c->gpr[R_RDX];
	sc->rax = c->gpr[R_RAX];
	sc->rcx = c->gpr[R_RCX];
	sc->rsp = c->gpr[R_RSP];
	sc->rip = c->rip;
	sc->eflags = cpu_rflags_read(c) | rflags_extra;
	sc->cs = K_USER_CS;
	sc->gs = 0;
	sc->fs = 0;
	sc->ss = K_USER_DS;
	sc->err = p->trap_err;
	sc->trapno = p->trap_nr;
	sc->oldmask = saved_mask;
	sc->cr2 = p->trap_cr2;
	sc->fpstate = fp;
	f.uc.uc_sigmask = saved_mask;

	/* The siginfo is written only for SA_SIGINFO handlers; otherwise
	 * that part of the frame keeps what the stack held. */
	uint64_t len = offsetof(struct k_rt_sigframe, info);
	if (ka->flags & K_SA_SIGINFO) {
		f.info = *info;
		len = sizeof(f);
	}
	if (mem_copy_out(p->mem, frame, &f, len) < 0)
		return -EFAULT;

	c->gpr[R_RDI] = (uint64_t)sig;
	c->gpr[R_RAX] = 0;	/* for handlers declared without prototype */
	c->gpr[R_RSI] = frame + offsetof(struct k_rt_sigframe, info);
	c->gpr[R_RDX] = frame + offsetof(struct k_rt_sigframe, uc);
	c->rip = ka->handler;
	c->gpr[R_RSP] = frame;
	return 0;
}

/* force_sigsegv: a frame that cannot be written.  Failing to deliver
 * SIGSEGV itself is fatal; any other signal becomes a SIGSEGV. */
static void force_sigsegv(struct proc *p, struct cpu *c, int sig)
{
	if (sig == SIGSEGV)
		kill_process(p, SIGSEGV);
	else
		force_signal_kernel(p, c, SIGSEGV);
}

/* handle_signal + signal_delivered.  Returns 0, or -1 when the frame could
 * not be written and SIGSEGV was forced instead (registers unchanged). */
static int handle_signal(struct proc *p, struct cpu *c, int sig,
			  const struct guest_sigaction *ka,
			  const siginfo_t *info, uint64_t saved_mask,
			  uint64_t rflags_extra)
{
	if (setup_rt_frame(p, c, sig, ka, info, saved_mask, rflags_extra)) {
		force_sigsegv(p, c, sig);
		return -1;
	}
	/* The ABI wants DF clear at function entry; TF is cleared so that a
	 * SIGTRAP handler does not trap itself. */
	c->rflags &= ~(uint64_t)(FL_DF | FL_TF);
	fpu_reset_user_state(c);

	uint64_t blocked = p->sigmask | ka->mask;
	if (!(ka->flags & K_SA_NODEFER))
		blocked |= SIGBIT(sig);
	p->sigmask = blocked & ~KERNEL_ONLY_MASK;
	if ((uint32_t)p->altstack_flags & K_SS_AUTODISARM)
		altstack_reset(p);
	return 0;
}

/*
 * get_signal for one signal: dequeue the next deliverable one, discard it
 * if ignored, run its default action, or build its handler frame.  The
 * frame saves *saved_mask when given (sigsuspend's original mask), else
 * the current mask.  Returns 0 when nothing was deliverable, 1 when a
 * handler frame was built or the process ended, 2 when the frame could not
 * be written and SIGSEGV is now pending instead.
 */
static int deliver_one(struct proc *p, struct cpu *c,
		       const uint64_t *saved_mask, uint64_t rflags_extra)
{
	for (;;) {
		if (p->exited)
			return 1;
		int sig = next_signal(p->sigpending, p->sigmask);
		if (!sig)
			return 0;
		uint64_t bit = SIGBIT(sig);
		siginfo_t info = p->pending_info[sig];
		p->sigpending &= ~bit;

		struct guest_sigaction *ka = &p->sigact[sig];
		if (ka->handler == K_SIG_IGN)
			continue;
		if (ka->handler != K_SIG_DFL) {
			struct guest_sigaction action = *ka;
			if (ka->flags & K_SA_RESETHAND)
				ka->handler = K_SIG_DFL;
			if (handle_signal(p, c, sig, &action, &info,
					  saved_mask ? *saved_mask : p->sigmask,
					  rflags_extra) < 0)
				return 2;
			return 1;
		}
		if (bit & DEFAULT_IGNORE_MASK)
			continue;
		if (bit & DEFAULT_STOP_MASK) {
			sys_log_once(p, "stop signal",
				     "rewind: the guest got stop signal %d; "
				     "stopping is not supported, ignored",
				     sig);
			continue;
		}
		kill_process(p, sig);
		return 1;
	}
}

/* Deliver every deliverable signal, as Linux's exit_to_user_mode_loop
 * does: each later handler's frame nests on the previous handler's entry
 * state, so the last one delivered runs first.  The saved mask and extra
 * flags apply until a frame is built (a failed frame leaves both, as
 * TIF_RESTORE_SIGMASK and the registers stay). */
static int deliver_all(struct proc *p, struct cpu *c,
		       const uint64_t *saved_mask, uint64_t rflags_extra)
{
	int any = 0, r;
	while (!p->exited &&
	       (r = deliver_one(p, c, saved_mask, rflags_extra)) != 0) {
		any = 1;
		if (r == 1) {
			saved_mask = NULL;
			rflags_extra = 0;
		}
	}
	return any || p->exited;
}

int signal_next_pending(const struct proc *p)
{
	return next_signal(p->sigpending, p->sigmask);
}

int signal_deliver_pending(struct proc *p, struct cpu *c)
{
	if (p->exited)
		return 1;
	if (!signal_deliverable(p))
		return 0;
	return deliver_all(p, c, NULL, 0);
}

/* Traps (int3, into, single-step) report the next instruction and
 * complete; everything else is a fault, which the CPU pushes with RF. */
static int trap_is_fault(int trapno)
{
	return trapno != TRAP_DB && trapno != TRAP_BP && trapno != 4;
}

void signal_deliver_fault(struct proc *p, struct cpu *c)
{
	const struct cpu_fault *f = &c->fault;
	siginfo_t si;

	if (p->exited || !sig_valid(f->sig))
		return;

	/* The thread's fault record for this and later frames (do_trap,
	 * set_signal_archinfo for page faults). */
	p->trap_nr = (uint64_t)(int64_t)f->trapno;
	p->trap_err = f->err;
	if (f->trapno == TRAP_PF) {
		p->trap_cr2 = f->addr;
		/* User accesses to kernel addresses look like protection
		 * faults, so the page tables do not leak. */
		if (f->addr >= K_TASK_SIZE_MAX)
			p->trap_err |= X86_PF_PROT | X86_PF_USER;
	}

	memset(&si, 0, sizeof(si));
	si.si_signo = f->sig;
	si.si_code = f->code;
	si.si_addr = (void *)(uintptr_t)f->addr;
	force_signal(p, c, &si);
	deliver_all(p, c, NULL, trap_is_fault(f->trapno) ? K_FL_RF : 0);
}

/* ---------------------------------------------------- waiting syscalls */

/* No signal can arrive from outside the guest: a wait for one is a
 * deadlock.  End the guest as `kill -9` from a watchdog would. */
static int64_t wait_forever(struct proc *p, const char *what)
{
	fprintf(stderr,
		"rewind: the guest waits in %s for a signal that nothing can "
		"send (no other thread, no timers); ending it with SIGKILL\n",
		what);
	kill_process(p, SIGKILL);
	return -EINTR;
}

/*
 * pause and sigsuspend: wait, with p->sigmask set to the mask to wait
 * under, until a signal runs a handler or ends the process.  The
 * interrupted call returns -EINTR (its -ERESTARTNOHAND turned into EINTR
 * because a handler runs); that is the rax the frame saves.  The handler
 * is entered before returning, so the syscall returns the handler's entry
 * rax (0), which the dispatcher stores; rcx/r11 were set before the call.
 */
static int64_t wait_for_signal(struct proc *p, struct cpu *c,
			       uint64_t saved_mask, const char *what)
{
	c->gpr[R_RAX] = (uint64_t)(int64_t)-EINTR;
	if (!deliver_all(p, c, &saved_mask, 0)) {
		/* Only ignored signals were pending: Linux restarts the wait,
		 * which can never end. */
		p->sigmask = saved_mask;
		return wait_forever(p, what);
	}
	if (p->exited)
		return -EINTR;
	want_attention(p, c);
	return (int64_t)c->gpr[R_RAX];
}

/* ------------------------------------------------------------ syscalls */

SYS(rt_sigaction)
{
	int sig = (int)a[0];
	uint64_t act = a[1], oact = a[2];
	struct guest_sigaction new_sa, old_sa;

	if (a[3] != 8)
		return -EINVAL;
	if (act && mem_copy_in(p->mem, &new_sa, act, sizeof(new_sa)) < 0)
		return -EFAULT;
	if (!sig_valid(sig) || (act && (SIGBIT(sig) & KERNEL_ONLY_MASK)))
		return -EINVAL;

	old_sa = p->sigact[sig];
	old_sa.flags &= K_SA_UAPI;
	if (act) {
		new_sa.flags &= K_SA_UAPI;
		new_sa.mask &= ~KERNEL_ONLY_MASK;
		p->sigact[sig] = new_sa;
		/* POSIX: setting a pending signal to be ignored discards it,
		 * blocked or not. */
		if (handler_ignored(p, sig))
			p->sigpending &= ~SIGBIT(sig);
	}
	if (oact && mem_copy_out(p->mem, oact, &old_sa, sizeof(old_sa)) < 0)
		return -EFAULT;
	return 0;
}

SYS(rt_sigprocmask)
{
	int how = (int)a[0];
	uint64_t nset = a[1], oset = a[2];
	uint64_t old = p->sigmask, set;

	if (a[3] != 8)
		return -EINVAL;
	if (nset) {
		if (mem_copy_in(p->mem, &set, nset, sizeof(set)) < 0)
			return -EFAULT;
		set &= ~KERNEL_ONLY_MASK;
		switch (how) {
		case K_SIG_BLOCK:
			p->sigmask |= set;
			break;
		case K_SIG_UNBLOCK:
			p->sigmask &= ~set;
			break;
		case K_SIG_SETMASK:
			p->sigmask = set;
			break;
		default:
			return -EINVAL;
		}
		/* An unblocked pending signal is delivered on the way back
		 * to the guest, after rax holds this call's 0. */
		want_attention(p, c);
	}
	if (oset && mem_copy_out(p->mem, oset, &old, sizeof(old)) < 0)
		return -EFAULT;
	return 0;
}

SYS(rt_sigpending)
{
	uint64_t set = p->sigpending & p->sigmask;

	if (a[1] > 8)
		return -EINVAL;
	if (mem_copy_out(p->mem, a[0], &set, a[1]) < 0)
		return -EFAULT;
	return 0;
}

/*
 * rt_sigreturn: the handler returned into sa_restorer, which made this
 * call with rsp just above pretcode.  Restores the mask, the registers
 * (not fs/gs bases, not cs/ss), the user-changeable flags, the x87/SSE
 * state and the altstack setting.  A frame that cannot be read or holds a
 * bad fpstate raises SIGSEGV.  Returns the restored rax; the dispatcher
 * must leave rax, rcx and r11 as restored.
 */
SYS(rt_sigreturn)
{
	uint64_t frame = c->gpr[R_RSP] - 8;
	uint64_t uc = frame + offsetof(struct k_rt_sigframe, uc);
	uint64_t mask, uc_flags;
	struct k_sigcontext sc;
	struct k_stack ss;

	if (mem_copy_in(p->mem, &mask,
			uc + offsetof(struct k_ucontext, uc_sigmask), 8) < 0 ||
	    mem_copy_in(p->mem, &uc_flags,
			uc + offsetof(struct k_ucontext, uc_flags), 8) < 0)
		goto badframe;

	p->sigmask = mask & ~KERNEL_ONLY_MASK;

	/* restore_sigcontext */
	memset(&sc, 0, sizeof(sc));
	if (mem_copy_in(p->mem, &sc,
			uc + offsetof(struct k_ucontext, uc_mcontext),
			K_CONTEXT_COPY_SIZE) < 0)
		goto badframe;
	c->gpr[R_RBX] = sc.rbx;
	c->gpr[R_RCX] = sc.rcx;
	c->gpr[R_RDX] = sc.rdx;
	c->gpr[R_RSI] = sc.rsi;
	c->gpr[R_RDI] = sc.rdi;
	c->gpr[R_RBP] = sc.rbp;
	c->gpr[R_RAX] = sc.rax;
	c->gpr[R_RSP] = sc.rsp;
	c->rip = sc.rip;
	c->gpr[R_R8] = sc.r8;
	c->gpr[R_R9] = sc.r9;
	c->gpr[R_R10] = sc.r10;
	c->gpr[R_R11] = sc.r11;
	c->gpr[R_R12] = sc.r12;
	c->gpr[R_R13] = sc.r13;
	c->gpr[R_R14] = sc.r14;
	c->gpr[R_R15] = sc.r15;
	c->rflags = (c->rflags & ~(uint64_t)K_FIX_EFLAGS) |
		    (sc.eflags & K_FIX_EFLAGS);

	/* fpu__restore_sig: no fpstate means a fresh FPU; a bad one resets
	 * it too and fails (fxrstor faults on a misaligned image or one
	 * with reserved MXCSR bits). */
	if (!sc.fpstate) {
		fpu_reset_user_state(c);
	} else {
		uint8_t img[FXSAVE_SIZE];
		if ((sc.fpstate & 15) ||
		    mem_copy_in(p->mem, img, sc.fpstate, sizeof(img)) < 0 ||
		    fpu_fxrstor(c, img) < 0) {
			fpu_reset_user_state(c);
			goto badframe;
		}
	}

	/* restore_altstack: errors other than EFAULT are ignored.  The check
	 * for running on the altstack sees the rsp of the rt_sigreturn call,
	 * not the restored one (observed on Linux 6.x: a handler that re-arms
	 * the altstack it runs on keeps that setting). */
	if (mem_copy_in(p->mem, &ss, uc + offsetof(struct k_ucontext, uc_stack),
			sizeof(ss)) < 0)
		goto badframe;
	(void)altstack_set(p, &ss, frame + 8);

	/* Returning to user mode with a bad cs (or, with
	 * UC_STRICT_RESTORE_SS, a bad ss) faults in iret: #GP, which Linux
	 * turns into SIGSEGV for the restored context.  Only the flat 64-bit
	 * selectors are usable here; 32-bit code (cs 0x23) is not supported. */
	uint16_t cs = sc.cs | 3, ss_sel = sc.ss | 3;
	if (cs != K_USER_CS ||
	    ((uc_flags & K_UC_STRICT_RESTORE_SS) && ss_sel != K_USER_DS)) {
		uint16_t bad = cs != K_USER_CS ? cs : ss_sel;
		p->trap_nr = TRAP_GP;
		p->trap_err = bad & 0xfffc;
		if (cs == 0x23)
			sys_log_once(p, "sigreturn cs",
				     "rewind: rt_sigreturn to 32-bit code "
				     "(cs 0x23) is not supported");
		force_signal_kernel(p, c, SIGSEGV);
	}

	want_attention(p, c);
	return (int64_t)c->gpr[R_RAX];

badframe:
	/* signal_fault: SIGSEGV, and the call returns 0. */
	force_signal_kernel(p, c, SIGSEGV);
	c->gpr[R_RAX] = 0;
	return 0;
}

SYS(sigaltstack)
{
	uint64_t uss = a[0], uoss = a[1];
	uint64_t sp = c->gpr[R_RSP];
	struct k_stack ss, old;
	int r = 0;

	if (uss && mem_copy_in(p->mem, &ss, uss, sizeof(ss)) < 0)
		return -EFAULT;
	memset(&old, 0, sizeof(old));
	old.ss_sp = p->altstack_sp;
	old.ss_size = p->altstack_size;
	old.ss_flags = sas_ss_flags(p, sp) |
		       (int)((uint32_t)p->altstack_flags & K_SS_AUTODISARM);
	if (uss)
		r = altstack_set(p, &ss, sp);
	if (!r && uoss && mem_copy_out(p->mem, uoss, &old, sizeof(old)) < 0)
		r = -EFAULT;
	return r;
}

/* The siginfo of kill (SI_USER) and tkill/tgkill (SI_TKILL). */
void signal_send_self(struct proc *p, struct cpu *c, int sig, int code)
{
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_signo = sig;
	si.si_code = code;
	si.si_pid = p->pid;
	si.si_uid = (uid_t)p->uid;
	send_signal(p, c, sig, &si);
}

/*
 * kill: the guest is alone in its world, a process group of its own.
 * pid == its pid, 0 (its group) or -its pid reach it; -1 ("everyone but
 * me") reaches nobody, so -ESRCH as Linux says when no process matched;
 * any other pid does not exist.
 */
SYS(kill)
{
	int pid = (int)a[0], sig = (int)a[1];

	if (pid != p->pid && pid != 0 && pid != -p->pid)
		return -ESRCH;
	if (sig < 0 || sig > GUEST_NSIG)
		return -EINVAL;
	if (sig)
		signal_send_self(p, c, sig, K_SI_USER);
	return 0;
}

/* do_tkill: tid must name the guest's thread (and tgid its process). */
static int64_t do_tkill(struct proc *p, struct cpu *c, int tgid, int tid,
			int sig)
{
	if (tid != c->tid || (tgid > 0 && tgid != p->pid))
		return -ESRCH;
	if (sig < 0 || sig > GUEST_NSIG)
		return -EINVAL;
	if (sig)
		signal_send_self(p, c, sig, K_SI_TKILL);
	return 0;
}

SYS(tgkill)
{
	int tgid = (int)a[0], tid = (int)a[1];

	if (tgid <= 0 || tid <= 0)
		return -EINVAL;
	return do_tkill(p, c, tgid, tid, (int)a[2]);
}

SYS(tkill)
{
	int tid = (int)a[0];

	if (tid <= 0)
		return -EINVAL;
	return do_tkill(p, c, 0, tid, (int)a[1]);
}

SYS(rt_sigsuspend)
{
	uint64_t mask, saved = p->sigmask;

	if (a[1] != 8)
		return -EINVAL;
	if (mem_copy_in(p->mem, &mask, a[0], sizeof(mask)) < 0)
		return -EFAULT;
	p->sigmask = mask & ~KERNEL_ONLY_MASK;
	return wait_for_signal(p, c, saved, "sigsuspend");
}

SYS(pause)
{
	return wait_for_signal(p, c, p->sigmask, "pause");
}

/* Sleep on the host for a relative guest timeout. */
static void sleep_for(const struct timespec *ts)
{
	struct timespec left = *ts;
	while (nanosleep(&left, &left) < 0 && errno == EINTR)
		;
}

SYS(rt_sigtimedwait)
{
	uint64_t uthese = a[0], uinfo = a[1], uts = a[2];
	uint64_t these;
	struct { int64_t tv_sec, tv_nsec; } kts;
	int sig;

	if (a[3] != 8)
		return -EINVAL;
	if (mem_copy_in(p->mem, &these, uthese, sizeof(these)) < 0)
		return -EFAULT;
	if (uts) {
		if (mem_copy_in(p->mem, &kts, uts, sizeof(kts)) < 0)
			return -EFAULT;
		if (kts.tv_sec < 0 || (uint64_t)kts.tv_nsec >= 1000000000ULL)
			return -EINVAL;
	}
	these &= ~KERNEL_ONLY_MASK;

	/* dequeue_signal with everything outside `these` blocked. */
	sig = next_signal(p->sigpending, ~these);
	if (sig) {
		siginfo_t info = p->pending_info[sig];
		p->sigpending &= ~SIGBIT(sig);
		if (uinfo && mem_copy_out(p->mem, uinfo, &info,
					  sizeof(info)) < 0)
			return -EFAULT;
		return sig;
	}
	if (!uts)
		return wait_forever(p, "sigtimedwait");
	/* Nothing can arrive while sleeping: wait the timeout out. */
	if (kts.tv_sec || kts.tv_nsec) {
		struct timespec ts = { .tv_sec = kts.tv_sec,
				       .tv_nsec = kts.tv_nsec };
		sleep_for(&ts);
	}
	return -EAGAIN;
}
