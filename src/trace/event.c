/*
 * event.c - the byte encoding of struct event (format in event.h).
 *
 * The decoder is written for hostile input: every count is bounded by the
 * bytes that remain, every sum is checked for overflow before it is used,
 * varints must be canonical, and the record must end exactly where the
 * encoding does.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "trace/event.h"

enum {
	EVF_NR = 1 << 0,
	EVF_ARGS = 1 << 1,
	EVF_RESULT = 1 << 2,
	EVF_VALUE = 1 << 3,
	EVF_MEM = 1 << 4,
	EVF_HASH = 1 << 5,
	EVF_PACKED = 1 << 6,
	EVF_ARGS_REL = 1 << 7,
};

/* Region tag byte. */
#define TAG_ADDR_LIT	0
#define TAG_ADDR_NEXT	7
#define TAG_LEN_LIT	0
#define TAG_LEN_RESULT	1
#define TAG_LEN_SMALL	2	/* tag values 2..31 mean lengths 0..29 */
#define TAG_LEN_SMALL_MAX 29

/* zstd cannot expand a block of at most 128 KiB from fewer than 4 bytes (a
 * 3-byte block header and one byte of content), so no frame decompresses
 * to more than 32768 times its size: a cheap bound before allocating. */
#define ZSTD_MAX_RATIO 32768

#define ZSTD_LEVEL 1

/* zstd contexts, one per thread and kept: creating one per call costs more
 * than compressing a few hundred bytes.  Not observable state. */
static __thread ZSTD_CCtx *tls_cctx;
static __thread ZSTD_DCtx *tls_dctx;

void event_ctx_reset(struct event_ctx *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
}

static inline uint64_t zz_enc(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static inline int64_t zz_dec(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

static size_t varint_len(uint64_t v)
{
	size_t n = 1;
	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

/* ---------------------------------------------------------------- writer */

struct wbuf {
	uint8_t *p;
	size_t n, cap;
	bool overflow;
};

static void put_u8(struct wbuf *w, uint8_t b)
{
	if (w->n < w->cap)
		w->p[w->n++] = b;
	else
		w->overflow = true;
}

static void put_varint(struct wbuf *w, uint64_t v)
{
	while (v >= 0x80) {
		put_u8(w, (uint8_t)(v | 0x80));
		v >>= 7;
	}
	put_u8(w, (uint8_t)v);
}

static void put_bytes(struct wbuf *w, const void *src, size_t len)
{
	if (len > w->cap - w->n) {
		w->overflow = true;
		return;
	}
	if (len)
		memcpy(w->p + w->n, src, len);
	w->n += len;
}

size_t event_encoded_bound(const struct event *ev)
{
	uint64_t nmem = ev->nmem > EVENT_MAX_MEM ? EVENT_MAX_MEM : ev->nmem;
	uint64_t total = 0;
	for (uint64_t i = 0; ev->mem && i < nmem; i++) {
		uint64_t l = ev->mem[i].len;
		total = l > EVENT_MAX_PAYLOAD - total ? EVENT_MAX_PAYLOAD
						      : total + l;
	}
	/* header, flags, icount, nr, mask + args, result, value, hash,
	 * nmem, tags + addrs + lens, csize, payload */
	return 2 + 10 + 10 + 1 + 60 + 10 + 10 + 32 + 10 + nmem * 21 + 10 +
	       total;
}

static bool hash_is_zero(const uint8_t h[32])
{
	for (int i = 0; i < 32; i++)
		if (h[i])
			return false;
	return true;
}

static void ctx_remember(struct event_ctx *ctx, uint64_t icount, uint64_t nr,
			 const uint64_t args[EVENT_NARGS])
{
	ctx->icount = icount;
	unsigned s = nr % EVENT_CTX_SLOTS;
	ctx->slot[s].valid = 1;
	ctx->slot[s].nr = nr;
	memcpy(ctx->slot[s].args, args, sizeof(ctx->slot[s].args));
}

static uint8_t region_tag(const struct event *ev, uint32_t i)
{
	const struct event_mem *m = &ev->mem[i];
	uint8_t a = TAG_ADDR_LIT, l = TAG_LEN_LIT;
	if (i > 0 && m->addr == ev->mem[i - 1].addr + ev->mem[i - 1].len)
		a = TAG_ADDR_NEXT;
	else
		for (int j = 0; j < EVENT_NARGS; j++)
			if (ev->args[j] == m->addr) {
				a = (uint8_t)(j + 1);
				break;
			}
	if (m->len == (uint64_t)ev->result)
		l = TAG_LEN_RESULT;
	else if (m->len <= TAG_LEN_SMALL_MAX)
		l = (uint8_t)(m->len + TAG_LEN_SMALL);
	return (uint8_t)(a | l << 3);
}

int event_encode(const struct event *ev, struct event_ctx *ctx,
		 uint8_t *out, size_t cap, size_t *len)
{
	if (ev->kind < 1 || ev->kind > EV_KIND_MAX)
		return TRACE_EINVAL;
	if (ev->nmem > EVENT_MAX_MEM)
		return TRACE_ETOOBIG;
	if (ev->nmem && !ev->mem)
		return TRACE_EINVAL;
	uint64_t total = 0;
	for (uint32_t i = 0; i < ev->nmem; i++) {
		const struct event_mem *m = &ev->mem[i];
		if (m->len && !m->data)
			return TRACE_EINVAL;
		if (m->addr + m->len < m->addr)
			return TRACE_EINVAL;
		if (m->len > EVENT_MAX_PAYLOAD - total)
			return TRACE_ETOOBIG;
		total += m->len;
	}

	/* Arguments: literal, or deltas against the last call with this nr. */
	unsigned s = ev->nr % EVENT_CTX_SLOTS;
	bool rel = false;
	uint8_t mask_lit = 0, mask_rel = 0;
	size_t cost_lit = 0, cost_rel = 0;
	for (int j = 0; j < EVENT_NARGS; j++) {
		if (ev->args[j]) {
			mask_lit |= 1 << j;
			cost_lit += varint_len(ev->args[j]);
		}
	}
	if (ctx->slot[s].valid && ctx->slot[s].nr == ev->nr) {
		for (int j = 0; j < EVENT_NARGS; j++) {
			int64_t d = (int64_t)(ev->args[j] - ctx->slot[s].args[j]);
			if (d) {
				mask_rel |= 1 << j;
				cost_rel += varint_len(zz_enc(d));
			}
		}
		rel = cost_rel + !!mask_rel < cost_lit + !!mask_lit;
	}
	uint8_t mask = rel ? mask_rel : mask_lit;

	uint8_t flags = 0;
	if (ev->nr)
		flags |= EVF_NR;
	if (mask)
		flags |= EVF_ARGS;
	if (rel)
		flags |= EVF_ARGS_REL;
	if (ev->result)
		flags |= EVF_RESULT;
	if (ev->value)
		flags |= EVF_VALUE;
	if (ev->nmem)
		flags |= EVF_MEM;
	if (!hash_is_zero(ev->hash))
		flags |= EVF_HASH;

	/* Payload compression, only when it pays. */
	uint8_t *packed = NULL, *gather = NULL;
	size_t csize = 0;
	if (total >= EVENT_PACK_MIN) {
		const void *src;
		if (ev->nmem == 1) {
			src = ev->mem[0].data;
		} else {
			gather = malloc(total);
			if (!gather)
				return -ENOMEM;
			size_t off = 0;
			for (uint32_t i = 0; i < ev->nmem; i++) {
				if (ev->mem[i].len)
					memcpy(gather + off, ev->mem[i].data,
					       ev->mem[i].len);
				off += ev->mem[i].len;
			}
			src = gather;
		}
		size_t bound = ZSTD_compressBound(total);
		packed = malloc(bound);
		if (!packed) {
			free(gather);
			return -ENOMEM;
		}
		if (!tls_cctx)
			tls_cctx = ZSTD_createCCtx();
		csize = tls_cctx ? ZSTD_compressCCtx(tls_cctx, packed, bound,
						     src, total, ZSTD_LEVEL)
				 : (size_t)-1;
		if (!tls_cctx || ZSTD_isError(csize)) {
			free(gather);
			free(packed);
			return TRACE_ECOMPRESS;
		}
		if (csize + varint_len(csize) < total)
			flags |= EVF_PACKED;
	}

	struct wbuf w = { .p = out, .n = 0, .cap = cap };
	put_u8(&w, (uint8_t)(EVENT_ENC_VERSION << 4 | ev->kind));
	put_u8(&w, flags);
	put_varint(&w, zz_enc((int64_t)(ev->icount - ctx->icount)));
	if (flags & EVF_NR)
		put_varint(&w, ev->nr);
	if (flags & EVF_ARGS) {
		put_u8(&w, mask);
		for (int j = 0; j < EVENT_NARGS; j++) {
			if (!(mask & (1 << j)))
				continue;
			if (rel)
				put_varint(&w, zz_enc((int64_t)(ev->args[j] -
						      ctx->slot[s].args[j])));
			else
				put_varint(&w, ev->args[j]);
		}
	}
	if (flags & EVF_RESULT)
		put_varint(&w, zz_enc(ev->result));
	if (flags & EVF_VALUE)
		put_varint(&w, ev->value);
	if (flags & EVF_HASH)
		put_bytes(&w, ev->hash, 32);
	if (flags & EVF_MEM) {
		put_varint(&w, ev->nmem);
		for (uint32_t i = 0; i < ev->nmem; i++) {
			uint8_t tag = region_tag(ev, i);
			put_u8(&w, tag);
			if ((tag & 7) == TAG_ADDR_LIT)
				put_varint(&w, ev->mem[i].addr);
			if ((tag >> 3) == TAG_LEN_LIT)
				put_varint(&w, ev->mem[i].len);
		}
		if (flags & EVF_PACKED) {
			put_varint(&w, csize);
			put_bytes(&w, packed, csize);
		} else {
			for (uint32_t i = 0; i < ev->nmem; i++)
				put_bytes(&w, ev->mem[i].data, ev->mem[i].len);
		}
	}
	free(gather);
	free(packed);
	if (w.overflow)
		return -ENOSPC;
	*len = w.n;
	ctx_remember(ctx, ev->icount, ev->nr, ev->args);
	return 0;
}

/* ---------------------------------------------------------------- reader */

struct rbuf {
	const uint8_t *p, *end;
};

static int get_u8(struct rbuf *r, uint8_t *v)
{
	if (r->p >= r->end)
		return TRACE_EBADEVENT;
	*v = *r->p++;
	return 0;
}

/* Canonical LEB128 of at most 64 bits: no padding bytes, no lost bits. */
static int get_varint(struct rbuf *r, uint64_t *v)
{
	uint64_t x = 0;
	for (unsigned shift = 0;; shift += 7) {
		if (r->p >= r->end || shift > 63)
			return TRACE_EBADEVENT;
		uint8_t b = *r->p++;
		if (shift == 63 && b > 1)
			return TRACE_EBADEVENT;
		x |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			if (b == 0 && shift)
				return TRACE_EBADEVENT;
			*v = x;
			return 0;
		}
	}
}

static size_t remaining(const struct rbuf *r)
{
	return (size_t)(r->end - r->p);
}

/* The shared decoder: with ev == NULL only the header is decoded and the
 * payload is only checked for length. */
static int decode(const uint8_t *buf, size_t len, struct event_ctx *ctx,
		  struct event *ev, uint64_t *icount_out)
{
	struct rbuf r = { buf, buf + len };
	struct event e;
	uint8_t hdr, flags;
	uint64_t v;
	int err;

	memset(&e, 0, sizeof(e));
	if (ev)
		memset(ev, 0, sizeof(*ev));
	if ((err = get_u8(&r, &hdr)) || (err = get_u8(&r, &flags)))
		return err;
	if (hdr >> 4 != EVENT_ENC_VERSION)
		return TRACE_EEVVERSION;
	e.kind = hdr & 15;
	if (e.kind < 1 || e.kind > EV_KIND_MAX)
		return TRACE_EBADEVENT;
	if ((err = get_varint(&r, &v)))
		return err;
	e.icount = ctx->icount + (uint64_t)zz_dec(v);
	if ((flags & EVF_NR) && (err = get_varint(&r, &e.nr)))
		return err;

	unsigned s = e.nr % EVENT_CTX_SLOTS;
	if (flags & EVF_ARGS_REL) {
		if (!ctx->slot[s].valid || ctx->slot[s].nr != e.nr)
			return TRACE_EBADEVENT;
		memcpy(e.args, ctx->slot[s].args, sizeof(e.args));
	}
	if (flags & EVF_ARGS) {
		uint8_t mask;
		if ((err = get_u8(&r, &mask)))
			return err;
		if (mask == 0 || mask >> EVENT_NARGS)
			return TRACE_EBADEVENT;
		for (int j = 0; j < EVENT_NARGS; j++) {
			if (!(mask & (1 << j)))
				continue;
			if ((err = get_varint(&r, &v)))
				return err;
			if (flags & EVF_ARGS_REL)
				e.args[j] += (uint64_t)zz_dec(v);
			else
				e.args[j] = v;
		}
	}
	if (flags & EVF_RESULT) {
		if ((err = get_varint(&r, &v)))
			return err;
		e.result = zz_dec(v);
	}
	if ((flags & EVF_VALUE) && (err = get_varint(&r, &e.value)))
		return err;
	if (flags & EVF_HASH) {
		if (remaining(&r) < 32)
			return TRACE_EBADEVENT;
		memcpy(e.hash, r.p, 32);
		r.p += 32;
	}

	uint64_t total = 0;
	const uint8_t *tags = NULL;
	if (flags & EVF_MEM) {
		/* Every region costs at least its tag byte. */
		if ((err = get_varint(&r, &v)))
			return err;
		if (v == 0 || v > EVENT_MAX_MEM || v > remaining(&r))
			return TRACE_EBADEVENT;
		e.nmem = (uint32_t)v;
		tags = r.p;
		uint64_t prev_end = 0;
		for (uint32_t i = 0; i < e.nmem; i++) {
			uint8_t tag;
			uint64_t addr, l;
			if ((err = get_u8(&r, &tag)))
				return err;
			unsigned a = tag & 7, lm = tag >> 3;
			if (a == TAG_ADDR_LIT) {
				if ((err = get_varint(&r, &addr)))
					return err;
			} else if (a == TAG_ADDR_NEXT) {
				if (i == 0)
					return TRACE_EBADEVENT;
				addr = prev_end;
			} else {
				addr = e.args[a - 1];
			}
			if (lm == TAG_LEN_LIT) {
				if ((err = get_varint(&r, &l)))
					return err;
			} else if (lm == TAG_LEN_RESULT) {
				l = (uint64_t)e.result;
			} else {
				l = lm - TAG_LEN_SMALL;
			}
			if (addr + l < addr || l > EVENT_MAX_PAYLOAD - total)
				return TRACE_EBADEVENT;
			total += l;
			prev_end = addr + l;
		}
	}

	const uint8_t *payload = r.p;
	size_t plen = remaining(&r);
	if (flags & EVF_PACKED) {
		if (!(flags & EVF_MEM) || total == 0)
			return TRACE_EBADEVENT;
		if ((err = get_varint(&r, &v)))
			return err;
		if (v == 0 || v != remaining(&r) ||
		    total > v * ZSTD_MAX_RATIO || v >= total)
			return TRACE_EBADEVENT;
		payload = r.p;
		plen = (size_t)v;
		if (ZSTD_getFrameContentSize(payload, plen) != total)
			return TRACE_EBADEVENT;
	} else if (plen != total) {
		return TRACE_EBADEVENT;	/* short, or trailing garbage */
	}

	if (ev) {
		/* One block: the region array, then the data. */
		size_t asize = (size_t)e.nmem * sizeof(struct event_mem);
		if (e.nmem) {
			e.mem = malloc(asize + total);
			if (!e.mem)
				return -ENOMEM;
		}
		uint8_t *data = e.mem ? (uint8_t *)e.mem + asize : NULL;
		if (flags & EVF_PACKED) {
			if (!tls_dctx)
				tls_dctx = ZSTD_createDCtx();
			if (!tls_dctx) {
				free(e.mem);
				return -ENOMEM;
			}
			size_t n = ZSTD_decompressDCtx(tls_dctx, data, total,
						       payload, plen);
			if (ZSTD_isError(n) || n != total) {
				free(e.mem);
				return TRACE_EBADEVENT;
			}
		} else if (total) {
			memcpy(data, payload, total);
		}
		/* Second pass over the tags, now that they are known good. */
		struct rbuf t = { tags, buf + len };
		uint64_t off = 0, prev_end = 0;
		for (uint32_t i = 0; i < e.nmem; i++) {
			uint8_t tag = *t.p++;
			unsigned a = tag & 7, lm = tag >> 3;
			uint64_t addr = 0, l = 0;
			if (a == TAG_ADDR_LIT)
				get_varint(&t, &addr);
			else if (a == TAG_ADDR_NEXT)
				addr = prev_end;
			else
				addr = e.args[a - 1];
			if (lm == TAG_LEN_LIT)
				get_varint(&t, &l);
			else if (lm == TAG_LEN_RESULT)
				l = (uint64_t)e.result;
			else
				l = lm - TAG_LEN_SMALL;
			e.mem[i].addr = addr;
			e.mem[i].len = l;
			e.mem[i].data = data + off;
			off += l;
			prev_end = addr + l;
		}
		*ev = e;
	}
	if (icount_out)
		*icount_out = e.icount;
	ctx_remember(ctx, e.icount, e.nr, e.args);
	return 0;
}

int event_decode(const uint8_t *buf, size_t len, struct event_ctx *ctx,
		 struct event *ev)
{
	return decode(buf, len, ctx, ev, NULL);
}

int event_decode_skip(const uint8_t *buf, size_t len, struct event_ctx *ctx,
		      uint64_t *icount)
{
	return decode(buf, len, ctx, NULL, icount);
}

void event_free(struct event *ev)
{
	free(ev->mem);
	ev->mem = NULL;
	ev->nmem = 0;
}

int event_equal(const struct event *a, const struct event *b)
{
	if (a->icount != b->icount || a->kind != b->kind || a->nr != b->nr ||
	    memcmp(a->args, b->args, sizeof(a->args)) ||
	    a->result != b->result || a->value != b->value ||
	    a->nmem != b->nmem || memcmp(a->hash, b->hash, 32))
		return 0;
	for (uint32_t i = 0; i < a->nmem; i++) {
		const struct event_mem *x = &a->mem[i], *y = &b->mem[i];
		if (x->addr != y->addr || x->len != y->len)
			return 0;
		if (x->len && memcmp(x->data, y->data, x->len))
			return 0;
	}
	return 1;
}
