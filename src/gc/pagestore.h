/*
 * pagestore.h - content-addressed, reference-counted storage of guest
 * pages for snapshots.
 *
 * Owns: one copy of every distinct 4 KiB page content that some snapshot
 * refers to, compressed with zstd when that saves at least a quarter, and
 * the count of bytes it holds (the figure the memory budget is checked
 * against).  Two snapshots that share a page content share one stored
 * page.  A page is freed when its last reference goes.
 *
 * Pages are found by a 64-bit hash of their contents and then compared
 * byte for byte, so two different contents are never confused, whatever
 * the hash says.  An all-zero page is never stored: callers represent it
 * as NULL.
 *
 * Does not own: which pages a snapshot holds (src/replay/pagetree.h) or
 * when snapshots are dropped (the budget: thin() in
 * src/replay/session.c).
 */
#ifndef REWIND_GC_PAGESTORE_H
#define REWIND_GC_PAGESTORE_H

#include <stddef.h>
#include <stdint.h>

#define PAGESTORE_PAGE 4096

struct pagestore;
struct page;

struct pagestore_stats {
	uint64_t pages;		/* distinct pages held */
	uint64_t compressed;	/* of which stored compressed */
	uint64_t bytes;		/* bytes held: page data and bookkeeping */
	uint64_t raw_bytes;	/* pages * 4096 */
	uint64_t interned;	/* pagestore_intern calls */
	uint64_t deduplicated;	/* of which found an existing page */
};

int pagestore_create(struct pagestore **out);
/* Free the store.  Pages still referenced are freed too. */
void pagestore_destroy(struct pagestore *ps);

/*
 * The stored page with these PAGESTORE_PAGE bytes, with one more
 * reference: an existing page when one has the same contents, else a new
 * one.  NULL for an all-zero page (not stored) and, with *err = -ENOMEM,
 * when out of memory.
 */
struct page *pagestore_intern(struct pagestore *ps, const void *data,
			      int *err);
void pagestore_ref(struct page *pg);
void pagestore_unref(struct pagestore *ps, struct page *pg);

/* The page's contents into out (PAGESTORE_PAGE bytes); NULL pg gives
 * zeros.  0, or -EIO if a compressed page does not decompress (a bug). */
int pagestore_read(struct pagestore *ps, const struct page *pg, void *out);

void pagestore_get_stats(const struct pagestore *ps,
			 struct pagestore_stats *st);

#endif
