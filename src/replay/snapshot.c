/*
 * snapshot.c - capture and restore of a replaying guest (see snapshot.h).
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "gc/pagestore.h"
#include "os/proc.h"
#include "replay/snapshot.h"

#define PAGE GUEST_PAGE_SIZE

/* ------------------------------------------------------------ capture */

struct capture {
	struct ptstore *st;
	struct snapshot *s;
	struct mem *m;
	int err;
	uint64_t *clear;		/* page numbers unmapped now */
	size_t nclear, capclear;
};

static void store_page(struct capture *cp, uint64_t pg)
{
	int unprotect, err;
	const uint8_t *data = mem_page_for_read(cp->m, pg, &unprotect);
	struct page *stored = data ? pagestore_intern(cp->st->ps, data, &err) :
			      NULL;
	mem_page_read_done(cp->m, pg, unprotect);
	if (data && err) {
		cp->err = err;
		return;
	}
	if ((err = pagetree_set(cp->st, &cp->s->pages, pg / PAGE, stored)))
		cp->err = err;
}

static void note_unmapped(void *ctx, uint64_t pn, struct page *pg)
{
	struct capture *cp = ctx;
	(void)pg;
	if (mem_find(cp->m, pn * PAGE))
		return;
	if (cp->nclear == cp->capclear) {
		size_t cap = cp->capclear ? 2 * cp->capclear : 64;
		uint64_t *n = realloc(cp->clear, cap * sizeof(*n));
		if (!n) {
			cp->err = -ENOMEM;
			return;
		}
		cp->clear = n;
		cp->capclear = cap;
	}
	cp->clear[cp->nclear++] = pn;
}

/* [start, end) changed since the base: store what is mapped there now,
 * forget the pages that are not mapped any more. */
static void capture_range(void *ctx, uint64_t start, uint64_t end)
{
	struct capture *cp = ctx;
	struct mem *m = cp->m;
	if (cp->err)
		return;
	for (size_t k = mem_region_lower(m, start);
	     k < mem_region_count(m) && mem_region_at(m, k)->start < end; k++) {
		const struct mem_region *r = mem_region_at(m, k);
		uint64_t lo = r->start > start ? r->start : start;
		uint64_t hi = r->end < end ? r->end : end;
		for (uint64_t pg = lo & GUEST_PAGE_MASK; pg < hi && !cp->err;
		     pg += PAGE)
			store_page(cp, pg);
	}
	cp->nclear = 0;
	pagetree_each(&cp->s->pages, start / PAGE, (end + PAGE - 1) / PAGE,
		      note_unmapped, cp);
	for (size_t k = 0; k < cp->nclear && !cp->err; k++)
		cp->err = pagetree_set(cp->st, &cp->s->pages, cp->clear[k], NULL);
}

int snapshot_capture(struct ptstore *st, const struct snapshot *base,
		     struct proc *p, struct snapshot **out)
{
	struct snapshot *s = calloc(1, sizeof(*s));
	struct mem *m = p->mem;
	int err = -ENOMEM;
	if (!s)
		return -ENOMEM;
	s->proc = malloc(sizeof(*s->proc));
	size_t n = mem_region_count(m);
	s->regions = malloc((n ? n : 1) * sizeof(*s->regions));
	if (!s->proc || !s->regions)
		goto fail;
	*s->proc = *p;
	s->cpu = *p->cpu;
	s->icount = p->cpu->icount;
	for (size_t k = 0; k < n; k++)
		s->regions[k] = *mem_region_at(m, k);
	s->nreg = n;
	mem_brk_get(m, &s->brk_start, &s->brk_cur);
	s->bytes = sizeof(*s) + sizeof(*s->proc) + n * sizeof(*s->regions);

	struct capture cp = { .st = st, .s = s, .m = m };
	if (base) {
		s->pages = pagetree_share(&base->pages);
		mem_track_changes(m, capture_range, &cp);
	} else {
		for (size_t k = 0; k < n && !cp.err; k++) {
			const struct mem_region *r = mem_region_at(m, k);
			capture_range(&cp, r->start, r->end);
		}
	}
	free(cp.clear);
	if (cp.err) {
		err = cp.err;
		goto fail;
	}
	if ((err = base ? mem_track_reset(m) : mem_track_start(m)) < 0)
		goto fail;
	*out = s;
	return 0;
fail:
	snapshot_free(st, s);
	return err;
}

/* ------------------------------------------------------------ restore */

struct restore {
	struct ptstore *st;
	const struct snapshot *t;
	struct mem *m;
	int err;
	uint8_t buf[PAGE];
};

static void write_page(struct restore *rs, uint64_t pn, const struct page *pg)
{
	if (pg && pagestore_read(rs->st->ps, pg, rs->buf) < 0) {
		rs->err = -EIO;
		return;
	}
	mem_restore_page(rs->m, pn * PAGE, pg ? rs->buf : NULL);
}

static void fill_one(void *ctx, uint64_t pn, struct page *pg)
{
	write_page(ctx, pn, pg);
}

/* A fresh (zero) range: only the target's non-zero pages are written. */
static void fill_fresh(void *ctx, uint64_t start, uint64_t end)
{
	struct restore *rs = ctx;
	pagetree_each(&rs->t->pages, start / PAGE, end / PAGE, fill_one, rs);
}

/* Pages written since the base: the target's contents back, zeros
 * included. */
static void fill_stale(void *ctx, uint64_t start, uint64_t end)
{
	struct restore *rs = ctx;
	for (uint64_t pg = start; pg < end; pg += PAGE)
		write_page(rs, pg / PAGE, pagetree_get(&rs->t->pages, pg / PAGE));
}

static void fill_diff(void *ctx, uint64_t pn, struct page *a, struct page *b)
{
	struct restore *rs = ctx;
	(void)a;
	if (mem_find(rs->m, pn * PAGE))
		write_page(rs, pn, b);
}

int snapshot_restore(struct ptstore *st, const struct snapshot *base,
		     const struct snapshot *t, struct proc *p)
{
	struct restore *rs = malloc(sizeof(*rs));
	struct mem *m = p->mem;
	int err;
	if (!rs)
		return -ENOMEM;
	*rs = (struct restore){ .st = st, .t = t, .m = m };
	err = mem_restore_begin(m, t->regions, t->nreg, t->brk_start,
				t->brk_cur, fill_fresh, fill_stale, rs);
	if (err)
		goto out;
	if (base) {
		pagetree_diff(&base->pages, &t->pages, 0, PAGETREE_SPAN,
			      fill_diff, rs);
	} else {
		for (size_t k = 0; k < t->nreg; k++)
			fill_stale(rs, t->regions[k].start, t->regions[k].end);
	}
	err = rs->err;
	int e2 = mem_restore_finish(m);
	if (!err)
		err = e2;
	if (err)
		goto out;

	/* The cpu: its architectural state and icount; the engine and
	 * memory links stay. */
	struct cpu *c = p->cpu;
	memcpy(c, &t->cpu, offsetof(struct cpu, mem_base));
	c->fault = t->cpu.fault;
	c->cur = NULL;
	c->attention = 1;	/* let the run loop look at signals */

	/* The process: its state, not its links to mem, cpu, journal and
	 * the run's settings. */
	struct proc keep = *p;
	*p = *t->proc;
	p->mem = keep.mem;
	p->cpu = keep.cpu;
	p->exe_path = keep.exe_path;
	p->journal = keep.journal;
	p->load_as = keep.load_as;
	p->replay_quiet = keep.replay_quiet;
	p->verbose = keep.verbose;
out:
	free(rs);
	return err;
}

void snapshot_free(struct ptstore *st, struct snapshot *s)
{
	if (!s)
		return;
	pagetree_release(st, &s->pages);
	free(s->proc);
	free(s->regions);
	free(s);
}
