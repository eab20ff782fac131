/*
 * pagetree.h - which page contents a snapshot holds: a persistent radix
 * tree from guest page number to stored page (src/gc/pagestore.h).
 *
 * Owns: the mapping page number -> struct page (NULL: an all-zero or
 * unmapped page) of one snapshot, with structural sharing: copying a
 * tree is O(1) and a change copies only the path to the changed leaf, so
 * a snapshot costs memory in proportion to the pages that changed since
 * the previous one.  Nodes are reference counted; the pages in the
 * leaves hold page store references.
 *
 * Comparing two trees skips every shared subtree, so finding the pages
 * in which two snapshots differ costs in proportion to the difference.
 * Stored pages are interned, so two live trees hold the same struct page
 * exactly when the contents are equal.
 *
 * Does not own: the page contents (pagestore) or what else a snapshot
 * holds (snapshot.h).
 */
#ifndef REWIND_REPLAY_PAGETREE_H
#define REWIND_REPLAY_PAGETREE_H

#include <stddef.h>
#include <stdint.h>

struct page;
struct pagestore;
struct ptnode;

/* Shared by all trees of one session: the page store their leaves point
 * into, and the memory their nodes take. */
struct ptstore {
	struct pagestore *ps;
	uint64_t nodes;		/* nodes allocated */
	uint64_t node_bytes;	/* bytes they take */
};

struct pagetree {
	struct ptnode *root;	/* NULL: every page NULL */
};

#define PAGETREE_INIT ((struct pagetree){ NULL })

/* A second reference to the same tree (O(1)). */
struct pagetree pagetree_share(const struct pagetree *t);
/* Drop a tree: its nodes and page references when nobody shares them. */
void pagetree_release(struct ptstore *st, struct pagetree *t);

/* The page at page number pn (guest address >> 12), or NULL. */
struct page *pagetree_get(const struct pagetree *t, uint64_t pn);
/* Set page pn to pg, taking over the caller's reference to pg (NULL
 * clears it).  0 or -ENOMEM (then pg's reference is dropped and the tree
 * is unchanged). */
int pagetree_set(struct ptstore *st, struct pagetree *t, uint64_t pn,
		 struct page *pg);

/* Call fn for every page number in [lo, hi) whose page differs between a
 * and b (fn gets both pages, either may be NULL), in increasing order. */
typedef void (*pagetree_diff_fn)(void *ctx, uint64_t pn, struct page *a,
				 struct page *b);
void pagetree_diff(const struct pagetree *a, const struct pagetree *b,
		   uint64_t lo, uint64_t hi, pagetree_diff_fn fn, void *ctx);

/* Call fn for every non-NULL page with page number in [lo, hi), in
 * increasing order. */
typedef void (*pagetree_each_fn)(void *ctx, uint64_t pn, struct page *pg);
void pagetree_each(const struct pagetree *t, uint64_t lo, uint64_t hi,
		   pagetree_each_fn fn, void *ctx);

/* Number of page numbers a tree can hold: 2^36. */
#define PAGETREE_SPAN (1ULL << 36)

#endif
