/*
 * pagestore.c - content-addressed page storage (see pagestore.h).
 *
 * A chained hash table of struct page, keyed by the content hash.
 * A page is compressed with zstd (fast level) when the result is at most
 * three quarters of a page; comparing contents for deduplication then
 * decompresses the stored page into a scratch buffer, which only happens
 * when the 64-bit hashes agree, i.e. almost always for a true duplicate.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "gc/pagestore.h"

struct page {
	struct page *next;	/* hash chain */
	uint64_t hash;
	uint32_t refs;
	uint16_t len;		/* stored bytes */
	uint8_t compressed;
	uint8_t data[];		/* stored bytes: raw or zstd frame */
};

struct pagestore {
	struct page **slot;
	size_t cap, count;
	ZSTD_CCtx *cctx;
	ZSTD_DCtx *dctx;
	uint8_t scratch[PAGESTORE_PAGE];
	uint8_t cbuf[PAGESTORE_PAGE];	/* compression output */
	struct pagestore_stats st;
};

#define ZSTD_LEVEL 1

int pagestore_create(struct pagestore **out)
{
	struct pagestore *ps = calloc(1, sizeof(*ps));
	if (!ps)
		return -ENOMEM;
	ps->cap = 1024;
	ps->slot = calloc(ps->cap, sizeof(*ps->slot));
	ps->cctx = ZSTD_createCCtx();
	ps->dctx = ZSTD_createDCtx();
	if (!ps->slot || !ps->cctx || !ps->dctx) {
		pagestore_destroy(ps);
		return -ENOMEM;
	}
	ps->st.bytes = ps->cap * sizeof(*ps->slot);
	*out = ps;
	return 0;
}

void pagestore_destroy(struct pagestore *ps)
{
	if (!ps)
		return;
	for (size_t i = 0; ps->slot && i < ps->cap; i++) {
		struct page *pg = ps->slot[i], *next;
		for (; pg; pg = next) {
			next = pg->next;
			free(pg);
		}
	}
	free(ps->slot);
	ZSTD_freeCCtx(ps->cctx);
	ZSTD_freeDCtx(ps->dctx);
	free(ps);
}

static inline uint64_t rd64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static inline uint64_t rotl(uint64_t v, int r)
{
	return (v << r) | (v >> (64 - r));
}

static inline uint64_t mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

/* A fast 64-bit hash of n bytes (n a multiple of 8), for page identity:
 * four independent multiply-rotate lanes (so the loop runs at memory
 * speed), folded at the end. */
static uint64_t hash_bytes(const void *data, size_t n)
{
	const uint8_t *p = data;
	uint64_t a = 0x9E3779B97F4A7C15ULL, b = 0xC2B2AE3D27D4EB4FULL,
		 c = 0x165667B19E3779F9ULL, d = 0x27D4EB2F165667C5ULL;
	const uint64_t k = 0x9FB21C651E98DF25ULL;
	size_t i = 0;
	for (; i + 32 <= n; i += 32) {
		a = rotl(a ^ rd64(p + i), 29) * k;
		b = rotl(b ^ rd64(p + i + 8), 29) * k;
		c = rotl(c ^ rd64(p + i + 16), 29) * k;
		d = rotl(d ^ rd64(p + i + 24), 29) * k;
	}
	for (; i + 8 <= n; i += 8)
		a = rotl(a ^ rd64(p + i), 29) * k;
	return mix(a ^ rotl(b, 17) ^
		   rotl(c, 31) ^
		   rotl(d, 47) ^ n);
}

static int all_zero(const uint8_t *p)
{
	for (size_t i = 0; i < PAGESTORE_PAGE; i += 8)
		if (rd64(p + i))
			return 0;
	return 1;
}

/* The page's contents, decompressed into ps->scratch when needed. */
static const uint8_t *contents(struct pagestore *ps, const struct page *pg)
{
	if (!pg->compressed)
		return pg->data;
	size_t n = ZSTD_decompressDCtx(ps->dctx, ps->scratch, PAGESTORE_PAGE,
				       pg->data, pg->len);
	return n == PAGESTORE_PAGE ? ps->scratch : NULL;
}

static int grow(struct pagestore *ps)
{
	size_t cap = ps->cap * 2;
	struct page **n = calloc(cap, sizeof(*n));
	if (!n)
		return -ENOMEM;
	for (size_t i = 0; i < ps->cap; i++) {
		struct page *pg = ps->slot[i], *next;
		for (; pg; pg = next) {
			next = pg->next;
			size_t h = pg->hash & (cap - 1);
			pg->next = n[h];
			n[h] = pg;
		}
	}
	ps->st.bytes += (cap - ps->cap) * sizeof(*n);
	free(ps->slot);
	ps->slot = n;
	ps->cap = cap;
	return 0;
}

struct page *pagestore_intern(struct pagestore *ps, const void *data,
			      int *err)
{
	*err = 0;
	if (all_zero(data))
		return NULL;
	ps->st.interned++;
	uint64_t h = hash_bytes(data, PAGESTORE_PAGE);
	for (struct page *pg = ps->slot[h & (ps->cap - 1)]; pg; pg = pg->next) {
		if (pg->hash != h)
			continue;
		const uint8_t *c = contents(ps, pg);
		if (c && memcmp(c, data, PAGESTORE_PAGE) == 0) {
			pg->refs++;
			ps->st.deduplicated++;
			return pg;
		}
	}
	if ((ps->count + 1) > ps->cap && grow(ps) < 0) {
		*err = -ENOMEM;
		return NULL;
	}
	size_t clen = ZSTD_compressCCtx(ps->cctx, ps->cbuf, sizeof(ps->cbuf),
					data, PAGESTORE_PAGE, ZSTD_LEVEL);
	int comp = !ZSTD_isError(clen) && clen <= PAGESTORE_PAGE * 3 / 4;
	size_t len = comp ? clen : PAGESTORE_PAGE;
	struct page *pg = malloc(sizeof(*pg) + len);
	if (!pg) {
		*err = -ENOMEM;
		return NULL;
	}
	pg->hash = h;
	pg->refs = 1;
	pg->len = (uint16_t)len;
	pg->compressed = (uint8_t)comp;
	memcpy(pg->data, comp ? ps->cbuf : data, len);
	size_t s = h & (ps->cap - 1);
	pg->next = ps->slot[s];
	ps->slot[s] = pg;
	ps->count++;
	ps->st.pages++;
	ps->st.compressed += (uint64_t)comp;
	ps->st.bytes += sizeof(*pg) + len;
	ps->st.raw_bytes += PAGESTORE_PAGE;
	return pg;
}

void pagestore_ref(struct page *pg)
{
	if (pg)
		pg->refs++;
}

void pagestore_unref(struct pagestore *ps, struct page *pg)
{
	if (!pg || --pg->refs)
		return;
	struct page **pp = &ps->slot[pg->hash & (ps->cap - 1)];
	while (*pp != pg)
		pp = &(*pp)->next;
	*pp = pg->next;
	ps->count--;
	ps->st.pages--;
	ps->st.compressed -= pg->compressed;
	ps->st.bytes -= sizeof(*pg) + pg->len;
	ps->st.raw_bytes -= PAGESTORE_PAGE;
	free(pg);
}

int pagestore_read(struct pagestore *ps, const struct page *pg, void *out)
{
	if (!pg) {
		memset(out, 0, PAGESTORE_PAGE);
		return 0;
	}
	if (!pg->compressed) {
		memcpy(out, pg->data, PAGESTORE_PAGE);
		return 0;
	}
	size_t n = ZSTD_decompressDCtx(ps->dctx, out, PAGESTORE_PAGE, pg->data,
				       pg->len);
	return n == PAGESTORE_PAGE ? 0 : -EIO;
}

void pagestore_get_stats(const struct pagestore *ps,
			 struct pagestore_stats *st)
{
	*st = ps->st;
}
