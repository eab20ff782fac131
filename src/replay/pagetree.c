/*
 * pagetree.c - persistent radix tree of stored pages (see pagetree.h).
 *
 * Six levels of 64-way nodes cover 36 bits of page number (guest
 * addresses are below 2^46, i.e. page numbers below 2^34).  Level 0 nodes
 * hold struct page pointers, the others child nodes.  A node with more
 * than one reference is shared and is copied before it is changed (path
 * copying); an emptied node is freed, so that NULL always means "no
 * pages below" and comparisons can skip it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gc/pagestore.h"
#include "replay/pagetree.h"

#define BITS 6
#define FANOUT (1u << BITS)
#define LEVELS 6

struct ptnode {
	uint32_t refs;
	uint32_t used;			/* non-NULL slots */
	void *slot[FANOUT];
};

static inline unsigned idx(uint64_t pn, int level)
{
	return (unsigned)(pn >> (BITS * level)) & (FANOUT - 1);
}

/* Page numbers covered by one slot of a node at `level`. */
static inline uint64_t slot_span(int level)
{
	return 1ULL << (BITS * level);
}

struct pagetree pagetree_share(const struct pagetree *t)
{
	if (t->root)
		t->root->refs++;
	return *t;
}

static void node_unref(struct ptstore *st, struct ptnode *n, int level)
{
	if (!n || --n->refs)
		return;
	for (unsigned k = 0; k < FANOUT; k++) {
		if (!n->slot[k])
			continue;
		if (level == 0)
			pagestore_unref(st->ps, n->slot[k]);
		else
			node_unref(st, n->slot[k], level - 1);
	}
	st->nodes--;
	st->node_bytes -= sizeof(*n);
	free(n);
}

void pagetree_release(struct ptstore *st, struct pagetree *t)
{
	node_unref(st, t->root, LEVELS - 1);
	t->root = NULL;
}

struct page *pagetree_get(const struct pagetree *t, uint64_t pn)
{
	const struct ptnode *n = t->root;
	if (pn >= PAGETREE_SPAN)
		return NULL;
	for (int level = LEVELS - 1; n && level > 0; level--)
		n = n->slot[idx(pn, level)];
	return n ? n->slot[idx(pn, 0)] : NULL;
}

static struct ptnode *node_new(struct ptstore *st)
{
	struct ptnode *n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->refs = 1;
	st->nodes++;
	st->node_bytes += sizeof(*n);
	return n;
}

/* Make *pp a node this tree alone owns (new, or a copy of a shared one).
 * NULL on allocation failure, *pp unchanged. */
static struct ptnode *node_own(struct ptstore *st, struct ptnode **pp,
			       int level)
{
	struct ptnode *n = *pp;
	if (n && n->refs == 1)
		return n;
	struct ptnode *c = node_new(st);
	if (!c)
		return NULL;
	if (n) {
		memcpy(c->slot, n->slot, sizeof(c->slot));
		c->used = n->used;
		for (unsigned k = 0; k < FANOUT; k++) {
			if (!c->slot[k])
				continue;
			if (level == 0)
				pagestore_ref(c->slot[k]);
			else
				((struct ptnode *)c->slot[k])->refs++;
		}
		n->refs--;	/* still referenced by its other owners */
	}
	*pp = c;
	return c;
}

/* Set page pn below *pp (a node at `level`).  Returns 0 or -ENOMEM. */
static int set_rec(struct ptstore *st, struct ptnode **pp, int level,
		   uint64_t pn, struct page *pg)
{
	if (!*pp && !pg)
		return 0;		/* clearing what is not there */
	struct ptnode *n = node_own(st, pp, level);
	if (!n)
		return -ENOMEM;
	unsigned k = idx(pn, level);
	if (level == 0) {
		struct page *old = n->slot[k];
		n->slot[k] = pg;
		n->used += (pg != NULL) - (old != NULL);
		pagestore_unref(st->ps, old);
	} else {
		struct ptnode *child = n->slot[k];
		int had = child != NULL;
		int err = set_rec(st, (struct ptnode **)&n->slot[k], level - 1,
				  pn, pg);
		if (err)
			return err;
		n->used += (n->slot[k] != NULL) - had;
	}
	if (n->used == 0) {
		node_unref(st, n, level);
		*pp = NULL;
	}
	return 0;
}

int pagetree_set(struct ptstore *st, struct pagetree *t, uint64_t pn,
		 struct page *pg)
{
	if (pn >= PAGETREE_SPAN) {
		pagestore_unref(st->ps, pg);
		return -EINVAL;
	}
	int err = set_rec(st, &t->root, LEVELS - 1, pn, pg);
	if (err)
		pagestore_unref(st->ps, pg);
	return err;
}

struct diff_walk {
	uint64_t lo, hi;
	pagetree_diff_fn fn;
	void *ctx;
};

static void diff_rec(const struct diff_walk *w, const struct ptnode *a,
		     const struct ptnode *b, int level, uint64_t base)
{
	if (a == b)
		return;
	uint64_t span = slot_span(level);
	for (unsigned k = 0; k < FANOUT; k++) {
		uint64_t first = base + k * span;
		if (first >= w->hi || first + span <= w->lo)
			continue;
		void *x = a ? a->slot[k] : NULL, *y = b ? b->slot[k] : NULL;
		if (x == y)
			continue;
		if (level == 0)
			w->fn(w->ctx, first, x, y);
		else
			diff_rec(w, x, y, level - 1, first);
	}
}

void pagetree_diff(const struct pagetree *a, const struct pagetree *b,
		   uint64_t lo, uint64_t hi, pagetree_diff_fn fn, void *ctx)
{
	struct diff_walk w = { lo, hi, fn, ctx };
	diff_rec(&w, a->root, b->root, LEVELS - 1, 0);
}

struct each_walk {
	uint64_t lo, hi;
	pagetree_each_fn fn;
	void *ctx;
};

static void each_rec(const struct each_walk *w, const struct ptnode *n,
		     int level, uint64_t base)
{
	uint64_t span = slot_span(level);
	for (unsigned k = 0; k < FANOUT; k++) {
		uint64_t first = base + k * span;
		if (!n->slot[k] || first >= w->hi || first + span <= w->lo)
			continue;
		if (level == 0)
			w->fn(w->ctx, first, n->slot[k]);
		else
			each_rec(w, n->slot[k], level - 1, first);
	}
}

void pagetree_each(const struct pagetree *t, uint64_t lo, uint64_t hi,
		   pagetree_each_fn fn, void *ctx)
{
	struct each_walk w = { lo, hi, fn, ctx };
	if (t->root)
		each_rec(&w, t->root, LEVELS - 1, 0);
}
