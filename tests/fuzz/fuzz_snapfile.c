/*
 * fuzz_snapfile.c - libFuzzer target for the snapshot record decoder
 * (src/replay/snapfile.c), which reads the snapshot index of a trace: a
 * file from elsewhere, so hostile input.
 *
 * Any bytes must give a clean error or a snapshot whose every field is
 * within its bounds (regions sorted, aligned, below the guest limit; no
 * more pages than the record can name).  A snapshot that decodes must
 * encode again, and that record must decode to the same snapshot.  Pages
 * are "fetched" by a stand-in that derives a page from its hash (or fails
 * for hashes starting with 0xff, as a missing blob would).  ASan/UBSan
 * catch bad reads, overflows and leaks.
 *
 *   make fuzz-snapfile FUZZ_SECONDS=600     (tests/fuzz/fuzz.mk)
 *
 * With FUZZ_SNAPFILE_SEEDS=DIR in the environment the binary writes valid
 * records into DIR and exits.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "engine/engine.h"
#include "gc/pagestore.h"
#include "mem/layout.h"
#include "os/proc.h"
#include "replay/snapfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_snapfile: %s\n", what);
		abort();
	}
}

static int get_page(void *ctx, const uint8_t hash[32], void *out)
{
	(void)ctx;
	if (hash[0] == 0xff)
		return -ENOENT;
	for (size_t i = 0; i < PAGESTORE_PAGE; i++)
		((uint8_t *)out)[i] = hash[i % 32] ^ (uint8_t)i;
	return 0;
}

static int put_page(void *ctx, const void *data, const uint8_t hash[32])
{
	(void)ctx;
	(void)data;
	(void)hash;
	return 0;
}

static struct ptstore st;
static struct proc tmpl;

static void setup(void)
{
	if (st.ps)
		return;
	check(pagestore_create(&st.ps) == 0, "pagestore");
	memset(&tmpl, 0, sizeof(tmpl));
	for (int i = 0; i < GUEST_MAX_FDS; i++)
		tmpl.fds[i].host = -1;
}

static size_t count_pages_cb_n;
static void count_page(void *ctx, uint64_t pn, struct page *pg)
{
	(void)ctx;
	(void)pn;
	(void)pg;
	count_pages_cb_n++;
}

static size_t count_pages(const struct snapshot *s)
{
	count_pages_cb_n = 0;
	pagetree_each(&s->pages, 0, PAGETREE_SPAN, count_page, NULL);
	return count_pages_cb_n;
}

static void check_snapshot(const struct snapshot *s)
{
	uint64_t end = 0;
	for (size_t k = 0; k < s->nreg; k++) {
		const struct mem_region *r = &s->regions[k];
		check(r->start >= end && r->start < r->end &&
		      r->end <= GUEST_LIMIT &&
		      !(r->start & (GUEST_PAGE_SIZE - 1)) &&
		      !(r->end & (GUEST_PAGE_SIZE - 1)), "region bounds");
		end = r->end;
	}
	check(!s->proc->exited, "an exited process");
	check(memchr(s->proc->comm, 0, sizeof(s->proc->comm)) != NULL,
	      "comm not terminated");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct snapshot *s, *t;
	setup();
	if (snapfile_decode(&st, NULL, &tmpl, data, size, get_page, NULL,
			    &s) < 0)
		return 0;
	check_snapshot(s);
	uint8_t *rec;
	size_t len;
	check(snapfile_encode(&st, NULL, s, put_page, NULL, &rec, &len) == 0,
	      "a decoded snapshot does not encode");
	/* Pages come back through the stand-in, so compare the structure
	 * (the contents of each page are the stand-in's, not the input's). */
	int rc = snapfile_decode(&st, NULL, &tmpl, rec, len, get_page, NULL,
				 &t);
	free(rec);
	if (rc == -ENOENT) {	/* a page's hash starts with 0xff */
		snapshot_free(&st, s);
		return 0;
	}
	check(rc == 0, "a re-encoded snapshot does not decode");
	check(t->icount == s->icount && t->event == s->event &&
	      t->nreg == s->nreg && t->brk_cur == s->brk_cur &&
	      !memcmp(t->cpu.gpr, s->cpu.gpr, sizeof(s->cpu.gpr)) &&
	      t->cpu.rip == s->cpu.rip &&
	      !memcmp(t->regions, s->regions, s->nreg * sizeof(*s->regions)) &&
	      t->proc->sigmask == s->proc->sigmask &&
	      count_pages(t) == count_pages(s), "round trip differs");
	snapshot_free(&st, t);
	snapshot_free(&st, s);
	return 0;
}

static void seeds_write(const char *dir)
{
	struct snapshot s;
	struct mem_region regs[3] = {
		{ .start = 0x400000, .end = 0x402000, .prot = PROT_READ | PROT_EXEC },
		{ .start = 0x600000, .end = 0x610000, .prot = PROT_READ | PROT_WRITE,
		  .flags = MAP_PRIVATE | MAP_ANONYMOUS, .name = "[heap]" },
		{ .start = 0x3ffffffd0000, .end = 0x3ffffffde000,
		  .prot = PROT_READ | PROT_WRITE, .name = "[stack]" },
	};
	struct proc p = tmpl;
	uint8_t page[PAGESTORE_PAGE];
	setup();
	memset(&s, 0, sizeof(s));
	cpu_reset(&s.cpu);
	s.cpu.gpr[R_RSP] = 0x3ffffffdd000;
	s.cpu.rip = 0x401000;
	s.proc = &p;
	p.pid = 1000;
	p.sigpending = 1ULL << 9;
	p.pending_info[10].si_signo = 10;
	strcpy(p.comm, "seed");
	for (int n = 0; n < 4; n++) {
		s.regions = regs;
		s.nreg = (size_t)(n % 3) + 1;
		s.icount = (uint64_t)n * 1000;
		s.event = (uint64_t)n;
		s.pages = PAGETREE_INIT;
		for (int k = 0; k < n; k++) {
			int err;
			memset(page, 'a' + k, sizeof(page));
			struct page *pg = pagestore_intern(st.ps, page, &err);
			check(pagetree_set(&st, &s.pages,
					   regs[k % s.nreg].start / 4096 + (uint64_t)k,
					   pg) == 0, "seed page");
		}
		uint8_t *rec;
		size_t len;
		check(snapfile_encode(&st, NULL, &s, put_page, NULL, &rec,
				      &len) == 0, "seed encode");
		pagetree_release(&st, &s.pages);
		char path[4200];
		snprintf(path, sizeof(path), "%s/seed-%d", dir, n);
		FILE *f = fopen(path, "wb");
		check(f && fwrite(rec, 1, len, f) == len && fclose(f) == 0,
		      "seed write");
		free(rec);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *dir = getenv("FUZZ_SNAPFILE_SEEDS");
	if (dir) {
		seeds_write(dir);
		exit(0);
	}
	return 0;
}
