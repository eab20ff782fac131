/*
 * debug.c - breakpoints, watchpoints and signal stops (see debug.h).
 *
 * The hot paths stay in the engines: an instruction decoded at a
 * breakpoint address carries INSN_BREAK, and every guest data access
 * compares its address with the cpu's watch filter (one compare when no
 * watchpoint is set, see operand.h).  Only accesses that pass the filter
 * and marked instructions come here.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/debug.h"
#include "engine/engine.h"
#include "engine/insn.h"

void debug_init(struct cpu_debug *d)
{
	memset(d, 0, sizeof(*d));
	d->skip_break = d->skip_signal = UINT64_MAX;
}

void debug_free(struct cpu_debug *d)
{
	free(d->bp);
	free(d->w);
	debug_init(d);
}

/* The filter is the hull of all watched ranges; watch_hi == 0 means
 * none, so that the common check is one compare that fails. */
static void set_filter(struct cpu *c, const struct cpu_debug *d)
{
	uint64_t lo = UINT64_MAX, hi = 0;
	for (size_t k = 0; d && k < d->nw; k++) {
		if (d->w[k].addr < lo)
			lo = d->w[k].addr;
		if (d->w[k].addr + d->w[k].len > hi)
			hi = d->w[k].addr + d->w[k].len;
	}
	c->watch_lo = hi ? lo : 0;
	c->watch_hi = hi;
}

void debug_attach(struct cpu *c, struct cpu_debug *d)
{
	c->dbg = d;
	set_filter(c, d);
}

/* Index of the first breakpoint >= addr. */
static size_t bp_lower(const struct cpu_debug *d, uint64_t addr)
{
	size_t lo = 0, hi = d->nbp;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (d->bp[mid] < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int debug_is_break(const struct cpu_debug *d, uint64_t addr)
{
	size_t k = bp_lower(d, addr);
	return k < d->nbp && d->bp[k] == addr;
}

int debug_break_add(struct cpu_debug *d, uint64_t addr)
{
	size_t k = bp_lower(d, addr);
	if (k < d->nbp && d->bp[k] == addr)
		return 0;
	if (d->nbp == d->capbp) {
		size_t cap = d->capbp ? 2 * d->capbp : 16;
		uint64_t *n = realloc(d->bp, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		d->bp = n;
		d->capbp = cap;
	}
	memmove(&d->bp[k + 1], &d->bp[k], (d->nbp - k) * sizeof(*d->bp));
	d->bp[k] = addr;
	d->nbp++;
	return 0;
}

int debug_break_del(struct cpu_debug *d, uint64_t addr)
{
	size_t k = bp_lower(d, addr);
	if (k >= d->nbp || d->bp[k] != addr)
		return -ENOENT;
	memmove(&d->bp[k], &d->bp[k + 1], (d->nbp - k - 1) * sizeof(*d->bp));
	d->nbp--;
	return 0;
}

static int watch_kind_ok(enum debug_kind kind)
{
	return kind == DBG_WATCH_WRITE || kind == DBG_WATCH_READ ||
	       kind == DBG_WATCH_ACCESS;
}

int debug_watch_add(struct cpu_debug *d, struct cpu *c, uint64_t addr,
		    uint64_t len, enum debug_kind kind)
{
	if (!len || addr + len < addr || !watch_kind_ok(kind))
		return -EINVAL;
	if (d->nw == d->capw) {
		size_t cap = d->capw ? 2 * d->capw : 8;
		struct debug_watch *n = realloc(d->w, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		d->w = n;
		d->capw = cap;
	}
	d->w[d->nw++] = (struct debug_watch){ addr, len, kind };
	if (c && c->dbg == d)
		set_filter(c, d);
	return 0;
}

int debug_watch_del(struct cpu_debug *d, struct cpu *c, uint64_t addr,
		    uint64_t len, enum debug_kind kind)
{
	for (size_t k = 0; k < d->nw; k++) {
		if (d->w[k].addr == addr && d->w[k].len == len &&
		    d->w[k].kind == kind) {
			d->w[k] = d->w[--d->nw];
			if (c && c->dbg == d)
				set_filter(c, d);
			return 0;
		}
	}
	return -ENOENT;
}

/* Report h: log it, or keep it as the stop (the first hit of a run). */
static int report(struct cpu *c, const struct debug_hit *h)
{
	struct cpu_debug *d = c->dbg;
	if (d->log) {
		d->log(d->log_ctx, h);
		return 0;
	}
	if (!d->have_hit) {
		d->hit = *h;
		d->have_hit = 1;
	}
	return 1;
}

static uint64_t current_rip(const struct cpu *c)
{
	return c->cur ? c->cur->addr : c->rip;
}

void debug_watch_access(struct cpu *c, uint64_t a, uint64_t n, int write)
{
	struct cpu_debug *d = c->dbg;
	if (!d)
		return;
	for (size_t k = 0; k < d->nw; k++) {
		const struct debug_watch *w = &d->w[k];
		if (a >= w->addr + w->len || a + n <= w->addr)
			continue;
		if ((w->kind == DBG_WATCH_WRITE && !write) ||
		    (w->kind == DBG_WATCH_READ && write))
			continue;
		uint64_t now = engine_icount(c);
		struct debug_hit h = {
			.kind = w->kind, .icount = now, .addr = w->addr,
			.access = a, .rip = current_rip(c), .write = write,
		};
		if (report(c, &h) && c->icount_limit > now + 1)
			c->icount_limit = now + 1;
		return;
	}
}

int debug_break_hit(struct cpu *c, uint64_t addr, uint64_t now)
{
	struct cpu_debug *d = c->dbg;
	if (!d || (now == d->skip_break && addr == d->skip_break_addr) ||
	    !debug_is_break(d, addr))
		return 0;
	struct debug_hit h = { .kind = DBG_BREAK, .icount = now, .addr = addr,
			       .rip = addr };
	return report(c, &h);
}

int debug_signal_hit(struct cpu *c, int sig)
{
	struct cpu_debug *d = c->dbg;
	uint64_t now = engine_icount(c);
	if (!d || !d->stop_signals || now == d->skip_signal ||
	    (sig >= 1 && sig <= 64 && (d->pass_signals >> (sig - 1) & 1)))
		return 0;
	struct debug_hit h = { .kind = DBG_SIGNAL, .icount = now,
			       .rip = c->rip, .sig = sig };
	return report(c, &h);
}

void debug_fault(struct cpu *c)
{
	struct cpu_debug *d = c->dbg;
	if (!d)
		return;
	uint64_t now = engine_icount(c);
	if (d->log) {
		struct debug_hit h = { .kind = DBG_CANCEL, .icount = now };
		d->log(d->log_ctx, &h);
	} else if (d->have_hit && d->hit.kind != DBG_BREAK &&
		   d->hit.kind != DBG_SIGNAL && d->hit.icount == now) {
		d->have_hit = 0;
	}
}

int debug_signal_delivered(struct cpu *c)
{
	struct cpu_debug *d = c->dbg;
	if (!d || !d->stop_after_signal || d->log)
		return 0;
	struct debug_hit h = { .kind = DBG_DELIVERED,
			       .icount = engine_icount(c), .rip = c->rip };
	return report(c, &h);
}
