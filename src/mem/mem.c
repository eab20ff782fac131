/*
 * mem.c - the guest address space (see mem.h).
 *
 * The guest's mappings are kept as a sorted array of struct mem_region; the
 * host reservation mirrors them: a guest mapping is a host mapping at
 * base + addr with the host protection derived from the guest's, an
 * unmapped guest range is a PROT_NONE host range.  Guest code never runs
 * natively here, so host protections never include PROT_EXEC; guest
 * PROT_EXEC only matters to instruction fetch (checked in software by the
 * engine via mem_find).
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <ucontext.h>
#include <unistd.h>

#include "engine/cpu.h"
#include "engine/debug.h"
#include "engine/fault.h"
#include "mem/mem.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

/* Page-set of pages holding decoded code: open addressing, page numbers. */
struct pageset {
	uint64_t *slot;		/* 0 = empty, else page address | 1 */
	size_t cap, count;
};

/* A range of guest addresses, [start, end). */
struct range {
	uint64_t start, end;
};

struct mem {
	uint8_t *base;
	struct mem_region *reg;
	size_t nreg, capreg;
	uint64_t brk_start, brk_cur;
	struct pageset code;
	mem_code_written_fn code_cb;
	void *code_ctx;

	/* Change tracking for snapshots (mem_track_*): pages written since
	 * the last reset, and ranges whose mapping changed (mapped,
	 * unmapped, zeroed).  While tracking, a guest-writable page is
	 * read-only in the host until its first write. */
	int tracking;
	struct pageset dirty;
	struct range *changed;
	size_t nchanged, capchanged;
	int track_lost;		/* out of memory: everything counts as
				   changed until the next reset */
};

/* The cpu the host thread is running, for the host fault handler. */
static __thread struct cpu *fault_cpu;
static __thread struct mem *fault_mem;

static inline uint64_t page_down(uint64_t a) { return a & GUEST_PAGE_MASK; }
static inline uint64_t page_up(uint64_t a)
{
	return (a + GUEST_PAGE_SIZE - 1) & GUEST_PAGE_MASK;
}

/* ------------------------------------------------------------ page set */

static size_t pageset_hash(uint64_t page, size_t cap)
{
	return (size_t)((page >> 12) * 0x9E3779B97F4A7C15ULL >> 20) & (cap - 1);
}

static bool pageset_has(const struct pageset *s, uint64_t page)
{
	if (!s->cap)
		return false;
	for (size_t h = pageset_hash(page, s->cap);; h = (h + 1) & (s->cap - 1)) {
		if (s->slot[h] == 0)
			return false;
		if (s->slot[h] == (page | 1))
			return true;
	}
}

static int pageset_add(struct pageset *s, uint64_t page);

static int pageset_grow(struct pageset *s)
{
	struct pageset n = { calloc(s->cap ? s->cap * 2 : 256, 8),
			     s->cap ? s->cap * 2 : 256, 0 };
	if (!n.slot)
		return -ENOMEM;
	for (size_t i = 0; i < s->cap; i++)
		if (s->slot[i] > 1)
			pageset_add(&n, s->slot[i] & ~1ULL);
	free(s->slot);
	*s = n;
	return 0;
}

static int pageset_add(struct pageset *s, uint64_t page)
{
	if ((s->count + 1) * 2 > s->cap && pageset_grow(s))
		return -ENOMEM;
	size_t h = pageset_hash(page, s->cap);
	while (s->slot[h] > 1) {
		if (s->slot[h] == (page | 1))
			return 0;
		h = (h + 1) & (s->cap - 1);
	}
	s->slot[h] = page | 1;
	s->count++;
	return 0;
}

/* Removal with backward-shift so lookups never need tombstones. */
static void pageset_del(struct pageset *s, uint64_t page)
{
	if (!s->cap)
		return;
	size_t h = pageset_hash(page, s->cap);
	while (s->slot[h] != (page | 1)) {
		if (s->slot[h] == 0)
			return;
		h = (h + 1) & (s->cap - 1);
	}
	s->slot[h] = 0;
	s->count--;
	for (size_t j = (h + 1) & (s->cap - 1); s->slot[j];
	     j = (j + 1) & (s->cap - 1)) {
		uint64_t v = s->slot[j];
		s->slot[j] = 0;
		s->count--;
		pageset_add(s, v & ~1ULL);
	}
}

/* ------------------------------------------------------------ regions */

static int host_prot(int prot)
{
	int h = 0;
	if (prot & (PROT_READ | PROT_WRITE | PROT_EXEC))
		h |= PROT_READ;
	if (prot & PROT_WRITE)
		h |= PROT_WRITE;
	return h;
}

/* Index of the first region with end > addr (may be nreg). */
/* Index of the first of regs (sorted, n of them) that ends above addr. */
static size_t regs_lower(const struct mem_region *regs, size_t n,
			 uint64_t addr)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (regs[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static size_t region_lower(const struct mem *m, uint64_t addr)
{
	return regs_lower(m->reg, m->nreg, addr);
}

size_t mem_region_lower(const struct mem *m, uint64_t addr)
{
	return region_lower(m, addr);
}

const struct mem_region *mem_find(const struct mem *m, uint64_t addr)
{
	size_t i = region_lower(m, addr);
	if (i < m->nreg && m->reg[i].start <= addr)
		return &m->reg[i];
	return NULL;
}

size_t mem_region_count(const struct mem *m) { return m->nreg; }

const struct mem_region *mem_region_at(const struct mem *m, size_t idx)
{
	return idx < m->nreg ? &m->reg[idx] : NULL;
}

static int region_insert_at(struct mem *m, size_t idx,
			    const struct mem_region *r)
{
	if (m->nreg == m->capreg) {
		size_t cap = m->capreg ? m->capreg * 2 : 64;
		struct mem_region *n = realloc(m->reg, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		m->reg = n;
		m->capreg = cap;
	}
	memmove(&m->reg[idx + 1], &m->reg[idx],
		(m->nreg - idx) * sizeof(*m->reg));
	m->reg[idx] = *r;
	m->nreg++;
	return 0;
}

static void region_remove_at(struct mem *m, size_t idx)
{
	memmove(&m->reg[idx], &m->reg[idx + 1],
		(m->nreg - idx - 1) * sizeof(*m->reg));
	m->nreg--;
}

/* Split so that no region straddles addr.  Returns 0 or -ENOMEM. */
static int region_split(struct mem *m, uint64_t addr)
{
	size_t i = region_lower(m, addr);
	if (i >= m->nreg || m->reg[i].start >= addr)
		return 0;
	struct mem_region hi = m->reg[i];
	hi.start = addr;
	if (hi.dev || hi.ino || !(hi.flags & MAP_ANONYMOUS))
		hi.offset += addr - m->reg[i].start;
	m->reg[i].end = addr;
	return region_insert_at(m, i + 1, &hi);
}

/* Two neighbours that Linux would show as one mapping are merged. */
static bool region_mergeable(const struct mem_region *a,
			     const struct mem_region *b)
{
	return a->end == b->start && a->prot == b->prot &&
	       a->flags == b->flags && a->dev == b->dev && a->ino == b->ino &&
	       (!(a->dev || a->ino) ||
		a->offset + (a->end - a->start) == b->offset) &&
	       strcmp(a->name, b->name) == 0;
}

static void region_merge_around(struct mem *m, size_t idx)
{
	if (idx + 1 < m->nreg && region_mergeable(&m->reg[idx], &m->reg[idx + 1])) {
		m->reg[idx].end = m->reg[idx + 1].end;
		region_remove_at(m, idx + 1);
	}
	if (idx > 0 && region_mergeable(&m->reg[idx - 1], &m->reg[idx])) {
		m->reg[idx - 1].end = m->reg[idx].end;
		region_remove_at(m, idx);
	}
}

/* Tell the engine that decoded code in [start, end) is no longer valid. */
static void code_invalidate_range(struct mem *m, uint64_t start, uint64_t end)
{
	if (!m->code.count)
		return;
	for (uint64_t pg = page_down(start); pg < end; pg += GUEST_PAGE_SIZE) {
		if (pageset_has(&m->code, pg)) {
			pageset_del(&m->code, pg);
			if (m->code_cb)
				m->code_cb(m->code_ctx, pg);
		}
	}
}

/* While tracking, remember that the mapping of [start, end) changed. */
static void note_changed(struct mem *m, uint64_t start, uint64_t end)
{
	if (!m->tracking || start >= end)
		return;
	if (m->nchanged) {
		struct range *last = &m->changed[m->nchanged - 1];
		if (start <= last->end && end >= last->start) {
			if (start < last->start)
				last->start = start;
			if (end > last->end)
				last->end = end;
			return;
		}
	}
	if (m->nchanged == m->capchanged) {
		size_t cap = m->capchanged ? 2 * m->capchanged : 16;
		struct range *n = realloc(m->changed, cap * sizeof(*n));
		if (!n) {
			m->track_lost = 1;
			return;
		}
		m->changed = n;
		m->capchanged = cap;
	}
	m->changed[m->nchanged++] = (struct range){ start, end };
}

/* Drop guest regions in [start, end) and return the host range to the
 * PROT_NONE reservation. */
static int range_clear(struct mem *m, uint64_t start, uint64_t end)
{
	int err;
	if ((err = region_split(m, start)) || (err = region_split(m, end)))
		return err;
	size_t i = region_lower(m, start);
	while (i < m->nreg && m->reg[i].start < end)
		region_remove_at(m, i);
	code_invalidate_range(m, start, end);
	note_changed(m, start, end);
	if (mmap(m->base + start, end - start, PROT_NONE,
		 MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		 -1, 0) == MAP_FAILED)
		return -errno;
	return 0;
}

static bool range_free(const struct mem *m, uint64_t start, uint64_t end)
{
	size_t i = region_lower(m, start);
	return i >= m->nreg || m->reg[i].start >= end;
}

/* Highest free gap of len bytes below top (top-down, like Linux), or 0. */
static uint64_t find_gap(const struct mem *m, uint64_t len, uint64_t top)
{
	uint64_t hi = top;
	size_t i = region_lower(m, top);	/* regions [0, i) end <= top */
	if (i < m->nreg && m->reg[i].start < hi)
		hi = m->reg[i].start;		/* one straddles top */
	for (;;) {
		uint64_t lo = i > 0 ? m->reg[i - 1].end : GUEST_MMAP_MIN;
		if (lo < GUEST_MMAP_MIN)
			lo = GUEST_MMAP_MIN;
		if (hi > lo && hi - lo >= len)
			return hi - len;
		if (i == 0)
			return 0;
		hi = m->reg[i - 1].start;
		i--;
	}
}

/* ------------------------------------------------------------ public */

int mem_create(struct mem **out)
{
	struct mem *m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	void *p = mmap(NULL, GUEST_LIMIT + GUEST_GUARD, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		int err = -errno;
		free(m);
		return err;
	}
	m->base = p;
	*out = m;
	return 0;
}

void mem_destroy(struct mem *m)
{
	if (!m)
		return;
	if (fault_mem == m) {
		fault_mem = NULL;
		fault_cpu = NULL;
	}
	munmap(m->base, GUEST_LIMIT + GUEST_GUARD);
	free(m->reg);
	free(m->code.slot);
	free(m->dirty.slot);
	free(m->changed);
	free(m);
}

uint8_t *mem_base(const struct mem *m) { return m->base; }

int64_t mem_map(struct mem *m, uint64_t addr, uint64_t len, int prot,
		int flags, int fd, uint64_t offset)
{
	if (len == 0)
		return -EINVAL;
	if (offset & (GUEST_PAGE_SIZE - 1))
		return -EINVAL;
	uint64_t plen = page_up(len);
	if (plen < len || plen > GUEST_LIMIT)
		return -ENOMEM;
	int type = flags & (MAP_SHARED | MAP_PRIVATE | MAP_SHARED_VALIDATE);
	if (type != MAP_SHARED && type != MAP_PRIVATE &&
	    type != MAP_SHARED_VALIDATE)
		return -EINVAL;
	bool anon = flags & MAP_ANONYMOUS;
	bool fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
	if (fixed) {
		if (addr & (GUEST_PAGE_SIZE - 1))
			return -EINVAL;
		if (addr + plen > GUEST_LIMIT || addr + plen < addr)
			return -ENOMEM;
		if ((flags & MAP_FIXED_NOREPLACE) && !(flags & MAP_FIXED) &&
		    !range_free(m, addr, addr + plen))
			return -EEXIST;
	} else {
		uint64_t hint = page_down(addr);
		if (hint >= GUEST_MMAP_MIN && hint + plen <= GUEST_MMAP_BASE &&
		    hint + plen > hint && range_free(m, hint, hint + plen)) {
			addr = hint;
		} else {
			addr = find_gap(m, plen, GUEST_MMAP_BASE);
			if (!addr)
				return -ENOMEM;
		}
	}

	int err = range_clear(m, addr, addr + plen);
	if (err)
		return err;
	int hflags = MAP_FIXED | (type == MAP_PRIVATE ? MAP_PRIVATE : MAP_SHARED);
	void *want = m->base + addr, *got;
	if (anon)
		got = mmap(want, plen, host_prot(prot),
			   hflags | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	else
		got = mmap(want, plen, host_prot(prot), hflags, fd,
			   (off_t)offset);
	if (got == MAP_FAILED) {
		err = -errno;
		range_clear(m, addr, addr + plen);
		return err;
	}

	struct mem_region r = {
		.start = addr, .end = addr + plen, .prot = prot,
		.flags = (flags & (MAP_SHARED | MAP_PRIVATE | MAP_ANONYMOUS |
				   MAP_GROWSDOWN)) | (anon ? MAP_ANONYMOUS : 0),
		.offset = anon ? 0 : offset,
	};
	if (!anon) {
		struct stat st;
		if (fstat(fd, &st) == 0) {
			r.dev = st.st_dev;
			r.ino = st.st_ino;
		}
	}
	size_t idx = region_lower(m, addr);
	if ((err = region_insert_at(m, idx, &r)))
		return err;
	region_merge_around(m, idx);
	note_changed(m, addr, addr + plen);
	return (int64_t)addr;
}

int mem_unmap(struct mem *m, uint64_t addr, uint64_t len)
{
	if ((addr & (GUEST_PAGE_SIZE - 1)) || len == 0)
		return -EINVAL;
	uint64_t end = addr + page_up(len);
	if (end < addr || addr >= GUEST_LIMIT)
		return -EINVAL;
	if (end > GUEST_LIMIT)
		end = GUEST_LIMIT;
	return range_clear(m, addr, end);
}

/* Apply the host protection for pages [start, end) of a region with
 * guest prot, keeping watched code pages read-only. */
static int host_protect(struct mem *m, uint64_t start, uint64_t end, int prot)
{
	int hp = host_prot(prot);
	/* Tracked pages take their write permission at their first write
	 * (the fault handler notes them dirty). */
	if (m->tracking)
		hp &= ~PROT_WRITE;
	if (mprotect(m->base + start, end - start, hp))
		return -errno;
	if ((hp & PROT_WRITE) && m->code.count) {
		for (uint64_t pg = start; pg < end; pg += GUEST_PAGE_SIZE)
			if (pageset_has(&m->code, pg))
				mprotect(m->base + pg, GUEST_PAGE_SIZE, PROT_READ);
	}
	return 0;
}

int mem_protect(struct mem *m, uint64_t addr, uint64_t len, int prot)
{
	if (addr & (GUEST_PAGE_SIZE - 1))
		return -EINVAL;
	if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_GROWSDOWN |
		     PROT_GROWSUP))
		return -EINVAL;
	prot &= PROT_READ | PROT_WRITE | PROT_EXEC;
	if (len == 0)
		return 0;
	uint64_t end = addr + page_up(len);
	if (end < addr || end > GUEST_LIMIT)
		return -ENOMEM;
	/* Every page must be mapped (Linux: -ENOMEM otherwise). */
	for (uint64_t a = addr; a < end;) {
		const struct mem_region *r = mem_find(m, a);
		if (!r)
			return -ENOMEM;
		a = r->end;
	}
	int err;
	if ((err = region_split(m, addr)) || (err = region_split(m, end)))
		return err;
	for (size_t i = region_lower(m, addr);
	     i < m->nreg && m->reg[i].start < end; i++) {
		struct mem_region *r = &m->reg[i];
		if ((r->prot & PROT_EXEC) && !(prot & PROT_EXEC))
			code_invalidate_range(m, r->start, r->end);
		r->prot = prot;
		if ((err = host_protect(m, r->start, r->end, prot)))
			return err;
	}
	size_t i = region_lower(m, addr);
	while (i < m->nreg && m->reg[i].start < end) {
		size_t before = m->nreg;
		region_merge_around(m, i);
		if (m->nreg == before)
			i++;
		else if (i > 0)
			i--;
	}
	return 0;
}

int64_t mem_remap(struct mem *m, uint64_t old_addr, uint64_t old_len,
		  uint64_t new_len, int flags, uint64_t new_addr)
{
	if (old_addr & (GUEST_PAGE_SIZE - 1))
		return -EINVAL;
	if (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED))
		return -EINVAL;
	if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))
		return -EINVAL;
	old_len = page_up(old_len);
	new_len = page_up(new_len);
	if (new_len == 0 || new_len > GUEST_LIMIT)
		return -EINVAL;
	const struct mem_region *r = mem_find(m, old_addr);
	if (!r)
		return -EFAULT;
	if (old_len == 0)	/* duplicating shared mappings: not supported */
		return -EINVAL;
	if (old_addr + old_len > r->end)
		return -EFAULT;
	struct mem_region orig = *r;

	if (!(flags & MREMAP_FIXED)) {
		if (new_len <= old_len) {
			if (new_len < old_len) {
				int err = range_clear(m, old_addr + new_len,
						      old_addr + old_len);
				if (err)
					return err;
			}
			return (int64_t)old_addr;
		}
		/* Grow in place when the pages after it are free. */
		uint64_t tail = old_addr + old_len;
		if (old_addr + old_len == orig.end && tail + (new_len - old_len) <= GUEST_LIMIT &&
		    range_free(m, tail, old_addr + new_len)) {
			int64_t got;
			if (orig.flags & MAP_ANONYMOUS)
				got = mem_map(m, tail, new_len - old_len, orig.prot,
					      MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS,
					      -1, 0);
			else
				got = -ENOMEM;	/* file-backed: move instead */
			if (got >= 0)
				return (int64_t)old_addr;
		}
		if (!(flags & MREMAP_MAYMOVE))
			return -ENOMEM;
		new_addr = find_gap(m, new_len, GUEST_MMAP_BASE);
		if (!new_addr)
			return -ENOMEM;
	} else {
		if (new_addr & (GUEST_PAGE_SIZE - 1))
			return -EINVAL;
		if (new_addr + new_len > GUEST_LIMIT)
			return -EINVAL;
		if (new_addr < old_addr + old_len && old_addr < new_addr + new_len)
			return -EINVAL;
	}

	/* Move by copying: the new mapping gets the old contents (private
	 * semantics), then the old range is unmapped. */
	uint64_t copy = old_len < new_len ? old_len : new_len;
	int64_t got = mem_map(m, new_addr, new_len, orig.prot | PROT_WRITE,
			      MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (got < 0)
		return got;
	if (host_prot(orig.prot) & PROT_READ)
		memcpy(m->base + new_addr, m->base + old_addr, copy);
	else {
		mprotect(m->base + old_addr, copy, PROT_READ);
		memcpy(m->base + new_addr, m->base + old_addr, copy);
	}
	int err = range_clear(m, old_addr, old_addr + old_len);
	if (err)
		return err;
	if (!(orig.prot & PROT_WRITE))
		mem_protect(m, new_addr, new_len, orig.prot);
	size_t idx = region_lower(m, new_addr);
	if (idx < m->nreg && m->reg[idx].start == new_addr) {
		m->reg[idx].flags = orig.flags | MAP_ANONYMOUS;
		memcpy(m->reg[idx].name, orig.name, sizeof(orig.name));
	}
	return (int64_t)new_addr;
}

int mem_advise(struct mem *m, uint64_t addr, uint64_t len, int advice)
{
	if (addr & (GUEST_PAGE_SIZE - 1))
		return -EINVAL;
	uint64_t end = addr + page_up(len);
	if (end < addr)
		return -EINVAL;
	for (uint64_t a = addr; a < end;) {
		const struct mem_region *r = mem_find(m, a);
		if (!r)
			return -ENOMEM;
		a = r->end;
	}
	switch (advice) {
	case MADV_DONTNEED:
		/* Private anonymous pages read back as zero, private file
		 * pages as the file: exactly what the host does. */
		code_invalidate_range(m, addr, end);
		note_changed(m, addr, end);
		if (madvise(m->base + addr, end - addr, MADV_DONTNEED))
			return -errno;
		return 0;
	case MADV_NORMAL: case MADV_RANDOM: case MADV_SEQUENTIAL:
	case MADV_WILLNEED: case MADV_FREE: case MADV_HUGEPAGE:
	case MADV_NOHUGEPAGE: case MADV_DONTFORK: case MADV_DOFORK:
	case MADV_DONTDUMP: case MADV_DODUMP: case MADV_MERGEABLE:
	case MADV_UNMERGEABLE:
		/* Hints with no guest-visible effect.  MADV_FREE is a hint
		 * too: Linux may or may not discard the pages, and keeping
		 * them keeps the guest deterministic. */
		return 0;
	default:
		return -EINVAL;
	}
}

void mem_set_name(struct mem *m, uint64_t addr, const char *name)
{
	size_t i = region_lower(m, addr);
	if (i < m->nreg && m->reg[i].start <= addr) {
		strncpy(m->reg[i].name, name, sizeof(m->reg[i].name) - 1);
		m->reg[i].name[sizeof(m->reg[i].name) - 1] = 0;
	}
}

void mem_brk_init(struct mem *m, uint64_t start)
{
	m->brk_start = m->brk_cur = start;
}

uint64_t mem_brk(struct mem *m, uint64_t new_brk)
{
	if (new_brk < m->brk_start || new_brk >= GUEST_MMAP_BASE)
		return m->brk_cur;
	uint64_t old_end = page_up(m->brk_cur), new_end = page_up(new_brk);
	if (new_end > old_end) {
		if (!range_free(m, old_end, new_end))
			return m->brk_cur;
		int64_t got = mem_map(m, old_end, new_end - old_end,
				      PROT_READ | PROT_WRITE,
				      MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS,
				      -1, 0);
		if (got < 0)
			return m->brk_cur;
		mem_set_name(m, old_end, "[heap]");
		size_t idx = region_lower(m, old_end);
		region_merge_around(m, idx);
	} else if (new_end < old_end) {
		if (range_clear(m, new_end, old_end))
			return m->brk_cur;
	}
	m->brk_cur = new_brk;
	return new_brk;
}

/* Page pg of a guest-writable region is about to be written (by the
 * guest, or the host kernel or rewind on its behalf): drop the code
 * decoded from it, note it dirty, and give it its host write permission.
 * Returns 1 if the page was kept read-only for either reason. */
static int page_will_be_written(struct mem *m, uint64_t pg)
{
	int was_code = pageset_has(&m->code, pg);
	int was_clean = m->tracking && !pageset_has(&m->dirty, pg);
	if (was_code)
		code_invalidate_range(m, pg, pg + 1);
	if (was_clean && pageset_add(&m->dirty, pg) < 0)
		m->track_lost = 1;
	if (was_code || was_clean)
		mprotect(m->base + pg, GUEST_PAGE_SIZE, PROT_READ | PROT_WRITE);
	return was_code || was_clean;
}

int mem_check(struct mem *m, uint64_t addr, uint64_t len, int prot)
{
	if (len == 0)
		return 0;
	uint64_t end = addr + len;
	if (end < addr || end > GUEST_LIMIT)
		return -EFAULT;
	for (uint64_t a = addr; a < end;) {
		const struct mem_region *r = mem_find(m, a);
		if (!r)
			return -EFAULT;
		int have = r->prot;
		/* x86 cannot map write-only or exec-only pages. */
		if (have & (PROT_WRITE | PROT_EXEC))
			have |= PROT_READ;
		if ((have & prot) != prot)
			return -EFAULT;
		a = r->end;
	}
	if ((prot & PROT_WRITE) && (m->code.count || m->tracking)) {
		for (uint64_t pg = page_down(addr); pg < end;
		     pg += GUEST_PAGE_SIZE)
			page_will_be_written(m, pg);
	}
	return 0;
}

int64_t mem_strlen(struct mem *m, uint64_t addr, uint64_t max)
{
	uint64_t n = 0;
	while (n <= max) {
		uint64_t a = addr + n;
		const struct mem_region *r = mem_find(m, a);
		if (!r || !(r->prot & (PROT_READ | PROT_WRITE | PROT_EXEC)))
			return -EFAULT;
		uint64_t stop = r->end - a;
		const uint8_t *p = m->base + a;
		const uint8_t *z = memchr(p, 0, stop);
		if (z) {
			n += (uint64_t)(z - p);
			return n > max ? -ENAMETOOLONG : (int64_t)n;
		}
		n += stop;
	}
	return -ENAMETOOLONG;
}

int mem_copy_in(struct mem *m, void *dst, uint64_t src, uint64_t len)
{
	int err = mem_check(m, src, len, PROT_READ);
	if (err)
		return err;
	memcpy(dst, m->base + src, len);
	return 0;
}

int mem_copy_out(struct mem *m, uint64_t dst, const void *src, uint64_t len)
{
	int err = mem_check(m, dst, len, PROT_WRITE);
	if (err)
		return err;
	/* A write on the guest's behalf (a syscall's result, a signal
	 * frame) is a write a watchpoint sees, by the current instruction. */
	struct cpu *c = fault_cpu;
	if (c && fault_mem == m && dst < c->watch_hi && dst + len > c->watch_lo)
		debug_watch_access(c, dst, len, 1);
	memcpy(m->base + dst, src, len);
	return 0;
}

/* ------------------------------------------------------------ tracking */

/* Make every guest-writable page read-only in the host (keeping their
 * guest permission), so that the next write to each is noticed. */
static int protect_writable(struct mem *m)
{
	for (size_t i = 0; i < m->nreg; i++) {
		const struct mem_region *r = &m->reg[i];
		if ((r->prot & PROT_WRITE) &&
		    mprotect(m->base + r->start, r->end - r->start, PROT_READ))
			return -errno;
	}
	return 0;
}

static void track_clear(struct mem *m)
{
	if (m->dirty.cap)
		memset(m->dirty.slot, 0, m->dirty.cap * sizeof(*m->dirty.slot));
	m->dirty.count = 0;
	m->nchanged = 0;
	m->track_lost = 0;
}

int mem_track_start(struct mem *m)
{
	m->tracking = 1;
	return mem_track_reset(m);
}

int mem_track_reset(struct mem *m)
{
	track_clear(m);
	return m->tracking ? protect_writable(m) : 0;
}

int mem_track_changes(const struct mem *m, mem_range_fn fn, void *ctx)
{
	if (m->track_lost) {
		fn(ctx, 0, GUEST_LIMIT);
		return 0;
	}
	for (size_t i = 0; i < m->dirty.cap; i++)
		if (m->dirty.slot[i] > 1) {
			uint64_t pg = m->dirty.slot[i] & ~1ULL;
			fn(ctx, pg, pg + GUEST_PAGE_SIZE);
		}
	for (size_t i = 0; i < m->nchanged; i++)
		fn(ctx, m->changed[i].start, m->changed[i].end);
	return 0;
}

uint64_t mem_track_bytes(const struct mem *m)
{
	if (m->track_lost)
		return UINT64_MAX;
	uint64_t n = m->dirty.count * GUEST_PAGE_SIZE;
	for (size_t i = 0; i < m->nchanged; i++)
		n += m->changed[i].end - m->changed[i].start;
	return n;
}

void mem_brk_get(const struct mem *m, uint64_t *start, uint64_t *cur)
{
	*start = m->brk_start;
	*cur = m->brk_cur;
}

/* The region of regs (sorted, n of them) that holds a, or NULL. */
static const struct mem_region *regs_find(const struct mem_region *regs,
					  size_t n, uint64_t a)
{
	size_t lo = regs_lower(regs, n, a);
	return lo < n && regs[lo].start <= a ? &regs[lo] : NULL;
}

/* Report to fn the parts of [start, end) that lie inside regs. */
static void clip_to(const struct mem_region *regs, size_t n, uint64_t start,
		    uint64_t end, mem_range_fn fn, void *ctx)
{
	for (size_t i = regs_lower(regs, n, start);
	     i < n && regs[i].start < end; i++) {
		uint64_t lo = regs[i].start > start ? regs[i].start : start;
		uint64_t hi = regs[i].end < end ? regs[i].end : end;
		if (lo < hi)
			fn(ctx, lo, hi);
	}
}

int mem_restore_begin(struct mem *m, const struct mem_region *regs, size_t n,
		      uint64_t brk_start, uint64_t brk_cur,
		      mem_range_fn fresh, mem_range_fn stale, void *ctx)
{
	/* Pages mapped now but not in the target go back to the
	 * reservation. */
	for (size_t i = 0; i < m->nreg;) {
		const struct mem_region *r = &m->reg[i];
		uint64_t a = r->start, end = r->end;
		size_t before = m->nreg;
		while (a < end) {
			const struct mem_region *t = regs_find(regs, n, a);
			uint64_t stop;
			if (t) {
				stop = t->end < end ? t->end : end;
			} else {
				/* up to the next target region, or end */
				stop = end;
				for (size_t k = 0; k < n; k++)
					if (regs[k].start > a && regs[k].start < stop)
						stop = regs[k].start;
				int err = range_clear(m, a, stop);
				if (err)
					return err;
			}
			a = stop;
		}
		/* range_clear may have removed or split regions: find the
		 * first region past `end` again. */
		if (m->nreg != before)
			i = region_lower(m, end);
		else
			i++;
	}
	/* Ranges whose contents are unknown (changed since the last reset,
	 * or not mapped now) become fresh zero pages; the caller fills in
	 * the target's non-zero pages there. */
	struct range *fr = NULL;
	size_t nfr = 0, capfr = 0;
	int lost = m->track_lost;
#define ADD_FRESH(lo_, hi_) do { \
		if (nfr == capfr) { \
			size_t cap_ = capfr ? 2 * capfr : 16; \
			struct range *n_ = realloc(fr, cap_ * sizeof(*n_)); \
			if (!n_) { free(fr); return -ENOMEM; } \
			fr = n_; capfr = cap_; \
		} \
		fr[nfr++] = (struct range){ (lo_), (hi_) }; \
	} while (0)
	for (size_t k = 0; k < n; k++) {
		uint64_t a = regs[k].start;
		while (a < regs[k].end) {
			const struct mem_region *cur = mem_find(m, a);
			uint64_t stop;
			if (cur) {
				stop = cur->end < regs[k].end ? cur->end : regs[k].end;
				if (lost)
					ADD_FRESH(a, stop);
			} else {
				stop = regs[k].end;
				size_t j = region_lower(m, a);
				if (j < m->nreg && m->reg[j].start < stop)
					stop = m->reg[j].start;
				ADD_FRESH(a, stop);
			}
			a = stop;
		}
	}
	for (size_t k = 0; !lost && k < m->nchanged; k++) {
		const struct range *c = &m->changed[k];
		for (size_t t = 0; t < n; t++) {
			uint64_t lo = regs[t].start > c->start ? regs[t].start : c->start;
			uint64_t hi = regs[t].end < c->end ? regs[t].end : c->end;
			if (lo < hi)
				ADD_FRESH(lo, hi);
		}
	}
#undef ADD_FRESH
	for (size_t k = 0; k < nfr; k++) {
		uint64_t lo = fr[k].start, hi = fr[k].end;
		code_invalidate_range(m, lo, hi);
		if (mmap(m->base + lo, hi - lo, PROT_READ | PROT_WRITE,
			 MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			 -1, 0) == MAP_FAILED) {
			int err = -errno;
			free(fr);
			return err;
		}
	}
	/* The region table becomes the target's; every page writable by
	 * rewind until mem_restore_finish. */
	if (n > m->capreg) {
		struct mem_region *nr = realloc(m->reg, n * sizeof(*nr));
		if (!nr) {
			free(fr);
			return -ENOMEM;
		}
		m->reg = nr;
		m->capreg = n;
	}
	memcpy(m->reg, regs, n * sizeof(*regs));
	m->nreg = n;
	m->brk_start = brk_start;
	m->brk_cur = brk_cur;
	for (size_t k = 0; k < n; k++)
		mprotect(m->base + regs[k].start, regs[k].end - regs[k].start,
			 PROT_READ | PROT_WRITE);
	/* Code decoded from pages the target does not execute is gone
	 * (collected first: invalidating reorders the page set). */
	uint64_t *gone = m->code.count ? malloc(m->code.count * 8) : NULL;
	size_t ngone = 0;
	if (m->code.count && !gone) {
		free(fr);
		return -ENOMEM;
	}
	for (size_t i = 0; i < m->code.cap; i++) {
		uint64_t v = m->code.slot[i];
		const struct mem_region *r = v > 1 ? mem_find(m, v & ~1ULL) : NULL;
		if (v > 1 && (!r || !(r->prot & PROT_EXEC)))
			gone[ngone++] = v & ~1ULL;
	}
	for (size_t i = 0; i < ngone; i++)
		code_invalidate_range(m, gone[i], gone[i] + 1);
	free(gone);
	for (size_t k = 0; k < nfr; k++)
		fresh(ctx, fr[k].start, fr[k].end);
	free(fr);
	/* Pages written since the last reset keep what was written: the
	 * caller puts the target's contents back. */
	if (!lost)
		for (size_t i = 0; i < m->dirty.cap; i++)
			if (m->dirty.slot[i] > 1) {
				uint64_t pg = m->dirty.slot[i] & ~1ULL;
				clip_to(regs, n, pg, pg + GUEST_PAGE_SIZE,
					stale, ctx);
			}
	return 0;
}

void mem_restore_page(struct mem *m, uint64_t page, const void *data)
{
	code_invalidate_range(m, page, page + 1);
	if (data)
		memcpy(m->base + page, data, GUEST_PAGE_SIZE);
	else
		memset(m->base + page, 0, GUEST_PAGE_SIZE);
}

int mem_restore_finish(struct mem *m)
{
	track_clear(m);
	for (size_t k = 0; k < m->nreg; k++) {
		int err = host_protect(m, m->reg[k].start, m->reg[k].end,
				       m->reg[k].prot);
		if (err)
			return err;
	}
	return 0;
}

const uint8_t *mem_page_for_read(struct mem *m, uint64_t page, int *unprotect)
{
	const struct mem_region *r = mem_find(m, page);
	*unprotect = 0;
	if (!r)
		return NULL;
	if (!host_prot(r->prot)) {
		/* PROT_NONE keeps its contents; read them through a
		 * temporary permission. */
		mprotect(m->base + page, GUEST_PAGE_SIZE, PROT_READ);
		*unprotect = 1;
	}
	return m->base + page;
}

void mem_page_read_done(struct mem *m, uint64_t page, int unprotect)
{
	if (unprotect)
		mprotect(m->base + page, GUEST_PAGE_SIZE, PROT_NONE);
}

size_t mem_poke(struct mem *m, uint64_t addr, const void *buf, size_t len)
{
	size_t done = 0;
	while (done < len) {
		uint64_t a = addr + done, pg = page_down(a);
		size_t n = GUEST_PAGE_SIZE - (a - pg);
		if (n > len - done)
			n = len - done;
		const struct mem_region *r = a < GUEST_LIMIT ? mem_find(m, a) : NULL;
		if (!r)
			break;
		code_invalidate_range(m, pg, pg + 1);
		if (m->tracking && pageset_add(&m->dirty, pg) < 0)
			m->track_lost = 1;
		mprotect(m->base + pg, GUEST_PAGE_SIZE, PROT_READ | PROT_WRITE);
		memcpy(m->base + a, (const uint8_t *)buf + done, n);
		host_protect(m, pg, pg + GUEST_PAGE_SIZE, r->prot);
		done += n;
	}
	return done;
}

/* ------------------------------------------------------------ code watch */

void mem_set_code_callback(struct mem *m, mem_code_written_fn fn, void *ctx)
{
	m->code_cb = fn;
	m->code_ctx = ctx;
}

void mem_watch_code(struct mem *m, uint64_t page)
{
	page = page_down(page);
	if (pageset_has(&m->code, page))
		return;
	if (pageset_add(&m->code, page))
		return;
	const struct mem_region *r = mem_find(m, page);
	if (r && (r->prot & PROT_WRITE))
		mprotect(m->base + page, GUEST_PAGE_SIZE, PROT_READ);
}

/* ------------------------------------------------------------ host faults */

void mem_set_current(struct mem *m, struct cpu *c)
{
	fault_mem = m;
	fault_cpu = c;
}

static struct sigaction old_segv, old_bus;

/* A host fault that is not a guest access: a bug in rewind.  Restore the
 * previous disposition and return, so the fault repeats and kills us (or
 * reaches a sanitizer's handler) with an honest report. */
static void fault_not_ours(int sig)
{
	sigaction(sig, sig == SIGSEGV ? &old_segv : &old_bus, NULL);
}

static void host_fault_handler(int sig, siginfo_t *si, void *uctx)
{
	struct cpu *c = fault_cpu;
	struct mem *m = fault_mem;
	uint8_t *h = si->si_addr;
	ucontext_t *uc = uctx;
	int write = (uc->uc_mcontext.gregs[REG_ERR] & 2) != 0;
	if (m && sig == SIGSEGV && write && h >= m->base &&
	    h < m->base + GUEST_LIMIT) {
		/* The first write to a tracked page, whoever makes it: note
		 * it dirty, give the page its permission back and let the
		 * write happen (the host instruction is simply retried). */
		uint64_t g = (uint64_t)(h - m->base), pg = page_down(g);
		const struct mem_region *r = mem_find(m, g);
		if (r && (r->prot & PROT_WRITE) && m->tracking &&
		    !pageset_has(&m->code, pg)) {
			page_will_be_written(m, pg);
			/* (a dirty page can be read-only again after an
			 * mprotect of its region) */
			mprotect(m->base + pg, GUEST_PAGE_SIZE,
				 PROT_READ | PROT_WRITE);
			return;
		}
	}
	if (!c || !m || !c->in_guest || h < m->base ||
	    h >= m->base + GUEST_LIMIT + GUEST_GUARD) {
		fault_not_ours(sig);
		return;
	}
	uint64_t g = (uint64_t)(h - m->base);

	if (sig == SIGBUS) {
		cpu_raise(c, SIGBUS, BUS_ADRERR, g, TRAP_PF, 4 | (write ? 2 : 0));
	}
	const struct mem_region *r = g < GUEST_LIMIT ? mem_find(m, g) : NULL;
	if (r && write && (r->prot & PROT_WRITE) &&
	    page_will_be_written(m, page_down(g))) {
		/* A store into a page we decoded code from: that code is
		 * dropped; restart the instruction, which may be in the
		 * dropped block (handlers commit nothing before their last
		 * faulting access, see insn.h). */
		cpu_raise(c, 0, 0, 0, -1, 0);
	}
	if (!r)
		cpu_raise(c, SIGSEGV, SEGV_MAPERR, g, TRAP_PF,
			  4 | (write ? 2 : 0));
	cpu_raise(c, SIGSEGV, SEGV_ACCERR, g, TRAP_PF, 4 | 1 | (write ? 2 : 0));
}

int mem_install_fault_handler(void)
{
	/* The handler runs on an alternate stack so that a guest access
	 * can never be confused with a host stack overflow. */
	static uint8_t *altstack;
	if (!altstack) {
		size_t sz = 64 * 1024;
		altstack = mmap(NULL, sz, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (altstack == MAP_FAILED) {
			altstack = NULL;
			return -errno;
		}
		stack_t ss = { .ss_sp = altstack, .ss_size = sz };
		if (sigaltstack(&ss, NULL))
			return -errno;
	}
	struct sigaction sa = { 0 };
	sa.sa_sigaction = host_fault_handler;
	/* SA_NODEFER: we leave the handler with siglongjmp(env, 0-mask),
	 * so the signal must not stay blocked afterwards. */
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, &old_segv) || sigaction(SIGBUS, &sa, &old_bus))
		return -errno;
	return 0;
}
