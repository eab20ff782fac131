/*
 * journal.c - recording inputs into a trace and feeding them back (see
 * journal.h).
 *
 * Every syscall is one EV_SYSCALL event carrying the icount, the number,
 * the six argument registers and the result.  A journaled call (SR_JOURNALED
 * in the syscall table) also carries every byte the host kernel wrote into
 * guest memory; on replay it is not executed at all.  An emulated call
 * (SR_EMULATED, SR_EXIT) runs inside the VM on replay too, and its event
 * only serves as a check.  A file mapping adds an EV_MMAP_FILE event whose
 * blob holds the mapped bytes, so replay needs neither the file nor its fd.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "engine/engine.h"
#include "engine/fpu.h"
#include "engine/insn.h"
#include "mem/mem.h"
#include "os/journal.h"
#include "os/proc.h"
#include "os/sys_int.h"
#include "os/syscall.h"
#include "trace/event.h"
#include "trace/hash.h"
#include "trace/trace.h"

/* A range the kernel wrote during the current journaled syscall. */
struct wrote {
	uint64_t addr, len;
};

struct journal {
	struct trace *trace;
	enum journal_mode mode;
	uint64_t seq;			/* next event to write or read */
	uint64_t nevents;		/* replay: events in the trace */

	/* Recording: ranges written by the current syscall. */
	struct wrote *wrote;
	size_t nwrote, capwrote;
	int collecting;
	int lost_writes;		/* a range could not be remembered */

	/* Replay: the event of the emulated syscall being executed. */
	struct event pending;
	int have_pending;
	/* Replay: output is shown once, when the replay first passes the
	 * event that wrote it (a session goes over the same events again). */
	uint64_t output_upto;

	char failure[512];
	int failure_code;
	uint64_t failure_rip;
	uint64_t failure_icount;
};

int journal_create(struct trace *t, enum journal_mode mode,
		   struct journal **out)
{
	struct journal *j = calloc(1, sizeof(*j));
	if (!j)
		return -ENOMEM;
	j->trace = t;
	j->mode = mode;
	if (mode == JOURNAL_REPLAY)
		j->nevents = trace_event_count(t);
	*out = j;
	return 0;
}

int journal_destroy(struct journal *j)
{
	int rc = 0;
	if (!j)
		return 0;
	if (j->mode == JOURNAL_RECORD)
		rc = trace_commit(j->trace);
	if (j->have_pending)
		event_free(&j->pending);
	free(j->wrote);
	free(j);
	return rc;
}

enum journal_mode journal_mode(const struct journal *j) { return j->mode; }
uint64_t journal_position(const struct journal *j) { return j->seq; }

const char *journal_failure(const struct journal *j)
{
	return j->failure[0] ? j->failure : NULL;
}

int journal_failure_code(const struct journal *j) { return j->failure_code; }
uint64_t journal_failure_icount(const struct journal *j)
{
	return j->failure_icount;
}

void journal_seek(struct journal *j, uint64_t seq)
{
	j->seq = seq;
	if (j->have_pending) {
		event_free(&j->pending);
		j->have_pending = 0;
	}
	j->failure[0] = 0;
	j->failure_code = 0;
}

uint64_t journal_event_count(const struct journal *j)
{
	return j->nevents;
}
uint64_t journal_failure_rip(const struct journal *j) { return j->failure_rip; }

static const char *kind_name(int kind)
{
	switch (kind) {
	case EV_SYSCALL: return "syscall";
	case EV_RDTSC: return "rdtsc";
	case EV_RDRAND: return "rdrand";
	case EV_RANDOM_BYTES: return "AT_RANDOM";
	case EV_SIGNAL: return "signal";
	case EV_EXIT: return "exit";
	case EV_MMAP_FILE: return "file mapping";
	default: return "unknown";
	}
}

/* Describe what an event or a request is, for divergence reports. */
static void describe(char *buf, size_t len, int kind, uint64_t nr)
{
	if (kind == EV_SYSCALL) {
		const struct syscall_desc *d = syscall_lookup(nr);
		snprintf(buf, len, "syscall %s (%llu)", d ? d->name : "?",
			 (unsigned long long)nr);
	} else {
		snprintf(buf, len, "%s", kind_name(kind));
	}
}

/* Stop the replay: remember why and end the guest process. */
__attribute__((format(printf, 4, 5)))
static void fail(struct proc *p, struct cpu *c, int code, const char *fmt, ...)
{
	struct journal *j = p->journal;
	if (!j->failure[0]) {
		char what[400];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(what, sizeof(what), fmt, ap);
		va_end(ap);
		snprintf(j->failure, sizeof(j->failure),
			 "event %llu, icount %llu, rip 0x%llx: %s",
			 (unsigned long long)j->seq,
			 (unsigned long long)engine_icount(c),
			 (unsigned long long)(c->cur ? c->cur->addr : c->rip),
			 what);
		j->failure_code = code;
		j->failure_rip = c->cur ? c->cur->addr : c->rip;
		j->failure_icount = engine_icount(c);
	}
	if (!p->exited)
		proc_exit(p, SIGKILL);
}

/* ------------------------------------------------------------ recording */

static void record(struct proc *p, struct cpu *c, struct event *ev)
{
	struct journal *j = p->journal;
	int rc = trace_append(j->trace, ev, NULL);
	if (rc < 0) {
		/* The recording is broken: stop rather than go on with a
		 * journal that cannot replay. */
		fail(p, c, rc, "cannot write the trace: %s", trace_strerror(rc));
		return;
	}
	j->seq++;
}

void journal_wrote(struct proc *p, uint64_t addr, uint64_t len)
{
	struct journal *j = p->journal;
	if (!j || j->mode != JOURNAL_RECORD || !j->collecting || !len)
		return;
	if (j->nwrote == j->capwrote) {
		size_t cap = j->capwrote ? 2 * j->capwrote : 16;
		struct wrote *n = realloc(j->wrote, cap * sizeof(*n));
		if (!n) {
			j->lost_writes = 1;	/* record_syscall fails */
			return;
		}
		j->wrote = n;
		j->capwrote = cap;
	}
	j->wrote[j->nwrote++] = (struct wrote){ addr, len };
}

/* The guest fd's host fd when it is the terminal-facing 1 or 2, else 0:
 * replay shows what the guest wrote there. */
static int output_fd(struct proc *p, uint64_t gfd)
{
	if (gfd >= GUEST_MAX_FDS)
		return 0;
	int h = p->fds[gfd].host;
	return h == 1 || h == 2 ? h : 0;
}

static int is_output_call(uint64_t nr)
{
	return nr == SYS_write || nr == SYS_writev || nr == SYS_pwrite64 ||
	       nr == SYS_pwritev || nr == SYS_pwritev2;
}

/* Record the bytes of a file mapping so replay needs no file. */
static void record_file_mapping(struct proc *p, struct cpu *c,
				const uint64_t a[6], int64_t addr)
{
	int h = fd_host(p, a[4]);
	uint64_t len = a[1];
	uint8_t *buf = len ? malloc(len) : NULL;
	struct event ev = { .kind = EV_MMAP_FILE, .icount = engine_icount(c) };
	if (len && !buf) {
		fail(p, c, -ENOMEM, "out of memory journaling a file mapping");
		return;
	}
	uint64_t got = 0;
	while (h >= 0 && got < len) {
		ssize_t n = pread(h, buf + got, len - got, (off_t)(a[5] + got));
		if (n <= 0)
			break;
		got += (uint64_t)n;
	}
	int rc = trace_blob_put(p->journal->trace, buf, got, ev.hash);
	free(buf);
	if (rc < 0) {
		fail(p, c, rc, "cannot store a mapped file: %s",
		     trace_strerror(rc));
		return;
	}
	ev.args[0] = (uint64_t)addr;
	ev.args[1] = len;
	ev.args[2] = a[2];
	ev.args[3] = a[3];
	ev.value = got;		/* bytes backed by the file */
	record(p, c, &ev);
}

static int wrote_cmp(const void *a, const void *b)
{
	const struct wrote *x = a, *y = b;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static void record_syscall(struct proc *p, struct cpu *c,
			   const struct syscall_desc *d, uint64_t nr,
			   const uint64_t a[6], int64_t r, uint64_t icount)
{
	struct journal *j = p->journal;
	struct event ev = { .kind = EV_SYSCALL, .icount = icount, .nr = nr,
			    .result = r };
	memcpy(ev.args, a, sizeof(ev.args));
	struct event_mem *mem = NULL;
	if (j->nwrote || j->lost_writes) {
		mem = j->lost_writes ? NULL : calloc(j->nwrote, sizeof(*mem));
		if (!mem) {
			j->lost_writes = 0;
			fail(p, c, -ENOMEM, "out of memory journaling %s",
			     d ? d->name : "a syscall");
			return;
		}
		/* Copy what the kernel left in guest memory, sorted by
		 * address and merged: readv may name one buffer twice, and
		 * overlapping regions would store those bytes twice. */
		qsort(j->wrote, j->nwrote, sizeof(*j->wrote), wrote_cmp);
		uint32_t n = 0;
		for (size_t k = 0; k < j->nwrote; k++) {
			uint64_t lo = j->wrote[k].addr, hi = lo + j->wrote[k].len;
			if (mem_check(p->mem, lo, hi - lo, PROT_READ) < 0)
				continue;
			struct event_mem *last = n ? &mem[n - 1] : NULL;
			if (last && lo <= last->addr + last->len) {
				if (hi > last->addr + last->len)
					last->len = hi - last->addr;
			} else {
				mem[n++] = (struct event_mem){ lo, hi - lo, NULL };
			}
		}
		for (uint32_t m = 0; m < n; m++)
			mem[m].data = mem_base(p->mem) + mem[m].addr;
		ev.nmem = n;
		ev.mem = mem;
	}
	if (is_output_call(nr))
		ev.value = (uint64_t)output_fd(p, a[0]);
	record(p, c, &ev);
	free(mem);
	if (nr == SYS_mmap && !(a[3] & MAP_ANONYMOUS) && r >= 0)
		record_file_mapping(p, c, a, r);
}

/* ------------------------------------------------------------ replay */

/* Read the next event, which must be of `kind`.  Returns 0, or -1 after
 * failing the replay. */
static int next_event(struct proc *p, struct cpu *c, int kind, uint64_t nr,
		      struct event *ev)
{
	struct journal *j = p->journal;
	char want[96], got[96];
	describe(want, sizeof(want), kind, nr);
	if (j->seq >= j->nevents) {
		fail(p, c, 0, "the trace ends here (the recording stopped "
		     "after %llu events) but the program goes on with %s",
		     (unsigned long long)j->nevents, want);
		return -1;
	}
	int rc = trace_read_event(j->trace, j->seq, ev);
	if (rc < 0) {
		fail(p, c, rc, "cannot read the event: %s", trace_strerror(rc));
		return -1;
	}
	uint64_t now = engine_icount(c);
	if (ev->kind != kind || (kind == EV_SYSCALL && ev->nr != nr)) {
		describe(got, sizeof(got), ev->kind, ev->nr);
		fail(p, c, 0, "divergence: expected %s, the program did %s",
		     got, want);
		event_free(ev);
		return -1;
	}
	if (ev->icount != now) {
		fail(p, c, 0, "divergence: %s expected at icount %llu, "
		     "happened at %llu", want,
		     (unsigned long long)ev->icount, (unsigned long long)now);
		event_free(ev);
		return -1;
	}
	j->seq++;
	return 0;
}

/* Show what the guest wrote to the terminal-facing fds, as recorded. */
static void replay_output(struct proc *p, const struct event *ev)
{
	int h = (int)ev->value;
	struct journal *j = p->journal;
	if ((h != 1 && h != 2) || ev->result <= 0 || p->replay_quiet ||
	    j->seq <= j->output_upto)
		return;
	j->output_upto = j->seq;
	uint64_t left = (uint64_t)ev->result;
	if (ev->nr == SYS_write || ev->nr == SYS_pwrite64) {
		if (mem_check(p->mem, ev->args[1], left, PROT_READ) == 0)
			(void)!write(h, mem_base(p->mem) + ev->args[1], left);
		return;
	}
	/* writev family: walk the iovecs in guest memory. */
	uint64_t iov = ev->args[1], cnt = ev->args[2];
	for (uint64_t k = 0; k < cnt && left; k++) {
		uint64_t v[2];
		if (mem_copy_in(p->mem, v, iov + 16 * k, 16) < 0)
			return;
		uint64_t n = v[1] < left ? v[1] : left;
		if (mem_check(p->mem, v[0], n, PROT_READ) == 0)
			(void)!write(h, mem_base(p->mem) + v[0], n);
		left -= n;
	}
}

/* Re-create a recorded file mapping from its blob. */
static int64_t replay_file_mapping(struct proc *p, struct cpu *c)
{
	struct event ev;
	if (next_event(p, c, EV_MMAP_FILE, 0, &ev) < 0)
		return -EIO;
	void *data = NULL;
	size_t len = 0;
	int rc = trace_blob_get(p->journal->trace, ev.hash, &data, &len);
	if (rc < 0) {
		fail(p, c, rc, "file mapping contents: %s", trace_strerror(rc));
		event_free(&ev);
		return -EIO;
	}
	uint64_t addr = ev.args[0], mlen = ev.args[1];
	int prot = (int)ev.args[2];
	int flags = (int)(ev.args[3] & ~(uint64_t)(MAP_SHARED | MAP_SHARED_VALIDATE));
	int64_t got = mem_map(p->mem, addr, mlen, prot | PROT_WRITE,
			      (flags | MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED) &
			      ~MAP_FIXED_NOREPLACE, -1, 0);
	if (got == (int64_t)addr) {
		memcpy(mem_base(p->mem) + addr, data, len < mlen ? len : mlen);
		if (!(prot & PROT_WRITE))
			mem_protect(p->mem, addr, mlen, prot);
	} else {
		fail(p, c, 0, "divergence: cannot map the recorded file "
		     "contents at 0x%llx (%lld)", (unsigned long long)addr,
		     (long long)got);
	}
	free(data);
	event_free(&ev);
	return got;
}

/* ------------------------------------------------------------ syscalls */

/* A read from fd gfd may wait for the outside world unless the fd is a
 * regular file or a directory. */
static int fd_may_block(struct proc *p, uint64_t gfd)
{
	struct stat st;
	int h = fd_host(p, gfd);
	if (h < 0 || fstat(h, &st) < 0)
		return 0;
	return !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
}

static int may_block(struct proc *p, uint64_t nr, const uint64_t a[6])
{
	switch (nr) {
	case SYS_read: case SYS_readv: case SYS_pread64: case SYS_preadv:
	case SYS_preadv2: case SYS_recvfrom: case SYS_recvmsg:
	case SYS_recvmmsg:
		return fd_may_block(p, a[0]);
	case SYS_accept: case SYS_accept4: case SYS_connect:
	case SYS_poll: case SYS_ppoll: case SYS_select: case SYS_pselect6:
	case SYS_nanosleep: case SYS_clock_nanosleep: case SYS_epoll_wait:
	case SYS_epoll_pwait: case SYS_pause: case SYS_rt_sigsuspend:
	case SYS_rt_sigtimedwait: case SYS_wait4: case SYS_futex:
		return 1;
	default:
		return 0;
	}
}

int64_t journal_syscall(struct proc *p, struct cpu *c,
			const struct syscall_desc *d, uint64_t nr,
			const uint64_t a[6])
{
	struct journal *j = p->journal;
	uint64_t icount = engine_icount(c);
	int journaled = d && d->replay == SR_JOURNALED;
	int file_map = nr == SYS_mmap && !(a[3] & MAP_ANONYMOUS);
	int64_t r;

	if (j->mode == JOURNAL_RECORD) {
		/* A call that may wait for the outside world first commits
		 * what is pending, so that a recorder killed while the guest
		 * waits leaves every earlier event in the trace. */
		if (may_block(p, nr, a))
			trace_commit(j->trace);
		j->nwrote = 0;
		j->collecting = journaled;
		r = syscall_execute(p, c, d, nr, a);
		j->collecting = 0;
		record_syscall(p, c, d, nr, a, r, icount);
		return r;
	}

	struct event ev;
	if (next_event(p, c, EV_SYSCALL, nr, &ev) < 0)
		return -EIO;
	for (int k = 0; k < (d ? d->nargs : 6); k++) {
		if (ev.args[k] != a[k]) {
			fail(p, c, 0, "divergence: %s argument %d is 0x%llx, "
			     "recorded 0x%llx", d ? d->name : "syscall", k,
			     (unsigned long long)a[k],
			     (unsigned long long)ev.args[k]);
			event_free(&ev);
			return -EIO;
		}
	}
	if (journaled) {
		for (uint32_t k = 0; k < ev.nmem; k++) {
			const struct event_mem *m = &ev.mem[k];
			if (mem_copy_out(p->mem, m->addr, m->data, m->len) < 0) {
				fail(p, c, 0, "divergence: recorded %s output "
				     "at 0x%llx is not writable now",
				     d->name, (unsigned long long)m->addr);
				event_free(&ev);
				return -EIO;
			}
		}
		if (is_output_call(nr))
			replay_output(p, &ev);
		r = ev.result;
		event_free(&ev);
		return r;
	}
	if (file_map && ev.result >= 0) {
		/* The fd of a journaled open() does not exist on replay:
		 * the mapping comes from the recorded bytes. */
		r = ev.result;
		event_free(&ev);
		int64_t got = replay_file_mapping(p, c);
		return got < 0 ? got : r;
	}
	r = syscall_execute(p, c, d, nr, a);
	if (r != ev.result && !p->exited)
		fail(p, c, 0, "divergence: %s returned %lld, recorded %lld",
		     d ? d->name : "syscall", (long long)r,
		     (long long)ev.result);
	event_free(&ev);
	return r;
}

/* ------------------------------------------------------------ other inputs */

uint64_t journal_rdtsc(struct proc *p, struct cpu *c, uint64_t host_value)
{
	struct journal *j = p->journal;
	struct event ev = { .kind = EV_RDTSC, .icount = engine_icount(c),
			    .value = host_value };
	if (j->mode == JOURNAL_RECORD) {
		record(p, c, &ev);
		return host_value;
	}
	if (next_event(p, c, EV_RDTSC, 0, &ev) < 0)
		return 0;
	uint64_t v = ev.value;
	event_free(&ev);
	return v;
}

int journal_random_bytes(struct proc *p, uint8_t out[16])
{
	struct journal *j = p->journal;
	struct cpu *c = p->cpu;
	if (j->mode == JOURNAL_RECORD) {
		struct event_mem m = { 0, 16, out };
		struct event ev = { .kind = EV_RANDOM_BYTES, .nmem = 1, .mem = &m };
		record(p, c, &ev);
		return 0;
	}
	struct event ev;
	if (next_event(p, c, EV_RANDOM_BYTES, 0, &ev) < 0)
		return -EIO;
	if (ev.nmem != 1 || ev.mem[0].len != 16) {
		fail(p, c, TRACE_EBADEVENT, "malformed AT_RANDOM event");
		event_free(&ev);
		return -EIO;
	}
	memcpy(out, ev.mem[0].data, 16);
	event_free(&ev);
	return 0;
}

void journal_state_hash(struct proc *p, struct cpu *c, uint8_t out[32])
{
	struct sha256 s;
	uint8_t fx[512];
	sha256_init(&s);
	sha256_update(&s, c->gpr, sizeof(c->gpr));
	sha256_update(&s, &c->rip, sizeof(c->rip));
	uint64_t fl = cpu_rflags_read(c);
	sha256_update(&s, &fl, sizeof(fl));
	sha256_update(&s, &c->fs_base, sizeof(c->fs_base));
	sha256_update(&s, &c->gs_base, sizeof(c->gs_base));
	fpu_fxsave(c, fx);
	/* The FIP/FDP/FOP bookkeeping is part of the state too. */
	sha256_update(&s, fx, 416);
	for (size_t k = 0; k < mem_region_count(p->mem); k++) {
		const struct mem_region *r = mem_region_at(p->mem, k);
		uint64_t hdr[3] = { r->start, r->end, (uint64_t)r->prot };
		sha256_update(&s, hdr, sizeof(hdr));
		if (r->prot & (PROT_READ | PROT_WRITE | PROT_EXEC))
			sha256_update(&s, mem_base(p->mem) + r->start,
				      r->end - r->start);
	}
	sha256_final(&s, out);
}

void journal_exit(struct proc *p, struct cpu *c)
{
	struct journal *j = p->journal;
	struct event ev = { .kind = EV_EXIT, .icount = engine_icount(c),
			    .result = p->wait_status };
	journal_state_hash(p, c, ev.hash);
	if (j->mode == JOURNAL_RECORD) {
		record(p, c, &ev);
		return;
	}
	if (j->failure[0])
		return;
	struct event want;
	if (next_event(p, c, EV_EXIT, 0, &want) < 0)
		return;
	if (want.result != ev.result)
		fail(p, c, 0, "divergence: the program ended with wait status "
		     "0x%llx, recorded 0x%llx", (unsigned long long)ev.result,
		     (unsigned long long)want.result);
	else if (memcmp(want.hash, ev.hash, 32))
		fail(p, c, 0, "divergence: the final register and memory "
		     "state differs from the recording");
	event_free(&want);
}
