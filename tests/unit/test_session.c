/*
 * test_session.c - time travel on a real recording.
 *
 * Records tests/programs/timetravel.c (and examples/compute.c) with the
 * rewind binary built next to this test, then checks the replay session
 * against plain forward execution:
 *   - seek(t) to random moments, in random order, gives the same state
 *     hash as running forwards from the start to t;
 *   - a breakpoint hit forwards N times is hit backwards at the same
 *     moments, newest first, then the start of the trace;
 *   - a watchpoint stops after each write going forwards and just before
 *     it going backwards, for CPU stores, kernel writes (read(2)) and the
 *     iterations of rep stosb;
 *   - signal stops, single steps both ways, diversions, and the memory
 *     budget under many random seeks.
 */
#include <check.h>
#include <fcntl.h>
#include <gelf.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/cpu.h"
#include "replay/session.h"

#define BUMPS 40

static char tmpdir[PATH_MAX];
static char tt_trace[PATH_MAX + 32], compute_trace[PATH_MAX + 32];
static char tt_prog[PATH_MAX];

/* build/MODE/tests/unit/test_session -> build/MODE/rewind; the guest
 * programs are in build/programs and build/examples. */
static void build_path(char *out, size_t len, const char *rel)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	ck_assert_int_gt(n, 0);
	self[n] = 0;
	char *d = dirname(dirname(dirname(self)));	/* build/MODE */
	snprintf(out, len, "%s/%s", d, rel);
}

static void record(const char *prog, const char *trace)
{
	char rewind[PATH_MAX];
	build_path(rewind, sizeof(rewind), "rewind");
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int nul = open("/dev/null", O_WRONLY);
		dup2(nul, 1);
		execl(rewind, rewind, "record", "-o", trace, "--", prog,
		      (char *)NULL);
		_exit(127);
	}
	int st;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		      "recording %s failed (status %#x)", prog, st);
}

static void run_rewind(const char *cmd, const char *trace)
{
	char rewind[PATH_MAX];
	build_path(rewind, sizeof(rewind), "rewind");
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int nul = open("/dev/null", O_WRONLY);
		dup2(nul, 1);
		dup2(nul, 2);
		execl(rewind, rewind, cmd, trace, (char *)NULL);
		_exit(127);
	}
	int st;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		      "rewind %s %s failed (status %#x)", cmd, trace, st);
}

static void setup(void)
{
	if (tt_trace[0])
		return;
	char prog[PATH_MAX];
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/rewind-session-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	build_path(tt_prog, sizeof(tt_prog), "../programs/timetravel.glibc");
	snprintf(tt_trace, sizeof(tt_trace), "%s/tt.rwd", tmpdir);
	record(tt_prog, tt_trace);
	build_path(prog, sizeof(prog), "../examples/compute.glibc");
	snprintf(compute_trace, sizeof(compute_trace), "%s/compute.rwd",
		 tmpdir);
	record(prog, compute_trace);
}

static void teardown_all(void)
{
	if (!tmpdir[0])
		return;
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	(void)!system(cmd);
}

/* The address of symbol name in the executable. */
static uint64_t symbol(const char *name)
{
	int fd = open(tt_prog, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	elf_version(EV_CURRENT);
	Elf *e = elf_begin(fd, ELF_C_READ, NULL);
	Elf_Scn *scn = NULL;
	uint64_t addr = 0;
	while (e && !addr && (scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB)
			continue;
		Elf_Data *d = elf_getdata(scn, NULL);
		for (size_t k = 0; d && k < d->d_size / sh.sh_entsize; k++) {
			GElf_Sym sym;
			if (gelf_getsym(d, (int)k, &sym) &&
			    strcmp(elf_strptr(e, sh.sh_link, sym.st_name),
				   name) == 0) {
				addr = sym.st_value;
				break;
			}
		}
	}
	elf_end(e);
	close(fd);
	ck_assert_msg(addr, "no symbol %s", name);
	return addr;
}

static struct session *open_session(const char *trace, uint64_t interval,
				    uint64_t budget)
{
	struct session *s;
	char err[1024];
	struct session_opts o = { .interval = interval,
				  .memory_budget = budget };
	int rc = session_open(trace, &o, &s, err, sizeof(err));
	ck_assert_msg(rc == 0, "session_open: %s", err);
	return s;
}

static uint64_t end_of(struct session *s)
{
	struct session_stop st;
	uint64_t end;
	if (!session_end(s, &end)) {
		ck_assert_int_eq(session_seek(s, UINT64_MAX, &st), 0);
		ck_assert(session_end(s, &end));
	}
	return end;
}

static uint64_t now(struct session *s)
{
	struct session_pos pos;
	session_position(s, &pos);
	return pos.icount;
}

static uint64_t read64(struct session *s, uint64_t addr)
{
	uint64_t v = 0;
	ck_assert_int_eq(session_read_memory(s, addr, &v, 8), 8);
	return v;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Continue forwards (or backwards), passing signals (timetravel raises
 * SIGUSR1; both directions stop at it). */
static void cont_dir(struct session *s, int reverse, struct session_stop *st)
{
	do
		ck_assert_int_eq(session_continue(s, reverse, st), 0);
	while (st->reason == SESSION_STOP_SIGNAL);
}

static void cont(struct session *s, struct session_stop *st)
{
	cont_dir(s, 0, st);
}

static void rcont(struct session *s, struct session_stop *st)
{
	cont_dir(s, 1, st);
}

/* ------------------------------------------------------------ seeks */

static void check_seeks(const char *trace)
{
	enum { N = 40 };
	/* (one session at a time: each reserves a guest address space) */
	struct session *a = open_session(trace, 300000, 0);
	uint64_t end = end_of(a), t[N], sorted[N];
	uint8_t ha[N][32], hb[32];
	struct session_stop st;
	struct session_stats ss;
	for (int k = 0; k < N; k++)
		t[k] = k < 3 ? (uint64_t[]){ 0, 1, end }[k] : rnd() % (end + 1);
	/* a: random order, forwards and backwards. */
	for (int k = 0; k < N; k++) {
		ck_assert_int_eq(session_seek(a, t[k], &st), 0);
		ck_assert_uint_eq(now(a), t[k]);
		session_state_hash(a, ha[k]);
	}
	session_get_stats(a, &ss);
	ck_assert_uint_gt(ss.snapshots, 10);
	session_close(a);
	/* b: straight forwards, from the start. */
	struct session *b = open_session(trace, 1ULL << 40, 0);
	memcpy(sorted, t, sizeof(t));
	qsort(sorted, N, sizeof(*sorted), cmp_u64);
	for (int k = 0; k < N; k++) {
		ck_assert_int_eq(session_seek(b, sorted[k], &st), 0);
		session_state_hash(b, hb);
		int found = 0;
		for (int j = 0; j < N; j++)
			if (t[j] == sorted[k]) {
				ck_assert_msg(memcmp(ha[j], hb, 32) == 0,
					      "state at icount %llu differs",
					      (unsigned long long)t[j]);
				found = 1;
			}
		ck_assert(found);
	}
	session_close(b);
}

START_TEST(test_seek_matches_forward)
{
	check_seeks(tt_trace);
	check_seeks(compute_trace);
}
END_TEST

START_TEST(test_step_both_ways)
{
	struct session *s = open_session(tt_trace, 200000, 0);
	struct session_stop st;
	uint8_t h1[32], h2[32];
	uint64_t t = end_of(s) / 3;
	ck_assert_int_eq(session_seek(s, t, &st), 0);
	session_state_hash(s, h1);
	for (int k = 0; k < 50; k++) {
		ck_assert_int_eq(session_step(s, 0, &st), 0);
		ck_assert_int_eq(st.reason, SESSION_STOP_STEP);
		ck_assert_uint_eq(now(s), t + k + 1);
	}
	for (int k = 0; k < 50; k++) {
		ck_assert_int_eq(session_step(s, 1, &st), 0);
		ck_assert_uint_eq(now(s), t + 49 - k);
	}
	session_state_hash(s, h2);
	ck_assert(memcmp(h1, h2, 32) == 0);
	/* Stepping back from the start stops there. */
	ck_assert_int_eq(session_seek(s, 1, &st), 0);
	ck_assert_int_eq(session_step(s, 1, &st), 0);
	ck_assert_int_eq(st.reason, SESSION_STOP_START);
	ck_assert_int_eq(session_step(s, 1, &st), 0);
	ck_assert_int_eq(st.reason, SESSION_STOP_START);
	ck_assert_uint_eq(now(s), 0);
	session_close(s);
}
END_TEST

/* ------------------------------------------------------- breakpoints */

START_TEST(test_breakpoint_both_ways)
{
	struct session *s = open_session(tt_trace, 500000, 0);
	uint64_t bump = symbol("bump"), hits[BUMPS + 1];
	struct session_stop st;
	int n = 0;
	ck_assert_int_eq(session_break_insert(s, bump), 0);
	for (;;) {
		cont(s, &st);
		if (st.reason != SESSION_STOP_BREAK)
			break;
		ck_assert_uint_eq(session_cpu(s)->rip, bump);
		ck_assert_int_lt(n, BUMPS);
		hits[n++] = now(s);
	}
	ck_assert_int_eq(st.reason, SESSION_STOP_END);
	ck_assert_int_eq(n, BUMPS);
	/* Backwards from the end: the same moments, newest first. */
	for (int k = n - 1; k >= 0; k--) {
		rcont(s, &st);
		ck_assert_int_eq(st.reason, SESSION_STOP_BREAK);
		ck_assert_uint_eq(now(s), hits[k]);
		ck_assert_uint_eq(session_cpu(s)->rip, bump);
	}
	rcont(s, &st);
	ck_assert_int_eq(st.reason, SESSION_STOP_START);
	ck_assert_uint_eq(now(s), 0);
	/* Forwards again from a hit: the next one, not the same. */
	ck_assert_int_eq(session_seek(s, hits[5], &st), 0);
	ck_assert_int_eq(session_continue(s, 0, &st), 0);
	ck_assert_uint_eq(now(s), hits[6]);
	/* Removed: the run goes to the end. */
	ck_assert_int_eq(session_break_remove(s, bump), 0);
	cont(s, &st);
	ck_assert_int_eq(st.reason, SESSION_STOP_END);
	session_close(s);
}
END_TEST

/* ------------------------------------------------------- watchpoints */

START_TEST(test_watch_counter)
{
	struct session *s = open_session(tt_trace, 400000, 0);
	uint64_t counter = symbol("counter"), after[BUMPS + 1];
	uint64_t want = 0;
	struct session_stop st;
	int n = 0;
	ck_assert_int_eq(session_watch_insert(s, DBG_WATCH_WRITE, counter, 8),
			 0);
	for (;;) {
		cont(s, &st);
		if (st.reason != SESSION_STOP_WATCH)
			break;
		ck_assert_uint_eq(st.addr, counter);
		ck_assert_int_lt(n, BUMPS);
		want += (uint64_t)n + 1;
		ck_assert_uint_eq(read64(s, counter), want);
		after[n++] = now(s);
	}
	ck_assert_int_eq(st.reason, SESSION_STOP_END);
	ck_assert_int_eq(n, BUMPS);
	/* Backwards: just before each write, newest first; the value there
	 * is the one before the write. */
	for (int k = n - 1; k >= 0; k--) {
		rcont(s, &st);
		ck_assert_int_eq(st.reason, SESSION_STOP_WATCH);
		ck_assert_uint_eq(now(s), after[k] - 1);
		want -= (uint64_t)k + 1;
		ck_assert_uint_eq(read64(s, counter), want);
	}
	rcont(s, &st);
	ck_assert_int_eq(st.reason, SESSION_STOP_START);
	session_close(s);
}
END_TEST

START_TEST(test_watch_kernel_and_rep)
{
	struct session *s = open_session(tt_trace, 1000000, 0);
	uint64_t buffer = symbol("buffer"), filled = symbol("filled");
	struct session_stop st;
	/* read(2) fills buffer: the stop is after the syscall. */
	ck_assert_int_eq(session_watch_insert(s, DBG_WATCH_WRITE, buffer + 1,
					      3), 0);
	ck_assert_int_eq(session_continue(s, 0, &st), 0);
	ck_assert_int_eq(st.reason, SESSION_STOP_WATCH);
	uint64_t after_read = now(s);
	char elf[4] = { 0 };
	ck_assert_int_eq(session_read_memory(s, buffer + 1, elf, 3), 3);
	ck_assert_str_eq(elf, "ELF");
	/* The instruction just executed is the syscall (0f 05). */
	uint8_t insn[2];
	ck_assert_int_eq(session_read_memory(s, session_cpu(s)->rip - 2,
					     insn, 2), 2);
	ck_assert(insn[0] == 0x0f && insn[1] == 0x05);
	ck_assert_int_eq(session_watch_remove(s, DBG_WATCH_WRITE, buffer + 1,
					      3), 0);

	/* One byte in the middle of a rep stosb: the stop is after that
	 * iteration, on the unfinished instruction. */
	ck_assert_int_eq(session_watch_insert(s, DBG_WATCH_WRITE, filled + 100,
					      1), 0);
	ck_assert_int_eq(session_continue(s, 0, &st), 0);
	ck_assert_int_eq(st.reason, SESSION_STOP_WATCH);
	const struct cpu *c = session_cpu(s);
	ck_assert_uint_eq(c->gpr[R_RDI], filled + 101);
	ck_assert_uint_eq(c->gpr[R_RCX], 256 - 101);
	ck_assert_int_eq(session_read_memory(s, c->rip, insn, 2), 2);
	ck_assert(insn[0] == 0xf3 && insn[1] == 0xaa);
	uint64_t rep_after = now(s);
	cont(s, &st);
	ck_assert_int_eq(st.reason, SESSION_STOP_END);

	/* Backwards: the rep iteration, then the kernel's write. */
	ck_assert_int_eq(session_watch_insert(s, DBG_WATCH_WRITE, buffer + 1,
					      3), 0);
	rcont(s, &st);
	ck_assert_int_eq(st.reason, SESSION_STOP_WATCH);
	ck_assert_uint_eq(now(s), rep_after - 1);
	ck_assert_uint_eq(session_cpu(s)->gpr[R_RCX], 256 - 100);
	rcont(s, &st);
	ck_assert_int_eq(st.reason, SESSION_STOP_WATCH);
	ck_assert_uint_eq(now(s), after_read - 1);
	rcont(s, &st);
	ck_assert_int_eq(st.reason, SESSION_STOP_START);
	session_close(s);
}
END_TEST

START_TEST(test_read_watch)
{
	struct session *s = open_session(tt_trace, 1000000, 0);
	uint64_t counter = symbol("counter");
	struct session_stop st;
	/* counter += by reads it first: a read watch stops at each bump,
	 * forwards and backwards alike. */
	ck_assert_int_eq(session_watch_insert(s, DBG_WATCH_READ, counter, 8),
			 0);
	uint64_t first, second;
	ck_assert_int_eq(session_continue(s, 0, &st), 0);
	ck_assert_int_eq(st.reason, SESSION_STOP_WATCH);
	ck_assert_int_eq(st.watch_kind, DBG_WATCH_READ);
	first = now(s);
	ck_assert_int_eq(session_continue(s, 0, &st), 0);
	second = now(s);
	ck_assert_uint_gt(second, first);
	/* Backwards from a stop after an access: that same access first
	 * (just before it), then the one before. */
	ck_assert_int_eq(session_continue(s, 1, &st), 0);
	ck_assert_int_eq(st.reason, SESSION_STOP_WATCH);
	ck_assert_uint_eq(now(s), second - 1);
	ck_assert_int_eq(session_continue(s, 1, &st), 0);
	ck_assert_int_eq(st.reason, SESSION_STOP_WATCH);
	ck_assert_uint_eq(now(s), first - 1);
	session_close(s);
}
END_TEST

/* ------------------------------------------------------- signals */

/* The last stop was SIGUSR1's, at icount at, in the state whose hash is
 * want. */
static void check_usr1_stop(struct session *s, const struct session_stop *st,
			    uint64_t at, const uint8_t want[32])
{
	uint8_t h[32];
	ck_assert_int_eq(st->reason, SESSION_STOP_SIGNAL);
	ck_assert_int_eq(st->sig, 10);
	ck_assert_uint_eq(now(s), at);
	session_state_hash(s, h);
	ck_assert(memcmp(h, want, sizeof(h)) == 0);
}

START_TEST(test_signal_stop)
{
	struct session *s = open_session(tt_trace, 1000000, 0);
	struct session_stop st;
	ck_assert_int_eq(session_continue(s, 0, &st), 0);
	ck_assert_int_eq(st.reason, SESSION_STOP_SIGNAL);
	ck_assert_int_eq(st.sig, 10);	/* SIGUSR1, raised */
	uint64_t at = now(s);
	uint8_t h_at[32];
	session_state_hash(s, h_at);
	/* A step delivers it and stops at the handler's first instruction,
	 * which has the icount of the signal stop (delivery retires
	 * nothing); a breakpoint there is hit by continuing instead. */
	uint64_t handler = symbol("on_usr1");
	ck_assert_int_eq(session_step(s, 0, &st), 0);
	ck_assert_int_eq(st.reason, SESSION_STOP_STEP);
	ck_assert_uint_eq(session_cpu(s)->rip, handler);
	ck_assert_uint_eq(now(s), at);
	/* A step back from there is the signal stop again. */
	ck_assert_int_eq(session_step(s, 1, &st), 0);
	check_usr1_stop(s, &st, at, h_at);
	/* and one more is the instruction before it (the raise syscall) */
	ck_assert_int_eq(session_step(s, 1, &st), 0);
	ck_assert_int_eq(st.reason, SESSION_STOP_STEP);
	ck_assert_uint_eq(now(s), at - 1);
	ck_assert_int_eq(session_break_insert(s, handler), 0);
	ck_assert_int_eq(session_continue(s, 0, &st), 0);
	check_usr1_stop(s, &st, at, h_at);
	ck_assert_int_eq(session_continue(s, 0, &st), 0);
	ck_assert_int_eq(st.reason, SESSION_STOP_BREAK);
	ck_assert_uint_eq(session_cpu(s)->rip, handler);
	ck_assert_int_eq(session_break_remove(s, handler), 0);
	/* Continuing delivers it: the next stop is the end. */
	ck_assert_int_eq(session_continue(s, 0, &st), 0);
	ck_assert_int_eq(st.reason, SESSION_STOP_END);
	ck_assert_uint_gt(now(s), at);
	/* Backwards, the signal stops too, in the state of the forward
	 * stop (before the delivery, not on the handler's first
	 * instruction, a moment of the same icount); a step from there
	 * delivers it; further back there is only the start. */
	ck_assert_int_eq(session_continue(s, 1, &st), 0);
	check_usr1_stop(s, &st, at, h_at);
	ck_assert_int_eq(session_step(s, 0, &st), 0);
	ck_assert_uint_eq(session_cpu(s)->rip, handler);
	ck_assert_int_eq(session_continue(s, 1, &st), 0);
	check_usr1_stop(s, &st, at, h_at);
	ck_assert_int_eq(session_continue(s, 1, &st), 0);
	ck_assert_int_eq(st.reason, SESSION_STOP_START);
	ck_assert_int_eq(session_continue(s, 0, &st), 0);
	check_usr1_stop(s, &st, at, h_at);
	ck_assert_int_eq(session_continue(s, 0, &st), 0);
	ck_assert_int_eq(st.reason, SESSION_STOP_END);
	/* Past the end: the recorded exit. */
	ck_assert_int_eq(session_continue(s, 0, &st), 0);
	ck_assert_int_eq(st.reason, SESSION_STOP_EXITED);
	ck_assert_int_eq(st.wait_status, 0);
	/* And back from there: to the end of the history. */
	uint64_t end;
	ck_assert(session_end(s, &end));
	ck_assert_int_eq(session_step(s, 1, &st), 0);
	ck_assert_int_eq(st.reason, SESSION_STOP_END);
	ck_assert_uint_eq(now(s), end);
	ck_assert_int_eq(session_step(s, 1, &st), 0);
	ck_assert_int_eq(st.reason, SESSION_STOP_STEP);
	ck_assert_uint_eq(now(s), end - 1);
	session_close(s);
}
END_TEST

START_TEST(test_pass_signals)
{
	struct session *s = open_session(tt_trace, 1000000, 0);
	struct session_stop st;
	/* Passed (gdb's QPassSignals): no stop either way. */
	session_pass_signals(s, 1ULL << (10 - 1));
	ck_assert_int_eq(session_continue(s, 0, &st), 0);
	ck_assert_int_eq(st.reason, SESSION_STOP_END);
	ck_assert_int_eq(session_continue(s, 1, &st), 0);
	ck_assert_int_eq(st.reason, SESSION_STOP_START);
	/* Another signal passed: SIGUSR1 stops again, both ways. */
	session_pass_signals(s, 1ULL << (12 - 1));
	ck_assert_int_eq(session_continue(s, 0, &st), 0);
	ck_assert_int_eq(st.reason, SESSION_STOP_SIGNAL);
	uint64_t at = now(s);
	uint8_t h_at[32];
	session_state_hash(s, h_at);
	ck_assert_int_eq(session_continue(s, 0, &st), 0);
	ck_assert_int_eq(st.reason, SESSION_STOP_END);
	ck_assert_int_eq(session_continue(s, 1, &st), 0);
	check_usr1_stop(s, &st, at, h_at);
	session_close(s);
}
END_TEST

/* ------------------------------------------------------- diversions */

START_TEST(test_diversion)
{
	struct session *s = open_session(tt_trace, 1000000, 0);
	uint64_t counter = symbol("counter");
	struct session_stop st;
	uint8_t h1[32], h2[32];
	ck_assert_int_eq(session_seek(s, end_of(s) / 2, &st), 0);
	uint64_t t = now(s), recorded = read64(s, counter);
	session_state_hash(s, h1);
	uint64_t v = 12345;
	ck_assert_int_eq(session_write_memory(s, counter, &v, 8), 8);
	ck_assert_uint_eq(read64(s, counter), 12345);
	struct session_pos pos;
	session_position(s, &pos);
	ck_assert(pos.diverted);
	/* Registers are unchanged: resuming leaves the diversion, the
	 * recorded value is back, and the step is a step of the record. */
	ck_assert_int_eq(session_step(s, 0, &st), 0);
	session_position(s, &pos);
	ck_assert(!pos.diverted);
	ck_assert_uint_eq(now(s), t + 1);
	ck_assert_int_eq(session_step(s, 1, &st), 0);
	session_state_hash(s, h2);
	ck_assert(memcmp(h1, h2, 32) == 0);
	ck_assert_uint_eq(read64(s, counter), recorded);
	/* Changing rip and running: free execution in the diversion, then a
	 * reverse command comes back to the timeline. */
	struct cpu *c = session_cpu_for_write(s);
	ck_assert_ptr_nonnull(c);
	c->gpr[R_RDI] = 1000;
	c->rip = symbol("bump");
	c->gpr[R_RSP] -= 8;
	ck_assert_int_eq(session_write_memory(s, c->gpr[R_RSP], &v, 8), 8);
	ck_assert_int_eq(session_continue(s, 0, &st), 0);
	/* bump returns to 12345, which is not mapped: SIGSEGV there */
	ck_assert_int_eq(st.reason, SESSION_STOP_SIGNAL);
	ck_assert_int_eq(st.sig, 11);
	ck_assert_uint_eq(read64(s, counter), recorded + 1000);
	ck_assert_int_eq(session_step(s, 1, &st), 0);
	session_position(s, &pos);
	ck_assert(!pos.diverted);
	ck_assert_uint_eq(now(s), t - 1);
	ck_assert_uint_eq(read64(s, counter), recorded);
	session_close(s);
}
END_TEST

/* ------------------------------------------------------- budget */

START_TEST(test_budget)
{
	/* A small budget and dense snapshots force thinning. */
	uint64_t budget = 1 << 20;
	struct session *s = open_session(compute_trace, 100000, budget);
	struct session_stop st;
	struct session_stats ss;
	uint64_t end = end_of(s);
	for (int k = 0; k < 300; k++) {
		ck_assert_int_eq(session_seek(s, rnd() % (end + 1), &st), 0);
		session_get_stats(s, &ss);
		ck_assert_msg(ss.snapshot_bytes <= budget,
			      "%llu bytes of snapshots, budget %llu",
			      (unsigned long long)ss.snapshot_bytes,
			      (unsigned long long)budget);
	}
	ck_assert_uint_gt(ss.thinned, 0);
	ck_assert_uint_gt(ss.snapshots, 2);
	session_close(s);
}
END_TEST

/* ------------------------------------------------------- index */

START_TEST(test_index)
{
	enum { N = 25 };
	char indexed[PATH_MAX + 64], cmd[3 * PATH_MAX];
	snprintf(indexed, sizeof(indexed), "%s/indexed.rwd", tmpdir);
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", compute_trace, indexed);
	ck_assert_int_eq(system(cmd), 0);
	run_rewind("index", indexed);
	/* Sessions on the indexed trace start with its snapshots... */
	struct session *a = open_session(indexed, 1ULL << 40, 0);
	struct session_stats ss;
	session_get_stats(a, &ss);
	ck_assert_uint_gt(ss.loaded, 2);
	ck_assert_uint_eq(ss.snapshots, ss.loaded + 1);
	uint64_t end, t[N];
	ck_assert(session_end(a, &end));
	uint8_t ha[N][32], hb[32];
	struct session_stop st;
	for (int k = 0; k < N; k++) {
		t[k] = rnd() % (end + 1);
		ck_assert_int_eq(session_seek(a, t[k], &st), 0);
		session_state_hash(a, ha[k]);
	}
	/* (the fixed huge spacing means every seek above started from an
	 * indexed snapshot, or from where the previous one ended) */
	session_get_stats(a, &ss);
	uint64_t with_index = ss.executed;
	session_close(a);
	/* Without the index the same seeks execute more. */
	struct session_opts huge = { .no_index = 1, .interval = 1ULL << 40 };
	char err0[512];
	ck_assert_int_eq(session_open(indexed, &huge, &a, err0, sizeof(err0)),
			 0);
	for (int k = 0; k < N; k++)
		ck_assert_int_eq(session_seek(a, t[k], &st), 0);
	session_get_stats(a, &ss);
	ck_assert_msg(with_index < ss.executed, "%llu instructions "
		      "executed with the index, %llu without",
		      (unsigned long long)with_index,
		      (unsigned long long)ss.executed);
	session_close(a);
	/* ...and the indexed snapshots are the very states plain
	 * execution reaches. */
	struct session_opts o = { .no_index = 1 };
	struct session *b;
	char err[512];
	ck_assert_int_eq(session_open(compute_trace, &o, &b, err,
				      sizeof(err)), 0);
	for (int k = 0; k < N; k++) {
		ck_assert_int_eq(session_seek(b, t[k], &st), 0);
		session_state_hash(b, hb);
		ck_assert_msg(memcmp(ha[k], hb, 32) == 0,
			      "indexed state at %llu differs",
			      (unsigned long long)t[k]);
	}
	session_close(b);
	/* A replay of the indexed trace still matches the recording. */
	run_rewind("replay", indexed);
}
END_TEST

static Suite *session_suite(void)
{
	Suite *s = suite_create("session");
	TCase *tc = tcase_create("timeline");
	tcase_add_unchecked_fixture(tc, setup, NULL);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_seek_matches_forward);
	tcase_add_test(tc, test_step_both_ways);
	tcase_add_test(tc, test_breakpoint_both_ways);
	tcase_add_test(tc, test_watch_counter);
	tcase_add_test(tc, test_watch_kernel_and_rep);
	tcase_add_test(tc, test_read_watch);
	tcase_add_test(tc, test_signal_stop);
	tcase_add_test(tc, test_pass_signals);
	tcase_add_test(tc, test_diversion);
	tcase_add_test(tc, test_budget);
	tcase_add_test(tc, test_index);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(session_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	teardown_all();
	return failed ? 1 : 0;
}
