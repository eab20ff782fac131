/*
 * test_mem.c - the guest address space: Linux mmap semantics on the region
 * table and the host mirror.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "mem/mem.h"

static struct mem *m;

static void setup(void)
{
	ck_assert_int_eq(mem_create(&m), 0);
}

static void teardown(void)
{
	mem_destroy(m);
	m = NULL;
}

#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)

START_TEST(test_map_fixed_and_hint)
{
	int64_t a = mem_map(m, 0x400000, 0x3000, RW, ANON | MAP_FIXED, -1, 0);
	ck_assert_int_eq(a, 0x400000);
	/* NOREPLACE over an existing mapping fails with EEXIST. */
	ck_assert_int_eq(mem_map(m, 0x401000, 0x1000, RW,
				 ANON | MAP_FIXED_NOREPLACE, -1, 0), -EEXIST);
	/* A hint on a busy range is ignored, a free one is honoured. */
	int64_t b = mem_map(m, 0x401000, 0x1000, RW, ANON, -1, 0);
	ck_assert_int_ne(b, 0x401000);
	ck_assert_int_gt(b, 0);
	int64_t c = mem_map(m, 0x10000000, 0x1000, RW, ANON, -1, 0);
	ck_assert_int_eq(c, 0x10000000);
	/* Unaligned fixed address, zero length, bad type. */
	ck_assert_int_eq(mem_map(m, 0x400001, 0x1000, RW, ANON | MAP_FIXED, -1, 0),
			 -EINVAL);
	ck_assert_int_eq(mem_map(m, 0, 0, RW, ANON, -1, 0), -EINVAL);
	ck_assert_int_eq(mem_map(m, 0, 0x1000, RW, MAP_ANONYMOUS, -1, 0), -EINVAL);
	/* Beyond the guest space. */
	ck_assert_int_eq(mem_map(m, GUEST_LIMIT - 0x1000, 0x2000, RW,
				 ANON | MAP_FIXED, -1, 0), -ENOMEM);
}
END_TEST

START_TEST(test_unmap_splits)
{
	ck_assert_int_eq(mem_map(m, 0x400000, 0x5000, RW, ANON | MAP_FIXED, -1, 0),
			 0x400000);
	uint8_t *base = mem_base(m);
	memset(base + 0x400000, 0xab, 0x5000);
	ck_assert_int_eq(mem_unmap(m, 0x402000, 0x1000), 0);
	ck_assert_uint_eq(mem_region_count(m), 2);
	ck_assert_ptr_null(mem_find(m, 0x402000));
	ck_assert_ptr_nonnull(mem_find(m, 0x401fff));
	ck_assert_ptr_nonnull(mem_find(m, 0x403000));
	ck_assert_int_eq(base[0x403000], 0xab);
	ck_assert_int_eq(mem_check(m, 0x401000, 0x2000, PROT_READ), -EFAULT);
	ck_assert_int_eq(mem_check(m, 0x403000, 0x2000, PROT_READ), 0);
	/* Unmapping nothing is fine; unaligned is not. */
	ck_assert_int_eq(mem_unmap(m, 0x7000000, 0x1000), 0);
	ck_assert_int_eq(mem_unmap(m, 0x400010, 0x1000), -EINVAL);
}
END_TEST

START_TEST(test_protect_splits_and_merges)
{
	ck_assert_int_eq(mem_map(m, 0x400000, 0x4000, RW, ANON | MAP_FIXED, -1, 0),
			 0x400000);
	ck_assert_int_eq(mem_protect(m, 0x401000, 0x1000, PROT_READ), 0);
	ck_assert_uint_eq(mem_region_count(m), 3);
	ck_assert_int_eq(mem_find(m, 0x401000)->prot, PROT_READ);
	ck_assert_int_eq(mem_check(m, 0x400000, 0x2000, PROT_WRITE), -EFAULT);
	ck_assert_int_eq(mem_check(m, 0x400000, 0x2000, PROT_READ), 0);
	/* Back to RW: the three pieces merge again, as in /proc/self/maps. */
	ck_assert_int_eq(mem_protect(m, 0x401000, 0x1000, RW), 0);
	ck_assert_uint_eq(mem_region_count(m), 1);
	/* A hole in the range: ENOMEM, as Linux. */
	ck_assert_int_eq(mem_protect(m, 0x403000, 0x2000, PROT_READ), -ENOMEM);
}
END_TEST

START_TEST(test_remap_moves_contents)
{
	ck_assert_int_eq(mem_map(m, 0x400000, 0x2000, RW, ANON | MAP_FIXED, -1, 0),
			 0x400000);
	ck_assert_int_eq(mem_map(m, 0x402000, 0x1000, PROT_READ,
				 ANON | MAP_FIXED, -1, 0), 0x402000);
	uint8_t *base = mem_base(m);
	memcpy(base + 0x400000, "hello", 6);
	/* Can't grow in place (next page busy) and may not move. */
	ck_assert_int_eq(mem_remap(m, 0x400000, 0x2000, 0x4000, 0, 0), -ENOMEM);
	int64_t n = mem_remap(m, 0x400000, 0x2000, 0x4000, MREMAP_MAYMOVE, 0);
	ck_assert_int_gt(n, 0);
	ck_assert_str_eq((char *)base + n, "hello");
	ck_assert_ptr_null(mem_find(m, 0x400000));
	/* Shrink in place. */
	ck_assert_int_eq(mem_remap(m, (uint64_t)n, 0x4000, 0x1000, 0, 0), n);
	ck_assert_ptr_null(mem_find(m, (uint64_t)n + 0x1000));
}
END_TEST

START_TEST(test_brk)
{
	mem_brk_init(m, 0x600000);
	ck_assert_uint_eq(mem_brk(m, 0), 0x600000);
	ck_assert_uint_eq(mem_brk(m, 0x600010), 0x600010);
	ck_assert_int_eq(mem_check(m, 0x600000, 0x1000, RW), 0);
	ck_assert_uint_eq(mem_brk(m, 0x623456), 0x623456);
	mem_base(m)[0x623000] = 1;
	ck_assert_uint_eq(mem_brk(m, 0x601000), 0x601000);
	ck_assert_int_eq(mem_check(m, 0x601000, 1, PROT_READ), -EFAULT);
	/* Below the start: refused, the break stays. */
	ck_assert_uint_eq(mem_brk(m, 0x500000), 0x601000);
	/* Growing into another mapping: refused. */
	ck_assert_int_eq(mem_map(m, 0x700000, 0x1000, RW, ANON | MAP_FIXED, -1, 0),
			 0x700000);
	ck_assert_uint_eq(mem_brk(m, 0x800000), 0x601000);
}
END_TEST

START_TEST(test_strlen_and_copy)
{
	ck_assert_int_eq(mem_map(m, 0x400000, 0x1000, RW, ANON | MAP_FIXED, -1, 0),
			 0x400000);
	uint8_t *base = mem_base(m);
	memset(base + 0x400000, 'x', 0x1000);
	/* Runs off the end of the mapping: EFAULT, not a host crash. */
	ck_assert_int_eq(mem_strlen(m, 0x400000, 1 << 20), -EFAULT);
	base[0x400ffe] = 0;
	ck_assert_int_eq(mem_strlen(m, 0x400000, 1 << 20), 0xffe);
	ck_assert_int_eq(mem_strlen(m, 0x400000, 100), -ENAMETOOLONG);
	char buf[8];
	ck_assert_int_eq(mem_copy_in(m, buf, 0x400ffc, 8), -EFAULT);
	ck_assert_int_eq(mem_copy_in(m, buf, 0x400ff8, 8), 0);
	ck_assert_int_eq(mem_copy_out(m, GUEST_LIMIT - 4, buf, 8), -EFAULT);
	ck_assert_int_eq(mem_copy_out(m, ~0ULL - 2, buf, 8), -EFAULT);
}
END_TEST

/* A mapping that straddles the mmap base (mremap grows in place past it)
 * must not be handed out again by a later mmap without a hint. */
START_TEST(test_gap_below_straddling_region)
{
	uint64_t at = GUEST_MMAP_BASE - 0x3000;
	ck_assert_int_eq(mem_map(m, at, 0x8000, RW, ANON | MAP_FIXED, -1, 0),
			 (int64_t)at);
	int64_t b = mem_map(m, 0, 0x2000, RW, ANON, -1, 0);
	ck_assert_int_gt(b, 0);
	ck_assert_uint_le((uint64_t)b + 0x2000, at);
	int64_t c = mem_map(m, 0, 0x1000, RW, ANON, -1, 0);
	ck_assert_uint_le((uint64_t)c + 0x1000, (uint64_t)b);
}
END_TEST

static Suite *mem_suite(void)
{
	Suite *s = suite_create("mem");
	TCase *tc = tcase_create("regions");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_map_fixed_and_hint);
	tcase_add_test(tc, test_unmap_splits);
	tcase_add_test(tc, test_protect_splits_and_merges);
	tcase_add_test(tc, test_remap_moves_contents);
	tcase_add_test(tc, test_brk);
	tcase_add_test(tc, test_strlen_and_copy);
	tcase_add_test(tc, test_gap_below_straddling_region);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(mem_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
