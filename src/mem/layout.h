/*
 * layout.h - the fixed shape of the guest address space.
 *
 * Guest address g lives at host address mem_base + g for 0 <= g < GUEST_LIMIT.
 * The host cannot reserve the whole 47-bit user half, so the guest gets the
 * lower 2^46 bytes (64 TiB); everything above is unmapped for the guest, as an
 * address the kernel never hands out.  The layout is chosen by the VM alone,
 * so no host ASLR leaks into the guest: the same program always sees the same
 * addresses.
 */
#ifndef REWIND_MEM_LAYOUT_H
#define REWIND_MEM_LAYOUT_H

#define GUEST_LIMIT        (1ULL << 46)
/* Unmapped host pages after the reservation absorb accesses that start
 * below GUEST_LIMIT and run past it (the widest access is fxsave's 512). */
#define GUEST_GUARD        (64ULL << 10)

#define GUEST_PAGE_SIZE    4096ULL
#define GUEST_PAGE_MASK    (~(GUEST_PAGE_SIZE - 1))

/* Where the main thread's stack ends (exclusive) and how big it is. */
#define GUEST_STACK_TOP    0x3ffffffde000ULL
#define GUEST_STACK_SIZE   (8ULL << 20)
/* mmap() without a hint allocates downwards from here (below the stack
 * and its guard gap, like Linux's mmap_base). */
#define GUEST_MMAP_BASE    0x3ffff7fff000ULL
/* Load address of a static-PIE (ET_DYN) executable. */
#define GUEST_PIE_BASE     0x2aaaaaaaa000ULL
/* Lowest address mmap may return (vm.mmap_min_addr). */
#define GUEST_MMAP_MIN     0x10000ULL

#endif
