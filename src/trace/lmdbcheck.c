/*
 * lmdbcheck.c - walk an LMDB 0.9 file's trees and check every bound that
 * LMDB itself relies on (see lmdbcheck.h).
 *
 * On-disk format (mdb.c, LMDB 0.9.x, 64-bit): pages of mm_psize bytes;
 * pages 0 and 1 hold the meta (the one with the larger txnid is current);
 * every page starts with {u64 pgno; u16 pad; u16 flags; u16 lower;
 * u16 upper} (overflow pages: u32 page count instead of lower/upper), then
 * u16 node offsets; a node is {u16 lo, hi, flags, ksize; key; data}.
 */
#include <errno.h>
#include <lmdb.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trace/error.h"
#include "trace/lmdbcheck.h"

#define MDB_MAGIC	0xBEEFC0DEu
#define MDB_DATA_VERSION 1
#define PAGEHDRSZ	16
#define NODESIZE	8
#define P_BRANCH	0x01
#define P_LEAF		0x02
#define P_OVERFLOW	0x04
#define P_META		0x08
#define P_LEAF2		0x20
#define P_SUBP		0x40
#define P_TYPE		(P_BRANCH | P_LEAF | P_OVERFLOW | P_META | P_LEAF2 | P_SUBP)
#define F_BIGDATA	0x01
#define F_SUBDATA	0x02
#define F_DUPDATA	0x04
#define P_INVALID	(~(uint64_t)0)
#define CURSOR_STACK	32
#define MAX_KEY		511	/* LMDB's default maximum key size */
#define DB_SIZE		48	/* sizeof(MDB_db) */
#define MAX_SUBDBS	64

struct disk_db {
	uint32_t pad;		/* page size, in the free DB of the meta */
	uint16_t flags;
	uint16_t depth;
	uint64_t branch_pages, leaf_pages, overflow_pages;
	uint64_t entries;
	uint64_t root;
};

struct disk_meta {
	uint32_t magic;
	uint32_t version;
	uint64_t address;
	uint64_t mapsize;
	struct disk_db dbs[2];	/* free, main */
	uint64_t last_pg;
	uint64_t txnid;
};

_Static_assert(sizeof(struct disk_db) == DB_SIZE, "MDB_db layout");
_Static_assert(sizeof(struct disk_meta) == 136, "MDB_meta layout");

struct walk {
	const uint8_t *map;
	uint64_t psize, npages;
	uint8_t *seen;		/* one bit per page */
	struct disk_db sub[MAX_SUBDBS];
	unsigned nsub;
	uint64_t entries;
};

static inline uint16_t rd16(const uint8_t *p)
{
	uint16_t v;
	memcpy(&v, p, 2);
	return v;
}

static inline uint64_t rd64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static int mark(struct walk *w, uint64_t pg)
{
	if (pg < 2 || pg >= w->npages)
		return TRACE_ECORRUPT;
	if (w->seen[pg >> 3] & (1u << (pg & 7)))
		return TRACE_ECORRUPT;	/* shared page or a cycle */
	w->seen[pg >> 3] |= (uint8_t)(1u << (pg & 7));
	return 0;
}

static int check_overflow(struct walk *w, uint64_t pg, uint64_t dsize)
{
	int err = mark(w, pg);
	if (err)
		return err;
	const uint8_t *p = w->map + pg * w->psize;
	uint32_t pages;
	memcpy(&pages, p + 12, 4);
	if (rd64(p) != pg || (rd16(p + 10) & P_TYPE) != P_OVERFLOW ||
	    pages == 0 || pages > w->npages - pg ||
	    dsize > pages * w->psize - PAGEHDRSZ)
		return TRACE_ECORRUPT;
	for (uint64_t i = 1; i < pages; i++)
		if ((err = mark(w, pg + i)))
			return err;
	return 0;
}

static int walk_page(struct walk *w, uint64_t pg, unsigned level,
		     unsigned depth, bool is_main)
{
	int err = mark(w, pg);
	if (err)
		return err;
	const uint8_t *p = w->map + pg * w->psize;
	uint16_t flags = rd16(p + 10) & P_TYPE;
	uint16_t lower = rd16(p + 12), upper = rd16(p + 14);
	bool leaf = level == depth;
	if (rd64(p) != pg || flags != (leaf ? P_LEAF : P_BRANCH))
		return TRACE_ECORRUPT;
	if (lower < PAGEHDRSZ + 2 || (lower - PAGEHDRSZ) % 2 ||
	    lower > upper || upper > w->psize)
		return TRACE_ECORRUPT;
	unsigned nkeys = (lower - PAGEHDRSZ) / 2;
	for (unsigned i = 0; i < nkeys; i++) {
		uint64_t off = rd16(p + PAGEHDRSZ + 2 * i);
		if (off < upper || off % 2 || off + NODESIZE > w->psize)
			return TRACE_ECORRUPT;
		const uint8_t *n = p + off;
		uint64_t lo = rd16(n), hi = rd16(n + 2);
		uint16_t nflags = rd16(n + 4), ksize = rd16(n + 6);
		uint64_t kend = off + NODESIZE + ksize;
		if (ksize > MAX_KEY || kend > w->psize)
			return TRACE_ECORRUPT;
		if (!leaf) {
			uint64_t child = lo | hi << 16 | (uint64_t)nflags << 32;
			if ((err = walk_page(w, child, level + 1, depth,
					     is_main)))
				return err;
			continue;
		}
		uint64_t dsize = lo | hi << 16;
		w->entries++;
		if (nflags == F_BIGDATA) {
			if (kend + 8 > w->psize || is_main)
				return TRACE_ECORRUPT;
			if ((err = check_overflow(w, rd64(p + kend), dsize)))
				return err;
			continue;
		}
		if (kend + dsize > w->psize)
			return TRACE_ECORRUPT;
		if (nflags == F_SUBDATA && is_main && dsize == DB_SIZE) {
			if (w->nsub == MAX_SUBDBS)
				return TRACE_ECORRUPT;
			memcpy(&w->sub[w->nsub++], p + kend, DB_SIZE);
		} else if (nflags != 0 || is_main) {
			/* dupsort data, or plain data in the main DB: a trace
			 * never has either */
			return TRACE_ECORRUPT;
		}
	}
	return 0;
}

static int walk_tree(struct walk *w, const struct disk_db *db, bool is_main)
{
	/* No dupsort/integer/reverse-key databases in a trace. */
	if (db->flags & (MDB_REVERSEKEY | MDB_DUPSORT | MDB_INTEGERKEY |
			 MDB_DUPFIXED | MDB_INTEGERDUP | MDB_REVERSEDUP))
		return TRACE_ECORRUPT;
	if (db->root == P_INVALID)
		return db->depth == 0 && db->entries == 0 ? 0 : TRACE_ECORRUPT;
	if (db->depth < 1 || db->depth > CURSOR_STACK - 1)
		return TRACE_ECORRUPT;
	w->entries = 0;
	int err = walk_page(w, db->root, 1, db->depth, is_main);
	if (err)
		return err;
	return w->entries == db->entries ? 0 : TRACE_ECORRUPT;
}

static bool meta_ok(const uint8_t *page, struct disk_meta *m)
{
	memcpy(m, page + PAGEHDRSZ, sizeof(*m));
	return (rd16(page + 10) & P_META) && m->magic == MDB_MAGIC &&
	       m->version == MDB_DATA_VERSION;
}

int lmdb_check_fd(int fd)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return TRACE_ENOTTRACE;
	uint8_t first[PAGEHDRSZ + sizeof(struct disk_meta)];
	ssize_t got = pread(fd, first, sizeof(first), 0);
	if (got < 0)
		return -errno;
	struct disk_meta m0, m1;
	if ((size_t)got < sizeof(first))
		return TRACE_ENOTTRACE;
	if (!meta_ok(first, &m0)) {
		/* A good second meta page (at the usual page size) means a
		 * damaged LMDB file rather than something else entirely. */
		got = pread(fd, first, sizeof(first), 4096);
		return got == (ssize_t)sizeof(first) && meta_ok(first, &m1)
			       ? TRACE_ECORRUPT : TRACE_ENOTTRACE;
	}
	uint64_t psize = m0.dbs[0].pad;
	if (psize < 4096 || psize > 65536 || (psize & (psize - 1)) ||
	    (uint64_t)st.st_size < 2 * psize)
		return TRACE_ECORRUPT;

	const uint8_t *map = mmap(NULL, (size_t)st.st_size, PROT_READ,
				  MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED)
		return -errno;
	int err = TRACE_ECORRUPT;
	struct walk w = { .map = map, .psize = psize };
	if (!meta_ok(map + psize, &m1) || m1.dbs[0].pad != psize)
		goto err_unmap;
	const struct disk_meta *m = m0.txnid < m1.txnid ? &m1 : &m0;
	/* MDB_FIXEDMAP would make LMDB map at an address from the file. */
	if (m->dbs[0].flags & MDB_FIXEDMAP)
		goto err_unmap;
	if (m->last_pg < 1 || m->last_pg >= (uint64_t)st.st_size / psize)
		goto err_unmap;
	w.npages = m->last_pg + 1;
	w.seen = calloc(w.npages / 8 + 1, 1);
	if (!w.seen) {
		err = -ENOMEM;
		goto err_unmap;
	}
	if ((err = walk_tree(&w, &m->dbs[1], true)))
		goto err_free;
	for (unsigned i = 0; i < w.nsub; i++) {
		struct disk_db sub = w.sub[i];
		if ((err = walk_tree(&w, &sub, false)))
			goto err_free;
	}
	err = 0;
err_free:
	free(w.seen);
err_unmap:
	munmap((void *)map, (size_t)st.st_size);
	return err;
}
