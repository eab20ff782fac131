/*
 * mem.h - the guest address space.
 *
 * Owns: the host reservation that holds guest memory (guest address g is at
 * host address mem_base + g, see layout.h), the list of guest mappings with
 * their protections, Linux's mmap/munmap/mprotect/mremap/brk/madvise
 * semantics, and the translation of host faults on guest memory into guest
 * faults.  Host page protections mirror guest protections, so the fast path
 * of an access is a bounds check and an add; the host MMU enforces the rest.
 *
 * Does not own: what the guest sees of files (src/os opens them and passes a
 * host fd), or decoded code (the engine asks to be told when code pages are
 * written, see mem_watch_code()).
 */
#ifndef REWIND_MEM_MEM_H
#define REWIND_MEM_MEM_H

#include <stddef.h>
#include <stdint.h>
#include "mem/layout.h"

struct mem;
struct cpu;

/* Guest protection bits are Linux's PROT_READ/WRITE/EXEC.
 * Mapping flags passed to mem_map are Linux's MAP_* flags. */

/* One guest mapping, for /proc/self/maps, snapshots and the debugger. */
struct mem_region {
	uint64_t start, end;	/* [start, end), page aligned */
	int prot;		/* PROT_* */
	int flags;		/* MAP_PRIVATE/MAP_SHARED/MAP_ANONYMOUS/... */
	uint64_t offset;	/* file offset of start, for file mappings */
	uint64_t dev, ino;	/* file identity, 0 for anonymous */
	char name[64];		/* "[stack]", "[heap]", a file name, or "" */
};

/* Reserve the guest address space.  Returns 0 or -errno. */
int mem_create(struct mem **out);
void mem_destroy(struct mem *m);
uint8_t *mem_base(const struct mem *m);

/* mmap with Linux semantics (MAP_FIXED, MAP_FIXED_NOREPLACE, hints,
 * MAP_ANONYMOUS, MAP_PRIVATE/MAP_SHARED file mappings of host fd `fd`).
 * Returns the guest address or -errno. */
int64_t mem_map(struct mem *m, uint64_t addr, uint64_t len, int prot,
		int flags, int fd, uint64_t offset);
int mem_unmap(struct mem *m, uint64_t addr, uint64_t len);
int mem_protect(struct mem *m, uint64_t addr, uint64_t len, int prot);
int64_t mem_remap(struct mem *m, uint64_t old_addr, uint64_t old_len,
		  uint64_t new_len, int flags, uint64_t new_addr);
int mem_advise(struct mem *m, uint64_t addr, uint64_t len, int advice);
/* Name a region (e.g. "[stack]", "[heap]") for maps output. */
void mem_set_name(struct mem *m, uint64_t addr, const char *name);

/* brk: set the initial break once (mem_brk_init), then mem_brk() behaves
 * like the syscall: returns the new break, or the old one on failure. */
void mem_brk_init(struct mem *m, uint64_t start);
uint64_t mem_brk(struct mem *m, uint64_t new_brk);

/* 0 when every byte of [addr, addr+len) is mapped with all of `prot`,
 * else -EFAULT.  Syscalls check guest buffers with this before passing
 * mem_base + addr to the host kernel.  A check for PROT_WRITE also drops
 * decoded code in the range (see mem_watch_code). */
int mem_check(struct mem *m, uint64_t addr, uint64_t len, int prot);
/* Length of the NUL-terminated guest string at addr (without the NUL), or
 * -EFAULT if it runs into unmapped memory, -ENAMETOOLONG past max. */
int64_t mem_strlen(struct mem *m, uint64_t addr, uint64_t max);

/* Copy between guest and host memory with mem_check's rules. */
int mem_copy_in(struct mem *m, void *dst, uint64_t src, uint64_t len);
int mem_copy_out(struct mem *m, uint64_t dst, const void *src, uint64_t len);

/* The region containing addr, or NULL. */
const struct mem_region *mem_find(const struct mem *m, uint64_t addr);
/* Iterate regions in address order: index 0..mem_region_count()-1. */
size_t mem_region_count(const struct mem *m);
const struct mem_region *mem_region_at(const struct mem *m, size_t idx);
/* The index of the first region that ends above addr (the count if
 * none): where iterating the regions of [addr, ...) starts. */
size_t mem_region_lower(const struct mem *m, uint64_t addr);

/*
 * Decoded-code tracking.  The engine calls mem_watch_code() for each page
 * it decodes instructions from; if the guest later writes that page, the
 * mem module calls the registered invalidate callback for the page before
 * the write happens (the page is kept read-only in the host while watched).
 */
typedef void (*mem_code_written_fn)(void *ctx, uint64_t page);
void mem_set_code_callback(struct mem *m, mem_code_written_fn fn, void *ctx);
void mem_watch_code(struct mem *m, uint64_t page);

/*
 * Change tracking and restore, for snapshots (src/replay).
 *
 * mem_track_start() begins noting what changes: pages written (by the
 * guest, or by the host kernel or rewind after mem_check/mem_copy_out)
 * and ranges whose mapping changed (mmap, munmap, mremap, brk,
 * madvise(DONTNEED)).  mem_track_changes() reports each as a range
 * (pages may be reported more than once; [0, GUEST_LIMIT) when tracking
 * ran out of memory); mem_track_reset() forgets them, after a snapshot.
 *
 * A restore makes the address space equal to a snapshot's:
 * mem_restore_begin() sets the regions (and brk) to `regs`, remaps as
 * fresh zero pages every target range whose contents are unknown and
 * reports it to `fresh`, and reports to `stale` every page written since
 * the last reset; the caller then writes the target's pages with
 * mem_restore_page() (the fresh ranges need only their non-zero pages)
 * and ends with mem_restore_finish(), which applies the protections and
 * resets tracking.
 */
typedef void (*mem_range_fn)(void *ctx, uint64_t start, uint64_t end);
int mem_track_start(struct mem *m);
int mem_track_reset(struct mem *m);
int mem_track_changes(const struct mem *m, mem_range_fn fn, void *ctx);
/* Bytes noted as changed since the last reset (pages may be counted
 * twice; UINT64_MAX when tracking ran out of memory): an upper bound of
 * what a snapshot taken now stores, before compression. */
uint64_t mem_track_bytes(const struct mem *m);
void mem_brk_get(const struct mem *m, uint64_t *start, uint64_t *cur);
int mem_restore_begin(struct mem *m, const struct mem_region *regs, size_t n,
		      uint64_t brk_start, uint64_t brk_cur,
		      mem_range_fn fresh, mem_range_fn stale, void *ctx);
/* Write one page (data NULL: zeros) and drop the code decoded from it. */
void mem_restore_page(struct mem *m, uint64_t page, const void *data);
int mem_restore_finish(struct mem *m);
/* The bytes of a mapped page for reading, whatever its guest protection
 * (NULL when unmapped); pair with mem_page_read_done. */
const uint8_t *mem_page_for_read(struct mem *m, uint64_t page, int *unprotect);
void mem_page_read_done(struct mem *m, uint64_t page, int unprotect);

/* Write guest memory as a debugger does: through any protection, code
 * pages included (their decoded code is dropped).  Returns the bytes
 * written, up to the first unmapped one. */
size_t mem_poke(struct mem *m, uint64_t addr, const void *buf, size_t len);

/*
 * Host fault handling.  Install once per process; while a cpu runs guest
 * code (cpu->in_guest), host SIGSEGV/SIGBUS inside the guest reservation
 * become guest faults raised on that cpu.  mem_set_current() names the cpu
 * the host thread is running.
 */
int mem_install_fault_handler(void);
void mem_set_current(struct mem *m, struct cpu *c);

#endif
