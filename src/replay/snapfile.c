/*
 * snapfile.c - snapshot records (see snapfile.h).
 *
 * A record, all integers little-endian:
 *
 *   "RWS1"  u32 version
 *   u64 icount, u64 event
 *   cpu:    16 x u64 gpr, u64 rip, rflags, fs_base, gs_base,
 *           6 x u16 segment selectors, 512-byte FXSAVE image
 *   proc:   i32 pid ppid uid gid, u32 umask, u64 brk_start brk_cur entry
 *           phdr phnum load_bias auxv_addr auxv_len,
 *           64 x (u64 handler flags restorer mask), u64 sigmask sigpending,
 *           u32 npending + npending x (u8 sig, 128-byte siginfo),
 *           u64 altstack_sp altstack_size, i32 altstack_flags,
 *           u64 trap_nr trap_err trap_cr2 clear_child_tid robust_head,
 *           16 x 2 x u64 rlim, 16 bytes comm, i32 comm_ready dumpable
 *           pdeathsig no_new_privs
 *   mem:    u64 brk_start brk_cur, u32 nreg + nreg x (u64 start end,
 *           i32 prot flags, u64 offset dev ino, 64 bytes name)
 *   pages:  u64 n + n x (u64 page number, u8 0 = zero | 1 = stored,
 *           32-byte SHA-256 when stored)
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "engine/fpu.h"
#include "gc/pagestore.h"
#include "mem/layout.h"
#include "os/proc.h"
#include "replay/snapfile.h"
#include "trace/error.h"
#include "trace/hash.h"
#include "trace/le.h"

#define MAGIC 0x31535752u	/* "RWS1" */
#define MAX_REGIONS 65536

/* ------------------------------------------------------------ writing */

struct wbuf {
	uint8_t *p;
	size_t len, cap;
	int err;
};

static void put(struct wbuf *b, const void *data, size_t n)
{
	if (b->err)
		return;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n)
			cap *= 2;
		uint8_t *q = realloc(b->p, cap);
		if (!q) {
			b->err = -ENOMEM;
			return;
		}
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
}

static void put_u64(struct wbuf *b, uint64_t v)
{
	uint8_t x[8];
	le_put(x, v, 8);
	put(b, x, 8);
}

static void put_u32(struct wbuf *b, uint32_t v)
{
	uint8_t x[4];
	le_put(x, v, 4);
	put(b, x, 4);
}

static void put_u16(struct wbuf *b, uint16_t v)
{
	uint8_t x[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
	put(b, x, 2);
}

static void put_u8(struct wbuf *b, uint8_t v)
{
	put(b, &v, 1);
}

struct encode_pages {
	struct ptstore *st;
	struct wbuf *b;
	snapfile_put_fn fn;
	void *ctx;
	uint64_t n;
	int err;
	uint8_t page[PAGESTORE_PAGE];
};

static void encode_page(struct encode_pages *e, uint64_t pn,
			const struct page *pg)
{
	uint8_t h[SHA256_LEN];
	if (e->err)
		return;
	put_u64(e->b, pn);
	if (!pg) {
		put_u8(e->b, 0);
	} else {
		if ((e->err = pagestore_read(e->st->ps, pg, e->page)) < 0)
			return;
		sha256(e->page, PAGESTORE_PAGE, h);
		if ((e->err = e->fn(e->ctx, e->page, h)) < 0)
			return;
		put_u8(e->b, 1);
		put(e->b, h, SHA256_LEN);
	}
	e->n++;
}

static void encode_diff(void *ctx, uint64_t pn, struct page *a,
			struct page *b)
{
	(void)a;
	encode_page(ctx, pn, b);
}

static void encode_each(void *ctx, uint64_t pn, struct page *pg)
{
	encode_page(ctx, pn, pg);
}

int snapfile_encode(struct ptstore *st, const struct snapshot *prev,
		    const struct snapshot *s, snapfile_put_fn fn, void *ctx,
		    uint8_t **out, size_t *len)
{
	struct wbuf b = { 0 };
	const struct cpu *c = &s->cpu;
	const struct proc *p = s->proc;
	uint8_t fx[512];

	put_u32(&b, MAGIC);
	put_u32(&b, SNAPFILE_VERSION);
	put_u64(&b, s->icount);
	put_u64(&b, s->event);
	for (int k = 0; k < 16; k++)
		put_u64(&b, c->gpr[k]);
	put_u64(&b, c->rip);
	put_u64(&b, c->rflags);
	put_u64(&b, c->fs_base);
	put_u64(&b, c->gs_base);
	for (int k = 0; k < 6; k++)
		put_u16(&b, c->seg[k]);
	fpu_fxsave(c, fx);
	put(&b, fx, sizeof(fx));

	put_u32(&b, (uint32_t)p->pid);
	put_u32(&b, (uint32_t)p->ppid);
	put_u32(&b, (uint32_t)p->uid);
	put_u32(&b, (uint32_t)p->gid);
	put_u32(&b, p->umask);
	put_u64(&b, p->brk_start);
	put_u64(&b, p->brk_cur);
	put_u64(&b, p->entry);
	put_u64(&b, p->phdr);
	put_u64(&b, p->phnum);
	put_u64(&b, p->load_bias);
	put_u64(&b, p->auxv_addr);
	put_u64(&b, p->auxv_len);
	for (int sig = 1; sig <= GUEST_NSIG; sig++) {
		put_u64(&b, p->sigact[sig].handler);
		put_u64(&b, p->sigact[sig].flags);
		put_u64(&b, p->sigact[sig].restorer);
		put_u64(&b, p->sigact[sig].mask);
	}
	put_u64(&b, p->sigmask);
	put_u64(&b, p->sigpending);
	uint32_t npending = (uint32_t)__builtin_popcountll(p->sigpending);
	put_u32(&b, npending);
	for (int sig = 1; sig <= GUEST_NSIG; sig++) {
		if (!(p->sigpending & (1ULL << (sig - 1))))
			continue;
		put_u8(&b, (uint8_t)sig);
		put(&b, &p->pending_info[sig], 128);
	}
	put_u64(&b, p->altstack_sp);
	put_u64(&b, p->altstack_size);
	put_u32(&b, (uint32_t)p->altstack_flags);
	put_u64(&b, p->trap_nr);
	put_u64(&b, p->trap_err);
	put_u64(&b, p->trap_cr2);
	put_u64(&b, p->clear_child_tid);
	put_u64(&b, p->robust_head);
	for (int k = 0; k < GUEST_NLIMITS; k++) {
		put_u64(&b, p->rlim[k][0]);
		put_u64(&b, p->rlim[k][1]);
	}
	put(&b, p->comm, sizeof(p->comm));
	put_u32(&b, (uint32_t)p->comm_ready);
	put_u32(&b, (uint32_t)p->dumpable);
	put_u32(&b, (uint32_t)p->pdeathsig);
	put_u32(&b, (uint32_t)p->no_new_privs);

	put_u64(&b, s->brk_start);
	put_u64(&b, s->brk_cur);
	put_u32(&b, (uint32_t)s->nreg);
	for (size_t k = 0; k < s->nreg; k++) {
		const struct mem_region *r = &s->regions[k];
		put_u64(&b, r->start);
		put_u64(&b, r->end);
		put_u32(&b, (uint32_t)r->prot);
		put_u32(&b, (uint32_t)r->flags);
		put_u64(&b, r->offset);
		put_u64(&b, r->dev);
		put_u64(&b, r->ino);
		put(&b, r->name, sizeof(r->name));
	}

	/* The page list, preceded by its count (patched in afterwards). */
	size_t count_at = b.len;
	put_u64(&b, 0);
	struct encode_pages *e = malloc(sizeof(*e));
	if (!e) {
		free(b.p);
		return -ENOMEM;
	}
	*e = (struct encode_pages){ .st = st, .b = &b, .fn = fn, .ctx = ctx };
	if (prev)
		pagetree_diff(&prev->pages, &s->pages, 0, PAGETREE_SPAN,
			      encode_diff, e);
	else
		pagetree_each(&s->pages, 0, PAGETREE_SPAN, encode_each, e);
	int err = e->err ? e->err : b.err;
	uint64_t n = e->n;
	free(e);
	if (err) {
		free(b.p);
		return err;
	}
	for (int i = 0; i < 8; i++)
		b.p[count_at + i] = (uint8_t)(n >> (8 * i));
	*out = b.p;
	*len = b.len;
	return 0;
}

/* ------------------------------------------------------------ reading */

struct rbuf {
	const uint8_t *p;
	size_t len, pos;
	int bad;
};

static const uint8_t *take(struct rbuf *r, size_t n)
{
	if (r->bad || n > r->len - r->pos) {
		r->bad = 1;
		return NULL;
	}
	const uint8_t *q = r->p + r->pos;
	r->pos += n;
	return q;
}

static uint64_t get_n(struct rbuf *r, int n)
{
	const uint8_t *q = take(r, (size_t)n);
	return q ? le_get(q, n) : 0;
}

static uint64_t get_u64(struct rbuf *r) { return get_n(r, 8); }
static uint32_t get_u32(struct rbuf *r) { return (uint32_t)get_n(r, 4); }
static int32_t get_i32(struct rbuf *r) { return (int32_t)get_n(r, 4); }

static void get_bytes(struct rbuf *r, void *out, size_t n)
{
	const uint8_t *q = take(r, n);
	if (q)
		memcpy(out, q, n);
	else
		memset(out, 0, n);
}

static int region_ok(const struct mem_region *x, uint64_t prev_end)
{
	return x->start < x->end && x->start >= prev_end &&
	       !(x->start & (GUEST_PAGE_SIZE - 1)) &&
	       !(x->end & (GUEST_PAGE_SIZE - 1)) && x->end <= GUEST_LIMIT &&
	       !(x->prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) &&
	       memchr(x->name, 0, sizeof(x->name));
}

int snapfile_decode(struct ptstore *st, const struct snapshot *prev,
		    const struct proc *tmpl, const uint8_t *rec, size_t len,
		    snapfile_get_fn get, void *ctx, struct snapshot **out)
{
	struct rbuf r = { rec, len, 0, 0 };
	struct snapshot *s = calloc(1, sizeof(*s));
	uint8_t *page = malloc(PAGESTORE_PAGE);
	int err = TRACE_ECORRUPT;
	if (!s || !page) {
		free(s);
		free(page);
		return -ENOMEM;
	}
	s->proc = malloc(sizeof(*s->proc));
	if (!s->proc) {
		err = -ENOMEM;
		goto fail;
	}
	if (get_u32(&r) != MAGIC || get_u32(&r) != SNAPFILE_VERSION)
		goto fail;
	s->icount = get_u64(&r);
	s->event = get_u64(&r);

	struct cpu *c = &s->cpu;
	for (int k = 0; k < 16; k++)
		c->gpr[k] = get_u64(&r);
	c->rip = get_u64(&r);
	c->rflags = (get_u64(&r) & FL_USER_WRITABLE) | FL_FIXED;
	c->fs_base = get_u64(&r);
	c->gs_base = get_u64(&r);
	for (int k = 0; k < 6; k++)
		c->seg[k] = (uint16_t)get_n(&r, 2);
	uint8_t fx[512];
	get_bytes(&r, fx, sizeof(fx));
	if (r.bad || fpu_fxrstor(c, fx) < 0)
		goto fail;
	c->icount = s->icount;

	struct proc *p = s->proc;
	*p = *tmpl;
	p->pid = get_i32(&r);
	p->ppid = get_i32(&r);
	p->uid = get_i32(&r);
	p->gid = get_i32(&r);
	p->umask = get_u32(&r);
	p->brk_start = get_u64(&r);
	p->brk_cur = get_u64(&r);
	p->entry = get_u64(&r);
	p->phdr = get_u64(&r);
	p->phnum = get_u64(&r);
	p->load_bias = get_u64(&r);
	p->auxv_addr = get_u64(&r);
	p->auxv_len = get_u64(&r);
	for (int sig = 1; sig <= GUEST_NSIG; sig++) {
		p->sigact[sig].handler = get_u64(&r);
		p->sigact[sig].flags = get_u64(&r);
		p->sigact[sig].restorer = get_u64(&r);
		p->sigact[sig].mask = get_u64(&r);
	}
	p->sigmask = get_u64(&r);
	p->sigpending = get_u64(&r);
	uint32_t npending = get_u32(&r);
	if (npending != (uint32_t)__builtin_popcountll(p->sigpending))
		goto fail;
	for (uint32_t k = 0; k < npending; k++) {
		int sig = (int)get_n(&r, 1);
		if (sig < 1 || sig > GUEST_NSIG ||
		    !(p->sigpending & (1ULL << (sig - 1))))
			goto fail;
		get_bytes(&r, &p->pending_info[sig], 128);
	}
	p->altstack_sp = get_u64(&r);
	p->altstack_size = get_u64(&r);
	p->altstack_flags = get_i32(&r);
	p->trap_nr = get_u64(&r);
	p->trap_err = get_u64(&r);
	p->trap_cr2 = get_u64(&r);
	p->clear_child_tid = get_u64(&r);
	p->robust_head = get_u64(&r);
	for (int k = 0; k < GUEST_NLIMITS; k++) {
		p->rlim[k][0] = get_u64(&r);
		p->rlim[k][1] = get_u64(&r);
	}
	get_bytes(&r, p->comm, sizeof(p->comm));
	p->comm_ready = get_i32(&r);
	p->dumpable = get_i32(&r);
	p->pdeathsig = get_i32(&r);
	p->no_new_privs = get_i32(&r);
	p->exited = 0;
	p->wait_status = 0;
	if (r.bad || !memchr(p->comm, 0, sizeof(p->comm)))
		goto fail;

	s->brk_start = get_u64(&r);
	s->brk_cur = get_u64(&r);
	uint32_t nreg = get_u32(&r);
	if (r.bad || nreg > MAX_REGIONS || s->brk_cur >= GUEST_LIMIT ||
	    s->brk_start > s->brk_cur)
		goto fail;
	s->regions = malloc((nreg ? nreg : 1) * sizeof(*s->regions));
	if (!s->regions) {
		err = -ENOMEM;
		goto fail;
	}
	uint64_t prev_end = 0;
	for (uint32_t k = 0; k < nreg; k++) {
		struct mem_region *x = &s->regions[k];
		x->start = get_u64(&r);
		x->end = get_u64(&r);
		x->prot = get_i32(&r);
		x->flags = get_i32(&r);
		x->offset = get_u64(&r);
		x->dev = get_u64(&r);
		x->ino = get_u64(&r);
		get_bytes(&r, x->name, sizeof(x->name));
		if (r.bad || !region_ok(x, prev_end))
			goto fail;
		prev_end = x->end;
	}
	s->nreg = nreg;

	s->pages = prev ? pagetree_share(&prev->pages) : PAGETREE_INIT;
	uint64_t n = get_u64(&r);
	if (r.bad || n > (len - r.pos) / 9)
		goto fail;
	for (uint64_t k = 0; k < n; k++) {
		uint64_t pn = get_u64(&r);
		int kind = (int)get_n(&r, 1);
		struct page *pg = NULL;
		if (r.bad || pn >= GUEST_LIMIT / GUEST_PAGE_SIZE || kind > 1)
			goto fail;
		if (kind == 1) {
			const uint8_t *h = take(&r, SHA256_LEN);
			if (!h)
				goto fail;
			if ((err = get(ctx, h, page)) < 0)
				goto fail;
			pg = pagestore_intern(st->ps, page, &err);
			if (err)
				goto fail;
		}
		if ((err = pagetree_set(st, &s->pages, pn, pg)) < 0)
			goto fail;
		err = TRACE_ECORRUPT;
	}
	if (r.pos != len)
		goto fail;
	s->bytes = sizeof(*s) + sizeof(*s->proc) + nreg * sizeof(*s->regions);
	free(page);
	*out = s;
	return 0;
fail:
	free(page);
	snapshot_free(st, s);
	return err;
}
