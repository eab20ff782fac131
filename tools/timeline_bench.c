/*
 * timeline_bench.c - how fast a replay session reaches any moment.
 *
 * Usage: timeline-bench [--seeks N] [--steps N] [--budget MIB]
 *                       [--break-symbol SYM] TRACE
 *
 * Opens a session on TRACE (its snapshot index ignored) and measures, in
 * this order:
 *   1. the first pass: replaying to the end while the timeline is built,
 *      and the snapshot memory it leaves, per 10^9 instructions;
 *   2. N seeks to random moments (uniform over the history);
 *   3. reverse-stepi: from N/10 random moments, 10 steps back each;
 *   4. with --break-symbol: from the end, reverse-continue to the last
 *      call of SYM (a breakpoint at its address, from the executable's
 *      symbol table), compared with executing the same stretch forwards.
 * Prints one line per figure ("name value unit") for tools/timeline_bench.sh.
 * Latencies are wall-clock milliseconds: median and maximum.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/cpu.h"
#include "replay/replay.h"
#include "replay/session.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t rng = 0x2545F4914F6CDD1DULL;
static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void report(const char *name, double *ms, size_t n)
{
	if (!n)
		return;
	qsort(ms, n, sizeof(*ms), cmp_double);
	printf("%s_median %.2f ms\n", name, ms[n / 2]);
	printf("%s_max %.2f ms\n", name, ms[n - 1]);
}

static uint64_t symbol(const char *path, const char *name)
{
	int fd = open(path, O_RDONLY);
	uint64_t addr = 0;
	if (fd < 0)
		return 0;
	elf_version(EV_CURRENT);
	Elf *e = elf_begin(fd, ELF_C_READ, NULL);
	Elf_Scn *scn = NULL;
	while (e && !addr && (scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB ||
		    !sh.sh_entsize)
			continue;
		Elf_Data *d = elf_getdata(scn, NULL);
		for (size_t k = 0; d && k < d->d_size / sh.sh_entsize; k++) {
			GElf_Sym s;
			const char *n;
			if (gelf_getsym(d, (int)k, &s) &&
			    (n = elf_strptr(e, sh.sh_link, s.st_name)) &&
			    strcmp(n, name) == 0) {
				addr = s.st_value;
				break;
			}
		}
	}
	if (e)
		elf_end(e);
	close(fd);
	return addr;
}

static void report_final(struct session *s)
{
	struct session_stats ss;
	session_get_stats(s, &ss);
	printf("final_snapshots %llu\n", (unsigned long long)ss.snapshots);
	printf("final_snapshot_memory %.1f MiB\n",
	       ss.snapshot_bytes / 1048576.0);
	printf("peak_snapshot_memory %.1f MiB\n", ss.peak_bytes / 1048576.0);
	printf("budget %.1f MiB\n", ss.budget / 1048576.0);
}

int main(int argc, char **argv)
{
	const char *trace = NULL, *sym = NULL;
	int nseeks = 200, nsteps = 20;
	uint64_t budget = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--seeks") == 0 && i + 1 < argc)
			nseeks = atoi(argv[++i]);
		else if (strcmp(argv[i], "--steps") == 0 && i + 1 < argc)
			nsteps = atoi(argv[++i]);
		else if (strcmp(argv[i], "--budget") == 0 && i + 1 < argc)
			budget = strtoull(argv[++i], NULL, 10) << 20;
		else if (strcmp(argv[i], "--break-symbol") == 0 && i + 1 < argc)
			sym = argv[++i];
		else if (argv[i][0] != '-' && !trace)
			trace = argv[i];
		else {
			fprintf(stderr, "usage: timeline-bench [--seeks N] "
				"[--steps N] [--budget MIB] [--break-symbol SYM] "
				"TRACE\n");
			return 2;
		}
	}
	if (!trace) {
		fprintf(stderr, "timeline-bench: no trace given\n");
		return 2;
	}
	if (nseeks < 1 || nsteps < 0) {
		fprintf(stderr, "timeline-bench: --seeks must be at least 1, "
			"--steps at least 0\n");
		return 2;
	}
	struct session *s;
	char err[9000];
	struct session_opts o = { .no_index = 1, .memory_budget = budget };
	if (session_open(trace, &o, &s, err, sizeof(err)) < 0) {
		fprintf(stderr, "timeline-bench: %s\n", err);
		return 1;
	}
	struct session_stop st;
	struct session_stats ss;
	uint64_t end;

	double t0 = now();
	if (session_seek(s, UINT64_MAX, &st) < 0 || !session_end(s, &end)) {
		fprintf(stderr, "timeline-bench: cannot replay to the end\n");
		return 1;
	}
	double first = now() - t0;
	session_get_stats(s, &ss);
	printf("instructions %llu\n", (unsigned long long)end);
	printf("first_pass %.3f s\n", first);
	printf("first_pass_speed %.0f Minstr/s\n", end / first / 1e6);
	printf("snapshots %llu\n", (unsigned long long)ss.snapshots);
	printf("spacing %llu instructions\n", (unsigned long long)ss.interval);
	printf("snapshot_memory %.1f MiB\n", ss.snapshot_bytes / 1048576.0);
	printf("snapshot_memory_per_1e9 %.1f MiB\n",
	       ss.snapshot_bytes / 1048576.0 * 1e9 / (double)(end ? end : 1));

	if (end < 20) {
		fprintf(stderr, "timeline-bench: the trace is too short (%llu "
			"instructions)\n", (unsigned long long)end);
		return 1;
	}
	double *ms = malloc(sizeof(double) * (size_t)(nseeks > nsteps * 10 ?
						      nseeks : nsteps * 10));
	if (!ms) {
		fprintf(stderr, "timeline-bench: out of memory\n");
		return 1;
	}
	for (int k = 0; k < nseeks; k++) {
		uint64_t t = rnd() % (end + 1);
		double a = now();
		session_seek(s, t, &st);
		ms[k] = (now() - a) * 1e3;
	}
	report("seek", ms, (size_t)nseeks);

	size_t n = 0;
	for (int k = 0; k < nsteps; k++) {
		session_seek(s, 10 + rnd() % (end - 10), &st);
		for (int j = 0; j < 10; j++) {
			double a = now();
			session_step(s, 1, &st);
			ms[n++] = (now() - a) * 1e3;
		}
	}
	report("reverse_stepi", ms, n);

	if (sym) {
		uint64_t addr = symbol(session_replay(s)->exe, sym);
		if (!addr) {
			fprintf(stderr, "timeline-bench: no symbol %s\n", sym);
			return 1;
		}
		session_seek(s, end, &st);
		session_break_insert(s, addr);
		double a = now();
		session_continue(s, 1, &st);
		double back = now() - a;
		struct session_pos pos;
		session_position(s, &pos);
		uint64_t hit = pos.icount;
		session_break_remove(s, addr);
		printf("reverse_continue_distance %llu instructions\n",
		       (unsigned long long)(end - hit));
		printf("reverse_continue %.3f s\n", back);
		report_final(s);
		session_close(s);
		/* The same stretch executed forwards, plainly: a session
		 * that takes no snapshots after the first, from the hit to
		 * the end. */
		o.interval = 1ULL << 62;
		if (session_open(trace, &o, &s, err, sizeof(err)) < 0) {
			fprintf(stderr, "timeline-bench: %s\n", err);
			return 1;
		}
		session_seek(s, hit, &st);
		a = now();
		session_seek(s, end, &st);
		double fwd = now() - a;
		printf("forward_same_stretch %.3f s\n", fwd);
		printf("reverse_continue_ratio %.2f x\n", back / fwd);
	} else {
		report_final(s);
	}
	free(ms);
	session_close(s);
	return 0;
}
